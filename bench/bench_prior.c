/*
 * Benchmark of the prior editor's status line: after an edit the editor
 * computes the effective number of parameters and the 10-fold CV-RMSE of
 * the prior fit; target 50 ms on the Ag-Pd set (625 x 82).  Medians of
 * repeated runs, printed next to the target.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cewb/prior.h"
#include "bench_util.h"

/* Median seconds of the status computation (effective + 10-fold CV). */
static double status_time(const cewb_prior *pr, const cewb_fit_problem *prob, int reps)
{
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_PRIOR);
	cewb_xval_options xo = cewb_xval_options_default();
	double t[32], dof;
	int r;
	xo.scheme = CEWB_XVAL_KFOLD;
	xo.folds = 10;
	xo.repeat = 1;
	for (r = 0; r < reps && r < 32; r++) {
		cewb_xval_result xr;
		double t0 = bench_now();
		memset(&xr, 0, sizeof xr);
		cewb_prior_effective(pr, prob->X, prob->n_rows, &dof, NULL);
		cewb_prior_xval(pr, prob, &opt, &xo, &xr, NULL);
		cewb_xval_result_release(&xr);
		t[r] = bench_now() - t0;
	}
	qsort(t, (size_t)r, sizeof *t, bench_cmp_double);
	return t[r / 2];
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char path[1024];
	size_t n, p, i, j, *order, o;
	double *X, *y, *radius;
	FILE *fp;
	cewb_prior *pr;
	cewb_fit_problem prob;
	cewb_prior_defaults d = cewb_prior_defaults_of(CEWB_PRIOR_PHYSICAL);
	cewb_prior_selector sel = cewb_prior_selector_all();
	int good = 1;
	snprintf(path, sizeof path, "%s/tests/data/agpd_Xy.txt", top ? top : CEWB_TOP_SRCDIR);
	fp = fopen(path, "r");
	if (!fp || fscanf(fp, "%zu %zu", &n, &p) != 2) {
		printf("bench_prior: cannot read %s\n", path);
		return 1;
	}
	X = malloc(n * p * sizeof *X);
	y = malloc(n * sizeof *y);
	order = malloc(p * sizeof *order);
	radius = malloc(p * sizeof *radius);
	for (i = 0; i < n; i++) {
		if (fscanf(fp, "%lf", &y[i]) != 1)
			return 1;
		for (j = 0; j < p; j++)
			if (fscanf(fp, "%lf", &X[i * p + j]) != 1)
				return 1;
	}
	fclose(fp);
	/* orders of the Ag-Pd space (1/1/25/20/35); radii only order the orbits */
	for (o = 0; o < p; o++) {
		order[o] = o == 0 ? 0 : o == 1 ? 1 : o < 27 ? 2 : o < 47 ? 3 : 4;
		radius[o] = (double)o * 0.1;
	}
	pr = cewb_prior_alloc(p, p, NULL, order, radius, NULL);
	memset(&prob, 0, sizeof prob);
	prob.n_rows = n;
	prob.n_cols = p;
	prob.X = X;
	prob.y = y;
	good &= bench_report("status, no prior (625 x 82)", status_time(pr, &prob, 15), 0.050);
	cewb_prior_reset(pr, &d, NULL);
	good &= bench_report("status, physical prior", status_time(pr, &prob, 15), 0.050);
	cewb_prior_merge(pr, 3, 4, NULL);
	cewb_prior_merge(pr, 30, 31, NULL);
	good &= bench_report("status, physical prior with merges", status_time(pr, &prob, 15), 0.050);
	sel.skip_zerolet = 1;
	cewb_prior_couple_similar(pr, &sel, CEWB_SIMILAR_RADIUS, 0.01, 1, 1, NULL);
	good &= bench_report("status, with similarity couplings", status_time(pr, &prob, 15), 0.050);
	cewb_prior_free(pr);
	free(X);
	free(y);
	free(order);
	free(radius);
	return good ? 0 : 1;
}
