/*
 * fce_state.h - the force-constant expansion of a session (cmd_fce.c).
 *
 * `fce space` makes s->fce and makes the force-constant expansion the
 * session's current model ("FCE mode"): `load structures` then reads
 * displacements and forces, `orbits`, `structures`, `sensing`, `fit`,
 * `validate` and `learning-curve` work on it.  `space` (a cluster space)
 * and `fce off` switch back to the cluster expansion, `fce on` returns to
 * the force constants; neither drops any data.  The force data loaded for
 * the space and the fit of its parameters live here, apart from the
 * cluster expansion.
 */
#ifndef CEWB_CLI_FCE_STATE_H
#define CEWB_CLI_FCE_STATE_H

#include <stddef.h>
#include "cewb/fc2.h"
#include "cewb/fce.h"
#include "cewb/fit.h"
#include "cewb/lattice.h"
#include "cewb/structure.h"

struct session;
struct cmd_args;

/* One training structure with forces: 3 n_atoms rows of the sensing matrix. */
struct fce_item {
	cewb_structure *s;	/* the frame as read (info keys, forces) */
	cewb_structure *ideal;	/* its undisplaced supercell (same atom order) */
	double (*disp)[3];	/* displacements (Å), n_atoms rows */
	char *file;		/* file it came from (as typed) */
	size_t frame;		/* 0-based frame in that file */
	size_t n_atoms;
	size_t row0;		/* its first row in A and F */
	double max_disp;	/* largest displacement (Å) */
	double rms_disp;	/* root mean square displacement component (Å) */
	double rms_force;	/* root mean square force component (eV/Å) */
	int used;		/* taken into fits ('fce select') */
};

/* The last force-constant fit. */
struct fce_fit {
	int have;
	cewb_fit_result res;	/* parameters of the space (res.eci) */
	cewb_fit_options opt;
	size_t n_structures;	/* structures it was fitted to */
	size_t n_rows;
	double rmse;		/* force rmse over its rows (eV/Å) */
	double rms_force;	/* rms force component over its rows (eV/Å) */
	size_t n_items;		/* structures loaded when it was made */
	char *in_fit;		/* n_items flags: structure i was fitted */
};

struct fce_state {
	int active;		/* the force-constant expansion is the current model */
	cewb_lattice *lattice;	/* copy of the lattice the space was built on */
	cewb_fce_space *space;
	double cutoffs[CEWB_FCE_MAX_ORDER - 1];
	size_t n_cutoffs;
	unsigned sum_rules;	/* CEWB_FCE_* */
	size_t n_items;
	struct fce_item *items;
	size_t n_rows;		/* 3 x atoms over every item */
	double *A;		/* n_rows x n_params sensing rows (row-major) */
	double *F;		/* n_rows forces (eV/Å) */
	char *select_text;	/* the selection of 'fce select' ("sigma=0.01"), or NULL: all */
	struct fce_fit fit;
	cewb_fc2 *fc2;		/* second-order constants of the fit, made on demand */
};

/* Free a force-constant state (also declared in session.h). */
void fce_state_free(struct fce_state *f);

/* Is the force-constant expansion the session's current model? */
int fce_session_active(const struct session *s);

/* Leave FCE mode (the `space` command calls it); the data stay. */
void fce_session_deactivate(struct session *s);

/* Drop the force-constant space, its data and fit (a new lattice). */
void fce_session_drop(struct session *s);

/*
 * The fit problem of FCE mode: the sensing rows and forces of the used
 * structures (new arrays: X n_rows x n_cols, y, group = structure index of
 * each row, the same for its 3 n_atoms rows).  Returns 0, or 1 after
 * cmd_fail.
 */
int fce_session_rows(struct session *s, double **X, double **y, size_t **group,
		     size_t *n_rows, size_t *n_cols, size_t *n_structures);

/*
 * Keep a fit made in FCE mode (res is taken over) and print its report:
 * force rmse (eV/Å) and relative error (rmse / rms force) over the rows y.
 * Returns 0.
 */
int fce_session_fit_done(struct session *s, const cewb_fit_options *opt, cewb_fit_result *res,
			 const double *y, size_t n_rows, size_t n_structures, const char *note);

/*
 * Print the report of a validation in FCE mode: n_methods results of the
 * methods ms on the same splits (scheme x), the rows' forces y.
 */
void fce_session_validate_report(struct session *s, const cewb_fit_method *ms,
				 size_t n_methods, const cewb_xval_options *x,
				 const cewb_xval_result *xr, const double *y, size_t n_rows,
				 size_t n_structures, int compare);

/*
 * Print a learning curve of FCE mode: sizes (structures), validation and
 * training rmse per point (eV/Å).
 */
void fce_session_learning_report(struct session *s, const char *method,
				 const cewb_xval_options *x, size_t n_points, const double *size,
				 const double *valid, const double *valid_std, const double *train,
				 const double *y, size_t n_rows, size_t n_structures, double seconds);

/* FCE mode of load structures, orbits, structures and sensing (the
 * commands call these when fce_session_active); 0, or 1 after cmd_fail. */
int fce_session_load(struct session *s, const struct cmd_args *a);
int fce_session_orbits(struct session *s, const struct cmd_args *a);
int fce_session_structures(struct session *s, const struct cmd_args *a);
int fce_session_sensing(struct session *s, const struct cmd_args *a);

/*
 * The second-order force constants of the session's last force-constant
 * fit (borrowed; valid until the next fce command changes the fit), or
 * NULL with the reason in why (e.g. "no force-constant fit: ...").
 */
const cewb_fc2 *fce_session_fc2(struct session *s, char *why, size_t len);

#endif
