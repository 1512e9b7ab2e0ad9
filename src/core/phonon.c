/*
 * phonon.c - harmonic phonons from second-order force constants
 * (cewb/phonon.h): dynamical matrix, frequencies, band paths, mesh, density
 * of states, thermodynamics and the FORCE_CONSTANTS export.
 *
 * Internally the dynamical matrix is built column-major (element (r, c) at
 * 2 (c n + r)) so that it goes to LAPACK's zheev without a copy; the public
 * cewb_phonon_dynmat returns it row-major.
 */
#include "config.h"
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <lapacke.h>
#include <spglib.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "cewb/phonon.h"
#include "io_util.h"

#define TWO_PI 6.283185307179586476925286766559

/* Check the atoms and masses that fc refers to. */
static cewb_status fc_check(const cewb_fc2 *fc, cewb_error *err)
{
	if (!fc || fc->n_atoms == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "no force constants (no atoms)");
	for (size_t i = 0; i < fc->n_atoms; i++)
		if (!(fc->masses[i] > 0) || !isfinite(fc->masses[i]))
			CEWB_RAISE(err, CEWB_EINVAL, "atom %zu has mass %g amu (must be positive)",
				   i, fc->masses[i]);
	for (size_t k = 0; k < fc->n_blocks; k++)
		if (fc->blocks[k].i >= fc->n_atoms || fc->blocks[k].j >= fc->n_atoms)
			CEWB_RAISE(err, CEWB_EINVAL,
				   "force-constant block %zu names atom %zu or %zu of %zu", k,
				   fc->blocks[k].i, fc->blocks[k].j, fc->n_atoms);
	return CEWB_OK;
}

/* D(q) column-major into D (2 n^2 doubles, n = 3 n_atoms), made Hermitian. */
static void dynmat_colmajor(const cewb_fc2 *fc, const double q[3], double *D)
{
	size_t n = 3 * fc->n_atoms;

	memset(D, 0, 2 * n * n * sizeof *D);
	for (size_t k = 0; k < fc->n_blocks; k++) {
		const cewb_fc2_block *b = &fc->blocks[k];
		double ph = TWO_PI * (q[0] * b->R[0] + q[1] * b->R[1] + q[2] * b->R[2]);
		double sc = 1.0 / sqrt(fc->masses[b->i] * fc->masses[b->j]);
		double c = cos(ph) * sc, s = sin(ph) * sc;
		for (int x = 0; x < 3; x++)
			for (int y = 0; y < 3; y++) {
				size_t r = 3 * b->i + (size_t)x, col = 3 * b->j + (size_t)y;
				double *e = D + 2 * (col * n + r);
				e[0] += b->phi[x][y] * c;
				e[1] += b->phi[x][y] * s;
			}
	}
	/* (D + D^H) / 2: exact for consistent blocks, a projection otherwise. */
	for (size_t c = 0; c < n; c++)
		for (size_t r = 0; r <= c; r++) {
			double *u = D + 2 * (c * n + r), *l = D + 2 * (r * n + c);
			double re = 0.5 * (u[0] + l[0]), im = 0.5 * (u[1] - l[1]);
			u[0] = re, u[1] = im;
			l[0] = re, l[1] = -im;
		}
}

/* The dynamical matrix at reduced q, row-major. */
cewb_status cewb_phonon_dynmat(const cewb_fc2 *fc, const double q[3], double *D,
			       cewb_error *err)
{
	cewb_status st = fc_check(fc, err);
	if (st)
		return st;
	size_t n = 3 * fc->n_atoms;
	dynmat_colmajor(fc, q, D);
	/* Hermitian: the row-major matrix is the conjugate of the column-major one. */
	for (size_t k = 0; k < n * n; k++)
		D[2 * k + 1] = -D[2 * k + 1];
	return CEWB_OK;
}

/* Workspace of one eigen-solve of size n. */
typedef struct {
	size_t n;
	double *D;		/* 2 n^2 */
	double *w;		/* n eigenvalues */
	lapack_complex_double *work;
	lapack_int lwork;
	double *rwork;		/* 3 n */
} eig_ws;

static void ws_free(eig_ws *ws)
{
	free(ws->D);
	free(ws->w);
	free(ws->work);
	free(ws->rwork);
	memset(ws, 0, sizeof *ws);
}

/* Allocate the workspace for n x n problems; 0 or -1 when out of memory. */
static int ws_alloc(eig_ws *ws, size_t n)
{
	memset(ws, 0, sizeof *ws);
	ws->n = n;
	ws->D = malloc(2 * n * n * sizeof *ws->D);
	ws->w = malloc(n * sizeof *ws->w);
	ws->rwork = malloc((3 * n + 1) * sizeof *ws->rwork);
	ws->lwork = (lapack_int)(2 * n + 64 * n);	/* >= 2n - 1, room for blocking */
	ws->work = malloc((size_t)ws->lwork * sizeof *ws->work);
	if (!ws->D || !ws->w || !ws->rwork || !ws->work) {
		ws_free(ws);
		return -1;
	}
	return 0;
}

