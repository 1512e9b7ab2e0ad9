/*
 * Unit tests of the linear and Bayesian fits: exact answers on small
 * problems (orthogonal designs, prior limits, weighted least squares, known
 * sparse truth), every documented error, and the Ag-Pd reference figures
 * when tests/data/agpd_Xy.txt is present.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>
#include <cblas.h>
#include "cewb/fit.h"
#include "tap.h"

/* 8 x 4 design with orthogonal columns (+-1 entries): X'X = 8 I. */
static const double HX[8 * 4] = {
	1, 1, 1, 1,   1, -1, 1, -1,   1, 1, -1, -1,   1, -1, -1, 1,
	1, 1, 1, -1,  1, -1, 1, 1,    1, 1, -1, 1,    1, -1, -1, -1,
};
static const double HY[8] = {0.3, -1.2, 2.5, 0.7, -0.4, 1.9, 0.05, -2.2};

static cewb_fit_problem problem(size_t n, size_t p, const double *X, const double *y)
{
	cewb_fit_problem pr;
	memset(&pr, 0, sizeof pr);
	pr.n_rows = n;
	pr.n_cols = p;
	pr.X = X;
	pr.y = y;
	return pr;
}

/* max |a - b| over n entries (through CBLAS: idamax of a - b) */
static double maxdiff(const double *a, const double *b, size_t n)
{
	double d[128], m = 0.0;
	size_t i0;
	for (i0 = 0; i0 < n; i0 += 128) {
		size_t k = n - i0 < 128 ? n - i0 : 128;
		memcpy(d, a + i0, k * sizeof *d);
		cblas_daxpy((int)k, -1.0, b + i0, 1, d, 1);
		m = fmax(m, fabs(d[cblas_idamax((int)k, d, 1)]));
	}
	return m;
}

/* Solve the p x p SPD system A x = b (A, b overwritten) with LAPACK, for references. */
static void spd_solve(double *A, double *b, size_t p)
{
	LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)p, 1, A, (lapack_int)p, b, 1);
}

static void test_orthogonal(void)
{
	cewb_fit_problem pr = problem(8, 4, HX, HY);
	cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_OLS);
	cewb_fit_result r;
	cewb_error e;
	double xty[4] = {0}, expect[4];
	size_t i, j;
	for (j = 0; j < 4; j++)
		for (i = 0; i < 8; i++)
			xty[j] += HX[i * 4 + j] * HY[i];
	/* OLS on X'X = 8 I: theta = X'y / 8; the SVD route is exact to rounding (1e-13) */
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK, "ols on an orthogonal design");
	for (j = 0; j < 4; j++)
		expect[j] = xty[j] / 8.0;
	ok(maxdiff(r.eci, expect, 4) < 1e-13, "ols theta = X'y / 8");
	is_int(4, (long)r.rank, "ols rank 4");
	is_string("", r.warning, "no warning for a full-rank design");
	ok(r.covariance != NULL, "ols covariance present");
	{
		/* sigma of a prediction at row 0: sqrt(x' s2 (X'X)^-1 x) = sqrt(s2 * 4 / 8) */
		double sig, s2 = 0.0;
		for (i = 0; i < r.n_hyper; i++)
			if (strcmp(r.hyper_name[i], "noise_variance") == 0)
				s2 = r.hyper[i];
		cewb_fit_predict_sigma(HX, 1, 4, r.covariance, 0.0, &sig);
		ok(s2 > 0 && fabs(sig - sqrt(s2 * 0.5)) < 1e-13,
		   "prediction sigma from the covariance");
		cewb_fit_predict_sigma(HX, 1, 4, r.covariance, 1.0, &sig);
		ok(fabs(sig - sqrt(s2 * 0.5 + 1.0)) < 1e-13, "prediction sigma with noise");
	}
	cewb_fit_result_release(&r);

	/* ridge: theta = X'y / (8 + alpha) */
	o = cewb_fit_options_default(CEWB_FIT_RIDGE);
	o.alpha = 2.0;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK, "ridge on an orthogonal design");
	for (j = 0; j < 4; j++)
		expect[j] = xty[j] / 10.0;
	ok(maxdiff(r.eci, expect, 4) < 1e-13, "ridge theta = X'y / (8 + alpha)");
	cewb_fit_result_release(&r);

	/* the SVD route (forced by a singular-value cutoff) gives the same answer */
	o.tol = 1e-14;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK && maxdiff(r.eci, expect, 4) < 1e-13,
	   "ridge through the svd");
	cewb_fit_result_release(&r);
	o = cewb_fit_options_default(CEWB_FIT_OLS);
	o.tol = 1e-14;
	for (j = 0; j < 4; j++)
		expect[j] = xty[j] / 8.0;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK && maxdiff(r.eci, expect, 4) < 1e-13,
	   "ols through the svd");
	cewb_fit_result_release(&r);
	o = cewb_fit_options_default(CEWB_FIT_RIDGE);

	/* ridge with alpha chosen by LOO returns the alpha it used */
	o.alpha = 0.0;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK && r.n_hyper >= 1 &&
		   strcmp(r.hyper_name[0], "alpha") == 0 && r.hyper[0] > 0,
	   "ridge chooses alpha by leave-one-out");
	cewb_fit_result_release(&r);
}

