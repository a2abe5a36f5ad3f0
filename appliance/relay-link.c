/* relay-link.c — enrollment, heartbeats and the live stream (relay-link.h).
 *
 * One tick every heartbeat period (and at once on a hearing state change):
 *   not known to the relay yet → GET /appliance/self; 401 → POST /appliance/enroll
 *   known → POST /appliance/heartbeat; then make the stream match the room:
 *     recording and no stream → POST /appliance/streams → start the streamer
 *     not recording and a stream → stop it, DELETE /appliance/streams/{id}
 *   the relay's instance id changed (it restarted) → the stream is redone.
 * At most one request is in flight; a request that fails marks the relay
 * offline and the next tick tries again. Main thread only.
 */
#include "relay-link.h"
#include "errors.h"
#include "store.h"
#include "common/reqsign.h"
#include "common/srtp.h"
#include "pipelines/streamer.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <openssl/crypto.h>
#include <string.h>

#define REQUEST_TIMEOUT_S 4

typedef enum { PHASE_UNKNOWN, PHASE_ENROLLED } Phase;

struct CavRelayLink {
	CavRoom *room;           /* unowned */
	const CavSigner *signer; /* unowned */
	const CavConfig *config; /* unowned */
	SoupSession *session;    /* owned */
	guint timer;
	guint hub_sub;
	Phase phase;
	gboolean busy; /* a request is in flight */
	gboolean online;
	gboolean warned_token; /* "no enrollment token" logged once */
	char *instance;        /* the relay's instance id of the current stream (owned) */
	char *relay_instance;  /* as the last heartbeat said (owned) */
	gint64 publish_id;     /* 0: no stream */
	CavStreamer *streamer; /* owned */
	GCancellable *cancel;  /* owned */
};

typedef void (*Reply)(CavRelayLink *link, guint status, JsonObject *body);

typedef struct {
	CavRelayLink *link;
	Reply reply;
	SoupMessage *msg; /* owned */
	gboolean exclusive;
} Call;

/* ---- requests ------------------------------------------------------------ */

static void
on_response(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Call *call = user_data;
	CavRelayLink *link = call->link;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) bytes =
		soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *body = NULL;
	guint status = 0;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
		g_object_unref(call->msg);
		g_free(call);
		return;
	}
	if (call->exclusive)
		link->busy = FALSE;
	if (bytes != NULL) {
		gsize n = 0;
		const char *data = g_bytes_get_data(bytes, &n);

		status = soup_message_get_status(call->msg);
		if (n > 0 && json_parser_load_from_data(parser, data, (gssize)n, NULL) &&
		    JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
			body = json_node_get_object(json_parser_get_root(parser));
	} else if (link->online) {
		g_message("relay %s unreachable: %s", link->config->relay_url, error->message);
	}
	if (status == 0 || status >= 500)
		link->online = FALSE;
	call->reply(link, status, body);
	g_object_unref(call->msg);
	g_free(call);
}

/* Sends a device-signed request; @body_json may be NULL. An @exclusive
 * request occupies the link (busy) until it is answered. */
static void
request_full(CavRelayLink *link, const char *method, const char *path, const char *body_json,
	     Reply reply, gboolean exclusive)
{
	g_autofree char *url = g_strconcat(link->config->relay_url, path, NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(CavReqSig) sig = NULL;
	gsize len = body_json != NULL ? strlen(body_json) : 0;
	SoupMessageHeaders *h;
	Call *call;

	sig = cav_reqsign_make(link->signer, method, path, (const guint8 *)body_json, len,
			       g_get_real_time(), &error);
	if (sig == NULL) {
		g_warning("signing a request to the relay: %s", error->message);
		return;
	}
	call = g_new0(Call, 1);
	call->link = link;
	call->reply = reply;
	call->msg = soup_message_new(method, url);
	/* One connection for all heartbeats: libsoup opens a new connection
	 * for every POST unless told it may be resent, and libsoup 3.2's
	 * server keeps ~1.8 KiB for every connection a client drops. A POST
	 * resent after a broken connection is refused as a replay by the
	 * relay (same nonce), and the next tick sends a fresh one. */
	soup_message_add_flags(call->msg, SOUP_MESSAGE_IDEMPOTENT);
	h = soup_message_get_request_headers(call->msg);
	soup_message_headers_replace(h, CAV_REQSIGN_HEADER_KEY, sig->key_id);
	soup_message_headers_replace(h, CAV_REQSIGN_HEADER_TIME, sig->time);
	soup_message_headers_replace(h, CAV_REQSIGN_HEADER_NONCE, sig->nonce);
	soup_message_headers_replace(h, CAV_REQSIGN_HEADER_SIGNATURE, sig->signature);
	if (body_json != NULL) {
		g_autoptr(GBytes) b = g_bytes_new(body_json, len);

		soup_message_set_request_body_from_bytes(call->msg, "application/json", b);
	}
	call->exclusive = exclusive;
	link->busy |= exclusive;
	soup_session_send_and_read_async(link->session, call->msg, G_PRIORITY_DEFAULT, link->cancel,
					 on_response, call);
}

static void
request(CavRelayLink *link, const char *method, const char *path, const char *body_json,
	Reply reply)
{
	request_full(link, method, path, body_json, reply, TRUE);
}

static const char *
str_member(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
		       ? json_node_get_string(n)
		       : NULL;
}

static gint64
int_member(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64
		       ? json_node_get_int(n)
		       : 0;
}

static char *
to_json(JsonBuilder *b)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	json_generator_set_root(gen, root);
	return json_generator_to_data(gen, NULL);
}

