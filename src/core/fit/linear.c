/*
 * Linear fits: OLS through the SVD, ridge, the general prior Lambda, GLS.
 *
 * All four are linear smoothers theta = B y~ (y~ = sqrt(W) y), built once by
 * cewb_fit_smoother_build; cross-validation reuses B for closed forms.
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
	free(sm->B);
	free(sm->Xw);
	free(sm->yw);
	free(sm->sw);
	memset(sm, 0, sizeof *sm);
}

/* Thin SVD of the n x p row-major matrix A (destroyed): U n x r, s r, Vt r x p. */
static cewb_status thin_svd(double *A, size_t n, size_t p, double *U, double *s, double *Vt,
			    cewb_error *err)
{
	size_t r = n < p ? n : p;
	lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', (lapack_int)n, (lapack_int)p, A,
					 (lapack_int)p, s, U, (lapack_int)r, Vt, (lapack_int)p);
	if (info < 0)
		CEWB_RAISE(err, CEWB_ENOMEM, "svd: workspace (lapack %d)", (int)info);
	if (info > 0)
		CEWB_RAISE(err, CEWB_ENUMERIC, "svd of the %zu x %zu sensing matrix did not converge",
			   n, p);
	return CEWB_OK;
}

/* B = Vt' diag(d) U' for the first k singular triplets (B is p x n). */
static void svd_smoother(const double *U, const double *Vt, const double *d, size_t n,
			 size_t p, size_t r, size_t k, double *B, double *T)
{
	size_t i, j;
	/* T = diag(d) U'(k x n) */
	for (j = 0; j < k; j++)
		for (i = 0; i < n; i++)
			T[j * n + i] = d[j] * U[i * r + j];
	if (k == 0) {
		memset(B, 0, p * n * sizeof *B);
		return;
	}
	cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)n, (int)k, 1.0, Vt,
		    (int)p, T, (int)n, 0.0, B, (int)n);
}

/*
 * Ridge strength by exact leave-one-out over a log grid of alpha, from the
 * thin SVD of X~: LOO residual_i = (y~_i - f_i) / (1 - h_ii) / sqrt(w_i).
 */
static double ridge_choose_alpha(const double *U, const double *s, const double *yw,
				 const double *sw, size_t n, size_t r, double *best_loo)
{
	double *uty = calloc(r ? r : 1, sizeof *uty);
	double best = 1.0, best_err = INFINITY, smax2 = s[0] * s[0];
	size_t i, k, g, n_grid = 61;
	*best_loo = NAN;
	if (!uty)
		return 1e-6 * smax2;
	for (i = 0; i < n; i++)
		for (k = 0; k < r; k++)
			uty[k] += U[i * r + k] * yw[i];
	for (g = 0; g < n_grid; g++) {
		/* from 1e-12 to 1e3 times the largest eigenvalue of X'X, quarter decades */
		double alpha = smax2 * pow(10.0, -12.0 + 0.25 * (double)g), ss = 0.0;
		for (i = 0; i < n; i++) {
			double f = 0.0, h = 0.0, e;
			for (k = 0; k < r; k++) {
				double sk2 = s[k] * s[k], fk = sk2 / (sk2 + alpha);
				double u = U[i * r + k];
				f += u * fk * uty[k];
				h += u * u * fk;
			}
			e = (yw[i] - f) / (1.0 - h) / sw[i];
			ss += e * e;
		}
		if (isfinite(ss) && ss < best_err) {
			best_err = ss;
			best = alpha;
		}
	}
	free(uty);
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
				CEWB_RAISE(err, CEWB_EINVAL, "prior precision entry (%zu, %zu) is %g",
					   i, j, a);
			if (fabs(a - b) > 1e-10 * (fabs(a) + fabs(b)) + 1e-300)
				CEWB_RAISE(err, CEWB_EINVAL,
					   "prior precision is not symmetric at (%zu, %zu): %g vs %g",
					   i, j, a, b);
		}
	return CEWB_OK;
}

/* Symmetric A (p x p, full) -> pseudo-inverse in place; returns numerical rank. */
static size_t sym_pinv(double *A, size_t p, double *work)
{
	double *w = work, *V = work + p, *T = V + p * p;
	size_t i, j, k, rank = 0;
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
	(void)j;
	return rank;
}

