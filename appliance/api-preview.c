/* api-preview.c — GET /preview/{name}: a JPEG of a camera or of the
 * program, at most CAV_PREVIEW_MAX_AGE_US old (preview.h). The first
 * request of a channel starts its pipeline and waits up to 3 s for a frame.
 * Main thread only.
 */
#include "api-private.h"
#include "pipelines/source.h"

#define WAIT_STEP_MS 100
#define WAIT_MAX_STEPS 30

typedef struct {
	CavApi *api;
	SoupServerMessage *msg; /* owned ref */
	char *channel;          /* owned */
	guint steps;
} Wait;

/* Answers with the frame if there is a fresh one; FALSE to keep waiting. */
static gboolean
try_respond(CavApi *api, SoupServerMessage *msg, const char *channel, gboolean last)
{
	g_autoptr(GError) error = NULL;
	gint64 at = 0;
	g_autoptr(GBytes) jpeg = cav_preview_get(api->preview, channel, &at, &error);
	gint64 age = g_get_monotonic_time() - at;
	SoupMessageHeaders *h;
	g_autofree char *age_ms = NULL;

	if (jpeg == NULL && error != NULL) {
		g_autofree char *en =
			g_strdup_printf("The preview of %s failed: %s", channel, error->message);

		cav_api_respond_status(msg, 503, "preview-failed", en, "预览画面暂不可用。");
		return TRUE;
	}
	if (jpeg == NULL || age > CAV_PREVIEW_MAX_AGE_US) {
		if (!last)
			return FALSE;
		cav_api_respond_status(msg, 503, "preview-not-ready",
				       "No preview picture yet; try again.", "预览画面尚未就绪。");
		return TRUE;
	}
	h = soup_server_message_get_response_headers(msg);
	age_ms = g_strdup_printf("%" G_GINT64_FORMAT, age / 1000);
	soup_message_headers_replace(h, "Cache-Control", "no-store");
	soup_message_headers_replace(h, "X-Cav-Frame-Age-Ms", age_ms);
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, "image/jpeg", SOUP_MEMORY_COPY,
					 g_bytes_get_data(jpeg, NULL), g_bytes_get_size(jpeg));
	return TRUE;
}

static gboolean
on_wait(gpointer data)
{
	Wait *w = data;

	if (!try_respond(w->api, w->msg, w->channel, ++w->steps >= WAIT_MAX_STEPS))
		return G_SOURCE_CONTINUE;
	soup_server_message_unpause(w->msg);
	g_object_unref(w->msg);
	g_free(w->channel);
	g_free(w);
	return G_SOURCE_REMOVE;
}

static gboolean
is_camera(CavApi *api, const char *name)
{
	const CavConfig *c = cav_room_config(api->room);

	for (guint i = 0; i < c->sources->len; i++) {
		const CavSourceSpec *s = c->sources->pdata[i];

		if (s->kind == CAV_MEDIA_VIDEO && g_str_equal(s->id, name))
			return TRUE;
	}
	return FALSE;
}

static void
get_preview(CavApiRequest *req)
{
	g_autofree char *channel = NULL;
	Wait *w;

	if (!g_str_equal(req->name, "program") && !is_camera(req->api, req->name)) {
		cav_api_respond_not_found(req->msg);
		return;
	}
	channel = g_strdup_printf("cav.%s", req->name);
	if (try_respond(req->api, req->msg, channel, FALSE))
		return;
	w = g_new0(Wait, 1);
	w->api = req->api;
	w->msg = g_object_ref(req->msg);
	w->channel = g_steal_pointer(&channel);
	soup_server_message_pause(req->msg);
	g_timeout_add(WAIT_STEP_MS, on_wait, w);
}

void
cav_api_preview_register(CavApi *api)
{
	cav_api_route(api, "GET", "/preview/{name}", CAV_ROLES_ANY, get_preview);
}
