/*
 * mapping.c - map relaxed structures onto the ideal lattice: supercell
 * matrix, Hungarian assignment of atoms to sites, strain, displacements,
 * ambiguity and the mapped / warned / refused decision.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cewb/mapping.h"

/* Cost of a forbidden atom-site pair (squared distances are far smaller). */
#define BIG 1e15

/* Default thresholds, documented in mapping.h. */
void cewb_map_options_default(cewb_map_options *opt)
{
	opt->ideal_tol = 1e-4;
	opt->warn_volumetric = 0.15;
	opt->max_volumetric = 0.40;
	opt->warn_anisotropy = 0.05;
	opt->max_anisotropy = 0.25;
	opt->warn_drmax = 0.20;
	opt->max_drmax = 0.40;
	opt->warn_dravg = 0.10;
	opt->max_dravg = 0.25;
	opt->min_gap = 0.50;
	opt->max_ambiguity_sites = 512;
}

/* The name of a mapping status. */
const char *cewb_map_status_name(cewb_map_status st)
{
	switch (st) {
	case CEWB_MAP_IDEAL:
		return "ideal";
	case CEWB_MAP_MAPPED:
		return "mapped";
	case CEWB_MAP_WARNED:
		return "warned";
	case CEWB_MAP_REFUSED:
		return "refused";
	}
	return "unknown";
}

/* Free the arrays of a report and zero it. */
void cewb_map_report_release(cewb_map_report *rep)
{
	if (!rep)
		return;
	free(rep->site_pos);
	free(rep->site_prim);
	free(rep->site_offset);
	free(rep->site_number);
	free(rep->site_of);
	free(rep->dr);
	memset(rep, 0, sizeof(*rep));
}

/* ---- small 3 x 3 helpers (rows) ---- */

/* Determinant of a 3 x 3 matrix. */
static double det3(const double m[3][3])
{
	return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
	       m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
	       m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

/* Inverse of a 3 x 3 matrix; nonzero when (nearly) singular. */
static int inv3(const double m[3][3], double r[3][3])
{
	double d = det3(m);
	double scale = 0.0;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++)
			scale = fmax(scale, fabs(m[i][j]));
	if (!(fabs(d) > 1e-12 * scale * scale * scale))
		return 1;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			int a0 = (j + 1) % 3, a1 = (j + 2) % 3, b0 = (i + 1) % 3, b1 = (i + 2) % 3;
			r[i][j] = (m[a0][b0] * m[a1][b1] - m[a0][b1] * m[a1][b0]) / d;
		}
	return 0;
}

/* Row vector times matrix: out = v * m. */
static void vecmat(const double v[3], const double m[3][3], double out[3])
{
	for (int j = 0; j < 3; j++)
		out[j] = v[0] * m[0][j] + v[1] * m[1][j] + v[2] * m[2][j];
}

/* c = a * b. */
static void matmul(const double a[3][3], const double b[3][3], double c[3][3])
{
	for (int i = 0; i < 3; i++)
		vecmat(a[i], b, c[i]);
}

/* Eigenvalues of a symmetric d x d matrix (d <= 3) by cyclic Jacobi. */
static void sym_eigenvalues(double a[3][3], int d, double ev[3])
{
	for (int sweep = 0; sweep < 50; sweep++) {
		double off = 0.0;
		for (int p = 0; p < d; p++)
			for (int q = p + 1; q < d; q++)
				off += a[p][q] * a[p][q];
		if (off < 1e-30)
			break;
		for (int p = 0; p < d; p++) {
			for (int q = p + 1; q < d; q++) {
				if (fabs(a[p][q]) < 1e-300)
					continue;
				double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
				double t = (theta >= 0 ? 1.0 : -1.0) /
					   (fabs(theta) + sqrt(theta * theta + 1));
				double c = 1 / sqrt(t * t + 1), s = t * c;
				for (int k = 0; k < d; k++) { /* rotate columns p, q */
					double akp = a[k][p], akq = a[k][q];
					a[k][p] = c * akp - s * akq;
					a[k][q] = s * akp + c * akq;
				}
				for (int k = 0; k < d; k++) { /* rotate rows p, q */
					double apk = a[p][k], aqk = a[q][k];
					a[p][k] = c * apk - s * aqk;
					a[q][k] = s * apk + c * aqk;
				}
			}
		}
	}
	for (int i = 0; i < d; i++)
		ev[i] = a[i][i];
}

/* ---- Hungarian algorithm ---- */

/*
 * Shortest augmenting paths with dual potentials (Kuhn-Munkres in the
 * O(n^3) form): rows are added one at a time; each addition grows a tree
 * of tight edges, raising the potentials by the smallest slack until a free
 * column is reached, then flips the path.  Indices are 1-based inside, with
 * column 0 a sentinel holding the row being added.
 */
