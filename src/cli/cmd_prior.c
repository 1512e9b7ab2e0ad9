/*
 * cmd_prior.c - the prior family: show, reset, noise, orbit, pair, merge,
 * split, couple, couple-bulk, save, load, diff, undo, redo, status, edit.
 *
 * Every change of the prior is one of these commands (the full-screen
 * editor runs them too), so a recorded session replays the prior exactly.
 */
#include "config.h"
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "cmd.h"
#include "cmd_prior.h"
#include "run.h"
#include "safety.h"
#include "session.h"
#include "../tui/view_prior.h"

cewb_prior *prior_session(struct session *s)
{
	const cewb_space *sp = s->space;
	size_t *order, o;
	double *radius;
	if (!sp)
		return NULL;
	if (s->prior)
		return s->prior;
	order = malloc(sp->n_orbits * sizeof *order);
	radius = malloc(sp->n_orbits * sizeof *radius);
	if (order && radius) {
		for (o = 0; o < sp->n_orbits; o++) {
			order[o] = sp->orbits[o].order;
			radius[o] = sp->orbits[o].radius;
		}
		s->prior = cewb_prior_alloc(sp->n_params, sp->n_orbits, sp->param_orbit, order,
					    radius, NULL);
	}
	free(order);
	free(radius);
	return s->prior;
}

int prior_train_problem(struct session *s, cewb_fit_problem *prob, double **X, double **y,
			double **w)
{
	const struct train_set *t = &s->train;
	size_t p = t->n_params, n = 0, i;
	*X = *y = *w = NULL;
	if (!s->space)
		return cmd_fail(s, "no cluster space (use 'space CUT2 ...' first)");
	if (!t->X || t->n == 0 || p != s->space->n_params)
		return cmd_fail(s, "no training structures (use 'load structures FILE' first)");
	*X = malloc(t->n * p * sizeof **X);
	*y = malloc(t->n * sizeof **y);
	*w = malloc(t->n * sizeof **w);
	if (!*X || !*y || !*w) {
		free(*X);
		free(*y);
		free(*w);
		*X = *y = *w = NULL;
		return cmd_fail(s, "out of memory for the training data");
	}
	for (i = 0; i < t->n; i++) {
		const struct train_item *it = &t->items[i];
		if (!train_item_used(it) || !isfinite(it->target))
			continue;
		memcpy(*X + n * p, t->X + i * p, p * sizeof **X);
		(*y)[n] = it->target;
		(*w)[n] = it->weight > 0 ? it->weight : 1.0;
		n++;
	}
	if (n == 0) {
		free(*X);
		free(*y);
		free(*w);
		*X = *y = *w = NULL;
		return cmd_fail(s, "no training structure has a target value");
	}
	memset(prob, 0, sizeof *prob);
	prob->n_rows = n;
	prob->n_cols = p;
	prob->X = *X;
	prob->y = *y;
	for (i = 0; i < n && (*w)[i] == 1.0; i++)
		;
	prob->weights = i < n ? *w : NULL;
	return 0;
}

/* The session's prior or a failure when there is no space. */
static cewb_prior *need_prior(struct session *s)
{
	cewb_prior *pr = prior_session(s);
	if (!pr && !s->space)
		cmd_fail(s, "no cluster space (use 'space CUT2 ...' first)");
	else if (!pr)
		cmd_fail(s, "out of memory for the prior");
	return pr;
}

/* Keep the plain Lambda of the session in step with the prior: set when the
 * prior is a plain matrix (no merges, removals or means), else NULL.  A
 * fit made with the previous prior is dropped (other fits stay). */
static void sync_lambda(struct session *s, const cewb_prior *pr)
{
	size_t n = cewb_prior_n_params(pr), a;
	int plain = cewb_prior_n_free(pr) == n;
	for (a = 0; plain && a < n; a++)
		plain = cewb_prior_param_mean(pr, a) == 0;
	free(s->lambda);
	s->lambda = NULL;
	if (plain && (s->lambda = malloc(n * n * sizeof *s->lambda)))
		cewb_prior_lambda(pr, s->lambda);
	if (s->fit.have && s->fit.opt.method == CEWB_FIT_PRIOR)
		session_drop_fit(s);
}

/* A width as text. */
static const char *width_str(const struct session *s, double w, char *buf, size_t len)
{
	if (isinf(w))
		return "free";
	if (w == 0)
		return "removed";
	return out_real(s, w, buf, len);
}

/* A width as JSON (null when infinite). */
static json_t *width_json(double w)
{
	return isinf(w) ? json_null() : json_real(w);
}

/* One-line summary of a prior. */
static void summary_line(struct session *s, const cewb_prior *pr)
{
	cewb_prior_defaults d = cewb_prior_current_defaults(pr);
	char b1[32], b2[32], b3[32], b4[32];
	out_printf(s, "prior %s", cewb_prior_kind_name(d.kind));
	if (d.kind == CEWB_PRIOR_RIDGE)
		out_printf(s, " (lambda %s)", out_real(s, d.lambda, b1, sizeof b1));
	if (d.kind == CEWB_PRIOR_PHYSICAL)
		out_printf(s, " (sigma0 %s, r0 %s, q %s)", out_real(s, d.sigma0, b1, sizeof b1),
			   out_real(s, d.r0, b2, sizeof b2), out_real(s, d.q, b3, sizeof b3));
	out_printf(s, ", noise %s: %zu parameters, %zu free, %zu coupling%s; %zu to undo\n",
		   out_real(s, cewb_prior_noise(pr), b4, sizeof b4), cewb_prior_n_params(pr),
		   cewb_prior_n_free(pr), cewb_prior_n_couplings(pr),
		   cewb_prior_n_couplings(pr) == 1 ? "" : "s", cewb_prior_n_undo(pr));
}

