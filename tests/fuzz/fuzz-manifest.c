/* fuzz-manifest.c — libFuzzer target for the manifest parser, which reads
 * manifest.json from copied folders and discs. A manifest that parses must
 * also survive a write/parse round trip unchanged.
 */
#include "common/manifest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(CavManifest) m = NULL;
	g_autoptr(CavManifest) again = NULL;
	g_autofree char *json = NULL, *json2 = NULL;
	GError *error = NULL;
	gsize len = 0, len2 = 0;

	m = cav_manifest_parse((const char *)data, size, &error);
	if (m == NULL) {
		if (error == NULL || error->domain != CAV_MANIFEST_ERROR)
			abort();
		g_error_free(error);
		return 0;
	}
	json = cav_manifest_to_json(m, &len);
	again = cav_manifest_parse(json, len, NULL);
	if (again == NULL || again->segments->len != m->segments->len)
		abort();
	json2 = cav_manifest_to_json(again, &len2);
	if (len != len2 || memcmp(json, json2, len) != 0)
		abort();
	return 0;
}
