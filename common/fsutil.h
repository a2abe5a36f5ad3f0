/* fsutil.h — small file-system helpers with the durability the evidence needs.
 * Any thread may call them.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @len bytes to @path through a temporary file in the same folder:
 * write, fsync, rename, fsync the folder. A crash leaves the old file or the
 * new one, never a mix. @mode is the new file's permission bits. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_fs_write_atomic(const char *path, const void *data, gsize len, int mode,
			     GError **error);

/* Removes the temporary files a crash inside cav_fs_write_atomic(@dir/@base)
 * left in @dir (".@base.tmp-XXXXXX"): never the file itself, nothing else.
 * Returns how many were removed. */
guint cav_fs_remove_stale_temps(const char *dir, const char *base);

/* fsync of a folder, so a rename or create inside it survives power loss. */
G_GNUC_WARN_UNUSED_RESULT
gboolean cav_fs_sync_dir(const char *dir, GError **error);

/* Bytes available to an unprivileged writer on the file system holding
 * @path (statvfs f_bavail * f_frsize); -1 with @error set on failure. */
gint64 cav_fs_free_bytes(const char *path, GError **error);

G_END_DECLS
