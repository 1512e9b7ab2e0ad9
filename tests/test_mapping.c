/*
 * test_mapping.c - mapping relaxed structures onto the lattice: ideal,
 * strained, displaced, permuted, vacancies, slabs; refused and ambiguous
 * cases; the Hungarian algorithm against brute force.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cewb/mapping.h"
#include "tap.h"

#define A_FCC 4.0
#define D_NN (A_FCC / sqrt(2.0))

/* Deterministic pseudo-random numbers in [0, 1). */
static unsigned long long rng = 88172645463325252ULL;
static double rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

/* A one-site lattice built by hand (the mapping reads only these fields). */
static cewb_lattice *make_lattice(const double cell[3][3], size_t n_sites,
				  const double (*pos)[3], const int pbc[3], const int *allowed,
				  size_t n_allowed)
{
	cewb_lattice *lat = calloc(1, sizeof(*lat));
	memcpy(lat->cell, cell, sizeof(lat->cell));
	memcpy(lat->pbc, pbc, sizeof(lat->pbc));
	double d = cell[0][0] * (cell[1][1] * cell[2][2] - cell[1][2] * cell[2][1]) -
		   cell[0][1] * (cell[1][0] * cell[2][2] - cell[1][2] * cell[2][0]) +
		   cell[0][2] * (cell[1][0] * cell[2][1] - cell[1][1] * cell[2][0]);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			int a0 = (j + 1) % 3, a1 = (j + 2) % 3, b0 = (i + 1) % 3, b1 = (i + 2) % 3;
			lat->inv[i][j] = (cell[a0][b0] * cell[a1][b1] - cell[a0][b1] * cell[a1][b0]) / d;
		}
	lat->n_sites = n_sites;
	lat->pos = malloc(sizeof(double[3]) * n_sites);
	memcpy(lat->pos, pos, sizeof(double[3]) * n_sites);
	lat->n_allowed = malloc(sizeof(size_t) * n_sites);
	lat->allowed = malloc(sizeof(int *) * n_sites);
	for (size_t s = 0; s < n_sites; s++) {
		lat->n_allowed[s] = n_allowed;
		lat->allowed[s] = malloc(sizeof(int) * n_allowed);
		memcpy(lat->allowed[s], allowed, sizeof(int) * n_allowed);
	}
	return lat;
}

/* Free a hand-built lattice. */
static void free_lattice(cewb_lattice *lat)
{
	for (size_t s = 0; s < lat->n_sites; s++)
		free(lat->allowed[s]);
	free(lat->allowed);
	free(lat->n_allowed);
	free(lat->pos);
	free(lat);
}

/* The fcc primitive lattice (a = 4 Å) with the given allowed species. */
static cewb_lattice *fcc_lattice(const int *allowed, size_t n_allowed)
{
	const double h = A_FCC / 2;
	const double cell[3][3] = { { 0, h, h }, { h, 0, h }, { h, h, 0 } };
	const double pos[1][3] = { { 0, 0, 0 } };
	const int pbc[3] = { 1, 1, 1 };
	return make_lattice(cell, 1, pos, pbc, allowed, n_allowed);
}

/* Ideal 2x2x2 conventional fcc cell (32 sites) with a random Ag/Pd decoration. */
static cewb_structure *fcc_32(void)
{
	cewb_structure *s = cewb_structure_alloc(32);
	const double basis[4][3] = { { 0, 0, 0 }, { 0, .5, .5 }, { .5, 0, .5 }, { .5, .5, 0 } };
	memset(s->cell, 0, sizeof(s->cell));
	for (int c = 0; c < 3; c++)
		s->cell[c][c] = 2 * A_FCC;
	size_t k = 0;
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			for (int l = 0; l < 2; l++)
				for (int b = 0; b < 4; b++) {
					s->pos[k][0] = (i + basis[b][0]) * A_FCC;
					s->pos[k][1] = (j + basis[b][1]) * A_FCC;
					s->pos[k][2] = (l + basis[b][2]) * A_FCC;
					s->numbers[k] = rnd() < 0.5 ? 46 : 47;
					k++;
				}
	for (int c = 0; c < 3; c++)
		s->pbc[c] = 1;
	return s;
}

