/* udp-impair.c — a userspace UDP impairment proxy for the live tests (no
 * tc netem, no root): clients send to --listen, each gets its own upstream
 * socket to --to (like a NAT), and datagrams both ways may be lost,
 * delayed (jitter), reordered, duplicated (a replay) or corrupted (a
 * flipped byte past the RTP header: an SRTP authentication failure).
 *
 *   udp-impair --listen PORT --to IP:PORT [--loss P] [--dup P] [--corrupt P]
 *              [--reorder P] [--jitter MS] [--seed N] [--only-up]
 * Percentages are of datagrams. Runs until killed; prints its counts on
 * SIGTERM/SIGINT.
 */
#include <glib.h>
#include <glib-unix.h>

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CLIENTS 64

typedef struct {
	struct sockaddr_in addr;
	int up; /* connected to the target */
} Client;

typedef struct {
	gint64 due_us;
	int fd;
	struct sockaddr_in to; /* sin_port 0: fd is connected */
	gsize len;
	guint8 data[2048];
} Pending;

static double opt_loss, opt_dup, opt_corrupt, opt_reorder;
static int opt_jitter, opt_listen, opt_seed = 1;
static char *opt_to;
static gboolean opt_only_up;
static volatile sig_atomic_t stop;
static guint64 n_in, n_lost, n_dup, n_corrupt, n_reordered;
static GRand *rnd;
static GQueue pending = G_QUEUE_INIT; /* Pending *, by due time */
static Pending *held;                 /* a datagram held back to reorder */

static gboolean
chance(double pct)
{
	return pct > 0 && g_rand_double_range(rnd, 0, 100) < pct;
}

static void
emit(Pending *p)
{
	if (p->to.sin_port != 0)
		sendto(p->fd, p->data, p->len, MSG_DONTWAIT, (struct sockaddr *)&p->to,
		       sizeof p->to);
	else
		send(p->fd, p->data, p->len, MSG_DONTWAIT);
	g_free(p);
}

static gint
by_due(gconstpointer a, gconstpointer b, gpointer data)
{
	gint64 da = ((const Pending *)a)->due_us, db = ((const Pending *)b)->due_us;

	return da < db ? -1 : da > db;
}

static void
schedule(Pending *p, gint64 extra_us)
{
	p->due_us = g_get_monotonic_time() + extra_us +
		    (opt_jitter > 0 ? g_rand_int_range(rnd, 0, opt_jitter + 1) * 1000 : 0);
	g_queue_insert_sorted(&pending, p, by_due, NULL);
}

static void
forward(int fd, const struct sockaddr_in *to, const guint8 *data, gsize len, gboolean impair)
{
	Pending *p = g_new0(Pending, 1);

	n_in++;
	p->fd = fd;
	if (to != NULL)
		p->to = *to;
	p->len = MIN(len, sizeof p->data);
	memcpy(p->data, data, p->len);
	if (!impair) {
		schedule(p, 0);
		return;
	}
	if (chance(opt_loss)) {
		n_lost++;
		g_free(p);
		return;
	}
	if (chance(opt_corrupt) && p->len > 20) {
		p->data[12 + g_rand_int_range(rnd, 0, (gint32)p->len - 12)] ^= 0x5a;
		n_corrupt++;
	}
	if (chance(opt_dup)) {
		Pending *copy = g_memdup2(p, sizeof *p);

		n_dup++;
		schedule(copy, 30 * 1000); /* the replay comes a little later */
	}
	if (held == NULL && chance(opt_reorder)) {
		held = p;
		n_reordered++;
		return;
	}
	schedule(p, 0);
	if (held != NULL) {
		schedule(held, 0);
		held = NULL;
	}
}

