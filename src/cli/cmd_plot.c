/*
 * cmd_plot.c - the plot family: `plot WHAT` draws the session's data with
 * gnuplot (src/plot): a window when there is one, a text plot in the
 * terminal otherwise, or a file with --output.
 *
 * The data come from the session: the last fit (ECIs, method and options),
 * the cluster space (orbit radii and orders), the training set (X, y) and
 * what the fit family stored (fit_data.h: the last validation, learning
 * curve and convergence scan).  The hyperparameter path, and the
 * cross-validated half of the parity plot when no validation is stored, are
 * computed here with the method and options of the last fit and the
 * session seed, so they repeat exactly.  Values are shown in meV/atom, as
 * the fit family's text reports do.  When gnuplot is missing or fails, the
 * data are printed as a table and the command fails with gnuplot's message.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <jansson.h>
#include "cewb/fit.h"
#include "cewb/sensing.h"
#include "cmd.h"
#include "cmd_phonon.h"
#include "fit_data.h"
#include "safety.h"
#include "session.h"
#include "../plot/plot.h"

#define MEV 1000.0	/* plots show errors, targets and ECIs in meV/atom */

/* The rows a fit uses: mapped structures with a target, as a fit problem. */
struct rows {
	size_t n, n_cols;
	size_t *index;	/* n: row of the training set */
	double *X;	/* n x n_cols */
	double *y;	/* n */
	double *w;	/* n */
};

/* Free the arrays of r. */
static void rows_release(struct rows *r)
{
	free(r->index);
	free(r->X);
	free(r->y);
	free(r->w);
	memset(r, 0, sizeof *r);
}

/*
 * Collect the usable rows of the training set (not refused; with a finite
 * target when need_target).  Returns 0, or 1 after cmd_fail.
 */
static int rows_collect(struct session *s, int need_target, struct rows *r)
{
	const struct train_set *t = &s->train;
	size_t i, k = 0, p = t->n_params;

	memset(r, 0, sizeof *r);
	if (!s->space)
		return cmd_fail(s, "no cluster space: build one first with "
				   "'space CUT2 [CUT3 ...]'");
	if (t->n == 0 || !t->X)
		return cmd_fail(s, "no training structures: load some with 'load structures FILE'");
	r->index = malloc(t->n * sizeof *r->index);
	r->X = malloc(t->n * p * sizeof *r->X);
	r->y = malloc(t->n * sizeof *r->y);
	r->w = malloc(t->n * sizeof *r->w);
	if (!r->index || !r->X || !r->y || !r->w) {
		rows_release(r);
		return cmd_fail(s, "out of memory");
	}
	for (i = 0; i < t->n; i++) {
		const struct train_item *it = &t->items[i];
		if (!train_item_used(it) || (need_target && !isfinite(it->target)))
			continue;
		r->index[k] = i;
		memcpy(r->X + k * p, t->X + i * p, p * sizeof *r->X);
		r->y[k] = it->target;
		r->w[k] = it->weight > 0 ? it->weight : 1.0;
		k++;
	}
	r->n = k;
	r->n_cols = p;
	if (k == 0) {
		rows_release(r);
		return cmd_fail(s, need_target
				   ? "no training structure has a target value"
				   : "every training structure was refused by the mapping");
	}
	return 0;
}

/* The fit problem of rows r with the session's prior. */
static cewb_fit_problem rows_problem(const struct session *s, const struct rows *r)
{
	cewb_fit_problem prob;

	memset(&prob, 0, sizeof prob);
	prob.n_rows = r->n;
	prob.n_cols = r->n_cols;
	prob.X = r->X;
	prob.y = r->y;
	prob.weights = r->w;
	prob.lambda = s->lambda;
	return prob;
}

/* Fail unless there is a fit that matches the current space. */
static int need_fit(struct session *s)
{
	if (!s->fit.have)
		return cmd_fail(s, "no fit: fit the ECIs first, e.g. 'fit ols'");
	if (!s->space || s->fit.res.n_cols != s->space->n_params)
		return cmd_fail(s, "the last fit does not match the cluster space: fit again");
	return 0;
}

