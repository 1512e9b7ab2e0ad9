/* Tests of the prior precision matrix: limits, merges, history, files. */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cewb/prior.h"
#include "tap.h"

/* A data set: X (n x p, row-major), y, and the orbits of its columns. */
struct data {
	size_t n, p, n_orbits;
	double *X, *y;
	size_t *param_orbit, *order;
	double *radius;
	const char *name;
};

/* Deterministic pseudo-random numbers in [-1, 1) (a 64-bit LCG). */
static double rnd(unsigned long long *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (double)(*s >> 11) / 9007199254740992.0 * 2 - 1;
}

/* Synthetic data: 40 rows, 8 columns (zerolet of ones first), y = X t + noise. */
static void synthetic(struct data *d)
{
	static const size_t order[8] = { 0, 1, 2, 2, 2, 3, 3, 4 };
	static const double radius[8] = { 0, 0, 1.4, 2.0, 2.5, 1.6, 2.2, 2.0 };
	static const double t[8] = { -0.1, 0.05, 0.03, -0.02, 0.01, 0.004, -0.003, 0.001 };
	unsigned long long s = 12345;
	size_t i, j;
	d->name = "synthetic";
	d->n = 40;
	d->p = d->n_orbits = 8;
	d->X = malloc(d->n * d->p * sizeof *d->X);
	d->y = malloc(d->n * sizeof *d->y);
	d->param_orbit = NULL;
	d->order = malloc(8 * sizeof *d->order);
	d->radius = malloc(8 * sizeof *d->radius);
	memcpy(d->order, order, sizeof order);
	memcpy(d->radius, radius, sizeof radius);
	for (i = 0; i < d->n; i++) {
		double yi = 0.002 * rnd(&s);
		for (j = 0; j < d->p; j++) {
			double x = j == 0 ? 1.0 : rnd(&s);
			d->X[i * d->p + j] = x;
			yi += x * t[j];
		}
		d->y[i] = yi;
	}
}

/* The Ag-Pd sensing matrix when a copy is at hand ("n p", then "y x_1..x_p"
 * per row); orbits ordered by column: zerolet, 1 singlet, then pairs,
 * triplets, quadruplets in the counts DESIGN.md gives (25/20/35), radii
 * increasing within an order (only the order and rank matter here). */
static int agpd(struct data *d, const char *path)
{
	FILE *fp = fopen(path, "r");
	size_t i, j, counts[5] = { 1, 1, 25, 20, 35 }, o, k;
	if (!fp)
		return 0;
	if (fscanf(fp, "%zu %zu", &d->n, &d->p) != 2 || d->p < 6) {
		fclose(fp);
		return 0;
	}
	d->name = "Ag-Pd";
	d->X = malloc(d->n * d->p * sizeof *d->X);
	d->y = malloc(d->n * sizeof *d->y);
	d->n_orbits = d->p;
	d->param_orbit = NULL;
	d->order = malloc(d->p * sizeof *d->order);
	d->radius = malloc(d->p * sizeof *d->radius);
	for (i = 0; i < d->n; i++) {
		if (fscanf(fp, "%lf", &d->y[i]) != 1)
			break;
		for (j = 0; j < d->p; j++)
			if (fscanf(fp, "%lf", &d->X[i * d->p + j]) != 1)
				break;
	}
	fclose(fp);
	for (o = 0, k = 0; o < 5; o++)
		for (j = 0; j < counts[o] && k < d->p; j++, k++) {
			d->order[k] = o;
			d->radius[k] = o < 2 ? 0 : 1.0 + 0.1 * (double)j;
		}
	for (; k < d->p; k++) {
		d->order[k] = 4;
		d->radius[k] = 5;
	}
	return i == d->n;
}

static void data_free(struct data *d)
{
	free(d->X);
	free(d->y);
	free(d->order);
	free(d->radius);
}

/* Largest absolute difference of two vectors. */
static double maxdiff(const double *a, const double *b, size_t n)
{
	double m = 0;
	size_t i;
	for (i = 0; i < n; i++)
		if (fabs(a[i] - b[i]) > m)
			m = fabs(a[i] - b[i]);
	return m;
}

/* Largest absolute value of a vector. */
static double maxabs(const double *a, size_t n)
{
	double m = 0;
	size_t i;
	for (i = 0; i < n; i++)
		if (fabs(a[i]) > m)
			m = fabs(a[i]);
	return m;
}

/* OLS fit of columns cols[0..k) of X; eci of length k. */
static int ols_cols(const struct data *d, const size_t *cols, size_t k, double *eci)
{
	double *Xk = malloc(d->n * k * sizeof *Xk);
	cewb_fit_problem prob = { 0 };
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_OLS);
	cewb_fit_result res = { 0 };
	size_t i, j;
	int rc;
	for (i = 0; i < d->n; i++)
		for (j = 0; j < k; j++)
			Xk[i * k + j] = d->X[i * d->p + cols[j]];
	prob.n_rows = d->n;
	prob.n_cols = k;
	prob.X = Xk;
	prob.y = d->y;
	rc = cewb_fit_ols(&prob, &opt, &res, NULL) == CEWB_OK;
	if (rc)
		memcpy(eci, res.eci, k * sizeof *eci);
	cewb_fit_result_release(&res);
	free(Xk);
	return rc;
}

