/*
 * bench_sparse - speed of the sparse, subset-selection and robust fits on
 * the Ag-Pd sensing matrix (625 x 82, tests/data/agpd_Xy.txt of the source
 * tree), each figure the median of repeats.
 *
 *   LASSO: path of 100 alphas + 10-fold CV + refit     target < 100 ms
 *   elastic net (l1_ratio 0.5), RFE and OMP with size by 10-fold CV,
 *   Huber and LAD: reported, no target
 *
 * Usage: bench_sparse [-r REPEATS]; exits 1 when a target is missed.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cewb/fit.h"

/* Monotonic seconds. */
static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Ascending order of doubles. */
static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Load "n p" and rows "y x_1 .. x_p"; 0 on success. */
static int load(const char *path, cewb_fit_problem *prob, double **X, double **y)
{
	FILE *f = fopen(path, "r");
	size_t n, p, i, j;
	if (!f)
		return -1;
	if (fscanf(f, "%zu %zu", &n, &p) != 2 || n == 0 || p == 0) {
		fclose(f);
		return -1;
	}
	*X = malloc(n * p * sizeof **X);
	*y = malloc(n * sizeof **y);
	for (i = 0; i < n && *X && *y; i++) {
		if (fscanf(f, "%lf", *y + i) != 1)
			break;
		for (j = 0; j < p; j++)
			if (fscanf(f, "%lf", *X + i * p + j) != 1)
				break;
		if (j < p)
			break;
	}
	fclose(f);
	if (i < n)
		return -1;
	memset(prob, 0, sizeof *prob);
	prob->n_rows = n;
	prob->n_cols = p;
	prob->X = *X;
	prob->y = *y;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct {
		cewb_fit_method method;
		int standardize;
		const char *what;
		double target; /* seconds, 0: none */
	} cases[] = {
		{CEWB_FIT_LASSO, 0, "lasso cv (raw columns)", 100e-3},
		{CEWB_FIT_LASSO, 1, "lasso cv (standardised)", 100e-3},
		{CEWB_FIT_ENET, 1, "enet cv, l1_ratio 0.5 (standardised)", 0},
		{CEWB_FIT_RFE, 0, "rfe cv (raw columns)", 0},
		{CEWB_FIT_OMP, 1, "omp cv (standardised)", 0},
		{CEWB_FIT_HUBER, 0, "huber", 0},
		{CEWB_FIT_LAD, 0, "lad (exact)", 0},
	};
	char path[4096];
	cewb_fit_problem prob;
	double *X = NULL, *y = NULL, t[64];
	int repeats = 9, c, failed = 0;
	size_t k, r;

	while ((c = getopt(argc, argv, "r:")) != -1) {
		if (c == 'r') {
			repeats = atoi(optarg);
		} else {
			fprintf(stderr, "usage: bench_sparse [-r REPEATS]\n");
			return 2;
		}
	}
	if (repeats < 1)
		repeats = 1;
	if (repeats > 64)
		repeats = 64;
	snprintf(path, sizeof path, "%s/tests/data/agpd_Xy.txt", CEWB_TOP_SRCDIR);
	if (load(path, &prob, &X, &y)) {
		fprintf(stderr, "bench_sparse: cannot read '%s'\n", path);
		return 1;
	}
	printf("Ag-Pd %zu x %zu, 10-fold inner CV, median of %d\n", prob.n_rows, prob.n_cols,
	       repeats);
	for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		cewb_fit_options opt = cewb_fit_options_default(cases[k].method);
		cewb_fit_result res;
		cewb_error err;
		double med;
		opt.standardize = cases[k].standardize;
		opt.cv_folds = 10;
		for (r = 0; r < (size_t)repeats; r++) {
			double t0 = wall();
			if (cewb_fit(&prob, &opt, &res, &err)) {
				fprintf(stderr, "bench_sparse: %s: %s\n", cases[k].what, err.message);
				return 1;
			}
			t[r] = wall() - t0;
			if (r + 1 < (size_t)repeats)
				cewb_fit_result_release(&res);
		}
		qsort(t, (size_t)repeats, sizeof *t, by_value);
		med = t[repeats / 2];
		printf("%-40s %8.2f ms", cases[k].what, 1e3 * med);
		if (cases[k].target > 0) {
			printf("   target < %3.0f ms %s", 1e3 * cases[k].target,
			       med < cases[k].target ? "ok" : "SLOW");
			failed |= med >= cases[k].target;
		}
		printf("   %zu nonzero, train rmse %.3f meV\n", res.n_nonzero, 1e3 * res.rmse_train);
		cewb_fit_result_release(&res);
	}
	free(X);
	free(y);
	return failed;
}
