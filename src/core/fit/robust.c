/*
 * src/core/fit/robust.c - robust fits: Huber loss and least absolute
 * deviation (LAD, the maximum of a Laplace likelihood).
 *
 * Both are unpenalised and equivariant under column scaling, so
 * opt->standardize does not change the answer; internally the columns are
 * scaled to unit norm for the numerics.  With weights, row i is multiplied
 * by sqrt(w_i) (Huber: the weighted squared loss inside the transition;
 * LAD: sum_i sqrt(w_i) |r_i|).  Columns that depend on earlier ones (QR
 * with column pivoting, relative cutoff max(n, p) * eps * 10) get ECI 0 and
 * a warning.
 *
 * Huber: iteratively reweighted least squares from the least-squares start.
 * Each step estimates the residual scale s = median|r_i| / 0.6745 (the
 * normalised median absolute deviation, about zero) and weights rows by
 * min(1, epsilon s / |r_i|) (opt->huber_epsilon, 1.35 by default: 95%
 * efficiency for normal errors).  Stops when no coefficient changes by more
 * than opt->tol times the largest one and the scale by less than opt->tol
 * relative, after at most opt->max_iter steps.
 *
 * LAD: exact, by descent over the vertices of the piecewise linear
 * objective sum_i |y_i - x_i'w| (a simplex method on the linear program).
 * A vertex is a set B of p rows fitted exactly; it is optimal when
 * u = X_B^-T sum_{i not in B} sign(r_i) x_i has |u_k| <= 1 for every k.
 * Otherwise the edge that frees the row with the largest |u_k| lowers the
 * objective; a line search (weighted median of the breakpoints along the
 * edge) finds the row that enters.  Starting vertex: the rows with the
 * smallest least-squares residuals that are independent.  The inverse of
 * X_B is updated by Sherman-Morrison (O(n p) per exchange).  Degenerate
 * vertices (many rows fitted exactly, as with noise-free data) are avoided
 * by descending on y perturbed by ~1e-9 max|y| and certifying the final
 * vertex on y itself.  At most opt->max_iter exchanges per column (a limit
 * never met on well-posed problems; the result is then flagged not
 * converged, with a warning).  On Ag-Pd (625 x 82) the sum of |residuals|
 * equals the optimum of the linear program solved by HiGHS to 2e-12.
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

#define MAD_NORMAL 0.6744897501960817 /* median |N(0, 1)| */

/* A full-column-rank copy of the prepared problem: the q independent
 * columns cols[0..q) of d, as an n x q matrix A. */
typedef struct {
	size_t n, q;
	double *A;
	size_t *cols;
} indep_cols;

/* Compare doubles for qsort. */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Compare size_t for qsort. */
static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

/* Find the independent columns of d (QR with column pivoting) into ic. */
static cewb_status independent_columns(const cewb_sparse_data *d, indep_cols *ic,
				       cewb_error *err)
{
	size_t n = d->n, p = d->p, j, i, q = 0, mn = n < p ? n : p;
	double *A = malloc(n * p * sizeof *A), *tau = malloc((mn ? mn : 1) * sizeof *tau);
	lapack_int *jpvt = calloc(p, sizeof *jpvt);
	lapack_int info;
	memset(ic, 0, sizeof *ic);
	if (!A || !tau || !jpvt) {
		free(A);
		free(tau);
		free(jpvt);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a %zu x %zu factorisation", n, p);
	}
	memcpy(A, d->Z, n * p * sizeof *A);
	info = LAPACKE_dgeqp3(LAPACK_ROW_MAJOR, (lapack_int)n, (lapack_int)p, A, (lapack_int)p,
			      jpvt, tau);
	if (info == 0 && mn > 0) {
		double cut = fabs(A[0]) * DBL_EPSILON * (double)(n > p ? n : p) * 10.0;
		for (j = 0; j < mn; j++)
			if (fabs(A[j * p + j]) > cut && A[0] != 0.0)
				q++;
	}
	free(tau);
	if (info != 0) {
		free(A);
		free(jpvt);
		CEWB_RAISE(err, CEWB_ENUMERIC, "qr factorisation failed (lapack info %d)", (int)info);
	}
	ic->cols = malloc((q ? q : 1) * sizeof *ic->cols);
	if (!ic->cols) {
		free(A);
		free(jpvt);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for %zu columns", q);
	}
	for (j = 0; j < q; j++)
		ic->cols[j] = (size_t)jpvt[j] - 1;
	free(jpvt);
	qsort(ic->cols, q, sizeof *ic->cols, cmp_size);
	for (i = 0; i < n; i++)
		for (j = 0; j < q; j++)
			A[i * q + j] = d->Z[i * p + ic->cols[j]];
	ic->A = A;
	ic->n = n;
	ic->q = q;
	return CEWB_OK;
}

