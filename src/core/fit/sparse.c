/*
 * src/core/fit/sparse.c - LASSO and elastic net by coordinate descent.
 *
 * Objective (as scikit-learn's Lasso / ElasticNet, no intercept: the zerolet
 * column is an ordinary column):
 *
 *     (1 / (2 n)) ||y - Z w||^2 + alpha l1 ||w||_1 + (alpha (1 - l1) / 2) ||w||^2
 *
 * with Z the prepared columns (sparse_internal.h: divided by their standard
 * deviation when opt->standardize, raw otherwise) and l1 = l1_ratio (1 for
 * LASSO).  Coordinate descent works on the Gram matrix Z'Z and Z'y
 * ("covariance updates"), keeping G w up to date, so one sweep costs
 * O(p * changed coordinates) whatever the number of rows.  Convergence as
 * scikit-learn: when the largest coefficient change of a sweep falls below
 * tol times the largest coefficient, the duality gap is computed and the
 * solve stops once it is below tol * y'y.
 *
 * alpha <= 0 chooses alpha as LassoCV does: a grid of 100 values spaced
 * evenly in log from alpha_max = max|Z'y| / (n l1) (the smallest alpha with
 * w = 0) down to 1e-3 alpha_max, each fold's path warm-started from the
 * previous alpha, the fold Gram matrices obtained by subtracting the held-out
 * rows from the full one, alpha picked by the least mean square error over
 * the opt->cv_folds shuffled folds (cewb_fit_kfold_assign with opt->seed),
 * then the path on all rows down to that alpha.  With the same folds and
 * tolerance the alphas and ECIs are scikit-learn's LassoCV / ElasticNetCV
 * (fit_intercept=False) to rounding (tests/test_fit_sparse.c).
 *
 * Reference figures (Ag-Pd, cutoffs 13.5 6.5 6.0, mixing energy, 625 x 82):
 * scikit-learn 1.2 LassoCV with 10 folds gives 2.23 meV/atom with 35
 * nonzero ECIs.  cewb reproduces it with `standardize` off (raw columns,
 * as LassoCV sees them) and cv_folds 10: alpha = 3.66e-5 (the end of the
 * grid, as in scikit-learn), 35 nonzero, inner CV rmse 2.23 meV/atom, outer
 * 10-fold validation 2.23 meV/atom.  With the default standardised columns
 * the same search keeps 52 ECIs at 1.90 meV/atom.  Path + CV + refit take
 * about 17 ms of CPU (bench/bench_sparse).
 */
#include "config.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "cewb/fit.h"
#include "fit_internal.h"
#include "sparse_internal.h"

#define LASSO_N_ALPHAS 100 /* grid points of the path, as scikit-learn */
#define LASSO_EPS 1e-3     /* smallest alpha of the grid / alpha_max */

/* ---- helpers shared with select.c and robust.c ---- */

/* Standardised columns (the shared standard-deviation scales) or raw. */
cewb_sparse_scaling cewb_sparse_scaling_of(const cewb_fit_options *opt)
{
	return opt->standardize ? CEWB_SPARSE_STD : CEWB_SPARSE_RAW;
}

/* Check prob, weight the rows and scale the columns into d. */
cewb_status cewb_sparse_prepare(const cewb_fit_problem *prob, cewb_sparse_scaling scaling,
				cewb_sparse_data *d, cewb_error *err)
{
	size_t n, p, i, j;
	cewb_status st;
	memset(d, 0, sizeof *d);
	st = cewb_fit_check_problem(prob, err);
	if (st)
		return st;
	n = prob->n_rows;
	p = prob->n_cols;
	st = cewb_fit_weighted_copy(prob, &d->Z, &d->y, err);
	if (st)
		return st;
	d->scale = malloc(p * sizeof *d->scale);
	if (!d->scale) {
		cewb_sparse_release(d);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for %zu column scales", p);
	}
	d->n = n;
	d->p = p;
	if (scaling == CEWB_SPARSE_STD) {
		/* The standardisation every method shares (fit_internal.h): standard
		 * deviation of each (weighted) column, a constant column keeps 1. */
		cewb_fit_std fs;
		st = cewb_fit_std_scales(&fs, d->Z, d->y, n, p, err);
		if (st) {
			cewb_sparse_release(d);
			return st;
		}
		memcpy(d->scale, fs.col_scale, p * sizeof *d->scale);
		cewb_fit_std_release(&fs);
	} else {
		for (j = 0; j < p; j++) {
			double ss = 0.0;
			if (scaling == CEWB_SPARSE_UNIT_NORM)
				for (i = 0; i < n; i++)
					ss += d->Z[i * p + j] * d->Z[i * p + j];
			d->scale[j] = ss > 0.0 ? sqrt(ss) : 1.0;
		}
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < p; j++)
			d->Z[i * p + j] /= d->scale[j];
	return CEWB_OK;
}

