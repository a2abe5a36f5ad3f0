/* config.h — courtav-relay's INI configuration, validated up front.
 *
 * Like courtavd's (appliance/config.c), every error names the file, the
 * line and the key; `courtav-relay --check-config FILE` runs exactly this
 * validation. Main thread only.
 *
 * Sections: [relay] (identity, folders, control API, accounts), [media]
 * (the UDP packet path: ingest address, workers, queue sizes), and
 * [public] (public outputs, read by the HLS/watch side). See
 * config/courtav-relay.example.ini for every key with its default.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CAV_RELAY_CONFIG_ERROR (cav_relay_config_error_quark())
GQuark cav_relay_config_error_quark(void);

typedef enum {
	CAV_RELAY_CONFIG_ERROR_IO,
	CAV_RELAY_CONFIG_ERROR_SYNTAX,  /* not a section, key = value or comment */
	CAV_RELAY_CONFIG_ERROR_UNKNOWN, /* unknown section or key */
	CAV_RELAY_CONFIG_ERROR_VALUE,   /* out of range or of the wrong type */
	CAV_RELAY_CONFIG_ERROR_MISSING, /* a required key is absent */
} CavRelayConfigError;

typedef struct {
	char *path;            /* the file read (owned) */
	char *name;            /* [relay] name: shown in the console and logs (owned) */
	char *state_dir;       /* registry.db, relay key (owned) */
	char *listen_host;     /* control API (owned) */
	guint listen_port;     /* 0 picks a free port (tests) */
	char *tls_certificate; /* PEM path: the control API speaks HTTPS (owned, nullable) */
	char *tls_key;         /* (owned, nullable) */
	char *ui_dir;          /* web UI files (owned, nullable) */
	guint session_minutes;
	guint lockout_seconds;
	guint enrollment_minutes;  /* default life of an enrollment token */
	guint heartbeat_timeout_s; /* an appliance silent this long is offline */
	guint signature_window_s;  /* accepted clock skew of a signed request */

	/* [media] */
	char *media_host;      /* UDP address to bind (owned) */
	guint media_port;      /* 0 picks a free port */
	char *media_advertise; /* address appliances send to; default media_host (owned, nullable) */
	guint media_advertise_port; /* port they send to (NAT, a proxy); 0: the bound port */
	guint workers;              /* fan-out worker threads */
	guint queue_packets;        /* per-subscriber queue bound */
	guint max_subscribers;      /* internal subscribers in all */

	/* [public] (the public outputs; free-form keys checked by their owner) */
	GHashTable *public_keys; /* key -> value (owned) */
} CavRelayConfig;

/* Loads and validates @path. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavRelayConfig *cav_relay_config_load(const char *path, GError **error);
/* Same from text; @path names it in messages. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavRelayConfig *cav_relay_config_load_data(const char *path, const char *data, gsize len,
					   GError **error);
void cav_relay_config_free(CavRelayConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavRelayConfig, cav_relay_config_free)

G_END_DECLS