static void test_prior(void)
{
	cewb_fit_problem pr = problem(8, 4, HX, HY);
	cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_PRIOR);
	cewb_fit_result r, ref;
	cewb_error e;
	double L[16] = {0}, A[16], b[4] = {0};
	size_t i, j, k;

	/* Lambda = 0: OLS */
	pr.lambda = L;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK, "prior with Lambda = 0");
	o.method = CEWB_FIT_OLS;
	cewb_fit(&pr, &o, &ref, &e);
	ok(maxdiff(r.eci, ref.eci, 4) < 1e-13, "prior Lambda -> 0 is OLS");
	cewb_fit_result_release(&r);
	cewb_fit_result_release(&ref);

	/* Lambda = alpha I: ridge */
	for (j = 0; j < 4; j++)
		L[j * 4 + j] = 3.5;
	o.method = CEWB_FIT_PRIOR;
	cewb_fit(&pr, &o, &r, &e);
	o = cewb_fit_options_default(CEWB_FIT_RIDGE);
	o.alpha = 3.5;
	cewb_fit(&pr, &o, &ref, &e);
	ok(maxdiff(r.eci, ref.eci, 4) < 1e-13, "prior Lambda = alpha I is ridge");
	cewb_fit_result_release(&r);
	cewb_fit_result_release(&ref);

	/* general Lambda with a coupling: (X'X + Lambda) theta = X'y */
	L[0 * 4 + 1] = L[1 * 4 + 0] = -1.25;
	L[2 * 4 + 2] = 1e9; /* huge precision: parameter 2 pinned to zero */
	o = cewb_fit_options_default(CEWB_FIT_PRIOR);
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK, "prior with couplings");
	for (i = 0; i < 4; i++)
		for (j = 0; j < 4; j++) {
			A[i * 4 + j] = L[i * 4 + j];
			for (k = 0; k < 8; k++)
				A[i * 4 + j] += HX[k * 4 + i] * HX[k * 4 + j];
		}
	for (j = 0; j < 4; j++)
		for (k = 0; k < 8; k++)
			b[j] += HX[k * 4 + j] * HY[k];
	spd_solve(A, b, 4);
	/* both solve the same 4 x 4 SPD system; condition ~1e8 from the pin */
	ok(maxdiff(r.eci, b, 4) < 1e-10, "prior solves (X'X + Lambda) theta = X'y");
	ok(fabs(r.eci[2]) < 1e-8, "lambda -> infinity removes the parameter");
	cewb_fit_result_release(&r);

	/* errors */
	pr.lambda = NULL;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_ESTATE, "prior without Lambda fails");
	is_string("the prior fit needs a prior precision matrix", e.message, "its message");
	L[0 * 4 + 1] = 7.0;
	pr.lambda = L;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_EINVAL, "non-symmetric Lambda fails");
	is_string("prior precision is not symmetric at (0, 1): 7 vs -1.25", e.message,
		  "its message");
}

