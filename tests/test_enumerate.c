/*
 * test_enumerate.c - derivative structures: counts against published and
 * reference figures, and checks independent of the enumeration itself:
 * every structure is an ideal supercell of the lattice; no two are
 * equivalent (their cluster vectors differ; equivalent structures have
 * equal ones); every decoration of random supercells is found (its cluster
 * vector equals one enumerated); concentration limits; order; errors.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cewb/enumerate.h"
#include "cewb/space.h"
#include "tap.h"

#define A_FCC 4.0

/* Deterministic pseudo-random numbers. */
static unsigned long long rng = 88172645463325252ULL;
static unsigned long rndu(unsigned long n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned long)((rng >> 11) % n);
}

/* A lattice of a structure given by cell rows and fractional positions. */
static cewb_lattice *lattice(const double cell[3][3], size_t n, const double (*frac)[3],
			     const int *numbers, const int pbc[3], const char *species)
{
	cewb_structure *s = cewb_structure_alloc(n);
	cewb_lattice *lat = NULL;
	cewb_error err;
	memcpy(s->cell, cell, sizeof s->cell);
	for (size_t i = 0; i < n; i++) {
		cewb_frac_to_cart(s->cell, frac[i], s->pos[i]);
		s->numbers[i] = numbers[i];
	}
	if (pbc)
		memcpy(s->pbc, pbc, sizeof s->pbc);
	if (cewb_lattice_build(s, species, 1e-5, &lat, &err))
		diag("lattice: %s", err.message);
	cewb_structure_free(s);
	return lat;
}

static cewb_lattice *fcc(const char *species)
{
	const double h = A_FCC / 2, c[3][3] = { { 0, h, h }, { h, 0, h }, { h, h, 0 } };
	const double f[1][3] = { { 0, 0, 0 } };
	const int z[1] = { 47 };
	return lattice(c, 1, f, z, NULL, species);
}

static cewb_lattice *bcc(void)
{
	const double h = 1.6, c[3][3] = { { -h, h, h }, { h, -h, h }, { h, h, -h } };
	const double f[1][3] = { { 0, 0, 0 } };
	const int z[1] = { 26 };
	return lattice(c, 1, f, z, NULL, "Fe,Cr");
}

static cewb_lattice *sc(void)
{
	const double c[3][3] = { { 3, 0, 0 }, { 0, 3, 0 }, { 0, 0, 3 } };
	const double f[1][3] = { { 0, 0, 0 } };
	const int z[1] = { 29 };
	return lattice(c, 1, f, z, NULL, "Cu,Au");
}

static cewb_lattice *hcp(void)
{
	const double a = 3.0, c[3][3] = { { a, 0, 0 }, { -a / 2, a * sqrt(3.0) / 2, 0 },
					  { 0, 0, a * sqrt(8.0 / 3.0) } };
	const double f[2][3] = { { 1.0 / 3, 2.0 / 3, 0.25 }, { 2.0 / 3, 1.0 / 3, 0.75 } };
	const int z[2] = { 22, 22 };
	return lattice(c, 2, f, z, NULL, "Ti,Al");
}

/* Square net, open along c. */
static cewb_lattice *square_slab(void)
{
	const double c[3][3] = { { 3, 0, 0 }, { 0, 3, 0 }, { 0, 0, 10 } };
	const double f[1][3] = { { 0, 0, 0.5 } };
	const int z[1] = { 29 }, pbc[3] = { 1, 1, 0 };
	return lattice(c, 1, f, z, pbc, "Cu,Au");
}

/* Rock salt: cations Ag,Pd on an fcc sublattice, oxygen fixed. */
static cewb_lattice *rocksalt(void)
{
	const double h = A_FCC / 2, c[3][3] = { { 0, h, h }, { h, 0, h }, { h, h, 0 } };
	const double f[2][3] = { { 0, 0, 0 }, { 0.5, 0.5, 0.5 } };
	const int z[2] = { 47, 8 };
	return lattice(c, 2, f, z, NULL, "Ag=Ag,Pd");
}

