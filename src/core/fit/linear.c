/*
 * Linear fits: OLS through the SVD, ridge, the general prior Lambda, GLS.
 *
 * All four are linear smoothers theta = W X~' y~ (X~ = sqrt(W) X, y~ =
 * sqrt(W) y, W a small n_cols x n_cols matrix), built once by
 * cewb_fit_smoother_build; cross-validation reuses W for closed forms.
 * OLS and ridge take W from the Cholesky factor of X~'X~ (+ alpha I) when
 * its condition number is below 1e8, else (and to decide the rank) from the
 * right singular vectors of X~ (a QR of the tall matrix, then the SVD of its
 * small triangle; the left vectors are never formed);
 * the prior takes W = (X~'X~ + Lambda)^-1 by Cholesky.
 */
#include "config.h"
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include <lapacke.h>
#include "cewb/fit.h"
#include "fit_internal.h"

void cewb_fit_smoother_release(cewb_fit_smoother *sm)
{
	if (!sm)
		return;
	free(sm->W);
	free(sm->sw);
	free(sm->own);
	memset(sm, 0, sizeof *sm);
}

/*
 * Singular values s (r of them) and right singular vectors Vt (r x p,
 * row-major) of the n x p row-major matrix A (destroyed).  LAPACK sees the
 * same memory as the column-major p x n matrix A', whose left vectors are
 * our right ones, so no transposed copy is made.  A tall X (n >= p) is first
 * reduced by an LQ factorisation of A' (= QR of X), and only the small
 * p x p triangle goes through the divide-and-conquer SVD.
 */
static cewb_status right_svd(double *A, size_t n, size_t p, double *s, double *Vt,
			     cewb_error *err)
{
	size_t r = n < p ? n : p, i, j;
	double *work;
	lapack_int info;
	if (n >= p) {
		double *tau, *L, *Vs;
		work = malloc((p + 2 * p * p) * sizeof *work);
		if (!work)
			CEWB_RAISE(err, CEWB_ENOMEM, "svd: out of memory");
		tau = work;
		L = tau + p;
		Vs = L + p * p;
		info = LAPACKE_dgelqf(LAPACK_COL_MAJOR, (lapack_int)p, (lapack_int)n, A,
				      (lapack_int)p, tau);
		if (info == 0) {
			for (j = 0; j < p; j++)
				for (i = 0; i < p; i++)
					L[j * p + i] = i >= j ? A[j * p + i] : 0.0;
			lapack_int lp = (lapack_int)p;
			info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', lp, lp, L, lp, s, Vt, lp, Vs,
					      lp);
		}
	} else {
		work = malloc(n * n * sizeof *work);
		if (!work)
			CEWB_RAISE(err, CEWB_ENOMEM, "svd: out of memory");
		info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', (lapack_int)p, (lapack_int)n, A,
				      (lapack_int)p, s, Vt, (lapack_int)p, work, (lapack_int)r);
	}
	free(work);
	if (info < 0)
		CEWB_RAISE(err, CEWB_ENOMEM, "svd: workspace (lapack %d)", (int)info);
	if (info > 0)
		CEWB_RAISE(err, CEWB_ENUMERIC,
			   "svd of the %zu x %zu sensing matrix did not converge", n, p);
	return CEWB_OK;
}

/*
 * Ridge strength by exact leave-one-out over a log grid of alpha: with
 * P = X~ V (n x r), f = sum_k P_k (V'b)_k / (s_k^2 + alpha) and
 * h_ii = sum_k P_ik^2 / (s_k^2 + alpha); LOO residual (y~_i - f_i)/(1 - h_ii)/sqrt(w_i).
 */
