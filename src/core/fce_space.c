/*
 * Force-constant cluster spaces (cewb/fce.h): clusters with repeated
 * sites, their orbits under the space group, the independent parameters of
 * each orbit's tensor, and the sum rules as a null-space basis.
 *
 * A cluster is a sorted tuple of n points (lattice sites with offsets);
 * equal points stand for repeated sites.  Its canonical form is the sorted
 * tuple translated so that its smallest point is in the home cell; in a
 * supercell space offsets are also reduced modulo the supercell, and the
 * canonical form is the smallest of the n candidates that put one of the
 * points in the home cell.  Tensors are stored with the Cartesian index of
 * the first point slowest: component (a1 .. an) at sum a_k 3^(n-1-k).
 *
 * Symmetry: operation g maps point p to g(p) (integer arithmetic,
 * lattice.h) and a tensor Phi of the tuple (p1 .. pn) to C^(x n) Phi of the
 * tuple (g p1 .. g pn), C = A^T R A^-T the Cartesian rotation (A: cell
 * rows).  The image tuple is then brought to canonical order by a
 * permutation of the positions.
 */
#include "config.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>
#include "cewb/fce.h"
#include "fce_internal.h"
#include "geom.h"

/* Pairs count as within a cutoff when d < cutoff + CUTOFF_TOL (as cewb/space.h). */
#define CUTOFF_TOL 2e-5
/* Radii and distances compare equal within this tolerance (Å). */
#define RADIUS_TOL 1e-5
/*
 * Null space of the symmetry constraints of one tensor: the constraint
 * matrix is I - P with P the average of the tensor images over the
 * stabilizer (an orthogonal projector), so its singular values are exactly
 * 0 or 1; rotations from a cell that is symmetric only within symprec
 * shift them by about 1e-5.  Anything below SYM_TOL is null.
 */
#define SYM_TOL 1e-3
/*
 * Sum rules: rows scaled to unit length, entries are crystallographic
 * numbers (0, 1/2, 1/sqrt 2, 1, ...).  Their null space comes from the
 * eigenvectors of the Gram matrix K^T K (one block per order): eigenvalues
 * below SUM_TOL^2 times the largest (singular values below SUM_TOL times
 * the largest) count as zero.  The eigenvalues carry an absolute error of
 * about n_free eps times the largest (2e-13 for 2000 parameters), well
 * below SUM_TOL^2 = 1e-10; genuine constraints of such rows lie far above.
 * Observed (fcc and hcp, orders 2-4, lattice and supercell spaces): kept
 * singular values >= 0.38 (largest about 3), zero ones <= 6e-8 (square
 * roots of eigenvalues at round-off, 4e-15); for the tensors: 1 and
 * <= 1.1e-15.
 */
#define SUM_TOL 1e-5
/* Entries of a reduced basis closer than this to zero are set to zero. */
#define SNAP_TOL 1e-12

/* ---- points and clusters ---- */

/* Points ordered by offset, then site. */
static int pt_cmp(const cewb_lsite *a, const cewb_lsite *b)
{
	for (int i = 0; i < 3; i++)
		if (a->off[i] != b->off[i])
			return a->off[i] < b->off[i] ? -1 : 1;
	return (a->site > b->site) - (a->site < b->site);
}

/* pt_cmp for qsort. */
static int pt_qcmp(const void *a, const void *b)
{
	return pt_cmp(a, b);
}

/* Equal points. */
static int pt_eq(const cewb_lsite *a, const cewb_lsite *b)
{
	return a->site == b->site && a->off[0] == b->off[0] && a->off[1] == b->off[1] &&
	       a->off[2] == b->off[2];
}

/* Tuples of n points, lexicographic. */
static int tuple_cmp(const cewb_lsite *a, const cewb_lsite *b, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		int c = pt_cmp(&a[k], &b[k]);
		if (c)
			return c;
	}
	return 0;
}

/* Cartesian position of a point. */
static void pt_pos(const cewb_lattice *lat, const cewb_lsite *p, double r[3])
{
	double f[3] = { lat->frac[p->site][0] + p->off[0], lat->frac[p->site][1] + p->off[1],
			lat->frac[p->site][2] + p->off[2] };
	v3_frac_cart(lat->cell, f, r);
}

/* Plain Euclidean distance between two points (no periodic images). */
static double pt_dist_plain(const cewb_lattice *lat, const cewb_lsite *p, const cewb_lsite *q)
{
	double rp[3], rq[3];
	pt_pos(lat, p, rp);
	pt_pos(lat, q, rq);
	return v3_dist(rp, rq);
}

/* A point reduced modulo the supercell (unchanged in a lattice space). */
static cewb_lsite pt_reduce(const cewb_fce_space *sp, cewb_lsite p)
{
	if (sp->supercell) {
		size_t c = cewb_supercell_cell_index(sp->sc, p.off);
		memcpy(p.off, sp->sc->offset_of[c], sizeof p.off);
	}
	return p;
}

/* Image of a point under lattice operation g. */
static cewb_lsite pt_apply(const cewb_lattice *lat, size_t g, const cewb_lsite *p)
{
	cewb_lsite r;
	const int(*R)[3] = (const int(*)[3])lat->rot[g];
	const int *sh = lat->op_shift[g * lat->n_sites + (size_t)p->site];
	r.site = lat->op_site[g * lat->n_sites + (size_t)p->site];
	for (int i = 0; i < 3; i++)
		r.off[i] = R[i][0] * p->off[0] + R[i][1] * p->off[1] + R[i][2] * p->off[2] + sh[i];
	return r;
}

/* The shortest vector from point p to point q (and, in a supercell space,
 * how many images share that length, within RADIUS_TOL). */
static double pt_vec(const cewb_fce_space *sp, const cewb_lsite *p, const cewb_lsite *q,
		     double v[3], int *n_images)
{
	double rp[3], rq[3], best = INFINITY, S[3][3];
	int count = 0;
	pt_pos(sp->lat, p, rp);
	pt_pos(sp->lat, q, rq);
	if (!sp->supercell) {
		for (int i = 0; i < 3; i++)
			v[i] = rq[i] - rp[i];
		if (n_images)
			*n_images = 1;
		return v3_norm(v);
	}
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			S[i][j] = sp->sc->P[i][0] * sp->lat->cell[0][j] +
				  sp->sc->P[i][1] * sp->lat->cell[1][j] +
				  sp->sc->P[i][2] * sp->lat->cell[2][j];
	for (int a = -2; a <= 2; a++)
		for (int b = -2; b <= 2; b++)
			for (int c = -2; c <= 2; c++) {
				double w[3], d;
				for (int j = 0; j < 3; j++)
					w[j] = rq[j] - rp[j] + a * S[0][j] + b * S[1][j] +
					       c * S[2][j];
				d = v3_norm(w);
				if (d < best - RADIUS_TOL) {
					best = d;
					count = 1;
					memcpy(v, w, sizeof w);
				} else if (d < best + RADIUS_TOL) {
					count++;
				}
			}
	if (n_images)
		*n_images = count;
	return best;
}

/* Distance between two points (shortest image in a supercell space). */
static double pt_dist(const cewb_fce_space *sp, const cewb_lsite *p, const cewb_lsite *q)
{
	if (sp->supercell) {
		int d[3] = { q->off[0] - p->off[0], q->off[1] - p->off[1], q->off[2] - p->off[2] };
		size_t c = cewb_supercell_cell_index(sp->sc, d);
		size_t ns = sp->lat->n_sites;
		return sp->mindist[((size_t)p->site * ns + (size_t)q->site) * sp->sc->n_cells + c];
	}
	return pt_dist_plain(sp->lat, p, q);
}

/* Sort n points (insertion sort), returning in idx the original positions. */
static void sort_points(cewb_lsite *p, size_t n, int *idx)
{
	for (size_t k = 0; k < n; k++)
		idx[k] = (int)k;
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && pt_cmp(&p[j], &p[j - 1]) < 0; j--) {
			cewb_lsite t = p[j];
			int ti = idx[j];
			p[j] = p[j - 1];
			p[j - 1] = t;
			idx[j] = idx[j - 1];
			idx[j - 1] = ti;
		}
}

/*
 * The tuple in[0..n) seen from its point k0: every point translated by
 * -in[k0].off, reduced modulo the supercell, then sorted into tmp (idx:
 * the original positions).
 */
static void translated_sorted(const cewb_fce_space *sp, const cewb_lsite *in, size_t n,
			      size_t k0, cewb_lsite *tmp, int *idx)
{
	for (size_t k = 0; k < n; k++) {
		cewb_lsite q = in[k];
		for (int i = 0; i < 3; i++)
			q.off[i] -= in[k0].off[i];
		tmp[k] = pt_reduce(sp, q);
	}
	sort_points(tmp, n, idx);
}

/*
 * Canonical form of a tuple of n points: out[k] is in[perm[k]] translated
 * (and reduced modulo the supercell in a supercell space).
 */
static void canonical(const cewb_fce_space *sp, const cewb_lsite *in, size_t n,
		      cewb_lsite *out, int *perm)
{
	cewb_lsite tmp[CEWB_FCE_MAX_ORDER];
	int idx[CEWB_FCE_MAX_ORDER];
	if (!sp->supercell) {
		memcpy(tmp, in, n * sizeof *tmp);
		sort_points(tmp, n, idx);
		for (size_t k = 0; k < n; k++) {
			out[k] = tmp[k];
			for (int i = 0; i < 3; i++)
				out[k].off[i] -= tmp[0].off[i];
			perm[k] = idx[k];
		}
		return;
	}
	for (size_t k0 = 0; k0 < n; k0++) {
		translated_sorted(sp, in, n, k0, tmp, idx);
		if (k0 == 0 || tuple_cmp(tmp, out, n) < 0) {
			memcpy(out, tmp, n * sizeof *tmp);
			memcpy(perm, idx, n * sizeof *idx);
		}
	}
}

/*
 * Every way of reaching the canonical form: one permutation per
 * translation that gives it (in a supercell space a translation may map a
 * cluster onto itself, exchanging its points), and in *t the number of
 * such translations (1 in a lattice space).  Returns the count of perms.
 */
