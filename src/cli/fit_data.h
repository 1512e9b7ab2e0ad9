/*
 * fit_data.h - what the last validation, learning curve and convergence
 * scan computed, kept in the session for plots and for `eci` uncertainties.
 *
 * The fit family (cmd_fit.c) fills it; the plot family reads it.  All
 * values are in the units of the targets (usually eV/atom); row indices
 * are 0-based indices into the training set (struct train_set.items).
 * The session owns one struct fit_data (session->fit_data, NULL until the
 * first validation) and frees it with fit_data_free().
 */
#ifndef CEWB_CLI_FIT_DATA_H
#define CEWB_CLI_FIT_DATA_H

#include <stddef.h>
#include <jansson.h>
#include "cewb/fit.h"

/* The last `validate` (of one method; with --compare, the last method). */
struct fit_validation_data {
	int have;		/* a validation is stored */
	char method[24];	/* "ols", "ardr", ... */
	char scheme[24];	/* "kfold", "loo", "shuffle-split", "bootstrap" */
	size_t n_splits;
	size_t n_rows;		/* rows used (refused structures left out) */
	size_t *row;		/* n_rows: training-set index of each row */
	double *target;		/* n_rows: target of each row */
	double *predicted;	/* n_rows: out-of-sample prediction (mean over the
				   splits that held the row out; NAN if none did) */
	size_t n_params;	/* length of the ensemble arrays */
	double *eci_mean;	/* n_params: ECIs averaged over the splits */
	double *eci_std;	/* n_params: their spread (standard deviation) */
	const double *X_id;	/* the training matrix it was made on (identity only,
				   never dereferenced: tells whether it is stale) */
	double rmse_validation, rmse_validation_std, rmse_train;
};

/* A table of errors against something: the learning curve (x = number of
 * training structures) or the convergence scan (x = the pair cutoff, Å). */
struct fit_curve_data {
	int have;
	char method[24];
	size_t n_points;
	double *x;		/* n_points */
	double *valid;		/* n_points: validation rmse (mean over splits) */
	double *valid_std;	/* n_points: its standard deviation over splits */
	double *train;		/* n_points: training rmse (mean over splits) */
	size_t *n_params;	/* n_points: parameters of the fit (convergence), or
				   NULL */
	char **label;		/* n_points: cutoffs as typed ("13.5 6.5 6"), or NULL */
	int forces;		/* errors of forces (eV/Å, force-constant mode), not
				   of the targets */
};

struct fit_data {
	struct fit_validation_data validation;
	struct fit_curve_data learning;
	struct fit_curve_data convergence;
};

struct session;
/* Fail unless the session has a fit of its current cluster space: 0, or 1
 * after cmd_fail (the message says what to run). */
int fit_need_current(struct session *s);

/* The hyperparameters of a fit result as a JSON object (name: value). */
json_t *fit_hyper_json(const cewb_fit_result *res);

/* Free d and everything in it; fit_data_free(NULL) is harmless. */
void fit_data_free(struct fit_data *d);
/* Free the arrays of a curve and zero it. */
void fit_curve_release(struct fit_curve_data *c);
/* Free the arrays of a stored validation and zero it. */
void fit_validation_release(struct fit_validation_data *v);

#endif