/* The fit options of the last fit with the session's seed and threads. */
static cewb_fit_options fit_options(const struct session *s)
{
	cewb_fit_options o = s->fit.opt;

	o.seed = s->seed;
	o.n_threads = s->threads;
	return o;
}

/* Plot options from the command line and the session settings. */
static int plot_opts(struct session *s, const struct cmd_args *a, plot_options *o)
{
	const char *term = s->plot_terminal;

	memset(o, 0, sizeof *o);
	o->output = arg_str(a, "output");
	o->title = arg_str(a, "title");
	o->color = s->color ? PLOT_COLOR_AUTO : PLOT_COLOR_NONE;
	o->unit = "meV/atom";
	if (arg_flag(a, "text") || strcmp(term, "dumb") == 0 || strcmp(term, "text") == 0)
		o->dest = PLOT_TO_TEXT;
	else if (strcmp(term, "qt") == 0 || strcmp(term, "wxt") == 0 || strcmp(term, "x11") == 0)
		o->dest = PLOT_TO_WINDOW;
	else if (!s->interactive || !isatty(STDOUT_FILENO))
		o->dest = PLOT_TO_TEXT; /* scripts and transcripts: the same text everywhere */
	if (arg_set(a, "size")) {
		const struct cmd_value *v = arg_value(a, "size");
		if (v->n != 2)
			return cmd_fail(s, "--size takes two numbers, W,H");
		o->width = o->text_cols = (int)v->reals[0];
		o->height = o->text_rows = (int)v->reals[1];
	} else if (o->dest == PLOT_TO_TEXT && (!s->interactive || !isatty(STDOUT_FILENO))) {
		o->text_cols = 80;
		o->text_rows = 24;
	}
	return 0;
}

/*
 * Print the outcome of a plot: the text, a note on the file, or the table
 * and the error.  In JSON a failure is only the error document the front
 * end writes (one document per command).
 */
static int plot_report(struct session *s, const char *what, const plot_options *o,
		       plot_result *res, cewb_status st, const cewb_error *err)
{
	const char *dest = res->dest == PLOT_TO_FILE ? "file"
			   : res->dest == PLOT_TO_WINDOW ? "window" : "text";
	int rc = 0;

	if (st != CEWB_OK) {
		int table = res->text && !out_is_json(s);

		if (table)
			out_printf(s, "%s", res->text);
		rc = cmd_fail(s, "%s%s", err->message,
			      table ? "; the data are shown above as a table" : "");
	} else if (out_is_json(s)) {
		out_json(s, json_pack("{s:s, s:s, s:s?, s:s?}", "plot", what, "destination", dest,
				      "output", o->output, "text", res->text));
	} else if (res->text) {
		out_printf(s, "%s", res->text);
	} else if (res->dest == PLOT_TO_FILE) {
		out_printf(s, "wrote %s\n", o->output);
	} else if (res->dest == PLOT_TO_WINDOW) {
		out_printf(s, "drew %s in a gnuplot window\n", what);
	}
	plot_result_release(res);
	return rc;
}

/* The stored validation when it belongs to the current training matrix. */
static const struct fit_validation_data *fresh_validation(const struct session *s)
{
	const struct fit_validation_data *v = s->fit_data ? &s->fit_data->validation : NULL;

	return v && v->have && v->predicted && v->X_id == s->train.X ? v : NULL;
}

/*
 * plot eci: ECIs of the last fit against orbit radius, one colour per order,
 * with the spread over the splits of the stored validation of the same
 * method as error bars.
 */
