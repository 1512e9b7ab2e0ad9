/*
 * The parent lattice: species per site, primitive reduction and symmetry
 * through spglib, and the matching of supercells onto the lattice.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <spglib.h>
#include "cewb/lattice.h"
#include "geom.h"

#define MAX_SPECIES 16
/* Extra length (Å) of the padded c vector of a slab beyond its thickness. */
#define SLAB_PADDING 40.0

/* The allowed species of one site, ascending. */
typedef struct {
	size_t n;
	int z[MAX_SPECIES];
} kind;

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Parse a comma list of element symbols into k (sorted, unique). */
static cewb_status parse_list(const char *txt, size_t len, kind *k, const char *spec,
			      cewb_error *err)
{
	size_t i = 0;
	k->n = 0;
	while (i <= len) {
		size_t j = i;
		char sym[8];
		int z;
		while (j < len && txt[j] != ',')
			j++;
		if (j - i == 0 || j - i >= sizeof sym)
			CEWB_RAISE(err, CEWB_EINVAL, "bad species list '%s'", spec);
		memcpy(sym, txt + i, j - i);
		sym[j - i] = '\0';
		z = cewb_element_number(sym);
		if (z < 0)
			CEWB_RAISE(err, CEWB_EINVAL, "unknown element '%s' in species '%s'", sym,
				   spec);
		if (k->n == MAX_SPECIES)
			CEWB_RAISE(err, CEWB_EINVAL, "more than %d species on a site in '%s'",
				   MAX_SPECIES, spec);
		k->z[k->n++] = z;
		i = j + 1;
	}
	qsort(k->z, k->n, sizeof k->z[0], cmp_int);
	{
		size_t m = 0;
		for (size_t a = 0; a < k->n; a++)
			if (m == 0 || k->z[m - 1] != k->z[a])
				k->z[m++] = k->z[a];
		k->n = m;
	}
	return CEWB_OK;
}

/* The allowed species of every atom of s from the specification. */
static cewb_status atom_kinds(const cewb_structure *s, const char *spec, kind *kinds,
			      cewb_error *err)
{
	kind all;
	int have_all = 0;
	if (spec && *spec && !strchr(spec, '=')) {
		if (parse_list(spec, strlen(spec), &all, spec, err))
			return err ? err->code : CEWB_EINVAL;
		have_all = 1;
	}
	for (size_t a = 0; a < s->n_atoms; a++) {
		kinds[a].n = 1;
		kinds[a].z[0] = s->numbers[a];
		if (have_all)
			kinds[a] = all;
	}
	if (spec && *spec && !have_all) {
		const char *p = spec;
		while (*p) {
			const char *end = strchr(p, '/');
			const char *eq = strchr(p, '=');
			size_t len = end ? (size_t)(end - p) : strlen(p);
			char sym[8];
			int z;
			kind k;
			if (!eq || eq >= p + len || eq == p || (size_t)(eq - p) >= sizeof sym)
				CEWB_RAISE(err, CEWB_EINVAL,
					   "bad species '%s': expected A=A,B/C=C,X or A,B", spec);
			memcpy(sym, p, (size_t)(eq - p));
			sym[eq - p] = '\0';
			z = cewb_element_number(sym);
			if (z < 0)
				CEWB_RAISE(err, CEWB_EINVAL, "unknown element '%s' in species '%s'",
					   sym, spec);
			if (parse_list(eq + 1, (size_t)(p + len - eq - 1), &k, spec, err))
				return err ? err->code : CEWB_EINVAL;
			for (size_t a = 0; a < s->n_atoms; a++)
				if (s->numbers[a] == z)
					kinds[a] = k;
			p += len;
			if (*p == '/')
				p++;
		}
	}
	return CEWB_OK;
}

static int kind_equal(const kind *a, const kind *b)
{
	return a->n == b->n && memcmp(a->z, b->z, a->n * sizeof a->z[0]) == 0;
}

/* Cell with columns = vectors, as spglib wants it. */
static void to_columns(const double cell[3][3], double cols[3][3])
{
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			cols[i][j] = cell[j][i];
}

static cewb_status spglib_failed(cewb_error *err, const char *what)
{
	SpglibError e = spg_get_error_code();
	return cewb_error_set(err, CEWB_ESYMMETRY, "%s: %s", what,
			      e == SPGLIB_SUCCESS ? "no symmetry found"
						  : spg_get_error_message(e));
}

