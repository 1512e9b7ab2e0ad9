/* The prior precision matrix: state, editing, history, files, prior fits. */
#include "config.h"
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <jansson.h>
#include <lapacke.h>
#include "cewb/prior.h"

/* Steps kept in the undo history; older ones are dropped. */
#define PRIOR_HISTORY_MAX 1000

/* One coupling of two parameters, a < b. */
struct coupling {
	size_t a, b;
	double sigma;
};

/* Everything an edit can change; the unit of the undo history. */
struct prior_state {
	cewb_prior_defaults def; /* the default last reset to */
	double noise;            /* sigma of the targets */
	double *sigma;           /* n_params widths (INFINITY free, 0 removed) */
	double *mean;            /* n_params prior means */
	double *weight;          /* n_params coupling weights */
	size_t *group;           /* n_params: lowest parameter merged with it */
	size_t n_coup, cap_coup;
	struct coupling *coup;   /* sorted by (a, b) */
};

struct cewb_prior {
	size_t n_params, n_orbits;
	size_t *param_orbit;     /* n_params */
	size_t *orbit_first;     /* n_orbits: first parameter */
	size_t *orbit_np;        /* n_orbits: parameter count */
	size_t *orbit_order;     /* n_orbits */
	double *orbit_radius;    /* n_orbits */
	struct prior_state cur;
	size_t n_undo, n_redo;
	struct prior_state *undo; /* PRIOR_HISTORY_MAX slots, oldest first */
	struct prior_state *redo; /* PRIOR_HISTORY_MAX slots, next redo last */
};

/* Free the arrays of a state and zero it. */
static void state_release(struct prior_state *st)
{
	free(st->sigma);
	free(st->mean);
	free(st->weight);
	free(st->group);
	free(st->coup);
	memset(st, 0, sizeof *st);
}

/* Allocate the per-parameter arrays of a state; 0 when out of memory. */
static int state_alloc(struct prior_state *st, size_t n)
{
	memset(st, 0, sizeof *st);
	st->sigma = malloc(n * sizeof *st->sigma);
	st->mean = malloc(n * sizeof *st->mean);
	st->weight = malloc(n * sizeof *st->weight);
	st->group = malloc(n * sizeof *st->group);
	if (!st->sigma || !st->mean || !st->weight || !st->group) {
		state_release(st);
		return 0;
	}
	return 1;
}

/* Deep copy of a state over n parameters; 0 when out of memory. */
static int state_copy(struct prior_state *dst, const struct prior_state *src, size_t n)
{
	if (!state_alloc(dst, n))
		return 0;
	dst->def = src->def;
	dst->noise = src->noise;
	memcpy(dst->sigma, src->sigma, n * sizeof *dst->sigma);
	memcpy(dst->mean, src->mean, n * sizeof *dst->mean);
	memcpy(dst->weight, src->weight, n * sizeof *dst->weight);
	memcpy(dst->group, src->group, n * sizeof *dst->group);
	if (src->n_coup) {
		dst->coup = malloc(src->n_coup * sizeof *dst->coup);
		if (!dst->coup) {
			state_release(dst);
			return 0;
		}
		memcpy(dst->coup, src->coup, src->n_coup * sizeof *dst->coup);
	}
	dst->n_coup = dst->cap_coup = src->n_coup;
	return 1;
}

/* Index of coupling (a, b) with a < b, or where it would go; *found set. */
static size_t coup_find(const struct prior_state *st, size_t a, size_t b, int *found)
{
	size_t lo = 0, hi = st->n_coup;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct coupling *c = &st->coup[mid];
		if (c->a < a || (c->a == a && c->b < b))
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < st->n_coup && st->coup[lo].a == a && st->coup[lo].b == b;
	return lo;
}

/* Set (sigma finite), or remove (sigma infinite) the coupling of a != b; 0 when out of memory. */
static int coup_set(struct prior_state *st, size_t a, size_t b, double sigma)
{
	int found;
	size_t k;
	if (a > b) {
		size_t t = a;
		a = b;
		b = t;
	}
	k = coup_find(st, a, b, &found);
	if (isinf(sigma)) {
		if (found) {
			memmove(st->coup + k, st->coup + k + 1,
				(st->n_coup - k - 1) * sizeof *st->coup);
			st->n_coup--;
		}
		return 1;
	}
	if (found) {
		st->coup[k].sigma = sigma;
		return 1;
	}
	if (st->n_coup == st->cap_coup) {
		size_t cap = st->cap_coup ? 2 * st->cap_coup : 16;
		struct coupling *nc = realloc(st->coup, cap * sizeof *nc);
		if (!nc)
			return 0;
		st->coup = nc;
		st->cap_coup = cap;
	}
	memmove(st->coup + k + 1, st->coup + k, (st->n_coup - k) * sizeof *st->coup);
	st->coup[k].a = a;
	st->coup[k].b = b;
	st->coup[k].sigma = sigma;
	st->n_coup++;
	return 1;
}

/* Width of a parameter under a default. */
static double default_sigma(const cewb_prior_defaults *d, size_t order, double radius)
{
	switch (d->kind) {
	case CEWB_PRIOR_NONE:
		return INFINITY;
	case CEWB_PRIOR_RIDGE:
		return d->lambda > 0 ? d->noise / sqrt(d->lambda) : INFINITY;
	case CEWB_PRIOR_PHYSICAL:
		return d->sigma0 * exp(-radius / d->r0) * pow(d->q, (double)order);
	}
	return INFINITY;
}

/* Fill a state with a default: no couplings, merges, means; unit weights. */
static void state_default(const cewb_prior *pr, struct prior_state *st,
			  const cewb_prior_defaults *d)
{
	size_t a;
	st->def = *d;
	st->noise = d->noise;
	for (a = 0; a < pr->n_params; a++) {
		size_t o = pr->param_orbit[a];
		st->sigma[a] = default_sigma(d, pr->orbit_order[o], pr->orbit_radius[o]);
		st->mean[a] = 0;
		st->weight[a] = 1;
		st->group[a] = a;
	}
	st->n_coup = 0;
}

cewb_prior_defaults cewb_prior_defaults_of(cewb_prior_kind kind)
{
	cewb_prior_defaults d;
	d.kind = kind;
	d.noise = 0.005;
	d.lambda = 1e-3;
	d.sigma0 = 0.1;
	d.r0 = 3.0;
	d.q = 0.5;
	return d;
}

const char *cewb_prior_kind_name(cewb_prior_kind kind)
{
	switch (kind) {
	case CEWB_PRIOR_NONE: return "none";
	case CEWB_PRIOR_RIDGE: return "ridge";
	case CEWB_PRIOR_PHYSICAL: return "physical";
	}
	return "?";
}

cewb_status cewb_prior_kind_parse(const char *name, cewb_prior_kind *kind, cewb_error *err)
{
	int k;
	for (k = CEWB_PRIOR_NONE; k <= CEWB_PRIOR_PHYSICAL; k++)
		if (name && strcmp(name, cewb_prior_kind_name((cewb_prior_kind)k)) == 0) {
			*kind = (cewb_prior_kind)k;
			return CEWB_OK;
		}
	CEWB_RAISE(err, CEWB_EINVAL, "unknown prior '%s' (none, ridge, physical)",
		   name ? name : "");
}