static size_t canonical_all(const cewb_fce_space *sp, const cewb_lsite *in, size_t n,
			    cewb_lsite *out, int (*perms)[CEWB_FCE_MAX_ORDER], size_t *t)
{
	cewb_lsite tmp[CEWB_FCE_MAX_ORDER];
	int idx[CEWB_FCE_MAX_ORDER], offs[CEWB_FCE_MAX_ORDER][3];
	size_t n_perm = 0, n_off = 0;
	canonical(sp, in, n, out, perms[0]);
	if (!sp->supercell) {
		*t = 1;
		return 1;
	}
	for (size_t k0 = 0; k0 < n; k0++) {
		size_t j;
		translated_sorted(sp, in, n, k0, tmp, idx);
		if (tuple_cmp(tmp, out, n))
			continue;
		/* Candidates with the same offset are the same translation
		 * (their perms differ by equal points only): keep one. */
		for (j = 0; j < n_off; j++)
			if (!memcmp(offs[j], in[k0].off, sizeof offs[j]))
				break;
		if (j < n_off)
			continue;
		memcpy(offs[n_off++], in[k0].off, sizeof offs[0]);
		memcpy(perms[n_perm++], idx, sizeof idx);
	}
	*t = n_off;
	return n_perm;
}

/* ---- a hash map of canonical tuples of one order ---- */

typedef struct {
	size_t order;
	size_t n, cap;
	cewb_lsite *items;	/* n x order */
	long *val;		/* n values */
	size_t n_slots;
	long *slots;		/* item index or -1 */
} tuple_map;

/* FNV-1a hash of a tuple. */
static uint64_t hash_tuple(const cewb_lsite *s, size_t k)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < k; i++) {
		int v[4] = { s[i].site, s[i].off[0], s[i].off[1], s[i].off[2] };
		for (int j = 0; j < 4; j++) {
			h ^= (uint64_t)(uint32_t)v[j];
			h *= 1099511628211ULL;
		}
	}
	return h ^ (h >> 31);
}

/* Free a map's arrays and empty it. */
static void map_release(tuple_map *m)
{
	free(m->items);
	free(m->val);
	free(m->slots);
	memset(m, 0, sizeof *m);
}

/* Index of a tuple in the map, or -1. */
static long map_find(const tuple_map *m, const cewb_lsite *s)
{
	size_t mask = m->n_slots - 1, h;
	if (!m->n_slots)
		return -1;
	h = hash_tuple(s, m->order) & mask;
	while (m->slots[h] >= 0) {
		if (!tuple_cmp(m->items + (size_t)m->slots[h] * m->order, s, m->order))
			return m->slots[h];
		h = (h + 1) & mask;
	}
	return -1;
}

/* Rebuild the slots of a map with n_slots (a power of two). */
static int map_rehash(tuple_map *m, size_t n_slots)
{
	long *slots = malloc(n_slots * sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < n_slots; i++)
		slots[i] = -1;
	for (size_t i = 0; i < m->n; i++) {
		size_t h = hash_tuple(m->items + i * m->order, m->order) & (n_slots - 1);
		while (slots[h] >= 0)
			h = (h + 1) & (n_slots - 1);
		slots[h] = (long)i;
	}
	free(m->slots);
	m->slots = slots;
	m->n_slots = n_slots;
	return 0;
}

/* Add a tuple that is not yet in the map; -1 when out of memory. */
static int map_add(tuple_map *m, const cewb_lsite *s, long val)
{
	size_t k = m->order;
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 64;
		cewb_lsite *p = realloc(m->items, cap * k * sizeof *p);
		long *v;
		if (!p)
			return -1;
		m->items = p;
		v = realloc(m->val, cap * sizeof *v);
		if (!v)
			return -1;
		m->val = v;
		m->cap = cap;
	}
	memcpy(m->items + m->n * k, s, k * sizeof *s);
	m->val[m->n] = val;
	m->n++;
	if (2 * m->n > m->n_slots)
		return map_rehash(m, m->n_slots ? 2 * m->n_slots : 256);
	{
		size_t h = hash_tuple(s, k) & (m->n_slots - 1);
		while (m->slots[h] >= 0)
			h = (h + 1) & (m->n_slots - 1);
		m->slots[h] = (long)(m->n - 1);
	}
	return 0;
}

/* ---- neighbours ---- */

typedef struct {
	size_t n, cap;
	cewb_lsite *p;
} point_list;

/* Append a point; -1 when out of memory. */
static int plist_add(point_list *l, const cewb_lsite *p)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		cewb_lsite *q = realloc(l->p, cap * sizeof *q);
		if (!q)
			return -1;
		l->p = q;
		l->cap = cap;
	}
	l->p[l->n++] = *p;
	return 0;
}

/*
 * Point b (home cell) first, then every other point within rc of it, in
 * sorted order.  In a supercell space the points are the atoms of the
 * supercell, at their shortest-image distance.
 */
static cewb_status neighbors(const cewb_fce_space *sp, size_t b, double rc, point_list *out,
			     cewb_error *err)
{
	const cewb_lattice *lat = sp->lat;
	cewb_lsite home = { (int)b, { 0, 0, 0 } };
	out->n = 0;
	if (plist_add(out, &home))
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	if (sp->supercell) {
		for (size_t c = 0; c < sp->sc->n_cells; c++)
			for (size_t j = 0; j < lat->n_sites; j++) {
				cewb_lsite q = { (int)j, { sp->sc->offset_of[c][0],
							   sp->sc->offset_of[c][1],
							   sp->sc->offset_of[c][2] } };
				if (pt_eq(&q, &home) || pt_dist(sp, &home, &q) >= rc + CUTOFF_TOL)
					continue;
				if (plist_add(out, &q))
					CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
			}
	} else {
		double V = fabs(det3(lat->cell));
		int nmax[3];
		for (int i = 0; i < 3; i++) {
			double x[3];
			v3_cross(lat->cell[(i + 1) % 3], lat->cell[(i + 2) % 3], x);
			nmax[i] = (int)ceil(rc / (V / v3_norm(x))) + 1;
		}
		for (int a = -nmax[0]; a <= nmax[0]; a++)
			for (int c = -nmax[1]; c <= nmax[1]; c++)
				for (int e = -nmax[2]; e <= nmax[2]; e++)
					for (size_t j = 0; j < lat->n_sites; j++) {
						cewb_lsite q = { (int)j, { a, c, e } };
						if (pt_eq(&q, &home) ||
						    pt_dist(sp, &home, &q) >= rc + CUTOFF_TOL)
							continue;
						if (plist_add(out, &q))
							CEWB_RAISE(err, CEWB_ENOMEM,
								   "out of memory");
					}
	}
	if (out->n > 2)
		qsort(out->p + 1, out->n - 1, sizeof *out->p, pt_qcmp);
	return CEWB_OK;
}

/* ---- enumeration ---- */

typedef struct {
	const cewb_fce_space *sp;
	const point_list *cand;
	double rc;
	size_t n;
	size_t pick[CEWB_FCE_MAX_ORDER];
	tuple_map *set;
	int oom, stop;
} enum_state;

/* Multisets of n candidates containing candidate 0, every two distinct
 * points within the cutoff, into the set in canonical form. */
static void enum_dfs(enum_state *st, size_t depth)
{
	if (st->oom || st->stop)
		return;
	if (depth == st->n) {
		cewb_lsite t[CEWB_FCE_MAX_ORDER], c[CEWB_FCE_MAX_ORDER];
		int perm[CEWB_FCE_MAX_ORDER];
		for (size_t k = 0; k < st->n; k++)
			t[k] = st->cand->p[st->pick[k]];
		canonical(st->sp, t, st->n, c, perm);
		if (map_find(st->set, c) < 0 && map_add(st->set, c, -1))
			st->oom = 1;
		if ((st->set->n & 4095) == 0 && cewb_interrupt_flag)
			st->stop = 1;
		return;
	}
	for (size_t i = st->pick[depth - 1]; i < st->cand->n; i++) {
		int okd = 1;
		for (size_t j = 1; j < depth && okd; j++)
			if (st->pick[j] != i && st->pick[j] != 0 && i != 0)
				okd = pt_dist(st->sp, &st->cand->p[st->pick[j]], &st->cand->p[i]) <
				      st->rc + CUTOFF_TOL;
		if (!okd)
			continue;
		st->pick[depth] = i;
		enum_dfs(st, depth + 1);
	}
}

/* ---- small dense linear algebra ---- */

/*
 * Reduced row echelon form of the rows x cols matrix X (row-major), in
 * place, columns taken in reverse order when reverse is set; returns the
 * rank and, if pivots is not NULL, the pivot column of each row.  Partial
 * pivoting on the largest entry of each column.
 */
static size_t rref(double *X, size_t rows, size_t cols, int reverse, size_t *pivots)
{
	size_t r = 0;
	for (size_t jj = 0; jj < cols && r < rows; jj++) {
		size_t j = reverse ? cols - 1 - jj : jj, piv = r;
		double best = 0;
		for (size_t i = r; i < rows; i++)
			if (fabs(X[i * cols + j]) > best) {
				best = fabs(X[i * cols + j]);
				piv = i;
			}
		if (best < 1e-8)
			continue;
		if (piv != r)
			for (size_t k = 0; k < cols; k++) {
				double t = X[r * cols + k];
				X[r * cols + k] = X[piv * cols + k];
				X[piv * cols + k] = t;
			}
		{
			double d = X[r * cols + j];
			for (size_t k = 0; k < cols; k++)
				X[r * cols + k] /= d;
		}
		for (size_t i = 0; i < rows; i++) {
			double f = X[i * cols + j];
			if (i == r || f == 0.0)
				continue;
			for (size_t k = 0; k < cols; k++)
				X[i * cols + k] -= f * X[r * cols + k];
		}
		if (pivots)
			pivots[r] = j;
		r++;
	}
	for (size_t i = 0; i < rows * cols; i++)
		if (fabs(X[i]) < SNAP_TOL)
			X[i] = 0.0;
	return r;
}

