/*
 * src/core/fit/select.c - subset selection: recursive feature elimination
 * (RFE) and orthogonal matching pursuit (OMP).
 *
 * Both work on the prepared columns (sparse_internal.h: divided by their
 * standard deviation when opt->standardize, the zerolet keeping scale 1;
 * raw otherwise) and report ECIs in the original scale.  No intercept is
 * fitted: the zerolet column is an ordinary column.
 *
 * RFE (as scikit-learn's RFE / RFECV with an ordinary least-squares
 * estimator, step 1): fit least squares on the remaining columns, drop the
 * column with the smallest |coefficient| on the prepared columns, repeat
 * down to one column.  The least squares of each step solve the normal
 * equations of the remaining columns through the Cholesky factor of their
 * Gram block, downdated by Givens rotations as columns leave (O(p^3) for
 * the whole elimination); a singular block (fewer rows than columns,
 * dependent columns) gets a ridge of 1e-10 times its largest diagonal
 * element, i.e. the minimum-norm solution to that precision.  The Gram
 * matrix of a training fold is the full one minus the held-out rows.  The
 * chosen subset is refitted by SVD least squares.
 *
 * OMP: add the column most correlated with the residual, re-solve least
 * squares on the selected columns through the triangular factor of their
 * Gram block (the R of their QR factorisation), extended by one row per
 * added column, stop at the requested size, when the residual is
 * orthogonal to every column or when no independent column is left; the
 * chosen columns are refitted by SVD least squares.  The path goes up to min(columns,
 * rows) features (scikit-learn's OrthogonalMatchingPursuitCV stops at 10%
 * of the columns by default).
 *
 * With opt->n_features == 0 the size is chosen by k-fold cross-validation
 * (opt->cv_folds shuffled folds, cewb_fit_kfold_assign with opt->seed): each
 * fold runs the whole elimination (or pursuit) on its training rows and
 * scores every size on its held-out rows; the size with the least mean
 * square error over the folds wins, ties going to the smaller size (as
 * RFECV, which scores by R^2 instead); then the procedure runs on all rows
 * down (up) to that size.  With the same folds the sizes, supports and
 * ECIs are those of scikit-learn's RFECV (scoring neg_mean_squared_error)
 * and OrthogonalMatchingPursuit(CV) (tests/test_fit_sparse.c).
 *
 * Reference figures (Ag-Pd, cutoffs 13.5 6.5 6.0, mixing energy, 625 x 82):
 * scikit-learn 1.2 RFECV(LinearRegression(fit_intercept=False)) with 10
 * shuffled folds keeps 71 columns, 1.85 meV/atom.  cewb reproduces it with
 * `standardize` off (raw columns) and cv_folds 10: 77 columns (69 to 79 for
 * fold seeds 1 to 6; 71 with scikit-learn's own shuffle), inner CV rmse
 * 1.90 meV/atom (1.85 to 1.91 over seeds), outer 10-fold validation 1.91.
 */
#include "config.h"
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include "cewb/fit.h"
#include "fit_internal.h"
#include "sparse_internal.h"

/* Scratch of one least-squares solve on a column subset of a Gram system. */
typedef struct {
	size_t p;
	double *A;   /* p x p */
	double *b;   /* p */
	double *ev;  /* p eigenvalues */
	double *R;   /* p x p: Cholesky factor of the remaining columns (RFE) */
} subset_ws;

/*
 * Least squares on the k columns S of the Gram system (G, c) of size p:
 * G_SS w = c_S by Cholesky, or the minimum-norm solution through the
 * eigenvectors of G_SS when it is not positive definite.  w receives k
 * values.  Returns 0, or -1 when LAPACK fails.
 */