cewb_prior *cewb_prior_alloc(size_t n_params, size_t n_orbits, const size_t *param_orbit,
			     const size_t *orbit_order, const double *orbit_radius,
			     cewb_error *err)
{
	cewb_prior *pr;
	cewb_prior_defaults d = cewb_prior_defaults_of(CEWB_PRIOR_NONE);
	size_t a, o;
	if (n_params == 0 || n_orbits == 0) {
		cewb_error_set(err, CEWB_EINVAL, "a prior needs at least one parameter");
		return NULL;
	}
	if (!param_orbit && n_orbits != n_params) {
		cewb_error_set(err, CEWB_EINVAL,
			       "%zu orbits but %zu parameters and no parameter-orbit map",
			       n_orbits, n_params);
		return NULL;
	}
	if (!orbit_order || !orbit_radius) {
		cewb_error_set(err, CEWB_EINVAL, "orbit orders and radii are needed");
		return NULL;
	}
	for (a = 0; param_orbit && a < n_params; a++) {
		size_t prev = a ? param_orbit[a - 1] : 0;
		if (param_orbit[a] >= n_orbits || param_orbit[a] < prev ||
		    param_orbit[a] > prev + 1 || (a == 0 && param_orbit[0] != 0) ||
		    (a == n_params - 1 && param_orbit[a] != n_orbits - 1)) {
			cewb_error_set(err, CEWB_EINVAL,
				       "parameter %zu: orbits must be numbered 0..%zu in "
				       "parameter order, each with a parameter", a, n_orbits - 1);
			return NULL;
		}
	}
	pr = calloc(1, sizeof *pr);
	if (!pr)
		goto nomem;
	pr->n_params = n_params;
	pr->n_orbits = n_orbits;
	pr->param_orbit = malloc(n_params * sizeof *pr->param_orbit);
	pr->orbit_first = calloc(n_orbits, sizeof *pr->orbit_first);
	pr->orbit_np = calloc(n_orbits, sizeof *pr->orbit_np);
	pr->orbit_order = malloc(n_orbits * sizeof *pr->orbit_order);
	pr->orbit_radius = malloc(n_orbits * sizeof *pr->orbit_radius);
	pr->undo = calloc(PRIOR_HISTORY_MAX, sizeof *pr->undo);
	pr->redo = calloc(PRIOR_HISTORY_MAX, sizeof *pr->redo);
	if (!pr->param_orbit || !pr->orbit_first || !pr->orbit_np || !pr->orbit_order ||
	    !pr->orbit_radius || !pr->undo || !pr->redo || !state_alloc(&pr->cur, n_params))
		goto nomem;
	for (a = 0; a < n_params; a++) {
		pr->param_orbit[a] = param_orbit ? param_orbit[a] : a;
		o = pr->param_orbit[a];
		if (pr->orbit_np[o]++ == 0)
			pr->orbit_first[o] = a;
	}
	memcpy(pr->orbit_order, orbit_order, n_orbits * sizeof *orbit_order);
	memcpy(pr->orbit_radius, orbit_radius, n_orbits * sizeof *orbit_radius);
	state_default(pr, &pr->cur, &d);
	return pr;
nomem:
	cewb_prior_free(pr);
	cewb_error_set(err, CEWB_ENOMEM, "out of memory for a prior of %zu parameters", n_params);
	return NULL;
}

void cewb_prior_free(cewb_prior *pr)
{
	size_t k;
	if (!pr)
		return;
	for (k = 0; pr->undo && k < pr->n_undo; k++)
		state_release(&pr->undo[k]);
	for (k = 0; pr->redo && k < pr->n_redo; k++)
		state_release(&pr->redo[k]);
	state_release(&pr->cur);
	free(pr->undo);
	free(pr->redo);
	free(pr->param_orbit);
	free(pr->orbit_first);
	free(pr->orbit_np);
	free(pr->orbit_order);
	free(pr->orbit_radius);
	free(pr);
}

cewb_prior *cewb_prior_copy(const cewb_prior *pr)
{
	cewb_prior *c = cewb_prior_alloc(pr->n_params, pr->n_orbits, pr->param_orbit,
					 pr->orbit_order, pr->orbit_radius, NULL);
	if (!c)
		return NULL;
	state_release(&c->cur);
	if (!state_copy(&c->cur, &pr->cur, pr->n_params)) {
		cewb_prior_free(c);
		return NULL;
	}
	return c;
}

size_t cewb_prior_n_params(const cewb_prior *pr) { return pr->n_params; }
size_t cewb_prior_n_orbits(const cewb_prior *pr) { return pr->n_orbits; }
size_t cewb_prior_param_orbit(const cewb_prior *pr, size_t p) { return pr->param_orbit[p]; }
size_t cewb_prior_orbit_first(const cewb_prior *pr, size_t o) { return pr->orbit_first[o]; }
size_t cewb_prior_orbit_n_params(const cewb_prior *pr, size_t o) { return pr->orbit_np[o]; }
size_t cewb_prior_orbit_order(const cewb_prior *pr, size_t o) { return pr->orbit_order[o]; }
double cewb_prior_orbit_radius(const cewb_prior *pr, size_t o) { return pr->orbit_radius[o]; }
double cewb_prior_noise(const cewb_prior *pr) { return pr->cur.noise; }
cewb_prior_defaults cewb_prior_current_defaults(const cewb_prior *pr) { return pr->cur.def; }
double cewb_prior_param_sigma(const cewb_prior *pr, size_t p) { return pr->cur.sigma[p]; }
double cewb_prior_param_mean(const cewb_prior *pr, size_t p) { return pr->cur.mean[p]; }
double cewb_prior_param_weight(const cewb_prior *pr, size_t p) { return pr->cur.weight[p]; }
size_t cewb_prior_n_couplings(const cewb_prior *pr) { return pr->cur.n_coup; }
size_t cewb_prior_merged_with(const cewb_prior *pr, size_t p) { return pr->cur.group[p]; }
size_t cewb_prior_n_undo(const cewb_prior *pr) { return pr->n_undo; }
size_t cewb_prior_n_redo(const cewb_prior *pr) { return pr->n_redo; }

double cewb_prior_pair_sigma(const cewb_prior *pr, size_t a, size_t b)
{
	int found;
	size_t k;
	if (a == b)
		return INFINITY;
	k = coup_find(&pr->cur, a < b ? a : b, a < b ? b : a, &found);
	return found ? pr->cur.coup[k].sigma : INFINITY;
}

void cewb_prior_coupling(const cewb_prior *pr, size_t k, size_t *a, size_t *b, double *sigma)
{
	*a = pr->cur.coup[k].a;
	*b = pr->cur.coup[k].b;
	*sigma = pr->cur.coup[k].sigma;
}

/* Column of each parameter in X M (SIZE_MAX for a removed one); returns
 * n_free.  Columns are numbered in order of the first kept parameter of
 * each merge; a group's representative is its lowest parameter, so
 * col[group[a]] is known (or the group not yet opened) when a is reached. */
static size_t free_columns(const cewb_prior *pr, const struct prior_state *st, size_t *col)
{
	size_t a, n = 0;
	for (a = 0; a < pr->n_params; a++)
		col[a] = SIZE_MAX;
	/* first pass: the column of each group, stored at its representative */
	for (a = 0; a < pr->n_params; a++) {
		size_t g = st->group[a];
		if (st->sigma[a] != 0 && col[g] == SIZE_MAX)
			col[g] = n++;
	}
	/* second pass: members take their group's column (removed ones none) */
	for (a = 0; a < pr->n_params; a++)
		if (st->sigma[a] == 0 && st->group[a] != a)
			continue;
		else if (st->group[a] != a)
			col[a] = col[st->group[a]];
	for (a = 0; a < pr->n_params; a++)
		if (st->sigma[a] == 0 && st->group[a] == a)
			col[a] = SIZE_MAX;
	return n;
}

size_t cewb_prior_n_free(const cewb_prior *pr)
{
	size_t *col = malloc(pr->n_params * sizeof *col);
	size_t n;
	if (!col)
		return 0;
	n = free_columns(pr, &pr->cur, col);
	free(col);
	return n;
}

/* Lambda of a state; removed parameters get INFINITY on the diagonal. */
static void state_lambda(const cewb_prior *pr, const struct prior_state *st, double *L)
{
	size_t n = pr->n_params, a, k;
	double s2 = st->noise * st->noise;
	memset(L, 0, n * n * sizeof *L);
	for (a = 0; a < n; a++)
		L[a * n + a] = isinf(st->sigma[a]) ? 0 : s2 / (st->sigma[a] * st->sigma[a]);
	for (k = 0; k < st->n_coup; k++) {
		const struct coupling *c = &st->coup[k];
		double l = s2 / (c->sigma * c->sigma);
		double wa = st->weight[c->a], wb = st->weight[c->b];
		L[c->a * n + c->a] += wa * wa * l;
		L[c->b * n + c->b] += wb * wb * l;
		L[c->a * n + c->b] -= wa * wb * l;
		L[c->b * n + c->a] -= wa * wb * l;
	}
	for (a = 0; a < n; a++) {
		if (st->sigma[a] != 0)
			continue;
		for (k = 0; k < n; k++) {
			L[a * n + k] = 0;
			L[k * n + a] = 0;
		}
		L[a * n + a] = INFINITY;
	}
}

void cewb_prior_lambda(const cewb_prior *pr, double *lambda)
{
	state_lambda(pr, &pr->cur, lambda);
}