/* Eigenvalues (and vectors in ws->D when vectors) of D in ws->D; lapack info. */
static lapack_int ws_solve(eig_ws *ws, int vectors)
{
	lapack_int n = (lapack_int)ws->n;
	return LAPACKE_zheev_work(LAPACK_COL_MAJOR, vectors ? 'V' : 'N', 'U', n,
				  (lapack_complex_double *)ws->D, n, ws->w, ws->work,
				  ws->lwork, ws->rwork);
}

/* Frequency (THz) of an eigenvalue of D (eV/Å^2/amu); negative when unstable. */
static double to_thz(double lambda)
{
	return lambda >= 0 ? sqrt(lambda) * CEWB_PHONON_THZ : -sqrt(-lambda) * CEWB_PHONON_THZ;
}

/* Frequencies at q with the workspace ws (sized for fc). */
static cewb_status freq_ws(const cewb_fc2 *fc, const double q[3], eig_ws *ws, int vectors,
			   double *freq, cewb_error *err)
{
	dynmat_colmajor(fc, q, ws->D);
	lapack_int info = ws_solve(ws, vectors);
	if (info != 0)
		CEWB_RAISE(err, CEWB_ENUMERIC,
			   "eigensolver failed at q = (%g, %g, %g) (zheev info %d)", q[0], q[1],
			   q[2], (int)info);
	for (size_t k = 0; k < ws->n; k++)
		freq[k] = to_thz(ws->w[k]);
	return CEWB_OK;
}

/* Frequencies (and eigenvectors) at reduced q. */
cewb_status cewb_phonon_frequencies(const cewb_fc2 *fc, const double q[3], double *freq,
				    double *eigvec, cewb_error *err)
{
	cewb_status st = fc_check(fc, err);
	if (st)
		return st;
	size_t n = 3 * fc->n_atoms;
	eig_ws ws;
	if (ws_alloc(&ws, n))
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a %zu x %zu dynamical matrix", n,
			   n);
	st = freq_ws(fc, q, &ws, eigvec != NULL, freq, err);
	if (!st && eigvec)
		for (size_t r = 0; r < n; r++)
			for (size_t c = 0; c < n; c++) {
				eigvec[2 * (r * n + c)] = ws.D[2 * (c * n + r)];
				eigvec[2 * (r * n + c) + 1] = ws.D[2 * (c * n + r) + 1];
			}
	ws_free(&ws);
	return st;
}

/* ---- band paths ---- */

/* A high-symmetry point: label and coordinates in some reciprocal basis. */
struct kpt {
	const char *label;
	double c[3];
};

/* Standard paths: lattice name, path text, points (conventional reciprocal basis). */
struct path_def {
	const char *lattice;
	const char *path;
	struct kpt pts[8];
};

static const struct path_def paths[] = {
	{ "fcc", "GXWKGLUWLK|UX",
	  { { "G", { 0, 0, 0 } }, { "X", { 0, 1, 0 } }, { "W", { 0.5, 1, 0 } },
	    { "K", { 0.75, 0.75, 0 } }, { "L", { 0.5, 0.5, 0.5 } }, { "U", { 0.25, 1, 0.25 } },
	    { NULL, { 0, 0, 0 } } } },
	{ "bcc", "GHNGPH|PN",
	  { { "G", { 0, 0, 0 } }, { "H", { 0, 1, 0 } }, { "N", { 0.5, 0.5, 0 } },
	    { "P", { 0.5, 0.5, 0.5 } }, { NULL, { 0, 0, 0 } } } },
	{ "sc", "GXMGRX|MR",
	  { { "G", { 0, 0, 0 } }, { "X", { 0, 0.5, 0 } }, { "M", { 0.5, 0.5, 0 } },
	    { "R", { 0.5, 0.5, 0.5 } }, { NULL, { 0, 0, 0 } } } },
	{ "hex", "GMKGALHA|LM|KH",
	  { { "G", { 0, 0, 0 } }, { "M", { 0.5, 0, 0 } }, { "K", { 1.0 / 3, 1.0 / 3, 0 } },
	    { "A", { 0, 0, 0.5 } }, { "L", { 0.5, 0, 0.5 } }, { "H", { 1.0 / 3, 1.0 / 3, 0.5 } },
	    { NULL, { 0, 0, 0 } } } },
	/* Generic: the primitive reciprocal basis itself (P = identity). */
	{ "generic", "GXMGZR",
	  { { "G", { 0, 0, 0 } }, { "X", { 0.5, 0, 0 } }, { "M", { 0.5, 0.5, 0 } },
	    { "Z", { 0, 0, 0.5 } }, { "R", { 0.5, 0.5, 0.5 } }, { NULL, { 0, 0, 0 } } } },
};

