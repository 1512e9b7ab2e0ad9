/*
 * tests/test_fit_sparse.c - LASSO, elastic net, RFE and OMP.
 *
 * Exact answers where they exist (orthogonal designs: soft thresholding),
 * recovery of a known sparse truth, reference values computed with
 * scikit-learn 1.2 (LassoCV, ElasticNetCV, RFECV with LinearRegression and
 * neg_mean_squared_error scoring, OrthogonalMatchingPursuit; fit_intercept
 * False, tol 1e-10, the same data and the same folds given as a
 * PredefinedSplit), the curves, and every documented error.
 */
#include "config.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cewb/fit.h"
#include "../tests/tap.h"

enum { N = 60, P = 12 };

/* A problem with a known truth: column 0 the zerolet, others normal with
 * nonzero means, y = X truth + noise. */
static void make_problem(uint64_t seed, size_t n, size_t p, const double *truth, double noise,
			 double *X, double *y)
{
	cewb_rng rng;
	size_t i, j;
	cewb_rng_seed(&rng, seed);
	for (i = 0; i < n; i++) {
		y[i] = 0.0;
		for (j = 0; j < p; j++) {
			X[i * p + j] = j == 0 ? 1.0 : 0.3 * (double)(j % 3) + cewb_rng_normal(&rng);
			y[i] += X[i * p + j] * truth[j];
		}
		y[i] += noise * cewb_rng_normal(&rng);
	}
}

static const double truth12[P] = {0.5, 1.0, 0, 0, -2.0, 0, 0, 0.7, 0, 0, 0, 0};

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

/* Soft threshold. */
static double soft(double x, double t)
{
	return x > t ? x - t : x < -t ? x + t : 0.0;
}

/*
 * Orthogonal design: 8 rows, the columns of a Hadamard matrix (the first is
 * the zerolet), x_j'x_k = 8 delta_jk.  The minimiser of
 * (1/2n)|y - Xw|^2 + a l |w|_1 + (a (1-l)/2)|w|^2 is then
 * w_j = S(x_j'y / n, a l) / (1 + a (1 - l)), exactly.
 */
static void test_orthogonal(void)
{
	enum { n = 8, p = 4 };
	static const double H[n * p] = {
		1, 1, 1, 1,   1, -1, 1, -1,  1, 1, -1, -1,  1, -1, -1, 1,
		1, 1, 1, 1,   1, -1, 1, -1,  1, 1, -1, -1,  1, -1, -1, 1,
	};
	static const double y[n] = {3.0, -1.0, 0.5, 2.0, 2.6, -0.4, 0.1, 1.2};
	cewb_fit_problem prob = {n, p, H, y, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_LASSO);
	cewb_fit_result res;
	cewb_error err;
	double expect[p], xty[p];
	size_t i, j;
	int std;
	for (j = 0; j < p; j++) {
		xty[j] = 0.0;
		for (i = 0; i < n; i++)
			xty[j] += H[i * p + j] * y[i];
		xty[j] /= n;
	}
	opt.tol = 1e-12;
	opt.alpha = 0.3;
	/* Standardising changes nothing here: the +-1 columns have mean 0 and
	 * standard deviation 1, the zerolet keeps scale 1. */
	for (std = 0; std <= 1; std++) {
		opt.standardize = std;
		for (j = 0; j < p; j++)
			expect[j] = soft(xty[j], opt.alpha);
		ok(cewb_fit_lasso(&prob, &opt, &res, &err) == CEWB_OK, "orthogonal lasso fits");
		/* One sweep is exact on an orthogonal design; 1e-12 covers rounding. */
		ok(max_diff(expect, res.eci, p) < 1e-12,
		   "orthogonal lasso is the soft threshold (standardize %d)", std);
		is_double(opt.alpha, hyper(&res, "alpha"), 0.0, "alpha reported as given");
		cewb_fit_result_release(&res);
	}
	opt.standardize = 0;
	opt.method = CEWB_FIT_ENET;
	opt.l1_ratio = 0.4;
	for (j = 0; j < p; j++)
		expect[j] = soft(xty[j], opt.alpha * 0.4) / (1.0 + opt.alpha * 0.6);
	ok(cewb_fit_enet(&prob, &opt, &res, &err) == CEWB_OK, "orthogonal enet fits");
	ok(max_diff(expect, res.eci, p) < 1e-12, "orthogonal enet is the shrunk soft threshold");
	is_int(3, (long)res.n_nonzero, "enet keeps 3 of 4 columns at alpha 0.3");
	cewb_fit_result_release(&res);
}