/* ---- the stream -------------------------------------------------------------- */

static void
on_stream_deleted(CavRelayLink *link, guint status, JsonObject *body)
{
}

static void
stop_stream(CavRelayLink *link, gboolean tell_relay)
{
	g_autofree char *path = NULL;

	if (link->streamer == NULL && link->publish_id == 0)
		return;
	g_clear_pointer(&link->streamer, cav_streamer_free);
	if (tell_relay && link->publish_id != 0) {
		path = g_strdup_printf("/api/v1/appliance/streams/%" G_GINT64_FORMAT,
				       link->publish_id);
		request_full(link, "DELETE", path, NULL, on_stream_deleted, FALSE);
	}
	g_message("live stream stopped");
	link->publish_id = 0;
	g_clear_pointer(&link->instance, g_free);
}

static void
on_stream(CavRelayLink *link, guint status, JsonObject *o)
{
	const CavConfig *c = link->config;
	g_autoptr(GError) error = NULL;
	CavStreamerConfig sc = {0};
	CavSrtpSuite suite;
	guint8 key[32];
	const char *host = str_member(o, "media_host");

	if (status != 201 || o == NULL || host == NULL ||
	    !cav_srtp_suite_parse(str_member(o, "suite"), &suite) ||
	    !cav_srtp_key_decode(suite, str_member(o, "key"), key)) {
		if (status != 0)
			g_warning("relay refused the live stream (HTTP %u)", status);
		return;
	}
	sc.host = host;
	sc.port = (guint)int_member(o, "media_port");
	sc.suite = suite;
	sc.key = key;
	sc.ssrc_video = (guint32)int_member(o, "ssrc_video");
	sc.ssrc_audio = (guint32)int_member(o, "ssrc_audio");
	sc.width = c->relay_width;
	sc.height = c->relay_height;
	sc.fps = c->relay_fps;
	sc.video_kbps = c->relay_video_kbps;
	sc.audio_kbps = c->relay_audio_kbps;
	link->streamer = cav_streamer_new(&sc, &error);
	OPENSSL_cleanse(key, sizeof key);
	if (link->streamer == NULL) {
		g_warning("live stream: %s", error->message);
		return;
	}
	link->publish_id = int_member(o, "publish_id");
	link->instance = g_strdup(link->relay_instance);
	g_message("live stream %" G_GINT64_FORMAT " to %s:%u (%s, %ux%u@%u, %u+%u kbit/s)",
		  link->publish_id, sc.host, sc.port, cav_srtp_suite_name(suite), sc.width,
		  sc.height, sc.fps, sc.video_kbps, sc.audio_kbps);
}

static void
start_stream(CavRelayLink *link)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *body = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "room");
	json_builder_add_string_value(b, link->config->room_id);
	json_builder_set_member_name(b, "suite");
	json_builder_add_string_value(b, link->config->relay_suite);
	json_builder_end_object(b);
	body = to_json(b);
	request(link, "POST", "/api/v1/appliance/streams", body, on_stream);
}

/* Makes the stream match the room (after a heartbeat was answered). */
static void
reconcile(CavRelayLink *link)
{
	gboolean want = cav_room_is_recording(link->room);

	if (link->publish_id != 0 && g_strcmp0(link->instance, link->relay_instance) != 0) {
		g_message("the relay restarted: renewing the live stream");
		stop_stream(link, FALSE);
	}
	if (want && link->publish_id == 0 && !link->busy)
		start_stream(link);
	else if (!want && link->publish_id != 0)
		stop_stream(link, TRUE);
}

/* ---- heartbeat ------------------------------------------------------------------ */

