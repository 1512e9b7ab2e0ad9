/*
 * cewb/fit.h - linear regression of effective cluster interactions.
 *
 * A problem is X (n_rows x n_cols, row-major: one row per structure, one
 * column per cluster-vector entry, the zerolet column of ones included) and
 * targets y.  Optional per-row weights w (the fit minimises
 * sum_i w_i r_i^2 + theta' Lambda theta), an optional full data covariance
 * Sigma (n_rows x n_rows, for GLS) and an optional prior precision Lambda
 * (n_cols x n_cols, for the prior method).  No intercept is added: the
 * zerolet column plays that part.
 *
 * Results are always in the original scale of X, whatever standardisation a
 * method uses internally.  Every method is deterministic given opt->seed.
 *
 * Standardisation (opt->standardize = 1, the default of ardr, lasso, enet,
 * rfe and omp): each column is divided by its standard deviation over the
 * rows (population formula; the mean is not removed, a constant column such
 * as the zerolet keeps scale 1) and y by its standard deviation.  This is
 * the convention of the reference workflow (icet/trainstation), so that
 * `fit ardr` with the defaults (threshold 1e4, tol 1e-3 on the sum of the
 * changes of the scaled coefficients, 300 iterations, Gamma(1e-6, 1e-6)
 * hyperpriors, no intercept besides the zerolet) reproduces the reference
 * ARDR on Ag-Pd: 44 nonzero ECIs, 10-fold CV about 1.9 meV/atom.  On raw
 * columns (`--standardize off`) the threshold acts on lambdas in the units
 * of the raw ECIs and keeps only 6 of them there.
 *
 * Methods in detail:
 *   ols    least squares; Cholesky of X'X when its condition number is below
 *          1e8, otherwise the SVD, which decides the rank (relative cutoff
 *          opt->tol, 0: eps * max(rows, cols)); a rank-deficient X gives the
 *          minimum-norm solution and a warning.  covariance = s2 (X'X)^+,
 *          s2 = RSS / (n - rank).
 *   ridge  Lambda = alpha I; alpha <= 0: chosen by exact leave-one-out over a
 *          log grid (hyper "alpha", "rmse_loo").
 *   prior  Lambda = problem->lambda (symmetric, positive semi-definite);
 *          solves (X'WX + Lambda) theta = X'Wy, pseudo-inverse and a warning
 *          when that matrix is singular.  covariance = s2 (X'WX + Lambda)^-1.
 *   gls    weights (W = diag(w)) or a full Sigma (whitened by its Cholesky
 *          factor; not positive definite: CEWB_EINVAL naming the minor), not
 *          both; covariance (X' Sigma^-1 X)^-1 with Sigma taken as known.
 *   bayes  Bayesian ridge: noise precision alpha and weight precision lambda
 *          by evidence maximisation (MacKay updates, Gamma(1e-6, 1e-6)
 *          hyperpriors); opt->tol bounds |d log alpha| + |d log lambda|.
 *          log_marginal_likelihood as the reference's score.
 *   ardr   one lambda per parameter, pruned once lambda >= opt->threshold
 *          (> 0, else CEWB_EINVAL); works in X'X, formed once.
 * Iterative methods that hit opt->max_iter return their last iterate with
 * converged = 0 and a warning; they never fail silently.
 *
 * Ownership: cewb_fit_result_release frees what a fit allocated inside the
 * result; the problem's arrays are borrowed and never freed or modified.
 */
#ifndef CEWB_FIT_H
#define CEWB_FIT_H

