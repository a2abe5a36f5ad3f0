/* registry-private.h — what the registry*.c files and users.c share. */
#pragma once

#include "registry.h"

struct CavRegistry {
	sqlite3 *db;             /* owned */
	char *path;              /* owned */
	const CavSigner *signer; /* unowned */
};

/* Migration @index (0-based), SQL text. (transfer none) */
const char *cav_registry_migration(guint index);

/* sqlite3_finalize() as a g_autoptr cleanup. */
typedef sqlite3_stmt CavRegStmt;
void cav_reg_stmt_free(CavRegStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavRegStmt, cav_reg_stmt_free)

/* Sets @error from the handle's last failure, prefixed by @what; FALSE. */
gboolean cav_registry_fail(CavRegistry *reg, const char *what, GError **error);
/* Prepares @sql or sets @error. (transfer full) */
sqlite3_stmt *cav_registry_prepare(CavRegistry *reg, const char *sql, GError **error);
/* Steps a statement expected to finish with SQLITE_DONE. */
gboolean cav_registry_step_done(CavRegistry *reg, sqlite3_stmt *stmt, const char *what,
				GError **error);
void cav_reg_bind_text(sqlite3_stmt *stmt, int index, const char *text);
char *cav_reg_col_dup(sqlite3_stmt *stmt, int col);