/* LASSO, elastic net with alpha by CV against scikit-learn on the same folds. */
static void test_reference(void)
{
	double X[N * P], y[N];
	/* LassoCV(cv=PredefinedSplit(folds), fit_intercept=False): alpha, eci. */
	static const double lasso_raw_alpha = 0.0040130821247819073;
	static const double lasso_raw[P] = {
		4.9052040719525586e-01, 9.8934466802615928e-01, 1.2289755079489395e-02, 0.0,
		-2.0012064169887496e+00, 7.2909909800201430e-03, 0.0, 6.8519523684691941e-01,
		-3.7429595011530378e-04, 8.1798256982222612e-03, -1.4681717718621741e-03, 0.0};
	static const double lasso_std_alpha = 0.0040960457225276518;
	static const double lasso_std[P] = {
		4.9111212383307296e-01, 9.8908641047185564e-01, 1.2221338143027534e-02, 0.0,
		-2.0020117729238591e+00, 7.3221464171633142e-03, 0.0, 6.8477194887878456e-01,
		-8.5406589253193387e-04, 8.5319270679771290e-03, -8.0239803348656537e-04, 0.0};
	static const double enet_std_alpha = 0.0040772232163203736;
	static const double enet_std[P] = {
		4.9066971244707658e-01, 9.8855046640832522e-01, 1.4318415663272755e-02, 0.0,
		-1.9992323605973314e+00, 9.6662504155892257e-03, -1.4308693541681321e-03,
		6.8491154138694166e-01, -3.3037937014015390e-03, 1.0811537422810080e-02,
		-2.9455520791717878e-03, -4.9500293271916409e-04};
	cewb_fit_problem prob = {N, P, X, y, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_LASSO);
	cewb_fit_result res, res2;
	cewb_error err;

	make_problem(7, N, P, truth12, 0.05, X, y);
	opt.cv_folds = 5;
	opt.seed = 42;
	opt.tol = 1e-10;
	opt.max_iter = 100000;
	/* Both sides stop at a duality gap of 1e-10 y'y: ECIs agree to ~1e-7. */
	opt.standardize = 0;
	ok(cewb_fit_lasso(&prob, &opt, &res, &err) == CEWB_OK, "lasso cv (raw) fits");
	is_double(lasso_raw_alpha, hyper(&res, "alpha"), 1e-15, "lasso cv (raw): alpha as LassoCV");
	ok(max_diff(lasso_raw, res.eci, P) < 1e-7, "lasso cv (raw): ecis as LassoCV");
	is_int(9, (long)res.n_nonzero, "lasso cv (raw): 9 nonzero as LassoCV");
	ok(res.converged, "lasso cv (raw) converged");
	cewb_fit_result_release(&res);

	opt.standardize = 1;
	ok(cewb_fit_lasso(&prob, &opt, &res, &err) == CEWB_OK, "lasso cv (standardised) fits");
	is_double(lasso_std_alpha, hyper(&res, "alpha"), 1e-15,
		  "lasso cv (standardised): alpha as LassoCV on X / std");
	ok(max_diff(lasso_std, res.eci, P) < 1e-7,
	   "lasso cv (standardised): ecis in the original scale");
	/* sqrt of the mean fold MSE at the chosen alpha, from LassoCV.mse_path_. */
	is_double(0.062253627872307739, hyper(&res, "rmse_xval"), 1e-9,
		  "lasso cv (standardised): cross-validated rmse");

	/* Elastic net with l1_ratio 1 is LASSO, alpha search included. */
	opt.method = CEWB_FIT_ENET;
	opt.l1_ratio = 1.0;
	ok(cewb_fit_enet(&prob, &opt, &res2, &err) == CEWB_OK, "enet l1_ratio 1 fits");
	is_double(hyper(&res, "alpha"), hyper(&res2, "alpha"), 0.0, "enet l1_ratio 1: same alpha");
	ok(max_diff(res.eci, res2.eci, P) == 0.0, "enet l1_ratio 1: same ecis as lasso");
	cewb_fit_result_release(&res);
	cewb_fit_result_release(&res2);

	opt.l1_ratio = 0.5;
	ok(cewb_fit_enet(&prob, &opt, &res, &err) == CEWB_OK, "enet cv l1_ratio 0.5 fits");
	is_double(enet_std_alpha, hyper(&res, "alpha"), 1e-15, "enet cv: alpha as ElasticNetCV");
	ok(max_diff(enet_std, res.eci, P) < 1e-7, "enet cv: ecis as ElasticNetCV");
	is_double(0.5, hyper(&res, "l1_ratio"), 0.0, "enet reports l1_ratio");
	cewb_fit_result_release(&res);
}

