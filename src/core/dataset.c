/*
 * dataset.c - the training set: loading files all-or-nothing, targets and
 * weights, mapping, cluster vectors, duplicates, selectors, X and y.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cewb/dataset.h"

/* Defaults: target from mixing_energy/energy per atom, weight 1, no mapping. */
void cewb_load_options_default(cewb_load_options *opt)
{
	memset(opt, 0, sizeof(*opt));
	cewb_map_options_default(&opt->map_options);
	opt->tol = 1e-3;
}

/* Name of a drop state. */
const char *cewb_drop_name(cewb_drop d)
{
	switch (d) {
	case CEWB_ACTIVE:
		return "no";
	case CEWB_DROPPED_USER:
		return "user";
	case CEWB_DROPPED_DUPLICATE:
		return "duplicate";
	case CEWB_DROPPED_REFUSED:
		return "refused";
	}
	return "?";
}

/* A new empty dataset. */
cewb_dataset *cewb_dataset_alloc(const cewb_lattice *lat, const cewb_space *sp)
{
	cewb_dataset *ds = calloc(1, sizeof(*ds));
	if (!ds)
		return NULL;
	ds->lattice = lat;
	ds->space = sp;
	ds->n_params = sp ? sp->n_params : 0;
	return ds;
}

/* Free what one entry owns. */
static void entry_release(cewb_entry *e)
{
	free(e->file);
	cewb_structure_free(e->structure);
	cewb_structure_free(e->ideal);
	cewb_map_report_release(&e->map);
}

/* Free a dataset. */
void cewb_dataset_free(cewb_dataset *ds)
{
	if (!ds)
		return;
	for (size_t i = 0; i < ds->n; i++)
		entry_release(&ds->entries[i]);
	free(ds->entries);
	free(ds->cvecs);
	free(ds);
}

/* Worst ratio of a mapping figure to its warning threshold. */
static double severity(const cewb_map_report *r, const cewb_map_options *o)
{
	double dnn = isfinite(r->d_nn) && r->d_nn > 0 ? r->d_nn : 1.0, s = 0.0;
	if (o->warn_volumetric > 0)
		s = fmax(s, fabs(r->volumetric_strain) / o->warn_volumetric);
	if (o->warn_anisotropy > 0)
		s = fmax(s, r->anisotropy / o->warn_anisotropy);
	if (o->warn_drmax > 0)
		s = fmax(s, r->drmax / (o->warn_drmax * dnn));
	if (o->warn_dravg > 0)
		s = fmax(s, r->dravg / (o->warn_dravg * dnn));
	if (o->min_gap > 0 && r->ambiguity > 0 && isfinite(r->ambiguity))
		s = fmax(s, o->min_gap * dnn / r->ambiguity);
	return s;
}

/* ---- duplicates ---- */

/* Hash of a cluster vector (on an irrational grid, so that the rational
 * values of cluster vectors never sit on a rounding boundary) and a size. */
static uint64_t vec_hash(const double *v, size_t p, size_t n_sites)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)n_sites;
	for (size_t j = 0; j < p; j++) {
		long long q = llround(v[j] * 1e6 * M_SQRT2);
		h = (h ^ (uint64_t)q) * 1099511628211ULL;
	}
	return h;
}

/* Same vector (to 1e-9) and size? */
static int same_vec(const double *a, const double *b, size_t p)
{
	for (size_t j = 0; j < p; j++)
		if (fabs(a[j] - b[j]) > 1e-9)
			return 0;
	return 1;
}

/* Duplicate rows by vector and size, see dataset.h. */
cewb_status cewb_cvec_duplicates(const double *X, size_t n, size_t p, const size_t *sizes,
				 const char *skip, long *dup, cewb_error *err)
{
	size_t cap = 16;
	while (cap < 2 * n + 2)
		cap *= 2;
	long *table = malloc(sizeof(long) * cap);
	if (!table)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory finding duplicates");
	for (size_t k = 0; k < cap; k++)
		table[k] = -1;
	for (size_t i = 0; i < n; i++) {
		dup[i] = -1;
		if ((skip && skip[i]) || p == 0)
			continue;
		const double *v = X + i * p;
		size_t k = (size_t)vec_hash(v, p, sizes[i]) & (cap - 1);
		for (; table[k] >= 0; k = (k + 1) & (cap - 1)) {
			size_t o = (size_t)table[k];
			if (sizes[o] == sizes[i] && same_vec(X + o * p, v, p)) {
				dup[i] = (long)o;
				break;
			}
		}
		if (dup[i] < 0)
			table[k] = (long)i;
	}
	free(table);
	return CEWB_OK;
}

