/*
 * bench_util.h - what every benchmark needs: a monotonic clock, the median
 * of repeated timings and the line that sets a figure next to its target.
 */
#ifndef CEWB_BENCH_UTIL_H
#define CEWB_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* qsort order of doubles, ascending. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Median of v[0..n) (v is sorted in place); NAN for n = 0. */
static inline double bench_median(double *v, size_t n)
{
	if (n == 0)
		return 0.0 / 0.0;
	qsort(v, n, sizeof *v, bench_cmp_double);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Print a timing next to its target; 1 when it meets the target. */
static inline int bench_report(const char *what, double sec, double target)
{
	printf("%-46s %9.4f s   target <= %.3f s   %s\n", what, sec, target,
	       sec <= target ? "ok" : "MISSED");
	return sec <= target;
}

#endif
