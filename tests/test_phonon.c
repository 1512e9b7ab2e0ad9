/*
 * test_phonon.c - harmonic phonons (cewb/phonon.h) against analytic models.
 *
 * The main model is fcc with central nearest-neighbour springs k: every
 * one of the 12 neighbours at d = a/2 (+-1, +-1, 0) (and permutations),
 * e = d/|d|, gives the block Phi(0, d) = -k e e^T and the self term is
 * k sum e e^T = 4 k I (acoustic sum rule).  Then
 *
 *	D(k) = (k/m) sum_d e e^T (1 - cos(k.d))
 *
 * With k in units of 2 pi / a:
 *   X = (0,1,0): k.d = pi d_y; the 8 neighbours with d_y != 0 give 2, so
 *       D = (k/m) diag(4, 8, 4): w^2 = 8 k/m (longitudinal), 4 k/m twice.
 *   L = (1/2,1/2,1/2): only +-(1,1,0), +-(1,0,1), +-(0,1,1) give 2, so
 *       D = (2k/m) [[2,1,1],[1,2,1],[1,1,2]]: w^2 = 8 k/m, 2 k/m twice.
 *   W = (1/2,1,0): (+-1,+-1,0) give 1, (+-1,0,+-1) give 2, (0,+-1,+-1)
 *       give 1, so D = (k/m) diag(6, 4, 6): w^2 = 6 k/m twice, 4 k/m.
 * In the primitive reciprocal basis (a1 = a/2 (0,1,1), ...) these are
 * X = (1/2, 0, 1/2), L = (1/2, 1/2, 1/2), W = (1/2, 1/4, 3/4).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cewb/phonon.h"
#include "tap.h"

#define A 4.0		/* lattice parameter (Å) */
#define K 1.5		/* spring constant (eV/Å^2) */
#define MASS 27.0	/* amu */

static const double fcc_cell[3][3] = { { 0, A / 2, A / 2 }, { A / 2, 0, A / 2 },
				       { A / 2, A / 2, 0 } };

/* Frequency (THz) of w^2 = c k / m. */
static double nu(double c)
{
	return sqrt(c * K / MASS) * CEWB_PHONON_THZ;
}

/*
 * Nearest-neighbour springs on the fcc lattice described by cell (rows)
 * with n atoms at pos: blocks to every neighbour at distance A/sqrt 2 and
 * the self terms from the sum rule.
 */
static cewb_fc2 *spring_model(const double cell[3][3], size_t n, const double (*pos)[3])
{
	cewb_fc2 *fc = cewb_fc2_alloc(n);
	double dnn = A / sqrt(2.0);
	memcpy(fc->cell, cell, sizeof fc->cell);
	for (size_t i = 0; i < n; i++) {
		memcpy(fc->pos[i], pos[i], sizeof fc->pos[i]);
		fc->numbers[i] = 13;
		fc->masses[i] = MASS;
	}
	for (size_t i = 0; i < n; i++) {
		double self[3][3] = { { 0 } };
		for (size_t j = 0; j < n; j++)
			for (int r0 = -2; r0 <= 2; r0++)
				for (int r1 = -2; r1 <= 2; r1++)
					for (int r2 = -2; r2 <= 2; r2++) {
						int R[3] = { r0, r1, r2 };
						double d[3], phi[3][3];
						for (int x = 0; x < 3; x++)
							d[x] = pos[j][x] - pos[i][x] +
							       r0 * cell[0][x] + r1 * cell[1][x] +
							       r2 * cell[2][x];
						double len = sqrt(d[0] * d[0] + d[1] * d[1] +
								  d[2] * d[2]);
						if (fabs(len - dnn) > 1e-9)
							continue;
						for (int x = 0; x < 3; x++)
							for (int y = 0; y < 3; y++) {
								phi[x][y] = -K * d[x] * d[y] /
									    (len * len);
								self[x][y] -= phi[x][y];
							}
						cewb_fc2_add(fc, i, j, R, phi);
					}
		int R0[3] = { 0, 0, 0 };
		cewb_fc2_add(fc, i, i, R0, self);
	}
	return fc;
}

/* The one-atom fcc spring model. */
static cewb_fc2 *fcc_model(void)
{
	const double pos[1][3] = { { 0, 0, 0 } };
	return spring_model(fcc_cell, 1, pos);
}

/* One atom per cell held by a spring kE to its site only (Einstein). */
static cewb_fc2 *einstein_model(const double cell[3][3], double kE)
{
	cewb_fc2 *fc = cewb_fc2_alloc(1);
	double phi[3][3] = { { kE, 0, 0 }, { 0, kE, 0 }, { 0, 0, kE } };
	int R0[3] = { 0, 0, 0 };
	memcpy(fc->cell, cell, sizeof fc->cell);
	fc->numbers[0] = 13;
	fc->masses[0] = MASS;
	cewb_fc2_add(fc, 0, 0, R0, phi);
	return fc;
}

/* Cartesian length (1/Å, no 2 pi) of reduced q in the basis of cell. */
static double klen(const double cell[3][3], const double q[3])
{
	double inv[3][3], k[3];
	cewb_cell_inverse(cell, inv, NULL);
	for (int x = 0; x < 3; x++)
		k[x] = inv[x][0] * q[0] + inv[x][1] * q[1] + inv[x][2] * q[2];
	return sqrt(k[0] * k[0] + k[1] * k[1] + k[2] * k[2]);
}