static int plot_eci_cmd(struct session *s, const plot_options *o, plot_result *res,
			cewb_error *err, cewb_status *st)
{
	const cewb_space *sp;
	const struct fit_validation_data *v;
	size_t n, j, k = 0;
	double *radius, *eci, *sd = NULL;
	int *order;

	if (need_fit(s))
		return 1;
	sp = s->space;
	n = sp->n_params;
	v = fresh_validation(s);
	if (v && (!v->eci_std || v->n_params != n ||
		  strcmp(v->method, cewb_fit_method_name(s->fit.opt.method)) != 0))
		v = NULL;
	radius = malloc(n * sizeof *radius);
	eci = malloc(n * sizeof *eci);
	order = malloc(n * sizeof *order);
	if (v)
		sd = malloc(n * sizeof *sd);
	if (!radius || !eci || !order || (v && !sd)) {
		free(radius);
		free(eci);
		free(order);
		free(sd);
		return cmd_fail(s, "out of memory");
	}
	/* The zerolet is an energy offset, not an interaction: left out. */
	for (j = 0; j < n; j++) {
		const cewb_orbit *orb = &sp->orbits[sp->param_orbit[j]];
		if (orb->order == 0)
			continue;
		radius[k] = orb->radius;
		eci[k] = s->fit.res.eci[j] * MEV;
		if (sd)
			sd[k] = v->eci_std[j] * MEV;
		order[k] = (int)orb->order;
		k++;
	}
	if (k == 0) {
		free(radius);
		free(eci);
		free(order);
		free(sd);
		return cmd_fail(s, "the cluster space has no orbit beyond the zerolet");
	}
	*st = plot_eci(k, radius, eci, sd, order, o, res, err);
	free(radius);
	free(eci);
	free(order);
	free(sd);
	return 0;
}

/*
 * plot parity: the last fit's predictions of its training structures, and
 * out-of-sample predictions: those of the stored validation, else k-fold.
 */
static int plot_parity_cmd(struct session *s, const struct cmd_args *a, const plot_options *o,
			   plot_result *res, cewb_error *err, cewb_status *st)
{
	const struct fit_validation_data *v = fresh_validation(s);
	struct rows r;
	double *target, *pred;
	unsigned char *valid;
	size_t i, n2 = 0, n_max;

	if (need_fit(s) || rows_collect(s, 1, &r))
		return 1;
	n_max = r.n + (v ? v->n_rows : r.n);
	target = malloc(n_max * sizeof *target);
	pred = malloc(n_max * sizeof *pred);
	valid = malloc(n_max);
	if (!target || !pred || !valid) {
		free(target);
		free(pred);
		free(valid);
		rows_release(&r);
		return cmd_fail(s, "out of memory");
	}
	cewb_fit_predict(r.X, r.n, r.n_cols, s->fit.res.eci, pred);
	for (i = 0; i < r.n; i++) {
		target[i] = r.y[i];
		valid[i] = 0;
	}
	n2 = r.n;
	if (v) {
		for (i = 0; i < v->n_rows; i++) {
			if (!isfinite(v->predicted[i]))
				continue;
			target[n2] = v->target[i];
			pred[n2] = v->predicted[i];
			valid[n2++] = 1;
		}
	} else if (r.n >= 2) {
		/* Every structure once more, predicted by a fit that did not see it. */
		cewb_fit_problem prob = rows_problem(s, &r);
		cewb_fit_options fo = fit_options(s);
		cewb_xval_options xo = cewb_xval_options_default();
		cewb_xval_result xr;
		cewb_error xerr;

		xo.folds = (size_t)arg_int(a, "folds");
		if (xo.folds > r.n)
			xo.folds = r.n;
		xo.seed = s->seed;
		memset(&xr, 0, sizeof xr);
		if (cewb_xval(&prob, &fo, &xo, &xr, &xerr) == CEWB_OK && xr.predicted) {
			for (i = 0; i < r.n; i++) {
				if (!isfinite(xr.predicted[i]))
					continue;
				target[n2] = r.y[i];
				pred[n2] = xr.predicted[i];
				valid[n2++] = 1;
			}
		} else if (!out_is_json(s)) {
			out_printf(s, "note: no cross-validated predictions (%s)\n", xerr.message);
		}
		cewb_xval_result_release(&xr);
	}
	for (i = 0; i < n2; i++) {
		target[i] *= MEV;
		pred[i] *= MEV;
	}
	*st = plot_parity(n2, target, pred, valid, o, res, err);
	free(target);
	free(pred);
	free(valid);
	rows_release(&r);
	return 0;
}