/* M and Lambda' of the current state into caller arrays (either NULL);
 * col gets the column of each parameter; 0 when out of memory. */
static int reduce(const cewb_prior *pr, size_t *col, size_t *n_free, double *M, double *Lf)
{
	size_t n = pr->n_params, nf, a, b;
	nf = free_columns(pr, &pr->cur, col);
	*n_free = nf;
	if (M) {
		memset(M, 0, n * nf * sizeof *M);
		for (a = 0; a < n; a++)
			if (col[a] != SIZE_MAX)
				M[a * nf + col[a]] = 1;
	}
	if (Lf) {
		double *L = malloc(n * n * sizeof *L);
		if (!L)
			return 0;
		state_lambda(pr, &pr->cur, L);
		memset(Lf, 0, nf * nf * sizeof *Lf);
		for (a = 0; a < n; a++) {
			if (col[a] == SIZE_MAX)
				continue;
			for (b = 0; b < n; b++)
				if (col[b] != SIZE_MAX)
					Lf[col[a] * nf + col[b]] += L[a * n + b];
		}
		free(L);
	}
	return 1;
}

void cewb_prior_reduce(const cewb_prior *pr, double *M, double *lambda_free)
{
	size_t *col = malloc(pr->n_params * sizeof *col), nf;
	if (!col)
		return;
	reduce(pr, col, &nf, M, lambda_free);
	free(col);
}

/* Editing: a working copy of the state, committed as one history step. */

/* Start an edit: *work becomes a copy of the current state. */
static cewb_status edit_begin(const cewb_prior *pr, struct prior_state *work, cewb_error *err)
{
	if (!state_copy(work, &pr->cur, pr->n_params))
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for an edit of the prior");
	return CEWB_OK;
}

/* Push a state on a history stack, dropping the oldest when full. */
static void history_push(struct prior_state *stack, size_t *n, struct prior_state *st)
{
	if (*n == PRIOR_HISTORY_MAX) {
		state_release(&stack[0]);
		memmove(stack, stack + 1, (PRIOR_HISTORY_MAX - 1) * sizeof *stack);
		(*n)--;
	}
	stack[(*n)++] = *st;
}

/* Finish an edit: the old state goes to the undo history, redo is cleared. */
static cewb_status edit_commit(cewb_prior *pr, struct prior_state *work)
{
	size_t k;
	history_push(pr->undo, &pr->n_undo, &pr->cur);
	pr->cur = *work;
	for (k = 0; k < pr->n_redo; k++)
		state_release(&pr->redo[k]);
	pr->n_redo = 0;
	return CEWB_OK;
}

/* Abandon an edit and return the status. */
static cewb_status edit_abort(struct prior_state *work, cewb_status st)
{
	state_release(work);
	return st;
}

cewb_status cewb_prior_undo(cewb_prior *pr, cewb_error *err)
{
	if (pr->n_undo == 0)
		CEWB_RAISE(err, CEWB_ESTATE, "nothing to undo");
	history_push(pr->redo, &pr->n_redo, &pr->cur);
	pr->cur = pr->undo[--pr->n_undo];
	return CEWB_OK;
}

cewb_status cewb_prior_redo(cewb_prior *pr, cewb_error *err)
{
	if (pr->n_redo == 0)
		CEWB_RAISE(err, CEWB_ESTATE, "nothing to redo");
	history_push(pr->undo, &pr->n_undo, &pr->cur);
	pr->cur = pr->redo[--pr->n_redo];
	return CEWB_OK;
}

/* Check a defaults record. */
static cewb_status check_defaults(const cewb_prior_defaults *d, cewb_error *err)
{
	if (!(d->noise > 0) || isinf(d->noise))
		CEWB_RAISE(err, CEWB_EINVAL, "noise must be positive, not %g", d->noise);
	if (d->kind == CEWB_PRIOR_RIDGE && !(d->lambda >= 0))
		CEWB_RAISE(err, CEWB_EINVAL, "lambda must be >= 0, not %g", d->lambda);
	if (d->kind == CEWB_PRIOR_PHYSICAL &&
	    (!(d->sigma0 > 0) || !(d->r0 > 0) || !(d->q > 0) || isinf(d->sigma0) ||
	     isinf(d->r0) || isinf(d->q)))
		CEWB_RAISE(err, CEWB_EINVAL,
			   "sigma0, r0 and q must be positive and finite (%g, %g, %g)",
			   d->sigma0, d->r0, d->q);
	if ((int)d->kind < CEWB_PRIOR_NONE || d->kind > CEWB_PRIOR_PHYSICAL)
		CEWB_RAISE(err, CEWB_EINVAL, "unknown prior kind %d", (int)d->kind);
	return CEWB_OK;
}

cewb_status cewb_prior_reset(cewb_prior *pr, const cewb_prior_defaults *d, cewb_error *err)
{
	struct prior_state w;
	cewb_status st = check_defaults(d, err);
	if (st || (st = edit_begin(pr, &w, err)))
		return st;
	state_default(pr, &w, d);
	return edit_commit(pr, &w);
}

cewb_status cewb_prior_set_noise(cewb_prior *pr, double sigma, cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	if (!(sigma > 0) || isinf(sigma))
		CEWB_RAISE(err, CEWB_EINVAL, "noise must be positive and finite, not %g", sigma);
	if ((st = edit_begin(pr, &w, err)))
		return st;
	w.noise = sigma;
	return edit_commit(pr, &w);
}

/* Check an orbit index. */
static cewb_status check_orbit(const cewb_prior *pr, size_t o, cewb_error *err)
{
	if (o >= pr->n_orbits)
		CEWB_RAISE(err, CEWB_EINVAL, "no orbit %zu (there are %zu, 0..%zu)", o,
			   pr->n_orbits, pr->n_orbits - 1);
	return CEWB_OK;
}

/* Check a parameter index. */
static cewb_status check_param(const cewb_prior *pr, size_t p, cewb_error *err)
{
	if (p >= pr->n_params)
		CEWB_RAISE(err, CEWB_EINVAL, "no parameter %zu (there are %zu, 0..%zu)", p,
			   pr->n_params, pr->n_params - 1);
	return CEWB_OK;
}

/* Check a width: >= 0, INFINITY allowed, no NaN. */
static cewb_status check_sigma(double sigma, cewb_error *err)
{
	if (!(sigma >= 0))
		CEWB_RAISE(err, CEWB_EINVAL, "sigma must be >= 0, not %g", sigma);
	return CEWB_OK;
}

cewb_status cewb_prior_set_orbit(cewb_prior *pr, size_t orbit, double sigma, cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	size_t j;
	if ((st = check_orbit(pr, orbit, err)) || (st = check_sigma(sigma, err)) ||
	    (st = edit_begin(pr, &w, err)))
		return st;
	for (j = 0; j < pr->orbit_np[orbit]; j++)
		w.sigma[pr->orbit_first[orbit] + j] = sigma;
	return edit_commit(pr, &w);
}

cewb_status cewb_prior_set_orbit_lambda(cewb_prior *pr, size_t orbit, double lambda,
					cewb_error *err)
{
	double sigma;
	if (!(lambda >= 0))
		CEWB_RAISE(err, CEWB_EINVAL, "lambda must be >= 0, not %g", lambda);
	if (lambda == 0)
		sigma = INFINITY;
	else if (isinf(lambda))
		sigma = 0;
	else
		sigma = pr->cur.noise / sqrt(lambda);
	return cewb_prior_set_orbit(pr, orbit, sigma, err);
}

cewb_status cewb_prior_set_param(cewb_prior *pr, size_t param, double sigma, cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	if ((st = check_param(pr, param, err)) || (st = check_sigma(sigma, err)) ||
	    (st = edit_begin(pr, &w, err)))
		return st;
	w.sigma[param] = sigma;
	return edit_commit(pr, &w);
}

cewb_status cewb_prior_set_mean(cewb_prior *pr, size_t param, double mean, cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	if ((st = check_param(pr, param, err)))
		return st;
	if (!isfinite(mean))
		CEWB_RAISE(err, CEWB_EINVAL, "mean must be finite, not %g", mean);
	if ((st = edit_begin(pr, &w, err)))
		return st;
	w.mean[param] = mean;
	return edit_commit(pr, &w);
}

