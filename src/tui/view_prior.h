/*
 * view_prior.h - the full-screen editor of the prior precision matrix.
 *
 * The editor shows Lambda as a grid of parameters x parameters and turns
 * every key into a command line of the prior family, run through the
 * caller (so that it is recorded and replays exactly); it only reads the
 * prior itself.
 */
#ifndef CEWB_TUI_VIEW_PRIOR_H
#define CEWB_TUI_VIEW_PRIOR_H

#include <stddef.h>
#include "cewb/prior.h"

/* What the editor needs from the program. */
struct view_prior_ops {
	void *ctx;
	/* The current prior (read only). */
	cewb_prior *(*prior)(void *ctx);
	/* Run a command line; the last line of its output or its error into
	 * msg; 0 when it succeeded. */
	int (*run)(void *ctx, const char *line, char *msg, size_t len);
	/* 10-fold CV-RMSE, effective parameters, and the milliseconds taken;
	 * 0 when they could be computed. */
	int (*status)(void *ctx, double *rmse, double *dof, double *ms);
};

/*
 * Run the editor on the terminal until the user leaves (q); mono: no
 * colour.  Returns 0, or 1 with a message in err when the terminal cannot
 * be used.
 */
int view_prior_run(const struct view_prior_ops *ops, int mono, char *err, size_t errlen);

#endif