/* prior show [--matrix] */
static int show_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	size_t n, i, j, k;
	double *L;
	char b1[32], b2[32], b3[32];
	if (!pr)
		return 1;
	n = cewb_prior_n_params(pr);
	L = malloc(n * n * sizeof *L);
	if (!L)
		return cmd_fail(s, "out of memory for a %zu x %zu matrix", n, n);
	cewb_prior_lambda(pr, L);
	if (out_is_json(s)) {
		cewb_prior_defaults d = cewb_prior_current_defaults(pr);
		json_t *params = json_array(), *coup = json_array(), *mat = NULL;
		for (i = 0; i < n; i++)
			json_array_append_new(
				params,
				json_pack("{s:I, s:I, s:o, s:o, s:f, s:f, s:I}", "index",
					  (json_int_t)i, "orbit",
					  (json_int_t)cewb_prior_param_orbit(pr, i), "sigma",
					  width_json(cewb_prior_param_sigma(pr, i)), "lambda",
					  width_json(L[i * n + i]), "mean",
					  cewb_prior_param_mean(pr, i), "weight",
					  cewb_prior_param_weight(pr, i), "merged_with",
					  (json_int_t)cewb_prior_merged_with(pr, i)));
		for (k = 0; k < cewb_prior_n_couplings(pr); k++) {
			double sg;
			cewb_prior_coupling(pr, k, &i, &j, &sg);
			json_array_append_new(coup,
					      json_pack("{s:I, s:I, s:f, s:f}", "a", (json_int_t)i,
							"b", (json_int_t)j, "sigma", sg, "lambda",
							-L[i * n + j]));
		}
		if (arg_flag(a, "matrix")) {
			mat = json_array();
			for (i = 0; i < n; i++) {
				json_t *row = json_array();
				for (j = 0; j < n; j++)
					json_array_append_new(row,
							      width_json(isinf(L[i * n + j])
										 ? INFINITY
										 : L[i * n + j]));
				json_array_append_new(mat, row);
			}
		}
		out_json(s, json_pack("{s:s, s:f, s:I, s:I, s:I, s:o, s:o, s:o*}", "default",
				      cewb_prior_kind_name(d.kind), "noise", cewb_prior_noise(pr),
				      "n_parameters", (json_int_t)n, "n_free",
				      (json_int_t)cewb_prior_n_free(pr), "n_undo",
				      (json_int_t)cewb_prior_n_undo(pr), "parameters", params,
				      "couplings", coup, "matrix", mat));
		free(L);
		return 0;
	}
	summary_line(s, pr);
	if (arg_flag(a, "matrix")) {
		out_printf(s, "%10s", "");
		for (j = 0; j < n; j++)
			out_printf(s, " %9zu", j);
		out_printf(s, "\n");
		for (i = 0; i < n; i++) {
			size_t o = cewb_prior_param_orbit(pr, i);
			out_printf(s, "%3zu %zu:%5.2f", i, cewb_prior_orbit_order(pr, o),
				   cewb_prior_orbit_radius(pr, o));
			for (j = 0; j < n; j++) {
				double v = L[i * n + j];
				if (isinf(v))
					out_printf(s, " %9s", "inf");
				else if (v == 0)
					out_printf(s, " %9s", ".");
				else
					out_printf(s, " %9.3g", v);
			}
			out_printf(s, "\n");
		}
		free(L);
		return 0;
	}
	out_printf(s, "%5s %5s %5s %8s %12s %12s %10s  %s\n", "param", "orbit", "order", "radius",
		   "sigma", "lambda", "mean", "merged with");
	for (i = 0; i < n; i++) {
		size_t o = cewb_prior_param_orbit(pr, i), g = cewb_prior_merged_with(pr, i);
		double sg = cewb_prior_param_sigma(pr, i);
		out_printf(s, "%5zu %5zu %5zu %8.4f %12s %12s %10s  ", i, o,
			   cewb_prior_orbit_order(pr, o), cewb_prior_orbit_radius(pr, o),
			   width_str(s, sg, b1, sizeof b1),
			   isinf(L[i * n + i]) ? "inf" : out_real(s, L[i * n + i], b2, sizeof b2),
			   out_real(s, cewb_prior_param_mean(pr, i), b3, sizeof b3));
		if (g != i)
			out_printf(s, "%zu", g);
		else
			out_printf(s, "-");
		out_printf(s, "\n");
	}
	if (cewb_prior_n_couplings(pr))
		out_printf(s, "couplings (a b sigma lambda):\n");
	for (k = 0; k < cewb_prior_n_couplings(pr); k++) {
		double sg;
		cewb_prior_coupling(pr, k, &i, &j, &sg);
		out_printf(s, "  %zu %zu %s %s\n", i, j, out_real(s, sg, b1, sizeof b1),
			   out_real(s, -L[i * n + j], b2, sizeof b2));
	}
	free(L);
	return 0;
}

