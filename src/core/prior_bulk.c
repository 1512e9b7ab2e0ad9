/*
 * prior_bulk.c - which bulk orbit each orbit of a slab belongs to.
 *
 * A slab orbit's representative cluster is placed in Cartesian space, its
 * sites are matched onto the bulk lattice (after one common shift of the
 * origin that puts every slab site on a bulk site), and the bulk orbit is
 * found by comparing the cluster, as a set of bulk lattice sites up to a
 * lattice translation, with the clusters each bulk orbit of the same order
 * and radius lists per primitive cell.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cewb/prior.h"

/* The bulk lattice site at Cartesian position pos (tol in Å); 0 if none. */
static int bulk_site(const cewb_lattice *b, const double pos[3], double tol, cewb_lsite *out)
{
	double f[3], d[3], c[3];
	size_t s;
	int k, l;
	cewb_cart_to_frac(b->inv, pos, f);
	for (s = 0; s < b->n_sites; s++) {
		int n[3];
		for (k = 0; k < 3; k++) {
			double x = f[k] - b->frac[s][k];
			n[k] = (int)lround(x);
			d[k] = x - n[k];
		}
		for (l = 0; l < 3; l++)
			c[l] = d[0] * b->cell[0][l] + d[1] * b->cell[1][l] + d[2] * b->cell[2][l];
		if (sqrt(c[0] * c[0] + c[1] * c[1] + c[2] * c[2]) < tol) {
			out->site = (int)s;
			for (k = 0; k < 3; k++)
				out->off[k] = n[k];
			return 1;
		}
	}
	return 0;
}

/* Do the k sites of a, translated by -a[i].off, equal the set b? */
static int same_set_shifted(const cewb_lsite *a, const cewb_lsite *b, size_t k, size_t i)
{
	size_t x, y;
	for (y = 0; y < k; y++) {
		int found = 0;
		for (x = 0; x < k && !found; x++)
			found = a[x].site == b[y].site &&
				a[x].off[0] - a[i].off[0] == b[y].off[0] &&
				a[x].off[1] - a[i].off[1] == b[y].off[1] &&
				a[x].off[2] - a[i].off[2] == b[y].off[2];
		if (!found)
			return 0;
	}
	return 1;
}

/* The bulk orbit holding cluster c (k sites, radius r), or -1. */
static long find_orbit(const cewb_space *bulk, const cewb_lsite *c, size_t k, double r)
{
	size_t o, m, i;
	for (o = 0; o < bulk->n_orbits; o++) {
		const cewb_orbit *ob = &bulk->orbits[o];
		if (ob->order != k || fabs(ob->radius - r) > 1e-4)
			continue;
		for (m = 0; m < ob->n_clusters; m++)
			for (i = 0; i < k; i++)
				if (same_set_shifted(c, ob->clusters + m * k, k, i))
					return (long)o;
	}
	return -1;
}

/* Height of a Cartesian position along the unit normal nrm. */
static double height(const double nrm[3], const double p[3])
{
	return nrm[0] * p[0] + nrm[1] * p[1] + nrm[2] * p[2];
}

cewb_status cewb_prior_bulk_classify(const cewb_space *slab, const cewb_space *bulk, double tol,
				     double surface_depth, long *bulk_orbit, double *weight,
				     cewb_error *err)
{
	double nrm[3], nn, zmin = INFINITY, zmax = -INFINITY;
	const cewb_lattice *sl = slab->lattice, *bl = bulk->lattice;
	double shift[3] = { 0, 0, 0 };
	cewb_lsite *c = NULL, tmp;
	size_t s, t, o, j, i;
	int found = 0;
	if (!(tol > 0))
		CEWB_RAISE(err, CEWB_EINVAL, "tolerance must be positive, not %g", tol);
	if (!bl->pbc[0] || !bl->pbc[1] || !bl->pbc[2])
		CEWB_RAISE(err, CEWB_EINVAL, "the bulk lattice must be periodic along a, b and c");
	/* one shift that puts every slab site on a bulk site */
	for (t = 0; t < bl->n_sites && !found; t++) {
		double p[3];
		int k;
		for (k = 0; k < 3; k++)
			shift[k] = bl->pos[t][k] - sl->pos[0][k];
		found = 1;
		for (s = 0; s < sl->n_sites && found; s++) {
			for (k = 0; k < 3; k++)
				p[k] = sl->pos[s][k] + shift[k];
			found = bulk_site(bl, p, tol, &tmp);
		}
	}
	if (!found)
		CEWB_RAISE(err, CEWB_ENOFIT, "the slab sites do not sit on the bulk lattice "
			   "(it must share the slab's Cartesian frame; tolerance %g Å)", tol);
	/* the outermost layers: extreme heights of the sites along a x b */
	nrm[0] = sl->cell[0][1] * sl->cell[1][2] - sl->cell[0][2] * sl->cell[1][1];
	nrm[1] = sl->cell[0][2] * sl->cell[1][0] - sl->cell[0][0] * sl->cell[1][2];
	nrm[2] = sl->cell[0][0] * sl->cell[1][1] - sl->cell[0][1] * sl->cell[1][0];
	nn = sqrt(nrm[0] * nrm[0] + nrm[1] * nrm[1] + nrm[2] * nrm[2]);
	for (s = 0; s < 3; s++)
		nrm[s] /= nn;
	for (s = 0; s < sl->n_sites; s++) {
		double z = height(nrm, sl->pos[s]);
		zmin = z < zmin ? z : zmin;
		zmax = z > zmax ? z : zmax;
	}
	c = malloc((CEWB_MAX_ORDER + 1) * sizeof *c);
	if (!c)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	for (o = 0; o < slab->n_orbits; o++) {
		const cewb_orbit *so = &slab->orbits[o];
		long b = -1;
		if (so->order > 0) {
			int ok = 1, surface = 0;
			for (i = 0; i < so->order && ok; i++) {
				double p[3];
				int k;
				cewb_lsite_position(sl, &so->clusters[i], p);
				if (surface_depth > 0 && (height(nrm, p) - zmin < surface_depth ||
							  zmax - height(nrm, p) < surface_depth))
					surface = 1;
				for (k = 0; k < 3; k++)
					p[k] += shift[k];
				ok = bulk_site(bl, p, tol, &c[i]);
			}
			if (ok && !surface)
				b = find_orbit(bulk, c, so->order, so->radius);
		}
		bulk_orbit[o] = b;
		for (j = 0; weight && j < so->n_params; j++) {
			size_t a = so->first_param + j;
			weight[a] = 1.0;
			if (b >= 0 && j < bulk->orbits[b].n_params && so->multiplicity[j] > 0)
				weight[a] = ((double)bulk->orbits[b].multiplicity[j] /
					     (double)bl->n_sites) /
					    ((double)so->multiplicity[j] / (double)sl->n_sites);
		}
	}
	free(c);
	return CEWB_OK;
}
