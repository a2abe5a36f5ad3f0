/* events.c — the room's event hub (see events.h). Main thread only. */
#include "events.h"

typedef struct {
	guint id;
	CavEventFunc func;
	gpointer user_data;
} Subscriber;

struct CavEventHub {
	GArray *subs; /* Subscriber, owned */
	guint next_id;
};

CavEventHub *
cav_event_hub_new(void)
{
	CavEventHub *hub = g_new0(CavEventHub, 1);

	hub->subs = g_array_new(FALSE, FALSE, sizeof(Subscriber));
	hub->next_id = 1;
	return hub;
}

void
cav_event_hub_free(CavEventHub *hub)
{
	if (hub == NULL)
		return;
	g_array_unref(hub->subs);
	g_free(hub);
}

guint
cav_event_hub_subscribe(CavEventHub *hub, CavEventFunc func, gpointer user_data)
{
	Subscriber s = {hub->next_id++, func, user_data};

	g_array_append_val(hub->subs, s);
	return s.id;
}

void
cav_event_hub_unsubscribe(CavEventHub *hub, guint id)
{
	for (guint i = 0; i < hub->subs->len; i++) {
		if (g_array_index(hub->subs, Subscriber, i).id == id) {
			g_array_remove_index(hub->subs, i);
			return;
		}
	}
}

void
cav_event_hub_emit(CavEventHub *hub, const char *type, JsonNode *data)
{
	/* A copy, so a subscriber may unsubscribe (itself or others) safely. */
	g_autoptr(GArray) subs = g_array_copy(hub->subs);

	for (guint i = 0; i < subs->len; i++) {
		Subscriber *s = &g_array_index(subs, Subscriber, i);

		s->func(type, data, s->user_data);
	}
	json_node_unref(data);
}

JsonNode *
cav_event_object(const char *first_key, ...)
{
	JsonObject *o = json_object_new();
	JsonNode *node = json_node_new(JSON_NODE_OBJECT);
	const char *key = first_key;
	va_list ap;

	va_start(ap, first_key);
	while (key != NULL) {
		const char *value = va_arg(ap, const char *);

		if (value != NULL)
			json_object_set_string_member(o, key, value);
		else
			json_object_set_null_member(o, key);
		key = va_arg(ap, const char *);
	}
	va_end(ap);
	json_node_take_object(node, o);
	return node;
}
