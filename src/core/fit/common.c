/* Fitting: options, method names, the dispatcher, the generator, shared helpers. */
#include "config.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <cblas.h>
#include <lapacke.h>
#include "cewb/fit.h"
#include "fit_internal.h"

static const char *const method_names[CEWB_FIT_N_METHODS] = {
	[CEWB_FIT_OLS] = "ols",     [CEWB_FIT_RIDGE] = "ridge", [CEWB_FIT_PRIOR] = "prior",
	[CEWB_FIT_BAYES] = "bayes", [CEWB_FIT_ARDR] = "ardr",   [CEWB_FIT_LASSO] = "lasso",
	[CEWB_FIT_ENET] = "enet",   [CEWB_FIT_RFE] = "rfe",     [CEWB_FIT_OMP] = "omp",
	[CEWB_FIT_HUBER] = "huber", [CEWB_FIT_LAD] = "lad",     [CEWB_FIT_GLS] = "gls",
};

/* Defaults chosen to match the settings of the reference implementation. */
cewb_fit_options cewb_fit_options_default(cewb_fit_method method)
{
	cewb_fit_options o;
	memset(&o, 0, sizeof o);
	o.method = method;
	o.standardize = 0;
	o.alpha = 0.0;
	o.l1_ratio = 0.5;
	o.threshold = 1e4;
	o.n_features = 0;
	o.huber_epsilon = 1.35;
	o.tol = 1e-4;
	o.max_iter = 1000;
	o.cv_folds = 5;
	o.seed = 42;
	o.n_threads = 0;
	switch (method) {
	case CEWB_FIT_OLS:
	case CEWB_FIT_GLS:
		o.tol = 0.0; /* relative singular-value cutoff; 0: eps * max(rows, cols) */
		break;
	case CEWB_FIT_RIDGE:
		o.tol = 0.0;
		o.alpha = 0.0; /* chosen by exact leave-one-out */
		break;
	case CEWB_FIT_PRIOR:
		o.tol = 0.0;
		break;
	case CEWB_FIT_BAYES:
		o.tol = 1e-6; /* change of log(alpha) + log(lambda) */
		o.max_iter = 300;
		break;
	case CEWB_FIT_ARDR:
		o.standardize = 1;
		o.tol = 1e-3; /* sum of |change| of the scaled coefficients */
		o.max_iter = 300;
		break;
	case CEWB_FIT_LASSO:
	case CEWB_FIT_ENET:
	case CEWB_FIT_OMP:
		o.standardize = 1;
		break;
	case CEWB_FIT_RFE:
		o.standardize = 1;
		break;
	case CEWB_FIT_HUBER:
		o.max_iter = 100;
		o.tol = 1e-6;
		break;
	case CEWB_FIT_LAD:
		o.max_iter = 200;
		o.tol = 1e-8;
		break;
	default:
		break;
	}
	return o;
}

const char *cewb_fit_method_name(cewb_fit_method method)
{
	if ((unsigned)method >= CEWB_FIT_N_METHODS)
		return "unknown";
	return method_names[method];
}

cewb_status cewb_fit_method_parse(const char *name, cewb_fit_method *method,
				  cewb_error *err)
{
	size_t i;
	char list[160] = "";
	if (name) {
		for (i = 0; i < CEWB_FIT_N_METHODS; i++) {
			if (strcmp(name, method_names[i]) == 0) {
				*method = (cewb_fit_method)i;
				return CEWB_OK;
			}
		}
		if (strcmp(name, "ard") == 0) { /* the short name of the literature */
			*method = CEWB_FIT_ARDR;
			return CEWB_OK;
		}
	}
	for (i = 0; i < CEWB_FIT_N_METHODS; i++) {
		if (i)
			strcat(list, ", ");
		strcat(list, method_names[i]);
	}
	CEWB_RAISE(err, CEWB_EINVAL, "unknown fit method '%s' (one of %s)",
		   name ? name : "", list);
}

