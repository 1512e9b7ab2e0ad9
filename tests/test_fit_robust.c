/*
 * tests/test_fit_robust.c - Huber regression and least absolute deviation.
 *
 * LAD is checked against the exact optimum of its linear program, found by
 * brute force over every vertex (every choice of p rows fitted exactly) on
 * tiny problems; both fits against planted gross outliers; Huber against
 * its own estimating equations; and every documented error.
 */
#include "config.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cewb/fit.h"
#include "../tests/tap.h"

/* y = X truth + noise; column 0 the zerolet, others normal. */
static void make_problem(uint64_t seed, size_t n, size_t p, const double *truth, double noise,
			 double *X, double *y)
{
	cewb_rng rng;
	size_t i, j;
	cewb_rng_seed(&rng, seed);
	for (i = 0; i < n; i++) {
		y[i] = 0.0;
		for (j = 0; j < p; j++) {
			X[i * p + j] = j == 0 ? 1.0 : cewb_rng_normal(&rng);
			y[i] += X[i * p + j] * truth[j];
		}
		y[i] += noise * cewb_rng_normal(&rng);
	}
}

/* Sum of |y - X w|. */
static double sum_abs(const double *X, const double *y, size_t n, size_t p, const double *w)
{
	double s = 0.0;
	size_t i, j;
	for (i = 0; i < n; i++) {
		double r = y[i];
		for (j = 0; j < p; j++)
			r -= X[i * p + j] * w[j];
		s += fabs(r);
	}
	return s;
}

/* Largest |a_j - b_j|. */
static double max_diff(const double *a, const double *b, size_t n)
{
	double m = 0.0;
	size_t j;
	for (j = 0; j < n; j++)
		m = fmax(m, fabs(a[j] - b[j]));
	return m;
}

/* The value of a named hyperparameter, NAN when absent. */
static double hyper(const cewb_fit_result *r, const char *name)
{
	size_t i;
	for (i = 0; i < r->n_hyper; i++)
		if (strcmp(r->hyper_name[i], name) == 0)
			return r->hyper[i];
	return NAN;
}

/* Solve the 3 x 3 (or smaller) system A w = b by Cramer's rule; 0 if singular. */
static int solve_small(const double *A, const double *b, size_t p, double *w)
{
	if (p == 2) {
		double det = A[0] * A[3] - A[1] * A[2];
		if (fabs(det) < 1e-12)
			return 0;
		w[0] = (b[0] * A[3] - A[1] * b[1]) / det;
		w[1] = (A[0] * b[1] - b[0] * A[2]) / det;
		return 1;
	} else {
		double det = A[0] * (A[4] * A[8] - A[5] * A[7]) - A[1] * (A[3] * A[8] - A[5] * A[6]) +
			     A[2] * (A[3] * A[7] - A[4] * A[6]);
		size_t c, r;
		if (fabs(det) < 1e-12)
			return 0;
		for (c = 0; c < 3; c++) {
			double M[9];
			memcpy(M, A, sizeof M);
			for (r = 0; r < 3; r++)
				M[r * 3 + c] = b[r];
			w[c] = (M[0] * (M[4] * M[8] - M[5] * M[7]) -
				M[1] * (M[3] * M[8] - M[5] * M[6]) +
				M[2] * (M[3] * M[7] - M[4] * M[6])) / det;
		}
		return 1;
	}
}

/* Objective of the vertex fitting rows[0..p) exactly (INFINITY if singular). */
static double vertex_value(const double *X, const double *y, size_t n, size_t p,
			   const size_t *rows)
{
	double A[9], b[3], w[3];
	size_t r, c;
	for (r = 0; r < p; r++) {
		for (c = 0; c < p; c++)
			A[r * p + c] = X[rows[r] * p + c];
		b[r] = y[rows[r]];
	}
	return solve_small(A, b, p, w) ? sum_abs(X, y, n, p, w) : INFINITY;
}

/* The LP optimum of LAD by brute force: the best vertex (p rows fitted
 * exactly); p is 2 or 3. */
