/*
 * cmd_load.c - the training set: load structures (ideal, or mapped onto
 * the lattice with --map) and vectors; `structures` is in cmd_data.c.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cewb/dataset.h"
#include "cmd.h"
#include "safety.h"
#include "session.h"
#include "fce_state.h"

/* load structures FILE [--target KEY] [--map] [--total] [--weight KEY] */
static int load_structures_exec(struct session *s, const struct cmd_args *a)
{
	const char *path = a->pos[0].s;
	if (fce_session_active(s))
		return fce_session_load(s, a);	/* displacements and forces */
	if (!s->lattice)
		return cmd_fail(s, "no lattice: load one first with 'load lattice FILE --species A,B'");
	cewb_load_options lo;
	cewb_load_options_default(&lo);
	lo.target_key = arg_str(a, "target");
	lo.weight_key = arg_str(a, "weight");
	lo.total = arg_flag(a, "total");
	lo.map = arg_flag(a, "map");
	lo.map_options.warn_volumetric = arg_real(a, "warn-strain");
	lo.map_options.max_volumetric = arg_real(a, "max-strain");
	lo.map_options.warn_anisotropy = arg_real(a, "warn-anisotropy");
	lo.map_options.max_anisotropy = arg_real(a, "max-anisotropy");
	lo.map_options.warn_drmax = arg_real(a, "warn-drmax");
	lo.map_options.max_drmax = arg_real(a, "max-drmax");
	lo.map_options.min_gap = arg_real(a, "min-gap");
	lo.tol = s->match_tol;
	cewb_error err;
	cewb_error_clear(&err);
	cewb_dataset *ds = cewb_dataset_alloc(s->lattice, s->space);
	if (!ds)
		return cmd_fail(s, "out of memory");
	cewb_load_result res;
	memset(&res, 0, sizeof res);
	cli_progress_begin(s, "loading structures");
	cewb_status lst = cewb_dataset_load(ds, path, &lo, &res, &err);
	cli_progress_end();
	if (lst != CEWB_OK) {
		cewb_dataset_free(ds);
		return cmd_fail(s, "%s", err.message);
	}

	/* The new set: the old items (moved) followed by the new ones. */
	size_t n_old = s->train.n, n_new = ds->n, n = n_old + n_new;
	size_t np = s->space ? s->space->n_params : 0;
	struct train_set t = { 0 };
	t.items = calloc(n ? n : 1, sizeof *t.items);
	t.X = np ? malloc(n * np * sizeof *t.X) : NULL;
	const char *key = NULL;
	int fail = !t.items || (np && !t.X);
	for (size_t i = 0; i < n_new && !fail; i++) {
		cewb_entry *e = &ds->entries[i];
		struct train_item *it = &t.items[n_old + i];
		it->file = strdup(path);
		if (e->map.reason[0])
			it->map_reason = strdup(e->map.reason);
		if (!it->file || (e->map.reason[0] && !it->map_reason))
			fail = 1;
		it->frame = e->frame;
		it->target = e->target;
		it->weight = e->weight;
		it->map = !e->mapped ? MAP_IDEAL : (enum map_status)e->map.status;
		if (e->dropped == CEWB_DROPPED_REFUSED)
			it->map = MAP_REFUSED;
		it->volumetric_strain = e->mapped ? e->map.volumetric_strain : 0.0;
		it->drmax = e->mapped ? e->map.drmax : 0.0;
		it->dravg = e->mapped ? e->map.dravg : 0.0;
	}
	if (!fail && !s->train.target_key && !lo.target_key && n_new &&
	    !isnan(ds->entries[0].target)) {
		/* The library chose the key: say which. */
		if (cewb_structure_info(ds->entries[0].structure, "mixing_energy"))
			key = "mixing_energy";
		else
			key = "energy";
	}
	if (!fail && (lo.target_key || key || s->train.target_key)) {
		t.target_key = strdup(lo.target_key ? lo.target_key
				      : s->train.target_key ? s->train.target_key : key);
		fail = !t.target_key;
	}
	/* Duplicates (same cluster vector and number of sites) of a structure
	 * already in the set or earlier in this file are reported, never
	 * silently counted twice; 'drop' leaves them out if wanted. */
	size_t n_dup = 0;
	long first_dup = -1, first_of = -1;
	if (!fail && np) {
		size_t *sizes = malloc(n * sizeof *sizes);
		char *skip = malloc(n);
		long *dup = malloc(n * sizeof *dup);
		if (n_old)
			memcpy(t.X, s->train.X, n_old * np * sizeof *t.X);
		memcpy(t.X + n_old * np, ds->cvecs, n_new * np * sizeof *t.X);
		fail = !sizes || !skip || !dup;
		for (size_t i = 0; i < n && !fail; i++) {
			const struct train_item *it = i < n_old ? &s->train.items[i] : &t.items[i];
			const cewb_entry *e = i < n_old ? NULL : &ds->entries[i - n_old];
			const cewb_structure *st = e ? (e->ideal ? e->ideal : e->structure)
						     : (it->ideal ? it->ideal : it->s);
			sizes[i] = st ? st->n_atoms : 0;
			skip[i] = !train_item_used(it);
		}
		if (!fail && cewb_cvec_duplicates(t.X, n, np, sizes, skip, dup, &err) != CEWB_OK)
			fail = 1;
		for (size_t i = n_old; i < n && !fail; i++) {
			if (dup[i] < 0 || t.items[i].map == MAP_REFUSED)
				continue;
			if (!n_dup++) {
				first_dup = (long)i;
				first_of = dup[i];
			}
		}
		free(sizes);
		free(skip);
		free(dup);
	}
	if (fail) {
		for (size_t i = n_old; i < n; i++) {
			free(t.items[i].file);
			free(t.items[i].map_reason);
		}
		free(t.items);
		free(t.X);
		cewb_dataset_free(ds);
		return cmd_fail(s, "out of memory");
	}
	/* Nothing can fail from here on: move structures, rows and old items. */
	for (size_t i = 0; i < n_new; i++) {
		cewb_entry *e = &ds->entries[i];
		t.items[n_old + i].s = e->structure;
		t.items[n_old + i].ideal = e->ideal;
		e->structure = NULL;
		e->ideal = NULL;
	}
	if (np)
		t.n_params = np;	/* rows filled above */
	cewb_dataset_free(ds);
	if (n_old)
		memcpy(t.items, s->train.items, n_old * sizeof *t.items);
	t.n = n;
	free(s->train.items);
	free(s->train.X);
	free(s->train.target_key);
	memset(&s->train, 0, sizeof s->train);
	session_set_train(s, &t);

	if (out_is_json(s)) {
		out_json(s, json_pack("{s:s, s:i, s:i, s:s?, s:b, s:i, s:i, s:i, s:i}", "file", path,
				      "n_loaded", (int)n_new, "n_structures", (int)s->train.n,
				      "target", s->train.target_key, "vectors", s->space != NULL,
				      "n_mapped", (int)res.n_mapped, "n_warned", (int)res.n_warned,
				      "n_refused", (int)res.n_refused, "n_duplicates",
				      (int)n_dup));
		return 0;
	}
	out_printf(s, "loaded %zu structure%s from %s (%zu in the training set)", n_new,
		   n_new == 1 ? "" : "s", path, s->train.n);
	if (s->train.target_key)
		out_printf(s, "; target %s%s", s->train.target_key, lo.total ? " per atom" : "");
	out_printf(s, "\n");
	if (lo.map)
		out_printf(s, "  mapping: %zu mapped, %zu warned, %zu refused "
			   "(see 'structures --problems')\n",
			   res.n_mapped, res.n_warned, res.n_refused);
	if (n_dup)
		out_printf(s, "  %zu structure%s with the same cluster vector as an earlier one "
			   "(first: %ld duplicates %ld); 'drop' leaves them out\n", n_dup,
			   n_dup == 1 ? "" : "s", first_dup, first_of);
	return 0;
}