static double ridge_choose_alpha(const double *Xw, const double *Vt, const double *s,
				 const double *b, const double *yw, const double *sw, size_t n,
				 size_t p, size_t r, double *best_loo)
{
	double *P = malloc((n * r + r + 1) * sizeof *P), *vb;
	double best = 1.0, best_err = INFINITY, smax2 = s[0] * s[0];
	size_t i, k, g, n_grid = 61;
	*best_loo = NAN;
	if (!P)
		return 1e-6 * smax2;
	vb = P + n * r;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)r, (int)p, 1.0, Xw,
		    (int)p, Vt, (int)p, 0.0, P, (int)r);
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)r, (int)p, 1.0, Vt, (int)p, b, 1, 0.0, vb, 1);
	for (g = 0; g < n_grid; g++) {
		/* from 1e-12 to 1e3 times the largest eigenvalue of X'X, quarter decades */
		double alpha = smax2 * pow(10.0, -12.0 + 0.25 * (double)g), ss = 0.0;
		for (i = 0; i < n; i++) {
			double f = 0.0, h = 0.0, e;
			const double *pi = P + i * r;
			for (k = 0; k < r; k++) {
				double c = 1.0 / (s[k] * s[k] + alpha);
				f += pi[k] * vb[k] * c;
				h += pi[k] * pi[k] * c;
			}
			e = (yw[i] - f) / (1.0 - h) / sw[i];
			ss += e * e;
		}
		if (isfinite(ss) && ss < best_err) {
			best_err = ss;
			best = alpha;
		}
	}
	free(P);
	*best_loo = sqrt(best_err / (double)n);
	return best;
}

/* Check Lambda (finite, symmetric); the message names the entry. */
static cewb_status check_lambda(const double *L, size_t p, cewb_error *err)
{
	size_t i, j;
	for (i = 0; i < p; i++)
		for (j = 0; j < p; j++) {
			double a = L[i * p + j], b = L[j * p + i];
			if (!isfinite(a))
				CEWB_RAISE(err, CEWB_EINVAL,
					   "prior precision entry (%zu, %zu) is %g", i, j, a);
			if (fabs(a - b) > 1e-10 * (fabs(a) + fabs(b)) + 1e-300)
				CEWB_RAISE(err, CEWB_EINVAL, "prior precision is not symmetric "
					   "at (%zu, %zu): %g vs %g", i, j, a, b);
		}
	return CEWB_OK;
}

/* Symmetric A (p x p, full) -> pseudo-inverse in place; returns numerical rank. */
static size_t sym_pinv(double *A, size_t p, double *work)
{
	double *w = work, *V = work + p, *T = V + p * p;
	size_t i, k, rank = 0;
	double wmax = 0.0, cut;
	memcpy(V, A, p * p * sizeof *V);
	if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)p, V, (lapack_int)p, w) != 0) {
		memset(A, 0, p * p * sizeof *A);
		return 0;
	}
	for (k = 0; k < p; k++)
		wmax = fmax(wmax, fabs(w[k]));
	cut = wmax * DBL_EPSILON * (double)p;
	/* T = V diag(1/w) over kept eigenvalues, then A = T V' */
	for (i = 0; i < p; i++)
		for (k = 0; k < p; k++)
			T[i * p + k] = w[k] > cut ? V[i * p + k] / w[k] : 0.0;
	for (k = 0; k < p; k++)
		rank += w[k] > cut;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)p, (int)p, (int)p, 1.0, T,
		    (int)p, V, (int)p, 0.0, A, (int)p);
	return rank;
}

/*
 * W = (X~'X~ + alpha I)^-1 by Cholesky when that is safe: returns 1 and
 * trace(W X~'X~) in *trace_h when the reciprocal condition number of the
 * matrix is above 1e-8 (|error| ~ 1e-8 relative at worst), 0 otherwise (then
 * the caller takes the SVD route, which also decides the rank).
 */