/* Check the three frequencies at q against sqrt(c_i k/m) (ascending c). */
static void check_freq(const cewb_fc2 *fc, double q0, double q1, double q2, double c0,
		       double c1, double c2, const char *name)
{
	double q[3] = { q0, q1, q2 }, f[3];
	cewb_error err;
	int st = cewb_phonon_frequencies(fc, q, f, NULL, &err);
	double want[3] = { nu(c0), nu(c1), nu(c2) };
	double dev = 0;
	for (int k = 0; k < 3; k++)
		dev = fmax(dev, fabs(f[k] - want[k]));
	/* Roundoff only: a few ulps of frequencies near 10 THz. */
	ok(st == CEWB_OK && dev < 1e-12, "%s: %.6f %.6f %.6f THz analytic", name, f[0], f[1], f[2]);
	if (dev >= 1e-12)
		diag("want %.12f %.12f %.12f", want[0], want[1], want[2]);
}

/* First index of the ascending f (n) with f[i] >= x. */
static size_t lower_bound_test(const double *f, size_t n, double x)
{
	size_t i = 0;
	while (i < n && f[i] < x)
		i++;
	return i;
}

/* Label k of the path (NULL if beyond). */
static const char *path_string(const cewb_phonon_label *lab, size_t n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		size_t l = strlen(buf);
		snprintf(buf + l, len - l, "%s%s", k ? " " : "", lab[k].label);
	}
	return buf;
}

static void test_constants(void)
{
	/* phonopy's VaspToTHz (CODATA 2006 based) is 15.633302; CODATA 2018
	 * moves it by 1.2e-7 relative. */
	is_double(15.633302, CEWB_PHONON_THZ, 5e-6, "THz per sqrt(eV/Å^2/amu)");
	/* R = k_B N_A = 8.314462618 J/K/mol (exact in SI 2019). */
	is_double(8.314462618, CEWB_PHONON_KB_EV * CEWB_PHONON_EV_J_MOL, 1e-8,
		  "k_B times eV per mole is the gas constant");
}

static void test_fcc_points(void)
{
	cewb_fc2 *fc = fcc_model();
	double f[3], q0[3] = { 0, 0, 0 };
	cewb_error err;

	is_int(13, (long)fc->n_blocks, "fcc spring model: 12 neighbours and the self term");
	ok(cewb_phonon_frequencies(fc, q0, f, NULL, &err) == CEWB_OK, "frequencies at Γ");
	/* D(Γ) = 0 up to roundoff eps |D| ~ 1e-16 k/m: frequencies below
	 * sqrt(1e-15) * 15.6 THz ~ 5e-7 THz. */
	ok(fabs(f[0]) < 1e-6 && fabs(f[1]) < 1e-6 && fabs(f[2]) < 1e-6,
	   "acoustic sum rule: three zero modes at Γ (%.1e %.1e %.1e THz)", f[0], f[1], f[2]);
	check_freq(fc, 0.5, 0, 0.5, 4, 4, 8, "X (1/2,0,1/2)");
	check_freq(fc, 0.5, 0.5, 0.5, 2, 2, 8, "L (1/2,1/2,1/2)");
	check_freq(fc, 0.5, 0.25, 0.75, 4, 6, 6, "W (1/2,1/4,3/4)");
	/* Periodicity: q and q + G give the same matrix. */
	check_freq(fc, 1.5, -1, 0.5, 4, 4, 8, "X + (1,-1,0)");

	/* D Hermitian, and D(-q) = conj D(q) for real force constants. */
	double q[3] = { 0.123, -0.377, 0.291 }, mq[3] = { -0.123, 0.377, -0.291 };
	double D[18], Dm[18], herm = 0, tr = 0;
	cewb_phonon_dynmat(fc, q, D, &err);
	cewb_phonon_dynmat(fc, mq, Dm, &err);
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 3; c++) {
			const double *e = D + 2 * (3 * r + c), *t = D + 2 * (3 * c + r);
			herm = fmax(herm, fabs(e[0] - t[0]) + fabs(e[1] + t[1]));
			tr = fmax(tr, fabs(e[0] - Dm[2 * (3 * r + c)]) +
					      fabs(e[1] + Dm[2 * (3 * r + c) + 1]));
		}
	ok(herm == 0.0, "D(q) is Hermitian");
	/* Sums of 13 terms of size k/m: a few ulps. */
	ok(tr < 1e-14, "D(-q) is the conjugate of D(q) (%.1e)", tr);

	/* Eigenvectors: D v = w^2 v with the frequencies returned. */
	double ev[18], fr[3], res = 0;
	cewb_phonon_frequencies(fc, q, fr, ev, &err);
	for (int c = 0; c < 3; c++) {
		double l = fr[c] / CEWB_PHONON_THZ;
		l = l * fabs(l);
		for (int r = 0; r < 3; r++) {
			double re = 0, im = 0;
			for (int k = 0; k < 3; k++) {
				double a = D[2 * (3 * r + k)], b = D[2 * (3 * r + k) + 1];
				double x = ev[2 * (3 * k + c)], y = ev[2 * (3 * k + c) + 1];
				re += a * x - b * y;
				im += a * y + b * x;
			}
			res = fmax(res, fabs(re - l * ev[2 * (3 * r + c)]) +
						fabs(im - l * ev[2 * (3 * r + c) + 1]));
		}
	}
	ok(res < 1e-13, "eigenvectors satisfy D v = w^2 v (%.1e)", res);
	cewb_fc2_free(fc);
}