/* 3x3 inverse of a cell (rows); 0, or -1 when singular. */
static int inv3(const double m[3][3], double inv[3][3])
{
	double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
		     m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
		     m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
	if (fabs(det) < 1e-300 || !isfinite(det))
		return -1;
	inv[0][0] = (m[1][1] * m[2][2] - m[1][2] * m[2][1]) / det;
	inv[0][1] = (m[0][2] * m[2][1] - m[0][1] * m[2][2]) / det;
	inv[0][2] = (m[0][1] * m[1][2] - m[0][2] * m[1][1]) / det;
	inv[1][0] = (m[1][2] * m[2][0] - m[1][0] * m[2][2]) / det;
	inv[1][1] = (m[0][0] * m[2][2] - m[0][2] * m[2][0]) / det;
	inv[1][2] = (m[0][2] * m[1][0] - m[0][0] * m[1][2]) / det;
	inv[2][0] = (m[1][0] * m[2][1] - m[1][1] * m[2][0]) / det;
	inv[2][1] = (m[0][1] * m[2][0] - m[0][0] * m[2][1]) / det;
	inv[2][2] = (m[0][0] * m[1][1] - m[0][1] * m[1][0]) / det;
	return 0;
}

/*
 * Lattice type of the crystal (index into paths[]) and the matrix P with
 * (a b c) = (a_s b_s c_s) P, a_s.. the conventional cell (identity for
 * the generic path).
 */
