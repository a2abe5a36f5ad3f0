/* directory.h — the relay's live directory: which rooms are on air, with
 * what hearing, public or not. Filled by the registry from each appliance's
 * heartbeat (registry.c); read by the public outputs (HLS, watch page),
 * which must never produce anything for a hearing that is not public.
 *
 * Main thread (the relay's control-plane main context) only: both the
 * updates and the callbacks.
 *
 * Contract shared by the relay core and the public outputs.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	char *room_key;     /* "<appliance id>/<room id>": also the stream's key (owned) */
	char *court;        /* (owned, nullable) */
	char *room_name;    /* (owned) */
	gint64 hearing_id;  /* on the appliance; 0 when no hearing is open */
	char *case_number;  /* (owned, nullable) */
	char *case_title;   /* (owned, nullable) */
	char *cause;        /* (owned, nullable) */
	gboolean is_public; /* the case is public: only then may public output exist */
	gboolean live;      /* the hearing is recording and the stream is arriving */
	gint64 started_us;  /* when the hearing opened (UTC µs), 0 if none */
} CavLiveEntry;

void cav_live_entry_free(CavLiveEntry *entry);
CavLiveEntry *cav_live_entry_copy(const CavLiveEntry *entry);

typedef struct CavDirectory CavDirectory;

/* Called after an entry was added, changed or removed (then @entry->live is
 * FALSE and @removed is TRUE). @entry is valid during the call only. */
typedef void (*CavDirectoryFunc)(const CavLiveEntry *entry, gboolean removed, gpointer user_data);

/* All entries now. (transfer full) of CavLiveEntry */
GPtrArray *cav_directory_snapshot(CavDirectory *dir);
/* The entry of @room_key, or NULL. (transfer full) */
CavLiveEntry *cav_directory_get(CavDirectory *dir, const char *room_key);
guint cav_directory_watch(CavDirectory *dir, CavDirectoryFunc func, gpointer user_data);
void cav_directory_unwatch(CavDirectory *dir, guint id);

G_END_DECLS
