/*
 * cmd_fit.c - the fit family: fit, validate, eci, predict, learning-curve,
 * convergence.
 *
 * Every command builds its regression problem from the session: the rows
 * are the training structures that were not refused by the mapping (in
 * load order), the columns the cluster vectors of the current space, the
 * targets the values read with --target.  Targets keep their units (eV/atom
 * as a rule): JSON reports them unchanged, text reports errors and ECIs in
 * meV/atom (x 1000) and say so.
 *
 * Times are printed in text only when the session is neither recorded nor
 * replayed (they differ from run to run); JSON always carries "seconds",
 * which the replay check ignores.
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cmd.h"
#include "lex.h"
#include "safety.h"
#include "session.h"
#include "fit_data.h"
#include "cmd_prior.h"
#include "fce_state.h"
#include "cewb/mapping.h"

#define MEV 1000.0	/* text reports: eV/atom -> meV/atom */

/* ---- fit data kept in the session ---- */

/* The session's fit data, created on first use; NULL when out of memory. */
static struct fit_data *fit_data_get(struct session *s)
{
	if (!s->fit_data)
		s->fit_data = calloc(1, sizeof *s->fit_data);
	return s->fit_data;
}

/* Allocate the arrays of a curve of n points (with labels/params if asked). */
static int curve_alloc(struct fit_curve_data *c, size_t n, int with_labels)
{
	memset(c, 0, sizeof *c);
	c->n_points = n;
	c->x = calloc(n, sizeof *c->x);
	c->valid = calloc(n, sizeof *c->valid);
	c->valid_std = calloc(n, sizeof *c->valid_std);
	c->train = calloc(n, sizeof *c->train);
	if (with_labels) {
		c->label = calloc(n, sizeof *c->label);
		c->n_params = calloc(n, sizeof *c->n_params);
	}
	if (!c->x || !c->valid || !c->valid_std || !c->train ||
	    (with_labels && (!c->label || !c->n_params))) {
		fit_curve_release(c);
		return -1;
	}
	return 0;
}

/* ---- small helpers ---- */

/* A value in meV/atom with the session precision. */
static const char *mev(const struct session *s, double x, char *buf, size_t len)
{
	return out_real(s, x * MEV, buf, len);
}

/* Is a hyperparameter in the units of the targets (shown in meV/atom)? */
static int hyper_is_energy(const char *name)
{
	return strncmp(name, "rmse", 4) == 0 || strcmp(name, "noise_std") == 0;
}

/* ---- the regression problem of the session ---- */

/* The rows and arrays of one problem (copies, owned). */
struct rows {
	size_t n, p;
	double *X, *y, *w;	/* n x p, n, n (w NULL without --weights) */
	double *sigma;		/* n x n from --sigma, or NULL */
	size_t *row;		/* n: training-set index of each row */
	size_t n_refused;	/* structures left out (refused by the mapping) */
	int fce;		/* force rows of FCE mode (fce_state.h) */
	size_t *groups;		/* FCE: structure of each row (validation keeps them together) */
	size_t n_groups;	/* FCE: structures */
};

/* Free the arrays of r. */
static void rows_release(struct rows *r)
{
	free(r->X);
	free(r->y);
	free(r->w);
	free(r->sigma);
	free(r->row);
	free(r->groups);
	memset(r, 0, sizeof *r);
}

/* The fit problem borrowing r's arrays (no prior: see problem_extras). */
static cewb_fit_problem rows_problem(const struct rows *r)
{
	cewb_fit_problem pb;
	memset(&pb, 0, sizeof pb);
	pb.n_rows = r->n;
	pb.n_cols = r->p;
	pb.X = r->X;
	pb.y = r->y;
	pb.weights = r->w;
	pb.sigma = r->sigma;
	pb.groups = r->groups;
	return pb;
}

/* Where a training structure came from, for messages. */
static void item_name(const struct session *s, size_t i, char *buf, size_t len)
{
	const struct train_item *it = &s->train.items[i];
	snprintf(buf, len, "structure %zu (%s frame %zu)", i, it->file ? it->file : "?",
		 it->frame);
}

/*
 * Build the rows of the training set with the cluster vectors X (n_params
 * columns; the session's, which needs a space, or a convergence scan's):
 * refused structures are left out, every target must be finite.  Returns
 * 0, or 1 after cmd_fail.
 */
static int rows_build(struct session *s, const double *X, size_t n_params, int weights,
		      struct rows *r)
{
	memset(r, 0, sizeof *r);
	if (fce_session_active(s) && X == s->train.X) {
		/* FCE mode: 3 force rows per atom, grouped by structure */
		if (fce_session_rows(s, &r->X, &r->y, &r->groups, &r->n, &r->p, &r->n_groups))
			return 1;
		r->fce = 1;
		r->row = malloc(r->n * sizeof *r->row);
		if (!r->row) {
			rows_release(r);
			return cmd_fail(s, "out of memory");
		}
		memcpy(r->row, r->groups, r->n * sizeof *r->row);
		return 0;
	}
	if (!s->space && X == s->train.X)
		return cmd_fail(s, "no cluster space: build one first with "
				"'space CUT2 [CUT3 ...]'");
	if (s->train.n == 0)
		return cmd_fail(s, "no training structures: load some with "
				"'load structures FILE --target KEY'");
	if (!s->train.target_key)
		return cmd_fail(s, "the structures have no targets: load them with "
				"'load structures FILE --target KEY'");
	if (!X)
		return cmd_fail(s, "no cluster vectors: build the space again with 'space'");
	size_t n = 0;
	for (size_t i = 0; i < s->train.n; i++) {
		const struct train_item *it = &s->train.items[i];
		if (!train_item_used(it)) {
			r->n_refused++;
			continue;
		}
		if (!isfinite(it->target)) {
			char nm[512];
			item_name(s, i, nm, sizeof nm);
			return cmd_fail(s, "%s has no finite target (%g): fix its %s or leave "
					"it out", nm, it->target, s->train.target_key);
		}
		n++;
	}
	if (n == 0)
		return cmd_fail(s, "every training structure was refused by the mapping or dropped: "
				"nothing to fit");
	r->n = n;
	r->p = n_params;
	r->X = malloc(n * n_params * sizeof *r->X);
	r->y = malloc(n * sizeof *r->y);
	r->row = malloc(n * sizeof *r->row);
	r->w = weights ? malloc(n * sizeof *r->w) : NULL;
	if (!r->X || !r->y || !r->row || (weights && !r->w)) {
		rows_release(r);
		return cmd_fail(s, "out of memory for %zu x %zu cluster vectors", n, n_params);
	}
	size_t k = 0;
	for (size_t i = 0; i < s->train.n; i++) {
		const struct train_item *it = &s->train.items[i];
		if (!train_item_used(it))
			continue;
		memcpy(r->X + k * n_params, X + i * n_params, n_params * sizeof *X);
		r->y[k] = it->target;
		r->row[k] = i;
		if (r->w)
			r->w[k] = it->weight;
		k++;
	}
	return 0;
}

/* Read an n x n matrix of numbers ('#' starts a comment) from path. */
static int read_sigma(struct session *s, const char *path, size_t n, double **out)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return cmd_fail(s, "cannot open '%s': %s", path, strerror(errno));
	double *m = malloc(n * n * sizeof *m);
	if (!m) {
		fclose(fp);
		return cmd_fail(s, "out of memory for a %zu x %zu covariance", n, n);
	}
	size_t count = 0, line_no = 0, cap = 0;
	char *line = NULL;	/* whole lines: a number is never cut in two */
	int bad = 0;
	while (!bad && getline(&line, &cap, fp) >= 0) {
		line_no++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *p = line;
		for (;;) {
			while (*p && (isspace((unsigned char)*p) || *p == ','))
				p++;
			if (!*p)
				break;
			char *end;
			double x = strtod(p, &end);
			if (end == p) {
				bad = 1;
				break;
			}
			if (count < n * n)
				m[count] = x;
			count++;
			p = end;
		}
	}
	free(line);
	fclose(fp);
	if (bad) {
		free(m);
		return cmd_fail(s, "'%s' line %zu: not a number", path, line_no);
	}
	if (count != n * n) {
		free(m);
		return cmd_fail(s, "'%s' has %zu numbers; the covariance of %zu structures needs "
				"%zu (%zu x %zu)", path, count, n, n * n, n, n);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (fabs(m[i * n + j] - m[j * n + i]) >
			    1e-12 * fmax(fabs(m[i * n + j]), fabs(m[j * n + i])) + 1e-300) {
				free(m);
				return cmd_fail(s, "'%s': the covariance is not symmetric "
						"((%zu, %zu) and (%zu, %zu) differ)", path, i, j,
						j, i);
			}
	*out = m;
	return 0;
}