static void test_gls(void)
{
	/* 10 x 3 problem */
	double X[30] = {0}, y[10] = {0}, w[10], S[100], A[9], b[3];
	cewb_fit_problem pr = problem(10, 3, X, y);
	cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_GLS);
	cewb_fit_result r, ref;
	cewb_error e;
	size_t i, j, k;
	cewb_rng g;
	cewb_rng_seed(&g, 11);
	for (i = 0; i < 30; i++)
		X[i] = cewb_rng_normal(&g);
	for (i = 0; i < 10; i++) {
		y[i] = cewb_rng_normal(&g);
		w[i] = 0.5 + cewb_rng_uniform(&g);
	}
	memset(S, 0, sizeof S);
	for (i = 0; i < 10; i++)
		S[i * 10 + i] = 1.0 / w[i];
	pr.sigma = S;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK, "gls with a diagonal sigma");
	pr.sigma = NULL;
	pr.weights = w;
	o = cewb_fit_options_default(CEWB_FIT_OLS);
	cewb_fit(&pr, &o, &ref, &e);
	/* both are 3 x 3 least squares of well-conditioned random data */
	ok(maxdiff(r.eci, ref.eci, 3) < 1e-12, "gls with diagonal sigma = weighted least squares");
	/* weighted normal equations hold: X'W(y - X theta) = 0 */
	for (j = 0; j < 3; j++) {
		b[j] = 0.0;
		for (i = 0; i < 10; i++) {
			double res = y[i];
			for (k = 0; k < 3; k++)
				res -= X[i * 3 + k] * ref.eci[k];
			b[j] += X[i * 3 + j] * w[i] * res;
		}
	}
	ok(fabs(b[0]) + fabs(b[1]) + fabs(b[2]) < 1e-12, "weighted normal equations hold");
	/* the covariance of GLS is (X'WX)^-1 */
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++) {
			A[i * 3 + j] = 0.0;
			for (k = 0; k < 10; k++)
				A[i * 3 + j] += X[k * 3 + i] * w[k] * X[k * 3 + j];
		}
	{
		double c[3] = {0}, v[3] = {1, 0, 0};
		/* first column of (X'WX)^-1 */
		memcpy(c, v, sizeof c);
		spd_solve(A, c, 3);
		ok(r.covariance && fabs(r.covariance[0] - c[0]) < 1e-12 &&
			   fabs(r.covariance[3] - c[1]) < 1e-12,
		   "gls covariance is (X' Sigma^-1 X)^-1");
	}
	cewb_fit_result_release(&r);
	cewb_fit_result_release(&ref);

	/* full sigma (AR(1)-like correlation), against the normal equations */
	for (i = 0; i < 10; i++)
		for (j = 0; j < 10; j++)
			S[i * 10 + j] = pow(0.6, fabs((double)i - (double)j)) *
					(1.0 + 0.1 * (double)(i == j));
	pr.weights = NULL;
	pr.sigma = S;
	o = cewb_fit_options_default(CEWB_FIT_GLS);
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK, "gls with a full sigma");
	{
		double Si[100], SX[30], Sy[10];
		memcpy(Si, S, sizeof Si);
		memcpy(SX, X, sizeof SX);
		memcpy(Sy, y, sizeof Sy);
		LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', 10, 3, Si, 10, SX, 3);
		memcpy(Si, S, sizeof Si);
		LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', 10, 1, Si, 10, Sy, 1);
		for (i = 0; i < 3; i++) {
			b[i] = 0.0;
			for (k = 0; k < 10; k++)
				b[i] += X[k * 3 + i] * Sy[k];
			for (j = 0; j < 3; j++) {
				A[i * 3 + j] = 0.0;
				for (k = 0; k < 10; k++)
					A[i * 3 + j] += X[k * 3 + i] * SX[k * 3 + j];
			}
		}
		spd_solve(A, b, 3);
		ok(maxdiff(r.eci, b, 3) < 1e-12, "gls = (X'S^-1X)^-1 X'S^-1 y");
	}
	cewb_fit_result_release(&r);

	/* sigma not positive definite */
	S[0 * 10 + 1] = S[1 * 10 + 0] = 5.0;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_EINVAL, "non positive definite sigma fails");
	is_string("data covariance sigma is not positive definite (leading minor of order 2)",
		  e.message, "its message");
	S[0 * 10 + 1] = 4.0;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_EINVAL, "non-symmetric sigma fails");
	is_string("sigma is not symmetric at (0, 1): 4 vs 5", e.message, "its message");
}