/* Fit with the prior; eci of length p. */
static int prior_fit(const cewb_prior *pr, const struct data *d, double *eci)
{
	cewb_fit_problem prob = { 0 };
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_PRIOR);
	cewb_fit_result res = { 0 };
	cewb_error err;
	int rc;
	prob.n_rows = d->n;
	prob.n_cols = d->p;
	prob.X = d->X;
	prob.y = d->y;
	rc = cewb_prior_fit(pr, &prob, &opt, &res, &err) == CEWB_OK;
	if (!rc)
		diag("prior fit: %s", err.message);
	else
		memcpy(eci, res.eci, d->p * sizeof *eci);
	cewb_fit_result_release(&res);
	return rc;
}

/* The acceptance limits on one data set. */
static void limits(const struct data *d)
{
	size_t p = d->p, a, k, *cols = calloc(p, sizeof *cols);
	double *e1 = malloc(p * sizeof *e1), *e2 = malloc(p * sizeof *e2);
	double *L0 = malloc(p * p * sizeof *L0), *L1 = malloc(p * p * sizeof *L1);
	double scale, dof;
	cewb_error err;
	cewb_prior *pr = cewb_prior_alloc(p, d->n_orbits, d->param_orbit, d->order, d->radius,
					  &err);
	cewb_prior_defaults rd = cewb_prior_defaults_of(CEWB_PRIOR_RIDGE);
	cewb_fit_problem prob = { 0 };
	cewb_fit_options ropt = cewb_fit_options_default(CEWB_FIT_RIDGE);
	cewb_fit_result rres = { 0 };
	size_t rm = p > 4 ? 3 : 1, ma = p > 4 ? 2 : 1, mb = p > 4 ? 4 : 2;

	ok(pr != NULL, "%s: prior of %zu parameters", d->name, p);
	if (!pr)
		return;
	for (a = 0; a < p; a++)
		cols[a] = a;
	ols_cols(d, cols, p, e1);
	scale = maxabs(e1, p);

	/* All lambda -> 0 (the "none" prior) is OLS.  Both solve the same
	 * well-conditioned least-squares problem, by Cholesky and by SVD; 1e-8
	 * relative to the largest ECI covers the conditioning of the data. */
	prior_fit(pr, d, e2);
	ok(maxdiff(e1, e2, p) <= 1e-8 * scale, "%s: no prior reproduces OLS (max diff %.3g)",
	   d->name, maxdiff(e1, e2, p));
	cewb_prior_effective(pr, d->X, d->n, &dof, NULL);
	is_double((double)p, dof, 1e-8 * (double)p, "effective parameters of OLS = rank");

	/* Equal lambda, no couplings: ridge with alpha = lambda. */
	rd.lambda = 0.05;
	cewb_prior_reset(pr, &rd, NULL);
	prior_fit(pr, d, e2);
	prob.n_rows = d->n;
	prob.n_cols = p;
	prob.X = d->X;
	prob.y = d->y;
	ropt.alpha = 0.05;
	cewb_fit_ridge(&prob, &ropt, &rres, NULL);
	ok(rres.eci && maxdiff(rres.eci, e2, p) <= 1e-9 * scale,
	   "%s: equal lambda reproduces ridge (max diff %.3g)", d->name,
	   rres.eci ? maxdiff(rres.eci, e2, p) : -1.0);
	cewb_fit_result_release(&rres);
	cewb_prior_effective(pr, d->X, d->n, &dof, NULL);
	ok(dof < (double)p && dof > 0, "ridge has fewer effective parameters (%.3f < %zu)", dof, p);
	{
		/* the fit computes the trace of its hat matrix another way (from
		 * B = A^-1 X'); both are sums of p terms of order 1: 1e-9 */
		cewb_fit_options po = cewb_fit_options_default(CEWB_FIT_PRIOR);
		cewb_fit_result pres = { 0 };
		double h = NAN;
		size_t q;
		if (cewb_prior_fit(pr, &prob, &po, &pres, NULL) == CEWB_OK)
			for (q = 0; q < pres.n_hyper; q++)
				if (strcmp(pres.hyper_name[q], "effective_parameters") == 0)
					h = pres.hyper[q];
		is_double(h, dof, 1e-9 * (double)p, "effective parameters agree with the fit's");
		cewb_fit_result_release(&pres);
	}

	/* lambda -> infinity on orbit rm: the fit without that column.  Exactly
	 * (a removed parameter) and in the limit (lambda 1e12: the difference
	 * is of order |X'X| / lambda relative, below 1e-6 here). */
	cewb_prior_reset(pr, &(cewb_prior_defaults){ .kind = CEWB_PRIOR_NONE, .noise = 1 }, NULL);
	for (a = 0, k = 0; a < p; a++)
		if (a != rm)
			cols[k++] = a;
	ols_cols(d, cols, p - 1, e1);
	cewb_prior_set_orbit_lambda(pr, rm, INFINITY, NULL);
	prior_fit(pr, d, e2);
	is_double(0, e2[rm], 0, "removed orbit has ECI exactly 0");
	for (a = 0, k = 0; a < p; a++)
		if (a != rm)
			e2[k++] = e2[a];
	ok(maxdiff(e1, e2, p - 1) <= 1e-8 * scale,
	   "%s: lambda = inf on orbit %zu is the fit without it (max diff %.3g)", d->name, rm,
	   maxdiff(e1, e2, p - 1));
	is_int((long)p - 1, (long)cewb_prior_n_free(pr), "one free parameter fewer");
	cewb_prior_set_orbit_lambda(pr, rm, 1e12, NULL);
	prior_fit(pr, d, e2);
	ok(fabs(e2[rm]) < 1e-6 * scale, "lambda 1e12: ECI of orbit %zu -> 0 (%.3g)", rm, e2[rm]);
	for (a = 0, k = 0; a < p; a++)
		if (a != rm)
			e2[k++] = e2[a];
	ok(maxdiff(e1, e2, p - 1) <= 1e-6 * scale,
	   "%s: lambda = 1e12 approaches the fit without the column (max diff %.3g)", d->name,
	   maxdiff(e1, e2, p - 1));

	/* merge ma mb: the OLS fit on the summed columns, both ECIs equal. */
	cewb_prior_reset(pr, &(cewb_prior_defaults){ .kind = CEWB_PRIOR_NONE, .noise = 1 }, NULL);
	cewb_prior_lambda(pr, L0);
	ok(cewb_prior_merge(pr, ma, mb, &err) == CEWB_OK, "merge %zu %zu", ma, mb);
	{
		double *Xs = malloc(d->n * (p - 1) * sizeof *Xs);
		struct data ds = *d;
		size_t i;
		for (i = 0; i < d->n; i++)
			for (a = 0, k = 0; a < p; a++) {
				if (a == mb)
					continue;
				Xs[i * (p - 1) + k++] =
					d->X[i * p + a] + (a == ma ? d->X[i * p + mb] : 0);
			}
		ds.X = Xs;
		ds.p = p - 1;
		for (a = 0; a < p - 1; a++)
			cols[a] = a;
		ols_cols(&ds, cols, p - 1, e1);
		free(Xs);
	}
	prior_fit(pr, d, e2);
	is_double(e2[ma], e2[mb], 0, "merged ECIs are equal");
	for (a = 0, k = 0; a < p; a++)
		if (a != mb)
			e2[k++] = e2[a];
	ok(maxdiff(e1, e2, p - 1) <= 1e-8 * scale,
	   "%s: merge is the fit on the summed columns (max diff %.3g)", d->name,
	   maxdiff(e1, e2, p - 1));
	is_int((long)p - 1, (long)cewb_prior_n_free(pr), "merge leaves n - 1 free parameters");
	cewb_prior_effective(pr, d->X, d->n, &dof, NULL);
	is_double((double)p - 1, dof, 1e-8 * (double)p, "effective parameters after a merge");

	/* undo restores the previous Lambda exactly, redo the merged one */
	ok(cewb_prior_undo(pr, &err) == CEWB_OK, "undo the merge");
	cewb_prior_lambda(pr, L1);
	ok(memcmp(L0, L1, p * p * sizeof *L0) == 0 && cewb_prior_n_free(pr) == p,
	   "undo restores Lambda exactly");
	ok(cewb_prior_redo(pr, &err) == CEWB_OK && cewb_prior_n_free(pr) == p - 1, "redo");
	cewb_prior_free(pr);
	free(cols);
	free(e1);
	free(e2);
	free(L0);
	free(L1);
}