/* Duplicates among entries (refused ones take no part). */
static cewb_status find_duplicates(const cewb_entry *const *ent, const double *cv, size_t n,
				   size_t p, long *dup, cewb_error *err)
{
	size_t *sizes = malloc(sizeof(size_t) * (n ? n : 1));
	char *skip = malloc(n ? n : 1);
	if (!sizes || !skip) {
		free(sizes), free(skip);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory finding duplicates");
	}
	for (size_t i = 0; i < n; i++) {
		sizes[i] = ent[i]->n_sites;
		skip[i] = ent[i]->dropped == CEWB_DROPPED_REFUSED;
	}
	cewb_status st = cewb_cvec_duplicates(cv, n, p, sizes, skip, dup, err);
	free(sizes), free(skip);
	return st;
}

/* ---- loading ---- */

/* Read a required numeric info value; the message names file and frame. */
static cewb_status info_number(const cewb_structure *s, const char *name, size_t frame,
			       const char *key, const char *what, double *v, cewb_error *err)
{
	const cewb_info *in = cewb_structure_info(s, key);
	if (!in)
		CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: no %s key '%s'", name, frame, what, key);
	if (!in->real || in->n != 1 || !isfinite(in->real[0]))
		CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: %s '%s' is not a number ('%s')", name,
			   frame, what, key, in->text ? in->text : "");
	*v = in->real[0];
	return CEWB_OK;
}

/* Build one entry from structure s (not taken yet); cv receives its vector. */
static cewb_status make_entry(const cewb_dataset *ds, cewb_structure *s, const char *name,
			      size_t frame, const char *tkey, const cewb_load_options *opt,
			      cewb_entry *e, double *cv, cewb_error *err)
{
	cewb_status st;
	memset(e, 0, sizeof(*e));
	if (!s->source) { /* so that every message names the file and frame */
		s->source = strdup(name);
		s->frame = frame;
		if (!s->source)
			CEWB_RAISE(err, CEWB_ENOMEM, "out of memory loading %s", name);
	}
	e->frame = frame;
	e->n_atoms = s->n_atoms;
	e->duplicate_of = -1;
	e->target = NAN;
	e->weight = 1.0;
	if (tkey) {
		if ((st = info_number(s, name, frame, tkey, "target", &e->target, err)))
			return st;
		if (opt->total)
			e->target /= (double)(s->n_atoms ? s->n_atoms : 1);
	}
	if (opt->weight_key) {
		if ((st = info_number(s, name, frame, opt->weight_key, "weight", &e->weight, err)))
			return st;
		if (e->weight < 0)
			CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: weight %g is negative", name,
				   frame, e->weight);
	}
	e->structure = s;
	if (opt->map) {
		cewb_map_report rep;
		cewb_error merr;
		st = cewb_map_structure(ds->lattice, s, &opt->map_options, &rep, &merr);
		if (st && st != CEWB_ENOFIT) {
			cewb_map_report_release(&rep);
			CEWB_RAISE(err, st, "%s", merr.message);
		}
		e->mapped = 1;
		e->severity = severity(&rep, &opt->map_options);
		if (rep.status == CEWB_MAP_REFUSED) {
			e->dropped = CEWB_DROPPED_REFUSED;
		} else if (rep.status != CEWB_MAP_IDEAL) {
			e->ideal = cewb_map_ideal_structure(&rep);
			if (e->ideal) {
				e->ideal->source = strdup(s->source);
				e->ideal->frame = s->frame;
			}
			if (!e->ideal || !e->ideal->source) {
				cewb_map_report_release(&rep);
				CEWB_RAISE(err, CEWB_ENOMEM, "out of memory mapping frame %zu", frame);
			}
		}
		cewb_map_report keep = rep;
		keep.site_pos = NULL;
		keep.site_prim = NULL;
		keep.site_offset = NULL;
		keep.site_number = NULL;
		keep.site_of = NULL;
		keep.dr = NULL;
		cewb_map_report_release(&rep);
		e->map = keep;
		e->n_sites = keep.n_sites;
	} else {
		e->map.status = CEWB_MAP_IDEAL;
		e->map.n_atoms = s->n_atoms;
	}
	const cewb_structure *use = e->ideal ? e->ideal : s;
	if (e->dropped == CEWB_DROPPED_REFUSED) {
		for (size_t j = 0; j < ds->n_params; j++)
			cv[j] = NAN;
		return CEWB_OK;
	}
	if (ds->space) {
		st = cewb_cvec_compute(ds->space, use, opt->tol, cv, err);
	} else {
		cewb_supercell *sc = NULL;
		st = cewb_supercell_match(ds->lattice, use, opt->tol, &sc, err);
		cewb_supercell_free(sc);
	}
	if (st)
		return st;
	if (!opt->map) {
		e->map.n_sites = use->n_atoms;
		e->n_sites = use->n_atoms;
	}
	return CEWB_OK;
}