cewb_status cewb_assign_hungarian(const double *cost, size_t n, int *col_of, double *u_out,
				  double *v_out, cewb_error *err)
{
	if (n == 0)
		return CEWB_OK;
	double *u = calloc(n + 1, sizeof(double));
	double *v = calloc(n + 1, sizeof(double));
	double *minv = malloc((n + 1) * sizeof(double));
	size_t *row_at = calloc(n + 1, sizeof(size_t)); /* row matched to column j */
	size_t *way = calloc(n + 1, sizeof(size_t));
	char *used = malloc(n + 1);
	if (!u || !v || !minv || !row_at || !way || !used) {
		free(u), free(v), free(minv), free(row_at), free(way), free(used);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for an assignment of size %zu", n);
	}
	for (size_t i = 1; i <= n; i++) {
		row_at[0] = i;
		size_t j0 = 0;
		for (size_t j = 0; j <= n; j++) {
			minv[j] = INFINITY;
			used[j] = 0;
		}
		do {
			used[j0] = 1;
			size_t i0 = row_at[j0], j1 = 0;
			double delta = INFINITY;
			const double *crow = cost + (i0 - 1) * n;
			for (size_t j = 1; j <= n; j++) {
				if (used[j])
					continue;
				double cur = crow[j - 1] - u[i0] - v[j];
				if (cur < minv[j]) {
					minv[j] = cur;
					way[j] = j0;
				}
				if (minv[j] < delta) {
					delta = minv[j];
					j1 = j;
				}
			}
			for (size_t j = 0; j <= n; j++) {
				if (used[j]) {
					u[row_at[j]] += delta;
					v[j] -= delta;
				} else {
					minv[j] -= delta;
				}
			}
			j0 = j1;
		} while (row_at[j0] != 0);
		do {
			size_t j1 = way[j0];
			row_at[j0] = row_at[j1];
			j0 = j1;
		} while (j0);
	}
	for (size_t j = 1; j <= n; j++)
		col_of[row_at[j] - 1] = (int)(j - 1);
	if (u_out)
		for (size_t i = 0; i < n; i++)
			u_out[i] = u[i + 1];
	if (v_out)
		for (size_t j = 0; j < n; j++)
			v_out[j] = v[j + 1];
	free(u), free(v), free(minv), free(row_at), free(way), free(used);
	return CEWB_OK;
}

/* ---- geometry of the mapping ---- */

/* The working state of one mapping. */
typedef struct {
	const cewb_lattice *lat;
	const cewb_structure *s;
	int per[3];              /* periodic axes */
	int d;                   /* number of periodic axes */
	double cellp[3][3];      /* relaxed cell, open axes completed */
	double ideal[3][3];      /* P * primitive cell */
	double ideal_inv[3][3];
	size_t n;                /* sites of the supercell = assignment size */
	size_t n_atoms;
	double (*afrac)[3];      /* atoms, fractional in the supercell */
	double (*sfrac)[3];      /* sites, fractional in the supercell */
	size_t n_shift;
	double shift[27][3];     /* Cartesian images to try for minimum distances */
	double r_in2;            /* squared inradius: shorter wrapped vectors are minimal */
	double *cost;            /* n x n */
	int *col_of;
	double *u, *v;
} mapper;

/* Shortest distance between two sites of the lattice (periodic images). */
static double nearest_neighbour(const cewb_lattice *lat)
{
	double best = INFINITY;
	int r[3];
	for (int k = 0; k < 3; k++)
		r[k] = lat->pbc[k] ? 2 : 0;
	for (size_t a = 0; a < lat->n_sites; a++)
		for (size_t b = 0; b < lat->n_sites; b++)
			for (int i = -r[0]; i <= r[0]; i++)
				for (int j = -r[1]; j <= r[1]; j++)
					for (int k = -r[2]; k <= r[2]; k++) {
						double x[3];
						for (int c = 0; c < 3; c++)
							x[c] = lat->pos[b][c] - lat->pos[a][c] +
							       i * lat->cell[0][c] +
							       j * lat->cell[1][c] + k * lat->cell[2][c];
						double dd = sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
						if (dd > 1e-6 && dd < best)
							best = dd;
					}
	return best;
}

/* Size of the periodic part of a cell: volume, area or length (Gram). */
static double periodic_measure(const double cell[3][3], const int per[3])
{
	int idx[3], d = 0;
	for (int k = 0; k < 3; k++)
		if (per[k])
			idx[d++] = k;
	if (d == 0)
		return 1.0;
	double g[3][3] = { { 0 } };
	for (int a = 0; a < d; a++)
		for (int b = 0; b < d; b++)
			for (int c = 0; c < 3; c++)
				g[a][b] += cell[idx[a]][c] * cell[idx[b]][c];
	double det;
	if (d == 1)
		det = g[0][0];
	else if (d == 2)
		det = g[0][0] * g[1][1] - g[0][1] * g[1][0];
	else
		det = det3(g);
	return sqrt(fmax(det, 0.0));
}