static int subset_ols(const double *G, const double *c, size_t p, const size_t *S, size_t k,
		      double *w, subset_ws *ws)
{
	size_t a, b;
	lapack_int info;
	double *A = ws->A;
	for (a = 0; a < k; a++) {
		for (b = 0; b < k; b++)
			A[a * k + b] = G[S[a] * p + S[b]];
		w[a] = c[S[a]];
	}
	info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)k, A, (lapack_int)k);
	if (info == 0) {
		/* Check the conditioning: a tiny pivot means a (nearly) singular block. */
		double dmin = INFINITY, dmax = 0.0;
		for (a = 0; a < k; a++) {
			double dd = fabs(A[a * k + a]);
			dmin = fmin(dmin, dd);
			dmax = fmax(dmax, dd);
		}
		if (dmin > 1e-7 * dmax) {
			info = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'U', (lapack_int)k, 1, A,
					      (lapack_int)k, w, 1);
			return info == 0 ? 0 : -1;
		}
	}
	/* Singular: w = V diag(1 / lambda) V' c over the eigenvalues kept. */
	for (a = 0; a < k; a++)
		for (b = 0; b < k; b++)
			A[a * k + b] = G[S[a] * p + S[b]];
	info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)k, A, (lapack_int)k, ws->ev);
	if (info != 0)
		return -1;
	{
		double cut = ws->ev[k - 1] * DBL_EPSILON * (double)k * 10.0;
		for (a = 0; a < k; a++) {
			double s = 0.0;
			if (ws->ev[a] > cut)
				for (b = 0; b < k; b++)
					s += A[b * k + a] * c[S[b]];
			ws->b[a] = ws->ev[a] > cut ? s / ws->ev[a] : 0.0;
		}
		for (b = 0; b < k; b++) {
			double s = 0.0;
			for (a = 0; a < k; a++)
				s += A[b * k + a] * ws->b[a];
			w[b] = s;
		}
	}
	return 0;
}

/*
 * Remove column a from the k x k upper triangular R (row-major, leading
 * dimension ld) of R'R = G_SS: shift the later columns left and restore the
 * triangle with Givens rotations, so that the leading (k-1) x (k-1) block
 * is the Cholesky factor of G_SS without that column (O(k^2)).
 */
static void chol_delete(double *R, size_t ld, size_t k, size_t a)
{
	size_t i, j, m;
	for (i = 0; i < k; i++)
		for (j = a; j + 1 < k; j++)
			R[i * ld + j] = R[i * ld + j + 1];
	for (j = a; j + 1 < k; j++) {
		double x = R[j * ld + j], z = R[(j + 1) * ld + j], h = hypot(x, z), c, sn;
		if (h == 0.0)
			continue;
		c = x / h;
		sn = z / h;
		for (m = j; m + 1 < k; m++) {
			double u = R[j * ld + m], v = R[(j + 1) * ld + m];
			R[j * ld + m] = c * u + sn * v;
			R[(j + 1) * ld + m] = c * v - sn * u;
		}
	}
}

/*
 * Recursive elimination on the Gram system (G, c) of p columns, down to
 * size 1.  wpath (p x p) receives, in row k - 1, the least-squares
 * coefficients (full length, zeros for dropped columns) with k columns
 * left; keep[0..k) is the set of size k (keep[k - 1] the column dropped
 * last from size k).  Columns of zeros are dropped first: *n_avail counts
 * the others, and larger sizes repeat the fit of n_avail columns.  The
 * Cholesky factor of the Gram block is downdated column by column (a
 * principal block is never worse conditioned), so a whole elimination
 * costs O(p^3).  Returns 0 or -1 (LAPACK).
 */