/* Merge the groups of parameters a and b in a state. */
static void state_merge(const cewb_prior *pr, struct prior_state *st, size_t a, size_t b)
{
	size_t ga = st->group[a], gb = st->group[b], g = ga < gb ? ga : gb, p;
	for (p = 0; p < pr->n_params; p++)
		if (st->group[p] == ga || st->group[p] == gb)
			st->group[p] = g;
}

/* Check that two orbits can be merged or coupled parameter by parameter. */
static cewb_status check_pair(const cewb_prior *pr, size_t a, size_t b, cewb_error *err)
{
	cewb_status st;
	if ((st = check_orbit(pr, a, err)) || (st = check_orbit(pr, b, err)))
		return st;
	if (a == b)
		CEWB_RAISE(err, CEWB_EINVAL, "orbit %zu paired with itself", a);
	if (pr->orbit_np[a] != pr->orbit_np[b])
		CEWB_RAISE(err, CEWB_EINVAL,
			   "orbits %zu and %zu have %zu and %zu parameters", a, b,
			   pr->orbit_np[a], pr->orbit_np[b]);
	return CEWB_OK;
}

cewb_status cewb_prior_merge(cewb_prior *pr, size_t a, size_t b, cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	size_t j;
	if ((st = check_pair(pr, a, b, err)) || (st = edit_begin(pr, &w, err)))
		return st;
	for (j = 0; j < pr->orbit_np[a]; j++)
		state_merge(pr, &w, pr->orbit_first[a] + j, pr->orbit_first[b] + j);
	return edit_commit(pr, &w);
}

cewb_status cewb_prior_set_list(cewb_prior *pr, const size_t *idx, size_t n, int params,
				double sigma, cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	size_t k, j;
	if ((st = check_sigma(sigma, err)))
		return st;
	if (n == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "no %s given", params ? "parameter" : "orbit");
	for (k = 0; k < n; k++)
		if ((st = params ? check_param(pr, idx[k], err) : check_orbit(pr, idx[k], err)))
			return st;
	if ((st = edit_begin(pr, &w, err)))
		return st;
	for (k = 0; k < n; k++) {
		if (params) {
			w.sigma[idx[k]] = sigma;
			continue;
		}
		for (j = 0; j < pr->orbit_np[idx[k]]; j++)
			w.sigma[pr->orbit_first[idx[k]] + j] = sigma;
	}
	return edit_commit(pr, &w);
}

cewb_status cewb_prior_merge_list(cewb_prior *pr, const size_t *idx, size_t n, cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	size_t k, j;
	if (n < 2)
		CEWB_RAISE(err, CEWB_EINVAL, "a merge needs two orbits or more (%zu given)", n);
	for (k = 1; k < n; k++)
		if ((st = check_pair(pr, idx[0], idx[k], err)))
			return st;
	if ((st = edit_begin(pr, &w, err)))
		return st;
	for (k = 1; k < n; k++)
		for (j = 0; j < pr->orbit_np[idx[0]]; j++)
			state_merge(pr, &w, pr->orbit_first[idx[0]] + j,
				    pr->orbit_first[idx[k]] + j);
	return edit_commit(pr, &w);
}

cewb_status cewb_prior_split(cewb_prior *pr, size_t orbit, cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	size_t j, p;
	if ((st = check_orbit(pr, orbit, err)) || (st = edit_begin(pr, &w, err)))
		return st;
	for (j = 0; j < pr->orbit_np[orbit]; j++) {
		size_t a = pr->orbit_first[orbit] + j, g = w.group[a], rep = SIZE_MAX;
		w.group[a] = a;
		for (p = 0; p < pr->n_params; p++) {
			if (p == a || w.group[p] != g)
				continue;
			if (rep == SIZE_MAX)
				rep = p;
			w.group[p] = rep;
		}
	}
	return edit_commit(pr, &w);
}

/* Couple (or merge, sigma 0) parameters a, b of a state; 0 when out of memory. */
static int state_pair(const cewb_prior *pr, struct prior_state *st, size_t a, size_t b,
		      double sigma)
{
	if (sigma == 0) {
		state_merge(pr, st, a, b);
		return coup_set(st, a, b, INFINITY);
	}
	return coup_set(st, a, b, sigma);
}

cewb_status cewb_prior_set_pair(cewb_prior *pr, size_t a, size_t b, double sigma,
				cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	size_t j;
	if ((st = check_pair(pr, a, b, err)) || (st = check_sigma(sigma, err)) ||
	    (st = edit_begin(pr, &w, err)))
		return st;
	for (j = 0; j < pr->orbit_np[a]; j++)
		if (!state_pair(pr, &w, pr->orbit_first[a] + j, pr->orbit_first[b] + j, sigma))
			return edit_abort(&w, cewb_error_set(err, CEWB_ENOMEM,
							      "out of memory for a coupling"));
	return edit_commit(pr, &w);
}

cewb_status cewb_prior_set_pair_param(cewb_prior *pr, size_t a, size_t b, double sigma,
				      cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	if ((st = check_param(pr, a, err)) || (st = check_param(pr, b, err)) ||
	    (st = check_sigma(sigma, err)))
		return st;
	if (a == b)
		CEWB_RAISE(err, CEWB_EINVAL, "parameter %zu paired with itself", a);
	if ((st = edit_begin(pr, &w, err)))
		return st;
	if (!state_pair(pr, &w, a, b, sigma))
		return edit_abort(&w, cewb_error_set(err, CEWB_ENOMEM,
						      "out of memory for a coupling"));
	return edit_commit(pr, &w);
}

cewb_prior_selector cewb_prior_selector_all(void)
{
	cewb_prior_selector s;
	s.order = -1;
	s.radius_above = -INFINITY;
	s.radius_below = INFINITY;
	s.first = 0;
	s.last = SIZE_MAX;
	s.skip_zerolet = 0;
	return s;
}

size_t cewb_prior_select(const cewb_prior *pr, const cewb_prior_selector *sel, size_t *orbits)
{
	size_t o, n = 0;
	for (o = 0; o < pr->n_orbits; o++) {
		double r = pr->orbit_radius[o];
		if (sel->order >= 0 && pr->orbit_order[o] != (size_t)sel->order)
			continue;
		if (sel->skip_zerolet && pr->orbit_order[o] == 0)
			continue;
		if (!(r > sel->radius_above) || !(r < sel->radius_below))
			continue;
		if (o < sel->first || o > sel->last)
			continue;
		orbits[n++] = o;
	}
	return n;
}

/* Selected orbits into a new array (*n set); NULL with err filled when
 * out of memory or when fewer than min are selected. */
static size_t *select_alloc(const cewb_prior *pr, const cewb_prior_selector *sel, size_t min,
			    size_t *n, cewb_error *err)
{
	size_t *o = malloc(pr->n_orbits * sizeof *o);
	if (!o) {
		cewb_error_set(err, CEWB_ENOMEM, "out of memory for a selection");
		return NULL;
	}
	*n = cewb_prior_select(pr, sel, o);
	if (*n < min) {
		cewb_error_set(err, CEWB_EINVAL, "the selection holds %zu orbit%s, %zu needed",
			       *n, *n == 1 ? "" : "s", min);
		free(o);
		return NULL;
	}
	return o;
}

cewb_status cewb_prior_set_selected(cewb_prior *pr, const cewb_prior_selector *sel,
				    double sigma, cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	size_t n, k, j, *o;
	if ((st = check_sigma(sigma, err)))
		return st;
	if (!(o = select_alloc(pr, sel, 1, &n, err)))
		return err ? err->code : CEWB_EINVAL;
	if ((st = edit_begin(pr, &w, err))) {
		free(o);
		return st;
	}
	for (k = 0; k < n; k++)
		for (j = 0; j < pr->orbit_np[o[k]]; j++)
			w.sigma[pr->orbit_first[o[k]] + j] = sigma;
	free(o);
	return edit_commit(pr, &w);
}

cewb_status cewb_prior_merge_selected(cewb_prior *pr, const cewb_prior_selector *sel,
				      cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	size_t n, k, j, *o;
	if (!(o = select_alloc(pr, sel, 2, &n, err)))
		return err ? err->code : CEWB_EINVAL;
	for (k = 1; k < n; k++)
		if ((st = check_pair(pr, o[0], o[k], err))) {
			free(o);
			return st;
		}
	if ((st = edit_begin(pr, &w, err))) {
		free(o);
		return st;
	}
	for (k = 1; k < n; k++)
		for (j = 0; j < pr->orbit_np[o[0]]; j++)
			state_merge(pr, &w, pr->orbit_first[o[0]] + j, pr->orbit_first[o[k]] + j);
	free(o);
	return edit_commit(pr, &w);
}