/* ---- options shared by fit, validate, learning-curve and convergence ---- */

static const char *const on_off[] = { "on", "off", NULL };
static const char *const method_names[] = { "ols", "ridge", "prior", "bayes", "ardr", "lasso",
					    "enet", "rfe", "omp", "huber", "lad", "gls", NULL };

/* Options of the fit itself (a macro: each command's array repeats them). */
#define FIT_OPTIONS \
	{ .name = "alpha", .type = ARG_REAL, .min = 1, .max = 0, .metavar = "A", \
	  .help = "strength of ridge, lasso, enet (0 or unset: chosen by CV)" }, \
	{ .name = "l1-ratio", .type = ARG_REAL, .min = 1, .max = 0, .metavar = "R", \
	  .help = "elastic net mix of L1 and L2, in (0, 1]" }, \
	{ .name = "threshold", .type = ARG_REAL, .min = 1, .max = 0, .metavar = "L", \
	  .help = "ardr pruning threshold lambda (default 1e4)" }, \
	{ .name = "n-features", .type = ARG_INT, .min = 0, .max = 1e9, .metavar = "N", \
	  .help = "rfe, omp: features kept (0 or unset: chosen by CV)" }, \
	{ .name = "epsilon", .type = ARG_REAL, .min = 1, .max = 0, .metavar = "E", \
	  .help = "huber: transition in residual-scale units (default 1.35)" }, \
	{ .name = "standardize", .type = ARG_CHOICE, .choices = on_off, \
	  .help = "scale columns to unit norm inside the fit (sparse methods: on)" }, \
	{ .name = "weights", .type = ARG_FLAG, .help = "weight rows by the training weights" }, \
	{ .name = "sigma", .type = ARG_FILE, .metavar = "FILE", \
	  .help = "gls: full data covariance, n x n numbers" }, \
	{ .name = "max-iter", .type = ARG_INT, .min = 1, .max = 1e9, .metavar = "N", \
	  .help = "iteration limit of iterative methods" }, \
	{ .name = "tol", .type = ARG_REAL, .min = 1, .max = 0, .metavar = "T", \
	  .help = "convergence tolerance (method's default if unset)" }, \
	{ .name = "cv-folds", .type = ARG_INT, .min = 2, .max = 1e6, .metavar = "K", \
	  .help = "inner folds choosing alpha or the feature count (default 5)" }

/* Which methods an option affects (bit per method), for notes. */
static unsigned method_bit(cewb_fit_method m)
{
	return 1u << (unsigned)m;
}

#define B(m) (1u << (unsigned)(m))
static const struct {
	const char *opt;
	unsigned methods;
} option_use[] = {
	{ "alpha", B(CEWB_FIT_RIDGE) | B(CEWB_FIT_LASSO) | B(CEWB_FIT_ENET) },
	{ "l1-ratio", B(CEWB_FIT_ENET) },
	{ "threshold", B(CEWB_FIT_ARDR) },
	{ "n-features", B(CEWB_FIT_RFE) | B(CEWB_FIT_OMP) },
	{ "epsilon", B(CEWB_FIT_HUBER) },
	{ "standardize", B(CEWB_FIT_BAYES) | B(CEWB_FIT_ARDR) | B(CEWB_FIT_LASSO) |
			 B(CEWB_FIT_ENET) | B(CEWB_FIT_RFE) | B(CEWB_FIT_OMP) },
	{ "sigma", B(CEWB_FIT_GLS) },
	{ "max-iter", B(CEWB_FIT_BAYES) | B(CEWB_FIT_ARDR) | B(CEWB_FIT_LASSO) |
		      B(CEWB_FIT_ENET) | B(CEWB_FIT_HUBER) | B(CEWB_FIT_LAD) },
	{ "cv-folds", B(CEWB_FIT_LASSO) | B(CEWB_FIT_ENET) | B(CEWB_FIT_RFE) | B(CEWB_FIT_OMP) |
		      B(CEWB_FIT_RIDGE) },
};
#undef B

/* Options given on the line that the methods in mask do not use, as text. */
static void unused_options(const struct cmd_args *a, unsigned mask, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t k = 0; k < sizeof option_use / sizeof option_use[0]; k++) {
		if (!arg_set(a, option_use[k].opt) || (option_use[k].methods & mask))
			continue;
		size_t l = strlen(buf);
		snprintf(buf + l, len - l, "%s--%s", l ? ", " : "", option_use[k].opt);
	}
}

/*
 * The fit options of method m from the command line and the session
 * (seed, threads); checks values the parser cannot.  0, or 1 after cmd_fail.
 */
static int options_from_args(struct session *s, const struct cmd_args *a, cewb_fit_method m,
			     uint64_t seed, cewb_fit_options *o)
{
	*o = cewb_fit_options_default(m);
	o->seed = seed;
	o->n_threads = s->threads;
	if (arg_set(a, "alpha")) {
		double x = arg_real(a, "alpha");
		if (!(x >= 0))
			return cmd_fail(s, "--alpha must be >= 0 (0 chooses it by "
					"cross-validation), got %g", x);
		o->alpha = x;
	}
	if (arg_set(a, "l1-ratio")) {
		double x = arg_real(a, "l1-ratio");
		if (!(x > 0 && x <= 1))
			return cmd_fail(s, "--l1-ratio must be in (0, 1], got %g", x);
		o->l1_ratio = x;
	}
	if (arg_set(a, "threshold")) {
		double x = arg_real(a, "threshold");
		if (!(x > 0))
			return cmd_fail(s, "--threshold must be > 0 (a pruning threshold such as "
					"1e4), got %g", x);
		o->threshold = x;
	}
	if (arg_set(a, "n-features"))
		o->n_features = (size_t)arg_int(a, "n-features");
	if (arg_set(a, "epsilon")) {
		double x = arg_real(a, "epsilon");
		if (!(x >= 1))
			return cmd_fail(s, "--epsilon must be >= 1 (1.35 is usual), got %g", x);
		o->huber_epsilon = x;
	}
	if (arg_set(a, "standardize"))
		o->standardize = strcmp(arg_str(a, "standardize"), "on") == 0;
	if (arg_set(a, "max-iter"))
		o->max_iter = (size_t)arg_int(a, "max-iter");
	if (arg_set(a, "tol")) {
		double x = arg_real(a, "tol");
		if (!(x > 0))
			return cmd_fail(s, "--tol must be > 0, got %g", x);
		o->tol = x;
	}
	if (arg_set(a, "cv-folds"))
		o->cv_folds = (size_t)arg_int(a, "cv-folds");
	return 0;
}

/* Method from its name; *bad after cmd_fail (what prefixes the message). */
static cewb_fit_method method_of(struct session *s, const char *name, const char *what,
				 int *bad)
{
	cewb_fit_method m = CEWB_FIT_OLS;
	cewb_error err;
	cewb_error_clear(&err);
	*bad = cewb_fit_method_parse(name, &m, &err) != CEWB_OK;
	if (*bad)
		cmd_fail(s, "%s%s", what, err.message);
	return m;
}

/*
 * Everything a fit of method m needs beyond the rows: Sigma from the
 * options, the session's prior (method prior: the 'prior' commands' design,
 * merges included; no prior designed is the "none" prior, i.e. OLS).
 * 0, or 1 after cmd_fail.
 */
static int problem_extras(struct session *s, const struct cmd_args *a, cewb_fit_method m,
			  struct rows *r, cewb_prior **prior)
{
	*prior = NULL;
	if (r->fce && ((arg_set(a, "sigma") && m == CEWB_FIT_GLS) || m == CEWB_FIT_PRIOR))
		return cmd_fail(s, "%s is for the cluster expansion; in force-constant mode "
				"use ols, ridge, bayes, ardr, lasso, ...",
				m == CEWB_FIT_PRIOR ? "the prior" : "--sigma");
	if (arg_set(a, "sigma") && m == CEWB_FIT_GLS) {
		if (r->w)
			return cmd_fail(s, "gls takes --weights or --sigma, not both");
		if (read_sigma(s, arg_str(a, "sigma"), r->n, &r->sigma))
			return 1;
	}
	if (m == CEWB_FIT_PRIOR) {
		if (r->p != s->train.n_params)
			return cmd_fail(s, "the prior belongs to the session's space (%zu "
					"parameters), not to %zu", s->train.n_params, r->p);
		*prior = prior_session(s);
		if (!*prior)
			return cmd_fail(s, "out of memory for the prior");
	}
	return 0;
}