/* The fcc model on its conventional 4-atom cell: Γ holds Γ and the three X. */
static void test_four_atoms(void)
{
	const double cub[3][3] = { { A, 0, 0 }, { 0, A, 0 }, { 0, 0, A } };
	const double pos[4][3] = { { 0, 0, 0 }, { 0, A / 2, A / 2 }, { A / 2, 0, A / 2 },
				   { A / 2, A / 2, 0 } };
	cewb_fc2 *fc = spring_model(cub, 4, pos);
	double f[12], q[3] = { 0, 0, 0 };
	double want[12] = { 0, 0, 0, nu(4), nu(4), nu(4), nu(4), nu(4), nu(4),
			    nu(8), nu(8), nu(8) };
	cewb_error err;
	int st = cewb_phonon_frequencies(fc, q, f, NULL, &err);
	double dev = 0;
	for (int k = 0; k < 12; k++)
		dev = fmax(dev, fabs(f[k] - want[k]));
	/* The zero modes carry sqrt(roundoff) ~ 1e-7 THz, the rest ulps. */
	ok(st == CEWB_OK && dev < 1e-6, "4-atom cubic cell at Γ: Γ and the X modes folded (%.1e)",
	   dev);
	/* Its L point, (1/2,1/2,1/2) of the cube, folds L and three more L points. */
	double ql[3] = { 0.5, 0.5, 0.5 };
	st = cewb_phonon_frequencies(fc, ql, f, NULL, &err);
	double wl[12] = { nu(2), nu(2), nu(2), nu(2), nu(2), nu(2), nu(2), nu(2),
			  nu(8), nu(8), nu(8), nu(8) };
	dev = 0;
	for (int k = 0; k < 12; k++)
		dev = fmax(dev, fabs(f[k] - wl[k]));
	ok(st == CEWB_OK && dev < 1e-12, "4-atom cubic cell at R: the four L points (%.1e)", dev);

	/* The path of the conventional cell is still the fcc one. */
	char lat[16], path[64], buf[128];
	cewb_phonon_label *lab;
	size_t n;
	st = cewb_phonon_path(fc->cell, 4, (const double(*)[3])fc->pos, fc->numbers, 1e-5, lat,
			      path, &lab, &n, &err);
	ok(st == CEWB_OK && strcmp(lat, "fcc") == 0, "4-atom cubic cell is recognised as fcc");
	int found = 0;
	for (size_t k = 0; st == CEWB_OK && k < n; k++)
		if (strcmp(lab[k].label, "X") == 0)
			found = fabs(lab[k].q[0]) < 1e-12 && fabs(lab[k].q[1] - 1) < 1e-12 &&
				fabs(lab[k].q[2]) < 1e-12;
	ok(found, "its X point is (0,1,0) of the cube (%s)", path_string(lab, n, buf, sizeof buf));
	if (st == CEWB_OK)
		free(lab);
	cewb_fc2_free(fc);
}

/* Expected |k| (1/Å) of every label of a path. */
struct want_len {
	const char *label;
	double len;
};

/* Check the lattice type and the lengths of the path points of cell. */
static void check_path(const double cell[3][3], const char *lattice, const char *labels,
		       const struct want_len *w, const char *name)
{
	cewb_fc2 *fc = einstein_model(cell, 1.0);
	cewb_phonon_bands b;
	cewb_error err;
	char buf[128];
	int st = cewb_phonon_bands_compute(fc, 11, 1e-5, &b, &err);
	ok(st == CEWB_OK && strcmp(b.lattice, lattice) == 0, "%s: %s path", name, lattice);
	if (st) {
		diag("%s", err.message);
		cewb_fc2_free(fc);
		return;
	}
	is_string(labels, path_string(b.labels, b.n_labels, buf, sizeof buf), "path labels");
	double dev = 0;
	for (size_t k = 0; k < b.n_labels; k++)
		for (const struct want_len *p = w; p->label; p++)
			if (b.labels[k].label[0] == p->label[0])
				dev = fmax(dev, fabs(klen(cell, b.labels[k].q) - p->len));
	/* Exact rational points through spglib's transformation (1e-12 of 1/Å). */
	ok(dev < 1e-10, "%s: high-symmetry points at their distances from Γ (%.1e)", name, dev);
	/* Einstein model: every frequency equals sqrt(kE/m). */
	double fe = sqrt(1.0 / MASS) * CEWB_PHONON_THZ, fd = 0;
	for (size_t p = 0; p < b.n_points * b.n_modes; p++)
		fd = fmax(fd, fabs(b.freq[p] - fe));
	ok(fd < 1e-12 && b.n_modes == 3, "%s: flat Einstein bands at %.4f THz", name, fe);
	cewb_phonon_bands_release(&b);
	cewb_fc2_free(fc);
}