/* Rock salt with both sublattices mixing, one of them with vacancies. */
static cewb_lattice *rocksalt2(void)
{
	const double h = A_FCC / 2, c[3][3] = { { 0, h, h }, { h, 0, h }, { h, h, 0 } };
	const double f[2][3] = { { 0, 0, 0 }, { 0.5, 0.5, 0.5 } };
	const int z[2] = { 47, 8 };
	return lattice(c, 2, f, z, NULL, "Ag=Ag,Pd/O=O,X");
}

static cewb_enum_result *run(const cewb_lattice *lat, size_t lo, size_t hi,
			     const cewb_enum_limit *lim, size_t n_lim)
{
	cewb_enum_options o;
	cewb_enum_result *r = NULL;
	cewb_error err;
	memset(&o, 0, sizeof o);
	o.min_size = lo;
	o.max_size = hi;
	o.limits = lim;
	o.n_limits = n_lim;
	if (cewb_enum_run(lat, &o, &r, &err))
		diag("enumerate: %s", err.message);
	return r;
}

/* Counts per size against a table. */
static void check_counts(const char *what, const cewb_lattice *lat, const size_t *want,
			 size_t n, size_t total, const size_t *want_sc)
{
	cewb_enum_result *r = run(lat, 1, n, NULL, 0);
	int same = r != NULL, same_sc = r != NULL;
	for (size_t k = 0; r && k < n; k++) {
		same &= r->n_by_size[k] == want[k];
		if (want_sc)
			same_sc &= r->n_hnf_by_size[k] == want_sc[k];
		if (r->n_by_size[k] != want[k])
			diag("%s size %zu: %zu structures, expected %zu", what, k + 1,
			     r->n_by_size[k], want[k]);
	}
	ok(same, "%s: structures per size 1..%zu", what, n);
	is_int((long)total, r ? (long)r->n : -1, what);
	if (want_sc)
		ok(same_sc, "%s: distinct supercells per size", what);
	cewb_enum_result_free(r);
}

/* Cluster vectors of every item (rows of n_params). */
static double *vectors(const cewb_space *sp, const cewb_lattice *lat, const cewb_enum_result *r)
{
	double *X = malloc(r->n * sp->n_params * sizeof *X);
	cewb_error err;
	for (size_t k = 0; k < r->n; k++) {
		cewb_supercell *c = NULL;
		if (cewb_supercell_from_matrix(lat, r->items[k].H, &c, &err) ||
		    cewb_cvec_from_occupation(sp, c, r->items[k].numbers, X + k * sp->n_params,
					      &err)) {
			diag("vector %zu: %s", k, err.message);
			free(X);
			cewb_supercell_free(c);
			return NULL;
		}
		cewb_supercell_free(c);
	}
	return X;
}

static int same_vec(const double *a, const double *b, size_t n)
{
	/* Entries are means of products of +-1 (binary) or cosines over at most
	 * a few hundred clusters: equal structures agree to rounding (1e-12),
	 * different ones differ by at least 1/(clusters) ~ 1e-3. */
	for (size_t i = 0; i < n; i++)
		if (fabs(a[i] - b[i]) > 1e-8)
			return 0;
	return 1;
}

/*
 * Independent checks on lattice lat, sizes 1..n, cluster space cutoffs:
 * pairwise distinct cluster vectors; n_random random supercells (random
 * matrix of det <= n, times a random unimodular matrix) with random
 * decorations each equal to one enumerated vector.
 */