/* Free ic. */
static void indep_release(indep_cols *ic)
{
	free(ic->A);
	free(ic->cols);
	memset(ic, 0, sizeof *ic);
}

/* Residuals r = y - A w of the n x q matrix A. */
static void residuals(const double *A, const double *y, size_t n, size_t q, const double *w,
		      double *r)
{
	memcpy(r, y, n * sizeof *r);
	if (q)
		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)q, -1.0, A, (int)q, w, 1,
			    1.0, r, 1);
}

/*
 * Weighted least squares of the full-rank n x q matrix A: minimise
 * sum_i h_i (y_i - a_i'w)^2 (h NULL: all 1) by QR; B and b are n x q and n
 * scratch.  Returns the LAPACK info.
 */
static int wls(const double *A, const double *y, const double *h, size_t n, size_t q,
	       double *w, double *B, double *b)
{
	size_t i, j;
	lapack_int info;
	for (i = 0; i < n; i++) {
		double s = h ? sqrt(h[i]) : 1.0;
		for (j = 0; j < q; j++)
			B[i * q + j] = s * A[i * q + j];
		b[i] = s * y[i];
	}
	info = LAPACKE_dgels(LAPACK_ROW_MAJOR, 'N', (lapack_int)n, (lapack_int)q, 1, B,
			     (lapack_int)q, b, 1);
	if (info == 0)
		memcpy(w, b, q * sizeof *w);
	return (int)info;
}