/* Add every frame or none, see dataset.h. */
cewb_status cewb_dataset_add_frames(cewb_dataset *ds, cewb_frames *frames, const char *name,
				    const cewb_load_options *opt, cewb_load_result *res,
				    cewb_error *err)
{
	cewb_load_options def;
	if (!opt) {
		cewb_load_options_default(&def);
		opt = &def;
	}
	if (!ds->lattice)
		CEWB_RAISE(err, CEWB_ESTATE, "no lattice to load structures onto");
	size_t n = frames->n, p = ds->n_params, total = ds->n + n;
	if (n == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "%s: no frames", name);
	const char *tkey = opt->target_key;
	if (!tkey) {
		if (cewb_structure_info(frames->frames[0], "mixing_energy"))
			tkey = "mixing_energy";
		else if (cewb_structure_info(frames->frames[0], "energy"))
			tkey = "energy";
	}
	cewb_entry *ne = calloc(n, sizeof(*ne));
	double *ncv = malloc(sizeof(double) * (p ? p : 1) * n);
	const cewb_entry **all = malloc(sizeof(*all) * total);
	double *allcv = p ? malloc(sizeof(double) * p * total) : NULL;
	long *dup = malloc(sizeof(long) * total);
	cewb_status st = CEWB_OK;
	size_t built = 0;
	if (!ne || !ncv || !all || (p && !allcv) || !dup) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory loading %zu frames", n);
		goto fail;
	}
	for (size_t i = 0; i < n; i++, built++) {
		if (cewb_interrupt_flag) {
			st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted at frame %zu", i);
			goto fail;
		}
		st = make_entry(ds, frames->frames[i], name, i, tkey, opt, &ne[i], ncv + i * p, err);
		if (st) {
			ne[i].structure = NULL; /* still owned by frames */
			entry_release(&ne[i]);
			goto fail;
		}
		ne[i].file = strdup(name);
		if (!ne[i].file) {
			built++;
			st = cewb_error_set(err, CEWB_ENOMEM, "out of memory loading %s", name);
			goto fail;
		}
	}

	/* duplicates against the entries already there and among the new ones */
	for (size_t i = 0; i < ds->n; i++)
		all[i] = &ds->entries[i];
	for (size_t i = 0; i < n; i++)
		all[ds->n + i] = &ne[i];
	if (p) {
		if (ds->n)	/* cvecs is NULL while the set is empty */
			memcpy(allcv, ds->cvecs, sizeof(double) * p * ds->n);
		memcpy(allcv + p * ds->n, ncv, sizeof(double) * p * n);
		if ((st = find_duplicates(all, allcv, total, p, dup, err)))
			goto fail;
	}

	if (total > ds->cap) {
		size_t cap = ds->cap ? ds->cap : 64;
		while (cap < total)
			cap *= 2;
		cewb_entry *e2 = realloc(ds->entries, sizeof(*e2) * cap);
		if (e2)
			ds->entries = e2;
		double *c2 = realloc(ds->cvecs, sizeof(double) * (p ? p : 1) * cap);
		if (c2)
			ds->cvecs = c2;
		if (!e2 || !c2) {
			st = cewb_error_set(err, CEWB_ENOMEM, "out of memory loading %s", name);
			goto fail;
		}
		ds->cap = cap;
	}
	cewb_load_result r = { ds->n, n, 0, 0, 0, 0 };
	for (size_t i = 0; i < n; i++) {
		cewb_entry *e = &ne[i];
		if (p && dup[ds->n + i] >= 0) {
			e->duplicate_of = dup[ds->n + i];
			e->dropped = CEWB_DROPPED_DUPLICATE;
			r.n_duplicates++;
		}
		r.n_mapped += e->mapped && (e->map.status == CEWB_MAP_MAPPED);
		r.n_warned += e->map.status == CEWB_MAP_WARNED;
		r.n_refused += e->map.status == CEWB_MAP_REFUSED;
		ds->entries[ds->n + i] = *e;
	}
	if (p)
		memcpy(ds->cvecs + p * ds->n, ncv, sizeof(double) * p * n);
	ds->n = total;
	free(frames->frames);
	frames->frames = NULL;
	frames->n = 0;
	if (res)
		*res = r;
	free(ne);
	free(ncv);
	free(all);
	free(allcv);
	free(dup);
	return CEWB_OK;
