/*
 * cmd_train.c - the training set basics: load structures, structures,
 * vectors.  Structures must be ideal supercells of the lattice here.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cmd.h"
#include "session.h"

static const char *const map_names[] = { "ideal", "mapped", "warned", "refused" };

/* load structures FILE [--target KEY] */
static int load_structures_exec(struct session *s, const struct cmd_args *a)
{
	const char *path = a->pos[0].s;
	const char *key = arg_str(a, "target");
	if (!s->lattice)
		return cmd_fail(s, "no lattice: load one first with 'load lattice FILE --species A,B'");
	cewb_frames fr = { 0, NULL };
	cewb_error err;
	cewb_error_clear(&err);
	if (cewb_structure_read_any(path, NULL, &fr, &err) != CEWB_OK)
		return cmd_fail(s, "%s", err.message);

	/* The new set: the old items (borrowed) followed by the new ones. */
	struct train_set t = { 0 };
	size_t n_old = s->train.n, n = n_old + fr.n;
	t.items = calloc(n ? n : 1, sizeof *t.items);
	if (!t.items) {
		cewb_frames_release(&fr);
		return cmd_fail(s, "out of memory");
	}
	memcpy(t.items, s->train.items, n_old * sizeof *t.items);
	t.n = n_old;
	int rc = 0;
	for (size_t f = 0; f < fr.n && !rc; f++) {
		struct train_item *it = &t.items[t.n];
		cewb_structure *st = fr.frames[f];
		it->frame = f;
		it->weight = 1.0;
		it->target = NAN;
		it->map = MAP_IDEAL;
		if (key && cewb_structure_info_real(st, key, &it->target, &err) != CEWB_OK) {
			rc = cmd_fail(s, "%s frame %zu: no numeric info value '%s'", path, f, key);
			break;
		}
		cewb_supercell *sc = NULL;
		if (cewb_supercell_match(s->lattice, st, s->match_tol, &sc, &err) != CEWB_OK) {
			rc = cmd_fail(s, "%s", err.message);	/* names file and frame */
			break;
		}
		cewb_supercell_free(sc);
		it->file = strdup(path);
		if (!it->file) {
			rc = cmd_fail(s, "out of memory");
			break;
		}
		it->s = st;
		fr.frames[f] = NULL;
		t.n++;
	}
	double *Xnew = NULL;
	if (!rc && s->space) {
		struct train_set fresh = { fr.n, t.items + n_old, NULL, 0, NULL };
		if (train_vectors(s, s->space, &fresh, &Xnew, &err) != CEWB_OK)
			rc = cmd_fail(s, "%s", err.message);
	}
	if (!rc && s->space) {
		size_t np = s->space->n_params;
		t.X = malloc((n ? n : 1) * np * sizeof *t.X);
		if (!t.X) {
			rc = cmd_fail(s, "out of memory");
		} else {
			if (n_old)
				memcpy(t.X, s->train.X, n_old * np * sizeof *t.X);
			if (fr.n)
				memcpy(t.X + n_old * np, Xnew, fr.n * np * sizeof *t.X);
			t.n_params = np;
		}
	}
	free(Xnew);
	if (!rc && key) {
		t.target_key = strdup(key);
		if (!t.target_key)
			rc = cmd_fail(s, "out of memory");
	} else if (!rc && s->train.target_key) {
		t.target_key = strdup(s->train.target_key);
	}
	if (rc) {
		for (size_t i = n_old; i < t.n; i++) {
			cewb_structure_free(t.items[i].s);
			free(t.items[i].file);
		}
		/* the item being built when the loop stopped */
		if (t.n < n)
			free(t.items[t.n].file);
		free(t.items);
		free(t.X);
		free(t.target_key);
		cewb_frames_release(&fr);
		return rc;
	}
	size_t n_loaded = fr.n;
	cewb_frames_release(&fr);
	/* Swap: the old items now belong to t; free only the old arrays. */
	free(s->train.items);
	free(s->train.X);
	free(s->train.target_key);
	memset(&s->train, 0, sizeof s->train);
	session_set_train(s, &t);
	if (out_is_json(s)) {
		out_json(s, json_pack("{s:s, s:i, s:i, s:s?, s:b}", "file", path, "n_loaded",
				      (int)n_loaded, "n_structures", (int)s->train.n, "target", key,
				      "vectors", s->space != NULL));
		return 0;
	}
	out_printf(s, "loaded %zu structure%s from %s (%zu in the training set)", n - n_old,
		   n - n_old == 1 ? "" : "s", path, s->train.n);
	if (key)
		out_printf(s, "; target %s", key);
	out_printf(s, "\n");
	return 0;
}

/* structures: the training set table. */
static int structures_exec(struct session *s, const struct cmd_args *a)
{
	const struct train_set *t = &s->train;
	char buf[64];
	if (out_is_json(s)) {
		json_t *list = json_array();
		for (size_t i = 0; i < t->n; i++) {
			const struct train_item *it = &t->items[i];
			json_t *tg = isnan(it->target) ? json_null() : json_real(it->target);
			json_array_append_new(
				list,
				json_pack("{s:i, s:s, s:i, s:i, s:o, s:{s:s, s:s?, s:f, s:f, s:f}}",
					  "index", (int)i, "file", it->file, "frame", (int)it->frame,
					  "n_atoms", (int)it->s->n_atoms, "target", tg, "mapping",
					  "status", map_names[it->map], "reason", it->map_reason,
					  "volumetric_strain", it->volumetric_strain, "drmax",
					  it->drmax, "dravg", it->dravg));
		}
		out_json(s, json_pack("{s:o}", "structures", list));
		return 0;
	}
	if (t->n == 0) {
		out_printf(s, "no structures loaded\n");
		return 0;
	}
	out_printf(s, "%6s  %-24s %6s %7s %14s  %s\n", "index", "file", "frame", "atoms",
		   t->target_key ? t->target_key : "target", "mapping");
	for (size_t i = 0; i < t->n; i++) {
		const struct train_item *it = &t->items[i];
		const char *f = it->file;
		size_t fl = strlen(f);
		if (fl > 24)
			f += fl - 24;
		out_printf(s, "%6zu  %-24s %6zu %7zu %14s  %s\n", i, f, it->frame, it->s->n_atoms,
			   isnan(it->target) ? "-" : out_real(s, it->target, buf, sizeof buf),
			   map_names[it->map]);
	}
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
	  .help = "info key of each frame holding the target (e.g. mixing_energy)" },
	{ .name = NULL }
};
static const struct cmd_arg vectors_opts[] = {
	{ .name = "structure", .type = ARG_INT, .min = 0, .max = 1e9, .metavar = "N",
	  .help = "only the cluster vector of structure N" },
	{ .name = NULL }
};

const struct cmd_entry cmd_train_entries[] = {
	{ .name = "load structures", .group = "data", .summary = "add training structures",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 1, .options = load_opts,
	  .exec = load_structures_exec, .page = "load-structures", .flags = CMD_REPORTS },
	{ .name = "structures", .group = "data", .summary = "list the training structures",
	  .exec = structures_exec, .page = "structures", .flags = CMD_REPORTS },
	{ .name = "vectors", .group = "data", .summary = "cluster vectors of the training set",
	  .options = vectors_opts, .exec = vectors_exec, .page = "vectors",
	  .flags = CMD_REPORTS },
	{ .name = NULL }
};