/* A candidate lattice vector for the primitive cell search. */
typedef struct {
	double cart[3];
	double len;
} cand;

static int cmp_cand(const void *a, const void *b)
{
	const cand *x = a, *y = b;
	if (fabs(x->len - y->len) > 1e-8)
		return x->len < y->len ? -1 : 1;
	for (int i = 0; i < 3; i++)
		if (fabs(x->cart[i] - y->cart[i]) > 1e-8)
			return x->cart[i] > y->cart[i] ? -1 : 1;
	return 0;
}

/*
 * Choose primitive lattice vectors from the pure translations (fractional,
 * in the input cell) of a structure: the shortest three independent vectors
 * whose cell has the primitive volume.  For slabs (periodic[2] == 0) the
 * third vector is kept.
 */
static cewb_status primitive_vectors(const double cell[3][3], const double (*t)[3],
				     size_t n_t, int slab, double prim[3][3], cewb_error *err)
{
	double vol = fabs(det3(cell)) / (double)n_t;
	int mz = slab ? 0 : 2;
	size_t n_c = 0, cap = n_t * 125;
	cand *c = malloc(cap * sizeof *c);
	int found = 0;
	if (!c)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	for (size_t k = 0; k < n_t; k++)
		for (int m0 = -2; m0 <= 2; m0++)
			for (int m1 = -2; m1 <= 2; m1++)
				for (int m2 = -mz; m2 <= mz; m2++) {
					double f[3] = { t[k][0] + m0, t[k][1] + m1,
							slab ? 0.0 : t[k][2] + m2 };
					cand *x = &c[n_c];
					v3_frac_cart(cell, f, x->cart);
					x->len = v3_norm(x->cart);
					if (x->len > 1e-6)
						n_c++;
				}
	qsort(c, n_c, sizeof *c, cmp_cand);
	/* Greedy: shortest, shortest not parallel, shortest not coplanar. */
	{
		size_t i1 = 0, i2 = 0, i3 = 0;
		int ok2 = 0, ok3 = 0;
		for (size_t i = 1; i < n_c && !ok2; i++) {
			double x[3];
			v3_cross(c[0].cart, c[i].cart, x);
			if (v3_norm(x) > 1e-6 * c[0].len * c[i].len) {
				i2 = i;
				ok2 = 1;
			}
		}
		if (ok2 && !slab) {
			for (size_t i = 1; i < n_c && !ok3; i++) {
				double m[3][3];
				memcpy(m[0], c[i1].cart, sizeof m[0]);
				memcpy(m[1], c[i2].cart, sizeof m[1]);
				memcpy(m[2], c[i].cart, sizeof m[2]);
				if (fabs(det3(m)) > 1e-6 * vol) {
					i3 = i;
					ok3 = 1;
				}
			}
		}
		if (ok2 && (ok3 || slab)) {
			memcpy(prim[0], c[i1].cart, sizeof prim[0]);
			memcpy(prim[1], c[i2].cart, sizeof prim[1]);
			if (slab)
				memcpy(prim[2], cell[2], sizeof prim[2]);
			else
				memcpy(prim[2], c[i3].cart, sizeof prim[2]);
			found = fabs(fabs(det3(prim)) - vol) < 1e-6 * vol;
		}
	}
	/* Fallback: the shortest triple among the first candidates with the
	 * primitive volume. */
	if (!found && !slab) {
		size_t lim = n_c < 60 ? n_c : 60;
		double best = INFINITY;
		for (size_t i = 0; i < lim; i++)
			for (size_t j = i + 1; j < lim; j++)
				for (size_t k = j + 1; k < lim; k++) {
					double m[3][3], s = c[i].len + c[j].len + c[k].len;
					memcpy(m[0], c[i].cart, sizeof m[0]);
					memcpy(m[1], c[j].cart, sizeof m[1]);
					memcpy(m[2], c[k].cart, sizeof m[2]);
					if (s < best && fabs(fabs(det3(m)) - vol) < 1e-6 * vol) {
						best = s;
						memcpy(prim, m, sizeof m);
						found = 1;
					}
				}
	}
	free(c);
	if (!found)
		CEWB_RAISE(err, CEWB_ESYMMETRY, "could not find a primitive cell");
	if (det3(prim) < 0)
		for (int j = 0; j < 3; j++)
			prim[2][j] = -prim[2][j];
	return CEWB_OK;
}

