/* fuzz-disc-set.c — libFuzzer target for the set manifest parser, which
 * reads disc-set.json from discs and images of any origin. A set manifest
 * that parses must also survive a write/parse round trip unchanged.
 */
#include "common/disc-set.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(CavDiscSet) set = NULL;
	g_autoptr(CavDiscSet) again = NULL;
	g_autofree char *json = NULL, *json2 = NULL;
	GError *error = NULL;
	gsize len = 0, len2 = 0;

	set = cav_disc_set_parse((const char *)data, size, &error);
	if (set == NULL) {
		if (error == NULL || error->domain != CAV_MANIFEST_ERROR)
			abort();
		g_error_free(error);
		return 0;
	}
	/* Lookups must agree with what was parsed. */
	if (cav_disc_set_disc(set, set->disc) == NULL)
		abort();
	json = cav_disc_set_to_json(set, &len);
	again = cav_disc_set_parse(json, len, NULL);
	if (again == NULL || again->hearings->len != set->hearings->len ||
	    again->layout->len != set->layout->len || again->files->len != set->files->len)
		abort();
	json2 = cav_disc_set_to_json(again, &len2);
	if (len != len2 || memcmp(json, json2, len) != 0)
		abort();
	return 0;
}
