/*
 * Unit tests of validation: closed-form leave-one-out and k-fold against
 * brute-force refits, identical splits for every method, repeated k-fold,
 * shuffle-split, bootstrap ensembles, learning-curve subsampling, the
 * generator, and the documented errors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "cewb/fit.h"
#include "tap.h"

enum { N = 60, P = 8 };
static double X[N * P], Y[N], W[N];

static void make_data(void)
{
	cewb_rng g;
	size_t i, j;
	cewb_rng_seed(&g, 99);
	for (i = 0; i < N; i++) {
		X[i * P] = 1.0;
		for (j = 1; j < P; j++)
			X[i * P + j] = cewb_rng_normal(&g);
		Y[i] = 0.3 + X[i * P + 1] - 0.5 * X[i * P + 2] + 0.1 * cewb_rng_normal(&g);
		W[i] = 0.5 + cewb_rng_uniform(&g);
	}
}

static cewb_fit_problem problem(void)
{
	cewb_fit_problem pr;
	memset(&pr, 0, sizeof pr);
	pr.n_rows = N;
	pr.n_cols = P;
	pr.X = X;
	pr.y = Y;
	return pr;
}

/* Brute-force validation over the folds given by fold[] (k folds): refit each. */
static double brute_force(const cewb_fit_problem *pr, const cewb_fit_options *o,
			  const size_t *fold, size_t k, double *pred)
{
	size_t f, i;
	double sum_mse = 0.0;
	for (f = 0; f < k; f++) {
		static double Xs[N * P], ys[N], ws[N];
		size_t m = 0, nt = 0;
		cewb_fit_problem sub = *pr;
		cewb_fit_result r;
		cewb_error e;
		double ss = 0.0;
		for (i = 0; i < N; i++)
			if (fold[i] != f) {
				memcpy(Xs + m * P, X + i * P, P * sizeof *X);
				ys[m] = Y[i];
				ws[m] = pr->weights ? pr->weights[i] : 1.0;
				m++;
			}
		sub.n_rows = m;
		sub.X = Xs;
		sub.y = ys;
		sub.weights = pr->weights ? ws : NULL;
		if (cewb_fit(&sub, o, &r, &e))
			return NAN;
		for (i = 0; i < N; i++)
			if (fold[i] == f) {
				double p = cblas_ddot(P, X + i * P, 1, r.eci, 1);
				pred[i] = p;
				ss += (Y[i] - p) * (Y[i] - p);
				nt++;
			}
		sum_mse += ss / (double)nt;
		cewb_fit_result_release(&r);
	}
	return sqrt(sum_mse / (double)k);
}

static void test_closed_forms(void)
{
	cewb_fit_problem pr = problem();
	cewb_xval_options xo = cewb_xval_options_default();
	/* the last two: OLS and ridge forced through the SVD route (tol > 0) */
	static const cewb_fit_method methods[] = {CEWB_FIT_OLS, CEWB_FIT_RIDGE, CEWB_FIT_PRIOR,
						  CEWB_FIT_GLS, CEWB_FIT_OLS, CEWB_FIT_RIDGE};
	static double L[P * P];
	size_t fold[N], i, mi;
	double pred[N];
	for (i = 0; i < P; i++)
		L[i * P + i] = 0.5 + 0.1 * (double)i;
	L[1 * P + 2] = L[2 * P + 1] = -0.2;
	pr.lambda = L;
	for (int weighted = 0; weighted < 2; weighted++) {
		pr.weights = weighted ? W : NULL;
		for (mi = 0; mi < sizeof methods / sizeof methods[0]; mi++) {
			cewb_fit_options o = cewb_fit_options_default(methods[mi]);
			cewb_xval_result xr;
			cewb_error e;
			double bf;
			const char *name = cewb_fit_method_name(methods[mi]);
			o.alpha = 0.7;
			if (mi >= 4)
				o.tol = 1e-14;
			/* leave-one-out */
			xo.scheme = CEWB_XVAL_LOO;
			ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_OK, "loo %s (weights %d)", name,
			   weighted);
			for (i = 0; i < N; i++)
				fold[i] = i;
			bf = brute_force(&pr, &o, fold, N, pred);
			/* closed form and refits agree to rounding of 8 x 8 solves */
			ok(fabs(xr.rmse_validation - bf) < 1e-10,
			   "loo %s closed form = brute force (%.3g)", name,
			   fabs(xr.rmse_validation - bf));
			{
				double md = 0.0;
				for (i = 0; i < N; i++)
					md = fmax(md, fabs(xr.predicted[i] - pred[i]));
				ok(md < 1e-10, "loo %s predictions = brute force", name);
			}
			cewb_xval_result_release(&xr);
			/* 7-fold */
			xo.scheme = CEWB_XVAL_KFOLD;
			xo.folds = 7;
			xo.seed = 5;
			ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_OK, "7-fold %s", name);
			cewb_fit_kfold_assign(N, 7, 5, 0, fold);
			bf = brute_force(&pr, &o, fold, 7, pred);
			ok(fabs(xr.rmse_validation - bf) < 1e-10, "7-fold %s closed form = refits",
			   name);
			is_int(7, (long)xr.n_splits, "7 splits");
			cewb_xval_result_release(&xr);
		}
	}
}

