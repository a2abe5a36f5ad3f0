/* fsutil.c — durable writes and small file-system queries.
 *
 * Errors are reported in G_IO_ERROR with the errno mapped by
 * g_io_error_from_errno(), so callers can test G_IO_ERROR_NO_SPACE and the
 * like without a private domain. Any thread; no shared state.
 */
#include "fsutil.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

static gboolean
set_errno_error(GError **error, int err, const char *what, const char *path)
{
	g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err), "Could not %s %s: %s", what,
		    path, g_strerror(err));
	return FALSE;
}

gboolean
cav_fs_sync_dir(const char *dir, GError **error)
{
	int fd;

	g_return_val_if_fail(dir != NULL, FALSE);

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return set_errno_error(error, errno, "open folder", dir);
	if (fsync(fd) < 0) {
		int saved = errno;

		close(fd);
		return set_errno_error(error, saved, "sync folder", dir);
	}
	close(fd);
	return TRUE;
}

static gboolean
write_all(int fd, const guint8 *data, gsize len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return FALSE;
		data += n;
		len -= (gsize)n;
	}
	return TRUE;
}

gboolean
cav_fs_write_atomic(const char *path, const void *data, gsize len, int mode, GError **error)
{
	g_autofree char *dir = NULL;
	g_autofree char *base = NULL;
	g_autofree char *tmp = NULL;
	int fd;

	g_return_val_if_fail(path != NULL, FALSE);
	g_return_val_if_fail(data != NULL || len == 0, FALSE);
	g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

	dir = g_path_get_dirname(path);
	base = g_path_get_basename(path);
	/* A dot name in the same folder, so rename() stays on one file system
	 * and a leftover after a crash is visibly a temporary (verify reports
	 * it as extra rather than mistaking it for evidence). */
	tmp = g_strdup_printf("%s/.%s.tmp-XXXXXX", dir, base);
	fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode & 07777);
	if (fd < 0)
		return set_errno_error(error, errno, "create a temporary file for", path);

	/* fchmod because g_mkstemp_full's mode is filtered by the umask; a key
	 * file must be exactly 0600 and a manifest readable whatever the umask. */
	if (fchmod(fd, (mode_t)(mode & 07777)) < 0 || !write_all(fd, data, len) || fsync(fd) < 0) {
		int saved = errno;

		close(fd);
		g_unlink(tmp);
		return set_errno_error(error, saved, "write", path);
	}
	if (close(fd) < 0) {
		int saved = errno;

		g_unlink(tmp);
		return set_errno_error(error, saved, "write", path);
	}
	if (g_rename(tmp, path) < 0) {
		int saved = errno;

		g_unlink(tmp);
		return set_errno_error(error, saved, "rename a temporary file onto", path);
	}
	return cav_fs_sync_dir(dir, error);
}

gint64
cav_fs_free_bytes(const char *path, GError **error)
{
	struct statvfs st;

	g_return_val_if_fail(path != NULL, -1);

	if (statvfs(path, &st) < 0) {
		set_errno_error(error, errno, "query free space on", path);
		return -1;
	}
	return (gint64)st.f_bavail * (gint64)st.f_frsize;
}

guint
cav_fs_remove_stale_temps(const char *dir, const char *base)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	g_autofree char *prefix = g_strdup_printf(".%s.tmp-", base);
	const char *name;
	guint n = 0;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = NULL;

		/* Exactly the mkstemp template of cav_fs_write_atomic(). */
		if (!g_str_has_prefix(name, prefix) || strlen(name) != strlen(prefix) + 6)
			continue;
		path = g_build_filename(dir, name, NULL);
		if (g_unlink(path) == 0)
			n++;
	}
	return n;
}
