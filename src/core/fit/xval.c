/*
 * Validation: k-fold (repeated), shuffle-split, leave-one-out and bootstrap
 * ensembles.
 *
 * The splits depend only on the seed, the repeat index and n_rows, so every
 * method sees the same splits.  For the fits that are linear in y (OLS,
 * ridge with a given alpha, prior, GLS with weights) the problem is factored
 * once and every held-out set T is removed in closed form:
 *     e_T(held out) = (I - H_TT)^-1 e_T,   theta_-T = theta - B_T (I - H_TT)^-1 e_T,
 * with B = W X~' and H = X~ B the hat matrix of the whitened problem (exact,
 * not an approximation; W from cewb_fit_smoother_build).  Other methods,
 * and the rare split whose training rows lose rank, are refitted from
 * scratch.
 *
 * rmse_validation = sqrt(mean over splits of the held-out mean square error)
 * (for leave-one-out the usual LOO rmse); rmse_validation_std is the
 * standard deviation (population) of the per-split rmse.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include "cewb/fit.h"
#include "fit_internal.h"

cewb_xval_options cewb_xval_options_default(void)
{
	cewb_xval_options o;
	memset(&o, 0, sizeof o);
	o.scheme = CEWB_XVAL_KFOLD;
	o.folds = 10;
	o.repeat = 1;
	o.test_fraction = 0.1;
	o.seed = 42;
	o.train_size = 0;
	return o;
}

/* Name of a validation scheme as in reports and JSON. */
const char *cewb_xval_scheme_name(cewb_xval_scheme scheme)
{
	switch (scheme) {
	case CEWB_XVAL_KFOLD: return "kfold";
	case CEWB_XVAL_SHUFFLE_SPLIT: return "shuffle-split";
	case CEWB_XVAL_LOO: return "loo";
	case CEWB_XVAL_BOOTSTRAP: return "bootstrap";
	}
	return "?";
}

void cewb_xval_result_release(cewb_xval_result *res)
{
	if (!res)
		return;
	free(res->eci_mean);
	free(res->eci_std);
	free(res->predicted);
	res->eci_mean = res->eci_std = res->predicted = NULL;
}

/* Running sums over the splits. */
typedef struct {
	size_t n_splits;
	double sum_mse, sum_rmse, sum_rmse2, sum_train, sum_nnz;
	double *eci_sum, *eci_sum2, *pred_sum;
	size_t *pred_count;
} accum;

/* Add one split: held-out residuals r[0..n_test) of rows test[], its fit theta. */
static void accum_add(accum *a, size_t p, const size_t *test, size_t n_test, const double *pred,
		      const double *y, const double *theta, double rmse_train)
{
	size_t i, j, nz = 0;
	double ss = 0.0, rmse;
	for (i = 0; i < n_test; i++) {
		double e = y[test[i]] - pred[i];
		ss += e * e;
		a->pred_sum[test[i]] += pred[i];
		a->pred_count[test[i]]++;
	}
	ss = n_test ? ss / (double)n_test : 0.0;
	rmse = sqrt(ss);
	a->sum_mse += ss;
	a->sum_rmse += rmse;
	a->sum_rmse2 += rmse * rmse;
	a->sum_train += rmse_train;
	for (j = 0; j < p; j++) {
		a->eci_sum[j] += theta[j];
		a->eci_sum2[j] += theta[j] * theta[j];
		nz += theta[j] != 0.0;
	}
	a->sum_nnz += (double)nz;
	a->n_splits++;
}

/* The rows of split s: test[] and train[] (train may repeat rows for a bootstrap). */
typedef struct {
	size_t *test, *train, *fold, *perm;
	size_t n_test, n_train;
	int complement; /* train is exactly the rows not in test */
} split;

/* Number of splits a scheme makes. */
static size_t n_splits_of(const cewb_xval_options *x, size_t n)
{
	switch (x->scheme) {
	case CEWB_XVAL_KFOLD: return x->folds * x->repeat;
	case CEWB_XVAL_LOO: return n;
	default: return x->repeat;
	}
}

/* Keep train_size rows of the training set, chosen by the split's own generator. */
static void subsample_train(split *sp, size_t train_size, cewb_rng *rng)
{
	if (train_size == 0 || train_size >= sp->n_train)
		return;
	cewb_rng_shuffle(rng, sp->train, sp->n_train);
	sp->n_train = train_size;
	sp->complement = 0;
}

