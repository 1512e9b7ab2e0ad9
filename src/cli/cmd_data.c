/*
 * cmd_data.c - the data family: inspect the mapping of relaxed structures
 * (map), diagnose the sensing matrix (sensing), export X and y (export).
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cewb/dataset.h"
#include "cewb/mapping.h"
#include "cewb/sensing.h"
#include "cmd.h"
#include "safety.h"
#include "session.h"
#include "fce_state.h"
#include "../plot/plot.h"

/*
 * The rows of the fit: every training structure that was not refused, its
 * index in ids, its cluster vector in X (n x n_params), its target and
 * weight.  Returns 0, or 1 after cmd_fail.
 */
static int fit_rows(struct session *s, double **X, double **y, double **w, size_t **ids,
		    size_t *n_out)
{
	const struct train_set *t = &s->train;
	if (!s->space)
		return cmd_fail(s, "no cluster space: build one first with 'space CUT2 [CUT3 ...]'");
	if (t->n == 0 || !t->X)
		return cmd_fail(s, "no training structures: load some with 'load structures FILE'");
	size_t n = 0, p = t->n_params;
	for (size_t i = 0; i < t->n; i++)
		n += train_item_used(&t->items[i]);
	if (n == 0)
		return cmd_fail(s, "every training structure was refused by the mapping or dropped");
	*X = malloc(sizeof(double) * n * p);
	*y = malloc(sizeof(double) * n);
	*w = malloc(sizeof(double) * n);
	*ids = malloc(sizeof(size_t) * n);
	if (!*X || !*y || !*w || !*ids) {
		free(*X), free(*y), free(*w), free(*ids);
		return cmd_fail(s, "out of memory for %zu x %zu cluster vectors", n, p);
	}
	size_t r = 0;
	for (size_t i = 0; i < t->n; i++) {
		const struct train_item *it = &t->items[i];
		if (!train_item_used(it))
			continue;
		memcpy(*X + r * p, t->X + i * p, sizeof(double) * p);
		(*y)[r] = it->target;
		(*w)[r] = it->weight;
		(*ids)[r] = i;
		r++;
	}
	*n_out = n;
	return 0;
}

/* A figure for a table: tiny rounding residues print as 0. */
static const char *fig(const struct session *s, double x, char *buf, size_t len)
{
	return out_real(s, fabs(x) < 1e-12 ? 0.0 : x, buf, len);
}

/* "file frame N" of a training structure, for reports. */
static const char *item_where(const struct session *s, size_t i, char *buf, size_t len)
{
	const struct train_item *it = &s->train.items[i];
	const char *f = it->file ? it->file : "?";
	const char *base = strrchr(f, '/');
	snprintf(buf, len, "%s frame %zu", base ? base + 1 : f, it->frame);
	return buf;
}

