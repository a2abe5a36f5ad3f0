/* hls.c — public broadcasts of public, live hearings (hls.h).
 *
 * One Room per room key the directory has shown. reconcile() is the only
 * place that decides what runs: it is called after every directory change,
 * every pipeline end and every retry, and compares what the room's entry
 * allows with what exists. Revocation is immediate and synchronous; a
 * normal stop (recess, end of hearing) lets the pipeline close its last
 * segment first.
 *
 * Main thread only. Each pipeline gets a PipeCtx (its broadcast's token,
 * the room, the stream for keyframe requests) that outlives its callbacks;
 * the keyframe callback is the only one on a streaming thread and touches
 * only the stream (cav_stream_request_keyframe is thread-safe).
 */
#include "relay/hls.h"

#include "common/fsutil.h"
#include "relay/hls-pipeline.h"
#include "relay/stream.h"

#include <gst/gst.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define RETRY_MS 2000
/* A broadcast found unfinished at start whose last segment is older than
 * this is taken as ended (listed on demand). */
#define STALE_US (12 * G_TIME_SPAN_HOUR)

typedef struct Room Room;

typedef struct {
	Room *room;        /* unowned */
	char *token;       /* owned */
	CavStream *stream; /* owned ref */
	CavHlsPipeline *p; /* owned ref */
	guint tap_id;
} PipeCtx;

struct Room {
	CavHls *hls;         /* unowned */
	char *room_key;      /* owned */
	CavLiveEntry *entry; /* last directory entry (owned, nullable) */
	CavHlsBroadcast *b;  /* current broadcast (unowned: hls->broadcasts), nullable */
	PipeCtx *running;    /* owned, nullable */
	PipeCtx *stopping;   /* owned, nullable: finishing its last segment */
	gboolean cut;
	guint retry; /* timer id, 0 when none */
};

struct CavHls {
	CavHlsConfig cfg;  /* owned copy */
	CavDirectory *dir; /* unowned */
	guint watch;
	GstBuffer *slate;       /* owned */
	GHashTable *rooms;      /* room_key -> Room * (owned) */
	GHashTable *broadcasts; /* token -> CavHlsBroadcast * (owned) */
};

static void reconcile(Room *r);

/* ---- configuration ---------------------------------------------------------- */

static gboolean
get_uint(GHashTable *keys, const char *name, guint min, guint max, guint *out, GError **error)
{
	const char *v = g_hash_table_lookup(keys, name);
	guint64 n;

	if (v == NULL || *v == '\0')
		return TRUE;
	if (!g_ascii_string_to_unsigned(v, 10, min, max, &n, NULL)) {
		g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_INVALID,
			    "[public] %s = %s: expected a whole number from %u to %u", name, v, min,
			    max);
		return FALSE;
	}
	*out = (guint)n;
	return TRUE;
}

gboolean
cav_hls_config_parse(GHashTable *keys, const char *state_dir, CavHlsConfig *out, GError **error)
{
	CavHlsConfig c = {
		.enabled = TRUE,
		.segment_ms = 1000,
		.width = 1280,
		.height = 720,
		.fps = 25,
		.video_kbps = 1500,
		.audio_kbps = 64,
		.window = 6,
	};
	const char *enabled = g_hash_table_lookup(keys, "enabled");
	const char *preset = g_hash_table_lookup(keys, "x264_preset");
	const char *dir = g_hash_table_lookup(keys, "hls_dir");
	const char *slate = g_hash_table_lookup(keys, "slate_text");
	guint delay_s = 0;

	if (enabled != NULL && *enabled != '\0') {
		if (g_str_equal(enabled, "false") || g_str_equal(enabled, "0"))
			c.enabled = FALSE;
		else if (!g_str_equal(enabled, "true") && !g_str_equal(enabled, "1"))
			goto bad_enabled;
	}
	if (!get_uint(keys, "segment_ms", 500, 2000, &c.segment_ms, error) ||
	    !get_uint(keys, "delay_seconds", 0, 600, &delay_s, error) ||
	    !get_uint(keys, "width", 160, 3840, &c.width, error) ||
	    !get_uint(keys, "height", 120, 2160, &c.height, error) ||
	    !get_uint(keys, "fps", 1, 60, &c.fps, error) ||
	    !get_uint(keys, "video_kbps", 100, 20000, &c.video_kbps, error) ||
	    !get_uint(keys, "audio_kbps", 16, 320, &c.audio_kbps, error) ||
	    !get_uint(keys, "window", 3, 60, &c.window, error))
		return FALSE;
	if (c.width % 2 != 0 || c.height % 2 != 0) {
		g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_INVALID,
			    "[public] width and height must be even (%ux%u)", c.width, c.height);
		return FALSE;
	}
	if (preset != NULL && *preset != '\0' &&
	    !g_regex_match_simple("^(ultrafast|superfast|veryfast|faster|fast|medium)$", preset, 0,
				  0)) {
		g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_INVALID,
			    "[public] x264_preset = %s: expected ultrafast, superfast, veryfast, "
			    "faster, fast or medium",
			    preset);
		return FALSE;
	}
	c.delay_ms = delay_s * 1000;
	c.hls_dir = dir != NULL && *dir != '\0' ? g_strdup(dir)
						: g_build_filename(state_dir, "public-hls", NULL);
	c.x264_preset = g_strdup(preset != NULL && *preset != '\0' ? preset : "veryfast");
	c.slate_text = slate != NULL && *slate != '\0' ? g_strdup(slate) : NULL;
	*out = c;
	return TRUE;