static void test_paths(void)
{
	/* fcc in a rotated frame and with another primitive basis (a1, a1+a2, a3). */
	double rot[3][3], c = cos(0.7), s = sin(0.7), ax[3] = { 1, 2, 3 }, cell[3][3];
	double nrm = sqrt(14.0);
	for (int x = 0; x < 3; x++)
		ax[x] /= nrm;
	for (int x = 0; x < 3; x++)
		for (int y = 0; y < 3; y++) {
			double e = (x == y) ? c : 0;
			e += (1 - c) * ax[x] * ax[y];
			int z = 3 - x - y;
			if (x != y) {
				double sg = ((x + 1) % 3 == y) ? -1 : 1;
				e += sg * s * ax[z];
			}
			rot[x][y] = e;
		}
	double basis[3][3];
	for (int x = 0; x < 3; x++) {
		basis[0][x] = fcc_cell[0][x];
		basis[1][x] = fcc_cell[0][x] + fcc_cell[1][x];
		basis[2][x] = fcc_cell[2][x];
	}
	for (int v = 0; v < 3; v++)
		for (int x = 0; x < 3; x++)
			cell[v][x] = rot[x][0] * basis[v][0] + rot[x][1] * basis[v][1] +
				     rot[x][2] * basis[v][2];
	const struct want_len wf[] = { { "G", 0 }, { "X", 1 / A }, { "W", sqrt(1.25) / A },
				       { "K", sqrt(1.125) / A }, { "L", sqrt(0.75) / A },
				       { "U", sqrt(1.125) / A }, { NULL, 0 } };
	check_path(fcc_cell, "fcc", "G X W K G L U W L K|U X", wf, "fcc");
	check_path(cell, "fcc", "G X W K G L U W L K|U X", wf, "rotated fcc, other basis");

	const double bcc[3][3] = { { -A / 2, A / 2, A / 2 }, { A / 2, -A / 2, A / 2 },
				   { A / 2, A / 2, -A / 2 } };
	const struct want_len wb[] = { { "G", 0 }, { "H", 1 / A }, { "N", sqrt(0.5) / A },
				       { "P", sqrt(0.75) / A }, { NULL, 0 } };
	check_path(bcc, "bcc", "G H N G P H|P N", wb, "bcc");

	const double sc[3][3] = { { A, 0, 0 }, { 0, A, 0 }, { 0, 0, A } };
	const struct want_len ws[] = { { "G", 0 }, { "X", 0.5 / A }, { "M", sqrt(0.5) / A },
				       { "R", sqrt(0.75) / A }, { NULL, 0 } };
	check_path(sc, "sc", "G X M G R X|M R", ws, "simple cubic");

	const double ha = 3.0, hc = 5.0;
	const double hex[3][3] = { { ha, 0, 0 }, { -ha / 2, ha * sqrt(3.0) / 2, 0 },
				   { 0, 0, hc } };
	double m = 1 / (sqrt(3.0) * ha), kk = 2 / (3 * ha), az = 0.5 / hc;
	const struct want_len wh[] = { { "G", 0 }, { "M", m }, { "K", kk }, { "A", az },
				       { "L", sqrt(m * m + az * az) },
				       { "H", sqrt(kk * kk + az * az) }, { NULL, 0 } };
	check_path(hex, "hex", "G M K G A L H A|L M|K H", wh, "hexagonal");
	const double hex2[3][3] = { { ha / 2, -ha * sqrt(3.0) / 2, 0 },
				    { ha / 2, ha * sqrt(3.0) / 2, 0 }, { 0, 0, hc } };
	check_path(hex2, "hex", "G M K G A L H A|L M|K H", wh, "hexagonal, 120 degree basis");

	/* CdI2 type (P-3m1, trigonal on a hexagonal lattice): the hex path. */
	{
		cewb_fc2 *fc = cewb_fc2_alloc(3);
		const double fr[3][3] = { { 0, 0, 0 }, { 1.0 / 3, 2.0 / 3, 0.25 },
					  { 2.0 / 3, 1.0 / 3, 0.75 } };
		char lat[16], path[64];
		cewb_phonon_label *lb;
		size_t nl;
		cewb_error err;
		memcpy(fc->cell, hex, sizeof fc->cell);
		for (int a = 0; a < 3; a++) {
			for (int x = 0; x < 3; x++)
				fc->pos[a][x] = fr[a][0] * hex[0][x] + fr[a][1] * hex[1][x] +
						fr[a][2] * hex[2][x];
			fc->numbers[a] = a ? 53 : 48;
			fc->masses[a] = 100;
		}
		int st = cewb_phonon_path(fc->cell, 3, (const double(*)[3])fc->pos, fc->numbers,
					  1e-5, lat, path, &lb, &nl, &err);
		ok(st == CEWB_OK && strcmp(lat, "hex") == 0, "trigonal P-3m1: hex path (%s)",
		   st ? err.message : lat);
		if (st == CEWB_OK)
			free(lb);
		cewb_fc2_free(fc);
	}

	const double tri[3][3] = { { 3.1, 0, 0 }, { 0.4, 3.7, 0 }, { 0.3, 0.5, 4.3 } };
	const struct want_len wt[] = { { "G", 0 }, { NULL, 0 } };
	check_path(tri, "generic", "G X M G Z R", wt, "triclinic");

	/* Band points: ends of segments on the labels, distances increasing. */
	cewb_fc2 *fc = fcc_model();
	cewb_phonon_bands b;
	cewb_error err;
	cewb_phonon_bands_compute(fc, 21, 1e-5, &b, &err);
	is_int(10 * 21, (long)b.n_points, "fcc: 10 segments of 21 points");
	int mono = 1;
	for (size_t p = 1; p < b.n_points; p++)
		mono &= b.distance[p] >= b.distance[p - 1];
	ok(mono, "distances never decrease along the path");
	const cewb_phonon_label *x = &b.labels[1];
	double *fx = b.freq + x->index * 3;
	ok(strcmp(x->label, "X") == 0 && fabs(fx[0] - nu(4)) < 1e-12 &&
	   fabs(fx[2] - nu(8)) < 1e-12 && fabs(x->distance - 1 / A) < 1e-12,
	   "X on the band path: %.4f %.4f THz at %.4f 1/Å", fx[0], fx[2], x->distance);
	cewb_phonon_bands_release(&b);
	ok(cewb_phonon_bands_compute(fc, 1, 1e-5, &b, &err) == CEWB_EINVAL &&
	   strstr(err.message, "at least 2") != NULL, "one point per segment is refused: %s",
	   err.message);
	cewb_fc2_free(fc);
}

