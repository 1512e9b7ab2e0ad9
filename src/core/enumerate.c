/*
 * enumerate.c - derivative structures of a lattice (Hart-Forcade).
 *
 * For each size n: the Hermite normal forms of determinant n, kept when
 * smallest in their orbit under the lattice's rotations; for each kept
 * supercell, the group G of atom permutations made of its translations
 * combined with the space-group operations that keep it.  Decorations are
 * numbers in a mixed radix (atom 0 most significant); walking them in
 * increasing order, the first one not yet seen is the smallest of its
 * orbit: it is kept unless superperiodic, and its whole orbit is marked in
 * a bit set.  Each permutation acts on a decoration number through a table
 * of weights, so an image costs one pass over the atoms.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "cewb/enumerate.h"

/* Slack on concentration limits, for fractions such as 1/3 typed as 0.333. */
#define LIMIT_SLACK 1e-9
/* Poll the interrupt flag every this many decorations. */
#define POLL_EVERY 65536

/* ---- integer matrices ---- */

/* Greatest common divisor (>= 0). */
static long gcdl(long a, long b)
{
	if (a < 0)
		a = -a;
	if (b < 0)
		b = -b;
	while (b) {
		long t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Floor of a / b for b > 0. */
static long floordiv(long a, long b)
{
	long q = a / b;
	if (a % b != 0 && a < 0)
		q--;
	return q;
}

/* Determinant of an integer matrix. */
static long det3l(const long m[3][3])
{
	return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
	       m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
	       m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/*
 * Hermite normal form of the row lattice of a nonsingular M: lower
 * triangular, positive diagonal, 0 <= H[i][k] < H[k][k] for k < i.
 */
static void hnf_of(const long M[3][3], long H[3][3])
{
	long m[3][3];
	memcpy(m, M, sizeof m);
	/* Euclid on column j among rows 0..j gathers their gcd in row j. */
	for (int j = 2; j >= 1; j--)
		for (int r = 0; r < j; r++)
			while (m[r][j] != 0) {
				long q = m[j][j] / m[r][j];
				for (int k = 0; k < 3; k++) {
					long t = m[j][k] - q * m[r][k];
					m[j][k] = m[r][k];
					m[r][k] = t;
				}
			}
	for (int i = 0; i < 3; i++)
		if (m[i][i] < 0)
			for (int k = 0; k < 3; k++)
				m[i][k] = -m[i][k];
	for (int i = 1; i < 3; i++)
		for (int k = i - 1; k >= 0; k--) {
			long q = floordiv(m[i][k], m[k][k]);
			for (int j = 0; j < 3; j++)
				m[i][j] -= q * m[k][j];
		}
	memcpy(H, m, sizeof m);
}

/* Smith normal form diagonal from gcds of minors: d1 = gcd of entries,
 * d1 d2 = gcd of 2x2 minors, d1 d2 d3 = |det|. */
void cewb_enum_smith(const int M[3][3], int d[3])
{
	long m[3][3], g1 = 0, g2 = 0, det;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			m[i][j] = M[i][j];
			g1 = gcdl(g1, m[i][j]);
		}
	for (int r0 = 0; r0 < 3; r0++)
		for (int r1 = r0 + 1; r1 < 3; r1++)
			for (int c0 = 0; c0 < 3; c0++)
				for (int c1 = c0 + 1; c1 < 3; c1++)
					g2 = gcdl(g2, m[r0][c0] * m[r1][c1] -
							      m[r0][c1] * m[r1][c0]);
	det = det3l(m);
	if (det < 0)
		det = -det;
	d[0] = (int)g1;
	d[1] = g1 ? (int)(g2 / g1) : 0;
	d[2] = g2 ? (int)(det / g2) : 0;
}

/* Order of Hermite normal forms: (a, b, c, d, e, f) lexicographic. */
static int hnf_cmp(const long A[3][3], const long B[3][3])
{
	static const int key[6][2] = { { 0, 0 }, { 1, 0 }, { 1, 1 }, { 2, 0 }, { 2, 1 }, { 2, 2 } };
	for (int k = 0; k < 6; k++) {
		long x = A[key[k][0]][key[k][1]], y = B[key[k][0]][key[k][1]];
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* Image of the row lattice H under rotation R (acting on columns): rows
 * (R h^T)^T, brought to Hermite normal form. */
static void hnf_rotate(const int R[3][3], const long H[3][3], long out[3][3])
{
	long m[3][3];
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			m[i][j] = R[j][0] * H[i][0] + R[j][1] * H[i][1] + R[j][2] * H[i][2];
	hnf_of(m, out);
}

size_t cewb_enum_count_hnf(size_t n, int slab)
{
	size_t count = 0;
	for (size_t a = 1; a <= n; a++) {
		if (n % a)
			continue;
		for (size_t c = 1; c <= n / a; c++) {
			size_t f;
			if ((n / a) % c)
				continue;
			f = n / a / c;
			if (slab)
				count += f == 1 ? a : 0;
			else
				count += a * a * c;
		}
	}
	return count;
}

/* ---- the run ---- */

/* What the enumeration of one size range needs about the lattice. */
struct setup {
	const cewb_lattice *lat;
	size_t n_sites;
	size_t *radix;          /* n_sites: species allowed after the filter */
	int **spec;             /* n_sites lists of atomic numbers (owned) */
	int n_elem;             /* distinct species on the lattice */
	int *elem;              /* their atomic numbers, ascending */
	int **elem_of;          /* n_sites lists: element index of each choice */
	double *lo, *hi;        /* n_elem limits (fractions) */
	int identity;           /* index of the identity operation */
};

/* Free what setup_init allocated. */
static void setup_free(struct setup *su)
{
	if (su->spec)
		for (size_t b = 0; b < su->n_sites; b++)
			free(su->spec[b]);
	if (su->elem_of)
		for (size_t b = 0; b < su->n_sites; b++)
			free(su->elem_of[b]);
	free(su->spec);
	free(su->elem_of);
	free(su->radix);
	free(su->elem);
	free(su->lo);
	free(su->hi);
}

/* qsort order of ints. */
static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Index of species z among the species of the run, or -1. */
static int elem_index(const struct setup *su, int z)
{
	for (int k = 0; k < su->n_elem; k++)
		if (su->elem[k] == z)
			return k;
	return -1;
}

/* Element symbol of z for messages. */
static const char *sym(int z)
{
	const char *s = cewb_element_symbol(z);
	return s ? s : "?";
}

/* Check the options and fill the per-site species and the limits. */
static cewb_status setup_init(const cewb_lattice *lat, const cewb_enum_options *opt,
			      struct setup *su, cewb_error *err)
{
	size_t nb = lat->n_sites, n_active = 0;

	memset(su, 0, sizeof *su);
	su->lat = lat;
	su->n_sites = nb;
	su->identity = -1;
	if (!lat->pbc[0] || !lat->pbc[1])
		CEWB_RAISE(err, CEWB_EINVAL,
			   "enumeration needs a lattice periodic along a and b (bulk or slab)");
	if (opt->min_size < 1 || opt->max_size < opt->min_size)
		CEWB_RAISE(err, CEWB_EINVAL, "bad size range %zu-%zu (need 1 <= min <= max)",
			   opt->min_size, opt->max_size);
	for (size_t k = 0; k < opt->n_species; k++) {
		size_t b, j;
		for (b = 0; b < nb; b++) {
			for (j = 0; j < lat->n_allowed[b]; j++)
				if (lat->allowed[b][j] == opt->species[k])
					break;
			if (j < lat->n_allowed[b])
				break;
		}
		if (b == nb)
			CEWB_RAISE(err, CEWB_EINVAL,
				   "species '%s' is not allowed on any site of the lattice",
				   sym(opt->species[k]));
	}
	su->radix = calloc(nb, sizeof *su->radix);
	su->spec = calloc(nb, sizeof *su->spec);
	su->elem_of = calloc(nb, sizeof *su->elem_of);
	if (!su->radix || !su->spec || !su->elem_of)
		goto nomem;
	for (size_t b = 0; b < nb; b++) {
		size_t m = 0;
		su->spec[b] = malloc((lat->n_allowed[b] + 1) * sizeof **su->spec);
		su->elem_of[b] = malloc((lat->n_allowed[b] + 1) * sizeof **su->elem_of);
		if (!su->spec[b] || !su->elem_of[b])
			goto nomem;
		for (size_t j = 0; j < lat->n_allowed[b]; j++) {
			int z = lat->allowed[b][j], keep = !opt->n_species;
			for (size_t k = 0; k < opt->n_species; k++)
				keep |= opt->species[k] == z;
			/* A site with one species keeps it whatever the filter. */
			if (keep || lat->n_allowed[b] == 1)
				su->spec[b][m++] = z;
		}
		if (m == 0)
			CEWB_RAISE(err, CEWB_EINVAL, "site %zu allows none of the species given",
				   b);
		su->radix[b] = m;
		n_active += m > 1;
	}
	if (!n_active)
		CEWB_RAISE(err, CEWB_EINVAL, "nothing to enumerate: no site allows two species");
	/* Distinct species, ascending. */
	{
		size_t cap = 0;
		int *all;
		for (size_t b = 0; b < nb; b++)
			cap += su->radix[b];
		all = malloc(cap * sizeof *all);
		if (!all)
			goto nomem;
		cap = 0;
		for (size_t b = 0; b < nb; b++)
			for (size_t j = 0; j < su->radix[b]; j++)
				all[cap++] = su->spec[b][j];
		qsort(all, cap, sizeof *all, cmp_int);
		su->elem = malloc(cap * sizeof *su->elem);
		if (!su->elem) {
			free(all);
			goto nomem;
		}
		for (size_t i = 0; i < cap; i++)
			if (i == 0 || all[i] != all[i - 1])
				su->elem[su->n_elem++] = all[i];
		free(all);
	}
	for (size_t b = 0; b < nb; b++)
		for (size_t j = 0; j < su->radix[b]; j++)
			su->elem_of[b][j] = elem_index(su, su->spec[b][j]);
	su->lo = malloc(su->n_elem * sizeof *su->lo);
	su->hi = malloc(su->n_elem * sizeof *su->hi);
	if (!su->lo || !su->hi)
		goto nomem;
	for (int k = 0; k < su->n_elem; k++) {
		su->lo[k] = 0.0;
		su->hi[k] = 1.0;
	}
	for (size_t k = 0; k < opt->n_limits; k++) {
		const cewb_enum_limit *l = &opt->limits[k];
		int e = elem_index(su, l->z);
		if (e < 0)
			CEWB_RAISE(err, CEWB_EINVAL,
				   "concentration limit on '%s', which is not a species of the "
				   "enumeration", sym(l->z));
		if (!(l->lo >= 0.0 && l->hi <= 1.0 && l->lo <= l->hi))
			CEWB_RAISE(err, CEWB_EINVAL,
				   "concentration limit %g:%g on '%s' is not a range in [0, 1]",
				   l->lo, l->hi, sym(l->z));
		if (l->lo > su->lo[e])
			su->lo[e] = l->lo;
		if (l->hi < su->hi[e])
			su->hi[e] = l->hi;
	}
	for (size_t g = 0; g < lat->n_ops; g++) {
		int id = 1;
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++)
				id &= lat->rot[g][i][j] == (i == j);
		for (size_t b = 0; b < nb && id; b++) {
			const int *sh = lat->op_shift[g * nb + b];
			id &= lat->op_site[g * nb + b] == (int)b && !sh[0] && !sh[1] && !sh[2];
		}
		if (id) {
			su->identity = (int)g;
			break;
		}
	}
	if (su->identity < 0)
		CEWB_RAISE(err, CEWB_ESYMMETRY, "the lattice has no identity operation");
	return CEWB_OK;
nomem:
	CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
}

/* Growing output. */
struct sink {
	cewb_enum_result *r;
	size_t cap;
};

/* Keep one structure (numbers is then owned by the result). */
static cewb_status sink_push(struct sink *k, size_t size, const long H[3][3], size_t hnf_index,
			     size_t n_atoms, int *numbers)
{
	cewb_enum_item *it;
	if (k->r->n == k->cap) {
		size_t nc = k->cap ? 2 * k->cap : 64;
		cewb_enum_item *ni = realloc(k->r->items, nc * sizeof *ni);
		if (!ni)
			return CEWB_ENOMEM;
		k->r->items = ni;
		k->cap = nc;
	}
	it = &k->r->items[k->r->n++];
	memset(it, 0, sizeof *it);
	it->size = size;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			it->H[i][j] = (int)H[i][j];
	cewb_enum_smith(it->H, it->snf);
	it->hnf_index = hnf_index;
	it->n_atoms = n_atoms;
	it->numbers = numbers;
	return CEWB_OK;
}

/* Work space of one supercell. */
struct cellwork {
	size_t n_atoms, n_perm;
	uint64_t *weight;       /* n_atoms: place value of each atom's digit */
	uint64_t *pw;           /* n_perm x n_atoms: weight of the image atom */
	size_t n_trans;         /* the first n_trans permutations are pure translations */
	uint64_t *seen;         /* bit set over decorations */
	int *digit;             /* n_atoms */
	int *fixed_count;       /* n_elem: atoms on sites with one species */
	int *count;             /* n_elem */
};

/* Free a supercell's work space. */
static void cellwork_free(struct cellwork *w)
{
	free(w->weight);
	free(w->pw);
	free(w->seen);
	free(w->digit);
	free(w->fixed_count);
	free(w->count);
}

/*
 * Enumerate the decorations of one supercell H (stab: the operations that
 * keep it, n_stab of them, identity first).
 */
static cewb_status do_cell(const struct setup *su, const cewb_enum_options *opt, size_t size,
			   const long H[3][3], size_t hnf_index, const int *stab, size_t n_stab,
			   struct sink *out, cewb_error *err)
{
	const cewb_lattice *lat = su->lat;
	size_t nb = su->n_sites, nc = size, na = nc * nb;
	cewb_supercell *sc = NULL;
	struct cellwork w;
	uint64_t total = 1;
	cewb_status st = CEWB_OK;
	int P[3][3];

	memset(&w, 0, sizeof w);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			P[i][j] = (int)H[i][j];
	for (size_t b = 0; b < nb; b++)
		for (size_t c = 0; c < nc; c++) {
			if (total > CEWB_ENUM_MAX_LABELINGS / su->radix[b])
				CEWB_RAISE(err, CEWB_EINVAL,
					   "size %zu has more than %lu decorations per supercell: "
					   "too large to enumerate", size,
					   (unsigned long)CEWB_ENUM_MAX_LABELINGS);
			total *= su->radix[b];
		}
	st = cewb_supercell_from_matrix(lat, P, &sc, err);
	if (st)
		return st;
	w.n_atoms = na;
	w.n_trans = nc;
	w.n_perm = nc * n_stab;
	w.weight = malloc(na * sizeof *w.weight);
	w.pw = malloc(w.n_perm * na * sizeof *w.pw);
	w.seen = calloc((size_t)(total / 64 + 1), sizeof *w.seen);
	w.digit = calloc(na, sizeof *w.digit);
	w.fixed_count = calloc((size_t)su->n_elem, sizeof *w.fixed_count);
	w.count = calloc((size_t)su->n_elem, sizeof *w.count);
	if (!w.weight || !w.pw || !w.seen || !w.digit || !w.fixed_count || !w.count) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto done;
	}
	/* Atom a = cell * nb + site; atom 0 most significant. */
	{
		uint64_t pv = 1;
		for (size_t a = na; a-- > 0;) {
			size_t b = a % nb;
			w.weight[a] = pv;
			pv *= su->radix[b];
			if (su->radix[b] == 1)
				w.fixed_count[su->elem_of[b][0]]++;
		}
	}
	/* Permutation (translation t) o (operation g), g = stab[0] the identity
	 * so that the first nc permutations are the translations. */
	for (size_t gi = 0; gi < n_stab; gi++) {
		int g = stab[gi];
		const int(*R)[3] = (const int(*)[3])lat->rot[g];
		for (size_t c = 0; c < nc; c++) {
			const int *o = sc->offset_of[c];
			for (size_t b = 0; b < nb; b++) {
				const int *sh = lat->op_shift[(size_t)g * nb + b];
				int b2 = lat->op_site[(size_t)g * nb + b];
				int v[3];
				for (int i = 0; i < 3; i++)
					v[i] = R[i][0] * o[0] + R[i][1] * o[1] + R[i][2] * o[2] +
					       sh[i];
				for (size_t t = 0; t < nc; t++) {
					const int *ot = sc->offset_of[t];
					int u[3] = { v[0] + ot[0], v[1] + ot[1], v[2] + ot[2] };
					size_t c2 = cewb_supercell_cell_index(sc, u);
					size_t p = gi * nc + t;
					w.pw[p * na + c * nb + b] = w.weight[c2 * nb + (size_t)b2];
				}
			}
		}
	}
	/* Walk the decorations in increasing order (odometer on digits). */
	for (uint64_t idx = 0; idx < total; idx++) {
		if (idx) {
			for (size_t a = na; a-- > 0;) {
				if (++w.digit[a] < (int)su->radix[a % nb])
					break;
				w.digit[a] = 0;
			}
		}
		if ((idx & (POLL_EVERY - 1)) == 0 && cewb_interrupt_flag) {
			st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
			goto done;
		}
		if (w.seen[idx >> 6] >> (idx & 63) & 1)
			continue;
		/* Concentration: an orbit shares it, so a miss skips the orbit. */
		{
			int ok = 1;
			memcpy(w.count, w.fixed_count, (size_t)su->n_elem * sizeof *w.count);
			for (size_t a = 0; a < na; a++)
				if (su->radix[a % nb] > 1)
					w.count[su->elem_of[a % nb][w.digit[a]]]++;
			for (int e = 0; e < su->n_elem && ok; e++) {
				double x = (double)w.count[e] / (double)na;
				ok = x >= su->lo[e] - LIMIT_SLACK && x <= su->hi[e] + LIMIT_SLACK;
			}
			if (!ok)
				continue;
		}
		/* Mark the orbit; superperiodic when a translation fixes it. */
		{
			int super = 0;
			for (size_t p = 0; p < w.n_perm; p++) {
				const uint64_t *pw = w.pw + p * na;
				uint64_t j = 0;
				for (size_t a = 0; a < na; a++)
					j += (uint64_t)w.digit[a] * pw[a];
				if (p > 0 && p < w.n_trans && j == idx)
					super = 1;
				w.seen[j >> 6] |= (uint64_t)1 << (j & 63);
			}
			if (!super && opt->count_only) {
				out->r->n++;
			} else if (!super) {
				int *numbers;
				size_t mx = opt->max_structures;
				if (mx && out->r->n >= mx) {
					st = cewb_error_set(err, CEWB_EINVAL, "more than %zu "
							    "structures: narrow the sizes or the "
							    "concentrations", mx);
					goto done;
				}
				numbers = malloc(na * sizeof *numbers);
				if (!numbers) {
					st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
					goto done;
				}
				for (size_t a = 0; a < na; a++)
					numbers[a] = su->spec[a % nb][w.digit[a]];
				if (sink_push(out, size, H, hnf_index, na, numbers)) {
					free(numbers);
					st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
					goto done;
				}
			}
		}
	}
done:
	cellwork_free(&w);
	cewb_supercell_free(sc);
	return st;
}

void cewb_enum_result_free(cewb_enum_result *r)
{
	if (!r)
		return;
	for (size_t i = 0; r->items && i < r->n; i++)
		free(r->items[i].numbers);
	free(r->items);
	free(r->n_by_size);
	free(r->n_hnf_by_size);
	free(r->species);
	free(r);
}

/* Is H the smallest of its images under the lattice's rotations? */
static int hnf_is_rep(const cewb_lattice *lat, const long H[3][3])
{
	for (size_t g = 0; g < lat->n_ops; g++) {
		long I[3][3];
		hnf_rotate((const int(*)[3])lat->rot[g], H, I);
		if (hnf_cmp(I, H) < 0)
			return 0;
	}
	return 1;
}

/* A growing list of Hermite normal forms. */
struct hnf_list {
	long (*h)[3][3];
	size_t n, cap;
};

/* Append H; nonzero when out of memory. */
static int hnf_push(struct hnf_list *l, const long H[3][3])
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? 2 * l->cap : 16;
		long (*nh)[3][3] = realloc(l->h, nc * sizeof *nh);
		if (!nh)
			return 1;
		l->h = nh;
		l->cap = nc;
	}
	memcpy(l->h[l->n++], H, sizeof l->h[0]);
	return 0;
}

