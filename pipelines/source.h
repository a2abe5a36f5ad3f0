/* source.h — capture sources behind a small backend table.
 *
 * A source is one camera or one microphone named in the config. Its backend
 * ("test", "v4l2", "rtsp", "alsa", "file") turns the config
 * section into a GstBin with a single "src" ghost pad. Adding a backend means
 * one new file (source-<name>.c) and one line in source.c's table.
 *
 * Called from the main thread only (building pipelines); the bins they make
 * run on streaming threads like any GStreamer element.
 */
#pragma once

#include <glib.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define CAV_SOURCE_ERROR (cav_source_error_quark())
GQuark cav_source_error_quark(void);

typedef enum {
	CAV_SOURCE_ERROR_UNKNOWN_BACKEND,
	CAV_SOURCE_ERROR_WRONG_KIND,      /* e.g. a video backend for a microphone */
	CAV_SOURCE_ERROR_BAD_PARAM,       /* unknown key or invalid value; message names the key */
	CAV_SOURCE_ERROR_MISSING_ELEMENT, /* a GStreamer plugin is not installed */
} CavSourceError;

typedef enum {
	CAV_MEDIA_VIDEO = 1 << 0,
	CAV_MEDIA_AUDIO = 1 << 1,
} CavMediaKind;

/* One [camera ID] or [microphone ID] section of the config. */
typedef struct {
	char *id;    /* "cam1": also the track name (owned) */
	char *label; /* human label, e.g. "审判席" (owned, nullable) */
	char *role;  /* "judge", "prosecution", ... (owned, nullable) */
	CavMediaKind kind;
	char *backend;      /* "test" (owned) */
	GHashTable *params; /* backend keys, string -> string (owned) */
} CavSourceSpec;

CavSourceSpec *cav_source_spec_new(const char *id, CavMediaKind kind, const char *backend);
void cav_source_spec_free(CavSourceSpec *spec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavSourceSpec, cav_source_spec_free)

/* Raw formats every source must deliver on its "src" pad, so the rest of the
 * graph never renegotiates: video I420 at the configured size and rate,
 * audio S16LE mono at 48 kHz. */
typedef struct {
	guint width;
	guint height;
	guint fps;
} CavVideoFormat;

#define CAV_AUDIO_RATE 48000

/* Version 1: name, kinds, param_keys, validate, create.
 * Version 2 adds the optional hooks at the end of the table (NULL = absent);
 * a version-1 table is still accepted and its missing hooks read as NULL. */
#define CAV_SOURCE_BACKEND_VERSION 2

typedef struct {
	guint version;      /* CAV_SOURCE_BACKEND_VERSION (or 1) */
	const char *name;   /* "test" */
	CavMediaKind kinds; /* which kinds it can capture */
	/* NULL-terminated list of the config keys it accepts, for unknown-key
	 * errors at --check-config time. */
	const char *const *param_keys;
	/* Checks the params without touching hardware. */
	gboolean (*validate)(const CavSourceSpec *spec, GError **error);
	/* A bin with one "src" ghost pad in the fixed raw format above.
	 * @video is NULL for audio sources. (transfer floating) */
	GstElement *(*create)(const CavSourceSpec *spec, const CavVideoFormat *video,
			      GError **error);

	/* --- Version 2, all optional --- */

	/* TRUE when create() gives, besides "src", a second ghost pad "encoded"
	 * carrying the source's own H.264 (video/x-h264, stream-format=avc3,
	 * alignment=au, parsed but never re-encoded; avc3 keeps the parameter
	 * sets in band, so the slate can take over the track mid-file). The recorder then writes
	 * "encoded" to the camera's track as it is (passthrough: an IP camera's
	 * bitstream is the evidence) and uses "src" only for the program and the
	 * inter channel. */
	gboolean (*has_encoded)(const CavSourceSpec *spec);
	/* Checks the hardware @spec names without keeping it open: the device
	 * exists and can deliver a format the backend can use. For
	 * `courtavd --check-config`; never called while recording. @video is
	 * NULL for audio sources. */
	gboolean (*probe)(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error);
	/* Sources that must be captured together (the channels of one
	 * multi-channel ALSA card): a key naming what they share, e.g. the
	 * device, or NULL when @spec captures alone. (transfer full) */
	char *(*group_key)(const CavSourceSpec *spec);
	/* Checks the specs of one group together (channel counts agree, no two
	 * on one channel). */
	gboolean (*validate_group)(const CavSourceSpec *const *specs, guint n_specs,
				   GError **error);
	/* One bin capturing every spec of a group, with ghost pads "src_0" ..
	 * "src_<n-1>" in the order of @specs, each in the fixed raw format.
	 * (transfer floating) */
	GstElement *(*create_group)(const CavSourceSpec *const *specs, guint n_specs,
				    GError **error);
} CavSourceBackend;

/* The version-2 hooks of @backend, NULL for a version-1 table. */
#define CAV_SOURCE_BACKEND_HOOK(backend, hook) ((backend)->version >= 2 ? (backend)->hook : NULL)

/* (transfer none) NULL when unknown. */
const CavSourceBackend *cav_source_backend_lookup(const char *name);
/* NULL-terminated list of all backends. (transfer none) */
const CavSourceBackend *const *cav_source_backends(void);

/* Backend lookup + kind check + validate, in that order. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_source_validate(const CavSourceSpec *spec, GError **error);

/* Checks that go across sources: the specs of each capture group together
 * (validate_group). @specs as a config holds them. On failure *@failed
 * (nullable) is the spec the error is about. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_source_validate_all(const GPtrArray *specs, const CavSourceSpec **failed,
				 GError **error);

/* Checks the hardware @spec names (its backend's probe; TRUE without one),
 * for `--check-config`. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_source_probe(const CavSourceSpec *spec, const CavVideoFormat *video, GError **error);

/* TRUE when @spec's backend records its own H.264 (has_encoded). */
gboolean cav_source_has_encoded(const CavSourceSpec *spec);

/* The capture group of @spec, NULL when it captures alone. (transfer full) */
char *cav_source_group_key(const CavSourceSpec *spec);

/* The specs of @specs captured together with @spec (its group, in @specs'
 * order), or just @spec. (transfer container) */
GPtrArray *cav_source_group_of(const GPtrArray *specs, const CavSourceSpec *spec);

/* A deep copy. (transfer full) */
CavSourceSpec *cav_source_spec_copy(const CavSourceSpec *spec);

/* A source's health changed: lost (nothing for its lost_after_ms, or an
 * error: its track and pane show the slate) or delivering again. */
typedef struct {
	const char *id;     /* source id (unowned) */
	gboolean ok;        /* FALSE: lost */
	gint64 since_us;    /* UTC: the last data before the loss, or the first after it */
	const char *reason; /* why it was lost, e.g. the device's error (unowned, nullable) */
} CavSourceHealth;

/* Keys every backend accepts besides its own: the source health watchdog's
 * (source-guard.h). */
#define CAV_SOURCE_KEY_LOST_AFTER "lost_after_ms"

G_END_DECLS
