/*
 * cewb/prior.h - the prior precision matrix Lambda of a cluster expansion,
 * edited by hand: widths per orbit or per parameter, couplings, exact
 * merges, undo and redo, files.
 *
 * Fitting minimises |y - X theta|^2 + (theta - mu)' Lambda (theta - mu),
 * i.e. the data covariance is sigma^2 I and Lambda is already multiplied by
 * sigma^2.  With sigma the noise, sigma_a the prior width of parameter a and
 * sigma_ab the coupling width of a pair:
 *
 *	Lambda_aa = sigma^2/sigma_a^2 + sum_{b != a} w_a^2 sigma^2/sigma_ab^2
 *	Lambda_ab = Lambda_ba = -w_a w_b sigma^2/sigma_ab^2
 *
 * The coupling weights w_a are 1 unless set by cewb_prior_couple_groups
 * (coupling parameters whose natural scales differ, e.g. a slab ECI and its
 * bulk counterpart, penalises (w_a theta_a - w_b theta_b)^2); with w = 1 the
 * formula is the textbook one.  The prior mean mu is 0 unless set.
 *
 * Special widths: sigma_a = INFINITY (the default of a "none" prior) leaves
 * a parameter free (lambda 0); sigma_a = 0 removes it exactly (theta_a = 0,
 * its column dropped); a coupling width of INFINITY means no coupling.
 *
 * Merges are exact: merged parameters share one column.  The merge matrix M
 * (n_params x n_free) has M[a][g] = 1 when parameter a belongs to free
 * parameter g, a zero row for a removed parameter; the fit runs on X M with
 * Lambda' = M' Lambda M and the ECIs come back as theta = mu + M theta'.
 *
 * Orbits: parameters are grouped into orbits (param_orbit); orbit-level
 * operations act on every parameter of an orbit (merging two orbits merges
 * their j-th parameters, so they need the same number of parameters).
 * Indices are 0-based; orbit 0 is usually the zerolet.
 *
 * Every editing function is one step of the undo history: it saves the
 * complete previous state, so cewb_prior_undo restores Lambda exactly.  A
 * failed edit changes nothing and records no step.
 *
 * Ownership: cewb_prior_alloc / cewb_prior_free; cewb_prior_copy makes an
 * independent prior (with an empty history).  Strings returned through a
 * char ** are malloc'd and freed by the caller with free().
 */
#ifndef CEWB_PRIOR_H
#define CEWB_PRIOR_H

#include <stddef.h>
#include "cewb/error.h"
#include "cewb/fit.h"
#include "cewb/space.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque prior state with its undo and redo history. */
typedef struct cewb_prior cewb_prior;

/* The defaults a prior can be reset to. */
typedef enum {
	CEWB_PRIOR_NONE,     /* every parameter free: the OLS limit */
	CEWB_PRIOR_RIDGE,    /* Lambda = lambda I */
	CEWB_PRIOR_PHYSICAL  /* sigma_a = sigma0 exp(-radius/r0) q^order */
} cewb_prior_kind;

/* Parameters of a default prior. */
typedef struct {
	cewb_prior_kind kind;
	double noise;        /* sigma, the noise of the targets (> 0) */
	double lambda;       /* ridge: the diagonal of Lambda (>= 0) */
	double sigma0;       /* physical: width of the zerolet (> 0) */
	double r0;           /* physical: decay length in radius, Å (> 0) */
	double q;            /* physical: factor per order (> 0) */
} cewb_prior_defaults;

/* The default settings of a kind: noise 0.005, lambda 1e-3 (ridge),
 * sigma0 0.1, r0 3 Å, q 0.5 (physical). */
cewb_prior_defaults cewb_prior_defaults_of(cewb_prior_kind kind);
/* Name of a kind ("none", "ridge", "physical"). */
const char *cewb_prior_kind_name(cewb_prior_kind kind);
/* Kind from its name; CEWB_EINVAL for an unknown name. */
cewb_status cewb_prior_kind_parse(const char *name, cewb_prior_kind *kind, cewb_error *err);

/*
 * A prior over n_params parameters in n_orbits orbits: param_orbit[a] is
 * the orbit of parameter a (NULL: one parameter per orbit, n_orbits ==
 * n_params), orbit_order and orbit_radius (Å) describe each orbit.  Starts
 * as the "none" prior with noise 0.005 and an empty history.
 */