static void
add_hearing(CavRelayLink *link, JsonBuilder *b, const char **state)
{
	CavStore *store = cav_room_store(link->room);
	g_autoptr(CavHearingRow) h =
		cav_store_hearing_open_in_room(store, link->config->room_id, NULL);
	g_autoptr(CavCaseRow) c = h != NULL ? cav_store_case_get(store, h->case_id, NULL) : NULL;

	*state = h != NULL ? cav_hearing_state_name(h->state) : "idle";
	json_builder_set_member_name(b, "hearing");
	if (h == NULL || c == NULL) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, h->id);
	json_builder_set_member_name(b, "case_number");
	json_builder_add_string_value(b, c->number);
	json_builder_set_member_name(b, "case_title");
	json_builder_add_string_value(b, c->title);
	json_builder_set_member_name(b, "cause");
	json_builder_add_string_value(b, c->cause);
	json_builder_set_member_name(b, "public");
	json_builder_add_boolean_value(b, c->is_public);
	json_builder_set_member_name(b, "started_us");
	json_builder_add_int_value(b, h->opened_us);
	json_builder_end_object(b);
}

static void
add_stream_stats(CavStreamer *streamer, JsonBuilder *b)
{
	CavStreamerStats st;
	const struct {
		const char *name;
		guint64 value;
	} * f, fields[] = {
		       {"packets", 0},   {"bytes", 0},   {"retransmits", 0}, {"nacks", 0},
		       {"keyframes", 0}, {"rtcp_in", 0}, {"rtcp_bad", 0},    {"send_errors", 0},
	       };
	guint64 values[G_N_ELEMENTS(fields)];

	cav_streamer_get_stats(streamer, &st);
	values[0] = st.packets;
	values[1] = st.bytes;
	values[2] = st.retransmits;
	values[3] = st.nacks;
	values[4] = st.keyframes;
	values[5] = st.rtcp_in;
	values[6] = st.rtcp_bad;
	values[7] = st.send_errors;
	json_builder_set_member_name(b, "stream");
	json_builder_begin_object(b);
	for (guint i = 0; i < G_N_ELEMENTS(fields); i++) {
		f = &fields[i];
		json_builder_set_member_name(b, f->name);
		json_builder_add_int_value(b, (gint64)values[i]);
	}
	json_builder_end_object(b);
}

static char *
heartbeat_body(CavRelayLink *link)
{
	const CavConfig *c = link->config;
	g_autoptr(JsonBuilder) b = json_builder_new();
	CavDiskGuard *disk = cav_room_disk(link->room);
	GPtrArray *alarms = cav_room_alarms(link->room);
	const char *state = "idle";

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "room");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, c->room_id);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, c->room_name);
	json_builder_set_member_name(b, "court");
	json_builder_add_string_value(b, c->court);
	json_builder_end_object(b);
	add_hearing(link, b, &state);
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, cav_room_is_recording(link->room) ? "recording" : state);
	json_builder_set_member_name(b, "disk");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "free_bytes");
	json_builder_add_int_value(b, cav_disk_guard_free_bytes(disk));
	json_builder_set_member_name(b, "hours_left");
	json_builder_add_double_value(b, cav_disk_guard_hours_left(disk));
	json_builder_end_object(b);
	json_builder_set_member_name(b, "alarms");
	json_builder_begin_array(b);
	for (guint i = 0; i < alarms->len; i++) {
		CavAlarm *a = alarms->pdata[i];

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "code");
		json_builder_add_string_value(b, a->code);
		json_builder_set_member_name(b, "message");
		json_builder_add_string_value(b, a->message);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "streaming");
	json_builder_add_boolean_value(b, link->streamer != NULL);
	if (link->streamer != NULL)
		add_stream_stats(link->streamer, b);
	json_builder_end_object(b);
	return to_json(b);
}

static void tick_now(CavRelayLink *link);

static void
on_heartbeat(CavRelayLink *link, guint status, JsonObject *o)
{
	if (status == 401) {
		/* Disabled, or the relay lost its registry: enroll again. */
		g_message("relay refused the heartbeat (401): checking the enrollment");
		link->phase = PHASE_UNKNOWN;
		link->online = FALSE;
		stop_stream(link, FALSE);
		return;
	}
	if (status != 200)
		return;
	if (!link->online)
		g_message("relay %s reachable", link->config->relay_url);
	link->online = TRUE;
	g_free(link->relay_instance);
	link->relay_instance = g_strdup(str_member(o, "relay_instance"));
	reconcile(link);
}

static void
on_enrolled(CavRelayLink *link, guint status, JsonObject *o)
{
	if (status == 200 || status == 201) {
		g_message("enrolled at relay %s as %s", link->config->relay_url,
			  str_member(o, "appliance_id"));
		link->phase = PHASE_ENROLLED;
		tick_now(link);
		return;
	}
	if (status != 0) {
		JsonNode *err = o != NULL ? json_object_get_member(o, "error") : NULL;
		JsonObject *e = err != NULL && JSON_NODE_HOLDS_OBJECT(err)
					? json_node_get_object(err)
					: NULL;

		g_warning("relay refused the enrollment (HTTP %u %s): %s", status,
			  e ? str_member(e, "code") : "", e ? str_member(e, "message") : "");
	}
}