static void test_bad_input(void)
{
	/* 3 rows, 5 columns: rank 3, minimum-norm solution that interpolates */
	double X[15] = {0}, y[3] = {1.0, -2.0, 0.5}, Xn[16 * 2] = {0}, yn[16] = {0};
	cewb_fit_problem pr = problem(3, 5, X, y);
	cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_OLS);
	cewb_fit_result r, r2;
	cewb_error e;
	size_t i, j;
	cewb_rng g;
	cewb_rng_seed(&g, 5);
	for (i = 0; i < 15; i++)
		X[i] = cewb_rng_normal(&g);
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK, "ols with fewer rows than columns runs");
	is_int(3, (long)r.rank, "rank 3 reported");
	is_string("fewer structures (3) than parameters (5): rank 3, minimum-norm solution",
		  r.warning, "rank deficiency warning");
	ok(r.rmse_train < 1e-12, "the minimum-norm solution interpolates");
	{
		/* minimum norm: theta lies in the row space, X'(XX')^-1 y */
		double XXt[9], z[3];
		for (i = 0; i < 3; i++)
			for (j = 0; j < 3; j++) {
				size_t k;
				XXt[i * 3 + j] = 0.0;
				for (k = 0; k < 5; k++)
					XXt[i * 3 + j] += X[i * 5 + k] * X[j * 5 + k];
			}
		memcpy(z, y, sizeof z);
		spd_solve(XXt, z, 3);
		double t[5];
		for (j = 0; j < 5; j++)
			t[j] = X[0 * 5 + j] * z[0] + X[1 * 5 + j] * z[1] + X[2 * 5 + j] * z[2];
		ok(maxdiff(t, r.eci, 5) < 1e-12, "minimum-norm solution X'(XX')^-1 y");
	}
	cewb_fit_result_release(&r);

	/* duplicated column: rank deficient with more rows */
	for (i = 0; i < 16; i++) {
		Xn[i * 2] = cewb_rng_normal(&g);
		Xn[i * 2 + 1] = Xn[i * 2];
		yn[i] = 3.0 * Xn[i * 2];
	}
	pr = problem(16, 2, Xn, yn);
	cewb_fit(&pr, &o, &r, &e);
	is_string("sensing matrix is rank deficient (rank 1 of 2 parameters): "
		  "minimum-norm solution", r.warning, "rank-deficient warning");
	ok(fabs(r.eci[0] - 1.5) < 1e-12 && fabs(r.eci[1] - 1.5) < 1e-12,
	   "minimum norm splits the weight between equal columns");
	cewb_fit_result_release(&r);
	{
		/* the prior with Lambda = 0 on the same columns: pseudo-inverse */
		static const double L0[4] = {0, 0, 0, 0};
		cewb_fit_options op = cewb_fit_options_default(CEWB_FIT_PRIOR);
		pr.lambda = L0;
		ok(cewb_fit(&pr, &op, &r, &e) == CEWB_OK, "prior on a singular X'X runs");
		is_string("X'X + Lambda is singular (rank 1 of 2): minimum-norm solution", r.warning,
			  "singular prior warning");
		/* eigen-decomposition route: rounding ~1e-15 relative, allow 1e-10 */
		ok(fabs(r.eci[0] - 1.5) < 1e-10 && fabs(r.eci[1] - 1.5) < 1e-10,
		   "singular prior gives the minimum-norm solution");
		cewb_fit_result_release(&r);
		pr.lambda = NULL;
	}

	/* NaN target names its row */
	yn[3] = NAN;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_EINVAL, "nan target fails");
	is_string("target of row 3 is nan", e.message, "nan target message names the row");
	yn[3] = 0.0;
	Xn[5 * 2 + 1] = INFINITY;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_EINVAL, "infinite X fails");
	is_string("sensing matrix entry at row 5 column 1 is infinite", e.message,
		  "its message names row and column");
	Xn[5 * 2 + 1] = Xn[5 * 2];

	/* ARDR threshold */
	o = cewb_fit_options_default(CEWB_FIT_ARDR);
	o.threshold = 0.0;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_EINVAL, "ardr threshold 0 fails");
	is_string("ardr threshold must be a number > 0 (got 0)", e.message, "its message");
	o.threshold = -5;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_EINVAL, "negative threshold fails");

	/* unknown method names */
	{
		cewb_fit_method m;
		ok(cewb_fit_method_parse("ardr", &m, &e) == CEWB_OK && m == CEWB_FIT_ARDR,
		   "parse ardr");
		ok(cewb_fit_method_parse("lsq", &m, &e) == CEWB_EINVAL, "unknown method fails");
		is_string("unknown fit method 'lsq' (one of ols, ridge, prior, bayes, ardr, lasso, "
			  "enet, rfe, omp, huber, lad, gls)",
			  e.message, "its message lists the methods");
		for (i = 0; i < CEWB_FIT_N_METHODS; i++)
			if (cewb_fit_method_parse(cewb_fit_method_name((cewb_fit_method)i), &m,
						  &e) || m != (cewb_fit_method)i)
				break;
		is_int(CEWB_FIT_N_METHODS, (long)i, "names round-trip");
	}
	(void)r2;
}