/* Squared periodic distance between two positions in a cubic cell of edge L. */
static double cubic_dist2(const double a[3], const double b[3], double L)
{
	double d2 = 0;
	for (int c = 0; c < 3; c++) {
		double x = a[c] - b[c];
		x -= L * nearbyint(x / L);
		d2 += x * x;
	}
	return d2;
}

/* Does every atom land on the site of its ideal position with its species? */
static int same_decoration(const cewb_map_report *rep, const cewb_structure *ideal,
			   const int *perm, double L)
{
	for (size_t i = 0; i < rep->n_atoms; i++) {
		size_t orig = perm ? (size_t)perm[i] : i;
		int site = rep->site_of[i];
		if (cubic_dist2(rep->site_pos[site], ideal->pos[orig], L) > 1e-16)
			return 0;
		if (rep->site_number[site] != ideal->numbers[orig])
			return 0;
	}
	return 1;
}

/* Apply x -> x * F to the cell and positions of s (row vectors). */
static void deform(cewb_structure *s, const double F[3][3])
{
	for (int r = 0; r < 3; r++) {
		double x[3];
		for (int c = 0; c < 3; c++)
			x[c] = s->cell[r][0] * F[0][c] + s->cell[r][1] * F[1][c] + s->cell[r][2] * F[2][c];
		memcpy(s->cell[r], x, sizeof(x));
	}
	for (size_t i = 0; i < s->n_atoms; i++) {
		double x[3];
		for (int c = 0; c < 3; c++)
			x[c] = s->pos[i][0] * F[0][c] + s->pos[i][1] * F[1][c] + s->pos[i][2] * F[2][c];
		memcpy(s->pos[i], x, sizeof(x));
	}
}

/* Total cost of an assignment. */
static double total(const double *c, size_t n, const int *col)
{
	double t = 0;
	for (size_t i = 0; i < n; i++)
		t += c[i * n + (size_t)col[i]];
	return t;
}

/* Smallest cost over all permutations (Heap's algorithm), for n <= 8. */
static double brute_force(const double *c, size_t n)
{
	int p[8], cnt[8] = { 0 };
	for (size_t i = 0; i < n; i++)
		p[i] = (int)i;
	double best = total(c, n, p);
	size_t i = 1;
	while (i < n) {
		if (cnt[i] < (int)i) {
			size_t j = (i % 2) ? (size_t)cnt[i] : 0;
			int t = p[j];
			p[j] = p[i];
			p[i] = t;
			best = fmin(best, total(c, n, p));
			cnt[i]++;
			i = 1;
		} else {
			cnt[i] = 0;
			i++;
		}
	}
	return best;
}

/* Hungarian algorithm against brute force; dual feasibility. */
static void test_hungarian(void)
{
	cewb_error err;
	int worst_ok = 1, dual_ok = 1;
	for (int trial = 0; trial < 40; trial++) {
		size_t n = 1 + (size_t)trial % 7;
		double c[64], u[8], v[8];
		int col[8];
		for (size_t i = 0; i < n * n; i++)
			c[i] = trial % 3 ? floor(rnd() * 5) : rnd() * 10; /* ties on some trials */
		if (trial % 5 == 4)
			c[0] = 1e15; /* a forbidden pair */
		if (cewb_assign_hungarian(c, n, col, u, v, &err) != CEWB_OK)
			worst_ok = 0;
		int used[8] = { 0 };
		for (size_t i = 0; i < n; i++)
			used[col[i]]++;
		for (size_t j = 0; j < n; j++)
			if (used[j] != 1)
				worst_ok = 0;
		/* costs are small integers or sums of ten numbers below 10: exact
		 * to 1e-9 (the forbidden 1e15 is never chosen) */
		if (fabs(total(c, n, col) - brute_force(c, n)) > 1e-9)
			worst_ok = 0;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < n; j++) {
				double rc = c[i * n + j] - u[i] - v[j];
				if (rc < -1e-9 || ((int)j == col[i] && fabs(rc) > 1e-9))
					dual_ok = 0;
			}
	}
	ok(worst_ok, "hungarian: optimal on 40 random problems (brute force)");
	ok(dual_ok, "hungarian: duals feasible and tight on the assignment");
	ok(cewb_assign_hungarian(NULL, 0, NULL, NULL, NULL, &err) == CEWB_OK, "hungarian: n = 0");

	/* a larger problem: a shuffled identity must come back */
	enum { N = 60 };
	static double c[N * N];
	int perm[N], col[N];
	for (int i = 0; i < N; i++)
		perm[i] = i;
	for (int i = N - 1; i > 0; i--) {
		int j = (int)(rnd() * (i + 1));
		int t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	for (int i = 0; i < N; i++)
		for (int j = 0; j < N; j++)
			c[i * N + j] = j == perm[i] ? 0.0 : 1.0 + rnd();
	cewb_assign_hungarian(c, N, col, NULL, NULL, &err);
	ok(memcmp(col, perm, sizeof(perm)) == 0, "hungarian: 60 x 60 hidden permutation found");
}