static cewb_status lattice_type(const double cell[3][3], size_t n_atoms, const double (*pos)[3],
				const int *numbers, double symprec, size_t *type, double P[3][3],
				cewb_error *err)
{
	double inv[3][3], cols[3][3];
	double (*frac)[3] = malloc((n_atoms ? n_atoms : 1) * sizeof *frac);
	int *types = malloc((n_atoms ? n_atoms : 1) * sizeof *types);

	if (!frac || !types) {
		free(frac);
		free(types);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	*type = 4;
	memset(P, 0, 9 * sizeof(double));
	P[0][0] = P[1][1] = P[2][2] = 1;
	if (inv3(cell, inv)) {
		free(frac);
		free(types);
		CEWB_RAISE(err, CEWB_EINVAL, "the primitive cell is singular");
	}
	for (size_t a = 0; a < n_atoms; a++) {
		for (int x = 0; x < 3; x++)
			frac[a][x] = pos[a][0] * inv[0][x] + pos[a][1] * inv[1][x] +
				     pos[a][2] * inv[2][x];
		types[a] = numbers ? numbers[a] : 1;
	}
	for (int x = 0; x < 3; x++)
		for (int y = 0; y < 3; y++)
			cols[x][y] = cell[y][x];
	SpglibDataset *ds = spg_get_dataset(cols, frac, types, (int)n_atoms, symprec);
	free(frac);
	free(types);
	if (!ds)
		return CEWB_OK;	/* no symmetry found: the generic path */
	int sg = ds->spacegroup_number;
	char centring = ds->international_symbol[0];
	if (sg >= 195 && sg <= 230)
		*type = centring == 'F' ? 0 : centring == 'I' ? 1 : 2;
	else if ((sg >= 168 && sg <= 194) || (sg >= 143 && sg <= 167 && centring == 'P'))
		*type = 3;	/* hexagonal, and trigonal on a hexagonal lattice */
	if (*type != 4)
		for (int x = 0; x < 3; x++)
			for (int y = 0; y < 3; y++)
				P[x][y] = ds->transformation_matrix[x][y];
	spg_free_dataset(ds);
	return CEWB_OK;
}

/* The band path of a crystal: see phonon.h. */
cewb_status cewb_phonon_path(const double cell[3][3], size_t n_atoms, const double (*pos)[3],
			     const int *numbers, double symprec, char lattice[16],
			     char path[64], cewb_phonon_label **labels, size_t *n_labels,
			     cewb_error *err)
{
	size_t type;
	double P[3][3];
	cewb_status st = lattice_type(cell, n_atoms, pos, numbers, symprec, &type, P, err);
	if (st)
		return st;
	const struct path_def *d = &paths[type];
	snprintf(lattice, 16, "%s", d->lattice);
	snprintf(path, 64, "%s", d->path);
	size_t len = strlen(d->path), n = 0;
	cewb_phonon_label *lab = calloc(len, sizeof *lab);
	if (!lab)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	for (size_t k = 0; k < len; k++) {
		char ch = d->path[k];
		if (ch == '|')
			continue;
		const struct kpt *p = d->pts;
		while (p->label && p->label[0] != ch)
			p++;
		/* q_i = sum_k P_ki c_k: conventional reciprocal to primitive reduced. */
		for (int i = 0; i < 3; i++)
			lab[n].q[i] = P[0][i] * p->c[0] + P[1][i] * p->c[1] + P[2][i] * p->c[2];
		/* A point that starts a new piece of the path is marked "|U". */
		snprintf(lab[n].label, sizeof lab[n].label, "%s%c",
			 k > 0 && d->path[k - 1] == '|' ? "|" : "", ch);
		n++;
	}
	*labels = lab;
	*n_labels = n;
	return CEWB_OK;
}

/* Free a band structure. */
void cewb_phonon_bands_release(cewb_phonon_bands *b)
{
	if (!b)
		return;
	free(b->q);
	free(b->distance);
	free(b->freq);
	free(b->labels);
	memset(b, 0, sizeof *b);
}

/* Cartesian length (1/Å, no 2 pi) of a reduced reciprocal vector dq. */
static double recip_len(const double inv[3][3], const double dq[3])
{
	double k[3];
	for (int x = 0; x < 3; x++)
		k[x] = inv[x][0] * dq[0] + inv[x][1] * dq[1] + inv[x][2] * dq[2];
	return sqrt(k[0] * k[0] + k[1] * k[1] + k[2] * k[2]);
}

/* Band structure along the standard path. */
cewb_status cewb_phonon_bands_compute(const cewb_fc2 *fc, size_t points_per_segment,
				      double symprec, cewb_phonon_bands *out, cewb_error *err)
{
	cewb_phonon_label *nodes = NULL;
	size_t n_nodes = 0, npp = points_per_segment;
	double inv[3][3];
	cewb_status st;

	memset(out, 0, sizeof *out);
	if (npp < 2)
		CEWB_RAISE(err, CEWB_EINVAL, "points per segment must be at least 2, not %zu", npp);
	if ((st = fc_check(fc, err)))
		return st;
	if (inv3(fc->cell, inv))
		CEWB_RAISE(err, CEWB_EINVAL, "the primitive cell is singular");
	st = cewb_phonon_path(fc->cell, fc->n_atoms, (const double(*)[3])fc->pos, fc->numbers,
			      symprec, out->lattice, out->path, &nodes, &n_nodes, err);
	if (st)
		return st;
	/* Segments join consecutive nodes unless the second starts a new piece. */
	size_t n_seg = 0, n_lab = 0;
	for (size_t k = 0; k + 1 < n_nodes; k++)
		n_seg += nodes[k + 1].label[0] != '|';
	size_t n_modes = 3 * fc->n_atoms, np = n_seg * npp;
	out->n_modes = n_modes;
	out->q = malloc(np * sizeof *out->q);
	out->distance = malloc(np * sizeof *out->distance);
	out->freq = malloc(np * n_modes * sizeof *out->freq);
	out->labels = calloc(n_nodes, sizeof *out->labels);
	if (!out->q || !out->distance || !out->freq || !out->labels) {
		free(nodes);
		cewb_phonon_bands_release(out);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for %zu band points", np);
	}
	size_t p = 0;
	double dist = 0;
	for (size_t k = 0; k < n_nodes; k++) {
		if (nodes[k].label[0] == '|') {
			/* "K" then "|U": one label "K|U" where the pieces meet. */
			cewb_phonon_label *prev = &out->labels[n_lab - 1];
			size_t l = strlen(prev->label);
			snprintf(prev->label + l, sizeof prev->label - l, "%s", nodes[k].label);
		} else {
			out->labels[n_lab] = nodes[k];
			out->labels[n_lab].distance = dist;
			out->labels[n_lab].index = p > 0 ? p - 1 : 0;
			n_lab++;
		}
		if (k + 1 == n_nodes || nodes[k + 1].label[0] == '|')
			continue;
		double dq[3];
		for (int x = 0; x < 3; x++)
			dq[x] = nodes[k + 1].q[x] - nodes[k].q[x];
		double seg = recip_len(inv, dq);
		for (size_t t = 0; t < npp; t++, p++) {
			double f = (double)t / (double)(npp - 1);
			for (int x = 0; x < 3; x++)
				out->q[p][x] = nodes[k].q[x] + f * dq[x];
			out->distance[p] = dist + f * seg;
		}
		dist += seg;
	}
	free(nodes);
	out->n_labels = n_lab;
	out->n_points = np;

	eig_ws ws;
	if (ws_alloc(&ws, n_modes)) {
		cewb_phonon_bands_release(out);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	for (p = 0; p < np && !st; p++)
		st = freq_ws(fc, out->q[p], &ws, 0, out->freq + p * n_modes, err);
	ws_free(&ws);
	if (st)
		cewb_phonon_bands_release(out);
	return st;
}

/* ---- mesh, density of states, thermodynamics ---- */

/* Free the frequencies of a mesh. */
void cewb_phonon_mesh_release(cewb_phonon_mesh *m)
{
	if (!m)
		return;
	free(m->freq);
	memset(m, 0, sizeof *m);
}

/*
 * Index of the mesh point -q of the point (k1, k2, k3).  D(-q) is the
 * complex conjugate of D(q) (real force constants), so both have the same
 * frequencies and only one of each pair is solved.
 */
static size_t mirror(const int mesh[3], size_t k1, size_t k2, size_t k3)
{
	size_t n1 = (size_t)mesh[0], n2 = (size_t)mesh[1], n3 = (size_t)mesh[2];
	return (((n1 - k1) % n1) * n2 + (n2 - k2) % n2) * n3 + (n3 - k3) % n3;
}

/* Frequencies on a Γ-centred mesh. */
cewb_status cewb_phonon_mesh_compute(const cewb_fc2 *fc, const int mesh[3], int n_threads,
				     cewb_phonon_mesh *out, cewb_error *err)
{
	cewb_status st;

	memset(out, 0, sizeof *out);
	for (int x = 0; x < 3; x++)
		if (mesh[x] < 1 || mesh[x] > 1000)
			CEWB_RAISE(err, CEWB_EINVAL, "mesh %d x %d x %d: each must be 1..1000",
				   mesh[0], mesh[1], mesh[2]);
	if ((st = fc_check(fc, err)))
		return st;
	size_t nq = (size_t)mesh[0] * (size_t)mesh[1] * (size_t)mesh[2];
	size_t nm = 3 * fc->n_atoms;
	if (nq * nm > CEWB_PHONON_MAX_MESH_FREQ)
		CEWB_RAISE(err, CEWB_EINVAL, "mesh %d x %d x %d: %zu frequencies, more than %.0e",
			   mesh[0], mesh[1], mesh[2], nq * nm, (double)CEWB_PHONON_MAX_MESH_FREQ);
	out->freq = malloc(nq * nm * sizeof *out->freq);
	if (!out->freq)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for a %zu-point mesh", nq);
	memcpy(out->mesh, mesh, sizeof out->mesh);
	out->n_q = nq;
	out->n_modes = nm;

	int failed = 0;		/* 1 memory, 2 solver, 3 interrupt */
	long bad_q = -1;
	int nt = 1;
#ifdef _OPENMP
	nt = n_threads > 0 ? n_threads : omp_get_max_threads();
#else
	(void)n_threads;
#endif
	if ((size_t)nt > nq)
		nt = (int)nq;
#pragma omp parallel num_threads(nt)
	{
		eig_ws ws;
		int mine = ws_alloc(&ws, nm) ? 1 : 0;
		if (mine) {
#pragma omp atomic write
			failed = 1;
		}
#pragma omp for schedule(static)
		for (size_t k = 0; k < nq; k++) {
			int f;
#pragma omp atomic read
			f = failed;
			if (f || mine)
				continue;
			if (cewb_interrupt_flag) {
#pragma omp atomic write
				failed = 3;
				continue;
			}
			size_t n2 = (size_t)mesh[1], n3 = (size_t)mesh[2];
			size_t k3 = k % n3, k2 = (k / n3) % n2, k1 = k / (n3 * n2);
			if (mirror(mesh, k1, k2, k3) < k)
				continue;	/* -q: filled in from q below */
			double q[3] = { (double)k1 / mesh[0], (double)k2 / mesh[1],
					(double)k3 / mesh[2] };
			dynmat_colmajor(fc, q, ws.D);
			if (ws_solve(&ws, 0) != 0) {
#pragma omp critical(phonon_mesh_fail)
				{
					failed = 2;
					bad_q = (long)k;
				}
				continue;
			}
			for (size_t j = 0; j < nm; j++)
				out->freq[k * nm + j] = to_thz(ws.w[j]);
		}
		if (!mine)
			ws_free(&ws);
	}
	if (!failed)
		for (size_t k = 0; k < nq; k++) {
			size_t n2 = (size_t)mesh[1], n3 = (size_t)mesh[2];
			size_t k3 = k % n3, k2 = (k / n3) % n2, k1 = k / (n3 * n2);
			size_t m = mirror(mesh, k1, k2, k3);
			if (m < k)
				memcpy(out->freq + k * nm, out->freq + m * nm,
				       nm * sizeof *out->freq);
		}
	if (failed) {
		cewb_phonon_mesh_release(out);
		if (failed == 1)
			CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
		if (failed == 3)
			CEWB_RAISE(err, CEWB_EINTERRUPT, "interrupted");
		CEWB_RAISE(err, CEWB_ENUMERIC, "eigensolver failed at mesh point %ld", bad_q);
	}
	out->fmin = INFINITY;
	out->fmax = -INFINITY;
	for (size_t k = 0; k < nq * nm; k++) {
		double f = out->freq[k];
		if (f < out->fmin)
			out->fmin = f;
		if (f > out->fmax)
			out->fmax = f;
		out->n_imaginary += f < -CEWB_PHONON_CUTOFF_THZ;
	}
	return CEWB_OK;
}

/* First index of the ascending array f (n) with f[i] >= x. */
static size_t lower_bound(const double *f, size_t n, double x)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Gaussian-broadened density of states. */
cewb_status cewb_phonon_dos(const cewb_phonon_mesh *m, double sigma, size_t n, const double *f,
			    double *dos, cewb_error *err)
{
	if (!(sigma > 0) || !isfinite(sigma))
		CEWB_RAISE(err, CEWB_EINVAL, "smearing %g THz: must be positive", sigma);
	for (size_t i = 0; i + 1 < n; i++)
		if (!(f[i + 1] >= f[i]))
			CEWB_RAISE(err, CEWB_EINVAL, "frequencies of the density of states must "
				   "ascend (at %zu)", i + 1);
	memset(dos, 0, n * sizeof *dos);
	/* Tails beyond 8 sigma weigh less than 1e-14 of a mode: left out. */
	double norm = 1.0 / (sqrt(TWO_PI) * sigma * (double)m->n_q), reach = 8 * sigma;
	for (size_t k = 0; k < m->n_q * m->n_modes; k++) {
		double nu = m->freq[k];
		for (size_t i = lower_bound(f, n, nu - reach); i < n && f[i] <= nu + reach; i++) {
			double t = (f[i] - nu) / sigma;
			dos[i] += norm * exp(-0.5 * t * t);
		}
	}
	return CEWB_OK;
}

/* Add the DOS of one tetrahedron (corner frequencies e, weight w) at f. */
static void tetra_add(const double e_in[4], double w, size_t n, const double *f, double *dos)
{
	double e[4];
	memcpy(e, e_in, sizeof e);
	for (int i = 1; i < 4; i++)	/* sort the four corners */
		for (int j = i; j > 0 && e[j] < e[j - 1]; j--) {
			double t = e[j];
			e[j] = e[j - 1];
			e[j - 1] = t;
		}
	double e21 = e[1] - e[0], e31 = e[2] - e[0], e41 = e[3] - e[0];
	double e32 = e[2] - e[1], e42 = e[3] - e[1], e43 = e[3] - e[2];
	for (size_t i = lower_bound(f, n, e[0]); i < n && f[i] < e[3]; i++) {
		double x = f[i], g;
		if (x < e[1])
			g = 3 * (x - e[0]) * (x - e[0]) / (e21 * e31 * e41);
		else if (x < e[2])
			g = (3 * e21 + 6 * (x - e[1]) -
			     3 * (e31 + e42) * (x - e[1]) * (x - e[1]) / (e32 * e42)) / (e31 * e41);
		else
			g = 3 * (e[3] - x) * (e[3] - x) / (e41 * e42 * e43);
		dos[i] += w * g;
	}
}

/* Linear-tetrahedron density of states. */
cewb_status cewb_phonon_dos_tetrahedron(const cewb_phonon_mesh *m, size_t n, const double *f,
					double *dos, cewb_error *err)
{
	/* The six tetrahedra of a cell of the mesh around its diagonal 0-7;
	 * corner c is the offset (c & 1, c >> 1 & 1, c >> 2 & 1). */
	static const int tet[6][4] = { { 0, 1, 3, 7 }, { 0, 1, 5, 7 }, { 0, 2, 3, 7 },
				       { 0, 2, 6, 7 }, { 0, 4, 5, 7 }, { 0, 4, 6, 7 } };
	int n1 = m->mesh[0], n2 = m->mesh[1], n3 = m->mesh[2];
	size_t nm = m->n_modes;
	double w = 1.0 / (6.0 * (double)m->n_q);

	for (size_t i = 0; i + 1 < n; i++)
		if (!(f[i + 1] >= f[i]))
			CEWB_RAISE(err, CEWB_EINVAL, "frequencies of the density of states must "
				   "ascend (at %zu)", i + 1);
	memset(dos, 0, n * sizeof *dos);
	for (int a = 0; a < n1; a++)
		for (int b = 0; b < n2; b++)
			for (int c = 0; c < n3; c++) {
				size_t corner[8];
				for (int k = 0; k < 8; k++) {
					int x = (a + (k & 1)) % n1, y = (b + (k >> 1 & 1)) % n2;
					int z = (c + (k >> 2 & 1)) % n3;
					corner[k] = ((size_t)x * (size_t)n2 + (size_t)y) *
						    (size_t)n3 + (size_t)z;
				}
				for (int t = 0; t < 6; t++)
					for (size_t j = 0; j < nm; j++) {
						double e[4];
						for (int k = 0; k < 4; k++)
							e[k] = m->freq[corner[tet[t][k]] * nm + j];
						tetra_add(e, w, n, f, dos);
					}
			}
	return CEWB_OK;
}

/* Harmonic thermodynamics on the mesh. */
cewb_status cewb_phonon_thermal(const cewb_phonon_mesh *m, size_t n, const double *T,
				double *F, double *S, double *C, cewb_error *err)
{
	const double h = CEWB_PHONON_H_EV_THZ, kb = CEWB_PHONON_KB_EV;
	const double per_mol = CEWB_PHONON_EV_J_MOL / (double)m->n_q;

	for (size_t t = 0; t < n; t++)
		if (!(T[t] >= 0) || !isfinite(T[t]))
			CEWB_RAISE(err, CEWB_EINVAL, "temperature %g K: must be 0 or more", T[t]);
	for (size_t t = 0; t < n; t++) {
		double f_sum = 0, s_sum = 0, c_sum = 0, kt = kb * T[t];
		for (size_t k = 0; k < m->n_q * m->n_modes; k++) {
			double nu = m->freq[k];
			if (nu <= CEWB_PHONON_CUTOFF_THZ)
				continue;
			double e = h * nu;
			f_sum += 0.5 * e;
			if (kt <= 0)
				continue;
			double x = e / kt, em = exp(-x), l = log1p(-em);
			f_sum += kt * l;
			s_sum += kb * (x / expm1(x) - l);
			double d = -expm1(-x);
			c_sum += kb * x * x * em / (d * d);
		}
		if (F)
			F[t] = f_sum * per_mol / 1000.0;
		if (S)
			S[t] = s_sum * per_mol;
		if (C)
			C[t] = c_sum * per_mol;
	}
	return CEWB_OK;
}

/* ---- supercells and FORCE_CONSTANTS ---- */

/* Fold the lattice sums into a supercell. */
cewb_status cewb_phonon_fold(const cewb_fc2 *fc, const cewb_structure *sc, double tol,
			     double **fc_out, cewb_error *err)
{
	double pinv[3][3], M[3][3], Minv[3][3];
	int Mi[3][3];
	cewb_status st;
	const char *name = sc->source ? sc->source : "supercell";

	*fc_out = NULL;
	if ((st = fc_check(fc, err)))
		return st;
	if (inv3(fc->cell, pinv))
		CEWB_RAISE(err, CEWB_EINVAL, "the primitive cell is singular");
	/* M = cell_sc cell_p^-1 must be integral: cell_sc = M cell_p (rows). */
	for (int x = 0; x < 3; x++)
		for (int y = 0; y < 3; y++) {
			M[x][y] = sc->cell[x][0] * pinv[0][y] + sc->cell[x][1] * pinv[1][y] +
				  sc->cell[x][2] * pinv[2][y];
			Mi[x][y] = (int)lround(M[x][y]);
		}
	for (int x = 0; x < 3; x++)
		for (int c = 0; c < 3; c++) {
			double v = 0;
			for (int y = 0; y < 3; y++)
				v += Mi[x][y] * fc->cell[y][c];
			if (fabs(v - sc->cell[x][c]) > tol)
				CEWB_RAISE(err, CEWB_ENOFIT, "%s: cell vector %d is not an integer "
					   "combination of the primitive cell", name, x + 1);
		}
	for (int x = 0; x < 3; x++)
		for (int y = 0; y < 3; y++)
			M[x][y] = Mi[x][y];
	if (inv3(M, Minv))
		CEWB_RAISE(err, CEWB_ENOFIT, "%s: the cell is singular", name);
	double det = M[0][0] * (M[1][1] * M[2][2] - M[1][2] * M[2][1]) -
		     M[0][1] * (M[1][0] * M[2][2] - M[1][2] * M[2][0]) +
		     M[0][2] * (M[1][0] * M[2][1] - M[1][1] * M[2][0]);
	size_t N = sc->n_atoms;
	if ((size_t)lround(fabs(det)) * fc->n_atoms != N)
		CEWB_RAISE(err, CEWB_ENOFIT, "%s: %zu atoms, but a supercell of %ld primitive "
			   "cells holds %zu", name, N, lround(fabs(det)),
			   (size_t)lround(fabs(det)) * fc->n_atoms);

	/* Each supercell atom: its primitive atom and cell translation L. */
	size_t *prim = malloc((N ? N : 1) * sizeof *prim);
	int (*L)[3] = malloc((N ? N : 1) * sizeof *L);
	double *out = calloc(N ? N * N * 9 : 1, sizeof *out);
	if (!prim || !L || !out) {
		free(prim), free(L), free(out);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for %zu x %zu force constants", N, N);
	}
	for (size_t a = 0; a < N; a++) {
		size_t i;
		for (i = 0; i < fc->n_atoms; i++) {
			if (fc->numbers && sc->numbers && fc->numbers[i] != sc->numbers[a])
				continue;
			double d[3], fr[3], r[3];
			for (int x = 0; x < 3; x++)
				d[x] = sc->pos[a][x] - fc->pos[i][x];
			for (int x = 0; x < 3; x++) {
				fr[x] = d[0] * pinv[0][x] + d[1] * pinv[1][x] + d[2] * pinv[2][x];
				L[a][x] = (int)lround(fr[x]);
			}
			for (int x = 0; x < 3; x++)
				r[x] = d[x] - (L[a][0] * fc->cell[0][x] + L[a][1] * fc->cell[1][x] +
					       L[a][2] * fc->cell[2][x]);
			if (sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]) <= tol)
				break;
		}
		if (i == fc->n_atoms) {
			free(prim), free(L), free(out);
			CEWB_RAISE(err, CEWB_ENOFIT, "%s: atom %zu is on no site of the primitive "
				   "cell (tolerance %g Å)", name, a, tol);
		}
		prim[a] = i;
	}
	/* Translations equal modulo the supercell: (L - L') M^-1 integral. */
	for (size_t a = 0; a < N; a++)
		for (size_t k = 0; k < fc->n_blocks; k++) {
			const cewb_fc2_block *b = &fc->blocks[k];
			if (b->i != prim[a])
				continue;
			int T[3] = { L[a][0] + b->R[0], L[a][1] + b->R[1], L[a][2] + b->R[2] };
			size_t c;
			for (c = 0; c < N; c++) {
				if (prim[c] != b->j)
					continue;
				int same = 1;
				for (int y = 0; y < 3 && same; y++) {
					double v = (T[0] - L[c][0]) * Minv[0][y] +
						   (T[1] - L[c][1]) * Minv[1][y] +
						   (T[2] - L[c][2]) * Minv[2][y];
					same = fabs(v - round(v)) < 1e-6;
				}
				if (same)
					break;
			}
			if (c == N) {
				free(prim), free(L), free(out);
				CEWB_RAISE(err, CEWB_ENOFIT, "%s: no atom is an image of primitive "
					   "atom %zu in cell (%d, %d, %d)", name, b->j, T[0],
					   T[1], T[2]);
			}
			double *blk = out + (a * N + c) * 9;
			for (int x = 0; x < 3; x++)
				for (int y = 0; y < 3; y++)
					blk[3 * x + y] += b->phi[x][y];
		}
	free(prim);
	free(L);
	*fc_out = out;
	return CEWB_OK;
}