static double lad_brute(const double *X, const double *y, size_t n, size_t p)
{
	double best = INFINITY;
	size_t rows[3];
	for (rows[0] = 0; rows[0] < n; rows[0]++)
		for (rows[1] = rows[0] + 1; rows[1] < n; rows[1]++) {
			if (p == 2) {
				best = fmin(best, vertex_value(X, y, n, p, rows));
				continue;
			}
			for (rows[2] = rows[1] + 1; rows[2] < n; rows[2]++)
				best = fmin(best, vertex_value(X, y, n, p, rows));
		}
	return best;
}

/* LAD equals the exact LP optimum on tiny problems. */
static void test_lad_exact(void)
{
	static const double ones[5] = {1, 1, 1, 1, 1}, yl[5] = {4.0, 1.0, 100.0, 3.0, 2.0};
	cewb_fit_problem loc = {5, 1, ones, yl, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_LAD);
	cewb_fit_result res;
	cewb_error err;
	double X[14 * 3], y[14];
	static const double t2[2] = {1.0, -0.5}, t3[3] = {0.3, 2.0, -1.0};
	uint64_t seed;

	ok(cewb_fit_lad(&loc, &opt, &res, &err) == CEWB_OK, "lad of a location fits");
	is_double(3.0, res.eci[0], 1e-14, "lad location is the median, exactly");
	is_double(101.0, hyper(&res, "sum_abs_residual"), 1e-12, "sum of |residuals| reported");
	ok(res.converged, "lad converged");
	cewb_fit_result_release(&res);

	for (seed = 1; seed <= 3; seed++) {
		cewb_fit_problem prob = {11, 2, X, y, NULL, NULL, NULL, NULL};
		double brute;
		make_problem(seed, 11, 2, t2, 1.0, X, y);
		brute = lad_brute(X, y, 11, 2);
		ok(cewb_fit_lad(&prob, &opt, &res, &err) == CEWB_OK, "lad line %d fits", (int)seed);
		/* The optimum is a vertex: equal up to rounding of a 2 x 2 solve. */
		is_double(brute, sum_abs(X, y, 11, 2, res.eci), 1e-12 * brute,
			  "lad line: objective is the LP optimum");
		cewb_fit_result_release(&res);
	}
	for (seed = 4; seed <= 6; seed++) {
		cewb_fit_problem prob = {14, 3, X, y, NULL, NULL, NULL, NULL};
		double brute;
		make_problem(seed, 14, 3, t3, 1.0, X, y);
		brute = lad_brute(X, y, 14, 3);
		ok(cewb_fit_lad(&prob, &opt, &res, &err) == CEWB_OK, "lad plane %d fits", (int)seed);
		is_double(brute, sum_abs(X, y, 14, 3, res.eci), 1e-12 * brute,
			  "lad plane: objective is the LP optimum");
		is_double(brute / 14.0, hyper(&res, "laplace_scale"), 1e-12 * brute,
			  "laplace scale is the mean |residual|");
		cewb_fit_result_release(&res);
	}
}