static void check_independent(const char *what, const cewb_lattice *lat, size_t n,
			      const double *cut, size_t n_cut, size_t n_random)
{
	cewb_enum_result *r = run(lat, 1, n, NULL, 0);
	cewb_space *sp = NULL;
	cewb_error err;
	double *X = NULL, *v = NULL;
	size_t dup = 0, missing = 0;
	int slab = !lat->pbc[2];

	if (!r || cewb_space_build(lat, cut, n_cut, &sp, &err)) {
		ok(0, "%s: setup", what);
		ok(0, "%s: setup", what);
		cewb_enum_result_free(r);
		return;
	}
	X = vectors(sp, lat, r);
	for (size_t i = 0; X && i < r->n; i++)
		for (size_t j = i + 1; j < r->n; j++)
			if (same_vec(X + i * sp->n_params, X + j * sp->n_params, sp->n_params)) {
				if (dup++ < 3)
					diag("%s: structures %zu and %zu have equal "
					     "cluster vectors", what, i, j);
			}
	ok(X && dup == 0, "%s: %zu structures, pairwise different cluster vectors "
	   "(%zu parameters)", what, r->n, sp->n_params);
	v = malloc(sp->n_params * sizeof *v);
	for (size_t t = 0; X && t < n_random; t++) {
		/* Random lower-triangular matrix of det <= n, then mixed by
		 * unimodular row operations. */
		int P[3][3] = { { 0 } }, det;
		cewb_supercell *c = NULL;
		int *z;
		do {
			P[0][0] = 1 + (int)rndu(n);
			P[1][1] = 1 + (int)rndu(n);
			P[2][2] = slab ? 1 : 1 + (int)rndu(n);
			det = P[0][0] * P[1][1] * P[2][2];
		} while (det > (int)n);
		P[1][0] = (int)rndu(5) - 2;
		if (!slab) {
			P[2][0] = (int)rndu(5) - 2;
			P[2][1] = (int)rndu(5) - 2;
		}
		for (int k = 0; k < 4; k++) {
			int i = (int)rndu(slab ? 2 : 3), j = (int)rndu(slab ? 2 : 3),
			    m = (int)rndu(3) - 1;
			if (i == j)
				continue;
			for (int col = 0; col < 3; col++)
				P[i][col] += m * P[j][col];
		}
		if (cewb_supercell_from_matrix(lat, P, &c, &err)) {
			diag("random supercell: %s", err.message);
			missing++;
			continue;
		}
		z = malloc(c->n_atoms * sizeof *z);
		for (size_t a = 0; a < c->n_atoms; a++) {
			size_t b = (size_t)c->site_of[a];
			z[a] = lat->allowed[b][rndu(lat->n_allowed[b])];
		}
		if (cewb_cvec_from_occupation(sp, c, z, v, &err)) {
			diag("random vector: %s", err.message);
			missing++;
		} else {
			size_t k;
			for (k = 0; k < r->n; k++)
				if (same_vec(v, X + k * sp->n_params, sp->n_params))
					break;
			if (k == r->n && missing++ < 3)
				diag("%s: a decoration of a %d-cell supercell is not enumerated",
				     what, det);
		}
		free(z);
		cewb_supercell_free(c);
	}
	ok(X && missing == 0, "%s: %zu random decorations of random supercells all found",
	   what, n_random);
	free(v);
	free(X);
	cewb_space_free(sp);
	cewb_enum_result_free(r);
}

/* Reduced cells: the same lattice as H (P H^-1 unimodular), right-handed,
 * no longer than H's and no vector shortened by subtracting another. */
static void check_reduced(const cewb_lattice *lat, const cewb_enum_result *r)
{
	size_t bad = 0;
	for (size_t k = 0; r && k < r->n; k++) {
		int P[3][3];
		const int(*H)[3] = (const int(*)[3])r->items[k].H;
		double vp[3][3], vh[3][3], lp = 0, lh = 0, det;
		cewb_enum_reduce_cell(lat, H, P);
		/* Each row of P is an integer combination of the rows of H:
		 * solve the lower-triangular system; det P = det H. */
		for (int i = 0; i < 3; i++) {
			long x[3], rem[3] = { P[i][0], P[i][1], P[i][2] };
			for (int j = 2; j >= 0; j--) {
				x[j] = rem[j] / H[j][j];
				if (rem[j] % H[j][j])
					bad++;
				for (int c = 0; c <= j; c++)
					rem[c] -= x[j] * H[j][c];
			}
		}
		det = (double)P[0][0] * (P[1][1] * P[2][2] - P[1][2] * P[2][1]) -
		      (double)P[0][1] * (P[1][0] * P[2][2] - P[1][2] * P[2][0]) +
		      (double)P[0][2] * (P[1][0] * P[2][1] - P[1][1] * P[2][0]);
		if (det != (double)r->items[k].size)
			bad++;
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++) {
				vp[i][j] = P[i][0] * lat->cell[0][j] + P[i][1] * lat->cell[1][j] +
					   P[i][2] * lat->cell[2][j];
				vh[i][j] = H[i][0] * lat->cell[0][j] + H[i][1] * lat->cell[1][j] +
					   H[i][2] * lat->cell[2][j];
			}
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++) {
				lp += vp[i][j] * vp[i][j];
				lh += vh[i][j] * vh[i][j];
			}
		if (lp > lh * (1 + 1e-12))
			bad++;
		for (int i = 0; i < (lat->pbc[2] ? 3 : 2); i++)
			for (int j = 0; j < (lat->pbc[2] ? 3 : 2); j++) {
				double d = 0, l = 0;
				if (i == j)
					continue;
				for (int c = 0; c < 3; c++) {
					d += vp[i][c] * vp[j][c];
					l += vp[j][c] * vp[j][c];
				}
				if (fabs(d) > 0.5 * l * (1 + 1e-9))
					bad++;
			}
	}
	ok(r && bad == 0, "reduced cells: same superlattice, right-handed, shorter, "
	   "pairwise reduced (%zu structures)", r ? r->n : 0);
}