/*
 * Complete the open (non-periodic) rows of the relaxed cell: for a slab the
 * unit normal of its periodic plane times the length of the lattice's open
 * vector (on the lattice's side), otherwise the lattice's own vector.  The
 * atoms then keep their Cartesian height along an open axis.
 */
static void complete_cell(const cewb_structure *s, const cewb_lattice *lat, const int per[3],
			  int d, double out[3][3])
{
	memcpy(out, s->cell, sizeof(double[3][3]));
	for (int k = 0; k < 3; k++) {
		if (per[k])
			continue;
		memcpy(out[k], lat->cell[k], sizeof(double[3]));
		if (d == 2) {
			int a = (k + 1) % 3, b = (k + 2) % 3;
			double nrm[3] = { s->cell[a][1] * s->cell[b][2] - s->cell[a][2] * s->cell[b][1],
					  s->cell[a][2] * s->cell[b][0] - s->cell[a][0] * s->cell[b][2],
					  s->cell[a][0] * s->cell[b][1] - s->cell[a][1] * s->cell[b][0] };
			double ln = sqrt(nrm[0] * nrm[0] + nrm[1] * nrm[1] + nrm[2] * nrm[2]);
			double lc = sqrt(lat->cell[k][0] * lat->cell[k][0] +
					 lat->cell[k][1] * lat->cell[k][1] +
					 lat->cell[k][2] * lat->cell[k][2]);
			double dot = nrm[0] * lat->cell[k][0] + nrm[1] * lat->cell[k][1] +
				     nrm[2] * lat->cell[k][2];
			if (ln > 0)
				for (int c = 0; c < 3; c++)
					out[k][c] = nrm[c] / ln * lc * (dot < 0 ? -1 : 1);
		}
	}
}

/* The relaxed cell scaled by f in units of the primitive cell (rows). */
static void cell_in_primitive(const double cellp[3][3], const cewb_lattice *lat, double f,
			      double x[3][3])
{
	for (int i = 0; i < 3; i++) {
		double row[3];
		for (int c = 0; c < 3; c++)
			row[c] = cellp[i][c] * f;
		vecmat(row, lat->inv, x[i]);
	}
}

/*
 * Strain of the relaxed cell against the ideal one over the periodic axes:
 * principal stretches from the metric G_rel against G_id (Cholesky
 * G_id = L L^T, eigenvalues of L^-1 G_rel L^-T = lambda^2).
 */
static void cell_strain(const double cellp[3][3], const double ideal[3][3], const int per[3],
			double *vol, double *aniso)
{
	int idx[3], d = 0;
	for (int k = 0; k < 3; k++)
		if (per[k])
			idx[d++] = k;
	*vol = 0.0;
	*aniso = 0.0;
	if (d == 0)
		return;
	double gr[3][3] = { { 0 } }, gi[3][3] = { { 0 } }, L[3][3] = { { 0 } };
	double Li[3][3] = { { 0 } }, m[3][3] = { { 0 } }, t[3][3] = { { 0 } };
	for (int a = 0; a < d; a++)
		for (int b = 0; b < d; b++)
			for (int c = 0; c < 3; c++) {
				gr[a][b] += cellp[idx[a]][c] * cellp[idx[b]][c];
				gi[a][b] += ideal[idx[a]][c] * ideal[idx[b]][c];
			}
	for (int i = 0; i < d; i++) { /* Cholesky of gi */
		for (int j = 0; j <= i; j++) {
			double sum = gi[i][j];
			for (int k = 0; k < j; k++)
				sum -= L[i][k] * L[j][k];
			L[i][j] = (i == j) ? sqrt(fmax(sum, 1e-300)) : sum / L[j][j];
		}
	}
	for (int i = 0; i < d; i++) { /* Li = L^-1, lower triangular */
		Li[i][i] = 1 / L[i][i];
		for (int j = 0; j < i; j++) {
			double sum = 0.0;
			for (int k = j; k < i; k++)
				sum += L[i][k] * Li[k][j];
			Li[i][j] = -sum / L[i][i];
		}
	}
	for (int i = 0; i < d; i++)
		for (int j = 0; j < d; j++)
			for (int k = 0; k < d; k++)
				t[i][j] += Li[i][k] * gr[k][j];
	for (int i = 0; i < d; i++)
		for (int j = 0; j < d; j++)
			for (int k = 0; k < d; k++)
				m[i][j] += t[i][k] * Li[j][k];
	double ev[3], prod = 1.0, lo = INFINITY, hi = 0.0;
	sym_eigenvalues(m, d, ev);
	for (int i = 0; i < d; i++) {
		double l = sqrt(fmax(ev[i], 0.0));
		prod *= l;
		lo = fmin(lo, l);
		hi = fmax(hi, l);
	}
	*vol = prod - 1.0;
	*aniso = lo > 0 ? hi / lo - 1.0 : INFINITY;
}