/* An ideal decorated supercell maps to itself. */
static void test_ideal(void)
{
	const int agpd[] = { 46, 47 };
	cewb_lattice *lat = fcc_lattice(agpd, 2);
	cewb_structure *s = fcc_32();
	cewb_map_report rep;
	cewb_error err;
	ok(cewb_map_structure(lat, s, NULL, &rep, &err) == CEWB_OK, "ideal: mapped");
	is_string("ideal", cewb_map_status_name(rep.status), "ideal: status ideal");
	is_string("", rep.reason, "ideal: no reason");
	const int P[3][3] = { { -2, 2, 2 }, { 2, -2, 2 }, { 2, 2, -2 } };
	ok(memcmp(P, rep.P, sizeof(P)) == 0, "ideal: P = 2 * conventional matrix");
	is_int(32, (long)rep.n_sites, "ideal: 32 sites");
	is_int(0, (long)rep.n_vacancies, "ideal: no vacancies");
	is_double(0.0, rep.drmax, 1e-10, "ideal: drmax 0");
	is_double(0.0, rep.volumetric_strain, 1e-12, "ideal: no volumetric strain");
	is_double(0.0, rep.anisotropy, 1e-12, "ideal: no anisotropy");
	is_double(D_NN, rep.d_nn, 1e-12, "ideal: nearest-neighbour distance a/sqrt(2)");
	ok(same_decoration(&rep, s, NULL, 2 * A_FCC), "ideal: same decoration");
	ok(isfinite(rep.ambiguity) && rep.ambiguity > 0.5 * D_NN,
	   "ideal: not ambiguous (%.3f A)", rep.ambiguity);
	cewb_structure *id = cewb_map_ideal_structure(&rep);
	ok(id && id->n_atoms == 32 && fabs(id->cell[0][0] - 8) < 1e-12, "ideal structure built");
	int same = 1;
	for (size_t i = 0; id && i < 32; i++)
		same &= id->numbers[rep.site_of[i]] == s->numbers[i];
	ok(same, "ideal structure carries the decoration");
	cewb_structure_free(id);
	cewb_map_report_release(&rep);

	/* a single species: no other decoration exists */
	for (size_t i = 0; i < s->n_atoms; i++)
		s->numbers[i] = 47;
	cewb_map_structure(lat, s, NULL, &rep, &err);
	ok(isinf(rep.ambiguity), "one species: ambiguity infinite");
	cewb_map_report_release(&rep);
	cewb_structure_free(s);
	free_lattice(lat);
}

