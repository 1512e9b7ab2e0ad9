/* Internal tables of a cluster space used to compute cluster vectors. */
#ifndef CEWB_SPACE_INTERNAL_H
#define CEWB_SPACE_INTERNAL_H

#include "cewb/space.h"

/*
 * Every lattice site that occurs in some cluster of some orbit, once:
 * cluster vectors look atoms up per distinct site and cell, so a site
 * shared by many clusters costs one table row.
 */
struct cewb_space_cache {
	size_t n_usites;      /* distinct lattice sites of all clusters */
	cewb_lsite *usites;   /* n_usites */
	int **uid;            /* per orbit: n_clusters x order ids into usites */
	size_t max_species;   /* largest number of species on a site */
};

cewb_status cewb_space_cache_build(cewb_space *sp, cewb_error *err);
void cewb_space_cache_free(struct cewb_space_cache *c);

#endif