/* Fill sp with split s of the scheme (s in [0, n_splits_of)). */
static void make_split(const cewb_xval_options *x, size_t n, size_t s, split *sp)
{
	size_t i, r, f;
	cewb_rng rng;
	sp->n_test = sp->n_train = 0;
	sp->complement = 1;
	switch (x->scheme) {
	case CEWB_XVAL_KFOLD:
		r = s / x->folds;
		f = s % x->folds;
		if (f == 0)
			cewb_fit_kfold_assign(n, x->folds, x->seed, r, sp->fold);
		for (i = 0; i < n; i++) {
			if (sp->fold[i] == f)
				sp->test[sp->n_test++] = i;
			else
				sp->train[sp->n_train++] = i;
		}
		break;
	case CEWB_XVAL_LOO:
		for (i = 0; i < n; i++) {
			if (i == s)
				sp->test[sp->n_test++] = i;
			else
				sp->train[sp->n_train++] = i;
		}
		break;
	case CEWB_XVAL_SHUFFLE_SPLIT: {
		size_t n_test = (size_t)floor(x->test_fraction * (double)n + 0.5);
		if (n_test < 1)
			n_test = 1;
		if (n_test > n - 1)
			n_test = n - 1;
		for (i = 0; i < n; i++)
			sp->perm[i] = i;
		cewb_rng_seed(&rng, x->seed + 0x9E3779B97F4A7C15ull * (uint64_t)(s + 1));
		cewb_rng_shuffle(&rng, sp->perm, n);
		/* sorted membership keeps the row order of the problem */
		for (i = 0; i < n; i++)
			sp->fold[i] = 1;
		for (i = 0; i < n_test; i++)
			sp->fold[sp->perm[i]] = 0;
		for (i = 0; i < n; i++) {
			if (sp->fold[i] == 0)
				sp->test[sp->n_test++] = i;
			else
				sp->train[sp->n_train++] = i;
		}
		break;
	}
	case CEWB_XVAL_BOOTSTRAP:
		cewb_rng_seed(&rng, x->seed + 0xBF58476D1CE4E5B9ull * (uint64_t)(s + 1));
		for (i = 0; i < n; i++)
			sp->fold[i] = 0;
		for (i = 0; i < n; i++) {
			size_t k = (size_t)(cewb_rng_uniform(&rng) * (double)n);
			if (k >= n)
				k = n - 1;
			sp->train[sp->n_train++] = k;
			sp->fold[k] = 1;
		}
		for (i = 0; i < n; i++)
			if (!sp->fold[i])
				sp->test[sp->n_test++] = i;
		sp->complement = 0;
		break;
	}
	cewb_rng_seed(&rng, x->seed ^ (0x94D049BB133111EBull * (uint64_t)(s + 7)));
	subsample_train(sp, x->train_size, &rng);
}

/* Rows of each group: CSR lists (rows of unit u: rows[start[u]..start[u+1])). */
typedef struct {
	size_t n_units;
	size_t *start, *rows;
} grouping;

/* Build the lists of prob->groups; 0 or 1 when out of memory. */
static int grouping_build(const cewb_fit_problem *prob, grouping *g)
{
	size_t n = prob->n_rows, i, u;
	size_t *unit_of = malloc((n ? n : 1) * sizeof *unit_of);
	memset(g, 0, sizeof *g);
	if (!unit_of)
		return 1;
	g->n_units = cewb_fit_group_units(n, prob->groups, unit_of);
	g->start = calloc(g->n_units + 1, sizeof *g->start);
	g->rows = malloc((n ? n : 1) * sizeof *g->rows);
	if (!g->n_units || !g->start || !g->rows) {
		free(unit_of);
		free(g->start);
		free(g->rows);
		memset(g, 0, sizeof *g);
		return 1;
	}
	for (i = 0; i < n; i++)
		g->start[unit_of[i] + 1]++;
	for (u = 0; u < g->n_units; u++)
		g->start[u + 1] += g->start[u];
	for (i = 0; i < n; i++) {
		size_t *at = &g->start[unit_of[i]];
		g->rows[(*at)++] = i;
	}
	/* the fill advanced every start by its size: shift back */
	for (u = g->n_units; u > 0; u--)
		g->start[u] = g->start[u - 1];
	g->start[0] = 0;
	free(unit_of);
	return 0;
}

/* The rows of a split of units us (train units may repeat: bootstrap). */
static void expand_split(const grouping *g, const split *us, split *sp)
{
	size_t a, r;
	sp->n_test = sp->n_train = 0;
	sp->complement = us->complement;
	for (a = 0; a < us->n_test; a++)
		for (r = g->start[us->test[a]]; r < g->start[us->test[a] + 1]; r++)
			sp->test[sp->n_test++] = g->rows[r];
	for (a = 0; a < us->n_train; a++)
		for (r = g->start[us->train[a]]; r < g->start[us->train[a] + 1]; r++)
			sp->train[sp->n_train++] = g->rows[r];
}