/* Strained, displaced, shifted and permuted structures map back. */
static void test_relaxed(void)
{
	const int agpd[] = { 46, 47 };
	cewb_lattice *lat = fcc_lattice(agpd, 2);
	cewb_structure *ideal = fcc_32();
	cewb_structure *s = cewb_structure_alloc(32);
	memcpy(s->cell, ideal->cell, sizeof(s->cell));
	memcpy(s->pbc, ideal->pbc, sizeof(s->pbc));
	int perm[32];
	for (int i = 0; i < 32; i++)
		perm[i] = i;
	for (int i = 31; i > 0; i--) {
		int j = (int)(rnd() * (i + 1));
		int t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	double shift[3] = { 0.13, -0.07, 0.21 };
	for (int i = 0; i < 32; i++) {
		for (int c = 0; c < 3; c++)
			s->pos[i][c] = ideal->pos[perm[i]][c] + shift[c] + 0.24 * (rnd() - 0.5);
		s->numbers[i] = ideal->numbers[perm[i]];
	}
	/* isotropic 4 % expansion and a 1 % shear */
	const double F[3][3] = { { 1.04, 0.01, 0 }, { 0, 1.04, 0 }, { 0, 0, 1.04 } };
	deform(s, F);
	cewb_map_report rep;
	cewb_error err;
	ok(cewb_map_structure(lat, s, NULL, &rep, &err) == CEWB_OK, "relaxed: mapped");
	is_string("mapped", cewb_map_status_name(rep.status), "relaxed: status mapped");
	ok(same_decoration(&rep, ideal, perm, 2 * A_FCC), "relaxed: same decoration");
	/* det F - 1 exactly; the stretches of F are those of the shear */
	is_double(1.04 * 1.04 * 1.04 - 1, rep.volumetric_strain, 1e-12, "relaxed: det F - 1");
	/* principal stretches of [[1.04,.01],[0,1.04]]: sqrt of the eigenvalues of F F^T */
	double a = 1.04 * 1.04 + 1e-4, b = 0.0104, dd = 1.04 * 1.04;
	double l1 = (a + dd) / 2 + sqrt((a - dd) * (a - dd) / 4 + b * b);
	double l2 = (a + dd) / 2 - sqrt((a - dd) * (a - dd) / 4 + b * b);
	is_double(sqrt(l1 / l2) - 1, rep.anisotropy, 1e-10, "relaxed: anisotropy from F");
	/* displacements are uniform in +-0.12 Å per axis, less the mean */
	ok(rep.drmax > 0.01 && rep.drmax < 0.12 * sqrt(3.0) + 0.05, "relaxed: drmax %.3f A",
	   rep.drmax);
	ok(rep.dravg > 0 && rep.dravg <= rep.drmax, "relaxed: dravg %.3f A", rep.dravg);
	cewb_map_report_release(&rep);

	/* tetragonal 10 % along z: warned for anisotropy, still the same decoration */
	const double T[3][3] = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1.1 } };
	cewb_structure *t = cewb_structure_copy(ideal);
	deform(t, T);
	ok(cewb_map_structure(lat, t, NULL, &rep, &err) == CEWB_OK, "tetragonal: mapped");
	is_string("warned", cewb_map_status_name(rep.status), "tetragonal: warned");
	is_string("strain anisotropy 0.100 beyond 0.050", rep.reason, "tetragonal: reason");
	is_double(0.1, rep.volumetric_strain, 1e-12, "tetragonal: volumetric strain 0.1");
	ok(same_decoration(&rep, ideal, NULL, 2 * A_FCC), "tetragonal: same decoration");
	cewb_map_report_release(&rep);

	/* thresholds are options: allow 15 % anisotropy and it maps cleanly */
	cewb_map_options opt;
	cewb_map_options_default(&opt);
	opt.warn_anisotropy = 0.15;
	cewb_map_structure(lat, t, &opt, &rep, &err);
	is_string("mapped", cewb_map_status_name(rep.status), "option: anisotropy threshold");
	cewb_map_report_release(&rep);
	cewb_structure_free(t);

	/* 50 % volume: refused */
	double g = cbrt(1.5);
	const double V[3][3] = { { g, 0, 0 }, { 0, g, 0 }, { 0, 0, g } };
	t = cewb_structure_copy(ideal);
	deform(t, V);
	is_int(CEWB_ENOFIT, cewb_map_structure(lat, t, NULL, &rep, &err), "volume: refused");
	is_string("refused", cewb_map_status_name(rep.status), "volume: status refused");
	is_string("volumetric strain 0.500 beyond 0.400", rep.reason, "volume: reason");
	is_string("cannot map: volumetric strain 0.500 beyond 0.400", err.message,
		  "volume: error message");
	ok(rep.P[0][0] == -2, "volume: P still found by scaling to the volume per atom");
	cewb_map_report_release(&rep);
	cewb_structure_free(t);

	/* one atom pushed 0.45 d_nn towards a neighbour: refused (max 0.40) */
	t = cewb_structure_copy(ideal);
	t->pos[0][1] += 0.45 * A_FCC / 2;
	t->pos[0][2] += 0.45 * A_FCC / 2;
	free(t->source);
	t->source = strdup("relaxed.xyz");
	t->frame = 7;
	is_int(CEWB_ENOFIT, cewb_map_structure(lat, t, NULL, &rep, &err), "drmax: refused");
	is_int(0, (long)rep.drmax_atom, "drmax: atom 0 named");
	ok(strstr(rep.reason, "atom 0 displaced") != NULL, "drmax: reason names the atom");
	ok(strncmp(err.message, "relaxed.xyz: frame 7: cannot map: atom 0 displaced", 50) == 0,
	   "drmax: message names file and frame");
	cewb_map_report_release(&rep);
	cewb_structure_free(t);

	cewb_structure_free(s);
	cewb_structure_free(ideal);
	free_lattice(lat);
}

