/* burner.c — the burner front: backend lookup, trees to write, and the one
 * place where a backend's negative errno becomes a GError (see burner.h).
 *
 * Messages are bilingual ("English\x1e中文", the convention of the
 * appliance's errors.h; drivers/ cannot link appliance/, so the join is done
 * here) and say what to do, because the person reading them stands at a
 * burner with a disc in hand. Any thread; no state beyond the backend table.
 */
#include "burner-backends.h"

#include <errno.h>
#include <string.h>
#include <glib/gstdio.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-burner-error-quark, cav_burner_error)
/* clang-format on */

static const CavBurnerBackend *const backends[] = {
	&cav_burner_libburn,
};

const CavBurnerBackend *
cav_burner_backend(const char *name)
{
	if (name == NULL)
		return backends[0];
	for (guint i = 0; i < G_N_ELEMENTS(backends); i++) {
		if (g_str_equal(backends[i]->name, name))
			return backends[i];
	}
	return NULL;
}

void
cav_drive_info_free(CavDriveInfo *info)
{
	if (info == NULL)
		return;
	g_free(info->address);
	g_free(info->vendor);
	g_free(info->product);
	g_free(info->profile);
	g_free(info);
}

const char *
cav_medium_state_name(CavMediumState state)
{
	switch (state) {
	case CAV_MEDIUM_NONE:
		return "none";
	case CAV_MEDIUM_BLANK:
		return "blank";
	case CAV_MEDIUM_APPENDABLE:
		return "appendable";
	case CAV_MEDIUM_CLOSED:
		return "closed";
	case CAV_MEDIUM_UNSUITABLE:
		return "unsuitable";
	}
	return "unknown";
}

char *
cav_burner_address(const char *path_or_address)
{
	g_autofree char *abs = NULL;

	if (g_str_has_prefix(path_or_address, "stdio:")) {
		const char *p = path_or_address + strlen("stdio:");

		/* An empty path is libburn's null drive (no medium): keep it. */
		if (*p == '\0' || g_path_is_absolute(p))
			return g_strdup(path_or_address);
		abs = g_canonicalize_filename(p, NULL);
		return g_strconcat("stdio:", abs, NULL);
	}
	if (g_str_has_prefix(path_or_address, "/dev/"))
		return g_strdup(path_or_address);
	abs = g_canonicalize_filename(path_or_address, NULL);
	return g_strconcat("stdio:", abs, NULL);
}

/* ---- trees --------------------------------------------------------------- */

static void
burn_file_free(CavBurnFile *f)
{
	g_free(f->path);
	g_free(f->source);
	g_clear_pointer(&f->data, g_bytes_unref);
	g_free(f);
}

CavBurnTree *
cav_burn_tree_new(const char *volume_id)
{
	CavBurnTree *tree = g_new0(CavBurnTree, 1);

	tree->files = g_ptr_array_new_with_free_func((GDestroyNotify)burn_file_free);
	tree->volume_id = g_strdup(volume_id);
	return tree;
}

void
cav_burn_tree_free(CavBurnTree *tree)
{
	if (tree == NULL)
		return;
	g_ptr_array_unref(tree->files);
	g_free(tree->volume_id);
	g_free(tree->publisher);
	g_free(tree->application);
	g_free(tree);
}

gboolean
cav_burn_tree_add_file(CavBurnTree *tree, const char *path, const char *source, GError **error)
{
	CavBurnFile *f;
	GStatBuf st;

	/* lstat: libisofs is told not to follow links, so a link would become a
	 * link on the disc; refuse it here, by name. */
	if (g_lstat(source, &st) != 0) {
		int e = errno;

		g_set_error(error, CAV_BURNER_ERROR, CAV_BURNER_ERROR_FAILED,
			    "Cannot put %s on the disc: %s\x1e无法将 %s 写入光盘：%s", source,
			    g_strerror(e), source, g_strerror(e));
		return FALSE;
	}
	if (!S_ISREG(st.st_mode)) {
		g_set_error(error, CAV_BURNER_ERROR, CAV_BURNER_ERROR_FAILED,
			    "Cannot put %s on the disc: not a regular file\x1e无法将 %s 写入光盘："
			    "不是普通文件",
			    source, source);
		return FALSE;
	}
	f = g_new0(CavBurnFile, 1);
	f->path = g_strdup(path);
	f->source = g_strdup(source);
	f->bytes = (guint64)st.st_size;
	g_ptr_array_add(tree->files, f);
	return TRUE;
}

void
cav_burn_tree_add_data(CavBurnTree *tree, const char *path, const void *data, gsize len)
{
	CavBurnFile *f = g_new0(CavBurnFile, 1);

	f->path = g_strdup(path);
	f->data = g_bytes_new(data, len);
	f->bytes = len;
	g_ptr_array_add(tree->files, f);
}

guint64
cav_burn_tree_bytes(const CavBurnTree *tree)
{
	guint64 sum = 0;

	for (guint i = 0; i < tree->files->len; i++)
		sum += ((CavBurnFile *)tree->files->pdata[i])->bytes;
	return sum;
}

/* ---- errors -------------------------------------------------------------- */