bad_enabled:
	g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_INVALID,
		    "[public] enabled = %s: expected true or false", enabled);
	return FALSE;
}

void
cav_hls_config_clear(CavHlsConfig *cfg)
{
	g_clear_pointer(&cfg->hls_dir, g_free);
	g_clear_pointer(&cfg->x264_preset, g_free);
	g_clear_pointer(&cfg->slate_text, g_free);
}

const CavHlsConfig *
cav_hls_get_config(CavHls *hls)
{
	return &hls->cfg;
}

/* ---- files ------------------------------------------------------------------- */

char *
cav_hls_broadcast_dir(CavHls *hls, const char *token)
{
	return g_build_filename(hls->cfg.hls_dir, token, NULL);
}

static void
save_meta(CavHls *hls, const CavHlsBroadcast *b)
{
	g_autofree char *dir = cav_hls_broadcast_dir(hls, b->token);
	g_autofree char *path = g_build_filename(dir, "meta.json", NULL);
	g_autofree char *json = cav_hls_broadcast_to_json(b);
	g_autoptr(GError) error = NULL;

	if (!cav_fs_write_atomic(path, json, strlen(json), 0644, &error))
		g_warning("public broadcast %s: cannot save %s: %s", b->token, path,
			  error->message);
}

static void
append_log(CavHls *hls, const CavHlsBroadcast *b, const CavHlsSegment *s)
{
	g_autofree char *dir = cav_hls_broadcast_dir(hls, b->token);
	g_autofree char *path = g_build_filename(dir, "segments.log", NULL);
	g_autofree char *line = cav_hls_segment_log_line(s);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	gsize len = strlen(line);

	if (fd < 0 || write(fd, line, len) != (ssize_t)len)
		g_warning("public broadcast %s: cannot append to %s: %s", b->token, path,
			  g_strerror(errno));
	if (fd >= 0)
		close(fd);
}

static void
remove_tree(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);

		if (g_unlink(path) != 0)
			g_warning("cannot delete %s: %s", path, g_strerror(errno));
	}
	if (g_rmdir(dir) != 0 && errno != ENOENT)
		g_warning("cannot delete %s: %s", dir, g_strerror(errno));
}

static CavHlsBroadcast *
load_broadcast(const char *dir, const char *token)
{
	g_autofree char *meta_path = g_build_filename(dir, "meta.json", NULL);
	g_autofree char *log_path = g_build_filename(dir, "segments.log", NULL);
	g_autofree char *meta = NULL;
	g_autofree char *log = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(CavHlsBroadcast) b = NULL;
	gsize len = 0;

	if (!g_file_get_contents(meta_path, &meta, &len, &error) ||
	    (b = cav_hls_broadcast_from_json(meta, len, &error)) == NULL ||
	    !g_str_equal(b->token, token)) {
		g_warning("public broadcast in %s not loaded: %s", dir,
			  error ? error->message : "token does not match its folder");
		return NULL;
	}
	if (g_file_get_contents(log_path, &log, NULL, NULL) &&
	    !cav_hls_broadcast_load_log(b, log, &error)) {
		g_warning("public broadcast in %s not loaded: %s", dir, error->message);
		return NULL;
	}
	return g_steal_pointer(&b);
}

