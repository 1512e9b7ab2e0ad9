/*
 * fit_internal.h - helpers shared by the fitting methods of libcewb (not
 * installed).
 *
 * Conventions as in cewb/fit.h: matrices row-major, X is n_rows x n_cols,
 * indices 0-based.  Helpers that allocate say so; everything they allocate
 * is freed by the matching _release or by free().
 */
#ifndef CEWB_FIT_INTERNAL_H
#define CEWB_FIT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "cewb/fit.h"

/* Monotonic wall clock in seconds. */
double cewb_fit_clock(void);

/*
 * malloc for large work arrays (Gram matrices): from 4 MB on, 2 MB aligned
 * and backed by transparent huge pages where the kernel allows it, which
 * saves hundreds of page faults per matrix.  Release with free().
 */
void *cewb_fit_alloc_large(size_t bytes);

/* Set the number of BLAS threads when n > 0 (no effect otherwise). */
void cewb_fit_set_threads(int n);

/*
 * Check a problem before fitting: sizes > 0, X and y present and finite,
 * weights finite and > 0.  The message names the offending row (and column),
 * e.g. "target of row 12 is nan".
 */
cewb_status cewb_fit_check_problem(const cewb_fit_problem *prob, cewb_error *err);

/*
 * Prepare res for a fit of n_cols parameters: zero everything, allocate
 * eci (zeroed), log_marginal_likelihood = NAN, converged = 1.
 */
cewb_status cewb_fit_result_init(cewb_fit_result *res, cewb_fit_method method,
				 size_t n_cols, cewb_error *err);

/* Fill n_nonzero and rmse_train (unweighted residuals on prob) from res->eci. */
void cewb_fit_result_finish(cewb_fit_result *res, const cewb_fit_problem *prob);

/* Record a named hyperparameter (ignored once CEWB_FIT_MAX_HYPER are kept). */
void cewb_fit_result_hyper(cewb_fit_result *res, const char *name, double value);

/* Root mean square of y - X theta over n_rows rows. */
double cewb_fit_rmse(const double *X, size_t n_rows, size_t n_cols, const double *y,
		     const double *theta);

/*
 * Column standardisation used by every method with opt->standardize = 1:
 * column j is divided by its standard deviation over the rows (population
 * formula, about the column mean, the mean itself is NOT removed), a
 * constant column (the zerolet; standard deviation below 1e-10 times the
 * mean) keeps scale 1; y is divided by its standard
 * deviation (1 when y is constant).  A coefficient t_s found on the scaled
 * data maps back as t_j = t_s_j * y_scale / col_scale[j].
 */
typedef struct {
	size_t n_rows, n_cols;
	double *X;          /* scaled copy of X (NULL when made with no_copy) */
	double *y;          /* scaled copy of y */
	double *col_scale;  /* n_cols divisors of the columns */
	double y_scale;     /* divisor of y */
} cewb_fit_std;

/* Scale X and y as above into a new cewb_fit_std (allocates). */
cewb_status cewb_fit_std_init(cewb_fit_std *s, const double *X, const double *y,
			      size_t n_rows, size_t n_cols, cewb_error *err);
/* Only the scales (s->X and s->y stay NULL); no copy of X is made. */
cewb_status cewb_fit_std_scales(cewb_fit_std *s, const double *X, const double *y,
				size_t n_rows, size_t n_cols, cewb_error *err);
/* Map scaled coefficients theta (n_cols) back to the original scale, in place. */
void cewb_fit_std_unscale(const cewb_fit_std *s, double *theta);
/* Free what cewb_fit_std_init allocated; a zeroed struct is harmless. */
void cewb_fit_std_release(cewb_fit_std *s);

/*
 * Minimum-norm least squares of y ~ X[:, cols] through the SVD (LAPACK
 * dgelsd), cols[0..n_sel) distinct column indices (cols NULL: all columns,
 * n_sel = n_cols).  coef receives n_sel values; *rank (if not NULL) the
 * numerical rank with relative cutoff rcond (<= 0: eps * max(n_rows, n_sel)).
 */
cewb_status cewb_fit_lsq_cols(const double *X, size_t n_rows, size_t n_cols,
			      const double *y, const size_t *cols, size_t n_sel,
			      double rcond, double *coef, size_t *rank, cewb_error *err);

/*
 * Rows of a k-fold split, identical for every method: the rows are shuffled
 * by a generator seeded with seed and the repeat index, then cut into k
 * consecutive blocks (the first n_rows % k blocks one row longer).  fold[i]
 * receives the fold (0..k-1) of row i.  k must be in [2, n_rows].
 */
void cewb_fit_kfold_assign(size_t n_rows, size_t k, uint64_t seed, size_t repeat,
			   size_t *fold);

/*
 * A sub-problem made of the given rows of prob (rows may repeat, as in a
 * bootstrap sample): X, y, weights and the Sigma sub-block are copied into
 * one block *storage (free it with free()); lambda is borrowed.
 */
/* Dense group numbers: unit_of[i] in 0..(return value - 1), the distinct
 * labels of groups sorted by value (groups NULL: unit_of[i] = i).  Returns
 * 0 when out of memory (and for n_rows 0). */
size_t cewb_fit_group_units(size_t n_rows, const size_t *groups, size_t *unit_of);
cewb_status cewb_fit_problem_rows(const cewb_fit_problem *prob, const size_t *rows,
				  size_t n, cewb_fit_problem *sub, double **storage,
				  cewb_error *err);

/*
 * Apply the weights: rows of X and y multiplied by sqrt(w_i) into new arrays
 * *Xw, *yw (allocated; copies of X and y when weights is NULL).
 */
cewb_status cewb_fit_weighted_copy(const cewb_fit_problem *prob, double **Xw, double **yw,
				   cewb_error *err);

/*
 * Linear smoother shared by OLS, ridge, prior and GLS with diagonal weights:
 * theta = W X~' y~ with X~ = sqrt(W) X, y~ = sqrt(W) y and the small matrix
 * W = (X~'X~ + Lambda)^+ (n_cols x n_cols).  Cross-validation removes rows in
 * closed form with it (B = W X~' is the smoother matrix, H = X~ B the hat).
 */
typedef struct {
	size_t n_rows, n_cols;
	double *W;          /* n_cols x n_cols, symmetric, row-major */
	const double *Xw;   /* n_rows x n_cols, sqrt(W) X (the problem's X without weights) */
	const double *yw;   /* n_rows, sqrt(W) y */
	double *sw;         /* n_rows, sqrt(w_i) (all 1 without weights) */
	double *own;        /* storage behind Xw, yw when weighted, else NULL */
	size_t rank;        /* numerical rank of X~ (OLS) or n_cols */
	int exact_cv;       /* 1 when held-out refits equal the closed form */
} cewb_fit_smoother;

/*
 * Build the smoother of a linear method (OLS, ridge with opt->alpha > 0,
 * prior, GLS with weights); res receives the fit itself.
 */
cewb_status cewb_fit_smoother_build(const cewb_fit_problem *prob,
				    const cewb_fit_options *opt, cewb_fit_smoother *sm,
				    cewb_fit_result *res, cewb_error *err);
void cewb_fit_smoother_release(cewb_fit_smoother *sm);

#endif