/* RFE and OMP against scikit-learn, and recovery of the sparse truth. */
static void test_selection(void)
{
	double X[N * P], y[N];
	/* OrthogonalMatchingPursuit(n_nonzero_coefs=4, fit_intercept=False). */
	static const double omp4[P] = {0.5068201032133286, 0.9926553236553953, 0, 0,
				       -2.0080493158151946, 0, 0, 0.6867017600045214, 0, 0, 0, 0};
	/* RFECV(LinearRegression, neg_mean_squared_error): sqrt(-mean score) per size. */
	static const double rfe_std_curve[P] = {
		1.7102930030313632, 1.1595666955196362, 0.4221321965191046,
		0.06123152455582237, 0.0629852402145267, 0.06339691977806594,
		0.06212777019161125, 0.06385401094363553, 0.063878140582784,
		0.06460459942625092, 0.06524038655147853, 0.06580018682569619};
	cewb_fit_problem prob = {N, P, X, y, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_RFE);
	cewb_fit_result res;
	cewb_fit_path path;
	cewb_error err;
	size_t j, i;
	int supp;

	make_problem(7, N, P, truth12, 0.05, X, y);
	opt.cv_folds = 5;
	opt.seed = 42;
	ok(cewb_fit_rfe(&prob, &opt, &res, &err) == CEWB_OK, "rfe cv fits");
	is_int(4, (long)res.n_nonzero, "rfe cv keeps 4 columns, as RFECV");
	for (supp = 1, j = 0; j < P; j++)
		supp &= (res.eci[j] != 0.0) == (truth12[j] != 0.0);
	ok(supp, "rfe cv finds the true support {0, 1, 4, 7}");
	ok(max_diff(omp4, res.eci, P) < 1e-12, "rfe refit equals least squares on the support");
	is_double(0.06123152455582237, hyper(&res, "rmse_xval"), 1e-12,
		  "rfe cv rmse as RFECV");
	cewb_fit_result_release(&res);

	opt.method = CEWB_FIT_RFE;
	ok(cewb_fit_path_compute(&prob, &opt, &path, &err) == CEWB_OK, "rfe curve");
	is_int(P, (long)path.n_points, "rfe curve has one point per size");
	is_int(3, (long)path.best, "rfe curve picks size 4");
	is_string("n_features", path.param_name, "rfe curve parameter name");
	{
		/* Our curve is the mean of fold rmse; RFECV's is sqrt(mean mse):
		 * compare ranks of sizes, and values within the fold spread. */
		int ordered = 1;
		for (i = 0; i < P; i++) {
			ordered &= path.param[i] == (double)(i + 1);
			ordered &= fabs(path.rmse_mean[i] - rfe_std_curve[i]) <
				   path.rmse_std[i] + 1e-12;
		}
		ok(ordered, "rfe curve: sizes 1..12, rmse within one std of RFECV's");
	}
	cewb_fit_path_release(&path);

	opt.method = CEWB_FIT_OMP;
	opt.n_features = 4;
	ok(cewb_fit_omp(&prob, &opt, &res, &err) == CEWB_OK, "omp with 4 features fits");
	ok(max_diff(omp4, res.eci, P) < 1e-12, "omp 4 equals OrthogonalMatchingPursuit");
	cewb_fit_result_release(&res);
	opt.n_features = 0;
	ok(cewb_fit_omp(&prob, &opt, &res, &err) == CEWB_OK, "omp cv fits");
	is_int(4, (long)res.n_nonzero, "omp cv picks 4 features, as OrthogonalMatchingPursuitCV");
	ok(max_diff(omp4, res.eci, P) < 1e-12, "omp cv finds the truth's support");
	cewb_fit_result_release(&res);

	/* Raw columns: RFE with a fixed size. */
	opt.method = CEWB_FIT_RFE;
	opt.standardize = 0;
	opt.n_features = 4;
	ok(cewb_fit_rfe(&prob, &opt, &res, &err) == CEWB_OK, "rfe with 4 features (raw) fits");
	ok(max_diff(omp4, res.eci, P) < 1e-12, "rfe 4 (raw) finds the truth's support");
	is_int(4, (long)res.rank, "rfe reports the rank of the refit");
	cewb_fit_result_release(&res);
}

