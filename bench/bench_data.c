/*
 * bench_data.c - loading, mapping and diagnosing a large training set.
 *
 * 5000 relaxed Ag-Pd structures (random decorations of fcc supercells of 8
 * to 32 sites, strained by up to 3 % and displaced by up to 0.05 Å per
 * axis) are mapped onto the lattice, their cluster vectors computed in a
 * space of a few hundred parameters, and the sensing matrix diagnosed.
 * Target: each step in seconds (under 10 s) on one core.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cewb/dataset.h"
#include "cewb/sensing.h"

#define N_STRUCTURES 5000

/* Seconds since t0. */
static double since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

/* Deterministic pseudo-random numbers in [0, 1). */
static unsigned long long rng = 0x2545F4914F6CDD1DULL;
static double rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir");
	char path[512];
	snprintf(path, sizeof(path), "%s/examples/agpd/primitive.xyz", top ? top : ".");
	cewb_frames fr = { 0, NULL };
	cewb_error err;
	cewb_lattice *lat;
	cewb_space *sp;
	if (cewb_extxyz_read(path, &fr, &err) ||
	    cewb_lattice_build(fr.frames[0], "Ag,Pd", 1e-5, &lat, &err)) {
		fprintf(stderr, "bench_data: %s\n", err.message);
		return 1;
	}
	cewb_frames_release(&fr);
	/* cutoffs of pairs, triplets, quadruplets (arguments override them) */
	double cut[3] = { 14.0, 11.0, 8.0 };
	for (int k = 1; k < argc && k <= 3; k++)
		cut[k - 1] = atof(argv[k]);
	if (cewb_space_build(lat, cut, 3, &sp, &err)) {
		fprintf(stderr, "bench_data: %s\n", err.message);
		return 1;
	}

	/* the frames: supercells of a few shapes, decorated, strained, displaced */
	static const int shapes[6][3][3] = {
		{ { 2, 0, 0 }, { 0, 3, 0 }, { 0, 0, 2 } },
		{ { 2, 0, 0 }, { 0, 2, 0 }, { 0, 0, 4 } },
		{ { -1, 1, 1 }, { 1, -1, 1 }, { 2, 2, -2 } },
		{ { 2, 0, 0 }, { 0, 3, 0 }, { 0, 0, 4 } },
		{ { 1, 1, 0 }, { 0, 3, 1 }, { 2, 0, 3 } },
		{ { -2, 2, 2 }, { 2, -2, 2 }, { 2, 2, -2 } },
	};
	cewb_frames frames = { 0, NULL };
	size_t n_atoms = 0;
	for (size_t k = 0; k < N_STRUCTURES; k++) {
		cewb_supercell *sc;
		if (cewb_supercell_from_matrix(lat, shapes[k % 6], &sc, &err)) {
			fprintf(stderr, "bench_data: %s\n", err.message);
			return 1;
		}
		cewb_structure *s = cewb_supercell_structure(lat, sc, NULL);
		cewb_supercell_free(sc);
		double e = 1.0 + 0.03 * rnd();
		for (int r = 0; r < 3; r++)
			for (int c = 0; c < 3; c++)
				s->cell[r][c] *= e;
		for (size_t a = 0; a < s->n_atoms; a++) {
			s->numbers[a] = rnd() < 0.5 ? 46 : 47;
			for (int c = 0; c < 3; c++)
				s->pos[a][c] = s->pos[a][c] * e + 0.1 * (rnd() - 0.5);
		}
		cewb_structure_set_info_real(s, "energy", rnd() - 0.5, NULL);
		cewb_frames_append(&frames, s, &err);
		n_atoms += s->n_atoms;
	}

	cewb_dataset *ds = cewb_dataset_alloc(lat, sp);
	cewb_load_options opt;
	cewb_load_result res;
	cewb_load_options_default(&opt);
	opt.map = 1;
	opt.target_key = "energy";
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cewb_dataset_add_frames(ds, &frames, "bench", &opt, &res, &err)) {
		fprintf(stderr, "bench_data: %s\n", err.message);
		return 1;
	}
	double t_load = since(&t0);
	printf("map + cluster vectors: %d structures (%zu atoms), %zu parameters: %.2f s "
	       "(target < 10 s)\n", N_STRUCTURES, n_atoms, sp->n_params, t_load);
	printf("  %zu mapped, %zu warned, %zu refused, %zu duplicates\n", res.n_mapped,
	       res.n_warned, res.n_refused, res.n_duplicates);

	double *X, *y;
	size_t n;
	cewb_dataset_matrix(ds, &X, &y, NULL, NULL, &n, &err);
	cewb_sensing sd;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cewb_sensing_compute(X, n, sp->n_params, NULL, &sd, &err)) {
		fprintf(stderr, "bench_data: %s\n", err.message);
		return 1;
	}
	double t_sens = since(&t0);
	printf("sensing diagnostics: %zu x %zu, rank %zu: %.2f s (target < 10 s)\n", n,
	       sp->n_params, sd.rank, t_sens);
	cewb_sensing_release(&sd);
	free(X);
	free(y);
	cewb_dataset_free(ds);
	cewb_space_free(sp);
	cewb_lattice_free(lat);
	return t_load < 10 && t_sens < 10 ? 0 : 1;
}
