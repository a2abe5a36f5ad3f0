/* ctl-device.c — the courtavctl commands about the room and the device
 * rather than one case: status, events, and the exports (a hearing's
 * manifest with its signature, the device's public key).
 *
 * Exports write the daemon's bytes unchanged: manifest.sig signs the exact
 * bytes of manifest.json, so re-serialising the JSON would break the very
 * signature the export exists to carry. Files are written atomically
 * (common/fsutil.h) so an interrupted export never leaves half a key.
 * Single-threaded and blocking.
 */
#include "ctl.h"

#include <stdio.h>
#include <string.h>
#include "common/fsutil.h"
#include "common/manifest.h"
#include "ctl-output.h"

int
cav_ctl_cmd_status(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autoptr(JsonNode) answer = NULL;
	g_autoptr(CavCtlTable) t = cav_ctl_table_new_plain(2);
	g_autoptr(CavCtlTable) alarms_table = NULL;
	g_autofree char *room_text = NULL, *hearing_text = NULL, *disk_text = NULL;
	g_autofree char *tracks_text = NULL, *alarms_text = NULL;
	JsonObject *root, *room, *hearing, *disk;
	JsonArray *tracks, *alarms;
	int rc;

	if (!cav_ctl_parse(ctl, NULL, &argc, &argv, &rc, error))
		return rc;
	answer = cav_ctl_call(ctl, "GET", "/api/v1/status", NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	root = json_node_get_object(answer);
	room = cav_ctl_json_object(root, "room");
	hearing = cav_ctl_json_object(root, "hearing");
	disk = cav_ctl_json_object(root, "disk");
	tracks = cav_ctl_json_array(root, "tracks");
	alarms = cav_ctl_json_array(root, "alarms");

	if (room != NULL) {
		const char *court = cav_ctl_json_string(room, "court");

		room_text = g_strdup_printf("%s %s%s%s%s", cav_ctl_json_string(room, "id") ?: "?",
					    cav_ctl_json_string(room, "name") ?: "",
					    court != NULL ? " (" : "", court != NULL ? court : "",
					    court != NULL ? ")" : "");
	}
	if (hearing != NULL) {
		const char *state = cav_ctl_json_string(hearing, "state");
		g_autofree char *id = cav_ctl_json_int_text(hearing, "id");
		GString *text = g_string_new(NULL);
		double secs;

		g_string_printf(text, "%s  %s  %s %s", id != NULL ? id : "?",
				cav_ctl_json_string(hearing, "case_number") ?: "-", state ?: "?",
				cav_ctl_state_zh(state));
		/* API.md names it elapsed_s; early daemons sent recorded_s. */
		if ((cav_ctl_json_double(hearing, "elapsed_s", &secs) ||
		     cav_ctl_json_double(hearing, "recorded_s", &secs)) &&
		    secs >= 0 && secs < 1e9) {
			g_autofree char *elapsed = cav_ctl_format_duration((gint64)secs);

			g_string_append_printf(text, "  %s recorded", elapsed);
		}
		hearing_text = g_string_free(text, FALSE);
	}
	if (disk != NULL) {
		gint64 free_bytes = 0;
		double hours = 0;
		gboolean low = FALSE;
		g_autofree char *size = NULL;

		cav_ctl_json_int(disk, "free_bytes", &free_bytes);
		cav_ctl_json_bool(disk, "low", &low);
		size = g_format_size((guint64)MAX(free_bytes, 0));
		if (cav_ctl_json_double(disk, "hours_left", &hours))
			disk_text = g_strdup_printf("%s free, about %.1f h of recording left%s",
						    size, hours, low ? "  LOW 空间不足" : "");
		else
			disk_text = g_strdup_printf("%s free%s", size, low ? "  LOW 空间不足" : "");
	}
	if (tracks != NULL) {
		GString *s = g_string_new(NULL);

		for (guint i = 0; i < json_array_get_length(tracks); i++) {
			JsonNode *n = json_array_get_element(tracks, i);

			if (JSON_NODE_HOLDS_VALUE(n) &&
			    json_node_get_value_type(n) == G_TYPE_STRING)
				g_string_append_printf(s, "%s%s", s->len > 0 ? ", " : "",
						       json_node_get_string(n));
		}
		tracks_text = g_string_free(s, FALSE);
	}
	alarms_text = g_strdup_printf("%u", alarms != NULL ? json_array_get_length(alarms) : 0);

	cav_ctl_table_add(t, "courtavd", cav_ctl_json_string(root, "version"));
	cav_ctl_table_add(t, "Room", room_text);
	cav_ctl_table_add(t, "Hearing", hearing_text != NULL ? hearing_text : "none 无");
	cav_ctl_table_add(t, "Disk", disk_text);
	cav_ctl_table_add(t, "Tracks", tracks_text);
	cav_ctl_table_add(t, "Alarms", g_strcmp0(alarms_text, "0") == 0 ? "none 无" : alarms_text);
	cav_ctl_table_print(t, stdout);
	if (alarms == NULL || json_array_get_length(alarms) == 0)
		return CAV_CTL_EXIT_OK;

	alarms_table = cav_ctl_table_new("CODE", "SINCE", "MESSAGE", "说明", NULL);
	cav_ctl_table_set_indent(alarms_table, 2);
	for (guint i = 0; i < json_array_get_length(alarms); i++) {
		JsonObject *a = cav_ctl_json_array_object(alarms, i);
		g_autofree char *since = cav_ctl_json_time(a, "at_us");

		cav_ctl_table_add(alarms_table, cav_ctl_json_string(a, "code"), since,
				  cav_ctl_json_string(a, "message"),
				  cav_ctl_json_string(a, "message_zh"));
	}
	puts("");
	cav_ctl_table_print(alarms_table, stdout);
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_events(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *after_arg = NULL, *path = NULL;
	const GOptionEntry entries[] = {
		{"after", 'a', 0, G_OPTION_ARG_FILENAME, &after_arg,
		 "Only events with a larger id (at most 200 are returned)", "ID"},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(JsonNode) answer = NULL;
	g_autoptr(CavCtlTable) t = NULL;
	JsonArray *events;
	gint64 after = 0;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (after_arg != NULL && strcmp(after_arg, "0") != 0 &&
	    !cav_ctl_parse_id("--after", after_arg, &after, error))
		return -1;
	path = g_strdup_printf("/api/v1/events?after=%" G_GINT64_FORMAT, after);
	answer = cav_ctl_call(ctl, "GET", path, NULL, CAV_CTL_TIMEOUT_S, error);
	if (answer == NULL)
		return -1;
	if (ctl->json) {
		cav_ctl_print_answer(ctl);
		return CAV_CTL_EXIT_OK;
	}
	events = cav_ctl_json_array(json_node_get_object(answer), "events");
	t = cav_ctl_table_new("ID", "TIME", "SEVERITY", "CODE", "HEARING", "MESSAGE", NULL);
	for (guint i = 0; events != NULL && i < json_array_get_length(events); i++) {
		JsonObject *e = cav_ctl_json_array_object(events, i);
		g_autofree char *id = cav_ctl_json_int_text(e, "id");
		g_autofree char *at = cav_ctl_json_time(e, "at_us");
		g_autofree char *hearing = cav_ctl_json_int_text(e, "hearing_id");

		cav_ctl_table_add(t, id, at, cav_ctl_json_string(e, "severity"),
				  cav_ctl_json_string(e, "code"), hearing,
				  cav_ctl_json_string(e, "message"));
	}
	if (cav_ctl_table_rows(t) == 0)
		puts("No events. 暂无事件。");
	else
		cav_ctl_table_print(t, stdout);
	return CAV_CTL_EXIT_OK;
}

static gboolean
write_file(const char *path, GBytes *bytes, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *zh = NULL;
	gsize len;
	const void *data = g_bytes_get_data(bytes, &len);

	if (cav_fs_write_atomic(path, data != NULL ? data : "", len, 0644, &local))
		return TRUE;
	zh = g_strdup_printf("无法写入 %s：%s", path, local->message);
	g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_IO, zh, "cannot write %s: %s",
						   path, local->message));
	return FALSE;
}

/* Where the manifest and its signature go for -o @output (nullable): a
 * folder gets manifest.json/manifest.sig inside, NAME.json gets NAME.sig
 * beside it, any other name gets ".sig" appended. */
static void
export_paths(const char *output, char **out_manifest, char **out_sig)
{
	g_autofree char *manifest = NULL;

	if (output == NULL)
		manifest = g_strdup(CAV_MANIFEST_NAME);
	else if (g_file_test(output, G_FILE_TEST_IS_DIR))
		manifest = g_build_filename(output, CAV_MANIFEST_NAME, NULL);
	else
		manifest = g_strdup(output);
	if (g_str_has_suffix(manifest, ".json"))
		*out_sig = g_strdup_printf("%.*s.sig", (int)(strlen(manifest) - strlen(".json")),
					   manifest);
	else
		*out_sig = g_strconcat(manifest, ".sig", NULL);
	*out_manifest = g_steal_pointer(&manifest);
}

int
cav_ctl_cmd_export_manifest(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *output = NULL, *manifest_path = NULL, *sig_path = NULL, *url = NULL;
	const GOptionEntry entries[] = {
		{"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		 "Manifest file or folder (default ./manifest.json)", "FILE"},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GBytes) manifest = NULL, sig = NULL;
	g_autoptr(CavManifest) parsed = NULL;
	g_autoptr(GError) parse_error = NULL;
	CavCtlClient *client;
	gboolean sealed;
	gint64 id;
	gsize len;
	const char *data;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if (!cav_ctl_parse_id("hearing id", argv[1], &id, error))
		return -1;
	if ((client = cav_ctl_get_client(ctl, error)) == NULL)
		return -1;
	cav_ctl_client_set_timeout(client, CAV_CTL_TIMEOUT_S);
	url = g_strdup_printf("/api/v1/hearings/%" G_GINT64_FORMAT "/manifest", id);
	manifest = cav_ctl_client_get_raw(client, url, NULL, error);
	if (manifest == NULL)
		return -1;

	/* The manifest itself says whether it is sealed, i.e. whether a
	 * signature over these very bytes exists. */
	data = g_bytes_get_data(manifest, &len);
	parsed = cav_manifest_parse(data != NULL ? data : "", len, &parse_error);
	if (parsed == NULL) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_PROTOCOL, NULL,
							   "hearing %" G_GINT64_FORMAT
							   "'s manifest is not "
							   "one this courtavctl can read: %s",
							   id, parse_error->message));
		return -1;
	}
	sealed = g_strcmp0(parsed->state, "sealed") == 0;
	if (sealed) {
		g_autofree char *sig_url = g_strconcat(url, ".sig", NULL);

		sig = cav_ctl_client_get_raw(client, sig_url, NULL, error);
		if (sig == NULL)
			return -1;
	}

	export_paths(output, &manifest_path, &sig_path);
	if (!write_file(manifest_path, manifest, error))
		return -1;
	if (sig != NULL && !write_file(sig_path, sig, error))
		return -1;

	if (ctl->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(JsonNode) node = NULL;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "manifest");
		json_builder_add_string_value(b, manifest_path);
		json_builder_set_member_name(b, "signature");
		if (sig != NULL)
			json_builder_add_string_value(b, sig_path);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(b, parsed->state);
		json_builder_end_object(b);
		node = json_builder_get_root(b);
		cav_ctl_print_json(node);
		return CAV_CTL_EXIT_OK;
	}
	printf("Wrote %s (%" G_GSIZE_FORMAT " bytes, %s, %u file(s))\n", manifest_path, len,
	       parsed->state, parsed->segments->len);
	if (sig != NULL)
		printf("Wrote %s\n", sig_path);
	else
		printf("Not sealed yet: no signature to export. 尚未封存，无签名。\n");
	return CAV_CTL_EXIT_OK;
}