const char *cewb_similarity_name(cewb_similarity m)
{
	switch (m) {
	case CEWB_SIMILAR_RADIUS: return "radius";
	case CEWB_SIMILAR_ORDER: return "order";
	case CEWB_SIMILAR_NEIGHBOR: return "neighbor";
	}
	return "?";
}

cewb_status cewb_similarity_parse(const char *name, cewb_similarity *m, cewb_error *err)
{
	int k;
	for (k = CEWB_SIMILAR_RADIUS; k <= CEWB_SIMILAR_NEIGHBOR; k++)
		if (name && strcmp(name, cewb_similarity_name((cewb_similarity)k)) == 0) {
			*m = (cewb_similarity)k;
			return CEWB_OK;
		}
	CEWB_RAISE(err, CEWB_EINVAL, "unknown similarity '%s' (radius, order, neighbor)",
		   name ? name : "");
}

cewb_status cewb_prior_couple_similar(cewb_prior *pr, const cewb_prior_selector *sel,
				      cewb_similarity m, double scale, double length,
				      double cut, cewb_error *err)
{
	struct prior_state w;
	cewb_status st;
	size_t n, i, k, j, *o;
	if (!(scale > 0) || isinf(scale))
		CEWB_RAISE(err, CEWB_EINVAL, "scale must be positive and finite, not %g", scale);
	if (!(length > 0))
		CEWB_RAISE(err, CEWB_EINVAL, "length must be positive, not %g", length);
	if (!(cut >= 0))
		CEWB_RAISE(err, CEWB_EINVAL, "cut must be >= 0, not %g", cut);
	if (!(o = select_alloc(pr, sel, 2, &n, err)))
		return err ? err->code : CEWB_EINVAL;
	if ((st = edit_begin(pr, &w, err))) {
		free(o);
		return st;
	}
	for (i = 0; i < n; i++) {
		size_t a = o[i];
		if (pr->orbit_order[a] == 0)
			continue;
		for (k = i + 1; k < n; k++) {
			size_t b = o[k];
			double d = fabs(pr->orbit_radius[a] - pr->orbit_radius[b]), s = scale;
			if (pr->orbit_order[b] != pr->orbit_order[a] ||
			    pr->orbit_np[a] != pr->orbit_np[b])
				continue;
			if (m == CEWB_SIMILAR_RADIUS) {
				if (d > cut)
					continue;
				s = scale * exp(d / (2 * length));
			}
			for (j = 0; j < pr->orbit_np[a]; j++)
				if (!coup_set(&w, pr->orbit_first[a] + j, pr->orbit_first[b] + j,
					      s)) {
					free(o);
					return edit_abort(&w, cewb_error_set(err, CEWB_ENOMEM,
						"out of memory for couplings"));
				}
			if (m == CEWB_SIMILAR_NEIGHBOR)
				break; /* only the next orbit of the same order */
		}
	}
	free(o);
	return edit_commit(pr, &w);
}

cewb_status cewb_prior_couple_groups(cewb_prior *pr, const long *group, const double *w,
				     double sigma, const double *target, size_t n_targets,
				     cewb_error *err)
{
	struct prior_state ws;
	cewb_status st;
	size_t a, b, o, j;
	if (!(sigma > 0) || isinf(sigma))
		CEWB_RAISE(err, CEWB_EINVAL, "sigma must be positive and finite, not %g", sigma);
	for (a = 0; w && a < pr->n_params; a++)
		if (!(w[a] > 0) || isinf(w[a]))
			CEWB_RAISE(err, CEWB_EINVAL, "weight of parameter %zu must be positive, "
				   "not %g", a, w[a]);
	for (o = 0; o < pr->n_orbits; o++)
		if (target && group[o] >= 0 && (size_t)group[o] + pr->orbit_np[o] > n_targets)
			CEWB_RAISE(err, CEWB_EINVAL, "orbit %zu: class %ld has no target value "
				   "(%zu given)", o, group[o], n_targets);
	if ((st = edit_begin(pr, &ws, err)))
		return st;
	if (w)
		memcpy(ws.weight, w, pr->n_params * sizeof *w);
	for (a = 0; a < pr->n_orbits; a++) {
		if (group[a] < 0)
			continue;
		if (target) {
			for (j = 0; j < pr->orbit_np[a]; j++) {
				size_t p = pr->orbit_first[a] + j;
				ws.mean[p] = target[(size_t)group[a] + j] / ws.weight[p];
				ws.sigma[p] = sigma / ws.weight[p];
			}
			continue;
		}
		for (b = a + 1; b < pr->n_orbits; b++) {
			if (group[b] != group[a] || pr->orbit_np[a] != pr->orbit_np[b])
				continue;
			for (j = 0; j < pr->orbit_np[a]; j++)
				if (!coup_set(&ws, pr->orbit_first[a] + j, pr->orbit_first[b] + j,
					      sigma))
					return edit_abort(&ws, cewb_error_set(err, CEWB_ENOMEM,
						"out of memory for couplings"));
		}
	}
	return edit_commit(pr, &ws);
}

/* Files: JSON through jansson. */

/* A width as JSON: null for INFINITY. */
static json_t *json_width(double s)
{
	return isinf(s) ? json_null() : json_real(s);
}

