/*
 * src/plot/kinds.c - the plots cewb draws: learning curves, convergence,
 * hyperparameter paths, ECIs against radius, parity, singular values and
 * correlation images.
 *
 * Each function checks its arrays, writes the data twice - as gnuplot
 * datablocks inside the script and as a plain table (the fallback text when
 * gnuplot cannot draw) - and hands both to plot_run().  Only numbers go into
 * datablocks; user text reaches gnuplot only through plot_buf_quote().
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "plot.h"

/* Mean and standard deviation of the rows of values, skipping NaN. */
void plot_mean_std(size_t n_points, size_t n_repeats, const double *values,
		   double *mean, double *std)
{
	size_t i, j;

	for (i = 0; i < n_points; i++) {
		const double *row = values + i * n_repeats;
		double s = 0, ss = 0, m;
		size_t c = 0;

		for (j = 0; j < n_repeats; j++) {
			if (isnan(row[j]))
				continue;
			s += row[j];
			c++;
		}
		m = c ? s / (double)c : NAN;
		for (j = 0; j < n_repeats; j++)
			if (!isnan(row[j]))
				ss += (row[j] - m) * (row[j] - m);
		if (mean)
			mean[i] = m;
		if (std)
			std[i] = c > 1 ? sqrt(ss / (double)(c - 1)) : c ? 0.0 : NAN;
	}
}

/* The unit of errors and ECIs. */
static const char *unit_of(const plot_options *o)
{
	return o && o->unit && *o->unit ? o->unit : "eV/atom";
}

/* Append title and axis labels: the caller's where given, else the defaults. */
static void put_labels(plot_buf *b, const plot_options *o, const char *title,
		       const char *xlabel, const char *ylabel)
{
	if (o && o->title)
		title = o->title;
	if (o && o->xlabel)
		xlabel = o->xlabel;
	if (o && o->ylabel)
		ylabel = o->ylabel;
	if (title && *title) {
		plot_buf_puts(b, "set title ");
		plot_buf_quote(b, title);
		plot_buf_puts(b, " noenhanced\n");
	}
	if (xlabel && *xlabel) {
		plot_buf_puts(b, "set xlabel ");
		plot_buf_quote(b, xlabel);
		plot_buf_puts(b, " noenhanced\n");
	}
	if (ylabel && *ylabel) {
		plot_buf_puts(b, "set ylabel ");
		plot_buf_quote(b, ylabel);
		plot_buf_puts(b, " noenhanced\n");
	}
	/* On the text terminal a grid of dots hides the data and an inner key
	 * hides points, so the key goes below the plot there. */
	plot_buf_puts(b, "if (cewb_dumb) { set key below } else { set grid; set key top right }\n");
}

/* Append a table cell: the number, or "-" when it is NaN. */
static void table_num(plot_buf *b, double x)
{
	if (isnan(x))
		plot_buf_printf(b, " %13s", "-");
	else
		plot_buf_printf(b, " %13.6g", x);
}

/* Whether x has a finite entry. */
static int any_finite(size_t n, const double *x)
{
	size_t i;

	for (i = 0; x && i < n; i++)
		if (isfinite(x[i]))
			return 1;
	return 0;
}