/* sensing [--top N] [--leverage N] [--near TOL]: diagnostics of X. */
static int sensing_exec(struct session *s, const struct cmd_args *a)
{
	if (fce_session_active(s))
		return fce_session_sensing(s, a);	/* the force rows */
	double *X, *y, *w;
	size_t *ids, n;
	if (fit_rows(s, &X, &y, &w, &ids, &n))
		return 1;
	size_t p = s->train.n_params;
	cewb_sensing_options opt;
	cewb_sensing_options_default(&opt);
	opt.max_top = (size_t)arg_int(a, "top");
	opt.near_tol = arg_real(a, "near");
	opt.want_correlation = arg_flag(a, "correlations");
	size_t n_lev = (size_t)arg_int(a, "leverage");
	if (n_lev > n)
		n_lev = n;
	cewb_sensing sd;
	cewb_error err;
	cewb_error_clear(&err);
	cewb_status st = cewb_sensing_compute(X, n, p, &opt, &sd, &err);
	free(X), free(y), free(w);
	if (st) {
		free(ids);
		return cmd_fail(s, "%s", err.message);
	}
	char **names = cewb_dataset_column_names(s->space);
	if (!names) {
		free(ids);
		cewb_sensing_release(&sd);
		return cmd_fail(s, "out of memory");
	}
	char b1[64], b2[64], where[300];
	if (out_is_json(s)) {
		json_t *sv = json_array(), *top = json_array(), *cst = json_array();
		json_t *dup = json_array(), *lev = json_array();
		for (size_t k = 0; k < sd.n_singular; k++)
			json_array_append_new(sv, json_real(sd.singular_values[k]));
		for (size_t k = 0; k < sd.n_top; k++)
			json_array_append_new(top, json_pack("{s:i, s:i, s:o, s:s, s:s}", "a",
							     (int)sd.top[k].a, "b", (int)sd.top[k].b,
							     "r", out_jreal(sd.top[k].r), "name_a",
							     names[sd.top[k].a], "name_b",
							     names[sd.top[k].b]));
		for (size_t k = 0; k < sd.n_constant; k++)
			json_array_append_new(cst, json_integer((json_int_t)sd.constant[k]));
		for (size_t k = 0; k < sd.n_pairs; k++)
			json_array_append_new(dup, json_pack("{s:i, s:i, s:o, s:b}", "a",
							     (int)ids[sd.pairs[k].a], "b",
							     (int)ids[sd.pairs[k].b], "rms",
							     out_jreal(sd.pairs[k].rms), "exact",
							     sd.pairs[k].exact));
		for (size_t k = 0; k < n_lev; k++) {
			size_t r = sd.by_leverage[k];
			json_array_append_new(lev, json_pack("{s:i, s:o}", "index", (int)ids[r],
							     "leverage", out_jreal(sd.leverage[r])));
		}
		out_json(s, json_pack("{s:i, s:i, s:i, s:o, s:o, s:o, s:o, s:i, s:i, s:o, s:o}",
				      "rows", (int)sd.n_rows, "columns", (int)sd.n_cols, "rank",
				      (int)sd.rank, "condition_number", out_jreal(sd.condition_number),
				      "singular_values", sv, "top_correlations", top,
				      "constant_columns", cst, "n_duplicates", (int)sd.n_duplicates,
				      "n_near_duplicates", (int)sd.n_near, "duplicates", dup,
				      "top_leverage", lev));
		goto done;
	}
	out_printf(s, "sensing matrix: %zu rows x %zu columns, rank %zu%s\n", sd.n_rows,
		   sd.n_cols, sd.rank, sd.rank < sd.n_cols ? " (rank deficient)" : "");
	out_printf(s, "condition number: %s\n",
		   isfinite(sd.condition_number)
			   ? out_real(s, sd.condition_number, b1, sizeof(b1)) : "infinite");
	out_printf(s, "singular values:");
	for (size_t k = 0; k < sd.n_singular; k++) {
		if (sd.n_singular > 12 && k == 8) {
			out_printf(s, " ...");
			k = sd.n_singular - 3;
		}
		out_printf(s, " %s", out_real(s, sd.singular_values[k], b1, sizeof(b1)));
	}
	out_printf(s, "\n");
	if (sd.n_constant) {
		out_printf(s, "constant columns:");
		for (size_t k = 0; k < sd.n_constant; k++)
			out_printf(s, " %s", names[sd.constant[k]]);
		out_printf(s, "\n");
	}
	if (sd.correlation) {
		/* Scripts and replays get a fixed width, so transcripts repeat. */
		char *map = NULL;
		cewb_error herr;
		cewb_error_clear(&herr);
		if (plot_heatmap_text(sd.n_cols, sd.correlation, s->interactive ? 0 : 80,
				      s->color ? PLOT_COLOR_AUTO : PLOT_COLOR_NONE, &map,
				      &herr) == CEWB_OK) {
			out_printf(s, "column correlations (orbit parameters 0..%zu):\n%s",
				   sd.n_cols - 1, map);
			free(map);
		} else {
			out_printf(s, "(no heat map: %s)\n", herr.message);
		}
	}
	if (sd.n_top) {
		out_printf(s, "most correlated columns:\n");
		for (size_t k = 0; k < sd.n_top; k++)
			out_printf(s, "  %-8s %-8s r = %s\n", names[sd.top[k].a], names[sd.top[k].b],
				   out_real(s, sd.top[k].r, b1, sizeof(b1)));
	}
	out_printf(s, "duplicate rows: %zu, near duplicates: %zu (rms difference <= %s)\n",
		   sd.n_duplicates, sd.n_near, out_real(s, opt.near_tol, b1, sizeof(b1)));
	for (size_t k = 0; k < sd.n_pairs && k < 10; k++) {
		size_t ia = ids[sd.pairs[k].a], ib = ids[sd.pairs[k].b];
		item_where(s, ia, where, sizeof(where));
		out_printf(s, "  %zu (%s) ", ia, where);
		item_where(s, ib, where, sizeof(where));
		out_printf(s, "%s %zu (%s)%s%s\n", sd.pairs[k].exact ? "=" : "~", ib, where,
			   sd.pairs[k].exact ? "" : ", rms ",
			   sd.pairs[k].exact ? "" : out_real(s, sd.pairs[k].rms, b2, sizeof(b2)));
	}
	if (sd.n_pairs > 10)
		out_printf(s, "  ... %zu more\n", sd.n_pairs - 10);
	if (n_lev) {
		out_printf(s, "highest leverage (the fit depends most on these; mean %s):\n",
			   out_real(s, (double)sd.rank / (double)sd.n_rows, b1, sizeof(b1)));
		for (size_t k = 0; k < n_lev; k++) {
			size_t r = sd.by_leverage[k];
			out_printf(s, "  %6zu  %-8s %s\n", ids[r],
				   out_real(s, sd.leverage[r], b1, sizeof(b1)),
				   item_where(s, ids[r], where, sizeof(where)));
		}
	}
done:
	cewb_dataset_names_free(names, s->space->n_params);
	cewb_sensing_release(&sd);
	free(ids);
	return 0;
}