static int gram_inverse(const double *Xw, size_t n, size_t p, double alpha, double *W,
			double *trace_h)
{
	double *G = malloc((p * p + 3 * p) * sizeof *G), *work, anorm = 0.0, rcond = 0.0, tr = 0.0;
	lapack_int *iwork = malloc(p * sizeof *iwork);
	size_t i, j;
	int ok = 0;
	if (!G || !iwork)
		goto out;
	work = G + p * p;
	/* the row-major upper triangle is LAPACK's column-major lower one */
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)n, 1.0, Xw, (int)p, 0.0, G,
		    (int)p);
	for (j = 0; j < p; j++) {
		double cs = 0.0;
		for (i = 0; i < p; i++)
			cs += fabs(i <= j ? G[i * p + j] : G[j * p + i]);
		anorm = fmax(anorm, cs + alpha);
	}
	for (i = 0; i < p; i++)
		for (j = i; j < p; j++)
			W[i * p + j] = G[i * p + j] + (i == j ? alpha : 0.0);
	if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', (lapack_int)p, W, (lapack_int)p) != 0)
		goto out;
	if (LAPACKE_dpocon_work(LAPACK_COL_MAJOR, 'L', (lapack_int)p, W, (lapack_int)p, anorm,
				&rcond, work, iwork) != 0 || !(rcond > 1e-8))
		goto out;
	if (LAPACKE_dpotri_work(LAPACK_COL_MAJOR, 'L', (lapack_int)p, W, (lapack_int)p) != 0)
		goto out;
	for (i = 0; i < p; i++) {
		tr += W[i * p + i] * G[i * p + i];
		for (j = i + 1; j < p; j++) {
			W[j * p + i] = W[i * p + j];
			tr += 2.0 * W[i * p + j] * G[i * p + j];
		}
	}
	*trace_h = tr;
	ok = 1;
out:
	free(G);
	free(iwork);
	return ok;
}