/*
 * Closed-form removal of the rows sp->test from the smoother's fit theta:
 * fills pred (held-out predictions) and theta_out; returns 1 when the
 * training rows lost rank (I - H_TT singular) and the split must be refitted.
 * Work: XT (t x p), BT (p x t), M (t x t), v (t).
 */
static int closed_form_split(const cewb_fit_smoother *sm, const cewb_fit_problem *prob,
			     const double *theta, const double *ew, const split *sp, double *XT,
			     double *M, double *v, double *BT, double *pred, double *theta_out)
{
	size_t t = sp->n_test, p = prob->n_cols, a;
	const size_t *T = sp->test;
	for (a = 0; a < t; a++) {
		memcpy(XT + a * p, sm->Xw + T[a] * p, p * sizeof *XT);
		v[a] = ew[T[a]];
	}
	/* BT = W X~_T' (p x t), M = I - X~_T BT */
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)p, (int)t, (int)p, 1.0, sm->W,
		    (int)p, XT, (int)p, 0.0, BT, (int)t);
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)t, (int)t, (int)p, -1.0, XT,
		    (int)p, BT, (int)t, 0.0, M, (int)t);
	for (a = 0; a < t; a++)
		M[a * t + a] += 1.0;
	if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', (lapack_int)t, M, (lapack_int)t) != 0)
		return 1;
	/* a pivot far below one means the training rows are (nearly) rank deficient */
	for (a = 0; a < t; a++)
		if (M[a * t + a] < 1e-5)
			return 1;
	LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'L', (lapack_int)t, 1, M, (lapack_int)t, v,
			    (lapack_int)t);
	/* theta_-T = theta - B_T v; held-out whitened residual = v */
	memcpy(theta_out, theta, p * sizeof *theta);
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)t, -1.0, BT, (int)t, v, 1, 1.0,
		    theta_out, 1);
	for (a = 0; a < t; a++)
		pred[a] = prob->y[T[a]] - v[a] / sm->sw[T[a]];
	return 0;
}

/* Training rmse of theta over the rows train[0..n_train). */
static double rmse_rows(const cewb_fit_problem *prob, const size_t *rows, size_t n_rows,
			const double *theta)
{
	size_t i;
	double ss = 0.0;
	for (i = 0; i < n_rows; i++) {
		size_t p = prob->n_cols;
		double e = prob->y[rows[i]] -
			   cblas_ddot((int)p, prob->X + rows[i] * p, 1, theta, 1);
		ss += e * e;
	}
	return n_rows ? sqrt(ss / (double)n_rows) : 0.0;
}

/* Refit on the training rows of sp; fills pred and theta_out. */
static cewb_status refit_split(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			       const split *sp, double *pred, double *theta_out, double *rmse_train,
			       cewb_error *err)
{
	cewb_fit_problem sub;
	cewb_fit_result fr;
	double *storage = NULL;
	size_t i, p = prob->n_cols;
	cewb_status st = cewb_fit_problem_rows(prob, sp->train, sp->n_train, &sub, &storage, err);
	if (st)
		return st;
	st = cewb_fit(&sub, opt, &fr, err);
	free(storage);
	if (st)
		return st;
	memcpy(theta_out, fr.eci, p * sizeof *theta_out);
	*rmse_train = fr.rmse_train;
	cewb_fit_result_release(&fr);
	for (i = 0; i < sp->n_test; i++)
		pred[i] = cblas_ddot((int)p, prob->X + sp->test[i] * p, 1, theta_out, 1);
	return CEWB_OK;
}

/* Whether opt's method on prob is linear in y, so the closed forms hold. */
static int linear_in_y(const cewb_fit_problem *prob, const cewb_fit_options *opt)
{
	switch (opt->method) {
	case CEWB_FIT_OLS:
	case CEWB_FIT_PRIOR:
		return 1;
	case CEWB_FIT_RIDGE:
		return opt->alpha > 0.0;
	case CEWB_FIT_GLS:
		return prob->sigma == NULL;
	default:
		return 0;
	}
}