/* The representatives of determinant n in the order (a, b, c, d, e, f). */
static int hnf_reps(const cewb_lattice *lat, long n, struct hnf_list *l)
{
	int slab = !lat->pbc[2];
	for (long a = 1; a <= n; a++)
		for (long b = 0; b < a && n % a == 0; b++)
			for (long c = 1; c <= n / a; c++) {
				long f = n / a / c;
				if (n / a % c || (slab && f != 1))
					continue;
				for (long d = 0; d < (slab ? 1 : a); d++)
					for (long e = 0; e < (slab ? 1 : c); e++) {
						long H[3][3] = { { a, 0, 0 }, { b, c, 0 },
								 { d, e, f } };
						if (hnf_is_rep(lat, H) && hnf_push(l, H))
							return 1;
					}
			}
	return 0;
}

/* Enumerate every representative supercell of size n. */
static cewb_status do_size(const struct setup *su, const cewb_enum_options *opt, size_t n,
			   struct sink *out, size_t *n_hnf_out, cewb_error *err)
{
	const cewb_lattice *lat = su->lat;
	int *stab = malloc((lat->n_ops + 1) * sizeof *stab);
	struct hnf_list l = { NULL, 0, 0 };
	long (*reps)[3][3];
	size_t n_reps;
	cewb_status st = CEWB_OK;

