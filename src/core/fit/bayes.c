/*
 * Bayesian fits: Bayesian ridge (evidence maximisation of the noise
 * precision alpha and the weight precision lambda, MacKay's fixed-point
 * updates with Gamma(1e-6, 1e-6) hyperpriors) and ARDR (one lambda per
 * parameter, parameters pruned once lambda reaches the threshold).
 *
 * Both work on the Gram matrix X'X, formed once with dsyrk: Bayesian ridge
 * in its eigenbasis (every iteration costs O(p)), ARDR by a Cholesky of
 * diag(lambda) + alpha X'X restricted to the columns still kept, so that the
 * cost falls as parameters are pruned; with more columns than rows ARDR
 * never forms X'X and uses the Woodbury identity in n x n while more than n
 * columns are kept.  With opt->standardize the columns
 * and targets are scaled as in fit_internal.h (inside the Gram matrix, no
 * copy of X); results are mapped back to the original scale.
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

/* Gamma hyperprior shape and rate of alpha and lambda (as the reference). */
#define HYPER_1 1e-6
#define HYPER_2 1e-6

/* The normal equations of a problem, optionally standardised. */
typedef struct {
	size_t n, p;
	double *G;      /* p x p, upper triangle: X~'X~ (scaled) */
	double *b;      /* p: X~'y~ (scaled) */
	double yy;      /* y~'y~ (scaled) */
	double var_y;   /* variance of y~ (scaled) */
	double *col;    /* p column divisors (1 without standardisation) */
	double ys;      /* target divisor */
	/* without G (wide problems): the (weighted, unscaled) data themselves */
	const double *X, *y;
	double *own;    /* storage behind X, y when weighted */
} gram_problem;

static void gram_release(gram_problem *g)
{
	free(g->G);
	free(g->b);
	free(g->col);
	free(g->own);
	memset(g, 0, sizeof *g);
}

/*
 * Form X'X, X'y, y'y of the (weighted) problem and scale them if asked.
 * With want_gram = 0 X'X is not formed and g keeps X and y instead.
 */