cewb_status cewb_xval(const cewb_fit_problem *prob, const cewb_fit_options *opt,
		      const cewb_xval_options *xopt, cewb_xval_result *res, cewb_error *err)
{
	size_t n, p, s, n_splits, i, j, n_units;
	double t0 = cewb_fit_clock();
	split sp, us;
	grouping grp;
	accum acc;
	cewb_fit_smoother sm;
	cewb_fit_result full;
	double *theta = NULL, *pred = NULL, *ew = NULL, *M = NULL, *v = NULL, *BT = NULL;
	double *XT = NULL;
	int fast = 0;
	cewb_status st;

	memset(res, 0, sizeof *res);
	memset(&sp, 0, sizeof sp);
	memset(&us, 0, sizeof us);
	memset(&grp, 0, sizeof grp);
	memset(&acc, 0, sizeof acc);
	memset(&sm, 0, sizeof sm);
	memset(&full, 0, sizeof full);
	if (!prob || !opt || !xopt)
		CEWB_RAISE(err, CEWB_EINVAL, "validation needs a problem and options");
	if ((st = cewb_fit_check_problem(prob, err)))
		return st;
	n = prob->n_rows;
	p = prob->n_cols;
	n_units = n;
	if (prob->groups) {
		if (grouping_build(prob, &grp))
			CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for the groups of %zu rows", n);
		n_units = grp.n_units;
	}
	if (n_units < 2) {
		free(grp.start);
		free(grp.rows);
		CEWB_RAISE(err, CEWB_EINVAL, "validation needs at least 2 structures, got %zu",
			   n_units);
	}
	switch (xopt->scheme) {
	case CEWB_XVAL_KFOLD:
		if (xopt->folds < 2 || xopt->folds > n_units) {
			free(grp.start);
			free(grp.rows);
			CEWB_RAISE(err, CEWB_EINVAL, "folds must be between 2 and %zu, got %zu",
				   n_units, xopt->folds);
		}
		/* fall through */
	case CEWB_XVAL_SHUFFLE_SPLIT:
	case CEWB_XVAL_BOOTSTRAP:
		if (xopt->repeat < 1) {
			st = cewb_error_set(err, CEWB_EINVAL, "repeat must be at least 1");
			goto out;
		}
		if (xopt->scheme == CEWB_XVAL_SHUFFLE_SPLIT &&
		    !(xopt->test_fraction > 0.0 && xopt->test_fraction < 1.0)) {
			st = cewb_error_set(err, CEWB_EINVAL, "test fraction must be in (0, 1), "
					    "got %g", xopt->test_fraction);
			goto out;
		}
		break;
	case CEWB_XVAL_LOO:
		break;
	default:
		st = cewb_error_set(err, CEWB_EINVAL, "unknown validation scheme %d",
				    (int)xopt->scheme);
		goto out;
	}
	if (xopt->train_size > n_units - 1) {
		st = cewb_error_set(err, CEWB_EINVAL, "training size %zu leaves no %s to "
				    "validate on (%zu %ss)", xopt->train_size,
				    prob->groups ? "group" : "row", n_units,
				    prob->groups ? "group" : "row");
		goto out;
	}
	cewb_fit_set_threads(opt->n_threads);
	n_splits = n_splits_of(xopt, n_units);
	if (prob->groups) {
		us.test = malloc(n_units * sizeof *us.test);
		us.train = malloc(n_units * sizeof *us.train);
		us.fold = malloc(n_units * sizeof *us.fold);
		us.perm = malloc(n_units * sizeof *us.perm);
		if (!us.test || !us.train || !us.fold || !us.perm) {
			st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for validation of "
					    "%zu groups", n_units);
			goto out;
		}
	}

	sp.test = malloc(n * sizeof *sp.test);
	/* a bootstrap of groups may draw the largest group every time */
	{
		size_t big = 1, u;
		for (u = 0; prob->groups && u < grp.n_units; u++)
			if (grp.start[u + 1] - grp.start[u] > big)
				big = grp.start[u + 1] - grp.start[u];
		sp.train = malloc((prob->groups ? n_units * big : n) * sizeof *sp.train);
	}
	sp.fold = malloc(n * sizeof *sp.fold);
	sp.perm = malloc(n * sizeof *sp.perm);
	acc.eci_sum = calloc(p, sizeof *acc.eci_sum);
	acc.eci_sum2 = calloc(p, sizeof *acc.eci_sum2);
	acc.pred_sum = calloc(n, sizeof *acc.pred_sum);
	acc.pred_count = calloc(n, sizeof *acc.pred_count);
	theta = malloc(p * sizeof *theta);
	pred = malloc(n * sizeof *pred);
	if (!sp.test || !sp.train || !sp.fold || !sp.perm || !acc.eci_sum || !acc.eci_sum2 ||
	    !acc.pred_sum || !acc.pred_count || !theta || !pred) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for validation of %zu rows",
				    n);
		goto out;
	}

	if (!prob->groups && linear_in_y(prob, opt) && xopt->train_size == 0 &&
	    xopt->scheme != CEWB_XVAL_BOOTSTRAP) {
		cewb_fit_options o = *opt;
		if (o.method == CEWB_FIT_GLS)
			o.method = CEWB_FIT_OLS;
		if ((st = cewb_fit_smoother_build(prob, &o, &sm, &full, err)))
			goto out;
		if (sm.exact_cv) {
			size_t tmax = 1;
			if (xopt->scheme == CEWB_XVAL_KFOLD)
				tmax = n / xopt->folds + 1;
			else if (xopt->scheme == CEWB_XVAL_SHUFFLE_SPLIT)
				tmax = (size_t)floor(xopt->test_fraction * (double)n + 0.5) + 1;
			fast = 1;
			ew = malloc(n * sizeof *ew);
			M = malloc(tmax * tmax * sizeof *M);
			v = malloc(tmax * sizeof *v);
			BT = malloc(p * tmax * sizeof *BT);
			XT = malloc(p * tmax * sizeof *XT);
			if (!ew || !M || !v || !BT || !XT) {
				st = cewb_error_set(err, CEWB_ENOMEM,
						    "out of memory for validation");
				goto out;
			}
			/* whitened residuals of the full fit */
			for (i = 0; i < n; i++)
				ew[i] = sm.yw[i] -
					cblas_ddot((int)p, sm.Xw + i * p, 1, full.eci, 1);
		}
	}

	for (s = 0; s < n_splits; s++) {
		double rmse_train = 0.0;
		int done = 0;
		if (cewb_interrupt_flag) {
			st = cewb_error_set(err, CEWB_EINTERRUPT,
					    "validation interrupted at split %zu", s);
			goto out;
		}
		if (prob->groups) {
			make_split(xopt, n_units, s, &us);
			expand_split(&grp, &us, &sp);
		} else {
			make_split(xopt, n, s, &sp);
		}
		if (sp.n_test == 0)
			continue; /* a bootstrap sample that drew every row */
		if (fast && sp.complement &&
		    !closed_form_split(&sm, prob, full.eci, ew, &sp, XT, M, v, BT, pred, theta)) {
			rmse_train = rmse_rows(prob, sp.train, sp.n_train, theta);
			done = 1;
		}
		if (!done) {
			st = refit_split(prob, opt, &sp, pred, theta, &rmse_train, err);
			if (st) {
				cewb_error_prefix(err, "split %zu", s);
				goto out;
			}
		}
		accum_add(&acc, p, sp.test, sp.n_test, pred, prob->y, theta, rmse_train);
	}
	if (acc.n_splits == 0) {
		st = cewb_error_set(err, CEWB_EINVAL, "no split had rows to validate on");
		goto out;
	}

	res->n_splits = acc.n_splits;
	{
		double k = (double)acc.n_splits, mr = acc.sum_rmse / k;
		res->rmse_validation = sqrt(acc.sum_mse / k);
		res->rmse_validation_std = sqrt(fmax(acc.sum_rmse2 / k - mr * mr, 0.0));
		res->rmse_train = acc.sum_train / k;
		res->n_nonzero = acc.sum_nnz / k;
		res->eci_mean = malloc(p * sizeof *res->eci_mean);
		res->eci_std = malloc(p * sizeof *res->eci_std);
		res->predicted = malloc(n * sizeof *res->predicted);
		if (!res->eci_mean || !res->eci_std || !res->predicted) {
			cewb_xval_result_release(res);
			st = cewb_error_set(err, CEWB_ENOMEM,
					    "out of memory for validation results");
			goto out;
		}
		for (j = 0; j < p; j++) {
			double m = acc.eci_sum[j] / k;
			res->eci_mean[j] = m;
			res->eci_std[j] = sqrt(fmax(acc.eci_sum2[j] / k - m * m, 0.0));
		}
		for (i = 0; i < n; i++)
			res->predicted[i] = acc.pred_count[i] ?
				acc.pred_sum[i] / (double)acc.pred_count[i] : NAN;
	}
	st = CEWB_OK;
out:
	free(sp.test);
	free(sp.train);
	free(sp.fold);
	free(sp.perm);
	free(us.test);
	free(us.train);
	free(us.fold);
	free(us.perm);
	free(grp.start);
	free(grp.rows);
	free(acc.eci_sum);
	free(acc.eci_sum2);
	free(acc.pred_sum);
	free(acc.pred_count);
	free(theta);
	free(pred);
	free(ew);
	free(M);
	free(v);
	free(BT);
	free(XT);
	cewb_fit_smoother_release(&sm);
	cewb_fit_result_release(&full);
	res->seconds = cewb_fit_clock() - t0;
	return st;
}
