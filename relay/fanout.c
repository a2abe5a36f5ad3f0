/* fanout.c — fan-out workers and subscribers (fanout.h).
 *
 * Each worker thread owns a list of subscribers (worker-local; new ones
 * arrive through `pending`, under pending_lock, the only lock here) and
 * sleeps on an eventfd. Woken, it pops each subscriber's queue, copies
 * the packet into a send slot, protects it with the subscriber's key and
 * sends batches of up to BATCH datagrams with one sendmmsg. A subscriber
 * marked dead is unlinked and released by its worker.
 */
#define _GNU_SOURCE
#include "fanout.h"
#include "stats.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define BATCH 64

struct CavSubscriber {
	gatomicrefcount ref;
	guint64 id;
	CavSrtp *tx; /* used by the worker only (owned) */
	CavRing ring;
	/* The destination: written by the ingest thread under addr_lock,
	 * copied by the worker under it (rare: set once, maybe rebound). */
	GMutex addr_lock;
	struct sockaddr_storage addr; /* addr_lock */
	socklen_t addr_len;           /* addr_lock; 0 until known */
	atomic_bool has_addr;
	atomic_bool dead;
	atomic_bool slow;
	gint64 full_since_us;  /* ingest thread: when the queue became full, 0 if not */
	struct Worker *worker; /* set once by cav_fanout_attach (unowned) */
};

typedef struct Worker {
	CavFanout *fanout; /* unowned */
	GThread *thread;
	int wake_fd;          /* eventfd (owned) */
	atomic_bool has_work; /* set by the ingest thread when it queued */
	atomic_uint n_subs;   /* subscribers assigned (balancing) */
	GMutex pending_lock;
	GPtrArray *pending; /* CavSubscriber * refs handed over; pending_lock */
	GPtrArray *subs;    /* worker thread only: CavSubscriber * refs */
} Worker;

struct CavFanout {
	int fd; /* unowned */
	atomic_bool stop;
	guint n_workers;
	Worker *workers; /* owned */
};

static atomic_uint subscribers_alive;

/* ---- subscribers ---------------------------------------------------------- */

CavSubscriber *
cav_subscriber_new(guint64 id, CavSrtpSuite suite, const guint8 *key, guint queue_packets,
		   GError **error)
{
	CavSubscriber *s;
	CavSrtp *tx = cav_srtp_new(suite, key, TRUE, error);

	if (tx == NULL)
		return NULL;
	s = g_new0(CavSubscriber, 1);
	g_atomic_ref_count_init(&s->ref);
	s->id = id;
	s->tx = tx;
	cav_ring_init(&s->ring, queue_packets);
	g_mutex_init(&s->addr_lock);
	atomic_fetch_add(&subscribers_alive, 1);
	return s;
}

CavSubscriber *
cav_subscriber_ref(CavSubscriber *sub)
{
	g_atomic_ref_count_inc(&sub->ref);
	return sub;
}

void
cav_subscriber_unref(CavSubscriber *sub)
{
	if (sub == NULL || !g_atomic_ref_count_dec(&sub->ref))
		return;
	cav_ring_clear(&sub->ring);
	cav_srtp_free(sub->tx);
	g_mutex_clear(&sub->addr_lock);
	g_free(sub);
	atomic_fetch_sub(&subscribers_alive, 1);
}

guint
cav_subscriber_alive(void)
{
	return atomic_load(&subscribers_alive);
}

guint64
cav_subscriber_id(CavSubscriber *sub)
{
	return sub->id;
}

void
cav_subscriber_set_address(CavSubscriber *sub, const struct sockaddr *addr, socklen_t len)
{
	if (len > sizeof sub->addr)
		return;
	g_mutex_lock(&sub->addr_lock);
	memcpy(&sub->addr, addr, len);
	sub->addr_len = len;
	g_mutex_unlock(&sub->addr_lock);
	atomic_store(&sub->has_addr, TRUE);
}

gboolean
cav_subscriber_has_address(CavSubscriber *sub)
{
	return atomic_load(&sub->has_addr);
}

void
cav_subscriber_kill(CavSubscriber *sub)
{
	atomic_store(&sub->dead, TRUE);
}

