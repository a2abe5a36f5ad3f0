/* errors.c — bilingual errors (see errors.h). Any thread. */
#include "errors.h"

#include <stdarg.h>
#include <string.h>

/* The first argument is stringified: the error domain's name. */
/* clang-format off */
G_DEFINE_QUARK(cav-room-error-quark, cav_room_error)
/* clang-format on */

#define SEP '\x1e'

void
cav_set_error_bi(GError **error, GQuark domain, int code, const char *en_fmt, const char *zh_fmt,
		 ...)
{
	g_autofree char *en = NULL;
	g_autofree char *zh = NULL;
	va_list ap;

	if (error == NULL)
		return;
	va_start(ap, zh_fmt);
	if (g_str_equal(en_fmt, "%s") && g_str_equal(zh_fmt, "%s")) {
		/* Two ready-made texts: the first argument is English, the second Chinese. */
		en = g_strdup(va_arg(ap, const char *));
		zh = g_strdup(va_arg(ap, const char *));
	} else {
		va_list ap2;

		va_copy(ap2, ap);
		en = g_strdup_vprintf(en_fmt, ap);
		zh = g_strdup_vprintf(zh_fmt, ap2);
		va_end(ap2);
	}
	va_end(ap);
	g_set_error(error, domain, code, "%s%c%s", en, SEP, zh);
}

char *
cav_error_en(const GError *error)
{
	const char *sep = strchr(error->message, SEP);

	return sep ? g_strndup(error->message, sep - error->message) : g_strdup(error->message);
}

char *
cav_error_zh(const GError *error)
{
	const char *sep = strchr(error->message, SEP);

	return g_strdup(sep ? sep + 1 : error->message);
}
