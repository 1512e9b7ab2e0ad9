/*
 * test_phonon_plot.c - the phonon plots (src/plot/plot_phonon.h): text
 * plots through gnuplot's dumb terminal, a PNG file, the data table when
 * gnuplot is missing, and refusals of empty data.
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../src/plot/plot_phonon.h"
#include "tap.h"

#define NP 21	/* points: two segments of 11 with the end point repeated */

int main(void)
{
	double dist[2 * 11], freq[2 * 11 * 3], pos[3] = { 0, 1, 2 };
	const char *lab[3] = { "G", "X", "K|U" };
	double f[NP], g[NP], T[NP], F[NP], S[NP], C[NP];
	plot_options o;
	plot_result r;
	cewb_error err;
	int have = system(CEWB_GNUPLOT " -e 'exit' >/dev/null 2>&1") == 0;

	/* A linear chain-like band: sin(pi x / 2) and two flat optical bands. */
	for (int p = 0; p < 22; p++) {
		dist[p] = p < 11 ? p / 10.0 : 1 + (p - 11) / 10.0;
		freq[3 * p] = 5 * sin(M_PI * dist[p] / 2);
		freq[3 * p + 1] = 7;
		freq[3 * p + 2] = 8;
	}
	for (int i = 0; i < NP; i++) {
		f[i] = i * 0.5;
		g[i] = exp(-(f[i] - 5) * (f[i] - 5));
		T[i] = 50.0 * i;
		F[i] = 3 - 0.01 * T[i];
		S[i] = 0.05 * T[i];
		C[i] = 24.9 * (1 - exp(-T[i] / 100));
	}
	memset(&o, 0, sizeof o);
	o.dest = PLOT_TO_TEXT;
	o.text_cols = 80;
	o.text_rows = 24;
	plot_result_init(&r);

	if (have) {
		ok(plot_dispersion(22, 3, dist, freq, 11, 3, pos, lab, &o, &r, &err) == CEWB_OK &&
		   r.text && strstr(r.text, "phonon dispersion") && strstr(r.text, "K|U"),
		   "dispersion: text plot with its title and tick labels");
		plot_result_release(&r);
		ok(plot_dos(NP, f, g, 0.1, &o, &r, &err) == CEWB_OK && r.text &&
		   strstr(r.text, "phonon density of states (Gaussian smearing 0.1 THz)"),
		   "dos: text plot with the smearing in its title");
		plot_result_release(&r);
		ok(plot_thermal(NP, T, F, S, C, &o, &r, &err) == CEWB_OK && r.text &&
		   strstr(r.text, "harmonic thermodynamics") && strstr(r.text, "C (J/K/mol)"),
		   "thermal: text plot with the key");
		plot_result_release(&r);

		char png[] = "/tmp/cewb-phonon-plot-XXXXXX.png";
		int fd = mkstemps(png, 4);
		close(fd);
		unlink(png);
		o.dest = PLOT_TO_FILE;
		o.output = png;
		int st = plot_dispersion(22, 3, dist, freq, 11, 3, pos, lab, &o, &r, &err);
		FILE *fp = fopen(png, "rb");
		unsigned char sig[8] = { 0 };
		int is_png = fp && fread(sig, 1, 8, fp) == 8 && memcmp(sig, "\x89PNG", 4) == 0;
		if (fp)
			fclose(fp);
		ok(st == CEWB_OK && is_png, "dispersion: a PNG file%s%s", st ? ": " : "",
		   st ? err.message : "");
		unlink(png);
		plot_result_release(&r);
		o.dest = PLOT_TO_TEXT;
		o.output = NULL;
	} else {
		for (int k = 0; k < 4; k++)
			ok(1, "# SKIP no gnuplot");
	}

	/* Without gnuplot: the data as a table, segments apart. */
	setenv("CEWB_GNUPLOT", "/nonexistent/gnuplot", 1);
	ok(plot_dispersion(22, 3, dist, freq, 11, 3, pos, lab, &o, &r, &err) == CEWB_EIO &&
	   r.text && strstr(r.text, "# phonon dispersion: distance (1/Å), 3 frequencies (THz)") &&
	   strstr(r.text, "\n\n") && !strstr(r.text, "EOD"),
	   "missing gnuplot: the bands as a table, a blank line between segments");
	plot_result_release(&r);
	ok(plot_thermal(NP, T, F, S, C, &o, &r, &err) == CEWB_EIO && r.text &&
	   strstr(r.text, "F (kJ/mol)") && strstr(r.text, "1000.00"),
	   "missing gnuplot: thermodynamics as a table");
	plot_result_release(&r);
	ok(plot_dos(NP, f, g, 0.1, &o, &r, &err) == CEWB_EIO && r.text &&
	   strstr(r.text, "states/THz"), "missing gnuplot: DOS as a table");
	plot_result_release(&r);

	ok(plot_dispersion(0, 3, dist, freq, 11, 3, pos, lab, &o, &r, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "no band structure to plot") == 0, "no bands: %s", err.message);
	ok(plot_dos(0, f, g, 0.1, &o, &r, &err) == CEWB_EINVAL, "no DOS: %s", err.message);
	ok(plot_thermal(NP, T, NULL, S, C, &o, &r, &err) == CEWB_EINVAL, "no free energy: %s",
	   err.message);
	return done_testing();
}