/* Lambda by the formula, history, selectors, couplings, errors, files. */
static void editing(const struct data *d)
{
	size_t p = d->p, n_sel, sel_o[8], a, b;
	double L[64], Lu[64], s2, dof;
	cewb_error err;
	cewb_prior *pr = cewb_prior_alloc(p, d->n_orbits, NULL, d->order, d->radius, &err);
	cewb_prior *q;
	cewb_prior_selector sel = cewb_prior_selector_all();
	cewb_prior_defaults phys = cewb_prior_defaults_of(CEWB_PRIOR_PHYSICAL);
	char path[256], *text = NULL;
	size_t n_diff = 0;
	cewb_fit_problem prob = { 0 };
	cewb_fit_options opt = cewb_fit_options_default(CEWB_FIT_PRIOR);
	cewb_xval_options xopt = cewb_xval_options_default();
	cewb_xval_result xres = { 0 };

	/* Lambda_aa = s^2/s_a^2 + sum s^2/s_ab^2, Lambda_ab = -s^2/s_ab^2 */
	cewb_prior_set_noise(pr, 0.01, NULL);
	cewb_prior_set_orbit(pr, 2, 0.1, NULL);
	cewb_prior_set_orbit(pr, 3, 0.2, NULL);
	cewb_prior_set_pair(pr, 2, 3, 0.05, NULL);
	cewb_prior_set_pair(pr, 2, 4, 0.5, NULL);
	cewb_prior_lambda(pr, L);
	s2 = 1e-4;
	/* one or two roundings per entry: 1e-15 relative */
	is_double(s2 / 0.01 + s2 / 0.0025 + s2 / 0.25, L[2 * p + 2], 1e-15,
		  "Lambda_22 by the formula");
	is_double(s2 / 0.04 + s2 / 0.0025, L[3 * p + 3], 1e-15, "Lambda_33 by the formula");
	is_double(s2 / 0.25, L[4 * p + 4], 1e-15, "Lambda_44: coupling only");
	is_double(-s2 / 0.0025, L[2 * p + 3], 1e-15, "Lambda_23 = -s^2/s_23^2");
	is_double(L[2 * p + 3], L[3 * p + 2], 0, "Lambda is symmetric");
	is_double(0, L[0], 0, "free zerolet has lambda 0");
	is_int(2, (long)cewb_prior_n_couplings(pr), "two couplings");
	is_double(0.05, cewb_prior_pair_sigma(pr, 3, 2), 0, "pair sigma either way round");
	cewb_prior_set_pair(pr, 2, 4, INFINITY, NULL);
	is_int(1, (long)cewb_prior_n_couplings(pr), "infinite width uncouples");
	is_int(6, (long)cewb_prior_n_undo(pr), "six steps to undo");
	cewb_prior_undo(pr, NULL);
	cewb_prior_lambda(pr, Lu);
	ok(memcmp(L, Lu, sizeof L) == 0, "undo gives back Lambda exactly");
	cewb_prior_redo(pr, NULL);
	ok(cewb_prior_redo(pr, &err) == CEWB_ESTATE, "nothing more to redo");
	is_string("nothing to redo", err.message, "redo message");

	/* selectors */
	sel.order = 2;
	n_sel = cewb_prior_select(pr, &sel, sel_o);
	is_int(3, (long)n_sel, "three pairs");
	sel.radius_above = 1.5;
	n_sel = cewb_prior_select(pr, &sel, sel_o);
	ok(n_sel == 2 && sel_o[0] == 3 && sel_o[1] == 4, "pairs above 1.5 Å: orbits 3, 4");
	sel = cewb_prior_selector_all();
	sel.radius_below = 1.5;
	sel.skip_zerolet = 1;
	n_sel = cewb_prior_select(pr, &sel, sel_o);
	ok(n_sel == 2 && sel_o[0] == 1 && sel_o[1] == 2, "radius below 1.5 without the zerolet");
	sel = cewb_prior_selector_all();
	sel.first = 5;
	sel.last = 6;
	n_sel = cewb_prior_select(pr, &sel, sel_o);
	ok(n_sel == 2 && sel_o[0] == 5, "index range 5..6");
	ok(cewb_prior_merge_selected(pr, &sel, NULL) == CEWB_OK &&
	   cewb_prior_merged_with(pr, 6) == 5, "merge the selection 5..6");
	sel.first = 7;
	sel.last = 7;
	ok(cewb_prior_merge_selected(pr, &sel, &err) == CEWB_EINVAL, "merge of one orbit refused");
	is_string("the selection holds 1 orbit, 2 needed", err.message, "selection message");
	ok(cewb_prior_split(pr, 6, NULL) == CEWB_OK && cewb_prior_merged_with(pr, 6) == 6,
	   "split undoes a merge");
	{
		size_t idx[3] = { 2, 3, 4 }, nu = cewb_prior_n_undo(pr);
		ok(cewb_prior_merge_list(pr, idx, 3, NULL) == CEWB_OK &&
		   cewb_prior_merged_with(pr, 4) == 2 && cewb_prior_n_undo(pr) == nu + 1,
		   "merge a list in one step");
		ok(cewb_prior_set_list(pr, idx, 3, 0, 0.7, NULL) == CEWB_OK &&
		   cewb_prior_param_sigma(pr, 3) == 0.7 && cewb_prior_n_undo(pr) == nu + 2,
		   "set a list of orbits in one step");
		idx[2] = 9;
		ok(cewb_prior_set_list(pr, idx, 3, 1, 0.1, &err) == CEWB_EINVAL &&
		   strcmp(err.message, "no parameter 9 (there are 8, 0..7)") == 0 &&
		   cewb_prior_param_sigma(pr, 2) == 0.7, "a bad index in a list changes nothing");
		ok(cewb_prior_merge_list(pr, idx, 1, &err) == CEWB_EINVAL &&
		   strcmp(err.message, "a merge needs two orbits or more (1 given)") == 0,
		   "a merge of one orbit");
		cewb_prior_undo(pr, NULL);
		cewb_prior_undo(pr, NULL);
	}
	sel = cewb_prior_selector_all();
	sel.order = 2;
	ok(cewb_prior_set_selected(pr, &sel, 0.3, NULL) == CEWB_OK &&
	   cewb_prior_param_sigma(pr, 4) == 0.3 && cewb_prior_param_sigma(pr, 5) != 0.3,
	   "width of every pair");

	/* couple by similarity */
	cewb_prior_reset(pr, &phys, NULL);
	ok(cewb_prior_param_sigma(pr, 3) == phys.sigma0 * exp(-2.0 / phys.r0) * pow(phys.q, 2),
	   "physical default sigma0 exp(-r/r0) q^order");
	sel = cewb_prior_selector_all();
	ok(cewb_prior_couple_similar(pr, &sel, CEWB_SIMILAR_ORDER, 0.02, 1, INFINITY, NULL) == 0,
	   "couple by order");
	/* pairs 2,3,4: 3 couplings; triplets 5,6: 1; order 4 alone; zerolet never */
	is_int(4, (long)cewb_prior_n_couplings(pr), "couplings within each order");
	cewb_prior_reset(pr, &phys, NULL);
	cewb_prior_couple_similar(pr, &sel, CEWB_SIMILAR_RADIUS, 0.02, 1, 0.7, NULL);
	is_int(3, (long)cewb_prior_n_couplings(pr), "radius within 0.7 Å: (2,3), (3,4), (5,6)");
	is_double(0.02 * exp(0.6 / 2), cewb_prior_pair_sigma(pr, 2, 3), 1e-15,
		  "radius similarity width scale exp(dr / 2 length)");
	cewb_prior_reset(pr, &phys, NULL);
	cewb_prior_couple_similar(pr, &sel, CEWB_SIMILAR_NEIGHBOR, 0.02, 1, INFINITY, NULL);
	ok(cewb_prior_n_couplings(pr) == 3 && isinf(cewb_prior_pair_sigma(pr, 2, 4)),
	   "neighbour coupling: next in radius only");
	cewb_prior_effective(pr, d->X, d->n, &dof, NULL);
	ok(dof > 0 && dof < (double)p, "physical prior: %.3f effective parameters", dof);

	/* couple classes; pull to targets */
	{
		long grp[8] = { -1, -1, 0, 0, 0, 1, 1, -1 };
		double w[8] = { 1, 1, 1, 2, 1, 1, 1, 1 }, tg[2] = { 0.01, 0.02 };
		cewb_prior_reset(pr, &phys, NULL);
		ok(cewb_prior_couple_groups(pr, grp, w, 0.01, NULL, 0, NULL) == CEWB_OK &&
		   cewb_prior_n_couplings(pr) == 4, "couple classes: 3 + 1 couplings");
		cewb_prior_lambda(pr, L);
		is_double(-2 * cewb_prior_noise(pr) * cewb_prior_noise(pr) / 1e-4, L[2 * p + 3],
			  1e-12, "weighted coupling -w_a w_b s^2/s_ab^2");
		ok(cewb_prior_couple_groups(pr, grp, w, 0.01, tg, 2, NULL) == CEWB_OK &&
			   cewb_prior_param_mean(pr, 3) == 0.01 / 2 &&
			   cewb_prior_param_sigma(pr, 5) == 0.01,
		   "pull classes to target values");
		ok(cewb_prior_couple_groups(pr, grp, w, 0.01, tg, 1, &err) == CEWB_EINVAL,
		   "missing target refused");
		is_string("orbit 5: class 1 has no target value (1 given)", err.message,
			  "missing target message");
		/* a strong pull gives the target back */
		cewb_prior_set_noise(pr, 1, NULL);
		cewb_prior_couple_groups(pr, grp, NULL, 1e-7, tg, 2, NULL);
		{
			double e[8];
			prior_fit(pr, d, e);
			is_double(0.02, e[6], 1e-6, "pulled ECI sits at its target");
		}
	}

	/* validation through the prior */
	prob.n_rows = d->n;
	prob.n_cols = p;
	prob.X = d->X;
	prob.y = d->y;
	cewb_prior_reset(pr, &phys, NULL);
	cewb_prior_merge(pr, 2, 3, NULL);
	xopt.folds = 10;
	a = cewb_prior_xval(pr, &prob, &opt, &xopt, &xres, &err) == CEWB_OK;
	ok(a && xres.rmse_validation > 0 && xres.rmse_validation < 0.05 && xres.eci_mean &&
	   xres.eci_mean[2] == xres.eci_mean[3], "10-fold validation of a merged prior (%.4g)",
	   xres.rmse_validation);
	cewb_xval_result_release(&xres);

	/* files: save, load into another prior, diff */
	snprintf(path, sizeof path, "test_prior_%ld.json", (long)getpid());
	cewb_prior_set_pair(pr, 4, 5, INFINITY, NULL);
	cewb_prior_set_pair(pr, 5, 6, 0.02, NULL);
	cewb_prior_set_orbit(pr, 7, 0, NULL);
	cewb_prior_set_mean(pr, 1, 0.25, NULL);
	ok(cewb_prior_save(pr, path, &err) == CEWB_OK, "save");
	q = cewb_prior_alloc(p, d->n_orbits, NULL, d->order, d->radius, NULL);
	ok(cewb_prior_load(q, path, &err) == CEWB_OK, "load");
	cewb_prior_lambda(pr, L);
	cewb_prior_lambda(q, Lu);
	ok(memcmp(L, Lu, sizeof L) == 0 && cewb_prior_n_free(q) == cewb_prior_n_free(pr),
	   "loaded prior has the same Lambda and merges");
	cewb_prior_diff(pr, q, &text, &n_diff, NULL);
	ok(text && n_diff == 0 && text[0] == '\0', "no difference after a round trip");
	free(text);
	cewb_prior_set_orbit(q, 1, 0.5, NULL);
	cewb_prior_set_pair(q, 5, 6, INFINITY, NULL);
	cewb_prior_split(q, 3, NULL);
	cewb_prior_diff(pr, q, &text, &n_diff, NULL);
	is_int(3, (long)n_diff, "three differences");
	ok(text && strstr(text, "orbit 1 sigma: ") && strstr(text, "-> 0.5") &&
	   strstr(text, "orbit 3 merged with: orbit 2 -> none") &&
	   strstr(text, "pair orbit 5, orbit 6 sigma: 0.02 -> none"), "diff lines");
	if (text)
		diag("%s", text);
	free(text);
	/* a file without a merge loads over a prior that has one (q split orbit 3 off) */
	ok(cewb_prior_save(q, path, &err) == CEWB_OK, "save the split prior");
	ok(cewb_prior_merged_with(pr, 3) != 3 && cewb_prior_load(pr, path, &err) == CEWB_OK &&
	   cewb_prior_merged_with(pr, 3) == 3 && cewb_prior_n_free(pr) == cewb_prior_n_free(q),
	   "load undoes a merge the file does not have (%s)", err.message);
	cewb_prior_undo(pr, NULL);
	ok(cewb_prior_undo(q, NULL) == 0 && cewb_prior_undo(q, NULL) == 0 &&
	   cewb_prior_undo(q, NULL) == 0 && cewb_prior_undo(q, NULL) == 0 &&
	   cewb_prior_n_free(q) == p, "undo the load too");

	/* errors */
	ok(cewb_prior_load(q, "/nonexistent/prior.json", &err) == CEWB_EIO, "missing file");
	ok(strncmp(err.message, "cannot open '/nonexistent/prior.json'", 37) == 0,
	   "missing file message");
	ok(cewb_prior_from_json(q, "{\"format\": \"x\"}", "t.json", &err) == CEWB_EPARSE &&
	   strcmp(err.message, "t.json: not a cewb prior (no \"format\": \"cewb-prior\")") == 0,
	   "not a prior");
	ok(cewb_prior_from_json(q, "{", "t.json", &err) == CEWB_EPARSE &&
	   strncmp(err.message, "t.json: line 1: ", 16) == 0, "malformed json");
	ok(cewb_prior_from_json(q, "{\"format\": \"cewb-prior\", \"n_params\": 3, \"n_orbits\": 3}",
				"t.json", &err) == CEWB_EINVAL &&
	   strcmp(err.message, "t.json: the prior is for another cluster space (8 parameters "
		  "and 8 orbits expected)") == 0, "other space");
	ok(cewb_prior_save(pr, "/nonexistent/p.json", &err) == CEWB_EIO &&
	   strncmp(err.message, "cannot write '/nonexistent/p.json'", 34) == 0, "unwritable");
	a = cewb_prior_n_undo(pr);
	ok(cewb_prior_set_orbit(pr, 8, 1, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "no orbit 8 (there are 8, 0..7)") == 0, "orbit out of range");
	ok(cewb_prior_set_param(pr, 9, 1, &err) == CEWB_EINVAL &&
		   strcmp(err.message, "no parameter 9 (there are 8, 0..7)") == 0,
	   "parameter out of range");
	ok(cewb_prior_set_orbit(pr, 1, -1, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "sigma must be >= 0, not -1") == 0, "negative sigma");
	ok(cewb_prior_set_orbit_lambda(pr, 1, -1, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "lambda must be >= 0, not -1") == 0, "negative lambda");
	ok(cewb_prior_merge(pr, 2, 2, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "orbit 2 paired with itself") == 0, "merge with itself");
	ok(cewb_prior_set_pair_param(pr, 2, 2, 1, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "parameter 2 paired with itself") == 0, "couple with itself");
	ok(cewb_prior_set_noise(pr, 0, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "noise must be positive and finite, not 0") == 0, "zero noise");
	ok(cewb_prior_set_mean(pr, 1, NAN, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "mean must be finite, not nan") == 0, "nan mean");
	phys.r0 = -1;
	ok(cewb_prior_reset(pr, &phys, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "sigma0, r0 and q must be positive and finite (0.1, -1, 0.5)") == 0,
	   "bad physical default");
	ok(cewb_prior_couple_similar(pr, &sel, CEWB_SIMILAR_ORDER, 0, 1, 1, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "scale must be positive and finite, not 0") == 0, "zero scale");
	is_int((long)a, (long)cewb_prior_n_undo(pr), "failed edits record no step");
	{
		cewb_prior_kind k;
		cewb_similarity m;
		ok(cewb_prior_kind_parse("wide", &k, &err) == CEWB_EINVAL &&
		   strcmp(err.message, "unknown prior 'wide' (none, ridge, physical)") == 0,
		   "unknown kind");
		ok(cewb_similarity_parse("colour", &m, &err) == CEWB_EINVAL &&
			   strcmp(err.message,
				  "unknown similarity 'colour' (radius, order, neighbor)") == 0,
		   "unknown similarity");
	}
	ok(cewb_prior_alloc(0, 1, NULL, d->order, d->radius, &err) == NULL &&
	   strcmp(err.message, "a prior needs at least one parameter") == 0, "empty prior");
	{
		size_t po[3] = { 0, 2, 2 };
		ok(cewb_prior_alloc(3, 3, po, d->order, d->radius, &err) == NULL &&
		   strncmp(err.message, "parameter 1: orbits must be numbered", 36) == 0,
		   "orbit map with a gap");
	}
	for (b = 0; b < p; b++)
		cewb_prior_set_orbit(pr, b, 0, NULL);
	prob.n_rows = d->n;
	{
		cewb_fit_result res = { 0 };
		ok(cewb_prior_fit(pr, &prob, &opt, &res, &err) == CEWB_EINVAL &&
		   strcmp(err.message, "every parameter is removed by the prior") == 0,
		   "nothing left to fit");
	}
	unlink(path);
	cewb_prior_free(q);
	cewb_prior_free(pr);
	cewb_prior_free(NULL);
}

