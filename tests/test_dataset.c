/*
 * test_dataset.c - training sets: loading all-or-nothing, targets and
 * weights, mapping relaxed frames, duplicates, selectors, drop/restore, X/y.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cewb/dataset.h"
#include "cewb/sensing.h"
#include "tap.h"

static char agpd[512], prim[512];

/* Build the Ag-Pd lattice and a pair space (cutoff 6 Å). */
static int setup(cewb_lattice **lat, cewb_space **sp)
{
	cewb_frames fr = { 0, NULL };
	cewb_error err;
	if (cewb_extxyz_read(prim, &fr, &err) ||
	    cewb_lattice_build(fr.frames[0], "Ag,Pd", 1e-5, lat, &err)) {
		diag("setup: %s", err.message);
		return 0;
	}
	cewb_frames_release(&fr);
	double cut[1] = { 6.0 };
	if (cewb_space_build(*lat, cut, 1, sp, &err)) {
		diag("setup: %s", err.message);
		return 0;
	}
	return 1;
}

/* Seconds since an earlier time. */
static double since(const struct timespec *a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + 1e-9 * (double)(b.tv_nsec - a->tv_nsec);
}

/* The whole Ag-Pd set: targets, X, duplicates when loaded twice. */
static void test_load(const cewb_lattice *lat, const cewb_space *sp)
{
	cewb_dataset *ds = cewb_dataset_alloc(lat, sp);
	cewb_load_result r;
	cewb_error err;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok(cewb_dataset_load(ds, agpd, NULL, &r, &err) == CEWB_OK, "agpd: loaded");
	diag("625 structures loaded with cluster vectors in %.3f s", since(&t0));
	is_int(625, (long)ds->n, "agpd: 625 entries");
	is_int(625, (long)r.n_added, "agpd: result counts 625");
	is_int(0, (long)r.first, "agpd: first index 0");
	/* with pairs only up to 6 Å, some structures share their vector and size */
	size_t n_dup = r.n_duplicates;
	ok(n_dup > 0 && n_dup < 200, "agpd: %zu duplicates reported", n_dup);
	int dup_ok = 1;
	for (size_t i = 0; i < ds->n; i++) {
		const cewb_entry *e = &ds->entries[i];
		if (e->duplicate_of < 0)
			continue;
		const cewb_entry *o = &ds->entries[e->duplicate_of];
		dup_ok &= e->duplicate_of < (long)i && o->n_sites == e->n_sites &&
			  e->dropped == CEWB_DROPPED_DUPLICATE;
		for (size_t j = 0; j < ds->n_params; j++)
			dup_ok &= ds->cvecs[i * ds->n_params + j] ==
				  ds->cvecs[(size_t)e->duplicate_of * ds->n_params + j];
	}
	ok(dup_ok, "agpd: each duplicate equals an earlier entry of the same size");
	is_string(agpd, ds->entries[3].file, "agpd: file remembered");
	is_int(3, (long)ds->entries[3].frame, "agpd: frame remembered");
	ok(isnan(ds->entries[0].target) == 0 && ds->entries[0].target == 0.0,
	   "agpd: target of pure Ag is 0 (mixing_energy)");
	is_int(CEWB_MAP_IDEAL, ds->entries[7].map.status, "agpd: entries are ideal");
	double *X, *y, *w;
	size_t *ids, n;
	ok(cewb_dataset_matrix(ds, &X, &y, &w, &ids, &n, &err) == CEWB_OK, "agpd: matrix");
	is_int(625 - (long)n_dup, (long)n, "agpd: one row per active entry");
	is_double(1.0, X[5 * ds->n_params], 0.0, "agpd: zerolet column 1");
	is_double(ds->entries[ids[9]].target, y[9], 0.0, "agpd: y in load order");
	ok(ids[9] >= 9 && ids[8] < ids[9], "agpd: ids ascending");
	is_double(1.0, w[9], 0.0, "agpd: weight 1");
	cewb_sensing s;
	ok(cewb_sensing_compute(X, n, ds->n_params, NULL, &s, &err) == CEWB_OK, "agpd: sensing");
	is_int((long)ds->n_params, (long)s.rank, "agpd: X has full column rank");
	/* rows left equal are structures of different sizes with one vector */
	int sizes_ok = 1;
	for (size_t k = 0; k < s.n_pairs; k++)
		if (s.pairs[k].exact)
			sizes_ok &= ds->entries[ids[s.pairs[k].a]].n_sites !=
				    ds->entries[ids[s.pairs[k].b]].n_sites;
	ok(sizes_ok, "agpd: equal rows left differ in size (%zu pairs)", s.n_duplicates);
	cewb_sensing_release(&s);
	free(X), free(y), free(w), free(ids);

	/* the same file again: every frame is a duplicate, reported and dropped */
	ok(cewb_dataset_load(ds, agpd, NULL, &r, &err) == CEWB_OK, "agpd again: loaded");
	is_int(625, (long)r.n_duplicates, "agpd again: 625 duplicates reported");
	is_int(1250, (long)ds->n, "agpd again: entries kept");
	is_int(625 - (long)n_dup, (long)cewb_dataset_n_active(ds), "agpd again: active unchanged");
	is_int(12, (long)ds->entries[637].duplicate_of, "agpd again: 637 duplicates 12");
	is_string("duplicate", cewb_drop_name(ds->entries[637].dropped), "duplicate drop state");

	/* selectors */
	char *mask = malloc(ds->n);
	size_t c, changed;
	ok(cewb_dataset_select(ds, "n_atoms > 4 and index < 625", mask, &err) == CEWB_OK,
	   "select n_atoms > 8");
	c = 0;
	int sel_ok = 1;
	for (size_t i = 0; i < ds->n; i++) {
		c += mask[i];
		sel_ok &= mask[i] == (ds->entries[i].n_atoms > 4 && i < 625);
	}
	ok(sel_ok && c > 0, "select: exactly the structures with more than 4 atoms (%zu)", c);
	c = 0;
	for (size_t i = 0; i < ds->n; i++)
		c += mask[i] && ds->entries[i].dropped == CEWB_ACTIVE;
	cewb_dataset_set_dropped(ds, mask, 1, &changed);
	is_int((long)c, (long)changed, "drop: all chosen entries dropped");
	size_t c_act = 0;
	for (size_t i = 0; i < ds->n; i++)
		c_act += mask[i] && ds->entries[i].dropped == CEWB_DROPPED_USER;
	is_int((long)c, (long)c_act, "drop: chosen active entries now dropped by the user");
	cewb_dataset_select(ds, "dropped == user", mask, &err);
	cewb_dataset_set_dropped(ds, mask, 0, &changed);
	is_int((long)c, (long)changed, "restore: by selector");
	is_int(625 - (long)n_dup, (long)cewb_dataset_n_active(ds), "restore: all back");

	ok(cewb_dataset_select(ds, "target<-0.05 or (x_Pd>=0.5 and not frame==3)", mask, &err) ==
	   CEWB_OK, "select: and/or/not/parentheses");
	sel_ok = 1;
	for (size_t i = 0; i < ds->n; i++) {
		const cewb_entry *e = &ds->entries[i];
		size_t pd = 0;
		for (size_t a = 0; a < e->n_atoms; a++)
			pd += e->structure->numbers[a] == 46;
		int want = e->target < -0.05 || (2 * pd >= e->n_atoms && e->frame != 3);
		sel_ok &= mask[i] == want;
	}
	ok(sel_ok, "select: compound expression evaluated per entry");
	ok(cewb_dataset_select(ds, "file == structures.xyz and status == ideal", mask, &err) ==
	   CEWB_OK && mask[0] && mask[1000], "select: file by base name, status");
	ok(cewb_dataset_select(ds, "file == *.xyz", mask, &err) == CEWB_OK && mask[5],
	   "select: glob pattern");
	ok(cewb_dataset_select(ds, "all", mask, &err) == CEWB_OK && mask[1249], "select: all");

	is_int(CEWB_EPARSE, cewb_dataset_select(ds, "natoms > 8", mask, &err), "bad field");
	ok(strncmp(err.message, "selector 'natoms > 8': unknown field 'natoms' (column 1); "
		   "fields: index, frame, n_atoms", 81) == 0, "bad field: message (%s)", err.message);
	is_int(CEWB_EPARSE, cewb_dataset_select(ds, "n_atoms >", mask, &err), "missing value");
	is_string("selector 'n_atoms >': expected a value at the end", err.message,
		  "missing value: message");
	is_int(CEWB_EPARSE, cewb_dataset_select(ds, "target < abc", mask, &err), "not a number");
	is_string("selector 'target < abc': expected a number at 'abc' (column 10)", err.message,
		  "not a number: message");
	is_int(CEWB_EPARSE, cewb_dataset_select(ds, "(frame == 1", mask, &err), "open paren");
	is_int(CEWB_EPARSE, cewb_dataset_select(ds, "status < ideal", mask, &err), "word <");
	is_int(CEWB_EPARSE, cewb_dataset_select(ds, "", mask, &err), "empty selector");
	is_string("selector is empty", err.message, "empty selector: message");

	/* index lists */
	ok(cewb_dataset_select_indices(ds, "3,5,7-10", mask, &err) == CEWB_OK, "indices: parsed");
	c = 0;
	for (size_t i = 0; i < ds->n; i++)
		c += mask[i];
	ok(c == 6 && mask[3] && mask[5] && mask[7] && mask[10] && !mask[6], "indices: 3,5,7-10");
	is_int(CEWB_EINVAL, cewb_dataset_select_indices(ds, "1250", mask, &err), "index range");
	is_string("no structure 1250 (there are 1250)", err.message, "index range: message");
	is_int(CEWB_EINVAL, cewb_dataset_select_indices(ds, "4-x", mask, &err), "bad range");

	/* problems: none in an ideal set */
	size_t *idx;
	is_int(0, (long)cewb_dataset_problems(ds, &idx), "problems: none");
	char comp[64];
	cewb_entry_composition(&ds->entries[0], comp, sizeof(comp));
	is_string("Ag", comp, "composition of pure Ag");
	free(mask);

	/* column names */
	char **names = cewb_dataset_column_names(sp);
	is_string("o0", names[0], "column 0 is the zerolet o0");
	is_string("o1", names[1], "column 1 is the singlet o1");
	cewb_dataset_names_free(names, sp->n_params);

	/* a new space (no pairs beyond 3 Å): vectors recomputed, more duplicates */
	cewb_space *small;
	double cut[1] = { 3.0 };
	cewb_space_build(lat, cut, 1, &small, &err);
	ok(cewb_dataset_set_space(ds, small, &err) == CEWB_OK, "set_space: recomputed");
	is_int((long)small->n_params, (long)ds->n_params, "set_space: columns follow");
	ok(cewb_dataset_n_active(ds) < 625 - n_dup, "set_space: more vectors collide (%zu)",
	   cewb_dataset_n_active(ds));
	ok(cewb_dataset_set_space(ds, sp, &err) == CEWB_OK, "set_space back");
	is_int(625 - (long)n_dup, (long)cewb_dataset_n_active(ds), "set_space back: as before");
	cewb_dataset_free(ds);
	cewb_space_free(small);
}