/* Wrap periodic fractional coordinates into [0, 1). */
static void wrap_frac(double f[3], const int pbc[3])
{
	for (int i = 0; i < 3; i++)
		if (pbc[i]) {
			f[i] -= floor(f[i]);
			if (f[i] >= 1.0)
				f[i] = 0.0;
		}
}

/* Cartesian length of the periodic difference of fractional coordinates. */
static double frac_distance(const double cell[3][3], const int pbc[3], const double a[3],
			    const double b[3], int shift[3])
{
	double d[3], x[3];
	for (int i = 0; i < 3; i++) {
		d[i] = a[i] - b[i];
		shift[i] = pbc[i] ? (int)lround(d[i]) : 0;
		d[i] -= shift[i];
	}
	v3_frac_cart(cell, d, x);
	return v3_norm(x);
}

void cewb_lattice_free(cewb_lattice *lat)
{
	if (!lat)
		return;
	if (lat->allowed)
		for (size_t i = 0; i < lat->n_sites; i++)
			free(lat->allowed[i]);
	free(lat->allowed);
	free(lat->n_allowed);
	free(lat->pos);
	free(lat->frac);
	free(lat->equivalent);
	free(lat->rot);
	free(lat->trans);
	free(lat->op_site);
	free(lat->op_shift);
	free(lat);
}

/* Allocate the per-site and per-operation arrays of a lattice. */
static cewb_lattice *lattice_alloc(size_t n_sites, size_t n_ops)
{
	cewb_lattice *lat = calloc(1, sizeof *lat);
	if (!lat)
		return NULL;
	lat->n_sites = n_sites;
	lat->n_ops = n_ops;
	lat->pos = calloc(n_sites, sizeof *lat->pos);
	lat->frac = calloc(n_sites, sizeof *lat->frac);
	lat->n_allowed = calloc(n_sites, sizeof *lat->n_allowed);
	lat->allowed = calloc(n_sites, sizeof *lat->allowed);
	lat->equivalent = calloc(n_sites, sizeof *lat->equivalent);
	lat->rot = calloc(n_ops ? n_ops : 1, sizeof *lat->rot);
	lat->trans = calloc(n_ops ? n_ops : 1, sizeof *lat->trans);
	lat->op_site = calloc(n_ops * n_sites + 1, sizeof *lat->op_site);
	lat->op_shift = calloc(n_ops * n_sites + 1, sizeof *lat->op_shift);
	if (!lat->pos || !lat->frac || !lat->n_allowed || !lat->allowed || !lat->equivalent ||
	    !lat->rot || !lat->trans || !lat->op_site || !lat->op_shift) {
		cewb_lattice_free(lat);
		return NULL;
	}
	return lat;
}

cewb_lattice *cewb_lattice_copy(const cewb_lattice *src)
{
	cewb_lattice *lat = lattice_alloc(src->n_sites, src->n_ops);
	if (!lat)
		return NULL;
	memcpy(lat->cell, src->cell, sizeof lat->cell);
	memcpy(lat->inv, src->inv, sizeof lat->inv);
	memcpy(lat->pbc, src->pbc, sizeof lat->pbc);
	memcpy(lat->pos, src->pos, src->n_sites * sizeof *lat->pos);
	memcpy(lat->frac, src->frac, src->n_sites * sizeof *lat->frac);
	memcpy(lat->n_allowed, src->n_allowed, src->n_sites * sizeof *lat->n_allowed);
	memcpy(lat->equivalent, src->equivalent, src->n_sites * sizeof *lat->equivalent);
	memcpy(lat->rot, src->rot, src->n_ops * sizeof *lat->rot);
	memcpy(lat->trans, src->trans, src->n_ops * sizeof *lat->trans);
	memcpy(lat->op_site, src->op_site, src->n_ops * src->n_sites * sizeof *lat->op_site);
	memcpy(lat->op_shift, src->op_shift, src->n_ops * src->n_sites * sizeof *lat->op_shift);
	lat->spacegroup = src->spacegroup;
	memcpy(lat->international, src->international, sizeof lat->international);
	lat->symprec = src->symprec;
	lat->n_input_atoms = src->n_input_atoms;
	for (size_t i = 0; i < src->n_sites; i++) {
		lat->allowed[i] = malloc(src->n_allowed[i] * sizeof(int));
		if (!lat->allowed[i]) {
			cewb_lattice_free(lat);
			return NULL;
		}
		memcpy(lat->allowed[i], src->allowed[i], src->n_allowed[i] * sizeof(int));
	}
	return lat;
}