cewb_prior *cewb_prior_alloc(size_t n_params, size_t n_orbits, const size_t *param_orbit,
			     const size_t *orbit_order, const double *orbit_radius,
			     cewb_error *err);
/* Free a prior and its history; NULL is harmless. */
void cewb_prior_free(cewb_prior *pr);
/* An independent copy of the current state (empty history); NULL when out of memory. */
cewb_prior *cewb_prior_copy(const cewb_prior *pr);

size_t cewb_prior_n_params(const cewb_prior *pr);
size_t cewb_prior_n_orbits(const cewb_prior *pr);
/* Orbit of a parameter, first parameter and parameter count of an orbit. */
size_t cewb_prior_param_orbit(const cewb_prior *pr, size_t param);
size_t cewb_prior_orbit_first(const cewb_prior *pr, size_t orbit);
size_t cewb_prior_orbit_n_params(const cewb_prior *pr, size_t orbit);
size_t cewb_prior_orbit_order(const cewb_prior *pr, size_t orbit);
double cewb_prior_orbit_radius(const cewb_prior *pr, size_t orbit);

/* The noise sigma. */
double cewb_prior_noise(const cewb_prior *pr);
/* The default the prior was last reset to. */
cewb_prior_defaults cewb_prior_current_defaults(const cewb_prior *pr);
/* Prior width sigma_a of a parameter (INFINITY free, 0 removed). */
double cewb_prior_param_sigma(const cewb_prior *pr, size_t param);
/* Prior mean mu_a of a parameter. */
double cewb_prior_param_mean(const cewb_prior *pr, size_t param);
/* Coupling weight w_a of a parameter. */
double cewb_prior_param_weight(const cewb_prior *pr, size_t param);
/* Coupling width of two parameters (INFINITY when not coupled). */
double cewb_prior_pair_sigma(const cewb_prior *pr, size_t a, size_t b);
/* Number of couplings and the k-th one (a < b), in (a, b) order. */
size_t cewb_prior_n_couplings(const cewb_prior *pr);
void cewb_prior_coupling(const cewb_prior *pr, size_t k, size_t *a, size_t *b, double *sigma);
/* The lowest parameter merged with param (param itself when not merged). */
size_t cewb_prior_merged_with(const cewb_prior *pr, size_t param);
/* Number of free parameters: columns of X M (merges and removals counted). */
size_t cewb_prior_n_free(const cewb_prior *pr);
/* Steps available to undo and to redo. */
size_t cewb_prior_n_undo(const cewb_prior *pr);
size_t cewb_prior_n_redo(const cewb_prior *pr);

/*
 * The full Lambda (n_params x n_params, row-major) by the formula above; a
 * removed parameter has INFINITY on its diagonal and 0 elsewhere in its row
 * and column; merges are not shown (see cewb_prior_reduce).
 */
void cewb_prior_lambda(const cewb_prior *pr, double *lambda);
/*
 * The merge matrix M (n_params x n_free, row-major) and Lambda' = M' Lambda M
 * (n_free x n_free, removed parameters left out); n_free from
 * cewb_prior_n_free.  Either output may be NULL.
 */
void cewb_prior_reduce(const cewb_prior *pr, double *M, double *lambda_free);

/* Editing; each call is one undo step. */

/* Reset to a default: widths from d, no couplings, merges, means or weights. */
cewb_status cewb_prior_reset(cewb_prior *pr, const cewb_prior_defaults *d, cewb_error *err);
/* Set the noise sigma (> 0); every lambda scales with sigma^2. */
cewb_status cewb_prior_set_noise(cewb_prior *pr, double sigma, cewb_error *err);
/* Set the width of every parameter of an orbit (>= 0, INFINITY allowed). */
cewb_status cewb_prior_set_orbit(cewb_prior *pr, size_t orbit, double sigma, cewb_error *err);
/* Set lambda_a = sigma^2/sigma_a^2 of every parameter of an orbit
 * (>= 0; 0 frees it, INFINITY removes it). */
cewb_status cewb_prior_set_orbit_lambda(cewb_prior *pr, size_t orbit, double lambda,
					cewb_error *err);