/* Fewer rows than columns: RFE's least squares are minimum-norm, as
 * scikit-learn's LinearRegression (20 x 30, RFECV on the same folds keeps
 * all 30 columns here, 0.99670920 rmse). */
static void test_wide(void)
{
	enum { n = 20, p = 30 };
	double X[n * p], y[n], truth[p] = {0};
	cewb_fit_problem prob = {n, p, X, y, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_RFE);
	cewb_fit_result res;
	cewb_error err;
	truth[0] = 0.4;
	truth[5] = 1.5;
	truth[17] = -1.0;
	make_problem(13, n, p, truth, 0.05, X, y);
	opt.cv_folds = 5;
	ok(cewb_fit_rfe(&prob, &opt, &res, &err) == CEWB_OK, "rfe with 20 rows, 30 columns fits");
	is_int(30, (long)res.n_nonzero, "wide rfe keeps 30 columns, as RFECV");
	/* Singular blocks get a 1e-10 relative ridge: minimum norm to ~1e-6. */
	is_double(0.9967091952793774, hyper(&res, "rmse_xval"), 1e-5, "wide rfe cv rmse as RFECV");
	is_double(0.92547884, res.eci[5], 1e-6, "wide rfe: minimum-norm ECI 5 as lstsq");
	cewb_fit_result_release(&res);
}

/* Row weights: an integer weight is a repeated row (RFE and LASSO at fixed
 * alpha on raw columns, where the objective's 1/n is accounted for). */
