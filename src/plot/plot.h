/*
 * src/plot/plot.h - curves and maps drawn by gnuplot through a pipe, and a
 * correlation heat map drawn straight into the terminal.
 *
 * Conventions: every plot function takes plain arrays (0-based, row-major
 * matrices, counts as size_t), plot options and a caller-owned plot_result,
 * and returns a cewb_status with the message in an optional cewb_error.
 * Whatever happens, result->text (when not NULL) is text for the caller to
 * print: the text plot, the heat map, or, when gnuplot is missing, failing or
 * stuck, the data as a table (not for a bad request such as an unknown
 * output format).  Release it with plot_result_release().
 *
 * gnuplot is found through the environment variable CEWB_GNUPLOT, else the
 * path configure found (CEWB_GNUPLOT in config.h).  It gets a script on its
 * standard input with the data inline as datablocks (a long script through
 * a temporary file in $TMPDIR that the piped commands load, removed after
 * the run); every piece of user
 * text (titles, labels, file names) goes through plot_gp_quote() and is
 * drawn without enhanced-text processing.  A run that takes longer than the
 * timeout is killed, so a dead or stuck gnuplot never blocks the caller.
 */
#ifndef PLOT_PLOT_H
#define PLOT_PLOT_H

#include <stddef.h>

#include "cewb/error.h"

/* Where a plot goes. */
typedef enum {
	PLOT_TO_AUTO = 0, /* a file when output is set, else a window, else text */
	PLOT_TO_TEXT,     /* a text plot (gnuplot's dumb terminal) */
	PLOT_TO_WINDOW,   /* an interactive gnuplot window (qt, wxt or x11) */
	PLOT_TO_FILE      /* output names a .png, .svg or .pdf file */
} plot_dest;

/* How the terminal heat map may use colour. */
typedef enum {
	PLOT_COLOR_AUTO = 0, /* decide from the terminal and NO_COLOR */
	PLOT_COLOR_NONE,     /* plain ASCII density ramp */
	PLOT_COLOR_256,      /* xterm 256-colour background cells */
	PLOT_COLOR_TRUE      /* 24-bit background cells */
} plot_color;

/* Options shared by every plot; zero-initialise, then set what matters. */
typedef struct {
	plot_dest dest;       /* PLOT_TO_AUTO unless the caller insists */
	const char *output;   /* FILE.png, FILE.svg or FILE.pdf; NULL for the screen */
	const char *title;    /* replaces the default title; "" for none */
	const char *xlabel;   /* replaces the default x label */
	const char *ylabel;   /* replaces the default y label */
	const char *unit;     /* unit of the errors, default "eV/atom" */
	int width, height;    /* image size in pixels, default 800 x 600 */
	int text_cols;        /* text plot size in characters; 0 takes the */
	int text_rows;        /* terminal's size, else 80 x 24 */
	int timeout_ms;       /* 0: $CEWB_PLOT_TIMEOUT (seconds) or 10 s */
	plot_color color;     /* colour of the terminal heat map */
} plot_options;

/* What a plot produced. */
typedef struct {
	plot_dest dest; /* where the plot went (TEXT also when only a table is left) */
	char *text;     /* text to print or NULL; malloc'd, see plot_result_release */
} plot_result;

/*
 * An error curve: x against a training and a validation error, each a mean
 * with an optional standard deviation (drawn as error bars).  Any of train
 * and valid may be NULL (not both); the std arrays may be NULL.
 */
typedef struct {
	size_t n_points;
	const double *x;
	const double *train, *train_std;
	const double *valid, *valid_std;
} plot_curve;

/* What the x axis of a hyperparameter path is. */
typedef enum {
	PLOT_PATH_ALPHA = 0, /* LASSO / elastic net regularisation strength */
	PLOT_PATH_THRESHOLD, /* ARDR pruning threshold lambda */
	PLOT_PATH_FEATURES   /* RFE / OMP number of features (linear axis) */
} plot_path_kind;

/* Set result to empty (no text). */
void plot_result_init(plot_result *result);