#include <stddef.h>
#include <stdint.h>
#include "cewb/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	CEWB_FIT_OLS,    /* least squares through SVD; reports rank deficiency */
	CEWB_FIT_RIDGE,  /* Lambda = alpha I */
	CEWB_FIT_PRIOR,  /* general prior precision Lambda (problem->lambda) */
	CEWB_FIT_BAYES,  /* Bayesian ridge, evidence maximisation */
	CEWB_FIT_ARDR,   /* automatic relevance determination, threshold pruning */
	CEWB_FIT_LASSO,  /* L1, coordinate descent; alpha by CV when alpha <= 0 */
	CEWB_FIT_ENET,   /* elastic net, l1_ratio */
	CEWB_FIT_RFE,    /* recursive feature elimination (OLS); size by CV when 0 */
	CEWB_FIT_OMP,    /* orthogonal matching pursuit; size by CV when 0 */
	CEWB_FIT_HUBER,  /* robust: Huber loss, IRLS */
	CEWB_FIT_LAD,    /* robust: least absolute deviation (Laplace likelihood) */
	CEWB_FIT_GLS,    /* generalised least squares with weights or full Sigma */
	CEWB_FIT_N_METHODS
} cewb_fit_method;

/* The data of a fit; all arrays borrowed. */
typedef struct {
	size_t n_rows, n_cols;
	const double *X;       /* n_rows x n_cols, row-major */
	const double *y;       /* n_rows */
	const double *weights; /* n_rows, > 0, or NULL for equal weights */
	const double *sigma;   /* n_rows x n_rows data covariance (GLS) or NULL */
	const double *lambda;  /* n_cols x n_cols prior precision (PRIOR) or NULL */
	const size_t *groups;  /* n_rows group labels, or NULL: every row its own
				  group.  Validation and the inner folds of the
				  methods keep the rows of a group together (e.g.
				  the 3 n_atoms force rows of one structure) */
} cewb_fit_problem;

/* Settings of a fit.  Start from cewb_fit_options_default(method). */
typedef struct {
	cewb_fit_method method;
	int standardize;       /* 1: scale columns and y to unit standard deviation
				  internally (see above), 0: raw X */
	double alpha;          /* ridge/lasso/enet strength; <= 0: choose by CV */
	double l1_ratio;       /* elastic net mix, (0, 1] */
	double threshold;      /* ARDR pruning threshold lambda_threshold, > 0 */
	size_t n_features;     /* RFE/OMP size; 0: choose by CV */
	double huber_epsilon;  /* Huber transition, in units of the residual scale */
	double tol;            /* convergence tolerance (meaning per method, above) */
	size_t max_iter;       /* iteration limit */
	size_t cv_folds;       /* inner CV folds for hyperparameter choice */
	uint64_t seed;         /* seed of every random choice */
	int n_threads;         /* BLAS threads (global setting of OpenBLAS; small
				  problems run fastest on 1); 0: leave as is */
} cewb_fit_options;

#define CEWB_FIT_MAX_HYPER 8

/* The outcome of a fit; release with cewb_fit_result_release. */
typedef struct {
	cewb_fit_method method;
	size_t n_cols;
	double *eci;           /* n_cols ECIs, original scale */
	double *covariance;    /* n_cols x n_cols posterior covariance, or NULL */
	size_t n_nonzero;      /* ECIs different from zero */
	size_t rank;           /* numerical rank of (weighted) X, where computed */
	double rmse_train;     /* root mean square training error */
	int converged;         /* 0 when an iterative method hit max_iter */
	size_t n_iter;
	double log_marginal_likelihood; /* Bayesian methods, else NAN */
	size_t n_hyper;        /* named hyperparameters chosen or used */
	char hyper_name[CEWB_FIT_MAX_HYPER][24];
	double hyper[CEWB_FIT_MAX_HYPER];
	char warning[CEWB_ERROR_MAX]; /* non-fatal note (rank deficiency, ...) or "" */
	double seconds;        /* wall time of the fit */
} cewb_fit_result;