/* Write phonopy's FORCE_CONSTANTS for a supercell. */
cewb_status cewb_phonon_write_force_constants(const char *path, const cewb_fc2 *fc,
					      const cewb_structure *sc, double tol,
					      cewb_error *err)
{
	double *blocks;
	cewb_status st = cewb_phonon_fold(fc, sc, tol, &blocks, err);
	if (st)
		return st;
	cewb_io_atomic a;
	if ((st = cewb_io_atomic_open(&a, path, err))) {
		free(blocks);
		return st;
	}
	locale_t c_loc;
	locale_t saved = cewb_io_locale_push(&c_loc);
	size_t N = sc->n_atoms;
	int bad = fprintf(a.fp, "%4zu %4zu\n", N, N) < 0;
	for (size_t i = 0; i < N && !bad; i++)
		for (size_t j = 0; j < N && !bad; j++) {
			const double *b = blocks + (i * N + j) * 9;
			bad |= fprintf(a.fp, "%zu %zu\n", i + 1, j + 1) < 0;
			for (int x = 0; x < 3 && !bad; x++)
				bad |= fprintf(a.fp, "%22.15f%22.15f%22.15f\n", b[3 * x],
					       b[3 * x + 1], b[3 * x + 2]) < 0;
		}
	cewb_io_locale_pop(saved, c_loc);
	free(blocks);
	if (bad) {
		cewb_io_atomic_abort(&a);
		CEWB_RAISE(err, CEWB_EIO, "%s: write failed", path);
	}
	return cewb_io_atomic_commit(&a, err);
}