cewb_status cewb_fit_smoother_build(const cewb_fit_problem *prob,
				    const cewb_fit_options *opt, cewb_fit_smoother *sm,
				    cewb_fit_result *res, cewb_error *err)
{
	size_t n = prob->n_rows, p = prob->n_cols, r = n < p ? n : p, i, j, k;
	cewb_fit_method m = opt->method;
	double t0 = cewb_fit_clock();
	double *A = NULL, *U = NULL, *s = NULL, *Vt = NULL, *T = NULL, *d = NULL;
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
		CEWB_RAISE(err, CEWB_EINVAL, "ridge alpha must be >= 0 (0: chosen by leave-one-out)");
	if ((st = cewb_fit_result_init(res, m, p, err)))
		return st;
	sm->n_rows = n;
	sm->n_cols = p;
	sm->B = malloc(p * n * sizeof *sm->B);
	sm->sw = malloc(n * sizeof *sm->sw);
	if (!sm->B || !sm->sw)
		goto nomem;
	if ((st = cewb_fit_weighted_copy(prob, &sm->Xw, &sm->yw, err)))
		goto fail;
	for (i = 0; i < n; i++)
		sm->sw[i] = prob->weights ? sqrt(prob->weights[i]) : 1.0;
	T = malloc((p * n + 3 * p * p + 2 * p + 1) * sizeof *T);
	if (!T)
		goto nomem;

	if (m != CEWB_FIT_PRIOR) {
		/* OLS, GLS, ridge: thin SVD of X~ */
		double rcond = opt->tol > 0 ? opt->tol : DBL_EPSILON * (double)(n > p ? n : p);
		size_t rank = 0;
		A = malloc(n * p * sizeof *A);
		U = malloc(n * r * sizeof *U);
		s = malloc(r * sizeof *s);
		Vt = malloc(r * p * sizeof *Vt);
		d = malloc(r * sizeof *d);
		if (!A || !U || !s || !Vt || !d)
			goto nomem;
		memcpy(A, sm->Xw, n * p * sizeof *A);
		if ((st = thin_svd(A, n, p, U, s, Vt, err)))
			goto fail;
		for (k = 0; k < r; k++)
			rank += s[k] > rcond * s[0];
		sm->rank = rank;
		res->rank = rank;
		if (m == CEWB_FIT_RIDGE) {
			double alpha = opt->alpha;
			if (alpha <= 0.0) {
				double loo = NAN;
				alpha = ridge_choose_alpha(U, s, sm->yw, sm->sw, n, r, &loo);
				cewb_fit_result_hyper(res, "alpha", alpha);
				cewb_fit_result_hyper(res, "rmse_loo", loo);
			} else {
				cewb_fit_result_hyper(res, "alpha", alpha);
			}
			for (k = 0; k < r; k++)
				d[k] = s[k] / (s[k] * s[k] + alpha);
			svd_smoother(U, Vt, d, n, p, r, r, sm->B, T);
			/* alpha chosen from y makes the fit non-linear in y */
			sm->exact_cv = opt->alpha > 0.0;
		} else {
			for (k = 0; k < rank; k++)
				d[k] = 1.0 / s[k];
			svd_smoother(U, Vt, d, n, p, r, rank, sm->B, T);
			sm->exact_cv = rank == p;
			if (rank < p) {
				if (n < p)
					snprintf(res->warning, sizeof res->warning,
						 "fewer structures (%zu) than parameters (%zu): rank %zu, "
						 "minimum-norm solution", n, p, rank);
				else
					snprintf(res->warning, sizeof res->warning,
						 "sensing matrix is rank deficient (rank %zu of %zu "
						 "parameters): minimum-norm solution", rank, p);
			}
		}
	} else {
		/* prior: A = X~'X~ + Lambda, Cholesky (pseudo-inverse if singular) */
		double *Ainv = T + p * n, *work = Ainv + p * p;
		A = malloc(p * p * sizeof *A);
		if (!A)
			goto nomem;
		memcpy(A, prob->lambda, p * p * sizeof *A);
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)n, 1.0, sm->Xw,
			    (int)p, 1.0, A, (int)p);
		for (i = 0; i < p; i++)
			for (j = 0; j < i; j++)
				A[i * p + j] = A[j * p + i];
		memcpy(Ainv, A, p * p * sizeof *A);
		if (LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'U', (lapack_int)p, Ainv, (lapack_int)p) == 0) {
			/* B = A^-1 X~' */
			for (j = 0; j < p; j++)
				for (i = 0; i < n; i++)
					sm->B[j * n + i] = sm->Xw[i * p + j];
			LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'U', (lapack_int)p, (lapack_int)n, Ainv,
				       (lapack_int)p, sm->B, (lapack_int)n);
			sm->rank = p;
			sm->exact_cv = 1;
		} else {
			size_t rk;
			memcpy(Ainv, A, p * p * sizeof *A);
			rk = sym_pinv(Ainv, p, work);
			cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)p, (int)n, (int)p,
				    1.0, Ainv, (int)p, sm->Xw, (int)p, 0.0, sm->B, (int)n);
			sm->rank = rk;
			sm->exact_cv = 0;
			snprintf(res->warning, sizeof res->warning,
				 "X'X + Lambda is singular (rank %zu of %zu): minimum-norm solution",
				 rk, p);
		}
		res->rank = sm->rank;
	}

	/* theta = B y~ */
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)n, 1.0, sm->B, (int)n, sm->yw, 1,
		    0.0, res->eci, 1);
	for (i = 0; i < n; i++) {
		double f = cblas_ddot((int)p, sm->Xw + i * p, 1, res->eci, 1), e = sm->yw[i] - f;
		rss += e * e;
		trace_h += cblas_ddot((int)p, sm->Xw + i * p, 1, sm->B + i, (int)n);
	}
	cewb_fit_result_hyper(res, "effective_parameters", trace_h);

	/* Posterior covariance: s2 A^+ with s2 = weighted RSS / (n - trace H); for
	 * GLS with a known Sigma the caller rescales (s2 = 1). */
	s2 = n > trace_h + 0.5 ? rss / ((double)n - trace_h) : NAN;
	if (isfinite(s2)) {
		res->covariance = malloc(p * p * sizeof *res->covariance);
		if (!res->covariance)
			goto nomem;
		if (m == CEWB_FIT_PRIOR) {
			/* A^+ was formed (pinv) or its Cholesky factor is in T + p n */
			double *F = T + p * n;
			if (sm->exact_cv) {
				memcpy(res->covariance, F, p * p * sizeof *F);
				LAPACKE_dpotri(LAPACK_ROW_MAJOR, 'U', (lapack_int)p, res->covariance,
					       (lapack_int)p);
				for (i = 0; i < p; i++)
					for (j = 0; j < i; j++)
						res->covariance[i * p + j] = res->covariance[j * p + i];
			} else {
				memcpy(res->covariance, F, p * p * sizeof *F);
			}
		} else {
			/* V diag(c) V' over the singular triplets (+ null space for ridge) */
			double alpha = m == CEWB_FIT_RIDGE ? res->hyper[0] : 0.0;
			size_t kmax = m == CEWB_FIT_RIDGE ? r : sm->rank;
			double *W = T;
			for (k = 0; k < kmax; k++) {
				double c = 1.0 / (s[k] * s[k] + alpha);
				if (m == CEWB_FIT_RIDGE && p > r)
					c -= 1.0 / alpha;
				for (j = 0; j < p; j++)
					W[k * p + j] = c * Vt[k * p + j];
			}
			cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, (int)p, (int)kmax,
				    1.0, Vt, (int)p, W, (int)p, 0.0, res->covariance, (int)p);
			if (m == CEWB_FIT_RIDGE && p > r)
				for (j = 0; j < p; j++)
					res->covariance[j * p + j] += 1.0 / alpha;
		}
		for (i = 0; i < p * p; i++)
			res->covariance[i] *= s2;
	}
	cewb_fit_result_hyper(res, "noise_variance", s2);
	cewb_fit_result_finish(res, prob);
	free(A);
	free(U);
	free(s);
	free(Vt);
	free(T);
	free(d);
	res->seconds = cewb_fit_clock() - t0;
	return CEWB_OK;
nomem:
	st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for a %zu x %zu fit", n, p);
fail:
	free(A);
	free(U);
	free(s);
	free(Vt);
	free(T);
	free(d);
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
				CEWB_RAISE(err, CEWB_EINVAL, "sigma entry (%zu, %zu) is %g", i, j, a);
			if (fabs(a - b) > 1e-10 * (fabs(a) + fabs(b)) + 1e-300)
				CEWB_RAISE(err, CEWB_EINVAL,
					   "sigma is not symmetric at (%zu, %zu): %g vs %g", i, j, a, b);
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