/* Einstein solid: every mode at nu_E, thermodynamics in closed form. */
static void test_einstein(void)
{
	cewb_fc2 *fc = einstein_model(fcc_cell, 2.0);
	cewb_phonon_mesh m;
	cewb_error err;
	int mesh[3] = { 4, 4, 4 };
	double T[4] = { 0, 50, 300, 1000 }, F[4], S[4], C[4];
	ok(cewb_phonon_mesh_compute(fc, mesh, 0, &m, &err) == CEWB_OK && m.n_q == 64,
	   "4x4x4 mesh of an Einstein solid");
	cewb_phonon_thermal(&m, 4, T, F, S, C, &err);
	double nuE = sqrt(2.0 / MASS) * CEWB_PHONON_THZ, e = CEWB_PHONON_H_EV_THZ * nuE;
	double R = CEWB_PHONON_KB_EV * CEWB_PHONON_EV_J_MOL, NAe = CEWB_PHONON_EV_J_MOL;
	for (int t = 0; t < 4; t++) {
		double f, sv, cv;
		if (T[t] == 0) {
			f = 3 * NAe * e / 2 / 1000;
			sv = cv = 0;
		} else {
			double x = e / (CEWB_PHONON_KB_EV * T[t]);
			f = 3 * NAe * (e / 2 + CEWB_PHONON_KB_EV * T[t] * log(1 - exp(-x))) / 1000;
			sv = 3 * R * (x / (exp(x) - 1) - log(1 - exp(-x)));
			cv = 3 * R * x * x * exp(x) / ((exp(x) - 1) * (exp(x) - 1));
		}
		/* Same closed form evaluated differently: 1e-10 relative. */
		ok(fabs(F[t] - f) < 1e-10 * fabs(f) + 1e-12 &&
		   fabs(S[t] - sv) < 1e-10 * sv + 1e-12 && fabs(C[t] - cv) < 1e-10 * cv + 1e-12,
		   "Einstein solid at %g K: F %.6f kJ/mol, S %.6f, C %.6f J/K/mol", T[t], F[t],
		   S[t], C[t]);
	}
	cewb_phonon_mesh_release(&m);
	cewb_fc2_free(fc);
}

