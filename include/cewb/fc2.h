/*
 * cewb/fc2.h - second-order force constants of a crystal, as lattice sums.
 *
 * The harmonic energy of a periodic crystal is
 *
 *	E2 = 1/2 sum_{i l, j m} u_i(l) . Phi(i 0, j m-l) . u_j(m)
 *
 * where i, j are atoms of the primitive cell, l, m lattice translations and
 * u displacements.  A cewb_fc2 lists the blocks Phi(i 0, j R) (eV/Å^2) that
 * are not zero, one 3x3 Cartesian matrix per (i, j, R): the block of atom j
 * in the cell at translation R = R[0] a1 + R[1] a2 + R[2] a3 acting on atom
 * i in the home cell.  Every pair appears once in each direction, so that
 * Phi(i 0, j R) = Phi(j 0, i -R)^T holds between listed blocks, and the
 * self terms (i, i, 0) are included.  This is the form the force-constant
 * expansion produces and the phonon module consumes; it does not depend
 * on any supercell.
 *
 * Ownership: cewb_fc2_free frees the struct and its arrays.
 */
#ifndef CEWB_FC2_H
#define CEWB_FC2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One block Phi(i 0, j R). */
typedef struct {
	size_t i, j;		/* atoms of the primitive cell */
	int R[3];		/* lattice translation of atom j (units of a1, a2, a3) */
	double phi[3][3];	/* eV/Å^2, phi[a][b] = d2E / du_i^a du_j^b */
} cewb_fc2_block;

typedef struct {
	double cell[3][3];	/* primitive cell, rows a1, a2, a3 (Å) */
	size_t n_atoms;		/* atoms of the primitive cell */
	double (*pos)[3];	/* n_atoms Cartesian positions (Å) */
	int *numbers;		/* n_atoms atomic numbers */
	double *masses;		/* n_atoms masses (amu) */
	size_t n_blocks;
	cewb_fc2_block *blocks;
} cewb_fc2;

/* A new empty set for n_atoms atoms (arrays allocated, n_blocks 0), or
 * NULL when out of memory. */
cewb_fc2 *cewb_fc2_alloc(size_t n_atoms);
/* Append a block; returns 0, or -1 when out of memory (fc unchanged). */
int cewb_fc2_add(cewb_fc2 *fc, size_t i, size_t j, const int R[3], const double phi[3][3]);
void cewb_fc2_free(cewb_fc2 *fc);

#ifdef __cplusplus
}
#endif
#endif