/* ---- fit ---- */

/* fit METHOD [options] */
static int fit_exec(struct session *s, const struct cmd_args *a)
{
	int bad;
	cewb_fit_method m = method_of(s, a->pos[0].s, "", &bad);
	if (bad)
		return 1;
	cewb_fit_options o;
	if (options_from_args(s, a, m, s->seed, &o))
		return 1;
	struct rows r;
	if (rows_build(s, s->train.X, s->train.n_params, arg_flag(a, "weights"), &r))
		return 1;
	cewb_prior *prior;
	if (problem_extras(s, a, m, &r, &prior)) {
		rows_release(&r);
		return 1;
	}
	cewb_fit_problem pb = rows_problem(&r);
	cewb_fit_result res;
	memset(&res, 0, sizeof res);
	cewb_error err;
	cewb_error_clear(&err);
	cewb_status st = prior ? cewb_prior_fit(prior, &pb, &o, &res, &err)
			       : cewb_fit(&pb, &o, &res, &err);
	if (st != CEWB_OK) {
		rows_release(&r);
		return cmd_fail(s, "%s", err.message);
	}
	if (r.fce) {
		char note[256];
		unused_options(a, method_bit(m), note, sizeof note);
		int rc = fce_session_fit_done(s, &o, &res, r.y, r.n, r.n_groups, note);
		rows_release(&r);
		return rc;
	}
	size_t n_rows = r.n, n_refused = r.n_refused;
	rows_release(&r);
	session_drop_fit(s);
	s->fit.have = 1;
	s->fit.res = res;
	s->fit.opt = o;
	s->fit.n_rows = n_rows;
	const cewb_fit_result *fr = &s->fit.res;

	if (out_is_json(s)) {
		json_t *eci = json_array();
		for (size_t j = 0; j < fr->n_cols; j++)
			json_array_append_new(eci, out_jreal(fr->eci[j]));
		json_t *doc = json_pack("{s:s, s:i, s:i, s:o, s:o, s:o, s:o, s:i, s:i, s:b, s:i, "
					"s:b}",
					"method", cewb_fit_method_name(m), "n_parameters",
					(int)fr->n_cols, "n_nonzero", (int)fr->n_nonzero,
					"rmse_train", out_jreal(fr->rmse_train), "eci", eci,
					"hyperparameters", fit_hyper_json(fr), "seconds",
					out_jreal(fr->seconds), "n_structures", (int)n_rows, "rank",
					(int)fr->rank, "converged", fr->converged, "n_iter",
					(int)fr->n_iter, "standardize", o.standardize);
		if (isfinite(fr->log_marginal_likelihood))
			json_object_set_new(doc, "log_marginal_likelihood",
					    json_real(fr->log_marginal_likelihood));
		if (fr->warning[0])
			json_object_set_new(doc, "warning", json_string(fr->warning));
		out_json(s, doc);
		return 0;
	}
	char b1[64];
	out_printf(s, "method                %s%s\n", cewb_fit_method_name(m),
		   (method_bit(m) & option_use[5].methods) ?
			   (o.standardize ? " (standardized columns)" : " (raw columns)") : "");
	out_printf(s, "n_parameters          %zu\n", fr->n_cols);
	out_printf(s, "n_nonzero             %zu\n", fr->n_nonzero);
	out_printf(s, "n_structures          %zu", n_rows);
	if (n_refused)
		out_printf(s, " (%zu refused by the mapping left out)", n_refused);
	out_printf(s, "\n");
	out_printf(s, "rmse_train            %s meV/atom\n", mev(s, fr->rmse_train, b1, sizeof b1));
	for (size_t k = 0; k < fr->n_hyper && k < CEWB_FIT_MAX_HYPER; k++) {
		if (hyper_is_energy(fr->hyper_name[k]))
			out_printf(s, "%-21s %s meV/atom\n", fr->hyper_name[k],
				   mev(s, fr->hyper[k], b1, sizeof b1));
		else
			out_printf(s, "%-21s %s\n", fr->hyper_name[k],
				   out_real(s, fr->hyper[k], b1, sizeof b1));
	}
	if (isfinite(fr->log_marginal_likelihood))
		out_printf(s, "log_likelihood        %s (marginal)\n",
			   out_real(s, fr->log_marginal_likelihood, b1, sizeof b1));
	if (out_show_time(s))
		out_printf(s, "seconds               %.3g\n", fr->seconds);
	char unused[256];
	unused_options(a, method_bit(m), unused, sizeof unused);
	if (unused[0])
		out_printf(s, "note: %s has no effect on %s\n", unused, cewb_fit_method_name(m));
	if (fr->warning[0])
		out_printf(s, "warning: %s\n", fr->warning);
	return 0;
}

/* ---- validate ---- */

/* The validation scheme from the options; 0 or 1 after cmd_fail. */
static int xval_from_args(struct session *s, const struct cmd_args *a, cewb_xval_options *x)
{
	*x = cewb_xval_options_default();
	x->seed = arg_set(a, "seed") ? (uint64_t)arg_int(a, "seed") : s->seed;
	int n_schemes = arg_flag(a, "loo") + arg_set(a, "shuffle-split") + arg_set(a, "bootstrap");
	if (n_schemes > 1)
		return cmd_fail(s, "give one of --loo, --shuffle-split, --bootstrap");
	if (n_schemes && arg_set(a, "folds"))
		return cmd_fail(s, "--folds is for k-fold validation, not with --loo, "
				"--shuffle-split or --bootstrap");
	x->folds = (size_t)arg_int(a, "folds");
	x->repeat = (size_t)arg_int(a, "repeat");
	if (arg_flag(a, "loo")) {
		x->scheme = CEWB_XVAL_LOO;
		if (arg_set(a, "repeat"))
			return cmd_fail(s, "--repeat has no meaning with --loo");
	} else if (arg_set(a, "shuffle-split")) {
		x->scheme = CEWB_XVAL_SHUFFLE_SPLIT;
		x->test_fraction = arg_real(a, "shuffle-split");
		if (!arg_set(a, "repeat"))
			x->repeat = 10;
	} else if (arg_set(a, "bootstrap")) {
		x->scheme = CEWB_XVAL_BOOTSTRAP;
		if (arg_set(a, "repeat"))
			return cmd_fail(s, "--bootstrap N sets the ensemble size; --repeat is "
					"not used");
		x->repeat = (size_t)arg_int(a, "bootstrap");
	}
	return 0;
}

/* The scheme as words: "10-fold cross-validation, 1 repeat". */
static void scheme_text(const cewb_xval_options *x, const cewb_xval_result *xr, char *buf,
			size_t len)
{
	switch (x->scheme) {
	case CEWB_XVAL_KFOLD:
		snprintf(buf, len, "%zu-fold cross-validation, %zu repeat%s", x->folds, x->repeat,
			 x->repeat == 1 ? "" : "s");
		break;
	case CEWB_XVAL_LOO:
		snprintf(buf, len, "leave-one-out");
		break;
	case CEWB_XVAL_SHUFFLE_SPLIT:
		snprintf(buf, len, "shuffle-split, %g held out, %zu splits", x->test_fraction,
			 x->repeat);
		break;
	case CEWB_XVAL_BOOTSTRAP:
		snprintf(buf, len, "bootstrap ensemble of %zu, out-of-bag errors",
			 xr ? xr->n_splits : x->repeat);
		break;
	}
}