/*
 * Null space of the m x n matrix K (row-major) by the SVD: the right
 * singular vectors of singular values below tol (absolute when rel is 0,
 * else relative to the largest), returned as the rows of *Z (k x n, in
 * reduced row echelon form, columns reversed when reverse is set).
 * *smin receives the smallest singular value kept as nonzero (INFINITY if
 * none); *szero, if given, is raised to the largest singular value counted
 * as zero.
 */
static cewb_status null_space(const double *K, size_t m, size_t n, double tol, int rel,
			      int reverse, double **Z, size_t *k_out, double *smin,
			      double *szero, cewb_error *err)
{
	size_t mm = m > n ? m : n, k = 0, rank = 0;
	double *A = calloc(mm * n, sizeof *A), *s = malloc(n * sizeof *s);
	double *U = malloc(mm * n * sizeof *U), *Vt = malloc(n * n * sizeof *Vt);
	double *z = NULL;
	lapack_int info;
	*Z = NULL;
	*k_out = 0;
	if (smin)
		*smin = INFINITY;
	if (n == 0) {
		free(A), free(s), free(U), free(Vt);
		return CEWB_OK;
	}
	if (!A || !s || !U || !Vt) {
		free(A), free(s), free(U), free(Vt);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	/* Column-major copy, padded with zero rows to at least n rows. */
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < n; j++)
			A[j * mm + i] = K[i * n + j];
	info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', (lapack_int)mm, (lapack_int)n, A,
			      (lapack_int)mm, s, U, (lapack_int)mm, Vt, (lapack_int)n);
	if (info != 0) {
		free(A), free(s), free(U), free(Vt);
		CEWB_RAISE(err, CEWB_ENUMERIC, "the SVD of the constraint matrix failed (%d)",
			   (int)info);
	}
	{
		double cut = rel ? tol * (s[0] > 0 ? s[0] : 1.0) : tol;
		for (size_t i = 0; i < n; i++)
			if (s[i] >= cut) {
				rank++;
				if (smin)
					*smin = s[i];
			} else if (szero && s[i] > *szero) {
				*szero = s[i];
			}
	}
	k = n - rank;
	if (k) {
		z = malloc(k * n * sizeof *z);
		if (!z) {
			free(A), free(s), free(U), free(Vt);
			CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
		}
		/* Vt is column-major n x n: row i of V^T is Vt[i + j n]. */
		for (size_t r = 0; r < k; r++)
			for (size_t j = 0; j < n; j++)
				z[r * n + j] = Vt[(rank + r) + j * n];
		rref(z, k, n, reverse, NULL);
	}
	free(A), free(s), free(U), free(Vt);
	*Z = z;
	*k_out = k;
	return CEWB_OK;
}

/* Digits of a tensor index (first slowest). */
static void index_digits(size_t idx, size_t n, int *a)
{
	for (size_t k = n; k-- > 0;) {
		a[k] = (int)(idx % 3);
		idx /= 3;
	}
}

/*
 * The d x d matrix (d = 3^n) taking a tensor of a tuple to the tensor of
 * its image under the Cartesian rotation C followed by the reordering
 * perm (canonical position k = image position perm[k]):
 * T[c][a] = prod_k C[c_k][a_perm[k]].
 */
static void tensor_transform(const double C[3][3], size_t n, const int *perm, double *T)
{
	size_t d = fce_pow3(n);
	int c[CEWB_FCE_MAX_ORDER], a[CEWB_FCE_MAX_ORDER];
	for (size_t ci = 0; ci < d; ci++) {
		index_digits(ci, n, c);
		for (size_t ai = 0; ai < d; ai++) {
			double v = 1.0;
			index_digits(ai, n, a);
			for (size_t k = 0; k < n && v != 0.0; k++)
				v *= C[c[k]][a[perm[k]]];
			T[ci * d + ai] = v;
		}
	}
}

/* ---- orbits ---- */

/* An orbit while the space is being built. */
typedef struct {
	size_t order;
	cewb_lsite rep[CEWB_FCE_MAX_ORDER];
	size_t n_members;
	cewb_lsite *members;	/* n_members x order, members[0] = rep */
	size_t *mop;		/* operation (index into sp->ops) reaching each member */
	int (*mperm)[CEWB_FCE_MAX_ORDER];
	double *basis;		/* d x k */
	size_t k;
	double radius, max_distance;
	size_t n_distinct;
	double dist[6];		/* pair distances of distinct points, longest first */
	size_t n_dist;
	int pattern[CEWB_FCE_MAX_ORDER]; /* multiplicities of the distinct points */
	double sym_smin, sym_szero;	/* singular-value gap of the symmetry constraints */
} orbit_tmp;

/* Free what an orbit under construction holds. */
static void orbit_tmp_release(orbit_tmp *o)
{
	free(o->members);
	free(o->mop);
	free(o->mperm);
	free(o->basis);
	memset(o, 0, sizeof *o);
}

/* Orbit order: order, radius, distinct points, pair distances (longest
 * first), clusters per cell, multiplicity pattern (larger first), then the
 * representative's points. */
static int orbit_tmp_cmp(const void *pa, const void *pb)
{
	const orbit_tmp *a = pa, *b = pb;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	if (fabs(a->radius - b->radius) > RADIUS_TOL)
		return a->radius < b->radius ? -1 : 1;
	if (a->n_distinct != b->n_distinct)
		return a->n_distinct < b->n_distinct ? -1 : 1;
	for (size_t i = 0; i < a->n_dist && i < b->n_dist; i++)
		if (fabs(a->dist[i] - b->dist[i]) > RADIUS_TOL)
			return a->dist[i] < b->dist[i] ? -1 : 1;
	if (a->n_members != b->n_members)
		return a->n_members < b->n_members ? -1 : 1;
	for (size_t i = 0; i < a->n_distinct; i++)
		if (a->pattern[i] != b->pattern[i])
			return a->pattern[i] > b->pattern[i] ? -1 : 1;
	return tuple_cmp(a->rep, b->rep, a->order);
}

/* Geometry of an orbit from its representative. */
static void orbit_geometry(const cewb_fce_space *sp, orbit_tmp *o)
{
	cewb_lsite dp[CEWB_FCE_MAX_ORDER];
	double pos[CEWB_FCE_MAX_ORDER][3], cen[3] = { 0, 0, 0 };
	size_t nd = 0;
	for (size_t k = 0; k < o->order; k++) {
		if (nd && pt_eq(&dp[nd - 1], &o->rep[k])) {
			o->pattern[nd - 1]++;
			continue;
		}
		dp[nd] = o->rep[k];
		o->pattern[nd] = 1;
		nd++;
	}
	o->n_distinct = nd;
	for (size_t i = 0; i < nd; i++) {
		double v[3];
		pt_vec(sp, &dp[0], &dp[i], v, NULL);
		for (int j = 0; j < 3; j++) {
			pos[i][j] = v[j];
			cen[j] += v[j] / (double)nd;
		}
	}
	o->radius = 0;
	o->max_distance = 0;
	o->n_dist = 0;
	for (size_t i = 0; i < nd; i++) {
		o->radius += v3_dist(pos[i], cen) / (double)nd;
		for (size_t j = i + 1; j < nd; j++) {
			double d = pt_dist(sp, &dp[i], &dp[j]);
			o->dist[o->n_dist++] = d;
			if (d > o->max_distance)
				o->max_distance = d;
		}
	}
	for (size_t i = 1; i < o->n_dist; i++)
		for (size_t j = i; j > 0 && o->dist[j] > o->dist[j - 1]; j--) {
			double t = o->dist[j];
			o->dist[j] = o->dist[j - 1];
			o->dist[j - 1] = t;
		}
}

/*
 * Independent tensor components of an orbit: null space of I - P, with P
 * the average over the stabilizer of the tensor images, symmetrised over
 * the permutations of equal points.
 */