static void test_weights(void)
{
	enum { n = 30, p = 5 };
	static const double truth[p] = {0.2, 1.0, 0.0, -0.5, 0.0};
	double X[(n + 1) * p], y[n + 1], w[n], alpha = 0.01;
	cewb_fit_problem prob = {n, p, X, y, w, NULL, NULL, NULL};
	cewb_fit_problem dup = {n + 1, p, X, y, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_LASSO);
	cewb_fit_result a, b;
	cewb_error err;
	size_t i;
	make_problem(3, n, p, truth, 0.1, X, y);
	for (i = 0; i < n; i++)
		w[i] = 1.0;
	w[5] = 2.0;
	memcpy(X + n * p, X + 5 * p, p * sizeof *X);
	y[n] = y[5];
	opt.standardize = 0;
	opt.tol = 1e-12;
	/* Weighted objective is (1/2n) sum w r^2; duplicated is (1/2(n+1)) sum r^2. */
	opt.alpha = alpha;
	ok(cewb_fit_lasso(&prob, &opt, &a, &err) == CEWB_OK, "weighted lasso fits");
	opt.alpha = alpha * n / (n + 1.0);
	ok(cewb_fit_lasso(&dup, &opt, &b, &err) == CEWB_OK, "lasso on a repeated row fits");
	ok(max_diff(a.eci, b.eci, p) < 1e-9, "weight 2 is a repeated row (lasso)");
	cewb_fit_result_release(&a);
	cewb_fit_result_release(&b);
	opt.method = CEWB_FIT_RFE;
	opt.n_features = 3;
	ok(cewb_fit_rfe(&prob, &opt, &a, &err) == CEWB_OK, "weighted rfe fits");
	ok(cewb_fit_rfe(&dup, &opt, &b, &err) == CEWB_OK, "rfe on a repeated row fits");
	ok(max_diff(a.eci, b.eci, p) < 1e-12, "weight 2 is a repeated row (rfe)");
	cewb_fit_result_release(&a);
	cewb_fit_result_release(&b);
}

/* A larger known sparse truth: n 200, p 40, 5 nonzero, noise 0.01. */
static void test_recovery(void)
{
	enum { n = 200, p = 40 };
	double *X = malloc(n * p * sizeof *X), y[n], truth[p] = {0};
	cewb_fit_problem prob = {n, p, X, y, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_LASSO);
	cewb_fit_result res;
	cewb_error err;
	size_t j;
	int m;
	truth[0] = 0.3;
	truth[3] = 1.5;
	truth[11] = -1.0;
	truth[22] = 0.8;
	truth[37] = -0.6;
	make_problem(11, n, p, truth, 0.01, X, y);
	opt.cv_folds = 10;
	for (m = 0; m < 3; m++) {
		static const cewb_fit_method ms[3] = {CEWB_FIT_LASSO, CEWB_FIT_OMP, CEWB_FIT_RFE};
		int all = 1;
		double big = 0.0;
		opt.method = ms[m];
		ok(cewb_fit(&prob, &opt, &res, &err) == CEWB_OK, "%s on the sparse truth fits",
		   cewb_fit_method_name(ms[m]));
		for (j = 0; j < p; j++) {
			if (truth[j] != 0.0)
				all &= fabs(res.eci[j] - truth[j]) < 0.01;
			else
				big = fmax(big, fabs(res.eci[j]));
		}
		/* Noise 0.01 on 200 rows: true ECIs within 0.01, the rest tiny. */
		ok(all && big < 0.01, "%s recovers the 5 true ECIs (largest spurious %.2g)",
		   cewb_fit_method_name(ms[m]), big);
		if (ms[m] != CEWB_FIT_LASSO)
			is_int(5, (long)res.n_nonzero, "exact support size");
		cewb_fit_result_release(&res);
	}
	free(X);
}

