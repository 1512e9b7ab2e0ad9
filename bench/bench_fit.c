/*
 * bench_fit - speed of the fits and of cross-validation, each figure the
 * median of repeats, printed next to its target.
 *
 *   ARDR 10-fold CV on Ag-Pd (625 x 82, standardised)       target < 50 ms
 *   OLS / ridge / prior fit + 10-fold CV on Ag-Pd           target < 10 ms
 *   ARDR on X 4000 x 1000 N(0,1), 50 true nonzeros,
 *   noise 0.01, raw columns (support must be exact)         target <= 100 ms
 *
 * Usage: bench_fit [-t THREADS] [-r REPEATS]; the Ag-Pd matrix is read from
 * tests/data/agpd_Xy.txt of the source tree.  The small Ag-Pd problems run
 * on one BLAS thread (opt.n_threads = 1: waking threads costs more than they
 * gain at 625 x 82), the large synthetic one on every core, unless -t says
 * otherwise.  Besides the wall time (the target) the CPU time of the process
 * is printed, which tells a loaded machine from a slow code.
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cblas.h>
#include "cewb/fit.h"
#include "bench_util.h"

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int small_threads = 1, large_threads = 0;
static double last_cpu; /* median CPU time of the last measurement */

static int n_failed = 0;

static void report(const char *what, double seconds, double target, const char *extra)
{
	int pass = seconds <= target;
	printf("%-42s %8.2f ms  target %s %4.0f ms  %-4s (cpu %.2f ms)%s\n", what, 1e3 * seconds,
	       target == 100e-3 ? "<=" : "< ", 1e3 * target, pass ? "ok" : "SLOW", 1e3 * last_cpu,
	       extra ? extra : "");
	if (!pass)
		n_failed++;
}

/* Read "n p" then n lines "y x_1 .. x_p"; returns 0 on success. */
static int read_xy(const char *path, size_t *n, size_t *p, double **X, double **y)
{
	FILE *f = fopen(path, "r");
	size_t i, j;
	if (!f)
		return -1;
	if (fscanf(f, "%zu %zu", n, p) != 2) {
		fclose(f);
		return -1;
	}
	*X = malloc(*n * *p * sizeof **X);
	*y = malloc(*n * sizeof **y);
	for (i = 0; i < *n; i++) {
		if (fscanf(f, "%lf", &(*y)[i]) != 1)
			break;
		for (j = 0; j < *p; j++)
			if (fscanf(f, "%lf", &(*X)[i * *p + j]) != 1)
				break;
	}
	fclose(f);
	return i == *n ? 0 : -1;
}

/* Median time of `repeat` runs of fit + 10-fold CV of opt on prob. */
static double time_fit_cv(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			  size_t repeat, int with_fit, cewb_xval_result *keep,
			  cewb_fit_result *fkeep)
{
	double *t = malloc(repeat * sizeof *t), *tc = malloc(repeat * sizeof *tc), m;
	cewb_xval_options xo = cewb_xval_options_default();
	size_t r;
	for (r = 0; r < repeat; r++) {
		cewb_xval_result xr;
		cewb_fit_result fr;
		cewb_error e;
		double t0 = bench_now(), c0 = cpu_now();
		if (with_fit && cewb_fit(prob, opt, &fr, &e)) {
			fprintf(stderr, "fit: %s\n", e.message);
			exit(1);
		}
		if (cewb_xval(prob, opt, &xo, &xr, &e)) {
			fprintf(stderr, "validate: %s\n", e.message);
			exit(1);
		}
		t[r] = bench_now() - t0;
		tc[r] = cpu_now() - c0;
		if (r + 1 == repeat) {
			*keep = xr;
			if (with_fit)
				*fkeep = fr;
		} else {
			cewb_xval_result_release(&xr);
			if (with_fit)
				cewb_fit_result_release(&fr);
		}
	}
	m = bench_median(t, repeat);
	last_cpu = bench_median(tc, repeat);
	free(t);
	free(tc);
	return m;
}

static void bench_agpd(size_t repeat)
{
	char path[4096], line[160];
	size_t n, p, j;
	double *X, *y, *L;
	cewb_fit_problem pr;
	static const cewb_fit_method lin[] = {CEWB_FIT_OLS, CEWB_FIT_RIDGE, CEWB_FIT_PRIOR};
	snprintf(path, sizeof path, "%s/tests/data/agpd_Xy.txt", CEWB_TOP_SRCDIR);
	if (read_xy(path, &n, &p, &X, &y)) {
		printf("Ag-Pd data (%s) not found: skipped\n", path);
		return;
	}
	memset(&pr, 0, sizeof pr);
	pr.n_rows = n;
	pr.n_cols = p;
	pr.X = X;
	pr.y = y;
	/* a diagonal prior growing with the parameter index (longer range, larger lambda) */
	L = calloc(p * p, sizeof *L);
	for (j = 1; j < p; j++)
		L[j * p + j] = 1e-2 * (double)j;
	pr.lambda = L;
	printf("Ag-Pd sensing matrix %zu x %zu\n", n, p);
	{
		cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_ARDR);
		cewb_xval_result xr;
		cewb_fit_result fr;
		double t;
		o.n_threads = small_threads;
		t = time_fit_cv(&pr, &o, repeat, 0, &xr, &fr);
		snprintf(line, sizeof line, "   (cv %.2f meV/atom, reference 1.91; %.1f nonzero)",
			 1e3 * xr.rmse_validation, xr.n_nonzero);
		report("ardr 10-fold cv (standardised)", t, 50e-3, line);
		cewb_xval_result_release(&xr);
	}
	for (j = 0; j < sizeof lin / sizeof lin[0]; j++) {
		cewb_fit_options o = cewb_fit_options_default(lin[j]);
		cewb_xval_result xr;
		cewb_fit_result fr;
		char what[64];
		double t;
		o.alpha = 1e-3;
		o.n_threads = small_threads;
		t = time_fit_cv(&pr, &o, repeat, 1, &xr, &fr);
		snprintf(what, sizeof what, "%s fit + 10-fold cv", cewb_fit_method_name(lin[j]));
		snprintf(line, sizeof line, "   (cv %.2f, train %.2f meV/atom)",
			 1e3 * xr.rmse_validation, 1e3 * fr.rmse_train);
		report(what, t, 10e-3, line);
		cewb_xval_result_release(&xr);
		cewb_fit_result_release(&fr);
	}
	{
		/* for comparison: the Bayesian fits and validation by refitting */
		cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_BAYES);
		cewb_xval_result xr;
		cewb_fit_result fr;
		double t;
		o.n_threads = small_threads;
		t = time_fit_cv(&pr, &o, repeat, 1, &xr, &fr);
		snprintf(line, sizeof line, "   (cv %.2f meV/atom, reference 1.88)",
			 1e3 * xr.rmse_validation);
		printf("%-42s %8.2f ms  (no target)          (cpu %.2f ms)%s\n",
		       "bayes fit + 10-fold cv", 1e3 * t, 1e3 * last_cpu, line);
		cewb_xval_result_release(&xr);
		cewb_fit_result_release(&fr);
	}
	free(L);
	free(X);
	free(y);
}