/* Store a validation in the session (its rows, predictions, ensemble). */
static void store_validation(struct session *s, cewb_fit_method m, const cewb_xval_options *x,
			     const struct rows *r, const cewb_xval_result *xr)
{
	struct fit_data *d = fit_data_get(s);
	if (!d)
		return;
	struct fit_validation_data *v = &d->validation;
	fit_validation_release(v);
	v->row = malloc(r->n * sizeof *v->row);
	v->target = malloc(r->n * sizeof *v->target);
	v->predicted = malloc(r->n * sizeof *v->predicted);
	v->eci_mean = malloc(r->p * sizeof *v->eci_mean);
	v->eci_std = malloc(r->p * sizeof *v->eci_std);
	if (!v->row || !v->target || !v->predicted || !v->eci_mean || !v->eci_std) {
		fit_validation_release(v);
		return;
	}
	snprintf(v->method, sizeof v->method, "%s", cewb_fit_method_name(m));
	snprintf(v->scheme, sizeof v->scheme, "%s", cewb_xval_scheme_name(x->scheme));
	v->n_splits = xr->n_splits;
	v->n_rows = r->n;
	v->n_params = r->p;
	memcpy(v->row, r->row, r->n * sizeof *v->row);
	memcpy(v->target, r->y, r->n * sizeof *v->target);
	for (size_t i = 0; i < r->n; i++)
		v->predicted[i] = xr->predicted ? xr->predicted[i] : NAN;
	for (size_t j = 0; j < r->p; j++) {
		v->eci_mean[j] = xr->eci_mean ? xr->eci_mean[j] : NAN;
		v->eci_std[j] = xr->eci_std ? xr->eci_std[j] : NAN;
	}
	v->X_id = s->train.X;
	v->rmse_validation = xr->rmse_validation;
	v->rmse_validation_std = xr->rmse_validation_std;
	v->rmse_train = xr->rmse_train;
	v->have = 1;
}

/* One validation document (the JSON keys of DESIGN.md). */
static json_t *validate_json(cewb_fit_method m, const cewb_xval_options *x,
			     const cewb_xval_result *xr, size_t n_rows)
{
	json_t *doc = json_pack("{s:s, s:s, s:o, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:i}",
				"method", cewb_fit_method_name(m), "scheme",
				cewb_xval_scheme_name(x->scheme), "folds",
				x->scheme == CEWB_XVAL_KFOLD ? json_integer((json_int_t)x->folds)
							     : json_null(),
				"repeat", (int)(x->scheme == CEWB_XVAL_LOO ? 1 : x->repeat),
				"seed", json_integer((json_int_t)x->seed), "rmse_validation",
				out_jreal(xr->rmse_validation), "rmse_validation_std",
				out_jreal(xr->rmse_validation_std), "rmse_train",
				out_jreal(xr->rmse_train), "n_nonzero", out_jreal(xr->n_nonzero),
				"seconds", out_jreal(xr->seconds), "n_splits", (int)xr->n_splits,
				"n_structures", (int)n_rows);
	if (x->scheme == CEWB_XVAL_SHUFFLE_SPLIT)
		json_object_set_new(doc, "test_fraction", json_real(x->test_fraction));
	return doc;
}

/* Run one validation of method m on r; 0, or 1 after cmd_fail. */
static int validate_one(struct session *s, const struct cmd_args *a, cewb_fit_method m,
			const cewb_xval_options *x, struct rows *r, cewb_xval_result *xr)
{
	cewb_fit_options o;
	memset(xr, 0, sizeof *xr);
	if (options_from_args(s, a, m, x->seed, &o))
		return 1;
	cewb_prior *prior;
	free(r->sigma);
	r->sigma = NULL;
	if (problem_extras(s, a, m, r, &prior))
		return 1;
	cewb_fit_problem pb = rows_problem(r);
	cewb_error err;
	cewb_error_clear(&err);
	cli_progress_begin(s, "cross-validation");
	cewb_status st = prior ? cewb_prior_xval(prior, &pb, &o, x, xr, &err)
			       : cewb_xval(&pb, &o, x, xr, &err);
	cli_progress_end();
	if (st != CEWB_OK) {
		cewb_xval_result_release(xr);
		return cmd_fail(s, "%s: %s", cewb_fit_method_name(m), err.message);
	}
	return 0;
}

/* validate METHOD [options] [scheme] | validate --compare A,B,... */
static int validate_exec(struct session *s, const struct cmd_args *a)
{
	const struct cmd_value *cmp = arg_value(a, "compare");
	if (a->n_pos == 0 && !cmp->set)
		return cmd_fail(s, "name a method (validate ardr) or several (validate --compare "
				"ols,ardr,lasso)");
	if (a->n_pos && cmp->set)
		return cmd_fail(s, "give a method or --compare, not both");
	size_t n_methods = cmp->set ? cmp->n : 1;
	cewb_fit_method ms[CEWB_FIT_N_METHODS * 2];
	if (n_methods > sizeof ms / sizeof ms[0])
		return cmd_fail(s, "--compare: at most %zu methods", sizeof ms / sizeof ms[0]);
	for (size_t k = 0; k < n_methods; k++) {
		int bad;
		ms[k] = method_of(s, cmp->set ? cmp->items[k] : a->pos[0].s,
				  cmp->set ? "--compare: " : "", &bad);
		if (bad)
			return 1;
	}
	cewb_xval_options x;
	if (xval_from_args(s, a, &x))
		return 1;
	struct rows r;
	if (rows_build(s, s->train.X, s->train.n_params, arg_flag(a, "weights"), &r))
		return 1;
	cewb_xval_result *xr = calloc(n_methods, sizeof *xr);
	if (!xr) {
		rows_release(&r);
		return cmd_fail(s, "out of memory");
	}
	for (size_t k = 0; k < n_methods; k++) {
		if (validate_one(s, a, ms[k], &x, &r, &xr[k])) {
			for (size_t j = 0; j < k; j++)
				cewb_xval_result_release(&xr[j]);
			free(xr);
			rows_release(&r);
			return 1;
		}
	}
	if (r.fce) {
		fce_session_validate_report(s, ms, n_methods, &x, xr, r.y, r.n, r.n_groups,
					    cmp->set);
		for (size_t k = 0; k < n_methods; k++)
			cewb_xval_result_release(&xr[k]);
		free(xr);
		rows_release(&r);
		return 0;
	}
	/* The stored data: the last method's rows and predictions. */
	store_validation(s, ms[n_methods - 1], &x, &r, &xr[n_methods - 1]);

	char sch[128], b1[64], b2[64], b3[64];
	scheme_text(&x, &xr[0], sch, sizeof sch);
	unsigned mask = 0;
	for (size_t k = 0; k < n_methods; k++)
		mask |= method_bit(ms[k]);
	if (out_is_json(s)) {
		if (!cmp->set) {
			out_json(s, validate_json(ms[0], &x, &xr[0], r.n));
		} else {
			json_t *list = json_array();
			for (size_t k = 0; k < n_methods; k++)
				json_array_append_new(list, validate_json(ms[k], &x, &xr[k], r.n));
			out_json(s, json_pack("{s:s, s:o, s:i, s:o, s:o}", "scheme",
					      cewb_xval_scheme_name(x.scheme), "folds",
					      x.scheme == CEWB_XVAL_KFOLD ?
						      json_integer((json_int_t)x.folds) :
						      json_null(),
					      "repeat", (int)x.repeat, "seed",
					      json_integer((json_int_t)x.seed), "compare", list));
		}
	} else if (!cmp->set) {
		out_printf(s, "validate %s: %s, seed %llu, %zu structures\n",
			   cewb_fit_method_name(ms[0]), sch, (unsigned long long)x.seed, r.n);
		out_printf(s, "rmse_validation       %s ± %s meV/atom\n",
			   mev(s, xr[0].rmse_validation, b1, sizeof b1),
			   mev(s, xr[0].rmse_validation_std, b2, sizeof b2));
		out_printf(s, "rmse_train            %s meV/atom\n",
			   mev(s, xr[0].rmse_train, b1, sizeof b1));
		out_printf(s, "n_nonzero             %s (mean over %zu splits)\n",
			   out_real(s, xr[0].n_nonzero, b1, sizeof b1), xr[0].n_splits);
		if (out_show_time(s))
			out_printf(s, "seconds               %.3g\n", xr[0].seconds);
	} else {
		out_printf(s, "%s, seed %llu, %zu structures (errors in meV/atom)\n", sch,
			   (unsigned long long)x.seed, r.n);
		out_printf(s, "%-8s %16s %10s %12s %10s%s\n", "method", "rmse_validation", "std",
			   "rmse_train", "n_nonzero", out_show_time(s) ? "    seconds" : "");
		for (size_t k = 0; k < n_methods; k++) {
			out_printf(s, "%-8s %16s %10s %12s %10s", cewb_fit_method_name(ms[k]),
				   mev(s, xr[k].rmse_validation, b1, sizeof b1),
				   mev(s, xr[k].rmse_validation_std, b2, sizeof b2),
				   mev(s, xr[k].rmse_train, b3, sizeof b3),
				   out_real(s, xr[k].n_nonzero, sch, sizeof sch));
			if (out_show_time(s))
				out_printf(s, " %10.3g", xr[k].seconds);
			out_printf(s, "\n");
		}
	}
	if (!out_is_json(s)) {
		char unused[256];
		unused_options(a, mask, unused, sizeof unused);
		if (unused[0])
			out_printf(s, "note: %s has no effect on %s\n", unused,
				   n_methods == 1 ? cewb_fit_method_name(ms[0]) : "these methods");
		if (r.n < r.p)
			out_printf(s, "warning: fewer structures (%zu) than parameters (%zu): "
				   "every training split is underdetermined\n", r.n, r.p);
	}
	for (size_t k = 0; k < n_methods; k++)
		cewb_xval_result_release(&xr[k]);
	free(xr);
	rows_release(&r);
	return 0;
}