/* Finish: run the script with the table as fallback, free both. */
static cewb_status finish(plot_buf *script, plot_buf *table, const plot_options *o,
			  plot_result *result, cewb_error *err)
{
	cewb_status st;

	if (script->failed || table->failed) {
		plot_buf_release(script);
		plot_buf_release(table);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	st = plot_run(script->s, table->s, o, result, err);
	plot_buf_release(script);
	plot_buf_release(table);
	return st;
}

/*
 * The common part of learning curves, convergence and paths: checks, the
 * datablock $curve (x, train, std, valid, std) and the table; xname heads
 * the first column.
 */
static cewb_status curve_data(const plot_curve *c, const char *xname, const char *heading,
			      plot_buf *s, plot_buf *t, cewb_error *err)
{
	size_t i;

	if (!c || c->n_points == 0 || !c->x)
		CEWB_RAISE(err, CEWB_EINVAL, "no data to plot");
	if (!c->train && !c->valid)
		CEWB_RAISE(err, CEWB_EINVAL, "no training or validation errors to plot");
	if (!any_finite(c->n_points, c->x) ||
	    (!any_finite(c->n_points, c->train) && !any_finite(c->n_points, c->valid)))
		CEWB_RAISE(err, CEWB_EINVAL, "no finite values to plot");
	plot_buf_printf(t, "# %s\n# %13s %13s %13s %13s %13s\n", heading, xname, "rmse_train",
			"std_train", "rmse_valid", "std_valid");
	plot_buf_puts(s, "$curve << EOD\n");
	for (i = 0; i < c->n_points; i++) {
		double v[5];
		int k;

		v[0] = c->x[i];
		v[1] = c->train ? c->train[i] : NAN;
		v[2] = c->train && c->train_std ? c->train_std[i] : c->train ? 0 : NAN;
		v[3] = c->valid ? c->valid[i] : NAN;
		v[4] = c->valid && c->valid_std ? c->valid_std[i] : c->valid ? 0 : NAN;
		plot_buf_puts(t, " ");
		for (k = 0; k < 5; k++) {
			table_num(t, v[k]);
			if (k)
				plot_buf_puts(s, " ");
			plot_buf_num(s, v[k]);
		}
		plot_buf_puts(t, "\n");
		plot_buf_puts(s, "\n");
	}
	plot_buf_puts(s, "EOD\n");
	return CEWB_OK;
}

/*
 * Append the plot command of a curve: lines with points, and error bars as
 * separate elements without a key entry (a key sample of an error bar
 * collides with the axis label on the text terminal).
 */
static void curve_plot(plot_buf *s, const plot_curve *c, const char *valid_title)
{
	const char *sep = "plot ";

	if (c->train && any_finite(c->n_points, c->train)) {
		if (c->train_std) {
			plot_buf_printf(s, "%s$curve using 1:2:3 with yerrorbars pt 7 "
					"lc rgb '#1f77b4' notitle", sep);
			sep = ", ";
		}
		plot_buf_printf(s, "%s$curve using 1:2 with linespoints pt 7 lc rgb '#1f77b4' "
				"title 'training'", sep);
		sep = ", ";
	}
	if (c->valid && any_finite(c->n_points, c->valid)) {
		if (c->valid_std) {
			plot_buf_printf(s, "%s$curve using 1:4:5 with yerrorbars pt 5 "
					"lc rgb '#d62728' notitle", sep);
			sep = ", ";
		}
		plot_buf_printf(s, "%s$curve using 1:4 with linespoints pt 5 lc rgb '#d62728' "
				"title ", sep);
		plot_buf_quote(s, valid_title);
	}
	plot_buf_puts(s, "\n");
}

/* Learning curve: rmse against training-set size, training and validation. */
cewb_status plot_learning_curve(const plot_curve *curve, const plot_options *options,
				plot_result *result, cewb_error *err)
{
	plot_buf s = { 0 }, t = { 0 };
	char ylab[128];
	cewb_status st;

	st = curve_data(curve, "n_train", "learning curve", &s, &t, err);
	if (st != CEWB_OK) {
		plot_buf_release(&s);
		plot_buf_release(&t);
		return st;
	}
	snprintf(ylab, sizeof ylab, "RMSE (%s)", unit_of(options));
	put_labels(&s, options, "learning curve", "training structures", ylab);
	plot_buf_puts(&s, "set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n");
	curve_plot(&s, curve, "validation");
	return finish(&s, &t, options, result, err);
}

/* Convergence: rmse against the cutoff. */
cewb_status plot_convergence(const plot_curve *curve, const plot_options *options,
			     plot_result *result, cewb_error *err)
{
	plot_buf s = { 0 }, t = { 0 };
	char ylab[128];
	cewb_status st;

	st = curve_data(curve, "cutoff", "convergence with cutoff", &s, &t, err);
	if (st != CEWB_OK) {
		plot_buf_release(&s);
		plot_buf_release(&t);
		return st;
	}
	snprintf(ylab, sizeof ylab, "RMSE (%s)", unit_of(options));
	put_labels(&s, options, "convergence with cutoff", "cutoff (\xc3\x85)", ylab);
	plot_buf_puts(&s, "set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n");
	curve_plot(&s, curve, "validation");
	return finish(&s, &t, options, result, err);
}

/* Hyperparameter path: CV error against alpha, threshold or feature count. */
cewb_status plot_path(const plot_curve *curve, plot_path_kind kind, double chosen,
		      const plot_options *options, plot_result *result, cewb_error *err)
{
	static const char *const xnames[3] = { "alpha", "threshold", "n_features" };
	static const char *const xlabels[3] = { "alpha", "threshold lambda",
						"number of features" };
	static const char *const titles[3] = { "CV error along the regularisation path",
					       "CV error against ARDR threshold",
					       "CV error against number of features" };
	plot_buf s = { 0 }, t = { 0 };
	char ylab[128];
	int logx = kind != PLOT_PATH_FEATURES, k = kind;
	size_t i;
	cewb_status st;

	if (k < 0 || k > 2)
		CEWB_RAISE(err, CEWB_EINVAL, "unknown path kind %d", k);
	st = curve_data(curve, xnames[k], titles[k], &s, &t, err);
	if (st != CEWB_OK) {
		plot_buf_release(&s);
		plot_buf_release(&t);
		return st;
	}
	for (i = 0; i < curve->n_points; i++)
		if (!(curve->x[i] > 0))
			logx = 0;
	if (logx)
		plot_buf_puts(&s, "set logscale x\nset format x '%.0e'\n"
				  "if (cewb_dumb) { set mxtics 1 }\n");
	if (isfinite(chosen) && (!logx || chosen > 0)) {
		plot_buf_puts(&s, "set arrow 1 from first ");
		plot_buf_num(&s, chosen);
		plot_buf_puts(&s, ", graph 0 to first ");
		plot_buf_num(&s, chosen);
		plot_buf_puts(&s, ", graph 0.97 nohead dashtype 2 lc rgb '#2ca02c'\n");
		plot_buf_puts(&s, "set label 1 'chosen' at first ");
		plot_buf_num(&s, chosen);
		plot_buf_puts(&s, ", graph 0.92 offset 2,0 tc rgb '#2ca02c'\n");
		plot_buf_printf(&t, "# chosen %s:", xnames[k]);
		table_num(&t, chosen);
		plot_buf_puts(&t, "\n");
	}
	snprintf(ylab, sizeof ylab, "CV RMSE (%s)", unit_of(options));
	put_labels(&s, options, titles[k], xlabels[k], ylab);
	plot_buf_puts(&s, "set offsets graph 0.03, graph 0.03, graph 0.05, graph 0.05\n");
	curve_plot(&s, curve, "validation (CV)");
	return finish(&s, &t, options, result, err);
}

/* A colour for the clusters of an order, distinct for the usual orders. */
static const char *order_colour(int order)
{
	static const char *const colours[] = { "#7f7f7f", "#9467bd", "#1f77b4", "#d62728",
					       "#2ca02c", "#ff7f0e", "#8c564b", "#e377c2" };

	return colours[order % 8];
}

/* A name for the clusters of an order. */
static const char *order_name(int order)
{
	static const char *const names[] = { "zerolet", "singlets", "pairs", "triplets",
					     "quadruplets", "quintuplets", "sextuplets" };

	return order >= 0 && order < 7 ? names[order] : NULL;
}

/* ECIs against orbit radius, one colour and key entry per cluster order. */
cewb_status plot_eci(size_t n_orbits, const double *radius, const double *eci,
		     const double *eci_std, const int *order, const plot_options *options,
		     plot_result *result, cewb_error *err)
{
	plot_buf s = { 0 }, t = { 0 };
	int omin = 0, omax = 0, o, first = 1, n_series = 0;
	size_t i;
	char ylab[128];

	if (n_orbits == 0 || !radius || !eci || !order)
		CEWB_RAISE(err, CEWB_EINVAL, "no ECIs to plot");
	for (i = 0; i < n_orbits; i++) {
		if (order[i] < 0 || order[i] > 64)
			CEWB_RAISE(err, CEWB_EINVAL, "orbit %zu has order %d", i, order[i]);
		if (i == 0 || order[i] < omin)
			omin = order[i];
		if (i == 0 || order[i] > omax)
			omax = order[i];
	}
	plot_buf_printf(&t, "# ECIs against radius\n# %6s %6s %13s %13s%s\n", "orbit", "order",
			"radius", "eci", eci_std ? "           std" : "");
	for (i = 0; i < n_orbits; i++) {
		plot_buf_printf(&t, "  %6zu %6d", i, order[i]);
		table_num(&t, radius[i]);
		table_num(&t, eci[i]);
		if (eci_std)
			table_num(&t, eci_std[i]);
		plot_buf_puts(&t, "\n");
	}
	/* One datablock per order, so each gets its own colour and key entry. */
	for (o = omin; o <= omax; o++) {
		int any = 0;

		for (i = 0; i < n_orbits; i++) {
			if (order[i] != o || !isfinite(radius[i]) || !isfinite(eci[i]))
				continue;
			if (!any)
				plot_buf_printf(&s, "$eci%d << EOD\n", o);
			any = 1;
			plot_buf_num(&s, radius[i]);
			plot_buf_puts(&s, " ");
			plot_buf_num(&s, eci[i]);
			plot_buf_puts(&s, " ");
			plot_buf_num(&s, eci_std && isfinite(eci_std[i]) ? eci_std[i] : 0.0);
			plot_buf_puts(&s, "\n");
		}
		if (any) {
			plot_buf_puts(&s, "EOD\n");
			n_series++;
		}
	}
	if (n_series == 0) {
		plot_buf_release(&s);
		plot_buf_release(&t);
		CEWB_RAISE(err, CEWB_EINVAL, "no finite ECIs to plot");
	}
	snprintf(ylab, sizeof ylab, "ECI (%s)", unit_of(options));
	put_labels(&s, options, "ECIs against cluster radius", "radius (\xc3\x85)", ylab);
	plot_buf_puts(&s, "set xzeroaxis lt -1\n"
			  "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n");
	for (o = omin; o <= omax; o++) {
		const char *name = order_name(o);
		char title[64];

		for (i = 0; i < n_orbits && order[i] != o; i++)
			;
		if (i == n_orbits)
			continue;
		for (i = 0; i < n_orbits; i++)
			if (order[i] == o && isfinite(radius[i]) && isfinite(eci[i]))
				break;
		if (i == n_orbits)
			continue;
		if (name)
			snprintf(title, sizeof title, "%s", name);
		else
			snprintf(title, sizeof title, "order %d", o);
		/* Error bars (no key entry), then filled circles on images and
		 * distinct letters on the text terminal. */
		if (eci_std) {
			plot_buf_printf(&s, "%s$eci%d using 1:2:3 with yerrorbars pt 7 ps 0 "
					"lc rgb '%s' notitle", first ? "plot " : ", ", o,
					order_colour(o));
			first = 0;
		}
		plot_buf_printf(&s, "%s$eci%d using 1:2 with points pt (cewb_dumb ? %d : 7) "
				"ps 1.2 lc rgb '%s' title '%s'", first ? "plot " : ", ", o, o + 1,
				order_colour(o), title);
		first = 0;
	}
	plot_buf_puts(&s, "\n");
	return finish(&s, &t, options, result, err);
}

/* Root mean square of predicted - target over the points with flag == want. */
static double rmse_of(size_t n, const double *target, const double *predicted,
		      const unsigned char *is_valid, int want, size_t *count)
{
	double ss = 0;
	size_t i, c = 0;

	for (i = 0; i < n; i++) {
		if ((is_valid && is_valid[i] ? 1 : 0) != want)
			continue;
		if (!isfinite(target[i]) || !isfinite(predicted[i]))
			continue;
		ss += (predicted[i] - target[i]) * (predicted[i] - target[i]);
		c++;
	}
	*count = c;
	return c ? sqrt(ss / (double)c) : NAN;
}

/* Parity: predicted against target with the line y = x. */
cewb_status plot_parity(size_t n, const double *target, const double *predicted,
			const unsigned char *is_valid, const plot_options *options,
			plot_result *result, cewb_error *err)
{
	plot_buf s = { 0 }, t = { 0 };
	double lo = INFINITY, hi = -INFINITY, pad, rm[2];
	size_t i, cnt[2];
	int w, first = 1;
	char lab[128];

	if (n == 0 || !target || !predicted)
		CEWB_RAISE(err, CEWB_EINVAL, "no predictions to plot");
	for (i = 0; i < n; i++) {
		if (!isfinite(target[i]) || !isfinite(predicted[i]))
			continue;
		lo = fmin(lo, fmin(target[i], predicted[i]));
		hi = fmax(hi, fmax(target[i], predicted[i]));
	}
	if (!(lo <= hi))
		CEWB_RAISE(err, CEWB_EINVAL, "no finite predictions to plot");
	pad = hi > lo ? 0.05 * (hi - lo) : (fabs(hi) > 0 ? 0.05 * fabs(hi) : 1);
	lo -= pad;
	hi += pad;
	rm[0] = rmse_of(n, target, predicted, is_valid, 0, &cnt[0]);
	rm[1] = rmse_of(n, target, predicted, is_valid, 1, &cnt[1]);

	plot_buf_printf(&t, "# parity\n# %6s %10s %13s %13s %13s\n", "point", "set", "target",
			"predicted", "error");
	for (i = 0; i < n; i++) {
		plot_buf_printf(&t, "  %6zu %10s", i,
				is_valid && is_valid[i] ? "validation" : "training");
		table_num(&t, target[i]);
		table_num(&t, predicted[i]);
		table_num(&t, predicted[i] - target[i]);
		plot_buf_puts(&t, "\n");
	}
	for (w = 0; w < 2; w++) {
		if (cnt[w] == 0)
			continue;
		plot_buf_printf(&t, "# rmse %s (%zu points):", w ? "validation" : "training",
				cnt[w]);
		table_num(&t, rm[w]);
		plot_buf_printf(&t, " %s\n", unit_of(options));
		plot_buf_printf(&s, "$%s << EOD\n", w ? "valid" : "train");
		for (i = 0; i < n; i++) {
			if ((is_valid && is_valid[i] ? 1 : 0) != w)
				continue;
			if (!isfinite(target[i]) || !isfinite(predicted[i]))
				continue;
			plot_buf_num(&s, target[i]);
			plot_buf_puts(&s, " ");
			plot_buf_num(&s, predicted[i]);
			plot_buf_puts(&s, "\n");
		}
		plot_buf_puts(&s, "EOD\n");
	}
	snprintf(lab, sizeof lab, "target (%s)", unit_of(options));
	{
		char ylab[128];

		snprintf(ylab, sizeof ylab, "predicted (%s)", unit_of(options));
		put_labels(&s, options, "parity", lab, ylab);
	}
	plot_buf_puts(&s, "if (!cewb_dumb) { set key bottom right opaque; set size square }\n");
	plot_buf_puts(&s, "set xrange [");
	plot_buf_num(&s, lo);
	plot_buf_puts(&s, ":");
	plot_buf_num(&s, hi);
	plot_buf_puts(&s, "]\nset yrange [");
	plot_buf_num(&s, lo);
	plot_buf_puts(&s, ":");
	plot_buf_num(&s, hi);
	plot_buf_puts(&s, "]\nplot x with lines dashtype 2 lc rgb '#555555' title 'y = x'");
	for (w = 0; w < 2; w++) {
		char title[160];

		if (cnt[w] == 0)
			continue;
		snprintf(title, sizeof title, "%s (RMSE %.3g %s)", w ? "validation" : "training",
			 rm[w], unit_of(options));
		plot_buf_printf(&s, ", $%s using 1:2 with points pt %d ps 0.8 lc rgb '%s' title ",
				w ? "valid" : "train", w ? 4 : 7, w ? "#d62728" : "#1f77b4");
		plot_buf_quote(&s, title);
		first = 0;
	}
	(void)first;
	plot_buf_puts(&s, "\n");
	return finish(&s, &t, options, result, err);
}

/* Order doubles descending, NaN last. */
static int cmp_desc(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	if (isnan(x))
		return isnan(y) ? 0 : 1;
	if (isnan(y))
		return -1;
	return (x < y) - (x > y);
}

/* Singular values sorted descending on a logarithmic y axis. */
cewb_status plot_spectrum(size_t n, const double *singular_values,
			  const plot_options *options, plot_result *result, cewb_error *err)
{
	plot_buf s = { 0 }, t = { 0 };
	double *sv, smin = NAN;
	size_t i, n_pos = 0;
	char title[128];

	if (n == 0 || !singular_values)
		CEWB_RAISE(err, CEWB_EINVAL, "no singular values to plot");
	sv = malloc(n * sizeof *sv);
	if (!sv)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	memcpy(sv, singular_values, n * sizeof *sv);
	qsort(sv, n, sizeof *sv, cmp_desc);
	plot_buf_printf(&t, "# singular values\n# %6s %13s\n", "index", "value");
	plot_buf_puts(&s, "$sv << EOD\n");
	for (i = 0; i < n; i++) {
		plot_buf_printf(&t, "  %6zu", i);
		table_num(&t, sv[i]);
		plot_buf_puts(&t, "\n");
		plot_buf_printf(&s, "%zu ", i);
		/* Zero (rank deficiency) has no place on a log axis: missing. */
		if (sv[i] > 0 && isfinite(sv[i])) {
			plot_buf_num(&s, sv[i]);
			smin = sv[i];
			n_pos++;
		} else {
			plot_buf_puts(&s, "NaN");
		}
		plot_buf_puts(&s, "\n");
	}
	plot_buf_puts(&s, "EOD\n");
	if (n_pos == 0) {
		free(sv);
		plot_buf_release(&s);
		plot_buf_release(&t);
		CEWB_RAISE(err, CEWB_EINVAL, "no positive singular value to plot on a log scale");
	}
	if (n_pos < n)
		plot_buf_printf(&t, "# %zu of %zu values are zero (rank %zu)\n", n - n_pos, n,
				n_pos);
	if (n_pos < n)
		snprintf(title, sizeof title, "singular values (rank %zu of %zu)", n_pos, n);
	else
		snprintf(title, sizeof title, "singular values (condition number %.3g)",
			 sv[0] / smin);
	free(sv);
	put_labels(&s, options, title, "index", "singular value");
	plot_buf_puts(&s, "set logscale y\nset format y '%.0e'\nif (cewb_dumb) { set mytics 1 }\n"
			  "set xrange [-0.5:");
	plot_buf_printf(&s, "%zu.5]\n", n - 1);
	plot_buf_puts(&s, "plot $sv using 1:2 with linespoints pt 7 ps 0.7 lc rgb '#1f77b4' "
			  "notitle\n");
	return finish(&s, &t, options, result, err);
}

/* Whether the plot for o ends up as text (so a heat map serves better). */
static int wants_text(const plot_options *o)
{
	const char *d = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");

	if (o && (o->output || o->dest == PLOT_TO_FILE))
		return 0;
	if (o && o->dest == PLOT_TO_TEXT)
		return 1;
	return !((d && *d) || (w && *w));
}

/* Correlation matrix as an image; the terminal heat map on a text destination. */
cewb_status plot_correlations(size_t n, const double *r, const plot_options *options,
			      plot_result *result, cewb_error *err)
{
	plot_buf s = { 0 }, t = { 0 };
	size_t i, j;
	cewb_status st;

	if (n == 0 || !r)
		CEWB_RAISE(err, CEWB_EINVAL, "no correlations to plot (the matrix is empty)");
	if (wants_text(options)) {
		char *text = NULL;

		st = plot_heatmap_text(n, r, options ? options->text_cols : 0,
				       options ? options->color : PLOT_COLOR_AUTO, &text, err);
		if (st != CEWB_OK)
			return st;
		free(result->text);
		result->text = text;
		result->dest = PLOT_TO_TEXT;
		return CEWB_OK;
	}
	plot_buf_printf(&t, "# correlation matrix (%zu x %zu)\n", n, n);
	plot_buf_puts(&s, "$corr << EOD\n");
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			double v = r[i * n + j];

			/* Two decimals; no "-0.00" for a tiny negative, "-" for NaN. */
			if (isnan(v))
				plot_buf_printf(&t, "%s%6s", j ? " " : "", "-");
			else
				plot_buf_printf(&t, "%s%6.2f", j ? " " : "",
						fabs(v) < 0.005 ? 0.0 : v);
			if (j)
				plot_buf_puts(&s, " ");
			plot_buf_num(&s, v);
		}
		plot_buf_puts(&t, "\n");
		plot_buf_puts(&s, "\n");
	}
	plot_buf_puts(&s, "EOD\n");
	put_labels(&s, options, "correlations between columns of the sensing matrix",
		   "parameter", "parameter");
	plot_buf_puts(&s, "unset grid\nset size square\nset cbrange [-1:1]\n"
			  "set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')\n"
			  "set cblabel 'r'\nset tics out\n");
	plot_buf_printf(&s, "set xrange [-0.5:%zu.5]\nset yrange [%zu.5:-0.5]\n", n - 1, n - 1);
	plot_buf_puts(&s, "plot $corr matrix with image notitle\n");
	st = finish(&s, &t, options, result, err);
	if (st == CEWB_OK && result->dest == PLOT_TO_TEXT) {
		/* gnuplot had no window after all: the heat map reads better. */
		char *text = NULL;

		st = plot_heatmap_text(n, r, options ? options->text_cols : 0,
				       options ? options->color : PLOT_COLOR_AUTO, &text, err);
		if (st == CEWB_OK) {
			free(result->text);
			result->text = text;
		}
	}
	return st;
}