size_t cewb_lattice_n_active(const cewb_lattice *lat)
{
	size_t n = 0;
	for (size_t i = 0; i < lat->n_sites; i++)
		n += lat->n_allowed[i] > 1;
	return n;
}

int cewb_lattice_species_index(const cewb_lattice *lat, size_t site, int z)
{
	for (size_t k = 0; k < lat->n_allowed[site]; k++)
		if (lat->allowed[site][k] == z)
			return (int)k;
	return -1;
}

/* Check the input structure of a lattice; fill the cell used for symmetry. */
static cewb_status check_input(const cewb_structure *s, double cell[3][3], cewb_error *err)
{
	const char *src = s->source ? s->source : "structure";
	double v;
	if (s->n_atoms == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: no atoms", src, s->frame);
	if (!(s->pbc[0] && s->pbc[1]))
		CEWB_RAISE(err, CEWB_EINVAL,
			   "%s: frame %zu: a lattice must be periodic along a and b "
			   "(pbc T T T or T T F)", src, s->frame);
	for (size_t a = 0; a < s->n_atoms; a++)
		for (int j = 0; j < 3; j++)
			if (!isfinite(s->pos[a][j]) || fabs(s->pos[a][j]) > 1e6)
				CEWB_RAISE(err, CEWB_EINVAL,
					   "%s: frame %zu: atom %zu has a bad coordinate", src,
					   s->frame, a);
	memcpy(cell, s->cell, sizeof s->cell);
	if (!s->pbc[2]) {
		/* Slab: replace c by a long vector normal to the a-b plane. */
		double nrm[3], lo = INFINITY, hi = -INFINITY, len;
		v3_cross(cell[0], cell[1], nrm);
		len = v3_norm(nrm);
		if (!(len > 1e-8))
			CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: cell vectors a and b are parallel",
				   src, s->frame);
		for (int j = 0; j < 3; j++)
			nrm[j] /= len;
		for (size_t a = 0; a < s->n_atoms; a++) {
			double h = v3_dot(s->pos[a], nrm);
			lo = h < lo ? h : lo;
			hi = h > hi ? h : hi;
		}
		for (int j = 0; j < 3; j++)
			cell[2][j] = nrm[j] * (hi - lo + SLAB_PADDING);
	}
	v = det3(cell);
	if (!isfinite(v) || fabs(v) < 1e-6)
		CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: the cell has zero volume", src, s->frame);
	if (v < 0)
		CEWB_RAISE(err, CEWB_EINVAL,
			   "%s: frame %zu: the cell is left-handed (negative volume); swap two "
			   "cell vectors", src, s->frame);
	return CEWB_OK;
}

