/* view_orbits.h - the full-screen orbit browser (`orbits --browse`). */
#ifndef CEWB_TUI_VIEW_ORBITS_H
#define CEWB_TUI_VIEW_ORBITS_H

#include <stddef.h>
#include "cewb/space.h"

/*
 * Browse the orbits of sp on the terminal until the user presses q.  eci
 * and eci_std (per parameter) may be NULL.  Returns 0, or -1 with a message
 * in err when standard input/output is not a terminal (nothing drawn).
 */
int view_orbits(const cewb_space *sp, const double *eci, const double *eci_std, int color,
		char *err, size_t errlen);

#endif
