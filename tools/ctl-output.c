/* ctl-output.c — tables, times and tolerant JSON reads for courtavctl's
 * human output (see ctl-output.h).
 *
 * Column widths are measured in terminal cells, not bytes or characters:
 * case numbers and titles are mostly Chinese, and padding by bytes would
 * leave every column after them ragged. The daemon's JSON is read
 * tolerantly (a missing member prints as "-") because a newer daemon may
 * drop or add fields and the CLI should still show what it can; --json is
 * there for exact output.
 */
#include "ctl-output.h"

#include <stdarg.h>
#include <string.h>
#include "common/timefmt.h"

#define REPLACEMENT 0xFFFD

guint
cav_ctl_text_width(const char *s)
{
	guint width = 0;

	if (s == NULL)
		return 0;
	for (const char *p = s; *p;) {
		gunichar c = g_utf8_get_char_validated(p, -1);

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			width++;
			p++;
			continue;
		}
		if (!g_unichar_iszerowidth(c))
			width += g_unichar_iswide(c) ? 2 : 1;
		p = g_utf8_next_char(p);
	}
	return width;
}

static gboolean
is_control(gunichar c)
{
	return c < 0x20 || (c >= 0x7f && c < 0xa0);
}

char *
cav_ctl_text_sanitize(const char *s)
{
	GString *out;

	if (s == NULL)
		return NULL;
	out = g_string_sized_new(strlen(s));
	for (const char *p = s; *p;) {
		gunichar c = g_utf8_get_char_validated(p, -1);

		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_unichar(out, REPLACEMENT);
			p++;
			continue;
		}
		if (is_control(c))
			g_string_append_unichar(out, REPLACEMENT);
		else
			g_string_append_len(out, p, g_utf8_next_char(p) - p);
		p = g_utf8_next_char(p);
	}
	return g_string_free(out, FALSE);
}

struct CavCtlTable {
	guint n_cols;
	guint indent;
	gboolean has_header;
	GPtrArray *rows; /* of char ** with n_cols sanitised cells (owned) */
};

static CavCtlTable *
table_alloc(guint n_cols)
{
	CavCtlTable *t = g_new0(CavCtlTable, 1);

	t->n_cols = n_cols;
	t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	return t;
}

CavCtlTable *
cav_ctl_table_new(const char *header, ...)
{
	g_autoptr(GPtrArray) cells = g_ptr_array_new();
	CavCtlTable *t;
	va_list ap;

	va_start(ap, header);
	for (const char *h = header; h != NULL; h = va_arg(ap, const char *))
		g_ptr_array_add(cells, g_strdup(h));
	va_end(ap);
	g_return_val_if_fail(cells->len > 0, NULL);

	t = table_alloc(cells->len);
	t->has_header = TRUE;
	g_ptr_array_add(cells, NULL);
	g_ptr_array_add(t->rows, g_ptr_array_steal(cells, NULL));
	return t;
}

CavCtlTable *
cav_ctl_table_new_plain(guint n_cols)
{
	g_return_val_if_fail(n_cols > 0, NULL);
	return table_alloc(n_cols);
}

void
cav_ctl_table_free(CavCtlTable *table)
{
	if (table == NULL)
		return;
	g_ptr_array_unref(table->rows);
	g_free(table);
}

void
cav_ctl_table_set_indent(CavCtlTable *table, guint spaces)
{
	table->indent = spaces;
}

void
cav_ctl_table_add(CavCtlTable *table, ...)
{
	char **row = g_new0(char *, table->n_cols + 1);
	va_list ap;

	va_start(ap, table);
	for (guint i = 0; i < table->n_cols; i++) {
		const char *cell = va_arg(ap, const char *);

		row[i] =
			cell != NULL && *cell != '\0' ? cav_ctl_text_sanitize(cell) : g_strdup("-");
	}
	va_end(ap);
	g_ptr_array_add(table->rows, row);
}

guint
cav_ctl_table_rows(const CavCtlTable *table)
{
	return table->rows->len - (table->has_header ? 1 : 0);
}

char *
cav_ctl_table_render(const CavCtlTable *table)
{
	g_autofree guint *widths = g_new0(guint, table->n_cols);
	GString *out = g_string_new(NULL);

	for (guint r = 0; r < table->rows->len; r++) {
		char **row = g_ptr_array_index(table->rows, r);

		for (guint c = 0; c < table->n_cols; c++)
			widths[c] = MAX(widths[c], cav_ctl_text_width(row[c]));
	}
	for (guint r = 0; r < table->rows->len; r++) {
		char **row = g_ptr_array_index(table->rows, r);

		for (guint i = 0; i < table->indent; i++)
			g_string_append_c(out, ' ');
		for (guint c = 0; c < table->n_cols; c++) {
			g_string_append(out, row[c]);
			if (c + 1 == table->n_cols)
				break;
			for (guint w = cav_ctl_text_width(row[c]); w < widths[c] + 2; w++)
				g_string_append_c(out, ' ');
		}
		g_string_append_c(out, '\n');
	}
	return g_string_free(out, FALSE);
}

void
cav_ctl_table_print(const CavCtlTable *table, FILE *out)
{
	g_autofree char *text = cav_ctl_table_render(table);

	fputs(text, out);
}

char *
cav_ctl_format_time(gint64 us)
{
	if (us <= 0)
		return NULL;
	return cav_time_beijing(us);
}