/* Median of |r_i| (scratch t of n). */
static double median_abs(const double *r, size_t n, double *t)
{
	size_t i;
	for (i = 0; i < n; i++)
		t[i] = fabs(r[i]);
	qsort(t, n, sizeof *t, cmp_double);
	return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

/* Check the options of a robust fit. */
static cewb_status check_robust(const cewb_fit_options *opt, int huber, cewb_error *err)
{
	if (huber && !(opt->huber_epsilon >= 1.0 && isfinite(opt->huber_epsilon)))
		CEWB_RAISE(err, CEWB_EINVAL, "huber epsilon is %g, must be >= 1 (1.35 is usual)",
			   opt->huber_epsilon);
	if (huber && !(opt->tol > 0.0))
		CEWB_RAISE(err, CEWB_EINVAL, "tolerance is %g, must be > 0", opt->tol);
	if (opt->max_iter == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "max_iter must be at least 1");
	return CEWB_OK;
}

/*
 * The common start of a robust fit: check the arguments and options, clear
 * res, scale the columns to unit norm and keep an independent set of them.
 * On failure nothing is left allocated in d or ic.
 */
static cewb_status start_robust(const cewb_fit_problem *prob, const cewb_fit_options *opt,
				int huber, cewb_fit_result *res, cewb_sparse_data *d,
				indep_cols *ic, cewb_error *err)
{
	cewb_status st;
	if (!prob || !opt || !res)
		CEWB_RAISE(err, CEWB_EINVAL, "fit needs a problem, options and a result");
	memset(res, 0, sizeof *res);
	st = check_robust(opt, huber, err);
	if (st)
		return st;
	st = cewb_sparse_prepare(prob, CEWB_SPARSE_UNIT_NORM, d, err);
	if (st)
		return st;
	st = independent_columns(d, ic, err);
	if (st) {
		indep_release(ic);
		cewb_sparse_release(d);
	}
	return st;
}

/* Fill res from the coefficients w of the independent columns. */
static cewb_status finish_robust(const cewb_fit_problem *prob, const cewb_sparse_data *d,
				 const indep_cols *ic, const double *w, cewb_fit_method method,
				 cewb_fit_result *res, cewb_error *err)
{
	size_t j;
	cewb_status st = cewb_fit_result_init(res, method, d->p, err);
	if (st)
		return st;
	for (j = 0; j < ic->q; j++)
		res->eci[ic->cols[j]] = w[j] / d->scale[ic->cols[j]];
	res->rank = ic->q;
	if (ic->q < d->p)
		snprintf(res->warning, sizeof res->warning,
			 "x has rank %zu < %zu columns: ecis of %zu dependent columns set to 0",
			 ic->q, d->p, d->p - ic->q);
	cewb_fit_result_finish(res, prob);
	return CEWB_OK;
}

/* Huber regression by IRLS with the MAD scale. */
cewb_status cewb_fit_huber(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			   cewb_fit_result *res, cewb_error *err)
{
	double t0 = cewb_fit_clock(), eps, s = 0.0, s_old = -1.0, floor_s;
	cewb_sparse_data d;
	indep_cols ic = {0};
	double *mem = NULL, *w, *wn, *r, *h, *B, *b;
	size_t n, q, i, j, it = 0, n_out = 0;
	int conv = 0;
	cewb_status st;

	st = start_robust(prob, opt, 1, res, &d, &ic, err);
	if (st)
		return st;
	n = d.n;
	q = ic.q;
	eps = opt->huber_epsilon;
	mem = malloc((2 * q + 3 * n + n * q + 1) * sizeof *mem);
	if (!mem) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for a %zu x %zu fit", n, q);
		goto out;
	}
	w = mem;
	wn = w + q;
	r = wn + q;
	h = r + n;
	b = h + n;
	B = b + n;
	if (q && wls(ic.A, d.y, NULL, n, q, w, B, b)) {
		st = cewb_error_set(err, CEWB_ENUMERIC, "huber: least squares failed");
		goto out;
	}
	/* A scale floor keeps exact fits of most rows from dividing by zero. */
	floor_s = 1e-12 * (cblas_dnrm2((int)n, d.y, 1) / sqrt((double)n) + DBL_MIN);
	for (it = 0; it < opt->max_iter && q; it++) {
		double dmax = 0.0, wmax = 0.0;
		residuals(ic.A, d.y, n, q, w, r);
		s = median_abs(r, n, h) / MAD_NORMAL;
		if (s < floor_s)
			s = floor_s;
		for (i = 0; i < n; i++)
			h[i] = fabs(r[i]) <= eps * s ? 1.0 : eps * s / fabs(r[i]);
		if (wls(ic.A, d.y, h, n, q, wn, B, b)) {
			st = cewb_error_set(err, CEWB_ENUMERIC, "huber: weighted least squares "
					    "failed at step %zu", it + 1);
			goto out;
		}
		for (j = 0; j < q; j++) {
			dmax = fmax(dmax, fabs(wn[j] - w[j]));
			wmax = fmax(wmax, fabs(wn[j]));
		}
		memcpy(w, wn, q * sizeof *w);
		if (dmax <= opt->tol * wmax && fabs(s - s_old) <= opt->tol * s) {
			conv = 1;
			it++;
			break;
		}
		s_old = s;
	}
	if (!q)
		conv = 1;
	residuals(ic.A, d.y, n, q, w, r);
	for (i = 0; i < n; i++)
		n_out += fabs(r[i]) > eps * s;
	st = finish_robust(prob, &d, &ic, w, CEWB_FIT_HUBER, res, err);
	if (st)
		goto out;
	res->converged = conv;
	res->n_iter = it;
	cewb_fit_result_hyper(res, "epsilon", eps);
	cewb_fit_result_hyper(res, "scale", s);
	cewb_fit_result_hyper(res, "n_outliers", (double)n_out);
	if (!conv && !res->warning[0])
		snprintf(res->warning, sizeof res->warning,
			 "huber iterations did not reach the tolerance %g in %zu steps; the ecis "
			 "are approximate", opt->tol, opt->max_iter);
	res->seconds = cewb_fit_clock() - t0;
out:
	free(mem);
	indep_release(&ic);
	cewb_sparse_release(&d);
	return st;
}