/* Finish an edit: sync, and print the summary line (text) or the state (JSON). */
static int edited(struct session *s, cewb_prior *pr, cewb_status st, const cewb_error *err)
{
	if (st != CEWB_OK)
		return cmd_fail(s, "%s", err->message);
	sync_lambda(s, pr);
	if (out_is_json(s))
		out_json(s, json_pack("{s:I, s:I, s:I, s:I}", "n_parameters",
				      (json_int_t)cewb_prior_n_params(pr), "n_free",
				      (json_int_t)cewb_prior_n_free(pr), "n_couplings",
				      (json_int_t)cewb_prior_n_couplings(pr), "n_undo",
				      (json_int_t)cewb_prior_n_undo(pr)));
	else
		summary_line(s, pr);
	return 0;
}

/* prior reset [KIND] [--noise S] [--lambda L] [--sigma0 S] [--r0 R] [--q Q] */
static int reset_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_prior_defaults d;
	cewb_prior_kind kind = CEWB_PRIOR_NONE;
	cewb_error err;
	if (!pr)
		return 1;
	if (a->n_pos && cewb_prior_kind_parse(a->pos[0].s, &kind, &err))
		return cmd_fail(s, "%s", err.message);
	d = cewb_prior_defaults_of(kind);
	if (arg_set(a, "noise"))
		d.noise = arg_real(a, "noise");
	else
		d.noise = cewb_prior_noise(pr);
	if (arg_set(a, "lambda"))
		d.lambda = arg_real(a, "lambda");
	if (arg_set(a, "sigma0"))
		d.sigma0 = arg_real(a, "sigma0");
	if (arg_set(a, "r0"))
		d.r0 = arg_real(a, "r0");
	if (arg_set(a, "q"))
		d.q = arg_real(a, "q");
	return edited(s, pr, cewb_prior_reset(pr, &d, &err), &err);
}

/* prior noise SIGMA */
static int noise_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_error err;
	if (!pr)
		return 1;
	return edited(s, pr, cewb_prior_set_noise(pr, a->pos[0].r, &err), &err);
}

/* The selector given by --order, --radius-above, --radius-below, --first, --last. */
static cewb_prior_selector selector_of(const struct cmd_args *a, int *given)
{
	cewb_prior_selector sel = cewb_prior_selector_all();
	*given = 0;
	if (arg_set(a, "order")) {
		sel.order = arg_int(a, "order");
		*given = 1;
	}
	if (arg_set(a, "radius-above")) {
		sel.radius_above = arg_real(a, "radius-above");
		*given = 1;
	}
	if (arg_set(a, "radius-below")) {
		sel.radius_below = arg_real(a, "radius-below");
		*given = 1;
	}
	if (arg_set(a, "first")) {
		sel.first = (size_t)arg_int(a, "first");
		*given = 1;
	}
	if (arg_set(a, "last")) {
		sel.last = (size_t)arg_int(a, "last");
		*given = 1;
	}
	return sel;
}

/* The width asked for by --sigma S, --lambda L, --free or --remove; 0 on success. */
static int width_of(struct session *s, const struct cmd_args *a, const cewb_prior *pr,
		    double *sigma)
{
	int n = arg_set(a, "sigma") + arg_set(a, "lambda") + arg_flag(a, "free") +
		arg_flag(a, "remove");
	if (n != 1)
		return cmd_fail(s, "give exactly one of --sigma, --lambda, --free, --remove");
	if (arg_set(a, "sigma"))
		*sigma = arg_real(a, "sigma");
	else if (arg_flag(a, "free"))
		*sigma = INFINITY;
	else if (arg_flag(a, "remove"))
		*sigma = 0;
	else {
		double l = arg_real(a, "lambda");
		*sigma = l == 0 ? INFINITY : cewb_prior_noise(pr) / sqrt(l);
	}
	return 0;
}

/* prior orbit [A ...] [selectors] --sigma S | --lambda L | --free | --remove [--param] */
static int orbit_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_prior_selector sel;
	cewb_error err;
	cewb_status st;
	double sigma;
	int given;
	size_t k, *idx;
	if (!pr || width_of(s, a, pr, &sigma))
		return 1;
	sel = selector_of(a, &given);
	if (given && a->n_pos)
		return cmd_fail(s, "give orbit indices or a selection, not both");
	if (!given && !a->n_pos)
		return cmd_fail(s, "which orbits? give indices or --order, --radius-above, ...");
	if (given)
		return edited(s, pr, cewb_prior_set_selected(pr, &sel, sigma, &err), &err);
	idx = malloc(a->n_pos * sizeof *idx);
	if (!idx)
		return cmd_fail(s, "out of memory");
	for (k = 0; k < a->n_pos; k++)
		idx[k] = (size_t)a->pos[k].i;
	st = cewb_prior_set_list(pr, idx, a->n_pos, arg_flag(a, "param"), sigma, &err);
	free(idx);
	return edited(s, pr, st, &err);
}

/* prior mean P VALUE */
static int mean_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_error err;
	if (!pr)
		return 1;
	return edited(s, pr, cewb_prior_set_mean(pr, (size_t)a->pos[0].i, a->pos[1].r, &err),
		      &err);
}

/* prior pair A B --sigma S | --lambda L | --free [--param] */
static int pair_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_error err;
	size_t i = (size_t)a->pos[0].i, j = (size_t)a->pos[1].i;
	double sigma;
	if (!pr || width_of(s, a, pr, &sigma))
		return 1;
	if (arg_flag(a, "param"))
		return edited(s, pr, cewb_prior_set_pair_param(pr, i, j, sigma, &err), &err);
	return edited(s, pr, cewb_prior_set_pair(pr, i, j, sigma, &err), &err);
}