cewb_status cewb_fit_smoother_build(const cewb_fit_problem *prob,
				    const cewb_fit_options *opt, cewb_fit_smoother *sm,
				    cewb_fit_result *res, cewb_error *err)
{
	size_t n = prob->n_rows, p = prob->n_cols, r = n < p ? n : p, i, j, k;
	cewb_fit_method m = opt->method;
	double t0 = cewb_fit_clock();
	double *A = NULL, *s = NULL, *Vt = NULL, *b = NULL, *c = NULL, *fit = NULL;
	double rss = 0.0, trace_h = 0.0, s2;
	cewb_status st;

	memset(sm, 0, sizeof *sm);
	memset(res, 0, sizeof *res);
	if ((st = cewb_fit_check_problem(prob, err)))
		return st;
	if (m == CEWB_FIT_PRIOR && !prob->lambda)
		CEWB_RAISE(err, CEWB_ESTATE, "the prior fit needs a prior precision matrix");
	if (m == CEWB_FIT_PRIOR && (st = check_lambda(prob->lambda, p, err)))
		return st;
	if (m == CEWB_FIT_RIDGE && !(opt->alpha >= 0.0))
		CEWB_RAISE(err, CEWB_EINVAL,
			   "ridge alpha must be >= 0 (0: chosen by leave-one-out)");
	if ((st = cewb_fit_result_init(res, m, p, err)))
		return st;
	sm->n_rows = n;
	sm->n_cols = p;
	sm->W = malloc(p * p * sizeof *sm->W);
	sm->sw = malloc(n * sizeof *sm->sw);
	b = malloc(p * sizeof *b);
	fit = malloc(n * sizeof *fit);
	if (!sm->W || !sm->sw || !b || !fit)
		goto nomem;
	if (prob->weights) {
		double *Xw, *yw;
		if ((st = cewb_fit_weighted_copy(prob, &Xw, &yw, err)))
			goto fail;
		/* one block: keep both in own */
		sm->own = realloc(Xw, (n * p + n) * sizeof *Xw);
		if (!sm->own) {
			free(Xw);
			free(yw);
			goto nomem;
		}
		memcpy(sm->own + n * p, yw, n * sizeof *yw);
		free(yw);
		sm->Xw = sm->own;
		sm->yw = sm->own + n * p;
	} else {
		sm->Xw = prob->X;
		sm->yw = prob->y;
	}
	for (i = 0; i < n; i++)
		sm->sw[i] = prob->weights ? sqrt(prob->weights[i]) : 1.0;
	cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)p, 1.0, sm->Xw, (int)p, sm->yw, 1, 0.0,
		    b, 1);

	if (m != CEWB_FIT_PRIOR && opt->tol <= 0 &&
	    ((m == CEWB_FIT_RIDGE && opt->alpha > 0.0) || (m != CEWB_FIT_RIDGE && n >= p)) &&
	    gram_inverse(sm->Xw, n, p, m == CEWB_FIT_RIDGE ? opt->alpha : 0.0, sm->W, &trace_h)) {
		/* well conditioned: Cholesky of the normal equations is exact enough */
		if (m == CEWB_FIT_RIDGE)
			cewb_fit_result_hyper(res, "alpha", opt->alpha);
		sm->rank = p;
		res->rank = p;
		sm->exact_cv = 1;
	} else if (m != CEWB_FIT_PRIOR) {
		/* OLS, GLS, ridge: W = V diag(c) V' from the SVD of X~ */
		double rcond = opt->tol > 0 ? opt->tol : DBL_EPSILON * (double)(n > p ? n : p);
		double alpha = 0.0, *T;
		size_t rank = 0, kmax;
		A = malloc(n * p * sizeof *A);
		s = malloc(r * sizeof *s);
		Vt = malloc(r * p * sizeof *Vt);
		c = malloc(r * sizeof *c);
		if (!A || !s || !Vt || !c)
			goto nomem;
		memcpy(A, sm->Xw, n * p * sizeof *A);
		if ((st = right_svd(A, n, p, s, Vt, err)))
			goto fail;
		for (k = 0; k < r; k++)
			rank += s[k] > rcond * s[0];
		sm->rank = rank;
		res->rank = rank;
		if (m == CEWB_FIT_RIDGE) {
			alpha = opt->alpha;
			if (alpha <= 0.0) {
				double loo = NAN;
				alpha = ridge_choose_alpha(sm->Xw, Vt, s, b, sm->yw, sm->sw, n,
							   p, r, &loo);
				cewb_fit_result_hyper(res, "alpha", alpha);
				cewb_fit_result_hyper(res, "rmse_loo", loo);
			} else {
				cewb_fit_result_hyper(res, "alpha", alpha);
			}
			kmax = r;
			for (k = 0; k < r; k++)
				c[k] = 1.0 / (s[k] * s[k] + alpha) - (p > r ? 1.0 / alpha : 0.0);
			/* alpha chosen from y makes the fit non-linear in y */
			sm->exact_cv = opt->alpha > 0.0;
		} else {
			kmax = rank;
			for (k = 0; k < rank; k++)
				c[k] = 1.0 / (s[k] * s[k]);
			sm->exact_cv = rank == p;
			if (rank < p) {
				char *w = res->warning;
				size_t nw = sizeof res->warning;
				if (n < p)
					snprintf(w, nw, "fewer structures (%zu) than parameters "
						 "(%zu): rank %zu, minimum-norm solution", n, p,
						 rank);
				else
					snprintf(w, nw, "sensing matrix is rank deficient (rank "
						 "%zu of %zu parameters): minimum-norm solution",
						 rank, p);
			}
		}
		/* W = Vt' diag(c) Vt (+ I / alpha on the null space for ridge) */
		T = A; /* reuse: kmax x p */
		for (k = 0; k < kmax; k++)
			for (j = 0; j < p; j++)
				T[k * p + j] = c[k] * Vt[k * p + j];
		if (kmax > 0)
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)p,
				    (int)kmax, 1.0, Vt, (int)p, T, (int)p, 0.0, sm->W, (int)p);
		else
			memset(sm->W, 0, p * p * sizeof *sm->W);
		if (m == CEWB_FIT_RIDGE && p > r)
			for (j = 0; j < p; j++)
				sm->W[j * p + j] += 1.0 / alpha;
		for (k = 0; k < kmax; k++)
			trace_h += m == CEWB_FIT_RIDGE ? s[k] * s[k] / (s[k] * s[k] + alpha) : 1.0;
	} else {
		/* prior: W = (X~'X~ + Lambda)^-1 by Cholesky (pseudo-inverse if singular) */
		double *G;
		A = malloc((4 * p * p + p) * sizeof *A);
		if (!A)
			goto nomem;
		G = A + p * p;
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)n, 1.0, sm->Xw,
			    (int)p, 0.0, G, (int)p);
		for (i = 0; i < p; i++)
			for (j = 0; j < i; j++)
				G[i * p + j] = G[j * p + i];
		for (i = 0; i < p * p; i++)
			A[i] = G[i] + prob->lambda[i];
		memcpy(sm->W, A, p * p * sizeof *A);
		lapack_int lp = (lapack_int)p;
		if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', lp, sm->W, lp) == 0 &&
		    LAPACKE_dpotri_work(LAPACK_COL_MAJOR, 'L', lp, sm->W, lp) == 0) {
			for (i = 0; i < p; i++)
				for (j = 0; j < i; j++)
					sm->W[i * p + j] = sm->W[j * p + i];
			sm->rank = p;
			sm->exact_cv = 1;
		} else {
			size_t rk;
			memcpy(sm->W, A, p * p * sizeof *A);
			rk = sym_pinv(sm->W, p, G + p * p);
			sm->rank = rk;
			sm->exact_cv = 0;
			snprintf(res->warning, sizeof res->warning, "X'X + Lambda is singular "
				 "(rank %zu of %zu): minimum-norm solution", rk, p);
		}
		res->rank = sm->rank;
		for (i = 0; i < p * p; i++)
			trace_h += sm->W[i] * G[i];
	}

	/* theta = W X~'y~ */
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)p, 1.0, sm->W, (int)p, b, 1, 0.0,
		    res->eci, 1);
	memcpy(fit, sm->yw, n * sizeof *fit);
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)p, -1.0, sm->Xw, (int)p, res->eci, 1,
		    1.0, fit, 1);
	rss = cblas_ddot((int)n, fit, 1, fit, 1);
	cewb_fit_result_hyper(res, "effective_parameters", trace_h);

	/* Posterior covariance: s2 W with s2 = weighted RSS / (n - trace H); for
	 * GLS with a known Sigma the caller rescales (s2 = 1). */
	s2 = n > trace_h + 0.5 ? rss / ((double)n - trace_h) : NAN;
	if (isfinite(s2)) {
		res->covariance = malloc(p * p * sizeof *res->covariance);
		if (!res->covariance)
			goto nomem;
		for (i = 0; i < p * p; i++)
			res->covariance[i] = s2 * sm->W[i];
	}
	cewb_fit_result_hyper(res, "noise_variance", s2);
	/* rmse on unweighted residuals: the whitened ones divided by sqrt(w) */
	{
		double ss = 0.0;
		size_t nz = 0;
		for (i = 0; i < n; i++) {
			double e = fit[i] / sm->sw[i];
			ss += e * e;
		}
		for (j = 0; j < p; j++)
			nz += res->eci[j] != 0.0;
		res->rmse_train = sqrt(ss / (double)n);
		res->n_nonzero = nz;
	}
	free(A);
	free(s);
	free(Vt);
	free(b);
	free(c);
	free(fit);
	res->seconds = cewb_fit_clock() - t0;
	return CEWB_OK;