static cewb_status gram_build(const cewb_fit_problem *prob, int standardize, int want_gram,
			      gram_problem *g, cewb_error *err)
{
	size_t n = prob->n_rows, p = prob->n_cols, i, j;
	const double *X = prob->X, *y = prob->y;
	double *Xw = NULL, *yw = NULL, *mean = NULL, my = 0.0, vy = 0.0;
	cewb_status st;

	memset(g, 0, sizeof *g);
	g->n = n;
	g->p = p;
	if (prob->weights) {
		if ((st = cewb_fit_weighted_copy(prob, &Xw, &yw, err)))
			return st;
		X = Xw;
		y = yw;
	}
	g->G = want_gram ? cewb_fit_alloc_large(p * p * sizeof *g->G) : NULL;
	g->b = malloc(p * sizeof *g->b);
	g->col = malloc(p * sizeof *g->col);
	mean = calloc(p, sizeof *mean);
	if ((want_gram && !g->G) || !g->b || !g->col || !mean) {
		free(Xw);
		free(yw);
		free(mean);
		gram_release(g);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a %zu x %zu gram matrix", p, p);
	}
	/* only the upper triangle of G is formed and read (G[i][j], i <= j) */
	if (want_gram)
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)n, 1.0, X, (int)p,
			    0.0, g->G, (int)p);
	{
		/* X'y and the column sums in one pass over X */
		double *Y2 = malloc(2 * n * sizeof *Y2), *R2 = malloc(2 * p * sizeof *R2);
		if (!Y2 || !R2) {
			free(Y2);
			free(R2);
			free(Xw);
			free(yw);
			free(mean);
			gram_release(g);
			CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a gram matrix");
		}
		for (i = 0; i < n; i++) {
			Y2[2 * i] = y[i];
			Y2[2 * i + 1] = 1.0 / (double)n;
		}
		cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)p, 2, (int)n, 1.0, X,
			    (int)p, Y2, 2, 0.0, R2, 2);
		for (j = 0; j < p; j++) {
			g->b[j] = R2[2 * j];
			mean[j] = R2[2 * j + 1];
		}
		free(Y2);
		free(R2);
	}
	g->yy = cblas_ddot((int)n, y, 1, y, 1);
	for (i = 0; i < n; i++)
		my += y[i];
	my /= (double)n;
	for (i = 0; i < n; i++)
		vy += (y[i] - my) * (y[i] - my);
	vy /= (double)n;
	for (j = 0; j < p; j++)
		g->col[j] = 1.0;
	g->ys = 1.0;
	if (standardize) {
		/* column means through one gemv; variance from the Gram diagonal, with a
		 * two-pass recomputation where cancellation could bite */
		for (j = 0; j < p; j++) {
			double m2 = 0.0, v, sd;
			if (want_gram) {
				m2 = g->G[j * p + j] / (double)n;
			} else {
				for (i = 0; i < n; i++)
					m2 += X[i * p + j] * X[i * p + j];
				m2 /= (double)n;
			}
			v = m2 - mean[j] * mean[j];
			if (v < 1e-6 * m2) {
				v = 0.0;
				for (i = 0; i < n; i++) {
					double d = X[i * p + j] - mean[j];
					v += d * d;
				}
				v /= (double)n;
			}
			sd = sqrt(fmax(v, 0.0));
			g->col[j] = sd > 1e-10 * fabs(mean[j]) + 1e-300 ? sd : 1.0;
		}
		vy = sqrt(vy);
		g->ys = vy > 1e-10 * fabs(my) + 1e-300 ? vy : 1.0;
		for (i = 0; i < p; i++) {
			for (j = i; want_gram && j < p; j++)
				g->G[i * p + j] /= g->col[i] * g->col[j];
			g->b[i] /= g->col[i] * g->ys;
		}
		g->yy /= g->ys * g->ys;
		g->var_y = vy * vy / (g->ys * g->ys);
	} else {
		g->var_y = vy;
	}
	free(mean);
	if (!want_gram) {
		g->X = X;
		g->y = y;
		if (Xw) {
			/* keep the weighted copy: one block holding X~ then y~ */
			g->own = realloc(Xw, (n * p + n) * sizeof *Xw);
			if (!g->own) {
				free(Xw);
				free(yw);
				gram_release(g);
				CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a weighted copy");
			}
			memcpy(g->own + n * p, yw, n * sizeof *yw);
			g->X = g->own;
			g->y = g->own + n * p;
			free(yw);
		}
		return CEWB_OK;
	}
	free(Xw);
	free(yw);
	return CEWB_OK;
}

/* Residual sum of squares of the scaled problem computed from the data (no G). */
static double data_rss(const gram_problem *g, const size_t *keep, size_t m, const double *mu)
{
	size_t i, a, p = g->p;
	double ss = 0.0;
	for (i = 0; i < g->n; i++) {
		const double *x = g->X + i * p;
		double r = g->y[i] / g->ys;
		for (a = 0; a < m; a++)
			r -= x[keep[a]] / g->col[keep[a]] * mu[keep[a]];
		ss += r * r;
	}
	return ss;
}

/* Residual sum of squares y'y - 2 mu'b + mu'G mu over the columns in keep (m, ascending). */
static double gram_rss(const gram_problem *g, const size_t *keep, size_t m, const double *mu)
{
	size_t a, c, p = g->p;
	double q = 0.0, lin = 0.0;
	/* keep is ascending, so G[keep[a]][keep[c]] with c >= a is in the upper triangle */
	for (a = 0; a < m; a++) {
		const double *row = g->G + keep[a] * p;
		double s = 0.0;
		for (c = a + 1; c < m; c++)
			s += row[keep[c]] * mu[keep[c]];
		q += mu[keep[a]] * (row[keep[a]] * mu[keep[a]] + 2.0 * s);
		lin += mu[keep[a]] * g->b[keep[a]];
	}
	return fmax(g->yy - 2.0 * lin + q, 0.0);
}