/* Planted gross outliers: LAD exact on noise-free data, Huber close. */
static void test_outliers(void)
{
	enum { n = 80, p = 4 };
	static const double truth[p] = {0.5, 1.0, -2.0, 0.25};
	double X[n * p], y[n];
	cewb_fit_problem prob = {n, p, X, y, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_LAD);
	cewb_fit_result res, ols;
	cewb_error err;
	size_t i;

	/* Noise-free, 10% of rows off by +-50..100: LAD fits the rest exactly. */
	make_problem(21, n, p, truth, 0.0, X, y);
	for (i = 0; i < n; i += 10)
		y[i] += (i % 20 ? -1.0 : 1.0) * (50.0 + (double)i);
	ok(cewb_fit_lad(&prob, &opt, &res, &err) == CEWB_OK, "lad with outliers fits");
	ok(max_diff(truth, res.eci, p) < 1e-12, "lad recovers the truth exactly despite outliers");
	is_int(1, res.converged, "lad certifies the optimum on degenerate (noise-free) data");
	ok(res.n_iter > p, "lad needed %zu vertex exchanges from the least-squares start",
	   res.n_iter);
	cewb_fit_result_release(&res);
	/* The exchange limit is max_iter per column: 1 x 4 is too few here. */
	opt.max_iter = 1;
	ok(cewb_fit_lad(&prob, &opt, &res, &err) == CEWB_OK, "lad with a tight limit returns");
	is_int(0, res.converged, "lad at the limit is not converged");
	is_string("lad stopped after 4 vertex exchanges before reaching the optimum", res.warning,
		  "lad limit warning");
	cewb_fit_result_release(&res);

	opt = cewb_fit_options_default(CEWB_FIT_HUBER);
	opt.tol = 1e-10;
	ok(cewb_fit_huber(&prob, &opt, &res, &err) == CEWB_OK, "huber with outliers fits");
	/* With no noise the MAD scale collapses and Huber keeps only exact rows. */
	ok(max_diff(truth, res.eci, p) < 1e-6, "huber ignores the gross outliers (no noise)");
	cewb_fit_result_release(&res);

	/* With noise 0.1: Huber within a few noise/sqrt(n), OLS off by far more. */
	make_problem(22, n, p, truth, 0.1, X, y);
	for (i = 0; i < n; i += 10)
		y[i] += 100.0;
	ok(cewb_fit_huber(&prob, &opt, &res, &err) == CEWB_OK, "huber with noise fits");
	ok(res.converged, "huber converged");
	ok(max_diff(truth, res.eci, p) < 0.06, "huber near the truth (error %.3g)",
	   max_diff(truth, res.eci, p));
	is_int(1.35 == hyper(&res, "epsilon"), 1, "epsilon reported");
	ok(hyper(&res, "n_outliers") >= 8, "the 8 planted outliers are beyond epsilon scale");
	{
		cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_OLS);
		ok(cewb_fit_ols(&prob, &o, &ols, &err) == CEWB_OK, "ols for comparison");
		ok(max_diff(truth, ols.eci, p) > 5.0, "least squares is dragged away (error %.3g)",
		   max_diff(truth, ols.eci, p));
		cewb_fit_result_release(&ols);
	}
	/* The Huber estimating equations: sum psi(r_i / s) x_i = 0, psi clipped
	 * at epsilon, s = median|r| / 0.6745. */
	{
		double g[p] = {0}, r[n], s = hyper(&res, "scale"), gmax = 0.0;
		size_t j;
		for (i = 0; i < n; i++) {
			double u;
			r[i] = y[i];
			for (j = 0; j < p; j++)
				r[i] -= X[i * p + j] * res.eci[j];
			u = fmax(-1.35, fmin(1.35, r[i] / s));
			for (j = 0; j < p; j++)
				g[j] += u * X[i * p + j];
		}
		for (j = 0; j < p; j++)
			gmax = fmax(gmax, fabs(g[j]));
		/* Converged to tol 1e-10 relative: the gradient vanishes to ~1e-8. */
		ok(gmax < 1e-6 * n, "huber estimating equations hold (max %.2g)", gmax);
	}
	cewb_fit_result_release(&res);

	/* A huge epsilon makes every weight 1: ordinary least squares. */
	opt.huber_epsilon = 1e9;
	ok(cewb_fit_huber(&prob, &opt, &res, &err) == CEWB_OK, "huber with epsilon 1e9 fits");
	{
		cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_OLS);
		cewb_fit_ols(&prob, &o, &ols, &err);
		ok(max_diff(ols.eci, res.eci, p) < 1e-10, "huber with a huge epsilon is ols");
		cewb_fit_result_release(&ols);
	}
	cewb_fit_result_release(&res);
}