/* Free the arrays of d. */
void cewb_sparse_release(cewb_sparse_data *d)
{
	if (!d)
		return;
	free(d->Z);
	free(d->y);
	free(d->scale);
	memset(d, 0, sizeof *d);
}

/* At least 2 folds, at most one per row. */
cewb_status cewb_sparse_check_folds(size_t n, size_t k, cewb_error *err)
{
	if (k < 2)
		CEWB_RAISE(err, CEWB_EINVAL, "cross-validation needs at least 2 folds, got %zu", k);
	if (k > n)
		CEWB_RAISE(err, CEWB_EINVAL, "cannot make %zu folds from %zu structures", k, n);
	return CEWB_OK;
}

/* Copy the training and held-out rows of fold f. */
void cewb_sparse_split(const cewb_sparse_data *d, const size_t *fold, size_t f,
		       double *Zt, double *yt, size_t *n_train,
		       double *Zv, double *yv, size_t *n_test)
{
	size_t i, nt = 0, nv = 0, p = d->p;
	for (i = 0; i < d->n; i++) {
		if (fold[i] == f) {
			if (Zv)
				memcpy(Zv + nv * p, d->Z + i * p, p * sizeof *Zv);
			if (yv)
				yv[nv] = d->y[i];
			nv++;
		} else {
			if (Zt)
				memcpy(Zt + nt * p, d->Z + i * p, p * sizeof *Zt);
			if (yt)
				yt[nt] = d->y[i];
			nt++;
		}
	}
	*n_train = nt;
	*n_test = nv;
}

/* Mean square residual of w on n held-out rows. */
double cewb_sparse_mse(const double *Zv, const double *yv, size_t n, size_t p, const double *w)
{
	size_t i, j;
	double ss = 0.0;
	if (n == 0)
		return 0.0;
	for (i = 0; i < n; i++) {
		double r = yv[i];
		for (j = 0; j < p; j++)
			if (w[j] != 0.0)
				r -= Zv[i * p + j] * w[j];
		ss += r * r;
	}
	return ss / (double)n;
}

/* Allocate a zeroed curve of n points. */
cewb_status cewb_sparse_path_alloc(cewb_fit_path *path, cewb_fit_method method,
				   const char *param_name, size_t n, size_t n_folds,
				   cewb_error *err)
{
	memset(path, 0, sizeof *path);
	path->method = method;
	snprintf(path->param_name, sizeof path->param_name, "%s", param_name);
	path->n_points = n;
	path->n_folds = n_folds;
	path->param = calloc(n ? n : 1, sizeof *path->param);
	path->rmse_mean = calloc(n ? n : 1, sizeof *path->rmse_mean);
	path->rmse_std = calloc(n ? n : 1, sizeof *path->rmse_std);
	path->n_nonzero = calloc(n ? n : 1, sizeof *path->n_nonzero);
	if (!path->param || !path->rmse_mean || !path->rmse_std || !path->n_nonzero) {
		cewb_fit_path_release(path);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a curve of %zu points", n);
	}
	return CEWB_OK;
}

/* Free the arrays of a curve; a zeroed or released curve is harmless. */
void cewb_fit_path_release(cewb_fit_path *path)
{
	if (!path)
		return;
	free(path->param);
	free(path->rmse_mean);
	free(path->rmse_std);
	free(path->n_nonzero);
	path->param = path->rmse_mean = path->rmse_std = NULL;
	path->n_nonzero = NULL;
	path->n_points = 0;
}