nomem:
	st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for a %zu x %zu fit", n, p);
fail:
	free(A);
	free(s);
	free(Vt);
	free(b);
	free(c);
	free(fit);
	cewb_fit_smoother_release(sm);
	cewb_fit_result_release(res);
	return st;
}

/* Fit through the smoother and drop it. */
static cewb_status smoother_fit(const cewb_fit_problem *prob, const cewb_fit_options *opt,
				cewb_fit_method m, cewb_fit_result *res, cewb_error *err)
{
	cewb_fit_smoother sm;
	cewb_fit_options o = *opt;
	cewb_status st;
	o.method = m;
	st = cewb_fit_smoother_build(prob, &o, &sm, res, err);
	if (st == CEWB_OK)
		cewb_fit_smoother_release(&sm);
	return st;
}

cewb_status cewb_fit_ols(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			 cewb_fit_result *res, cewb_error *err)
{
	return smoother_fit(prob, opt, CEWB_FIT_OLS, res, err);
}

cewb_status cewb_fit_ridge(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			   cewb_fit_result *res, cewb_error *err)
{
	return smoother_fit(prob, opt, CEWB_FIT_RIDGE, res, err);
}

cewb_status cewb_fit_prior(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			   cewb_fit_result *res, cewb_error *err)
{
	return smoother_fit(prob, opt, CEWB_FIT_PRIOR, res, err);
}