/* Write frames of the Ag-Pd file, modified by fn, to a temporary file. */
static char *write_variant(const char *tag, size_t n_frames,
			   void (*fn)(cewb_structure *s, size_t i))
{
	cewb_frames fr = { 0, NULL };
	cewb_error err;
	cewb_extxyz_read(agpd, &fr, &err);
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/cewb-ds-%s-%d.xyz", tag, (int)getpid());
	for (size_t i = 0; i < n_frames; i++)
		fn(fr.frames[i], i);
	if (cewb_extxyz_write(path, fr.frames, n_frames, &err))
		diag("write: %s", err.message);
	cewb_frames_release(&fr);
	return path;
}

/* Frame 2 loses its target. */
static void no_target(cewb_structure *s, size_t i)
{
	if (i != 2)
		return;
	for (size_t k = 0; k < s->n_info; k++)
		if (!strcmp(s->info[k].key, "mixing_energy"))
			s->info[k].key[0] = 'M';
}

/* Relax: strain 2 %, displace every atom a little, and give a weight. */
static void relax(cewb_structure *s, size_t i)
{
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 3; c++)
			s->cell[r][c] *= 1.02;
	for (size_t a = 0; a < s->n_atoms; a++)
		for (int c = 0; c < 3; c++)
			s->pos[a][c] = s->pos[a][c] * 1.02 + 0.05 * sin((double)(a * 3 + c + i));
	cewb_structure_set_info_real(s, "w", 2.0, NULL);
}