/*
 * Hart & Forcade count binary structures up to exchanging the two species
 * (2008, fcc: 2, 3, 12, 14, 50, 52, 229 for sizes 2..8; at size 1 the two
 * pure elements are one class here).
 * Exchanging species flips the sign of every binary cluster function of
 * odd order, so a structure and its exchanged image are one class when
 * the image's cluster vector equals that of an enumerated structure.
 */
static void check_exchange(void)
{
	static const size_t hf[8] = { 1, 2, 3, 12, 14, 50, 52, 229 };
	const double cut[3] = { 10.0, 7.0, 5.0 };
	cewb_lattice *lat = fcc("Ag,Pd");
	cewb_enum_result *r = run(lat, 1, 8, NULL, 0);
	cewb_space *sp = NULL;
	cewb_error err;
	double *X = NULL, *v = NULL;
	size_t classes[8] = { 0 }, dup = 0;
	int same = 1;

	if (!r || cewb_space_build(lat, cut, 3, &sp, &err)) {
		ok(0, "exchange classes: setup");
		ok(0, "exchange classes: setup");
		cewb_enum_result_free(r);
		cewb_lattice_free(lat);
		return;
	}
	X = vectors(sp, lat, r);
	v = malloc(sp->n_params * sizeof *v);
	for (size_t i = 0; X && i < r->n; i++)
		for (size_t j = i + 1; j < r->n; j++)
			dup += same_vec(X + i * sp->n_params, X + j * sp->n_params, sp->n_params);
	ok(X && dup == 0, "binary fcc 1..8: %zu structures, pairwise different cluster vectors",
	   r->n);
	for (size_t i = 0; X && i < r->n; i++) {
		size_t j;
		for (size_t k = 0; k < sp->n_params; k++)
			v[k] = X[i * sp->n_params + k] *
			       (sp->orbits[sp->param_orbit[k]].order % 2 ? -1.0 : 1.0);
		for (j = 0; j < i; j++)
			if (same_vec(v, X + j * sp->n_params, sp->n_params))
				break;
		if (j == i)
			classes[r->items[i].size - 1]++;
	}
	for (size_t k = 0; k < 8; k++) {
		same &= classes[k] == hf[k];
		if (classes[k] != hf[k])
			diag("size %zu: %zu classes, Hart-Forcade %zu", k + 1, classes[k], hf[k]);
	}
	ok(X && same, "binary fcc 2..8 up to exchanging species: 2, 3, 12, 14, 50, 52, 229 "
	   "(Hart-Forcade)");
	free(v);
	free(X);
	cewb_space_free(sp);
	cewb_enum_result_free(r);
	cewb_lattice_free(lat);
}