/* Structures that must be refused: too many atoms, pbc, foreign species. */
static void test_refused(void)
{
	const int agpd[] = { 46, 47 };
	cewb_lattice *lat = fcc_lattice(agpd, 2);
	cewb_structure *ideal = fcc_32();
	cewb_map_report rep;
	cewb_error err;

	cewb_structure *t = cewb_structure_alloc(33);
	memcpy(t->cell, ideal->cell, sizeof(t->cell));
	memcpy(t->pbc, ideal->pbc, sizeof(t->pbc));
	memcpy(t->pos, ideal->pos, sizeof(double[3]) * 32);
	memcpy(t->numbers, ideal->numbers, sizeof(int) * 32);
	t->pos[32][0] = t->pos[32][1] = t->pos[32][2] = A_FCC / 2; /* octahedral hole */
	t->numbers[32] = 47;
	is_int(CEWB_ENOFIT, cewb_map_structure(lat, t, NULL, &rep, &err), "33 atoms: refused");
	is_string("33 atoms but the supercell has only 32 sites", rep.reason, "33 atoms: reason");
	cewb_map_report_release(&rep);
	cewb_structure_free(t);

	t = cewb_structure_copy(ideal);
	t->pbc[2] = 0;
	is_int(CEWB_ENOFIT, cewb_map_structure(lat, t, NULL, &rep, &err), "pbc: refused");
	is_string("cannot map: pbc (T T F) differs from the lattice (T T T)", err.message,
		  "pbc: message");
	cewb_map_report_release(&rep);
	cewb_structure_free(t);

	t = cewb_structure_copy(ideal);
	t->numbers[5] = 29;
	is_int(CEWB_ENOFIT, cewb_map_structure(lat, t, NULL, &rep, &err), "Cu: refused");
	is_string("atom 5 (Cu) finds no free site that allows it", rep.reason, "Cu: reason");
	cewb_map_report_release(&rep);

	t->n_atoms = 30; /* two atoms missing, no vacancies allowed */
	t->numbers[5] = 46;
	is_int(CEWB_ENOFIT, cewb_map_structure(lat, t, NULL, &rep, &err), "30 atoms: refused");
	is_string("30 atoms for 32 sites and the lattice allows no vacancies", rep.reason,
		  "30 atoms: reason");
	cewb_map_report_release(&rep);
	t->n_atoms = 0;
	is_int(CEWB_EINVAL, cewb_map_structure(lat, t, NULL, &rep, &err), "no atoms: EINVAL");
	is_string("cannot map a structure without atoms", err.message, "no atoms: message");
	cewb_map_report_release(&rep);
	t->n_atoms = 32;
	cewb_structure_free(t);
	cewb_structure_free(ideal);
	free_lattice(lat);
}