/* All-or-nothing loading, explicit keys, mapping. */
static void test_files(const cewb_lattice *lat, const cewb_space *sp)
{
	cewb_dataset *ds = cewb_dataset_alloc(lat, sp);
	cewb_load_options opt;
	cewb_load_result r;
	cewb_error err;
	char *path = write_variant("notarget", 5, no_target);
	cewb_load_options_default(&opt);
	opt.target_key = "mixing_energy";
	is_int(CEWB_EINVAL, cewb_dataset_load(ds, path, &opt, &r, &err), "missing key: fails");
	char want[512];
	snprintf(want, sizeof(want),
		 "%s: frame 2: no target key 'mixing_energy' (none of the 5 frames added)", path);
	is_string(want, err.message, "missing key: names file and frame, nothing added");
	is_int(0, (long)ds->n, "missing key: nothing added");
	opt.target_key = "tag";
	is_int(CEWB_EINVAL, cewb_dataset_load(ds, path, &opt, &r, &err), "text key: fails");
	ok(strstr(err.message, "frame 0: target 'tag' is not a number ('Ag')") != NULL,
	   "text key: message (%s)", err.message);
	remove(path);

	path = write_variant("relaxed", 20, relax);
	cewb_load_options_default(&opt);
	is_int(CEWB_ENOFIT, cewb_dataset_load(ds, path, &opt, &r, &err), "relaxed: needs --map");
	ok(strstr(err.message, "(none of the 20 frames added)") && strstr(err.message, "frame 0"),
	   "relaxed: message (%s)", err.message);
	is_int(0, (long)ds->n, "relaxed: nothing added");
	opt.map = 1;
	opt.weight_key = "w";
	opt.total = 1;
	cewb_status st = cewb_dataset_load(ds, path, &opt, &r, &err);
	ok(st == CEWB_OK, "relaxed: mapped");
	is_int(20, (long)ds->n, "relaxed: 20 entries");
	is_int(20, (long)(r.n_mapped + r.n_warned), "relaxed: all mapped or warned");
	is_double(2.0, ds->entries[4].weight, 0.0, "relaxed: weight from key");
	is_double(0.02 * 3 + 0.02 * 0.02 * 3 + 0.02 * 0.02 * 0.02,
		  ds->entries[4].map.volumetric_strain, 1e-12, "relaxed: volumetric strain 1.02^3-1");

	/* the mapped vectors equal those of the ideal frames */
	cewb_dataset *ref = cewb_dataset_alloc(lat, sp);
	cewb_dataset_load(ref, agpd, NULL, &r, &err);
	int same = 1;
	for (size_t i = 0; i < 20; i++)
		for (size_t j = 0; j < sp->n_params; j++)
			same &= fabs(ds->cvecs[i * sp->n_params + j] -
				     ref->cvecs[i * sp->n_params + j]) < 1e-12;
	ok(same, "relaxed: mapped cluster vectors equal the ideal ones");
	/* totals are divided by the atoms */
	double e7 = ref->entries[7].target / (double)ref->entries[7].n_atoms;
	is_double(e7, ds->entries[7].target, 1e-15, "--total: target divided by the atoms");
	cewb_dataset_free(ref);
	remove(path);

	/* a large displacement is refused, kept as a dropped entry, listed first */
	cewb_frames fr = { 0, NULL };
	cewb_extxyz_read(agpd, &fr, &err);
	cewb_frames two = { 0, NULL };
	cewb_frames_append(&two, cewb_structure_copy(fr.frames[30]), &err);
	cewb_frames_append(&two, cewb_structure_copy(fr.frames[31]), &err);
	cewb_frames_release(&fr);
	/* frame 0: 20 % larger in every direction (refused, volumetric strain
	 * 0.728); frame 1: 8 % longer along z (warned, anisotropy 0.08) */
	for (int k = 0; k < 2; k++) {
		cewb_structure *t = two.frames[k];
		for (int row = 0; row < 3; row++)
			for (int c = 0; c < 3; c++)
				if (k == 0 || c == 2)
					t->cell[row][c] *= k == 0 ? 1.2 : 1.08;
		for (size_t a = 0; a < t->n_atoms; a++)
			for (int c = 0; c < 3; c++)
				if (k == 0 || c == 2)
					t->pos[a][c] *= k == 0 ? 1.2 : 1.08;
	}
	size_t before = ds->n;
	opt.weight_key = NULL;
	ok(cewb_dataset_add_frames(ds, &two, "moved.xyz", &opt, &r, &err) == CEWB_OK,
	   "moved: added");
	if (two.n)
		diag("%s", err.message);
	is_int(0, (long)two.n, "moved: frames taken");
	is_int(1, (long)r.n_refused, "moved: one refused");
	is_string("refused", cewb_drop_name(ds->entries[before].dropped), "moved: refused dropped");
	size_t *idx;
	size_t np = cewb_dataset_problems(ds, &idx);
	ok(np >= 2 && idx[0] == before && idx[1] == before + 1, "problems: refused first");
	is_string("warned", cewb_map_status_name(ds->entries[before + 1].map.status),
		  "moved: anisotropic frame warned");
	free(idx);
	char *mask = calloc(ds->n, 1);
	size_t changed;
	mask[before] = 1;
	cewb_dataset_set_dropped(ds, mask, 0, &changed);
	is_int(0, (long)changed, "refused entries cannot be restored");
	free(mask);
	cewb_dataset_free(ds);
	cewb_dataset_free(NULL);

	ds = cewb_dataset_alloc(lat, NULL);
	double *X;
	size_t n;
	is_int(CEWB_ESTATE, cewb_dataset_matrix(ds, &X, NULL, NULL, NULL, &n, &err), "no space");
	cewb_dataset_free(ds);
}