/* Defaults for a method (alpha, thresholds, tolerances, standardisation). */
cewb_fit_options cewb_fit_options_default(cewb_fit_method method);
/* Name of a method ("ols", "ardr", ...). */
const char *cewb_fit_method_name(cewb_fit_method method);
/* Method from its name; CEWB_EINVAL for an unknown name. */
cewb_status cewb_fit_method_parse(const char *name, cewb_fit_method *method,
				  cewb_error *err);

/* Fit with the method in opt; res is overwritten (release it first). */
cewb_status cewb_fit(const cewb_fit_problem *prob, const cewb_fit_options *opt,
		     cewb_fit_result *res, cewb_error *err);
/* Free what a fit allocated inside res; a zeroed result is harmless. */
void cewb_fit_result_release(cewb_fit_result *res);
/* Predictions X_new * eci (n rows). */
void cewb_fit_predict(const double *X, size_t n_rows, size_t n_cols,
		      const double *eci, double *out);
/*
 * Standard deviation of each prediction from an ECI covariance C (a fit's
 * posterior covariance, or an ensemble's): out[i] = sqrt(x_i' C x_i), plus
 * noise_variance under the root when > 0 (the spread of a new measurement).
 */
void cewb_fit_predict_sigma(const double *X, size_t n_rows, size_t n_cols,
			    const double *covariance, double noise_variance, double *out);

/* Per-method entry points, same contract as cewb_fit. */
cewb_status cewb_fit_ols(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);
cewb_status cewb_fit_ridge(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);
cewb_status cewb_fit_prior(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);
cewb_status cewb_fit_gls(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);
cewb_status cewb_fit_bayes(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);
cewb_status cewb_fit_ardr(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);
cewb_status cewb_fit_lasso(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);
cewb_status cewb_fit_enet(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);
cewb_status cewb_fit_rfe(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);
cewb_status cewb_fit_omp(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);
cewb_status cewb_fit_huber(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);
cewb_status cewb_fit_lad(const cewb_fit_problem *, const cewb_fit_options *,
			 cewb_fit_result *, cewb_error *);

/* Validation schemes. */
typedef enum {
	CEWB_XVAL_KFOLD,        /* k-fold, repeated `repeat` times with new shuffles */
	CEWB_XVAL_SHUFFLE_SPLIT,/* repeat random splits, test_fraction held out */
	CEWB_XVAL_LOO,          /* leave-one-out (closed form where linear in y) */
	CEWB_XVAL_BOOTSTRAP     /* bootstrap ensemble: out-of-bag error, ECI spread */
} cewb_xval_scheme;

typedef struct {
	cewb_xval_scheme scheme;
	size_t folds;           /* k for k-fold */
	size_t repeat;          /* repeats (k-fold, shuffle-split, bootstrap size) */
	double test_fraction;   /* shuffle-split */
	uint64_t seed;          /* the same seed gives the same splits for every method */
	size_t train_size;      /* 0: all remaining rows; else subsample (learning curves) */
} cewb_xval_options;

/* Outcome of a validation. */
typedef struct {
	size_t n_splits;
	double rmse_validation;      /* sqrt of the mean over splits of the held-out
					mean square error (LOO: the usual LOO rmse) */
	double rmse_validation_std;  /* standard deviation over splits of their rmse */
	double rmse_train;           /* mean training rmse over splits */
	double n_nonzero;            /* mean number of nonzero ECIs over splits */
	double *eci_mean;            /* n_cols, mean over splits (ensemble) */
	double *eci_std;             /* n_cols, spread over splits */
	double *predicted;           /* n_rows: out-of-sample prediction of each row,
					mean over the splits that held it out (NAN
					where never held out) */
	double seconds;
} cewb_xval_result;

cewb_xval_options cewb_xval_options_default(void);
/* Name of a scheme as in reports: "kfold", "shuffle-split", "loo", "bootstrap". */
const char *cewb_xval_scheme_name(cewb_xval_scheme scheme);
/* The k-fold split cewb_xval uses: rows shuffled by a generator seeded with
 * seed and the repeat index, cut into k consecutive blocks (the first
 * n_rows % k one row longer); fold[i] receives the fold (0..k-1) of row i.
 * It depends only on n_rows, k, seed and repeat, so every method (and the
 * inner choice of hyperparameters with opt->seed) sees the same splits. */