/* A breakpoint of the LAD line search: step t, slope increase inc, row i. */
typedef struct {
	double t, inc;
	size_t i;
} breakpoint;

/* Order breakpoints by step. */
static int cmp_break(const void *a, const void *b)
{
	const breakpoint *x = a, *y = b;
	return (x->t > y->t) - (x->t < y->t);
}

/* Pairs (|r_i|, i) ordered by |r_i|. */
typedef struct {
	double ar;
	size_t i;
} row_rank;

/* Order rows by |residual|. */
static int cmp_row(const void *a, const void *b)
{
	const row_rank *x = a, *y = b;
	if (x->ar != y->ar)
		return (x->ar > y->ar) - (x->ar < y->ar);
	return (x->i > y->i) - (x->i < y->i);
}

/* Scratch of the LAD descent. */
typedef struct {
	size_t n, q;
	double *LU;       /* q x q: LU factors, or orthonormal rows while choosing */
	double *Binv;     /* q x q: inverse of X_B (rows of A in the basis) */
	lapack_int *piv;  /* q */
	double *u;        /* q */
	double *delta;    /* q */
	double *v;        /* q */
	double *a;        /* n */
	double *r;        /* n */
	double *yp;       /* n: perturbed targets */
	size_t *basis;    /* q rows */
	unsigned char *in_basis; /* n */
	breakpoint *bp;   /* n */
} lad_ws;

/* w = X_B^-1 y_B from Binv; r = y - A w with r_B = 0. */
static void lad_solution(const double *A, const double *y, lad_ws *ws, double *w)
{
	size_t t, n = ws->n, q = ws->q;
	for (t = 0; t < q; t++)
		ws->u[t] = y[ws->basis[t]];
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)q, (int)q, 1.0, ws->Binv, (int)q, ws->u, 1,
		    0.0, w, 1);
	residuals(A, y, n, q, w, ws->r);
	for (t = 0; t < q; t++)
		ws->r[ws->basis[t]] = 0.0;
}

/* Invert X_B afresh (LU) and update the solution.  Returns 0 or -1. */
static int lad_refactor(const double *A, const double *y, lad_ws *ws, double *w)
{
	size_t t, q = ws->q;
	for (t = 0; t < q; t++)
		memcpy(ws->Binv + t * q, A + ws->basis[t] * q, q * sizeof *A);
	if (LAPACKE_dgetrf(LAPACK_ROW_MAJOR, (lapack_int)q, (lapack_int)q, ws->Binv,
			   (lapack_int)q, ws->piv) != 0)
		return -1;
	if (LAPACKE_dgetri(LAPACK_ROW_MAJOR, (lapack_int)q, ws->Binv, (lapack_int)q, ws->piv) != 0)
		return -1;
	lad_solution(A, y, ws, w);
	return 0;
}

/*
 * Replace basis row k by row `enter`: Sherman-Morrison update of Binv for
 * X_B + e_k d', d = a_enter - a_old.  Returns -1 when the update is
 * unstable (tiny pivot), then the caller refactors.
 */