/* ---- rooms and pipelines ----------------------------------------------------- */

static Room *
room_get(CavHls *hls, const char *room_key)
{
	Room *r = g_hash_table_lookup(hls->rooms, room_key);

	if (r == NULL) {
		r = g_new0(Room, 1);
		r->hls = hls;
		r->room_key = g_strdup(room_key);
		g_hash_table_insert(hls->rooms, r->room_key, r);
	}
	return r;
}

static void
ctx_free(PipeCtx *c)
{
	if (c == NULL)
		return;
	if (c->tap_id != 0)
		cav_stream_remove_tap(c->stream, c->tap_id);
	cav_hls_pipeline_cancel(c->p);
	cav_hls_pipeline_unref(c->p);
	cav_stream_unref(c->stream);
	g_free(c->token);
	g_free(c);
}

static void
room_free(Room *r)
{
	if (r->retry != 0)
		g_source_remove(r->retry);
	ctx_free(r->running);
	ctx_free(r->stopping);
	cav_live_entry_free(r->entry);
	g_free(r->room_key);
	g_free(r);
}

/* Ingest worker thread. */
static void
on_packet(CavRtpMedia media, const guint8 *packet, gsize len, gpointer user_data)
{
	cav_hls_pipeline_push_rtp(user_data, media, packet, len);
}

/* Streaming thread. */
static void
on_keyframe(gpointer user_data)
{
	PipeCtx *c = user_data;

	cav_stream_request_keyframe(c->stream);
}

static void
on_segment(CavHlsPipeline *p, guint index, gint64 duration_us, gint64 start_us, gpointer user_data)
{
	PipeCtx *c = user_data;
	CavHls *hls = c->room->hls;
	CavHlsBroadcast *b = g_hash_table_lookup(hls->broadcasts, c->token);
	const CavHlsSegment *s;

	/* A revoked broadcast has no entry: its pipeline was cancelled, but
	 * a message queued before that must not resurrect anything. */
	if (b == NULL || index < cav_hls_broadcast_next_index(b))
		return;
	s = cav_hls_broadcast_add(b, index, duration_us, start_us);
	if (s != NULL)
		append_log(hls, b, s);
}

static gboolean
on_retry(gpointer user_data)
{
	Room *r = user_data;

	r->retry = 0;
	reconcile(r);
	return G_SOURCE_REMOVE;
}

static void
on_done(CavHlsPipeline *p, const GError *error, gpointer user_data)
{
	PipeCtx *c = user_data;
	Room *r = c->room;
	CavHlsBroadcast *b = g_hash_table_lookup(r->hls->broadcasts, c->token);

	if (r->running == c)
		r->running = NULL;
	else if (r->stopping == c)
		r->stopping = NULL;
	if (b != NULL) {
		/* Whatever comes next in this broadcast follows a gap. */
		b->next_discontinuity = TRUE;
		save_meta(r->hls, b);
	}
	ctx_free(c);
	if (error != NULL && r->retry == 0) {
		g_warning("public output of %s stopped (%s); retrying in %d ms", r->room_key,
			  error->message, RETRY_MS);
		r->retry = g_timeout_add(RETRY_MS, on_retry, r);
		return;
	}
	reconcile(r);
}

