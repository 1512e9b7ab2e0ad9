/*
 * cewb/space.h - cluster spaces (orbits of clusters) and cluster vectors.
 *
 * Conventions (those of icet 3.0, so results compare):
 *  - species on a site sorted by atomic number, sigma = 0..M-1;
 *  - point function k (0-based, k < M-1): -cos(2 pi floor((k+2)/2) sigma/M)
 *    for even k, -sin(...) for odd k (binary: lower Z = -1, higher = +1);
 *  - cutoffs[i] bounds the largest pairwise distance of clusters of order
 *    i+2 (d < cutoff + 2e-5 Å);
 *  - orbit 0 is the zerolet (one parameter, value 1), then orbits sorted by
 *    order, radius (tolerance 1e-5 Å), clusters per primitive cell; ties
 *    broken by the representative's pair distances, sorted longest first
 *    and compared in that order (smaller first), then by its sites and
 *    offsets;
 *  - radius = mean distance of the sites from their centroid;
 *  - multicomponent vectors related by an allowed site permutation are
 *    merged; each class is one parameter, classes in lexicographic order of
 *    their smallest member (last site fastest).
 *
 * Ownership: cewb_space_free frees the space and its copy of the lattice.
 */
#ifndef CEWB_SPACE_H
#define CEWB_SPACE_H

#include <stddef.h>
#include "cewb/error.h"
#include "cewb/lattice.h"
#include "cewb/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CEWB_MAX_ORDER 8

/* A lattice site: site index in the primitive cell and a lattice offset. */
typedef struct {
	int site;
	int off[3];
} cewb_lsite;

typedef struct {
	size_t order;          /* number of sites (0 for the zerolet) */
	double radius;         /* mean distance from the centroid (Å) */
	double max_distance;   /* longest pair distance (Å) */
	size_t n_clusters;     /* clusters per primitive cell */
	cewb_lsite *clusters;  /* n_clusters x order sites, each cluster ordered
				  as the symmetry image of the representative
				  (cluster 0), translated so that its
				  smallest site is in the home cell */
	size_t n_perms;        /* allowed permutations of the representative */
	int *perms;            /* n_perms x order */
	size_t n_params;       /* cluster-vector entries (merged mc classes) */
	size_t first_param;    /* index of its first entry in the cluster vector */
	int *mc;               /* n_params x order: smallest member of each class */
	size_t *mc_size;       /* members in each class */
	int **mc_members;      /* per class: mc_size[j] x order vectors */
	size_t *multiplicity;  /* per class: n_clusters * mc_size */
} cewb_orbit;

typedef struct {
	cewb_lattice *lattice; /* own copy */
	size_t n_cutoffs;
	double cutoffs[CEWB_MAX_ORDER - 1]; /* cutoffs[i]: order i + 2 */
	size_t n_orbits;       /* including the zerolet (orbit 0) */
	cewb_orbit *orbits;
	size_t n_params;       /* length of a cluster vector */
	size_t *param_orbit;   /* n_params: orbit of each entry */
	size_t n_orbits_by_order[CEWB_MAX_ORDER + 1];
	struct cewb_space_cache *cache; /* private lookup tables of cluster vectors */
} cewb_space;

/*
 * Build the cluster space of a lattice; cutoffs[i] is the cutoff of order
 * i + 2 (n_cutoffs <= CEWB_MAX_ORDER - 1, each > 0, non-increasing is not
 * required).  Polls cewb_interrupt_flag.
 */
cewb_status cewb_space_build(const cewb_lattice *lat, const double *cutoffs,
			     size_t n_cutoffs, cewb_space **out, cewb_error *err);
void cewb_space_free(cewb_space *sp);
/* Rough count of the orbits the cutoffs would give, for a warning before a
 * build that would be very large (a volume estimate, not exact). */
double cewb_space_estimate_orbits(const cewb_lattice *lat, const double *cutoffs,
				  size_t n_cutoffs);
/* Cartesian position of a lattice site. */
void cewb_lsite_position(const cewb_lattice *lat, const cewb_lsite *s, double pos[3]);

/*
 * The cluster vector (sp->n_params entries) of a structure that is a
 * supercell of the lattice (tol in Å for matching positions).
 */
cewb_status cewb_cvec_compute(const cewb_space *sp, const cewb_structure *s,
			      double tol, double *cv, cewb_error *err);
/* Cluster vector from an occupation: species[atom] is the atomic number of
 * each atom of the supercell (atom order of sc). */
cewb_status cewb_cvec_from_occupation(const cewb_space *sp, const cewb_supercell *sc,
				      const int *species, double *cv, cewb_error *err);

#ifdef __cplusplus
}
#endif
#endif