char *
cav_ctl_format_duration(gint64 seconds)
{
	if (seconds < 0)
		seconds = 0;
	if (seconds >= 3600)
		return g_strdup_printf("%" G_GINT64_FORMAT ":%02d:%02d", seconds / 3600,
				       (int)(seconds / 60 % 60), (int)(seconds % 60));
	return g_strdup_printf("%d:%02d", (int)(seconds / 60), (int)(seconds % 60));
}

/* The member's node when it holds a plain value; NULL when the member is
 * absent, null, an object or an array. */
static JsonNode *
value_member(JsonObject *obj, const char *member)
{
	JsonNode *node;

	if (obj == NULL)
		return NULL;
	node = json_object_get_member(obj, member);
	if (node == NULL || !JSON_NODE_HOLDS_VALUE(node))
		return NULL;
	return node;
}

const char *
cav_ctl_json_string(JsonObject *obj, const char *member)
{
	JsonNode *node = value_member(obj, member);

	if (node == NULL || json_node_get_value_type(node) != G_TYPE_STRING)
		return NULL;
	return json_node_get_string(node);
}

gboolean
cav_ctl_json_int(JsonObject *obj, const char *member, gint64 *out)
{
	JsonNode *node = value_member(obj, member);

	if (node == NULL || json_node_get_value_type(node) != G_TYPE_INT64)
		return FALSE;
	*out = json_node_get_int(node);
	return TRUE;
}

gboolean
cav_ctl_json_bool(JsonObject *obj, const char *member, gboolean *out)
{
	JsonNode *node = value_member(obj, member);

	if (node == NULL || json_node_get_value_type(node) != G_TYPE_BOOLEAN)
		return FALSE;
	*out = json_node_get_boolean(node);
	return TRUE;
}

gboolean
cav_ctl_json_double(JsonObject *obj, const char *member, double *out)
{
	JsonNode *node = value_member(obj, member);

	if (node == NULL)
		return FALSE;
	if (json_node_get_value_type(node) == G_TYPE_DOUBLE)
		*out = json_node_get_double(node);
	else if (json_node_get_value_type(node) == G_TYPE_INT64)
		*out = (double)json_node_get_int(node);
	else
		return FALSE;
	return TRUE;
}

JsonObject *
cav_ctl_json_object(JsonObject *obj, const char *member)
{
	JsonNode *node = obj != NULL ? json_object_get_member(obj, member) : NULL;

	return node != NULL && JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

JsonArray *
cav_ctl_json_array(JsonObject *obj, const char *member)
{
	JsonNode *node = obj != NULL ? json_object_get_member(obj, member) : NULL;

	return node != NULL && JSON_NODE_HOLDS_ARRAY(node) ? json_node_get_array(node) : NULL;
}

JsonObject *
cav_ctl_json_array_object(JsonArray *array, guint index)
{
	JsonNode *node;

	if (array == NULL || index >= json_array_get_length(array))
		return NULL;
	node = json_array_get_element(array, index);
	return JSON_NODE_HOLDS_OBJECT(node) ? json_node_get_object(node) : NULL;
}

char *
cav_ctl_json_int_text(JsonObject *obj, const char *member)
{
	gint64 v;

	if (!cav_ctl_json_int(obj, member, &v))
		return NULL;
	return g_strdup_printf("%" G_GINT64_FORMAT, v);
}

char *
cav_ctl_json_time(JsonObject *obj, const char *member)
{
	gint64 us;

	if (!cav_ctl_json_int(obj, member, &us))
		return NULL;
	return cav_ctl_format_time(us);
}

static void
newline_indent(GString *out, guint depth)
{
	g_string_append_c(out, '\n');
	for (guint i = 0; i < depth; i++)
		g_string_append(out, "  ");
}

/* Whitespace outside strings is dropped and structure re-indented; the
 * bytes of strings and numbers pass through untouched. */
char *
cav_ctl_json_reindent(const char *data, gsize len)
{
	GString *out = g_string_sized_new(len + len / 4);
	gboolean in_string = FALSE, escaped = FALSE;
	guint depth = 0;

	for (gsize i = 0; i < len; i++) {
		char c = data[i];

		if (in_string) {
			g_string_append_c(out, c);
			if (escaped)
				escaped = FALSE;
			else if (c == '\\')
				escaped = TRUE;
			else if (c == '"')
				in_string = FALSE;
			continue;
		}
		switch (c) {
		case ' ':
		case '\t':
		case '\n':
		case '\r':
			break;
		case '"':
			in_string = TRUE;
			g_string_append_c(out, c);
			break;
		case '{':
		case '[': {
			gsize j = i + 1;

			while (j < len && g_ascii_isspace(data[j]))
				j++;
			g_string_append_c(out, c);
			if (j < len && data[j] == (c == '{' ? '}' : ']')) {
				/* Empty: keep "{}" / "[]" on one line. */
				g_string_append_c(out, data[j]);
				i = j;
				break;
			}
			newline_indent(out, ++depth);
			break;
		}
		case '}':
		case ']':
			newline_indent(out, depth > 0 ? --depth : 0);
			g_string_append_c(out, c);
			break;
		case ',':
			g_string_append_c(out, c);
			newline_indent(out, depth);
			break;
		case ':':
			g_string_append(out, " : ");
			break;
		default:
			g_string_append_c(out, c);
		}
	}
	return g_string_free(out, FALSE);
}

char *
cav_ctl_json_pretty(JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, node);
	return json_generator_to_data(gen, NULL);
}

void
cav_ctl_print_json(JsonNode *node)
{
	g_autofree char *text = cav_ctl_json_pretty(node);

	fputs(text, stdout);
	fputc('\n', stdout);
}