static cewb_status orbit_basis(const cewb_fce_space *sp, orbit_tmp *o, cewb_error *err)
{
	size_t n = o->order, d = fce_pow3(n), n_stab = 0, n_sym = 0;
	double *T = malloc(d * d * sizeof *T), *Avg = calloc(d * d, sizeof *Avg);
	double *K = malloc(d * d * sizeof *K);
	int perms[24][CEWB_FCE_MAX_ORDER];
	cewb_status st;
	if (!T || !Avg || !K) {
		free(T), free(Avg), free(K);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	/*
	 * Every operation that maps the cluster onto itself, with every
	 * translation that does (supercell spaces), each element of that
	 * group once: their average is the orthogonal projector onto the
	 * invariant tensors.
	 */
	for (size_t g = 0; g < sp->n_ops; g++) {
		cewb_lsite img[CEWB_FCE_MAX_ORDER], c[CEWB_FCE_MAX_ORDER];
		int perm[CEWB_FCE_MAX_ORDER][CEWB_FCE_MAX_ORDER];
		size_t np, t;
		for (size_t k = 0; k < n; k++)
			img[k] = pt_apply(sp->lat, sp->ops[g], &o->rep[k]);
		np = canonical_all(sp, img, n, c, perm, &t);
		if (tuple_cmp(c, o->rep, n))
			continue;
		for (size_t q = 0; q < np; q++) {
			tensor_transform((const double(*)[3])sp->crot[g], n, perm[q], T);
			for (size_t i = 0; i < d * d; i++)
				Avg[i] += T[i];
			n_stab++;
		}
	}
	/* Permutations of positions that keep the tuple (equal points). */
	{
		int p[CEWB_FCE_MAX_ORDER];
		size_t total = 1;
		for (size_t k = 2; k <= n; k++)
			total *= k;
		for (size_t m = 0; m < total; m++) {
			/* m-th permutation in factorial numbering. */
			int used[CEWB_FCE_MAX_ORDER] = { 0 }, good = 1;
			size_t x = m, f = total;
			for (size_t k = 0; k < n; k++) {
				size_t pick, cnt = 0;
				f /= (n - k);
				pick = x / f;
				x %= f;
				for (size_t j = 0; j < n; j++)
					if (!used[j] && cnt++ == pick) {
						p[k] = (int)j;
						used[j] = 1;
						break;
					}
			}
			for (size_t k = 0; k < n && good; k++)
				good = pt_eq(&o->rep[k], &o->rep[p[k]]);
			if (good)
				memcpy(perms[n_sym++], p, sizeof p);
		}
	}
	/* K = I - P_S Avg / n_stab with (P_S X)[c] = mean over perms of X[c o pi]. */
	for (size_t ci = 0; ci < d; ci++) {
		int c[CEWB_FCE_MAX_ORDER], cp[CEWB_FCE_MAX_ORDER];
		index_digits(ci, n, c);
		for (size_t ai = 0; ai < d; ai++)
			K[ci * d + ai] = ci == ai ? 1.0 : 0.0;
		for (size_t s = 0; s < n_sym; s++) {
			size_t row = 0;
			for (size_t k = 0; k < n; k++)
				cp[k] = c[perms[s][k]];
			for (size_t k = 0; k < n; k++)
				row = 3 * row + (size_t)cp[k];
			for (size_t ai = 0; ai < d; ai++)
				K[ci * d + ai] -= Avg[row * d + ai] / (double)(n_stab * n_sym);
		}
	}
	free(T);
	free(Avg);
	{
		double *Z;
		size_t k;
		st = null_space(K, d, d, SYM_TOL, 0, 0, &Z, &k, &o->sym_smin, &o->sym_szero,
				err);
		free(K);
		if (st)
			return st;
		o->k = k;
		o->basis = NULL;
		if (k) {
			/* basis (d x k) = Z^T. */
			o->basis = malloc(d * k * sizeof *o->basis);
			if (!o->basis) {
				free(Z);
				CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
			}
			for (size_t i = 0; i < d; i++)
				for (size_t p = 0; p < k; p++)
					o->basis[i * k + p] = Z[p * d + i];
		}
		free(Z);
	}
	return CEWB_OK;
}

/*
 * Group the clusters of one order into orbits; appends to *orb.  Members
 * are the canonical images of the representative (the smallest cluster of
 * the orbit), each reached by the first operation that gives it.
 */
static cewb_status build_orbits(const cewb_fce_space *sp, tuple_map *set, orbit_tmp **orb,
				size_t *n_orb, size_t *cap_orb, cewb_error *err)
{
	size_t n = set->order, n_ops = sp->n_ops;
	char *done = calloc(set->n ? set->n : 1, 1);
	cewb_lsite *img = malloc(n_ops * n * sizeof *img);
	int (*iperm)[CEWB_FCE_MAX_ORDER] = malloc(n_ops * sizeof *iperm);
	cewb_status st = CEWB_OK;
	if (!done || !img || !iperm) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < set->n; i++) {
		orbit_tmp o;
		const cewb_lsite *c0 = set->items + i * n;
		size_t best = 0;
		if (done[i])
			continue;
		if (cewb_interrupt_flag) {
			st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
			goto out;
		}
		memset(&o, 0, sizeof o);
		o.order = n;
		/* Images of c0; the smallest is the representative. */
		for (size_t g = 0; g < n_ops; g++) {
			cewb_lsite t[CEWB_FCE_MAX_ORDER];
			long f;
			for (size_t k = 0; k < n; k++)
				t[k] = pt_apply(sp->lat, sp->ops[g], &c0[k]);
			canonical(sp, t, n, img + g * n, iperm[g]);
			if (tuple_cmp(img + g * n, img + best * n, n) < 0)
				best = g;
			f = map_find(set, img + g * n);
			if (f >= 0)
				done[f] = 1;
		}
		memcpy(o.rep, img + best * n, n * sizeof *o.rep);
		/* Images of the representative: the members. */
		o.members = malloc(n_ops * n * sizeof *o.members);
		o.mop = malloc(n_ops * sizeof *o.mop);
		o.mperm = malloc(n_ops * sizeof *o.mperm);
		if (!o.members || !o.mop || !o.mperm) {
			orbit_tmp_release(&o);
			st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
			goto out;
		}
		for (size_t g = 0; g < n_ops; g++) {
			cewb_lsite t[CEWB_FCE_MAX_ORDER], c[CEWB_FCE_MAX_ORDER];
			int perm[CEWB_FCE_MAX_ORDER];
			size_t m;
			for (size_t k = 0; k < n; k++)
				t[k] = pt_apply(sp->lat, sp->ops[g], &o.rep[k]);
			canonical(sp, t, n, c, perm);
			for (m = 0; m < o.n_members; m++)
				if (!tuple_cmp(o.members + m * n, c, n))
					break;
			if (m < o.n_members)
				continue;
			memcpy(o.members + m * n, c, n * sizeof *c);
			o.mop[m] = g;
			memcpy(o.mperm[m], perm, sizeof perm);
			o.n_members++;
		}
		/* The identity need not come first: put the representative first. */
		for (size_t m = 0; m < o.n_members; m++)
			if (!tuple_cmp(o.members + m * n, o.rep, n) && m) {
				cewb_lsite t[CEWB_FCE_MAX_ORDER];
				size_t tg = o.mop[m];
				int tp[CEWB_FCE_MAX_ORDER];
				memcpy(t, o.members, n * sizeof *t);
				memcpy(o.members, o.members + m * n, n * sizeof *t);
				memcpy(o.members + m * n, t, n * sizeof *t);
				o.mop[m] = o.mop[0];
				o.mop[0] = tg;
				memcpy(tp, o.mperm[m], sizeof tp);
				memcpy(o.mperm[m], o.mperm[0], sizeof tp);
				memcpy(o.mperm[0], tp, sizeof tp);
			}
		orbit_geometry(sp, &o);
		if ((st = orbit_basis(sp, &o, err))) {
			orbit_tmp_release(&o);
			goto out;
		}
		if (o.k == 0) {
			/* The tensor vanishes by symmetry: no parameter. */
			orbit_tmp_release(&o);
			continue;
		}
		if (*n_orb == *cap_orb) {
			size_t cap = *cap_orb ? 2 * *cap_orb : 32;
			orbit_tmp *p = realloc(*orb, cap * sizeof *p);
			if (!p) {
				orbit_tmp_release(&o);
				st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
				goto out;
			}
			*orb = p;
			*cap_orb = cap;
		}
		(*orb)[(*n_orb)++] = o;
	}
out:
	free(done);
	free(img);
	free(iperm);
	return st;
}

/*
 * Sparse force entries of a cluster: for each distinct point j (first at
 * position i, met c times), the nonzero M[index with b at position i, t at
 * the others][p] as (b, t, p, -weight c M): the force on that point's atom
 * along b gains value * (outer product t of the other displacements) in
 * column p.  Equal points give equal terms (the tensor is symmetric in
 * them), hence one entry list per distinct point times c.
 */
static cewb_status cluster_forces(fce_cluster *cl, size_t n, size_t k, cewb_error *err)
{
	size_t d = fce_pow3(n), nnz = 0, ne = 0;
	cl->n_dpos = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && pt_eq(&cl->pts[i], &cl->pts[i - 1])) {
			cl->dcount[cl->n_dpos - 1]++;
			continue;
		}
		cl->dpos[cl->n_dpos] = (int)i;
		cl->dcount[cl->n_dpos] = 1;
		cl->n_dpos++;
	}
	for (size_t x = 0; x < d * k; x++)
		nnz += cl->M[x] != 0.0;
	cl->ent = malloc((nnz ? nnz * cl->n_dpos : 1) * sizeof *cl->ent);
	if (!cl->ent)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	for (size_t j = 0; j < cl->n_dpos; j++) {
		size_t i = (size_t)cl->dpos[j];
		cl->ent_first[j] = ne;
		for (size_t ai = 0; ai < d; ai++) {
			int a[CEWB_FCE_MAX_ORDER];
			size_t t = 0;
			index_digits(ai, n, a);
			for (size_t q = 0; q < n; q++)
				if (q != i)
					t = 3 * t + (size_t)a[q];
			for (size_t p = 0; p < k; p++) {
				double v = cl->M[ai * k + p];
				if (v == 0.0)
					continue;
				cl->ent[ne].b = (unsigned short)a[i];
				cl->ent[ne].t = (unsigned short)t;
				cl->ent[ne].p = (unsigned)p;
				cl->ent[ne].v = -cl->weight * cl->dcount[j] * v;
				ne++;
			}
		}
	}
	cl->ent_first[cl->n_dpos] = ne;
	return CEWB_OK;
}

/* Tensor matrices of one cluster: M = T basis, then the weight and the
 * sparse force entries (cluster_forces). */