/* Integer determinant and adjugate of P. */
static long idet3(const int P[3][3], long adj[3][3])
{
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			int a0 = (j + 1) % 3, a1 = (j + 2) % 3, b0 = (i + 1) % 3, b1 = (i + 2) % 3;
			adj[i][j] = (long)P[a0][b0] * P[a1][b1] - (long)P[a0][b1] * P[a1][b0];
		}
	return (long)P[0][0] * adj[0][0] + (long)P[0][1] * adj[1][0] + (long)P[0][2] * adj[2][0];
}

/*
 * The supercell matrix for a relaxed cell x (rows, in units of the
 * primitive cell).  Rounding each entry fails for long, skewed cells, whose
 * strain can move an entry by more than a half; so every entry that is not
 * within 0.15 of an integer is tried rounded down and up, and the matrix
 * kept is the one with enough sites (exactly n_atoms without vacancies)
 * and the least strain |vol| + anisotropy.  Open axes keep P = identity.
 * Returns the score (INFINITY when every candidate is singular).
 */
static double choose_matrix(const double x[3][3], const double cellp[3][3],
			    const cewb_lattice *lat, const int per[3], size_t n_atoms, int vac,
			    int P[3][3], size_t *sites_out)
{
	int base[3][3], amb[9][2], n_amb = 0;
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 3; j++) {
			if (!per[i] || !per[j]) {
				base[i][j] = (i == j);
				continue;
			}
			base[i][j] = (int)lround(x[i][j]);
			if (fabs(x[i][j] - base[i][j]) > 0.15) {
				amb[n_amb][0] = i;
				amb[n_amb++][1] = j;
			}
		}
	double best = INFINITY;
	for (unsigned mask = 0; mask < (1u << n_amb); mask++) {
		int c[3][3];
		memcpy(c, base, sizeof(c));
		for (int k = 0; k < n_amb; k++) {
			int i = amb[k][0], j = amb[k][1];
			c[i][j] = (mask >> k & 1) ? (int)ceil(x[i][j]) : (int)floor(x[i][j]);
		}
		long adj[3][3];
		long det = labs(idet3(c, adj));
		if (det == 0)
			continue;
		double dc[3][3], id[3][3], vol, an;
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++)
				dc[i][j] = c[i][j];
		matmul(dc, lat->cell, id);
		cell_strain(cellp, id, per, &vol, &an);
		size_t sites = (size_t)det * lat->n_sites;
		int fits = vac ? sites >= n_atoms : sites == n_atoms;
		double score = fabs(vol) + an + (fits ? 0.0 : 1e6);
		if (score < best) {
			best = score;
			memcpy(P, c, sizeof(c));
			*sites_out = sites;
		}
	}
	return best;
}

/*
 * The sites of the ideal supercell: the lattice offsets n with
 * n * P^-1 in [0, 1)^3 (tested exactly with the adjugate), each carrying
 * every site of the primitive cell.
 */
static cewb_status build_sites(mapper *m, const int P[3][3], cewb_map_report *rep,
			       cewb_error *err)
{
	const cewb_lattice *lat = m->lat;
	long adj[3][3];
	long det = idet3(P, adj);
	long ad = labs(det), sg = det < 0 ? -1 : 1;
	size_t n_cells = (size_t)ad;
	m->n = n_cells * lat->n_sites;
	rep->n_sites = m->n;
	rep->site_pos = malloc(sizeof(double[3]) * m->n);
	rep->site_prim = malloc(sizeof(int) * m->n);
	rep->site_offset = malloc(sizeof(int[3]) * m->n);
	m->sfrac = malloc(sizeof(double[3]) * m->n);
	if (!rep->site_pos || !rep->site_prim || !rep->site_offset || !m->sfrac)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a supercell of %zu sites", m->n);
	int lo[3], hi[3];
	for (int c = 0; c < 3; c++) {
		lo[c] = 0;
		hi[c] = 0;
		for (int corner = 1; corner < 8; corner++) {
			int x = 0;
			for (int r = 0; r < 3; r++)
				if (corner & (1 << r))
					x += P[r][c];
			lo[c] = x < lo[c] ? x : lo[c];
			hi[c] = x > hi[c] ? x : hi[c];
		}
	}
	size_t cell = 0;
	int n[3];
	for (n[0] = lo[0]; n[0] <= hi[0]; n[0]++)
		for (n[1] = lo[1]; n[1] <= hi[1]; n[1]++)
			for (n[2] = lo[2]; n[2] <= hi[2]; n[2]++) {
				int inside = 1;
				for (int j = 0; j < 3 && inside; j++) {
					long f = sg * ((long)n[0] * adj[0][j] + (long)n[1] * adj[1][j] +
						       (long)n[2] * adj[2][j]);
					inside = f >= 0 && f < ad;
				}
				if (!inside || cell >= n_cells)
					continue;
				for (size_t s = 0; s < lat->n_sites; s++) {
					size_t k = cell * lat->n_sites + s;
					double off[3] = { n[0], n[1], n[2] }, x[3];
					vecmat(off, lat->cell, x);
					for (int c = 0; c < 3; c++)
						rep->site_pos[k][c] = lat->pos[s][c] + x[c];
					rep->site_prim[k] = (int)s;
					memcpy(rep->site_offset[k], n, sizeof(int[3]));
					vecmat(rep->site_pos[k], m->ideal_inv, m->sfrac[k]);
				}
				cell++;
			}
	if (cell != n_cells)
		CEWB_RAISE(err, CEWB_ENUMERIC, "found %zu of %zu cells of the supercell", cell,
			   n_cells);
	return CEWB_OK;
}

