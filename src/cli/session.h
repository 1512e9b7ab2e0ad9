/*
 * session.h - the whole state of one cewb session, in one struct.
 *
 * Commands (see cmd.h) receive the session and may change it only when
 * they succeed: a handler builds new state aside (a new lattice, a new
 * training set) and swaps it in at the end; on failure it frees what it
 * built and the session is exactly as before.  Helpers below do the
 * common swaps so that dependent state (cluster vectors, fits) stays
 * consistent: a new lattice drops the space, the vectors and the fit; a
 * new space recomputes the vectors of the training set and drops the fit.
 */
#ifndef CEWB_CLI_SESSION_H
#define CEWB_CLI_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "cewb/error.h"
#include "cewb/structure.h"
#include "cewb/lattice.h"
#include "cewb/space.h"
#include "cewb/fit.h"
#include "cewb/prior.h"

/* How a structure was put on the lattice. */
enum map_status {
	MAP_IDEAL,	/* already an ideal supercell of the lattice */
	MAP_MAPPED,	/* relaxed structure mapped onto ideal sites */
	MAP_WARNED,	/* mapped, but strain or displacement is large */
	MAP_REFUSED	/* could not be mapped (reason says why); not used in fits */
};

/* One training structure. */
struct train_item {
	cewb_structure *s;	/* as read from the file (owned) */
	cewb_structure *ideal;	/* ideal supercell it maps to (owned), or NULL: s is ideal */
	char *file;		/* file it came from (as typed) */
	size_t frame;		/* 0-based frame in that file */
	double target;		/* value of the target key (NAN when absent) */
	double weight;		/* fit weight, 1 by default */
	enum map_status map;
	char *map_reason;	/* why refused or warned, or NULL */
	double volumetric_strain, drmax, dravg; /* mapping figures (0 when ideal) */
	int dropped;		/* left out of fits by 'drop' (restored by 'restore') */
};

/* Does a training structure take part in fits (not refused, not dropped)? */
static inline int train_item_used(const struct train_item *it)
{
	return it->map != MAP_REFUSED && !it->dropped;
}

/* The training set: structures in load order and their cluster vectors. */
struct train_set {
	size_t n;		/* structures */
	struct train_item *items;
	char *target_key;	/* info key the targets were read from, or NULL */
	size_t n_params;	/* columns of X: the space's n_params, 0 without space */
	double *X;		/* n x n_params cluster vectors (row-major), or NULL */
};

/* Output formats of reports. */
enum out_format {
	FORMAT_TEXT,
	FORMAT_JSON
};

/* Result of the last fit. */
struct fit_state {
	int have;		/* a fit is there */
	cewb_fit_result res;	/* ECIs etc. (released on replace) */
	cewb_fit_options opt;	/* options it was made with */
	size_t n_rows;		/* training rows used */
};

struct session {
	/* The model. */
	cewb_lattice *lattice;	/* parent lattice, or NULL before `load lattice` */
	cewb_structure *lattice_structure; /* the frame it was built from (info keys) */
	char *lattice_file;	/* where it came from */
	size_t lattice_frame;
	char *species;		/* species specification as given ("Ag,Pd") */
	cewb_space *space;	/* cluster space, or NULL before `space` */
	struct train_set train;	/* loaded training structures */
	struct fit_state fit;	/* last fit */
	double *lambda;		/* prior precision, space->n_params squared, or NULL: none set */
	cewb_prior *prior;	/* prior of the current space (made on first use by
				   prior_session in cmd_prior.c), or NULL; it goes
				   with the space */

	/* Settings (`set KEY VALUE`). */
	uint64_t seed;		/* seed of every random choice (splits, shuffles) */
	int threads;		/* worker threads; 0: the library's choice */
	enum out_format format;	/* default output format of reports */
	int precision;		/* significant digits of numbers in text reports */
	char plot_terminal[64];	/* gnuplot terminal ("dumb", "qt", "pngcairo"...) */
	double match_tol;	/* tolerance (Å) matching structures onto the lattice */

	/* Front end. */
	int interactive;	/* commands come from a person at a terminal */
	int color;		/* colour allowed (terminal and NO_COLOR unset) */
	int trust;		/* shell commands allowed while replaying */
	FILE *out;		/* where the current command writes its output */
	FILE *record;		/* transcript being written, or NULL */
	char *record_path;
	int quit;		/* `quit` was given */
	int cur_json;		/* the current command writes JSON */
	int json_done;		/* the current command has printed its JSON document */
	int quiet;		/* error lines are not shown (a replay being checked) */
	int replay_depth;	/* nesting of `replay` (a replay may not replay itself) */
	char error[CEWB_ERROR_MAX + 128]; /* failure message of the current command */

	/* Analysis data of the fit family (fit_data.h): the last validation,
	 * learning curve and convergence scan, for plots; NULL until the first. */
	struct fit_data *fit_data;

	/* Force-constant expansion (fce_state.h): its space, force data and
	 * fit, made by `fce space`; NULL until then. */
	struct fce_state *fce;
};

/* Free a force-constant state (defined with it, in the fce family). */
void fce_state_free(struct fce_state *f);

/* Set up a session with default settings (nothing loaded). */
void session_init(struct session *s);
/* Free everything the session owns (closes the record file). */
void session_release(struct session *s);

/* Output of the current command: text, or one JSON document (stolen). */
void out_printf(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_json(struct session *s, json_t *doc);
/* Does the current command write JSON? */
int out_is_json(const struct session *s);
/* A JSON real, or null for a value that is not finite (jansson refuses them). */
json_t *out_jreal(double x);
/* A JSON array of n reals (non-finite ones as null). */
json_t *out_jreals(const double *x, size_t n);
/* May times be printed in text?  Not while recording or replaying: they
 * change from run to run. */
int out_show_time(const struct session *s);
/* Format a real with the session precision (%.{precision}g) into buf. */
const char *out_real(const struct session *s, double x, char *buf, size_t len);

/* Free the items of a training set and reset it to empty. */
void train_release(struct train_set *t);
/* Cluster vectors of every item of t in space sp: a new n x n_params
 * matrix in *X_out; on error nothing is allocated and err names the item. */
cewb_status train_vectors(const struct session *s, const cewb_space *sp,
			  const struct train_set *t, double **X_out, cewb_error *err);

/* Replace the lattice (drops space, vectors, fit, prior); takes ownership. */
void session_set_lattice(struct session *s, cewb_lattice *lat, cewb_structure *frame,
			 const char *file, size_t frame_index, const char *species);
/* Replace the space and the training vectors X (computed by the caller
 * with train_vectors); drops fit and prior; takes ownership of both. */
void session_set_space(struct session *s, cewb_space *sp, double *X);
/* Replace the training set (X already computed, or NULL without space);
 * drops the fit; takes ownership of the items of t (t is emptied). */
void session_set_train(struct session *s, struct train_set *t);
/* Drop the fit, if any. */
void session_drop_fit(struct session *s);

#endif
