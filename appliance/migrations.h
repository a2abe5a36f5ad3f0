/* migrations.h — schema steps keyed on PRAGMA user_version (see migrations.c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Number of steps; the newest schema is user_version == count. */
guint cav_migrations_count(void);
/* SQL moving version @index to @index + 1. (transfer none) */
const char *cav_migrations_get(guint index);

G_END_DECLS