/* Written structures: ideal supercells, info keys, read back. */
static void check_structures(int reduce)
{
	cewb_lattice *lat = hcp();
	cewb_enum_result *r = run(lat, 1, 3, NULL, 0);
	cewb_structure **fr = calloc(r ? r->n : 1, sizeof *fr);
	cewb_frames back = { 0, NULL };
	cewb_error err;
	char path[] = "/tmp/cewb-enum-XXXXXX";
	size_t bad = 0, n_ok = 0;
	int fd = mkstemp(path);

	for (size_t k = 0; r && k < r->n; k++) {
		fr[k] = cewb_enum_structure(lat, &r->items[k], k, reduce, &err);
		if (!fr[k])
			diag("structure %zu: %s", k, err.message);
	}
	close(fd);
	if (!r || cewb_extxyz_write(path, fr, r->n, &err) || cewb_extxyz_read(path, &back, &err)) {
		ok(0, "write and read back");
		diag("%s", err.message);
	} else {
		ok(back.n == r->n, "hcp 1..3: %zu frames read back", back.n);
		if (reduce)
			check_reduced(lat, r);
		for (size_t k = 0; k < back.n && k < r->n; k++) {
			cewb_supercell *c = NULL;
			double size, index;
			const cewb_info *h = cewb_structure_info(back.frames[k], "hnf");
			int good = cewb_supercell_match(lat, back.frames[k], 1e-6, &c, &err) == 0;
			good = good && cewb_structure_info_real(back.frames[k], "size", &size,
								&err) == 0 &&
			       size == (double)r->items[k].size;
			good = good && cewb_structure_info_real(back.frames[k], "index", &index,
								&err) == 0 &&
			       index == (double)k;
			good = good && h && h->n == 9 && h->real;
			for (int i = 0; good && i < 9; i++)
				good = h->real[i] == (double)r->items[k].H[i / 3][i % 3];
			/* Same decoration: atoms of the matched supercell. */
			for (size_t a = 0; good && a < c->n_atoms; a++) {
				size_t site = (size_t)c->site_of[a], cell = (size_t)c->cell_of[a];
				int zr = back.frames[k]->numbers[a];
				cewb_supercell *c0 = NULL;
				if (cewb_supercell_from_matrix(lat, r->items[k].H, &c0, &err)) {
					good = 0;
					break;
				}
				/* Same offset in both numberings: compare by cell index. */
				size_t cell0 = cewb_supercell_cell_index(c0, c->offset_of[cell]);
				good = zr == r->items[k].numbers[cell0 * lat->n_sites + site];
				cewb_supercell_free(c0);
			}
			if (good)
				n_ok++;
			else if (bad++ < 3)
				diag("frame %zu: %s", k, err.message);
			cewb_supercell_free(c);
		}
		ok(bad == 0 && n_ok == r->n,
		   "%s cells: every frame is an ideal supercell of the lattice with its "
		   "decoration and info keys size, hnf, index", reduce ? "reduced" : "HNF");
	}
	unlink(path);
	cewb_frames_release(&back);
	for (size_t k = 0; r && k < r->n; k++)
		cewb_structure_free(fr[k]);
	free(fr);
	cewb_enum_result_free(r);
	cewb_lattice_free(lat);
}