static void test_mesh_thermal(void)
{
	cewb_fc2 *fc = fcc_model();
	cewb_phonon_mesh m;
	cewb_error err;
	int mesh[3] = { 16, 16, 16 };
	ok(cewb_phonon_mesh_compute(fc, mesh, 0, &m, &err) == CEWB_OK,
	   "16^3 mesh of the spring model");
	ok(m.n_imaginary == 0 && fabs(m.fmin) < 1e-6 && fabs(m.fmax - nu(8)) < 1e-12,
	   "no imaginary modes; highest frequency %.4f THz is the zone-boundary w^2 = 8 k/m",
	   m.fmax);

	/* Dulong-Petit: C -> 3 R per atom with C/(3R) = 1 - x^2/12 + O(x^4) per
	 * mode (x = h nu / k T <= x_max), less the three Γ modes that are left
	 * out (1/n_q of the modes). */
	double R = CEWB_PHONON_KB_EV * CEWB_PHONON_EV_J_MOL, T = 20000, F, S, C;
	double xmax = CEWB_PHONON_H_EV_THZ * m.fmax / (CEWB_PHONON_KB_EV * T);
	cewb_phonon_thermal(&m, 1, &T, &F, &S, &C, &err);
	double tol = 3 * R * (xmax * xmax / 12 + 1.0 / (double)m.n_q);
	ok(fabs(C - 3 * R) < tol, "Dulong-Petit at %g K: C = %.5f J/K/mol, 3R = %.5f (tol %.4f)", T,
	   C, 3 * R, tol);
	/* Classical entropy per mode k (1 - ln x), off by x^2/24 + O(x^4). */
	double scl = 0;
	size_t used = 0;
	for (size_t k = 0; k < m.n_q * m.n_modes; k++) {
		if (m.freq[k] <= CEWB_PHONON_CUTOFF_THZ)
			continue;
		double x = CEWB_PHONON_H_EV_THZ * m.freq[k] / (CEWB_PHONON_KB_EV * T);
		scl += R * (1 - log(x));
		used++;
	}
	scl /= (double)m.n_q;
	tol = 3 * R * xmax * xmax / 24 * 1.01;
	ok(used == m.n_q * 3 - 3 && fabs(S - scl) < tol,
	   "high-temperature entropy %.5f J/K/mol, classical %.5f (tol %.1e)", S, scl, tol);
	/* Classical free energy per mode k T ln x, off by k T x^2/24. */
	double fcl = 0;
	for (size_t k = 0; k < m.n_q * m.n_modes; k++)
		if (m.freq[k] > CEWB_PHONON_CUTOFF_THZ)
			fcl += CEWB_PHONON_KB_EV * T *
			       log(CEWB_PHONON_H_EV_THZ * m.freq[k] / (CEWB_PHONON_KB_EV * T));
	fcl *= CEWB_PHONON_EV_J_MOL / 1000 / (double)m.n_q;
	tol = 3 * R * T / 1000 * xmax * xmax / 24 * 1.01;
	ok(fabs(F - fcl) < tol, "high-temperature free energy %.4f kJ/mol, classical %.4f", F, fcl);
	/* At 0 K: the zero-point energy, no entropy, no heat capacity. */
	double T0 = 0, zpe = 0;
	for (size_t k = 0; k < m.n_q * m.n_modes; k++)
		if (m.freq[k] > CEWB_PHONON_CUTOFF_THZ)
			zpe += CEWB_PHONON_H_EV_THZ * m.freq[k] / 2;
	zpe *= CEWB_PHONON_EV_J_MOL / 1000 / (double)m.n_q;
	cewb_phonon_thermal(&m, 1, &T0, &F, &S, &C, &err);
	ok(fabs(F - zpe) < 1e-12 && S == 0 && C == 0, "0 K: F = zero-point energy %.5f kJ/mol", F);
	/* Entropy is -dF/dT: central difference, error (h^2/6) F''' tiny. */
	double Ts[3] = { 299.9, 300, 300.1 }, Fs[3], Ss[3];
	cewb_phonon_thermal(&m, 3, Ts, Fs, Ss, NULL, &err);
	double dfdt = (Fs[2] - Fs[0]) / 0.2 * 1000;
	is_double(Ss[1], -dfdt, 1e-5, "S = -dF/dT at 300 K");
	double bad = -1;
	ok(cewb_phonon_thermal(&m, 1, &bad, &F, NULL, NULL, &err) == CEWB_EINVAL &&
	   strstr(err.message, "temperature -1") != NULL, "negative temperature: %s", err.message);

	/* Density of states: integrates to 3 states per atom, never negative. */
	size_t n = 2001;
	double *f = malloc(n * sizeof *f), *g = malloc(n * sizeof *g);
	for (size_t i = 0; i < n; i++)
		f[i] = -2 + 16.0 * (double)i / (double)(n - 1);
	ok(cewb_phonon_dos(&m, 0.1, n, f, g, &err) == CEWB_OK, "Gaussian density of states");
	double integral = 0, gmin = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		integral += 0.5 * (g[i] + g[i + 1]) * (f[i + 1] - f[i]);
		gmin = fmin(gmin, g[i]);
	}
	/* Trapezoid on a grid 1/12 of sigma: spectrally accurate for Gaussians. */
	ok(fabs(integral - 3) < 1e-9 && gmin >= 0, "it integrates to 3 (%.12f)", integral);
	/* Tetrahedra: piecewise quadratic in f, trapezoid step 1/125 THz. */
	ok(cewb_phonon_dos_tetrahedron(&m, n, f, g, &err) == CEWB_OK,
	   "linear-tetrahedron density of states");
	integral = 0;
	gmin = 0;
	double low = 0;
	for (size_t i = 0; i + 1 < n; i++) {
		integral += 0.5 * (g[i] + g[i + 1]) * (f[i + 1] - f[i]);
		gmin = fmin(gmin, g[i]);
		if (f[i] < 0 || f[i] > nu(8) + 1e-9)
			low = fmax(low, g[i]);
	}
	ok(fabs(integral - 3) < 1e-4 && gmin >= 0, "it integrates to 3 (%.8f)", integral);
	ok(low == 0, "no states below 0 or above the highest frequency");
	/* Debye region: g ~ f^2 at low frequency, so g(1)/g(0.5) is near 4
	 * (sound speeds from the spring model; the mesh and the dispersion
	 * bend it by some per cent). */
	double g05 = g[lower_bound_test(f, n, 0.5)], g1 = g[lower_bound_test(f, n, 1.0)];
	ok(g1 / g05 > 3.5 && g1 / g05 < 4.5, "Debye-like f^2 rise (ratio %.2f)", g1 / g05);
	ok(cewb_phonon_dos(&m, 0, n, f, g, &err) == CEWB_EINVAL &&
	   strstr(err.message, "must be positive") != NULL, "zero smearing: %s", err.message);
	f[5] = f[3];
	ok(cewb_phonon_dos(&m, 0.1, 6, f, g, &err) == CEWB_EINVAL, "frequencies that descend: %s",
	   err.message);
	free(f);
	free(g);
	cewb_phonon_mesh_release(&m);

	int bad_mesh[3] = { 0, 4, 4 };
	ok(cewb_phonon_mesh_compute(fc, bad_mesh, 0, &m, &err) == CEWB_EINVAL &&
	   strstr(err.message, "mesh 0 x 4 x 4") != NULL, "empty mesh: %s", err.message);
	int huge[3] = { 1000, 1000, 1000 };
	ok(cewb_phonon_mesh_compute(fc, huge, 0, &m, &err) == CEWB_EINVAL &&
	   strstr(err.message, "3000000000 frequencies, more than 1e+08") != NULL,
	   "a mesh too large: %s", err.message);
	fc->masses[0] = 0;
	double q[3] = { 0, 0, 0 }, fr[3];
	ok(cewb_phonon_frequencies(fc, q, fr, NULL, &err) == CEWB_EINVAL &&
	   strstr(err.message, "atom 0 has mass 0") != NULL, "zero mass: %s", err.message);
	fc->masses[0] = MASS;
	fc->blocks[0].j = 7;
	ok(cewb_phonon_frequencies(fc, q, fr, NULL, &err) == CEWB_EINVAL &&
	   strstr(err.message, "names atom") != NULL, "block with a bad atom: %s", err.message);
	cewb_fc2_free(fc);
}