/* Sensing diagnostics of the usable rows (correlations when want_corr). */
static int sensing_of(struct session *s, int want_corr, cewb_sensing *out)
{
	struct rows r;
	cewb_sensing_options so;
	cewb_error e;
	cewb_status st;

	if (rows_collect(s, 0, &r))
		return 1;
	cewb_sensing_options_default(&so);
	so.want_correlation = want_corr;
	memset(out, 0, sizeof *out);
	st = cewb_sensing_compute(r.X, r.n, r.n_cols, &so, out, &e);
	rows_release(&r);
	if (st != CEWB_OK)
		return cmd_fail(s, "%s", e.message);
	return 0;
}

/* plot spectrum: singular values of the sensing matrix. */
static int plot_spectrum_cmd(struct session *s, const plot_options *o, plot_result *res,
			     cewb_error *err, cewb_status *st)
{
	cewb_sensing sens;

	if (sensing_of(s, 0, &sens))
		return 1;
	*st = plot_spectrum(sens.n_singular, sens.singular_values, o, res, err);
	cewb_sensing_release(&sens);
	return 0;
}

/* plot correlations: the column correlations of the sensing matrix. */
static int plot_correlations_cmd(struct session *s, const plot_options *o, plot_result *res,
				 cewb_error *err, cewb_status *st)
{
	cewb_sensing sens;
	size_t i;

	if (sensing_of(s, 1, &sens))
		return 1;
	*st = plot_correlations(sens.n_cols, sens.correlation, o, res, err);
	/* Under a text map, the pairs behind its darkest cells. */
	if (*st == CEWB_OK && res->dest == PLOT_TO_TEXT && res->text && sens.n_top > 0 &&
	    !out_is_json(s)) {
		size_t len = strlen(res->text), cap = len + 64 + 48 * sens.n_top;
		char *t = realloc(res->text, cap);
		if (t) {
			len += (size_t)snprintf(t + len, cap - len, "most correlated columns:\n");
			for (i = 0; i < sens.n_top && len < cap; i++)
				len += (size_t)snprintf(t + len, cap - len, "  %4zu %4zu  %+.4f\n",
							sens.top[i].a, sens.top[i].b,
							sens.top[i].r);
			res->text = t;
		}
	}
	cewb_sensing_release(&sens);
	return 0;
}

/* plot path: CV error along the hyperparameter of the last fit's method. */
static int plot_path_cmd(struct session *s, const struct cmd_args *a, const plot_options *o,
			 plot_result *res, cewb_error *err, cewb_status *st)
{
	struct rows r;
	cewb_fit_problem prob;
	cewb_fit_options fo;
	plot_curve c;
	cewb_error e;
	cewb_fit_method m;
	size_t i;

	if (need_fit(s))
		return 1;
	m = s->fit.opt.method;
	if (m != CEWB_FIT_LASSO && m != CEWB_FIT_ENET && m != CEWB_FIT_RFE && m != CEWB_FIT_OMP &&
	    m != CEWB_FIT_ARDR)
		return cmd_fail(s, "no hyperparameter path for method '%s' (lasso, enet, rfe, omp "
			       "or ardr)", cewb_fit_method_name(m));
	if (rows_collect(s, 1, &r))
		return 1;
	prob = rows_problem(s, &r);
	fo = fit_options(s);
	memset(&c, 0, sizeof c);
	if (m == CEWB_FIT_ARDR) {
		/* The threshold curve: k-fold CV at thresholds 10^1 .. 10^7. */
		enum { N_THR = 19 };
		double thr[N_THR], tr[N_THR], va[N_THR], sd[N_THR];
		cewb_xval_options xo = cewb_xval_options_default();

		xo.folds = (size_t)arg_int(a, "folds");
		if (xo.folds > r.n)
			xo.folds = r.n;
		xo.seed = s->seed;
		for (i = 0; i < N_THR; i++) {
			cewb_xval_result xr;

			memset(&xr, 0, sizeof xr);
			thr[i] = pow(10.0, 1.0 + (double)i / 3.0);
			fo.threshold = thr[i];
			if (cewb_xval(&prob, &fo, &xo, &xr, &e) != CEWB_OK) {
				rows_release(&r);
				return cmd_fail(s, "threshold %g: %s", thr[i], e.message);
			}
			tr[i] = xr.rmse_train * MEV;
			va[i] = xr.rmse_validation * MEV;
			sd[i] = xr.rmse_validation_std * MEV;
			cewb_xval_result_release(&xr);
		}
		c.n_points = N_THR;
		c.x = thr;
		c.train = tr;
		c.valid = va;
		c.valid_std = sd;
		*st = plot_path(&c, PLOT_PATH_THRESHOLD, s->fit.opt.threshold, o, res, err);
	} else {
		cewb_fit_path path;

		memset(&path, 0, sizeof path);
		if (cewb_fit_path_compute(&prob, &fo, &path, &e) != CEWB_OK) {
			rows_release(&r);
			return cmd_fail(s, "%s", e.message);
		}
		for (i = 0; i < path.n_points; i++) {
			path.rmse_mean[i] *= MEV;
			path.rmse_std[i] *= MEV;
		}
		c.n_points = path.n_points;
		c.x = path.param;
		c.valid = path.rmse_mean;
		c.valid_std = path.rmse_std;
		*st = plot_path(&c, m == CEWB_FIT_RFE || m == CEWB_FIT_OMP ? PLOT_PATH_FEATURES
									 : PLOT_PATH_ALPHA,
				path.n_points ? path.param[path.best] : NAN, o, res, err);
		cewb_fit_path_release(&path);
	}
	rows_release(&r);
	return 0;
}

