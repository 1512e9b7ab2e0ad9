/*
 * cewb/dataset.h - a training set: structures, targets, weights, cluster
 * vectors and mapping reports, with dropping, restoring and selection.
 *
 * Entries keep load order; indices are 0-based and never change (dropping
 * only marks an entry).  The active entries (not dropped) make the rows of
 * X and y.  Files are added all-or-nothing: when one frame fails, none of
 * the file's frames is added and the message names the file and frame.
 *
 * Targets: the value of an info key of each frame; y is per atom: with
 * total set, the value is divided by the number of atoms of the frame.
 * Weights: an info key, or 1.
 *
 * Duplicates: a new entry whose cluster vector (to 1e-9) and number of
 * lattice sites equal those of an earlier entry is added but dropped as a
 * duplicate, and reported.  With a new cluster space the vectors and the
 * duplicates are recomputed.
 *
 * Selectors choose entries by a small expression language:
 *     n_atoms > 8        target < -0.05      file == agpd*.xyz
 *     status == warned   frame >= 10 and not (weight == 1)
 * fields: index frame n_atoms n_sites target weight drmax dravg
 * volumetric_strain anisotropy ambiguity (numbers), file status dropped
 * (words; file compares with the path or its base name, glob patterns
 * allowed; status is ideal/mapped/warned/refused; dropped is
 * no/user/duplicate/refused), x_<El> (the concentration of an element
 * among the atoms); operators == != < <= > >=, and, or, not,
 * parentheses; `all` selects everything.
 *
 * Ownership: cewb_dataset_alloc / cewb_dataset_free; the dataset borrows
 * the lattice and the space (they must outlive it or be replaced through
 * cewb_dataset_set_space) and owns its structures.
 */
#ifndef CEWB_DATASET_H
#define CEWB_DATASET_H

#include <stddef.h>
#include "cewb/error.h"
#include "cewb/lattice.h"
#include "cewb/mapping.h"
#include "cewb/space.h"
#include "cewb/structure.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Why an entry is out of the fit. */
typedef enum {
	CEWB_ACTIVE = 0,
	CEWB_DROPPED_USER,       /* dropped on request */
	CEWB_DROPPED_DUPLICATE,  /* same cluster vector and size as an earlier entry */
	CEWB_DROPPED_REFUSED     /* mapping refused: it has no cluster vector */
} cewb_drop;

typedef struct {
	char *file;              /* source file */
	size_t frame;            /* 0-based frame in the file */
	size_t n_atoms;          /* atoms as loaded */
	size_t n_sites;          /* sites of its ideal supercell */
	double target;           /* y (per atom); NAN when there is none */
	double weight;
	cewb_structure *structure; /* as loaded (owned) */
	cewb_structure *ideal;   /* mapped ideal structure (owned), NULL: structure is ideal */
	int mapped;              /* the mapping was run (else the report is "ideal") */
	cewb_map_report map;     /* mapping figures (arrays released after loading) */
	double severity;         /* worst threshold ratio of the mapping (for sorting) */
	cewb_drop dropped;
	long duplicate_of;       /* earlier entry with the same vector, or -1 */
} cewb_entry;

typedef struct {
	const cewb_lattice *lattice; /* borrowed */
	const cewb_space *space;     /* borrowed, may be NULL (no vectors yet) */
	size_t n_params;             /* columns: space->n_params, 0 without space */
	size_t n;
	cewb_entry *entries;
	double *cvecs;               /* n x n_params (NAN rows for refused entries) */
	size_t cap;
} cewb_dataset;

/* How a file is loaded; cewb_load_options_default. */
typedef struct {
	const char *target_key;   /* NULL: "mixing_energy" or else "energy" when present */
	int total;                /* the target is a total: divide by the atoms */
	const char *weight_key;   /* NULL: weight 1 */
	int map;                  /* map relaxed structures (else they must be ideal) */
	cewb_map_options map_options;
	double tol;               /* Å, matching ideal structures (default 1e-3) */
	const char *species_hint; /* for VASP 4 files without species, or NULL */
} cewb_load_options;

