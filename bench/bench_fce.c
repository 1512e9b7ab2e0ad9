/*
 * Benchmarks of force-constant expansions on fcc aluminium
 * (examples/fce-al): the sensing matrix of the 60 rattled 108-atom frames
 * with cutoffs 5/4 Å and an OLS fit to their forces, each printed next to
 * its target; then the parameter count and times as the cutoffs grow.
 * Medians of repeated runs.
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cewb/fce.h"
#include "cewb/fit.h"
#include "cewb/lattice.h"
#include "cewb/structure.h"
#include "bench_util.h"

static void die(const char *what, const cewb_error *err)
{
	fprintf(stderr, "bench_fce: %s: %s\n", what, err->message);
	exit(1);
}

static cewb_lattice *lat;
static cewb_frames frames;
static cewb_structure **ideal;	/* per frame: positions minus displacements */
static double (**disp)[3];

static void load(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	cewb_frames f = { 0, NULL };
	cewb_error err;
	snprintf(path, sizeof path, "%s/examples/fce-al/primitive.xyz", top ? top : ".");
	if (cewb_extxyz_read(path, &f, &err) ||
	    cewb_lattice_build(f.frames[0], NULL, CEWB_SYMPREC_DEFAULT, &lat, &err))
		die("lattice", &err);
	cewb_frames_release(&f);
	snprintf(path, sizeof path, "%s/examples/fce-al/training_rattled.xyz", top ? top : ".");
	if (cewb_extxyz_read(path, &frames, &err))
		die("frames", &err);
	ideal = malloc(frames.n * sizeof *ideal);
	disp = malloc(frames.n * sizeof *disp);
	for (size_t k = 0; k < frames.n; k++) {
		const cewb_structure *s = frames.frames[k];
		const cewb_array *d = cewb_structure_array(s, "displacements");
		ideal[k] = cewb_structure_copy(s);
		disp[k] = malloc(s->n_atoms * sizeof **disp);
		for (size_t a = 0; a < s->n_atoms; a++)
			for (int i = 0; i < 3; i++) {
				disp[k][a][i] = d->real[3 * a + i];
				ideal[k]->pos[a][i] -= d->real[3 * a + i];
			}
	}
}

/* Sensing matrix of every frame into X (rows stacked), forces into y. */
static void sensing_all(const cewb_fce_space *sp, double *X, double *y)
{
	size_t np = cewb_fce_space_n_params(sp), row = 0;
	cewb_error err;
	for (size_t k = 0; k < frames.n; k++) {
		const cewb_structure *s = frames.frames[k];
		if (cewb_fce_sensing(sp, ideal[k], (const double(*)[3])disp[k], 1e-3,
				     X + row * np, &err))
			die("sensing", &err);
		if (y)
			memcpy(y + row, cewb_structure_array(s, "forces")->real,
			       3 * s->n_atoms * sizeof *y);
		row += 3 * s->n_atoms;
	}
}

static double fit_ols(size_t rows, size_t np, const double *X, const double *y, double *rmse)
{
	cewb_fit_problem prob;
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_OLS);
	cewb_fit_result res;
	cewb_error err;
	double t0 = bench_now(), t;
	memset(&prob, 0, sizeof prob);
	memset(&res, 0, sizeof res);
	prob.n_rows = rows;
	prob.n_cols = np;
	prob.X = X;
	prob.y = y;
	opt.n_threads = 1;
	if (cewb_fit(&prob, &opt, &res, &err))
		die("fit", &err);
	t = bench_now() - t0;
	*rmse = res.rmse_train;
	cewb_fit_result_release(&res);
	return t;
}

