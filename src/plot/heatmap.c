/*
 * src/plot/heatmap.c - a correlation matrix drawn as a heat map of terminal
 * cells: coloured background cells (256-colour or 24-bit) when colour is
 * allowed, an ASCII density ramp of |r| otherwise.
 *
 * Each cell is two characters wide so the map looks roughly square.  When
 * the matrix has more columns than fit the width, blocks of k x k entries
 * share one cell that shows the entry of largest magnitude (off the
 * diagonal), so a strong correlation is never averaged away.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "plot.h"

/* The ASCII density ramp, from |r| < 0.1 to |r| >= 0.9. */
static const char ramp[] = " .:-=+*#%@";
#define RAMP_N 10

/* Diverging palette ends and centre (the same as the gnuplot image). */
static const int pal_neg[3] = { 33, 102, 172 };
static const int pal_mid[3] = { 247, 247, 247 };
static const int pal_pos[3] = { 178, 24, 43 };

/* The RGB colour of a correlation v in -1..1. */
static void heat_rgb(double v, int rgb[3])
{
	const int *end = v < 0 ? pal_neg : pal_pos;
	double t = fabs(v);
	int i;

	if (t > 1)
		t = 1;
	for (i = 0; i < 3; i++)
		rgb[i] = (int)lround(pal_mid[i] + t * (end[i] - pal_mid[i]));
}

/* The xterm 256-colour cube index nearest to rgb. */
static int cube_index(const int rgb[3])
{
	int c[3], i;

	for (i = 0; i < 3; i++)
		c[i] = (int)lround(rgb[i] * 5.0 / 255.0);
	return 16 + 36 * c[0] + 6 * c[1] + c[2];
}

/* Append one coloured or ASCII cell showing v (NaN: undefined). */
static void put_cell(plot_buf *b, double v, plot_color color)
{
	int rgb[3];

	if (color == PLOT_COLOR_NONE) {
		if (isnan(v)) {
			plot_buf_puts(b, "?\?");
		} else {
			int i = (int)(fabs(v) * RAMP_N);
			char c;

			if (i >= RAMP_N)
				i = RAMP_N - 1;
			c = ramp[i];
			plot_buf_add(b, &c, 1);
			plot_buf_add(b, &c, 1);
		}
		return;
	}
	if (isnan(v)) {
		/* A grey cell with a mark: the correlation is undefined. */
		plot_buf_puts(b, color == PLOT_COLOR_TRUE ? "\033[48;2;128;128;128m?\?"
							 : "\033[48;5;244m?\?");
		return;
	}
	heat_rgb(v, rgb);
	if (color == PLOT_COLOR_TRUE)
		plot_buf_printf(b, "\033[48;2;%d;%d;%dm  ", rgb[0], rgb[1], rgb[2]);
	else
		plot_buf_printf(b, "\033[48;5;%dm  ", cube_index(rgb));
}

/* The value a block of the matrix shows: its entry of largest |r|. */
static double block_value(size_t n, const double *r, size_t i0, size_t j0, size_t k)
{
	size_t i, j, i1 = i0 + k < n ? i0 + k : n, j1 = j0 + k < n ? j0 + k : n;
	double best = NAN;
	int any_off = (i1 - i0) > 1 || (j1 - j0) > 1 || i0 != j0;

	for (i = i0; i < i1; i++) {
		for (j = j0; j < j1; j++) {
			double v = r[i * n + j];
			/* The diagonal is 1 by definition; it only counts alone. */
			if (i == j && any_off)
				continue;
			if (isnan(v))
				continue;
			if (isnan(best) || fabs(v) > fabs(best))
				best = v;
		}
	}
	return best;
}

/* Number of decimal digits of x. */
static int n_digits(size_t x)
{
	int d = 1;

	while (x >= 10) {
		x /= 10;
		d++;
	}
	return d;
}

/* A heat map of the correlation matrix r (n x n) for a terminal cols wide. */
cewb_status plot_heatmap_text(size_t n, const double *r, int cols, plot_color color,
			      char **text, cewb_error *err)
{
	plot_buf b = { 0 };
	size_t k, nb, i, j, fit, pos;
	int lw;
	char *head;

	*text = NULL;
	if (n == 0 || !r)
		CEWB_RAISE(err, CEWB_EINVAL, "no correlations to draw (the matrix is empty)");
	if (color == PLOT_COLOR_AUTO)
		color = plot_color_detect(STDOUT_FILENO);
	if (cols <= 0) {
		int rows;
		plot_terminal_size(STDOUT_FILENO, &cols, &rows);
	}
	lw = n_digits(n - 1);
	fit = cols > lw + 3 ? (size_t)(cols - lw - 1) / 2 : 1;
	if (fit < 1)
		fit = 1;
	k = (n + fit - 1) / fit;
	nb = (n + k - 1) / k;

	/* Header: the first column index of every fifth cell, where it fits. */
	head = malloc(2 * nb + 16);
	if (!head)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	memset(head, ' ', 2 * nb + 15);
	head[2 * nb + 15] = '\0';
	for (j = 0, pos = 0; j < nb; j += 5) {
		char lab[24];
		int m = snprintf(lab, sizeof lab, "%zu", j * k);

		if (2 * j < pos || 2 * j + (size_t)m > 2 * nb + 14)
			continue;
		memcpy(head + 2 * j, lab, (size_t)m);
		pos = 2 * j + (size_t)m + 1;
	}
	i = strlen(head);
	while (i > 0 && head[i - 1] == ' ')
		head[--i] = '\0';
	plot_buf_printf(&b, "%*s %s\n", lw, "", head);
	free(head);

	for (i = 0; i < nb; i++) {
		plot_buf_printf(&b, "%*zu ", lw, i * k);
		for (j = 0; j < nb; j++)
			put_cell(&b, block_value(n, r, i * k, j * k, k), color);
		plot_buf_puts(&b, color == PLOT_COLOR_NONE ? "\n" : "\033[0m\n");
	}

	/* Legend. */
	if (k > 1)
		plot_buf_printf(&b, "%zu x %zu matrix, one cell per %zu x %zu block (its entry of "
				"largest |r| off the diagonal)\n", n, n, k, k);
	if (color == PLOT_COLOR_NONE) {
		plot_buf_puts(&b, "|r|:");
		for (i = 0; i < RAMP_N; i++)
			plot_buf_printf(&b, " '%c'%s%.1f", ramp[i], i ? ">=" : "<",
					i ? i / 10.0 : 0.1);
		plot_buf_puts(&b, "  '?\?' undefined\n");
	} else {
		plot_buf_puts(&b, "r: -1 ");
		for (i = 0; i <= 10; i++)
			put_cell(&b, -1.0 + i / 5.0, color);
		plot_buf_puts(&b, "\033[0m +1  (");
		put_cell(&b, NAN, color);
		plot_buf_puts(&b, "\033[0m undefined)\n");
	}
	if (b.failed) {
		plot_buf_release(&b);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	*text = plot_buf_take(&b);
	return CEWB_OK;
}
