/*
 * cewb/enumerate.h - derivative structures of a lattice.
 *
 * Every symmetry-distinct decoration of every supercell of the lattice with
 * a given number of primitive cells (the "size", n = det P), after Hart and
 * Forcade (Phys. Rev. B 77, 224115 (2008); 80, 014120 (2009)):
 *
 *   1. supercells: the Hermite normal forms H of determinant n (rows,
 *      lower triangular: [[a,0,0],[b,c,0],[d,e,f]], acf = n, 0 <= b,d < a,
 *      0 <= e < c), one per orbit under the lattice's point operations
 *      (the smallest in the order (a, b, c, d, e, f));
 *   2. for each, the Smith normal form diag(d1, d2, d3) of H: the
 *      translations modulo the supercell form Z_d1 x Z_d2 x Z_d3;
 *   3. decorations (one allowed species per site) up to the translations of
 *      the supercell and the space-group operations that keep the
 *      supercell, sites permuted as the operation permutes them;
 *      superperiodic decorations (invariant under a translation of the
 *      supercell, so really a smaller cell) are left out: they appear at
 *      their own size.
 *
 * Convention (as icet's enumerate_structures): species are not exchanged
 * (A3B and AB3 are two structures); decorations that do not use every
 * species are kept (a pure element appears once, at size 1); a
 * concentration limit bounds the number of atoms of a species divided by
 * all atoms of the structure (inactive sites included), within 1e-9.
 * Counts: binary fcc sizes 1..8 give 631 structures, ternary fcc 1..6 1081.
 *
 * Order: by size, then by supercell (the order of step 1), then by
 * decoration: each decoration is represented by its lexicographically
 * smallest equivalent (atom 0 most significant, species in allowed order),
 * and these come in increasing order.  Atoms are numbered as
 * cewb_supercell_from_matrix numbers them (cell-major, site fastest).
 *
 * Slabs (pbc T,T,F): supercells never extend along c (f = 1, d = e = 0).
 *
 * The library never prints; a progress callback reports each supercell and
 * may stop the run; cewb_interrupt_flag is polled (CEWB_EINTERRUPT).
 */
#ifndef CEWB_ENUMERATE_H
#define CEWB_ENUMERATE_H

#include <stddef.h>
#include "cewb/error.h"
#include "cewb/lattice.h"
#include "cewb/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest number of decorations of one supercell the enumeration accepts
 * (the product over atoms of the allowed species counts). */
#define CEWB_ENUM_MAX_LABELINGS (1UL << 30)

/* A concentration limit: lo <= (atoms of species z) / (all atoms) <= hi. */
typedef struct {
	int z;          /* atomic number */
	double lo, hi;  /* fractions in [0, 1] */
} cewb_enum_limit;

/* One enumerated structure. */
typedef struct {
	size_t size;        /* primitive cells in the supercell */
	int H[3][3];        /* Hermite normal form: supercell rows = H * primitive rows */
	int snf[3];         /* Smith normal form diagonal d1 | d2 | d3, d1*d2*d3 = size */
	size_t hnf_index;   /* supercell number among the distinct ones of this size */
	size_t n_atoms;     /* size * sites of the lattice */
	int *numbers;       /* atomic numbers, atom order of cewb_supercell_from_matrix(H) */
} cewb_enum_item;

/*
 * Called once per distinct supercell before its decorations are
 * enumerated: size, the supercell's number k among n_hnf of this size, and
 * the structures found so far.  Returning nonzero stops the run
 * (CEWB_EINTERRUPT, "enumeration stopped").
 */
typedef int (*cewb_enum_progress)(void *data, size_t size, size_t k, size_t n_hnf,
				  size_t n_found);

/* Options; zero-initialise, then set what is needed. */
typedef struct {
	size_t min_size, max_size;       /* range of sizes (primitive cells), 1 <= min <= max */
	const int *species;              /* restrict to these atomic numbers, or NULL: all */
	size_t n_species;
	const cewb_enum_limit *limits;   /* concentration limits, or NULL */
	size_t n_limits;
	cewb_enum_progress progress;     /* or NULL */
	void *progress_data;
	int count_only;                  /* only count: no items kept (r->n still counts) */
	size_t max_structures;           /* keep at most this many items; 0: no limit */
} cewb_enum_options;

/* The result: structures in the documented order and counts per size. */
typedef struct {
	size_t n;                 /* structures found */
	cewb_enum_item *items;    /* n of them, or NULL with count_only */
	size_t min_size, max_size;
	size_t *n_by_size;        /* max_size - min_size + 1 counts */
	size_t *n_hnf_by_size;    /* distinct supercells per size */
	size_t n_species;         /* species that take part, ascending atomic number */
	int *species;
} cewb_enum_result;

/*
 * Enumerate the derivative structures of lat.  Errors (CEWB_EINVAL): a size
 * range outside 1 <= min <= max; a species or limit species not allowed on
 * any site ("species 'Cu' is not allowed on any site of the lattice"); a
 * limit outside [0, 1] or with lo > hi; a species list that leaves some
 * site without a species; fewer than two species left to mix; a lattice
 * with an open direction other than c; a supercell with more than
 * CEWB_ENUM_MAX_LABELINGS decorations; more than max_structures structures
 * to keep ("more than N structures: ...").  CEWB_EINTERRUPT when stopped.
 */
cewb_status cewb_enum_run(const cewb_lattice *lat, const cewb_enum_options *opt,
			  cewb_enum_result **out, cewb_error *err);
void cewb_enum_result_free(cewb_enum_result *r);

/* Number of Hermite normal forms of determinant n (all, before symmetry);
 * slab = 1 counts the two-dimensional ones only. */
size_t cewb_enum_count_hnf(size_t n, int slab);

/* Smith normal form diagonal of an integer matrix (d1 | d2 | d3, >= 0). */
void cewb_enum_smith(const int M[3][3], int d[3]);

/*
 * A short, right-handed cell of the same superlattice as H: rows P = U H
 * with U unimodular, reduced by integer steps that shorten one vector by
 * others (v_i - m v_j, then v_i +- v_j +- v_k) until none does, then
 * sorted by length; for a slab the third row stays H's (0, 0, 1).
 */
void cewb_enum_reduce_cell(const cewb_lattice *lat, const int H[3][3], int P[3][3]);

/*
 * The structure of an item: a supercell of lat filled with the item's
 * species, positions wrapped into the cell; the cell is H itself, or with
 * reduce the short cell of cewb_enum_reduce_cell (the same structure, atoms
 * in that supercell's order).  Info keys: "size", "hnf" (9 integers, rows),
 * "snf" (3), "supercell" (the 9 integers of the cell matrix used),
 * "hnf_index" and "index" (given).  NULL with err set on failure.
 */
cewb_structure *cewb_enum_structure(const cewb_lattice *lat, const cewb_enum_item *it,
				    size_t index, int reduce, cewb_error *err);

#ifdef __cplusplus
}
#endif
#endif