cewb_status cewb_prior_to_json(const cewb_prior *pr, char **text, cewb_error *err)
{
	const struct prior_state *st = &pr->cur;
	json_t *root = json_object(), *def = json_object(), *sig = json_array(),
	       *mean = json_array(), *wt = json_array(), *grp = json_array(),
	       *coup = json_array(), *ord = json_array(), *rad = json_array(),
	       *po = json_array();
	size_t a, k;
	int bad = !root || !def || !sig || !mean || !wt || !grp || !coup || !ord || !rad || !po;
	for (a = 0; !bad && a < pr->n_params; a++) {
		bad |= json_array_append_new(sig, json_width(st->sigma[a]));
		bad |= json_array_append_new(mean, json_real(st->mean[a]));
		bad |= json_array_append_new(wt, json_real(st->weight[a]));
		bad |= json_array_append_new(grp, json_integer((json_int_t)st->group[a]));
		bad |= json_array_append_new(po, json_integer((json_int_t)pr->param_orbit[a]));
	}
	for (a = 0; !bad && a < pr->n_orbits; a++) {
		bad |= json_array_append_new(ord, json_integer((json_int_t)pr->orbit_order[a]));
		bad |= json_array_append_new(rad, json_real(pr->orbit_radius[a]));
	}
	for (k = 0; !bad && k < st->n_coup; k++)
		bad |= json_array_append_new(coup, json_pack("[I,I,f]", (json_int_t)st->coup[k].a,
							     (json_int_t)st->coup[k].b,
							     st->coup[k].sigma));
	if (!bad) {
		bad |= json_object_set_new(def, "kind",
					   json_string(cewb_prior_kind_name(st->def.kind)));
		bad |= json_object_set_new(def, "noise", json_real(st->def.noise));
		bad |= json_object_set_new(def, "lambda", json_real(st->def.lambda));
		bad |= json_object_set_new(def, "sigma0", json_real(st->def.sigma0));
		bad |= json_object_set_new(def, "r0", json_real(st->def.r0));
		bad |= json_object_set_new(def, "q", json_real(st->def.q));
		bad |= json_object_set_new(root, "format", json_string("cewb-prior"));
		bad |= json_object_set_new(root, "version", json_integer(1));
		bad |= json_object_set_new(root, "n_params",
					   json_integer((json_int_t)pr->n_params));
		bad |= json_object_set_new(root, "n_orbits",
					   json_integer((json_int_t)pr->n_orbits));
		bad |= json_object_set_new(root, "orbit_order", ord);
		bad |= json_object_set_new(root, "orbit_radius", rad);
		bad |= json_object_set_new(root, "param_orbit", po);
		bad |= json_object_set_new(root, "default", def);
		bad |= json_object_set_new(root, "noise", json_real(st->noise));
		bad |= json_object_set_new(root, "sigma", sig);
		bad |= json_object_set_new(root, "mean", mean);
		bad |= json_object_set_new(root, "weight", wt);
		bad |= json_object_set_new(root, "merged_with", grp);
		bad |= json_object_set_new(root, "couplings", coup);
		ord = rad = po = def = sig = mean = wt = grp = coup = NULL;
	}
	*text = bad ? NULL : json_dumps(root, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
	json_decref(root);
	json_decref(def);
	json_decref(sig);
	json_decref(mean);
	json_decref(wt);
	json_decref(grp);
	json_decref(coup);
	json_decref(ord);
	json_decref(rad);
	json_decref(po);
	if (!*text)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory writing a prior as json");
	return CEWB_OK;
}

cewb_status cewb_prior_save(const cewb_prior *pr, const char *path, cewb_error *err)
{
	char *text = NULL, *tmp;
	cewb_status st;
	size_t len;
	FILE *fp;
	int fd, ok;
	if ((st = cewb_prior_to_json(pr, &text, err)))
		return st;
	tmp = malloc(strlen(path) + 16);
	if (!tmp) {
		free(text);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory saving '%s'", path);
	}
	sprintf(tmp, "%s.tmp.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		int e = errno;
		free(tmp);
		free(text);
		CEWB_RAISE(err, CEWB_EIO, "cannot write '%s': %s", path, strerror(e));
	}
	fp = fdopen(fd, "w");
	len = strlen(text);
	ok = fp && fwrite(text, 1, len, fp) == len && fputc('\n', fp) != EOF &&
	     fflush(fp) == 0 && fsync(fd) == 0;
	if (fp)
		ok &= fclose(fp) == 0;
	else
		close(fd);
	free(text);
	if (!ok || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		free(tmp);
		CEWB_RAISE(err, CEWB_EIO, "cannot write '%s': %s", path, strerror(e));
	}
	free(tmp);
	return CEWB_OK;
}

/* A real from a JSON number; 0 when it is not one. */
static int json_num(const json_t *v, double *x)
{
	if (!json_is_number(v))
		return 0;
	*x = json_number_value(v);
	return 1;
}

/* An array of n elements under key, or NULL. */
static json_t *json_array_n(json_t *root, const char *key, size_t n)
{
	json_t *v = json_object_get(root, key);
	return json_is_array(v) && json_array_size(v) == n ? v : NULL;
}

cewb_status cewb_prior_from_json(cewb_prior *pr, const char *text, const char *name,
				 cewb_error *err)
{
	json_error_t jerr;
	json_t *root, *v, *def, *sig, *mean, *wt, *grp, *coup, *ord, *rad;
	struct prior_state w;
	cewb_status st;
	size_t a, k, n = pr->n_params;
	const char *kind;
	double x;
	root = json_loads(text, 0, &jerr);
	if (!root) {
		/* The parser quotes the text near the error: keep it on one line. */
		for (k = 0; jerr.text[k]; k++)
			if ((unsigned char)jerr.text[k] < 0x20 || jerr.text[k] == 0x7f)
				jerr.text[k] = '?';
		CEWB_RAISE(err, CEWB_EPARSE, "%s: line %d: %s", name, jerr.line, jerr.text);
	}
	v = json_object_get(root, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), "cewb-prior") != 0) {
		json_decref(root);
		CEWB_RAISE(err, CEWB_EPARSE, "%s: not a cewb prior (no \"format\": "
			   "\"cewb-prior\")", name);
	}
	v = json_object_get(root, "n_params");
	if (!json_is_integer(v) || (size_t)json_integer_value(v) != n ||
	    !json_is_integer(json_object_get(root, "n_orbits")) ||
	    (size_t)json_integer_value(json_object_get(root, "n_orbits")) != pr->n_orbits) {
		json_decref(root);
		CEWB_RAISE(err, CEWB_EINVAL, "%s: the prior is for another cluster space "
			   "(%zu parameters and %zu orbits expected)", name, n, pr->n_orbits);
	}
	ord = json_array_n(root, "orbit_order", pr->n_orbits);
	rad = json_array_n(root, "orbit_radius", pr->n_orbits);
	for (k = 0; ord && rad && k < pr->n_orbits; k++)
		if (!json_is_integer(json_array_get(ord, k)) ||
		    (size_t)json_integer_value(json_array_get(ord, k)) != pr->orbit_order[k] ||
		    !json_num(json_array_get(rad, k), &x) ||
		    fabs(x - pr->orbit_radius[k]) > 1e-4) {
			json_decref(root);
			CEWB_RAISE(err, CEWB_EINVAL, "%s: orbit %zu differs from the current "
				   "cluster space", name, k);
		}
	def = json_object_get(root, "default");
	sig = json_array_n(root, "sigma", n);
	mean = json_array_n(root, "mean", n);
	wt = json_array_n(root, "weight", n);
	grp = json_array_n(root, "merged_with", n);
	coup = json_object_get(root, "couplings");
	if (!ord || !rad || !json_is_object(def) || !sig || !mean || !wt || !grp ||
	    !json_is_array(coup)) {
		json_decref(root);
		CEWB_RAISE(err, CEWB_EPARSE, "%s: missing or malformed member (orbit_order, "
			   "orbit_radius, default, sigma, mean, weight, merged_with or couplings "
			   "of %zu entries)", name, n);
	}
	if ((st = edit_begin(pr, &w, err))) {
		json_decref(root);
		return st;
	}
	st = CEWB_OK;
	kind = json_string_value(json_object_get(def, "kind"));
	if (!kind || cewb_prior_kind_parse(kind, &w.def.kind, NULL) ||
	    !json_num(json_object_get(def, "noise"), &w.def.noise) ||
	    !json_num(json_object_get(def, "lambda"), &w.def.lambda) ||
	    !json_num(json_object_get(def, "sigma0"), &w.def.sigma0) ||
	    !json_num(json_object_get(def, "r0"), &w.def.r0) ||
	    !json_num(json_object_get(def, "q"), &w.def.q) ||
	    !json_num(json_object_get(root, "noise"), &w.noise) || !(w.noise > 0)) {
		st = cewb_error_set(err, CEWB_EPARSE, "%s: bad \"default\" or \"noise\"", name);
		goto out;
	}
	for (a = 0; a < n && !st; a++) {
		json_t *s = json_array_get(sig, a), *g = json_array_get(grp, a);
		if (json_is_null(s))
			w.sigma[a] = INFINITY;
		else if (!json_num(s, &w.sigma[a]) || !(w.sigma[a] >= 0))
			st = cewb_error_set(err, CEWB_EPARSE, "%s: sigma of parameter %zu is not "
					    "a width >= 0 or null", name, a);
		if (!st && (!json_num(json_array_get(mean, a), &w.mean[a]) ||
			    !isfinite(w.mean[a])))
			st = cewb_error_set(err, CEWB_EPARSE, "%s: bad mean of parameter %zu",
					    name, a);
		if (!st && (!json_num(json_array_get(wt, a), &w.weight[a]) || !(w.weight[a] > 0)))
			st = cewb_error_set(err, CEWB_EPARSE, "%s: bad weight of parameter %zu",
					    name, a);
		if (!st && (!json_is_integer(g) || json_integer_value(g) < 0 ||
			    (size_t)json_integer_value(g) > a ||
			    ((size_t)json_integer_value(g) < a &&	/* read already */
			     w.group[json_integer_value(g)] != (size_t)json_integer_value(g))))
			st = cewb_error_set(err, CEWB_EPARSE, "%s: bad merged_with of parameter "
					    "%zu (the lowest parameter of its merge)", name, a);
		if (!st)
			w.group[a] = (size_t)json_integer_value(g);
	}
	w.n_coup = 0;
	for (k = 0; k < json_array_size(coup) && !st; k++) {
		json_t *c = json_array_get(coup, k);
		json_t *ja = json_array_get(c, 0), *jb = json_array_get(c, 1);
		double s;
		if (!json_is_array(c) || json_array_size(c) != 3 || !json_is_integer(ja) ||
		    !json_is_integer(jb) || json_integer_value(ja) < 0 ||
		    json_integer_value(jb) < 0 || (size_t)json_integer_value(ja) >= n ||
		    (size_t)json_integer_value(jb) >= n ||
		    json_integer_value(ja) == json_integer_value(jb) ||
		    !json_num(json_array_get(c, 2), &s) || !(s > 0)) {
			st = cewb_error_set(err, CEWB_EPARSE, "%s: coupling %zu is not [a, b, "
					    "sigma] with a != b and sigma > 0", name, k);
			break;
		}
		if (!coup_set(&w, (size_t)json_integer_value(ja), (size_t)json_integer_value(jb),
			      s))
			st = cewb_error_set(err, CEWB_ENOMEM, "out of memory reading %s", name);
	}
