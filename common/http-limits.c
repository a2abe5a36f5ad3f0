/* http-limits.c — request body limits and timeouts (http-limits.h).
 *
 * The state of a request lives on its SoupServerMessage as object data:
 * "cav-too-large" once its body is refused, "cav-body-timer" while its
 * body is awaited (freeing the data removes the timer, so the timer dies
 * with the message). Main context only.
 */
#include "http-limits.h"
#include "http-json.h"

typedef struct {
	guint source;
	SoupServerMessage *msg;      /* unowned: the timer dies with the message's data */
	const CavHttpLimits *limits; /* unowned (static) */
} BodyTimer;

static void
body_timer_free(BodyTimer *t)
{
	if (t->source != 0)
		g_source_remove(t->source);
	g_free(t);
}

static gboolean
on_body_timeout(gpointer data)
{
	BodyTimer *t = data;
	GSocket *sock = soup_server_message_get_socket(t->msg);

	t->source = 0;
	g_log(t->limits->log_domain, G_LOG_LEVEL_MESSAGE,
	      "%s: request body not received within %u s; closing the connection",
	      t->limits->log_prefix, t->limits->timeout_s);
	if (sock != NULL)
		g_socket_shutdown(sock, TRUE, TRUE, NULL);
	return G_SOURCE_REMOVE;
}

static void
stop_body_timer(SoupServerMessage *msg)
{
	g_object_set_data(G_OBJECT(msg), "cav-body-timer", NULL);
}

static void
answer_too_large(SoupServerMessage *msg, const CavHttpLimits *limits)
{
	g_autofree char *en =
		g_strdup_printf("Request body too large (at most %" G_GSIZE_FORMAT " KiB).",
				limits->max_body / 1024);

	cav_http_respond_error(msg, 413, "too-large", en, "请求内容过大。", limits->pretty);
}

static void
mark_too_large(SoupServerMessage *msg, const CavHttpLimits *limits)
{
	soup_message_body_set_accumulate(soup_server_message_get_request_body(msg), FALSE);
	soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Connection",
				     "close");
	g_object_set_data(G_OBJECT(msg), "cav-too-large", GINT_TO_POINTER(1));
	if (limits->refused != NULL)
		limits->refused();
}

static void
on_got_headers(SoupServerMessage *msg, gpointer user_data)
{
	const CavHttpLimits *limits = user_data;
	SoupMessageHeaders *h = soup_server_message_get_request_headers(msg);
	SoupEncoding enc = soup_message_headers_get_encoding(h);
	BodyTimer *t;

	if (enc == SOUP_ENCODING_CONTENT_LENGTH &&
	    soup_message_headers_get_content_length(h) > (goffset)limits->max_body) {
		mark_too_large(msg, limits);
		/* Answer now; the body is read and dropped. */
		answer_too_large(msg, limits);
	}
	if (enc == SOUP_ENCODING_NONE || (enc == SOUP_ENCODING_CONTENT_LENGTH &&
					  soup_message_headers_get_content_length(h) == 0))
		return;
	t = g_new0(BodyTimer, 1);
	t->msg = msg;
	t->limits = limits;
	t->source = g_timeout_add_seconds(limits->timeout_s, on_body_timeout, t);
	g_object_set_data_full(G_OBJECT(msg), "cav-body-timer", t, (GDestroyNotify)body_timer_free);
}

static void
on_got_chunk(SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
	const CavHttpLimits *limits = user_data;

	if (soup_server_message_get_request_body(msg)->length > (goffset)limits->max_body &&
	    !g_object_get_data(G_OBJECT(msg), "cav-too-large"))
		mark_too_large(msg, limits);
}

static void
on_request_started(SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
	g_signal_connect(msg, "got-headers", G_CALLBACK(on_got_headers), user_data);
	g_signal_connect(msg, "got-chunk", G_CALLBACK(on_got_chunk), user_data);
	g_signal_connect(msg, "got-body", G_CALLBACK(stop_body_timer), NULL);
	g_signal_connect(msg, "finished", G_CALLBACK(stop_body_timer), NULL);
}

void
cav_http_limits_attach(SoupServer *server, const CavHttpLimits *limits)
{
	g_signal_connect(server, "request-started", G_CALLBACK(on_request_started),
			 (gpointer)limits);
}

gboolean
cav_http_limits_refused(SoupServerMessage *msg, const CavHttpLimits *limits)
{
	if (!GPOINTER_TO_INT(g_object_get_data(G_OBJECT(msg), "cav-too-large")))
		return FALSE;
	answer_too_large(msg, limits);
	return TRUE;
}
