/*
 * Cluster spaces: clusters of a lattice up to the cutoffs, grouped into
 * orbits by the lattice's symmetry, with their allowed permutations and
 * merged multicomponent vectors.
 *
 * Clusters are handled as sorted lists of lattice sites (site, offset);
 * two clusters are translations of each other when their sorted lists
 * differ by one offset, so the canonical form of a cluster is its sorted
 * list translated to put the smallest site in the home cell.  Symmetry
 * operations act on sites with integer arithmetic only (lattice.h).
 */
#include "config.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cewb/space.h"
#include "space_internal.h"
#include "geom.h"

/* Pairs count as within a cutoff when d < cutoff + CUTOFF_TOL. */
#define CUTOFF_TOL 2e-5
/* Radii and distances compare equal within this tolerance (Å). */
#define RADIUS_TOL 1e-5

static int lsite_cmp(const cewb_lsite *a, const cewb_lsite *b)
{
	for (int i = 0; i < 3; i++)
		if (a->off[i] != b->off[i])
			return a->off[i] < b->off[i] ? -1 : 1;
	return (a->site > b->site) - (a->site < b->site);
}

static int lsite_qcmp(const void *a, const void *b)
{
	return lsite_cmp(a, b);
}

void cewb_lsite_position(const cewb_lattice *lat, const cewb_lsite *s, double pos[3])
{
	double f[3] = { lat->frac[s->site][0] + s->off[0], lat->frac[s->site][1] + s->off[1],
			lat->frac[s->site][2] + s->off[2] };
	v3_frac_cart(lat->cell, f, pos);
}

/* Image of a lattice site under operation g. */
static cewb_lsite apply_op(const cewb_lattice *lat, size_t g, const cewb_lsite *s)
{
	cewb_lsite r;
	const int(*R)[3] = (const int(*)[3])lat->rot[g];
	const int *sh = lat->op_shift[g * lat->n_sites + (size_t)s->site];
	r.site = lat->op_site[g * lat->n_sites + (size_t)s->site];
	for (int i = 0; i < 3; i++)
		r.off[i] = R[i][0] * s->off[0] + R[i][1] * s->off[1] + R[i][2] * s->off[2] + sh[i];
	return r;
}

/* ---- a hash set of clusters of one order ---- */

typedef struct {
	size_t order;
	size_t n, cap;        /* clusters stored */
	cewb_lsite *sites;    /* n x order, canonical */
	size_t n_slots;
	long *slots;          /* index or -1 */
} cluster_set;