/* Multi-parameter orbits: merges act on the j-th parameters. */
static void multi(void)
{
	size_t po[6] = { 0, 1, 1, 2, 2, 3 }, ord[4] = { 0, 1, 2, 2 };
	double rad[4] = { 0, 0, 1.5, 2 }, M[36];
	cewb_error err;
	cewb_prior *pr = cewb_prior_alloc(6, 4, po, ord, rad, &err);
	ok(pr && cewb_prior_orbit_n_params(pr, 1) == 2 && cewb_prior_orbit_first(pr, 2) == 3,
	   "orbits of two parameters");
	ok(cewb_prior_merge(pr, 1, 3, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "orbits 1 and 3 have 2 and 1 parameters") == 0,
	   "unequal orbits cannot merge");
	ok(cewb_prior_merge(pr, 1, 2, NULL) == CEWB_OK && cewb_prior_n_free(pr) == 4,
	   "merging two 2-parameter orbits leaves 4 columns");
	cewb_prior_reduce(pr, M, NULL);
	ok(M[1 * 4 + 1] == 1 && M[3 * 4 + 1] == 1 && M[2 * 4 + 2] == 1 && M[4 * 4 + 2] == 1 &&
	   M[5 * 4 + 3] == 1, "merge matrix pairs the j-th parameters");
	cewb_prior_set_param(pr, 1, 0, NULL);
	cewb_prior_reduce(pr, M, NULL);
	/* columns open at the first kept member: 0, 2 (with 4), 3 (with 1), 5 */
	ok(cewb_prior_n_free(pr) == 4 && M[1 * 4 + 1] + M[1 * 4 + 2] + M[1 * 4 + 3] == 0 &&
	   M[3 * 4 + 2] == 1 && M[2 * 4 + 1] == 1 && M[4 * 4 + 1] == 1,
	   "a removed member leaves its partner a column");
	cewb_prior_free(pr);
}