/* What an addition did. */
typedef struct {
	size_t first;             /* index of the first new entry */
	size_t n_added;
	size_t n_mapped, n_warned, n_refused, n_duplicates;
} cewb_load_result;

void cewb_load_options_default(cewb_load_options *opt);

/* A new empty dataset on a lattice (and a space, which may be NULL). */
cewb_dataset *cewb_dataset_alloc(const cewb_lattice *lat, const cewb_space *sp);
/* Free a dataset and everything it owns; NULL is harmless. */
void cewb_dataset_free(cewb_dataset *ds);

/*
 * Add every frame of frames (read from file `name`) at once, or none: on
 * error ds is unchanged, frames untouched and the message names the frame.
 * On success ds takes the structures and frames is left empty.
 */
cewb_status cewb_dataset_add_frames(cewb_dataset *ds, cewb_frames *frames, const char *name,
				    const cewb_load_options *opt, cewb_load_result *res,
				    cewb_error *err);
/* Read a structure file (any supported format) and add all its frames. */
cewb_status cewb_dataset_load(cewb_dataset *ds, const char *path, const cewb_load_options *opt,
			      cewb_load_result *res, cewb_error *err);

/* Use another cluster space: recompute every vector and the duplicates
 * (all or nothing). */
cewb_status cewb_dataset_set_space(cewb_dataset *ds, const cewb_space *sp, cewb_error *err);

/* Mark entries of mask (n entries, nonzero = chosen) dropped (drop = 1) or
 * active (drop = 0); refused entries cannot be restored and are skipped.
 * *n_changed (may be NULL) counts the entries whose state changed. */
void cewb_dataset_set_dropped(cewb_dataset *ds, const char *mask, int drop, size_t *n_changed);

/* Evaluate a selector: mask[i] = 1 for the chosen entries (mask has ds->n
 * elements).  CEWB_EPARSE names the position and the offending word. */
cewb_status cewb_dataset_select(const cewb_dataset *ds, const char *selector, char *mask,
				cewb_error *err);
/* Parse an index list such as "3", "3,5,7-10" into mask; CEWB_EINVAL when an
 * index is out of range. */
cewb_status cewb_dataset_select_indices(const cewb_dataset *ds, const char *list, char *mask,
					cewb_error *err);

/* Number of active entries. */
size_t cewb_dataset_n_active(const cewb_dataset *ds);

/*
 * X (n_active x n_params), y, weights and the entry index of each row, for
 * the active entries in load order; each output may be NULL when not
 * wanted; the caller frees them.  CEWB_ESTATE without a space.
 */
cewb_status cewb_dataset_matrix(const cewb_dataset *ds, double **X, double **y, double **w,
				size_t **ids, size_t *n_rows, cewb_error *err);

/* Names of the columns of X ("o3" for an orbit's single entry, "o5.1" for
 * the second entry of orbit 5); free with cewb_dataset_names_free. */
char **cewb_dataset_column_names(const cewb_space *sp);
void cewb_dataset_names_free(char **names, size_t n);

/* Composition of an entry's structure, e.g. "Ag3Pd" (elements ascending
 * by atomic number, vacancies as X). */
void cewb_entry_composition(const cewb_entry *e, char *buf, size_t len);

/* Indices of the warned and refused entries, worst first (refused, then by
 * severity); returns the count, *idx allocated (NULL when none). */
size_t cewb_dataset_problems(const cewb_dataset *ds, size_t **idx);

/*
 * Duplicate rows of X (n x p): dup[i] = the first earlier row with the same
 * vector (to 1e-9) and the same size (sizes[i], e.g. lattice sites), or -1;
 * rows with skip[i] set (skip may be NULL) take no part.  Expected O(n p).
 */
cewb_status cewb_cvec_duplicates(const double *X, size_t n, size_t p, const size_t *sizes,
				 const char *skip, long *dup, cewb_error *err);

/* Name of a drop state: "no", "user", "duplicate", "refused". */
const char *cewb_drop_name(cewb_drop d);

#ifdef __cplusplus
}
#endif
#endif