/*
 * Map scaled coefficients and the covariance back to the original scale; only
 * the rows and columns listed in idx (m of them; all when idx is NULL) of the
 * covariance can be nonzero, so only those are touched.
 */
static void unscale_result(const gram_problem *g, cewb_fit_result *res, const size_t *idx,
			   size_t m)
{
	size_t a, c, p = g->p;
	for (a = 0; a < p; a++)
		res->eci[a] *= g->ys / g->col[a];
	if (!res->covariance)
		return;
	if (!idx)
		m = p;
	for (a = 0; a < m; a++) {
		size_t i = idx ? idx[a] : a;
		double fi = g->ys * g->ys / g->col[i];
		for (c = 0; c < m; c++) {
			size_t j = idx ? idx[c] : c;
			res->covariance[i * p + j] *= fi / g->col[j];
		}
	}
}

cewb_status cewb_fit_bayes(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			   cewb_fit_result *res, cewb_error *err)
{
	gram_problem g;
	size_t n, p, i, k, it;
	double *V = NULL, *e = NULL, *c = NULL, *w = NULL;
	double alpha, lambda, gamma = 0.0, rss = 0.0, norm2 = 0.0, t0 = cewb_fit_clock();
	double logdet = 0.0, lml;
	cewb_status st;

	memset(res, 0, sizeof *res);
	if ((st = cewb_fit_check_problem(prob, err)))
		return st;
	n = prob->n_rows;
	p = prob->n_cols;
	if ((st = gram_build(prob, opt->standardize, 1, &g, err)))
		return st;
	if ((st = cewb_fit_result_init(res, CEWB_FIT_BAYES, p, err))) {
		gram_release(&g);
		return st;
	}
	V = malloc(p * p * sizeof *V);
	e = malloc(p * sizeof *e);
	c = malloc(p * sizeof *c);
	w = malloc(p * sizeof *w);
	res->covariance = malloc(p * p * sizeof *res->covariance);
	if (!V || !e || !c || !w || !res->covariance) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for a %zu x %zu fit", n, p);
		goto out;
	}
	memcpy(V, g.G, p * p * sizeof *V);
	if (LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)p, V, (lapack_int)p, e) != 0) {
		st = cewb_error_set(err, CEWB_ENUMERIC, "eigenvalues of X'X did not converge");
		goto out;
	}
	for (k = 0; k < p; k++)
		e[k] = fmax(e[k], 0.0);
	/* c = V' b: the projections of X'y on the eigenvectors */
	cblas_dgemv(CblasRowMajor, CblasTrans, (int)p, (int)p, 1.0, V, (int)p, g.b, 1, 0.0, c, 1);

	alpha = 1.0 / (g.var_y + DBL_EPSILON);
	lambda = 1.0;
	res->converged = 0;
	for (it = 0; it < opt->max_iter; it++) {
		double a_old = alpha, l_old = lambda, r = lambda / alpha;
		double lin = 0.0, quad = 0.0;
		gamma = 0.0;
		norm2 = 0.0;
		for (k = 0; k < p; k++) {
			double wk = c[k] / (e[k] + r);
			norm2 += wk * wk;
			lin += wk * c[k];
			quad += e[k] * wk * wk;
			gamma += alpha * e[k] / (lambda + alpha * e[k]);
		}
		rss = fmax(g.yy - 2.0 * lin + quad, 0.0);
		lambda = (gamma + 2.0 * HYPER_1) / (norm2 + 2.0 * HYPER_2);
		alpha = ((double)n - gamma + 2.0 * HYPER_1) / (rss + 2.0 * HYPER_2);
		if (fabs(log(alpha / a_old)) + fabs(log(lambda / l_old)) < opt->tol) {
			res->converged = 1;
			it++;
			break;
		}
	}
	res->n_iter = it;
	/* final weights, residual and evidence at the last alpha, lambda */
	{
		double r = lambda / alpha, lin = 0.0, quad = 0.0;
		norm2 = 0.0;
		for (k = 0; k < p; k++) {
			w[k] = c[k] / (e[k] + r);
			norm2 += w[k] * w[k];
			lin += w[k] * c[k];
			quad += e[k] * w[k] * w[k];
			logdet -= log(lambda + alpha * e[k]);
		}
		rss = fmax(g.yy - 2.0 * lin + quad, 0.0);
	}
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)p, (int)p, 1.0, V, (int)p, w, 1, 0.0,
		    res->eci, 1);
	/* covariance V diag(1 / (lambda + alpha e)) V' */
	{
		double *T = malloc(p * p * sizeof *T);
		if (!T) {
			st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for a covariance");
			goto out;
		}
		for (i = 0; i < p; i++)
			for (k = 0; k < p; k++)
				T[i * p + k] = V[i * p + k] / (lambda + alpha * e[k]);
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)p, (int)p, (int)p, 1.0, T,
			    (int)p, V, (int)p, 0.0, res->covariance, (int)p);
		free(T);
	}
	lml = HYPER_1 * log(lambda) - HYPER_2 * lambda + HYPER_1 * log(alpha) - HYPER_2 * alpha +
	      0.5 * ((double)p * log(lambda) + (double)n * log(alpha) - alpha * rss -
		     lambda * norm2 + logdet - (double)n * log(2.0 * M_PI));
	res->log_marginal_likelihood = lml;
	res->rank = 0;
	for (k = 0; k < p; k++)
		res->rank += e[k] > e[p - 1] * DBL_EPSILON * (double)(n > p ? n : p);
	unscale_result(&g, res, NULL, p);
	cewb_fit_result_hyper(res, "alpha", alpha);
	cewb_fit_result_hyper(res, "lambda", lambda);
	cewb_fit_result_hyper(res, "effective_parameters", gamma);
	cewb_fit_result_hyper(res, "noise_std", g.ys / sqrt(alpha));
	if (!res->converged)
		snprintf(res->warning, sizeof res->warning,
			 "bayesian ridge did not converge in %zu iterations", opt->max_iter);
	cewb_fit_result_finish(res, prob);
	st = CEWB_OK;
