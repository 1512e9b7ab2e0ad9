/*
 * cmd_phonon.h - the phonon data behind `plot dispersion`, `plot dos` and
 * `plot thermal` (cmd_phonon.c), for the plot family.
 */
#ifndef CEWB_CLI_CMD_PHONON_H
#define CEWB_CLI_CMD_PHONON_H

#include "cewb/error.h"
#include "../plot/plot.h"

struct session;

/*
 * Draw what ("dispersion": the standard path, 51 points per segment;
 * "dos": 32^3 mesh, 401 frequencies, smearing 1/100 of the range;
 * "thermal": 0..1000 K every 10 K on a 32^3 mesh) from the force
 * constants of the session.  Returns 1 after cmd_fail when there is
 * nothing to draw; else 0 with the plot's status in *st and its message in
 * err, the result in res.
 */
int phonon_plot(struct session *s, const char *what, const plot_options *o, plot_result *res,
		cewb_error *err, cewb_status *st);

#endif