/* Minimum-image displacement (Cartesian) of fractional difference df. */
static double min_image(const mapper *m, const double df[3], double out[3])
{
	double w[3], x[3];
	for (int c = 0; c < 3; c++)
		w[c] = m->per[c] ? df[c] - nearbyint(df[c]) : df[c];
	vecmat(w, m->ideal, x);
	double d0 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
	if (d0 <= m->r_in2) {
		if (out)
			memcpy(out, x, sizeof(x));
		return d0;
	}
	double best = INFINITY;
	for (size_t k = 0; k < m->n_shift; k++) {
		double y[3] = { x[0] + m->shift[k][0], x[1] + m->shift[k][1], x[2] + m->shift[k][2] };
		double d2 = y[0] * y[0] + y[1] * y[1] + y[2] * y[2];
		if (d2 < best) {
			best = d2;
			if (out)
				memcpy(out, y, sizeof(y));
		}
	}
	return best;
}

/* Is species z allowed on primitive site s? */
static int allowed(const cewb_lattice *lat, int s, int z)
{
	for (size_t k = 0; k < lat->n_allowed[s]; k++)
		if (lat->allowed[s][k] == z)
			return 1;
	return 0;
}

/* Fill the cost matrix (squared distances; BIG where forbidden) and solve. */
static cewb_status assign(mapper *m, const cewb_map_report *rep, cewb_error *err)
{
	size_t n = m->n;
	for (size_t i = 0; i < n; i++) {
		int z = i < m->n_atoms ? m->s->numbers[i] : 0;
		double *row = m->cost + i * n;
		for (size_t j = 0; j < n; j++) {
			if (!allowed(m->lat, rep->site_prim[j], z)) {
				row[j] = BIG;
			} else if (i >= m->n_atoms) {
				row[j] = 0.0;
			} else {
				double df[3];
				for (int c = 0; c < 3; c++)
					df[c] = m->afrac[i][c] - m->sfrac[j][c];
				row[j] = min_image(m, df, NULL);
			}
		}
	}
	return cewb_assign_hungarian(m->cost, n, m->col_of, m->u, m->v, err);
}

/* Mean displacement vector of the atoms from their sites (Cartesian). */
static void mean_shift(const mapper *m, double t[3])
{
	t[0] = t[1] = t[2] = 0.0;
	for (size_t i = 0; i < m->n_atoms; i++) {
		double df[3], x[3];
		for (int c = 0; c < 3; c++)
			df[c] = m->afrac[i][c] - m->sfrac[m->col_of[i]][c];
		min_image(m, df, x);
		for (int c = 0; c < 3; c++)
			t[c] += x[c] / (double)m->n_atoms;
	}
}

/*
 * Ambiguity: the cheapest alternative assignment that changes the
 * decoration.  Any other assignment differs from the optimum by cycles in
 * which row i takes the column of row k; with the optimal duals every such
 * move costs a reduced cost >= 0, so the cheapest cycle holding at least
 * one move between rows of different species is a shortest closed walk in
 * a graph of (row, changed yet?) states: Dijkstra from each row, visiting
 * only rows of higher index so that each cycle is searched once.
 */