fail:
	for (size_t i = 0; ne && i < built; i++) {
		ne[i].structure = NULL; /* the frames keep their structures */
		entry_release(&ne[i]);
	}
	free(ne);
	free(ncv);
	free(all);
	free(allcv);
	free(dup);
	if (st != CEWB_ENOMEM && st != CEWB_EINTERRUPT && err) {
		char tail[64];
		snprintf(tail, sizeof(tail), " (none of the %zu frames added)", n);
		size_t len = strlen(err->message);
		if (len + strlen(tail) < sizeof(err->message))
			memcpy(err->message + len, tail, strlen(tail) + 1);
	}
	return st;
}

/* Read a file and add all its frames. */
cewb_status cewb_dataset_load(cewb_dataset *ds, const char *path, const cewb_load_options *opt,
			      cewb_load_result *res, cewb_error *err)
{
	cewb_frames fr = { 0, NULL };
	cewb_status st = cewb_structure_read_any(path, opt ? opt->species_hint : NULL, &fr, err);
	if (st)
		return st;
	st = cewb_dataset_add_frames(ds, &fr, path, opt, res, err);
	cewb_frames_release(&fr);
	return st;
}

/* Recompute the vectors and duplicates for another space (all or nothing). */
cewb_status cewb_dataset_set_space(cewb_dataset *ds, const cewb_space *sp, cewb_error *err)
{
	size_t p = sp ? sp->n_params : 0, n = ds->n;
	/* the vectors keep the capacity of the entries */
	double *cv = p ? malloc(sizeof(double) * p * (ds->cap > n ? ds->cap : n + 1)) : NULL;
	long *dup = malloc(sizeof(long) * (n ? n : 1));
	const cewb_entry **all = malloc(sizeof(*all) * (n ? n : 1));
	cewb_status st = CEWB_OK;
	if ((p && !cv) || !dup || !all) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for %zu cluster vectors", n);
		goto out;
	}
	for (size_t i = 0; i < n && p; i++) {
		cewb_entry *e = &ds->entries[i];
		all[i] = e;
		if (e->dropped == CEWB_DROPPED_REFUSED) {
			for (size_t j = 0; j < p; j++)
				cv[i * p + j] = NAN;
			continue;
		}
		const cewb_structure *use = e->ideal ? e->ideal : e->structure;
		if ((st = cewb_cvec_compute(sp, use, 1e-3, cv + i * p, err)))
			goto out;
	}
	if (p && (st = find_duplicates(all, cv, n, p, dup, err)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		cewb_entry *e = &ds->entries[i];
		if (e->dropped == CEWB_DROPPED_REFUSED)
			continue;
		e->duplicate_of = p ? dup[i] : -1;
		if (e->dropped == CEWB_DROPPED_DUPLICATE && e->duplicate_of < 0)
			e->dropped = CEWB_ACTIVE;
		else if (e->dropped == CEWB_ACTIVE && e->duplicate_of >= 0)
			e->dropped = CEWB_DROPPED_DUPLICATE;
	}
	free(ds->cvecs);
	ds->cvecs = cv;
	cv = NULL;
	ds->space = sp;
	ds->n_params = p;
out:
	free(cv);
	free(dup);
	free(all);
	return st;
}

/* ---- dropping, selecting ---- */