/* Set the width of one parameter. */
cewb_status cewb_prior_set_param(cewb_prior *pr, size_t param, double sigma, cewb_error *err);
/* Set the prior mean of one parameter. */
cewb_status cewb_prior_set_mean(cewb_prior *pr, size_t param, double mean, cewb_error *err);
/* Couple two orbits (their j-th parameters) with width sigma (> 0;
 * INFINITY uncouples; 0 merges them exactly, as cewb_prior_merge). */
cewb_status cewb_prior_set_pair(cewb_prior *pr, size_t a, size_t b, double sigma,
				cewb_error *err);
/* Couple two parameters; same conventions as cewb_prior_set_pair. */
cewb_status cewb_prior_set_pair_param(cewb_prior *pr, size_t a, size_t b, double sigma,
				      cewb_error *err);
/* Set the width of several orbits (params 0) or parameters (params 1) in one step. */
cewb_status cewb_prior_set_list(cewb_prior *pr, const size_t *idx, size_t n, int params,
				double sigma, cewb_error *err);
/* Merge orbits idx[1..n) into orbit idx[0] in one step (n >= 2). */
cewb_status cewb_prior_merge_list(cewb_prior *pr, const size_t *idx, size_t n, cewb_error *err);
/* Merge two orbits exactly (their j-th parameters share one column). */
cewb_status cewb_prior_merge(cewb_prior *pr, size_t a, size_t b, cewb_error *err);
/* Undo the merges of an orbit: its parameters get columns of their own. */
cewb_status cewb_prior_split(cewb_prior *pr, size_t orbit, cewb_error *err);

/* A choice of orbits; start from cewb_prior_selector_all(). */
typedef struct {
	long order;            /* only this order; -1: any */
	double radius_above;   /* only radius > this (-INFINITY: no bound) */
	double radius_below;   /* only radius < this (INFINITY: no bound) */
	size_t first, last;    /* only orbit indices first..last (inclusive) */
	int skip_zerolet;      /* leave out orbits of order 0 */
} cewb_prior_selector;

/* A selector that selects every orbit. */
cewb_prior_selector cewb_prior_selector_all(void);
/* The selected orbits, ascending, into orbits (room for n_orbits); returns the count. */
size_t cewb_prior_select(const cewb_prior *pr, const cewb_prior_selector *sel, size_t *orbits);
/* Set the width of every selected orbit. */
cewb_status cewb_prior_set_selected(cewb_prior *pr, const cewb_prior_selector *sel,
				    double sigma, cewb_error *err);
/* Merge all selected orbits into one (CEWB_EINVAL when fewer than two). */
cewb_status cewb_prior_merge_selected(cewb_prior *pr, const cewb_prior_selector *sel,
				      cewb_error *err);

/* Similarity measures for cewb_prior_couple_similar. */
typedef enum {
	CEWB_SIMILAR_RADIUS,   /* same order: sigma_ab = scale exp(|r_a - r_b| / (2 length)) */
	CEWB_SIMILAR_ORDER,    /* same order: sigma_ab = scale */
	CEWB_SIMILAR_NEIGHBOR  /* same order, next in radius: sigma_ab = scale */
} cewb_similarity;

/* Name of a measure ("radius", "order", "neighbor"). */
const char *cewb_similarity_name(cewb_similarity m);
cewb_status cewb_similarity_parse(const char *name, cewb_similarity *m, cewb_error *err);
/*
 * Couple every pair of selected orbits the measure relates (same order;
 * the zerolet never) with the width it gives (scale > 0, length > 0 Å;
 * with RADIUS, pairs with |r_a - r_b| > cut are left alone).  Replaces
 * earlier couplings of those pairs.
 */
cewb_status cewb_prior_couple_similar(cewb_prior *pr, const cewb_prior_selector *sel,
				      cewb_similarity m, double scale, double length,
				      double cut, cewb_error *err);
/*
 * Couple orbits of the same class: group[o] is the class of orbit o (or -1
 * for none); every pair of parameters (j-th of each orbit) of the same class
 * gets width sigma and the weights w (per parameter, NULL: keep); with
 * target non-NULL (n_targets values) the parameters are pulled on instead:
 * the j-th parameter a of an orbit of class c gets mean target[c + j]/w_a
 * and width sigma/w_a, and no coupling (so a class may be the index of the
 * first of its values, e.g. a bulk orbit's first parameter).  One undo step.
 */
