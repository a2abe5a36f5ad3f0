/* config.h — courtavd's INI configuration (GKeyFile), validated up front.
 *
 * Every error names the file, the line and the key, so a technician at a
 * console can fix it without guessing: `courtavd --check-config FILE` runs
 * exactly this validation and nothing else. Main thread only.
 *
 * Sections: [courtavd] (identity, folders, API address), [recording]
 * (sizes, bitrates, segmenting, program layout), [program] (overlays, main
 * camera), [voice] (voice-activated switching), [audio] (role tracks,
 * microphone alarms), [storage] (disk guard),
 * one [camera ID] or [microphone ID] per source, one [evidence ID] per
 * evidence input (recorded only while in use), and [relay] (the live
 * push to courtav-relay, optional). See
 * config/courtavd.example.ini for every key with its default.
 */
#pragma once

#include <glib.h>
#include "pipelines/recorder.h"
#include "pipelines/mic-watch.h"
#include "pipelines/vad-switch.h"

G_BEGIN_DECLS

#define CAV_CONFIG_ERROR (cav_config_error_quark())
GQuark cav_config_error_quark(void);

typedef enum {
	CAV_CONFIG_ERROR_IO,
	CAV_CONFIG_ERROR_SYNTAX,  /* a line that is not a section, key = value or comment */
	CAV_CONFIG_ERROR_UNKNOWN, /* unknown section or key */
	CAV_CONFIG_ERROR_VALUE,   /* a value out of range or of the wrong type */
	CAV_CONFIG_ERROR_MISSING, /* a required key or section is absent */
} CavConfigError;

typedef struct {
	char *path;        /* the file read (owned) */
	char *room_id;     /* [courtavd] room: ASCII id used in file names (owned) */
	char *room_name;   /* (owned) */
	char *court;       /* (owned, nullable) */
	char *state_dir;   /* database, device key (owned) */
	char *media_dir;   /* recordings; default <state_dir>/media (owned) */
	char *listen_host; /* API address (owned) */
	guint listen_port;
	char *sig_alg; /* "ed25519" (owned) */
	/* The touch panel's address, besides the loopback `listen` (issue 4):
	 * HTTPS when tls_certificate/tls_key are set. (owned, nullable) */
	char *panel_host;
	guint panel_port;
	char *tls_certificate; /* PEM path (owned, nullable) */
	char *tls_key;         /* PEM path (owned, nullable) */
	char *ui_dir; /* the web UI's files (ui/ of the source tree or installed) (owned) */
	guint session_minutes; /* how long a login lasts */
	guint lockout_seconds; /* cool-down after 5 wrong secrets */

	CavRecordFormat format; /* [recording]; format.x264_preset points into x264_preset */
	char *x264_preset;      /* (owned) */
	char *layout;           /* (owned) */
	char *overlay_text;     /* (owned, nullable) */

	/* [program] (issue 3): the program's overlays and main camera. The
	 * strings of @overlays point into the owned fields below; case_number
	 * is filled per hearing (when show_case). */
	CavProgramOverlays overlays;
	char *caption;          /* default "<court> <room_name>" (owned, nullable: hidden) */
	char *text;             /* free text (owned, nullable) */
	char *caption_position; /* (owned) */
	char *text_position;    /* (owned) */
	char *clock_position;   /* (owned) */
	char *font;             /* (owned, nullable) */
	gboolean show_case;     /* the case number under the caption */
	char *main_camera;      /* in the main pane at start (owned, nullable: the first) */

	/* [voice]: voice-activated switching (语音激励). voice.fallback is the
	 * index of voice_fallback among the cameras. */
	gboolean voice_enabled;
	CavVadConfig voice;
	char *voice_fallback;   /* camera id (owned) */
	GHashTable *mic_camera; /* [microphone] camera: mic id -> camera id (owned) */

	/* [audio]: per-role tracks and microphone alarms. */
	GStrv role_tracks; /* roles recorded on their own track (owned, may be empty) */
	CavMicWatchConfig mic_watch;

	double min_free_hours;   /* [storage] refuse to open/resume below this */
	double alarm_free_hours; /* alarm below this */
	guint64 stop_free_bytes; /* stop recording cleanly below this */
	guint check_interval_ms; /* how often the disk guard looks */

	GPtrArray *sources; /* of CavSourceSpec, cameras first, in file order (owned) */
	/* [evidence ID]: inputs recorded only while in use (an HDMI capture,
	 * or image/video files from a folder), not in the program. Their ids
	 * share the sources' name space (they name tracks). */
	GPtrArray *evidence; /* of CavSourceSpec, kind video, in file order (owned) */

	/* [relay] (issue 5): the live push. relay_url NULL: no streaming. */
	char *relay_url;         /* "http(s)://host:port" of courtav-relay (owned, nullable) */
	char *relay_token;       /* one-time enrollment token (owned, nullable) */
	char *relay_ca_file;     /* PEM of the relay's CA for HTTPS (owned, nullable) */
	char *relay_suite;       /* SRTP suite asked for (owned) */
	guint relay_heartbeat_s; /* heartbeat period */
	guint relay_width;       /* live picture size, frame rate and bitrates */
	guint relay_height;
	guint relay_fps;
	guint relay_video_kbps;
	guint relay_audio_kbps;
} CavConfig;

/* Loads and validates @path. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavConfig *cav_config_load(const char *path, GError **error);
/* Same from text; @path is used in messages only. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavConfig *cav_config_load_data(const char *path, const char *data, gsize len, GError **error);
void cav_config_free(CavConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavConfig, cav_config_free)

/* `--check-config` only: opens every device the sources name (a V4L2 node
 * and its formats, an ALSA device and its channels, an IP camera's port)
 * and fails with file:line:key on the first that is missing or cannot
 * deliver. Never called by the running daemon, which records the others
 * and raises an alarm for a missing device instead. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_config_check_devices(const CavConfig *config, GError **error);

/* Evidence input @id, or NULL. (transfer none) */
const CavSourceSpec *cav_config_evidence(const CavConfig *config, const char *id);

/* Number of camera sources. */
guint cav_config_n_cameras(const CavConfig *config);
/* Index of camera @id among the cameras, -1 when it is not one. */
gint cav_config_camera_index(const CavConfig *config, const char *id);

/* Bytes per hour all tracks write together at the configured bitrates
 * (each video file also carries the audio mix), plus 2% container overhead. */
guint64 cav_config_bytes_per_hour(const CavConfig *config);

G_END_DECLS