static cewb_status cluster_tensors(const cewb_fce_space *sp, const orbit_tmp *o, size_t m,
				   fce_cluster *cl, cewb_error *err)
{
	size_t n = o->order, d = fce_pow3(n), k = o->k;
	double *T = malloc(2 * d * sizeof *T);
	const cewb_lsite *pts = o->members + m * n;
	cl->M = malloc(d * k * sizeof *cl->M);
	if (!T || !cl->M) {
		free(T);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	memcpy(cl->pts, pts, n * sizeof *pts);
	/* Each basis tensor rotated one index at a time (n 3^(n+1) operations
	 * instead of the 3^2n of the full transform), then reordered. */
	for (size_t p = 0; p < k; p++) {
		double *a = T, *b = T + d;
		const double(*C)[3] = (const double(*)[3])sp->crot[o->mop[m]];
		for (size_t i = 0; i < d; i++)
			a[i] = o->basis[i * k + p];
		for (size_t mode = 0; mode < n; mode++) {
			size_t stride = fce_pow3(n - 1 - mode);
			double *t;
			for (size_t i = 0; i < d; i++) {
				size_t digit = (i / stride) % 3, base = i - digit * stride;
				b[i] = C[digit][0] * a[base] + C[digit][1] * a[base + stride] +
				       C[digit][2] * a[base + 2 * stride];
			}
			t = a, a = b, b = t;
		}
		/* Canonical position q is image position perm[q]. */
		for (size_t ci = 0; ci < d; ci++) {
			int c[CEWB_FCE_MAX_ORDER], bd[CEWB_FCE_MAX_ORDER];
			size_t bi = 0;
			double v;
			index_digits(ci, n, c);
			for (size_t q = 0; q < n; q++)
				bd[o->mperm[m][q]] = c[q];
			for (size_t q = 0; q < n; q++)
				bi = 3 * bi + (size_t)bd[q];
			v = a[bi];
			cl->M[ci * k + p] = fabs(v) < SNAP_TOL ? 0.0 : v;
		}
	}
	free(T);
	/* Weight 1 / prod m! over repeated points. */
	{
		double w = 1.0;
		size_t run = 1;
		for (size_t j = 1; j <= n; j++) {
			if (j < n && pt_eq(&pts[j], &pts[j - 1])) {
				run++;
				continue;
			}
			for (size_t f = 2; f <= run; f++)
				w /= (double)f;
			run = 1;
		}
		/* A cluster that t translations of the supercell map onto
		 * itself is met t times among the translated copies. */
		{
			cewb_lsite c[CEWB_FCE_MAX_ORDER];
			int perm[CEWB_FCE_MAX_ORDER][CEWB_FCE_MAX_ORDER];
			size_t t;
			canonical_all(sp, pts, n, c, perm, &t);
			cl->n_translations = t;
			w /= (double)t;
		}
		cl->weight = w;
	}
	return cluster_forces(cl, n, k, err);
	return CEWB_OK;
}

/* ---- sum rules ---- */

/* Lookup of (orbit, member) by canonical cluster, one map per order. */
typedef struct {
	tuple_map by_order[CEWB_FCE_MAX_ORDER + 1];
} cluster_index;

/* Free the maps of a cluster index. */
static void cindex_release(cluster_index *ci)
{
	for (size_t n = 0; n <= CEWB_FCE_MAX_ORDER; n++)
		map_release(&ci->by_order[n]);
}

/* Index every cluster of the space by its canonical form. */
static cewb_status cindex_build(const cewb_fce_space *sp, cluster_index *ci, cewb_error *err)
{
	memset(ci, 0, sizeof *ci);
	for (size_t n = 0; n <= CEWB_FCE_MAX_ORDER; n++)
		ci->by_order[n].order = n;
	for (size_t o = 0; o < sp->n_orbits; o++) {
		size_t n = sp->orbits[o].order;
		for (size_t m = 0; m < sp->data[o].n_clusters; m++)
			if (map_add(&ci->by_order[n], sp->data[o].clusters[m].pts,
				    (long)(o * 100000 + m))) {
				cindex_release(ci);
				CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
			}
	}
	return CEWB_OK;
}

/*
 * The constraint rows are not kept: only their Gram matrix G = K^T K
 * (n_free x n_free), accumulated row by row over the nonzero entries, so
 * memory stays n_free^2 and the cost follows the (sparse) rows.
 */
typedef struct {
	size_t n_cols;
	double *G;	/* n_cols x n_cols */
	size_t *nz;	/* scratch: nonzero columns of a row */
	double *val;
} row_buf;

/* Add the rows (n x n_cols) that are not zero, each scaled to unit length. */
static void rows_add(row_buf *rb, const double *rows, size_t n)
{
	size_t nc = rb->n_cols;
	for (size_t i = 0; i < n; i++) {
		const double *r = rows + i * nc;
		double s = 0;
		size_t m = 0;
		for (size_t j = 0; j < nc; j++)
			if (r[j] != 0.0) {
				s += r[j] * r[j];
				rb->nz[m] = j;
				rb->val[m++] = r[j];
			}
		if (s < 1e-24)
			continue;
		s = 1.0 / sqrt(s);
		for (size_t a = 0; a < m; a++)
			for (size_t b = 0; b < m; b++) {
				double x = rb->val[a] * rb->val[b] * s * s;
				rb->G[rb->nz[a] * nc + rb->nz[b]] += x;
			}
	}
}

/*
 * Add the tensor of the ordered tuple t (n points) to rows (d x n_free),
 * times scale, as a combination of free parameters (nothing when the
 * tuple is not a cluster of the space).  Returns 1 if it was a cluster.
 */
static int add_tuple(const cewb_fce_space *sp, const cluster_index *ci, const cewb_lsite *t,
		     size_t n, const double *scale, double *rows)
{
	cewb_lsite c[CEWB_FCE_MAX_ORDER];
	int perm[CEWB_FCE_MAX_ORDER];
	size_t d = fce_pow3(n);
	long f, code;
	canonical(sp, t, n, c, perm);
	f = map_find(&ci->by_order[n], c);
	if (f < 0)
		return 0;
	code = ci->by_order[n].val[f];
	{
		size_t o = (size_t)code / 100000, m = (size_t)code % 100000;
		const fce_cluster *cl = &sp->data[o].clusters[m];
		size_t k = sp->orbits[o].n_free, f0 = sp->orbits[o].free_first;
		for (size_t ai = 0; ai < d; ai++) {
			int a[CEWB_FCE_MAX_ORDER];
			size_t cidx = 0;
			double sc = scale ? scale[ai] : 1.0;
			if (sc == 0.0)
				continue;
			index_digits(ai, n, a);
			for (size_t kk = 0; kk < n; kk++)
				cidx = 3 * cidx + (size_t)a[perm[kk]];
			for (size_t p = 0; p < k; p++)
				rows[ai * sp->n_free + f0 + p] += sc * cl->M[cidx * k + p];
		}
	}
	return 1;
}

/*
 * Acoustic sum rules of order n: for every (n-1)-tuple D that is part of a
 * cluster (one per orbit of such tuples: the others follow by symmetry),
 * sum over the last point q of Phi(D, q) = 0, 3^n rows.
 */
static cewb_status acoustic_rows(const cewb_fce_space *sp, const cluster_index *ci, size_t n,
				 row_buf *rb, cewb_error *err)
{
	tuple_map sub;
	point_list nb = { 0, 0, NULL };
	size_t d = fce_pow3(n);
	double *rows = NULL;
	char *done = NULL;
	cewb_status st = CEWB_OK;
	memset(&sub, 0, sizeof sub);
	sub.order = n - 1;
	for (size_t o = 0; o < sp->n_orbits; o++) {
		if (sp->orbits[o].order != n)
			continue;
		for (size_t m = 0; m < sp->data[o].n_clusters; m++)
			for (size_t drop = 0; drop < n; drop++) {
				cewb_lsite t[CEWB_FCE_MAX_ORDER], c[CEWB_FCE_MAX_ORDER];
				int perm[CEWB_FCE_MAX_ORDER];
				size_t j = 0;
				for (size_t k = 0; k < n; k++)
					if (k != drop)
						t[j++] = sp->data[o].clusters[m].pts[k];
				canonical(sp, t, n - 1, c, perm);
				if (map_find(&sub, c) < 0 && map_add(&sub, c, 0)) {
					st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
					goto out;
				}
			}
	}
	done = calloc(sub.n ? sub.n : 1, 1);
	rows = malloc(d * sp->n_free * sizeof *rows);
	if (!done || !rows) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < sub.n; i++) {
		const cewb_lsite *D = sub.items + i * (n - 1);
		if (done[i])
			continue;
		if (cewb_interrupt_flag) {
			st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
			goto out;
		}
		for (size_t g = 0; g < sp->n_ops; g++) {
			cewb_lsite t[CEWB_FCE_MAX_ORDER], c[CEWB_FCE_MAX_ORDER];
			int perm[CEWB_FCE_MAX_ORDER];
			long f;
			for (size_t k = 0; k + 1 < n; k++)
				t[k] = pt_apply(sp->lat, sp->ops[g], &D[k]);
			canonical(sp, t, n - 1, c, perm);
			f = map_find(&sub, c);
			if (f >= 0)
				done[f] = 1;
		}
		if ((st = neighbors(sp, (size_t)D[0].site, sp->cutoffs[n - 2], &nb, err)))
			goto out;
		memset(rows, 0, d * sp->n_free * sizeof *rows);
		for (size_t q = 0; q < nb.n; q++) {
			cewb_lsite t[CEWB_FCE_MAX_ORDER];
			memcpy(t, D, (n - 1) * sizeof *t);
			t[n - 1] = nb.p[q];
			add_tuple(sp, ci, t, n, NULL, rows);
		}
		rows_add(rb, rows, d);
	}
out:
	map_release(&sub);
	free(nb.p);
	free(done);
	free(rows);
	return st;
}

/*
 * The terms of one pair (tensor pair: 9 x nf, as a combination of free
 * parameters; r the vector from i to j) in the Born-Huang rows
 * (a, b, c): Phi^ab r^c - Phi^ac r^b, and the Huang rows (a, b, c, e):
 * Phi^ab r^c r^e - Phi^ce r^a r^b.
 */
static void rotational_pair(const double *pair, const double r[3], size_t nf, double *rows,
			    double *huang)
{
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++) {
			const double *pab = pair + (size_t)(a * 3 + b) * nf;
			for (int c = 0; c < 3; c++) {
				double *row = rows + (size_t)((a * 3 + b) * 3 + c) * nf;
				const double *pac = pair + (size_t)(a * 3 + c) * nf;
				for (size_t f = 0; f < nf; f++)
					row[f] += pab[f] * r[c] - pac[f] * r[b];
				for (int e = 0; e < 3; e++) {
					const double *pce = pair + (size_t)(c * 3 + e) * nf;
					double x = r[c] * r[e], y = r[a] * r[b];
					row = huang + (size_t)(((a * 3 + b) * 3 + c) * 3 + e) * nf;
					for (size_t f = 0; f < nf; f++)
						row[f] += pab[f] * x - pce[f] * y;
				}
			}
		}
}

/*
 * Rotational sum rules of the second order: Born-Huang,
 * sum_j Phi_ij^ab r_ij^c = sum_j Phi_ij^ac r_ij^b for every site i, and
 * Huang, sum_ij Phi_ij^ab r_ij^c r_ij^d = sum_ij Phi_ij^cd r_ij^a r_ij^b.
 */