/* prior merge [A B ...] [selectors] */
static int merge_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_prior_selector sel;
	cewb_error err;
	cewb_status st;
	int given;
	size_t k, *idx;
	if (!pr)
		return 1;
	sel = selector_of(a, &given);
	if (given && a->n_pos)
		return cmd_fail(s, "give orbit indices or a selection, not both");
	if (given)
		return edited(s, pr, cewb_prior_merge_selected(pr, &sel, &err), &err);
	if (a->n_pos < 2)
		return cmd_fail(s, "merge needs two orbits (or a selection: --order, ...)");
	idx = malloc(a->n_pos * sizeof *idx);
	if (!idx)
		return cmd_fail(s, "out of memory");
	for (k = 0; k < a->n_pos; k++)
		idx[k] = (size_t)a->pos[k].i;
	st = cewb_prior_merge_list(pr, idx, a->n_pos, &err);
	free(idx);
	return edited(s, pr, st, &err);
}

/* prior split A */
static int split_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_error err;
	if (!pr)
		return 1;
	return edited(s, pr, cewb_prior_split(pr, (size_t)a->pos[0].i, &err), &err);
}

/* prior couple --similar M --scale S [--length L] [--cut C] [selectors] */
static int couple_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_prior_selector sel;
	cewb_similarity m;
	cewb_error err;
	int given;
	if (!pr)
		return 1;
	if (!arg_set(a, "scale"))
		return cmd_fail(s, "--scale is required (the coupling width of the most similar "
				"orbits)");
	sel = selector_of(a, &given);
	if (cewb_similarity_parse(arg_str(a, "similar"), &m, &err))
		return cmd_fail(s, "%s", err.message);
	return edited(s, pr, cewb_prior_couple_similar(pr, &sel, m, arg_real(a, "scale"),
						       arg_real(a, "length"), arg_real(a, "cut"),
						       &err), &err);
}

/* Bulk ECIs from a file: one number per parameter of the bulk space (lines
 * "index value" or just "value"; '#' comments); *n set. */
static double *read_bulk_eci(struct session *s, const char *path, size_t *n)
{
	FILE *fp = fopen(path, "r");
	char *line = NULL;	/* whole lines: a number is never cut in two */
	double *v = NULL;
	size_t cap = 0, lineno = 0, line_cap = 0;
	*n = 0;
	if (!fp) {
		cmd_fail(s, "cannot open '%s'", path);
		return NULL;
	}
	while (getline(&line, &line_cap, fp) >= 0) {
		char *p = line, *end;
		double x[2];
		int k = 0;
		lineno++;
		p[strcspn(p, "#\n")] = '\0';
		while (k < 2) {
			x[k] = strtod(p, &end);
			if (end == p)
				break;
			p = end;
			k++;
		}
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (k == 0 && *p == '\0')
			continue;
		if (k == 0 || *p) {
			free(v);
			free(line);
			fclose(fp);
			cmd_fail(s, "%s: line %zu: expected 'value' or 'index value'", path,
				 lineno);
			return NULL;
		}
		if (*n == cap) {
			double *nv = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof *nv);
			if (!nv) {
				free(v);
				free(line);
				fclose(fp);
				cmd_fail(s, "out of memory reading '%s'", path);
				return NULL;
			}
			v = nv;
		}
		v[(*n)++] = k == 2 ? x[1] : x[0];
	}
	free(line);
	fclose(fp);
	if (*n == 0) {
		cmd_fail(s, "'%s' holds no ECIs", path);
		return NULL;
	}
	return v;
}

/* prior couple-bulk BULK_LATTICE --sigma S [--to ECI_FILE] [--frame N] [--tol T] */
static int couple_bulk_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_frames fr = { 0, NULL };
	cewb_lattice *blat = NULL;
	cewb_space *bsp = NULL;
	cewb_error err;
	cewb_status st;
	long *group = NULL;
	double *w = NULL, *target = NULL;
	size_t n_target = 0, frame = (size_t)arg_int(a, "frame"), o, n_cls = 0, n_slab = 0;
	int rc = 1;
	if (!pr)
		return 1;
	if (!arg_set(a, "sigma"))
		return cmd_fail(s, "--sigma is required (the coupling width)");
	if (!s->space->lattice->pbc[0] || !s->space->lattice->pbc[1] ||
	    s->space->lattice->pbc[2])
		return cmd_fail(s, "the current lattice is not a slab (pbc T,T,F)");
	if (cewb_structure_read_any(a->pos[0].s, NULL, &fr, &err))
		return cmd_fail(s, "%s", err.message);
	if (frame >= fr.n) {
		cmd_fail(s, "'%s' has %zu frame%s, no frame %zu", a->pos[0].s, fr.n,
			 fr.n == 1 ? "" : "s", frame);
		goto out;
	}
	if (cewb_lattice_build(fr.frames[frame], s->species, s->space->lattice->symprec, &blat,
			       &err) ||
	    cewb_space_build(blat, s->space->cutoffs, s->space->n_cutoffs, &bsp, &err)) {
		cmd_fail(s, "bulk: %s", err.message);
		goto out;
	}
	group = malloc(s->space->n_orbits * sizeof *group);
	w = malloc(s->space->n_params * sizeof *w);
	if (!group || !w) {
		cmd_fail(s, "out of memory");
		goto out;
	}
	if (cewb_prior_bulk_classify(s->space, bsp, arg_real(a, "tol"),
				     arg_real(a, "surface-depth"), group, w, &err)) {
		cmd_fail(s, "%s", err.message);
		goto out;
	}
	/* a class is the first parameter of its bulk orbit, where its bulk ECIs start */
	for (o = 0; o < s->space->n_orbits; o++)
		if (group[o] >= 0)
			group[o] = (long)bsp->orbits[group[o]].first_param;
	if (arg_set(a, "to")) {
		target = read_bulk_eci(s, arg_str(a, "to"), &n_target);
		if (!target)
			goto out;
		if (n_target != bsp->n_params) {
			cmd_fail(s, "'%s' holds %zu ECIs but the bulk space has %zu parameters",
				 arg_str(a, "to"), n_target, bsp->n_params);
			goto out;
		}
	}
	for (o = 0; o < s->space->n_orbits; o++)
		if (group[o] < 0)
			n_slab++;
	{
		/* count classes with two or more slab orbits */
		size_t b, c;
		for (b = 0; b < bsp->n_orbits; b++) {
			for (c = 0, o = 0; o < s->space->n_orbits; o++)
				c += group[o] == (long)bsp->orbits[b].first_param;
			n_cls += c >= 2;
		}
	}
	st = cewb_prior_couple_groups(pr, group, w, arg_real(a, "sigma"), target, n_target, &err);
	if (st) {
		cmd_fail(s, "%s", err.message);
		goto out;
	}
	if (!out_is_json(s))
		out_printf(s,
			   "bulk space: %zu orbits; %zu slab orbits in %zu shared bulk orbits, "
			   "%zu free (surface or no bulk orbit)\n",
			   bsp->n_orbits, s->space->n_orbits - n_slab, n_cls, n_slab);
	rc = edited(s, pr, CEWB_OK, &err);
