/* errors.h — errors people read, in English and Chinese.
 *
 * A clerk reads errors in Chinese, a technician's log is in English; both
 * come from one GError. The message holds "English\x1e中文" (ASCII record
 * separator); cav_error_en()/cav_error_zh() split it, and everything that
 * prints a GError for people goes through them. A message without the
 * separator is English only and cav_error_zh() returns it unchanged.
 *
 * The room's error domain and codes also live here; api.c maps each code to
 * an HTTP status and a stable code string (docs/API.md).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CAV_ROOM_ERROR (cav_room_error_quark())
GQuark cav_room_error_quark(void);

typedef enum {
	CAV_ROOM_ERROR_BAD_REQUEST,
	CAV_ROOM_ERROR_INVALID_CASE_NUMBER,
	CAV_ROOM_ERROR_BAD_REASON,
	CAV_ROOM_ERROR_NOT_FOUND,
	CAV_ROOM_ERROR_CASE_EXISTS,
	CAV_ROOM_ERROR_HEARING_OPEN,
	CAV_ROOM_ERROR_BAD_TRANSITION,
	CAV_ROOM_ERROR_DISK_LOW,
	CAV_ROOM_ERROR_RECORDER,
	CAV_ROOM_ERROR_INTERNAL,
} CavRoomError;

/* Sets a bilingual error. Both formats take the same arguments in the same
 * order (no positional %n$ forms). As a special case, formats "%s", "%s"
 * take two ready-made strings: English, then Chinese. */
void cav_set_error_bi(GError **error, GQuark domain, int code, const char *en_fmt,
		      const char *zh_fmt, ...);

/* The English / Chinese part of @error's message. (transfer full) */
char *cav_error_en(const GError *error);
char *cav_error_zh(const GError *error);

G_END_DECLS