/* vectors [--structure N]: cluster vectors of the training set. */
static int vectors_exec(struct session *s, const struct cmd_args *a)
{
	const struct train_set *t = &s->train;
	if (!s->space)
		return cmd_fail(s, "no cluster space: build one first with 'space CUT2 [CUT3 ...]'");
	size_t lo = 0, hi = t->n;
	if (arg_set(a, "structure")) {
		size_t k = (size_t)arg_int(a, "structure");
		if (k >= t->n)
			return cmd_fail(s, "--structure %zu: the training set has %zu structure%s", k,
					t->n, t->n == 1 ? "" : "s");
		lo = k;
		hi = k + 1;
	}
	size_t np = t->n_params;
	char buf[64];
	if (out_is_json(s)) {
		json_t *ids = json_array(), *rows = json_array();
		for (size_t i = lo; i < hi; i++) {
			json_t *r = json_array();
			for (size_t j = 0; j < np; j++)
				json_array_append_new(r, json_real(t->X[i * np + j]));
			json_array_append_new(ids, json_integer((json_int_t)i));
			json_array_append_new(rows, r);
		}
		out_json(s, json_pack("{s:i, s:o, s:o}", "n_parameters", (int)np, "ids", ids,
				      "vectors", rows));
		return 0;
	}
	if (t->n == 0) {
		out_printf(s, "no structures loaded\n");
		return 0;
	}
	for (size_t i = lo; i < hi; i++) {
		out_printf(s, "%zu:", i);
		for (size_t j = 0; j < np; j++)
			out_printf(s, " %s", out_real(s, t->X[i * np + j], buf, sizeof buf));
		out_printf(s, "\n");
	}
	return 0;
}