cewb_status cewb_lattice_build(const cewb_structure *s, const char *species, double symprec,
			       cewb_lattice **out, cewb_error *err)
{
	size_t n = s->n_atoms, n_t = 0, n_sites = 0;
	kind *kinds = NULL, *kl = NULL;
	int *types = NULL, *site_of = NULL, *site_types = NULL;
	double (*frac)[3] = NULL, (*t)[3] = NULL, (*sfrac)[3] = NULL;
	double cell[3][3], cols[3][3], inv[3][3], prim[3][3], pinv[3][3];
	size_t n_kl = 0;
	SpglibDataset *ds = NULL;
	cewb_lattice *lat = NULL;
	cewb_status st = CEWB_OK;
	const char *src = s->source ? s->source : "structure";
	int pbc[3] = { 1, 1, s->pbc[2] ? 1 : 0 };

	if (symprec <= 0)
		symprec = CEWB_SYMPREC_DEFAULT;
	if ((st = check_input(s, cell, err)))
		return st;
	kinds = calloc(n, sizeof *kinds);
	kl = calloc(n, sizeof *kl);
	types = calloc(n, sizeof *types);
	site_of = calloc(n, sizeof *site_of);
	frac = calloc(n, sizeof *frac);
	t = calloc(n, sizeof *t);
	sfrac = calloc(n, sizeof *sfrac);
	site_types = calloc(n, sizeof *site_types);
	if (!kinds || !kl || !types || !site_of || !frac || !t || !sfrac || !site_types) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto done;
	}
	if ((st = atom_kinds(s, species, kinds, err)))
		goto done;
	for (size_t a = 0; a < n; a++) {
		size_t k;
		for (k = 0; k < n_kl; k++)
			if (kind_equal(&kl[k], &kinds[a]))
				break;
		if (k == n_kl)
			kl[n_kl++] = kinds[a];
		types[a] = (int)k + 1;
	}
	inv3(cell, inv);
	for (size_t a = 0; a < n; a++)
		v3_mat(s->pos[a], inv, frac[a]);

	/* Pure translations of the input cell, occupation ignored. */
	to_columns(cell, cols);
	ds = spg_get_dataset(cols, (double(*)[3])frac, types, (int)n, symprec);
	if (!ds) {
		st = spglib_failed(err, src);
		goto done;
	}
	for (int g = 0; g < ds->n_operations; g++) {
		int (*r)[3] = ds->rotations[g];
		if (r[0][0] == 1 && r[1][1] == 1 && r[2][2] == 1 && r[0][1] == 0 && r[0][2] == 0 &&
		    r[1][0] == 0 && r[1][2] == 0 && r[2][0] == 0 && r[2][1] == 0) {
			for (int j = 0; j < 3; j++)
				t[n_t][j] = ds->translations[g][j] - round(ds->translations[g][j]);
			if (!pbc[2])
				t[n_t][2] = 0.0;
			n_t++;
		}
	}
	spg_free_dataset(ds);
	ds = NULL;
	if (n_t == 0 || n % n_t) {
		st = cewb_error_set(err, CEWB_ESYMMETRY,
				    "%s: frame %zu: inconsistent translations (%zu for %zu atoms)",
				    src, s->frame, n_t, n);
		goto done;
	}
	if (n_t == 1)
		memcpy(prim, cell, sizeof prim);
	else if ((st = primitive_vectors(cell, (const double(*)[3])t, n_t, !pbc[2], prim, err)))
		goto done;
	inv3(prim, pinv);

	/* Sites: input atoms modulo the primitive lattice, in input order. */
	{
		double tol = 2 * symprec + 1e-8;
		size_t *count = calloc(n, sizeof *count);
		if (!count) {
			st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t a = 0; a < n; a++) {
			double f[3];
			int sh[3];
			size_t k;
			v3_mat(s->pos[a], pinv, f);
			wrap_frac(f, pbc);
			for (k = 0; k < n_sites; k++)
				if (frac_distance(prim, pbc, f, sfrac[k], sh) < tol)
					break;
			if (k == n_sites) {
				memcpy(sfrac[k], f, sizeof f);
				site_types[k] = types[a];
				n_sites++;
			} else if (site_types[k] != types[a]) {
				free(count);
				st = cewb_error_set(err, CEWB_ESYMMETRY,
						    "%s: frame %zu: atoms %zu and a translated copy "
						    "allow different species", src, s->frame, a);
				goto done;
			}
			count[k]++;
			site_of[a] = (int)k;
		}
		for (size_t k = 0; k < n_sites; k++)
			if (count[k] != n_t) {
				st = cewb_error_set(err, CEWB_ESYMMETRY,
						    "%s: frame %zu: primitive reduction failed "
						    "(site %zu has %zu images, expected %zu)",
						    src, s->frame, k, count[k], n_t);
				free(count);
				goto done;
			}
		free(count);
	}

	/* Symmetry of the primitive lattice. */
	to_columns(prim, cols);
	ds = spg_get_dataset(cols, (double(*)[3])sfrac, site_types, (int)n_sites, symprec);
	if (!ds) {
		st = spglib_failed(err, src);
		goto done;
	}
	lat = lattice_alloc(n_sites, (size_t)ds->n_operations);
	if (!lat) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(lat->cell, prim, sizeof prim);
	memcpy(lat->inv, pinv, sizeof pinv);
	memcpy(lat->pbc, pbc, sizeof pbc);
	lat->symprec = symprec;
	lat->n_input_atoms = n;
	lat->spacegroup = ds->spacegroup_number;
	snprintf(lat->international, sizeof lat->international, "%s", ds->international_symbol);
	for (size_t k = 0; k < n_sites; k++) {
		const kind *kk = &kl[site_types[k] - 1];
		memcpy(lat->frac[k], sfrac[k], sizeof sfrac[k]);
		v3_frac_cart(prim, sfrac[k], lat->pos[k]);
		lat->n_allowed[k] = kk->n;
		lat->allowed[k] = malloc(kk->n * sizeof(int));
		if (!lat->allowed[k]) {
			st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
			goto done;
		}
		memcpy(lat->allowed[k], kk->z, kk->n * sizeof(int));
	}
	{
		double tol = 10 * symprec + 1e-6;
		size_t n_ops = 0;
		for (int g = 0; g < ds->n_operations; g++) {
			int bad = 0;
			int (*r)[3] = ds->rotations[g];
			/* A slab operation must keep the open axis apart. */
			if (!pbc[2] && (r[2][0] || r[2][1] || r[0][2] || r[1][2]))
				continue;
			memcpy(lat->rot[n_ops], r, sizeof lat->rot[0]);
			memcpy(lat->trans[n_ops], ds->translations[g], sizeof lat->trans[0]);
			for (size_t b = 0; b < n_sites && !bad; b++) {
				double x[3];
				size_t k;
				int sh[3];
				for (int i = 0; i < 3; i++)
					x[i] = r[i][0] * sfrac[b][0] + r[i][1] * sfrac[b][1] +
					       r[i][2] * sfrac[b][2] + ds->translations[g][i];
				for (k = 0; k < n_sites; k++) {
					int per[3] = { 1, 1, 1 };
					if (site_types[k] == site_types[b] &&
					    frac_distance(prim, per, x, sfrac[k], sh) < tol)
						break;
				}
				if (k == n_sites) {
					bad = 1;
					break;
				}
				if (!pbc[2])
					sh[2] = 0;
				lat->op_site[n_ops * n_sites + b] = (int)k;
				memcpy(lat->op_shift[n_ops * n_sites + b], sh, sizeof sh);
			}
			if (!bad)
				n_ops++;
		}
		lat->n_ops = n_ops;
	}
	/* Symmetry-equivalent sites: the smallest index reachable. */
	for (size_t b = 0; b < n_sites; b++) {
		int m = (int)b;
		for (size_t g = 0; g < lat->n_ops; g++)
			if (lat->op_site[g * n_sites + b] < m)
				m = lat->op_site[g * n_sites + b];
		lat->equivalent[b] = m;
	}
	for (size_t b = 0; b < n_sites; b++)
		lat->equivalent[b] = lat->equivalent[lat->equivalent[b]];
	*out = lat;
	lat = NULL;