/* export X|y FILE: the rows of the fit as CSV or JSON. */
static int export_exec(struct session *s, const struct cmd_args *a)
{
	const char *what = a->pos[0].s, *path = a->pos[1].s;
	double *X, *y, *w;
	size_t *ids, n;
	/* Never over an existing file without --force; written atomically. */
	if (cli_may_write(s, path, arg_flag(a, "force")))
		return 1;
	if (fit_rows(s, &X, &y, &w, &ids, &n))
		return 1;
	cewb_error err;
	cewb_error_clear(&err);
	cewb_status st;
	size_t p = s->train.n_params;
	cli_signals_hold();
	if (!strcmp(what, "X")) {
		char **names = cewb_dataset_column_names(s->space);
		st = names ? cewb_export_matrix(path, X, n, p, ids, (const char *const *)names, &err)
			   : cewb_error_set(&err, CEWB_ENOMEM, "out of memory");
		cewb_dataset_names_free(names, p);
	} else {
		st = cewb_export_vector(path, y, w, n, ids, &err);
	}
	cli_signals_release();
	free(X), free(y), free(w), free(ids);
	if (st)
		return cmd_fail(s, "%s", err.message);
	if (out_is_json(s))
		out_json(s, json_pack("{s:s, s:s, s:i, s:i}", "what", what, "file", path, "rows",
				      (int)n, "columns", !strcmp(what, "X") ? (int)p : 1));
	else
		out_printf(s, "wrote %s (%zu row%s%s) to %s\n", what, n, n == 1 ? "" : "s",
			   !strcmp(what, "X") ? ", one column per cluster-vector entry" : "", path);
	return 0;
}