static double ambiguity(const mapper *m, cewb_error *err, cewb_status *st)
{
	size_t n = m->n;
	double best = INFINITY;
	int *sp = malloc(sizeof(int) * n);
	double *dist = malloc(sizeof(double) * 2 * n);
	char *done = malloc(2 * n);
	*st = CEWB_OK;
	if (!sp || !dist || !done) {
		*st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for the ambiguity search");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		sp[i] = i < m->n_atoms ? m->s->numbers[i] : 0;
#define RC(i, k) (m->cost[(i) * n + m->col_of[k]] - m->u[i] - m->v[m->col_of[k]])
	for (size_t s = 0; s < n; s++) {
		for (size_t x = 0; x < 2 * n; x++) {
			dist[x] = INFINITY;
			done[x] = 0;
		}
		dist[2 * s] = 0.0;
		for (;;) {
			size_t cur = 2 * n;
			double dc = INFINITY;
			for (size_t x = 2 * s; x < 2 * n; x++)
				if (!done[x] && dist[x] < dc) {
					dc = dist[x];
					cur = x;
				}
			if (cur == 2 * n || dc >= best)
				break;
			done[cur] = 1;
			size_t i = cur / 2;
			int flag = (int)(cur % 2);
			for (size_t k = s; k < n; k++) {
				if (k == i || m->cost[i * n + m->col_of[k]] >= BIG / 2)
					continue;
				double w = fmax(RC(i, k), 0.0);
				int f = flag | (sp[i] != sp[k]);
				if (k == s) {
					if (f && dc + w < best)
						best = dc + w;
					continue;
				}
				size_t y = 2 * k + (size_t)f;
				if (dc + w < dist[y])
					dist[y] = dc + w;
			}
		}
	}
#undef RC
out:
	free(sp);
	free(dist);
	free(done);
	return isinf(best) ? INFINITY : sqrt(fmax(best, 0.0));
}

/* Append a clause to the reason (separated by "; "). */
static void add_reason(cewb_map_report *rep, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void add_reason(cewb_map_report *rep, const char *fmt, ...)
{
	size_t len = strlen(rep->reason);
	if (len + 3 >= sizeof(rep->reason))
		return;
	if (len) {
		strcpy(rep->reason + len, "; ");
		len += 2;
	}
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rep->reason + len, sizeof(rep->reason) - len, fmt, ap);
	va_end(ap);
}

/* Refuse: set the status and the reason, fill err with file and frame. */
static cewb_status refuse(const cewb_structure *s, cewb_map_report *rep, cewb_error *err,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static cewb_status refuse(const cewb_structure *s, cewb_map_report *rep, cewb_error *err,
			  const char *fmt, ...)
{
	rep->status = CEWB_MAP_REFUSED;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(rep->reason, sizeof(rep->reason), fmt, ap);
		va_end(ap);
	}
	if (s->source)
		return cewb_error_set(err, CEWB_ENOFIT, "%s: frame %zu: cannot map: %s", s->source,
				      s->frame, rep->reason);
	return cewb_error_set(err, CEWB_ENOFIT, "cannot map: %s", rep->reason);
}

/* Free the working arrays of a mapper. */
static void mapper_free(mapper *m)
{
	free(m->afrac);
	free(m->sfrac);
	free(m->cost);
	free(m->col_of);
	free(m->u);
	free(m->v);
}

/* Print pbc as "T T F". */
static void pbc_text(const int pbc[3], char out[8])
{
	snprintf(out, 8, "%c %c %c", pbc[0] ? 'T' : 'F', pbc[1] ? 'T' : 'F', pbc[2] ? 'T' : 'F');
}

/* Map a relaxed structure onto the lattice, see mapping.h. */
cewb_status cewb_map_structure(const cewb_lattice *lat, const cewb_structure *s,
			       const cewb_map_options *opt, cewb_map_report *rep,
			       cewb_error *err)
{
	cewb_map_options def;
	if (!opt) {
		cewb_map_options_default(&def);
		opt = &def;
	}
	memset(rep, 0, sizeof(*rep));
	rep->n_atoms = s->n_atoms;
	rep->ambiguity = NAN;
	memcpy(rep->pbc, lat->pbc, sizeof(rep->pbc));
	if (s->n_atoms == 0) {
		cewb_error_set(err, CEWB_EINVAL, "cannot map a structure without atoms");
		if (s->source)
			cewb_error_prefix(err, "%s: frame %zu", s->source, s->frame);
		return CEWB_EINVAL;
	}
	rep->d_nn = nearest_neighbour(lat);
	for (int k = 0; k < 3; k++) {
		if (!!s->pbc[k] != !!lat->pbc[k]) {
			char a[8], b[8];
			pbc_text(s->pbc, a);
			pbc_text(lat->pbc, b);
			return refuse(s, rep, err, "pbc (%s) differs from the lattice (%s)", a, b);
		}
	}

	mapper m;
	memset(&m, 0, sizeof(m));
	m.lat = lat;
	m.s = s;
	m.n_atoms = s->n_atoms;
	for (int k = 0; k < 3; k++) {
		m.per[k] = lat->pbc[k] != 0;
		m.d += m.per[k];
	}
	complete_cell(s, lat, m.per, m.d, m.cellp);
	double inv_rel[3][3];
	if (inv3(m.cellp, inv_rel))
		return refuse(s, rep, err, "the cell is singular");

	/* candidate supercell matrices: scaled to the volume per atom, and
	 * (with vacancies allowed) as is */
	int vac = 0;
	for (size_t k = 0; k < lat->n_sites; k++)
		vac |= allowed(lat, (int)k, 0);
	double ref = periodic_measure(lat->cell, m.per) / (double)lat->n_sites;
	double rel = periodic_measure(m.cellp, m.per);
	double scales[2] = { m.d ? pow(ref * (double)s->n_atoms / rel, 1.0 / m.d) : 1.0, 1.0 };
	int best = -1;
	size_t best_sites = 0;
	double best_score = INFINITY;
	for (int c = 0; c < (vac ? 2 : 1); c++) {
		double x[3][3];
		int P[3][3];
		size_t sites = 0;
		cell_in_primitive(m.cellp, lat, scales[c], x);
		double score = choose_matrix(x, m.cellp, lat, m.per, s->n_atoms, vac, P, &sites);
		if (score < best_score) {
			best = c;
			best_score = score;
			best_sites = sites;
			memcpy(rep->P, P, sizeof(P));
		}
	}
	if (best < 0)
		return refuse(s, rep, err,
			      "the cell does not match the lattice (singular supercell matrix)");
	rep->n_sites = best_sites;
	if (s->n_atoms > best_sites)
		return refuse(s, rep, err, "%zu atoms but the supercell has only %zu sites",
			      s->n_atoms, best_sites);
	if (s->n_atoms < best_sites && !vac)
		return refuse(s, rep, err,
			      "%zu atoms for %zu sites and the lattice allows no vacancies",
			      s->n_atoms, best_sites);
	{
		double dP[3][3];
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++)
				dP[i][j] = rep->P[i][j];
		matmul(dP, lat->cell, m.ideal);
	}
	memcpy(rep->ideal_cell, m.ideal, sizeof(m.ideal));
	if (inv3(m.ideal, m.ideal_inv))
		return refuse(s, rep, err, "the ideal supercell is singular");
	cell_strain(m.cellp, m.ideal, m.per, &rep->volumetric_strain, &rep->anisotropy);

	cewb_status st = build_sites(&m, rep->P, rep, err);
	if (st)
		goto fail;
	size_t n = m.n;
	rep->n_vacancies = n - s->n_atoms;
	m.afrac = malloc(sizeof(double[3]) * m.n_atoms);
	m.cost = malloc(sizeof(double) * n * n);
	m.col_of = malloc(sizeof(int) * n);
	m.u = malloc(sizeof(double) * n);
	m.v = malloc(sizeof(double) * n);
	rep->site_number = malloc(sizeof(int) * n);
	rep->site_of = malloc(sizeof(int) * m.n_atoms);
	rep->dr = malloc(sizeof(double) * m.n_atoms);
	if (!m.afrac || !m.cost || !m.col_of || !m.u || !m.v || !rep->site_number ||
	    !rep->site_of || !rep->dr) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory mapping %zu atoms", m.n_atoms);
		goto fail;
	}
	for (size_t i = 0; i < m.n_atoms; i++)
		vecmat(s->pos[i], inv_rel, m.afrac[i]);
	{
		/* half the smallest distance between opposite faces of the periodic
		 * cell: a wrapped difference shorter than that is the minimum image */
		double vol = fabs(det3(m.ideal)), rin = INFINITY;
		for (int k = 0; k < 3; k++) {
			if (!m.per[k])
				continue;
			const double *a = m.ideal[(k + 1) % 3], *b = m.ideal[(k + 2) % 3];
			double cx = a[1] * b[2] - a[2] * b[1], cy = a[2] * b[0] - a[0] * b[2],
			       cz = a[0] * b[1] - a[1] * b[0];
			rin = fmin(rin, 0.5 * vol / sqrt(cx * cx + cy * cy + cz * cz));
		}
		m.r_in2 = isfinite(rin) ? rin * rin * (1 - 1e-12) : 0.0;
		int r[3];
		for (int k = 0; k < 3; k++)
			r[k] = m.per[k] ? 1 : 0;
		for (int i = -r[0]; i <= r[0]; i++)
			for (int j = -r[1]; j <= r[1]; j++)
				for (int k = -r[2]; k <= r[2]; k++) {
					double o[3] = { i, j, k };
					vecmat(o, m.ideal, m.shift[m.n_shift++]);
				}
	}

	/* assign, remove the rigid shift, assign again */
	st = assign(&m, rep, err);
	if (st)
		goto fail;
	double t[3], tf[3];
	mean_shift(&m, t);
	vecmat(t, m.ideal_inv, tf);
	for (size_t i = 0; i < m.n_atoms; i++)
		for (int c = 0; c < 3; c++)
			m.afrac[i][c] -= tf[c];
	st = assign(&m, rep, err);
	if (st)
		goto fail;

	for (size_t i = 0; i < n; i++) {
		if (m.cost[i * n + m.col_of[i]] >= BIG / 2) {
			if (i < m.n_atoms) {
				const char *sym = cewb_element_symbol(s->numbers[i]);
				refuse(s, rep, err, "atom %zu (%s) finds no free site that allows it",
				       i, sym ? sym : "?");
			} else {
				refuse(s, rep, err,
				       "%zu vacancies needed but too few sites allow a vacancy",
				       rep->n_vacancies);
			}
			st = CEWB_ENOFIT;
			goto fail;
		}
	}
	double sum = 0.0;
	for (size_t i = 0; i < n; i++) {
		int j = m.col_of[i];
		rep->site_number[j] = i < m.n_atoms ? s->numbers[i] : 0;
		if (i >= m.n_atoms)
			continue;
		rep->site_of[i] = j;
		rep->dr[i] = sqrt(m.cost[i * n + j]);
		sum += rep->dr[i];
		if (rep->dr[i] > rep->drmax) {
			rep->drmax = rep->dr[i];
			rep->drmax_atom = i;
		}
	}
	rep->dravg = sum / (double)m.n_atoms;
	if (opt->max_ambiguity_sites == 0 || n <= opt->max_ambiguity_sites) {
		rep->ambiguity = ambiguity(&m, err, &st);
		if (st)
			goto fail;
	}

	/* decision */
	double dnn = isfinite(rep->d_nn) ? rep->d_nn : 1.0;
	if (fabs(rep->volumetric_strain) > opt->max_volumetric)
		add_reason(rep, "volumetric strain %.3f beyond %.3f", rep->volumetric_strain,
			   opt->max_volumetric);
	if (rep->anisotropy > opt->max_anisotropy)
		add_reason(rep, "strain anisotropy %.3f beyond %.3f", rep->anisotropy,
			   opt->max_anisotropy);
	if (rep->drmax > opt->max_drmax * dnn)
		add_reason(rep, "atom %zu displaced %.3f A, beyond %.3f A", rep->drmax_atom,
			   rep->drmax, opt->max_drmax * dnn);
	if (rep->dravg > opt->max_dravg * dnn)
		add_reason(rep, "mean displacement %.3f A beyond %.3f A", rep->dravg,
			   opt->max_dravg * dnn);
	if (rep->reason[0]) {
		st = refuse(s, rep, err, NULL);
		mapper_free(&m);
		return st;
	}
	if (fabs(rep->volumetric_strain) > opt->warn_volumetric)
		add_reason(rep, "volumetric strain %.3f beyond %.3f", rep->volumetric_strain,
			   opt->warn_volumetric);
	if (rep->anisotropy > opt->warn_anisotropy)
		add_reason(rep, "strain anisotropy %.3f beyond %.3f", rep->anisotropy,
			   opt->warn_anisotropy);
	if (rep->drmax > opt->warn_drmax * dnn)
		add_reason(rep, "atom %zu displaced %.3f A, beyond %.3f A", rep->drmax_atom,
			   rep->drmax, opt->warn_drmax * dnn);
	if (rep->dravg > opt->warn_dravg * dnn)
		add_reason(rep, "mean displacement %.3f A beyond %.3f A", rep->dravg,
			   opt->warn_dravg * dnn);
	if (rep->ambiguity < opt->min_gap * dnn)
		add_reason(rep, "ambiguous: another decoration costs only %.3f A more",
			   rep->ambiguity);
	if (rep->reason[0])
		rep->status = CEWB_MAP_WARNED;
	else if (rep->drmax <= opt->ideal_tol && fabs(rep->volumetric_strain) <= opt->ideal_tol &&
		 rep->anisotropy <= opt->ideal_tol)
		rep->status = CEWB_MAP_IDEAL;
	else
		rep->status = CEWB_MAP_MAPPED;
	mapper_free(&m);
	return CEWB_OK;
fail:
	mapper_free(&m);
	return st;
}

/* The ideal structure of a mapped report, see mapping.h. */
cewb_structure *cewb_map_ideal_structure(const cewb_map_report *rep)
{
	if (!rep->site_pos || !rep->site_number || rep->n_sites == 0)
		return NULL;
	cewb_structure *out = cewb_structure_alloc(rep->n_sites);
	if (!out)
		return NULL;
	memcpy(out->cell, rep->ideal_cell, sizeof(out->cell));
	memcpy(out->pbc, rep->pbc, sizeof(out->pbc));
	for (size_t i = 0; i < rep->n_sites; i++) {
		memcpy(out->pos[i], rep->site_pos[i], sizeof(double[3]));
		out->numbers[i] = rep->site_number[i];
	}
	return out;
}