done:
	if (ds)
		spg_free_dataset(ds);
	cewb_lattice_free(lat);
	free(kinds);
	free(kl);
	free(types);
	free(site_of);
	free(frac);
	free(t);
	free(sfrac);
	free(site_types);
	return st;
}

/* ---- supercells ---- */

void cewb_supercell_free(cewb_supercell *sc)
{
	if (!sc)
		return;
	free(sc->atom_of);
	free(sc->site_of);
	free(sc->cell_of);
	free(sc->offset_of);
	free(sc);
}

/* Hermite normal form (lower triangular, positive diagonal) of the row
 * lattice of P. */
static void hermite(const int P[3][3], int H[3][3])
{
	long m[3][3];
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			m[i][j] = P[i][j];
	/* Column 2: gcd into row 2; column 1: gcd of rows 0, 1 into row 1. */
	for (int col = 2; col >= 1; col--) {
		for (int r = 0; r < col; r++) {
			long *a = m[col], *b = m[r];
			while (b[col] != 0) {
				long q = a[col] / b[col];
				for (int j = 0; j < 3; j++) {
					long x = a[j] - q * b[j];
					a[j] = b[j];
					b[j] = x;
				}
			}
		}
	}
	for (int i = 0; i < 3; i++)
		if (m[i][i] < 0)
			for (int j = 0; j < 3; j++)
				m[i][j] = -m[i][j];
	/* Reduce the entries below the diagonal. */
	for (int i = 1; i < 3; i++)
		for (int k = i - 1; k >= 0; k--) {
			long q = m[i][k] / m[k][k];
			if (m[i][k] - q * m[k][k] < 0)
				q--;
			for (int j = 0; j < 3; j++)
				m[i][j] -= q * m[k][j];
		}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			H[i][j] = (int)m[i][j];
}