gboolean
cav_subscriber_is_dead(CavSubscriber *sub)
{
	return atomic_load(&sub->dead);
}

gboolean
cav_subscriber_was_slow(CavSubscriber *sub)
{
	return atomic_load(&sub->slow);
}

gboolean
cav_subscriber_enqueue(CavSubscriber *sub, CavPacket *p, gint64 now_us)
{
	if (atomic_load_explicit(&sub->dead, memory_order_relaxed))
		return FALSE;
	if (cav_ring_push(&sub->ring, p)) {
		sub->full_since_us = 0;
		if (sub->worker != NULL)
			atomic_store_explicit(&sub->worker->has_work, TRUE, memory_order_release);
		return TRUE;
	}
	cav_stat_inc(CAV_STAT_QUEUE_DROPS);
	if (sub->full_since_us == 0) {
		sub->full_since_us = now_us;
	} else if (now_us - sub->full_since_us > CAV_FANOUT_SLOW_US) {
		atomic_store(&sub->slow, TRUE);
		atomic_store(&sub->dead, TRUE);
		cav_stat_inc(CAV_STAT_SUB_DROPPED_SLOW);
	}
	return FALSE;
}

/* ---- workers ---------------------------------------------------------------- */

typedef struct {
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_storage addrs[BATCH];
	guint8 bufs[BATCH][CAV_RTP_MAX_PACKET + CAV_SRTP_MAX_TRAILER];
	guint n;
} SendBatch;

static void
flush(CavFanout *f, SendBatch *b)
{
	guint off = 0;

	while (off < b->n) {
		int r = sendmmsg(f->fd, b->msgs + off, b->n - off, MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN (socket buffer full) or an unreachable peer:
			 * the first datagram is lost, as UDP would lose it. */
			cav_stat_inc(CAV_STAT_SEND_ERRORS);
			off++;
			continue;
		}
		for (int i = 0; i < r; i++) {
			cav_stat_inc(CAV_STAT_RTP_OUT);
			cav_stat_add(CAV_STAT_RTP_OUT_BYTES, b->msgs[off + i].msg_len);
		}
		off += (guint)r;
	}
	b->n = 0;
}

/* Protects and batches what @sub has queued (flushing full batches). */
static void
drain(CavFanout *f, CavSubscriber *sub, SendBatch *b)
{
	struct sockaddr_storage addr;
	socklen_t addr_len = 0;
	CavPacket *p;

	if (atomic_load(&sub->has_addr)) {
		g_mutex_lock(&sub->addr_lock);
		addr = sub->addr;
		addr_len = sub->addr_len;
		g_mutex_unlock(&sub->addr_lock);
	}
	while ((p = cav_ring_pop(&sub->ring)) != NULL) {
		guint i = b->n;
		gsize len = p->len;

		if (addr_len == 0 || atomic_load(&sub->dead)) {
			cav_packet_unref(p);
			continue;
		}
		memcpy(b->bufs[i], p->data, len);
		cav_packet_unref(p);
		if (cav_srtp_protect(sub->tx, b->bufs[i], &len) != CAV_SRTP_OK) {
			cav_stat_inc(CAV_STAT_SEND_ERRORS);
			continue;
		}
		b->addrs[i] = addr;
		b->iov[i].iov_base = b->bufs[i];
		b->iov[i].iov_len = len;
		memset(&b->msgs[i], 0, sizeof b->msgs[i]);
		b->msgs[i].msg_hdr.msg_name = &b->addrs[i];
		b->msgs[i].msg_hdr.msg_namelen = addr_len;
		b->msgs[i].msg_hdr.msg_iov = &b->iov[i];
		b->msgs[i].msg_hdr.msg_iovlen = 1;
		if (++b->n == BATCH)
			flush(f, b);
	}
}

static void
take_pending(Worker *w)
{
	g_mutex_lock(&w->pending_lock);
	for (guint i = 0; i < w->pending->len; i++)
		g_ptr_array_add(w->subs, w->pending->pdata[i]);
	g_ptr_array_set_free_func(w->pending, NULL);
	g_ptr_array_set_size(w->pending, 0);
	g_ptr_array_set_free_func(w->pending, (GDestroyNotify)cav_subscriber_unref);
	g_mutex_unlock(&w->pending_lock);
}