/* Mark the entries of mask dropped or active. */
void cewb_dataset_set_dropped(cewb_dataset *ds, const char *mask, int drop, size_t *n_changed)
{
	size_t c = 0;
	for (size_t i = 0; i < ds->n; i++) {
		cewb_entry *e = &ds->entries[i];
		if (!mask[i] || e->dropped == CEWB_DROPPED_REFUSED)
			continue;
		cewb_drop want = drop ? CEWB_DROPPED_USER : CEWB_ACTIVE;
		if ((e->dropped != CEWB_ACTIVE) == (drop != 0))
			continue;
		e->dropped = want;
		c++;
	}
	if (n_changed)
		*n_changed = c;
}

/* Number of active entries. */
size_t cewb_dataset_n_active(const cewb_dataset *ds)
{
	size_t c = 0;
	for (size_t i = 0; i < ds->n; i++)
		c += ds->entries[i].dropped == CEWB_ACTIVE;
	return c;
}

/* Parse "3,5,7-10" into mask. */
cewb_status cewb_dataset_select_indices(const cewb_dataset *ds, const char *list, char *mask,
					cewb_error *err)
{
	memset(mask, 0, ds->n);
	const char *p = list;
	while (*p) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		char *end;
		long a, b;
		errno = 0;
		a = strtol(p, &end, 10);
		if (end == p || a < 0 || errno == ERANGE)
			CEWB_RAISE(err, CEWB_EINVAL, "bad index list '%s'", list);
		b = a;
		p = end;
		if (*p == '-' || *p == ':') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a || errno == ERANGE)
				CEWB_RAISE(err, CEWB_EINVAL, "bad index range in '%s'", list);
			p = end;
		}
		if ((size_t)b >= ds->n)
			CEWB_RAISE(err, CEWB_EINVAL, "no structure %ld (there are %zu)", b, ds->n);
		for (long i = a; i <= b; i++)
			mask[i] = 1;
		if (*p && *p != ',' && !isspace((unsigned char)*p))
			CEWB_RAISE(err, CEWB_EINVAL, "bad index list '%s'", list);
	}
	return CEWB_OK;
}

/* Selector fields. */
enum field { F_INDEX, F_FRAME, F_NATOMS, F_NSITES, F_TARGET, F_WEIGHT, F_DRMAX, F_DRAVG,
	     F_VOL, F_ANISO, F_AMBIG, F_FILE, F_STATUS, F_DROPPED, F_CONC };
static const char *const field_names[] = { "index", "frame", "n_atoms", "n_sites", "target",
					   "weight", "drmax", "dravg", "volumetric_strain",
					   "anisotropy", "ambiguity", "file", "status", "dropped",
					   NULL };
enum op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE };

/* The parser's state: the text, the position, the token, the error. */
typedef struct {
	const char *text, *p;
	char tok[256];
	size_t tok_at;
	int tok_kind;            /* 0 end, 1 word, 2 operator, 3 '(', 4 ')' */
	const cewb_dataset *ds;
	cewb_error *err;
	int failed;
} selparser;

/* Read the next token. */
static void next_token(selparser *sp)
{
	while (isspace((unsigned char)*sp->p))
		sp->p++;
	sp->tok_at = (size_t)(sp->p - sp->text);
	sp->tok[0] = 0;
	char c = *sp->p;
	if (!c) {
		sp->tok_kind = 0;
		return;
	}
	if (c == '(' || c == ')') {
		sp->tok_kind = c == '(' ? 3 : 4;
		sp->tok[0] = c;
		sp->tok[1] = 0;
		sp->p++;
		return;
	}
	if (strchr("<>=!", c)) {
		size_t k = 0;
		while (*sp->p && strchr("<>=!", *sp->p) && k < 3)
			sp->tok[k++] = *sp->p++;
		sp->tok[k] = 0;
		sp->tok_kind = 2;
		return;
	}
	size_t k = 0;
	if (c == '"' || c == '\'') {
		sp->p++;
		while (*sp->p && *sp->p != c && k + 1 < sizeof(sp->tok))
			sp->tok[k++] = *sp->p++;
		if (*sp->p == c)
			sp->p++;
	} else {
		while (*sp->p && !isspace((unsigned char)*sp->p) && !strchr("()<>=!\"'", *sp->p) &&
		       k + 1 < sizeof(sp->tok))
			sp->tok[k++] = *sp->p++;
	}
	sp->tok[k] = 0;
	sp->tok_kind = 1;
}