static gboolean
on_signal(gpointer data)
{
	stop = 1;
	return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
	GOptionEntry entries[] = {
		{"listen", 0, 0, G_OPTION_ARG_INT, &opt_listen, "port to listen on (127.0.0.1)",
		 "P"},
		{"to", 0, 0, G_OPTION_ARG_STRING, &opt_to, "target IP:PORT", "A"},
		{"loss", 0, 0, G_OPTION_ARG_DOUBLE, &opt_loss, "% lost", "P"},
		{"dup", 0, 0, G_OPTION_ARG_DOUBLE, &opt_dup, "% duplicated (replayed)", "P"},
		{"corrupt", 0, 0, G_OPTION_ARG_DOUBLE, &opt_corrupt, "% with a flipped byte", "P"},
		{"reorder", 0, 0, G_OPTION_ARG_DOUBLE, &opt_reorder, "% swapped with the next",
		 "P"},
		{"jitter", 0, 0, G_OPTION_ARG_INT, &opt_jitter, "random delay 0..MS", "MS"},
		{"seed", 0, 0, G_OPTION_ARG_INT, &opt_seed, "random seed", "N"},
		{"only-up", 0, 0, G_OPTION_ARG_NONE, &opt_only_up, "impair client→target only",
		 NULL},
		{NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- UDP impairment proxy");
	g_autoptr(GError) error = NULL;
	struct sockaddr_in listen_addr = {0}, target = {0};
	Client clients[MAX_CLIENTS];
	guint n_clients = 0;
	char *colon;
	int lfd;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || opt_to == NULL ||
	    (colon = strrchr(opt_to, ':')) == NULL) {
		g_printerr("udp-impair: --listen PORT --to IP:PORT are needed\n");
		return 2;
	}
	rnd = g_rand_new_with_seed((guint32)opt_seed);
	*colon = '\0';
	target.sin_family = AF_INET;
	target.sin_port = htons((guint16)atoi(colon + 1));
	inet_pton(AF_INET, opt_to, &target.sin_addr);
	listen_addr.sin_family = AF_INET;
	listen_addr.sin_port = htons((guint16)opt_listen);
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(lfd, (struct sockaddr *)&listen_addr, sizeof listen_addr) < 0) {
		g_printerr("udp-impair: bind %d: %s\n", opt_listen, g_strerror(errno));
		return 1;
	}
	g_unix_signal_add(SIGTERM, on_signal, NULL);
	g_unix_signal_add(SIGINT, on_signal, NULL);
	while (!stop) {
		struct pollfd pfd[MAX_CLIENTS + 1];
		guint8 buf[2048];
		gint64 now = g_get_monotonic_time();
		Pending *first = g_queue_peek_head(&pending);
		int timeout = first ? (int)MAX((first->due_us - now) / 1000, 0) : 100;

		pfd[0] = (struct pollfd){lfd, POLLIN, 0};
		for (guint i = 0; i < n_clients; i++)
			pfd[i + 1] = (struct pollfd){clients[i].up, POLLIN, 0};
		poll(pfd, n_clients + 1, MIN(timeout, 100));
		g_main_context_iteration(NULL, FALSE);
		if (pfd[0].revents & POLLIN) {
			struct sockaddr_in from;
			socklen_t fl = sizeof from;
			ssize_t n =
				recvfrom(lfd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
			Client *c = NULL;

			for (guint i = 0; i < n_clients && c == NULL; i++)
				if (clients[i].addr.sin_port == from.sin_port &&
				    clients[i].addr.sin_addr.s_addr == from.sin_addr.s_addr)
					c = &clients[i];
			if (c == NULL && n_clients < MAX_CLIENTS) {
				c = &clients[n_clients++];
				c->addr = from;
				c->up = socket(AF_INET, SOCK_DGRAM, 0);
				connect(c->up, (struct sockaddr *)&target, sizeof target);
			}
			if (c != NULL && n > 0)
				forward(c->up, NULL, buf, (gsize)n, TRUE);
		}
		for (guint i = 0; i < n_clients; i++) {
			if (pfd[i + 1].revents & POLLIN) {
				ssize_t n = recv(clients[i].up, buf, sizeof buf, 0);

				if (n > 0)
					forward(lfd, &clients[i].addr, buf, (gsize)n, !opt_only_up);
			}
		}
		now = g_get_monotonic_time();
		while ((first = g_queue_peek_head(&pending)) != NULL && first->due_us <= now)
			emit(g_queue_pop_head(&pending));
	}
	printf("{\"in\": %" G_GUINT64_FORMAT ", \"lost\": %" G_GUINT64_FORMAT
	       ", \"duplicated\": %" G_GUINT64_FORMAT ", \"corrupted\": %" G_GUINT64_FORMAT
	       ", \"reordered\": %" G_GUINT64_FORMAT "}\n",
	       n_in, n_lost, n_dup, n_corrupt, n_reordered);
	return 0;
}