static void
start_pipeline(Room *r)
{
	CavHls *hls = r->hls;
	CavHlsOutputConfig out = {
		.segment_ms = hls->cfg.segment_ms,
		.delay_ms = hls->cfg.delay_ms,
		.width = hls->cfg.width,
		.height = hls->cfg.height,
		.fps = hls->cfg.fps,
		.video_kbps = hls->cfg.video_kbps,
		.audio_kbps = hls->cfg.audio_kbps,
		.x264_preset = hls->cfg.x264_preset,
	};
	g_autofree char *dir = cav_hls_broadcast_dir(hls, r->b->token);
	g_autoptr(GError) error = NULL;
	PipeCtx *c = g_new0(PipeCtx, 1);

	c->room = r;
	c->token = g_strdup(r->b->token);
	if (g_mkdir_with_parents(dir, 0755) != 0) {
		g_warning("public output of %s: cannot create %s: %s", r->room_key, dir,
			  g_strerror(errno));
		goto retry;
	}
	c->p = cav_hls_pipeline_new(&out, hls->slate, dir, cav_hls_broadcast_next_index(r->b),
				    on_segment, on_done, on_keyframe, c, &error);
	if (c->p == NULL) {
		g_warning("public output of %s: %s", r->room_key, error->message);
		goto retry;
	}
	cav_hls_pipeline_set_cut(c->p, r->cut);
	c->stream = cav_stream_obtain(r->room_key);
	c->tap_id = cav_stream_add_tap(c->stream, on_packet, cav_hls_pipeline_ref(c->p),
				       (GDestroyNotify)cav_hls_pipeline_unref);
	cav_stream_request_keyframe(c->stream);
	r->running = c;
	g_message("public output of %s (hearing %" G_GINT64_FORMAT ") started: broadcast %s",
		  r->room_key, r->b->hearing_id, r->b->token);
	return;
retry:
	g_free(c->token);
	g_free(c);
	r->retry = g_timeout_add(RETRY_MS, on_retry, r);
}

/* Recess, outage, end of hearing: stop taking packets, let the pipeline
 * close its last segment. */
static void
stop_pipeline(Room *r)
{
	PipeCtx *c = r->running;

	if (c == NULL)
		return;
	r->running = NULL;
	cav_stream_remove_tap(c->stream, c->tap_id);
	c->tap_id = 0;
	if (r->stopping != NULL) /* a second stop within 3 s: drop the older */
		ctx_free(r->stopping);
	r->stopping = c;
	cav_hls_pipeline_stop(c->p);
	g_message("public output of %s stopping", r->room_key);
}

/* The hearing is no longer public: nothing of it may remain reachable. */
static void
revoke_broadcast(Room *r)
{
	CavHls *hls = r->hls;
	g_autofree char *token = g_strdup(r->b->token);
	g_autofree char *dir = cav_hls_broadcast_dir(hls, token);

	g_clear_pointer(&r->running, ctx_free);
	g_clear_pointer(&r->stopping, ctx_free);
	g_hash_table_remove(hls->broadcasts, token);
	r->b = NULL;
	remove_tree(dir);
	g_message("public output of %s revoked: the hearing is not public; broadcast %s deleted",
		  r->room_key, token);
}

static void
end_broadcast(Room *r)
{
	stop_pipeline(r);
	r->b->ended_us = g_get_real_time();
	save_meta(r->hls, r->b);
	g_message("public broadcast %s of %s ended; kept for replay", r->b->token, r->room_key);
	r->b = NULL;
	r->cut = FALSE;
}

static void
set_opt(char **field, const char *value)
{
	if (g_strcmp0(*field, value) == 0)
		return;
	g_free(*field);
	*field = g_strdup(value);
}

/* Copies the hearing's public description; TRUE if anything changed. */
static gboolean
describe(CavHlsBroadcast *b, const CavLiveEntry *e)
{
	g_autofree char *before = cav_hls_broadcast_to_json(b);
	g_autofree char *after = NULL;

	set_opt(&b->court, e->court);
	set_opt(&b->room_name, e->room_name);
	set_opt(&b->case_number, e->case_number);
	set_opt(&b->case_title, e->case_title);
	set_opt(&b->cause, e->cause);
	if (e->started_us != 0)
		b->started_us = e->started_us;
	after = cav_hls_broadcast_to_json(b);
	return !g_str_equal(before, after);
}

static void
new_broadcast(Room *r)
{
	g_autofree char *token = cav_hls_token_new();
	g_autofree char *dir = NULL;
	CavHlsBroadcast *b = cav_hls_broadcast_new(token, r->room_key, r->entry->hearing_id);

	describe(b, r->entry);
	if (b->started_us == 0)
		b->started_us = g_get_real_time();
	g_hash_table_insert(r->hls->broadcasts, b->token, b);
	r->b = b;
	dir = cav_hls_broadcast_dir(r->hls, b->token);
	if (g_mkdir_with_parents(dir, 0755) != 0)
		g_warning("public output of %s: cannot create %s: %s", r->room_key, dir,
			  g_strerror(errno));
	save_meta(r->hls, b);
}