static void test_splits(void)
{
	size_t a[N], b[N], c[N], count[10] = {0}, i, same = 0;
	cewb_fit_kfold_assign(N, 10, 42, 0, a);
	cewb_fit_kfold_assign(N, 10, 42, 0, b);
	cewb_fit_kfold_assign(N, 10, 43, 0, c);
	ok(memcmp(a, b, sizeof a) == 0, "same seed, same folds");
	for (i = 0; i < N; i++) {
		same += a[i] == c[i];
		count[a[i]]++;
	}
	ok(same < N, "another seed, other folds");
	for (i = 0; i < 10; i++)
		if (count[i] != 6)
			break;
	is_int(10, (long)i, "folds of equal size");
	cewb_fit_kfold_assign(N, 10, 42, 1, c);
	ok(memcmp(a, c, sizeof a) != 0, "the next repeat reshuffles");

	/* every method sees the same splits: OLS and ARDR predictions of a row
	 * come from fits that left out the same rows, checked via a refit */
	{
		cewb_fit_problem pr = problem();
		cewb_xval_options xo = cewb_xval_options_default();
		cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_ARDR);
		cewb_xval_result xr;
		cewb_error e;
		double pred[N], bf;
		xo.folds = 5;
		ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_OK, "5-fold ardr");
		cewb_fit_kfold_assign(N, 5, xo.seed, 0, a);
		bf = brute_force(&pr, &o, a, 5, pred);
		ok(fabs(bf - xr.rmse_validation) < 1e-12, "ardr folds are the documented ones");
		ok(xr.n_nonzero >= 3 && xr.n_nonzero <= P, "ardr mean nonzero %.1f", xr.n_nonzero);
		cewb_xval_result_release(&xr);
	}
}

