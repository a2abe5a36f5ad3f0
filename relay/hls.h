/* hls.h — the relay's public output: HLS of every hearing that is public
 * and live, kept for replay once it ended; the cut.
 *
 * The rule that matters most: media of a hearing that is not public is
 * never written where a public URL can reach it. This module follows the
 * live directory (directory.h) and runs a pipeline (hls-pipeline.h) for a
 * room only while its entry says public AND live; it re-checks on every
 * change. If a hearing that was public stops being public, its broadcast
 * is revoked: the pipeline is cancelled, the token forgotten and every file
 * deleted, so its URLs answer 404 from then on (and nginx's cached copies
 * stop being served within ~2 s: see relay/nginx/courtav-relay.conf).
 *
 * Each broadcast lives in <hls_dir>/<token>/ where the token is 128 random
 * bits: a URL can be known only from the public listing, never guessed
 * from a room, case or hearing number.
 *
 * Main thread only (the relay's control-plane context): directory
 * callbacks, pipeline callbacks, the HTTP handlers (api-public.c). Packets
 * reach the pipelines directly from the ingest workers through stream taps.
 */
#pragma once

#include <glib.h>

#include "relay/directory.h"
#include "relay/hls-playlist.h"

G_BEGIN_DECLS

typedef struct {
	gboolean enabled;         /* [public] enabled (default true) */
	char *hls_dir;            /* (owned) default <state_dir>/public-hls */
	guint segment_ms;         /* 1000 */
	guint delay_ms;           /* delay_seconds × 1000, default 0 */
	guint width, height, fps; /* 1280x720, 25 */
	guint video_kbps;         /* 1500 */
	guint audio_kbps;         /* 64 */
	char *x264_preset;        /* (owned) "veryfast" */
	guint window;             /* segments in the live playlist: 6 */
	char *slate_text;         /* (owned, nullable) */
} CavHlsConfig;

/* Reads the [public] section (CavRelayConfig.public_keys); errors name the
 * key and what is allowed. @out is left untouched on failure. */
gboolean cav_hls_config_parse(GHashTable *public_keys, const char *state_dir, CavHlsConfig *out,
			      GError **error) G_GNUC_WARN_UNUSED_RESULT;
void cav_hls_config_clear(CavHlsConfig *cfg);

typedef struct CavHls CavHls;

/* Loads the broadcasts kept in hls_dir, then follows @dir. @cfg is copied.
 * (transfer full) */
CavHls *cav_hls_new(const CavHlsConfig *cfg, CavDirectory *dir,
		    GError **error) G_GNUC_WARN_UNUSED_RESULT;
void cav_hls_free(CavHls *hls);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavHls, cav_hls_free)

const CavHlsConfig *cav_hls_get_config(CavHls *hls);

typedef enum {
	CAV_HLS_LIVE,     /* a pipeline runs: new segments arrive */
	CAV_HLS_PAUSED,   /* the hearing is open but not on air (recess, outage) */
	CAV_HLS_FINISHED, /* the hearing ended: on demand (vod.m3u8) */
} CavHlsState;

typedef struct {
	const CavHlsBroadcast *b; /* unowned, valid until control returns to the loop */
	CavHlsState state;
	gboolean cut;
} CavHlsListItem;

/* Every broadcast, newest first. (transfer container) of CavHlsListItem */
GArray *cav_hls_list(CavHls *hls);

/* The broadcast of @token if it may be served, with its state.
 * (transfer none, nullable) */
const CavHlsBroadcast *cav_hls_find(CavHls *hls, const char *token, CavHlsState *state);
/* The folder of @token's files. (transfer full) */
char *cav_hls_broadcast_dir(CavHls *hls, const char *token);

/* Cut or restore the public output of @room_key. Works whether or not a
 * pipeline runs now: the state holds for the room's current hearing, and
 * a new hearing starts uncut. @at_us (out, optional) is when it took
 * effect. FALSE (CAV_HLS_ERROR_NOT_FOUND) if the relay knows no such room. */
gboolean cav_hls_set_cut(CavHls *hls, const char *room_key, gboolean cut, gint64 *at_us,
			 GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The room's public output now: is a broadcast running, cut, its token.
 * (transfer none) for @token. FALSE if the room is unknown. */
gboolean cav_hls_room_state(CavHls *hls, const char *room_key, CavHlsState *state, gboolean *cut,
			    const char **token);
/* Media time (UTC µs) of the first slate frame since the room's last cut,
 * 0 if none yet (a measurement for tests and the console). */
gint64 cav_hls_cut_media_us(CavHls *hls, const char *room_key);

G_END_DECLS