static void
reconcile(Room *r)
{
	const CavLiveEntry *e = r->entry;
	gboolean want;

	if (!r->hls->cfg.enabled)
		return;
	/* The same hearing, no longer public: revoke at once. */
	if (e != NULL && !e->is_public && r->b != NULL && r->b->hearing_id == e->hearing_id) {
		revoke_broadcast(r);
		return;
	}
	/* Another hearing (or none) in this room: the old one has ended. */
	if (e != NULL && r->b != NULL && r->b->hearing_id != e->hearing_id)
		end_broadcast(r);
	want = e != NULL && e->is_public && e->live && e->hearing_id > 0;
	if (!want) {
		stop_pipeline(r);
		return;
	}
	if (r->b == NULL)
		new_broadcast(r);
	else if (describe(r->b, e))
		save_meta(r->hls, r->b);
	if (r->running == NULL && r->stopping == NULL && r->retry == 0)
		start_pipeline(r);
}

static void
on_directory(const CavLiveEntry *entry, gboolean removed, gpointer user_data)
{
	CavHls *hls = user_data;
	Room *r = room_get(hls, entry->room_key);

	g_clear_pointer(&r->entry, cav_live_entry_free);
	if (!removed)
		r->entry = cav_live_entry_copy(entry);
	reconcile(r);
}

/* ---- the object ------------------------------------------------------------- */

static gint64
last_activity_us(const CavHlsBroadcast *b)
{
	const CavHlsSegment *s;

	if (b->segments->len == 0)
		return MAX(b->started_us, 1);
	s = &g_array_index(b->segments, CavHlsSegment, b->segments->len - 1);
	return s->start_us + s->duration_us;
}

static void
load_all(CavHls *hls)
{
	g_autoptr(GDir) d = g_dir_open(hls->cfg.hls_dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *dir = g_build_filename(hls->cfg.hls_dir, name, NULL);
		CavHlsBroadcast *b;

		if (!cav_hls_token_valid(name) || !g_file_test(dir, G_FILE_TEST_IS_DIR))
			continue;
		if ((b = load_broadcast(dir, name)) == NULL)
			continue;
		b->next_discontinuity = TRUE;
		g_hash_table_insert(hls->broadcasts, b->token, b);
		/* Off air for longer than any recess: the hearing ended while
		 * the relay was down. */
		if (b->ended_us == 0 && last_activity_us(b) < g_get_real_time() - STALE_US) {
			b->ended_us = last_activity_us(b);
			save_meta(hls, b);
		}
		/* An unfinished broadcast resumes if its hearing comes back. */
		if (b->ended_us == 0) {
			Room *r = room_get(hls, b->room_key);

			if (r->b != NULL && r->b->started_us > b->started_us) {
				b->ended_us = g_get_real_time();
				save_meta(hls, b);
			} else {
				if (r->b != NULL) {
					r->b->ended_us = g_get_real_time();
					save_meta(hls, r->b);
				}
				r->b = b;
			}
		}
	}
}

CavHls *
cav_hls_new(const CavHlsConfig *cfg, CavDirectory *dir, GError **error)
{
	g_autoptr(CavHls) hls = g_new0(CavHls, 1);
	g_autoptr(GPtrArray) now = NULL;

	hls->cfg = *cfg;
	hls->cfg.hls_dir = g_strdup(cfg->hls_dir);
	hls->cfg.x264_preset = g_strdup(cfg->x264_preset);
	hls->cfg.slate_text = g_strdup(cfg->slate_text);
	hls->dir = dir;
	hls->rooms =
		g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)room_free);
	hls->broadcasts = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
						(GDestroyNotify)cav_hls_broadcast_free);
	if (!cfg->enabled)
		return g_steal_pointer(&hls);
	if (g_mkdir_with_parents(cfg->hls_dir, 0755) != 0) {
		g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_FAILED,
			    "Cannot create the public HLS folder %s: %s", cfg->hls_dir,
			    g_strerror(errno));
		return NULL;
	}
	hls->slate = cav_hls_slate_render(cfg->width, cfg->height, cfg->slate_text, error);
	if (hls->slate == NULL)
		return NULL;
	load_all(hls);
	hls->watch = cav_directory_watch(dir, on_directory, hls);
	now = cav_directory_snapshot(dir);
	for (guint i = 0; i < now->len; i++)
		on_directory(now->pdata[i], FALSE, hls);
	return g_steal_pointer(&hls);
}