static cewb_status rotational_rows(const cewb_fce_space *sp, const cluster_index *ci,
				   row_buf *rb, cewb_error *err)
{
	size_t nf = sp->n_free;
	point_list nb = { 0, 0, NULL };
	double *pair = malloc(9 * nf * sizeof *pair), *rows = malloc(81 * nf * sizeof *rows);
	double *huang = calloc(81 * nf, sizeof *huang);
	cewb_status st = CEWB_OK;
	if (!pair || !rows || !huang) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < sp->lat->n_sites; i++) {
		if ((st = neighbors(sp, i, sp->cutoffs[0], &nb, err)))
			goto out;
		memset(rows, 0, 27 * nf * sizeof *rows);
		for (size_t q = 0; q < nb.n; q++) {
			cewb_lsite t[2] = { nb.p[0], nb.p[q] };
			double r[3];
			pt_vec(sp, &nb.p[0], &nb.p[q], r, NULL);
			memset(pair, 0, 9 * nf * sizeof *pair);
			if (!add_tuple(sp, ci, t, 2, NULL, pair))
				continue;
			rotational_pair(pair, r, nf, rows, huang);
		}
		rows_add(rb, rows, 27);
	}
	rows_add(rb, huang, 81);
out:
	free(nb.p);
	free(pair);
	free(rows);
	free(huang);
	return st;
}

/*
 * Null space of the constraints within one block of free parameters
 * [f0, f1) (the sum rules of one order touch only that order): the row
 * space R of the constraints is spanned by the eigenvectors of the Gram
 * block with eigenvalues above SUM_TOL^2 times the largest (the squares of
 * the singular values of the rows); R in reduced row echelon form, pivots
 * taken from the first columns, makes those parameters dependent: the
 * others are the fit parameters, each one free parameter, and B holds
 * B[free][p] = 1 and B[pivot_i][p] = -R[i][free].  The first columns are
 * the shortest-ranged orbits (self terms first), so those follow from the
 * longer-ranged ones.  Appends the parameters of the block to B (np
 * columns so far, B has n_free rows and room for n_free columns).
 */
static cewb_status block_null_space(cewb_fce_space *sp, const double *G, size_t f0, size_t f1,
				    size_t *np, cewb_error *err)
{
	size_t nb = f1 - f0, nf = sp->n_free, r = 0;
	double *A = malloc((nb ? nb * nb : 1) * sizeof *A), *w = malloc((nb ? nb : 1) * sizeof *w);
	char *pivot = calloc(nb ? nb : 1, 1);
	size_t *pcol = malloc((nb ? nb : 1) * sizeof *pcol);
	lapack_int info;
	if (!A || !w || !pivot || !pcol) {
		free(A), free(w), free(pivot), free(pcol);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	if (nb == 0) {
		free(A), free(w), free(pivot), free(pcol);
		return CEWB_OK;
	}
	for (size_t i = 0; i < nb; i++)
		for (size_t j = 0; j < nb; j++)
			A[i * nb + j] = G[(f0 + i) * nf + f0 + j];
	info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)nb, A, (lapack_int)nb, w);
	if (info != 0) {
		free(A), free(w), free(pivot), free(pcol);
		CEWB_RAISE(err, CEWB_ENUMERIC, "the eigenvalues of the sum rules failed (%d)",
			   (int)info);
	}
	/* Eigenvalues ascending, eigenvectors in the columns of A. */
	{
		double cut = SUM_TOL * SUM_TOL * (w[nb - 1] > 0 ? w[nb - 1] : 1.0);
		double *R;
		for (size_t i = 0; i < nb; i++) {
			double sv = sqrt(w[i] > 0 ? w[i] : 0);
			if (w[i] >= cut) {
				r++;
				if (sv < sp->min_singular)
					sp->min_singular = sv;
			} else if (sv > sp->max_zero_singular) {
				sp->max_zero_singular = sv;
			}
		}
		R = malloc((r ? r * nb : 1) * sizeof *R);
		if (!R) {
			free(A), free(w), free(pivot), free(pcol);
			CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
		}
		for (size_t k = 0; k < r; k++)
			for (size_t j = 0; j < nb; j++)
				R[k * nb + j] = A[j * nb + (nb - r + k)];
		r = rref(R, r, nb, 0, pcol);
		for (size_t k = 0; k < r; k++)
			pivot[pcol[k]] = 1;
		for (size_t j = 0; j < nb; j++) {
			if (pivot[j])
				continue;
			sp->B[(f0 + j) * nf + *np] = 1.0;
			for (size_t k = 0; k < r; k++)
				sp->B[(f0 + pcol[k]) * nf + *np] = -R[k * nb + j];
			(*np)++;
		}
		free(R);
	}
	free(A), free(w), free(pivot), free(pcol);
	return CEWB_OK;
}

/* The basis B of the sum rules (identity without them). */
static cewb_status sum_rules(cewb_fce_space *sp, cewb_error *err)
{
	size_t nf = sp->n_free, np = 0;
	row_buf rb = { nf, NULL, NULL, NULL };
	cluster_index ci;
	cewb_status st;
	double *B;
	sp->min_singular = INFINITY;
	sp->max_zero_singular = 0;
	sp->B = calloc(nf ? nf * nf : 1, sizeof *sp->B);
	if (!sp->B)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	if (!(sp->sum_rules & (CEWB_FCE_ACOUSTIC | CEWB_FCE_ROTATIONAL)) || nf == 0) {
		sp->n_params = nf;
		for (size_t i = 0; i < nf; i++)
			sp->B[i * nf + i] = 1.0;
		return CEWB_OK;
	}
	rb.G = calloc(nf * nf, sizeof *rb.G);
	rb.nz = malloc(nf * sizeof *rb.nz);
	rb.val = malloc(nf * sizeof *rb.val);
	if (!rb.G || !rb.nz || !rb.val) {
		free(rb.G), free(rb.nz), free(rb.val);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	if ((st = cindex_build(sp, &ci, err)))
		goto out;
	for (size_t n = 2; n <= CEWB_FCE_MAX_ORDER && !st; n++)
		if (n - 2 < sp->n_cutoffs && sp->cutoffs[n - 2] > 0)
			st = acoustic_rows(sp, &ci, n, &rb, err);
	if (!st && (sp->sum_rules & CEWB_FCE_ROTATIONAL) && sp->cutoffs[0] > 0)
		st = rotational_rows(sp, &ci, &rb, err);
	cindex_release(&ci);
	/* One block per order: the free parameters of an order are consecutive. */
	for (size_t o = 0; o < sp->n_orbits && !st;) {
		size_t e = o, f0 = sp->orbits[o].free_first, f1;
		while (e < sp->n_orbits && sp->orbits[e].order == sp->orbits[o].order)
			e++;
		f1 = sp->orbits[e - 1].free_first + sp->orbits[e - 1].n_free;
		st = block_null_space(sp, rb.G, f0, f1, &np, err);
		o = e;
	}
	if (st)
		goto out;
	/* Compact B to n_free x np. */
	B = malloc((np ? nf * np : 1) * sizeof *B);
	if (!B) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t f = 0; f < nf; f++)
		for (size_t p = 0; p < np; p++)
			B[f * np + p] = sp->B[f * nf + p];
	free(sp->B);
	sp->B = B;
	sp->n_params = np;
out:
	free(rb.G), free(rb.nz), free(rb.val);
	return st;
}

/* ---- the space ---- */

/* Free a space and everything it holds; NULL is harmless. */
void cewb_fce_space_free(cewb_fce_space *sp)
{
	if (!sp)
		return;
	if (sp->data)
		for (size_t o = 0; o < sp->n_orbits; o++) {
			for (size_t m = 0; m < sp->data[o].n_clusters; m++) {
				free(sp->data[o].clusters[m].M);
				free(sp->data[o].clusters[m].ent);
			}
			free(sp->data[o].clusters);
			free(sp->data[o].basis);
		}
	free(sp->data);
	free(sp->orbits);
	free(sp->B);
	free(sp->ops);
	free(sp->crot);
	free(sp->mindist);
	cewb_supercell_free(sp->sc);
	cewb_lattice_free(sp->lat);
	free(sp);
}

/* Check the cutoffs; a lattice space bounds them at max_cut. */
static cewb_status check_cutoffs(const double *cutoffs, size_t n_cutoffs, double max_cut,
				 cewb_error *err)
{
	int any = 0;
	if (!cutoffs || n_cutoffs < 1 || n_cutoffs > CEWB_FCE_MAX_ORDER - 1)
		CEWB_RAISE(err, CEWB_EINVAL, "%zu cutoffs given (1 to %d: orders 2 to %d)",
			   cutoffs ? n_cutoffs : 0, CEWB_FCE_MAX_ORDER - 1, CEWB_FCE_MAX_ORDER);
	for (size_t i = 0; i < n_cutoffs; i++) {
		if (!isfinite(cutoffs[i]) || cutoffs[i] < 0)
			CEWB_RAISE(err, CEWB_EINVAL,
				   "cutoff of order %zu is %g Å (must be >= 0; 0 leaves the "
				   "order out)", i + 2, cutoffs[i]);
		if (cutoffs[i] > max_cut)
			CEWB_RAISE(err, CEWB_EINVAL, "cutoff of order %zu is %g Å (at most %g Å)",
				   i + 2, cutoffs[i], max_cut);
		any |= cutoffs[i] > 0;
	}
	if (!any)
		CEWB_RAISE(err, CEWB_EINVAL, "every cutoff is 0: no order left");
	return CEWB_OK;
}

