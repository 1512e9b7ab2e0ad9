/*
 * Sensing matrix and energy of a force-constant space (cewb/fce.h).
 *
 * The energy of a periodic supercell with displacements u is a sum over
 * the clusters of the lattice modulo the supercell: every cluster of every
 * orbit (per primitive cell) translated by every cell of the supercell,
 *
 *	E = sum_C w_C sum_a Phi_C^(a1..an) u_1^a1 .. u_n^an,
 *
 * w_C = 1 / prod(m!) over the multiplicities m of repeated points (the
 * 1/n! of the Taylor series times the n! / prod(m!) ordered tuples of one
 * cluster).  Points are looked up as atoms of the supercell, so a cluster
 * larger than the supercell wraps onto periodic images, as the infinite
 * crystal does.  The force on atom x is -dE/du_x: the sum over the
 * positions i of the cluster that fall on x of the tensor contracted with
 * the displacements of the other positions.  Phi_C is linear in the free
 * parameters (fce_cluster.M, and its nonzero entries per distinct point,
 * fce_cluster.ent), the free parameters are B params.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cblas.h>
#include "cewb/fce.h"
#include "fce_internal.h"

/* The supercell of a structure, checked against the space. */
static cewb_status match(const cewb_fce_space *sp, const cewb_structure *ideal,
			 const double (*disp)[3], double tol, cewb_supercell **out,
			 cewb_error *err)
{
	const char *src = ideal && ideal->source ? ideal->source : "structure";
	cewb_supercell *sc;
	cewb_status st;
	if (!ideal || !disp)
		CEWB_RAISE(err, CEWB_EINVAL, "no structure or no displacements");
	if ((st = cewb_supercell_match(sp->lat, ideal, tol, &sc, err)))
		return st;
	if (sp->supercell && memcmp(sc->H, sp->sc->H, sizeof sc->H)) {
		cewb_supercell_free(sc);
		CEWB_RAISE(err, CEWB_ENOFIT,
			   "%s: frame %zu: not the supercell the force-constant space was "
			   "built on", src, ideal->frame);
	}
	for (size_t a = 0; a < ideal->n_atoms; a++) {
		double u2 = 0;
		for (int i = 0; i < 3; i++) {
			if (!isfinite(disp[a][i])) {
				cewb_supercell_free(sc);
				CEWB_RAISE(err, CEWB_EINVAL,
					   "%s: frame %zu: atom %zu has a displacement that is not "
					   "a number", src, ideal->frame, a);
			}
			u2 += disp[a][i] * disp[a][i];
		}
		if (sqrt(u2) > 0.5 * sp->nn_distance) {
			cewb_supercell_free(sc);
			CEWB_RAISE(err, CEWB_EINVAL,
				   "%s: frame %zu: atom %zu is displaced by %.3g Å, more than "
				   "half the nearest-neighbour distance (%.3g Å)", src,
				   ideal->frame, a, sqrt(u2), sp->nn_distance);
		}
	}
	*out = sc;
	return CEWB_OK;
}

/*
 * Atoms of cluster cl translated by cell c of the supercell.  The offset
 * of each point is reduced once (base, in [0, H_ii) by the Hermite normal
 * form H of the supercell), so that adding the reduced offset of a cell
 * needs a few subtractions of rows of H instead of divisions: this is the
 * inner loop of the sensing matrix.
 */
static void cluster_atoms(const cewb_supercell *sc, const fce_cluster *cl, size_t n,
			  const int (*base)[3], size_t c, int *atoms)
{
	const int(*H)[3] = (const int(*)[3])sc->H;
	const int *L = sc->offset_of[c];
	for (size_t k = 0; k < n; k++) {
		int w[3] = { base[k][0] + L[0], base[k][1] + L[1], base[k][2] + L[2] };
		for (int i = 2; i >= 0; i--) {
			while (w[i] >= H[i][i])
				for (int j = 0; j <= i; j++)
					w[j] -= H[i][j];
			while (w[i] < 0)
				for (int j = 0; j <= i; j++)
					w[j] += H[i][j];
		}
		size_t ci = (size_t)w[0] +
			    (size_t)H[0][0] * ((size_t)w[1] + (size_t)H[1][1] * (size_t)w[2]);
		atoms[k] = sc->atom_of[(size_t)cl->pts[k].site * sc->n_cells + ci];
	}
}

/* The reduced offsets of the points of a cluster (for cluster_atoms). */
static void cluster_base(const cewb_supercell *sc, const fce_cluster *cl, size_t n,
			 int (*base)[3])
{
	for (size_t k = 0; k < n; k++) {
		size_t ci = cewb_supercell_cell_index(sc, cl->pts[k].off);
		memcpy(base[k], sc->offset_of[ci], sizeof base[k]);
	}
}

/* Outer product of the displacements of the positions other than skip
 * (skip = n: all of them), first position slowest. */