/* ---- eci ---- */

/* The orbit holding parameter j, or NULL. */
static const cewb_orbit *orbit_of(const cewb_space *sp, size_t j, size_t *index)
{
	for (size_t i = 0; i < sp->n_orbits; i++) {
		const cewb_orbit *o = &sp->orbits[i];
		if (j >= o->first_param && j < o->first_param + o->n_params) {
			*index = i;
			return o;
		}
	}
	return NULL;
}

/*
 * Standard deviations of the current fit's ECIs: from its posterior
 * covariance, else from the last validation of the same method on the same
 * training matrix (the spread over its splits).  Returns the source name or
 * NULL (no uncertainty); sd gets n_cols values.
 */
static const char *eci_sigma(const struct session *s, double *sd)
{
	const cewb_fit_result *fr = &s->fit.res;
	if (fr->covariance) {
		for (size_t j = 0; j < fr->n_cols; j++)
			sd[j] = sqrt(fmax(fr->covariance[j * fr->n_cols + j], 0.0));
		return "posterior covariance";
	}
	const struct fit_validation_data *v = s->fit_data ? &s->fit_data->validation : NULL;
	if (v && v->have && v->X_id == s->train.X && v->n_params == fr->n_cols &&
	    v->n_rows == s->fit.n_rows &&
	    strcmp(v->method, cewb_fit_method_name(fr->method)) == 0) {
		memcpy(sd, v->eci_std, fr->n_cols * sizeof *sd);
		return "ensemble";
	}
	return NULL;
}

/* eci [--nonzero]: the ECI table of the current fit. */
static int eci_exec(struct session *s, const struct cmd_args *a)
{
	if (fce_session_active(s))
		return cmd_fail(s, "eci lists cluster interactions; in force-constant mode the "
				"parameters are in 'fit METHOD --json' ('fce off' for the ECIs)");
	if (fit_need_current(s))
		return 1;
	const cewb_fit_result *fr = &s->fit.res;
	const cewb_space *sp = s->space;
	double *sd = malloc(fr->n_cols * sizeof *sd);
	if (!sd)
		return cmd_fail(s, "out of memory");
	const char *src = eci_sigma(s, sd);
	int only_nz = arg_flag(a, "nonzero");
	if (out_is_json(s)) {
		json_t *list = json_array();
		for (size_t j = 0; j < fr->n_cols; j++) {
			size_t oi = 0;
			const cewb_orbit *o = orbit_of(sp, j, &oi);
			if (only_nz && fr->eci[j] == 0.0)
				continue;
			json_t *e = json_pack("{s:i, s:i, s:i, s:o, s:i, s:o}", "parameter", (int)j,
					      "orbit", (int)oi, "order", o ? (int)o->order : -1,
					      "radius", out_jreal(o ? o->radius : NAN), "multiplicity",
					      o ? (int)o->multiplicity[j - o->first_param] : 0,
					      "value", out_jreal(fr->eci[j]));
			if (src)
				json_object_set_new(e, "sigma", out_jreal(sd[j]));
			json_array_append_new(list, e);
		}
		json_t *doc = json_pack("{s:s, s:i, s:i, s:o}", "method",
					cewb_fit_method_name(fr->method), "n_parameters",
					(int)fr->n_cols, "n_nonzero", (int)fr->n_nonzero, "eci",
					list);
		json_object_set_new(doc, "sigma_source", src ? json_string(src) : json_null());
		out_json(s, doc);
		free(sd);
		return 0;
	}
	char b1[64], b2[64];
	out_printf(s, "ECIs of the %s fit: %zu parameters, %zu nonzero (values in meV)\n",
		   cewb_fit_method_name(fr->method), fr->n_cols, fr->n_nonzero);
	if (src && strcmp(src, "ensemble") == 0)
		out_printf(s, "sigma: spread over the %zu splits of the last validation (%s)\n",
			   s->fit_data->validation.n_splits, s->fit_data->validation.scheme);
	else if (src)
		out_printf(s, "sigma: from the %s\n", src);
	out_printf(s, "%5s %5s %5s %8s %5s %14s%s\n", "param", "orbit", "order", "radius", "mult",
		   "eci", src ? "          sigma" : "");
	for (size_t j = 0; j < fr->n_cols; j++) {
		size_t oi = 0;
		const cewb_orbit *o = orbit_of(sp, j, &oi);
		if (only_nz && fr->eci[j] == 0.0)
			continue;
		out_printf(s, "%5zu %5zu %5zu %8.4f %5zu %14s", j, oi, o ? o->order : 0,
			   o ? o->radius : 0.0, o ? o->multiplicity[j - o->first_param] : 0,
			   mev(s, fr->eci[j], b1, sizeof b1));
		if (src)
			out_printf(s, " %14s", mev(s, sd[j], b2, sizeof b2));
		out_printf(s, "\n");
	}
	free(sd);
	return 0;
}

/* ---- predict ---- */

