/* disc-pages.h — the generated files of a disc, for people: README.txt,
 * each hearing's recording log (the start, end and every interruption the
 * 2017 rule's Art. 3 asks to be recorded, and the written fault report of
 * Art. 4 when the recording is incomplete) as printable HTML and plain text,
 * and player/data.js, the data the offline player reads.
 *
 * All Chinese first, then English; UTF-8. Built from the sealed manifests
 * only, so the pages say what the signed record says. Pure functions of
 * their input; any thread.
 */
#pragma once

#include <glib.h>
#include "disc-case.h"
#include "common/disc-set.h"

G_BEGIN_DECLS

/* (transfer full) */
char *cav_disc_page_readme(const CavDiscCase *c, const CavDiscSet *set);
char *cav_disc_page_log_text(const CavDiscCase *c, const CavDiscHearing *h);
char *cav_disc_page_log_html(const CavDiscCase *c, const CavDiscHearing *h);
/* "window.COURTAV_DISC = {…};" for the hearings of @set on this disc. */
char *cav_disc_page_data_js(const CavDiscCase *c, const CavDiscSet *set);

G_END_DECLS
