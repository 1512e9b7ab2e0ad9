/*
 * cmd_prior.h - the session's prior precision matrix, for the commands that
 * fit with it.
 *
 * The prior of a session belongs to its current cluster space: it is made
 * (as the "none" prior, i.e. OLS) the first time it is asked for, and
 * dropped when the space changes.  Fits through prior_fit_problem use it
 * exactly, merges and removed parameters included.
 */
#ifndef CEWB_CLI_CMD_PRIOR_H
#define CEWB_CLI_CMD_PRIOR_H

#include "cewb/prior.h"
#include "session.h"

/* The session's prior, or NULL without a cluster space (or out of memory). */
cewb_prior *prior_session(struct session *s);

/*
 * The training problem of the session: rows with a finite target that were
 * not refused by the mapping; X, y and weights are new arrays (free them).
 * Returns 0, or 1 after cmd_fail when there is no data.
 */
int prior_train_problem(struct session *s, cewb_fit_problem *prob, double **X, double **y,
			double **w);

#endif