/* ---- coordinate descent on the Gram matrix ---- */

/* The quadratic data of a problem: G = Z'Z, c = Z'y, yy = y'y over n rows. */
typedef struct {
	size_t p, n;
	double *G;
	double *c;
	double yy;
} gram_data;

/* Build (sign +1) or downdate (sign -1) G = Z'Z, c = Z'y and y'y. */
void cewb_sparse_gram_add(const double *Z, const double *y, size_t n, size_t p, double sign,
			  double *G, double *c, double *yy)
{
	size_t i, j;
	if (n == 0) {
		if (sign > 0) {
			memset(G, 0, p * p * sizeof *G);
			memset(c, 0, p * sizeof *c);
			*yy = 0.0;
		}
		return;
	}
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)n, sign, Z, (int)p,
		    sign > 0 ? 0.0 : 1.0, G, (int)p);
	for (i = 0; i < p; i++)
		for (j = 0; j < i; j++)
			G[i * p + j] = G[j * p + i];
	cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)p, sign, Z, (int)p, y, 1,
		    sign > 0 ? 0.0 : 1.0, c, 1);
	*yy = (sign > 0 ? 0.0 : *yy) + sign * cblas_ddot((int)n, y, 1, y, 1);
}

/* Fill g from the n x p rows Z and y (sign +1), or subtract them (sign -1). */
static void gram_add(gram_data *g, const double *Z, const double *y, size_t n, double sign)
{
	cewb_sparse_gram_add(Z, y, n, g->p, sign, g->G, g->c, &g->yy);
}

/* Soft threshold: sign(x) max(|x| - t, 0).  |x| within a few rounding
 * errors of t counts as t, so that at alpha_max (t = max |c_j| carried
 * through alpha * n) every coefficient is exactly zero whatever the BLAS. */
static double soft(double x, double t)
{
	if (fabs(x) <= t * (1.0 + 8.0 * DBL_EPSILON))
		return 0.0;
	if (x > t)
		return x - t;
	if (x < -t)
		return x + t;
	return 0.0;
}

/* Duality gap of 0.5 ||y - Zw||^2 + l1 |w|_1 + 0.5 l2 |w|^2 at w, q = G w. */
static double duality_gap(const gram_data *g, double l1, double l2, const double *w,
			  const double *q)
{
	size_t j, p = g->p;
	double dual = 0.0, wq = 0.0, wc = 0.0, ww = 0.0, wl1 = 0.0, r2, cst, gap;
	for (j = 0; j < p; j++) {
		double xta = g->c[j] - q[j] - l2 * w[j];
		if (fabs(xta) > dual)
			dual = fabs(xta);
		wq += w[j] * q[j];
		wc += w[j] * g->c[j];
		ww += w[j] * w[j];
		wl1 += fabs(w[j]);
	}
	r2 = g->yy + wq - 2.0 * wc;
	if (r2 < 0)
		r2 = 0;
	if (dual > l1) {
		cst = l1 / dual;
		gap = 0.5 * (r2 + r2 * cst * cst);
	} else {
		cst = 1.0;
		gap = r2;
	}
	gap += l1 * wl1 - cst * (g->yy - wc) + 0.5 * l2 * (1.0 + cst * cst) * ww;
	return gap;
}

/* One sweep over the coordinates in idx (all when idx is NULL); returns the
 * largest change, *wmax the largest |w_j| seen. */
static double cd_sweep(const gram_data *g, double l1, double l2, double *w, double *q,
		       const size_t *idx, size_t n_idx, double *wmax)
{
	size_t t, k, p = g->p;
	double dmax = 0.0, wm = 0.0;
	for (t = 0; t < n_idx; t++) {
		size_t j = idx ? idx[t] : t;
		const double *Gj = g->G + j * p;
		double gjj = Gj[j], wj = w[j], nw, d;
		if (gjj <= 0.0)
			continue; /* a column of zeros keeps w_j = 0 */
		nw = soft(g->c[j] - q[j] + gjj * wj, l1) / (gjj + l2);
		d = nw - wj;
		if (d != 0.0) {
			for (k = 0; k < p; k++)
				q[k] += d * Gj[k];
			w[j] = nw;
			if (fabs(d) > dmax)
				dmax = fabs(d);
		}
		if (fabs(nw) > wm)
			wm = fabs(nw);
	}
	*wmax = wm;
	return dmax;
}

