/*
 * cewb/fce.h - force-constant expansions: the force-constant cluster space
 * and the sensing matrix of displacements.
 *
 * The energy of a crystal is expanded in the atomic displacements u,
 *
 *	E = E0 + 1/2! sum Phi_ij u_i u_j + 1/3! sum Phi_ijk u_i u_j u_k + ...
 *
 * (Cartesian indices implied).  A force-constant cluster is a multiset of
 * lattice sites (sites may repeat: (i,i) is the self term, (i,i,j) a
 * third-order term on a pair); its order is the number of sites.  Orders 2
 * to CEWB_FCE_MAX_ORDER are supported, each with its own cutoff: a cluster
 * belongs to the space when every distance between its distinct sites is
 * below the cutoff of its order.
 *
 * Clusters are grouped into orbits under the space group of the lattice.
 * The force-constant tensor of an orbit's representative cluster is
 * restricted by the operations that map the cluster onto itself (and by
 * the permutation symmetry of the tensor); what remains is a basis of
 * independent parameters per orbit.  The tensors of the other clusters of
 * the orbit follow by rotation.  Concatenated over orbits these are the
 * "free" parameters.  The acoustic (translational) sum rules,
 * sum_j Phi_ij.. = 0, are linear constraints between free parameters of
 * different orbits; they are imposed exactly by a null-space basis, and
 * the parameters of the fit (n_params) are the coordinates in that basis.
 * Rotational sum rules are imposed the same way when asked for.
 *
 * Forces are linear in the parameters: for a supercell with displacements
 * u, F = A theta with A the sensing matrix (3 rows per atom: x, y, z of
 * atom 0, then atom 1, ...).  Fitting theta to forces with any cewb_fit
 * method is then the same problem as fitting ECIs to energies.
 *
 * Conventions:
 *  - cutoffs as in cewb/space.h: d < cutoff + 2e-5 Å between distinct sites;
 *  - radius = mean distance of the distinct sites from their centroid;
 *  - orbits sorted by order, radius (tolerance 1e-5 Å), number of distinct
 *    sites, pair distances of the distinct sites (longest first, 1e-5 Å),
 *    clusters per primitive cell, the multiplicities of the repeated sites
 *    in the representative's site order (larger first: (i,i,j) before
 *    (i,j,j)), then the representative's sites and offsets (offsets first,
 *    lexicographic); the representative is the smallest cluster of the
 *    orbit in that order, with its smallest site in the home cell;
 *  - orbits whose tensor vanishes by symmetry (e.g. (i,i,i) at a centre of
 *    inversion) are left out: every orbit has n_free >= 1;
 *  - tensors: Cartesian components (a1 .. an), x = 0, first index slowest;
 *    each orbit's basis is the reduced row echelon form of the null space
 *    of its symmetry constraints (SVD, singular values below 1e-3 are zero:
 *    the constraint matrix I - P, P the average of the tensor images over
 *    the stabilizer, has singular values 0 or 1 up to the symmetry noise
 *    of the cell), so each parameter is one tensor component;
 *  - acoustic sum rules: for every (n-1)-tuple of sites that is part of a
 *    cluster (one per orbit of such tuples, the others follow by symmetry),
 *    sum over the last site of Phi = 0; rows scaled to unit length; their
 *    null space, order by order, from the eigenvectors of the Gram matrix
 *    of the rows, singular values below 1e-5 times the largest counted as
 *    zero; the constraints in reduced row echelon form make the first
 *    free parameters of each order (the shortest-ranged orbits, self terms
 *    first) dependent, and every fit parameter is one of the others;
 *  - rotational sum rules (CEWB_FCE_ROTATIONAL, implies the acoustic ones):
 *    the second-order Born-Huang conditions
 *    sum_j Phi_ij^ab r_ij^c = sum_j Phi_ij^ac r_ij^b for every site i, and
 *    the Huang conditions [ab,cd] = [cd,ab], [ab,cd] = sum_ij Phi_ij^ab
 *    r_ij^c r_ij^d.  The conditions that couple third and higher orders to
 *    the lower ones are NOT imposed.
 *
 * Units: Å, eV; parameters carry eV/Å^n for order n.
 *
 * Ownership: cewb_fce_space_free frees a space and everything it holds.
 */
#ifndef CEWB_FCE_H
#define CEWB_FCE_H

#include <stddef.h>
#include "cewb/error.h"
#include "cewb/structure.h"
#include "cewb/lattice.h"
#include "cewb/fc2.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CEWB_FCE_MAX_ORDER 4

/* Sum rules imposed on the parameters. */
#define CEWB_FCE_ACOUSTIC	0x1	/* translational invariance (default) */
#define CEWB_FCE_ROTATIONAL	0x2	/* rotational invariance (Born-Huang) */

typedef struct cewb_fce_space cewb_fce_space;

/* One orbit of force-constant clusters, for tables. */
typedef struct {
	size_t order;		/* 2, 3 or 4 */
	double radius;		/* mean distance of the distinct sites from their centre (Å) */
	double max_distance;	/* longest distance between two of its sites (Å) */
	size_t n_distinct;	/* distinct sites in a cluster (1 for self terms) */
	size_t multiplicity;	/* clusters per primitive cell; in a supercell space
				   classes of clusters under the translations (a
				   cluster that t translations map onto itself makes
				   1/t cluster per cell, e.g. a pair at half a
				   supercell vector) */
	size_t n_free;		/* independent tensor parameters after the point symmetry */
	size_t free_first;	/* index of its first free parameter (n_free consecutive) */
	size_t sites[CEWB_FCE_MAX_ORDER];	/* representative: lattice sites ... */
	int offsets[CEWB_FCE_MAX_ORDER][3];	/* ... and their cell offsets */
} cewb_fce_orbit;