/* Concentration limits: the limited run is the full run filtered. */
static void check_limits(void)
{
	cewb_lattice *lat = fcc("Ag,Pd,Au");
	const cewb_enum_limit lim[2] = { { 46, 0.25, 0.5 }, { 79, 0.0, 0.2 } };
	cewb_enum_result *all = run(lat, 1, 6, NULL, 0), *some = run(lat, 1, 6, lim, 2);
	size_t k = 0, match = 0, out_of = 0;

	for (size_t i = 0; all && some && i < all->n; i++) {
		const cewb_enum_item *it = &all->items[i];
		size_t npd = 0, nau = 0;
		for (size_t a = 0; a < it->n_atoms; a++) {
			npd += it->numbers[a] == 46;
			nau += it->numbers[a] == 79;
		}
		double xpd = (double)npd / (double)it->n_atoms;
		double xau = (double)nau / (double)it->n_atoms;
		if (xpd < 0.25 - 1e-12 || xpd > 0.5 + 1e-12 || xau > 0.2 + 1e-12)
			continue;
		if (k < some->n && some->items[k].n_atoms == it->n_atoms &&
		    memcmp(some->items[k].H, it->H, sizeof it->H) == 0 &&
		    memcmp(some->items[k].numbers, it->numbers,
			   it->n_atoms * sizeof *it->numbers) == 0)
			match++;
		else
			out_of++;
		k++;
	}
	ok(all && some && out_of == 0 && match == some->n && k == some->n,
	   "ternary fcc 1..6 with Pd 0.25:0.5, Au <= 0.2: %zu structures, the full list filtered",
	   some ? some->n : 0);
	cewb_enum_result_free(all);
	cewb_enum_result_free(some);
	cewb_lattice_free(lat);

	/* Fixed sites count in the concentration: rock salt with Pd <= 1/4 of
	 * all atoms is fcc with Pd <= 1/2 of the cations. */
	{
		cewb_lattice *rs = rocksalt(), *f = fcc("Ag,Pd");
		const cewb_enum_limit l1 = { 46, 0.0, 0.25 }, l2 = { 46, 0.0, 0.5 };
		cewb_enum_result *a = rs ? run(rs, 1, 6, &l1, 1) : NULL, *b = run(f, 1, 6, &l2, 1);
		ok(a && b && a->n == b->n && a->n > 0,
		   "rock salt Pd <= 0.25 of all atoms = fcc Pd <= 0.5: %zu and %zu",
		   a ? a->n : 0, b ? b->n : 0);
		cewb_enum_result_free(a);
		cewb_enum_result_free(b);
		cewb_lattice_free(rs);
		cewb_lattice_free(f);
	}
}

/* Order: sizes ascending, supercells ascending, decorations ascending. */
static void check_order(void)
{
	cewb_lattice *lat = fcc("Ag,Pd");
	cewb_enum_result *r = run(lat, 1, 8, NULL, 0), *r2 = run(lat, 1, 8, NULL, 0);
	size_t bad = 0, diff = 0;
	for (size_t k = 0; r && r2 && k < r->n; k++)
		diff += memcmp(r->items[k].numbers, r2->items[k].numbers,
			       r->items[k].n_atoms * sizeof(int)) != 0;
	/* Decorations compare atom by atom, species in the lattice's order
	 * (ascending atomic number). */
	for (size_t k = 1; r && k < r->n; k++) {
		const cewb_enum_item *p = &r->items[k - 1], *q = &r->items[k];
		if (q->size < p->size || (q->size == p->size && q->hnf_index < p->hnf_index)) {
			bad++;
			continue;
		}
		if (q->size == p->size && q->hnf_index == p->hnf_index) {
			size_t a = 0;
			while (a < q->n_atoms && q->numbers[a] == p->numbers[a])
				a++;
			if (a == q->n_atoms || q->numbers[a] < p->numbers[a])
				bad++;
		}
	}
	ok(r && bad == 0, "order: size, supercell, then decoration ascending");
	ok(r && r2 && r->n == r2->n && diff == 0, "two runs give the same list");
	/* SNF: d1 | d2 | d3 and the product is the size. */
	bad = 0;
	for (size_t k = 0; r && k < r->n; k++) {
		const int *d = r->items[k].snf;
		if (d[0] < 1 || d[1] % d[0] || d[2] % d[1] ||
		    (size_t)(d[0] * d[1] * d[2]) != r->items[k].size)
			bad++;
	}
	ok(r && bad == 0, "Smith normal forms: d1 | d2 | d3, product = size");
	cewb_enum_result_free(r);
	cewb_enum_result_free(r2);
	cewb_lattice_free(lat);
}

static int stop_at_third(void *data, size_t size, size_t k, size_t n_hnf, size_t n_found)
{
	int *calls = data;
	(void)size, (void)k, (void)n_hnf, (void)n_found;
	return ++*calls >= 3;
}

