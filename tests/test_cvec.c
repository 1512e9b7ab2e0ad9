/*
 * Cluster spaces and cluster vectors against the icet reference sets: every
 * frame of every set must reproduce its stored target cluster vector to
 * 1e-8.  Orbits of equal order and radius may come in another order (the
 * reference breaks ties its own way), and the entries of one orbit may be
 * permuted for three or more species (they follow the representative's
 * site order), so each block of equal (order, radius) is compared as a
 * multiset of orbits, each orbit as a sorted set of values.
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cewb/lattice.h"
#include "cewb/space.h"
#include "cewb/structure.h"
#include "tap.h"

#define TOL 1e-8

static char path_buf[4096];

static const char *data_path(const char *rel)
{
	const char *top = getenv("top_srcdir");
	snprintf(path_buf, sizeof path_buf, "%s/%s", top ? top : ".", rel);
	return path_buf;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Try to cover ref[pos..end) with the unused orbits of a block (each a
 * sorted vector of values), by backtracking. */
static int cover(const cewb_space *sp, const double *mine, const double *ref, size_t pos,
		 size_t end, const size_t *orb, size_t n_orb, char *used)
{
	if (pos == end)
		return 1;
	for (size_t i = 0; i < n_orb; i++) {
		const cewb_orbit *o = &sp->orbits[orb[i]];
		size_t n = o->n_params, j;
		double a[64], b[64];
		if (used[i] || pos + n > end || n > 64)
			continue;
		memcpy(a, mine + o->first_param, n * sizeof *a);
		memcpy(b, ref + pos, n * sizeof *b);
		qsort(a, n, sizeof *a, cmp_double);
		qsort(b, n, sizeof *b, cmp_double);
		for (j = 0; j < n; j++)
			if (fabs(a[j] - b[j]) > TOL)
				break;
		if (j < n)
			continue;
		used[i] = 1;
		if (cover(sp, mine, ref, pos + n, end, orb, n_orb, used))
			return 1;
		used[i] = 0;
	}
	return 0;
}

/* Compare a cluster vector with the reference, block by block. */
static int compare_cv(const cewb_space *sp, const double *mine, const double *ref, size_t n_ref,
		      double *maxdev)
{
	size_t i = 0;
	*maxdev = 0;
	if (n_ref != sp->n_params)
		return 0;
	while (i < sp->n_orbits) {
		size_t j = i, orb[256], n_orb = 0;
		char used[256];
		const cewb_orbit *a = &sp->orbits[i];
		size_t start = a->first_param, end;
		while (j < sp->n_orbits && sp->orbits[j].order == a->order &&
		       fabs(sp->orbits[j].radius - a->radius) < 1e-5 && n_orb < 256)
			orb[n_orb++] = j++;
		end = sp->orbits[j - 1].first_param + sp->orbits[j - 1].n_params;
		memset(used, 0, sizeof used);
		for (size_t p = start; p < end; p++) {
			double d = fabs(mine[p] - ref[p]);
			*maxdev = d > *maxdev ? d : *maxdev;
		}
		if (!cover(sp, mine, ref, start, end, orb, n_orb, used))
			return 0;
		i = j;
	}
	return 1;
}

