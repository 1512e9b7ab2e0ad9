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


/* An fcc (111) slab of three layers A B C, pbc T T F, a = 4.09 Å. */
static cewb_structure *make_slab(int top_pd)
{
	cewb_structure *s = cewb_structure_alloc(3);
	double ah = 4.09 / sqrt(2.0), d = 4.09 / sqrt(3.0);
	double f[3][2] = { { 0, 0 }, { 1.0 / 3, 1.0 / 3 }, { 2.0 / 3, 2.0 / 3 } };
	memset(s->cell, 0, sizeof s->cell);
	s->cell[0][0] = ah;
	s->cell[1][0] = ah / 2;
	s->cell[1][1] = ah * sqrt(3.0) / 2;
	s->cell[2][2] = 3 * d + 20;
	s->pbc[0] = s->pbc[1] = 1;
	s->pbc[2] = 0;
	for (int l = 0; l < 3; l++) {
		s->pos[l][0] = f[l][0] * s->cell[0][0] + f[l][1] * s->cell[1][0];
		s->pos[l][1] = f[l][1] * s->cell[1][1];
		s->pos[l][2] = l * d;
		s->numbers[l] = 47;
	}
	if (top_pd)
		s->numbers[0] = 46;
	return s;
}

/* Slab orbits: no cluster crosses the open direction; exact vectors. */
static void check_slab(void)
{
	cewb_structure *s = make_slab(0), *t = make_slab(1);
	cewb_lattice *lat = NULL;
	cewb_space *sp = NULL;
	cewb_error err;
	double cut[2] = { 4.5, 3.0 }, cv[512];
	size_t n_nn = 0, crossing = 0;
	if (!ok(cewb_lattice_build(s, "Ag,Pd", 1e-5, &lat, &err) == CEWB_OK &&
		cewb_space_build(lat, cut, 2, &sp, &err) == CEWB_OK, "slab: space built")) {
		diag("%s", err.message);
		goto out;
	}
	is_int(2, (long)sp->n_orbits_by_order[1], "slab: surface and middle singlets");
	for (size_t i = 1; i < sp->n_orbits; i++) {
		const cewb_orbit *o = &sp->orbits[i];
		if (o->order == 2 && fabs(o->radius - 4.09 / sqrt(2.0) / 2) < 1e-6)
			n_nn++;
		for (size_t j = 0; j < o->n_clusters * o->order; j++)
			crossing += o->clusters[j].off[2] != 0;
	}
	is_int(3, (long)n_nn, "slab: three nearest-neighbour pair orbits");
	is_int(0, (long)crossing, "slab: no cluster crosses the open direction");
	ok(sp->n_params < 512, "slab: size");
	if (cewb_cvec_compute(sp, s, 1e-3, cv, &err) == CEWB_OK) {
		/* Ag (Z 47) is the higher species: +1 on every site. */
		int pure = 1;
		for (size_t p = 1; p < sp->n_params; p++)
			pure &= fabs(cv[p] - 1.0) < 1e-12;
		ok(pure, "slab: pure Ag gives 1 for every orbit");
	} else {
		ok(0, "slab: pure vector");
		diag("%s", err.message);
	}
	if (cewb_cvec_compute(sp, t, 1e-3, cv, &err) == CEWB_OK) {
		/* Pd (-1) on layer A only, Ag (+1) elsewhere: the surface
		 * singlet averages -1 (A) and +1 (C); in-plane pairs are +1;
		 * interlayer pairs -1 (A-B) and +1 (B-C) average 0. */
		size_t surf = 0, mid = 0;
		double inplane = 0, inter = 0;
		for (size_t i = 1; i < sp->n_orbits; i++) {
			const cewb_orbit *o = &sp->orbits[i];
			double z0, z1, p0[3], p1[3];
			if (o->order == 1) {
				cewb_lsite_position(lat, &o->clusters[0], p0);
				if (o->n_clusters == 2)
					surf = o->first_param;
				else
					mid = o->first_param;
			}
			if (o->order != 2 || fabs(o->radius - 4.09 / sqrt(2.0) / 2) > 1e-6)
				continue;
			cewb_lsite_position(lat, &o->clusters[0], p0);
			cewb_lsite_position(lat, &o->clusters[1], p1);
			z0 = p0[2];
			z1 = p1[2];
			if (fabs(z0 - z1) > 0.1)
				inter = cv[o->first_param];
			else if (fabs(z0 - 4.09 / sqrt(3.0)) > 0.1)
				inplane = cv[o->first_param];
		}
		is_double(0.0, cv[surf], 1e-12, "slab: surface singlet");
		is_double(1.0, cv[mid], 1e-12, "slab: middle singlet");
		is_double(1.0, inplane, 1e-12, "slab: surface in-plane pair");
		is_double(0.0, inter, 1e-12, "slab: interlayer pair");
	} else {
		ok(0, "slab: decorated vector");
		diag("%s", err.message);
	}
out:
	cewb_space_free(sp);
	cewb_lattice_free(lat);
	cewb_structure_free(s);
	cewb_structure_free(t);
}

