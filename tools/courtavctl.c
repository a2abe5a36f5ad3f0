/* courtavctl.c — entry point of courtavctl, the command-line client of
 * courtavd and the offline verifier of recordings and audit logs.
 *
 * Everything lives in libcavctl (ctl-*.c) so the tests link the real code;
 * this file only sets the locale, which decides whether stderr's progress
 * and Chinese text reach a terminal as UTF-8.
 */
#include <locale.h>
#include "ctl.h"

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	return cav_ctl_main(argc, argv);
}