/*
 * plot learning-curve / convergence: a curve the fit family stored (x the
 * number of training structures, or the pair cutoff); title names the method.
 */
static int plot_stored_curve(struct session *s, int convergence, plot_options *o,
			     plot_result *res, cewb_error *err, cewb_status *st)
{
	const struct fit_curve_data *d = NULL;
	double *tr, *va, *sd;
	char title[96];
	plot_curve c;
	size_t i, n;

	if (s->fit_data)
		d = convergence ? &s->fit_data->convergence : &s->fit_data->learning;
	if (!d || !d->have || d->n_points == 0)
		return cmd_fail(s, convergence ? "no convergence scan: run 'convergence METHOD "
						 "--cutoffs ...' first"
					       : "no learning curve: run 'learning-curve METHOD' first");
	n = d->n_points;
	tr = malloc(n * sizeof *tr);
	va = malloc(n * sizeof *va);
	sd = malloc(n * sizeof *sd);
	if (!tr || !va || !sd) {
		free(tr);
		free(va);
		free(sd);
		return cmd_fail(s, "out of memory");
	}
	if (d->forces)
		o->unit = "meV/Å";
	for (i = 0; i < n; i++) {
		tr[i] = d->train ? d->train[i] * MEV : NAN;
		va[i] = d->valid ? d->valid[i] * MEV : NAN;
		sd[i] = d->valid_std ? d->valid_std[i] * MEV : 0;
	}
	memset(&c, 0, sizeof c);
	c.n_points = n;
	c.x = d->x;
	c.train = d->train ? tr : NULL;
	c.valid = d->valid ? va : NULL;
	c.valid_std = d->valid ? sd : NULL;
	if (!o->title) {
		snprintf(title, sizeof title, "%s (%s)", convergence ? "convergence with cutoff"
									 : "learning curve",
			 d->method);
		o->title = title;
	}
	*st = convergence ? plot_convergence(&c, o, res, err)
			  : plot_learning_curve(&c, o, res, err);
	if (o->title == title)
		o->title = NULL;
	free(tr);
	free(va);
	free(sd);
	return 0;
}

