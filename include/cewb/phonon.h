/*
 * cewb/phonon.h - harmonic phonons from second-order force constants.
 *
 * Dynamical matrix.  For force constants given as lattice sums (cewb/fc2.h)
 * and a wave vector q in reduced coordinates of the reciprocal basis of the
 * primitive cell (b_k . a_l = delta_kl, no factor 2 pi),
 *
 *	D_ia,jb(q) = sum_R Phi_ab(i 0, j R) exp(2 pi i q.R) / sqrt(m_i m_j)
 *
 * with q.R = q_1 R_1 + q_2 R_2 + q_3 R_3.  The phase uses the lattice
 * translation only (not the atomic positions r_j + R - r_i as phonopy
 * does); the two matrices are related by a unitary diagonal transformation,
 * so frequencies agree and eigenvectors differ by a phase per atom.  D is
 * stored row-major, 3 n_atoms square, complex numbers as (re, im) pairs of
 * doubles; row 3 i + a, column 3 j + b.
 *
 * Frequencies.  nu = sqrt(lambda) * CEWB_PHONON_THZ with lambda an
 * eigenvalue of D in eV/(Å^2 amu), so nu in THz (CODATA 2018: eV, amu,
 * Å).  A negative eigenvalue (an unstable, "imaginary" mode) is reported as
 * the negative frequency -sqrt(-lambda) * CEWB_PHONON_THZ.  Frequencies
 * come in ascending order.
 *
 * Band paths follow Setyawan and Curtarolo (Comput. Mater. Sci. 49, 299
 * (2010)) for face-centred, body-centred and simple cubic and hexagonal
 * lattices; the lattice type and the conventional cell come from spglib,
 * so any primitive cell of these lattices (in any orientation) gets the
 * right points.  Other lattices get a generic path through Γ and the zone
 * boundary of the primitive reciprocal basis.
 *
 * Mesh quantities use a Γ-centred mesh n1 x n2 x n3 of the primitive
 * reciprocal basis, q = (k1/n1, k2/n2, k3/n3), every point with the same
 * weight (no symmetry reduction).
 *
 * Thermodynamics are those of phonopy: per mole of primitive cells, with
 * the mean over the mesh of the sums over modes of frequency nu > cutoff,
 *
 *	F = sum [h nu / 2 + k T ln(1 - exp(-h nu / k T))]		(kJ/mol)
 *	S = sum [(h nu / T) / (exp(h nu / k T) - 1) - k ln(1 - exp(-h nu / k T))]
 *									(J/K/mol)
 *	C = sum k (h nu / k T)^2 exp(h nu / k T) / (exp(h nu / k T) - 1)^2
 *									(J/K/mol)
 *
 * the zero-point energy included in F.  The cutoff CEWB_PHONON_CUTOFF_THZ
 * leaves out the acoustic modes at Γ (and imaginary modes).
 *
 * Ownership: *_release frees what a result struct holds.
 */
#ifndef CEWB_PHONON_H
#define CEWB_PHONON_H

#include <stddef.h>
#include "cewb/error.h"
#include "cewb/fc2.h"
#include "cewb/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * sqrt(eV / (Å^2 amu)) / (2 pi) in THz: sqrt(e / (1e-20 m_u)) / (2 pi 1e12)
 * with e = 1.602176634e-19 C and m_u = 1.66053906660e-27 kg.
 */
#define CEWB_PHONON_THZ 15.633304239856193
/* Planck constant in eV / THz (h = 4.135667696e-15 eV s). */
#define CEWB_PHONON_H_EV_THZ 4.135667696e-3
/* Boltzmann constant in eV / K. */
#define CEWB_PHONON_KB_EV 8.617333262e-5
/* Avogadro constant times the elementary charge: eV per particle to J/mol. */
#define CEWB_PHONON_EV_J_MOL 96485.33212331002
/* Most frequencies a mesh may hold (n_q x 3 n_atoms; 800 MB). */
#define CEWB_PHONON_MAX_MESH_FREQ 100000000
/* Modes at or below this frequency (THz) take no part in thermodynamics. */
#define CEWB_PHONON_CUTOFF_THZ 1e-3

/*
 * The dynamical matrix at reduced q into D (2 (3 n)^2 doubles, see above).
 * Errors: CEWB_EINVAL for a block naming an atom out of range or a
 * non-positive mass.
 */
cewb_status cewb_phonon_dynmat(const cewb_fc2 *fc, const double q[3], double *D,
			       cewb_error *err);

/*
 * Frequencies (THz, ascending, 3 n_atoms of them) at reduced q; eigvec,
 * when not NULL, receives the eigenvectors of D as columns (same layout as
 * D: 2 (3 n)^2 doubles, column k belongs to freq[k]).
 * Errors: those of cewb_phonon_dynmat; CEWB_ENUMERIC when the eigensolver
 * fails; CEWB_ENOMEM.
 */
cewb_status cewb_phonon_frequencies(const cewb_fc2 *fc, const double q[3], double *freq,
				    double *eigvec, cewb_error *err);

/* A labelled point of a band path. */
typedef struct {
	char label[16];		/* "Γ" is written "G"; where the path jumps, "K|U" */
	double q[3];		/* reduced, primitive reciprocal basis */
	double distance;	/* along the path, 1/Å (no 2 pi) */
	size_t index;		/* its point in the band arrays (the last point of the
				   segment ending there; 0 for the first) */
} cewb_phonon_label;