void cewb_fit_kfold_assign(size_t n_rows, size_t k, uint64_t seed, size_t repeat,
			   size_t *fold);
/* The same split over groups: the distinct labels of groups[0..n_rows)
 * (sorted by value) are assigned to folds as cewb_fit_kfold_assign assigns
 * rows, and every row takes the fold of its group; groups NULL is exactly
 * cewb_fit_kfold_assign. */
void cewb_fit_kfold_assign_groups(size_t n_rows, const size_t *groups, size_t k, uint64_t seed,
				  size_t repeat, size_t *fold);
/*
 * Validate the fit described by opt on prob with the scheme in xopt.  OLS,
 * ridge with a given alpha, prior and GLS with weights are factored once and
 * each held-out set is removed in closed form (exact, same numbers as
 * refitting); every other method is refitted on each training set.  The
 * bootstrap draws n_rows rows with replacement per repeat and validates on
 * the rows not drawn.  Errors name the split ("split 3: ...").
 * With prob->groups every scheme works on groups instead of rows: folds,
 * leave-one-out, shuffle-split and bootstrap draws hold out or draw whole
 * groups, xopt->train_size counts groups, and every split is refitted
 * (held-out sets are then too large for the closed forms to pay).
 */
cewb_status cewb_xval(const cewb_fit_problem *prob, const cewb_fit_options *opt,
		      const cewb_xval_options *xopt, cewb_xval_result *res,
		      cewb_error *err);
void cewb_xval_result_release(cewb_xval_result *res);

/* Deterministic random numbers (splitmix64 seeding xoshiro256**), so that
 * splits repeat exactly on every machine. */
typedef struct { uint64_t s[4]; } cewb_rng;
void cewb_rng_seed(cewb_rng *rng, uint64_t seed);
uint64_t cewb_rng_next(cewb_rng *rng);
/* Uniform in [0, 1). */
double cewb_rng_uniform(cewb_rng *rng);
/* Standard normal. */
double cewb_rng_normal(cewb_rng *rng);
/* Fisher-Yates shuffle of idx[0..n). */
void cewb_rng_shuffle(cewb_rng *rng, size_t *idx, size_t n);

/* ---- Hyperparameter curves of the sparse and subset-selection fits ----
 *
 * The cross-validated curve behind the automatic choice of LASSO and
 * elastic net (over alpha) and of RFE and OMP (over the number of
 * features), for tables and plots.  The folds are the inner folds of the
 * method (opt->cv_folds, opt->seed), the same the fit itself uses.
 */
typedef struct {
	cewb_fit_method method;
	char param_name[24];  /* "alpha" or "n_features" */
	size_t n_points;
	size_t n_folds;
	double *param;        /* n_points: alpha (descending) or feature count (ascending) */
	double *rmse_mean;    /* n_points: validation rmse, mean over the folds */
	double *rmse_std;     /* n_points: its standard deviation over the folds */
	size_t *n_nonzero;    /* n_points: nonzero ECIs of the fit on all rows there */
	size_t best;          /* index of the point the method picks (least mean square error) */
} cewb_fit_path;

/* Compute the curve for opt->method (lasso, enet, rfe or omp; CEWB_EINVAL
 * otherwise); path is overwritten (release it first). */
cewb_status cewb_fit_path_compute(const cewb_fit_problem *prob, const cewb_fit_options *opt,
				  cewb_fit_path *path, cewb_error *err);
/* Free the arrays of path; a zeroed path is harmless. */
void cewb_fit_path_release(cewb_fit_path *path);
/* ---- end of hyperparameter curves ---- */

#ifdef __cplusplus
}
#endif
#endif