/* The mapping thresholds given on the command line. */
static void map_options(const struct cmd_args *a, cewb_map_options *o)
{
	cewb_map_options_default(o);
	o->warn_volumetric = arg_real(a, "warn-strain");
	o->max_volumetric = arg_real(a, "max-strain");
	o->warn_anisotropy = arg_real(a, "warn-anisotropy");
	o->max_anisotropy = arg_real(a, "max-anisotropy");
	o->warn_drmax = arg_real(a, "warn-drmax");
	o->max_drmax = arg_real(a, "max-drmax");
	o->min_gap = arg_real(a, "min-gap");
}

/* map FILE [--frame N] [thresholds]: how each frame maps onto the lattice. */
static int map_exec(struct session *s, const struct cmd_args *a)
{
	const char *path = a->pos[0].s;
	if (!s->lattice)
		return cmd_fail(s, "no lattice: load one first with 'load lattice FILE --species A,B'");
	cewb_frames fr = { 0, NULL };
	cewb_error err;
	cewb_error_clear(&err);
	if (cewb_structure_read_any(path, NULL, &fr, &err) != CEWB_OK)
		return cmd_fail(s, "%s", err.message);
	size_t lo = 0, hi = fr.n;
	if (arg_set(a, "frame")) {
		size_t k = (size_t)arg_int(a, "frame");
		if (k >= fr.n) {
			size_t nf = fr.n;
			cewb_frames_release(&fr);
			return cmd_fail(s, "--frame %zu: %s has %zu frame%s", k, path, nf,
					nf == 1 ? "" : "s");
		}
		lo = k;
		hi = k + 1;
	}
	cewb_map_options opt;
	map_options(a, &opt);
	int json = out_is_json(s);
	json_t *list = json ? json_array() : NULL;
	char b[6][32];
	if (!json)
		out_printf(s, "%6s %6s %6s  %-8s %10s %10s %8s %8s %9s  %s\n", "frame", "atoms",
			   "sites", "status", "vol.strain", "anisotropy", "drmax", "dravg",
			   "ambiguity", "reason");
	size_t count[4] = { 0, 0, 0, 0 };
	for (size_t f = lo; f < hi; f++) {
		cewb_map_report rep;
		cewb_status st = cewb_map_structure(s->lattice, fr.frames[f], &opt, &rep, &err);
		if (st && st != CEWB_ENOFIT) {
			cewb_map_report_release(&rep);
			cewb_frames_release(&fr);
			json_decref(list);
			return cmd_fail(s, "%s", err.message);
		}
		count[rep.status]++;
		if (json) {
			json_t *P = json_pack("[[i,i,i],[i,i,i],[i,i,i]]", rep.P[0][0], rep.P[0][1],
					      rep.P[0][2], rep.P[1][0], rep.P[1][1], rep.P[1][2],
					      rep.P[2][0], rep.P[2][1], rep.P[2][2]);
			json_array_append_new(
				list,
				json_pack("{s:i, s:i, s:i, s:i, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, "
					  "s:o}",
					  "frame", (int)f, "n_atoms", (int)rep.n_atoms, "n_sites",
					  (int)rep.n_sites, "n_vacancies", (int)rep.n_vacancies,
					  "status", cewb_map_status_name(rep.status), "reason",
					  rep.reason, "P", P, "volumetric_strain",
					  out_jreal(rep.volumetric_strain), "anisotropy",
					  out_jreal(rep.anisotropy), "drmax", out_jreal(rep.drmax), "dravg",
					  out_jreal(rep.dravg), "ambiguity", out_jreal(rep.ambiguity), "d_nn",
					  out_jreal(rep.d_nn)));
		} else {
			int refused_early = rep.status == CEWB_MAP_REFUSED && !rep.site_of;
			out_printf(s, "%6zu %6zu %6zu  %-8s %10s %10s %8s %8s %9s  %s\n", f,
				   rep.n_atoms, rep.n_sites, cewb_map_status_name(rep.status),
				   refused_early ? "-" : fig(s, rep.volumetric_strain, b[0], 32),
				   refused_early ? "-" : fig(s, rep.anisotropy, b[1], 32),
				   refused_early ? "-" : fig(s, rep.drmax, b[2], 32),
				   refused_early ? "-" : fig(s, rep.dravg, b[3], 32),
				   isnan(rep.ambiguity) ? "-"
				   : isinf(rep.ambiguity) ? "none"
							 : out_real(s, rep.ambiguity, b[4], 32),
				   rep.reason);
		}
		cewb_map_report_release(&rep);
	}
	cewb_frames_release(&fr);
	if (json) {
		out_json(s, json_pack("{s:s, s:o, s:{s:i, s:i, s:i, s:i}}", "file", path, "frames",
				      list, "counts", "ideal", (int)count[0], "mapped",
				      (int)count[1], "warned", (int)count[2], "refused",
				      (int)count[3]));
		return 0;
	}
	out_printf(s, "%zu ideal, %zu mapped, %zu warned, %zu refused (distances in A; "
		   "ambiguity: extra displacement of the next-best decoration)\n",
		   count[0], count[1], count[2], count[3]);
	return 0;
}