static void test_schemes(void)
{
	cewb_fit_problem pr = problem();
	cewb_xval_options xo = cewb_xval_options_default();
	cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_OLS);
	cewb_xval_result xr, xr2;
	cewb_error e;
	size_t j;

	xo.repeat = 3;
	ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_OK && xr.n_splits == 30,
	   "repeated 10-fold: 30 splits");
	ok(xr.rmse_validation > 0.08 && xr.rmse_validation < 0.14,
	   "cv rmse near the noise 0.1 (%.4f)", xr.rmse_validation);
	ok(xr.rmse_train < xr.rmse_validation, "train rmse below validation rmse");
	cewb_xval_result_release(&xr);

	xo.scheme = CEWB_XVAL_SHUFFLE_SPLIT;
	xo.repeat = 20;
	xo.test_fraction = 0.25;
	ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_OK && xr.n_splits == 20,
	   "shuffle-split: 20 splits");
	ok(cewb_xval(&pr, &o, &xo, &xr2, &e) == CEWB_OK &&
		   xr.rmse_validation == xr2.rmse_validation,
	   "shuffle-split repeats exactly");
	cewb_xval_result_release(&xr);
	cewb_xval_result_release(&xr2);

	xo.scheme = CEWB_XVAL_BOOTSTRAP;
	xo.repeat = 50;
	ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_OK && xr.n_splits == 50,
	   "bootstrap ensemble of 50");
	/* ECI spread of the ensemble: for OLS close to the standard errors,
	 * about 0.1 / sqrt(60) = 0.013; accept a factor 2 */
	ok(xr.eci_std[1] > 0.0065 && xr.eci_std[1] < 0.026, "bootstrap eci spread %.4f",
	   xr.eci_std[1]);
	ok(fabs(xr.eci_mean[1] - 1.0) < 0.05, "bootstrap eci mean near truth");
	cewb_xval_result_release(&xr);

	/* learning curve: train on 20 rows */
	xo = cewb_xval_options_default();
	xo.train_size = 20;
	ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_OK, "k-fold with 20 training rows");
	ok(xr.rmse_validation > 0.09, "smaller training set, larger error (%.4f)",
	   xr.rmse_validation);
	cewb_xval_result_release(&xr);

	/* ridge with alpha chosen inside each split (not linear in y: refits) */
	o = cewb_fit_options_default(CEWB_FIT_RIDGE);
	xo = cewb_xval_options_default();
	ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_OK, "ridge with inner alpha choice");
	for (j = 0; j < P; j++)
		if (!isfinite(xr.eci_mean[j]))
			break;
	is_int(P, (long)j, "finite ensemble means");
	cewb_xval_result_release(&xr);

	/* errors */
	o = cewb_fit_options_default(CEWB_FIT_OLS);
	xo.folds = 1;
	ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_EINVAL, "1 fold fails");
	is_string("folds must be between 2 and 60, got 1", e.message, "its message");
	xo.folds = 61;
	ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_EINVAL, "more folds than rows fails");
	xo = cewb_xval_options_default();
	xo.scheme = CEWB_XVAL_SHUFFLE_SPLIT;
	xo.test_fraction = 1.0;
	ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_EINVAL, "test fraction 1 fails");
	is_string("test fraction must be in (0, 1), got 1", e.message, "its message");
	xo = cewb_xval_options_default();
	xo.train_size = 60;
	ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_EINVAL, "training size = rows fails");
	Y[7] = NAN;
	ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_EINVAL, "nan target fails validation");
	is_string("target of row 7 is nan", e.message, "its message");
	Y[7] = 0.0;
	o = cewb_fit_options_default(CEWB_FIT_ARDR);
	o.threshold = -1.0;
	xo = cewb_xval_options_default();
	ok(cewb_xval(&pr, &o, &xo, &xr, &e) == CEWB_EINVAL, "bad ardr threshold fails validation");
	is_string("split 0: ardr threshold must be a number > 0 (got -1)", e.message,
		  "the message names the split");
}

static void test_rng(void)
{
	cewb_rng g;
	size_t idx[100], i, sum = 0;
	double m = 0.0, v = 0.0;
	/* splitmix64 from seed 0 yields 0xe220a8397b1dcdaf first (its reference value) */
	cewb_rng_seed(&g, 0);
	ok(g.s[0] == 0xe220a8397b1dcdafull, "splitmix64 seeding");
	for (i = 0; i < 100; i++)
		idx[i] = i;
	cewb_rng_shuffle(&g, idx, 100);
	for (i = 0; i < 100; i++)
		sum += idx[i];
	is_int(4950, (long)sum, "shuffle is a permutation");
	cewb_rng_seed(&g, 1);
	for (i = 0; i < 20000; i++) {
		double z = cewb_rng_normal(&g);
		m += z;
		v += z * z;
	}
	m /= 20000;
	v = v / 20000 - m * m;
	/* 20000 draws: standard error of the mean 0.007, of the variance 0.01 */
	ok(fabs(m) < 0.03 && fabs(v - 1.0) < 0.04, "normal draws: mean %.4f variance %.4f", m, v);
}

int main(void)
{
	make_data();
	test_closed_forms();
	test_splits();
	test_schemes();
	test_rng();
	return done_testing();
}