/*
 * Build the force-constant space of a lattice.  cutoffs[k] is the cutoff
 * (Å) of order k + 2, n_cutoffs in 1..CEWB_FCE_MAX_ORDER-1 (a cutoff of 0
 * leaves that order out; at most 50 Å); sum_rules is a combination of
 * CEWB_FCE_*.  Polls cewb_interrupt_flag (CEWB_EINTERRUPT).
 * Errors: CEWB_EINVAL for a bad cutoff, unknown sum rules or a lattice
 * that is not periodic along a, b and c (slabs are not supported).
 */
cewb_status cewb_fce_space_build(const cewb_lattice *lat, const double *cutoffs,
				 size_t n_cutoffs, unsigned sum_rules,
				 cewb_fce_space **out, cewb_error *err);
void cewb_fce_space_free(cewb_fce_space *sp);

size_t cewb_fce_space_n_orbits(const cewb_fce_space *sp);
const cewb_fce_orbit *cewb_fce_space_orbit(const cewb_fce_space *sp, size_t k);
/* Free parameters (before sum rules) and fit parameters (after them). */
size_t cewb_fce_space_n_free(const cewb_fce_space *sp);
size_t cewb_fce_space_n_params(const cewb_fce_space *sp);
/* The lattice the space was built on (borrowed). */
const cewb_lattice *cewb_fce_space_lattice(const cewb_fce_space *sp);

/*
 * Free parameters from fit parameters: free = B params (B is the
 * n_free x n_params null-space basis of the sum rules).
 */
void cewb_fce_params_to_free(const cewb_fce_space *sp, const double *params, double *free_out);

/*
 * The supercell variant: clusters are multisets of the atoms of one
 * supercell (ideal, matched onto the lattice within tol Å), periodic
 * images identified.  Distances are shortest-image distances, operations
 * are the lattice operations that map the supercell onto itself, acting
 * modulo the supercell, so a pair on the cell boundary (two shortest
 * images) gains the symmetry of both.  Sensing rows and energies accept
 * only structures of that same supercell; cewb_fce_fc2 spreads each pair
 * of atoms over its shortest periodic images with equal weights (as
 * phonopy does).  Rotational sum rules are not available here
 * (CEWB_EINVAL); cutoffs may exceed the cell (every pair: a large cutoff).
 */
cewb_status cewb_fce_space_build_supercell(const cewb_lattice *lat,
					   const cewb_structure *ideal, double tol,
					   const double *cutoffs, size_t n_cutoffs,
					   unsigned sum_rules, cewb_fce_space **out,
					   cewb_error *err);

/* Sum rules in force (CEWB_FCE_ROTATIONAL implies CEWB_FCE_ACOUSTIC). */
unsigned cewb_fce_space_sum_rules(const cewb_fce_space *sp);
/* 1 for a supercell space, 0 for a lattice space. */
int cewb_fce_space_is_supercell(const cewb_fce_space *sp);
/*
 * Basis of orbit k's tensor (borrowed): 3^n x n_free, row-major, component
 * (a1 .. an) (Cartesian x=0, y, z; first index slowest) of the
 * representative's tensor per free parameter.  It is in reduced row
 * echelon form: each parameter is one component of the tensor (the first
 * it sets, all other parameters zero there).  NULL for a bad k.
 */
const double *cewb_fce_space_basis(const cewb_fce_space *sp, size_t k);
/*
 * The n_free x n_params matrix B of the sum rules (borrowed, row-major):
 * fit parameter p is one free parameter f (B[f][p] = 1, in increasing f),
 * the dependent free parameters (the shortest-ranged of each order, self
 * terms first) follow from the others.  The identity without sum rules.
 */
const double *cewb_fce_space_constraints(const cewb_fce_space *sp);
/*
 * The tensor of orbit k's representative for fit parameters params:
 * tensor receives 3^n components (first index slowest).
 */
cewb_status cewb_fce_orbit_tensor(const cewb_fce_space *sp, size_t k, const double *params,
				  double *tensor, cewb_error *err);
/* Standard atomic weight of element z (amu), 0 when unknown (z < 1 or > 94). */
double cewb_element_mass(int z);

/*
 * Sensing rows of one supercell.  ideal is the undisplaced supercell (it
 * must match the lattice: cewb_supercell_match with tol Å), disp its
 * displacements (n_atoms rows, Å).  A receives 3 n_atoms rows of n_params
 * columns (row-major), so that the forces are F = A params.  Errors name
 * the atom that does not sit on a site (CEWB_ENOFIT, from
 * cewb_supercell_match), or the atom whose displacement is not a number
 * or longer than half the nearest-neighbour distance (CEWB_EINVAL).
 */
cewb_status cewb_fce_sensing(const cewb_fce_space *sp, const cewb_structure *ideal,
			     const double (*disp)[3], double tol, double *A, cewb_error *err);

/*
 * Energy of a displaced supercell relative to the ideal one, E - E0, for
 * fit parameters params (for checks: -dE/du must equal A params).
 */
cewb_status cewb_fce_energy(const cewb_fce_space *sp, const cewb_structure *ideal,
			    const double (*disp)[3], double tol, const double *params,
			    double *energy, cewb_error *err);

/*
 * The second-order force constants of fit parameters params, as lattice
 * sums (cewb/fc2.h) with masses from the standard atomic weights (of the
 * first species allowed on each site; CEWB_EINVAL naming the site when
 * there is none).  *out is a new set (free with cewb_fc2_free).
 */
cewb_status cewb_fce_fc2(const cewb_fce_space *sp, const double *params, cewb_fc2 **out,
			 cewb_error *err);

#ifdef __cplusplus
}
#endif
#endif