void
cav_hls_free(CavHls *hls)
{
	if (hls == NULL)
		return;
	if (hls->watch != 0)
		cav_directory_unwatch(hls->dir, hls->watch);
	g_hash_table_unref(hls->rooms);
	g_hash_table_unref(hls->broadcasts);
	if (hls->slate != NULL)
		gst_buffer_unref(hls->slate);
	cav_hls_config_clear(&hls->cfg);
	g_free(hls);
}

/* ---- queries and the cut ------------------------------------------------------ */

static CavHlsState
state_of(CavHls *hls, const CavHlsBroadcast *b, gboolean *cut)
{
	Room *r = g_hash_table_lookup(hls->rooms, b->room_key);
	gboolean current = r != NULL && r->b == b;

	if (cut != NULL)
		*cut = current && r->cut;
	if (b->ended_us != 0)
		return CAV_HLS_FINISHED;
	return current && r->running != NULL ? CAV_HLS_LIVE : CAV_HLS_PAUSED;
}

static gint
newest_first(gconstpointer a, gconstpointer b)
{
	const CavHlsListItem *x = a, *y = b;

	return (x->b->started_us < y->b->started_us) - (x->b->started_us > y->b->started_us);
}

GArray *
cav_hls_list(CavHls *hls)
{
	GArray *out = g_array_new(FALSE, TRUE, sizeof(CavHlsListItem));
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, hls->broadcasts);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		CavHlsListItem item = {.b = value};

		item.state = state_of(hls, value, &item.cut);
		g_array_append_val(out, item);
	}
	g_array_sort(out, newest_first);
	return out;
}

const CavHlsBroadcast *
cav_hls_find(CavHls *hls, const char *token, CavHlsState *state)
{
	const CavHlsBroadcast *b;

	if (!cav_hls_token_valid(token))
		return NULL;
	b = g_hash_table_lookup(hls->broadcasts, token);
	if (b != NULL && state != NULL)
		*state = state_of(hls, b, NULL);
	return b;
}

gboolean
cav_hls_set_cut(CavHls *hls, const char *room_key, gboolean cut, gint64 *at_us, GError **error)
{
	CavLiveEntry *e = cav_directory_get(hls->dir, room_key);
	Room *r = g_hash_table_lookup(hls->rooms, room_key);

	cav_live_entry_free(e);
	if (r == NULL && e == NULL) {
		g_set_error(error, CAV_HLS_ERROR, CAV_HLS_ERROR_NOT_FOUND,
			    "No room %s is known to the relay", room_key);
		return FALSE;
	}
	if (r == NULL)
		r = room_get(hls, room_key);
	r->cut = cut;
	if (r->running != NULL)
		cav_hls_pipeline_set_cut(r->running->p, cut);
	if (r->stopping != NULL)
		cav_hls_pipeline_set_cut(r->stopping->p, cut);
	if (at_us != NULL)
		*at_us = g_get_real_time();
	g_message("public output of %s %s", room_key, cut ? "cut (slate)" : "restored");
	return TRUE;
}

gboolean
cav_hls_room_state(CavHls *hls, const char *room_key, CavHlsState *state, gboolean *cut,
		   const char **token)
{
	Room *r = g_hash_table_lookup(hls->rooms, room_key);

	if (r == NULL)
		return FALSE;
	*cut = r->cut;
	*token = r->b != NULL ? r->b->token : NULL;
	*state = r->b != NULL ? state_of(hls, r->b, NULL) : CAV_HLS_FINISHED;
	return TRUE;
}

gint64
cav_hls_cut_media_us(CavHls *hls, const char *room_key)
{
	Room *r = g_hash_table_lookup(hls->rooms, room_key);

	if (r == NULL || r->running == NULL)
		return 0;
	return cav_hls_pipeline_cut_media_us(r->running->p);
}