static void
enroll(CavRelayLink *link)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *body = NULL;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "token");
	json_builder_add_string_value(b, link->config->relay_token);
	json_builder_set_member_name(b, "public_key");
	json_builder_add_string_value(b, cav_signer_public_pem(link->signer));
	json_builder_set_member_name(b, "sig_alg");
	json_builder_add_string_value(b, cav_signer_alg(link->signer));
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, link->config->room_name);
	json_builder_set_member_name(b, "court");
	json_builder_add_string_value(b, link->config->court);
	json_builder_end_object(b);
	body = to_json(b);
	request(link, "POST", "/api/v1/appliance/enroll", body, on_enrolled);
}

static void
on_self(CavRelayLink *link, guint status, JsonObject *o)
{
	if (status == 200) {
		link->phase = PHASE_ENROLLED;
		tick_now(link);
	} else if (status == 401 && link->config->relay_token != NULL) {
		enroll(link);
	} else if (status == 401 && !link->warned_token) {
		link->warned_token = TRUE;
		g_warning("this appliance is not enrolled at relay %s and [relay] "
			  "enrollment_token is not set: no live stream",
			  link->config->relay_url);
	}
}

static void
tick_now(CavRelayLink *link)
{
	g_autofree char *body = NULL;

	if (link->busy)
		return;
	if (link->phase == PHASE_UNKNOWN) {
		request(link, "GET", "/api/v1/appliance/self", NULL, on_self);
		return;
	}
	body = heartbeat_body(link);
	request(link, "POST", "/api/v1/appliance/heartbeat", body, on_heartbeat);
}

static gboolean
on_timer(gpointer data)
{
	tick_now(data);
	return G_SOURCE_CONTINUE;
}

static gboolean
on_idle_tick(gpointer data)
{
	tick_now(data);
	return G_SOURCE_REMOVE;
}

static void
on_room_event(const char *type, JsonNode *data, gpointer user_data)
{
	CavRelayLink *link = user_data;

	/* Start or stop the stream with the hearing, without waiting for the
	 * next heartbeat (after the room has applied the change). */
	if (g_str_equal(type, "state"))
		g_idle_add(on_idle_tick, link);
}

/* ---- life ------------------------------------------------------------------------ */

CavRelayLink *
cav_relay_link_new(CavRoom *room, const CavSigner *signer, GError **error)
{
	const CavConfig *c = cav_room_config(room);
	g_autoptr(CavRelayLink) link = NULL;

	if (c->relay_url == NULL)
		return NULL;
	link = g_new0(CavRelayLink, 1);
	link->room = room;
	link->signer = signer;
	link->config = c;
	link->cancel = g_cancellable_new();
	link->session = soup_session_new_with_options("timeout", REQUEST_TIMEOUT_S, "user-agent",
						      "courtavd/" CAV_VERSION, NULL);
	if (c->relay_ca_file != NULL) {
		g_autoptr(GTlsDatabase) db = g_tls_file_database_new(c->relay_ca_file, error);

		if (db == NULL) {
			g_prefix_error(error, "[relay] ca_file %s: ", c->relay_ca_file);
			return NULL;
		}
		soup_session_set_tls_database(link->session, db);
	}
	link->hub_sub = cav_event_hub_subscribe(cav_room_events(room), on_room_event, link);
	link->timer = g_timeout_add_seconds(c->relay_heartbeat_s, on_timer, link);
	g_idle_add(on_idle_tick, link);
	g_message("relay link to %s (heartbeat every %u s)", c->relay_url, c->relay_heartbeat_s);
	return g_steal_pointer(&link);
}

void
cav_relay_link_free(CavRelayLink *link)
{
	if (link == NULL)
		return;
	while (g_idle_remove_by_data(link))
		;
	if (link->timer != 0)
		g_source_remove(link->timer);
	if (link->hub_sub != 0)
		cav_event_hub_unsubscribe(cav_room_events(link->room), link->hub_sub);
	g_cancellable_cancel(link->cancel);
	g_clear_pointer(&link->streamer, cav_streamer_free);
	g_clear_object(&link->session);
	g_clear_object(&link->cancel);
	g_free(link->instance);
	g_free(link->relay_instance);
	g_free(link);
}

gboolean
cav_relay_link_online(CavRelayLink *link)
{
	return link != NULL && link->online;
}

gboolean
cav_relay_link_streaming(CavRelayLink *link)
{
	return link != NULL && link->streamer != NULL;
}