/* The LASSO curve. */
static void test_path(void)
{
	double X[N * P], y[N];
	cewb_fit_problem prob = {N, P, X, y, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_LASSO);
	cewb_fit_result res;
	cewb_fit_path path;
	cewb_error err;
	size_t i;
	int desc = 1;
	make_problem(7, N, P, truth12, 0.05, X, y);
	opt.cv_folds = 5;
	ok(cewb_fit_path_compute(&prob, &opt, &path, &err) == CEWB_OK, "lasso curve");
	is_int(100, (long)path.n_points, "lasso curve has 100 alphas");
	is_string("alpha", path.param_name, "lasso curve parameter name");
	for (i = 1; i < path.n_points; i++)
		desc &= path.param[i] < path.param[i - 1];
	ok(desc, "alphas descend");
	is_double(1e-3, path.param[99] / path.param[0], 1e-12, "grid spans 3 decades");
	is_int(0, (long)path.n_nonzero[0], "nothing survives alpha_max");
	ok(path.n_nonzero[99] >= 4, "the true columns survive the smallest alpha");
	ok(cewb_fit_lasso(&prob, &opt, &res, &err) == CEWB_OK, "lasso cv fits");
	is_double(path.param[path.best], hyper(&res, "alpha"), 0.0,
		  "the fit's alpha is the curve's best point");
	is_int((long)path.n_nonzero[path.best], (long)res.n_nonzero,
	       "nonzeros at the best point agree");
	for (i = 0; i < path.n_points; i++)
		desc &= path.rmse_mean[path.best] <= path.rmse_mean[i] * 1.05;
	ok(desc, "the best point is (near) the least rmse");
	cewb_fit_result_release(&res);
	cewb_fit_path_release(&path);
	cewb_fit_path_release(&path);
	ok(1, "releasing a curve twice is harmless");

	/* Elastic net: the grid starts at alpha_max / l1_ratio. */
	opt.method = CEWB_FIT_ENET;
	opt.l1_ratio = 0.25;
	{
		cewb_fit_path p1;
		double first;
		opt.l1_ratio = 1.0;
		ok(cewb_fit_path_compute(&prob, &opt, &p1, &err) == CEWB_OK, "enet curve, l1 1");
		first = p1.param[0];
		cewb_fit_path_release(&p1);
		opt.l1_ratio = 0.25;
		ok(cewb_fit_path_compute(&prob, &opt, &p1, &err) == CEWB_OK, "enet curve, l1 0.25");
		is_double(4.0 * first, p1.param[0], 1e-12 * first, "enet alpha_max scales 1/l1_ratio");
		is_int(0, (long)p1.n_nonzero[0], "nothing survives the enet alpha_max");
		cewb_fit_path_release(&p1);
	}

	/* OMP: sizes 1..12, nonzeros equal to the size, best = the fit's size. */
	opt.method = CEWB_FIT_OMP;
	ok(cewb_fit_path_compute(&prob, &opt, &path, &err) == CEWB_OK, "omp curve");
	desc = path.n_points == P;
	for (i = 0; i < path.n_points; i++)
		desc &= path.param[i] == (double)(i + 1) && path.n_nonzero[i] == i + 1;
	ok(desc, "omp curve: one point per size, that many nonzero");
	ok(cewb_fit_omp(&prob, &opt, &res, &err) == CEWB_OK, "omp cv fits");
	is_int((long)path.best + 1, (long)res.n_nonzero, "omp fit size is the curve's best");
	cewb_fit_result_release(&res);
	cewb_fit_path_release(&path);
}