out:
	free(V);
	free(e);
	free(c);
	free(w);
	gram_release(&g);
	if (st)
		cewb_fit_result_release(res);
	res->seconds = cewb_fit_clock() - t0;
	return st;
}

/*
 * Factor the ARD system A = diag(lambda_K) + alpha X_K'X_K (m x m, row-major
 * upper triangle filled; the row-major upper triangle is LAPACK's column-major
 * lower one, so no transposed copy is made) = R'R and solve: mu_K =
 * A^-1 rhs, dsig[a] = (A^-1)_aa from the rows of R^-1.  With full = 1, A^-1
 * itself is left in A (both triangles).  Returns -1 when A is not positive
 * definite.
 */
static int ard_factor(size_t m, double *A, double *rhs, const size_t *keep, double *mu,
		      double *dsig, int full)
{
	size_t a, c;
	lapack_int lm = (lapack_int)m;
	if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', lm, A, lm) != 0)
		return -1;
	LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'L', lm, 1, A, lm, rhs, lm);
	for (a = 0; a < m; a++)
		mu[keep[a]] = rhs[a];
	if (LAPACKE_dtrtri_work(LAPACK_COL_MAJOR, 'L', 'N', lm, A, lm) != 0)
		return -1;
	/* A^-1 = R^-1 R^-T: diagonal = squared row norms of R^-1 */
	for (a = 0; a < m; a++) {
		double s = 0.0;
		for (c = a; c < m; c++)
			s += A[a * m + c] * A[a * m + c];
		dsig[a] = s;
	}
	if (full) {
		LAPACKE_dlauum_work(LAPACK_COL_MAJOR, 'L', lm, A, lm);
		for (a = 0; a < m; a++)
			for (c = 0; c < a; c++)
				A[a * m + c] = A[c * m + a];
	}
	return 0;
}