int main(void)
{
	static const double cuts[][3] = { { 4.0, 3.0, 0 }, { 5.0, 4.0, 0 }, { 6.0, 4.5, 0 },
					  { 7.0, 5.0, 0 }, { 8.0, 6.0, 0 }, { 5.0, 4.0, 3.0 },
					  { 6.0, 4.5, 3.5 }, { 7.0, 5.0, 4.5 } };
	size_t rows;
	cewb_error err;
	load();
	rows = 0;
	for (size_t k = 0; k < frames.n; k++)
		rows += 3 * frames.frames[k]->n_atoms;

	/* The target: sensing of 60 frames with cutoffs 5/4 plus OLS. */
	{
		double c[2] = { 5.0, 4.0 }, tb[5], ts[5], tf[5], tt[5], rmse = 0;
		cewb_fce_space *sp = NULL;
		size_t np;
		double *X, *y;
		for (int r = 0; r < 5; r++) {
			double t0 = bench_now();
			cewb_fce_space_free(sp);
			if (cewb_fce_space_build(lat, c, 2, CEWB_FCE_ACOUSTIC, &sp, &err))
				die("space", &err);
			tb[r] = bench_now() - t0;
		}
		np = cewb_fce_space_n_params(sp);
		X = malloc(rows * np * sizeof *X);
		y = malloc(rows * sizeof *y);
		for (int r = 0; r < 5; r++) {
			double t0 = bench_now();
			sensing_all(sp, X, y);
			ts[r] = bench_now() - t0;
			tf[r] = fit_ols(rows, np, X, y, &rmse);
			tt[r] = ts[r] + tf[r];
		}
		printf("fcc Al, 60 frames x 108 atoms, cutoffs 5/4 Å: %zu orbits, %zu free, "
		       "%zu parameters (acoustic sum rules), %zu rows\n",
		       cewb_fce_space_n_orbits(sp), cewb_fce_space_n_free(sp), np, rows);
		bench_report("space 5/4 (with sum rules)", bench_median(tb, 5), 0.1);
		bench_report("sensing matrix, 60 frames", bench_median(ts, 5), 0.5);
		bench_report("OLS fit", bench_median(tf, 5), 0.5);
		bench_report("sensing + OLS, 60 frames", bench_median(tt, 5), 1.0);
		printf("  force RMSE of the fit %.4f eV/Å\n", rmse);
		free(X);
		free(y);
		cewb_fce_space_free(sp);
	}

	/* Growth with the cutoffs. */
	printf("\n%-16s %7s %7s %7s %10s %10s %10s\n", "cutoffs (Å)", "orbits", "free", "params",
	       "space s", "sensing s", "OLS s");
	for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
		size_t nc = cuts[k][2] > 0 ? 3 : 2, np;
		cewb_fce_space *sp;
		double t0 = bench_now(), tb, ts, tf, rmse, *X, *y;
		char label[64];
		if (cewb_fce_space_build(lat, cuts[k], nc, CEWB_FCE_ACOUSTIC, &sp, &err))
			die("space", &err);
		tb = bench_now() - t0;
		np = cewb_fce_space_n_params(sp);
		X = malloc(rows * np * sizeof *X);
		y = malloc(rows * sizeof *y);
		t0 = bench_now();
		sensing_all(sp, X, y);
		ts = bench_now() - t0;
		tf = fit_ols(rows, np, X, y, &rmse);
		if (nc == 3)
			snprintf(label, sizeof label, "%g/%g/%g", cuts[k][0], cuts[k][1],
				 cuts[k][2]);
		else
			snprintf(label, sizeof label, "%g/%g", cuts[k][0], cuts[k][1]);
		printf("%-16s %7zu %7zu %7zu %10.4f %10.4f %10.4f\n", label,
		       cewb_fce_space_n_orbits(sp), cewb_fce_space_n_free(sp), np, tb, ts, tf);
		free(X);
		free(y);
		cewb_fce_space_free(sp);
	}
	for (size_t k = 0; k < frames.n; k++) {
		cewb_structure_free(ideal[k]);
		free(disp[k]);
	}
	free(ideal);
	free(disp);
	cewb_frames_release(&frames);
	cewb_lattice_free(lat);
	return 0;
}