static void bench_synthetic(size_t repeat)
{
	size_t n = 4000, p = 1000, i, j, r, wrong = 0;
	double *X = malloc(n * p * sizeof *X), *y = malloc(n * sizeof *y);
	double *t = calloc(p, sizeof *t);
	double *times = malloc(repeat * sizeof *times), *tc = malloc(repeat * sizeof *tc);
	cewb_rng g;
	cewb_fit_problem pr;
	cewb_fit_options o = cewb_fit_options_default(CEWB_FIT_ARDR);
	char line[120];
	cewb_rng_seed(&g, 7);
	for (i = 0; i < n * p; i++)
		X[i] = cewb_rng_normal(&g);
	for (j = 0; j < 50; j++)
		t[j * 20 + 3] = cewb_rng_normal(&g); /* 50 nonzeros spread over the columns */
	for (i = 0; i < n; i++)
		y[i] = cblas_ddot((int)p, X + i * p, 1, t, 1) + 0.01 * cewb_rng_normal(&g);
	memset(&pr, 0, sizeof pr);
	pr.n_rows = n;
	pr.n_cols = p;
	pr.X = X;
	pr.y = y;
	o.standardize = 0; /* raw columns, as the reference ran it */
	o.n_threads = large_threads;
	for (r = 0; r < repeat; r++) {
		cewb_fit_result fr;
		cewb_error e;
		double t0 = bench_now(), c0 = cpu_now();
		if (cewb_fit(&pr, &o, &fr, &e)) {
			fprintf(stderr, "ardr: %s\n", e.message);
			exit(1);
		}
		times[r] = bench_now() - t0;
		tc[r] = cpu_now() - c0;
		wrong = 0;
		for (j = 0; j < p; j++)
			wrong += (fr.eci[j] != 0.0) != (t[j] != 0.0);
		cewb_fit_result_release(&fr);
	}
	snprintf(line, sizeof line, "   (support %s: %zu wrong of %zu)", wrong ? "WRONG" : "exact",
		 wrong, p);
	last_cpu = bench_median(tc, repeat);
	{
		/* calibration: X'X alone by dsyrk, the floor of any method working in
		 * the Gram matrix, so that a loaded machine shows in its time */
		double *G = malloc(p * p * sizeof *G), *ts = malloc(repeat * sizeof *ts);
		for (r = 0; r < repeat; r++) {
			double t0 = bench_now();
			cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)n, 1.0, X,
				    (int)p, 0.0, G, (int)p);
			ts[r] = bench_now() - t0;
		}
		printf("%-42s %8.2f ms  (calibration: the Gram matrix alone)\n",
		       "  X'X by dsyrk, 4000 x 1000", 1e3 * bench_median(ts, repeat));
		free(G);
		free(ts);
	}
	report("ardr 4000 x 1000, 50 nonzero, noise 0.01", bench_median(times, repeat), 100e-3, line);
	if (wrong)
		n_failed++;
	free(X);
	free(y);
	free(t);
	free(times);
	free(tc);
}

int main(int argc, char **argv)
{
	int c, threads = 0;
	size_t repeat = 9;
	while ((c = getopt(argc, argv, "t:r:")) != -1) {
		if (c == 't')
			threads = atoi(optarg);
		else if (c == 'r')
			repeat = (size_t)atoi(optarg);
		else {
			fprintf(stderr, "usage: bench_fit [-t THREADS] [-r REPEATS]\n");
			return 2;
		}
	}
	if (repeat < 1)
		repeat = 1;
	large_threads = threads > 0 ? threads : openblas_get_num_procs();
	small_threads = threads > 0 ? threads : 1;
	printf("bench_fit: medians of %zu repeats; BLAS threads %d (Ag-Pd), %d (synthetic); "
	       "%d cores\n", repeat, small_threads, large_threads, openblas_get_num_procs());
	{
		double la[3];
		if (getloadavg(la, 3) == 3)
			printf("load average %.2f (wall times grow with it)\n", la[0]);
	}
	bench_agpd(repeat);
	bench_synthetic(repeat < 5 ? repeat : 5);
	printf("%s\n", n_failed ? "some targets missed" : "all targets met");
	return 0;
}