/* The Cartesian rotation of each operation used. */
static cewb_status cartesian_ops(cewb_fce_space *sp, cewb_error *err)
{
	const cewb_lattice *lat = sp->lat;
	sp->crot = malloc((sp->n_ops ? sp->n_ops : 1) * sizeof *sp->crot);
	if (!sp->crot)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	/* r' = A^T R A^-T r: C[i][j] = sum_kl A[k][i] R[k][l] inv[j][l]. */
	for (size_t g = 0; g < sp->n_ops; g++) {
		const int(*R)[3] = (const int(*)[3])lat->rot[sp->ops[g]];
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++) {
				double v = 0;
				for (int k = 0; k < 3; k++)
					for (int l = 0; l < 3; l++)
						v += lat->cell[k][i] * R[k][l] * lat->inv[j][l];
				sp->crot[g][i][j] = fabs(v) < 1e-12 ? 0.0 : v;
			}
	}
	return CEWB_OK;
}

/* Enumerate, group, sort and parametrise; then the sum rules. */
static cewb_status build_space(cewb_fce_space *sp, cewb_error *err)
{
	orbit_tmp *orb = NULL;
	size_t n_orb = 0, cap_orb = 0;
	point_list nb = { 0, 0, NULL };
	cewb_status st = CEWB_OK;

	if ((st = cartesian_ops(sp, err)))
		return st;
	/* Nearest-neighbour distance (for the check of displacements). */
	sp->nn_distance = INFINITY;
	for (size_t a = 0; a < sp->lat->n_sites; a++)
		for (size_t b = 0; b < sp->lat->n_sites; b++)
			for (int i = -2; i <= 2; i++)
				for (int j = -2; j <= 2; j++)
					for (int k = -2; k <= 2; k++) {
						cewb_lsite p = { (int)a, { 0, 0, 0 } };
						cewb_lsite q = { (int)b, { i, j, k } };
						double d = pt_dist_plain(sp->lat, &p, &q);
						if (d > 1e-8 && d < sp->nn_distance)
							sp->nn_distance = d;
					}
	for (size_t n = 2; n <= CEWB_FCE_MAX_ORDER && !st; n++) {
		tuple_map set;
		double rc;
		if (n - 2 >= sp->n_cutoffs || sp->cutoffs[n - 2] <= 0)
			continue;
		rc = sp->cutoffs[n - 2];
		memset(&set, 0, sizeof set);
		set.order = n;
		for (size_t b = 0; b < sp->lat->n_sites && !st; b++) {
			enum_state es;
			if ((st = neighbors(sp, b, rc, &nb, err)))
				break;
			memset(&es, 0, sizeof es);
			es.sp = sp;
			es.cand = &nb;
			es.rc = rc;
			es.n = n;
			es.set = &set;
			es.pick[0] = 0;
			enum_dfs(&es, 1);
			if (es.oom)
				st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
			else if (es.stop)
				st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
		}
		if (!st)
			st = build_orbits(sp, &set, &orb, &n_orb, &cap_orb, err);
		map_release(&set);
	}
	free(nb.p);
	if (st)
		goto out;
	qsort(orb, n_orb, sizeof *orb, orbit_tmp_cmp);
	sp->orbits = calloc(n_orb ? n_orb : 1, sizeof *sp->orbits);
	sp->data = calloc(n_orb ? n_orb : 1, sizeof *sp->data);
	if (!sp->orbits || !sp->data) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto out;
	}
	sp->n_orbits = n_orb;
	sp->n_free = 0;
	sp->sym_min_singular = INFINITY;
	sp->sym_max_zero = 0;
	for (size_t o = 0; o < n_orb && !st; o++) {
		orbit_tmp *t = &orb[o];
		cewb_fce_orbit *po = &sp->orbits[o];
		fce_orbit_data *od = &sp->data[o];
		po->order = t->order;
		po->radius = t->radius;
		po->max_distance = t->max_distance;
		po->n_distinct = t->n_distinct;
		po->multiplicity = t->n_members;
		po->n_free = t->k;
		po->free_first = sp->n_free;
		for (size_t k = 0; k < t->order; k++) {
			po->sites[k] = (size_t)t->rep[k].site;
			memcpy(po->offsets[k], t->rep[k].off, sizeof po->offsets[k]);
		}
		sp->n_free += t->k;
		if (t->sym_smin < sp->sym_min_singular)
			sp->sym_min_singular = t->sym_smin;
		if (t->sym_szero > sp->sym_max_zero)
			sp->sym_max_zero = t->sym_szero;
		od->clusters = calloc(t->n_members, sizeof *od->clusters);
		if (!od->clusters) {
			st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
			break;
		}
		od->n_clusters = t->n_members;
		if (cewb_interrupt_flag)
			st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
		for (size_t m = 0; m < t->n_members && !st; m++)
			st = cluster_tensors(sp, t, m, &od->clusters[m], err);
		od->basis = t->basis;
		t->basis = NULL;
	}
	if (!st)
		st = sum_rules(sp, err);
out:
	for (size_t o = 0; o < n_orb; o++)
		orbit_tmp_release(&orb[o]);
	free(orb);
	return st;
}

