/* http-reaper.c — closes a SoupServer's idle connections whose client has
 * hung up (http-reaper.h).
 *
 * The reaper remembers the socket of every connection that starts a
 * request ("request-started"), counts its messages in flight, and notes
 * when one switches protocols (a WebSocket, which libsoup then no longer
 * serves as HTTP). Every second it closes the connections that are idle
 * (no message in flight, not a WebSocket) and whose peer has closed (a
 * peek reads end-of-file or fails). A closed GSocket refuses any later
 * use, so a descriptor number the kernel hands out again is never touched
 * through it; libsoup's small per-connection objects stay lost, as they
 * would anyway.
 *
 * Rejected: waiting for SoupServer's own close (never comes in 3.2);
 * closing every idle connection after a timeout (cuts the keep-alive
 * connections of live clients, such as an appliance's heartbeats); a
 * watch per socket (one more GSource per connection for what a sweep over
 * a small table does once a second).
 *
 * The state is reference-counted: each message in flight holds a
 * reference through its "finished" handler, so a message that finishes
 * after cav_http_reaper_free() finds a stopped reaper, not freed memory.
 * Main context only (http-reaper.h).
 */
#include "http-reaper.h"

#include <errno.h>
#include <sys/socket.h>

#define REAP_INTERVAL_S 1

struct CavHttpReaper {
	grefcount ref;
	SoupServer *server; /* a ref; NULL once stopped */
	gulong started_id;  /* its "request-started" handler */
	GSource *timer;     /* the sweep (owned); NULL once stopped */
	GHashTable *conns;  /* GSocket * (unowned key) -> Conn (owned; holds the socket's ref) */
	guint64 reaped;
};

typedef struct {
	GSocket *socket; /* a ref */
	guint busy;      /* messages started and not finished */
	gboolean websocket;
} Conn;

/* One message in flight: the data of its "finished" handler. */
typedef struct {
	CavHttpReaper *reaper; /* a ref */
	GSocket *socket;       /* a ref, so its address is not reused as another key meanwhile */
	gboolean done;         /* its Conn's busy count was decremented */
} MsgWatch;

static void
conn_free(Conn *c)
{
	g_object_unref(c->socket);
	g_free(c);
}

static CavHttpReaper *
reaper_ref(CavHttpReaper *r)
{
	g_ref_count_inc(&r->ref);
	return r;
}

static void
reaper_unref(CavHttpReaper *r)
{
	if (!g_ref_count_dec(&r->ref))
		return;
	g_hash_table_unref(r->conns);
	g_free(r);
}

static gboolean
peer_closed(GSocket *socket)
{
	char b;
	ssize_t n;

	if (g_socket_condition_check(socket, G_IO_IN | G_IO_HUP | G_IO_ERR) == 0)
		return FALSE;
	n = recv(g_socket_get_fd(socket), &b, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

guint
cav_http_reaper_sweep(CavHttpReaper *reaper)
{
	GHashTableIter it;
	gpointer value;
	guint closed = 0;

	g_return_val_if_fail(reaper != NULL, 0);
	g_hash_table_iter_init(&it, reaper->conns);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		Conn *c = value;

		/* Ours the last ref, or closed: libsoup is done with it. */
		if (g_socket_is_closed(c->socket) || G_OBJECT(c->socket)->ref_count == 1) {
			g_hash_table_iter_remove(&it);
		} else if (c->busy == 0 && !c->websocket && peer_closed(c->socket)) {
			g_socket_close(c->socket, NULL);
			closed++;
			g_hash_table_iter_remove(&it);
		}
	}
	reaper->reaped += closed;
	return closed;
}

static gboolean
on_timer(gpointer data)
{
	cav_http_reaper_sweep(data);
	return G_SOURCE_CONTINUE;
}

/* The message is over: its connection may become idle. */
static void
msg_watch_end(MsgWatch *w, SoupServerMessage *msg)
{
	Conn *c;

	if (w->done)
		return;
	w->done = TRUE;
	c = g_hash_table_lookup(w->reaper->conns, w->socket);
	if (c == NULL)
		return;
	if (c->busy > 0)
		c->busy--;
	if (msg != NULL && soup_server_message_get_status(msg) == SOUP_STATUS_SWITCHING_PROTOCOLS)
		c->websocket = TRUE;
}

static void
on_finished(SoupServerMessage *msg, gpointer user_data)
{
	msg_watch_end(user_data, msg);
}

/* The handler's data is dropped with the message: a message that never
 * emitted "finished" (torn down with its connection) is over too. */
static void
msg_watch_free(gpointer data, GClosure *closure)
{
	MsgWatch *w = data;

	msg_watch_end(w, NULL);
	g_object_unref(w->socket);
	reaper_unref(w->reaper);
	g_free(w);
}

static void
on_request_started(SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
	CavHttpReaper *reaper = user_data;
	GSocket *socket = soup_server_message_get_socket(msg);
	MsgWatch *w;
	Conn *c;

	if (socket == NULL)
		return;
	c = g_hash_table_lookup(reaper->conns, socket);
	if (c == NULL) {
		c = g_new0(Conn, 1);
		c->socket = g_object_ref(socket);
		g_hash_table_insert(reaper->conns, socket, c);
	}
	c->busy++;
	w = g_new0(MsgWatch, 1);
	w->reaper = reaper_ref(reaper);
	w->socket = g_object_ref(socket);
	g_signal_connect_data(msg, "finished", G_CALLBACK(on_finished), w, msg_watch_free, 0);
}

CavHttpReaper *
cav_http_reaper_new(SoupServer *server)
{
	CavHttpReaper *reaper;

	g_return_val_if_fail(SOUP_IS_SERVER(server), NULL);
	reaper = g_new0(CavHttpReaper, 1);
	g_ref_count_init(&reaper->ref);
	reaper->server = g_object_ref(server);
	reaper->conns = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
					      (GDestroyNotify)conn_free);
	reaper->started_id =
		g_signal_connect(server, "request-started", G_CALLBACK(on_request_started), reaper);
	reaper->timer = g_timeout_source_new_seconds(REAP_INTERVAL_S);
	g_source_set_callback(reaper->timer, on_timer, reaper, NULL);
	g_source_set_static_name(reaper->timer, "cav-http-reaper");
	g_source_attach(reaper->timer, g_main_context_get_thread_default());
	return reaper;
}

void
cav_http_reaper_free(CavHttpReaper *reaper)
{
	if (reaper == NULL)
		return;
	g_source_destroy(reaper->timer);
	g_clear_pointer(&reaper->timer, g_source_unref);
	g_signal_handler_disconnect(reaper->server, reaper->started_id);
	g_clear_object(&reaper->server);
	/* Messages still in flight keep the (now empty) table alive. */
	g_hash_table_remove_all(reaper->conns);
	reaper_unref(reaper);
}

guint
cav_http_reaper_n_connections(const CavHttpReaper *reaper)
{
	g_return_val_if_fail(reaper != NULL, 0);
	return g_hash_table_size(reaper->conns);
}

guint64
cav_http_reaper_n_reaped(const CavHttpReaper *reaper)
{
	g_return_val_if_fail(reaper != NULL, 0);
	return reaper->reaped;
}