/* Speed: thermal on 32^3 for one atom per cell. */
static void test_speed(void)
{
	cewb_fc2 *fc = fcc_model();
	cewb_phonon_mesh m;
	cewb_error err;
	int mesh[3] = { 32, 32, 32 };
	double T[11], F[11];
	for (int t = 0; t < 11; t++)
		T[t] = 100.0 * t;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	cewb_phonon_mesh_compute(fc, mesh, 0, &m, &err);
	cewb_phonon_thermal(&m, 11, T, F, NULL, NULL, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double sec = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	/* Target: well under a second (generous for loaded test machines). */
	ok(sec < 2.0, "32^3 mesh and 11 temperatures in %.3f s", sec);
	cewb_phonon_mesh_release(&m);
	cewb_fc2_free(fc);
}

/* The 4-atom model folded into the 108-atom cell of examples/fce-al. */
static void test_fold(void)
{
	const double cub[3][3] = { { A, 0, 0 }, { 0, A, 0 }, { 0, 0, A } };
	const double pos[4][3] = { { 0, 0, 0 }, { 0, A / 2, A / 2 }, { A / 2, 0, A / 2 },
				   { A / 2, A / 2, 0 } };
	cewb_fc2 *fc = spring_model(cub, 4, pos);
	/* A 3x3x3 supercell of the cube (108 atoms), atoms in a shuffled order. */
	cewb_structure *sc = cewb_structure_alloc(108);
	size_t n = 0;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			for (int k = 0; k < 3; k++)
				for (int b = 0; b < 4; b++) {
					size_t slot = (n * 37) % 108;
					sc->pos[slot][0] = pos[b][0] + A * i;
					sc->pos[slot][1] = pos[b][1] + A * j;
					/* The top layer shifted down a cell: an image. */
					sc->pos[slot][2] = pos[b][2] + A * k -
							   (k == 2 ? 3 * A : 0);
					sc->numbers[slot] = 13;
					n++;
				}
	for (int x = 0; x < 3; x++)
		sc->cell[x][x] = 3 * A;
	double *blk;
	cewb_error err;
	ok(cewb_phonon_fold(fc, sc, 1e-3, &blk, &err) == CEWB_OK, "fold into 108 atoms");

	/* Block sums: over the images of primitive atom j, sum_R Phi(i, j R). */
	double dev = 0, asr = 0;
	size_t prim[108];
	for (size_t a = 0; a < 108; a++)
		for (size_t i = 0; i < 4; i++) {
			double d[3];
			for (int x = 0; x < 3; x++)
				d[x] = sc->pos[a][x] - pos[i][x];
			int on = 1;
			for (int x = 0; x < 3; x++)
				on &= fabs(d[x] / A - round(d[x] / A)) < 1e-9;
			if (on)
				prim[a] = i;
		}
	for (size_t a = 0; a < 108; a++)
		for (size_t j = 0; j < 4; j++) {
			double s1[9] = { 0 }, s2[9] = { 0 };
			for (size_t b = 0; b < 108; b++)
				if (prim[b] == j)
					for (int e = 0; e < 9; e++)
						s1[e] += blk[(a * 108 + b) * 9 + e];
			for (size_t k = 0; k < fc->n_blocks; k++)
				if (fc->blocks[k].i == prim[a] && fc->blocks[k].j == j)
					for (int e = 0; e < 9; e++)
						s2[e] += fc->blocks[k].phi[e / 3][e % 3];
			for (int e = 0; e < 9; e++)
				dev = fmax(dev, fabs(s1[e] - s2[e]));
		}
	ok(dev < 1e-14, "folded block sums equal the lattice sums (%.1e)", dev);
	for (size_t a = 0; a < 108; a++)
		for (int e = 0; e < 9; e++) {
			double s = 0;
			for (size_t b = 0; b < 108; b++)
				s += blk[(a * 108 + b) * 9 + e];
			asr = fmax(asr, fabs(s));
		}
	ok(asr < 1e-13, "folded constants keep the acoustic sum rule (%.1e)", asr);
	int symm = 1;
	for (size_t a = 0; a < 108; a++)
		for (size_t b = 0; b < 108; b++)
			for (int x = 0; x < 3; x++)
				for (int y = 0; y < 3; y++)
					symm &= blk[(a * 108 + b) * 9 + 3 * x + y] ==
						blk[(b * 108 + a) * 9 + 3 * y + x];
	ok(symm, "Phi(a, b) = Phi(b, a)^T in the supercell");

	/* Write FORCE_CONSTANTS and read it back. */
	char path[] = "/tmp/cewb-test-fc-XXXXXX";
	int fd = mkstemp(path);
	close(fd);
	ok(cewb_phonon_write_force_constants(path, fc, sc, 1e-3, &err) == CEWB_OK,
	   "write FORCE_CONSTANTS");
	FILE *fp = fopen(path, "r");
	int n1 = 0, n2 = 0;
	int good = fp && fscanf(fp, "%d %d", &n1, &n2) == 2 && n1 == 108 && n2 == 108;
	double rdev = 0;
	for (size_t a = 0; good && a < 108; a++)
		for (size_t b = 0; good && b < 108; b++) {
			int ia, ib;
			good = fscanf(fp, "%d %d", &ia, &ib) == 2 && (size_t)ia == a + 1 &&
			       (size_t)ib == b + 1;
			for (int e = 0; good && e < 9; e++) {
				double v;
				good = fscanf(fp, "%lf", &v) == 1;
				rdev = fmax(rdev, fabs(v - blk[(a * 108 + b) * 9 + e]));
			}
		}
	/* 15 decimals written: round-off 5e-16 on values of order k. */
	ok(good && rdev < 1e-15 * 10, "FORCE_CONSTANTS reads back: %d x %d blocks (%.1e)", n1, n2,
	   rdev);
	if (fp)
		fclose(fp);
	unlink(path);
	free(blk);

	/* Not a supercell: a cell of 1.5 cubes; an atom off its site; too few atoms. */
	sc->cell[0][0] = 1.5 * A;
	ok(cewb_phonon_fold(fc, sc, 1e-3, &blk, &err) == CEWB_ENOFIT &&
	   strstr(err.message, "cell vector 1 is not an integer combination") != NULL,
	   "not a supercell: %s", err.message);
	sc->cell[0][0] = 3 * A;
	sc->pos[5][1] += 0.1;
	ok(cewb_phonon_fold(fc, sc, 1e-3, &blk, &err) == CEWB_ENOFIT &&
	   strstr(err.message, "atom 5 is on no site") != NULL, "atom off its site: %s",
	   err.message);
	sc->pos[5][1] -= 0.1;
	sc->n_atoms = 100;
	ok(cewb_phonon_fold(fc, sc, 1e-3, &blk, &err) == CEWB_ENOFIT &&
	   strstr(err.message, "100 atoms") != NULL, "wrong atom count: %s", err.message);
	sc->n_atoms = 108;
	cewb_structure_free(sc);
	cewb_fc2_free(fc);
}

/* The 108-atom cell file of examples/fce-al folds the one-atom model. */
static void test_fold_file(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	snprintf(path, sizeof path, "%s/examples/fce-al/supercell_ideal.xyz", top ? top : ".");
	cewb_frames fr = { 0, NULL };
	cewb_error err;
	if (cewb_extxyz_read(path, &fr, &err) != CEWB_OK) {
		ok(0, "read %s: %s", path, err.message);
		return;
	}
	const double al = 3.994274162;
	const double pcell[3][3] = { { 0, al / 2, al / 2 }, { al / 2, 0, al / 2 },
				     { al / 2, al / 2, 0 } };
	cewb_fc2 *fc = einstein_model(pcell, 1.0);
	double *blk;
	int st = cewb_phonon_fold(fc, fr.frames[0], 1e-3, &blk, &err);
	ok(st == CEWB_OK, "fold onto examples/fce-al/supercell_ideal.xyz%s%s", st ? ": " : "",
	   st ? err.message : "");
	if (st == CEWB_OK) {
		size_t N = fr.frames[0]->n_atoms, diagonal = 0;
		for (size_t a = 0; a < N; a++)
			diagonal += blk[(a * N + a) * 9] == 1.0;
		is_int((long)N, (long)diagonal, "Einstein constants land on the diagonal");
		free(blk);
	}
	cewb_fc2_free(fc);
	cewb_frames_release(&fr);
}

int main(void)
{
	test_constants();
	test_fcc_points();
	test_four_atoms();
	test_paths();
	test_einstein();
	test_mesh_thermal();
	test_speed();
	test_fold();
	test_fold_file();
	return done_testing();
}