/* plot WHAT: draw one of the plots. */
static int plot_exec(struct session *s, const struct cmd_args *a)
{
	const char *what = a->pos[0].s;
	plot_options o;
	plot_result res;
	cewb_error err;
	cewb_status st = CEWB_OK;
	int rc;

	if (plot_opts(s, a, &o))
		return 1;
	/* A file: never over an existing one without --force; gnuplot writes a
	 * temporary file beside it, renamed over it once complete. */
	struct cli_atomic w = { .slot = -1 };
	const char *target = o.output;
	if (target) {
		const char *dot = strrchr(target, '.');
		if (cli_may_write(s, target, arg_flag(a, "force")))
			return 1;
		/* A name plot_run refuses (no known extension) is left to it. */
		if (dot && (!strcasecmp(dot, ".png") || !strcasecmp(dot, ".svg") ||
			    !strcasecmp(dot, ".pdf"))) {
			if (cli_atomic_name(s, &w, target))
				return 1;
			o.output = w.tmp;
		}
	}
	plot_result_init(&res);
	cewb_error_clear(&err);
	if (strcmp(what, "eci") == 0)
		rc = plot_eci_cmd(s, &o, &res, &err, &st);
	else if (strcmp(what, "parity") == 0)
		rc = plot_parity_cmd(s, a, &o, &res, &err, &st);
	else if (strcmp(what, "spectrum") == 0)
		rc = plot_spectrum_cmd(s, &o, &res, &err, &st);
	else if (strcmp(what, "correlations") == 0)
		rc = plot_correlations_cmd(s, &o, &res, &err, &st);
	else if (strcmp(what, "path") == 0)
		rc = plot_path_cmd(s, a, &o, &res, &err, &st);
	else if (strcmp(what, "learning-curve") == 0)
		rc = plot_stored_curve(s, 0, &o, &res, &err, &st);
	else if (!strcmp(what, "dispersion") || !strcmp(what, "dos") || !strcmp(what, "thermal"))
		rc = phonon_plot(s, what, &o, &res, &err, &st);
	else
		rc = plot_stored_curve(s, 1, &o, &res, &err, &st);
	o.output = target;
	if (w.tmp) {
		if (rc || st != CEWB_OK || res.dest != PLOT_TO_FILE)
			cli_atomic_abort(&w);
		else if (cli_atomic_commit(s, &w))
			rc = 1;
	}
	if (rc) {
		plot_result_release(&res);
		return rc;
	}
	return plot_report(s, what, &o, &res, st, &err);
}

static const char *const plot_choices[] = { "learning-curve", "convergence", "eci", "parity",
					    "path", "spectrum", "correlations", "dispersion", "dos",
					    "thermal", NULL };
static const struct cmd_arg plot_pos[] = {
	{ .name = "what", .type = ARG_CHOICE, .choices = plot_choices, .min = 1, .max = 0,
	  .metavar = "WHAT", .help = "learning-curve, convergence, eci, parity, path, spectrum, "
				    "correlations; phonons: dispersion, dos, thermal" },
	{ .name = NULL }
};
static const struct cmd_arg plot_opts_spec[] = {
	{ .name = "output", .type = ARG_FILE, .metavar = "FILE",
	  .help = "write FILE.png, FILE.svg or FILE.pdf instead of drawing on the screen" },
	{ .name = "title", .type = ARG_STRING, .metavar = "TEXT",
	  .help = "title instead of the default one" },
	{ .name = "size", .type = ARG_REALS, .min = 10, .max = 10000, .metavar = "W,H",
	  .help = "image size in pixels, or text plot size in characters" },
	{ .name = "text", .type = ARG_FLAG, .help = "a text plot even when a window could open" },
	{ .name = "force", .type = ARG_FLAG, .help = "replace an existing --output file" },
	{ .name = "folds", .type = ARG_INT, .def = "10", .min = 2, .max = 1000, .metavar = "K",
	  .help = "folds of the cross-validation (parity without a validation, ardr path)" },
	{ .name = NULL }
};

const struct cmd_entry cmd_plot_entries[] = {
	{ .name = "plot", .group = "plot", .summary = "draw curves and maps with gnuplot",
	  .positionals = plot_pos, .min_pos = 1, .max_pos = 1, .options = plot_opts_spec,
	  .exec = plot_exec, .page = "plot", .flags = CMD_REPORTS },
	{ .name = NULL }
};