/* One ARD solve on the kept columns from the Gram matrix (see ard_factor). */
static int ard_solve(const gram_problem *g, const size_t *keep, size_t m, const double *lambda,
		     double alpha, double *A, double *rhs, double *mu, double *dsig, int full)
{
	size_t a, c, p = g->p;
	for (a = 0; a < m; a++) {
		const double *row = g->G + keep[a] * p;
		for (c = a; c < m; c++)
			A[a * m + c] = alpha * row[keep[c]];
		A[a * m + a] += lambda[keep[a]];
		rhs[a] = alpha * g->b[keep[a]];
	}
	return ard_factor(m, A, rhs, keep, mu, dsig, full);
}

/*
 * One ARD solve from the data, for problems with more columns than rows.
 * XS (n x m) receives the kept scaled columns times sqrt(1/lambda).  While
 * m > n the Woodbury form works in n x n:
 *     C = I/alpha + XS XS' = L L',  Z = L^-1 XS,
 *     Sigma = D - D^1/2 Z'Z D^1/2  (D = 1/lambda_K),
 *     mu = alpha (D b_K - D^1/2 XS' C^-1 XS D^1/2 b_K);
 * once m <= n the m x m system is formed from XS and factored as above.
 * With full = 1, Sigma (m x m) is left in A.  A needs max(n, m)^2 doubles.
 */
static int ard_solve_wide(const gram_problem *g, const size_t *keep, size_t m,
			  const double *lambda, double alpha, double *A, double *XS, double *rhs,
			  double *v, double *mu, double *dsig, int full)
{
	size_t n = g->n, p = g->p, i, a, c;
	lapack_int ln = (lapack_int)n;
	for (i = 0; i < n; i++)
		for (a = 0; a < m; a++) {
			size_t j = keep[a];
			XS[i * m + a] = g->X[i * p + j] / g->col[j] / sqrt(lambda[j]);
		}
	if (m <= n) {
		/* A = diag(lambda) + alpha X_K'X_K = D^-1/2 (I + alpha XS'XS) D^-1/2 */
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)m, (int)n, alpha, XS, (int)m,
			    0.0, A, (int)m);
		for (a = 0; a < m; a++) {
			double sa = sqrt(lambda[keep[a]]);
			for (c = a; c < m; c++)
				A[a * m + c] *= sa * sqrt(lambda[keep[c]]);
			A[a * m + a] += lambda[keep[a]];
			rhs[a] = alpha * g->b[keep[a]];
		}
		return ard_factor(m, A, rhs, keep, mu, dsig, full);
	}
	/* C = I/alpha + XS XS' (row-major upper = LAPACK lower) */
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)m, 1.0, XS, (int)m, 0.0,
		    A, (int)n);
	for (i = 0; i < n; i++)
		A[i * n + i] += 1.0 / alpha;
	if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', ln, A, ln) != 0)
		return -1;
	/* v = XS D^1/2 b_K, then v = C^-1 v, rhs = XS' v */
	for (a = 0; a < m; a++)
		rhs[a] = g->b[keep[a]] / sqrt(lambda[keep[a]]);
	cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)m, 1.0, XS, (int)m, rhs, 1, 0.0, v,
		    1);
	LAPACKE_dpotrs_work(LAPACK_COL_MAJOR, 'L', ln, 1, A, ln, v, ln);
	cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)m, 1.0, XS, (int)m, v, 1, 0.0, rhs, 1);
	for (a = 0; a < m; a++) {
		double d = 1.0 / lambda[keep[a]];
		mu[keep[a]] = alpha * (d * g->b[keep[a]] - sqrt(d) * rhs[a]);
	}
	/* Z = L^-1 XS: with R = L' the row-major upper factor, solve R' Z = XS */
	cblas_dtrsm(CblasRowMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, (int)n, (int)m,
		    1.0, A, (int)n, XS, (int)m);
	for (a = 0; a < m; a++) {
		double z2 = 0.0;
		for (i = 0; i < n; i++)
			z2 += XS[i * m + a] * XS[i * m + a];
		dsig[a] = (1.0 - z2) / lambda[keep[a]];
	}
	if (full) {
		/* Sigma = D - D^1/2 Z'Z D^1/2 */
		cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)m, (int)n, -1.0, XS, (int)m,
			    0.0, A, (int)m);
		for (a = 0; a < m; a++) {
			double da = 1.0 / sqrt(lambda[keep[a]]);
			for (c = a; c < m; c++)
				A[a * m + c] *= da / sqrt(lambda[keep[c]]);
			A[a * m + a] += 1.0 / lambda[keep[a]];
			for (c = 0; c < a; c++)
				A[a * m + c] = A[c * m + a];
		}
	}
	return 0;
}