/* ---- structures [--problems] ---- */

static const char *const map_names[] = { "ideal", "mapped", "warned", "refused" };

/* Order of problems: refused first, then the largest displacement. */
static const struct train_set *prob_set;
static int prob_cmp(const void *pa, const void *pb)
{
	const struct train_item *x = &prob_set->items[*(const size_t *)pa];
	const struct train_item *y = &prob_set->items[*(const size_t *)pb];
	if (x->map != y->map)
		return x->map == MAP_REFUSED ? -1 : 1;
	double sx = fmax(x->drmax, fabs(x->volumetric_strain));
	double sy = fmax(y->drmax, fabs(y->volumetric_strain));
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

/* structures [--problems]: the training set table. */
static int structures_exec(struct session *s, const struct cmd_args *a)
{
	if (fce_session_active(s))
		return fce_session_structures(s, a);	/* the structures with forces */
	const struct train_set *t = &s->train;
	int problems = arg_flag(a, "problems");
	size_t *order = malloc(sizeof(size_t) * (t->n ? t->n : 1)), n = 0;
	if (!order)
		return cmd_fail(s, "out of memory");
	for (size_t i = 0; i < t->n; i++)
		if (!problems || t->items[i].map >= MAP_WARNED)
			order[n++] = i;
	if (problems) {
		prob_set = t;
		qsort(order, n, sizeof(size_t), prob_cmp);
	}
	char buf[64], comp[128];
	if (out_is_json(s)) {
		json_t *list = json_array();
		for (size_t k = 0; k < n; k++) {
			const struct train_item *it = &t->items[order[k]];
			cewb_entry e = { 0 };
			e.structure = it->s;
			e.ideal = it->ideal;
			cewb_entry_composition(&e, comp, sizeof(comp));
			json_array_append_new(
				list,
				json_pack("{s:i, s:s, s:i, s:i, s:o, s:{s:s, s:s?, s:f, s:f, s:f}, "
					  "s:i, s:s, s:b}", "index", (int)order[k], "file", it->file,
					  "frame", (int)it->frame, "n_atoms", (int)it->s->n_atoms,
					  "target", out_jreal(it->target), "mapping", "status",
					  map_names[it->map], "reason", it->map_reason,
					  "volumetric_strain", it->volumetric_strain, "drmax",
					  it->drmax, "dravg", it->dravg, "n_sites",
					  (int)(it->ideal ? it->ideal->n_atoms : it->s->n_atoms),
					  "composition", comp, "dropped", it->dropped));
		}
		out_json(s, json_pack("{s:o}", "structures", list));
		free(order);
		return 0;
	}
	if (n == 0) {
		out_printf(s, problems ? "no warned or refused structures\n" : "no structures loaded\n");
		free(order);
		return 0;
	}
	if (!problems)
		out_printf(s, "%6s  %-24s %6s %6s %-12s %14s  %s\n", "index", "file", "frame",
			   "atoms", "composition", t->target_key ? t->target_key : "target",
			   "mapping");
	else
		out_printf(s, "%6s  %-24s %6s %-12s %-8s %10s %8s  %s\n", "index", "file", "frame",
			   "composition", "status", "vol.strain", "drmax", "reason");
	for (size_t k = 0; k < n; k++) {
		size_t i = order[k];
		const struct train_item *it = &t->items[i];
		const char *f = it->file;
		size_t fl = strlen(f);
		char shortf[32];
		if (fl > 24) {
			/* Long names keep their end, marked as cut. */
			snprintf(shortf, sizeof shortf, "...%s", f + fl - 21);
			f = shortf;
		}
		cewb_entry e = { 0 };
		char b2[64];
		e.structure = it->s;
		e.ideal = it->ideal;
		cewb_entry_composition(&e, comp, sizeof(comp));
		if (!problems) {
			out_printf(s, "%6zu  %-24s %6zu %6zu %-12s %14s  %s\n", i, f, it->frame,
				   it->s->n_atoms, comp,
				   isnan(it->target) ? "-" : out_real(s, it->target, buf, sizeof buf),
				   it->dropped ? "dropped" : map_names[it->map]);
			continue;
		}
		out_printf(s, "%6zu  %-24s %6zu %-12s %-8s %10s %8s  %s\n", i, f, it->frame, comp,
			   map_names[it->map], fig(s, it->volumetric_strain, buf, sizeof buf),
			   fig(s, it->drmax, b2, sizeof b2),
			   it->map_reason ? it->map_reason : "");
	}
	free(order);
	return 0;
}

/* ---- drop, restore ---- */

/*
 * The entries of a cewb_dataset that mirror the training set, for the
 * selector language (they borrow the structures; free only the array).
 */
static cewb_entry *selector_view(const struct session *s)
{
	const struct train_set *t = &s->train;
	cewb_entry *e = calloc(t->n ? t->n : 1, sizeof(*e));
	if (!e)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		const struct train_item *it = &t->items[i];
		e[i].file = it->file;
		e[i].frame = it->frame;
		e[i].n_atoms = it->s->n_atoms;
		e[i].n_sites = it->ideal ? it->ideal->n_atoms : it->s->n_atoms;
		e[i].target = it->target;
		e[i].weight = it->weight;
		e[i].structure = it->s;
		e[i].ideal = it->ideal;
		e[i].mapped = it->map != MAP_IDEAL;
		e[i].map.status = (cewb_map_status)it->map;
		e[i].map.volumetric_strain = it->volumetric_strain;
		e[i].map.drmax = it->drmax;
		e[i].map.dravg = it->dravg;
		e[i].map.ambiguity = NAN;
		e[i].dropped = it->map == MAP_REFUSED ? CEWB_DROPPED_REFUSED
			       : it->dropped ? CEWB_DROPPED_USER : CEWB_ACTIVE;
		e[i].duplicate_of = -1;
	}
	return e;
}