out:
	json_decref(root);
	if (st)
		return edit_abort(&w, st);
	return edit_commit(pr, &w);
}

cewb_status cewb_prior_load(cewb_prior *pr, const char *path, cewb_error *err)
{
	FILE *fp = fopen(path, "rb");
	char *text;
	long len;
	cewb_status st;
	struct stat sb;
	if (!fp)
		CEWB_RAISE(err, CEWB_EIO, "cannot open '%s': %s", path, strerror(errno));
	/* A directory opens, and its size is nonsense. */
	if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(fp);
		CEWB_RAISE(err, CEWB_EIO, "cannot read '%s': is a directory", path);
	}
	if (fseek(fp, 0, SEEK_END) != 0 || (len = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		CEWB_RAISE(err, CEWB_EIO, "cannot read '%s'", path);
	}
	text = malloc((size_t)len + 1);
	if (!text) {
		fclose(fp);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory reading '%s'", path);
	}
	if (fread(text, 1, (size_t)len, fp) != (size_t)len) {
		free(text);
		fclose(fp);
		CEWB_RAISE(err, CEWB_EIO, "cannot read '%s'", path);
	}
	fclose(fp);
	text[len] = '\0';
	st = cewb_prior_from_json(pr, text, path, err);
	free(text);
	return st;
}

/* Diff. */

/* A growing text buffer. */
struct textbuf {
	char *s;
	size_t len, cap;
	int bad;
	size_t lines;
};

