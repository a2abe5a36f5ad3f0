/* packet.h — the relay's unit of media: one plain RTP packet after the
 * rewrite, reference-counted so one copy serves every subscriber queue
 * and the retransmission history; and the single-producer/single-consumer
 * ring that is each subscriber's bounded queue.
 *
 * A packet is immutable once queued. Rings: the ingest thread pushes, the
 * subscriber's fan-out worker pops; no locks, acquire/release ordering on
 * the two indices.
 */
#pragma once

#include <glib.h>
#include <stdatomic.h>
#include <string.h>
#include "common/rtp.h"
#include "stream-tap.h"

G_BEGIN_DECLS

typedef struct {
	gatomicrefcount ref;
	guint16 len;
	guint8 media; /* CavRtpMedia */
	guint8 data[CAV_RTP_MAX_PACKET];
} CavPacket;

static inline CavPacket *
cav_packet_new(CavRtpMedia media, const guint8 *data, gsize len)
{
	CavPacket *p = g_new(CavPacket, 1);

	g_atomic_ref_count_init(&p->ref);
	p->media = (guint8)media;
	p->len = (guint16)MIN(len, sizeof p->data);
	memcpy(p->data, data, p->len);
	return p;
}

static inline CavPacket *
cav_packet_ref(CavPacket *p)
{
	g_atomic_ref_count_inc(&p->ref);
	return p;
}

static inline void
cav_packet_unref(CavPacket *p)
{
	if (p != NULL && g_atomic_ref_count_dec(&p->ref))
		g_free(p);
}

typedef struct {
	CavPacket **slots; /* capacity entries (owned, with the refs they hold) */
	guint mask;        /* capacity - 1, a power of two */
	atomic_uint head;  /* next slot to write: the producer's */
	atomic_uint tail;  /* next slot to read: the consumer's */
} CavRing;

static inline void
cav_ring_init(CavRing *r, guint capacity)
{
	guint cap = 16;

	while (cap < capacity)
		cap <<= 1;
	r->slots = g_new0(CavPacket *, cap);
	r->mask = cap - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
}

/* Producer: takes a ref on success; FALSE when full (nothing taken). */
static inline gboolean
cav_ring_push(CavRing *r, CavPacket *p)
{
	guint head = atomic_load_explicit(&r->head, memory_order_relaxed);
	guint tail = atomic_load_explicit(&r->tail, memory_order_acquire);

	if (head - tail > r->mask)
		return FALSE;
	r->slots[head & r->mask] = cav_packet_ref(p);
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return TRUE;
}

/* Consumer: the oldest packet (transfer full), or NULL when empty. */
static inline CavPacket *
cav_ring_pop(CavRing *r)
{
	guint tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	guint head = atomic_load_explicit(&r->head, memory_order_acquire);
	CavPacket *p;

	if (tail == head)
		return NULL;
	p = r->slots[tail & r->mask];
	r->slots[tail & r->mask] = NULL;
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
	return p;
}

static inline guint
cav_ring_len(CavRing *r)
{
	return atomic_load(&r->head) - atomic_load(&r->tail);
}

/* When neither side uses the ring any more. */
static inline void
cav_ring_clear(CavRing *r)
{
	CavPacket *p;

	while ((p = cav_ring_pop(r)) != NULL)
		cav_packet_unref(p);
	g_free(r->slots);
	r->slots = NULL;
}

G_END_DECLS