/* Free the text of result and empty it again. */
void plot_result_release(plot_result *result);

/*
 * Write text into out (size n_out) as a gnuplot single-quoted string, quotes
 * included: quotes doubled (a quote at the start or next to another quote,
 * which gnuplot cannot read doubled, becomes U+2019), control characters
 * (newlines, tabs, escapes) replaced by spaces.  Inside single quotes gnuplot expands neither
 * backslashes, backquotes nor @macros.  Returns the length the full string
 * needs (like snprintf); truncated output is still a closed string.
 */
size_t plot_gp_quote(char *out, size_t n_out, const char *text);

/* Terminal size of fd in characters, else $COLUMNS/$LINES, else 80 x 24. */
void plot_terminal_size(int fd, int *cols, int *rows);

/* Whether a heat map on fd may use colour, and how much (NO_COLOR wins). */
plot_color plot_color_detect(int fd);

/*
 * Mean and standard deviation (n - 1 in the denominator, 0 for one value) of
 * the rows of values (n_points x n_repeats, row-major), skipping NaN entries;
 * a row with no finite value gives NaN.  Either output may be NULL.
 */
void plot_mean_std(size_t n_points, size_t n_repeats, const double *values,
		   double *mean, double *std);

/*
 * Run a complete gnuplot script (without the terminal and output settings,
 * which follow options) and collect the text plot.  On failure the message
 * names the cause and result->text is a copy of table (if not NULL) - except
 * for a bad request (output name or size, CEWB_EINVAL), which gets no text.
 * Low level; the plot functions below build the script and the table.
 */
cewb_status plot_run(const char *script, const char *table, const plot_options *options,
		     plot_result *result, cewb_error *err);

/* Learning curve: rmse against training-set size, training and validation. */
cewb_status plot_learning_curve(const plot_curve *curve, const plot_options *options,
				plot_result *result, cewb_error *err);

/* Convergence: rmse against the cutoff (x in Angstrom). */
cewb_status plot_convergence(const plot_curve *curve, const plot_options *options,
			     plot_result *result, cewb_error *err);

/*
 * Hyperparameter path: CV error against alpha or threshold on a logarithmic
 * x axis (linear when an x is not positive), or against the number of
 * features on a linear one; chosen (NaN for none) is marked.
 */
cewb_status plot_path(const plot_curve *curve, plot_path_kind kind, double chosen,
		      const plot_options *options, plot_result *result, cewb_error *err);

/*
 * ECIs against orbit radius, one colour and key entry per cluster order;
 * eci_std (NULL for none) draws error bars of one standard deviation.
 */
cewb_status plot_eci(size_t n_orbits, const double *radius, const double *eci,
		     const double *eci_std, const int *order, const plot_options *options,
		     plot_result *result, cewb_error *err);

/*
 * Parity: predicted against target with the line y = x; is_valid[i] != 0
 * marks a validation point (is_valid NULL: all points are training points).
 */
cewb_status plot_parity(size_t n, const double *target, const double *predicted,
			const unsigned char *is_valid, const plot_options *options,
			plot_result *result, cewb_error *err);

/* Singular values (any order) sorted descending on a logarithmic y axis. */
cewb_status plot_spectrum(size_t n, const double *singular_values,
			  const plot_options *options, plot_result *result, cewb_error *err);

/*
 * Correlation matrix (n x n, row-major, entries in -1..1) as an image with a
 * diverging palette; on a text destination the terminal heat map instead.
 */
cewb_status plot_correlations(size_t n, const double *r, const plot_options *options,
			      plot_result *result, cewb_error *err);

/*
 * A heat map of the correlation matrix r (n x n) for a terminal cols wide:
 * two characters per cell, blocks of k x k entries shown by their entry of
 * largest magnitude when n cells do not fit; coloured background cells or an
 * ASCII density ramp of |r|, and a legend.  *text is malloc'd.
 */
cewb_status plot_heatmap_text(size_t n, const double *r, int cols, plot_color color,
			      char **text, cewb_error *err);

#endif
