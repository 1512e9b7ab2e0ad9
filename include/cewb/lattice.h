/*
 * cewb/lattice.h - the parent lattice of a cluster expansion and its symmetry.
 *
 * A lattice is a primitive cell with sites; each site carries the sorted
 * list of species allowed on it (ascending atomic number, 0 = vacancy), so
 * sites are told apart by their lists, not by what occupies them in the
 * file.  The primitive cell is found with spglib (symprec, default 1e-5 Å)
 * and keeps the Cartesian frame and origin of the input: no rotation, no
 * idealisation, so supercells of the input map directly.
 *
 * Slabs: a lattice with pbc (T,T,F) has no translation along c; its c
 * vector is replaced by a long vector normal to the a-b plane, only used
 * for the symmetry search.  No cluster ever crosses the open direction.
 *
 * Symmetry operations act on fractional column vectors: x' = R x + t.  For
 * site s at offset n (lattice translation in units of the primitive cell),
 * the image under operation g is site op_site[g][s] at offset
 * R n + op_shift[g][s]: exact integer arithmetic.
 *
 * Ownership: cewb_lattice_free frees everything a lattice holds.
 */
#ifndef CEWB_LATTICE_H
#define CEWB_LATTICE_H

#include <stddef.h>
#include "cewb/error.h"
#include "cewb/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CEWB_SYMPREC_DEFAULT 1e-5

typedef struct {
	double cell[3][3];     /* primitive cell, rows (Å) */
	double inv[3][3];      /* inverse of cell */
	int pbc[3];
	size_t n_sites;
	double (*pos)[3];      /* Cartesian positions of the sites */
	double (*frac)[3];     /* fractional positions, periodic axes in [0, 1) */
	size_t *n_allowed;     /* number of species allowed on each site */
	int **allowed;         /* allowed atomic numbers per site, ascending */
	int *equivalent;       /* lowest index of a symmetry-equivalent site */
	int spacegroup;        /* international number (of the padded cell for slabs) */
	char international[32];/* Hermann-Mauguin symbol */
	size_t n_ops;          /* symmetry operations of the lattice */
	int (*rot)[3][3];      /* n_ops rotations (fractional, acting on columns) */
	double (*trans)[3];    /* n_ops translations (fractional) */
	int *op_site;          /* n_ops x n_sites: image site */
	int (*op_shift)[3];    /* n_ops x n_sites: image offset */
	double symprec;
	size_t n_input_atoms;  /* atoms of the structure the lattice came from */
} cewb_lattice;

/*
 * Build a lattice from a structure and a species specification:
 *   "Ag,Pd"            every site allows Ag and Pd
 *   "Au=Au,Pd/H=H,X"   sites holding Au allow Au,Pd; sites holding H allow H
 *                      and a vacancy; any other site keeps its own species
 *                      (inactive)
 *   NULL or ""         every site keeps only its own species (no cluster)
 * The structure may be any cell of the lattice (primitive, conventional, a
 * decorated supercell): it is reduced to the primitive cell ignoring the
 * occupation.
 */
cewb_status cewb_lattice_build(const cewb_structure *s, const char *species,
			       double symprec, cewb_lattice **out, cewb_error *err);
void cewb_lattice_free(cewb_lattice *lat);
/* Deep copy; NULL when out of memory. */
cewb_lattice *cewb_lattice_copy(const cewb_lattice *lat);
/* Number of sites with two or more allowed species. */
size_t cewb_lattice_n_active(const cewb_lattice *lat);
/* Index of species z in the allowed list of site s, or -1. */
int cewb_lattice_species_index(const cewb_lattice *lat, size_t site, int z);

/*
 * How a structure sits on the lattice: each atom's site and cell.  A
 * supercell of the lattice is given by an integer matrix P (cell = P *
 * primitive cell, rows); the translations modulo the supercell are
 * numbered 0..n_cells-1 through the Hermite normal form of P.
 */
typedef struct {
	int P[3][3];           /* supercell matrix (rows) */
	int H[3][3];           /* its Hermite normal form (lower triangular) */
	size_t n_cells;        /* |det P| */
	size_t n_sites;        /* sites of the lattice */
	size_t n_atoms;        /* = n_cells * n_sites */
	int *atom_of;          /* n_sites x n_cells: atom at (site, cell) */
	int *site_of;          /* n_atoms: site of each atom */
	int *cell_of;          /* n_atoms: cell index of each atom */
	int (*offset_of)[3];   /* n_cells: a lattice offset of each cell */
} cewb_supercell;

/*
 * Match a structure onto the lattice: the cell must be an integer
 * combination of the primitive cell (within tol, Å), every atom must sit on
 * a site (within tol, Å), every site of the supercell must hold exactly one
 * atom, pbc must agree.  On failure CEWB_ENOFIT with the first offending
 * atom named.
 */
cewb_status cewb_supercell_match(const cewb_lattice *lat, const cewb_structure *s,
				 double tol, cewb_supercell **out, cewb_error *err);
/* The supercell of matrix P without a structure (for mapping, enumeration). */
cewb_status cewb_supercell_from_matrix(const cewb_lattice *lat, const int P[3][3],
				       cewb_supercell **out, cewb_error *err);
void cewb_supercell_free(cewb_supercell *sc);
/* Cell index of lattice offset n (reduced modulo the supercell). */
size_t cewb_supercell_cell_index(const cewb_supercell *sc, const int n[3]);
/* Build the ideal structure of a supercell: atom order of sc->atom_of,
 * each site filled with numbers[atom] (or its first allowed species when
 * numbers is NULL). */
cewb_structure *cewb_supercell_structure(const cewb_lattice *lat,
					 const cewb_supercell *sc, const int *numbers);

#ifdef __cplusplus
}
#endif
#endif