cewb_status cewb_fit(const cewb_fit_problem *prob, const cewb_fit_options *opt,
		     cewb_fit_result *res, cewb_error *err)
{
	if (!prob || !opt || !res)
		CEWB_RAISE(err, CEWB_EINVAL, "fit needs a problem, options and a result");
	cewb_fit_set_threads(opt->n_threads);
	switch (opt->method) {
	case CEWB_FIT_OLS: return cewb_fit_ols(prob, opt, res, err);
	case CEWB_FIT_RIDGE: return cewb_fit_ridge(prob, opt, res, err);
	case CEWB_FIT_PRIOR: return cewb_fit_prior(prob, opt, res, err);
	case CEWB_FIT_BAYES: return cewb_fit_bayes(prob, opt, res, err);
	case CEWB_FIT_ARDR: return cewb_fit_ardr(prob, opt, res, err);
	case CEWB_FIT_LASSO: return cewb_fit_lasso(prob, opt, res, err);
	case CEWB_FIT_ENET: return cewb_fit_enet(prob, opt, res, err);
	case CEWB_FIT_RFE: return cewb_fit_rfe(prob, opt, res, err);
	case CEWB_FIT_OMP: return cewb_fit_omp(prob, opt, res, err);
	case CEWB_FIT_HUBER: return cewb_fit_huber(prob, opt, res, err);
	case CEWB_FIT_LAD: return cewb_fit_lad(prob, opt, res, err);
	case CEWB_FIT_GLS: return cewb_fit_gls(prob, opt, res, err);
	default: break;
	}
	CEWB_RAISE(err, CEWB_EINVAL, "unknown fit method %d", (int)opt->method);
}

void cewb_fit_result_release(cewb_fit_result *res)
{
	if (!res)
		return;
	free(res->eci);
	free(res->covariance);
	res->eci = NULL;
	res->covariance = NULL;
}

void cewb_fit_predict(const double *X, size_t n_rows, size_t n_cols,
		      const double *eci, double *out)
{
	if (n_rows == 0)
		return;
	if (n_cols == 0) {
		memset(out, 0, n_rows * sizeof *out);
		return;
	}
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n_rows, (int)n_cols, 1.0, X,
		    (int)n_cols, eci, 1, 0.0, out, 1);
}

void cewb_fit_predict_sigma(const double *X, size_t n_rows, size_t n_cols,
			    const double *covariance, double noise_variance, double *out)
{
	size_t i, j, k;
	for (i = 0; i < n_rows; i++) {
		const double *x = X + i * n_cols;
		double v = noise_variance > 0 ? noise_variance : 0.0;
		for (j = 0; j < n_cols; j++) {
			double cx = 0.0;
			if (x[j] == 0.0)
				continue;
			for (k = 0; k < n_cols; k++)
				cx += covariance[j * n_cols + k] * x[k];
			v += x[j] * cx;
		}
		out[i] = sqrt(v > 0 ? v : 0.0);
	}
}