static int lad_exchange(const double *A, lad_ws *ws, size_t k, size_t enter)
{
	size_t i, j, q = ws->q;
	const double *xn = A + enter * q, *xo = A + ws->basis[k] * q;
	double den, *col = ws->delta;
	ws->in_basis[ws->basis[k]] = 0;
	ws->basis[k] = enter;
	ws->in_basis[enter] = 1;
	/* v = Binv' d; the update is Binv -= Binv e_k v' / (1 + v_k). */
	for (j = 0; j < q; j++)
		ws->u[j] = xn[j] - xo[j];
	cblas_dgemv(CblasRowMajor, CblasTrans, (int)q, (int)q, 1.0, ws->Binv, (int)q, ws->u, 1,
		    0.0, ws->v, 1);
	den = 1.0 + ws->v[k];
	if (fabs(den) < 1e-8)
		return -1;
	for (i = 0; i < q; i++)
		col[i] = ws->Binv[i * q + k] / den;
	cblas_dger(CblasRowMajor, (int)q, (int)q, -1.0, col, 1, ws->v, 1, ws->Binv, (int)q);
	return 0;
}

/*
 * Descend from the current vertex (ws->basis, Binv, w and r in step with y)
 * to the optimum of sum_i |y_i - a_i'w|: returns 1 when optimal, 0 when
 * limit exchanges were made, -1 on a numerical failure; *n_exch counts the
 * exchanges.  Each costs O(n q): the inverse of X_B is updated, and
 * computed afresh every 50 exchanges and before optimality is declared.
 */
static int lad_descend(const double *A, const double *y, size_t limit, double zero_tol,
		       double *w, lad_ws *ws, size_t *n_exch)
{
	size_t i, t, n_bp, degenerate = 0, since = 0, n = ws->n, q = ws->q;
	for (;;) {
		double umax = 0.0, g, sgn;
		size_t kbest = q, enter = n;
		/* u = X_B^-T sum_{i not in B} sign(r_i) x_i. */
		memset(ws->v, 0, q * sizeof *ws->v);
		for (i = 0; i < n; i++) {
			if (ws->in_basis[i] || fabs(ws->r[i]) <= zero_tol)
				continue;
			cblas_daxpy((int)q, ws->r[i] > 0 ? 1.0 : -1.0, A + i * q, 1, ws->v, 1);
		}
		cblas_dgemv(CblasRowMajor, CblasTrans, (int)q, (int)q, 1.0, ws->Binv, (int)q, ws->v,
			    1, 0.0, ws->u, 1);
		for (t = 0; t < q; t++) {
			if (fabs(ws->u[t]) <= 1.0 + 1e-10)
				continue;
			/* Bland's rule (first violator) after many degenerate steps. */
			if (degenerate > 2 * q) {
				if (kbest == q || ws->basis[t] < ws->basis[kbest])
					kbest = t;
			} else if (fabs(ws->u[t]) > umax) {
				umax = fabs(ws->u[t]);
				kbest = t;
			}
		}
		if (kbest == q) {
			if (since == 0)
				return 1; /* optimal, checked on a fresh inverse */
			if (lad_refactor(A, y, ws, w))
				return -1;
			since = 0;
			continue;
		}
		if (*n_exch >= limit)
			return 0;
		/* Edge direction: X_B delta = sign(u_k) e_k (slope 1 - |u_k| < 0). */
		sgn = ws->u[kbest] > 0 ? 1.0 : -1.0;
		for (t = 0; t < q; t++)
			ws->delta[t] = sgn * ws->Binv[t * q + kbest];
		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)q, 1.0, A, (int)q, ws->delta,
			    1, 0.0, ws->a, 1);
		/* Line search: slope 1 - |u_k| rising at each breakpoint. */
		n_bp = 0;
		for (i = 0; i < n; i++) {
			double ai = ws->a[i], ri = ws->r[i];
			if (ws->in_basis[i] || ai == 0.0)
				continue;
			if (fabs(ri) <= zero_tol) {
				ws->bp[n_bp].t = 0.0;
				ws->bp[n_bp].inc = fabs(ai);
			} else if (ri / ai > 0) {
				ws->bp[n_bp].t = ri / ai;
				ws->bp[n_bp].inc = 2.0 * fabs(ai);
			} else {
				continue;
			}
			ws->bp[n_bp++].i = i;
		}
		qsort(ws->bp, n_bp, sizeof *ws->bp, cmp_break);
		g = 1.0 - fabs(ws->u[kbest]);
		for (t = 0; t < n_bp; t++) {
			g += ws->bp[t].inc;
			if (g >= 0.0) {
				enter = ws->bp[t].i;
				break;
			}
		}
		if (enter == n)
			return -1; /* cannot happen: the slope ends at 1 + sum |a_i| */
		degenerate = ws->bp[t].t == 0.0 ? degenerate + 1 : 0;
		(*n_exch)++;
		if (lad_exchange(A, ws, kbest, enter) || ++since >= 50) {
			if (lad_refactor(A, y, ws, w))
				return -1;
			since = 0;
		} else {
			lad_solution(A, y, ws, w);
		}
	}
}

