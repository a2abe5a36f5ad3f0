/* test-http-reaper.c — the connection reaper against a real SoupServer on
 * loopback, driven by plain sockets in the same thread: a connection its
 * client dropped while idle is closed and its descriptor comes back; one
 * left open, or one whose request is still being answered, is not; a
 * reaper freed while a message is in flight is not touched by it later
 * (AddressSanitizer would see it). Sweeps are run by hand
 * (cav_http_reaper_sweep), so nothing waits for the 1 s timer.
 */
#include "common/http-reaper.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
	SoupServer *server;
	CavHttpReaper *reaper;
	guint16 port;
	SoupServerMessage *paused; /* a ref, while /pause is held */
} Fixture;

static void
answer(SoupServerMessage *msg)
{
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
}

static void
handler(SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
	gpointer user_data)
{
	Fixture *f = user_data;

	if (g_str_equal(path, "/pause")) {
		g_assert_null(f->paused);
		f->paused = g_object_ref(msg);
		soup_server_message_pause(msg);
		return;
	}
	answer(msg);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	GSList *uris;

	f->server = soup_server_new(NULL, NULL);
	f->reaper = cav_http_reaper_new(f->server);
	soup_server_add_handler(f->server, NULL, handler, f, NULL);
	g_assert_true(soup_server_listen_local(f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
	g_assert_no_error(error);
	uris = soup_server_get_uris(f->server);
	g_assert_nonnull(uris);
	f->port = (guint16)g_uri_get_port(uris->data);
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	g_clear_object(&f->paused);
	cav_http_reaper_free(f->reaper);
	soup_server_disconnect(f->server);
	g_object_unref(f->server);
	while (g_main_context_iteration(NULL, FALSE))
		;
}

static guint
n_fds(void)
{
	g_autoptr(GDir) d = g_dir_open("/proc/self/fd", 0, NULL);
	guint n = 0;

	g_assert_nonnull(d);
	while (g_dir_read_name(d) != NULL)
		n++;
	return n;
}

/* Runs the main context for @ms (the server accepts, reads, answers). */
static void
spin(guint ms)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;

	while (g_get_monotonic_time() < end) {
		while (g_main_context_iteration(NULL, FALSE))
			;
		g_usleep(1000);
	}
}

static int
client_connect(Fixture *f)
{
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons(f->port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(connect(fd, (struct sockaddr *)&a, sizeof a), ==, 0);
	return fd;
}

static void
client_send(int fd, const char *path)
{
	g_autofree char *req = g_strdup_printf("GET %s HTTP/1.1\r\nHost: t\r\n\r\n", path);

	g_assert_cmpint(send(fd, req, strlen(req), MSG_NOSIGNAL), ==, (gssize)strlen(req));
}

/* Waits (running the server) for the whole "200 ... ok" response. */
static void
client_read_answer(int fd)
{
	GString *got = g_string_new(NULL);
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	while (!g_str_has_suffix(got->str, "\r\n\r\nok")) {
		char buf[1024];
		gssize n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);

		if (n > 0)
			g_string_append_len(got, buf, n);
		else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			g_error("the connection closed before the answer: %s", got->str);
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		spin(1);
	}
	g_assert_true(g_str_has_prefix(got->str, "HTTP/1.1 200"));
	g_string_free(got, TRUE);
}

/* Sweeps until @n connections have been reaped in all (10 s at most). */
static void
sweep_until_reaped(Fixture *f, guint64 n)
{
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	while (cav_http_reaper_n_reaped(f->reaper) < n) {
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		spin(5);
		cav_http_reaper_sweep(f->reaper);
	}
	g_assert_cmpuint(cav_http_reaper_n_reaped(f->reaper), ==, n);
}

static void
test_dropped_is_reaped(Fixture *f, gconstpointer data)
{
	guint before = n_fds();

	for (guint i = 0; i < 20; i++) {
		int fd = client_connect(f);

		client_send(fd, "/");
		client_read_answer(fd);
		close(fd);
	}
	g_assert_cmpuint(cav_http_reaper_n_connections(f->reaper), ==, 20);
	/* libsoup 3.2 keeps them; without the reaper this would fail. */
	sweep_until_reaped(f, 20);
	g_assert_cmpuint(cav_http_reaper_n_connections(f->reaper), ==, 0);
	spin(20);
	g_assert_cmpuint(n_fds(), <=, before);
}

static void
test_open_idle_is_kept(Fixture *f, gconstpointer data)
{
	int fd = client_connect(f);

	client_send(fd, "/");
	client_read_answer(fd);
	spin(50);
	g_assert_cmpuint(cav_http_reaper_sweep(f->reaper), ==, 0);
	g_assert_cmpuint(cav_http_reaper_n_connections(f->reaper), ==, 1);
	/* Still served, on the same connection. */
	client_send(fd, "/");
	client_read_answer(fd);
	g_assert_cmpuint(cav_http_reaper_n_connections(f->reaper), ==, 1);
	close(fd);
	sweep_until_reaped(f, 1);
}

/* A message still being answered keeps its connection, even if the client
 * has gone: the handler owns it until it finishes. */
static void
test_busy_is_kept(Fixture *f, gconstpointer data)
{
	int fd = client_connect(f);
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	client_send(fd, "/pause");
	while (f->paused == NULL) {
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		spin(1);
	}
	close(fd);
	spin(50);
	g_assert_cmpuint(cav_http_reaper_sweep(f->reaper), ==, 0);
	g_assert_cmpuint(cav_http_reaper_n_reaped(f->reaper), ==, 0);
	/* Answered: libsoup or the reaper closes it, either way it goes. */
	answer(f->paused);
	soup_server_message_unpause(f->paused);
	g_clear_object(&f->paused);
	while (cav_http_reaper_n_connections(f->reaper) > 0) {
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		spin(5);
		cav_http_reaper_sweep(f->reaper);
	}
}

/* Freed with a message in flight: the message's end must not reach it. */
static void
test_free_in_flight(Fixture *f, gconstpointer data)
{
	int fd = client_connect(f);
	gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

	client_send(fd, "/pause");
	while (f->paused == NULL) {
		g_assert_cmpint(g_get_monotonic_time(), <, deadline);
		spin(1);
	}
	g_clear_pointer(&f->reaper, cav_http_reaper_free);
	answer(f->paused);
	soup_server_message_unpause(f->paused);
	g_clear_object(&f->paused);
	client_read_answer(fd);
	close(fd);
	spin(50);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/http-reaper/dropped-is-reaped", test_dropped_is_reaped);
	ADD("/http-reaper/open-idle-is-kept", test_open_idle_is_kept);
	ADD("/http-reaper/busy-is-kept", test_busy_is_kept);
	ADD("/http-reaper/free-in-flight", test_free_in_flight);
	return g_test_run();
}