/*
 * Minimise 0.5 ||y - Zw||^2 + l1 |w|_1 + 0.5 l2 |w|^2 from the warm start w
 * (q = G w kept in step).  Full sweeps alternate with sweeps over the
 * nonzero coordinates only until those settle; the stopping rule is
 * scikit-learn's (coefficient change, then duality gap below tol y'y).
 * Returns 1 when converged; full sweeps are added to *n_iter.
 */
static int cd_solve(const gram_data *g, double l1, double l2, double tol, size_t max_iter,
		    double *w, double *q, size_t *active, size_t *n_iter)
{
	size_t it, j, p = g->p;
	double gap_tol = tol * g->yy;
	for (it = 0; it < max_iter; it++) {
		double wmax, dmax = cd_sweep(g, l1, l2, w, q, NULL, p, &wmax);
		size_t n_act = 0, inner;
		if (wmax == 0.0 || dmax / wmax < tol || it + 1 == max_iter) {
			if (duality_gap(g, l1, l2, w, q) <= gap_tol) {
				*n_iter += it + 1;
				return 1;
			}
		}
		/* Settle the active set before the next full sweep. */
		for (j = 0; j < p; j++)
			if (w[j] != 0.0)
				active[n_act++] = j;
		for (inner = 0; inner < max_iter && n_act; inner++) {
			dmax = cd_sweep(g, l1, l2, w, q, active, n_act, &wmax);
			if (wmax == 0.0 || dmax / wmax < tol)
				break;
		}
	}
	*n_iter += max_iter;
	return 0;
}

/* ---- LASSO / elastic net ---- */

/* Check the options a LASSO or elastic-net fit uses. */
static cewb_status check_options(const cewb_fit_options *opt, double l1_ratio, cewb_error *err)
{
	if (isnan(opt->alpha) || isinf(opt->alpha))
		CEWB_RAISE(err, CEWB_EINVAL, "alpha is %g, must be finite (<= 0 chooses it by "
			   "cross-validation)", opt->alpha);
	if (!(l1_ratio > 0.0 && l1_ratio <= 1.0))
		CEWB_RAISE(err, CEWB_EINVAL, "l1_ratio is %g, must be in (0, 1]", l1_ratio);
	if (!(opt->tol > 0.0))
		CEWB_RAISE(err, CEWB_EINVAL, "tolerance is %g, must be > 0", opt->tol);
	if (opt->max_iter == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "max_iter must be at least 1");
	return CEWB_OK;
}

/*
 * The LASSO / elastic-net fit and its cross-validated path.  res (if not
 * NULL) receives the fit, path (if not NULL) the curve over the grid.
 */