/* A dependent column: ECI 0 and a warning, the fit otherwise unchanged. */
static void test_rank(void)
{
	enum { n = 30, p = 3 };
	static const double truth[p] = {1.0, 2.0, -1.0};
	double X[n * p], y[n], X4[n * 4];
	cewb_fit_problem prob = {n, p, X, y, NULL, NULL, NULL, NULL};
	cewb_fit_problem prob4 = {n, 4, X4, y, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_LAD);
	cewb_fit_result a, b;
	cewb_error err;
	size_t i;
	make_problem(5, n, p, truth, 0.3, X, y);
	for (i = 0; i < n; i++) {
		memcpy(X4 + i * 4, X + i * p, p * sizeof *X);
		X4[i * 4 + 3] = 2.0 * X[i * p + 1];
	}
	ok(cewb_fit_lad(&prob, &opt, &a, &err) == CEWB_OK, "lad full rank fits");
	ok(cewb_fit_lad(&prob4, &opt, &b, &err) == CEWB_OK, "lad with a dependent column fits");
	is_int(3, (long)b.rank, "rank 3 of 4 reported");
	is_string("x has rank 3 < 4 columns: ecis of 1 dependent columns set to 0", b.warning,
		  "dependent column warning");
	is_double(sum_abs(X, y, n, p, a.eci), sum_abs(X4, y, n, 4, b.eci), 1e-10,
		  "same optimum with the dependent column");
	cewb_fit_result_release(&a);
	cewb_fit_result_release(&b);
}

/* Documented errors. */
static void test_errors(void)
{
	enum { n = 10, p = 2 };
	static const double truth[p] = {1.0, 1.0};
	double X[n * p], y[n], w[n];
	cewb_fit_problem prob = {n, p, X, y, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_HUBER);
	cewb_fit_result res;
	cewb_error err;
	size_t i;
	make_problem(9, n, p, truth, 0.1, X, y);
	opt.huber_epsilon = 0.5;
	is_int(CEWB_EINVAL, cewb_fit_huber(&prob, &opt, &res, &err), "epsilon < 1 refused");
	is_string("huber epsilon is 0.5, must be >= 1 (1.35 is usual)", err.message,
		  "epsilon message");
	opt.huber_epsilon = 1.35;
	opt.max_iter = 0;
	is_int(CEWB_EINVAL, cewb_fit_huber(&prob, &opt, &res, &err), "max_iter 0 refused");
	is_string("max_iter must be at least 1", err.message, "max_iter message");
	opt.max_iter = 100;
	y[7] = NAN;
	is_int(CEWB_EINVAL, cewb_fit_lad(&prob, &opt, &res, &err), "nan target refused (lad)");
	is_string("target of row 7 is nan", err.message, "nan target message");
	y[7] = 1.0;
	for (i = 0; i < n; i++)
		w[i] = 1.0;
	w[2] = -1.0;
	prob.weights = w;
	is_int(CEWB_EINVAL, cewb_fit_huber(&prob, &opt, &res, &err), "negative weight refused");
	is_string("weight of row 2 is -1, must be > 0", err.message, "weight message");
	/* Weights: sqrt(w) scales the residual in LAD, so weight 4 is a doubled row. */
	{
		double X2[(n + 1) * p], y2[n + 1];
		cewb_fit_problem dup = {n + 1, p, X2, y2, NULL, NULL, NULL, NULL};
		cewb_fit_result a, b;
		w[2] = 4.0;
		memcpy(X2, X, sizeof X);
		memcpy(y2, y, sizeof y);
		memcpy(X2 + n * p, X + 2 * p, p * sizeof *X);
		y2[n] = y[2];
		ok(cewb_fit_lad(&prob, &opt, &a, &err) == CEWB_OK, "weighted lad fits");
		ok(cewb_fit_lad(&dup, &opt, &b, &err) == CEWB_OK, "lad with a doubled row fits");
		is_double(sum_abs(X2, y2, n + 1, p, b.eci), sum_abs(X2, y2, n + 1, p, a.eci),
			  1e-12, "weight 4 (sqrt 2) is a doubled row");
		cewb_fit_result_release(&a);
		cewb_fit_result_release(&b);
	}
}

int main(void)
{
	test_lad_exact();
	test_outliers();
	test_rank();
	test_errors();
	return done_testing();
}