static const struct cmd_arg file_pos[] = {
	{ .name = "file", .type = ARG_FILE, .metavar = "FILE" },
	{ .name = NULL }
};
static const struct cmd_arg load_opts[] = {
	{ .name = "target", .type = ARG_STRING, .metavar = "KEY", .complete = COMPLETE_INFO_KEY,
	  .help = "info key holding the target (default mixing_energy, else energy)" },
	{ .name = "map", .type = ARG_FLAG,
	  .help = "map relaxed structures onto the lattice (else they must be ideal)" },
	{ .name = "total", .type = ARG_FLAG, .help = "the target is a total: divide by the atoms" },
	{ .name = "weight", .type = ARG_STRING, .metavar = "KEY", .complete = COMPLETE_INFO_KEY,
	  .help = "info key holding the fit weight of each frame (default 1)" },
	/* Mapping thresholds (with --map), the same as those of `map`. */
	{ .name = "warn-strain", .type = ARG_REAL, .def = "0.15", .min = 0, .max = 1e3,
	  .metavar = "X", .help = "volumetric strain that warns" },
	{ .name = "max-strain", .type = ARG_REAL, .def = "0.4", .min = 0, .max = 1e3,
	  .metavar = "X", .help = "volumetric strain that refuses" },
	{ .name = "warn-anisotropy", .type = ARG_REAL, .def = "0.05", .min = 0, .max = 1e3,
	  .metavar = "X", .help = "strain anisotropy that warns" },
	{ .name = "max-anisotropy", .type = ARG_REAL, .def = "0.25", .min = 0, .max = 1e3,
	  .metavar = "X", .help = "strain anisotropy that refuses" },
	{ .name = "warn-drmax", .type = ARG_REAL, .def = "0.2", .min = 0, .max = 1e3,
	  .metavar = "F", .help = "largest displacement that warns (fraction of d_nn)" },
	{ .name = "max-drmax", .type = ARG_REAL, .def = "0.4", .min = 0, .max = 1e3,
	  .metavar = "F", .help = "largest displacement that refuses (fraction of d_nn)" },
	{ .name = "min-gap", .type = ARG_REAL, .def = "0.5", .min = 0, .max = 1e3,
	  .metavar = "F", .help = "ambiguity below which it warns (fraction of d_nn)" },
	{ .name = NULL }
};
static const struct cmd_arg vectors_opts[] = {
	{ .name = "structure", .type = ARG_INT, .min = 0, .max = 1e9, .metavar = "N",
	  .help = "only the cluster vector of structure N" },
	{ .name = NULL }
};

const struct cmd_entry cmd_load_entries[] = {
	{ .name = "load structures", .group = "data", .summary = "add training structures",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 1, .options = load_opts,
	  .exec = load_structures_exec, .page = "load-structures", .flags = CMD_REPORTS },
	{ .name = "vectors", .group = "data", .summary = "cluster vectors of the training set",
	  .options = vectors_opts, .exec = vectors_exec, .page = "vectors",
	  .flags = CMD_REPORTS },
	{ .name = NULL }
};