/* drop|restore [INDICES] [--where SELECTOR]: leave structures out of fits or
 * take them back. */
static int drop_restore(struct session *s, const struct cmd_args *a, int drop)
{
	struct train_set *t = &s->train;
	const char *where = arg_str(a, "where");
	if (t->n == 0)
		return cmd_fail(s, "no training structures: load some with 'load structures FILE'");
	if (!where && a->n_pos == 0)
		return cmd_fail(s, "name the structures: indices (3,5,7-10) or --where SELECTOR");
	cewb_entry *view = selector_view(s);
	char *mask = calloc(t->n, 1), *part = calloc(t->n, 1);
	if (!view || !mask || !part) {
		free(view), free(mask), free(part);
		return cmd_fail(s, "out of memory");
	}
	cewb_dataset ds = { s->lattice, s->space, 0, t->n, view, NULL, t->n };
	cewb_error err;
	cewb_error_clear(&err);
	int rc = 0;
	for (size_t k = 0; k < a->n_pos && !rc; k++) {
		if (cewb_dataset_select_indices(&ds, a->pos[k].s, part, &err) != CEWB_OK)
			rc = cmd_fail(s, "%s", err.message);
		for (size_t i = 0; i < t->n; i++)
			mask[i] |= part[i];
	}
	if (!rc && where) {
		if (cewb_dataset_select(&ds, where, part, &err) != CEWB_OK)
			rc = cmd_fail(s, "%s", err.message);
		else if (a->n_pos)
			for (size_t i = 0; i < t->n; i++)
				mask[i] &= part[i];
		else
			memcpy(mask, part, t->n);
	}
	size_t changed = 0, refused = 0, chosen = 0;
	for (size_t i = 0; i < t->n && !rc; i++) {
		struct train_item *it = &t->items[i];
		if (!mask[i])
			continue;
		chosen++;
		if (it->map == MAP_REFUSED) {
			refused++;
			continue;
		}
		if (it->dropped != drop) {
			it->dropped = drop;
			changed++;
		}
	}
	free(view), free(mask), free(part);
	if (rc)
		return rc;
	if (changed)
		session_drop_fit(s);
	size_t used = 0;
	for (size_t i = 0; i < t->n; i++)
		used += train_item_used(&t->items[i]);
	if (out_is_json(s)) {
		out_json(s, json_pack("{s:i, s:i, s:i, s:i}", "chosen", (int)chosen, "changed",
				      (int)changed, "refused", (int)refused, "n_used", (int)used));
		return 0;
	}
	out_printf(s, "%s %zu of %zu chosen structure%s; %zu of %zu in the fit\n",
		   drop ? "dropped" : "restored", changed, chosen, chosen == 1 ? "" : "s", used,
		   t->n);
	if (refused)
		out_printf(s, "  %zu refused by the mapping (never in the fit)\n", refused);
	return 0;
}

