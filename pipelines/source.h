/* source.h — capture sources behind a small backend table.
 *
 * A source is one camera or one microphone named in the config. Its backend
 * ("test" here; "v4l2", "rtsp", "alsa", "evidence" later) turns the config
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
	CAV_SOURCE_ERROR_WRONG_KIND,  /* e.g. a video backend for a microphone */
	CAV_SOURCE_ERROR_BAD_PARAM,   /* unknown key or invalid value; message names the key */
	CAV_SOURCE_ERROR_MISSING_ELEMENT, /* a GStreamer plugin is not installed */
} CavSourceError;

typedef enum {
	CAV_MEDIA_VIDEO = 1 << 0,
	CAV_MEDIA_AUDIO = 1 << 1,
} CavMediaKind;

/* One [camera ID] or [microphone ID] section of the config. */
typedef struct {
	char *id;           /* "cam1": also the track name (owned) */
	char *label;        /* human label, e.g. "审判席" (owned, nullable) */
	char *role;         /* "judge", "prosecution", ... (owned, nullable) */
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

#define CAV_SOURCE_BACKEND_VERSION 1

typedef struct {
	guint version;      /* CAV_SOURCE_BACKEND_VERSION */
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
} CavSourceBackend;

/* (transfer none) NULL when unknown. */
const CavSourceBackend *cav_source_backend_lookup(const char *name);
/* NULL-terminated list of all backends. (transfer none) */
const CavSourceBackend *const *cav_source_backends(void);

/* Backend lookup + kind check + validate, in that order. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_source_validate(const CavSourceSpec *spec, GError **error);

G_END_DECLS
