/* stream.c — live streams and their taps (stream.h, stream-tap.h).
 *
 * The process-wide table maps room keys to streams (streams_lock protects
 * the table only). Each stream's tap list is an immutable array replaced on
 * every change (taps_lock protects the pointer), so the ingest worker never
 * calls a tap with a lock held. Reference counts are atomic; the last unref
 * may happen on any thread.
 */
#include "stream.h"

#include <stdatomic.h>

typedef struct {
	gatomicrefcount ref;
	guint id;
	CavStreamTapFunc func;
	gpointer user_data;
	GDestroyNotify destroy;
} Tap;

struct CavStream {
	gatomicrefcount ref;
	char *room_key; /* owned */
	GMutex taps_lock;
	GPtrArray *taps;   /* Tap * (each ref'd by the array), replaced on change; taps_lock */
	guint next_tap_id; /* taps_lock */
	atomic_int keyframe_wanted;
	guint32 out_ssrc[2]; /* immutable */
};

G_LOCK_DEFINE_STATIC(streams_lock);
static GHashTable *streams; /* room_key -> CavStream * (a ref); streams_lock */
static atomic_uint alive;

static Tap *
tap_ref(Tap *t)
{
	g_atomic_ref_count_inc(&t->ref);
	return t;
}

static void
tap_unref(Tap *t)
{
	if (!g_atomic_ref_count_dec(&t->ref))
		return;
	if (t->destroy != NULL)
		t->destroy(t->user_data);
	g_free(t);
}

CavStream *
cav_stream_ref(CavStream *s)
{
	g_return_val_if_fail(s != NULL, NULL);
	g_atomic_ref_count_inc(&s->ref);
	return s;
}

void
cav_stream_unref(CavStream *s)
{
	if (s == NULL || !g_atomic_ref_count_dec(&s->ref))
		return;
	g_ptr_array_unref(s->taps);
	g_mutex_clear(&s->taps_lock);
	g_free(s->room_key);
	g_free(s);
	atomic_fetch_sub(&alive, 1);
}

CavStream *
cav_stream_obtain(const char *room_key)
{
	CavStream *s;

	G_LOCK(streams_lock);
	if (streams == NULL)
		streams = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
						(GDestroyNotify)cav_stream_unref);
	s = g_hash_table_lookup(streams, room_key);
	if (s == NULL) {
		s = g_new0(CavStream, 1);
		g_atomic_ref_count_init(&s->ref);
		s->room_key = g_strdup(room_key);
		g_mutex_init(&s->taps_lock);
		s->taps = g_ptr_array_new_with_free_func((GDestroyNotify)tap_unref);
		s->next_tap_id = 1;
		s->out_ssrc[CAV_MEDIA_RTP_VIDEO] = g_random_int();
		do
			s->out_ssrc[CAV_MEDIA_RTP_AUDIO] = g_random_int();
		while (s->out_ssrc[CAV_MEDIA_RTP_AUDIO] == s->out_ssrc[CAV_MEDIA_RTP_VIDEO]);
		atomic_fetch_add(&alive, 1);
		g_hash_table_insert(streams, s->room_key, s); /* the table's ref */
	}
	cav_stream_ref(s);
	G_UNLOCK(streams_lock);
	return s;
}

CavStream *
cav_stream_lookup(const char *room_key)
{
	CavStream *s = NULL;

	if (room_key == NULL)
		return NULL;
	G_LOCK(streams_lock);
	if (streams != NULL && (s = g_hash_table_lookup(streams, room_key)) != NULL)
		cav_stream_ref(s);
	G_UNLOCK(streams_lock);
	return s;
}

void
cav_stream_retire(CavStream *stream)
{
	G_LOCK(streams_lock);
	if (streams != NULL && g_hash_table_lookup(streams, stream->room_key) == stream)
		g_hash_table_remove(streams, stream->room_key);
	G_UNLOCK(streams_lock);
}

const char *
cav_stream_key(CavStream *stream)
{
	return stream->room_key;
}

guint
cav_stream_table_size(void)
{
	guint n;

	G_LOCK(streams_lock);
	n = streams != NULL ? g_hash_table_size(streams) : 0;
	G_UNLOCK(streams_lock);
	return n;
}

guint
cav_stream_alive(void)
{
	return atomic_load(&alive);
}

/* A new array holding refs to the taps of @old, minus @skip_id. */
static GPtrArray *
copy_taps(GPtrArray *old, guint skip_id)
{
	GPtrArray *n = g_ptr_array_new_full(old->len + 1, (GDestroyNotify)tap_unref);

	for (guint i = 0; i < old->len; i++) {
		Tap *t = old->pdata[i];

		if (t->id != skip_id)
			g_ptr_array_add(n, tap_ref(t));
	}
	return n;
}

guint
cav_stream_add_tap(CavStream *stream, CavStreamTapFunc func, gpointer user_data,
		   GDestroyNotify destroy)
{
	Tap *t = g_new0(Tap, 1);
	GPtrArray *old;

	g_return_val_if_fail(stream != NULL && func != NULL, 0);
	g_atomic_ref_count_init(&t->ref);
	t->func = func;
	t->user_data = user_data;
	t->destroy = destroy;
	g_mutex_lock(&stream->taps_lock);
	t->id = stream->next_tap_id++;
	old = stream->taps;
	stream->taps = copy_taps(old, 0);
	g_ptr_array_add(stream->taps, t);
	g_mutex_unlock(&stream->taps_lock);
	g_ptr_array_unref(old);
	return t->id;
}

void
cav_stream_remove_tap(CavStream *stream, guint tap_id)
{
	GPtrArray *old;

	g_return_if_fail(stream != NULL);
	g_mutex_lock(&stream->taps_lock);
	old = stream->taps;
	stream->taps = copy_taps(old, tap_id);
	g_mutex_unlock(&stream->taps_lock);
	g_ptr_array_unref(old);
}

guint
cav_stream_n_taps(CavStream *stream)
{
	guint n;

	g_mutex_lock(&stream->taps_lock);
	n = stream->taps->len;
	g_mutex_unlock(&stream->taps_lock);
	return n;
}

void
cav_stream_deliver(CavStream *stream, CavRtpMedia media, const guint8 *packet, gsize len)
{
	GPtrArray *taps;

	g_mutex_lock(&stream->taps_lock);
	taps = stream->taps->len > 0 ? g_ptr_array_ref(stream->taps) : NULL;
	g_mutex_unlock(&stream->taps_lock);
	if (taps == NULL)
		return;
	for (guint i = 0; i < taps->len; i++) {
		Tap *t = taps->pdata[i];

		t->func(media, packet, len, t->user_data);
	}
	g_ptr_array_unref(taps);
}

void
cav_stream_request_keyframe(CavStream *stream)
{
	g_return_if_fail(stream != NULL);
	atomic_store(&stream->keyframe_wanted, 1);
}

gboolean
cav_stream_take_keyframe_request(CavStream *stream)
{
	return atomic_exchange(&stream->keyframe_wanted, 0) != 0;
}

guint32
cav_stream_out_ssrc(CavStream *stream, CavRtpMedia media)
{
	return stream->out_ssrc[media == CAV_MEDIA_RTP_AUDIO ? 1 : 0];
}