/* drop: leave structures out of fits. */
static int drop_exec(struct session *s, const struct cmd_args *a)
{
	return drop_restore(s, a, 1);
}

/* restore: take dropped structures back into fits. */
static int restore_exec(struct session *s, const struct cmd_args *a)
{
	return drop_restore(s, a, 0);
}

static const char *const xy_choices[] = { "X", "y", NULL };
static const struct cmd_arg export_pos[] = {
	{ .name = "what", .type = ARG_CHOICE, .choices = xy_choices, .metavar = "X|y",
	  .help = "the sensing matrix X or the targets y (with weights)" },
	{ .name = "file", .type = ARG_FILE, .metavar = "FILE",
	  .help = "FILE.json writes JSON, anything else CSV" },
	{ .name = NULL }
};
static const struct cmd_arg export_opts[] = {
	{ .name = "force", .type = ARG_FLAG, .help = "replace an existing file" },
	{ .name = NULL }
};
static const struct cmd_arg file_pos[] = {
	{ .name = "file", .type = ARG_FILE, .metavar = "FILE" },
	{ .name = NULL }
};
static const struct cmd_arg sensing_opts[] = {
	{ .name = "top", .type = ARG_INT, .def = "10", .min = 0, .max = 1e6, .metavar = "N",
	  .help = "most correlated column pairs to list" },
	{ .name = "leverage", .type = ARG_INT, .def = "10", .min = 0, .max = 1e9,
	  .metavar = "N", .help = "structures of highest leverage to list" },
	{ .name = "near", .type = ARG_REAL, .def = "1e-3", .min = 0, .max = 1e3,
	  .metavar = "TOL", .help = "rms difference of near-duplicate rows" },
	{ .name = "correlations", .type = ARG_FLAG,
	  .help = "also draw the column correlation matrix as a heat map" },
	{ .name = NULL }
};
#define MAP_THRESHOLDS \
	{ .name = "warn-strain", .type = ARG_REAL, .def = "0.15", .min = 0, .max = 1e3, \
	  .metavar = "X", .help = "volumetric strain that warns" }, \
	{ .name = "max-strain", .type = ARG_REAL, .def = "0.4", .min = 0, .max = 1e3, \
	  .metavar = "X", .help = "volumetric strain that refuses" }, \
	{ .name = "warn-anisotropy", .type = ARG_REAL, .def = "0.05", .min = 0, .max = 1e3, \
	  .metavar = "X", .help = "strain anisotropy that warns" }, \
	{ .name = "max-anisotropy", .type = ARG_REAL, .def = "0.25", .min = 0, .max = 1e3, \
	  .metavar = "X", .help = "strain anisotropy that refuses" }, \
	{ .name = "warn-drmax", .type = ARG_REAL, .def = "0.2", .min = 0, .max = 1e3, \
	  .metavar = "F", .help = "largest displacement that warns (fraction of d_nn)" }, \
	{ .name = "max-drmax", .type = ARG_REAL, .def = "0.4", .min = 0, .max = 1e3, \
	  .metavar = "F", .help = "largest displacement that refuses (fraction of d_nn)" }, \
	{ .name = "min-gap", .type = ARG_REAL, .def = "0.5", .min = 0, .max = 1e3, \
	  .metavar = "F", .help = "ambiguity below which it warns (fraction of d_nn)" }