out:
	free(group);
	free(w);
	free(target);
	cewb_space_free(bsp);
	cewb_lattice_free(blat);
	cewb_frames_release(&fr);
	return rc;
}

/* prior save FILE */
static int save_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_error err;
	if (!pr)
		return 1;
	/* Never over an existing file without --force; written atomically. */
	if (cli_may_write(s, a->pos[0].s, arg_flag(a, "force")))
		return 1;
	cli_signals_hold();
	cewb_status st = cewb_prior_save(pr, a->pos[0].s, &err);
	cli_signals_release();
	if (st)
		return cmd_fail(s, "%s", err.message);
	if (!out_is_json(s))
		out_printf(s, "prior saved to %s\n", a->pos[0].s);
	return 0;
}

/* prior load FILE */
static int load_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_error err;
	if (!pr)
		return 1;
	return edited(s, pr, cewb_prior_load(pr, a->pos[0].s, &err), &err);
}

/* prior diff FILE [FILE2]: from FILE to the current prior (or to FILE2). */
static int diff_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s), *pa = NULL, *pb = NULL;
	cewb_error err;
	char *text = NULL;
	size_t n = 0;
	int rc = 1;
	if (!pr)
		return 1;
	pa = cewb_prior_copy(pr);
	pb = a->n_pos > 1 ? cewb_prior_copy(pr) : NULL;
	if (!pa || (a->n_pos > 1 && !pb)) {
		cmd_fail(s, "out of memory");
		goto out;
	}
	if (cewb_prior_load(pa, a->pos[0].s, &err) ||
	    (pb && cewb_prior_load(pb, a->pos[1].s, &err)) ||
	    cewb_prior_diff(pa, pb ? pb : pr, &text, &n, &err)) {
		cmd_fail(s, "%s", err.message);
		goto out;
	}
	if (out_is_json(s)) {
		json_t *lines = json_array();
		char *p = text, *q;
		while (*p && (q = strchr(p, '\n'))) {
			json_array_append_new(lines, json_stringn(p, (size_t)(q - p)));
			p = q + 1;
		}
		out_json(s, json_pack("{s:I, s:o}", "n_differences", (json_int_t)n, "differences",
				      lines));
	} else if (n == 0) {
		out_printf(s, "no differences\n");
	} else {
		out_printf(s, "%s", text);
	}
	rc = 0;
out:
	free(text);
	cewb_prior_free(pa);
	cewb_prior_free(pb);
	return rc;
}

/* prior undo */
static int undo_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_error err;
	(void)a;
	if (!pr)
		return 1;
	return edited(s, pr, cewb_prior_undo(pr, &err), &err);
}

/* prior redo */
static int redo_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	cewb_error err;
	(void)a;
	if (!pr)
		return 1;
	return edited(s, pr, cewb_prior_redo(pr, &err), &err);
}

/* Seconds of a monotonic clock. */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Effective parameters and k-fold CV-RMSE of the prior fit; 0 or 1 after cmd_fail. */
static int prior_figures(struct session *s, size_t folds, double *dof, double *rmse,
			 double *rmse_train, double *seconds)
{
	cewb_prior *pr = need_prior(s);
	cewb_fit_problem prob;
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_PRIOR);
	cewb_xval_options xo = cewb_xval_options_default();
	cewb_xval_result xr;
	cewb_error err;
	double *X, *y, *w, t0 = now();
	if (!pr || prior_train_problem(s, &prob, &X, &y, &w))
		return 1;
	xo.scheme = CEWB_XVAL_KFOLD;
	xo.folds = folds;
	xo.repeat = 1;
	xo.seed = s->seed;
	opt.seed = s->seed;
	memset(&xr, 0, sizeof xr);
	if (cewb_prior_effective(pr, prob.X, prob.n_rows, dof, &err) ||
	    cewb_prior_xval(pr, &prob, &opt, &xo, &xr, &err)) {
		free(X);
		free(y);
		free(w);
		return cmd_fail(s, "%s", err.message);
	}
	*rmse = xr.rmse_validation;
	*rmse_train = xr.rmse_train;
	cewb_xval_result_release(&xr);
	free(X);
	free(y);
	free(w);
	*seconds = now() - t0;
	return 0;
}