/* predict FILE [--target KEY]: energies of the structures in FILE. */
static int predict_exec(struct session *s, const struct cmd_args *a)
{
	if (fce_session_active(s))
		return cmd_fail(s, "predict gives cluster-expansion energies; in force-constant "
				"mode 'fce errors' compares forces ('fce off' to predict energies)");
	if (fit_need_current(s))
		return 1;
	const cewb_fit_result *fr = &s->fit.res;
	const cewb_space *sp = s->space;
	const char *path = a->pos[0].s;
	cewb_frames fr_in = { 0, NULL };
	cewb_error err;
	cewb_error_clear(&err);
	if (cewb_structure_read_any(path, s->species, &fr_in, &err) != CEWB_OK)
		return cmd_fail(s, "%s", err.message);
	size_t n = fr_in.n, p = fr->n_cols;
	double *x = malloc(p * sizeof *x);
	double *pred = calloc(n ? n : 1, sizeof *pred), *sig = calloc(n ? n : 1, sizeof *sig);
	double *tgt = calloc(n ? n : 1, sizeof *tgt);
	char **refused = calloc(n ? n : 1, sizeof *refused); /* reason, or NULL: mapped */
	if (!x || !pred || !sig || !tgt || !refused) {
		free(x);
		free(pred);
		free(sig);
		free(tgt);
		free(refused);
		cewb_frames_release(&fr_in);
		return cmd_fail(s, "out of memory");
	}
	const char *key = arg_str(a, "target");
	if (!key)
		key = s->train.target_key;
	int any_target = 0;
	int map = arg_flag(a, "map");
	for (size_t i = 0; i < n; i++) {
		cewb_structure *ideal = NULL;
		cewb_status st = CEWB_OK;
		if (map) {
			cewb_map_report rep;
			memset(&rep, 0, sizeof rep);
			st = cewb_map_structure(s->lattice, fr_in.frames[i], NULL, &rep, &err);
			if (st == CEWB_OK && !(ideal = cewb_map_ideal_structure(&rep)))
				st = cewb_error_set(&err, CEWB_ENOMEM, "out of memory");
			if (st == CEWB_ENOFIT && (refused[i] = strdup(rep.reason)))
				st = CEWB_OK;
			cewb_map_report_release(&rep);
			if (refused[i]) {
				pred[i] = sig[i] = tgt[i] = NAN;
				continue;
			}
		}
		if (st == CEWB_OK)
			st = cewb_cvec_compute(sp, ideal ? ideal : fr_in.frames[i], s->match_tol, x,
					       &err);
		cewb_structure_free(ideal);
		if (st != CEWB_OK) {
			free(x);
			free(pred);
			free(sig);
			free(tgt);
			for (size_t k = 0; k < n; k++)
				free(refused[k]);
			free(refused);
			cewb_frames_release(&fr_in);
			if (strstr(err.message, path))
				return cmd_fail(s, "%s", err.message);
			return cmd_fail(s, "%s: frame %zu: %s", path, i, err.message);
		}
		cewb_fit_predict(x, 1, p, fr->eci, &pred[i]);
		sig[i] = NAN;
		if (fr->covariance) {
			double v = 0.0;
			for (size_t j = 0; j < p; j++) {
				double t = 0.0;
				for (size_t k = 0; k < p; k++)
					t += fr->covariance[j * p + k] * x[k];
				v += x[j] * t;
			}
			sig[i] = sqrt(fmax(v, 0.0));
		}
		tgt[i] = NAN;
		if (key && cewb_structure_info_real(fr_in.frames[i], key, &tgt[i], NULL) == CEWB_OK)
			any_target = 1;
		else
			tgt[i] = NAN;
	}
	int have_sig = fr->covariance != NULL;
	if (out_is_json(s)) {
		json_t *list = json_array();
		for (size_t i = 0; i < n; i++) {
			json_t *e = json_pack("{s:i, s:i, s:o}", "frame", (int)i, "n_atoms",
					      (int)fr_in.frames[i]->n_atoms, "predicted",
					      out_jreal(pred[i]));
			if (have_sig)
				json_object_set_new(e, "sigma", out_jreal(sig[i]));
			if (refused[i])
				json_object_set_new(e, "refused", json_string(refused[i]));
			if (isfinite(tgt[i])) {
				json_object_set_new(e, "target", json_real(tgt[i]));
				json_object_set_new(e, "error", out_jreal(pred[i] - tgt[i]));
			}
			json_array_append_new(list, e);
		}
		out_json(s, json_pack("{s:s, s:s, s:o}", "file", path, "method",
				      cewb_fit_method_name(fr->method), "predictions", list));
	} else {
		char b1[64], b2[64], b3[64], b4[64];
		out_printf(s, "predictions of the %s fit for %s (meV/atom)%s\n",
			   cewb_fit_method_name(fr->method), path,
			   have_sig ? "; sigma: ECI uncertainty only" : "");
		out_printf(s, "%6s %7s %14s%s%s\n", "frame", "atoms", "predicted",
			   have_sig ? "          sigma" : "",
			   any_target ? "         target          error" : "");
		for (size_t i = 0; i < n; i++) {
			if (refused[i]) {
				out_printf(s, "%6zu %7zu  refused by the mapping: %s\n", i,
					   fr_in.frames[i]->n_atoms, refused[i]);
				continue;
			}
			out_printf(s, "%6zu %7zu %14s", i, fr_in.frames[i]->n_atoms,
				   mev(s, pred[i], b1, sizeof b1));
			if (have_sig)
				out_printf(s, " %14s", mev(s, sig[i], b2, sizeof b2));
			if (any_target && isfinite(tgt[i]))
				out_printf(s, " %14s %14s", mev(s, tgt[i], b3, sizeof b3),
					   mev(s, pred[i] - tgt[i], b4, sizeof b4));
			out_printf(s, "\n");
		}
		if (any_target) {
			double ss = 0.0;
			size_t m = 0;
			for (size_t i = 0; i < n; i++)
				if (isfinite(tgt[i])) {
					ss += (pred[i] - tgt[i]) * (pred[i] - tgt[i]);
					m++;
				}
			out_printf(s, "rmse %s meV/atom over %zu structures with %s\n",
				   mev(s, sqrt(ss / (double)m), b1, sizeof b1), m, key);
		}
	}
	free(x);
	free(pred);
	free(sig);
	free(tgt);
	for (size_t k = 0; k < n; k++)
		free(refused[k]);
	free(refused);
	cewb_frames_release(&fr_in);
	return 0;
}

/* ---- learning-curve ---- */

/* learning-curve METHOD [--sizes F,F,...] [--repeat R] [--folds K] */
static int learning_exec(struct session *s, const struct cmd_args *a)
{
	int bad;
	cewb_fit_method m = method_of(s, a->pos[0].s, "", &bad);
	if (bad)
		return 1;
	cewb_xval_options x = cewb_xval_options_default();
	x.seed = arg_set(a, "seed") ? (uint64_t)arg_int(a, "seed") : s->seed;
	x.folds = (size_t)arg_int(a, "folds");
	x.repeat = (size_t)arg_int(a, "repeat");
	const struct cmd_value *sz = arg_value(a, "sizes");
	struct rows r;
	if (rows_build(s, s->train.X, s->train.n_params, arg_flag(a, "weights"), &r))
		return 1;
	size_t n_units = r.fce ? r.n_groups : r.n;	/* FCE: structures, not rows */
	if (x.folds > n_units) {
		size_t n = n_units;
		rows_release(&r);
		return cmd_fail(s, "--folds %zu: only %zu structures", x.folds, n);
	}
	/* the smallest training set of a fold */
	size_t max_train = n_units - (n_units + x.folds - 1) / x.folds;
	size_t n_pts = sz->n;
	struct fit_curve_data c;
	if (curve_alloc(&c, n_pts, 0)) {
		rows_release(&r);
		return cmd_fail(s, "out of memory");
	}
	snprintf(c.method, sizeof c.method, "%s", cewb_fit_method_name(m));
	double seconds = 0.0;
	for (size_t k = 0; k < n_pts; k++) {
		double f = sz->reals[k];
		size_t ts = f <= 1.0 ? (size_t)floor(f * (double)n_units + 1e-9) : (size_t)f;
		if (ts < 1 || ts > max_train) {
			size_t n = n_units;
			rows_release(&r);
			fit_curve_release(&c);
			return cmd_fail(s, "--sizes: %g gives %zu training structures; "
					"%zu-fold validation of %zu structures allows 1 to %zu",
					f, ts, x.folds, n, max_train);
		}
		x.train_size = ts;
		cewb_xval_result xr;
		if (validate_one(s, a, m, &x, &r, &xr)) {
			rows_release(&r);
			fit_curve_release(&c);
			return 1;
		}
		c.x[k] = (double)ts;
		c.valid[k] = xr.rmse_validation;
		c.valid_std[k] = xr.rmse_validation_std;
		c.train[k] = xr.rmse_train;
		seconds += xr.seconds;
		cewb_xval_result_release(&xr);
	}
	struct fit_data *d = fit_data_get(s);
	if (d) {
		fit_curve_release(&d->learning);
		d->learning = c;
		d->learning.have = 1;
		d->learning.forces = fce_session_active(s);
	} else {
		fit_curve_release(&c);
	}
	const struct fit_curve_data *lc = d ? &d->learning : NULL;
	if (lc && r.fce) {
		fce_session_learning_report(s, lc->method, &x, n_pts, lc->x, lc->valid,
					    lc->valid_std, lc->train, r.y, r.n, r.n_groups, seconds);
		rows_release(&r);
		return 0;
	}
	char b1[64], b2[64], b3[64];
	if (lc && out_is_json(s)) {
		json_t *pts = json_array();
		for (size_t k = 0; k < n_pts; k++)
			json_array_append_new(
				pts, json_pack("{s:i, s:o, s:o, s:o}", "size", (int)lc->x[k],
					       "rmse_validation", out_jreal(lc->valid[k]),
					       "rmse_validation_std", out_jreal(lc->valid_std[k]),
					       "rmse_train", out_jreal(lc->train[k])));
		out_json(s, json_pack("{s:s, s:s, s:i, s:i, s:o, s:i, s:o, s:o}", "method",
				      c.method, "scheme", "kfold", "folds", (int)x.folds, "repeat",
				      (int)x.repeat, "seed", json_integer((json_int_t)x.seed),
				      "n_structures", (int)r.n, "points", pts, "seconds",
				      out_jreal(seconds)));
	} else if (lc) {
		out_printf(s, "learning curve of %s: %zu-fold cross-validation, %zu repeat%s, "
			   "seed %llu, %zu structures (errors in meV/atom)\n", lc->method, x.folds,
			   x.repeat, x.repeat == 1 ? "" : "s", (unsigned long long)x.seed, r.n);
		out_printf(s, "%6s %16s %10s %12s\n", "size", "rmse_validation", "std",
			   "rmse_train");
		for (size_t k = 0; k < n_pts; k++)
			out_printf(s, "%6.0f %16s %10s %12s\n", lc->x[k],
				   mev(s, lc->valid[k], b1, sizeof b1),
				   mev(s, lc->valid_std[k], b2, sizeof b2),
				   mev(s, lc->train[k], b3, sizeof b3));
		if (out_show_time(s))
			out_printf(s, "seconds %.3g\n", seconds);
	}
	rows_release(&r);
	return 0;
}