static gpointer
worker_main(gpointer data)
{
	Worker *w = data;
	CavFanout *f = w->fanout;
	SendBatch *b = g_new0(SendBatch, 1);

	while (!atomic_load(&f->stop)) {
		struct pollfd pfd = {w->wake_fd, POLLIN, 0};
		guint64 v;

		if (!atomic_exchange(&w->has_work, FALSE)) {
			if (poll(&pfd, 1, 100) > 0 && read(w->wake_fd, &v, sizeof v) < 0)
				continue;
			atomic_store(&w->has_work, FALSE);
		}
		take_pending(w);
		for (guint i = 0; i < w->subs->len;) {
			CavSubscriber *sub = w->subs->pdata[i];

			if (atomic_load(&sub->dead)) {
				atomic_fetch_sub(&w->n_subs, 1);
				g_ptr_array_remove_index_fast(w->subs, i);
				continue;
			}
			drain(f, sub, b);
			i++;
		}
		flush(f, b);
	}
	g_free(b);
	return NULL;
}

CavFanout *
cav_fanout_new(int fd, guint n_workers, GError **error)
{
	CavFanout *f = g_new0(CavFanout, 1);

	f->fd = fd;
	f->n_workers = MAX(n_workers, 1);
	f->workers = g_new0(Worker, f->n_workers);
	for (guint i = 0; i < f->n_workers; i++) {
		Worker *w = &f->workers[i];
		g_autofree char *name = g_strdup_printf("cav-fanout-%u", i);

		w->fanout = f;
		w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		g_mutex_init(&w->pending_lock);
		w->pending = g_ptr_array_new_with_free_func((GDestroyNotify)cav_subscriber_unref);
		w->subs = g_ptr_array_new_with_free_func((GDestroyNotify)cav_subscriber_unref);
		if (w->wake_fd < 0) {
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "eventfd: %s",
				    g_strerror(errno));
			f->n_workers = i + 1;
			cav_fanout_free(f);
			return NULL;
		}
		w->thread = g_thread_new(name, worker_main, w);
	}
	return f;
}

void
cav_fanout_free(CavFanout *f)
{
	if (f == NULL)
		return;
	atomic_store(&f->stop, TRUE);
	for (guint i = 0; i < f->n_workers; i++) {
		Worker *w = &f->workers[i];
		guint64 one = 1;

		if (w->thread != NULL) {
			if (write(w->wake_fd, &one, sizeof one) < 0)
				g_debug("waking a worker: %s", g_strerror(errno));
			g_thread_join(w->thread);
		}
		if (w->wake_fd >= 0)
			close(w->wake_fd);
		g_ptr_array_unref(w->pending);
		g_ptr_array_unref(w->subs);
		g_mutex_clear(&w->pending_lock);
	}
	g_free(f->workers);
	g_free(f);
}

void
cav_fanout_attach(CavFanout *f, CavSubscriber *sub)
{
	Worker *best = &f->workers[0];

	for (guint i = 1; i < f->n_workers; i++)
		if (atomic_load(&f->workers[i].n_subs) < atomic_load(&best->n_subs))
			best = &f->workers[i];
	sub->worker = best;
	atomic_fetch_add(&best->n_subs, 1);
	g_mutex_lock(&best->pending_lock);
	g_ptr_array_add(best->pending, cav_subscriber_ref(sub));
	g_mutex_unlock(&best->pending_lock);
	atomic_store(&best->has_work, TRUE);
}

void
cav_fanout_kick(CavFanout *f)
{
	for (guint i = 0; i < f->n_workers; i++) {
		Worker *w = &f->workers[i];
		guint64 one = 1;

		if (atomic_load_explicit(&w->has_work, memory_order_acquire) &&
		    write(w->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
			g_debug("waking a worker: %s", g_strerror(errno));
	}
}

guint
cav_fanout_n_subscribers(CavFanout *f)
{
	guint n = 0;

	for (guint i = 0; i < f->n_workers; i++)
		n += atomic_load(&f->workers[i].n_subs);
	return n;
}
