/* ctl-output.h — how courtavctl prints: aligned tables that count a Chinese
 * character as two columns, Beijing times, durations, and tolerant reads of
 * the daemon's JSON.
 *
 * Output goes through stdio, not g_print(): g_print() converts to the
 * locale's charset and would turn every Chinese character into an escape
 * under LANG=C. Text from the daemon is shown with control characters
 * replaced, so a label cannot move the cursor or recolour the terminal.
 * Single-threaded, like the rest of courtavctl.
 */
#pragma once

#include <stdio.h>
#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Terminal columns taken by UTF-8 @s: wide (CJK) characters count two,
 * combining marks none, an invalid byte one. */
guint cav_ctl_text_width(const char *s);
/* @s with C0/C1 control characters and invalid UTF-8 replaced by U+FFFD.
 * (transfer full) */
char *cav_ctl_text_sanitize(const char *s);

typedef struct CavCtlTable CavCtlTable;

/* A table whose first row is the given headers (NULL-terminated). The
 * column count is the number of headers. (transfer full) */
CavCtlTable *cav_ctl_table_new(const char *header, ...) G_GNUC_NULL_TERMINATED;
/* A table of @n_cols columns with no header row (key/value blocks). */
CavCtlTable *cav_ctl_table_new_plain(guint n_cols);
void cav_ctl_table_free(CavCtlTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavCtlTable, cav_ctl_table_free)
/* Spaces before every row. */
void cav_ctl_table_set_indent(CavCtlTable *table, guint spaces);
/* Adds a row of exactly as many strings as columns; NULL shows as "-". The
 * strings are copied. */
void cav_ctl_table_add(CavCtlTable *table, ...);
guint cav_ctl_table_rows(const CavCtlTable *table);
/* Columns separated by two spaces, padded to the widest cell; the last
 * column is not padded. (transfer full) */
char *cav_ctl_table_render(const CavCtlTable *table);
void cav_ctl_table_print(const CavCtlTable *table, FILE *out);

/* "2026-11-28 17:45:01" (Beijing) for @us, NULL for @us <= 0. (transfer full) */
char *cav_ctl_format_time(gint64 us);
/* "12:34" or "1:02:03". (transfer full) */
char *cav_ctl_format_duration(gint64 seconds);

/* Member reads that accept a missing member, JSON null or a wrong type and
 * then return NULL / FALSE. (transfer none) */
const char *cav_ctl_json_string(JsonObject *obj, const char *member);
gboolean cav_ctl_json_int(JsonObject *obj, const char *member, gint64 *out);
gboolean cav_ctl_json_bool(JsonObject *obj, const char *member, gboolean *out);
gboolean cav_ctl_json_double(JsonObject *obj, const char *member, double *out);
JsonObject *cav_ctl_json_object(JsonObject *obj, const char *member);
JsonArray *cav_ctl_json_array(JsonObject *obj, const char *member);
/* Element @index of @array when it is an object, else NULL. (transfer none) */
JsonObject *cav_ctl_json_array_object(JsonArray *array, guint index);
/* Decimal text of an integer member, NULL when absent. (transfer full) */
char *cav_ctl_json_int_text(JsonObject *obj, const char *member);
/* Beijing time of an integer *_us member, NULL when absent, null or 0. (transfer full) */
char *cav_ctl_json_time(JsonObject *obj, const char *member);

/* @data, valid JSON, re-indented like cav_ctl_json_pretty() without being
 * re-serialised: numbers and escapes stay as the producer wrote them.
 * (transfer full) */
char *cav_ctl_json_reindent(const char *data, gsize len);
/* Pretty JSON, two-space indent, UTF-8 as is. (transfer full) */
char *cav_ctl_json_pretty(JsonNode *node);
/* Prints cav_ctl_json_pretty() and a newline to stdout. */
void cav_ctl_print_json(JsonNode *node);

G_END_DECLS