/* ---- convergence ---- */

/* Cutoff sets from text: sets separated by '/' or ';', numbers by blanks or
 * commas ("13.5 6.5 6 / 10,6,5").  Appends to *sets (each n_cut numbers). */
static int parse_cutoff_sets(struct session *s, const char *text, double (**sets)[CEWB_MAX_ORDER],
			     size_t **n_cut, size_t *n_sets)
{
	const char *p = text;
	for (;;) {
		double cut[CEWB_MAX_ORDER];
		size_t n = 0;
		while (*p && *p != '/' && *p != ';') {
			if (isspace((unsigned char)*p) || *p == ',') {
				p++;
				continue;
			}
			char *end;
			double v = strtod(p, &end);
			if (end == p || !isfinite(v) || v <= 0)
				return cmd_fail(s, "--cutoffs: '%s' is not a list of positive "
						"cutoffs (sets separated by '/')", text);
			if (n >= CEWB_MAX_ORDER - 1)
				return cmd_fail(s, "--cutoffs: at most %d cutoffs in a set",
						CEWB_MAX_ORDER - 1);
			cut[n++] = v;
			p = end;
		}
		if (n == 0)
			return cmd_fail(s, "--cutoffs: empty cutoff set in '%s'", text);
		double (*ns)[CEWB_MAX_ORDER] = realloc(*sets, (*n_sets + 1) * sizeof **sets);
		if (!ns)
			return cmd_fail(s, "out of memory");
		*sets = ns;
		size_t *nc = realloc(*n_cut, (*n_sets + 1) * sizeof **n_cut);
		if (!nc)
			return cmd_fail(s, "out of memory");
		*n_cut = nc;
		memcpy(ns[*n_sets], cut, n * sizeof *cut);
		nc[*n_sets] = n;
		(*n_sets)++;
		if (!*p)
			return 0;
		p++;
	}
}

/*
 * Every --cutoffs of the command line, in order: the parser keeps only the
 * last value of a repeated option, so the line as typed is split again
 * (with the same lexer) to collect them all.  0, or 1 after cmd_fail.
 */
static int every_cutoffs_option(struct session *s, const struct cmd_args *a,
				double (**sets)[CEWB_MAX_ORDER], size_t **n_cut, size_t *n_sets)
{
	struct lex_line ll;
	char msg[256];
	memset(&ll, 0, sizeof ll);
	if (!a->text || lex_line(a->text, &ll, msg, sizeof msg) != LEX_OK || ll.n != 1) {
		lex_line_free(&ll);
		return parse_cutoff_sets(s, arg_str(a, "cutoffs"), sets, n_cut, n_sets);
	}
	const struct lex_cmd *c = &ll.cmds[0];
	int rc = 0;
	for (size_t k = 0; k < c->n && !rc; k++) {
		const char *w = c->words[k];
		if (strcmp(w, "--") == 0)
			break;
		if (strncmp(w, "--cutoffs=", 10) == 0)
			rc = parse_cutoff_sets(s, w + 10, sets, n_cut, n_sets);
		else if (strcmp(w, "--cutoffs") == 0 && k + 1 < c->n)
			rc = parse_cutoff_sets(s, c->words[++k], sets, n_cut, n_sets);
	}
	lex_line_free(&ll);
	return rc;
}

/* convergence METHOD --cutoffs "C2 C3 / C2 C3 ..." | METHOD C2,C3 C2,C3 ... */
static int convergence_exec(struct session *s, const struct cmd_args *a)
{
	int bad;
	cewb_fit_method m = method_of(s, a->pos[0].s, "", &bad);
	if (bad)
		return 1;
	if (fce_session_active(s))
		return cmd_fail(s, "convergence scans cluster spaces; in force-constant mode "
				"compare 'fce space' cutoffs with validate ('fce off' for the "
				"cluster expansion)");
	if (!s->lattice)
		return cmd_fail(s, "no lattice: load one first with "
				"'load lattice FILE --species A,B'");
	if (s->train.n == 0)
		return cmd_fail(s, "no training structures: load some with "
				"'load structures FILE --target KEY'");
	double (*sets)[CEWB_MAX_ORDER] = NULL;
	size_t *n_cut = NULL, n_sets = 0;
	for (size_t i = 1; i < a->n_pos; i++)
		if (parse_cutoff_sets(s, a->pos[i].s, &sets, &n_cut, &n_sets))
			goto fail_sets;
	if (arg_set(a, "cutoffs") && every_cutoffs_option(s, a, &sets, &n_cut, &n_sets))
		goto fail_sets;
	if (n_sets == 0) {
		cmd_fail(s, "give cutoff sets: convergence %s --cutoffs "
			 "\"8 5 / 10 6 5 / 13.5 6.5 6\"", a->pos[0].s);
		goto fail_sets;
	}
	/* Large spaces are asked for at the prompt, refused in scripts without
	 * --force (safety.h); so are cluster vectors above the memory limit. */
	double limit = arg_real(a, "max-orbits");
	for (size_t k = 0; k < n_sets; k++) {
		double est = cewb_space_estimate_orbits(s->lattice, sets[k], n_cut[k]);
		int force = arg_flag(a, "force");
		if (est > limit && cli_confirm(s, force, "cutoff set %zu would give about %.0f "
					       "orbits (more than --max-orbits %g)", k + 1, est,
					       limit))
			goto fail_sets;
		if (cli_check_matrix(s, force, (double)s->train.n, est, "the cluster vectors"))
			goto fail_sets;
	}
	cewb_xval_options x;
	if (xval_from_args(s, a, &x))
		goto fail_sets;
	struct fit_curve_data c;
	if (curve_alloc(&c, n_sets, 1)) {
		cmd_fail(s, "out of memory");
		goto fail_sets;
	}
	snprintf(c.method, sizeof c.method, "%s", cewb_fit_method_name(m));
	double seconds = 0.0;
	int scanning = 1;
	cli_progress_begin(s, "convergence scan");
	for (size_t k = 0; k < n_sets; k++) {
		cli_progress_set(k, n_sets);
		cewb_space *sp = NULL;
		cewb_error err;
		cewb_error_clear(&err);
		char lab[128] = "";
		for (size_t i = 0; i < n_cut[k]; i++) {
			size_t l = strlen(lab);
			snprintf(lab + l, sizeof lab - l, "%s%g", i ? " " : "", sets[k][i]);
		}
		c.label[k] = strdup(lab);
		if (!c.label[k]) {
			cmd_fail(s, "out of memory");
			goto fail_curve;
		}
		if (cewb_space_build(s->lattice, sets[k], n_cut[k], &sp, &err) != CEWB_OK) {
			cmd_fail(s, "cutoffs %s: %s", lab, err.message);
			goto fail_curve;
		}
		double *X = NULL;
		if (train_vectors(s, sp, &s->train, &X, &err) != CEWB_OK) {
			cewb_space_free(sp);
			cmd_fail(s, "cutoffs %s: %s", lab, err.message);
			goto fail_curve;
		}
		size_t p = sp->n_params;
		cewb_space_free(sp);
		struct rows r;
		int rc = rows_build(s, X, p, arg_flag(a, "weights"), &r);
		free(X);
		if (rc)
			goto fail_curve;
		cewb_xval_result xr;
		if (m == CEWB_FIT_PRIOR) {
			rows_release(&r);
			cmd_fail(s, "the prior belongs to one space: convergence cannot use it");
			goto fail_curve;
		}
		if (validate_one(s, a, m, &x, &r, &xr)) {
			rows_release(&r);
			goto fail_curve;
		}
		c.x[k] = sets[k][0];
		c.n_params[k] = p;
		c.valid[k] = xr.rmse_validation;
		c.valid_std[k] = xr.rmse_validation_std;
		c.train[k] = xr.rmse_train;
		seconds += xr.seconds;
		cewb_xval_result_release(&xr);
		rows_release(&r);
	}
	cli_progress_end();
	scanning = 0;
	struct fit_data *d = fit_data_get(s);
	if (!d) {
		cmd_fail(s, "out of memory");
		goto fail_curve;
	}
	fit_curve_release(&d->convergence);
	d->convergence = c;
	d->convergence.have = 1;
	const struct fit_curve_data *cc = &d->convergence;
	char sch[128], b1[64], b2[64], b3[64];
	scheme_text(&x, NULL, sch, sizeof sch);
	if (out_is_json(s)) {
		json_t *pts = json_array();
		for (size_t k = 0; k < cc->n_points; k++) {
			json_t *cut = json_array();
			for (size_t i = 0; i < n_cut[k]; i++)
				json_array_append_new(cut, json_real(sets[k][i]));
			json_array_append_new(
				pts, json_pack("{s:o, s:i, s:o, s:o, s:o}", "cutoffs", cut,
					       "n_parameters", (int)cc->n_params[k],
					       "rmse_validation", out_jreal(cc->valid[k]),
					       "rmse_validation_std", out_jreal(cc->valid_std[k]),
					       "rmse_train", out_jreal(cc->train[k])));
		}
		out_json(s, json_pack("{s:s, s:s, s:o, s:i, s:o, s:o, s:o}", "method", cc->method,
				      "scheme", cewb_xval_scheme_name(x.scheme), "folds",
				      x.scheme == CEWB_XVAL_KFOLD ?
					      json_integer((json_int_t)x.folds) : json_null(),
				      "repeat", (int)x.repeat, "seed",
				      json_integer((json_int_t)x.seed), "points", pts, "seconds",
				      out_jreal(seconds)));
	} else {
		out_printf(s, "convergence of %s in the cutoffs: %s, seed %llu "
			   "(errors in meV/atom)\n", cc->method, sch, (unsigned long long)x.seed);
		out_printf(s, "%-20s %12s %16s %10s %12s\n", "cutoffs", "n_parameters",
			   "rmse_validation", "std", "rmse_train");
		for (size_t k = 0; k < cc->n_points; k++)
			out_printf(s, "%-20s %12zu %16s %10s %12s\n", cc->label[k],
				   cc->n_params[k], mev(s, cc->valid[k], b1, sizeof b1),
				   mev(s, cc->valid_std[k], b2, sizeof b2),
				   mev(s, cc->train[k], b3, sizeof b3));
		if (out_show_time(s))
			out_printf(s, "seconds %.3g\n", seconds);
	}
	free(sets);
	free(n_cut);
	return 0;
fail_curve:
	if (scanning)
		cli_progress_end();
	fit_curve_release(&c);
fail_sets:
	free(sets);
	free(n_cut);
	return 1;
}

