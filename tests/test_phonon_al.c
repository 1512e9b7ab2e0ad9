/*
 * test_phonon_al.c - phonons of aluminium against phonopy's figures in
 * examples/fce-al/README.md.
 *
 * The second-order force constants are fitted (OLS) to the forces of the
 * twenty sigma = 0.01 Å frames in the force-constant space of every pair of
 * the 108-atom cell (the pairs phonopy's finite displacements in that cell
 * see), with the acoustic sum rule.  The README asks frequencies within
 * 0.5 % and the free energy (32^3 Γ-centred mesh, zero-point energy
 * included) within 0.02 kJ/mol.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cewb/fce.h"
#include "cewb/fit.h"
#include "cewb/lattice.h"
#include "cewb/phonon.h"
#include "tap.h"

/* top_srcdir/rel, in a static buffer. */
static const char *data_path(const char *rel)
{
	static char buf[4096];
	const char *top = getenv("top_srcdir");
	snprintf(buf, sizeof buf, "%s/%s", top ? top : ".", rel);
	return buf;
}

/* The fitted force constants, or NULL after a failed test point. */
static cewb_fc2 *fit_al(void)
{
	cewb_frames prim = { 0, NULL }, sc = { 0, NULL }, train = { 0, NULL };
	cewb_lattice *lat = NULL;
	cewb_fce_space *sp = NULL;
	cewb_fc2 *fc = NULL;
	cewb_error err;
	double cut[1] = { 100.0 }, *X = NULL, *y = NULL;
	size_t rows = 0;

	if (!ok(cewb_extxyz_read(data_path("examples/fce-al/primitive.xyz"), &prim, &err) == 0 &&
		cewb_lattice_build(prim.frames[0], NULL, CEWB_SYMPREC_DEFAULT, &lat, &err) == 0 &&
		cewb_extxyz_read(data_path("examples/fce-al/supercell_ideal.xyz"), &sc,
				 &err) == 0 &&
		cewb_extxyz_read(data_path("examples/fce-al/training_rattled.xyz"), &train,
				 &err) == 0 &&
		cewb_fce_space_build_supercell(lat, sc.frames[0], 1e-3, cut, 1,
					       CEWB_FCE_ACOUSTIC, &sp, &err) == 0,
		"aluminium data and the pair space of the 108-atom cell")) {
		diag("%s", err.message);
		goto done;
	}
	size_t np = cewb_fce_space_n_params(sp), N = sc.frames[0]->n_atoms, used = 0;
	for (size_t f = 0; f < train.n; f++) {
		const cewb_structure *s = train.frames[f];
		const cewb_array *F = cewb_structure_array(s, "forces");
		const cewb_array *D = cewb_structure_array(s, "displacements");
		double sg;
		if (cewb_structure_info_real(s, "sigma", &sg, &err) || fabs(sg - 0.01) > 1e-9)
			continue;
		cewb_structure *id = cewb_structure_copy(s);
		for (size_t a = 0; a < N; a++)
			for (int x = 0; x < 3; x++)
				id->pos[a][x] -= D->real[3 * a + x];
		X = realloc(X, (rows + 3 * N) * np * sizeof *X);
		y = realloc(y, (rows + 3 * N) * sizeof *y);
		int st = cewb_fce_sensing(sp, id, (const double(*)[3])D->real, 1e-3, X + rows * np,
					  &err);
		cewb_structure_free(id);
		if (st) {
			ok(0, "sensing rows of frame %zu: %s", f, err.message);
			goto done;
		}
		memcpy(y + rows, F->real, 3 * N * sizeof *y);
		rows += 3 * N;
		used++;
	}
	cewb_fit_problem prob;
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_OLS);
	cewb_fit_result res;
	memset(&prob, 0, sizeof prob);
	memset(&res, 0, sizeof res);
	prob.n_rows = rows;
	prob.n_cols = np;
	prob.X = X;
	prob.y = y;
	if (!ok(used == 20 && cewb_fit(&prob, &opt, &res, &err) == 0,
		"OLS fit of %zu parameters to the forces of %zu frames", np, used)) {
		diag("%s", err.message);
		goto done;
	}
	if (cewb_fce_fc2(sp, res.eci, &fc, &err))
		diag("fc2: %s", err.message);
	cewb_fit_result_release(&res);
done:
	free(X);
	free(y);
	cewb_fce_space_free(sp);
	cewb_lattice_free(lat);
	cewb_frames_release(&prim);
	cewb_frames_release(&sc);
	cewb_frames_release(&train);
	return fc;
}

int main(void)
{
	cewb_fc2 *fc = fit_al();
	cewb_error err;
	if (!ok(fc != NULL, "second-order force constants of the fit"))
		return done_testing();
	is_double(26.9815386, fc->masses[0], 1e-4, "aluminium mass (amu)");

	/* README: phonopy's frequencies (THz). */
	const double q[4][3] = { { 0.5, 0, 0.5 }, { 0.5, 0.5, 0.5 }, { 0.5, 0.25, 0.75 },
				 { 0.375, 0.375, 0.75 } };
	const double ref[4][3] = { { 5.634, 5.634, 8.600 }, { 3.498, 3.498, 8.559 },
				   { 5.583, 7.323, 7.323 }, { 5.023, 6.848, 7.907 } };
	const char *name[4] = { "X", "L", "W", "K" };
	for (int k = 0; k < 4; k++) {
		double f[3], worst = 0;
		cewb_phonon_frequencies(fc, q[k], f, NULL, &err);
		for (int i = 0; i < 3; i++)
			worst = fmax(worst, fabs(f[i] / ref[k][i] - 1));
		ok(worst < 0.005, "%s: %.3f %.3f %.3f THz, phonopy %.3f %.3f %.3f (worst %.2f %%)",
		   name[k], f[0], f[1], f[2], ref[k][0], ref[k][1], ref[k][2], 100 * worst);
	}

	/* README: free energy on the 32^3 mesh (kJ/mol). */
	cewb_phonon_mesh m;
	int mesh[3] = { 32, 32, 32 };
	double T[6] = { 0, 100, 200, 300, 500, 1000 }, F[6], S[6], C[6];
	const double Fref[6] = { 3.289, 3.005, 1.464, -1.160, -8.585, -34.696 };
	ok(cewb_phonon_mesh_compute(fc, mesh, 0, &m, &err) == 0 && m.n_imaginary == 0,
	   "32^3 mesh, no imaginary modes");
	cewb_phonon_thermal(&m, 6, T, F, S, C, &err);
	for (int t = 0; t < 6; t++)
		ok(fabs(F[t] - Fref[t]) < 0.02,
		   "F(%g K) = %.3f kJ/mol, phonopy %.3f (S %.3f, C %.3f J/K/mol)", T[t], F[t],
		   Fref[t], S[t], C[t]);
	cewb_phonon_mesh_release(&m);
	cewb_fc2_free(fc);
	return done_testing();
}