/* Known sparse truth for ARDR, Bayesian ridge on the same data. */
static void test_bayes(void)
{
	enum { N = 200, P = 30 };
	static double X[N * P], y[N], t[P];
	cewb_fit_problem pr = problem(N, P, X, y);
	cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_ARDR);
	cewb_fit_result r;
	cewb_error e;
	size_t i, j, wrong = 0;
	cewb_rng g;
	cewb_rng_seed(&g, 2024);
	for (i = 0; i < N * P; i++)
		X[i] = cewb_rng_normal(&g);
	t[2] = 1.5;
	t[7] = -0.8;
	t[11] = 0.6;
	t[19] = 2.0;
	t[28] = -1.1;
	for (i = 0; i < N; i++) {
		y[i] = 1e-3 * cewb_rng_normal(&g);
		for (j = 0; j < P; j++)
			y[i] += X[i * P + j] * t[j];
	}
	for (int standardize = 0; standardize < 2; standardize++) {
		o.standardize = standardize;
		ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK, "ardr on a sparse truth (standardize %d)",
		   standardize);
		wrong = 0;
		for (j = 0; j < P; j++)
			wrong += (r.eci[j] != 0.0) != (t[j] != 0.0);
		is_int(0, (long)wrong, "ardr recovers the exact support");
		/* noise 1e-3 over 200 rows: coefficient errors ~1e-4 */
		ok(maxdiff(r.eci, t, P) < 1e-3, "ardr coefficients within 1e-3");
		ok(r.converged && isfinite(r.log_marginal_likelihood),
		   "ardr converged with evidence");
		cewb_fit_result_release(&r);
	}

	/* a tiny threshold prunes everything, and says so */
	o.standardize = 1;
	o.threshold = 1e-12;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK && r.n_nonzero == 0, "tiny threshold prunes all");
	is_string("ardr pruned every parameter (threshold 1e-12): all ECIs are zero", r.warning,
		  "its warning");
	cewb_fit_result_release(&r);
	o.threshold = 1e4;

	/* non-convergence is reported */
	o.max_iter = 1;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK && r.converged == 0,
	   "ardr with one iteration reports non-convergence");
	ok(strncmp(r.warning, "ardr did not converge in 1 iterations", 37) == 0,
	   "non-convergence warning");
	cewb_fit_result_release(&r);

	/* Bayesian ridge: converged, alpha ~ 1/noise^2, fixed-point equations hold */
	o = cewb_fit_options_default(CEWB_FIT_BAYES);
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK && r.converged, "bayesian ridge converges");
	ok(maxdiff(r.eci, t, P) < 1e-3, "bayesian ridge close to the truth");
	{
		double alpha = r.hyper[0], lambda = r.hyper[1], gamma = r.hyper[2], n2 = 0, lam2;
		for (j = 0; j < P; j++)
			n2 += r.eci[j] * r.eci[j];
		/* noise std 1e-3: alpha within a factor 1.5 of 1e6 */
		ok(alpha > 1e6 / 1.5 && alpha < 1e6 * 1.5, "bayes alpha near 1/noise^2");
		lam2 = (gamma + 2e-6) / (n2 + 2e-6);
		ok(fabs(lam2 / lambda - 1.0) < 1e-6, "bayes lambda at its fixed point");
		ok(isfinite(r.log_marginal_likelihood), "bayes log marginal likelihood");
		ok(r.covariance && r.covariance[0] > 0, "bayes posterior covariance");
	}
	cewb_fit_result_release(&r);
	o.max_iter = 1;
	ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK && !r.converged &&
		   strcmp(r.warning, "bayesian ridge did not converge in 1 iterations") == 0,
	   "bayesian ridge non-convergence reported");
	cewb_fit_result_release(&r);
}