/* Check every frame of one reference set. */
static void check_set(const char *name)
{
	char rel[256];
	cewb_frames fr = { 0, NULL };
	cewb_error err;
	cewb_lattice *lat = NULL;
	cewb_space *sp = NULL;
	const cewb_info *cut, *el;
	size_t n_ok = 0, n_bad = 0;
	double worst = 0;

	snprintf(rel, sizeof rel, "tests/data/icet/%s.xyz", name);
	if (!ok(cewb_extxyz_read(data_path(rel), &fr, &err) == CEWB_OK, "%s: read", name)) {
		diag("%s", err.message);
		return;
	}
	cut = cewb_structure_info(fr.frames[0], "data_cutoffs");
	el = cewb_structure_info(fr.frames[0], "data_elements");
	if (!ok(cut && el && cut->real, "%s: cutoffs and elements present", name))
		goto out;
	if (!ok(cewb_lattice_build(fr.frames[0], el->text, CEWB_SYMPREC_DEFAULT, &lat, &err) ==
			CEWB_OK, "%s: lattice", name)) {
		diag("%s", err.message);
		goto out;
	}
	if (!ok(cewb_space_build(lat, cut->real, cut->n, &sp, &err) == CEWB_OK, "%s: space",
		name)) {
		diag("%s", err.message);
		goto out;
	}
	for (size_t f = 0; f < fr.n; f++) {
		const cewb_info *t = cewb_structure_info(fr.frames[f], "data_target_cv");
		double *cv = calloc(sp->n_params, sizeof *cv), dev = 0;
		if (t && cewb_cvec_compute(sp, fr.frames[f], 1e-3, cv, &err) == CEWB_OK &&
		    compare_cv(sp, cv, t->real, t->n, &dev)) {
			n_ok++;
		} else {
			if (n_bad < 3)
				diag("%s frame %zu: %s (n_params %zu vs %zu, max dev %g)", name, f,
				     t ? "mismatch" : "no target", sp->n_params, t ? t->n : 0, dev);
			n_bad++;
		}
		worst = dev > worst ? dev : worst;
		free(cv);
	}
	ok(n_bad == 0 && n_ok == fr.n, "%s: %zu/%zu frames match the reference to %g", name, n_ok,
	   fr.n, TOL);
out:
	cewb_space_free(sp);
	cewb_lattice_free(lat);
	cewb_frames_release(&fr);
}

/* The Ag-Pd tutorial space: 82 parameters, orbits 1/25/20/35 by order. */
static void check_agpd(void)
{
	cewb_frames fr = { 0, NULL };
	cewb_error err;
	cewb_lattice *lat = NULL;
	cewb_space *sp = NULL;
	double cut[3] = { 13.5, 6.5, 6.0 };
	if (cewb_extxyz_read(data_path("examples/agpd/primitive.xyz"), &fr, &err) ||
	    cewb_lattice_build(fr.frames[0], "Ag,Pd", 1e-5, &lat, &err) ||
	    cewb_space_build(lat, cut, 3, &sp, &err)) {
		ok(0, "agpd: space built");
		diag("%s", err.message);
		goto out;
	}
	is_int(82, (long)sp->n_params, "agpd: 82 parameters");
	is_int(1, (long)sp->n_orbits_by_order[1], "agpd: 1 singlet");
	is_int(25, (long)sp->n_orbits_by_order[2], "agpd: 25 pairs");
	is_int(20, (long)sp->n_orbits_by_order[3], "agpd: 20 triplets");
	is_int(35, (long)sp->n_orbits_by_order[4], "agpd: 35 quadruplets");
	is_int(225, lat->spacegroup, "agpd: space group Fm-3m");
	is_int(48, (long)lat->n_ops, "agpd: 48 operations");
	is_int(6, (long)sp->orbits[2].n_clusters, "agpd: 6 nearest-neighbour pairs per cell");
	is_double(4.09 / sqrt(2.0) / 2.0, sp->orbits[2].radius, 1e-12, "agpd: first pair radius");
	/* Every orbit sorted by order, then radius. */
	{
		int sorted = 1;
		for (size_t i = 2; i < sp->n_orbits; i++) {
			const cewb_orbit *a = &sp->orbits[i - 1], *b = &sp->orbits[i];
			if (a->order > b->order ||
			    (a->order == b->order && a->radius > b->radius + 1e-5))
				sorted = 0;
		}
		ok(sorted, "agpd: orbits sorted by order and radius");
	}
out:
	cewb_space_free(sp);
	cewb_lattice_free(lat);
	cewb_frames_release(&fr);
}

int main(void)
{
	static const char *sets[] = { "fcc_binary",	     "fcc_skew_binary",	 "fcc_ternary",
				      "fcc_quaternary",	     "bcc_longedge_binary", "bcc_ternary",
				      "bcc_quaternary",	     "hcp_binary",	 "hcp_skew_binary",
				      "hcp_ternary",	     "hcp_quaternary",	 "tetragonal_binary",
				      "tetragonal_ternary" };
	check_agpd();
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		check_set(sets[i]);
	return done_testing();
}