int
cav_ctl_cmd_export_public_key(CavCtl *ctl, int argc, char **argv, GError **error)
{
	g_autofree char *output = NULL;
	const GOptionEntry entries[] = {
		{"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
		 "Write the key to FILE instead of stdout", "FILE"},
		G_OPTION_ENTRY_NULL,
	};
	g_autoptr(SoupMessageHeaders) headers = NULL;
	g_autoptr(GBytes) pem = NULL;
	g_autofree char *text = NULL;
	CavCtlClient *client;
	const char *alg, *key_id;
	gsize len;
	const char *data;
	int rc;

	if (!cav_ctl_parse(ctl, entries, &argc, &argv, &rc, error))
		return rc;
	if ((client = cav_ctl_get_client(ctl, error)) == NULL)
		return -1;
	cav_ctl_client_set_timeout(client, CAV_CTL_TIMEOUT_S);
	pem = cav_ctl_client_get_raw(client, "/api/v1/device/public-key", &headers, error);
	if (pem == NULL)
		return -1;
	data = g_bytes_get_data(pem, &len);
	text = g_strndup(data != NULL ? data : "", len);
	if (!g_str_has_prefix(text, "-----BEGIN PUBLIC KEY-----")) {
		g_propagate_error(error, cav_ctl_error_new(CAV_CTL_ERROR_PROTOCOL, NULL,
							   "courtavd's public key is not a PEM "
							   "public key"));
		return -1;
	}
	alg = soup_message_headers_get_one(headers, "X-Cav-Sig-Alg");
	key_id = soup_message_headers_get_one(headers, "X-Cav-Key-Id");
	if (output != NULL && !write_file(output, pem, error))
		return -1;

	if (ctl->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(JsonNode) node = NULL;

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "alg");
		if (alg != NULL)
			json_builder_add_string_value(b, alg);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "key_id");
		if (key_id != NULL)
			json_builder_add_string_value(b, key_id);
		else
			json_builder_add_null_value(b);
		json_builder_set_member_name(b, "public_key_pem");
		json_builder_add_string_value(b, text);
		if (output != NULL) {
			json_builder_set_member_name(b, "file");
			json_builder_add_string_value(b, output);
		}
		json_builder_end_object(b);
		node = json_builder_get_root(b);
		cav_ctl_print_json(node);
	} else if (output != NULL) {
		printf("Wrote %s (%s, key id %s)\n", output, alg != NULL ? alg : "?",
		       key_id != NULL ? key_id : "?");
	} else {
		/* Bare PEM, so `courtavctl export public-key > key.pub` works. */
		fwrite(text, 1, strlen(text), stdout);
	}
	return CAV_CTL_EXIT_OK;
}
