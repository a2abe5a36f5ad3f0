/* directory-private.h — how the registry fills the live directory
 * (directory.h). Main thread only, like the rest of the directory.
 */
#pragma once

#include "directory.h"

G_BEGIN_DECLS

/* (transfer full) */
CavDirectory *cav_directory_new(void);
void cav_directory_free(CavDirectory *dir);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CavDirectory, cav_directory_free)

/* Sets @entry (transfer full) for its room_key; watchers are told only when
 * something in it changed. */
void cav_directory_update(CavDirectory *dir, CavLiveEntry *entry);
/* Removes @room_key's entry, telling watchers (entry->live FALSE, removed). */
void cav_directory_remove(CavDirectory *dir, const char *room_key);
/* Whether two entries say the same. */
gboolean cav_live_entry_equal(const CavLiveEntry *a, const CavLiveEntry *b);

G_END_DECLS