/* A five-layer fcc (111) slab A B C A B (pbc T T F), or the bulk in the
 * same frame (cell a1, a2, a3 = step to the next layer); a = 4.09 Å. */
static cewb_structure *fcc111(int bulk, double rotate)
{
	double ah = 4.09 / sqrt(2.0), d = 4.09 / sqrt(3.0), c = cos(rotate), sn = sin(rotate);
	size_t n = bulk ? 1 : 5, l, k;
	cewb_structure *s = cewb_structure_alloc(n);
	double a1[3] = { ah, 0, 0 }, a2[3] = { ah / 2, ah * sqrt(3.0) / 2, 0 };
	double a3[3] = { (a1[0] + a2[0]) / 3, (a1[1] + a2[1]) / 3, d };
	memset(s->cell, 0, sizeof s->cell);
	memcpy(s->cell[0], a1, sizeof a1);
	memcpy(s->cell[1], a2, sizeof a2);
	if (bulk) {
		memcpy(s->cell[2], a3, sizeof a3);
	} else {
		s->cell[2][2] = 4 * d + 20;
		s->pbc[2] = 0;
	}
	for (l = 0; l < n; l++) {
		double f = (double)(l % 3) / 3;
		s->pos[l][0] = f * (a1[0] + a2[0]);
		s->pos[l][1] = f * (a1[1] + a2[1]);
		s->pos[l][2] = (double)l * d;
		s->numbers[l] = 47;
	}
	/* rotate everything about z (a bulk in another frame) */
	for (k = 0; k < 3; k++) {
		double x = s->cell[k][0], y = s->cell[k][1];
		s->cell[k][0] = c * x - sn * y;
		s->cell[k][1] = sn * x + c * y;
	}
	for (l = 0; l < n; l++) {
		double x = s->pos[l][0], y = s->pos[l][1];
		s->pos[l][0] = c * x - sn * y;
		s->pos[l][1] = sn * x + c * y;
	}
	return s;
}