/*
 * Reference sets on other lattices (hcp with two sites, skewed and long
 * cells, tetragonal, bcc): each frame strained, sheared, rattled, shifted
 * and with its atoms in another order must map back to the cluster vector
 * of the ideal frame.
 */
static void test_relaxed_sets(const char *top)
{
	static const char *const sets[] = { "fcc_skew_binary", "hcp_skew_binary",
					    "bcc_longedge_binary", "tetragonal_binary",
					    "hcp_ternary" };
	for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
		char path[600];
		snprintf(path, sizeof(path), "%s/tests/data/icet/%s.xyz", top, sets[k]);
		cewb_frames fr = { 0, NULL }, relaxed = { 0, NULL };
		cewb_error err;
		cewb_lattice *lat = NULL;
		cewb_space *sp = NULL;
		if (cewb_extxyz_read(path, &fr, &err) ||
		    cewb_lattice_build(fr.frames[0],
				       cewb_structure_info(fr.frames[0], "data_elements")->text,
				       1e-5, &lat, &err)) {
			ok(0, "%s: read and lattice (%s)", sets[k], err.message);
			continue;
		}
		const cewb_info *cut = cewb_structure_info(fr.frames[0], "data_cutoffs");
		if (cewb_space_build(lat, cut->real, cut->n, &sp, &err)) {
			ok(0, "%s: space (%s)", sets[k], err.message);
			continue;
		}
		unsigned x = 12345u + (unsigned)k;
#define RND() ((x = x * 1103515245u + 12345u), (double)((x >> 8) % 100000) / 100000.0)
		for (size_t f = 0; f < fr.n; f++) {
			cewb_structure *s = cewb_structure_copy(fr.frames[f]);
			size_t n = s->n_atoms;
			double F[3][3] = { { 1.01 + 0.02 * RND(), 0.005, 0 },
					   { 0, 0.99 + 0.02 * RND(), 0 },
					   { 0, 0.004, 1.0 + 0.02 * RND() } };
			double c0[3][3], shift[3] = { 0.3 * RND(), -0.2 * RND(), 0.1 };
			memcpy(c0, s->cell, sizeof(c0));
			for (int r = 0; r < 3; r++)
				for (int c = 0; c < 3; c++)
					s->cell[r][c] = c0[r][0] * F[0][c] + c0[r][1] * F[1][c] +
							c0[r][2] * F[2][c];
			for (size_t a = 0; a < n; a++) {
				size_t b = (a * 7 + 3) % n; /* another order when gcd(7, n) = 1 */
				if (n % 7 == 0)
					b = n - 1 - a;
				const double *p0 = fr.frames[f]->pos[b];
				for (int c = 0; c < 3; c++)
					s->pos[a][c] = p0[0] * F[0][c] + p0[1] * F[1][c] +
						       p0[2] * F[2][c] + shift[c] +
						       0.12 * (RND() - 0.5);
				s->numbers[a] = fr.frames[f]->numbers[b];
			}
			cewb_frames_append(&relaxed, s, &err);
		}
#undef RND
		cewb_dataset *ideal = cewb_dataset_alloc(lat, sp);
		cewb_dataset *mapped = cewb_dataset_alloc(lat, sp);
		cewb_load_options opt;
		cewb_load_result r;
		cewb_load_options_default(&opt);
		size_t n_frames = fr.n;
		int loaded = cewb_dataset_add_frames(ideal, &fr, sets[k], &opt, &r, &err) == CEWB_OK;
		opt.map = 1;
		loaded &= cewb_dataset_add_frames(mapped, &relaxed, sets[k], &opt, &r, &err) ==
			  CEWB_OK;
		if (!ok(loaded, "%s: ideal and relaxed frames loaded", sets[k])) {
			diag("%s", err.message);
		} else {
			size_t same = 0, good = 0;
			for (size_t f = 0; f < n_frames; f++) {
				int eq = 1;
				for (size_t j = 0; j < sp->n_params; j++)
					eq &= fabs(ideal->cvecs[f * sp->n_params + j] -
						   mapped->cvecs[f * sp->n_params + j]) < 1e-12;
				same += eq;
				good += mapped->entries[f].map.status == CEWB_MAP_MAPPED;
				if (mapped->entries[f].map.status != CEWB_MAP_MAPPED)
					diag("%s frame %zu: %s: %s", sets[k], f,
					     cewb_map_status_name(mapped->entries[f].map.status),
					     mapped->entries[f].map.reason);
			}
			is_int((long)n_frames, (long)same,
			       "relaxed frames map back to the ideal cluster vectors");
			is_int((long)n_frames, (long)good, "relaxed frames: all mapped, none doubtful");
		}
		cewb_dataset_free(ideal);
		cewb_dataset_free(mapped);
		cewb_frames_release(&fr);
		cewb_frames_release(&relaxed);
		cewb_space_free(sp);
		cewb_lattice_free(lat);
	}
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	if (!top)
		top = ".";
	snprintf(agpd, sizeof(agpd), "%s/examples/agpd/structures.xyz", top);
	snprintf(prim, sizeof(prim), "%s/examples/agpd/primitive.xyz", top);
	cewb_lattice *lat = NULL;
	cewb_space *sp = NULL;
	if (!ok(setup(&lat, &sp), "lattice and space"))
		return done_testing();
	test_load(lat, sp);
	test_files(lat, sp);
	test_relaxed_sets(top);
	cewb_space_free(sp);
	cewb_lattice_free(lat);
	return done_testing();
}