/* A new space holding a copy of the lattice and the cutoffs. */
static cewb_status space_alloc(const cewb_lattice *lat, const double *cutoffs, size_t n_cutoffs,
			       unsigned sum_rules, cewb_fce_space **out, cewb_error *err)
{
	cewb_fce_space *sp = calloc(1, sizeof *sp);
	if (!sp)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	sp->lat = cewb_lattice_copy(lat);
	if (!sp->lat) {
		free(sp);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	memcpy(sp->cutoffs, cutoffs, n_cutoffs * sizeof *cutoffs);
	sp->n_cutoffs = n_cutoffs;
	sp->sum_rules = sum_rules;
	if (sum_rules & CEWB_FCE_ROTATIONAL)
		sp->sum_rules |= CEWB_FCE_ACOUSTIC;
	*out = sp;
	return CEWB_OK;
}

/* Common checks of the arguments of both builders. */
static cewb_status check_args(const cewb_lattice *lat, unsigned sum_rules, cewb_error *err)
{
	if (!lat)
		CEWB_RAISE(err, CEWB_EINVAL, "no lattice");
	if (!lat->pbc[0] || !lat->pbc[1] || !lat->pbc[2])
		CEWB_RAISE(err, CEWB_EINVAL,
			   "force-constant spaces need a lattice periodic along a, b and c "
			   "(pbc is %c %c %c)", lat->pbc[0] ? 'T' : 'F', lat->pbc[1] ? 'T' : 'F',
			   lat->pbc[2] ? 'T' : 'F');
	if (sum_rules & ~(unsigned)(CEWB_FCE_ACOUSTIC | CEWB_FCE_ROTATIONAL))
		CEWB_RAISE(err, CEWB_EINVAL, "unknown sum rules 0x%x", sum_rules);
	if (lat->n_ops == 0)
		CEWB_RAISE(err, CEWB_ESYMMETRY, "the lattice has no symmetry operation");
	return CEWB_OK;
}

/* The force-constant space of a lattice (cewb/fce.h). */
cewb_status cewb_fce_space_build(const cewb_lattice *lat, const double *cutoffs,
				 size_t n_cutoffs, unsigned sum_rules,
				 cewb_fce_space **out, cewb_error *err)
{
	cewb_fce_space *sp;
	cewb_status st;
	if ((st = check_args(lat, sum_rules, err)))
		return st;
	if ((st = check_cutoffs(cutoffs, n_cutoffs, 50.0, err)))
		return st;
	if ((st = space_alloc(lat, cutoffs, n_cutoffs, sum_rules, &sp, err)))
		return st;
	sp->n_ops = lat->n_ops;
	sp->ops = malloc(lat->n_ops * sizeof *sp->ops);
	if (!sp->ops) {
		cewb_fce_space_free(sp);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	for (size_t g = 0; g < lat->n_ops; g++)
		sp->ops[g] = g;
	if ((st = build_space(sp, err))) {
		cewb_fce_space_free(sp);
		return st;
	}
	*out = sp;
	return CEWB_OK;
}

/* Does rotation R (fractional, on columns) map the supercell lattice of P
 * (rows, in primitive coordinates) onto itself? */
static int keeps_supercell(const int R[3][3], const int P[3][3])
{
	double Pt[3][3], Pinv[3][3];
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			Pt[i][j] = P[j][i];
	if (!inv3(Pt, Pinv))
		return 0;
	for (int r = 0; r < 3; r++) {
		double y[3], x[3];
		for (int i = 0; i < 3; i++)
			y[i] = R[i][0] * P[r][0] + R[i][1] * P[r][1] + R[i][2] * P[r][2];
		for (int i = 0; i < 3; i++) {
			x[i] = Pinv[i][0] * y[0] + Pinv[i][1] * y[1] + Pinv[i][2] * y[2];
			if (fabs(x[i] - round(x[i])) > 1e-6)
				return 0;
		}
	}
	return 1;
}

/* The force-constant space of the atoms of one supercell (cewb/fce.h). */
cewb_status cewb_fce_space_build_supercell(const cewb_lattice *lat,
					   const cewb_structure *ideal, double tol,
					   const double *cutoffs, size_t n_cutoffs,
					   unsigned sum_rules, cewb_fce_space **out,
					   cewb_error *err)
{
	cewb_fce_space *sp;
	cewb_status st;
	size_t ns, nc;
	if ((st = check_args(lat, sum_rules, err)))
		return st;
	if (sum_rules & CEWB_FCE_ROTATIONAL)
		CEWB_RAISE(err, CEWB_EINVAL,
			   "rotational sum rules are not available in a supercell space");
	if (!ideal)
		CEWB_RAISE(err, CEWB_EINVAL, "no supercell");
	if ((st = check_cutoffs(cutoffs, n_cutoffs, 1e6, err)))
		return st;
	if ((st = space_alloc(lat, cutoffs, n_cutoffs, sum_rules, &sp, err)))
		return st;
	sp->supercell = 1;
	if ((st = cewb_supercell_match(lat, ideal, tol, &sp->sc, err))) {
		cewb_fce_space_free(sp);
		return st;
	}
	ns = lat->n_sites;
	nc = sp->sc->n_cells;
	sp->ops = malloc(lat->n_ops * sizeof *sp->ops);
	sp->mindist = malloc(ns * ns * nc * sizeof *sp->mindist);
	if (!sp->ops || !sp->mindist) {
		cewb_fce_space_free(sp);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	for (size_t g = 0; g < lat->n_ops; g++)
		if (keeps_supercell((const int(*)[3])lat->rot[g], (const int(*)[3])sp->sc->P))
			sp->ops[sp->n_ops++] = g;
	for (size_t a = 0; a < ns; a++)
		for (size_t b = 0; b < ns; b++)
			for (size_t c = 0; c < nc; c++) {
				cewb_lsite p = { (int)a, { 0, 0, 0 } };
				cewb_lsite q = { (int)b, { sp->sc->offset_of[c][0],
							   sp->sc->offset_of[c][1],
							   sp->sc->offset_of[c][2] } };
				double v[3];
				sp->mindist[(a * ns + b) * nc + c] = pt_vec(sp, &p, &q, v, NULL);
			}
	if ((st = build_space(sp, err))) {
		cewb_fce_space_free(sp);
		return st;
	}
	*out = sp;
	return CEWB_OK;
}

/* Number of orbits. */
size_t cewb_fce_space_n_orbits(const cewb_fce_space *sp)
{
	return sp->n_orbits;
}

/* Orbit k (borrowed), NULL when out of range. */
const cewb_fce_orbit *cewb_fce_space_orbit(const cewb_fce_space *sp, size_t k)
{
	return k < sp->n_orbits ? &sp->orbits[k] : NULL;
}

/* Free parameters: symmetry only. */
size_t cewb_fce_space_n_free(const cewb_fce_space *sp)
{
	return sp->n_free;
}

/* Fit parameters: after the sum rules. */
size_t cewb_fce_space_n_params(const cewb_fce_space *sp)
{
	return sp->n_params;
}

/* The space's copy of the lattice (borrowed). */
const cewb_lattice *cewb_fce_space_lattice(const cewb_fce_space *sp)
{
	return sp->lat;
}

/* Sum rules in force. */
unsigned cewb_fce_space_sum_rules(const cewb_fce_space *sp)
{
	return sp->sum_rules;
}

/* 1 for a supercell space. */
int cewb_fce_space_is_supercell(const cewb_fce_space *sp)
{
	return sp->supercell;
}

/* free = B params. */
void cewb_fce_params_to_free(const cewb_fce_space *sp, const double *params, double *free_out)
{
	size_t nf = sp->n_free, np = sp->n_params;
	for (size_t f = 0; f < nf; f++) {
		double v = 0;
		const double *b = sp->B + f * np;
		for (size_t p = 0; p < np; p++)
			v += b[p] * params[p];
		free_out[f] = v;
	}
}

/* Tensor basis of orbit k (borrowed), NULL when out of range. */
const double *cewb_fce_space_basis(const cewb_fce_space *sp, size_t k)
{
	return k < sp->n_orbits ? sp->data[k].basis : NULL;
}

/* The sum-rule basis B (borrowed). */
const double *cewb_fce_space_constraints(const cewb_fce_space *sp)
{
	return sp->B;
}

/* Tensor of orbit k's representative for fit parameters params. */
cewb_status cewb_fce_orbit_tensor(const cewb_fce_space *sp, size_t k, const double *params,
				  double *tensor, cewb_error *err)
{
	const cewb_fce_orbit *o;
	double *fr;
	size_t d;
	if (k >= sp->n_orbits)
		CEWB_RAISE(err, CEWB_EINVAL, "no orbit %zu (the space has %zu)", k, sp->n_orbits);
	o = &sp->orbits[k];
	d = fce_pow3(o->order);
	fr = malloc((sp->n_free ? sp->n_free : 1) * sizeof *fr);
	if (!fr)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	cewb_fce_params_to_free(sp, params, fr);
	for (size_t i = 0; i < d; i++) {
		double v = 0;
		for (size_t p = 0; p < o->n_free; p++)
			v += sp->data[k].basis[i * o->n_free + p] * fr[o->free_first + p];
		tensor[i] = v;
	}
	free(fr);
	return CEWB_OK;
}

/* ---- second-order force constants ---- */

/* Blocks ordered by (i, j, R). */
static int block_cmp(const void *pa, const void *pb)
{
	const cewb_fc2_block *a = pa, *b = pb;
	if (a->i != b->i)
		return a->i < b->i ? -1 : 1;
	if (a->j != b->j)
		return a->j < b->j ? -1 : 1;
	for (int k = 0; k < 3; k++)
		if (a->R[k] != b->R[k])
			return a->R[k] < b->R[k] ? -1 : 1;
	return 0;
}

/* Add a block with weight w, and its transpose for the reverse pair. */
static int add_pair_blocks(cewb_fc2 *fc, size_t i, size_t j, const int R[3],
			   const double phi[3][3], double w, int self)
{
	double a[3][3], t[3][3];
	int mR[3] = { -R[0], -R[1], -R[2] };
	for (int x = 0; x < 3; x++)
		for (int y = 0; y < 3; y++) {
			a[x][y] = w * phi[x][y];
			t[y][x] = w * phi[x][y];
		}
	if (cewb_fc2_add(fc, i, j, R, (const double(*)[3])a))
		return -1;
	if (!self && cewb_fc2_add(fc, j, i, mR, (const double(*)[3])t))
		return -1;
	return 0;
}

/*
 * The blocks of the supercell pair (p, q) spread over the shortest images
 * of q seen from p, each with weight 1 / (number of images); one
 * direction only when one_way is set.  Returns -1 when out of memory.
 */
static int spread_pair(const cewb_fce_space *sp, cewb_fc2 *fc, const cewb_lsite *p,
		       const cewb_lsite *q, const double phi[3][3], int one_way)
{
	const int(*P)[3] = (const int(*)[3])sp->sc->P;
	double v[3], dmin = pt_vec(sp, p, q, v, NULL);
	int R[125][3], n_found = 0;
	for (int a = -2; a <= 2; a++)
		for (int b = -2; b <= 2; b++)
			for (int c = -2; c <= 2; c++) {
				cewb_lsite qq = *q;
				for (int i = 0; i < 3; i++)
					qq.off[i] += a * P[0][i] + b * P[1][i] + c * P[2][i];
				if (fabs(pt_dist_plain(sp->lat, p, &qq) - dmin) > RADIUS_TOL)
					continue;
				for (int i = 0; i < 3; i++)
					R[n_found][i] = qq.off[i] - p->off[i];
				n_found++;
			}
	for (int r = 0; r < n_found; r++)
		if (add_pair_blocks(fc, (size_t)p->site, (size_t)q->site, R[r], phi,
				    1.0 / n_found, one_way))
			return -1;
	return 0;
}

/* Second-order constants as lattice sums, masses from the atomic weights. */
cewb_status cewb_fce_fc2(const cewb_fce_space *sp, const double *params, cewb_fc2 **out,
			 cewb_error *err)
{
	const cewb_lattice *lat = sp->lat;
	cewb_fc2 *fc;
	double *fr;
	for (size_t s = 0; s < lat->n_sites; s++) {
		int z = lat->allowed[s][0];
		if (cewb_element_mass(z) <= 0)
			CEWB_RAISE(err, CEWB_EINVAL, "site %zu: no standard atomic weight for %s",
				   s, cewb_element_symbol(z) ? cewb_element_symbol(z) : "?");
	}
	fc = cewb_fc2_alloc(lat->n_sites);
	fr = malloc((sp->n_free ? sp->n_free : 1) * sizeof *fr);
	if (!fc || !fr) {
		cewb_fc2_free(fc);
		free(fr);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	memcpy(fc->cell, lat->cell, sizeof fc->cell);
	for (size_t s = 0; s < lat->n_sites; s++) {
		memcpy(fc->pos[s], lat->pos[s], sizeof fc->pos[s]);
		fc->numbers[s] = lat->allowed[s][0];
		fc->masses[s] = cewb_element_mass(fc->numbers[s]);
	}
	cewb_fce_params_to_free(sp, params, fr);
	for (size_t o = 0; o < sp->n_orbits; o++) {
		const cewb_fce_orbit *po = &sp->orbits[o];
		if (po->order != 2)
			continue;
		for (size_t m = 0; m < sp->data[o].n_clusters; m++) {
			const fce_cluster *cl = &sp->data[o].clusters[m];
			const cewb_lsite *p = &cl->pts[0], *q = &cl->pts[1];
			double phi[3][3];
			int self = pt_eq(p, q);
			for (int a = 0; a < 3; a++)
				for (int b = 0; b < 3; b++) {
					double v = 0;
					for (size_t f = 0; f < po->n_free; f++)
						v += cl->M[(size_t)(a * 3 + b) * po->n_free + f] *
						     fr[po->free_first + f];
					phi[a][b] = v;
				}
			if (!sp->supercell) {
				int R[3] = { q->off[0] - p->off[0], q->off[1] - p->off[1],
					     q->off[2] - p->off[2] };
				if (add_pair_blocks(fc, (size_t)p->site, (size_t)q->site, R,
						    (const double(*)[3])phi, 1.0, self))
					goto oom;
				continue;
			}
			/* Supercell: spread over the shortest images, equal weights;
			 * a pair that a translation swaps is its own reverse. */
			if (spread_pair(sp, fc, p, q, (const double(*)[3])phi,
					self || cl->n_translations > 1))
				goto oom;
		}
	}
	/* Merge blocks of the same (i, j, R) (shortest images at equal length). */
	if (fc->n_blocks > 1) {
		size_t w = 0;
		qsort(fc->blocks, fc->n_blocks, sizeof *fc->blocks, block_cmp);
		for (size_t r = 1; r < fc->n_blocks; r++) {
			if (!block_cmp(&fc->blocks[w], &fc->blocks[r])) {
				for (int a = 0; a < 3; a++)
					for (int b = 0; b < 3; b++)
						fc->blocks[w].phi[a][b] += fc->blocks[r].phi[a][b];
			} else {
				fc->blocks[++w] = fc->blocks[r];
			}
		}
		fc->n_blocks = w + 1;
	}
	free(fr);
	*out = fc;
	return CEWB_OK;
oom:
	free(fr);
	cewb_fc2_free(fc);
	CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
}