/* Slab orbits onto bulk orbits. */
static void bulk_classes(void)
{
	cewb_structure *ss = fcc111(0, 0), *bs = fcc111(1, 0), *rs = fcc111(1, 0.3);
	cewb_lattice *sl = NULL, *bl = NULL, *rl = NULL;
	cewb_space *ssp = NULL, *bsp = NULL, *rsp = NULL;
	double cut[2] = { 5.2, 4.2 }, w[64];
	long grp[64];
	size_t o, n_free = 0, n_cls = 0, all_mapped = 1, b;
	cewb_error err;
	int deep_nn = 0;
	if (!ok(cewb_lattice_build(ss, "Ag,Pd", 1e-5, &sl, &err) == CEWB_OK &&
		cewb_lattice_build(bs, "Ag,Pd", 1e-5, &bl, &err) == CEWB_OK &&
		cewb_lattice_build(rs, "Ag,Pd", 1e-5, &rl, &err) == CEWB_OK &&
		cewb_space_build(sl, cut, 2, &ssp, &err) == CEWB_OK &&
		cewb_space_build(bl, cut, 2, &bsp, &err) == CEWB_OK &&
		cewb_space_build(rl, cut, 2, &rsp, &err) == CEWB_OK &&
		ssp->n_orbits <= 64, "slab and bulk spaces")) {
		diag("%s", err.message);
		goto out;
	}
	ok(cewb_prior_bulk_classify(ssp, bsp, 1e-3, 0, grp, w, &err) == CEWB_OK,
	   "classify every slab orbit");
	for (o = 1; o < ssp->n_orbits; o++)
		all_mapped &= grp[o] >= 0 && bsp->orbits[grp[o]].order == ssp->orbits[o].order &&
			      fabs(bsp->orbits[grp[o]].radius - ssp->orbits[o].radius) < 1e-9;
	ok(all_mapped && grp[0] == -1, "each slab orbit has a bulk orbit of its order and radius; "
	   "the zerolet none");
	ok(cewb_prior_bulk_classify(ssp, bsp, 1e-3, 0.5, grp, w, &err) == CEWB_OK,
	   "classify with free surface layers");
	for (o = 0; o < ssp->n_orbits; o++)
		n_free += grp[o] < 0;
	for (b = 0; b < bsp->n_orbits; b++) {
		size_t c = 0;
		for (o = 0; o < ssp->n_orbits; o++)
			c += grp[o] == (long)b;
		n_cls += c >= 2;
	}
	/* 5 layers: singlets of layers 1|3 and 2; pairs and triangles inside
	 * layers 1-3 (counted by hand from the slab orbit list) */
	is_int(14, (long)n_free, "zerolet and 13 surface orbits stay free");
	is_int(5, (long)n_cls, "deep orbits fall into 5 shared bulk orbits");
	for (o = 1; o < ssp->n_orbits; o++) {
		const cewb_orbit *so = &ssp->orbits[o];
		double p0[3], p1[3];
		if (so->order != 2 || grp[o] < 0 || fabs(so->radius - 4.09 / sqrt(2.0) / 2) > 1e-6)
			continue;
		cewb_lsite_position(sl, &so->clusters[0], p0);
		cewb_lsite_position(sl, &so->clusters[1], p1);
		/* in-plane pair of the middle layer: 3 per cell of 5 sites, bulk
		 * 6 per site, so its ECI is (6/1)/(3/5) = 10 times smaller */
		if (fabs(p0[2] - p1[2]) < 0.1 && so->n_clusters == 3) {
			deep_nn = 1;
			is_double(10.0, w[so->first_param], 1e-12,
				  "weight of the middle in-plane pair");
		}
	}
	ok(deep_nn, "middle-layer nearest-neighbour pair found");
	ok(cewb_prior_bulk_classify(ssp, rsp, 1e-3, 0.5, grp, w, &err) == CEWB_ENOFIT &&
	   strncmp(err.message, "the slab sites do not sit on the bulk lattice", 45) == 0,
	   "a bulk in another frame is refused");
	ok(cewb_prior_bulk_classify(ssp, ssp, 1e-3, 0.5, grp, w, &err) == CEWB_EINVAL &&
	   strcmp(err.message, "the bulk lattice must be periodic along a, b and c") == 0,
	   "a slab is no bulk");
out:
	cewb_space_free(ssp);
	cewb_space_free(bsp);
	cewb_space_free(rsp);
	cewb_lattice_free(sl);
	cewb_lattice_free(bl);
	cewb_lattice_free(rl);
	cewb_structure_free(ss);
	cewb_structure_free(bs);
	cewb_structure_free(rs);
}

int main(void)
{
	struct data d;
	char path[1024];
	const char *top = getenv("top_srcdir");
	synthetic(&d);
	limits(&d);
	editing(&d);
	data_free(&d);
	multi();
	bulk_classes();
	snprintf(path, sizeof path, "%s/tests/data/agpd_Xy.txt", top ? top : ".");
	if (agpd(&d, path)) {
		limits(&d);
		data_free(&d);
	} else {
		diag("no %s: Ag-Pd limits skipped", path);
	}
	return done_testing();
}