/* prior status [--folds K] */
static int status_exec(struct session *s, const struct cmd_args *a)
{
	cewb_prior *pr = need_prior(s);
	double dof, rmse, rt, sec;
	size_t folds = (size_t)arg_int(a, "folds");
	char b1[32], b2[32], b3[32];
	if (!pr || prior_figures(s, folds, &dof, &rmse, &rt, &sec))
		return 1;
	if (out_is_json(s)) {
		out_json(s, json_pack("{s:I, s:I, s:f, s:I, s:f, s:f, s:f}", "n_parameters",
				      (json_int_t)cewb_prior_n_params(pr), "n_free",
				      (json_int_t)cewb_prior_n_free(pr), "effective_parameters",
				      dof, "folds", (json_int_t)folds, "rmse_validation", rmse,
				      "rmse_train", rt, "seconds", sec));
		return 0;
	}
	summary_line(s, pr);
	out_printf(s, "effective parameters %s of %zu free; %zu-fold CV-RMSE %s meV/atom "
		   "(train %s)\n", out_real(s, dof, b1, sizeof b1), cewb_prior_n_free(pr), folds,
		   out_real(s, 1e3 * rmse, b2, sizeof b2), out_real(s, 1e3 * rt, b3, sizeof b3));
	return 0;
}

/* The editor's view of the session. */
struct edit_ctx {
	struct session *s;
};

/* Editor callback: the current prior. */
static cewb_prior *edit_prior(void *ctx)
{
	return prior_session(((struct edit_ctx *)ctx)->s);
}