/* Vacancies fill the sites left over; an atom half way to a vacancy is ambiguous. */
static void test_vacancies(void)
{
	const int xagpd[] = { 0, 46, 47 };
	cewb_lattice *lat = fcc_lattice(xagpd, 3);
	cewb_structure *ideal = fcc_32();
	cewb_structure *t = cewb_structure_copy(ideal);
	cewb_map_report rep;
	cewb_error err;
	/* drop atoms 3 and 17 (move the last two into their places) */
	memcpy(t->pos[3], ideal->pos[31], sizeof(double[3]));
	t->numbers[3] = ideal->numbers[31];
	memcpy(t->pos[17], ideal->pos[30], sizeof(double[3]));
	t->numbers[17] = ideal->numbers[30];
	t->n_atoms = 30;
	/* relaxed volume: the volume per atom is kept, 30 atoms' worth */
	double g = cbrt(30.0 / 32.0);
	const double V[3][3] = { { g, 0, 0 }, { 0, g, 0 }, { 0, 0, g } };
	deform(t, V);
	ok(cewb_map_structure(lat, t, NULL, &rep, &err) == CEWB_OK, "vacancies: mapped");
	is_int(32, (long)rep.n_sites, "vacancies: 32 sites");
	is_int(2, (long)rep.n_vacancies, "vacancies: 2 vacancies");
	int vac_ok = 1;
	for (size_t j = 0; j < rep.n_sites; j++) {
		int is_vac = cubic_dist2(rep.site_pos[j], ideal->pos[3], 8) < 1e-12 ||
			     cubic_dist2(rep.site_pos[j], ideal->pos[17], 8) < 1e-12;
		if (is_vac != (rep.site_number[j] == 0))
			vac_ok = 0;
	}
	ok(vac_ok, "vacancies: exactly the emptied sites hold species 0");
	is_double(30.0 / 32.0 - 1, rep.volumetric_strain, 1e-12, "vacancies: volumetric strain");
	cewb_map_report_release(&rep);
	cewb_structure_free(t);

	/* atom 0 moved 0.45 d_nn towards the vacant site 3 at (.5, .5, 0) a */
	t = cewb_structure_copy(ideal);
	memcpy(t->pos[3], ideal->pos[31], sizeof(double[3]));
	t->numbers[3] = ideal->numbers[31];
	t->n_atoms = 31;
	const double delta = 0.45 * D_NN;
	t->pos[0][0] += delta / sqrt(2.0);
	t->pos[0][1] += delta / sqrt(2.0);
	cewb_map_options opt;
	cewb_map_options_default(&opt);
	opt.max_drmax = 0.6;
	ok(cewb_map_structure(lat, t, &opt, &rep, &err) == CEWB_OK, "ambiguous: mapped");
	is_string("warned", cewb_map_status_name(rep.status), "ambiguous: warned");
	ok(strstr(rep.reason, "ambiguous: another decoration costs only") != NULL,
	   "ambiguous: reason says so (%s)", rep.reason);
	/* after removing the mean shift (delta / 31 along the bond) the atom sits
	 * delta' = 30/31 delta from its site: the gap is d^2 - 2 d delta' */
	double dp = delta * 30.0 / 31.0;
	is_double(sqrt(D_NN * D_NN - 2 * D_NN * dp), rep.ambiguity, 1e-9,
		  "ambiguous: gap sqrt(d^2 - 2 d delta')");
	cewb_map_report_release(&rep);

	/* ambiguity search switched off by size */
	opt.max_ambiguity_sites = 16;
	cewb_map_structure(lat, t, &opt, &rep, &err);
	ok(isnan(rep.ambiguity), "ambiguity not computed above max_ambiguity_sites");
	cewb_map_report_release(&rep);
	cewb_structure_free(t);
	cewb_structure_free(ideal);
	free_lattice(lat);
}