/* ---- generator: xoshiro256** seeded through splitmix64 ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void cewb_rng_seed(cewb_rng *rng, uint64_t seed)
{
	uint64_t x = seed;
	int i;
	for (i = 0; i < 4; i++)
		rng->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t cewb_rng_next(cewb_rng *rng)
{
	uint64_t *s = rng->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double cewb_rng_uniform(cewb_rng *rng)
{
	return (double)(cewb_rng_next(rng) >> 11) * 0x1.0p-53;
}

/* Box-Muller; one of the pair is dropped so that no state is kept. */
double cewb_rng_normal(cewb_rng *rng)
{
	double u1, u2;
	do
		u1 = cewb_rng_uniform(rng);
	while (u1 <= 0.0);
	u2 = cewb_rng_uniform(rng);
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* An unbiased integer in [0, n) by rejection (Lemire's multiply-shift). */
static uint64_t rng_below(cewb_rng *rng, uint64_t n)
{
	uint64_t x = cewb_rng_next(rng);
	unsigned __int128 m = (unsigned __int128)x * n;
	uint64_t l = (uint64_t)m;
	if (l < n) {
		uint64_t t = (0 - n) % n;
		while (l < t) {
			x = cewb_rng_next(rng);
			m = (unsigned __int128)x * n;
			l = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

void cewb_rng_shuffle(cewb_rng *rng, size_t *idx, size_t n)
{
	size_t i;
	for (i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(rng, i);
		size_t t = idx[i - 1];
		idx[i - 1] = idx[j];
		idx[j] = t;
	}
}

/* ---- shared helpers ---- */

double cewb_fit_clock(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void *cewb_fit_alloc_large(size_t bytes)
{
	void *ptr = NULL;
	const size_t huge = (size_t)2 << 20;
	if (bytes < 2 * huge)
		return malloc(bytes ? bytes : 1);
	if (posix_memalign(&ptr, huge, bytes) != 0)
		return NULL;
#ifdef MADV_HUGEPAGE
	/* only advice: ignore a kernel without transparent huge pages */
	(void)madvise(ptr, bytes, MADV_HUGEPAGE);
#endif
	return ptr;
}

void cewb_fit_set_threads(int n)
{
	if (n > 0)
		openblas_set_num_threads(n);
}

cewb_status cewb_fit_check_problem(const cewb_fit_problem *prob, cewb_error *err)
{
	size_t i, j;
	if (!prob || !prob->X || !prob->y)
		CEWB_RAISE(err, CEWB_EINVAL, "fit needs a sensing matrix and targets");
	if (prob->n_rows == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "no structures to fit");
	if (prob->n_cols == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "no parameters to fit");
	for (i = 0; i < prob->n_rows; i++) {
		if (!isfinite(prob->y[i]))
			CEWB_RAISE(err, CEWB_EINVAL, "target of row %zu is %s", i,
				   isnan(prob->y[i]) ? "nan" : "infinite");
		if (prob->weights && !(isfinite(prob->weights[i]) && prob->weights[i] > 0))
			CEWB_RAISE(err, CEWB_EINVAL, "weight of row %zu is %g, must be > 0", i,
				   prob->weights[i]);
		for (j = 0; j < prob->n_cols; j++) {
			double x = prob->X[i * prob->n_cols + j];
			if (!isfinite(x))
				CEWB_RAISE(err, CEWB_EINVAL,
					   "sensing matrix entry at row %zu column %zu is %s", i,
					   j, isnan(x) ? "nan" : "infinite");
		}
	}
	return CEWB_OK;
}

cewb_status cewb_fit_result_init(cewb_fit_result *res, cewb_fit_method method,
				 size_t n_cols, cewb_error *err)
{
	memset(res, 0, sizeof *res);
	res->method = method;
	res->n_cols = n_cols;
	res->eci = calloc(n_cols ? n_cols : 1, sizeof *res->eci);
	if (!res->eci)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for %zu parameters", n_cols);
	res->log_marginal_likelihood = NAN;
	res->converged = 1;
	return CEWB_OK;
}

void cewb_fit_result_finish(cewb_fit_result *res, const cewb_fit_problem *prob)
{
	size_t j, nz = 0;
	for (j = 0; j < res->n_cols; j++)
		nz += res->eci[j] != 0.0;
	res->n_nonzero = nz;
	res->rmse_train = cewb_fit_rmse(prob->X, prob->n_rows, prob->n_cols, prob->y, res->eci);
}

void cewb_fit_result_hyper(cewb_fit_result *res, const char *name, double value)
{
	if (res->n_hyper >= CEWB_FIT_MAX_HYPER)
		return;
	snprintf(res->hyper_name[res->n_hyper], sizeof res->hyper_name[0], "%s", name);
	res->hyper[res->n_hyper++] = value;
}

double cewb_fit_rmse(const double *X, size_t n_rows, size_t n_cols, const double *y,
		     const double *theta)
{
	/* blocks of rows through dgemv, so that no buffer of n_rows is needed */
	double r[256], ss = 0.0;
	size_t i0, i;
	if (n_rows == 0)
		return 0.0;
	for (i0 = 0; i0 < n_rows; i0 += 256) {
		size_t m = n_rows - i0 < 256 ? n_rows - i0 : 256;
		memcpy(r, y + i0, m * sizeof *r);
		if (n_cols > 0)
			cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)m, (int)n_cols, -1.0,
				    X + i0 * n_cols, (int)n_cols, theta, 1, 1.0, r, 1);
		for (i = 0; i < m; i++)
			ss += r[i] * r[i];
	}
	return sqrt(ss / (double)n_rows);
}

cewb_status cewb_fit_std_scales(cewb_fit_std *s, const double *X, const double *y,
				size_t n_rows, size_t n_cols, cewb_error *err)
{
	size_t i, j;
	double *mean;
	double my = 0.0, vy = 0.0;
	memset(s, 0, sizeof *s);
	s->n_rows = n_rows;
	s->n_cols = n_cols;
	s->col_scale = calloc(n_cols ? n_cols : 1, sizeof *s->col_scale);
	mean = calloc(n_cols ? n_cols : 1, sizeof *mean);
	if (!s->col_scale || !mean) {
		free(mean);
		cewb_fit_std_release(s);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for column scales");
	}
	/* Two passes (mean, then squared deviations) for accuracy. */
	for (i = 0; i < n_rows; i++)
		for (j = 0; j < n_cols; j++)
			mean[j] += X[i * n_cols + j];
	for (j = 0; j < n_cols; j++)
		mean[j] /= (double)n_rows;
	for (i = 0; i < n_rows; i++)
		for (j = 0; j < n_cols; j++) {
			double d = X[i * n_cols + j] - mean[j];
			s->col_scale[j] += d * d;
		}
	for (j = 0; j < n_cols; j++) {
		double sd = sqrt(s->col_scale[j] / (double)n_rows);
		/* A constant column keeps its scale, like the reference scaler. */
		s->col_scale[j] = sd > 1e-10 * fabs(mean[j]) + 1e-300 ? sd : 1.0;
	}
	free(mean);
	for (i = 0; i < n_rows; i++)
		my += y[i];
	my /= (double)n_rows;
	for (i = 0; i < n_rows; i++)
		vy += (y[i] - my) * (y[i] - my);
	vy = sqrt(vy / (double)n_rows);
	s->y_scale = vy > 1e-10 * fabs(my) + 1e-300 ? vy : 1.0;
	return CEWB_OK;
}

cewb_status cewb_fit_std_init(cewb_fit_std *s, const double *X, const double *y,
			      size_t n_rows, size_t n_cols, cewb_error *err)
{
	size_t i, j;
	cewb_status st = cewb_fit_std_scales(s, X, y, n_rows, n_cols, err);
	if (st)
		return st;
	s->X = malloc((n_rows * n_cols > 0 ? n_rows * n_cols : 1) * sizeof *s->X);
	s->y = malloc((n_rows ? n_rows : 1) * sizeof *s->y);
	if (!s->X || !s->y) {
		cewb_fit_std_release(s);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a %zu x %zu matrix", n_rows,
			   n_cols);
	}
	for (i = 0; i < n_rows; i++) {
		for (j = 0; j < n_cols; j++)
			s->X[i * n_cols + j] = X[i * n_cols + j] / s->col_scale[j];
		s->y[i] = y[i] / s->y_scale;
	}
	return CEWB_OK;
}

void cewb_fit_std_unscale(const cewb_fit_std *s, double *theta)
{
	size_t j;
	for (j = 0; j < s->n_cols; j++)
		theta[j] *= s->y_scale / s->col_scale[j];
}

void cewb_fit_std_release(cewb_fit_std *s)
{
	if (!s)
		return;
	free(s->X);
	free(s->y);
	free(s->col_scale);
	s->X = s->y = s->col_scale = NULL;
}

cewb_status cewb_fit_lsq_cols(const double *X, size_t n_rows, size_t n_cols,
			      const double *y, const size_t *cols, size_t n_sel,
			      double rcond, double *coef, size_t *rank, cewb_error *err)
{
	size_t i, j, ldb = n_rows > n_sel ? n_rows : n_sel;
	double *A, *b, *sv;
	lapack_int info, rk = 0;
	if (n_sel == 0) {
		if (rank)
			*rank = 0;
		return CEWB_OK;
	}
	if (!cols)
		n_sel = n_cols;
	A = malloc((n_rows * n_sel + ldb + n_sel + 1) * sizeof *A);
	if (!A)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a %zu x %zu least squares",
			   n_rows, n_sel);
	b = A + n_rows * n_sel;
	sv = b + ldb;
	for (i = 0; i < n_rows; i++) {
		for (j = 0; j < n_sel; j++)
			A[i * n_sel + j] = X[i * n_cols + (cols ? cols[j] : j)];
		b[i] = y[i];
	}
	for (i = n_rows; i < ldb; i++)
		b[i] = 0.0;
	if (rcond <= 0)
		rcond = DBL_EPSILON * (double)(n_rows > n_sel ? n_rows : n_sel);
	info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, (lapack_int)n_rows, (lapack_int)n_sel, 1, A,
			      (lapack_int)n_sel, b, 1, sv, rcond, &rk);
	if (info != 0) {
		free(A);
		if (info < 0)
			CEWB_RAISE(err, CEWB_ENOMEM, "least squares: workspace (lapack %d)",
				   (int)info);
		CEWB_RAISE(err, CEWB_ENUMERIC, "least squares: the svd did not converge");
	}
	for (j = 0; j < n_sel; j++)
		coef[j] = b[j];
	if (rank)
		*rank = (size_t)rk;
	free(A);
	return CEWB_OK;
}

void cewb_fit_kfold_assign(size_t n_rows, size_t k, uint64_t seed, size_t repeat,
			   size_t *fold)
{
	size_t *perm = malloc((n_rows ? n_rows : 1) * sizeof *perm);
	size_t i, f, pos = 0;
	cewb_rng rng;
	if (k < 1)
		k = 1;
	if (!perm) {
		/* No memory for a shuffle: fall back to a deterministic stripe. */
		for (i = 0; i < n_rows; i++)
			fold[i] = i % k;
		return;
	}
	for (i = 0; i < n_rows; i++)
		perm[i] = i;
	cewb_rng_seed(&rng, seed + 0xD1B54A32D192ED03ull * (uint64_t)repeat);
	cewb_rng_shuffle(&rng, perm, n_rows);
	for (f = 0; f < k; f++) {
		size_t len = n_rows / k + (f < n_rows % k);
		for (i = 0; i < len; i++)
			fold[perm[pos + i]] = f;
		pos += len;
	}
	free(perm);
}

/* Order of two (label, row) pairs by label, then row. */
static int label_cmp(const void *pa, const void *pb)
{
	const size_t *a = pa, *b = pb;
	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return (a[1] > b[1]) - (a[1] < b[1]);
}

size_t cewb_fit_group_units(size_t n_rows, const size_t *groups, size_t *unit_of)
{
	size_t i, n_units = 0;
	size_t *pair;
	if (!groups) {
		for (i = 0; i < n_rows; i++)
			unit_of[i] = i;
		return n_rows;
	}
	pair = malloc((n_rows ? n_rows : 1) * 2 * sizeof *pair);
	if (!pair)
		return 0;
	for (i = 0; i < n_rows; i++) {
		pair[2 * i] = groups[i];
		pair[2 * i + 1] = i;
	}
	qsort(pair, n_rows, 2 * sizeof *pair, label_cmp);
	for (i = 0; i < n_rows; i++) {
		if (i > 0 && pair[2 * i] != pair[2 * i - 2])
			n_units++;
		unit_of[pair[2 * i + 1]] = n_units;
	}
	free(pair);
	return n_rows ? n_units + 1 : 0;
}

void cewb_fit_kfold_assign_groups(size_t n_rows, const size_t *groups, size_t k, uint64_t seed,
				  size_t repeat, size_t *fold)
{
	size_t *unit_of, *ufold, n_units, i;
	if (!groups) {
		cewb_fit_kfold_assign(n_rows, k, seed, repeat, fold);
		return;
	}
	unit_of = malloc((n_rows ? n_rows : 1) * sizeof *unit_of);
	ufold = malloc((n_rows ? n_rows : 1) * sizeof *ufold);
	n_units = unit_of && ufold ? cewb_fit_group_units(n_rows, groups, unit_of) : 0;
	if (!n_units) {
		/* No memory: the row split (groups may then straddle folds). */
		free(unit_of);
		free(ufold);
		cewb_fit_kfold_assign(n_rows, k, seed, repeat, fold);
		return;
	}
	cewb_fit_kfold_assign(n_units, k, seed, repeat, ufold);
	for (i = 0; i < n_rows; i++)
		fold[i] = ufold[unit_of[i]];
	free(unit_of);
	free(ufold);
}

cewb_status cewb_fit_problem_rows(const cewb_fit_problem *prob, const size_t *rows,
				  size_t n, cewb_fit_problem *sub, double **storage,
				  cewb_error *err)
{
	size_t p = prob->n_cols, total, i, j;
	double *buf, *X, *y, *w = NULL, *S = NULL;
	size_t *G = NULL;
	_Static_assert(sizeof(size_t) <= sizeof(double), "group labels stored in doubles' room");
	total = n * p + n + (prob->weights ? n : 0) + (prob->sigma ? n * n : 0) +
		(prob->groups ? n : 0);
	buf = malloc((total ? total : 1) * sizeof *buf);
	if (!buf)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a sub-problem of %zu rows", n);
	X = buf;
	y = X + n * p;
	if (prob->weights)
		w = y + n;
	if (prob->sigma)
		S = (w ? w : y) + n;
	if (prob->groups)
		G = (size_t *)(void *)(S ? S + n * n : (w ? w : y) + n);
	for (i = 0; i < n; i++) {
		if (G)
			G[i] = prob->groups[rows[i]];
		memcpy(X + i * p, prob->X + rows[i] * p, p * sizeof *X);
		y[i] = prob->y[rows[i]];
		if (w)
			w[i] = prob->weights[rows[i]];
		if (S)
			for (j = 0; j < n; j++)
				S[i * n + j] = prob->sigma[rows[i] * prob->n_rows + rows[j]];
	}
	memset(sub, 0, sizeof *sub);
	sub->n_rows = n;
	sub->n_cols = p;
	sub->X = X;
	sub->y = y;
	sub->weights = w;
	sub->sigma = S;
	sub->lambda = prob->lambda;
	sub->groups = G;
	*storage = buf;
	return CEWB_OK;
}

cewb_status cewb_fit_weighted_copy(const cewb_fit_problem *prob, double **Xw, double **yw,
				   cewb_error *err)
{
	size_t n = prob->n_rows, p = prob->n_cols, i, j;
	double *X = malloc((n * p > 0 ? n * p : 1) * sizeof *X);
	double *y = malloc((n ? n : 1) * sizeof *y);
	if (!X || !y) {
		free(X);
		free(y);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a %zu x %zu matrix", n, p);
	}
	for (i = 0; i < n; i++) {
		double s = prob->weights ? sqrt(prob->weights[i]) : 1.0;
		for (j = 0; j < p; j++)
			X[i * p + j] = s * prob->X[i * p + j];
		y[i] = s * prob->y[i];
	}
	*Xw = X;
	*yw = y;
	return CEWB_OK;
}
