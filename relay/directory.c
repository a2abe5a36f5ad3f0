/* directory.c — the live directory (directory.h): room key → what is on
 * air there, filled from heartbeats and the ingest, read by the public
 * outputs and the console. Main thread only; watchers are called
 * synchronously, in watch order, after each change.
 */
#include "directory-private.h"

typedef struct {
	guint id;
	CavDirectoryFunc func;
	gpointer user_data;
} Watcher;

struct CavDirectory {
	GHashTable *entries; /* room_key (borrowed from the entry) -> CavLiveEntry (owned) */
	GArray *watchers;    /* Watcher */
	guint next_id;
};

void
cav_live_entry_free(CavLiveEntry *e)
{
	if (e == NULL)
		return;
	g_free(e->room_key);
	g_free(e->court);
	g_free(e->room_name);
	g_free(e->case_number);
	g_free(e->case_title);
	g_free(e->cause);
	g_free(e);
}

CavLiveEntry *
cav_live_entry_copy(const CavLiveEntry *e)
{
	CavLiveEntry *c = g_new0(CavLiveEntry, 1);

	*c = *e;
	c->room_key = g_strdup(e->room_key);
	c->court = g_strdup(e->court);
	c->room_name = g_strdup(e->room_name);
	c->case_number = g_strdup(e->case_number);
	c->case_title = g_strdup(e->case_title);
	c->cause = g_strdup(e->cause);
	return c;
}

gboolean
cav_live_entry_equal(const CavLiveEntry *a, const CavLiveEntry *b)
{
	return g_strcmp0(a->room_key, b->room_key) == 0 && g_strcmp0(a->court, b->court) == 0 &&
	       g_strcmp0(a->room_name, b->room_name) == 0 && a->hearing_id == b->hearing_id &&
	       g_strcmp0(a->case_number, b->case_number) == 0 &&
	       g_strcmp0(a->case_title, b->case_title) == 0 && g_strcmp0(a->cause, b->cause) == 0 &&
	       !a->is_public == !b->is_public && !a->live == !b->live &&
	       a->started_us == b->started_us;
}

CavDirectory *
cav_directory_new(void)
{
	CavDirectory *dir = g_new0(CavDirectory, 1);

	dir->entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					     (GDestroyNotify)cav_live_entry_free);
	dir->watchers = g_array_new(FALSE, FALSE, sizeof(Watcher));
	dir->next_id = 1;
	return dir;
}

void
cav_directory_free(CavDirectory *dir)
{
	if (dir == NULL)
		return;
	g_hash_table_unref(dir->entries);
	g_array_unref(dir->watchers);
	g_free(dir);
}

static void
notify(CavDirectory *dir, const CavLiveEntry *entry, gboolean removed)
{
	/* A copy, so a watcher may unwatch during the call. */
	g_autoptr(GArray) ws = g_array_copy(dir->watchers);

	for (guint i = 0; i < ws->len; i++) {
		Watcher *w = &g_array_index(ws, Watcher, i);

		w->func(entry, removed, w->user_data);
	}
}

void
cav_directory_update(CavDirectory *dir, CavLiveEntry *entry)
{
	CavLiveEntry *old = g_hash_table_lookup(dir->entries, entry->room_key);

	if (old != NULL && cav_live_entry_equal(old, entry)) {
		cav_live_entry_free(entry);
		return;
	}
	g_hash_table_replace(dir->entries, entry->room_key, entry);
	notify(dir, entry, FALSE);
}

void
cav_directory_remove(CavDirectory *dir, const char *room_key)
{
	CavLiveEntry *gone = g_hash_table_lookup(dir->entries, room_key);

	if (gone == NULL)
		return;
	g_hash_table_steal(dir->entries, room_key);
	gone->live = FALSE;
	notify(dir, gone, TRUE);
	cav_live_entry_free(gone);
}

static gint
by_key(gconstpointer a, gconstpointer b)
{
	const CavLiveEntry *ea = *(const CavLiveEntry *const *)a;
	const CavLiveEntry *eb = *(const CavLiveEntry *const *)b;

	return g_strcmp0(ea->room_key, eb->room_key);
}

GPtrArray *
cav_directory_snapshot(CavDirectory *dir)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)cav_live_entry_free);
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, dir->entries);
	while (g_hash_table_iter_next(&it, NULL, &value))
		g_ptr_array_add(out, cav_live_entry_copy(value));
	g_ptr_array_sort(out, by_key);
	return out;
}

CavLiveEntry *
cav_directory_get(CavDirectory *dir, const char *room_key)
{
	CavLiveEntry *e = room_key ? g_hash_table_lookup(dir->entries, room_key) : NULL;

	return e != NULL ? cav_live_entry_copy(e) : NULL;
}

guint
cav_directory_watch(CavDirectory *dir, CavDirectoryFunc func, gpointer user_data)
{
	Watcher w = {dir->next_id++, func, user_data};

	g_array_append_val(dir->watchers, w);
	return w.id;
}

void
cav_directory_unwatch(CavDirectory *dir, guint id)
{
	for (guint i = 0; i < dir->watchers->len; i++) {
		if (g_array_index(dir->watchers, Watcher, i).id == id) {
			g_array_remove_index(dir->watchers, i);
			return;
		}
	}
}