void
cav_burner_set_error(GError **error, int neg_errno, const char *address, const char *detail)
{
	const char *en, *zh;
	CavBurnerError code;
	g_autofree char *tail = NULL;

	switch (-neg_errno) {
	case ENODEV:
	case ENOENT:
	case ENXIO:
		code = CAV_BURNER_ERROR_NO_DRIVE;
		en = "No drive at %s: check the address (courtavctl disc drives lists them) and "
		     "that "
		     "the burner is connected";
		zh = "%s 处没有光驱：请检查地址（courtavctl disc drives "
		     "可列出光驱）并确认刻录机已连接";
		break;
	case ENOMEDIUM:
		code = CAV_BURNER_ERROR_NO_MEDIUM;
		en = "The drive %s holds no disc: insert a blank disc and try again";
		zh = "光驱 %s 中没有光盘：请放入空白光盘后重试";
		break;
	case EROFS:
	case EACCES:
	case EPERM:
		code = CAV_BURNER_ERROR_CLOSED;
		en = "The disc in %s is closed or read-only: nothing more can be written to it; "
		     "insert a blank disc";
		zh = "%s 中的光盘已封盘或只读，无法再写入：请放入空白光盘";
		break;
	case ENOSPC:
	case EFBIG:
		code = CAV_BURNER_ERROR_TOO_SMALL;
		en = "The disc in %s is too small for this session: use a larger medium (see "
		     "courtavctl disc plan) or a new disc";
		zh = "%s 中的光盘容量不足：请换用更大容量的光盘（见 courtavctl disc plan）或新光盘";
		break;
	case EMEDIUMTYPE:
		code = CAV_BURNER_ERROR_UNSUITABLE;
		en = "The disc in %s cannot be written (wrong type or unreadable state): insert a "
		     "blank DVD±R, DVD±R DL or BD-R";
		zh = "%s 中的光盘无法写入（类型不符或状态不可读）：请放入空白 DVD±R、DVD±R DL 或 "
		     "BD-R";
		break;
	case EBUSY:
		code = CAV_BURNER_ERROR_BUSY;
		en = "The drive %s is in use by another program: wait for it to finish";
		zh = "光驱 %s 正被其他程序使用：请等待其完成";
		break;
	case ENODATA:
		code = CAV_BURNER_ERROR_NOT_ISO;
		en = "Nothing readable as an ISO 9660 disc in %s: is it a courtav disc or image?";
		zh = "%s 中没有可读的 ISO 9660 光盘内容：请确认这是本系统刻录的光盘或镜像";
		break;
	case ECANCELED:
		code = CAV_BURNER_ERROR_CANCELLED;
		en = "Writing to %s was cancelled: the disc is incomplete and must not be used";
		zh = "%s 的刻录已取消：该光盘不完整，不得使用";
		break;
	default:
		code = CAV_BURNER_ERROR_FAILED;
		en = "The drive %s failed: the disc is not good; try another disc or drive";
		zh = "光驱 %s 出错：该光盘不可用，请更换光盘或光驱后重试";
		break;
	}
	tail = detail != NULL && *detail != '\0' ? g_strdup_printf(" (%s)", detail)
						 : g_strdup_printf(" (%s)", g_strerror(-neg_errno));
	{
		g_autofree char *e = g_strdup_printf(en, address);
		g_autofree char *z = g_strdup_printf(zh, address);

		g_set_error(error, CAV_BURNER_ERROR, code, "%s%s.\x1e%s。", e, tail, z);
	}
}

/* ---- calls --------------------------------------------------------------- */

static void
error_free0(gpointer e)
{
	if (e != NULL)
		g_error_free(e);
}

GPtrArray *
cav_burner_list_drives(GError **error)
{
	g_autoptr(GPtrArray) out =
		g_ptr_array_new_with_free_func((GDestroyNotify)cav_drive_info_free);
	int r = cav_burner_backend(NULL)->list_drives(out);

	if (r < 0) {
		cav_burner_set_error(error, r, "(scan)", NULL);
		return NULL;
	}
	return g_steal_pointer(&out);
}

CavDriveInfo *
cav_burner_probe(const char *address, GError **error)
{
	CavDriveInfo *info = NULL;
	int r = cav_burner_backend(NULL)->probe(address, &info);

	if (r < 0) {
		cav_burner_set_error(error, r, address, NULL);
		return NULL;
	}
	return info;
}

gboolean
cav_burner_write(const char *const *addresses, guint n, const CavBurnTree *tree, guint flags,
		 CavBurnProgressFunc progress, gpointer user_data, GCancellable *cancel,
		 GPtrArray **errors, GError **error)
{
	g_autofree int *results = g_new0(int, n);
	g_autofree char *msg = NULL;
	g_autoptr(GPtrArray) errs = g_ptr_array_new_with_free_func(error_free0);
	int r;

	g_return_val_if_fail(n > 0, FALSE);
	r = cav_burner_backend(NULL)->write(addresses, n, tree, flags, progress, user_data, cancel,
					    results, &msg);
	if (r < 0) {
		cav_burner_set_error(error, r, addresses[0], msg);
		return FALSE;
	}
	for (guint i = 0; i < n; i++) {
		GError *e = NULL;

		if (results[i] < 0)
			cav_burner_set_error(&e, results[i], addresses[i], msg);
		g_ptr_array_add(errs, e);
	}
	*errors = g_steal_pointer(&errs);
	return TRUE;
}

CavBurnReader *
cav_burner_open(const char *address, GError **error)
{
	CavBurnReader *reader = NULL;
	int r = cav_burner_backend(NULL)->reader_open(address, &reader);

	if (r < 0) {
		cav_burner_set_error(error, r, address, NULL);
		return NULL;
	}
	return reader;
}

void
cav_burner_close(CavBurnReader *reader)
{
	if (reader != NULL)
		cav_burner_backend(NULL)->reader_close(reader);
}

CavVerifyFs
cav_burner_reader_fs(CavBurnReader *reader)
{
	return (CavVerifyFs){.ops = cav_burner_backend(NULL)->reader_fs_ops, .data = reader};
}