/* Structures that do not fit get a one-line error naming frame and atom. */
static void check_errors(void)
{
	cewb_structure *s = make_slab(0), *bulk = cewb_structure_alloc(1);
	cewb_lattice *lat = NULL;
	cewb_space *sp = NULL;
	cewb_error err;
	double cut[1] = { 3.0 }, cv[64];
	double c[3][3] = { { 0, 2.045, 2.045 }, { 2.045, 0, 2.045 }, { 2.045, 2.045, 0 } };
	memcpy(bulk->cell, c, sizeof c);
	bulk->numbers[0] = 47;
	if (cewb_lattice_build(bulk, "Ag,Pd", 1e-5, &lat, &err) ||
	    cewb_space_build(lat, cut, 1, &sp, &err)) {
		ok(0, "errors: space");
		goto out;
	}
	ok(cewb_cvec_compute(sp, s, 1e-3, cv, &err) == CEWB_ENOFIT && strstr(err.message, "pbc"),
	   "errors: slab on a bulk lattice refused (%s)", err.message);
	bulk->pos[0][0] = 0.3;
	ok(cewb_cvec_compute(sp, bulk, 1e-3, cv, &err) == CEWB_ENOFIT &&
		   strstr(err.message, "atom 0") && strstr(err.message, "frame 0"),
	   "errors: atom off its site named (%s)", err.message);
	bulk->pos[0][0] = 0;
	bulk->numbers[0] = 29;
	ok(cewb_cvec_compute(sp, bulk, 1e-3, cv, &err) == CEWB_ENOFIT && strstr(err.message, "Cu"),
	   "errors: species not allowed named (%s)", err.message);
	bulk->numbers[0] = 47;
	bulk->cell[0][0] = 0.5;
	ok(cewb_cvec_compute(sp, bulk, 1e-3, cv, &err) == CEWB_ENOFIT &&
		   strstr(err.message, "not a lattice vector"),
	   "errors: cell that is not a supercell (%s)", err.message);
	ok(cewb_space_build(lat, (double[]){ -1.0 }, 1, &sp, &err) == CEWB_EINVAL,
	   "errors: negative cutoff (%s)", err.message);
	bulk->cell[0][0] = 0;
	bulk->cell[2][0] = bulk->cell[0][0];
	memcpy(bulk->cell[2], bulk->cell[1], sizeof bulk->cell[2]);
	{
		cewb_lattice *l2 = NULL;
		ok(cewb_lattice_build(bulk, "Ag,Pd", 1e-5, &l2, &err) == CEWB_EINVAL &&
			   strstr(err.message, "zero volume"),
		   "errors: zero-volume lattice (%s)", err.message);
		cewb_lattice_free(l2);
		memcpy(bulk->cell, c, sizeof c);
		ok(cewb_lattice_build(bulk, "Ag,Qq", 1e-5, &l2, &err) == CEWB_EINVAL &&
			   strstr(err.message, "Qq"),
		   "errors: unknown element (%s)", err.message);
		cewb_lattice_free(l2);
	}
out:
	cewb_space_free(sp);
	cewb_lattice_free(lat);
	cewb_structure_free(s);
	cewb_structure_free(bulk);
}

int main(void)
{
	static const char *sets[] = { "fcc_binary",	     "fcc_skew_binary",	 "fcc_ternary",
				      "fcc_quaternary",	     "bcc_longedge_binary", "bcc_ternary",
				      "bcc_quaternary",	     "hcp_binary",	 "hcp_skew_binary",
				      "hcp_ternary",	     "hcp_quaternary",	 "tetragonal_binary",
				      "tetragonal_ternary" };
	check_agpd();
	check_slab();
	check_errors();
	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++)
		check_set(sets[i]);
	return done_testing();
}