static long floordiv(long a, long b)
{
	long q = a / b;
	if ((a % b != 0) && ((a < 0) != (b < 0)))
		q--;
	return q;
}

size_t cewb_supercell_cell_index(const cewb_supercell *sc, const int n[3])
{
	const int(*H)[3] = (const int(*)[3])sc->H;
	long v[3] = { n[0], n[1], n[2] };
	for (int i = 2; i >= 0; i--) {
		long q = floordiv(v[i], H[i][i]);
		for (int j = 0; j <= i; j++)
			v[j] -= q * H[i][j];
	}
	return (size_t)(v[0] + (long)H[0][0] * (v[1] + (long)H[1][1] * v[2]));
}

/* Allocate a supercell of matrix P (its tables unfilled but offsets). */
static cewb_status supercell_alloc(const cewb_lattice *lat, const int P[3][3],
				   cewb_supercell **out, cewb_error *err)
{
	long det = det3i(P);
	cewb_supercell *sc;
	size_t nc;
	if (det == 0)
		CEWB_RAISE(err, CEWB_ENOFIT, "the supercell matrix is singular");
	nc = (size_t)(det < 0 ? -det : det);
	if (nc > 100000000 / (lat->n_sites ? lat->n_sites : 1))
		CEWB_RAISE(err, CEWB_EINVAL, "supercell of %zu cells is too large", nc);
	sc = calloc(1, sizeof *sc);
	if (!sc)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	memcpy(sc->P, P, sizeof sc->P);
	hermite(P, sc->H);
	sc->n_cells = nc;
	sc->n_sites = lat->n_sites;
	sc->n_atoms = nc * lat->n_sites;
	sc->atom_of = malloc(sc->n_atoms * sizeof *sc->atom_of);
	sc->site_of = malloc(sc->n_atoms * sizeof *sc->site_of);
	sc->cell_of = malloc(sc->n_atoms * sizeof *sc->cell_of);
	sc->offset_of = malloc(nc * sizeof *sc->offset_of);
	if (!sc->atom_of || !sc->site_of || !sc->cell_of || !sc->offset_of) {
		cewb_supercell_free(sc);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	for (int c = 0; c < sc->H[2][2]; c++)
		for (int b = 0; b < sc->H[1][1]; b++)
			for (int a = 0; a < sc->H[0][0]; a++) {
				size_t idx = (size_t)a + (size_t)sc->H[0][0] *
								 ((size_t)b + (size_t)sc->H[1][1] * c);
				sc->offset_of[idx][0] = a;
				sc->offset_of[idx][1] = b;
				sc->offset_of[idx][2] = c;
			}
	*out = sc;
	return CEWB_OK;
}

cewb_status cewb_supercell_from_matrix(const cewb_lattice *lat, const int P[3][3],
				       cewb_supercell **out, cewb_error *err)
{
	cewb_supercell *sc;
	cewb_status st = supercell_alloc(lat, P, &sc, err);
	if (st)
		return st;
	for (size_t c = 0; c < sc->n_cells; c++)
		for (size_t b = 0; b < sc->n_sites; b++) {
			size_t a = c * sc->n_sites + b;
			sc->atom_of[b * sc->n_cells + c] = (int)a;
			sc->site_of[a] = (int)b;
			sc->cell_of[a] = (int)c;
		}
	*out = sc;
	return CEWB_OK;
}

cewb_status cewb_supercell_match(const cewb_lattice *lat, const cewb_structure *s, double tol,
				 cewb_supercell **out, cewb_error *err)
{
	const char *src = s->source ? s->source : "structure";
	double Pr[3][3];
	int P[3][3];
	cewb_supercell *sc = NULL;
	cewb_status st;
	int slab = !lat->pbc[2];

	if (tol <= 0)
		tol = 1e-3;
	if (s->pbc[0] != lat->pbc[0] || s->pbc[1] != lat->pbc[1] || (!s->pbc[2]) != slab)
		CEWB_RAISE(err, CEWB_ENOFIT,
			   "%s: frame %zu: pbc %c %c %c differ from the lattice's %c %c %c", src,
			   s->frame, s->pbc[0] ? 'T' : 'F', s->pbc[1] ? 'T' : 'F',
			   s->pbc[2] ? 'T' : 'F', lat->pbc[0] ? 'T' : 'F', lat->pbc[1] ? 'T' : 'F',
			   lat->pbc[2] ? 'T' : 'F');
	for (int i = 0; i < 3; i++)
		v3_mat(s->cell[i], lat->inv, Pr[i]);
	if (slab) {
		/* The open direction is not repeated: only a and b are checked. */
		Pr[2][0] = Pr[2][1] = 0.0;
		Pr[2][2] = 1.0;
	}
	for (int i = 0; i < 3; i++) {
		double d[3], x[3];
		for (int j = 0; j < 3; j++) {
			if (!isfinite(Pr[i][j]) || fabs(Pr[i][j]) > 1e6)
				CEWB_RAISE(err, CEWB_ENOFIT, "%s: frame %zu: bad cell", src, s->frame);
			P[i][j] = (int)lround(Pr[i][j]);
			d[j] = Pr[i][j] - P[i][j];
		}
		v3_frac_cart(lat->cell, d, x);
		if (v3_norm(x) > tol)
			CEWB_RAISE(err, CEWB_ENOFIT,
				   "%s: frame %zu: cell vector %c is not a lattice vector (off by "
				   "%.3g Å)", src, s->frame, "abc"[i], v3_norm(x));
	}
	if (det3i(P) == 0)
		CEWB_RAISE(err, CEWB_ENOFIT, "%s: frame %zu: the cell has zero volume", src,
			   s->frame);
	if ((st = supercell_alloc(lat, (const int(*)[3])P, &sc, err)))
		return st;
	if (sc->n_atoms != s->n_atoms) {
		size_t want = sc->n_atoms;
		cewb_supercell_free(sc);
		CEWB_RAISE(err, CEWB_ENOFIT,
			   "%s: frame %zu: %zu atoms, but a %zu-cell supercell has %zu sites "
			   "(vacancies must be written as X)", src, s->frame, s->n_atoms,
			   want / lat->n_sites, want);
	}
	for (size_t k = 0; k < sc->n_atoms; k++)
		sc->atom_of[k] = -1;
	for (size_t a = 0; a < s->n_atoms; a++) {
		double f[3];
		size_t b;
		int sh[3] = { 0, 0, 0 };
		v3_mat(s->pos[a], lat->inv, f);
		for (b = 0; b < lat->n_sites; b++)
			if (frac_distance(lat->cell, lat->pbc, f, lat->frac[b], sh) < tol)
				break;
		if (b == lat->n_sites) {
			cewb_supercell_free(sc);
			CEWB_RAISE(err, CEWB_ENOFIT,
				   "%s: frame %zu: atom %zu at (%.4f, %.4f, %.4f) is not on a "
				   "lattice site (try --map)", src, s->frame, a, s->pos[a][0],
				   s->pos[a][1], s->pos[a][2]);
		}
		{
			size_t c = cewb_supercell_cell_index(sc, sh);
			int *slot = &sc->atom_of[b * sc->n_cells + c];
			if (*slot >= 0) {
				int other = *slot;
				cewb_supercell_free(sc);
				CEWB_RAISE(err, CEWB_ENOFIT,
					   "%s: frame %zu: atoms %d and %zu sit on the same site",
					   src, s->frame, other, a);
			}
			*slot = (int)a;
			sc->site_of[a] = (int)b;
			sc->cell_of[a] = (int)c;
		}
	}
	*out = sc;
	return CEWB_OK;
}

cewb_structure *cewb_supercell_structure(const cewb_lattice *lat, const cewb_supercell *sc,
					 const int *numbers)
{
	cewb_structure *s = cewb_structure_alloc(sc->n_atoms);
	if (!s)
		return NULL;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			s->cell[i][j] = sc->P[i][0] * lat->cell[0][j] +
					sc->P[i][1] * lat->cell[1][j] + sc->P[i][2] * lat->cell[2][j];
	for (int i = 0; i < 3; i++)
		s->pbc[i] = lat->pbc[i];
	for (size_t a = 0; a < sc->n_atoms; a++) {
		int b = sc->site_of[a];
		const int *o = sc->offset_of[sc->cell_of[a]];
		double f[3] = { lat->frac[b][0] + o[0], lat->frac[b][1] + o[1],
				lat->frac[b][2] + o[2] };
		v3_frac_cart(lat->cell, f, s->pos[a]);
		s->numbers[a] = numbers ? numbers[a] : lat->allowed[b][0];
	}
	return s;
}
