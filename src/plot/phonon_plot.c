/*
 * src/plot/phonon_plot.c - phonon plots (plot_phonon.h): band structure,
 * density of states and harmonic thermodynamics.
 *
 * As the other plots: the data go twice, as gnuplot datablocks in the
 * script and as a plain table (the fallback text), and user text reaches
 * gnuplot only quoted.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "plot_phonon.h"

/* Title and axis labels: the caller's where given, else the defaults. */
static void labels(plot_buf *b, const plot_options *o, const char *title, const char *xlabel,
		   const char *ylabel)
{
	const char *what[3] = { o && o->title ? o->title : title,
				o && o->xlabel ? o->xlabel : xlabel,
				o && o->ylabel ? o->ylabel : ylabel };
	const char *cmd[3] = { "set title ", "set xlabel ", "set ylabel " };

	for (int k = 0; k < 3; k++) {
		if (!what[k] || !*what[k])
			continue;
		plot_buf_puts(b, cmd[k]);
		plot_buf_quote(b, what[k]);
		plot_buf_puts(b, " noenhanced\n");
	}
	plot_buf_puts(b, "if (cewb_dumb) { set key below } else { set grid; set key top right }\n");
}

/* Run the script with the table as fallback; free both. */
static cewb_status run(plot_buf *s, plot_buf *t, const plot_options *o, plot_result *result,
		       cewb_error *err)
{
	cewb_status st;

	if (s->failed || t->failed) {
		plot_buf_release(s);
		plot_buf_release(t);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	st = plot_run(s->s, t->s, o, result, err);
	plot_buf_release(s);
	plot_buf_release(t);
	return st;
}

/* Band structure along a path. */
cewb_status plot_dispersion(size_t n_points, size_t n_modes, const double *distance,
			    const double *freq, size_t per_segment, size_t n_labels,
			    const double *label_pos, const char *const *label_text,
			    const plot_options *options, plot_result *result, cewb_error *err)
{
	plot_buf s = { 0 }, t = { 0 };

	if (n_points == 0 || n_modes == 0 || !distance || !freq)
		CEWB_RAISE(err, CEWB_EINVAL, "no band structure to plot");
	if (per_segment < 2)
		per_segment = n_points;
	plot_buf_printf(&t, "# phonon dispersion: distance (1/Å), %zu frequencies (THz)\n",
			n_modes);
	plot_buf_puts(&s, "$bands << EOD\n");
	for (size_t p = 0; p < n_points; p++) {
		if (p && p % per_segment == 0) {
			plot_buf_puts(&s, "\n");	/* a new segment: no line across */
			plot_buf_puts(&t, "\n");
		}
		plot_buf_num(&s, distance[p]);
		plot_buf_printf(&t, "%10.5f", distance[p]);
		for (size_t j = 0; j < n_modes; j++) {
			plot_buf_puts(&s, " ");
			plot_buf_num(&s, freq[p * n_modes + j]);
			plot_buf_printf(&t, " %9.4f", freq[p * n_modes + j]);
		}
		plot_buf_puts(&s, "\n");
		plot_buf_puts(&t, "\n");
	}
	plot_buf_puts(&s, "EOD\n");
	labels(&s, options, "phonon dispersion", "", "frequency (THz)");
	/* Tick labels: G as Γ where the terminal can draw it. */
	for (int pass = 0; pass < 2; pass++) {
		plot_buf_puts(&s, pass ? "} else {\n" : "if (cewb_dumb) {\n");
		plot_buf_puts(&s, "set xtics (");
		for (size_t k = 0; k < n_labels; k++) {
			char text[64];
			size_t o = 0;
			for (const char *c = label_text[k]; *c && o + 3 < sizeof text; c++) {
				if (*c == 'G' && pass) {
					memcpy(text + o, "\xce\x93", 2);	/* Γ */
					o += 2;
				} else {
					text[o++] = *c;
				}
			}
			text[o] = '\0';
			plot_buf_puts(&s, k ? ", " : "");
			plot_buf_quote(&s, text);
			plot_buf_puts(&s, " ");
			plot_buf_num(&s, label_pos[k]);
		}
		plot_buf_puts(&s, ")\n");
		if (pass)
			for (size_t k = 1; k + 1 < n_labels; k++) {
				plot_buf_puts(&s, "set arrow from ");
				plot_buf_num(&s, label_pos[k]);
				plot_buf_puts(&s, ", graph 0 to ");
				plot_buf_num(&s, label_pos[k]);
				plot_buf_puts(&s, ", graph 1 nohead lc rgb '#999999'\n");
			}
	}
	plot_buf_puts(&s, "}\nunset grid\nset xzeroaxis\nset xrange [0:");
	plot_buf_num(&s, distance[n_points - 1]);
	plot_buf_printf(&s, "]\nplot for [j=2:%zu] $bands using 1:j with lines lw 1.5 "
			"lc rgb '#1f77b4' notitle\n", n_modes + 1);
	return run(&s, &t, options, result, err);
}

/* Density of states. */
cewb_status plot_dos(size_t n, const double *f, const double *g, double sigma,
		     const plot_options *options, plot_result *result, cewb_error *err)
{
	plot_buf s = { 0 }, t = { 0 };
	char title[96];

	if (n == 0 || !f || !g)
		CEWB_RAISE(err, CEWB_EINVAL, "no density of states to plot");
	plot_buf_puts(&t, "# phonon density of states\n#       THz   states/THz\n");
	plot_buf_puts(&s, "$dos << EOD\n");
	for (size_t i = 0; i < n; i++) {
		plot_buf_num(&s, f[i]);
		plot_buf_puts(&s, " ");
		plot_buf_num(&s, g[i]);
		plot_buf_puts(&s, "\n");
		plot_buf_printf(&t, " %10.4f %12.6f\n", f[i], g[i]);
	}
	plot_buf_puts(&s, "EOD\n");
	snprintf(title, sizeof title, "phonon density of states (Gaussian smearing %.3g THz)",
		 sigma);
	labels(&s, options, title, "frequency (THz)", "DOS (states/THz)");
	plot_buf_puts(&s, "set xrange [");
	plot_buf_num(&s, f[0]);
	plot_buf_puts(&s, ":");
	plot_buf_num(&s, f[n - 1]);
	plot_buf_puts(&s, "]\nset yrange [0:*]\nplot $dos using 1:2 with lines lw 1.5 "
			  "lc rgb '#1f77b4' notitle\n");
	return run(&s, &t, options, result, err);
}

/* Free energy, entropy and heat capacity against temperature. */
cewb_status plot_thermal(size_t n, const double *T, const double *F, const double *S,
			 const double *C, const plot_options *options, plot_result *result,
			 cewb_error *err)
{
	plot_buf s = { 0 }, t = { 0 };

	if (n == 0 || !T || !F || !S || !C)
		CEWB_RAISE(err, CEWB_EINVAL, "no thermodynamics to plot");
	plot_buf_printf(&t, "# harmonic thermodynamics per mole of primitive cells\n"
			"# %9s %14s %14s %14s\n", "T (K)", "F (kJ/mol)", "S (J/K/mol)",
			"C (J/K/mol)");
	plot_buf_puts(&s, "$th << EOD\n");
	for (size_t i = 0; i < n; i++) {
		const double v[4] = { T[i], F[i], S[i], C[i] };
		for (int k = 0; k < 4; k++) {
			plot_buf_puts(&s, k ? " " : "");
			plot_buf_num(&s, v[k]);
		}
		plot_buf_puts(&s, "\n");
		plot_buf_printf(&t, "  %9.2f %14.4f %14.4f %14.4f\n", T[i], F[i], S[i], C[i]);
	}
	plot_buf_puts(&s, "EOD\n");
	labels(&s, options, "harmonic thermodynamics", "temperature (K)", "F (kJ/mol)");
	plot_buf_puts(&s, "if (!cewb_dumb) { set y2label 'S, C (J/K/mol)' noenhanced }\n"
			  "set y2tics\nset ytics nomirror\n"
			  "plot $th using 1:2 with lines lw 1.5 lc rgb '#1f77b4' "
			  "title 'F (kJ/mol)', "
			  "$th using 1:3 axes x1y2 with lines lw 1.5 lc rgb '#d62728' "
			  "title 'S (J/K/mol)', "
			  "$th using 1:4 axes x1y2 with lines lw 1.5 lc rgb '#2ca02c' "
			  "title 'C (J/K/mol)'\n");
	return run(&s, &t, options, result, err);
}