/* ---- the table ---- */

static const struct cmd_arg method_pos[] = {
	{ .name = "method", .type = ARG_CHOICE, .choices = method_names, .metavar = "METHOD",
	  .help = "ols ridge prior bayes ardr lasso enet rfe omp huber lad gls" },
	{ .name = NULL }
};
static const struct cmd_arg convergence_pos[] = {
	{ .name = "method", .type = ARG_CHOICE, .choices = method_names, .metavar = "METHOD",
	  .help = "ols ridge bayes ardr lasso enet rfe omp huber lad gls" },
	{ .name = "cutoffs", .type = ARG_STRING, .metavar = "C2,C3,...",
	  .help = "one cutoff set, numbers separated by commas" },
	{ .name = NULL }
};
static const struct cmd_arg file_pos[] = {
	{ .name = "file", .type = ARG_FILE, .metavar = "FILE" },
	{ .name = NULL }
};

#define XVAL_OPTIONS \
	{ .name = "folds", .type = ARG_INT, .def = "10", .min = 2, .max = 1e6, .metavar = "K", \
	  .help = "k of k-fold validation" }, \
	{ .name = "repeat", .type = ARG_INT, .def = "1", .min = 1, .max = 1e6, .metavar = "R", \
	  .help = "repeats with new shuffles (shuffle-split: splits, default 10)" }, \
	{ .name = "loo", .type = ARG_FLAG, .help = "leave-one-out (closed form where linear)" }, \
	{ .name = "shuffle-split", .type = ARG_REAL, .min = 1e-9, .max = 0.999999999, \
	  .metavar = "F", .help = "random splits holding out the fraction F" }, \
	{ .name = "bootstrap", .type = ARG_INT, .min = 1, .max = 1e6, .metavar = "N", \
	  .help = "bootstrap ensemble of N fits (out-of-bag errors, ECI spread)" }, \
	{ .name = "seed", .type = ARG_INT, .min = 0, .max = 9.2e18, .metavar = "S", \
	  .help = "seed of the splits (default: 'set seed')" }

static const struct cmd_arg fit_opts[] = {
	FIT_OPTIONS,
	{ .name = NULL }
};
static const struct cmd_arg validate_opts[] = {
	FIT_OPTIONS,
	XVAL_OPTIONS,
	{ .name = "compare", .type = ARG_LIST, .metavar = "M,M,...",
	  .help = "validate several methods on the same splits, one table" },
	{ .name = NULL }
};
static const struct cmd_arg eci_opts[] = {
	{ .name = "nonzero", .type = ARG_FLAG, .help = "list only the nonzero ECIs" },
	{ .name = NULL }
};
static const struct cmd_arg predict_opts[] = {
	{ .name = "map", .type = ARG_FLAG,
	  .help = "map relaxed structures onto the lattice first (as load structures)" },
	{ .name = "target", .type = ARG_STRING, .metavar = "KEY", .complete = COMPLETE_INFO_KEY,
	  .help = "compare with this info value (default: the training target key)" },
	{ .name = NULL }
};
static const struct cmd_arg learning_opts[] = {
	FIT_OPTIONS,
	{ .name = "sizes", .type = ARG_REALS, .def = "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9",
	  .min = 1e-9, .max = 1e9, .metavar = "S,S,...",
	  .help = "training sizes: fractions of the structures (<= 1) or counts" },
	{ .name = "folds", .type = ARG_INT, .def = "10", .min = 2, .max = 1e6, .metavar = "K",
	  .help = "k of the k-fold validation at each size" },
	{ .name = "repeat", .type = ARG_INT, .def = "3", .min = 1, .max = 1e6, .metavar = "R",
	  .help = "repeats with new shuffles and subsamples" },
	{ .name = "seed", .type = ARG_INT, .min = 0, .max = 9.2e18, .metavar = "S",
	  .help = "seed of the splits (default: 'set seed')" },
	{ .name = NULL }
};
static const struct cmd_arg convergence_opts[] = {
	FIT_OPTIONS,
	XVAL_OPTIONS,
	{ .name = "cutoffs", .type = ARG_STRING, .metavar = "SETS",
	  .help = "cutoff sets: \"8 5 / 10 6 5 / 13.5 6.5 6\"" },
	{ .name = "max-orbits", .type = ARG_REAL, .def = "20000", .min = 1, .max = 1e12,
	  .metavar = "N", .help = "refuse cutoff sets predicted to give more orbits" },
	{ .name = "force", .type = ARG_FLAG,
	  .help = "build above --max-orbits or the memory limit without asking" },
	{ .name = NULL }
};

const struct cmd_entry cmd_fit_entries[] = {
	{ .name = "fit", .group = "fit", .summary = "fit the ECIs with a regression method",
	  .positionals = method_pos, .min_pos = 1, .max_pos = 1, .options = fit_opts,
	  .exec = fit_exec, .page = "fit", .flags = CMD_REPORTS },
	{ .name = "validate", .group = "fit",
	  .summary = "cross-validate a method (k-fold, LOO, shuffle-split, bootstrap)",
	  .positionals = method_pos, .min_pos = 0, .max_pos = 1, .options = validate_opts,
	  .exec = validate_exec, .page = "validate", .flags = CMD_REPORTS },
	{ .name = "eci", .group = "fit", .summary = "table of the fitted ECIs",
	  .options = eci_opts, .exec = eci_exec, .page = "eci", .flags = CMD_REPORTS },
	{ .name = "predict", .group = "fit", .summary = "predict the energies of structures",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 1, .options = predict_opts,
	  .exec = predict_exec, .page = "predict", .flags = CMD_REPORTS },
	{ .name = "learning-curve", .group = "fit",
	  .summary = "validation error against the training-set size",
	  .positionals = method_pos, .min_pos = 1, .max_pos = 1, .options = learning_opts,
	  .exec = learning_exec, .page = "learning-curve", .flags = CMD_REPORTS },
	{ .name = "convergence", .group = "fit",
	  .summary = "validation error against the cutoffs (rebuilding the space)",
	  .positionals = convergence_pos, .min_pos = 1, .max_pos = 64,
	  .options = convergence_opts, .exec = convergence_exec, .page = "convergence",
	  .flags = CMD_REPORTS },
	{ .name = NULL }
};
