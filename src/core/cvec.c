/*
 * Cluster vectors: the mean over every cluster of each orbit in a
 * supercell, and over the members of each merged multicomponent class, of
 * the product of point functions.  Atoms are looked up through one table
 * per distinct cluster site (site, offset) and cell, so each cluster of
 * the supercell is visited once.
 */
#include "config.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "cewb/space.h"
#include "space_internal.h"

void cewb_space_cache_free(struct cewb_space_cache *c)
{
	if (!c)
		return;
	free(c->usites);
	if (c->uid)
		free(c->uid[0]);
	free(c->uid);
	free(c);
}

static int usite_cmp(const void *pa, const void *pb)
{
	const cewb_lsite *a = pa, *b = pb;
	for (int i = 0; i < 3; i++)
		if (a->off[i] != b->off[i])
			return a->off[i] < b->off[i] ? -1 : 1;
	return (a->site > b->site) - (a->site < b->site);
}

cewb_status cewb_space_cache_build(cewb_space *sp, cewb_error *err)
{
	struct cewb_space_cache *c = calloc(1, sizeof *c);
	size_t total = 0, n = 0;
	cewb_lsite *all;
	int *ids;
	if (!c)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	for (size_t i = 0; i < sp->n_orbits; i++)
		total += sp->orbits[i].n_clusters * sp->orbits[i].order;
	all = malloc((total ? total : 1) * sizeof *all);
	ids = malloc((total ? total : 1) * sizeof *ids);
	c->uid = calloc(sp->n_orbits, sizeof *c->uid);
	if (!all || !ids || !c->uid) {
		free(all);
		free(ids);
		cewb_space_cache_free(c);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < sp->n_orbits; i++) {
		size_t m = sp->orbits[i].n_clusters * sp->orbits[i].order;
		if (m)	/* the zerolet has no sites (clusters is NULL) */
			memcpy(all + n, sp->orbits[i].clusters, m * sizeof *all);
		n += m;
	}
	qsort(all, n, sizeof *all, usite_cmp);
	{
		size_t u = 0;
		for (size_t i = 0; i < n; i++)
			if (u == 0 || usite_cmp(&all[u - 1], &all[i]))
				all[u++] = all[i];
		c->n_usites = u;
	}
	c->usites = all;
	n = 0;
	for (size_t i = 0; i < sp->n_orbits; i++) {
		cewb_orbit *o = &sp->orbits[i];
		size_t m = o->n_clusters * o->order;
		c->uid[i] = ids + n;
		for (size_t j = 0; j < m; j++) {
			cewb_lsite *f = bsearch(&o->clusters[j], c->usites, c->n_usites,
						sizeof *c->usites, usite_cmp);
			ids[n + j] = (int)(f - c->usites);
		}
		n += m;
	}
	/* c->uid[0] owns the block (the zerolet has no sites, so it points at
	 * the start of ids). */
	c->uid[0] = ids;
	for (size_t b = 0; b < sp->lattice->n_sites; b++)
		if (sp->lattice->n_allowed[b] > c->max_species)
			c->max_species = sp->lattice->n_allowed[b];
	if (sp->cache)
		cewb_space_cache_free(sp->cache);
	sp->cache = c;
	return CEWB_OK;
}

/* Point function k of species index sigma among m species. */
static double point_function(int k, int sigma, int m)
{
	double arg = 2.0 * M_PI * (double)((k + 2) / 2) * sigma / m;
	return (k % 2 == 0) ? -cos(arg) : -sin(arg);
}