static cewb_status enet_run(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			    cewb_fit_method method, double l1_ratio, cewb_fit_result *res,
			    cewb_fit_path *path, cewb_error *err)
{
	double t0 = cewb_fit_clock();
	cewb_sparse_data d;
	gram_data g = {0}, gf = {0};
	size_t n, p, i, j, f, k = opt->cv_folds, n_alphas = LASSO_N_ALPHAS, best = 0;
	size_t *fold = NULL, *active = NULL, n_iter = 0, n_cv_fail = 0;
	double *mem = NULL, *alphas, *w, *q, *mse, *Zv, *yv, amax = 0.0, alpha;
	int need_cv = opt->alpha <= 0 || path, conv = 1;
	cewb_status st;

	if (res)
		memset(res, 0, sizeof *res);
	st = check_options(opt, l1_ratio, err);
	if (st)
		return st;
	st = cewb_sparse_prepare(prob, cewb_sparse_scaling_of(opt), &d, err);
	if (st)
		return st;
	n = d.n;
	p = d.p;
	if (need_cv) {
		st = cewb_sparse_check_folds(n, k, err);
		if (st)
			goto out;
	} else {
		k = 0;
	}
	mem = malloc((2 * p * p + 4 * p + n_alphas + n_alphas * (k ? k : 1) + n * p + n) *
		     sizeof *mem);
	fold = malloc((n + p) * sizeof *fold);
	if (!mem || !fold) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for a %zu x %zu path", n, p);
		goto out;
	}
	active = fold + n;
	g.p = gf.p = p;
	g.G = mem;
	gf.G = g.G + p * p;
	g.c = gf.G + p * p;
	gf.c = g.c + p;
	w = gf.c + p;
	q = w + p;
	alphas = q + p;
	mse = alphas + n_alphas;
	Zv = mse + n_alphas * (k ? k : 1);
	yv = Zv + n * p;
	g.n = n;
	gram_add(&g, d.Z, d.y, n, 1.0);

	for (j = 0; j < p; j++)
		if (fabs(g.c[j]) > amax)
			amax = fabs(g.c[j]);
	amax /= (double)n * l1_ratio;
	if (amax <= 0.0)
		amax = 1.0; /* y orthogonal to every column: w = 0 for every alpha */
	for (i = 0; i < n_alphas; i++)
		alphas[i] = amax * pow(LASSO_EPS, (double)i / (double)(n_alphas - 1));

	if (need_cv) {
		cewb_fit_kfold_assign_groups(n, prob->groups, k, opt->seed, 0, fold);
		for (f = 0; f < k; f++) {
			size_t nt, nv;
			cewb_sparse_split(&d, fold, f, NULL, NULL, &nt, Zv, yv, &nv);
			memcpy(gf.G, g.G, p * p * sizeof *gf.G);
			memcpy(gf.c, g.c, p * sizeof *gf.c);
			gf.yy = g.yy;
			gf.n = nt;
			gram_add(&gf, Zv, yv, nv, -1.0);
			memset(w, 0, p * sizeof *w);
			memset(q, 0, p * sizeof *q);
			for (i = 0; i < n_alphas; i++) {
				double a = alphas[i] * (double)nt;
				size_t it = 0;
				if (!cd_solve(&gf, a * l1_ratio, a * (1.0 - l1_ratio), opt->tol,
					      opt->max_iter, w, q, active, &it))
					n_cv_fail++;
				mse[i * k + f] = cewb_sparse_mse(Zv, yv, nv, p, w);
			}
			if (cewb_interrupt_flag) {
				st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
				goto out;
			}
		}
		for (i = 0; i < n_alphas; i++) {
			double m = 0.0, mb = 0.0;
			for (f = 0; f < k; f++) {
				m += mse[i * k + f];
				mb += mse[best * k + f];
			}
			if (m < mb)
				best = i;
		}
	}
	if (path) {
		st = cewb_sparse_path_alloc(path, method, "alpha", n_alphas, k, err);
		if (st)
			goto out;
		path->best = best;
		for (i = 0; i < n_alphas; i++) {
			double s = 0.0, s2 = 0.0;
			for (f = 0; f < k; f++) {
				double r = sqrt(mse[i * k + f]);
				s += r;
				s2 += r * r;
			}
			s /= (double)k;
			path->param[i] = alphas[i];
			path->rmse_mean[i] = s;
			path->rmse_std[i] = sqrt(fmax(s2 / (double)k - s * s, 0.0));
		}
	}

	/* The path on all rows, down to the chosen alpha (to the end for a curve). */
	alpha = opt->alpha > 0 ? opt->alpha : alphas[best];
	memset(w, 0, p * sizeof *w);
	memset(q, 0, p * sizeof *q);
	for (i = 0; i < n_alphas; i++) {
		double a;
		size_t nz = 0;
		if (!path && alphas[i] <= alpha)
			break;
		a = alphas[i] * (double)n;
		cd_solve(&g, a * l1_ratio, a * (1.0 - l1_ratio), opt->tol, opt->max_iter, w, q,
			 active, &n_iter);
		for (j = 0; j < p; j++)
			nz += w[j] != 0.0;
		if (path)
			path->n_nonzero[i] = nz;
	}
	if (res) {
		size_t it = 0;
		if (path) {
			/* The curve ran past the chosen alpha: start again from zero. */
			memset(w, 0, p * sizeof *w);
			memset(q, 0, p * sizeof *q);
			for (i = 0; i < n_alphas && alphas[i] > alpha; i++) {
				double a = alphas[i] * (double)n;
				cd_solve(&g, a * l1_ratio, a * (1.0 - l1_ratio), opt->tol,
					 opt->max_iter, w, q, active, &it);
			}
		}
		conv = cd_solve(&g, alpha * (double)n * l1_ratio, alpha * (double)n * (1.0 - l1_ratio),
				opt->tol, opt->max_iter, w, q, active, &it);
		n_iter += it;
		st = cewb_fit_result_init(res, method, p, err);
		if (st)
			goto out;
		for (j = 0; j < p; j++)
			res->eci[j] = w[j] / d.scale[j];
		res->converged = conv;
		res->n_iter = it;
		cewb_fit_result_hyper(res, "alpha", alpha);
		if (method == CEWB_FIT_ENET)
			cewb_fit_result_hyper(res, "l1_ratio", l1_ratio);
		if (need_cv) {
			double m = 0.0;
			for (f = 0; f < k; f++)
				m += mse[best * k + f];
			cewb_fit_result_hyper(res, "rmse_xval", sqrt(m / (double)k));
			cewb_fit_result_hyper(res, "alpha_max", amax);
		}
		if (!conv)
			snprintf(res->warning, sizeof res->warning,
				 "coordinate descent did not reach the tolerance %g in %zu sweeps; "
				 "the ecis are approximate", opt->tol, opt->max_iter);
		else if (n_cv_fail)
			snprintf(res->warning, sizeof res->warning,
				 "%zu of the %zu cross-validation solves did not reach the "
				 "tolerance %g in %zu sweeps", n_cv_fail, n_alphas * k, opt->tol,
				 opt->max_iter);
		cewb_fit_result_finish(res, prob);
		res->seconds = cewb_fit_clock() - t0;
	}
	st = CEWB_OK;