/* Every documented error, and non-convergence. */
static void test_errors(void)
{
	double X[N * P], y[N];
	cewb_fit_problem prob = {N, P, X, y, NULL, NULL, NULL, NULL};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_LASSO);
	cewb_fit_result res;
	cewb_fit_path path;
	cewb_error err;
	make_problem(7, N, P, truth12, 0.05, X, y);

	y[3] = NAN;
	is_int(CEWB_EINVAL, cewb_fit_lasso(&prob, &opt, &res, &err), "nan target refused");
	is_string("target of row 3 is nan", err.message, "nan target message");
	y[3] = 0.0;
	opt.alpha = NAN;
	is_int(CEWB_EINVAL, cewb_fit_lasso(&prob, &opt, &res, &err), "nan alpha refused");
	is_string("alpha is nan, must be finite (<= 0 chooses it by cross-validation)",
		  err.message, "nan alpha message");
	/* A negative alpha means "choose by cross-validation", as 0 does. */
	{
		cewb_fit_result r0;
		opt.alpha = -1.0;
		ok(cewb_fit_lasso(&prob, &opt, &res, &err) == CEWB_OK, "negative alpha accepted");
		opt.alpha = 0.0;
		cewb_fit_lasso(&prob, &opt, &r0, &err);
		is_double(hyper(&r0, "alpha"), hyper(&res, "alpha"), 0.0,
			  "negative alpha chooses alpha by cross-validation, as 0");
		cewb_fit_result_release(&res);
		cewb_fit_result_release(&r0);
	}
	opt.l1_ratio = 0.0;
	is_int(CEWB_EINVAL, cewb_fit_enet(&prob, &opt, &res, &err), "l1_ratio 0 refused");
	is_string("l1_ratio is 0, must be in (0, 1]", err.message, "l1_ratio message");
	opt.l1_ratio = 1.5;
	is_int(CEWB_EINVAL, cewb_fit_enet(&prob, &opt, &res, &err), "l1_ratio 1.5 refused");
	opt.l1_ratio = 0.5;
	opt.cv_folds = 1;
	is_int(CEWB_EINVAL, cewb_fit_lasso(&prob, &opt, &res, &err), "one fold refused");
	is_string("cross-validation needs at least 2 folds, got 1", err.message,
		  "one fold message");
	opt.cv_folds = 61;
	is_int(CEWB_EINVAL, cewb_fit_rfe(&prob, &opt, &res, &err), "too many folds refused");
	is_string("cannot make 61 folds from 60 structures", err.message, "folds message");
	opt.cv_folds = 5;
	opt.tol = 0.0;
	is_int(CEWB_EINVAL, cewb_fit_lasso(&prob, &opt, &res, &err), "tolerance 0 refused");
	is_string("tolerance is 0, must be > 0", err.message, "tolerance message");
	opt.tol = 1e-4;
	opt.n_features = 13;
	is_int(CEWB_EINVAL, cewb_fit_rfe(&prob, &opt, &res, &err), "n_features > columns (rfe)");
	is_string("rfe: n_features is 13 but there are only 12 columns", err.message,
		  "rfe n_features message");
	is_int(CEWB_EINVAL, cewb_fit_omp(&prob, &opt, &res, &err), "n_features > columns (omp)");
	is_string("omp: n_features is 13 but there are only 12 columns", err.message,
		  "omp n_features message");
	opt.n_features = 0;
	opt.method = CEWB_FIT_OLS;
	is_int(CEWB_EINVAL, cewb_fit_path_compute(&prob, &opt, &path, &err), "no curve for ols");
	is_string("no hyperparameter curve for method 'ols' (lasso, enet, rfe or omp)",
		  err.message, "curve method message");

	/* Targets all zero: every method returns zero ECIs; OMP says why it
	 * selected nothing. */
	{
		double y0[N] = {0};
		cewb_fit_problem zero = {N, P, X, y0, NULL, NULL, NULL, NULL};
		static const cewb_fit_method ms[4] = {CEWB_FIT_LASSO, CEWB_FIT_ENET, CEWB_FIT_RFE,
						      CEWB_FIT_OMP};
		int m;
		for (m = 0; m < 4; m++) {
			cewb_fit_options o = cewb_fit_options_default(ms[m]);
			o.n_features = ms[m] == CEWB_FIT_OMP ? 2 : 0;
			ok(cewb_fit(&zero, &o, &res, &err) == CEWB_OK && res.n_nonzero == 0,
			   "%s with zero targets gives zero ECIs", cewb_fit_method_name(ms[m]));
			if (ms[m] == CEWB_FIT_OMP)
				is_string("only 0 features could be selected (asked for 2): the "
					  "residual is orthogonal to the other columns", res.warning,
					  "omp with zero targets warns");
			cewb_fit_result_release(&res);
		}
	}

	/* One sweep at a small alpha cannot converge: flagged, with a warning. */
	opt.method = CEWB_FIT_LASSO;
	opt.alpha = 1e-6;
	opt.max_iter = 1;
	opt.tol = 1e-12;
	ok(cewb_fit_lasso(&prob, &opt, &res, &err) == CEWB_OK, "one sweep still returns a fit");
	is_int(0, res.converged, "not converged is reported");
	is_string("coordinate descent did not reach the tolerance 1e-12 in 1 sweeps; the ecis "
		  "are approximate", res.warning, "non-convergence warning");
	cewb_fit_result_release(&res);
}

