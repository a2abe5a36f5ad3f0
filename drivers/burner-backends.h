/* burner-backends.h — private: the backend tables burner.c registers.
 * A new burner stack adds one declaration here and one line in burner.c.
 */
#pragma once

#include "burner.h"

G_BEGIN_DECLS

extern const CavBurnerBackend cav_burner_libburn;

G_END_DECLS