/*
 * Exact LAD of the full-rank n x q matrix A (n >= q): w receives the
 * coefficients.  Returns 1 when optimal, 0 when the exchange limit was
 * reached, -1 on a numerical failure; *n_exch counts the exchanges.
 *
 * Data fitted exactly by many rows make the vertices degenerate (many
 * zero residuals), where the descent can stall.  The descent therefore
 * runs on y perturbed by about 1e-9 max|y| (deterministic, so every run is
 * the same); a vertex optimal for the perturbed data is optimal for y as
 * well, the perturbed signs certifying the zero residuals, which is
 * checked on y before returning (and the descent continued on y if not).
 */
static int lad_solve(const double *A, const double *y, size_t n, size_t q, size_t limit,
		     double *w, lad_ws *ws, size_t *n_exch)
{
	size_t i, j, t, k;
	double ymax = 0.0, zero_tol, umax = 0.0;
	row_rank *rr = (row_rank *)ws->bp; /* same size, used before the descent */
	double *U = ws->LU;                /* q x q orthonormal rows while choosing */
	double *yp = ws->yp;
	cewb_rng rng;
	int rc;

	*n_exch = 0;
	for (i = 0; i < n; i++)
		ymax = fmax(ymax, fabs(y[i]));
	if (!(ymax > 0))
		ymax = 1.0;
	zero_tol = 1e-12 * ymax;
	cewb_rng_seed(&rng, 0x1adu);
	for (i = 0; i < n; i++) {
		double u = cewb_rng_uniform(&rng);
		yp[i] = y[i] + 1e-9 * ymax * (u < 0.5 ? -(0.5 + u) : u);
	}
	/* Start: least squares, then independent rows of smallest |residual|. */
	if (wls(A, y, NULL, n, q, w, ws->r, ws->a) != 0)
		return -1; /* r has room for the n x q copy the QR needs */
	residuals(A, y, n, q, w, ws->r);
	for (i = 0; i < n; i++) {
		rr[i].ar = fabs(ws->r[i]);
		rr[i].i = i;
	}
	qsort(rr, n, sizeof *rr, cmp_row);
	memset(ws->in_basis, 0, n);
	for (i = 0, k = 0; i < n && k < q; i++) {
		const double *x = A + rr[i].i * q;
		double nx = cblas_dnrm2((int)q, x, 1), nv;
		for (j = 0; j < q; j++)
			ws->u[j] = x[j];
		for (int pass = 0; pass < 2; pass++)
			for (t = 0; t < k; t++) {
				double h = cblas_ddot((int)q, U + t * q, 1, ws->u, 1);
				cblas_daxpy((int)q, -h, U + t * q, 1, ws->u, 1);
			}
		nv = cblas_dnrm2((int)q, ws->u, 1);
		if (!(nv > 1e-8 * nx))
			continue;
		for (j = 0; j < q; j++)
			U[k * q + j] = ws->u[j] / nv;
		ws->basis[k++] = rr[i].i;
		ws->in_basis[rr[i].i] = 1;
	}
	if (k < q)
		return -1;
	if (lad_refactor(A, yp, ws, w))
		return -1;
	rc = lad_descend(A, yp, limit, zero_tol, w, ws, n_exch);
	if (rc < 0)
		return rc;
	/* Back to y: the same vertex, certified with the perturbed signs. */
	memcpy(ws->a, ws->r, n * sizeof *ws->r);
	if (lad_refactor(A, y, ws, w))
		return -1;
	memset(ws->v, 0, q * sizeof *ws->v);
	for (i = 0; i < n; i++) {
		double ri = fabs(ws->r[i]) > zero_tol ? ws->r[i] : ws->a[i];
		if (ws->in_basis[i] || ri == 0.0)
			continue;
		cblas_daxpy((int)q, ri > 0 ? 1.0 : -1.0, A + i * q, 1, ws->v, 1);
	}
	cblas_dgemv(CblasRowMajor, CblasTrans, (int)q, (int)q, 1.0, ws->Binv, (int)q, ws->v, 1,
		    0.0, ws->u, 1);
	for (t = 0; t < q; t++)
		umax = fmax(umax, fabs(ws->u[t]));
	if (umax <= 1.0 + 1e-10 || rc == 0)
		return rc;
	return lad_descend(A, y, limit, zero_tol, w, ws, n_exch);
}