out:
	if (st && path)
		cewb_fit_path_release(path);
	free(mem);
	free(fold);
	cewb_sparse_release(&d);
	return st;
}

/* LASSO: elastic net with l1_ratio = 1. */
cewb_status cewb_fit_lasso(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			   cewb_fit_result *res, cewb_error *err)
{
	if (!prob || !opt || !res)
		CEWB_RAISE(err, CEWB_EINVAL, "fit needs a problem, options and a result");
	return enet_run(prob, opt, CEWB_FIT_LASSO, 1.0, res, NULL, err);
}

/* Elastic net with opt->l1_ratio. */
cewb_status cewb_fit_enet(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			  cewb_fit_result *res, cewb_error *err)
{
	if (!prob || !opt || !res)
		CEWB_RAISE(err, CEWB_EINVAL, "fit needs a problem, options and a result");
	return enet_run(prob, opt, CEWB_FIT_ENET, opt->l1_ratio, res, NULL, err);
}

/* The cross-validated curve of a LASSO, elastic-net, RFE or OMP fit. */
cewb_status cewb_fit_path_compute(const cewb_fit_problem *prob, const cewb_fit_options *opt,
				  cewb_fit_path *path, cewb_error *err)
{
	if (!prob || !opt || !path)
		CEWB_RAISE(err, CEWB_EINVAL, "a curve needs a problem, options and a result");
	memset(path, 0, sizeof *path);
	cewb_fit_set_threads(opt->n_threads);
	switch (opt->method) {
	case CEWB_FIT_LASSO:
		return enet_run(prob, opt, CEWB_FIT_LASSO, 1.0, NULL, path, err);
	case CEWB_FIT_ENET:
		return enet_run(prob, opt, CEWB_FIT_ENET, opt->l1_ratio, NULL, path, err);
	case CEWB_FIT_RFE:
	case CEWB_FIT_OMP:
		return cewb_select_path(prob, opt, path, err);
	default:
		break;
	}
	CEWB_RAISE(err, CEWB_EINVAL, "no hyperparameter curve for method '%s' (lasso, enet, "
		   "rfe or omp)", cewb_fit_method_name(opt->method));
}
