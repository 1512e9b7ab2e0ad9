/*
 * Benchmarks of the cluster space and cluster vectors, each printed next
 * to its target (medians of repeated runs, one core).
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cewb/lattice.h"
#include "cewb/space.h"
#include "cewb/structure.h"
#include "bench_util.h"

/* Cluster vector of an n x n x n fcc supercell with a random decoration. */
static double big_cell(const cewb_space *sp, int n, int reps)
{
	int P[3][3] = { { n, 0, 0 }, { 0, n, 0 }, { 0, 0, n } };
	cewb_supercell *sc;
	cewb_structure *s;
	cewb_error err;
	double t[16], *cv = malloc(sp->n_params * sizeof *cv);
	unsigned seed = 12345;
	if (cewb_supercell_from_matrix(sp->lattice, (const int(*)[3])P, &sc, &err)) {
		fprintf(stderr, "bench: %s\n", err.message);
		exit(1);
	}
	s = cewb_supercell_structure(sp->lattice, sc, NULL);
	for (size_t a = 0; a < s->n_atoms; a++) {
		seed = seed * 1103515245u + 12345u;
		s->numbers[a] = sp->lattice->allowed[0][(seed >> 16) & 1];
	}
	for (int r = 0; r < reps; r++) {
		double t0 = bench_now();
		if (cewb_cvec_compute(sp, s, 1e-3, cv, &err)) {
			fprintf(stderr, "bench: %s\n", err.message);
			exit(1);
		}
		t[r] = bench_now() - t0;
	}
	cewb_structure_free(s);
	cewb_supercell_free(sc);
	free(cv);
	return bench_median(t, reps);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	cewb_frames fr = { 0, NULL }, all = { 0, NULL };
	cewb_error err;
	cewb_lattice *lat;
	cewb_space *sp = NULL, *sp2 = NULL;
	double cut[3] = { 13.5, 6.5, 6.0 }, cut2[3] = { 8.0, 6.0, 5.0 }, t[16];
	double *cv;
	int reps = 7;

	snprintf(path, sizeof path, "%s/examples/agpd/primitive.xyz", top ? top : CEWB_TOP_SRCDIR);
	if (cewb_extxyz_read(path, &fr, &err) ||
	    cewb_lattice_build(fr.frames[0], "Ag,Pd", 1e-5, &lat, &err)) {
		fprintf(stderr, "bench: %s\n", err.message);
		return 1;
	}
	for (int r = 0; r < reps; r++) {
		double t0 = bench_now();
		cewb_space_free(sp);
		if (cewb_space_build(lat, cut, 3, &sp, &err)) {
			fprintf(stderr, "bench: %s\n", err.message);
			return 1;
		}
		t[r] = bench_now() - t0;
	}
	bench_report("Ag-Pd cluster space 13.5 6.5 6.0", bench_median(t, reps), 0.05);

	snprintf(path, sizeof path, "%s/examples/agpd/structures.xyz", top ? top : CEWB_TOP_SRCDIR);
	if (cewb_extxyz_read(path, &all, &err)) {
		fprintf(stderr, "bench: %s\n", err.message);
		return 1;
	}
	cv = malloc(sp->n_params * sizeof *cv);
	for (int r = 0; r < reps; r++) {
		double t0 = bench_now();
		for (size_t f = 0; f < all.n; f++)
			if (cewb_cvec_compute(sp, all.frames[f], 1e-3, cv, &err)) {
				fprintf(stderr, "bench: %s\n", err.message);
				return 1;
			}
		t[r] = bench_now() - t0;
	}
	bench_report("Ag-Pd cluster vectors, all 625 structures", bench_median(t, reps), 0.3);

	if (cewb_space_build(lat, cut2, 3, &sp2, &err)) {
		fprintf(stderr, "bench: %s\n", err.message);
		return 1;
	}
	{
		double t8 = big_cell(sp2, 8, reps), t16 = big_cell(sp2, 16, reps);
		bench_report("4096-atom fcc cell, cutoffs 8 6 5", t16, 0.1);
		printf("%-46s %9.2f     (linear: 8.00)\n", "  time ratio 4096 / 512 atoms", t16 / t8);
	}
	free(cv);
	cewb_space_free(sp);
	cewb_space_free(sp2);
	cewb_lattice_free(lat);
	cewb_frames_release(&fr);
	cewb_frames_release(&all);
	return 0;
}