/* A two-layer slab (pbc T T F): in-plane strain only, heights kept. */
static void test_slab(void)
{
	const double a = 3.0;
	const double cell[3][3] = { { a, 0, 0 }, { 0, a, 0 }, { 0, 0, 30 } };
	const double pos[2][3] = { { 0, 0, 10 }, { a / 2, a / 2, 10 + a / 2 } };
	const int pbc[3] = { 1, 1, 0 };
	const int agpd[] = { 46, 47 };
	cewb_lattice *lat = make_lattice(cell, 2, pos, pbc, agpd, 2);
	cewb_structure *s = cewb_structure_alloc(8);
	s->pbc[2] = 0;
	const double e = 1.02;
	s->cell[0][0] = 2 * a * e;
	s->cell[1][1] = 2 * a * e;
	s->cell[2][2] = 18; /* vacuum of any size */
	size_t k = 0;
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			for (int l = 0; l < 2; l++) {
				s->pos[k][0] = (i * a + pos[l][0]) * e;
				s->pos[k][1] = (j * a + pos[l][1]) * e;
				s->pos[k][2] = pos[l][2] + (l ? -0.05 : 0.03);
				s->numbers[k] = (k % 3) ? 46 : 47;
				k++;
			}
	cewb_map_report rep;
	cewb_error err;
	ok(cewb_map_structure(lat, s, NULL, &rep, &err) == CEWB_OK, "slab: mapped");
	const int P[3][3] = { { 2, 0, 0 }, { 0, 2, 0 }, { 0, 0, 1 } };
	ok(memcmp(P, rep.P, sizeof(P)) == 0, "slab: P = diag(2, 2, 1)");
	is_double(e * e - 1, rep.volumetric_strain, 1e-12, "slab: area strain");
	is_double(0.0, rep.anisotropy, 1e-12, "slab: no anisotropy in the plane");
	/* heights off by +0.03 / -0.05, mean -0.01 removed: 0.04 Å each */
	is_double(0.04, rep.drmax, 1e-12, "slab: drmax from the heights");
	int dec = 1;
	for (size_t i = 0; i < 8; i++) {
		int site = rep.site_of[i];
		dec &= rep.site_prim[site] == (int)(i % 2) && rep.site_number[site] == s->numbers[i];
	}
	ok(dec, "slab: each atom on its layer with its species");
	cewb_map_report_release(&rep);
	cewb_map_report_release(NULL);
	cewb_structure_free(s);
	free_lattice(lat);
}


/* bcc: a 2x2x2 conventional cell (16 sites), strained, displaced, permuted. */
static void test_bcc(void)
{
	const double a = 3.0, h = a / 2;
	const double cell[3][3] = { { -h, h, h }, { h, -h, h }, { h, h, -h } };
	const double pos[1][3] = { { 0, 0, 0 } };
	const int pbc[3] = { 1, 1, 1 };
	const int feco[] = { 26, 27 };
	cewb_lattice *lat = make_lattice(cell, 1, pos, pbc, feco, 2);
	cewb_structure *ideal = cewb_structure_alloc(16);
	for (int c = 0; c < 3; c++)
		ideal->cell[c][c] = 2 * a;
	size_t k = 0;
	for (int i = 0; i < 2; i++)
		for (int j = 0; j < 2; j++)
			for (int l = 0; l < 2; l++)
				for (int b = 0; b < 2; b++) {
					ideal->pos[k][0] = (i + 0.5 * b) * a;
					ideal->pos[k][1] = (j + 0.5 * b) * a;
					ideal->pos[k][2] = (l + 0.5 * b) * a;
					ideal->numbers[k] = rnd() < 0.5 ? 26 : 27;
					k++;
				}
	int perm[16];
	for (int i = 0; i < 16; i++)
		perm[i] = (i * 7 + 3) % 16;
	cewb_structure *s = cewb_structure_alloc(16);
	memcpy(s->cell, ideal->cell, sizeof(s->cell));
	for (int i = 0; i < 16; i++) {
		for (int c = 0; c < 3; c++)
			s->pos[i][c] = ideal->pos[perm[i]][c] + 0.16 * (rnd() - 0.5);
		s->numbers[i] = ideal->numbers[perm[i]];
	}
	const double F[3][3] = { { 0.98, 0, 0 }, { 0, 0.98, 0.005 }, { 0, 0, 0.99 } };
	deform(s, F);
	cewb_map_report rep;
	cewb_error err;
	ok(cewb_map_structure(lat, s, NULL, &rep, &err) == CEWB_OK, "bcc: mapped");
	const int P[3][3] = { { 0, 2, 2 }, { 2, 0, 2 }, { 2, 2, 0 } };
	ok(memcmp(P, rep.P, sizeof(P)) == 0, "bcc: P = 2 * conventional matrix");
	is_double(a * sqrt(3.0) / 2, rep.d_nn, 1e-12, "bcc: d_nn = a sqrt(3) / 2");
	ok(same_decoration(&rep, ideal, perm, 2 * a), "bcc: same decoration");
	is_double(0.98 * 0.98 * 0.99 - 1, rep.volumetric_strain, 1e-12, "bcc: det F - 1");
	cewb_map_report_release(&rep);
	cewb_structure_free(s);
	cewb_structure_free(ideal);
	free_lattice(lat);
}