cewb_status cewb_prior_couple_groups(cewb_prior *pr, const long *group, const double *w,
				     double sigma, const double *target, size_t n_targets,
				     cewb_error *err);

/* Go one step back or forward in the history (CEWB_ESTATE when there is none). */
cewb_status cewb_prior_undo(cewb_prior *pr, cewb_error *err);
cewb_status cewb_prior_redo(cewb_prior *pr, cewb_error *err);

/* Files. */

/* Write the current state as JSON, atomically (temporary file + rename). */
cewb_status cewb_prior_save(const cewb_prior *pr, const char *path, cewb_error *err);
/* Read a state written by cewb_prior_save into pr (one undo step); the
 * parameter count and orbits must match. */
cewb_status cewb_prior_load(cewb_prior *pr, const char *path, cewb_error *err);
/* The state as a JSON text (malloc'd). */
cewb_status cewb_prior_to_json(const cewb_prior *pr, char **text, cewb_error *err);
/* Read a state from JSON text into pr (one undo step); name is used in messages. */
cewb_status cewb_prior_from_json(cewb_prior *pr, const char *text, const char *name,
				 cewb_error *err);

/*
 * The differences from a to b, one line each ("orbit 3 sigma: inf -> 0.1",
 * "pair 2 5 sigma: none -> 0.05", "merge 4 6: added", ...), into *text
 * (malloc'd, "" when equal); *n_diff (may be NULL) gets the line count.
 * The two priors must have the same parameters.
 */
cewb_status cewb_prior_diff(const cewb_prior *a, const cewb_prior *b, char **text,
			    size_t *n_diff, cewb_error *err);

/* Fitting with the prior. */

/*
 * Effective number of parameters, the trace of the hat matrix
 * X'(X'^T X' + Lambda')^+ X'^T with X' = X M (X: n_rows x n_params,
 * row-major); pseudo-inverse so that the OLS limit gives the rank.
 */
cewb_status cewb_prior_effective(const cewb_prior *pr, const double *X, size_t n_rows,
				 double *dof, cewb_error *err);
/*
 * Fit with the prior: the problem's X and y (weights are honoured; sigma
 * and lambda are ignored) are reduced to X M, the prior fit of the fit
 * module runs with Lambda', and the ECIs, covariance and n_cols come back
 * in the n_params parameters.
 */
cewb_status cewb_prior_fit(const cewb_prior *pr, const cewb_fit_problem *prob,
			   const cewb_fit_options *opt, cewb_fit_result *res, cewb_error *err);
/* Validate the prior fit (as cewb_prior_fit) with the scheme in xopt. */
cewb_status cewb_prior_xval(const cewb_prior *pr, const cewb_fit_problem *prob,
			    const cewb_fit_options *opt, const cewb_xval_options *xopt,
			    cewb_xval_result *res, cewb_error *err);

/* Surfaces (prior_bulk.c). */

/*
 * Classify the orbits of a slab space in a bulk space of the same material:
 * bulk_orbit[o] (n_orbits of slab) is the bulk orbit the clusters of slab
 * orbit o belong to, or -1 when none (cutoffs of the bulk space too short);
 * weight[a] (n_params of slab, may be NULL) is the factor that turns slab
 * ECI a into its bulk counterpart: (m_bulk / n_sites_bulk) / (m_slab /
 * n_sites_slab), m the multiplicity of the parameter, so that a slab whose
 * clusters interact exactly as in the bulk has weight[a] theta_a equal to
 * the bulk ECI.  The bulk lattice must share the slab's Cartesian frame (the
 * slab cut from it without rotation); a common shift of the origin is
 * found.  The zerolet gets -1 (a slab's reference energy is not the
 * bulk's), and so does every orbit whose representative has a site closer
 * than surface_depth (Å, along the normal of the slab; <= 0: none) to the
 * outermost layers, so that surface ECIs stay free.  tol: position
 * tolerance, Å.
 */
cewb_status cewb_prior_bulk_classify(const cewb_space *slab, const cewb_space *bulk, double tol,
				     double surface_depth, long *bulk_orbit, double *weight,
				     cewb_error *err);

#ifdef __cplusplus
}
#endif
#endif
