/* registry.h — the relay's SQLite registry: enrolled appliances and their
 * rooms, enrollment tokens, publish sessions (live sources), accounts and
 * the hash-chained audit log.
 *
 * One CavRegistry per process, used only from the control plane's main
 * thread. WAL journal, foreign keys on, migrations by user_version
 * (registry-schema.c), each in one transaction. Audit rows are written by
 * appliance/audit.c, the same code as courtavd's, so `courtavctl audit
 * verify` checks a relay's log too.
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>
#include "common/signer.h"

G_BEGIN_DECLS

#define CAV_REGISTRY_ERROR (cav_registry_error_quark())
GQuark cav_registry_error_quark(void);

typedef enum {
	CAV_REGISTRY_ERROR_OPEN,       /* cannot open or migrate */
	CAV_REGISTRY_ERROR_SQL,        /* a statement failed */
	CAV_REGISTRY_ERROR_CONSTRAINT, /* UNIQUE/CHECK/FK refused the change */
	CAV_REGISTRY_ERROR_NOT_FOUND,  /* no such row */
} CavRegistryError;

typedef struct CavRegistry CavRegistry;

/* Opens (creating) and migrates @path. @signer (unowned, must outlive the
 * registry) signs the audit checkpoint. (transfer full) */
G_GNUC_WARN_UNUSED_RESULT
CavRegistry *cav_registry_open(const char *path, const CavSigner *signer, GError **error);
void cav_registry_close(CavRegistry *reg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavRegistry, cav_registry_close)

/* (transfer none) */
sqlite3 *cav_registry_db(CavRegistry *reg);
const char *cav_registry_path(CavRegistry *reg);
/* The schema version this build migrates to. */
guint cav_registry_schema_version(void);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK (never fails visibly). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_registry_begin(CavRegistry *reg, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_registry_commit(CavRegistry *reg, GError **error);
void cav_registry_rollback(CavRegistry *reg);

/* One audit row (joins the current transaction if any). @object and
 * @detail_json nullable. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_registry_audit(CavRegistry *reg, const char *actor, const char *action,
			    const char *object, const char *detail_json, GError **error);

/* ---- appliances ---------------------------------------------------------- */

typedef struct {
	char *id;         /* "a-<key id>" or the name the enrollment token gave (owned) */
	char *name;       /* (owned, nullable) */
	char *court;      /* (owned, nullable) */
	char *sig_alg;    /* "ed25519" (owned) */
	char *public_key; /* SubjectPublicKeyInfo PEM (owned) */
	char *key_id;     /* cav_signer_key_id() of public_key (owned) */
	gint64 enrolled_us;
	gint64 last_seen_us; /* 0 never */
	char *last_addr;     /* (owned, nullable) */
	char *health;        /* the last heartbeat, JSON text (owned, nullable) */
	gboolean disabled;
} CavApplianceRow;

void cav_appliance_row_free(CavApplianceRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavApplianceRow, cav_appliance_row_free)

G_GNUC_WARN_UNUSED_RESULT
gboolean cav_registry_appliance_insert(CavRegistry *reg, const CavApplianceRow *row,
				       GError **error);
/* (transfer full) NULL with NOT_FOUND when absent. */
CavApplianceRow *cav_registry_appliance_get(CavRegistry *reg, const char *id, GError **error);
CavApplianceRow *cav_registry_appliance_by_key(CavRegistry *reg, const char *key_id,
					       GError **error);
/* By id. (transfer full) of CavApplianceRow */
GPtrArray *cav_registry_appliance_list(CavRegistry *reg, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_registry_appliance_seen(CavRegistry *reg, const char *id, gint64 at_us,
				     const char *addr, const char *health_json, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_registry_appliance_set_disabled(CavRegistry *reg, const char *id, gboolean disabled,
					     GError **error);

/* ---- enrollment tokens ----------------------------------------------------- */

typedef enum {
	CAV_ENROLL_OK,
	CAV_ENROLL_UNKNOWN,
	CAV_ENROLL_EXPIRED,
	CAV_ENROLL_USED,
} CavEnrollStatus;

G_GNUC_WARN_UNUSED_RESULT
gboolean cav_registry_enrollment_insert(CavRegistry *reg, const char *token_sha256,
					const char *appliance_id, gint64 created_us,
					gint64 expires_us, const char *created_by, GError **error);
/* Marks the token used by @key_id if it is unused and unexpired at @now_us.
 * *out_status says why not otherwise (no @error then); *out_appliance_id
 * gets the id the token was issued for (nullable result). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_registry_enrollment_consume(CavRegistry *reg, const char *token_sha256, gint64 now_us,
					 const char *key_id, CavEnrollStatus *out_status,
					 char **out_appliance_id, GError **error);

/* ---- rooms ----------------------------------------------------------------- */

typedef struct {
	char *key;          /* "<appliance id>/<room id>" (owned) */
	char *appliance_id; /* (owned) */
	char *room_id;      /* (owned) */
	char *name;         /* (owned, nullable) */
	char *court;        /* (owned, nullable) */
} CavRoomRow;

void cav_room_row_free(CavRoomRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavRoomRow, cav_room_row_free)

G_GNUC_WARN_UNUSED_RESULT
gboolean cav_registry_room_upsert(CavRegistry *reg, const char *appliance_id, const char *room_id,
				  const char *name, const char *court, GError **error);
/* (transfer full) of CavRoomRow, by key */
GPtrArray *cav_registry_room_list(CavRegistry *reg, GError **error);

/* ---- live sources (one row per publish session) ---------------------------- */

/* Returns the new row id, or 0 with @error. */
G_GNUC_WARN_UNUSED_RESULT
gint64 cav_registry_live_begin(CavRegistry *reg, const char *room_key, guint32 ssrc_video,
			       guint32 ssrc_audio, const char *suite, gint64 hearing_id,
			       gint64 started_us, GError **error);
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_registry_live_end(CavRegistry *reg, gint64 id, gint64 ended_us, GError **error);
/* The room key of publish session @id, or NULL (NOT_FOUND). (transfer full) */
char *cav_registry_live_room(CavRegistry *reg, gint64 id, GError **error);
/* Closes every open row (at start-up: a previous run's sessions ended). */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_registry_live_end_all(CavRegistry *reg, gint64 ended_us, GError **error);

G_END_DECLS