/* Record a parse error at the current token. */
static void sel_fail(selparser *sp, const char *what)
{
	if (sp->failed)
		return;
	sp->failed = 1;
	if (sp->tok_kind == 0)
		cewb_error_set(sp->err, CEWB_EPARSE, "selector '%s': %s at the end", sp->text, what);
	else
		cewb_error_set(sp->err, CEWB_EPARSE, "selector '%s': %s at '%s' (column %zu)",
			       sp->text, what, sp->tok, sp->tok_at + 1);
}

/* Compare two numbers with an operator. */
static int cmp_num(double a, enum op op, double b)
{
	switch (op) {
	case OP_EQ:
		return a == b;
	case OP_NE:
		return a != b;
	case OP_LT:
		return a < b;
	case OP_LE:
		return a <= b;
	case OP_GT:
		return a > b;
	case OP_GE:
		return a >= b;
	}
	return 0;
}

/* Concentration of element z among the atoms of an entry. */
static double concentration(const cewb_entry *e, int z)
{
	const cewb_structure *s = e->structure;
	size_t c = 0;
	for (size_t i = 0; i < s->n_atoms; i++)
		c += s->numbers[i] == z;
	return s->n_atoms ? (double)c / (double)s->n_atoms : 0.0;
}

/* Evaluate "field op value" into mask (one comparison, all entries). */
static void sel_compare(selparser *sp, char *mask)
{
	enum field f = F_INDEX;
	int z = -1;
	if (sp->tok_kind != 1) {
		sel_fail(sp, "expected a field");
		return;
	}
	if (!strcmp(sp->tok, "all")) {
		memset(mask, 1, sp->ds->n);
		next_token(sp);
		return;
	}
	if (!strncmp(sp->tok, "x_", 2)) {
		z = cewb_element_number(sp->tok + 2);
		if (z < 0) {
			sel_fail(sp, "unknown element");
			return;
		}
		f = F_CONC;
	} else {
		size_t k;
		for (k = 0; field_names[k]; k++)
			if (!strcmp(field_names[k], sp->tok))
				break;
		if (!field_names[k]) {
			sp->failed = 1;
			cewb_error_set(sp->err, CEWB_EPARSE,
				       "selector '%s': unknown field '%s' (column %zu); fields: index, "
				       "frame, n_atoms, n_sites, target, weight, drmax, dravg, "
				       "volumetric_strain, anisotropy, ambiguity, file, status, "
				       "dropped, x_<El>", sp->text, sp->tok, sp->tok_at + 1);
			return;
		}
		f = (enum field)k;
	}
	next_token(sp);
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=" };
	enum op op = OP_EQ;
	int found = 0;
	if (sp->tok_kind == 2) {
		if (!strcmp(sp->tok, "=")) {
			found = 1;
		} else {
			for (int k = 0; k < 6; k++)
				if (!strcmp(ops[k], sp->tok)) {
					op = (enum op)k;
					found = 1;
				}
		}
	}
	if (!found) {
		sel_fail(sp, "expected an operator (== != < <= > >=)");
		return;
	}
	next_token(sp);
	if (sp->tok_kind != 1) {
		sel_fail(sp, "expected a value");
		return;
	}
	int textual = f == F_FILE || f == F_STATUS || f == F_DROPPED;
	double num = 0;
	if (textual) {
		if (op != OP_EQ && op != OP_NE) {
			sel_fail(sp, "words compare only with == and !=");
			return;
		}
	} else {
		char *end;
		num = strtod(sp->tok, &end);
		if (end == sp->tok || *end) {
			sel_fail(sp, "expected a number");
			return;
		}
	}
	for (size_t i = 0; i < sp->ds->n; i++) {
		const cewb_entry *e = &sp->ds->entries[i];
		int r;
		if (textual) {
			const char *v = f == F_STATUS ? cewb_map_status_name(e->map.status)
					: f == F_DROPPED ? cewb_drop_name(e->dropped) : e->file;
			r = fnmatch(sp->tok, v, 0) == 0;
			if (!r && f == F_FILE) {
				const char *base = strrchr(v, '/');
				r = base && fnmatch(sp->tok, base + 1, 0) == 0;
			}
			if (op == OP_NE)
				r = !r;
		} else {
			double v = 0;
			switch (f) {
			case F_INDEX: v = (double)i; break;
			case F_FRAME: v = (double)e->frame; break;
			case F_NATOMS: v = (double)e->n_atoms; break;
			case F_NSITES: v = (double)e->n_sites; break;
			case F_TARGET: v = e->target; break;
			case F_WEIGHT: v = e->weight; break;
			case F_DRMAX: v = e->map.drmax; break;
			case F_DRAVG: v = e->map.dravg; break;
			case F_VOL: v = e->map.volumetric_strain; break;
			case F_ANISO: v = e->map.anisotropy; break;
			case F_AMBIG: v = e->mapped ? e->map.ambiguity : INFINITY; break;
			case F_CONC: v = concentration(e, z); break;
			default: break;
			}
			r = cmp_num(v, op, num);
		}
		mask[i] = (char)r;
	}
	next_token(sp);
}

