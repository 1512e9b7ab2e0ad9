/*
 * src/plot/plot_phonon.h - phonon plots drawn through the gnuplot pipe of
 * plot.h: band structure, density of states, thermodynamics.  Same
 * conventions as plot.h (plain arrays, options, a caller-owned result whose
 * text is the text plot or, when gnuplot cannot draw, the data as a table).
 */
#ifndef PLOT_PLOT_PHONON_H
#define PLOT_PLOT_PHONON_H

#include <stddef.h>
#include "cewb/error.h"
#include "plot.h"

/*
 * Band structure: n_points points at distance (1/Å) with n_modes
 * frequencies each (freq row-major, THz), drawn as lines broken every
 * per_segment points; n_labels tick labels (text, e.g. "G", "K|U") at
 * label_pos.  "G" is drawn as Γ except on the text terminal.
 */
cewb_status plot_dispersion(size_t n_points, size_t n_modes, const double *distance,
			    const double *freq, size_t per_segment, size_t n_labels,
			    const double *label_pos, const char *const *label_text,
			    const plot_options *options, plot_result *result, cewb_error *err);

/* Density of states g (states/THz) at n frequencies f (THz), smearing sigma. */
cewb_status plot_dos(size_t n, const double *f, const double *g, double sigma,
		     const plot_options *options, plot_result *result, cewb_error *err);

/*
 * Harmonic thermodynamics against temperature T (K): free energy F
 * (kJ/mol, left axis), entropy S and heat capacity C (J/K/mol, right axis).
 */
cewb_status plot_thermal(size_t n, const double *T, const double *F, const double *S,
			 const double *C, const plot_options *options, plot_result *result,
			 cewb_error *err);

#endif