cewb_status cewb_cvec_from_occupation(const cewb_space *sp, const cewb_supercell *sc,
				      const int *species, double *cv, cewb_error *err)
{
	const cewb_lattice *lat = sp->lattice;
	const struct cewb_space_cache *c = sp->cache;
	size_t nc = sc->n_cells, km = c->max_species > 1 ? c->max_species - 1 : 1;
	double *theta = malloc(sc->n_atoms * km * sizeof *theta);
	int *table = malloc((c->n_usites ? c->n_usites : 1) * nc * sizeof *table);
	double *acc = NULL;
	size_t max_params = 1;
	cewb_status st = CEWB_OK;

	for (size_t i = 0; i < sp->n_orbits; i++)
		if (sp->orbits[i].n_params > max_params)
			max_params = sp->orbits[i].n_params;
	acc = malloc(max_params * sizeof *acc);
	if (!theta || !table || !acc) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t a = 0; a < sc->n_atoms; a++) {
		int b = sc->site_of[a];
		int sigma = cewb_lattice_species_index(lat, (size_t)b, species[a]);
		int m = (int)lat->n_allowed[b];
		if (sigma < 0) {
			const char *sym = cewb_element_symbol(species[a]);
			st = cewb_error_set(err, CEWB_ENOFIT, "atom %zu: %s is not allowed on site %d",
					    a, sym ? sym : "?", b);
			goto done;
		}
		for (int k = 0; k < m - 1; k++)
			theta[a * km + (size_t)k] = point_function(k, sigma, m);
	}
	for (size_t u = 0; u < c->n_usites; u++) {
		const cewb_lsite *s = &c->usites[u];
		int *row = table + u * nc;
		for (size_t cell = 0; cell < nc; cell++) {
			const int *o = sc->offset_of[cell];
			int n[3] = { o[0] + s->off[0], o[1] + s->off[1], o[2] + s->off[2] };
			size_t ci = cewb_supercell_cell_index(sc, n);
			row[cell] = sc->atom_of[(size_t)s->site * nc + ci];
		}
	}
	cv[0] = 1.0;
	for (size_t i = 1; i < sp->n_orbits; i++) {
		const cewb_orbit *o = &sp->orbits[i];
		size_t k = o->order;
		const int *uid = c->uid[i];
		if (cewb_interrupt_flag) {
			st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted");
			goto done;
		}
		for (size_t p = 0; p < o->n_params; p++)
			acc[p] = 0.0;
		for (size_t j = 0; j < o->n_clusters; j++) {
			const int *rows[CEWB_MAX_ORDER];
			for (size_t s = 0; s < k; s++)
				rows[s] = table + (size_t)uid[j * k + s] * nc;
			for (size_t p = 0; p < o->n_params; p++) {
				const int *mem = o->mc_members[p];
				size_t n_mem = o->mc_size[p];
				double sum = 0.0;
				if (n_mem == 1) {
					size_t off[CEWB_MAX_ORDER];
					for (size_t s = 0; s < k; s++)
						off[s] = (size_t)mem[s];
					for (size_t cell = 0; cell < nc; cell++) {
						double prod = theta[(size_t)rows[0][cell] * km + off[0]];
						for (size_t s = 1; s < k; s++)
							prod *= theta[(size_t)rows[s][cell] * km + off[s]];
						sum += prod;
					}
				} else {
					for (size_t cell = 0; cell < nc; cell++) {
						size_t at[CEWB_MAX_ORDER];
						for (size_t s = 0; s < k; s++)
							at[s] = (size_t)rows[s][cell] * km;
						for (size_t q = 0; q < n_mem; q++) {
							const int *v = mem + q * k;
							double prod = theta[at[0] + (size_t)v[0]];
							for (size_t s = 1; s < k; s++)
								prod *= theta[at[s] + (size_t)v[s]];
							sum += prod;
						}
					}
				}
				acc[p] += sum;
			}
		}
		for (size_t p = 0; p < o->n_params; p++)
			cv[o->first_param + p] =
				acc[p] / ((double)o->n_clusters * (double)nc * (double)o->mc_size[p]);
	}
done:
	free(theta);
	free(table);
	free(acc);
	return st;
}

cewb_status cewb_cvec_compute(const cewb_space *sp, const cewb_structure *s, double tol,
			      double *cv, cewb_error *err)
{
	cewb_supercell *sc = NULL;
	cewb_status st = cewb_supercell_match(sp->lattice, s, tol, &sc, err);
	if (st)
		return st;
	st = cewb_cvec_from_occupation(sp, sc, s->numbers, cv, err);
	if (st && st != CEWB_EINTERRUPT && s->source)
		cewb_error_prefix(err, "%s: frame %zu", s->source, s->frame);
	else if (st && st != CEWB_EINTERRUPT)
		cewb_error_prefix(err, "frame %zu", s->frame);
	cewb_supercell_free(sc);
	return st;
}