/* Two sublattices: metals on site 0 (Ag, Pd), hydrogen or vacancies on the
 * octahedral site 1 (X, H); vacancies only where the list allows them. */
static void test_sublattices(void)
{
	const double h = A_FCC / 2;
	const double cell[3][3] = { { 0, h, h }, { h, 0, h }, { h, h, 0 } };
	const double pos[2][3] = { { 0, 0, 0 }, { h, 0, 0 } };
	const int pbc[3] = { 1, 1, 1 };
	cewb_lattice *lat = make_lattice(cell, 2, pos, pbc, (const int[]){ 46, 47 }, 2);
	lat->n_allowed[1] = 2;
	lat->allowed[1][0] = 0;
	lat->allowed[1][1] = 1;
	/* 2x2x2 conventional cubes: 32 metal and 32 octahedral sites; 29 H */
	cewb_structure *ideal = fcc_32();
	cewb_structure *s = cewb_structure_alloc(61);
	memcpy(s->cell, ideal->cell, sizeof(s->cell));
	for (int c = 0; c < 3; c++)
		s->pbc[c] = 1;
	size_t n = 0;
	for (int i = 0; i < 32; i++) {
		memcpy(s->pos[n], ideal->pos[i], sizeof(double[3]));
		s->numbers[n++] = ideal->numbers[i];
	}
	for (int i = 0; i < 32; i++) {
		if (i == 4 || i == 9 || i == 30)
			continue; /* three empty octahedral sites */
		for (int c = 0; c < 3; c++)
			s->pos[n][c] = ideal->pos[i][c] + (c == 0 ? h : 0);
		s->numbers[n++] = 1;
	}
	/* reverse the atom order and displace a little */
	for (size_t i = 0; i < n / 2; i++) {
		double t[3];
		int z = s->numbers[i];
		memcpy(t, s->pos[i], sizeof(t));
		memcpy(s->pos[i], s->pos[n - 1 - i], sizeof(t));
		memcpy(s->pos[n - 1 - i], t, sizeof(t));
		s->numbers[i] = s->numbers[n - 1 - i];
		s->numbers[n - 1 - i] = z;
	}
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < 3; c++)
			s->pos[i][c] += 0.1 * (rnd() - 0.5);
	cewb_map_report rep;
	cewb_error err;
	ok(cewb_map_structure(lat, s, NULL, &rep, &err) == CEWB_OK, "sublattices: mapped (%s)",
	   rep.reason);
	is_int(64, (long)rep.n_sites, "sublattices: 64 sites");
	is_int(3, (long)rep.n_vacancies, "sublattices: 3 vacancies");
	int sub_ok = 1, vac_ok = 1;
	for (size_t j = 0; j < rep.n_sites; j++) {
		int z = rep.site_number[j];
		if (rep.site_prim[j] == 0)
			sub_ok &= z == 46 || z == 47;
		else
			sub_ok &= z == 0 || z == 1;
		if (z == 0) {
			double empty[3][3];
			for (int e = 0, k = 0; e < 32; e++)
				if (e == 4 || e == 9 || e == 30) {
					memcpy(empty[k], ideal->pos[e], sizeof(double[3]));
					empty[k++][0] += h;
				}
			int found = 0;
			for (int e = 0; e < 3; e++)
				found |= cubic_dist2(rep.site_pos[j], empty[e], 8) < 1e-12;
			vac_ok &= found;
		}
	}
	ok(sub_ok, "sublattices: metals and hydrogen each on their own sublattice");
	ok(vac_ok, "sublattices: the vacancies are the emptied octahedral sites");
	cewb_map_report_release(&rep);
	cewb_structure_free(s);
	cewb_structure_free(ideal);
	free_lattice(lat);
}

int main(void)
{
	test_hungarian();
	test_ideal();
	test_relaxed();
	test_refused();
	test_vacancies();
	test_slab();
	test_bcc();
	test_sublattices();
	return done_testing();
}