cewb_status cewb_fit_ardr(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			  cewb_fit_result *res, cewb_error *err)
{
	gram_problem g;
	size_t n, p, m, a, c, it;
	size_t *keep = NULL;
	double *lambda = NULL, *mu = NULL, *mu_old = NULL, *A = NULL, *rhs = NULL, *dsig = NULL;
	double *XS = NULL, *v = NULL;
	int wide;
	double alpha, rss, gsum = 0.0, change = INFINITY, t0 = cewb_fit_clock();
	cewb_status st;

	memset(res, 0, sizeof *res);
	if (!(opt->threshold > 0.0) || !isfinite(opt->threshold))
		CEWB_RAISE(err, CEWB_EINVAL, "ardr threshold must be a number > 0 (got %g)",
			   opt->threshold);
	if ((st = cewb_fit_check_problem(prob, err)))
		return st;
	n = prob->n_rows;
	p = prob->n_cols;
	/* more columns than rows: never form the p x p Gram matrix (Woodbury) */
	wide = p > n;
	if ((st = gram_build(prob, opt->standardize, !wide, &g, err)))
		return st;
	if ((st = cewb_fit_result_init(res, CEWB_FIT_ARDR, p, err))) {
		gram_release(&g);
		return st;
	}
	keep = malloc(p * sizeof *keep);
	lambda = malloc(p * sizeof *lambda);
	mu = calloc(p, sizeof *mu);
	mu_old = calloc(p, sizeof *mu_old);
	A = cewb_fit_alloc_large(p * p * sizeof *A);
	rhs = malloc(p * sizeof *rhs);
	dsig = malloc(p * sizeof *dsig);
	if (wide) {
		XS = cewb_fit_alloc_large(n * p * sizeof *XS);
		v = malloc(n * sizeof *v);
	}
	if (!keep || !lambda || !mu || !mu_old || !A || !rhs || !dsig || (wide && (!XS || !v))) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for a %zu x %zu fit", n, p);
		goto out;
	}
	for (a = 0; a < p; a++) {
		keep[a] = a;
		lambda[a] = 1.0;
	}
	m = p;
	alpha = 1.0 / (g.var_y + DBL_EPSILON);
	res->converged = 0;
	for (it = 0; it < opt->max_iter && m > 0; it++) {
		size_t m_new = 0;
		if (wide ? ard_solve_wide(&g, keep, m, lambda, alpha, A, XS, rhs, v, mu, dsig, 0)
			 : ard_solve(&g, keep, m, lambda, alpha, A, rhs, mu, dsig, 0)) {
			st = cewb_error_set(err, CEWB_ENUMERIC, "ardr: diag(lambda) + alpha "
					    "X'X is not positive definite at iteration %zu", it);
			goto out;
		}
		rss = wide ? data_rss(&g, keep, m, mu) : gram_rss(&g, keep, m, mu);
		gsum = 0.0;
		for (a = 0; a < m; a++) {
			size_t j = keep[a];
			double gam = 1.0 - lambda[j] * dsig[a];
			gsum += gam;
			lambda[j] = (gam + 2.0 * HYPER_1) / (mu[j] * mu[j] + 2.0 * HYPER_2);
		}
		alpha = ((double)n - gsum + 2.0 * HYPER_1) / (rss + 2.0 * HYPER_2);
		/* prune */
		for (a = 0; a < m; a++) {
			size_t j = keep[a];
			if (lambda[j] < opt->threshold)
				keep[m_new++] = j;
			else
				mu[j] = 0.0;
		}
		m = m_new;
		change = 0.0;
		for (c = 0; c < p; c++) {
			change += fabs(mu[c] - mu_old[c]);
			mu_old[c] = mu[c];
		}
		if (it > 0 && change < opt->tol) {
			res->converged = 1;
			it++;
			break;
		}
	}
	if (m == 0)
		res->converged = 1;
	res->n_iter = it;
	/* final solve at the last alpha, lambda, with the posterior covariance */
	res->covariance = calloc(p * p, sizeof *res->covariance);
	if (!res->covariance) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for a covariance");
		goto out;
	}
	memset(mu, 0, p * sizeof *mu);
	if (m > 0) {
		if (wide ? ard_solve_wide(&g, keep, m, lambda, alpha, A, XS, rhs, v, mu, dsig, 1)
			 : ard_solve(&g, keep, m, lambda, alpha, A, rhs, mu, dsig, 1)) {
			st = cewb_error_set(err, CEWB_ENUMERIC, "ardr: diag(lambda) + alpha "
					    "X'X is not positive definite");
			goto out;
		}
		for (a = 0; a < m; a++)
			for (c = 0; c < m; c++)
				res->covariance[keep[a] * p + keep[c]] = A[a * m + c];
	}
	memcpy(res->eci, mu, p * sizeof *mu);
	{
		/* log evidence of the kept model, in the scaled units */
		double logdet = 0.0, ml = 0.0;
		rss = wide ? data_rss(&g, keep, m, mu) : gram_rss(&g, keep, m, mu);
		if (m > 0) {
			/* A holds Sigma = (diag(lambda) + alpha X'X)^-1: log det of the
			 * system matrix is minus that of Sigma */
			lapack_int lm = (lapack_int)m;
			if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'L', lm, A, lm) == 0)
				for (a = 0; a < m; a++)
					logdet -= 2.0 * log(A[a * m + a]);
		}
		for (a = 0; a < m; a++) {
			double la = lambda[keep[a]], ma = mu[keep[a]];
			ml += 0.5 * log(la) - 0.5 * la * ma * ma;
		}
		ml += 0.5 * (double)n * log(alpha) - 0.5 * alpha * rss - 0.5 * logdet -
		      0.5 * (double)n * log(2.0 * M_PI);
		res->log_marginal_likelihood = ml;
	}
	res->rank = m;
	unscale_result(&g, res, keep, m);
	cewb_fit_result_hyper(res, "threshold", opt->threshold);
	cewb_fit_result_hyper(res, "alpha", alpha);
	cewb_fit_result_hyper(res, "noise_std", g.ys / sqrt(alpha));
	cewb_fit_result_hyper(res, "effective_parameters", gsum);
	if (!res->converged)
		snprintf(res->warning, sizeof res->warning,
			 "ardr did not converge in %zu iterations (last change %.3g, tol %.3g)",
			 opt->max_iter, change, opt->tol);
	else if (m == 0)
		snprintf(res->warning, sizeof res->warning,
			 "ardr pruned every parameter (threshold %g): all ECIs are zero",
			 opt->threshold);
	cewb_fit_result_finish(res, prob);
	st = CEWB_OK;
out:
	free(keep);
	free(lambda);
	free(mu);
	free(mu_old);
	free(A);
	free(rhs);
	free(dsig);
	free(XS);
	free(v);
	gram_release(&g);
	if (st)
		cewb_fit_result_release(res);
	res->seconds = cewb_fit_clock() - t0;
	return st;
}
