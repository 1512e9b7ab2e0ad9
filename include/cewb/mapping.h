/*
 * cewb/mapping.h - mapping a relaxed structure back onto the ideal lattice.
 *
 * A relaxed structure (DFT output) has a strained cell and displaced atoms.
 * cewb_map_structure finds the ideal supercell it came from and the site of
 * every atom:
 *
 *  1. the cell is scaled to the reference volume per atom of the lattice
 *     (area per atom for a slab) and the integer supercell matrix is
 *     P = round(scaled cell * primitive cell^-1); an entry farther than
 *     0.15 from an integer (long, skewed cells) is tried rounded both ways;
 *     when the lattice allows vacancies the unscaled cell is tried as well;
 *     the candidate with enough sites (exactly one per atom without
 *     vacancies) and the least strain |volumetric| + anisotropy wins;
 *  2. the atoms are carried into the ideal supercell P * primitive cell by
 *     their fractional coordinates (which removes the homogeneous strain);
 *  3. atoms are assigned to sites by the Hungarian algorithm minimising the
 *     sum of squared minimum-image distances; an atom may only take a site
 *     that allows its species; when there are fewer atoms than sites the
 *     sites left over become vacancies (species 0), which is allowed only on
 *     sites whose list holds 0; the mean displacement (a rigid shift of the
 *     whole structure) is removed and the assignment repeated once;
 *  4. the report gives the volumetric strain det(F) - 1 of the cell
 *     deformation F (ideal supercell -> relaxed cell; the area ratio for a
 *     slab), the strain anisotropy lambda_max / lambda_min - 1 of its
 *     principal stretches, the largest and mean displacement of the atoms
 *     from their sites (Å, in the ideal frame), and the ambiguity: the
 *     extra cost of the cheapest other assignment that changes the
 *     decoration, as a length sqrt(delta cost) in Å (INFINITY when no other
 *     decoration is possible, NAN when not computed);
 *  5. the decision: refused past a max_* threshold, warned past a warn_*
 *     threshold or when ambiguous, ideal when nothing moved, else mapped.
 *
 * Displacement and ambiguity thresholds are fractions of the nearest-
 * neighbour distance d_nn of the lattice (shortest distance between two
 * sites), so one set of defaults serves every lattice.
 *
 * Conventions: cell rows, Å, Cartesian positions, 0-based indices.
 * Ownership: cewb_map_report_release frees the arrays of a report.
 */
#ifndef CEWB_MAPPING_H
#define CEWB_MAPPING_H

#include <stddef.h>
#include "cewb/error.h"
#include "cewb/lattice.h"
#include "cewb/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	CEWB_MAP_IDEAL = 0,   /* already on the lattice: nothing moved */
	CEWB_MAP_MAPPED,      /* mapped within the warning thresholds */
	CEWB_MAP_WARNED,      /* mapped, but doubtful (reason says why) */
	CEWB_MAP_REFUSED      /* not mapped (reason says why) */
} cewb_map_status;

/* Thresholds of the decision; cewb_map_options_default gives the defaults. */
typedef struct {
	double ideal_tol;        /* Å and strain: below it, "ideal" (1e-4) */
	double warn_volumetric;  /* |volumetric strain| that warns (0.15) */
	double max_volumetric;   /* ... that refuses (0.40) */
	double warn_anisotropy;  /* strain anisotropy that warns (0.05) */
	double max_anisotropy;   /* ... that refuses (0.25) */
	double warn_drmax;       /* largest displacement / d_nn that warns (0.20) */
	double max_drmax;        /* ... that refuses (0.40) */
	double warn_dravg;       /* mean displacement / d_nn that warns (0.10) */
	double max_dravg;        /* ... that refuses (0.25) */
	double min_gap;          /* ambiguity / d_nn below which it warns (0.50) */
	size_t max_ambiguity_sites; /* no ambiguity search above this (512) */
} cewb_map_options;

typedef struct {
	cewb_map_status status;
	char reason[256];           /* why warned or refused; "" otherwise */
	int P[3][3];                /* supercell matrix (rows), zero if none */
	size_t n_atoms;             /* atoms of the relaxed structure */
	size_t n_sites;             /* sites of the ideal supercell */
	size_t n_vacancies;         /* n_sites - n_atoms */
	double volumetric_strain;
	double anisotropy;
	double drmax, dravg;        /* Å */
	size_t drmax_atom;          /* atom with the largest displacement */
	double ambiguity;           /* Å; INFINITY: none; NAN: not computed */
	double d_nn;                /* nearest-neighbour distance of the lattice (Å) */
	double ideal_cell[3][3];    /* P * primitive cell */
	int pbc[3];
	double (*site_pos)[3];      /* n_sites ideal positions (Cartesian) */
	int *site_prim;             /* n_sites: primitive site of each site */
	int (*site_offset)[3];      /* n_sites: lattice offset of each site */
	int *site_number;           /* n_sites: species after mapping (0: vacancy) */
	int *site_of;               /* n_atoms: site of each atom */
	double *dr;                 /* n_atoms: displacement of each atom (Å) */
} cewb_map_report;

/* Default thresholds (the values in the comments of cewb_map_options). */
void cewb_map_options_default(cewb_map_options *opt);

/* The name of a status: "ideal", "mapped", "warned", "refused". */
const char *cewb_map_status_name(cewb_map_status st);

/*
 * Map structure s onto lattice lat; opt may be NULL for the defaults.
 * Fills rep (release it with cewb_map_report_release, also after an error).
 * Returns CEWB_OK when mapped, warned or ideal; CEWB_ENOFIT when refused,
 * with the reason in rep->reason and in err (prefixed with the source file
 * and frame of s when known); CEWB_EINVAL for a structure without atoms or
 * with a singular cell; CEWB_ENOMEM.
 */
cewb_status cewb_map_structure(const cewb_lattice *lat, const cewb_structure *s,
			       const cewb_map_options *opt, cewb_map_report *rep,
			       cewb_error *err);
/* Free the arrays of a report and zero it; NULL is harmless. */
void cewb_map_report_release(cewb_map_report *rep);

/*
 * The ideal structure of a mapped report: cell ideal_cell, one atom per
 * site at site_pos with site_number (vacancies as atomic number 0), pbc of
 * the lattice.  NULL when out of memory or when rep holds no supercell.
 */
cewb_structure *cewb_map_ideal_structure(const cewb_map_report *rep);

/*
 * Solve the square assignment problem: cost is n x n row-major; on return
 * col_of[i] is the column of row i minimising the total cost; if u and v
 * are not NULL they receive dual potentials with cost[i][j] - u[i] - v[j]
 * >= 0 (up to rounding) and = 0 on the assignment.  O(n^3) time.  Entries
 * may be huge (forbidden pairs); CEWB_ENOMEM only.
 */
cewb_status cewb_assign_hungarian(const double *cost, size_t n, int *col_of, double *u,
				  double *v, cewb_error *err);

#ifdef __cplusplus
}
#endif
#endif
