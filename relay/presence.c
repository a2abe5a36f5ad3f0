/* presence.c — heartbeats and publisher states into the live directory
 * (presence.h). Main thread only.
 */
#include "presence.h"
#include "directory-private.h"
#include "registry.h"

typedef struct {
	char *appliance_id; /* owned */
	char *room_key;     /* owned, nullable until the first heartbeat names a room */
	gint64 last_us;     /* monotonic time of the last heartbeat */
	gboolean online;
	gboolean recording;
	CavLiveEntry *entry; /* what the heartbeat says, live decided below (owned) */
} Appliance;

struct CavPresence {
	CavRelay *relay;        /* unowned */
	GHashTable *apps;       /* id -> Appliance * (owned) */
	GHashTable *publishing; /* room_key -> guint64 * active publish id (owned) */
	guint timer;
};

static void
appliance_free(Appliance *a)
{
	g_free(a->appliance_id);
	g_free(a->room_key);
	cav_live_entry_free(a->entry);
	g_free(a);
}

static void
emit(CavPresence *p, const char *type, JsonBuilder *b)
{
	cav_event_hub_emit(cav_relay_events(p->relay), type, json_builder_get_root(b));
}

static void
on_directory(const CavLiveEntry *e, gboolean removed, gpointer user_data)
{
	CavPresence *p = user_data;
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "room_key");
	json_builder_add_string_value(b, e->room_key);
	json_builder_set_member_name(b, "room_name");
	json_builder_add_string_value(b, e->room_name);
	json_builder_set_member_name(b, "case_number");
	json_builder_add_string_value(b, e->case_number);
	json_builder_set_member_name(b, "public");
	json_builder_add_boolean_value(b, e->is_public);
	json_builder_set_member_name(b, "live");
	json_builder_add_boolean_value(b, e->live);
	json_builder_set_member_name(b, "removed");
	json_builder_add_boolean_value(b, removed);
	json_builder_end_object(b);
	emit(p, "live", b);
}

/* Recomputes @a's directory entry. */
static void
refresh(CavPresence *p, Appliance *a)
{
	CavLiveEntry *e;

	if (a->entry == NULL)
		return;
	e = cav_live_entry_copy(a->entry);
	e->live = a->online && a->recording &&
		  g_hash_table_contains(p->publishing, a->entry->room_key);
	cav_directory_update(cav_relay_directory(p->relay), e);
}

static void
emit_appliance(CavPresence *p, Appliance *a, const char *addr)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_string_value(b, a->appliance_id);
	json_builder_set_member_name(b, "room_key");
	json_builder_add_string_value(b, a->room_key);
	json_builder_set_member_name(b, "online");
	json_builder_add_boolean_value(b, a->online);
	json_builder_set_member_name(b, "addr");
	json_builder_add_string_value(b, addr);
	json_builder_end_object(b);
	emit(p, "appliance", b);
}

static gboolean
on_timer(gpointer data)
{
	CavPresence *p = data;
	gint64 now = g_get_monotonic_time();
	gint64 limit = (gint64)cav_relay_config(p->relay)->heartbeat_timeout_s * G_USEC_PER_SEC;
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, p->apps);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		Appliance *a = v;

		if (a->online && now - a->last_us > limit) {
			a->online = FALSE;
			g_message("appliance %s: no heartbeat for %u s: offline", a->appliance_id,
				  cav_relay_config(p->relay)->heartbeat_timeout_s);
			refresh(p, a);
			emit_appliance(p, a, NULL);
		}
	}
	return G_SOURCE_CONTINUE;
}

CavPresence *
cav_presence_new(CavRelay *relay)
{
	CavPresence *p = g_new0(CavPresence, 1);

	p->relay = relay;
	p->apps = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
					(GDestroyNotify)appliance_free);
	p->publishing = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	p->timer = g_timeout_add_seconds(1, on_timer, p);
	cav_directory_watch(cav_relay_directory(relay), on_directory, p);
	return p;
}

void
cav_presence_free(CavPresence *p)
{
	if (p == NULL)
		return;
	g_source_remove(p->timer);
	g_hash_table_unref(p->apps);
	g_hash_table_unref(p->publishing);
	g_free(p);
}

static const char *
str_member(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING
		       ? json_node_get_string(n)
		       : NULL;
}

static gint64
int_member(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64
		       ? json_node_get_int(n)
		       : 0;
}