/* Least absolute deviation, exact. */
cewb_status cewb_fit_lad(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			 cewb_fit_result *res, cewb_error *err)
{
	double t0 = cewb_fit_clock(), sabs = 0.0;
	cewb_sparse_data d;
	indep_cols ic = {0};
	lad_ws ws = {0};
	double *mem = NULL, *w;
	size_t n, q, i, n_exch = 0;
	int rc = 1;
	cewb_status st;

	st = start_robust(prob, opt, 0, res, &d, &ic, err);
	if (st)
		return st;
	n = d.n;
	q = ic.q;
	/* The least-squares start needs n x q scratch: r has that room. */
	mem = malloc((4 * q + 2 * q * q + 2 * n * (q > 1 ? q : 1) + 2 * n) * sizeof *mem);
	ws.piv = malloc((q ? q : 1) * sizeof *ws.piv);
	ws.basis = malloc((q ? q : 1) * sizeof *ws.basis);
	ws.in_basis = malloc(n);
	ws.bp = malloc(n * (sizeof *ws.bp > sizeof(row_rank) ? sizeof *ws.bp : sizeof(row_rank)));
	if (!mem || !ws.piv || !ws.basis || !ws.in_basis || !ws.bp) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for a %zu x %zu fit", n, q);
		goto out;
	}
	ws.n = n;
	ws.q = q;
	w = mem;
	ws.u = w + q;
	ws.delta = ws.u + q;
	ws.v = ws.delta + q;
	ws.LU = ws.v + q;
	ws.Binv = ws.LU + q * q;
	ws.r = ws.Binv + q * q;
	ws.a = ws.r + n * (q > 1 ? q : 1);
	ws.yp = ws.a + n * (q > 1 ? q : 1);
	if (q)
		rc = lad_solve(ic.A, d.y, n, q, opt->max_iter * q, w, &ws, &n_exch);
	if (rc < 0) {
		st = cewb_error_set(err, CEWB_ENUMERIC, "lad: the linear program failed "
				    "(singular basis after %zu exchanges)", n_exch);
		goto out;
	}
	st = finish_robust(prob, &d, &ic, w, CEWB_FIT_LAD, res, err);
	if (st)
		goto out;
	residuals(ic.A, d.y, n, q, w, ws.r);
	for (i = 0; i < n; i++)
		sabs += fabs(ws.r[i]);
	res->converged = rc == 1;
	res->n_iter = n_exch;
	cewb_fit_result_hyper(res, "sum_abs_residual", sabs);
	cewb_fit_result_hyper(res, "laplace_scale", sabs / (double)n);
	if (rc == 0 && !res->warning[0])
		snprintf(res->warning, sizeof res->warning,
			 "lad stopped after %zu vertex exchanges before reaching the optimum",
			 n_exch);
	res->seconds = cewb_fit_clock() - t0;
out:
	free(mem);
	free(ws.piv);
	free(ws.basis);
	free(ws.in_basis);
	free(ws.bp);
	indep_release(&ic);
	cewb_sparse_release(&d);
	return st;
}