static int rfe_run(const double *G, const double *c, size_t p, double *wpath, size_t *S,
		   size_t *keep, size_t *n_avail, double *w, subset_ws *ws)
{
	size_t k = 0, k0, j, a, b;
	int have_r = 0;
	double *R = ws->R;
	for (j = 0; j < p; j++)
		if (G[j * p + j] > 0.0)
			S[k++] = j;
	k0 = k;
	memset(wpath, 0, p * p * sizeof *wpath);
	while (k > 0) {
		size_t amin = 0;
		if (!have_r) {
			/* A singular (or nearly) block gets a ridge of 1e-10 times its
			 * largest diagonal element: the minimum-norm solution to that
			 * precision, and a factor that can still be downdated. */
			double dmax = 0.0, ridge;
			for (a = 0; a < k; a++)
				dmax = fmax(dmax, G[S[a] * p + S[a]]);
			for (int attempt = 0; attempt < 2 && !have_r; attempt++) {
				ridge = attempt ? 1e-10 * dmax : 0.0;
				for (a = 0; a < k; a++)
					for (b = 0; b < k; b++)
						R[a * p + b] = G[S[a] * p + S[b]] + (a == b ? ridge : 0.0);
				if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)k, R,
						   (lapack_int)p) == 0) {
					double rmin = INFINITY, rmax = 0.0;
					for (a = 0; a < k; a++) {
						rmin = fmin(rmin, fabs(R[a * p + a]));
						rmax = fmax(rmax, fabs(R[a * p + a]));
					}
					have_r = rmin > 1e-7 * rmax;
				}
			}
		}
		if (have_r) {
			for (a = 0; a < k; a++)
				w[a] = c[S[a]];
			cblas_dtrsv(CblasRowMajor, CblasUpper, CblasTrans, CblasNonUnit, (int)k, R,
				    (int)p, w, 1);
			cblas_dtrsv(CblasRowMajor, CblasUpper, CblasNoTrans, CblasNonUnit, (int)k, R,
				    (int)p, w, 1);
		} else if (subset_ols(G, c, p, S, k, w, ws)) {
			return -1;
		}
		for (a = 0; a < k; a++) {
			wpath[(k - 1) * p + S[a]] = w[a];
			if (fabs(w[a]) < fabs(w[amin]))
				amin = a;
		}
		/* Drop S[amin], keeping the order of the rest. */
		keep[k - 1] = S[amin];
		memmove(S + amin, S + amin + 1, (k - amin - 1) * sizeof *S);
		if (have_r)
			chol_delete(R, p, k, amin);
		k--;
	}
	for (k = k0; k < p && k0 > 0; k++)
		memcpy(wpath + k * p, wpath + (k0 - 1) * p, p * sizeof *wpath);
	*n_avail = k0;
	return 0;
}

/* Scratch of an OMP run of at most kmax steps on p columns. */
typedef struct {
	size_t kmax;
	double *L;     /* kmax x kmax, lower triangular: L L' = G_SS */
	double *wS;    /* kmax: coefficients of the selected columns */
	double *corr;  /* p: Z'r = c - G_{:,S} w_S */
	unsigned char *used; /* p: selected or found dependent */
} omp_ws;

/*
 * Orthogonal matching pursuit on the Gram system (G, c) of p columns, up
 * to kmax columns: pick the column with the largest |Z'r|, append its row
 * to the Cholesky factor of the selected Gram block (a column whose
 * residual norm after projection is below 1e-7 of its norm counts as
 * dependent and is skipped), re-solve, update Z'r.  O(p k + k^2) per step.
 * wpath (kmax x p) receives in row k - 1 the coefficients with k columns;
 * order[0..k) the columns in the order chosen.  Returns the number of
 * steps made (< kmax when Z'r vanished or no independent column was
 * left); rows past it repeat the last fit.
 */