/* Ag-Pd reference figures (scikit-learn 1.2, 10-fold CV, meV/atom). */
static void test_agpd(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	FILE *f;
	size_t n, p, i, j;
	double *X, *y;
	snprintf(path, sizeof path, "%s/tests/data/agpd_Xy.txt", top ? top : ".");
	f = fopen(path, "r");
	if (!f) {
		ok(0, "open %s", path);
		return;
	}
	if (fscanf(f, "%zu %zu", &n, &p) != 2) {
		fclose(f);
		ok(0, "read agpd header");
		return;
	}
	X = malloc(n * p * sizeof *X);
	y = malloc(n * sizeof *y);
	for (i = 0; i < n; i++) {
		if (fscanf(f, "%lf", &y[i]) != 1)
			break;
		for (j = 0; j < p; j++)
			if (fscanf(f, "%lf", &X[i * p + j]) != 1)
				break;
	}
	fclose(f);
	ok(i == n, "read %zu x %zu Ag-Pd sensing matrix", n, p);
	{
		cewb_fit_problem pr = problem(n, p, X, y);
		cewb_xval_options xo = cewb_xval_options_default();
		struct {
			cewb_fit_method m;
			int standardize;
			double ref_meV;
			long ref_nnz;
		} cases[] = {
			{CEWB_FIT_OLS, 0, 1.88, -1},
			{CEWB_FIT_BAYES, 0, 1.88, -1},
			{CEWB_FIT_ARDR, 1, 1.91, 44},
		};
		for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			cewb_fit_options o = cewb_fit_options_default(cases[i].m);
			cewb_xval_result xr;
			cewb_fit_result r;
			cewb_error e;
			o.standardize = cases[i].standardize;
			ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_OK, "10-fold cv of %s",
			   cewb_fit_method_name(cases[i].m));
			/* reproduce within 5% (the folds are not the reference's) */
			ok(fabs(1e3 * xr.rmse_validation / cases[i].ref_meV - 1.0) < 0.05,
			   "%s cv rmse %.3f meV/atom within 5%% of %.2f",
			   cewb_fit_method_name(cases[i].m), 1e3 * xr.rmse_validation,
			   cases[i].ref_meV);
			cewb_fit(&pr, &o, &r, &e);
			if (cases[i].m == CEWB_FIT_OLS) {
				cewb_fit_result r2;
				cewb_fit_options o2 = o;
				double md = 0.0;
				ok(fabs(1e3 * r.rmse_train / 1.60 - 1.0) < 0.05,
				   "ols train rmse %.3f meV/atom within 5%% of 1.60",
				   1e3 * r.rmse_train);
				/* Cholesky (cond(X) ~ 120) and SVD routes agree; ECIs ~1e-2 eV */
				o2.tol = 1e-14;
				cewb_fit(&pr, &o2, &r2, &e);
				for (j = 0; j < p; j++)
					md = fmax(md, fabs(r.eci[j] - r2.eci[j]));
				ok(md < 1e-10, "ols on Ag-Pd: cholesky and svd agree (%.2g)", md);
				cewb_fit_result_release(&r2);
			}
			if (cases[i].ref_nnz > 0)
				ok(labs((long)r.n_nonzero - cases[i].ref_nnz) <= 3,
				   "%s keeps %zu nonzero (reference %ld)",
				   cewb_fit_method_name(cases[i].m), r.n_nonzero, cases[i].ref_nnz);
			cewb_fit_result_release(&r);
			cewb_xval_result_release(&xr);
		}
	}
	{
		/* raw columns: the threshold acts on lambdas of raw ECIs; the reference
		 * keeps 6 */
		cewb_fit_problem pr = problem(n, p, X, y);
		cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_ARDR);
		cewb_fit_result r;
		cewb_error e;
		cewb_status st;
		o.standardize = 0;
		st = cewb_fit(&pr, &o, &r, &e);
		ok(st == CEWB_OK && r.n_nonzero == 6, "ardr on raw columns keeps 6 (got %zu)",
		   r.n_nonzero);
		cewb_fit_result_release(&r);
	}
	{
		/* the reference ECIs of the same settings (tests/data/agpd_Xy.md) */
		double ref[2][82];
		int got = 0;
		snprintf(path, sizeof path, "%s/tests/data/agpd_reference_eci.txt",
			 top ? top : ".");
		f = fopen(path, "r");
		if (f && p == 82) {
			for (i = 0; i < 2; i++)
				for (j = 0; j < 82; j++)
					got += fscanf(f, "%lf", &ref[i][j]) == 1;
		}
		if (f)
			fclose(f);
		if (got == 164) {
			cewb_fit_problem pr = problem(n, p, X, y);
			static const cewb_fit_method ms[2] = {CEWB_FIT_ARDR, CEWB_FIT_BAYES};
			for (i = 0; i < 2; i++) {
				cewb_fit_options o = cewb_fit_options_default(ms[i]);
				cewb_fit_result r;
				cewb_error e;
				size_t wrong = 0;
				double md = 0.0;
				cewb_fit(&pr, &o, &r, &e);
				for (j = 0; j < p; j++) {
					wrong += (r.eci[j] != 0.0) != (ref[i][j] != 0.0);
					md = fmax(md, fabs(r.eci[j] - ref[i][j]));
				}
				is_int(0, (long)wrong, "same nonzero ECIs as the reference");
				/* same iterations in another order of rounding: ECIs ~5e-2 eV
				 * agree to ~5e-8; allow 1e-6 */
				ok(md < 1e-6, "%s ECIs match the reference (max diff %.2g eV)",
				   cewb_fit_method_name(ms[i]), md);
				cewb_fit_result_release(&r);
			}
		} else {
			ok(0, "read %s", path);
		}
	}
	free(X);
	free(y);
}