static void check_errors(void)
{
	cewb_lattice *lat = fcc("Ag,Pd"), *one = fcc(NULL);
	cewb_enum_options o;
	cewb_enum_result *r = NULL;
	cewb_error err;
	cewb_enum_limit l;
	int calls = 0, cu = 29, ag = 47;

	memset(&o, 0, sizeof o);
	o.min_size = 3;
	o.max_size = 2;
	ok(cewb_enum_run(lat, &o, &r, &err) == CEWB_EINVAL &&
	   !strcmp(err.message, "bad size range 3-2 (need 1 <= min <= max)"), "bad range: %s",
	   err.message);
	o.min_size = 0;
	o.max_size = 2;
	ok(cewb_enum_run(lat, &o, &r, &err) == CEWB_EINVAL, "size 0 refused");
	o.min_size = 1;
	o.species = &cu;
	o.n_species = 1;
	ok(cewb_enum_run(lat, &o, &r, &err) == CEWB_EINVAL &&
	   !strcmp(err.message, "species 'Cu' is not allowed on any site of the lattice"),
	   "unknown species: %s", err.message);
	o.species = &ag;
	ok(cewb_enum_run(lat, &o, &r, &err) == CEWB_EINVAL &&
	   !strcmp(err.message, "nothing to enumerate: no site allows two species"),
	   "one species left: %s", err.message);
	o.species = NULL;
	o.n_species = 0;
	ok(cewb_enum_run(one, &o, &r, &err) == CEWB_EINVAL &&
	   !strcmp(err.message, "nothing to enumerate: no site allows two species"),
	   "lattice without mixing: %s", err.message);
	l.z = 29, l.lo = 0, l.hi = 1;
	o.limits = &l;
	o.n_limits = 1;
	ok(cewb_enum_run(lat, &o, &r, &err) == CEWB_EINVAL &&
	   !strcmp(err.message, "concentration limit on 'Cu', which is not a species of the "
				"enumeration"), "limit on a foreign species: %s", err.message);
	l.z = 46, l.lo = 0.6, l.hi = 0.4;
	ok(cewb_enum_run(lat, &o, &r, &err) == CEWB_EINVAL &&
	   !strcmp(err.message, "concentration limit 0.6:0.4 on 'Pd' is not a range in [0, 1]"),
	   "reversed limit: %s", err.message);
	l.lo = -0.1, l.hi = 0.4;
	ok(cewb_enum_run(lat, &o, &r, &err) == CEWB_EINVAL, "negative limit refused");
	o.limits = NULL;
	o.n_limits = 0;
	o.max_size = 8;
	o.progress = stop_at_third;
	o.progress_data = &calls;
	ok(cewb_enum_run(lat, &o, &r, &err) == CEWB_EINTERRUPT &&
	   !strcmp(err.message, "enumeration stopped") && calls == 3 && r == NULL,
	   "progress callback stops the run: %s", err.message);
	o.progress = NULL;
	cewb_interrupt_flag = 1;
	ok(cewb_enum_run(lat, &o, &r, &err) == CEWB_EINTERRUPT && r == NULL,
	   "interrupt flag stops the run");
	cewb_interrupt_flag = 0;
	o.min_size = o.max_size = 31;
	ok(cewb_enum_run(lat, &o, &r, &err) == CEWB_EINVAL && strstr(err.message, "too large"),
	   "too many decorations: %s", err.message);
	cewb_lattice_free(lat);
	cewb_lattice_free(one);
}

