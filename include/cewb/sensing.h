/*
 * cewb/sensing.h - diagnostics of a sensing matrix X and export of X and y.
 *
 * Conventions: X is row-major, n_rows x n_cols (one row per structure, one
 * column per cluster-vector entry); indices are 0-based.  The diagnostics
 * never modify X.
 *
 *  - singular values from LAPACK dgesdd, descending;
 *  - rank = number of singular values above max(n_rows, n_cols) * eps * s_max
 *    (or above opt->rank_tol * s_max when that option is positive);
 *  - condition number = s_max / s_min over all min(n_rows, n_cols) singular
 *    values (INFINITY when X is rank deficient or empty);
 *  - correlation = Pearson correlation of two columns; a column whose
 *    standard deviation is below const_tol (absolute) is constant and its
 *    correlations are NAN;
 *  - leverage of row i = diagonal element i of the hat matrix
 *    X (X^T X)^+ X^T = sum over the first rank left singular vectors of
 *    U_ik^2; the leverages sum to the rank, each lies in [0, 1];
 *  - rows i, j are duplicates when their RMS difference
 *    |x_i - x_j| / sqrt(n_cols) is at most dup_tol, near duplicates when it
 *    is at most near_tol.
 *
 * Ownership: cewb_sensing_compute fills a caller-owned cewb_sensing that
 * cewb_sensing_release frees.
 */
#ifndef CEWB_SENSING_H
#define CEWB_SENSING_H

#include <stddef.h>
#include "cewb/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Tolerances and limits of the diagnostics; cewb_sensing_options_default. */
typedef struct {
	double rank_tol;       /* relative to s_max; <= 0: max(n,p) * eps */
	double const_tol;      /* a column with std <= const_tol is constant */
	double dup_tol;        /* RMS row difference of a duplicate */
	double near_tol;       /* RMS row difference of a near duplicate */
	size_t max_top;        /* most correlated column pairs to list */
	size_t max_pairs;      /* duplicate row pairs to list (all are counted) */
	int want_correlation;  /* keep the full n_cols x n_cols matrix */
} cewb_sensing_options;

/* Two columns and their correlation. */
typedef struct {
	size_t a, b;
	double r;
} cewb_sensing_corr;

/* Two rows and the RMS difference of their entries. */
typedef struct {
	size_t a, b;
	double rms;
	int exact;             /* within dup_tol (else only within near_tol) */
} cewb_sensing_dup;

typedef struct {
	size_t n_rows, n_cols;
	size_t rank;
	double condition_number;   /* INFINITY when rank deficient */
	size_t n_singular;         /* min(n_rows, n_cols) */
	double *singular_values;   /* descending */
	double *correlation;       /* n_cols x n_cols, or NULL (see options) */
	size_t n_top;
	cewb_sensing_corr *top;    /* most correlated column pairs, |r| descending */
	size_t n_constant;
	size_t *constant;          /* constant columns, ascending */
	size_t n_duplicates;       /* duplicate row pairs found */
	size_t n_near;             /* near-duplicate pairs found (not exact) */
	size_t n_pairs;
	cewb_sensing_dup *pairs;   /* listed pairs: exact first, then by rms */
	double *leverage;          /* n_rows */
	size_t *by_leverage;       /* row indices, leverage descending */
} cewb_sensing;

/* Default options: rank_tol 0, const_tol 1e-12, dup_tol 1e-10, near_tol 1e-3,
 * max_top 10, max_pairs 100, correlation kept. */
void cewb_sensing_options_default(cewb_sensing_options *opt);

/*
 * Compute all diagnostics of X (n_rows x n_cols, row-major); opt may be
 * NULL for the defaults.  Memory: a copy of X plus its left singular
 * vectors and the n_cols x n_cols correlation matrix.  CEWB_ENUMERIC when
 * the SVD does not converge, CEWB_EINVAL for an empty X or a non-finite
 * entry (naming row and column).
 */
cewb_status cewb_sensing_compute(const double *X, size_t n_rows, size_t n_cols,
				 const cewb_sensing_options *opt, cewb_sensing *out,
				 cewb_error *err);
/* Free what cewb_sensing_compute allocated and zero the struct. */
void cewb_sensing_release(cewb_sensing *s);

/*
 * Leverage alone: h[i] = diagonal of the hat matrix of X (thin SVD), and the
 * rank used; rank_tol as in the options.
 */
cewb_status cewb_sensing_leverage(const double *X, size_t n_rows, size_t n_cols,
				  double rank_tol, double *h, size_t *rank,
				  cewb_error *err);

/*
 * Write X (n_rows x n_cols) to path as CSV (header "id,<col names>", one
 * line per row beginning with its id) or as JSON {"columns": [...],
 * "ids": [...], "X": [[...], ...]}; the format follows the extension
 * (.json, anything else CSV).  ids may be NULL (0..n_rows-1); col_names may
 * be NULL ("c0", "c1", ...).  Written atomically (temporary file + rename).
 */
cewb_status cewb_export_matrix(const char *path, const double *X, size_t n_rows,
			       size_t n_cols, const size_t *ids,
			       const char *const *col_names, cewb_error *err);
/*
 * Write y (and weights, if w is not NULL) to path: CSV "id,y[,weight]" or
 * JSON {"ids": [...], "y": [...], "weights": [...]}, chosen as for X.
 */
cewb_status cewb_export_vector(const char *path, const double *y, const double *w,
			       size_t n_rows, const size_t *ids, cewb_error *err);

#ifdef __cplusplus
}
#endif
#endif