static uint64_t hash_sites(const cewb_lsite *s, size_t k)
{
	uint64_t h = 1469598103934665603ULL;
	const int *p = (const int *)s;
	for (size_t i = 0; i < 4 * k; i++) {
		h ^= (uint64_t)(uint32_t)p[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static void set_release(cluster_set *cs)
{
	free(cs->sites);
	free(cs->slots);
	memset(cs, 0, sizeof *cs);
}

static long set_find(const cluster_set *cs, const cewb_lsite *s)
{
	size_t k = cs->order, mask = cs->n_slots - 1;
	size_t h;
	if (!cs->n_slots)
		return -1;
	h = hash_sites(s, k) & mask;
	while (cs->slots[h] >= 0) {
		if (!memcmp(cs->sites + (size_t)cs->slots[h] * k, s, k * sizeof *s))
			return cs->slots[h];
		h = (h + 1) & mask;
	}
	return -1;
}

static int set_rehash(cluster_set *cs, size_t n_slots)
{
	long *slots = malloc(n_slots * sizeof *slots);
	if (!slots)
		return -1;
	for (size_t i = 0; i < n_slots; i++)
		slots[i] = -1;
	for (size_t i = 0; i < cs->n; i++) {
		size_t h = hash_sites(cs->sites + i * cs->order, cs->order) & (n_slots - 1);
		while (slots[h] >= 0)
			h = (h + 1) & (n_slots - 1);
		slots[h] = (long)i;
	}
	free(cs->slots);
	cs->slots = slots;
	cs->n_slots = n_slots;
	return 0;
}

/* Add a canonical cluster (not yet present); -1 when out of memory. */
static int set_add(cluster_set *cs, const cewb_lsite *s)
{
	size_t k = cs->order;
	if (cs->n == cs->cap) {
		size_t cap = cs->cap ? 2 * cs->cap : 256;
		cewb_lsite *p = realloc(cs->sites, cap * k * sizeof *p);
		if (!p)
			return -1;
		cs->sites = p;
		cs->cap = cap;
	}
	memcpy(cs->sites + cs->n * k, s, k * sizeof *s);
	cs->n++;
	if (2 * cs->n > cs->n_slots) {
		if (set_rehash(cs, cs->n_slots ? 2 * cs->n_slots : 1024))
			return -1;
	} else {
		size_t h = hash_sites(s, k) & (cs->n_slots - 1);
		while (cs->slots[h] >= 0)
			h = (h + 1) & (cs->n_slots - 1);
		cs->slots[h] = (long)(cs->n - 1);
	}
	return 0;
}

/* Sort a cluster and translate its smallest site to the home cell; the
 * translation subtracted is stored in T. */
static void canonical(cewb_lsite *s, size_t k, int T[3])
{
	qsort(s, k, sizeof *s, lsite_qcmp);
	for (int i = 0; i < 3; i++)
		T[i] = s[0].off[i];
	for (size_t j = 0; j < k; j++)
		for (int i = 0; i < 3; i++)
			s[j].off[i] -= T[i];
}

/* ---- neighbours ---- */

typedef struct {
	cewb_lsite s;
	double pos[3];
	double d;
} neighbor;

typedef struct {
	size_t n, cap;
	neighbor *v;
} nlist;

static int cmp_neighbor(const void *a, const void *b)
{
	return lsite_cmp(&((const neighbor *)a)->s, &((const neighbor *)b)->s);
}

/* Sites within rmax of site b (home cell), active sites only, sorted. */
static cewb_status neighbors_of(const cewb_lattice *lat, size_t b, double rmax, nlist *out,
				cewb_error *err)
{
	double V = fabs(det3(lat->cell)), home[3];
	int nmax[3];
	cewb_lsite hs = { (int)b, { 0, 0, 0 } };
	cewb_lsite_position(lat, &hs, home);
	for (int i = 0; i < 3; i++) {
		double x[3];
		v3_cross(lat->cell[(i + 1) % 3], lat->cell[(i + 2) % 3], x);
		nmax[i] = lat->pbc[i] ? (int)ceil(rmax / (V / v3_norm(x))) + 1 : 0;
	}
	out->n = 0;
	for (int a = -nmax[0]; a <= nmax[0]; a++)
		for (int c = -nmax[1]; c <= nmax[1]; c++)
			for (int e = -nmax[2]; e <= nmax[2]; e++)
				for (size_t j = 0; j < lat->n_sites; j++) {
					neighbor nb;
					if (lat->n_allowed[j] < 2)
						continue;
					nb.s.site = (int)j;
					nb.s.off[0] = a;
					nb.s.off[1] = c;
					nb.s.off[2] = e;
					cewb_lsite_position(lat, &nb.s, nb.pos);
					nb.d = v3_dist(nb.pos, home);
					if (nb.d >= rmax + CUTOFF_TOL || (j == b && !a && !c && !e))
						continue;
					if (out->n == out->cap) {
						size_t cap = out->cap ? 2 * out->cap : 256;
						neighbor *p = realloc(out->v, cap * sizeof *p);
						if (!p)
							CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
						out->v = p;
						out->cap = cap;
					}
					out->v[out->n++] = nb;
				}
	qsort(out->v, out->n, sizeof *out->v, cmp_neighbor);
	return CEWB_OK;
}

/* Depth-first enumeration of clusters of order k from a base site. */
typedef struct {
	const neighbor *cand;
	size_t n_cand;
	double rc;
	size_t k;
	cewb_lsite cur[CEWB_MAX_ORDER];
	size_t pick[CEWB_MAX_ORDER];
	cluster_set *set;
	int oom;
	int stop;             /* interrupted (cewb_interrupt_flag) */
} dfs_state;

static void dfs(dfs_state *st, size_t depth, size_t from)
{
	if (st->oom || st->stop)
		return;
	if (depth == st->k) {
		if (set_add(st->set, st->cur))
			st->oom = 1;
		/* Poll the interrupt now and then: one base site may carry
		 * millions of clusters at large cutoffs. */
		if ((st->set->n & 4095) == 0 && cewb_interrupt_flag)
			st->stop = 1;
		return;
	}
	for (size_t i = from; i < st->n_cand; i++) {
		const neighbor *c = &st->cand[i];
		int okd = 1;
		for (size_t j = 1; j < depth && okd; j++)
			okd = v3_dist(c->pos, st->cand[st->pick[j]].pos) < st->rc + CUTOFF_TOL;
		if (!okd)
			continue;
		st->pick[depth] = i;
		st->cur[depth] = c->s;
		dfs(st, depth + 1, i + 1);
	}
}

/* ---- orbits ---- */

static void orbit_release(cewb_orbit *o)
{
	free(o->clusters);
	free(o->perms);
	free(o->mc);
	free(o->mc_size);
	if (o->mc_members)
		for (size_t j = 0; j < o->n_params; j++)
			free(o->mc_members[j]);
	free(o->mc_members);
	free(o->multiplicity);
	memset(o, 0, sizeof *o);
}

void cewb_space_free(cewb_space *sp)
{
	if (!sp)
		return;
	for (size_t i = 0; i < sp->n_orbits; i++)
		orbit_release(&sp->orbits[i]);
	free(sp->orbits);
	free(sp->param_orbit);
	cewb_space_cache_free(sp->cache);
	cewb_lattice_free(sp->lattice);
	free(sp);
}

/* Geometry of an orbit from its representative: radius, longest distance. */
static void orbit_geometry(const cewb_lattice *lat, cewb_orbit *o)
{
	double pos[CEWB_MAX_ORDER][3], cen[3] = { 0, 0, 0 }, r = 0, dmax = 0;
	size_t k = o->order;
	for (size_t i = 0; i < k; i++) {
		cewb_lsite_position(lat, &o->clusters[i], pos[i]);
		for (int j = 0; j < 3; j++)
			cen[j] += pos[i][j] / (double)k;
	}
	for (size_t i = 0; i < k; i++) {
		r += v3_dist(pos[i], cen) / (double)k;
		for (size_t j = i + 1; j < k; j++) {
			double d = v3_dist(pos[i], pos[j]);
			dmax = d > dmax ? d : dmax;
		}
	}
	o->radius = r;
	o->max_distance = dmax;
}

/* Sorted pair distances of the representative, longest first. */
static size_t pair_distances(const cewb_lattice *lat, const cewb_orbit *o, double *d)
{
	double pos[CEWB_MAX_ORDER][3];
	size_t n = 0;
	for (size_t i = 0; i < o->order; i++)
		cewb_lsite_position(lat, &o->clusters[i], pos[i]);
	for (size_t i = 0; i < o->order; i++)
		for (size_t j = i + 1; j < o->order; j++)
			d[n++] = v3_dist(pos[i], pos[j]);
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && d[j] > d[j - 1]; j--) {
			double t = d[j];
			d[j] = d[j - 1];
			d[j - 1] = t;
		}
	return n;
}

static const cewb_lattice *sort_lattice;

/* Orbit order: order, radius, clusters per cell, pair distances, sites. */
static int orbit_cmp(const void *pa, const void *pb)
{
	const cewb_orbit *a = pa, *b = pb;
	double da[CEWB_MAX_ORDER * CEWB_MAX_ORDER], db[CEWB_MAX_ORDER * CEWB_MAX_ORDER];
	size_t n;
	if (a->order != b->order)
		return a->order < b->order ? -1 : 1;
	if (fabs(a->radius - b->radius) > RADIUS_TOL)
		return a->radius < b->radius ? -1 : 1;
	if (a->n_clusters != b->n_clusters)
		return a->n_clusters < b->n_clusters ? -1 : 1;
	n = pair_distances(sort_lattice, a, da);
	pair_distances(sort_lattice, b, db);
	for (size_t i = 0; i < n; i++)
		if (fabs(da[i] - db[i]) > RADIUS_TOL)
			return da[i] < db[i] ? -1 : 1;
	for (size_t i = 0; i < a->order; i++) {
		int c = lsite_cmp(&a->clusters[i], &b->clusters[i]);
		if (c)
			return c;
	}
	return 0;
}

/*
 * Orbits of one order from the set of canonical clusters: every cluster
 * not yet placed starts an orbit and all its images join it.
 */
static cewb_status make_orbits(const cewb_lattice *lat, cluster_set *cs, cewb_orbit **orbits,
			       size_t *n_orbits, size_t *cap, cewb_error *err)
{
	size_t k = cs->order, n = cs->n;
	long *orbit_of = malloc((n ? n : 1) * sizeof *orbit_of);
	char *placed = calloc(n ? n : 1, 1);
	cewb_lsite *order_of = malloc((n ? n : 1) * k * sizeof *order_of);
	size_t *members = malloc((n ? n : 1) * sizeof *members);
	cewb_status st = CEWB_OK;
	if (!orbit_of || !placed || !order_of || !members) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n; i++)
		orbit_of[i] = -1;
	for (size_t i = 0; i < n; i++) {
		const cewb_lsite *rep = cs->sites + i * k;
		size_t n_mem = 0, n_perms = 0;
		int perms[64 * CEWB_MAX_ORDER];
		int *pp = perms, *heap_perms = NULL;
		size_t perm_cap = 64;
		cewb_orbit *o;
		if (orbit_of[i] >= 0)
			continue;
		if (cewb_interrupt_flag) {
			st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
			goto done;
		}
		orbit_of[i] = (long)*n_orbits;
		memcpy(order_of + i * k, rep, k * sizeof *rep);
		members[n_mem++] = i;
		for (size_t g = 0; g < lat->n_ops; g++) {
			cewb_lsite img[CEWB_MAX_ORDER], can[CEWB_MAX_ORDER];
			int T[3];
			long j;
			for (size_t s = 0; s < k; s++)
				img[s] = apply_op(lat, g, &rep[s]);
			memcpy(can, img, k * sizeof *img);
			canonical(can, k, T);
			j = set_find(cs, can);
			if (j < 0) {
				free(heap_perms);
				st = cewb_error_set(err, CEWB_ESYMMETRY,
						    "symmetry maps a cluster outside the cluster list "
						    "(order %zu); try another symprec", k);
				goto done;
			}
			for (size_t s = 0; s < k; s++)
				for (int x = 0; x < 3; x++)
					img[s].off[x] -= T[x];
			if ((size_t)j == i) {
				/* An allowed permutation: img[s] = rep[pi[s]]. */
				int pi[CEWB_MAX_ORDER], dup = 0;
				for (size_t s = 0; s < k; s++)
					for (size_t t = 0; t < k; t++)
						if (!lsite_cmp(&img[s], &rep[t]))
							pi[s] = (int)t;
				for (size_t q = 0; q < n_perms && !dup; q++)
					dup = !memcmp(pp + q * k, pi, k * sizeof pi[0]);
				if (!dup) {
					if (n_perms == perm_cap) {
						int *np = malloc(2 * perm_cap * k * sizeof *np);
						if (!np) {
							free(heap_perms);
							st = cewb_error_set(err, CEWB_ENOMEM,
									    "out of memory");
							goto done;
						}
						memcpy(np, pp, n_perms * k * sizeof *np);
						free(heap_perms);
						heap_perms = pp = np;
						perm_cap *= 2;
					}
					memcpy(pp + n_perms * k, pi, k * sizeof pi[0]);
					n_perms++;
				}
			}
			if (!placed[j] && (size_t)j != i) {
				placed[j] = 1;
				orbit_of[j] = (long)*n_orbits;
				memcpy(order_of + (size_t)j * k, img, k * sizeof *img);
				members[n_mem++] = (size_t)j;
			}
		}
		if (*n_orbits == *cap) {
			size_t nc = *cap ? 2 * *cap : 64;
			cewb_orbit *p = realloc(*orbits, nc * sizeof *p);
			if (!p) {
				free(heap_perms);
				st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
				goto done;
			}
			*orbits = p;
			*cap = nc;
		}
		o = &(*orbits)[*n_orbits];
		memset(o, 0, sizeof *o);
		o->order = k;
		o->n_clusters = n_mem;
		o->clusters = malloc(n_mem * k * sizeof *o->clusters);
		o->n_perms = n_perms;
		o->perms = malloc(n_perms * k * sizeof *o->perms);
		if (!o->clusters || !o->perms) {
			orbit_release(o);
			free(heap_perms);
			st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
			goto done;
		}
		(*n_orbits)++;
		for (size_t m = 0; m < n_mem; m++)
			memcpy(o->clusters + m * k, order_of + members[m] * k, k * sizeof(cewb_lsite));
		memcpy(o->perms, pp, n_perms * k * sizeof *pp);
		free(heap_perms);
		orbit_geometry(lat, o);
	}
done:
	free(orbit_of);
	free(placed);
	free(order_of);
	free(members);
	return st;
}

/* Lexicographic comparison of integer vectors of length k. */
static int vec_cmp(const int *a, const int *b, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* Merged multicomponent vector classes of an orbit. */
static cewb_status orbit_mc(const cewb_lattice *lat, cewb_orbit *o, cewb_error *err)
{
	size_t k = o->order, total = 1, cap = 8;
	int lim[CEWB_MAX_ORDER], v[CEWB_MAX_ORDER];
	int *imgs = malloc((o->n_perms ? o->n_perms : 1) * k * sizeof *imgs);
	if (!imgs)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	o->mc = malloc(cap * k * sizeof *o->mc);
	o->mc_size = malloc(cap * sizeof *o->mc_size);
	o->mc_members = calloc(cap, sizeof *o->mc_members);
	o->multiplicity = malloc(cap * sizeof *o->multiplicity);
	if (!o->mc || !o->mc_size || !o->mc_members || !o->multiplicity) {
		free(imgs);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < k; i++) {
		lim[i] = (int)lat->n_allowed[o->clusters[i].site] - 1;
		total *= (size_t)lim[i];
		v[i] = 0;
	}
	for (size_t idx = 0; idx < total; idx++) {
		size_t n_img = 0, rem = idx;
		int smallest = 1;
		for (size_t i = k; i-- > 0;) {
			v[i] = (int)(rem % (size_t)lim[i]);
			rem /= (size_t)lim[i];
		}
		for (size_t q = 0; q < o->n_perms && smallest; q++) {
			const int *pi = o->perms + q * k;
			int w[CEWB_MAX_ORDER], dup = 0;
			for (size_t i = 0; i < k; i++)
				w[i] = v[pi[i]];
			if (vec_cmp(w, v, k) < 0)
				smallest = 0;
			for (size_t m = 0; m < n_img && !dup; m++)
				dup = !vec_cmp(imgs + m * k, w, k);
			if (!dup)
				memcpy(imgs + n_img++ * k, w, k * sizeof w[0]);
		}
		if (!smallest)
			continue;
		if (n_img == 0)
			memcpy(imgs + n_img++ * k, v, k * sizeof v[0]);
		if (o->n_params == cap) {
			size_t nc = 2 * cap;
			int *a = realloc(o->mc, nc * k * sizeof *a);
			size_t *b = a ? realloc(o->mc_size, nc * sizeof *b) : NULL;
			int **c = b ? realloc(o->mc_members, nc * sizeof *c) : NULL;
			size_t *d;
			if (a)
				o->mc = a;
			if (b)
				o->mc_size = b;
			if (c)
				o->mc_members = c;
			d = c ? realloc(o->multiplicity, nc * sizeof *d) : NULL;
			if (!d) {
				free(imgs);
				CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
			}
			o->multiplicity = d;
			cap = nc;
		}
		memcpy(o->mc + o->n_params * k, v, k * sizeof v[0]);
		o->mc_size[o->n_params] = n_img;
		o->multiplicity[o->n_params] = n_img * o->n_clusters;
		o->mc_members[o->n_params] = malloc(n_img * k * sizeof(int));
		if (!o->mc_members[o->n_params]) {
			free(imgs);
			CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
		}
		memcpy(o->mc_members[o->n_params], imgs, n_img * k * sizeof(int));
		o->n_params++;
	}
	free(imgs);
	return CEWB_OK;
}

double cewb_space_estimate_orbits(const cewb_lattice *lat, const double *cutoffs,
				  size_t n_cutoffs)
{
	double V = fabs(det3(lat->cell)), est = 0;
	double na = (double)cewb_lattice_n_active(lat);
	double nops = lat->n_ops ? (double)lat->n_ops : 1.0;
	for (size_t i = 0; i < n_cutoffs; i++) {
		size_t k = i + 2;
		double r = cutoffs[i];
		/* Neighbours within r of a site; the partners of a cluster lie
		 * in a ball of radius r around its first site (half of them
		 * after it in site order), and each further pair of partners
		 * is within r about half the time. */
		double nb = na * 4.0 / 3.0 * M_PI * r * r * r / V;
		double c = na;
		for (size_t j = 1; j < k; j++)
			c *= nb / 2.0 / (double)j;
		for (size_t j = 0; j < (k - 1) * (k - 2) / 2; j++)
			c *= 0.5;
		/* Small clusters have large stabilisers: fewer images per orbit. */
		est += c / nops * (k == 2 ? 4.0 : k == 3 ? 2.0 : 1.0);
	}
	return est + na + 1;
}

cewb_status cewb_space_build(const cewb_lattice *lat, const double *cutoffs, size_t n_cutoffs,
			     cewb_space **out, cewb_error *err)
{
	cewb_space *sp = NULL;
	cewb_orbit *orbits = NULL;
	size_t n_orbits = 0, cap = 0;
	nlist *nl = NULL;
	cluster_set cs;
	double rmax = 0;
	cewb_status st = CEWB_OK;

	memset(&cs, 0, sizeof cs);
	if (n_cutoffs > CEWB_MAX_ORDER - 1)
		CEWB_RAISE(err, CEWB_EINVAL, "at most %d cutoffs (orders up to %d)",
			   CEWB_MAX_ORDER - 1, CEWB_MAX_ORDER);
	for (size_t i = 0; i < n_cutoffs; i++) {
		if (!(cutoffs[i] > 0) || !isfinite(cutoffs[i]))
			CEWB_RAISE(err, CEWB_EINVAL, "cutoff %zu (order %zu) must be positive",
				   i + 1, i + 2);
		rmax = cutoffs[i] > rmax ? cutoffs[i] : rmax;
	}
	if (cewb_lattice_n_active(lat) == 0)
		CEWB_RAISE(err, CEWB_EINVAL,
			   "no site allows two or more species: give the species (e.g. Ag,Pd)");
	sp = calloc(1, sizeof *sp);
	nl = calloc(lat->n_sites, sizeof *nl);
	if (!sp || !nl) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto fail;
	}
	sp->lattice = cewb_lattice_copy(lat);
	if (!sp->lattice) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto fail;
	}
	sp->n_cutoffs = n_cutoffs;
	memcpy(sp->cutoffs, cutoffs, n_cutoffs * sizeof *cutoffs);
	for (size_t b = 0; b < lat->n_sites; b++)
		if (lat->n_allowed[b] > 1 && (st = neighbors_of(lat, b, rmax, &nl[b], err)))
			goto fail;

	for (size_t k = 1; k <= n_cutoffs + 1; k++) {
		double rc = k == 1 ? 0 : cutoffs[k - 2];
		set_release(&cs);
		cs.order = k;
		for (size_t b = 0; b < lat->n_sites; b++) {
			dfs_state ds;
			neighbor *cand;
			size_t n_cand = 0;
			if (lat->n_allowed[b] < 2)
				continue;
			cand = malloc((nl[b].n + 1) * sizeof *cand);
			if (!cand) {
				st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
				goto fail;
			}
			/* The base site first, then larger neighbours within rc. */
			cand[0].s.site = (int)b;
			memset(cand[0].s.off, 0, sizeof cand[0].s.off);
			cewb_lsite_position(lat, &cand[0].s, cand[0].pos);
			cand[0].d = 0;
			n_cand = 1;
			for (size_t j = 0; j < nl[b].n; j++)
				if (nl[b].v[j].d < rc + CUTOFF_TOL &&
				    lsite_cmp(&nl[b].v[j].s, &cand[0].s) > 0)
					cand[n_cand++] = nl[b].v[j];
			memset(&ds, 0, sizeof ds);
			ds.cand = cand;
			ds.n_cand = n_cand;
			ds.rc = rc;
			ds.k = k;
			ds.set = &cs;
			ds.cur[0] = cand[0].s;
			ds.pick[0] = 0;
			dfs(&ds, 1, 1);
			free(cand);
			if (ds.oom) {
				st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
				goto fail;
			}
			if (ds.stop || cewb_interrupt_flag) {
				st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
				goto fail;
			}
		}
		{
			size_t first = n_orbits;
			if ((st = make_orbits(lat, &cs, &orbits, &n_orbits, &cap, err)))
				goto fail;
			sort_lattice = lat;
			qsort(orbits + first, n_orbits - first, sizeof *orbits, orbit_cmp);
		}
	}
	set_release(&cs);

	/* The zerolet first, then the orbits; parameters numbered in order. */
	sp->n_orbits = n_orbits + 1;
	sp->orbits = calloc(sp->n_orbits, sizeof *sp->orbits);
	if (!sp->orbits) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto fail;
	}
	memcpy(sp->orbits + 1, orbits, n_orbits * sizeof *orbits);
	free(orbits);
	orbits = NULL;
	n_orbits = 0;
	{
		cewb_orbit *z = &sp->orbits[0];
		z->n_clusters = 1;
		z->n_params = 1;
		z->mc_size = malloc(sizeof *z->mc_size);
		z->multiplicity = malloc(sizeof *z->multiplicity);
		z->mc_members = calloc(1, sizeof *z->mc_members);
		z->mc = malloc(sizeof *z->mc);
		if (!z->mc_size || !z->multiplicity || !z->mc_members || !z->mc) {
			st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
			goto fail;
		}
		z->mc_size[0] = 1;
		z->multiplicity[0] = 1;
	}
	for (size_t i = 1; i < sp->n_orbits; i++) {
		if (cewb_interrupt_flag) {
			st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
			goto fail;
		}
		if ((st = orbit_mc(lat, &sp->orbits[i], err)))
			goto fail;
	}
	for (size_t i = 0; i < sp->n_orbits; i++) {
		sp->orbits[i].first_param = sp->n_params;
		sp->n_params += sp->orbits[i].n_params;
		sp->n_orbits_by_order[sp->orbits[i].order]++;
	}
	sp->param_orbit = malloc(sp->n_params * sizeof *sp->param_orbit);
	if (!sp->param_orbit) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto fail;
	}
	for (size_t i = 0; i < sp->n_orbits; i++)
		for (size_t j = 0; j < sp->orbits[i].n_params; j++)
			sp->param_orbit[sp->orbits[i].first_param + j] = i;
	if ((st = cewb_space_cache_build(sp, err)))
		goto fail;
	for (size_t b = 0; b < lat->n_sites; b++)
		free(nl[b].v);
	free(nl);
	*out = sp;
	return CEWB_OK;
fail:
	set_release(&cs);
	if (orbits) {
		for (size_t i = 0; i < n_orbits; i++)
			orbit_release(&orbits[i]);
		free(orbits);
	}
	if (nl) {
		for (size_t b = 0; b < lat->n_sites; b++)
			free(nl[b].v);
		free(nl);
	}
	cewb_space_free(sp);
	return st;
}
