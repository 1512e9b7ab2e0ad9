/*
 * Benchmarks of the enumeration of derivative structures, each printed
 * next to its target (median of repeated runs, one core), with the count
 * it must give.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cewb/enumerate.h"
#include "bench_util.h"

/* The fcc lattice with the given species. */
static cewb_lattice *fcc(const char *species)
{
	const double h = 2.045, c[3][3] = { { 0, h, h }, { h, 0, h }, { h, h, 0 } };
	cewb_structure *s = cewb_structure_alloc(1);
	cewb_lattice *lat = NULL;
	cewb_error err;
	memcpy(s->cell, c, sizeof s->cell);
	s->numbers[0] = 47;
	if (cewb_lattice_build(s, species, 1e-5, &lat, &err)) {
		fprintf(stderr, "bench: %s\n", err.message);
		exit(1);
	}
	cewb_structure_free(s);
	return lat;
}

/* Time one enumeration (median of reps); 1 when the count is wrong. */
static int bench(const char *what, const char *species, size_t max_size, int count_only,
		 size_t expect, double target, int reps)
{
	cewb_lattice *lat = fcc(species);
	cewb_enum_options o;
	double t[16];
	size_t n = 0;
	cewb_error err;

	memset(&o, 0, sizeof o);
	o.min_size = 1;
	o.max_size = max_size;
	o.count_only = count_only;
	for (int r = 0; r < reps; r++) {
		cewb_enum_result *res;
		double t0 = bench_now();
		if (cewb_enum_run(lat, &o, &res, &err)) {
			fprintf(stderr, "bench: %s\n", err.message);
			exit(1);
		}
		t[r] = bench_now() - t0;
		n = res->n;
		cewb_enum_result_free(res);
	}
	qsort(t, (size_t)reps, sizeof *t, bench_cmp_double);
	printf("%-44s %8zu %9.4f s   target <= %.3f s   %s\n", what, n, t[reps / 2], target,
	       n != expect ? "WRONG COUNT" : t[reps / 2] <= target ? "ok" : "MISSED");
	cewb_lattice_free(lat);
	return n != expect;
}

int main(void)
{
	int bad = 0;
	printf("%-44s %8s %11s\n", "enumeration (fcc)", "count", "median");
	bad |= bench("binary, sizes 1-8 (icet: 631)", "Ag,Pd", 8, 0, 631, 0.5, 9);
	bad |= bench("ternary, sizes 1-6 (icet: 1081)", "Ag,Pd,Cu", 6, 0, 1081, 0.5, 9);
	bad |= bench("binary, sizes 1-10", "Ag,Pd", 10, 0, 2346, 5.0, 5);
	bad |= bench("binary, sizes 1-14", "Ag,Pd", 14, 0, 34368, 10.0, 3);
	bad |= bench("binary, sizes 1-16, counting only", "Ag,Pd", 16, 1, 163373, 30.0, 3);
	bad |= bench("ternary, sizes 1-9", "Ag,Pd,Cu", 9, 0, 23799, 10.0, 3);
	return bad;
}
