/* store-private.h — helpers shared by the store*.c files only. */
#pragma once

#include "store.h"

struct CavStore {
	sqlite3 *db; /* owned */
	char *path;  /* owned */
};

/* Prepares @sql or sets @error naming it. */
sqlite3_stmt *cav_store_prepare(CavStore *store, const char *sql, GError **error);
/* sqlite3_finalize() as a g_autoptr cleanup. */
typedef sqlite3_stmt CavStmt;
void cav_stmt_free(CavStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavStmt, cav_stmt_free)

/* Binds text, or NULL when @text is NULL. */
void cav_bind_text(sqlite3_stmt *stmt, int index, const char *text);
/* Binds an integer, or NULL when @value is 0 and @zero_is_null. */
void cav_bind_int64(sqlite3_stmt *stmt, int index, gint64 value, gboolean zero_is_null);
/* Column as a newly allocated string (NULL for SQL NULL). */
char *cav_col_dup(sqlite3_stmt *stmt, int col);

/* Runs a statement expected to finish with SQLITE_DONE. */
gboolean cav_store_step_done(CavStore *store, sqlite3_stmt *stmt, const char *what, GError **error);