static void sel_or(selparser *sp, char *mask);

/* unary := 'not' unary | '(' or ')' | comparison */
static void sel_unary(selparser *sp, char *mask)
{
	if (sp->failed)
		return;
	if (sp->tok_kind == 1 && !strcmp(sp->tok, "not")) {
		next_token(sp);
		sel_unary(sp, mask);
		for (size_t i = 0; i < sp->ds->n; i++)
			mask[i] = !mask[i];
		return;
	}
	if (sp->tok_kind == 3) {
		next_token(sp);
		sel_or(sp, mask);
		if (sp->failed)
			return;
		if (sp->tok_kind != 4) {
			sel_fail(sp, "expected ')'");
			return;
		}
		next_token(sp);
		return;
	}
	sel_compare(sp, mask);
}

/* and := unary ('and' unary)* */
static void sel_and(selparser *sp, char *mask)
{
	sel_unary(sp, mask);
	char *m2 = NULL;
	while (!sp->failed && sp->tok_kind == 1 && !strcmp(sp->tok, "and")) {
		if (!m2 && !(m2 = malloc(sp->ds->n + 1))) {
			sp->failed = 1;
			cewb_error_set(sp->err, CEWB_ENOMEM, "out of memory");
			break;
		}
		next_token(sp);
		sel_unary(sp, m2);
		for (size_t i = 0; i < sp->ds->n; i++)
			mask[i] = mask[i] && m2[i];
	}
	free(m2);
}

/* or := and ('or' and)* */
static void sel_or(selparser *sp, char *mask)
{
	sel_and(sp, mask);
	char *m2 = NULL;
	while (!sp->failed && sp->tok_kind == 1 && !strcmp(sp->tok, "or")) {
		if (!m2 && !(m2 = malloc(sp->ds->n + 1))) {
			sp->failed = 1;
			cewb_error_set(sp->err, CEWB_ENOMEM, "out of memory");
			break;
		}
		next_token(sp);
		sel_and(sp, m2);
		for (size_t i = 0; i < sp->ds->n; i++)
			mask[i] = mask[i] || m2[i];
	}
	free(m2);
}

/* Evaluate a selector into mask. */
cewb_status cewb_dataset_select(const cewb_dataset *ds, const char *selector, char *mask,
				cewb_error *err)
{
	selparser sp = { selector, selector, "", 0, 0, ds, err, 0 };
	memset(mask, 0, ds->n);
	next_token(&sp);
	if (sp.tok_kind == 0)
		CEWB_RAISE(err, CEWB_EPARSE, "selector is empty");
	sel_or(&sp, mask);
	if (!sp.failed && sp.tok_kind != 0)
		sel_fail(&sp, "unexpected word");
	if (sp.failed) {
		memset(mask, 0, ds->n);
		return err ? err->code : CEWB_EPARSE;
	}
	return CEWB_OK;
}

/* ---- X, y, names ---- */