	if (!stab || hnf_reps(lat, (long)n, &l)) {
		free(stab);
		free(l.h);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	reps = l.h;
	n_reps = l.n;
	*n_hnf_out = n_reps;
	for (size_t k = 0; k < n_reps; k++) {
		size_t n_stab = 0;
		if (cewb_interrupt_flag) {
			st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
			goto done;
		}
		if (opt->progress &&
		    opt->progress(opt->progress_data, n, k, n_reps, out->r->n)) {
			st = cewb_error_set(err, CEWB_EINTERRUPT, "enumeration stopped");
			goto done;
		}
		stab[n_stab++] = su->identity;
		for (size_t g = 0; g < lat->n_ops; g++) {
			long I[3][3];
			if ((int)g == su->identity)
				continue;
			hnf_rotate((const int(*)[3])lat->rot[g], reps[k], I);
			if (hnf_cmp(I, reps[k]) == 0)
				stab[n_stab++] = (int)g;
		}
		st = do_cell(su, opt, n, (const long(*)[3])reps[k], k, stab, n_stab, out, err);
		if (st)
			goto done;
	}
done:
	free(reps);
	free(stab);
	return st;
}

cewb_status cewb_enum_run(const cewb_lattice *lat, const cewb_enum_options *opt,
			  cewb_enum_result **out, cewb_error *err)
{
	struct setup su;
	struct sink sink;
	cewb_enum_result *r;
	cewb_status st;
	size_t n_sizes;

	st = setup_init(lat, opt, &su, err);
	if (st) {
		setup_free(&su);
		return st;
	}
	n_sizes = opt->max_size - opt->min_size + 1;
	r = calloc(1, sizeof *r);
	if (r) {
		r->n_by_size = calloc(n_sizes, sizeof *r->n_by_size);
		r->n_hnf_by_size = calloc(n_sizes, sizeof *r->n_hnf_by_size);
	}
	if (!r || !r->n_by_size || !r->n_hnf_by_size) {
		cewb_enum_result_free(r);
		setup_free(&su);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	r->min_size = opt->min_size;
	r->max_size = opt->max_size;
	r->species = malloc((size_t)su.n_elem * sizeof *r->species);
	if (!r->species) {
		cewb_enum_result_free(r);
		setup_free(&su);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	memcpy(r->species, su.elem, (size_t)su.n_elem * sizeof *r->species);
	r->n_species = (size_t)su.n_elem;
	sink.r = r;
	sink.cap = 0;
	for (size_t n = opt->min_size; n <= opt->max_size; n++) {
		size_t before = r->n;
		st = do_size(&su, opt, n, &sink, &r->n_hnf_by_size[n - opt->min_size], err);
		if (st)
			break;
		r->n_by_size[n - opt->min_size] = r->n - before;
	}
	setup_free(&su);
	if (st) {
		cewb_enum_result_free(r);
		return st;
	}
	*out = r;
	return CEWB_OK;
}

/* "1 0 0 0 1 0 0 0 1": n integers separated by blanks. */
static void int_text(const int *v, size_t n, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, i ? " %d" : "%d", v[i]);
}

/* Set an integer info value (written without a decimal point). */
static cewb_status set_info_int(cewb_structure *s, const char *key, size_t v, cewb_error *err)
{
	cewb_status st = cewb_structure_set_info_real(s, key, (double)v, err);
	if (!st) {
		cewb_info *in = (cewb_info *)cewb_structure_info(s, key);
		in->type = CEWB_VALUE_INT;
	}
	return st;
}

/* Dot product. */
static double dot3(const double a[3], const double b[3])
{
	return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/* Cartesian vector of row r of P. */
static void row_cart(const cewb_lattice *lat, const long r[3], double v[3])
{
	for (int j = 0; j < 3; j++)
		v[j] = (double)r[0] * lat->cell[0][j] + (double)r[1] * lat->cell[1][j] +
		       (double)r[2] * lat->cell[2][j];
}

void cewb_enum_reduce_cell(const cewb_lattice *lat, const int H[3][3], int P[3][3])
{
	int nr = lat->pbc[2] ? 3 : 2;
	long m[3][3];
	double v[3][3], len[3];
	int changed = 1;

	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			m[i][j] = H[i][j];
	for (int i = 0; i < 3; i++) {
		row_cart(lat, m[i], v[i]);
		len[i] = dot3(v[i], v[i]);
	}
	/* Every step shortens a vector by a finite amount: it ends. */
	for (int iter = 0; changed && iter < 1000; iter++) {
		changed = 0;
		for (int i = 0; i < nr; i++)
			for (int j = 0; j < nr; j++) {
				double x;
				long q;
				if (i == j)
					continue;
				x = dot3(v[i], v[j]) / len[j];
				if (x > -0.5 - 1e-9 && x < 0.5 + 1e-9)
					continue;
				q = (long)floor(x + 0.5);
				for (int k = 0; k < 3; k++)
					m[i][k] -= q * m[j][k];
				row_cart(lat, m[i], v[i]);
				len[i] = dot3(v[i], v[i]);
				changed = 1;
			}
		for (int i = 0; i < nr && nr == 3; i++) {
			int j = (i + 1) % 3, k = (i + 2) % 3;
			for (int sj = -1; sj <= 1; sj += 2)
				for (int sk = -1; sk <= 1; sk += 2) {
					double w[3];
					for (int c = 0; c < 3; c++)
						w[c] = v[i][c] + sj * v[j][c] + sk * v[k][c];
					if (dot3(w, w) < len[i] * (1 - 1e-9)) {
						for (int c = 0; c < 3; c++)
							m[i][c] += sj * m[j][c] + sk * m[k][c];
						row_cart(lat, m[i], v[i]);
						len[i] = dot3(v[i], v[i]);
						changed = 1;
					}
				}
		}
	}
	/* Shortest first (stable for equal lengths). */
	for (int i = 1; i < nr; i++)
		for (int j = i; j > 0 && len[j] < len[j - 1] * (1 - 1e-9); j--) {
			long t[3];
			double tl = len[j];
			memcpy(t, m[j], sizeof t);
			memcpy(m[j], m[j - 1], sizeof t);
			memcpy(m[j - 1], t, sizeof t);
			len[j] = len[j - 1];
			len[j - 1] = tl;
		}
	if (det3l((const long(*)[3])m) < 0)
		for (int k = 0; k < 3; k++)
			m[0][k] = -m[0][k];
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			P[i][j] = (int)m[i][j];
}

cewb_structure *cewb_enum_structure(const cewb_lattice *lat, const cewb_enum_item *it,
				    size_t index, int reduce, cewb_error *err)
{
	cewb_supercell *sh = NULL, *sp = NULL;
	cewb_structure *s = NULL;
	int P[3][3], *z = NULL;
	double inv[3][3];
	char buf[160];
	cewb_status st;

	if (reduce)
		cewb_enum_reduce_cell(lat, it->H, P);
	else
		memcpy(P, it->H, sizeof P);
	st = cewb_supercell_from_matrix(lat, it->H, &sh, err);
	if (!st)
		st = cewb_supercell_from_matrix(lat, (const int(*)[3])P, &sp, err);
	if (st) {
		cewb_supercell_free(sh);
		return NULL;
	}
	if (sh->n_atoms != it->n_atoms) {
		cewb_error_set(err, CEWB_EINVAL, "structure %zu has %zu atoms, its supercell %zu",
			       index, it->n_atoms, sh->n_atoms);
		goto fail;
	}
	/* Each atom of the cell P takes the species of its (site, offset) in
	 * the numbering of H. */
	z = malloc(sp->n_atoms * sizeof *z);
	if (!z) {
		cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t a = 0; a < sp->n_atoms; a++) {
		size_t c = cewb_supercell_cell_index(sh, sp->offset_of[sp->cell_of[a]]);
		z[a] = it->numbers[c * lat->n_sites + (size_t)sp->site_of[a]];
	}
	s = cewb_supercell_structure(lat, sp, z);
	free(z);
	cewb_supercell_free(sh);
	cewb_supercell_free(sp);
	if (!s) {
		cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		return NULL;
	}
	/* Wrap positions into the cell along periodic directions. */
	if (cewb_cell_inverse(s->cell, inv, err)) {
		cewb_structure_free(s);
		return NULL;
	}
	for (size_t a = 0; a < s->n_atoms; a++) {
		double f[3];
		cewb_cart_to_frac(inv, s->pos[a], f);
		for (int i = 0; i < 3; i++)
			if (s->pbc[i]) {
				f[i] -= floor(f[i] + 1e-9);
				if (fabs(f[i]) < 1e-12)
					f[i] = 0.0;
			}
		cewb_frac_to_cart(s->cell, f, s->pos[a]);
	}
	st = set_info_int(s, "size", it->size, err);
	if (!st) {
		int_text(&it->H[0][0], 9, buf, sizeof buf);
		st = cewb_structure_set_info_string(s, "hnf", buf, err);
	}
	if (!st) {
		int_text(it->snf, 3, buf, sizeof buf);
		st = cewb_structure_set_info_string(s, "snf", buf, err);
	}
	if (!st) {
		int_text(&P[0][0], 9, buf, sizeof buf);
		st = cewb_structure_set_info_string(s, "supercell", buf, err);
	}
	if (!st)
		st = set_info_int(s, "hnf_index", it->hnf_index, err);
	if (!st)
		st = set_info_int(s, "index", index, err);
	if (st) {
		cewb_structure_free(s);
		return NULL;
	}
	return s;
fail:
	cewb_supercell_free(sh);
	cewb_supercell_free(sp);
	return NULL;
}