static size_t omp_run(const double *G, const double *c, size_t p, size_t kmax, double *wpath,
		      size_t *order, omp_ws *ws)
{
	size_t s = 0, j, t, ld = ws->kmax;
	double cmax0 = 0.0, *L = ws->L, *v;
	memset(ws->used, 0, p);
	memset(wpath, 0, kmax * p * sizeof *wpath);
	memcpy(ws->corr, c, p * sizeof *c);
	for (j = 0; j < p; j++)
		cmax0 = fmax(cmax0, fabs(c[j]));
	while (s < kmax) {
		size_t jbest = p;
		double cbest = 0.0, d2;
		for (j = 0; j < p; j++)
			if (!ws->used[j] && G[j * p + j] > 0.0 && fabs(ws->corr[j]) > cbest) {
				cbest = fabs(ws->corr[j]);
				jbest = j;
			}
		if (jbest == p || cbest <= 1e-12 * cmax0)
			break;
		ws->used[jbest] = 1;
		/* Candidate row s of L: L v = G_{S, j}, d^2 = G_jj - v'v. */
		v = L + s * ld;
		for (t = 0; t < s; t++)
			v[t] = G[order[t] * p + jbest];
		if (s)
			cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)s, L,
				    (int)ld, v, 1);
		d2 = G[jbest * p + jbest] - (s ? cblas_ddot((int)s, v, 1, v, 1) : 0.0);
		if (!(d2 > 1e-14 * G[jbest * p + jbest]))
			continue; /* dependent on the columns already chosen */
		v[s] = sqrt(d2);
		order[s++] = jbest;
		/* w_S from L L' w = c_S. */
		for (t = 0; t < s; t++)
			ws->wS[t] = c[order[t]];
		cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)s, L, (int)ld,
			    ws->wS, 1);
		cblas_dtrsv(CblasRowMajor, CblasLower, CblasTrans, CblasNonUnit, (int)s, L, (int)ld,
			    ws->wS, 1);
		memcpy(ws->corr, c, p * sizeof *c);
		for (t = 0; t < s; t++) {
			wpath[(s - 1) * p + order[t]] = ws->wS[t];
			cblas_daxpy((int)p, -ws->wS[t], G + order[t] * p, 1, ws->corr, 1);
		}
	}
	for (t = s ? s : 1; t < kmax; t++)
		memcpy(wpath + t * p, wpath + (t - 1) * p, p * sizeof *wpath);
	return s;
}

/* Allocate the OMP scratch; -1 when out of memory. */
static int omp_ws_alloc(omp_ws *ws, size_t p, size_t kmax)
{
	memset(ws, 0, sizeof *ws);
	ws->kmax = kmax;
	ws->L = malloc((kmax * kmax + kmax + p + 1) * sizeof *ws->L);
	ws->used = malloc(p + 1);
	if (!ws->L || !ws->used) {
		free(ws->L);
		free(ws->used);
		ws->L = NULL;
		ws->used = NULL;
		return -1;
	}
	ws->wS = ws->L + kmax * kmax;
	ws->corr = ws->wS + kmax;
	return 0;
}

/* Free the OMP scratch. */
static void omp_ws_free(omp_ws *ws)
{
	free(ws->L);
	free(ws->used);
}

/*
 * RFE or OMP: the cross-validated curve (when path is given or
 * opt->n_features is 0) and the fit (when res is given).
 */