/* Rows of the active entries. */
cewb_status cewb_dataset_matrix(const cewb_dataset *ds, double **X, double **y, double **w,
				size_t **ids, size_t *n_rows, cewb_error *err)
{
	if (!ds->space || !ds->n_params)
		CEWB_RAISE(err, CEWB_ESTATE, "no cluster space: no cluster vectors yet");
	size_t n = cewb_dataset_n_active(ds), p = ds->n_params;
	double *x = X ? malloc(sizeof(double) * p * (n ? n : 1)) : NULL;
	double *yy = y ? malloc(sizeof(double) * (n ? n : 1)) : NULL;
	double *ww = w ? malloc(sizeof(double) * (n ? n : 1)) : NULL;
	size_t *id = ids ? malloc(sizeof(size_t) * (n ? n : 1)) : NULL;
	if ((X && !x) || (y && !yy) || (w && !ww) || (ids && !id)) {
		free(x), free(yy), free(ww), free(id);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a %zu x %zu matrix", n, p);
	}
	size_t r = 0;
	for (size_t i = 0; i < ds->n; i++) {
		const cewb_entry *e = &ds->entries[i];
		if (e->dropped != CEWB_ACTIVE)
			continue;
		if (x)
			memcpy(x + r * p, ds->cvecs + i * p, sizeof(double) * p);
		if (yy)
			yy[r] = e->target;
		if (ww)
			ww[r] = e->weight;
		if (id)
			id[r] = i;
		r++;
	}
	if (X)
		*X = x;
	if (y)
		*y = yy;
	if (w)
		*w = ww;
	if (ids)
		*ids = id;
	*n_rows = n;
	return CEWB_OK;
}

/* Column names of a space's cluster vector. */
char **cewb_dataset_column_names(const cewb_space *sp)
{
	char **names = calloc(sp->n_params ? sp->n_params : 1, sizeof(char *));
	if (!names)
		return NULL;
	for (size_t j = 0; j < sp->n_params; j++) {
		size_t o = sp->param_orbit[j];
		const cewb_orbit *orb = &sp->orbits[o];
		char buf[48];
		if (orb->n_params <= 1)
			snprintf(buf, sizeof(buf), "o%zu", o);
		else
			snprintf(buf, sizeof(buf), "o%zu.%zu", o, j - orb->first_param);
		names[j] = strdup(buf);
		if (!names[j]) {
			cewb_dataset_names_free(names, j);
			return NULL;
		}
	}
	return names;
}

/* Free column names. */
void cewb_dataset_names_free(char **names, size_t n)
{
	if (!names)
		return;
	for (size_t j = 0; j < n; j++)
		free(names[j]);
	free(names);
}

/* Composition string, elements ascending by atomic number. */
void cewb_entry_composition(const cewb_entry *e, char *buf, size_t len)
{
	const cewb_structure *s = e->ideal ? e->ideal : e->structure;
	size_t count[128] = { 0 };
	for (size_t i = 0; i < s->n_atoms; i++)
		if (s->numbers[i] >= 0 && s->numbers[i] < 128)
			count[s->numbers[i]]++;
	size_t at = 0;
	buf[0] = 0;
	for (int z = 0; z < 128 && at + 1 < len; z++) {
		if (!count[z])
			continue;
		const char *sym = cewb_element_symbol(z);
		int w = count[z] == 1 ? snprintf(buf + at, len - at, "%s", sym ? sym : "?")
				      : snprintf(buf + at, len - at, "%s%zu", sym ? sym : "?",
						 count[z]);
		if (w < 0 || (size_t)w >= len - at)
			break;
		at += (size_t)w;
	}
}

/* Sort key of problems: refused first, then severity descending, then index. */
static const cewb_dataset *prob_ds;
static int prob_cmp(const void *pa, const void *pb)
{
	const cewb_entry *a = &prob_ds->entries[*(const size_t *)pa];
	const cewb_entry *b = &prob_ds->entries[*(const size_t *)pb];
	int ra = a->map.status == CEWB_MAP_REFUSED, rb = b->map.status == CEWB_MAP_REFUSED;
	if (ra != rb)
		return ra ? -1 : 1;
	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	return *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
}

/* The doubtful entries, worst first. */
size_t cewb_dataset_problems(const cewb_dataset *ds, size_t **idx)
{
	size_t c = 0;
	*idx = NULL;
	for (size_t i = 0; i < ds->n; i++)
		c += ds->entries[i].map.status >= CEWB_MAP_WARNED;
	if (!c || !(*idx = malloc(sizeof(size_t) * c)))
		return 0;
	c = 0;
	for (size_t i = 0; i < ds->n; i++)
		if (ds->entries[i].map.status >= CEWB_MAP_WARNED)
			(*idx)[c++] = i;
	prob_ds = ds;
	qsort(*idx, c, sizeof(size_t), prob_cmp);
	return c;
}
