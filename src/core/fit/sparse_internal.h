/*
 * sparse_internal.h - helpers shared by the sparse (LASSO, elastic net),
 * subset-selection (RFE, OMP) and robust (Huber, LAD) fits; not installed.
 *
 * These methods work on a prepared copy of the problem: rows multiplied by
 * sqrt(w_i) (so a weighted fit minimises sum_i w_i r_i^2 for the squared
 * losses and sum_i sqrt(w_i) |r_i| for LAD), columns divided by a scale
 * (see cewb_sparse_prepare).  A coefficient t found on the prepared data
 * maps back to the original scale as t / scale[j].
 */
#ifndef CEWB_SPARSE_INTERNAL_H
#define CEWB_SPARSE_INTERNAL_H

#include <stddef.h>
#include "cewb/fit.h"

/* How columns are scaled before a sparse fit. */
typedef enum {
	CEWB_SPARSE_RAW,      /* no scaling */
	CEWB_SPARSE_STD,      /* divide by the standard deviation (mean not removed);
				 a constant column keeps scale 1 */
	CEWB_SPARSE_UNIT_NORM /* divide by the Euclidean norm of the (weighted) column */
} cewb_sparse_scaling;

/* A prepared problem; release with cewb_sparse_release. */
typedef struct {
	size_t n, p;
	double *Z;     /* n x p, row-major: sqrt(w_i) X_ij / scale_j */
	double *y;     /* n: sqrt(w_i) y_i */
	double *scale; /* p: column divisors (1 for a column of zeros) */
} cewb_sparse_data;

/* The scaling that opt->standardize asks for. */
cewb_sparse_scaling cewb_sparse_scaling_of(const cewb_fit_options *opt);

/* Check prob and make the prepared copy d with the given scaling. */
cewb_status cewb_sparse_prepare(const cewb_fit_problem *prob, cewb_sparse_scaling scaling,
				cewb_sparse_data *d, cewb_error *err);
/* Free the arrays of d; a zeroed struct is harmless. */
void cewb_sparse_release(cewb_sparse_data *d);

/* Check that k inner folds can be made from n rows. */
cewb_status cewb_sparse_check_folds(size_t n, size_t k, cewb_error *err);

/* Copy the rows of d whose fold differs from f (train) and equals f (test):
 * Zt (n_train x p), yt, Zv (n_test x p), yv; sizes returned. */
void cewb_sparse_split(const cewb_sparse_data *d, const size_t *fold, size_t f,
		       double *Zt, double *yt, size_t *n_train,
		       double *Zv, double *yv, size_t *n_test);

/* Mean square of yv - Zv w over n rows of p columns. */
double cewb_sparse_mse(const double *Zv, const double *yv, size_t n, size_t p,
		       const double *w);

/* Store a hyperparameter curve: allocate path arrays of n points. */
cewb_status cewb_sparse_path_alloc(cewb_fit_path *path, cewb_fit_method method,
				   const char *param_name, size_t n, size_t n_folds,
				   cewb_error *err);

/* G = Z'Z, c = Z'y, yy = y'y of n rows of p columns (sign +1, overwriting),
 * or those of the rows subtracted from G, c, yy (sign -1). */
void cewb_sparse_gram_add(const double *Z, const double *y, size_t n, size_t p, double sign,
			  double *G, double *c, double *yy);

/* The RFE or OMP curve (select.c). */
cewb_status cewb_select_path(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			     cewb_fit_path *path, cewb_error *err);

/* Sign of x: -1, 0 or 1. */
static inline double cewb_sparse_sign(double x)
{
	return (double)((x > 0) - (x < 0));
}

#endif