int main(void)
{
	/* Reference counts of icet 3.0's enumerate_structures (Hart-Forcade
	 * without exchanging species, superperiodic decorations left out):
	 * 631 binary fcc structures of 1-8 atoms, 1081 ternary of 1-6.
	 * Distinct supercells of fcc/bcc/sc: Hart & Forcade 2008, Table I
	 * (fcc and bcc 1, 2, 3, 7, 5, 10, 7, 20; sc 1, 3, 3, 9, 5, 13). */
	static const size_t fcc2[8] = { 2, 2, 6, 19, 28, 80, 104, 390 };
	static const size_t fcc3[6] = { 3, 6, 21, 96, 165, 790 };
	static const size_t fcc_sc[8] = { 1, 2, 3, 7, 5, 10, 7, 20 };
	static const size_t sc_sc[6] = { 1, 3, 3, 9, 5, 13 };
	/* Square net: sublattices of index n up to the square's symmetry, 1, 2,
	 * 2, 4, 3, 5 (two-dimensional Hart-Forcade count). */
	static const size_t sq_sc[6] = { 1, 2, 2, 4, 3, 5 };
	/* Total Hermite normal forms of index n: sum over d | n of d sigma(d):
	 * 1, 7, 13, 35, 31, 91. */
	static const size_t n_hnf[6] = { 1, 7, 13, 35, 31, 91 };
	cewb_lattice *lat;
	int hnf_ok = 1;

	for (size_t n = 1; n <= 6; n++)
		hnf_ok &= cewb_enum_count_hnf(n, 0) == n_hnf[n - 1];
	ok(hnf_ok, "Hermite normal forms of index 1..6: 1, 7, 13, 35, 31, 91");
	ok(cewb_enum_count_hnf(4, 1) == 7 && cewb_enum_count_hnf(6, 1) == 12,
	   "two-dimensional ones of index 4 and 6: 7 and 12 (sigma(n))");

	lat = fcc("Ag,Pd");
	check_counts("binary fcc", lat, fcc2, 8, 631, fcc_sc);
	cewb_lattice_free(lat);
	lat = fcc("Ag,Pd,Au");
	check_counts("ternary fcc", lat, fcc3, 6, 1081, NULL);
	cewb_lattice_free(lat);
	/* bcc has the point group of fcc acting on a Bravais lattice: the same
	 * counts (Hart & Forcade 2008). */
	lat = bcc();
	check_counts("binary bcc", lat, fcc2, 8, 631, fcc_sc);
	cewb_lattice_free(lat);
	{
		/* sc: sizes 1-3 by hand (2 pure; AB in each of the 3 supercells
		 * of size 2; AAB and ABB in each of the 3 of size 3), the rest
		 * from this implementation, checked below by cluster vectors;
		 * supercells from Hart-Forcade. */
		static const size_t sc2[6] = { 2, 3, 6, 24, 28, 104 };
		lat = sc();
		check_counts("binary sc", lat, sc2, 6, 167, sc_sc);
		cewb_lattice_free(lat);
	}
	{
		/* Square net, two species: 2, 2, 4, 11, 16, 40 (this
		 * implementation; checked by cluster vectors below). */
		static const size_t sq2[6] = { 2, 2, 4, 11, 16, 40 };
		lat = square_slab();
		check_counts("binary square slab", lat, sq2, 6, 75, sq_sc);
		cewb_lattice_free(lat);
	}

	{
		const double fcc_cut[3] = { 9.0, 6.0, 4.0 };
		const double sc_cut[3] = { 9.5, 6.5, 4.5 };
		const double hcp_cut[3] = { 9.0, 6.0, 4.5 };
		lat = fcc("Ag,Pd");
		check_independent("binary fcc 1..6", lat, 6, fcc_cut, 3, 300);
		cewb_lattice_free(lat);
		lat = fcc("Ag,Pd,Au");
		check_independent("ternary fcc 1..4", lat, 4, fcc_cut, 2, 200);
		cewb_lattice_free(lat);
		lat = sc();
		check_independent("binary sc 1..5", lat, 5, sc_cut, 3, 200);
		cewb_lattice_free(lat);
		lat = hcp();
		check_independent("binary hcp 1..3", lat, 3, hcp_cut, 3, 200);
		cewb_lattice_free(lat);
		lat = square_slab();
		check_independent("binary square slab 1..6", lat, 6, sc_cut, 3, 200);
		cewb_lattice_free(lat);
		lat = rocksalt2();
		check_independent("rock salt Ag,Pd / O,vacancy 1..3", lat, 3, fcc_cut, 3, 200);
		cewb_lattice_free(lat);
	}
	check_exchange();
	check_structures(0);
	check_structures(1);
	{
		cewb_lattice *f = fcc("Ag,Pd");
		cewb_enum_result *r = run(f, 1, 8, NULL, 0);
		check_reduced(f, r);
		cewb_enum_result_free(r);
		cewb_lattice_free(f);
	}
	check_limits();
	check_order();
	check_errors();
	return done_testing();
}