static size_t outer(const double (*disp)[3], const int *atoms, size_t n, size_t skip,
		    double *v)
{
	size_t len = 1;
	v[0] = 1.0;
	for (size_t k = 0; k < n; k++) {
		const double *u;
		if (k == skip)
			continue;
		u = disp[atoms[k]];
		for (size_t t = len; t-- > 0;) {
			double x = v[t];
			v[3 * t] = x * u[0];
			v[3 * t + 1] = x * u[1];
			v[3 * t + 2] = x * u[2];
		}
		len *= 3;
	}
	return len;
}

/* Sensing rows of one displaced supercell: F = A params. */
cewb_status cewb_fce_sensing(const cewb_fce_space *sp, const cewb_structure *ideal,
			     const double (*disp)[3], double tol, double *A, cewb_error *err)
{
	cewb_supercell *sc;
	cewb_status st;
	size_t nf = sp->n_free, np = sp->n_params, N, rows;
	double *Af;
	if ((st = match(sp, ideal, disp, tol, &sc, err)))
		return st;
	N = ideal->n_atoms;
	rows = 3 * N;
	Af = calloc(rows * (nf ? nf : 1), sizeof *Af);
	if (!Af) {
		cewb_supercell_free(sc);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	for (size_t o = 0; o < sp->n_orbits; o++) {
		const cewb_fce_orbit *po = &sp->orbits[o];
		size_t n = po->order;
		for (size_t m = 0; m < sp->data[o].n_clusters; m++) {
			const fce_cluster *cl = &sp->data[o].clusters[m];
			int base[CEWB_FCE_MAX_ORDER][3];
			cluster_base(sc, cl, n, base);
			for (size_t c = 0; c < sc->n_cells; c++) {
				int atoms[CEWB_FCE_MAX_ORDER];
				double v[FCE_MAX_DIM / 3];
				cluster_atoms(sc, cl, n, (const int(*)[3])base, c, atoms);
				for (size_t j = 0; j < cl->n_dpos; j++) {
					const fce_entry *e = cl->ent + cl->ent_first[j];
					const fce_entry *end = cl->ent + cl->ent_first[j + 1];
					size_t i = (size_t)cl->dpos[j];
					double *row = Af + 3 * (size_t)atoms[i] * nf +
						      po->free_first;
					outer(disp, atoms, n, i, v);
					for (; e < end; e++)
						row[e->b * nf + e->p] += e->v * v[e->t];
				}
			}
		}
	}
	cewb_supercell_free(sc);
	if (np == nf && !(sp->sum_rules & (CEWB_FCE_ACOUSTIC | CEWB_FCE_ROTATIONAL)))
		memcpy(A, Af, rows * nf * sizeof *A);
	else if (np)
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)np, (int)nf,
			    1.0, Af, (int)(nf ? nf : 1), sp->B, (int)np, 0.0, A, (int)np);
	free(Af);
	return CEWB_OK;
}

/* Energy E - E0 of one displaced supercell for fit parameters params. */
cewb_status cewb_fce_energy(const cewb_fce_space *sp, const cewb_structure *ideal,
			    const double (*disp)[3], double tol, const double *params,
			    double *energy, cewb_error *err)
{
	cewb_supercell *sc;
	cewb_status st;
	double *fr, E = 0;
	if ((st = match(sp, ideal, disp, tol, &sc, err)))
		return st;
	fr = malloc((sp->n_free ? sp->n_free : 1) * sizeof *fr);
	if (!fr) {
		cewb_supercell_free(sc);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	cewb_fce_params_to_free(sp, params, fr);
	for (size_t o = 0; o < sp->n_orbits; o++) {
		const cewb_fce_orbit *po = &sp->orbits[o];
		size_t n = po->order, k = po->n_free, d = fce_pow3(n);
		const double *th = fr + po->free_first;
		for (size_t m = 0; m < sp->data[o].n_clusters; m++) {
			const fce_cluster *cl = &sp->data[o].clusters[m];
			double phi[FCE_MAX_DIM];
			int base[CEWB_FCE_MAX_ORDER][3];
			cluster_base(sc, cl, n, base);
			for (size_t i = 0; i < d; i++) {
				double x = 0;
				for (size_t p = 0; p < k; p++)
					x += cl->M[i * k + p] * th[p];
				phi[i] = x;
			}
			for (size_t c = 0; c < sc->n_cells; c++) {
				int atoms[CEWB_FCE_MAX_ORDER];
				double v[FCE_MAX_DIM], e = 0;
				cluster_atoms(sc, cl, n, (const int(*)[3])base, c, atoms);
				outer(disp, atoms, n, n, v);
				for (size_t i = 0; i < d; i++)
					e += phi[i] * v[i];
				E += cl->weight * e;
			}
		}
	}
	free(fr);
	cewb_supercell_free(sc);
	*energy = E;
	return CEWB_OK;
}