/* A band structure along a path. */
typedef struct {
	char lattice[16];	/* "fcc", "bcc", "sc", "hex" or "generic" */
	char path[64];		/* e.g. "GXWKGLUWLK|UX" */
	size_t n_points;	/* points along the path */
	size_t n_modes;		/* 3 n_atoms */
	double (*q)[3];		/* n_points reduced q */
	double *distance;	/* n_points, 1/Å, from 0 */
	double *freq;		/* n_points x n_modes THz, row-major */
	size_t n_labels;
	cewb_phonon_label *labels;
} cewb_phonon_bands;

/*
 * The band path of the lattice of fc (standard for fcc, bcc, sc, hex;
 * generic otherwise) with points_per_segment points on each straight
 * segment (ends included, >= 2), and the frequencies along it.
 * symprec is the spglib tolerance (Å), e.g. 1e-5.
 * Errors: CEWB_EINVAL for points_per_segment < 2; those of
 * cewb_phonon_frequencies; CEWB_ENOMEM.
 */
cewb_status cewb_phonon_bands_compute(const cewb_fc2 *fc, size_t points_per_segment,
				      double symprec, cewb_phonon_bands *out, cewb_error *err);
void cewb_phonon_bands_release(cewb_phonon_bands *b);

/*
 * Only the path: the lattice type, the path text and its points in order
 * (q filled, distance and index 0), a point that starts a new piece of the
 * path (after a jump) labelled "|U"; *labels is malloc'd, n_labels points.
 */
cewb_status cewb_phonon_path(const double cell[3][3], size_t n_atoms, const double (*pos)[3],
			     const int *numbers, double symprec, char lattice[16],
			     char path[64], cewb_phonon_label **labels, size_t *n_labels,
			     cewb_error *err);

/* Frequencies on a Γ-centred mesh. */
typedef struct {
	int mesh[3];
	size_t n_q;		/* mesh[0] mesh[1] mesh[2] */
	size_t n_modes;		/* 3 n_atoms */
	double *freq;		/* n_q x n_modes THz, row-major, q index k3 fastest */
	size_t n_imaginary;	/* modes with a frequency below -CEWB_PHONON_CUTOFF_THZ */
	double fmin, fmax;	/* lowest and highest frequency */
} cewb_phonon_mesh;

/*
 * Frequencies at every point of the mesh n1 x n2 x n3 (each 1..1000),
 * using n_threads OpenMP threads (0: the default).
 * Errors: CEWB_EINVAL for a bad mesh or more than CEWB_PHONON_MAX_MESH_FREQ
 * frequencies; those of cewb_phonon_frequencies;
 * CEWB_EINTERRUPT when cewb_interrupt_flag is set.
 */
cewb_status cewb_phonon_mesh_compute(const cewb_fc2 *fc, const int mesh[3], int n_threads,
				     cewb_phonon_mesh *out, cewb_error *err);
void cewb_phonon_mesh_release(cewb_phonon_mesh *m);

/*
 * Density of states (states per THz per primitive cell; it integrates to
 * 3 n_atoms) at the n frequencies f (THz): the mesh frequencies broadened
 * by normalised Gaussians of standard deviation sigma (THz, > 0).
 * Errors: CEWB_EINVAL for sigma <= 0.
 */
cewb_status cewb_phonon_dos(const cewb_phonon_mesh *m, double sigma, size_t n, const double *f,
			    double *dos, cewb_error *err);

/*
 * Density of states by the linear tetrahedron method (Blöchl, Jepsen and
 * Andersen, Phys. Rev. B 49, 16223 (1994), without their correction): each
 * cell of the mesh is cut into six tetrahedra around its diagonal from
 * (0,0,0) to (1,1,1) (in mesh steps), the k-th frequency of each corner (in
 * ascending order) interpolated linearly inside.  Same units and ascending
 * f as cewb_phonon_dos; a band flat over a whole tetrahedron (an Einstein
 * mode) has no width and is not seen.
 * Errors: CEWB_EINVAL for frequencies that do not ascend.
 */
cewb_status cewb_phonon_dos_tetrahedron(const cewb_phonon_mesh *m, size_t n, const double *f,
					double *dos, cewb_error *err);

/*
 * Harmonic thermodynamics on the mesh at n temperatures T (K, >= 0):
 * free energy F (kJ/mol), entropy S and heat capacity C (J/K/mol) per mole
 * of primitive cells, as defined above; any output may be NULL.
 * Errors: CEWB_EINVAL for a negative or non-finite temperature.
 */
cewb_status cewb_phonon_thermal(const cewb_phonon_mesh *m, size_t n, const double *T,
				double *F, double *S, double *C, cewb_error *err);

/*
 * Fold the lattice sums into a supercell: fc_out (n x n blocks of 3 x 3,
 * n = supercell->n_atoms, row-major [a][b][alpha][beta], malloc'd) with
 * block (a, b) the sum of Phi(i 0, j R) over every R that carries atom j of
 * the cell of a to an image of atom b.  The supercell's cell must be an
 * integer combination of the primitive cell and every atom must sit on a
 * primitive site of the same element within tol (Å).
 * Errors: CEWB_ENOFIT naming the cell or the atom; CEWB_ENOMEM.
 */
cewb_status cewb_phonon_fold(const cewb_fc2 *fc, const cewb_structure *supercell, double tol,
			     double **fc_out, cewb_error *err);

/*
 * Write the folded force constants in phonopy's FORCE_CONSTANTS text
 * format: "n n", then for every pair a, b (1-based, a slowest) the line
 * "a b" and three lines of the 3 x 3 block (eV/Å^2).  Written atomically.
 * Errors: those of cewb_phonon_fold; CEWB_EIO.
 */
cewb_status cewb_phonon_write_force_constants(const char *path, const cewb_fc2 *fc,
					      const cewb_structure *supercell, double tol,
					      cewb_error *err);

#ifdef __cplusplus
}
#endif
#endif