/* More columns than rows: the Woodbury route against reference ECIs of the
 * same algorithm (tests/data/agpd_Xy.md describes ardr_wide.txt). */
static void test_ardr_wide(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	FILE *f;
	size_t n = 0, p = 0, i, j, wrong = 0;
	double *X, *y, *ref, md = 0.0;
	int good = 1;
	snprintf(path, sizeof path, "%s/tests/data/ardr_wide.txt", top ? top : ".");
	f = fopen(path, "r");
	if (!f || fscanf(f, "%zu %zu", &n, &p) != 2 || n == 0 || p <= n) {
		ok(0, "read %s", path);
		if (f)
			fclose(f);
		return;
	}
	X = malloc(n * p * sizeof *X);
	y = malloc(n * sizeof *y);
	ref = malloc(p * sizeof *ref);
	for (i = 0; i < n && good; i++) {
		good = fscanf(f, "%lf", &y[i]) == 1;
		for (j = 0; j < p && good; j++)
			good = fscanf(f, "%lf", &X[i * p + j]) == 1;
	}
	for (j = 0; j < p && good; j++)
		good = fscanf(f, "%lf", &ref[j]) == 1;
	fclose(f);
	ok(good, "read %zu x %zu wide problem", n, p);
	if (good) {
		cewb_fit_problem pr = problem(n, p, X, y);
		cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_ARDR);
		cewb_fit_result r;
		cewb_error e;
		o.standardize = 0;
		ok(cewb_fit(&pr, &o, &r, &e) == CEWB_OK, "ardr with more columns than rows");
		for (j = 0; j < p; j++) {
			wrong += (r.eci[j] != 0.0) != (ref[j] != 0.0);
			md = fmax(md, fabs(r.eci[j] - ref[j]));
		}
		is_int(0, (long)wrong, "wide ardr: same support as the reference");
		/* same fixed point solved directly; ECIs ~1 agree to 1e-6 */
		ok(md < 1e-6, "wide ardr: ECIs match the reference (max diff %.2g)", md);
		is_int(4, (long)r.n_nonzero, "wide ardr keeps the 4 true parameters");
		cewb_fit_result_release(&r);
	}
	free(X);
	free(y);
	free(ref);
}

int main(void)
{
	test_orthogonal();
	test_prior();
	test_gls();
	test_bad_input();
	test_bayes();
	test_agpd();
	test_ardr_wide();
	return done_testing();
}