static gboolean
bool_member(JsonObject *o, const char *name)
{
	JsonNode *n = o != NULL ? json_object_get_member(o, name) : NULL;

	return n != NULL && JSON_NODE_HOLDS_VALUE(n) &&
	       json_node_get_value_type(n) == G_TYPE_BOOLEAN && json_node_get_boolean(n);
}

static JsonObject *
obj_member(JsonObject *o, const char *name)
{
	JsonNode *n = json_object_get_member(o, name);

	return n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

void
cav_presence_heartbeat(CavPresence *p, const char *appliance_id, const char *addr, JsonObject *body)
{
	Appliance *a = g_hash_table_lookup(p->apps, appliance_id);
	JsonObject *room = obj_member(body, "room");
	JsonObject *hearing = obj_member(body, "hearing");
	const char *room_id = str_member(room, "id");
	CavLiveEntry *e;
	gboolean was_online;
	g_autoptr(GError) error = NULL;

	if (a == NULL) {
		a = g_new0(Appliance, 1);
		a->appliance_id = g_strdup(appliance_id);
		g_hash_table_insert(p->apps, a->appliance_id, a);
	}
	was_online = a->online;
	a->online = TRUE;
	a->last_us = g_get_monotonic_time();
	if (room_id == NULL)
		return;
	if (a->room_key == NULL) {
		a->room_key = g_strdup_printf("%s/%s", appliance_id, room_id);
		if (!cav_registry_room_upsert(cav_relay_registry(p->relay), appliance_id, room_id,
					      str_member(room, "name"), str_member(room, "court"),
					      &error))
			g_warning("room %s: %s", a->room_key, error->message);
	}
	e = g_new0(CavLiveEntry, 1);
	e->room_key = g_strdup(a->room_key);
	e->court = g_strdup(str_member(room, "court"));
	e->room_name = g_strdup(str_member(room, "name") ? str_member(room, "name") : room_id);
	if (hearing != NULL) {
		e->hearing_id = int_member(hearing, "id");
		e->case_number = g_strdup(str_member(hearing, "case_number"));
		e->case_title = g_strdup(str_member(hearing, "case_title"));
		e->cause = g_strdup(str_member(hearing, "cause"));
		e->is_public = bool_member(hearing, "public");
		e->started_us = int_member(hearing, "started_us");
	}
	a->recording = g_strcmp0(str_member(body, "state"), "recording") == 0;
	cav_live_entry_free(a->entry);
	a->entry = e;
	refresh(p, a);
	if (!was_online) {
		g_message("appliance %s (%s) online from %s", appliance_id, a->room_key,
			  addr ? addr : "?");
		emit_appliance(p, a, addr);
	}
}

void
cav_presence_publisher(CavPresence *p, guint64 publish_id, const char *room_key, gboolean active)
{
	guint64 *cur = g_hash_table_lookup(p->publishing, room_key);
	g_autoptr(JsonBuilder) b = json_builder_new();
	GHashTableIter it;
	gpointer v;

	if (active) {
		g_hash_table_replace(p->publishing, g_strdup(room_key),
				     g_memdup2(&publish_id, sizeof publish_id));
	} else if (cur != NULL && *cur == publish_id) {
		g_hash_table_remove(p->publishing, room_key);
	} else {
		return; /* an older publisher of the room went quiet: already replaced */
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "room_key");
	json_builder_add_string_value(b, room_key);
	json_builder_set_member_name(b, "publish_id");
	json_builder_add_int_value(b, (gint64)publish_id);
	json_builder_set_member_name(b, "active");
	json_builder_add_boolean_value(b, active);
	json_builder_end_object(b);
	emit(p, "publisher", b);
	g_hash_table_iter_init(&it, p->apps);
	while (g_hash_table_iter_next(&it, NULL, &v))
		if (g_strcmp0(((Appliance *)v)->room_key, room_key) == 0)
			refresh(p, v);
}

gboolean
cav_presence_online(CavPresence *p, const char *appliance_id)
{
	Appliance *a = g_hash_table_lookup(p->apps, appliance_id);

	return a != NULL && a->online;
}

guint64
cav_presence_active_publish(CavPresence *p, const char *room_key)
{
	guint64 *cur = g_hash_table_lookup(p->publishing, room_key);

	return cur != NULL ? *cur : 0;
}