/* Read "n p" then rows "y x_1 .. x_p" from path; 0 on success. */
static int read_xy(const char *path, size_t *n, size_t *p, double **X, double **y)
{
	FILE *f = fopen(path, "r");
	size_t i, j;
	int bad = 0;
	if (!f)
		return -1;
	if (fscanf(f, "%zu %zu", n, p) != 2) {
		fclose(f);
		return -1;
	}
	*X = malloc(*n * *p * sizeof **X);
	*y = malloc(*n * sizeof **y);
	for (i = 0; i < *n && !bad; i++) {
		bad = fscanf(f, "%lf", *y + i) != 1;
		for (j = 0; j < *p && !bad; j++)
			bad = fscanf(f, "%lf", *X + i * *p + j) != 1;
	}
	fclose(f);
	return bad ? -1 : 0;
}

/*
 * The reference figures on Ag-Pd (cutoffs 13.5 6.5 6.0, mixing energy,
 * scikit-learn 1.2): LassoCV 2.23 meV/atom with 35 nonzero, RFECV with OLS
 * 1.85 with 71.  They are reproduced with raw columns (standardize 0) and
 * 10 inner folds.  The 5% margin is the issue's; RFECV's size depends on
 * the folds (69 to 79 over seeds 1 to 6 here), hence +-10 on it.
 */
static void test_agpd(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	size_t n, p;
	double *X = NULL, *y = NULL;
	cewb_fit_problem prob = {0};
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_LASSO);
	cewb_fit_result res;
	cewb_error err;
	snprintf(path, sizeof path, "%s/tests/data/agpd_Xy.txt", top ? top : ".");
	if (read_xy(path, &n, &p, &X, &y)) {
		ok(1, "# SKIP no %s", path);
		free(X);
		free(y);
		return;
	}
	prob.n_rows = n;
	prob.n_cols = p;
	prob.X = X;
	prob.y = y;
	opt.standardize = 0;
	opt.cv_folds = 10;
	ok(cewb_fit_lasso(&prob, &opt, &res, &err) == CEWB_OK, "ag-pd lasso cv fits");
	is_int(35, (long)res.n_nonzero, "ag-pd lasso: 35 nonzero, as LassoCV");
	is_double(2.23e-3, hyper(&res, "rmse_xval"), 0.05 * 2.23e-3,
		  "ag-pd lasso: cv rmse 2.23 meV/atom within 5%");
	cewb_fit_result_release(&res);
	opt.method = CEWB_FIT_RFE;
	ok(cewb_fit_rfe(&prob, &opt, &res, &err) == CEWB_OK, "ag-pd rfe cv fits");
	ok(res.n_nonzero >= 61 && res.n_nonzero <= 81, "ag-pd rfe: %zu features, RFECV 71",
	   res.n_nonzero);
	is_double(1.85e-3, hyper(&res, "rmse_xval"), 0.05 * 1.85e-3,
		  "ag-pd rfe: cv rmse 1.85 meV/atom within 5%");
	cewb_fit_result_release(&res);
	free(X);
	free(y);
}

int main(void)
{
	test_orthogonal();
	test_reference();
	test_selection();
	test_wide();
	test_weights();
	test_recovery();
	test_path();
	test_errors();
	test_agpd();
	return done_testing();
}