static const struct cmd_arg map_opts[] = {
	{ .name = "frame", .type = ARG_INT, .min = 0, .max = 1e9, .metavar = "N",
	  .help = "only frame N (0-based)" },
	MAP_THRESHOLDS,
	{ .name = NULL }
};

static const struct cmd_arg index_pos[] = {
	{ .name = "indices", .type = ARG_STRING, .metavar = "INDICES",
	  .help = "structure indices: 3 or 3,5,7-10" },
	{ .name = NULL }
};
static const struct cmd_arg where_opts[] = {
	{ .name = "where", .type = ARG_STRING, .metavar = "SELECTOR",
	  .help = "structures chosen by a selector, e.g. 'n_atoms > 8' (see 'help drop')" },
	{ .name = NULL }
};
static const struct cmd_arg structures_opts[] = {
	{ .name = "problems", .type = ARG_FLAG,
	  .help = "only the warned and refused structures, worst first" },
	{ .name = NULL }
};

/*
 * `structures` with composition, size and --problems; it takes over from
 * the basic entry when this array is listed in cmd.c in its place.
 */
const struct cmd_entry cmd_data_train_entries[] = {
	{ .name = "structures", .group = "data", .summary = "list the training structures",
	  .options = structures_opts, .exec = structures_exec, .page = "structures",
	  .flags = CMD_REPORTS },
	{ .name = "drop", .group = "data", .summary = "leave training structures out of fits",
	  .positionals = index_pos, .min_pos = 0, .max_pos = 16, .options = where_opts,
	  .exec = drop_exec, .page = "drop", .flags = CMD_REPORTS },
	{ .name = "restore", .group = "data", .summary = "take dropped structures back into fits",
	  .positionals = index_pos, .min_pos = 0, .max_pos = 16, .options = where_opts,
	  .exec = restore_exec, .page = "restore", .flags = CMD_REPORTS },
	{ .name = NULL }
};

const struct cmd_entry cmd_data_entries[] = {
	{ .name = "map", .group = "data", .summary = "how the frames of a file map onto the lattice",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 1, .options = map_opts,
	  .exec = map_exec, .page = "map", .flags = CMD_REPORTS },
	{ .name = "sensing", .group = "data",
	  .summary = "diagnose the sensing matrix: rank, correlations, duplicates, leverage",
	  .options = sensing_opts, .exec = sensing_exec, .page = "sensing",
	  .flags = CMD_REPORTS },
	{ .name = "export", .group = "data", .summary = "write X or y to a CSV or JSON file",
	  .positionals = export_pos, .min_pos = 2, .max_pos = 2, .options = export_opts,
	  .exec = export_exec,
	  .page = "export", .flags = CMD_REPORTS },
	{ .name = NULL }
};