static cewb_status select_run(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			      cewb_fit_method method, cewb_fit_result *res,
			      cewb_fit_path *path, cewb_error *err)
{
	double t0 = cewb_fit_clock();
	cewb_sparse_data d;
	size_t n, p, kmax, i, j, f, k = opt->cv_folds, best = 0, n_sel;
	size_t *fold = NULL, *S = NULL, *cols = NULL, *keep = NULL, n_avail = 0;
	double *mem = NULL, *G, *c, *Gf, *cf, *wpath, *w, *mse = NULL, *Zt, *yt, *Zv, *yv, yy;
	int need_cv = opt->n_features == 0 || path;
	subset_ws ws = {0};
	omp_ws ows = {0};
	cewb_status st;
	const char *name = method == CEWB_FIT_RFE ? "rfe" : "omp";

	if (res)
		memset(res, 0, sizeof *res);
	st = cewb_sparse_prepare(prob, cewb_sparse_scaling_of(opt), &d, err);
	if (st)
		return st;
	n = d.n;
	p = d.p;
	kmax = method == CEWB_FIT_OMP && n < p ? n : p;
	if (opt->n_features > p) {
		st = cewb_error_set(err, CEWB_EINVAL, "%s: n_features is %zu but there are only "
				    "%zu columns", name, opt->n_features, p);
		goto out;
	}
	if (method == CEWB_FIT_OMP && opt->n_features > n) {
		st = cewb_error_set(err, CEWB_EINVAL, "omp: n_features is %zu but there are only "
				    "%zu structures", opt->n_features, n);
		goto out;
	}
	if (need_cv) {
		st = cewb_sparse_check_folds(n, k, err);
		if (st)
			goto out;
	} else {
		k = 1;
	}
	mem = malloc((3 * p * p + 3 * p + 2 * n * p + 2 * n + 2 * p * p + 3 * p) * sizeof *mem);
	mse = malloc(p * k * sizeof *mse);
	fold = malloc((n + 3 * p) * sizeof *fold);
	if (!mem || !mse || !fold) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for a %zu x %zu selection", n,
				    p);
		goto out;
	}
	S = fold + n;
	cols = S + p;
	keep = cols + p;
	G = mem;
	c = G + p * p;
	wpath = c + p;
	w = wpath + p * p;
	Zt = w + p;
	Zv = Zt + n * p;
	yt = Zv + n * p;
	yv = yt + n;
	Gf = yv + n;
	cf = Gf + p * p;
	ws.p = p;
	ws.A = cf + p;
	ws.b = ws.A + p * p;
	ws.ev = ws.b + p;
	ws.R = ws.ev + p;
	if (method == CEWB_FIT_OMP && omp_ws_alloc(&ows, p, kmax)) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for a %zu x %zu selection", n,
				    p);
		goto out;
	}
	cewb_sparse_gram_add(d.Z, d.y, n, p, 1.0, G, c, &yy);

	if (need_cv) {
		size_t kcv = kmax;
		cewb_fit_kfold_assign_groups(n, prob->groups, k, opt->seed, 0, fold);
		for (f = 0; f < k; f++) {
			size_t nt, nv, kf;
			double yyf = yy;
			cewb_sparse_split(&d, fold, f, NULL, NULL, &nt, Zv, yv, &nv);
			memcpy(Gf, G, p * p * sizeof *G);
			memcpy(cf, c, p * sizeof *c);
			cewb_sparse_gram_add(Zv, yv, nv, p, -1.0, Gf, cf, &yyf);
			if (method == CEWB_FIT_RFE) {
				if (rfe_run(Gf, cf, p, wpath, S, keep, &n_avail, w, &ws)) {
					st = cewb_error_set(err, CEWB_ENUMERIC, "rfe: least squares "
							    "failed in fold %zu", f);
					goto out;
				}
				kf = p;
			} else {
				kf = kmax < nt ? kmax : nt;
				omp_run(Gf, cf, p, kf, wpath, S, &ows);
			}
			if (kf < kcv)
				kcv = kf;
			for (i = 0; i < kf; i++)
				mse[i * k + f] = cewb_sparse_mse(Zv, yv, nv, p, wpath + i * p);
			if (cewb_interrupt_flag) {
				st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
				goto out;
			}
		}
		kmax = kcv;
		for (i = 1; i < kmax; i++) {
			double m = 0.0, mb = 0.0;
			for (f = 0; f < k; f++) {
				m += mse[i * k + f];
				mb += mse[best * k + f];
			}
			if (m < mb)
				best = i;
		}
	}

	/* The procedure on all rows. */
	if (method == CEWB_FIT_RFE) {
		if (rfe_run(G, c, p, wpath, S, keep, &n_avail, w, &ws)) {
			st = cewb_error_set(err, CEWB_ENUMERIC, "rfe: least squares failed");
			goto out;
		}
	} else {
		n_avail = omp_run(G, c, p, kmax, wpath, keep, &ows);
	}
	if (path) {
		st = cewb_sparse_path_alloc(path, method, "n_features", kmax, k, err);
		if (st)
			goto out;
		path->best = best;
		for (i = 0; i < kmax; i++) {
			double s = 0.0, s2 = 0.0;
			size_t nz = 0;
			for (f = 0; f < k; f++) {
				double r = sqrt(mse[i * k + f]);
				s += r;
				s2 += r * r;
			}
			s /= (double)k;
			for (j = 0; j < p; j++)
				nz += wpath[i * p + j] != 0.0;
			path->param[i] = (double)(i + 1);
			path->rmse_mean[i] = s;
			path->rmse_std[i] = sqrt(fmax(s2 / (double)k - s * s, 0.0));
			path->n_nonzero[i] = nz;
		}
	}
	if (res) {
		size_t size = opt->n_features ? opt->n_features : best + 1, rank = 0;
		if (size > kmax)
			size = kmax;
		n_sel = size < n_avail ? size : n_avail;
		memcpy(cols, keep, n_sel * sizeof *cols);
		st = cewb_fit_result_init(res, method, p, err);
		if (st)
			goto out;
		/* Refit the chosen columns by SVD least squares. */
		st = cewb_fit_lsq_cols(d.Z, n, p, d.y, cols, n_sel, 0.0, w, &rank, err);
		if (st) {
			cewb_fit_result_release(res);
			goto out;
		}
		for (j = 0; j < n_sel; j++)
			res->eci[cols[j]] = w[j] / d.scale[cols[j]];
		res->rank = rank;
		res->n_iter = p - size;
		if (method == CEWB_FIT_OMP)
			res->n_iter = size;
		cewb_fit_result_hyper(res, "n_features", (double)n_sel);
		if (need_cv) {
			double m = 0.0;
			for (f = 0; f < k; f++)
				m += mse[best * k + f];
			cewb_fit_result_hyper(res, "rmse_xval", sqrt(m / (double)k));
		}
		if (n_sel < size && method == CEWB_FIT_RFE)
			snprintf(res->warning, sizeof res->warning,
				 "only %zu columns are not all zero (asked for %zu)", n_sel, size);
		else if (n_sel < size)
			snprintf(res->warning, sizeof res->warning,
				 "only %zu features could be selected (asked for %zu): the residual "
				 "is orthogonal to the other columns", n_sel, size);
		cewb_fit_result_finish(res, prob);
		res->seconds = cewb_fit_clock() - t0;
	}
	st = CEWB_OK;
out:
	if (st && path)
		cewb_fit_path_release(path);
	if (method == CEWB_FIT_OMP)
		omp_ws_free(&ows);
	free(mem);
	free(mse);
	free(fold);
	cewb_sparse_release(&d);
	return st;
}

/* Recursive feature elimination with least squares. */
cewb_status cewb_fit_rfe(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			 cewb_fit_result *res, cewb_error *err)
{
	if (!prob || !opt || !res)
		CEWB_RAISE(err, CEWB_EINVAL, "fit needs a problem, options and a result");
	return select_run(prob, opt, CEWB_FIT_RFE, res, NULL, err);
}

/* Orthogonal matching pursuit. */
cewb_status cewb_fit_omp(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			 cewb_fit_result *res, cewb_error *err)
{
	if (!prob || !opt || !res)
		CEWB_RAISE(err, CEWB_EINVAL, "fit needs a problem, options and a result");
	return select_run(prob, opt, CEWB_FIT_OMP, res, NULL, err);
}

/* The cross-validated curve of RFE or OMP over the number of features. */
cewb_status cewb_select_path(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			     cewb_fit_path *path, cewb_error *err)
{
	return select_run(prob, opt, opt->method, NULL, path, err);
}
