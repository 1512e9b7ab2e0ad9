/*
 * Validation over groups of rows (cewb_fit_problem.groups): the folds keep
 * a group's rows together, and a problem whose every row is repeated three
 * times in one group validates exactly like the problem of single rows
 * (the held-out set and the training fit are the same up to the repeat).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cewb/fit.h"
#include "tap.h"

#define N 24
#define P 4
#define REP 3

int main(void)
{
	double X[N * P], y[N], X3[REP * N * P], y3[REP * N];
	size_t g3[REP * N];
	cewb_rng rng;
	cewb_rng_seed(&rng, 7);
	for (size_t i = 0; i < N; i++) {
		X[i * P] = 1.0;
		for (size_t j = 1; j < P; j++)
			X[i * P + j] = cewb_rng_normal(&rng);
		y[i] = 0.5 + X[i * P + 1] - 0.3 * X[i * P + 2] + 0.1 * cewb_rng_normal(&rng);
	}
	/* rows of group i: copies of row i, interleaved so that groups are not contiguous */
	for (size_t r = 0; r < REP; r++)
		for (size_t i = 0; i < N; i++) {
			size_t k = r * N + i;
			memcpy(X3 + k * P, X + i * P, P * sizeof *X);
			y3[k] = y[i];
			g3[k] = 100 + 3 * i; /* any labels: sorted by value they give row order */
		}

	/* k-fold assignment over groups */
	size_t fold[REP * N], fold1[N];
	cewb_fit_kfold_assign_groups(REP * N, g3, 5, 42, 0, fold);
	cewb_fit_kfold_assign(N, 5, 42, 0, fold1);
	int same = 1;
	for (size_t k = 0; k < REP * N; k++)
		same &= fold[k] == fold1[k % N];
	ok(same, "kfold over groups: every row takes its group's fold, as the single rows");
	cewb_fit_kfold_assign_groups(N, NULL, 5, 42, 0, fold);
	same = 1;
	for (size_t i = 0; i < N; i++)
		same &= fold[i] == fold1[i];
	ok(same, "kfold over groups NULL is the row assignment");

	cewb_fit_problem p1, p3;
	memset(&p1, 0, sizeof p1);
	memset(&p3, 0, sizeof p3);
	p1.n_rows = N;
	p1.n_cols = P;
	p1.X = X;
	p1.y = y;
	p3.n_rows = REP * N;
	p3.n_cols = P;
	p3.X = X3;
	p3.y = y3;
	p3.groups = g3;
	cewb_error err;
	const cewb_xval_scheme schemes[] = { CEWB_XVAL_KFOLD, CEWB_XVAL_LOO,
					     CEWB_XVAL_SHUFFLE_SPLIT, CEWB_XVAL_BOOTSTRAP };
	const char *names[] = { "kfold", "loo", "shuffle-split", "bootstrap" };
	const cewb_fit_method methods[] = { CEWB_FIT_OLS, CEWB_FIT_LASSO };
	for (size_t mi = 0; mi < 2; mi++)
		for (size_t si = 0; si < 4; si++) {
			cewb_fit_options o = cewb_fit_options_default(methods[mi]);
			if (methods[mi] == CEWB_FIT_LASSO)
				o.alpha = 0.01; /* fixed: the inner choice sees other rows */
			cewb_xval_options x = cewb_xval_options_default();
			x.scheme = schemes[si];
			x.folds = 6;
			x.repeat = 3;
			x.test_fraction = 0.25;
			cewb_xval_result r1, r3;
			cewb_error_clear(&err);
			cewb_status s1 = cewb_xval(&p1, &o, &x, &r1, &err);
			cewb_status s3 = cewb_xval(&p3, &o, &x, &r3, &err);
			ok(s1 == CEWB_OK && s3 == CEWB_OK, "%s %s: both validate (%s)",
			   cewb_fit_method_name(methods[mi]), names[si], err.message);
			/* the same splits and fits: equal to rounding (1e-9 relative) */
			char nm[128];
			snprintf(nm, sizeof nm, "%s %s: grouped repeats = single rows",
				 cewb_fit_method_name(methods[mi]), names[si]);
			is_double(r1.rmse_validation, r3.rmse_validation,
				  1e-9 * r1.rmse_validation, nm);
			snprintf(nm, sizeof nm, "%s %s: same number of splits",
				 cewb_fit_method_name(methods[mi]), names[si]);
			is_int((long)r1.n_splits, (long)r3.n_splits, nm);
			cewb_xval_result_release(&r1);
			cewb_xval_result_release(&r3);
		}

	/* learning-curve sizes count groups */
	cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_OLS);
	cewb_xval_options x = cewb_xval_options_default();
	x.folds = 4;
	x.train_size = 8;
	cewb_xval_result r1, r3;
	cewb_xval(&p1, &o, &x, &r1, &err);
	cewb_xval(&p3, &o, &x, &r3, &err);
	is_double(r3.rmse_validation, r1.rmse_validation, 1e-9 * r1.rmse_validation,
		  "train_size counts groups");
	cewb_xval_result_release(&r1);
	cewb_xval_result_release(&r3);

	/* errors speak of groups */
	x = cewb_xval_options_default();
	x.folds = N + 1;
	cewb_error_clear(&err);
	ok(cewb_xval(&p3, &o, &x, &r3, &err) == CEWB_EINVAL, "more folds than groups fails");
	is_string(err.message, "folds must be between 2 and 24, got 25", "its message");
	x.folds = 4;
	x.train_size = N;
	cewb_error_clear(&err);
	ok(cewb_xval(&p3, &o, &x, &r3, &err) == CEWB_EINVAL, "train_size of every group fails");
	is_string(err.message, "training size 24 leaves no group to validate on (24 groups)",
		  "its message");
	size_t one[REP * N];
	for (size_t k = 0; k < REP * N; k++)
		one[k] = 5;
	p3.groups = one;
	x = cewb_xval_options_default();
	cewb_error_clear(&err);
	ok(cewb_xval(&p3, &o, &x, &r3, &err) == CEWB_EINVAL, "a single group fails");
	is_string(err.message, "validation needs at least 2 structures, got 1", "its message");
	done_testing();
}