/* Append a formatted line to a text buffer. */
static void tb_line(struct textbuf *tb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_line(struct textbuf *tb, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (tb->bad)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (tb->len + (size_t)n + 2 > tb->cap) {
		size_t cap = 2 * (tb->len + (size_t)n + 2) + 64;
		char *ns = realloc(tb->s, cap);
		if (!ns) {
			tb->bad = 1;
			return;
		}
		tb->s = ns;
		tb->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(tb->s + tb->len, tb->cap - tb->len, fmt, ap);
	va_end(ap);
	tb->len += (size_t)n;
	tb->s[tb->len++] = '\n';
	tb->s[tb->len] = '\0';
	tb->lines++;
}

/* A width as text ("inf", "0 (removed)", "%g"). */
static const char *width_text(double s, char *buf, size_t n)
{
	if (isinf(s))
		snprintf(buf, n, "inf");
	else if (s == 0)
		snprintf(buf, n, "0 (removed)");
	else
		snprintf(buf, n, "%.6g", s);
	return buf;
}

/* Name of a parameter for messages: "orbit 3" when it is its orbit's only one. */
static const char *param_text(const cewb_prior *pr, size_t p, char *buf, size_t n)
{
	size_t o = pr->param_orbit[p];
	if (pr->orbit_np[o] == 1)
		snprintf(buf, n, "orbit %zu", o);
	else
		snprintf(buf, n, "parameter %zu (orbit %zu)", p, o);
	return buf;
}

cewb_status cewb_prior_diff(const cewb_prior *pa, const cewb_prior *pb, char **text,
			    size_t *n_diff, cewb_error *err)
{
	const struct prior_state *a = &pa->cur, *b = &pb->cur;
	struct textbuf tb = { NULL, 0, 0, 0, 0 };
	char w1[80], w2[80], nm[80], nm2[80];
	size_t p, i, j;
	if (pa->n_params != pb->n_params || pa->n_orbits != pb->n_orbits)
		CEWB_RAISE(err, CEWB_EINVAL, "the priors are for different cluster spaces "
			   "(%zu and %zu parameters)", pa->n_params, pb->n_params);
	if (a->noise != b->noise)
		tb_line(&tb, "noise: %.6g -> %.6g", a->noise, b->noise);
	for (p = 0; p < pa->n_params; p++) {
		param_text(pa, p, nm, sizeof nm);
		if (a->sigma[p] != b->sigma[p])
			tb_line(&tb, "%s sigma: %s -> %s", nm,
				width_text(a->sigma[p], w1, sizeof w1),
				width_text(b->sigma[p], w2, sizeof w2));
		if (a->mean[p] != b->mean[p])
			tb_line(&tb, "%s mean: %.6g -> %.6g", nm, a->mean[p], b->mean[p]);
		if (a->weight[p] != b->weight[p])
			tb_line(&tb, "%s weight: %.6g -> %.6g", nm, a->weight[p], b->weight[p]);
		if (a->group[p] != b->group[p]) {
			if (a->group[p] == p)
				snprintf(w1, sizeof w1, "none");
			else
				param_text(pa, a->group[p], w1, sizeof w1);
			if (b->group[p] == p)
				snprintf(w2, sizeof w2, "none");
			else
				param_text(pa, b->group[p], w2, sizeof w2);
			tb_line(&tb, "%s merged with: %s -> %s", nm, w1, w2);
		}
	}
	/* couplings: walk both sorted lists */
	for (i = 0, j = 0; i < a->n_coup || j < b->n_coup;) {
		const struct coupling *ca = i < a->n_coup ? &a->coup[i] : NULL;
		const struct coupling *cb = j < b->n_coup ? &b->coup[j] : NULL;
		int c;
		if (!ca)
			c = 1;
		else if (!cb)
			c = -1;
		else if (ca->a != cb->a)
			c = ca->a < cb->a ? -1 : 1;
		else
			c = ca->b == cb->b ? 0 : ca->b < cb->b ? -1 : 1;
		if (c == 0 && ca->sigma == cb->sigma) {
			i++;
			j++;
			continue;
		}
		{
			const struct coupling *cc = c <= 0 ? ca : cb;
			param_text(pa, cc->a, nm, sizeof nm);
			param_text(pa, cc->b, nm2, sizeof nm2);
			tb_line(&tb, "pair %s, %s sigma: %s -> %s", nm, nm2,
				c <= 0 ? width_text(ca->sigma, w1, sizeof w1) : "none",
				c >= 0 ? width_text(cb->sigma, w2, sizeof w2) : "none");
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	if (tb.bad) {
		free(tb.s);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a diff");
	}
	if (!tb.s && !(tb.s = calloc(1, 1)))
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a diff");
	*text = tb.s;
	if (n_diff)
		*n_diff = tb.lines;
	return CEWB_OK;
}

/* Fitting. */

/* The reduced problem: X M, y - X mu, Lambda' (all malloc'd). */
struct reduced {
	size_t n_free;
	size_t *col;
	double *X, *y, *L;
	int has_mean;
};

/* Free a reduced problem. */
static void reduced_release(struct reduced *r)
{
	free(r->col);
	free(r->X);
	free(r->y);
	free(r->L);
	memset(r, 0, sizeof *r);
}

/* Build the reduced problem of X (n_rows x n_params) and y (may be NULL). */
static cewb_status reduced_build(const cewb_prior *pr, const double *X, const double *y,
				 size_t n_rows, struct reduced *r, cewb_error *err)
{
	size_t n = pr->n_params, i, a, nf;
	memset(r, 0, sizeof *r);
	r->col = malloc(n * sizeof *r->col);
	if (!r->col)
		goto nomem;
	nf = free_columns(pr, &pr->cur, r->col);
	if (nf == 0) {
		reduced_release(r);
		CEWB_RAISE(err, CEWB_EINVAL, "every parameter is removed by the prior");
	}
	r->n_free = nf;
	r->X = calloc(n_rows * nf, sizeof *r->X);
	r->L = malloc(nf * nf * sizeof *r->L);
	if (!r->X || !r->L || !reduce(pr, r->col, &nf, NULL, r->L))
		goto nomem;
	for (i = 0; i < n_rows; i++)
		for (a = 0; a < n; a++)
			if (r->col[a] != SIZE_MAX)
				r->X[i * nf + r->col[a]] += X[i * n + a];
	for (a = 0; a < n; a++)
		if (pr->cur.mean[a] != 0)
			r->has_mean = 1;
	if (y) {
		r->y = malloc(n_rows * sizeof *r->y);
		if (!r->y)
			goto nomem;
		for (i = 0; i < n_rows; i++) {
			double s = y[i];
			for (a = 0; r->has_mean && a < n; a++)
				s -= X[i * n + a] * pr->cur.mean[a];
			r->y[i] = s;
		}
	}
	return CEWB_OK;
nomem:
	reduced_release(r);
	CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for the reduced prior problem");
}

cewb_status cewb_prior_effective(const cewb_prior *pr, const double *X, size_t n_rows,
				 double *dof, cewb_error *err)
{
	struct reduced r;
	cewb_status st;
	size_t nf, i, j, k;
	double *G, *A, *Z, tr = 0;
	if ((st = reduced_build(pr, X, NULL, n_rows, &r, err)))
		return st;
	nf = r.n_free;
	G = calloc(nf * nf, sizeof *G);
	A = malloc(nf * nf * sizeof *A);
	Z = malloc(nf * nf * sizeof *Z);
	if (!G || !A || !Z) {
		free(G);
		free(A);
		free(Z);
		reduced_release(&r);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for the effective parameters");
	}
	for (k = 0; k < n_rows; k++) {
		const double *x = r.X + k * nf;
		for (i = 0; i < nf; i++) {
			double xi = x[i];
			if (xi == 0)
				continue;
			for (j = i; j < nf; j++)
				G[i * nf + j] += xi * x[j];
		}
	}
	for (i = 0; i < nf; i++)
		for (j = i; j < nf; j++)
			G[j * nf + i] = G[i * nf + j];
	for (i = 0; i < nf * nf; i++)
		A[i] = G[i] + r.L[i];
	memcpy(Z, G, nf * nf * sizeof *Z);
	/* trace(A^-1 G) by Cholesky when A is positive definite */
	if (LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', (lapack_int)nf, (lapack_int)nf, A,
			  (lapack_int)nf, Z, (lapack_int)nf) == 0) {
		for (i = 0; i < nf; i++)
			tr += Z[i * nf + i];
	} else {
		/* singular: pseudo-inverse through the eigenvectors of A */
		double *ev = malloc(nf * sizeof *ev), dmax = 0;
		for (i = 0; i < nf * nf; i++)
			A[i] = G[i] + r.L[i];
		if (!ev || LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)nf, A,
					 (lapack_int)nf, ev) != 0) {
			free(ev);
			free(G);
			free(A);
			free(Z);
			reduced_release(&r);
			CEWB_RAISE(err, CEWB_ENUMERIC, "eigenvalues of X'X + Lambda failed");
		}
		for (i = 0; i < nf; i++)
			if (fabs(ev[i]) > dmax)
				dmax = fabs(ev[i]);
		for (k = 0; k < nf; k++) {
			double q = 0;
			if (ev[k] <= dmax * 1e-12 * (double)nf)
				continue;
			/* v_k' G v_k / d_k, v_k the k-th column of A */
			for (i = 0; i < nf; i++) {
				double gi = 0;
				for (j = 0; j < nf; j++)
					gi += G[i * nf + j] * A[j * nf + k];
				q += A[i * nf + k] * gi;
			}
			tr += q / ev[k];
		}
		free(ev);
	}
	*dof = tr;
	free(G);
	free(A);
	free(Z);
	reduced_release(&r);
	return CEWB_OK;
}

cewb_status cewb_prior_fit(const cewb_prior *pr, const cewb_fit_problem *prob,
			   const cewb_fit_options *opt, cewb_fit_result *res, cewb_error *err)
{
	struct reduced r;
	cewb_fit_problem p2;
	cewb_fit_options o2 = *opt;
	cewb_fit_result r2, tmp;
	cewb_status st;
	size_t n = pr->n_params, nf, a, b;
	double *eci, *cov = NULL;
	if (prob->n_cols != n)
		CEWB_RAISE(err, CEWB_EINVAL, "X has %zu columns but the prior %zu parameters",
			   prob->n_cols, n);
	if ((st = reduced_build(pr, prob->X, prob->y, prob->n_rows, &r, err)))
		return st;
	nf = r.n_free;
	memset(&p2, 0, sizeof p2);
	p2.n_rows = prob->n_rows;
	p2.n_cols = nf;
	p2.X = r.X;
	p2.y = r.y;
	p2.weights = prob->weights;
	p2.lambda = r.L;
	o2.method = CEWB_FIT_PRIOR;
	memset(&r2, 0, sizeof r2);
	if ((st = cewb_fit_prior(&p2, &o2, &r2, err))) {
		reduced_release(&r);
		cewb_fit_result_release(&r2);
		return st;
	}
	eci = malloc(n * sizeof *eci);
	if (r2.covariance)
		cov = calloc(n * n, sizeof *cov);
	if (!eci || (r2.covariance && !cov)) {
		free(eci);
		free(cov);
		reduced_release(&r);
		cewb_fit_result_release(&r2);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for the ECIs");
	}
	for (a = 0; a < n; a++)
		eci[a] = pr->cur.mean[a] + (r.col[a] == SIZE_MAX ? 0 : r2.eci[r.col[a]]);
	for (a = 0; cov && a < n; a++)
		for (b = 0; b < n; b++)
			if (r.col[a] != SIZE_MAX && r.col[b] != SIZE_MAX)
				cov[a * n + b] = r2.covariance[r.col[a] * nf + r.col[b]];
	memset(&tmp, 0, sizeof tmp);
	tmp.eci = r2.eci;
	tmp.covariance = r2.covariance;
	*res = r2;
	res->eci = eci;
	res->covariance = cov;
	res->n_cols = n;
	res->n_nonzero = 0;
	for (a = 0; a < n; a++)
		if (eci[a] != 0)
			res->n_nonzero++;
	cewb_fit_result_release(&tmp);
	reduced_release(&r);
	return CEWB_OK;
}

cewb_status cewb_prior_xval(const cewb_prior *pr, const cewb_fit_problem *prob,
			    const cewb_fit_options *opt, const cewb_xval_options *xopt,
			    cewb_xval_result *res, cewb_error *err)
{
	struct reduced r;
	cewb_fit_problem p2;
	cewb_fit_options o2 = *opt;
	cewb_xval_result r2, tmp;
	cewb_status st;
	size_t n = pr->n_params, i, a;
	double *mean = NULL, *sd = NULL;
	if (prob->n_cols != n)
		CEWB_RAISE(err, CEWB_EINVAL, "X has %zu columns but the prior %zu parameters",
			   prob->n_cols, n);
	if ((st = reduced_build(pr, prob->X, prob->y, prob->n_rows, &r, err)))
		return st;
	memset(&p2, 0, sizeof p2);
	p2.n_rows = prob->n_rows;
	p2.n_cols = r.n_free;
	p2.X = r.X;
	p2.y = r.y;
	p2.weights = prob->weights;
	p2.lambda = r.L;
	o2.method = CEWB_FIT_PRIOR;
	memset(&r2, 0, sizeof r2);
	if ((st = cewb_xval(&p2, &o2, xopt, &r2, err))) {
		reduced_release(&r);
		cewb_xval_result_release(&r2);
		return st;
	}
	if (r2.eci_mean && !(mean = malloc(n * sizeof *mean)))
		goto nomem;
	if (r2.eci_std && !(sd = malloc(n * sizeof *sd)))
		goto nomem;
	for (a = 0; a < n; a++) {
		size_t c = r.col[a];
		if (mean)
			mean[a] = pr->cur.mean[a] + (c == SIZE_MAX ? 0 : r2.eci_mean[c]);
		if (sd)
			sd[a] = c == SIZE_MAX ? 0 : r2.eci_std[c];
	}
	for (i = 0; r.has_mean && r2.predicted && i < prob->n_rows; i++)
		for (a = 0; a < n; a++)
			r2.predicted[i] += prob->X[i * n + a] * pr->cur.mean[a];
	memset(&tmp, 0, sizeof tmp);
	tmp.eci_mean = r2.eci_mean;
	tmp.eci_std = r2.eci_std;
	*res = r2;
	res->eci_mean = mean;
	res->eci_std = sd;
	cewb_xval_result_release(&tmp);
	reduced_release(&r);
	return CEWB_OK;
nomem:
	free(mean);
	free(sd);
	reduced_release(&r);
	cewb_xval_result_release(&r2);
	CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for the validation result");
}
