/*
 * bench_phonon.c - phonons on a mesh: frequencies and harmonic
 * thermodynamics (11 temperatures) of fcc nearest-neighbour springs on a
 * 32^3 Γ-centred mesh, with the 1-atom primitive cell and the 4-atom cubic
 * cell; then the band path (51 points per segment).
 * Target: the 1-atom 32^3 mesh and thermodynamics well under a second.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cewb/phonon.h"

/* Seconds since t0. */
static double since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + 1e-9 * (double)(t.tv_nsec - t0->tv_nsec);
}

/* Springs k = 1.5 eV/Å^2 to the nearest neighbours of fcc (a = 4 Å). */
static cewb_fc2 *springs(const double cell[3][3], size_t n, const double (*pos)[3])
{
	const double a = 4.0, dnn = a / sqrt(2.0);
	cewb_fc2 *fc = cewb_fc2_alloc(n);
	if (!fc)
		return NULL;
	memcpy(fc->cell, cell, sizeof fc->cell);
	for (size_t i = 0; i < n; i++) {
		memcpy(fc->pos[i], pos[i], sizeof fc->pos[i]);
		fc->numbers[i] = 13;
		fc->masses[i] = 27.0;
	}
	for (size_t i = 0; i < n; i++) {
		double self[3][3] = { { 0 } };
		int R0[3] = { 0, 0, 0 };
		for (size_t j = 0; j < n; j++)
			for (int r0 = -2; r0 <= 2; r0++)
				for (int r1 = -2; r1 <= 2; r1++)
					for (int r2 = -2; r2 <= 2; r2++) {
						int R[3] = { r0, r1, r2 };
						double d[3], phi[3][3], l;
						for (int x = 0; x < 3; x++)
							d[x] = pos[j][x] - pos[i][x] +
							       r0 * cell[0][x] + r1 * cell[1][x] +
							       r2 * cell[2][x];
						l = sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
						if (fabs(l - dnn) > 1e-9)
							continue;
						for (int x = 0; x < 3; x++)
							for (int y = 0; y < 3; y++) {
								phi[x][y] = -1.5 * d[x] * d[y] /
									    (l * l);
								self[x][y] -= phi[x][y];
							}
						cewb_fc2_add(fc, i, j, R, phi);
					}
		cewb_fc2_add(fc, i, i, R0, self);
	}
	return fc;
}

/* Mesh and thermodynamics of fc; returns the seconds taken. */
static double run(const cewb_fc2 *fc, const char *name)
{
	cewb_phonon_mesh m;
	cewb_error err;
	int mesh[3] = { 32, 32, 32 };
	double T[11], F[11], S[11], C[11], t;
	struct timespec t0;
	for (int k = 0; k < 11; k++)
		T[k] = 100.0 * k;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cewb_phonon_mesh_compute(fc, mesh, 0, &m, &err) ||
	    cewb_phonon_thermal(&m, 11, T, F, S, C, &err)) {
		printf("%s: %s\n", name, err.message);
		return INFINITY;
	}
	t = since(&t0);
	printf("%-28s 32^3 mesh, %2zu modes, F(300 K) %.4f kJ/mol: %.3f s\n", name, m.n_modes,
	       F[3], t);
	cewb_phonon_mesh_release(&m);
	return t;
}

int main(void)
{
	const double a = 4.0;
	const double prim[3][3] = { { 0, a / 2, a / 2 }, { a / 2, 0, a / 2 }, { a / 2, a / 2, 0 } };
	const double cub[3][3] = { { a, 0, 0 }, { 0, a, 0 }, { 0, 0, a } };
	const double p1[1][3] = { { 0, 0, 0 } };
	const double p4[4][3] = { { 0, 0, 0 }, { 0, a / 2, a / 2 }, { a / 2, 0, a / 2 },
				  { a / 2, a / 2, 0 } };
	cewb_fc2 *f1 = springs(prim, 1, p1), *f4 = springs(cub, 4, p4);
	cewb_phonon_bands b;
	cewb_error err;
	struct timespec t0;
	double t1;
	int fail = 0;

	if (!f1 || !f4)
		return 1;
	t1 = run(f1, "fcc, 1-atom primitive cell");
	run(f4, "fcc, 4-atom cubic cell");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (cewb_phonon_bands_compute(f1, 51, 1e-5, &b, &err) == CEWB_OK) {
		printf("%-28s %zu points: %.3f s\n", "band path (fcc)", b.n_points, since(&t0));
		cewb_phonon_bands_release(&b);
	}
	fail = !(t1 < 1.0);
	printf("target: 1-atom 32^3 mesh with thermodynamics under 1 s: %s\n",
	       fail ? "MISSED" : "met");
	cewb_fc2_free(f1);
	cewb_fc2_free(f4);
	return fail;
}