/*
 * GLS: with weights only, weighted least squares; with a full Sigma, whiten
 * by its Cholesky factor (Sigma = L L', solve with L^-1 X, L^-1 y).  The
 * covariance is (X' Sigma^-1 X)^-1, Sigma taken as known.
 */
cewb_status cewb_fit_gls(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			 cewb_fit_result *res, cewb_error *err)
{
	size_t n, p, i, j;
	double *L = NULL, *Xt = NULL, *yt = NULL, t0 = cewb_fit_clock(), s2 = 1.0;
	cewb_fit_problem w;
	cewb_status st;
	lapack_int info;

	if ((st = cewb_fit_check_problem(prob, err))) {
		memset(res, 0, sizeof *res);
		return st;
	}
	n = prob->n_rows;
	p = prob->n_cols;
	if (!prob->sigma) {
		st = smoother_fit(prob, opt, CEWB_FIT_OLS, res, err);
		goto rescale;
	}
	memset(res, 0, sizeof *res);
	if (prob->weights)
		CEWB_RAISE(err, CEWB_EINVAL, "gls takes weights or a covariance sigma, not both");
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			double a = prob->sigma[i * n + j], b = prob->sigma[j * n + i];
			if (!isfinite(a))
				CEWB_RAISE(err, CEWB_EINVAL, "sigma entry (%zu, %zu) is %g", i, j,
					   a);
			if (fabs(a - b) > 1e-10 * (fabs(a) + fabs(b)) + 1e-300)
				CEWB_RAISE(err, CEWB_EINVAL, "sigma is not symmetric at "
					   "(%zu, %zu): %g vs %g", i, j, a, b);
		}
	L = malloc(n * n * sizeof *L);
	Xt = malloc(n * p * sizeof *Xt);
	yt = malloc(n * sizeof *yt);
	if (!L || !Xt || !yt) {
		free(L);
		free(Xt);
		free(yt);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a %zu x %zu covariance", n, n);
	}
	memcpy(L, prob->sigma, n * n * sizeof *L);
	info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', (lapack_int)n, L, (lapack_int)n);
	if (info != 0) {
		free(L);
		free(Xt);
		free(yt);
		if (info > 0)
			CEWB_RAISE(err, CEWB_EINVAL,
				   "data covariance sigma is not positive definite "
				   "(leading minor of order %d)", (int)info);
		CEWB_RAISE(err, CEWB_EINVAL, "cholesky of sigma failed (lapack %d)", (int)info);
	}
	memcpy(Xt, prob->X, n * p * sizeof *Xt);
	memcpy(yt, prob->y, n * sizeof *yt);
	cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)n,
		    (int)p, 1.0, L, (int)n, Xt, (int)p);
	cblas_dtrsv(CblasRowMajor, CblasLower, CblasNoTrans, CblasNonUnit, (int)n, L, (int)n,
		    yt, 1);
	memset(&w, 0, sizeof w);
	w.n_rows = n;
	w.n_cols = p;
	w.X = Xt;
	w.y = yt;
	st = smoother_fit(&w, opt, CEWB_FIT_OLS, res, err);
	free(L);
	free(Xt);
	free(yt);
	if (st)
		return st;
	/* rmse on the original, unwhitened residuals */
	res->rmse_train = cewb_fit_rmse(prob->X, n, p, prob->y, res->eci);
rescale:
	if (st)
		return st;
	res->method = CEWB_FIT_GLS;
	/* known covariance: undo the s2 scaling of the smoother */
	for (i = 0; i < res->n_hyper; i++)
		if (strcmp(res->hyper_name[i], "noise_variance") == 0)
			s2 = res->hyper[i];
	if (res->covariance && isfinite(s2) && s2 > 0)
		for (i = 0; i < p * p; i++)
			res->covariance[i] /= s2;
	res->seconds = cewb_fit_clock() - t0;
	return CEWB_OK;
}
