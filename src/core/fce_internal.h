/* Internal layout of a force-constant space (cewb/fce.h), shared by its
 * builder and the sensing matrix. */
#ifndef CEWB_FCE_INTERNAL_H
#define CEWB_FCE_INTERNAL_H

#include "cewb/fce.h"
#include "cewb/space.h"

/* Largest tensor size: 3^CEWB_FCE_MAX_ORDER components. */
#define FCE_MAX_DIM 81

/* One nonzero force term: Cartesian direction b of the force, index t of
 * the outer product of the other displacements, free parameter p (within
 * the orbit), value -weight * count * M. */
typedef struct {
	unsigned short b, t;
	unsigned p;
	double v;
} fce_entry;

/*
 * One cluster of an orbit, as it sits in the lattice: its points in
 * canonical order, its energy weight 1 / (t prod(m!)) over the
 * multiplicities m of repeated points (t: n_translations), and its tensor
 * as a matrix of the orbit's free parameters.
 */
typedef struct {
	cewb_lsite pts[CEWB_FCE_MAX_ORDER];
	double weight;
	size_t n_translations;	/* translations of the supercell that map it onto
				   itself (1 in a lattice space) */
	double *M;	/* 3^n x n_free, row-major: tensor component (first
			   index slowest) per free parameter */
	/* Forces: per distinct point j (first at position dpos[j], met
	 * dcount[j] times), entries ent[ent_first[j] .. ent_first[j + 1]). */
	size_t n_dpos;
	int dpos[CEWB_FCE_MAX_ORDER];
	double dcount[CEWB_FCE_MAX_ORDER];
	size_t ent_first[CEWB_FCE_MAX_ORDER + 1];
	fce_entry *ent;
} fce_cluster;

/* An orbit: its public row and its clusters per primitive cell. */
typedef struct {
	size_t n_clusters;
	fce_cluster *clusters;
	double *basis;	/* 3^n x n_free of the representative (clusters[0]) */
} fce_orbit_data;

struct cewb_fce_space {
	cewb_lattice *lat;		/* own copy */
	double cutoffs[CEWB_FCE_MAX_ORDER - 1];
	size_t n_cutoffs;
	unsigned sum_rules;
	/* Supercell variant: clusters are atom sets of one supercell. */
	int supercell;			/* 0: lattice space, 1: supercell space */
	cewb_supercell *sc;		/* the supercell (supercell spaces only) */
	double *mindist;		/* n_sites x n_sites x n_cells min-image distances */
	size_t n_ops;			/* operations used (compatible with the supercell) */
	size_t *ops;			/* their indices in lat */
	double (*crot)[3][3];		/* Cartesian rotation of each used operation */
	size_t n_orbits;
	cewb_fce_orbit *orbits;
	fce_orbit_data *data;
	size_t n_free, n_params;
	double *B;			/* n_free x n_params */
	double min_singular;		/* smallest kept singular value of the sum rules */
	double max_zero_singular;	/* largest singular value of the sum rules taken as 0 */
	double sym_min_singular;	/* the same for the symmetry constraints of the */
	double sym_max_zero;		/* orbits (over all orbits) */
	double nn_distance;		/* shortest distance between two lattice points */
};

/* 3^n. */
static inline size_t fce_pow3(size_t n)
{
	size_t d = 1;
	while (n--)
		d *= 3;
	return d;
}

#endif