/* Editor callback: run a command line as if typed (recorded), output into msg. */
static int edit_run(void *ctx, const char *line, char *msg, size_t len)
{
	struct session *s = ((struct edit_ctx *)ctx)->s;
	char *cap = NULL;
	enum run_status st;
	int fd = dup(STDERR_FILENO), nul = fd >= 0 ? open("/dev/null", O_WRONLY) : -1;
	/* errors are shown on the status line, not written over the screen */
	if (nul >= 0) {
		fflush(stderr);
		dup2(nul, STDERR_FILENO);
		close(nul);
	}
	st = run_line_capture(s, line, &cap);
	if (fd >= 0) {
		fflush(stderr);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	msg[0] = '\0';
	if (cap) {
		/* the last non-empty line */
		char *end = cap + strlen(cap);
		while (end > cap && end[-1] == '\n')
			*--end = '\0';
		char *p = strrchr(cap, '\n');
		snprintf(msg, len, "%s", p ? p + 1 : cap);
		free(cap);
	}
	return st == RUN_OK ? 0 : 1;
}

/* Editor callback: the status figures (10-fold CV-RMSE, effective parameters). */
static int edit_status(void *ctx, double *rmse, double *dof, double *ms)
{
	struct session *s = ((struct edit_ctx *)ctx)->s;
	double rt, sec;
	char saved[sizeof s->error];
	int rc;
	memcpy(saved, s->error, sizeof saved);
	rc = prior_figures(s, 10, dof, rmse, &rt, &sec);
	*ms = 1e3 * sec;
	memcpy(s->error, saved, sizeof saved);
	return rc;
}

/* prior edit [--mono] */
static int edit_exec(struct session *s, const struct cmd_args *a)
{
	struct edit_ctx ctx = { s };
	struct view_prior_ops ops;
	char err[256];
	if (!need_prior(s))
		return 1;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cmd_fail(
			s, "not a terminal: the editor needs one; edit the prior with the "
			   "commands instead (prior show, prior orbit, prior pair, prior merge, "
			   "prior couple, prior undo; see 'help prior')");
	ops.ctx = &ctx;
	ops.prior = edit_prior;
	ops.run = edit_run;
	ops.status = edit_status;
	if (view_prior_run(&ops, arg_flag(a, "mono") || !s->color, err, sizeof err))
		return cmd_fail(s, "%s", err);
	return 0;
}

static const struct cmd_arg kind_pos[] = {
	{ .name = "kind", .type = ARG_STRING, .metavar = "none|ridge|physical",
	  .help = "the default to reset to (none: OLS)" },
	{ .name = NULL }
};
static const struct cmd_arg save_opts[] = {
	{ .name = "force", .type = ARG_FLAG, .help = "replace an existing file" },
	{ .name = NULL }
};
static const struct cmd_arg reset_opts[] = {
	{ .name = "noise", .type = ARG_REAL, .min = 1e-300, .max = 1e300, .metavar = "SIGMA",
	  .help = "noise sigma of the targets (default: keep; 0.005 at start)" },
	{ .name = "lambda", .type = ARG_REAL, .min = 0, .max = 1e300, .metavar = "L",
	  .help = "ridge: the diagonal of Lambda (default 1e-3)" },
	{ .name = "sigma0", .type = ARG_REAL, .min = 1e-300, .max = 1e300, .metavar = "S",
	  .help = "physical: width of the zerolet (default 0.1)" },
	{ .name = "r0", .type = ARG_REAL, .min = 1e-300, .max = 1e300, .metavar = "ANGSTROM",
	  .help = "physical: decay length in radius (default 3)" },
	{ .name = "q", .type = ARG_REAL, .min = 1e-300, .max = 1e300, .metavar = "Q",
	  .help = "physical: factor per order (default 0.5)" },
	{ .name = NULL }
};
static const struct cmd_arg sigma_pos[] = {
	{ .name = "sigma", .type = ARG_REAL, .min = 1e-300, .max = 1e300, .metavar = "SIGMA",
	  .help = "noise sigma of the targets" },
	{ .name = NULL }
};
static const struct cmd_arg orbit_pos[] = {
	{ .name = "orbit", .type = ARG_INT, .min = 0, .max = 1e9, .metavar = "A",
	  .help = "orbit index (a parameter index with --param)", .complete = COMPLETE_ORBIT },
	{ .name = NULL }
};
static const struct cmd_arg mean_pos[] = {
	{ .name = "param", .type = ARG_INT, .min = 0, .max = 1e9, .metavar = "P",
	  .help = "parameter index" },
	{ .name = "value", .type = ARG_REAL, .min = 1, .max = 0, .metavar = "MU",
	  .help = "prior mean" },
	{ .name = NULL }
};
#define WIDTH_OPTS \
	{ .name = "sigma", .type = ARG_REAL, .min = 0, .max = 1e300, .metavar = "S", \
	  .help = "prior width (0: removed exactly)" }, \
	{ .name = "lambda", .type = ARG_REAL, .min = 0, .max = 1e300, .metavar = "L", \
	  .help = "precision noise^2/sigma^2 (0: free)" }, \
	{ .name = "free", .type = ARG_FLAG, .help = "no prior (lambda 0)" }, \
	{ .name = "remove", .type = ARG_FLAG, .help = "remove exactly (ECI 0)" }
#define SELECT_OPTS \
	{ .name = "order", .type = ARG_INT, .min = 0, .max = CEWB_MAX_ORDER, .metavar = "N", \
	  .help = "select orbits of this order" }, \
	{ .name = "radius-above", .type = ARG_REAL, .min = 1, .max = 0, .metavar = "R", \
	  .help = "select orbits of radius above R (Å)" }, \
	{ .name = "radius-below", .type = ARG_REAL, .min = 1, .max = 0, .metavar = "R", \
	  .help = "select orbits of radius below R (Å)" }, \
	{ .name = "first", .type = ARG_INT, .min = 0, .max = 1e9, .metavar = "A", \
	  .help = "select orbits from index A" }, \
	{ .name = "last", .type = ARG_INT, .min = 0, .max = 1e9, .metavar = "B", \
	  .help = "select orbits up to index B" }
static const struct cmd_arg orbit_opts[] = {
	WIDTH_OPTS,
	SELECT_OPTS,
	{ .name = "param", .type = ARG_FLAG, .help = "indices are parameters, not orbits" },
	{ .name = NULL }
};
static const struct cmd_arg pair_opts[] = {
	{ .name = "sigma", .type = ARG_REAL, .min = 0, .max = 1e300, .metavar = "S",
	  .help = "coupling width (0: merge exactly)" },
	{ .name = "lambda", .type = ARG_REAL, .min = 0, .max = 1e300, .metavar = "L",
	  .help = "coupling precision noise^2/sigma^2 (0: uncouple)" },
	{ .name = "free", .type = ARG_FLAG, .help = "uncouple" },
	{ .name = "remove", .type = ARG_FLAG, .help = "merge exactly (as sigma 0)" },
	{ .name = "param", .type = ARG_FLAG, .help = "indices are parameters, not orbits" },
	{ .name = NULL }
};
static const struct cmd_arg select_opts[] = {
	SELECT_OPTS,
	{ .name = NULL }
};
static const char *const similar_choices[] = { "radius", "order", "neighbor", NULL };
static const struct cmd_arg couple_opts[] = {
	{ .name = "similar", .type = ARG_CHOICE, .def = "radius", .choices = similar_choices,
	  .metavar = "MEASURE", .help = "radius: width grows with the radius difference; "
	  "order: every pair of an order; neighbor: next in radius" },
	{ .name = "scale", .type = ARG_REAL, .min = 1e-300, .max = 1e300, .metavar = "S",
	  .help = "coupling width of the most similar orbits" },
	{ .name = "length", .type = ARG_REAL, .def = "1", .min = 1e-300, .max = 1e300,
	  .metavar = "ANGSTROM", .help = "radius: width scale*exp(|dr|/(2 length))" },
	{ .name = "cut", .type = ARG_REAL, .def = "1e300", .min = 0, .max = 1e300,
	  .metavar = "ANGSTROM", .help = "radius: leave pairs with |dr| above this alone" },
	SELECT_OPTS,
	{ .name = NULL }
};
static const struct cmd_arg pair_pos[] = {
	{ .name = "a", .type = ARG_INT, .min = 0, .max = 1e9, .metavar = "A",
	  .help = "orbit index", .complete = COMPLETE_ORBIT },
	{ .name = "b", .type = ARG_INT, .min = 0, .max = 1e9, .metavar = "B",
	  .help = "orbit index", .complete = COMPLETE_ORBIT },
	{ .name = NULL }
};
static const struct cmd_arg file_pos[] = {
	{ .name = "file", .type = ARG_FILE, .metavar = "FILE" },
	{ .name = NULL }
};
static const struct cmd_arg bulk_opts[] = {
	{ .name = "sigma", .type = ARG_REAL, .min = 1e-300, .max = 1e300, .metavar = "S",
	  .help = "coupling width (or width of the pull with --to)" },
	{ .name = "to", .type = ARG_FILE, .metavar = "ECI_FILE",
	  .help = "pull towards these bulk ECIs (one per bulk parameter)" },
	{ .name = "frame", .type = ARG_INT, .def = "0", .min = 0, .max = 1e9, .metavar = "N",
	  .help = "frame of the bulk file" },
	{ .name = "tol", .type = ARG_REAL, .def = "1e-3", .min = 1e-8, .max = 1,
	  .metavar = "ANGSTROM",
	  .help = "tolerance matching slab sites onto the bulk lattice" },
	{ .name = "surface-depth", .type = ARG_REAL, .def = "0.5", .min = 0, .max = 1e6,
	  .metavar = "ANGSTROM", .help = "orbits with a site this close to the outermost layers "
	  "stay free (0: couple all)" },
	{ .name = NULL }
};
static const struct cmd_arg show_opts[] = {
	{ .name = "matrix", .type = ARG_FLAG, .help = "print the full Lambda matrix" },
	{ .name = NULL }
};
static const struct cmd_arg status_opts[] = {
	{ .name = "folds", .type = ARG_INT, .def = "10", .min = 2, .max = 1e6, .metavar = "K",
	  .help = "folds of the cross-validation" },
	{ .name = NULL }
};
static const struct cmd_arg edit_opts[] = {
	{ .name = "mono", .type = ARG_FLAG, .help = "no colour" },
	{ .name = NULL }
};

const struct cmd_entry cmd_prior_entries[] = {
	{ .name = "prior show", .group = "prior", .summary = "show the prior precision matrix",
	  .options = show_opts, .exec = show_exec, .page = "prior", .flags = CMD_REPORTS },
	{ .name = "prior reset", .group = "prior", .summary = "reset the prior to a default",
	  .positionals = kind_pos, .min_pos = 0, .max_pos = 1, .options = reset_opts,
	  .exec = reset_exec, .page = "prior-reset", .flags = CMD_REPORTS },
	{ .name = "prior noise", .group = "prior", .summary = "set the noise sigma",
	  .positionals = sigma_pos, .min_pos = 1, .max_pos = 1, .exec = noise_exec,
	  .page = "prior-reset", .flags = CMD_REPORTS },
	{ .name = "prior orbit", .group = "prior", .summary = "set the prior width of orbits",
	  .positionals = orbit_pos, .min_pos = 0, .max_pos = 100000, .options = orbit_opts,
	  .exec = orbit_exec, .page = "prior-orbit", .flags = CMD_REPORTS },
	{ .name = "prior mean", .group = "prior", .summary = "set the prior mean of a parameter",
	  .positionals = mean_pos, .min_pos = 2, .max_pos = 2, .exec = mean_exec,
	  .page = "prior-orbit", .flags = CMD_REPORTS },
	{ .name = "prior pair", .group = "prior", .summary = "couple two orbits",
	  .positionals = pair_pos, .min_pos = 2, .max_pos = 2, .options = pair_opts,
	  .exec = pair_exec, .page = "prior-pair", .flags = CMD_REPORTS },
	{ .name = "prior merge", .group = "prior",
	  .summary = "merge orbits exactly (one shared ECI)",
	  .positionals = orbit_pos, .min_pos = 0, .max_pos = 100000, .options = select_opts,
	  .exec = merge_exec, .page = "prior-merge", .flags = CMD_REPORTS },
	{ .name = "prior split", .group = "prior", .summary = "undo the merges of an orbit",
	  .positionals = orbit_pos, .min_pos = 1, .max_pos = 1, .exec = split_exec,
	  .page = "prior-merge", .flags = CMD_REPORTS },
	{ .name = "prior couple", .group = "prior", .summary = "couple similar orbits",
	  .options = couple_opts, .exec = couple_exec, .page = "prior-couple",
	  .flags = CMD_REPORTS },
	{ .name = "prior couple-bulk", .group = "prior",
	  .summary = "couple slab orbits of the same bulk orbit",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 1, .options = bulk_opts,
	  .exec = couple_bulk_exec, .page = "prior-couple-bulk", .flags = CMD_REPORTS },
	{ .name = "prior save", .group = "prior", .summary = "save the prior as JSON",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 1, .options = save_opts,
	  .exec = save_exec,
	  .page = "prior-files", .flags = CMD_REPORTS },
	{ .name = "prior load", .group = "prior", .summary = "load a prior saved as JSON",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 1, .exec = load_exec,
	  .page = "prior-files", .flags = CMD_REPORTS },
	{ .name = "prior diff", .group = "prior", .summary = "differences between priors",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 2, .exec = diff_exec,
	  .page = "prior-files", .flags = CMD_REPORTS },
	{ .name = "prior undo", .group = "prior", .summary = "undo the last change of the prior",
	  .exec = undo_exec, .page = "prior-undo", .flags = CMD_REPORTS },
	{ .name = "prior redo", .group = "prior", .summary = "redo an undone change",
	  .exec = redo_exec, .page = "prior-undo", .flags = CMD_REPORTS },
	{ .name = "prior status", .group = "prior",
	  .summary = "effective parameters and CV error of the prior fit",
	  .options = status_opts, .exec = status_exec, .page = "prior-status",
	  .flags = CMD_REPORTS },
	{ .name = "prior edit", .group = "prior", .summary = "full-screen editor of Lambda",
	  .options = edit_opts, .exec = edit_exec, .page = "prior-edit",
	  .flags = CMD_NO_RECORD },
	{ .name = NULL }
};
