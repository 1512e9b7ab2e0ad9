/*
 * cmd_fce.c - the force-constant expansion (FCE) family: fce space, fce
 * orbits, fce on/off, fce select, fce errors, and FCE mode of load
 * structures, orbits, structures, sensing, fit, validate, learning-curve.
 *
 * FCE mode: `fce space` builds the force-constant space on the session's
 * lattice and makes it the current model.  Force data then go to this
 * family's state (fce_state.h): every structure gives 3 n_atoms rows, the
 * sensing rows of its displacements, with its forces as targets.  The fit
 * commands take those rows (grouped by structure, so that validation holds
 * out whole structures) and report force errors in eV/Å and relative to
 * the root mean square force.  `space` or `fce off` go back to the cluster
 * expansion, `fce on` returns; nothing is dropped by switching.
 */
#include "config.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <lapacke.h>
#include "cmd.h"
#include "session.h"
#include "fce_state.h"
#include "fit_data.h"
#include "cewb/fce.h"

/* ---- the state ---- */

/* Free what the n items hold (not the array). */
static void items_release(struct fce_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cewb_structure_free(items[i].s);
		cewb_structure_free(items[i].ideal);
		free(items[i].disp);
		free(items[i].file);
	}
}

/* Drop the fit of f and its force constants. */
static void fit_drop(struct fce_state *f)
{
	if (f->fit.have)
		cewb_fit_result_release(&f->fit.res);
	free(f->fit.in_fit);
	memset(&f->fit, 0, sizeof f->fit);
	cewb_fc2_free(f->fc2);
	f->fc2 = NULL;
}

/* Free a force-constant state. */
void fce_state_free(struct fce_state *f)
{
	if (!f)
		return;
	fit_drop(f);
	items_release(f->items, f->n_items);
	free(f->items);
	free(f->A);
	free(f->F);
	free(f->select_text);
	cewb_fce_space_free(f->space);
	cewb_lattice_free(f->lattice);
	free(f);
}

/* Is the force-constant expansion the session's current model? */
int fce_session_active(const struct session *s)
{
	return s->fce && s->fce->active;
}

/* Leave FCE mode; the data stay. */
void fce_session_deactivate(struct session *s)
{
	if (s->fce)
		s->fce->active = 0;
}

/* Drop the force-constant space, its data and fit. */
void fce_session_drop(struct session *s)
{
	fce_state_free(s->fce);
	s->fce = NULL;
}

/* The second-order force constants of the last fit, or NULL with why. */
const cewb_fc2 *fce_session_fc2(struct session *s, char *why, size_t len)
{
	struct fce_state *f = s->fce;
	if (!f || !f->space) {
		snprintf(why, len, "no force-constant fit: build a space with 'fce space CUT2' "
			 "and fit it to forces");
		return NULL;
	}
	if (!f->fit.have) {
		snprintf(why, len, "no force-constant fit: load structures with forces and "
			 "run 'fit ols' in force-constant mode");
		return NULL;
	}
	if (!f->fc2) {
		cewb_error err;
		cewb_error_clear(&err);
		if (cewb_fce_fc2(f->space, f->fit.res.eci, &f->fc2, &err) != CEWB_OK) {
			f->fc2 = NULL;
			snprintf(why, len, "no force constants: %s", err.message);
			return NULL;
		}
	}
	return f->fc2;
}

/* The state of FCE mode, or NULL after cmd_fail. */
static struct fce_state *active_state(struct session *s)
{
	if (!s->fce || !s->fce->space) {
		cmd_fail(s, "no force-constant space: build one with 'fce space CUT2 [CUT3 ...]'");
		return NULL;
	}
	return s->fce;
}

/* ---- small helpers ---- */

/* Root mean square of n values. */
static double rms_of(const double *v, size_t n)
{
	double ss = 0.0;
	for (size_t i = 0; i < n; i++)
		ss += v[i] * v[i];
	return n ? sqrt(ss / (double)n) : 0.0;
}

/* Relative error in per cent, NAN when the reference is zero. */
static double percent(double rmse, double rms)
{
	return rms > 0.0 ? 100.0 * rmse / rms : NAN;
}

/* Text of an info value of item it ("0.01"), or NULL when absent. */
static const char *info_text(const struct fce_item *it, const char *key)
{
	const cewb_info *in = cewb_structure_info(it->s, key);
	return in ? in->text : NULL;
}

/* Orbits of each order of a space, as {"2": n, "3": n}. */
static json_t *orbits_by_order(const cewb_fce_space *sp)
{
	size_t count[CEWB_FCE_MAX_ORDER + 1] = { 0 };
	for (size_t k = 0; k < cewb_fce_space_n_orbits(sp); k++) {
		size_t o = cewb_fce_space_orbit(sp, k)->order;
		if (o <= CEWB_FCE_MAX_ORDER)
			count[o]++;
	}
	json_t *j = json_object();
	for (size_t o = 2; o <= CEWB_FCE_MAX_ORDER; o++) {
		char key[8];
		snprintf(key, sizeof key, "%zu", o);
		if (count[o])
			json_object_set_new(j, key, json_integer((json_int_t)count[o]));
	}
	return j;
}

/* Shortest distance between two sites of a lattice (Å), over periodic images. */
static double nearest_neighbour(const cewb_lattice *lat)
{
	double best = INFINITY;
	int r[3];
	for (int d = 0; d < 3; d++)
		r[d] = lat->pbc[d] ? 2 : 0;
	for (size_t i = 0; i < lat->n_sites; i++)
		for (size_t j = 0; j < lat->n_sites; j++)
			for (int a = -r[0]; a <= r[0]; a++)
				for (int b = -r[1]; b <= r[1]; b++)
					for (int c = -r[2]; c <= r[2]; c++) {
						double d2 = 0.0;
						for (int x = 0; x < 3; x++) {
							double v = lat->pos[j][x] - lat->pos[i][x] +
								   a * lat->cell[0][x] +
								   b * lat->cell[1][x] +
								   c * lat->cell[2][x];
							d2 += v * v;
						}
						if (d2 > 1e-12 && d2 < best)
							best = d2;
					}
	return sqrt(best);
}

/* ---- fce space ---- */

/* Sensing rows of every item in space sp: a new n_rows x n_params matrix. */
static cewb_status items_sensing(const cewb_fce_space *sp, const struct fce_item *items,
				 size_t n_items, size_t n_rows, double tol, double **A_out,
				 cewb_error *err)
{
	size_t p = cewb_fce_space_n_params(sp);
	*A_out = NULL;
	if (n_rows == 0)
		return CEWB_OK;
	double *A = malloc(n_rows * p * sizeof *A);
	if (!A)
		return cewb_error_set(err, CEWB_ENOMEM, "out of memory for %zu x %zu sensing rows",
				      n_rows, p);
	for (size_t i = 0; i < n_items; i++) {
		const struct fce_item *it = &items[i];
		cewb_status st = cewb_fce_sensing(sp, it->ideal, (const double (*)[3])it->disp,
						  tol, A + it->row0 * p, err);
		if (st != CEWB_OK) {
			free(A);
			cewb_error_prefix(err, "%s: frame %zu", it->file, it->frame);
			return st;
		}
	}
	*A_out = A;
	return CEWB_OK;
}

/* Print the summary of a space (text). */
static void space_summary(struct session *s, const struct fce_state *f)
{
	const cewb_fce_space *sp = f->space;
	size_t count[CEWB_FCE_MAX_ORDER + 1] = { 0 }, nfree[CEWB_FCE_MAX_ORDER + 1] = { 0 };
	for (size_t k = 0; k < cewb_fce_space_n_orbits(sp); k++) {
		const cewb_fce_orbit *o = cewb_fce_space_orbit(sp, k);
		if (o->order <= CEWB_FCE_MAX_ORDER) {
			count[o->order]++;
			nfree[o->order] += o->n_free;
		}
	}
	out_printf(s, "force-constant space: cutoffs");
	for (size_t i = 0; i < f->n_cutoffs; i++)
		out_printf(s, " %g", f->cutoffs[i]);
	if (f->n_cutoffs == 1)
		out_printf(s, " Å (order 2), %zu orbits\n", cewb_fce_space_n_orbits(sp));
	else
		out_printf(s, " Å (orders 2 to %zu), %zu orbits\n", f->n_cutoffs + 1,
			   cewb_fce_space_n_orbits(sp));
	for (size_t o = 2; o <= CEWB_FCE_MAX_ORDER; o++)
		if (count[o])
			out_printf(s, "  order %zu: %zu orbits, %zu independent parameters\n", o,
				   count[o], nfree[o]);
	out_printf(s, "  %zu free parameters, %zu after the %s sum rules\n",
		   cewb_fce_space_n_free(sp), cewb_fce_space_n_params(sp),
		   (f->sum_rules & CEWB_FCE_ROTATIONAL) ? "acoustic and rotational" : "acoustic");
	out_printf(s, "  force-constant mode: load structures with forces, then fit "
		   "('space' or 'fce off' returns to the cluster expansion)\n");
}

/* fce space CUT2 [CUT3 [CUT4]] [--rotational] [--supercell FILE [--frame N]] */
static int fce_space_exec(struct session *s, const struct cmd_args *a)
{
	if (!s->lattice)
		return cmd_fail(s, "no lattice: load one first with 'load lattice FILE --species "
				"EL'");
	double cut[CEWB_FCE_MAX_ORDER - 1];
	size_t n = a->n_pos;
	if (n > CEWB_FCE_MAX_ORDER - 1)
		return cmd_fail(s, "at most %d cutoffs (orders 2 to %d)", CEWB_FCE_MAX_ORDER - 1,
				CEWB_FCE_MAX_ORDER);
	for (size_t i = 0; i < n; i++) {
		cut[i] = a->pos[i].r;
		if (!(cut[i] > 0.0))
			return cmd_fail(s, "cutoff %zu must be > 0 Å, got %g", i + 1, cut[i]);
	}
	unsigned rules = CEWB_FCE_ACOUSTIC | (arg_flag(a, "rotational") ? CEWB_FCE_ROTATIONAL : 0);
	cewb_error err;
	cewb_error_clear(&err);
	struct fce_state *f = calloc(1, sizeof *f);
	if (!f || !(f->lattice = cewb_lattice_copy(s->lattice))) {
		free(f);
		return cmd_fail(s, "out of memory");
	}
	cewb_status st;
	if (arg_set(a, "supercell")) {
		/* Clusters of the atoms of one supercell, periodic images identified. */
		const char *path = arg_str(a, "supercell");
		size_t frame = (size_t)arg_int(a, "frame");
		cewb_frames fr = { 0, NULL };
		st = cewb_structure_read_any(path, NULL, &fr, &err);
		if (st == CEWB_OK && frame >= fr.n) {
			cewb_error_set(&err, CEWB_EINVAL, "%s: frame %zu asked for, the file has %zu",
				       path, frame, fr.n);
			st = CEWB_EINVAL;
		}
		if (st == CEWB_OK)
			st = cewb_fce_space_build_supercell(f->lattice, fr.frames[frame],
							    s->match_tol, cut, n, rules,
							    &f->space, &err);
		cewb_frames_release(&fr);
	} else {
		st = cewb_fce_space_build(f->lattice, cut, n, rules, &f->space, &err);
	}
	if (st != CEWB_OK) {
		f->space = NULL;
		fce_state_free(f);
		return cmd_fail(s, "%s", err.message);
	}
	memcpy(f->cutoffs, cut, n * sizeof *cut);
	f->n_cutoffs = n;
	f->sum_rules = rules;
	f->active = 1;
	/* The force data of the old space carry over: new sensing rows. */
	struct fce_state *old = s->fce;
	if (old && old->n_items) {
		double *A = NULL;
		if (items_sensing(f->space, old->items, old->n_items, old->n_rows, s->match_tol,
				  &A, &err) != CEWB_OK) {
			fce_state_free(f);
			return cmd_fail(s, "%s", err.message);
		}
		f->A = A;
		f->items = old->items;
		f->n_items = old->n_items;
		f->n_rows = old->n_rows;
		f->F = old->F;
		f->select_text = old->select_text;
		old->items = NULL;
		old->n_items = 0;
		old->F = NULL;
		old->select_text = NULL;
	}
	fce_state_free(old);
	s->fce = f;
	const cewb_fce_space *sp = f->space;
	if (out_is_json(s)) {
		json_t *c = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(c, json_real(cut[i]));
		out_json(s, json_pack("{s:i, s:i, s:i, s:o, s:o, s:b, s:i}", "n_parameters",
				      (int)cewb_fce_space_n_params(sp), "n_free",
				      (int)cewb_fce_space_n_free(sp), "n_orbits",
				      (int)cewb_fce_space_n_orbits(sp), "n_orbits_by_order",
				      orbits_by_order(sp), "cutoffs", c, "rotational",
				      (rules & CEWB_FCE_ROTATIONAL) != 0, "n_structures",
				      (int)f->n_items));
		return 0;
	}
	space_summary(s, f);
	if (arg_set(a, "supercell"))
		out_printf(s, "  clusters of the atoms of %s, periodic images identified\n",
			   arg_str(a, "supercell"));
	if (f->n_items)
		out_printf(s, "  sensing rows of %zu structure%s computed\n", f->n_items,
			   f->n_items == 1 ? "" : "s");
	return 0;
}

/* ---- fce orbits (and orbits in FCE mode) ---- */

/* fce orbits [--order N]: the orbit table of the force-constant space. */
static int fce_orbits_exec(struct session *s, const struct cmd_args *a)
{
	struct fce_state *f = active_state(s);
	if (!f)
		return 1;
	const cewb_fce_space *sp = f->space;
	long only = arg_set(a, "order") ? arg_int(a, "order") : -1;
	size_t n_orb = cewb_fce_space_n_orbits(sp);
	if (out_is_json(s)) {
		json_t *list = json_array();
		for (size_t k = 0; k < n_orb; k++) {
			const cewb_fce_orbit *o = cewb_fce_space_orbit(sp, k);
			if (only >= 0 && (long)o->order != only)
				continue;
			json_t *sites = json_array();
			for (size_t i = 0; i < o->order; i++)
				json_array_append_new(
					sites, json_pack("{s:i, s:[i, i, i]}", "site",
							 (int)o->sites[i], "offset",
							 o->offsets[i][0], o->offsets[i][1],
							 o->offsets[i][2]));
			json_array_append_new(
				list,
				json_pack("{s:i, s:i, s:o, s:o, s:i, s:i, s:i, s:i, s:[i, i], s:o}",
					  "index", (int)k, "order", (int)o->order, "radius",
					  out_jreal(o->radius), "max_distance", out_jreal(o->max_distance),
					  "n_distinct", (int)o->n_distinct, "multiplicity",
					  (int)o->multiplicity, "n_clusters_per_cell",
					  (int)o->multiplicity, "n_parameters", (int)o->n_free,
					  "parameters", (int)o->free_first,
					  (int)(o->free_first + o->n_free) - 1, "sites", sites));
		}
		out_json(s, json_pack("{s:i, s:i, s:o, s:o}", "n_parameters",
				      (int)cewb_fce_space_n_params(sp), "n_free",
				      (int)cewb_fce_space_n_free(sp), "n_orbits_by_order",
				      orbits_by_order(sp), "orbits", list));
		return 0;
	}
	out_printf(s, "force-constant orbits: %zu, %zu free parameters (%zu after sum rules)\n",
		   n_orb, cewb_fce_space_n_free(sp), cewb_fce_space_n_params(sp));
	out_printf(s, "%5s %5s %8s %8s %5s %5s %6s %11s\n", "index", "order", "radius", "d_max",
		   "sites", "mult", "params", "free");
	for (size_t k = 0; k < n_orb; k++) {
		const cewb_fce_orbit *o = cewb_fce_space_orbit(sp, k);
		if (only >= 0 && (long)o->order != only)
			continue;
		char range[32];
		if (o->n_free)
			snprintf(range, sizeof range, "%zu-%zu", o->free_first,
				 o->free_first + o->n_free - 1);
		else
			snprintf(range, sizeof range, "-");
		out_printf(s, "%5zu %5zu %8.4f %8.4f %5zu %5zu %6zu %11s\n", k, o->order, o->radius,
			   o->max_distance, o->n_distinct, o->multiplicity, o->n_free, range);
	}
	return 0;
}

/* Run the FCE form of `orbits` (FCE mode). */
int fce_session_orbits(struct session *s, const struct cmd_args *a)
{
	return fce_orbits_exec(s, a);
}

/* ---- fce on / off ---- */

/* fce on: the force-constant expansion becomes the current model. */
static int fce_on_exec(struct session *s, const struct cmd_args *a)
{
	(void)a;
	struct fce_state *f = active_state(s);
	if (!f)
		return 1;
	f->active = 1;
	if (out_is_json(s))
		out_json(s, json_pack("{s:s}", "model", "fce"));
	else
		out_printf(s, "current model: force-constant expansion (%zu structures with "
			   "forces)\n", f->n_items);
	return 0;
}

/* fce off: the cluster expansion becomes the current model again. */
static int fce_off_exec(struct session *s, const struct cmd_args *a)
{
	(void)a;
	fce_session_deactivate(s);
	if (out_is_json(s))
		out_json(s, json_pack("{s:s}", "model", "ce"));
	else
		out_printf(s, "current model: cluster expansion%s\n",
			   s->space ? "" : " (no cluster space yet)");
	return 0;
}

/* ---- load structures in FCE mode ---- */

/*
 * The ideal positions of frame st (atom order kept): positions minus the
 * 'displacements' array when there is one, else each atom's nearest site of
 * the supercell.  disp gets the displacements.  Errors name the atom.
 */
static cewb_status frame_ideal(const cewb_lattice *lat, const cewb_structure *st, double tol,
			       cewb_structure **ideal_out, double (*disp)[3], int *from_array,
			       cewb_error *err)
{
	size_t n = st->n_atoms;
	const cewb_array *d = cewb_structure_array(st, "displacements");
	*ideal_out = NULL;
	*from_array = d != NULL;
	cewb_structure *ideal = cewb_structure_copy(st);
	if (!ideal)
		return cewb_error_set(err, CEWB_ENOMEM, "out of memory");
	if (d) {
		if (d->type != 'R' || d->n_cols != 3) {
			cewb_structure_free(ideal);
			return cewb_error_set(err, CEWB_EINVAL, "'displacements' has %zu column%s "
					      "of type %c, 3 reals per atom needed", d->n_cols,
					      d->n_cols == 1 ? "" : "s", d->type);
		}
		for (size_t i = 0; i < n; i++)
			for (int x = 0; x < 3; x++) {
				disp[i][x] = d->real[3 * i + x];
				ideal->pos[i][x] = st->pos[i][x] - disp[i][x];
			}
		*ideal_out = ideal;
		return CEWB_OK;
	}
	/* No displacements: the supercell matrix from the cell, then nearest sites. */
	int P[3][3];
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 3; c++) {
			double v = 0.0;
			for (int k = 0; k < 3; k++)
				v += st->cell[r][k] * lat->inv[k][c];
			P[r][c] = (int)lround(v);
		}
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 3; c++) {
			double v = 0.0;
			for (int k = 0; k < 3; k++)
				v += P[r][k] * lat->cell[k][c];
			if (fabs(v - st->cell[r][c]) > tol) {
				cewb_structure_free(ideal);
				return cewb_error_set(err, CEWB_ENOFIT, "the cell is not a supercell of "
						      "the lattice (cell vector %d is off by %.3g Å)",
						      r + 1, fabs(v - st->cell[r][c]));
			}
		}
	cewb_supercell *sc = NULL;
	cewb_status rc = cewb_supercell_from_matrix(lat, P, &sc, err);
	if (rc != CEWB_OK) {
		cewb_structure_free(ideal);
		return rc;
	}
	cewb_structure *ref = cewb_supercell_structure(lat, sc, NULL);
	cewb_supercell_free(sc);
	if (!ref || ref->n_atoms != n) {
		size_t m = ref ? ref->n_atoms : 0;
		cewb_structure_free(ref);
		cewb_structure_free(ideal);
		if (!m)
			return cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		return cewb_error_set(err, CEWB_ENOFIT, "%zu atoms in a supercell of %zu sites", n,
				      m);
	}
	double inv[3][3];
	if ((rc = cewb_cell_inverse(st->cell, inv, err)) != CEWB_OK) {
		cewb_structure_free(ref);
		cewb_structure_free(ideal);
		return rc;
	}
	char *taken = calloc(n, 1);
	if (!taken) {
		cewb_structure_free(ref);
		cewb_structure_free(ideal);
		return cewb_error_set(err, CEWB_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < n; i++) {
		double best = INFINITY, bv[3] = { 0, 0, 0 };
		size_t bj = 0;
		for (size_t j = 0; j < n; j++) {
			double dv[3], fr[3];
			for (int x = 0; x < 3; x++)
				dv[x] = ref->pos[j][x] - st->pos[i][x];
			cewb_cart_to_frac(inv, dv, fr);
			for (int x = 0; x < 3; x++)
				if (st->pbc[x])
					fr[x] -= floor(fr[x] + 0.5);
			cewb_frac_to_cart(st->cell, fr, dv);
			double d2 = dv[0] * dv[0] + dv[1] * dv[1] + dv[2] * dv[2];
			if (d2 < best) {
				best = d2;
				bj = j;
				memcpy(bv, dv, sizeof bv);
			}
		}
		if (taken[bj]) {
			free(taken);
			cewb_structure_free(ref);
			cewb_structure_free(ideal);
			return cewb_error_set(err, CEWB_ENOFIT, "atom %zu: its nearest site is taken "
					      "by another atom (displacements too large to match "
					      "the atoms to sites; give a 'displacements' array)", i);
		}
		taken[bj] = 1;
		for (int x = 0; x < 3; x++) {
			disp[i][x] = -bv[x];
			ideal->pos[i][x] = st->pos[i][x] + bv[x];
		}
	}
	free(taken);
	cewb_structure_free(ref);
	*ideal_out = ideal;
	return CEWB_OK;
}

/* A library message without the "FILE: frame K: " it may start with. */
static const char *without_where(const char *msg, const char *path, size_t k)
{
	char where[512];
	snprintf(where, sizeof where, "%s: frame %zu: ", path, k);
	size_t l = strlen(where);
	return strncmp(msg, where, l) == 0 ? msg + l : msg;
}

/* Arguments of load structures that have no meaning in FCE mode. */
static const char *const load_ce_only[] = { "target", "map", "total", "weight", NULL };

/* load structures FILE in FCE mode: displacements and forces. */
int fce_session_load(struct session *s, const struct cmd_args *a)
{
	struct fce_state *f = active_state(s);
	if (!f)
		return 1;
	for (size_t k = 0; load_ce_only[k]; k++) {
		const char *o = load_ce_only[k];
		int given = (strcmp(o, "map") == 0 || strcmp(o, "total") == 0) ? arg_flag(a, o)
										: arg_set(a, o);
		if (given)
			return cmd_fail(s, "--%s is for cluster-expansion data; in force-constant "
					"mode the targets are the 'forces' arrays ('fce off' "
					"to load energies)", o);
	}
	const char *path = a->pos[0].s;
	cewb_frames fr = { 0, NULL };
	cewb_error err;
	cewb_error_clear(&err);
	if (cewb_structure_read_any(path, s->species, &fr, &err) != CEWB_OK)
		return cmd_fail(s, "%s", err.message);
	if (fr.n == 0) {
		cewb_frames_release(&fr);
		return cmd_fail(s, "%s: no frames", path);
	}
	const cewb_lattice *lat = f->lattice;
	double half_nn = 0.5 * nearest_neighbour(lat);
	size_t p = cewb_fce_space_n_params(f->space);
	size_t n_old = f->n_items, n_new = fr.n, rows_new = 0;
	for (size_t i = 0; i < n_new; i++)
		rows_new += 3 * fr.frames[i]->n_atoms;
	size_t n_rows = f->n_rows + rows_new;
	struct fce_item *items = calloc(n_old + n_new, sizeof *items);
	double *A = malloc((n_rows ? n_rows : 1) * p * sizeof *A);
	double *F = malloc((n_rows ? n_rows : 1) * sizeof *F);
	if (!items || !A || !F) {
		free(items);
		free(A);
		free(F);
		cewb_frames_release(&fr);
		return cmd_fail(s, "out of memory for %zu x %zu sensing rows", n_rows, p);
	}
	size_t row = f->n_rows;
	double max_disp = 0.0, ss_disp = 0.0, ss_force = 0.0;
	size_t n_comp = 0, n_from_array = 0;
	int fail = 0;
	for (size_t k = 0; k < n_new && !fail; k++) {
		cewb_structure *st = fr.frames[k];
		struct fce_item *it = &items[n_old + k];
		size_t n = st->n_atoms;
		it->frame = k;
		it->n_atoms = n;
		it->row0 = row;
		it->used = 1;
		const cewb_array *fa = cewb_structure_array(st, "forces");
		if (!fa) {
			cmd_fail(s, "%s: frame %zu: no 'forces' array (force-constant mode fits "
				 "per-atom forces)", path, k);
			fail = 1;
			break;
		}
		if (fa->type != 'R' || fa->n_cols != 3) {
			cmd_fail(s, "%s: frame %zu: 'forces' has %zu column%s of type %c, 3 reals "
				 "per atom needed", path, k, fa->n_cols, fa->n_cols == 1 ? "" : "s",
				 fa->type);
			fail = 1;
			break;
		}
		for (size_t i = 0; i < n && !fail; i++) {
			int ok = 0;
			for (size_t j = 0; j < lat->n_sites && !ok; j++)
				for (size_t q = 0; q < lat->n_allowed[j]; q++)
					ok |= lat->allowed[j][q] == st->numbers[i];
			if (!ok) {
				const char *sym = cewb_element_symbol(st->numbers[i]);
				cmd_fail(s, "%s: frame %zu, atom %zu: %s is not a species of the "
					 "lattice", path, k, i, sym ? sym : "?");
				fail = 1;
			}
			for (int x = 0; x < 3 && !fail; x++)
				if (!isfinite(fa->real[3 * i + x])) {
					cmd_fail(s, "%s: frame %zu, atom %zu: force is not finite",
						 path, k, i);
					fail = 1;
				}
		}
		if (fail)
			break;
		it->disp = malloc((n ? n : 1) * sizeof *it->disp);
		it->file = strdup(path);
		if (!it->disp || !it->file) {
			cmd_fail(s, "out of memory");
			fail = 1;
			break;
		}
		int from_array = 0;
		if (frame_ideal(lat, st, s->match_tol, &it->ideal, it->disp, &from_array, &err) !=
		    CEWB_OK) {
			cmd_fail(s, "%s: frame %zu: %s", path, k,
				 without_where(err.message, path, k));
			fail = 1;
			break;
		}
		n_from_array += from_array;
		/* The ideal cell must sit on the lattice (the sensing checks it too). */
		cewb_supercell *sc = NULL;
		if (cewb_supercell_match(lat, it->ideal, s->match_tol, &sc, &err) != CEWB_OK) {
			cmd_fail(s, "%s: frame %zu: not a supercell of the lattice%s: %s", path, k,
				 from_array ? " (positions minus displacements)" : "",
				 without_where(err.message, path, k));
			fail = 1;
			break;
		}
		cewb_supercell_free(sc);
		double ssd = 0.0, ssf = 0.0;
		for (size_t i = 0; i < n && !fail; i++) {
			double u = sqrt(it->disp[i][0] * it->disp[i][0] +
					it->disp[i][1] * it->disp[i][1] +
					it->disp[i][2] * it->disp[i][2]);
			if (u > half_nn) {
				cmd_fail(s, "%s: frame %zu, atom %zu: displacement %.3g Å is larger "
					 "than half the nearest-neighbour distance (%.3g Å)", path,
					 k, i, u, half_nn);
				fail = 1;
				break;
			}
			if (u > it->max_disp)
				it->max_disp = u;
			for (int x = 0; x < 3; x++) {
				ssd += it->disp[i][x] * it->disp[i][x];
				F[row + 3 * i + x] = fa->real[3 * i + x];
				ssf += fa->real[3 * i + x] * fa->real[3 * i + x];
			}
		}
		if (fail)
			break;
		if (cewb_fce_sensing(f->space, it->ideal, (const double (*)[3])it->disp,
				     s->match_tol, A + row * p, &err) != CEWB_OK) {
			cmd_fail(s, "%s: frame %zu: %s", path, k,
				 without_where(err.message, path, k));
			fail = 1;
			break;
		}
		it->rms_disp = n ? sqrt(ssd / (3.0 * (double)n)) : 0.0;
		it->rms_force = n ? sqrt(ssf / (3.0 * (double)n)) : 0.0;
		if (it->max_disp > max_disp)
			max_disp = it->max_disp;
		ss_disp += ssd;
		ss_force += ssf;
		n_comp += 3 * n;
		row += 3 * n;
	}
	if (fail) {
		/* items[0..n_old) are not filled yet (the old ones stay in f) */
		items_release(items + n_old, n_new);
		free(items);
		free(A);
		free(F);
		cewb_frames_release(&fr);
		return 1;
	}
	/* Nothing can fail from here on. */
	if (f->n_rows) {
		memcpy(A, f->A, f->n_rows * p * sizeof *A);
		memcpy(F, f->F, f->n_rows * sizeof *F);
	}
	for (size_t i = 0; i < n_old; i++)
		items[i] = f->items[i];
	for (size_t k = 0; k < n_new; k++) {
		items[n_old + k].s = fr.frames[k];
		fr.frames[k] = NULL;
	}
	cewb_frames_release(&fr);
	free(f->items);
	free(f->A);
	free(f->F);
	f->items = items;
	f->n_items = n_old + n_new;
	f->A = A;
	f->F = F;
	f->n_rows = n_rows;
	/* a selection applies to the new structures too */
	if (f->select_text) {
		const char *eq = strchr(f->select_text, '=');
		size_t kl = eq ? (size_t)(eq - f->select_text) : 0;
		char key[128];
		snprintf(key, sizeof key, "%.*s", (int)kl, f->select_text);
		for (size_t k = n_old; k < f->n_items; k++) {
			const char *v = info_text(&f->items[k], key);
			items[k].used = 0;
			if (v && eq) {
				/* values separated by commas */
				const char *q = eq + 1;
				while (*q && !items[k].used) {
					size_t l = strcspn(q, ",");
					items[k].used = strlen(v) == l && strncmp(v, q, l) == 0;
					q += l + (q[l] == ',');
				}
			}
		}
	}
	double rms_d = n_comp ? sqrt(ss_disp / (double)n_comp) : 0.0;
	double rms_f = n_comp ? sqrt(ss_force / (double)n_comp) : 0.0;
	if (out_is_json(s)) {
		out_json(s, json_pack("{s:s, s:i, s:i, s:i, s:o, s:o, s:o, s:s, s:i}", "file", path,
				      "n_loaded", (int)n_new, "n_structures", (int)f->n_items,
				      "n_rows", (int)f->n_rows, "max_displacement",
				      out_jreal(max_disp), "rms_displacement", out_jreal(rms_d),
				      "rms_force", out_jreal(rms_f), "displacements",
				      n_from_array == n_new ? "array" :
				      n_from_array ? "mixed" : "nearest site",
				      "n_parameters", (int)p));
		return 0;
	}
	char b1[64], b2[64], b3[64];
	out_printf(s, "loaded %zu structure%s with forces from %s (%zu force rows; %zu "
		   "structures, %zu rows in all)\n", n_new, n_new == 1 ? "" : "s", path,
		   rows_new, f->n_items, f->n_rows);
	out_printf(s, "  displacements: %s; largest %s Å, rms %s Å\n",
		   n_from_array == n_new ? "from the 'displacements' arrays" :
		   n_from_array ? "from the arrays where given, else from the nearest sites" :
		   "positions minus the nearest sites",
		   out_real(s, max_disp, b1, sizeof b1), out_real(s, rms_d, b2, sizeof b2));
	out_printf(s, "  forces: rms %s eV/Å per component\n", out_real(s, rms_f, b3, sizeof b3));
	if (f->select_text)
		out_printf(s, "  selection '%s' applied to the new structures\n", f->select_text);
	return 0;
}

/* ---- structures in FCE mode ---- */

/* Scalar info keys present in every item with differing short values (a
 * table column of 8 characters), comma-separated (at most three). */
static void common_keys(const struct fce_state *f, char *buf, size_t len)
{
	buf[0] = '\0';
	if (!f->n_items)
		return;
	const cewb_structure *s0 = f->items[0].s;
	size_t n_keys = 0;
	for (size_t k = 0; k < s0->n_info && n_keys < 3; k++) {
		const cewb_info *in = &s0->info[k];
		if (in->n != 1 || in->type == CEWB_VALUE_STRING || strcmp(in->key, "energy") == 0 ||
		    strcmp(in->key, "index") == 0)
			continue;
		/* present everywhere, not the same everywhere */
		int every = 1, varies = 0;
		for (size_t i = 1; i < f->n_items && every; i++) {
			const cewb_info *o = cewb_structure_info(f->items[i].s, in->key);
			every = o != NULL && strlen(o->text) <= 8;
			varies |= o && strcmp(o->text, in->text) != 0;
		}
		every &= strlen(in->text) <= 8 && strlen(in->key) <= 8;
		if (!every || !varies)
			continue;
		size_t l = strlen(buf);
		snprintf(buf + l, len - l, "%s%s", n_keys ? "," : "", in->key);
		n_keys++;
	}
}

/* structures in FCE mode: the structures with forces. */
int fce_session_structures(struct session *s, const struct cmd_args *a)
{
	(void)a;
	struct fce_state *f = active_state(s);
	if (!f)
		return 1;
	char keys[256];
	common_keys(f, keys, sizeof keys);
	if (out_is_json(s)) {
		json_t *list = json_array();
		for (size_t i = 0; i < f->n_items; i++) {
			const struct fce_item *it = &f->items[i];
			json_t *e = json_pack("{s:i, s:s, s:i, s:i, s:i, s:o, s:o, s:o, s:b}",
					      "index", (int)i, "file", it->file, "frame",
					      (int)it->frame, "n_atoms", (int)it->n_atoms, "first_row",
					      (int)it->row0, "max_displacement", out_jreal(it->max_disp),
					      "rms_displacement", out_jreal(it->rms_disp), "rms_force",
					      out_jreal(it->rms_force), "used", it->used);
			json_t *info = json_object();
			for (size_t k = 0; k < it->s->n_info; k++) {
				const cewb_info *in = &it->s->info[k];
				if (in->n == 1 && in->real)
					json_object_set_new(info, in->key, out_jreal(in->real[0]));
				else if (in->n == 1)
					json_object_set_new(info, in->key, json_string(in->text));
			}
			json_object_set_new(e, "info", info);
			json_array_append_new(list, e);
		}
		out_json(s, json_pack("{s:s, s:i, s:o, s:o}", "model", "fce", "n_rows",
				      (int)f->n_rows, "selection",
				      f->select_text ? json_string(f->select_text) : json_null(),
				      "structures", list));
		return 0;
	}
	size_t n_used = 0;
	for (size_t i = 0; i < f->n_items; i++)
		n_used += f->items[i].used;
	out_printf(s, "%zu structures with forces, %zu used by fits%s%s%s; %zu force rows\n",
		   f->n_items, n_used, f->select_text ? " (selection '" : "",
		   f->select_text ? f->select_text : "", f->select_text ? "')" : "", f->n_rows);
	if (!f->n_items)
		return 0;
	out_printf(s, "%5s %-24s %5s %5s %10s %10s %10s", "index", "file", "frame", "atoms",
		   "max_u/Å", "rms_u/Å", "rms_F/eVÅ");
	char *save = NULL, *tok;
	char kbuf[256];
	snprintf(kbuf, sizeof kbuf, "%s", keys);
	for (tok = strtok_r(kbuf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		out_printf(s, " %8s", tok);
	out_printf(s, " %4s\n", "used");
	char b1[64], b2[64], b3[64];
	for (size_t i = 0; i < f->n_items; i++) {
		const struct fce_item *it = &f->items[i];
		const char *file = it->file;
		size_t l = strlen(file);
		if (l > 24)
			file += l - 24;
		out_printf(s, "%5zu %-24s %5zu %5zu %10s %10s %10s", i, file, it->frame, it->n_atoms,
			   out_real(s, it->max_disp, b1, sizeof b1),
			   out_real(s, it->rms_disp, b2, sizeof b2),
			   out_real(s, it->rms_force, b3, sizeof b3));
		snprintf(kbuf, sizeof kbuf, "%s", keys);
		for (tok = strtok_r(kbuf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			const char *v = info_text(it, tok);
			out_printf(s, " %8s", v ? v : "-");
		}
		out_printf(s, " %4s\n", it->used ? "yes" : "no");
	}
	return 0;
}

/* ---- sensing in FCE mode ---- */

/* sensing in FCE mode: singular values, rank, condition of the used rows. */
int fce_session_sensing(struct session *s, const struct cmd_args *a)
{
	(void)a;
	double *X = NULL, *y = NULL;
	size_t *g = NULL, n = 0, p = 0, n_st = 0;
	if (fce_session_rows(s, &X, &y, &g, &n, &p, &n_st))
		return 1;
	free(y);
	free(g);
	size_t m = n < p ? n : p;
	double *sv = malloc((m ? m : 1) * sizeof *sv);
	if (!sv) {
		free(X);
		return cmd_fail(s, "out of memory");
	}
	lapack_int info = m ? LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'N', (lapack_int)n, (lapack_int)p,
					     X, (lapack_int)p, sv, NULL, (lapack_int)m,
					     NULL, (lapack_int)p) : 0;
	free(X);
	if (info != 0) {
		free(sv);
		return cmd_fail(s, "the singular value decomposition did not converge (%d)",
				(int)info);
	}
	double tol = (double)(n > p ? n : p) * 2.220446049250313e-16 * (m ? sv[0] : 0.0);
	size_t rank = 0;
	for (size_t k = 0; k < m; k++)
		rank += sv[k] > tol;
	double cond = (m && rank == p && sv[m - 1] > 0) ? sv[0] / sv[m - 1] : INFINITY;
	char b1[64];
	if (out_is_json(s)) {
		json_t *list = json_array();
		for (size_t k = 0; k < m; k++)
			json_array_append_new(list, json_real(sv[k]));
		out_json(s, json_pack("{s:s, s:i, s:i, s:i, s:i, s:o, s:o}", "model", "fce", "rows",
				      (int)n, "columns", (int)p, "n_structures", (int)n_st, "rank",
				      (int)rank, "condition_number", out_jreal(cond),
				      "singular_values", list));
		free(sv);
		return 0;
	}
	out_printf(s, "force sensing matrix: %zu rows (%zu structures x 3 x atoms) x %zu "
		   "columns, rank %zu%s\n", n, n_st, p, rank, rank < p ? " (rank deficient)" : "");
	out_printf(s, "condition number: %s\n",
		   isfinite(cond) ? out_real(s, cond, b1, sizeof b1) : "infinite");
	out_printf(s, "singular values:");
	for (size_t k = 0; k < m; k++) {
		if (m > 12 && k == 8) {
			out_printf(s, " ...");
			k = m - 3;
		}
		out_printf(s, " %s", out_real(s, sv[k], b1, sizeof b1));
	}
	out_printf(s, "\n");
	free(sv);
	return 0;
}

/* ---- fce select ---- */

/* fce select KEY=V[,V...] | all: which structures the fits use. */
static int fce_select_exec(struct session *s, const struct cmd_args *a)
{
	struct fce_state *f = active_state(s);
	if (!f)
		return 1;
	const char *text = a->pos[0].s;
	char *sel = NULL;
	char *used = calloc(f->n_items ? f->n_items : 1, 1);
	if (!used)
		return cmd_fail(s, "out of memory");
	if (strcmp(text, "all") == 0) {
		memset(used, 1, f->n_items);
	} else {
		const char *eq = strchr(text, '=');
		if (!eq || eq == text || !eq[1]) {
			free(used);
			return cmd_fail(s, "select by an info value: 'fce select KEY=VALUE[,VALUE"
					"...]' (e.g. sigma=0.01), or 'fce select all'");
		}
		char key[128];
		snprintf(key, sizeof key, "%.*s", (int)(eq - text), text);
		size_t n_key = 0;
		for (size_t i = 0; i < f->n_items; i++) {
			const char *v = info_text(&f->items[i], key);
			if (!v)
				continue;
			n_key++;
			const char *q = eq + 1;
			while (*q && !used[i]) {
				size_t l = strcspn(q, ",");
				/* numbers compare by value, so sigma=0.010 matches 0.01 */
				char *e1, *e2;
				char val[64];
				snprintf(val, sizeof val, "%.*s", (int)(l < 63 ? l : 63), q);
				double x1 = strtod(v, &e1), x2 = strtod(val, &e2);
				if (*v && *val && !*e1 && !*e2)
					used[i] = x1 == x2 ||
						  fabs(x1 - x2) <= 1e-12 * fmax(fabs(x1), fabs(x2));
				else
					used[i] = strlen(v) == l && strncmp(v, q, l) == 0;
				q += l + (q[l] == ',');
			}
		}
		if (n_key == 0) {
			free(used);
			return cmd_fail(s, "no structure has the info key '%s'", key);
		}
		sel = strdup(text);
		if (!sel) {
			free(used);
			return cmd_fail(s, "out of memory");
		}
	}
	size_t n_used = 0;
	for (size_t i = 0; i < f->n_items; i++)
		n_used += used[i] != 0;
	if (n_used == 0 && f->n_items) {
		free(used);
		free(sel);
		return cmd_fail(s, "'%s' selects none of the %zu structures", text, f->n_items);
	}
	for (size_t i = 0; i < f->n_items; i++)
		f->items[i].used = used[i] != 0;
	free(used);
	free(f->select_text);
	f->select_text = sel;
	if (out_is_json(s))
		out_json(s, json_pack("{s:o, s:i, s:i}", "selection",
				      sel ? json_string(sel) : json_null(), "n_used", (int)n_used,
				      "n_structures", (int)f->n_items));
	else
		out_printf(s, "%zu of %zu structures used by fits%s%s%s\n", n_used, f->n_items,
			   sel ? " (" : "", sel ? sel : "", sel ? ")" : "");
	return 0;
}

/* ---- the fit problem of FCE mode and its reports ---- */

/* The rows and forces of the used structures. */
int fce_session_rows(struct session *s, double **X, double **y, size_t **group,
		     size_t *n_rows, size_t *n_cols, size_t *n_structures)
{
	*X = *y = NULL;
	*group = NULL;
	*n_rows = *n_cols = *n_structures = 0;
	struct fce_state *f = active_state(s);
	if (!f)
		return 1;
	if (f->n_items == 0)
		return cmd_fail(s, "no structures with forces: load some with 'load structures "
				"FILE' (extended XYZ with 'forces' arrays)");
	size_t p = cewb_fce_space_n_params(f->space), n = 0, ns = 0;
	for (size_t i = 0; i < f->n_items; i++)
		if (f->items[i].used) {
			n += 3 * f->items[i].n_atoms;
			ns++;
		}
	if (ns == 0)
		return cmd_fail(s, "no structure is selected: 'fce select all'");
	double *Xo = malloc(n * p * sizeof *Xo), *yo = malloc(n * sizeof *yo);
	size_t *go = malloc(n * sizeof *go);
	if (!Xo || !yo || !go) {
		free(Xo);
		free(yo);
		free(go);
		return cmd_fail(s, "out of memory for %zu x %zu sensing rows", n, p);
	}
	size_t r = 0;
	for (size_t i = 0; i < f->n_items; i++) {
		const struct fce_item *it = &f->items[i];
		if (!it->used)
			continue;
		size_t m = 3 * it->n_atoms;
		memcpy(Xo + r * p, f->A + it->row0 * p, m * p * sizeof *Xo);
		memcpy(yo + r, f->F + it->row0, m * sizeof *yo);
		for (size_t k = 0; k < m; k++)
			go[r + k] = i;
		r += m;
	}
	*X = Xo;
	*y = yo;
	*group = go;
	*n_rows = n;
	*n_cols = p;
	*n_structures = ns;
	return 0;
}

/* Keep a fit made in FCE mode and print its report. */
int fce_session_fit_done(struct session *s, const cewb_fit_options *opt, cewb_fit_result *res,
			 const double *y, size_t n_rows, size_t n_structures, const char *note)
{
	struct fce_state *f = s->fce;
	char *in_fit = calloc(f->n_items ? f->n_items : 1, 1);
	fit_drop(f);
	f->fit.have = 1;
	f->fit.res = *res;
	memset(res, 0, sizeof *res);
	f->fit.opt = *opt;
	f->fit.n_structures = n_structures;
	f->fit.n_rows = n_rows;
	f->fit.rms_force = rms_of(y, n_rows);
	f->fit.rmse = f->fit.res.rmse_train;
	f->fit.n_items = f->n_items;
	f->fit.in_fit = in_fit;
	for (size_t i = 0; in_fit && i < f->n_items; i++)
		in_fit[i] = (char)f->items[i].used;
	const cewb_fit_result *fr = &f->fit.res;
	double rel = percent(f->fit.rmse, f->fit.rms_force);
	const char *mname = cewb_fit_method_name(fr->method);
	if (out_is_json(s)) {
		json_t *eci = json_array();
		for (size_t j = 0; j < fr->n_cols; j++)
			json_array_append_new(eci, out_jreal(fr->eci[j]));
		json_t *doc = json_pack("{s:s, s:s, s:i, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:i, "
					"s:i, s:i, s:b, s:s}",
					"model", "fce", "method", mname, "n_parameters",
					(int)fr->n_cols, "n_nonzero", (int)fr->n_nonzero,
					"rmse_train", out_jreal(f->fit.rmse), "relative_error_train",
					out_jreal(rel), "rms_force", out_jreal(f->fit.rms_force),
					"eci", eci, "hyperparameters", fit_hyper_json(fr), "seconds",
					out_jreal(fr->seconds), "n_structures", (int)n_structures,
					"n_rows", (int)n_rows, "rank", (int)fr->rank, "converged",
					fr->converged, "unit", "eV/Å");
		if (fr->warning[0])
			json_object_set_new(doc, "warning", json_string(fr->warning));
		out_json(s, doc);
		return 0;
	}
	char b1[64], b2[64];
	out_printf(s, "method                %s (force constants)\n", mname);
	out_printf(s, "n_parameters          %zu\n", fr->n_cols);
	out_printf(s, "n_nonzero             %zu\n", fr->n_nonzero);
	out_printf(s, "n_structures          %zu (%zu force rows)\n", n_structures, n_rows);
	out_printf(s, "rmse_train            %s eV/Å\n", out_real(s, f->fit.rmse, b1, sizeof b1));
	out_printf(s, "relative_error        %.3g %% (rmse / rms force %s eV/Å)\n", rel,
		   out_real(s, f->fit.rms_force, b2, sizeof b2));
	for (size_t k = 0; k < fr->n_hyper && k < CEWB_FIT_MAX_HYPER; k++)
		out_printf(s, "%-21s %s\n", fr->hyper_name[k],
			   out_real(s, fr->hyper[k], b1, sizeof b1));
	if (out_show_time(s))
		out_printf(s, "seconds               %.3g\n", fr->seconds);
	if (note && note[0])
		out_printf(s, "note: %s has no effect on %s\n", note, mname);
	if (fr->warning[0])
		out_printf(s, "warning: %s\n", fr->warning);
	return 0;
}

/* The scheme in words, over structures. */
static void scheme_words(const cewb_xval_options *x, const cewb_xval_result *xr, char *buf,
			 size_t len)
{
	switch (x->scheme) {
	case CEWB_XVAL_KFOLD:
		snprintf(buf, len, "%zu-fold cross-validation over structures, %zu repeat%s",
			 x->folds, x->repeat, x->repeat == 1 ? "" : "s");
		break;
	case CEWB_XVAL_LOO:
		snprintf(buf, len, "leave-one-structure-out");
		break;
	case CEWB_XVAL_SHUFFLE_SPLIT:
		snprintf(buf, len, "shuffle-split of structures, %g held out, %zu splits",
			 x->test_fraction, x->repeat);
		break;
	case CEWB_XVAL_BOOTSTRAP:
		snprintf(buf, len, "bootstrap ensemble of %zu over structures, out-of-bag errors",
			 xr ? xr->n_splits : x->repeat);
		break;
	}
}

/* One validation document of FCE mode. */
static json_t *validate_json(cewb_fit_method m, const cewb_xval_options *x,
			     const cewb_xval_result *xr, double rms_force, size_t n_rows,
			     size_t n_structures)
{
	json_t *doc = json_pack("{s:s, s:s, s:s, s:o, s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
				"s:o, s:i, s:i, s:i, s:s}",
				"model", "fce", "method", cewb_fit_method_name(m), "scheme",
				cewb_xval_scheme_name(x->scheme), "folds",
				x->scheme == CEWB_XVAL_KFOLD ? json_integer((json_int_t)x->folds)
							     : json_null(),
				"repeat", (int)(x->scheme == CEWB_XVAL_LOO ? 1 : x->repeat),
				"seed", json_integer((json_int_t)x->seed), "rmse_validation",
				out_jreal(xr->rmse_validation), "rmse_validation_std",
				out_jreal(xr->rmse_validation_std), "rmse_train",
				out_jreal(xr->rmse_train), "relative_error_validation",
				out_jreal(percent(xr->rmse_validation, rms_force)),
				"relative_error_train", out_jreal(percent(xr->rmse_train, rms_force)),
				"rms_force", out_jreal(rms_force), "n_nonzero", out_jreal(xr->n_nonzero),
				"n_splits", (int)xr->n_splits, "n_structures", (int)n_structures,
				"n_rows", (int)n_rows, "unit", "eV/Å");
	json_object_set_new(doc, "seconds", out_jreal(xr->seconds));
	if (x->scheme == CEWB_XVAL_SHUFFLE_SPLIT)
		json_object_set_new(doc, "test_fraction", json_real(x->test_fraction));
	return doc;
}

/* The report of a validation in FCE mode. */
void fce_session_validate_report(struct session *s, const cewb_fit_method *ms,
				 size_t n_methods, const cewb_xval_options *x,
				 const cewb_xval_result *xr, const double *y, size_t n_rows,
				 size_t n_structures, int compare)
{
	double rf = rms_of(y, n_rows);
	char sch[160], b1[64], b2[64], b3[64];
	scheme_words(x, xr, sch, sizeof sch);
	if (out_is_json(s)) {
		if (!compare) {
			out_json(s, validate_json(ms[0], x, &xr[0], rf, n_rows, n_structures));
			return;
		}
		json_t *list = json_array();
		for (size_t k = 0; k < n_methods; k++)
			json_array_append_new(list, validate_json(ms[k], x, &xr[k], rf, n_rows,
								  n_structures));
		out_json(s, json_pack("{s:s, s:s, s:o, s:i, s:o, s:o}", "model", "fce", "scheme",
				      cewb_xval_scheme_name(x->scheme), "folds",
				      x->scheme == CEWB_XVAL_KFOLD ?
					      json_integer((json_int_t)x->folds) : json_null(),
				      "repeat", (int)x->repeat, "seed",
				      json_integer((json_int_t)x->seed), "compare", list));
		return;
	}
	if (!compare) {
		out_printf(s, "validate %s (force constants): %s, seed %llu, %zu structures (%zu "
			   "force rows)\n", cewb_fit_method_name(ms[0]), sch,
			   (unsigned long long)x->seed, n_structures, n_rows);
		out_printf(s, "rmse_validation       %s ± %s eV/Å (%.3g %% of the rms force %s "
			   "eV/Å)\n", out_real(s, xr[0].rmse_validation, b1, sizeof b1),
			   out_real(s, xr[0].rmse_validation_std, b2, sizeof b2),
			   percent(xr[0].rmse_validation, rf), out_real(s, rf, b3, sizeof b3));
		out_printf(s, "rmse_train            %s eV/Å (%.3g %%)\n",
			   out_real(s, xr[0].rmse_train, b1, sizeof b1),
			   percent(xr[0].rmse_train, rf));
		out_printf(s, "n_nonzero             %s (mean over %zu splits)\n",
			   out_real(s, xr[0].n_nonzero, b1, sizeof b1), xr[0].n_splits);
		if (out_show_time(s))
			out_printf(s, "seconds               %.3g\n", xr[0].seconds);
		return;
	}
	out_printf(s, "%s, seed %llu, %zu structures (force errors in eV/Å; rms force %s "
		   "eV/Å)\n", sch, (unsigned long long)x->seed, n_structures,
		   out_real(s, rf, b1, sizeof b1));
	out_printf(s, "%-8s %16s %10s %10s %12s %10s%s\n", "method", "rmse_validation", "std",
		   "relative", "rmse_train", "n_nonzero", out_show_time(s) ? "    seconds" : "");
	for (size_t k = 0; k < n_methods; k++) {
		char rel[32];
		snprintf(rel, sizeof rel, "%.3g %%", percent(xr[k].rmse_validation, rf));
		out_printf(s, "%-8s %16s %10s %10s %12s %10s", cewb_fit_method_name(ms[k]),
			   out_real(s, xr[k].rmse_validation, b1, sizeof b1),
			   out_real(s, xr[k].rmse_validation_std, b2, sizeof b2), rel,
			   out_real(s, xr[k].rmse_train, b3, sizeof b3),
			   out_real(s, xr[k].n_nonzero, sch, sizeof sch));
		if (out_show_time(s))
			out_printf(s, " %10.3g", xr[k].seconds);
		out_printf(s, "\n");
	}
}

/* The report of a learning curve in FCE mode. */
void fce_session_learning_report(struct session *s, const char *method,
				 const cewb_xval_options *x, size_t n_points, const double *size,
				 const double *valid, const double *valid_std, const double *train,
				 const double *y, size_t n_rows, size_t n_structures, double seconds)
{
	double rf = rms_of(y, n_rows);
	char b1[64], b2[64], b3[64];
	if (out_is_json(s)) {
		json_t *pts = json_array();
		for (size_t k = 0; k < n_points; k++)
			json_array_append_new(
				pts, json_pack("{s:i, s:o, s:o, s:o, s:o}", "size", (int)size[k],
					       "rmse_validation", out_jreal(valid[k]),
					       "rmse_validation_std", out_jreal(valid_std[k]),
					       "rmse_train", out_jreal(train[k]),
					       "relative_error_validation",
					       out_jreal(percent(valid[k], rf))));
		out_json(s, json_pack("{s:s, s:s, s:s, s:i, s:i, s:o, s:i, s:i, s:o, s:o, s:o, "
				      "s:s}", "model", "fce", "method", method, "scheme", "kfold",
				      "folds", (int)x->folds, "repeat", (int)x->repeat, "seed",
				      json_integer((json_int_t)x->seed), "n_structures",
				      (int)n_structures, "n_rows", (int)n_rows, "rms_force",
				      out_jreal(rf), "points", pts, "seconds", out_jreal(seconds), "unit",
				      "eV/Å"));
		return;
	}
	out_printf(s, "learning curve of %s (force constants): %zu-fold cross-validation over "
		   "structures, %zu repeat%s, seed %llu, %zu structures (force errors in eV/Å, "
		   "rms force %s)\n", method, x->folds, x->repeat, x->repeat == 1 ? "" : "s",
		   (unsigned long long)x->seed, n_structures, out_real(s, rf, b1, sizeof b1));
	out_printf(s, "%10s %16s %10s %10s %12s\n", "structures", "rmse_validation", "std",
		   "relative", "rmse_train");
	for (size_t k = 0; k < n_points; k++) {
		char rel[32];
		snprintf(rel, sizeof rel, "%.3g %%", percent(valid[k], rf));
		out_printf(s, "%10.0f %16s %10s %10s %12s\n", size[k],
			   out_real(s, valid[k], b1, sizeof b1),
			   out_real(s, valid_std[k], b2, sizeof b2), rel,
			   out_real(s, train[k], b3, sizeof b3));
	}
	if (out_show_time(s))
		out_printf(s, "seconds %.3g\n", seconds);
}

/* ---- fce errors ---- */

/* fce errors [--by KEY]: force errors of the fit per group of an info value. */
static int fce_errors_exec(struct session *s, const struct cmd_args *a)
{
	struct fce_state *f = active_state(s);
	if (!f)
		return 1;
	if (!f->fit.have)
		return cmd_fail(s, "no force-constant fit: run 'fit ols' in force-constant mode");
	if (f->n_items == 0)
		return cmd_fail(s, "no structures with forces");
	const char *key = arg_str(a, "by");
	if (!key)
		key = "sigma";
	size_t p = f->fit.res.n_cols, n = f->n_items;
	/* groups: distinct values of key in order of appearance ("-" when absent) */
	const char **val = calloc(n, sizeof *val);
	size_t *grp = calloc(n, sizeof *grp), n_groups = 0;
	double *ss_e = calloc(n, sizeof *ss_e), *ss_f = calloc(n, sizeof *ss_f);
	size_t *cnt = calloc(n, sizeof *cnt), *rows = calloc(n, sizeof *rows);
	size_t *nfit = calloc(n, sizeof *nfit);
	const char **gname = calloc(n, sizeof *gname);
	double *pred = NULL;
	size_t max_rows = 0;
	for (size_t i = 0; i < n; i++)
		if (3 * f->items[i].n_atoms > max_rows)
			max_rows = 3 * f->items[i].n_atoms;
	pred = malloc((max_rows ? max_rows : 1) * sizeof *pred);
	if (!val || !grp || !ss_e || !ss_f || !cnt || !rows || !nfit || !gname || !pred) {
		free(val), free(grp), free(ss_e), free(ss_f), free(cnt), free(rows), free(nfit);
		free(gname), free(pred);
		return cmd_fail(s, "out of memory");
	}
	size_t n_with_key = 0;
	for (size_t i = 0; i < n; i++) {
		const struct fce_item *it = &f->items[i];
		val[i] = info_text(it, key);
		n_with_key += val[i] != NULL;
		const char *v = val[i] ? val[i] : "-";
		size_t g = 0;
		while (g < n_groups && strcmp(gname[g], v) != 0)
			g++;
		if (g == n_groups)
			gname[n_groups++] = v;
		grp[i] = g;
		size_t m = 3 * it->n_atoms;
		cewb_fit_predict(f->A + it->row0 * p, m, p, f->fit.res.eci, pred);
		for (size_t r = 0; r < m; r++) {
			double e = pred[r] - f->F[it->row0 + r];
			ss_e[g] += e * e;
			ss_f[g] += f->F[it->row0 + r] * f->F[it->row0 + r];
		}
		cnt[g]++;
		rows[g] += m;
		if (i < f->fit.n_items && f->fit.in_fit && f->fit.in_fit[i])
			nfit[g]++;
	}
	free(pred);
	int rc = 0;
	if (n_with_key == 0 && arg_set(a, "by")) {
		rc = cmd_fail(s, "no structure has the info key '%s'", key);
		goto out;
	}
	if (out_is_json(s)) {
		json_t *list = json_array();
		for (size_t g = 0; g < n_groups; g++) {
			double rmse = sqrt(ss_e[g] / (double)rows[g]);
			double rf = sqrt(ss_f[g] / (double)rows[g]);
			json_array_append_new(
				list, json_pack("{s:s, s:i, s:i, s:i, s:o, s:o, s:o}", "value",
						gname[g], "n_structures", (int)cnt[g], "n_in_fit",
						(int)nfit[g], "n_rows", (int)rows[g], "rmse",
						out_jreal(rmse), "rms_force", out_jreal(rf),
						"relative_error", out_jreal(percent(rmse, rf))));
		}
		out_json(s, json_pack("{s:s, s:s, s:o, s:s}", "method",
				      cewb_fit_method_name(f->fit.res.method), "by", key, "groups",
				      list, "unit", "eV/Å"));
		goto out;
	}
	out_printf(s, "force errors of the %s fit (%zu structures) by %s%s\n",
		   cewb_fit_method_name(f->fit.res.method), f->fit.n_structures, key,
		   n_with_key ? "" : " (no structure has it: one group)");
	out_printf(s, "%-12s %10s %6s %12s %12s %10s\n", key, "structures", "fitted", "rmse/eVÅ",
		   "rms_F/eVÅ", "relative");
	char b1[64], b2[64];
	for (size_t g = 0; g < n_groups; g++) {
		double rmse = sqrt(ss_e[g] / (double)rows[g]);
		double rf = sqrt(ss_f[g] / (double)rows[g]);
		char rel[32];
		snprintf(rel, sizeof rel, "%.3g %%", percent(rmse, rf));
		out_printf(s, "%-12s %10zu %6zu %12s %12s %10s\n", gname[g], cnt[g], nfit[g],
			   out_real(s, rmse, b1, sizeof b1), out_real(s, rf, b2, sizeof b2), rel);
	}
out:
	free(val), free(grp), free(ss_e), free(ss_f), free(cnt), free(rows), free(nfit);
	free(gname);
	return rc;
}

/* ---- the table ---- */

static const struct cmd_arg cutoff_pos[] = {
	{ .name = "cutoff", .type = ARG_REAL, .min = 1e-9, .max = 1e3, .metavar = "CUT",
	  .help = "cutoff (Å) of order 2, then 3 and 4" },
	{ .name = NULL }
};
static const struct cmd_arg space_opts[] = {
	{ .name = "rotational", .type = ARG_FLAG,
	  .help = "impose the rotational sum rules too (acoustic ones always)" },
	{ .name = "supercell", .type = ARG_FILE, .metavar = "FILE",
	  .help = "clusters of the atoms of this supercell, periodic images identified" },
	{ .name = "frame", .type = ARG_INT, .def = "0", .min = 0, .max = 1e9, .metavar = "N",
	  .help = "frame of the --supercell file" },
	{ .name = NULL }
};
static const struct cmd_arg orbits_opts[] = {
	{ .name = "order", .type = ARG_INT, .min = 2, .max = CEWB_FCE_MAX_ORDER, .metavar = "N",
	  .help = "list only the orbits of this order" },
	{ .name = NULL }
};
static const struct cmd_arg select_pos[] = {
	{ .name = "selection", .type = ARG_STRING, .metavar = "KEY=V[,V...]|all",
	  .complete = COMPLETE_INFO_KEY,
	  .help = "structures whose info value KEY is one of the values, or all" },
	{ .name = NULL }
};
static const struct cmd_arg errors_opts[] = {
	{ .name = "by", .type = ARG_STRING, .metavar = "KEY", .complete = COMPLETE_INFO_KEY,
	  .help = "group the structures by this info value (default sigma)" },
	{ .name = NULL }
};

const struct cmd_entry cmd_fce_entries[] = {
	{ .name = "fce space", .group = "fce",
	  .summary = "build the force-constant space on the lattice (FCE mode)",
	  .positionals = cutoff_pos, .min_pos = 1, .max_pos = CEWB_FCE_MAX_ORDER - 1,
	  .options = space_opts, .exec = fce_space_exec, .page = "fce-space",
	  .flags = CMD_REPORTS },
	{ .name = "fce orbits", .group = "fce", .summary = "table of the force-constant orbits",
	  .options = orbits_opts, .exec = fce_orbits_exec, .page = "fce-orbits",
	  .flags = CMD_REPORTS },
	{ .name = "fce on", .group = "fce",
	  .summary = "make the force-constant expansion the current model",
	  .exec = fce_on_exec, .page = "fce-mode", .flags = CMD_REPORTS },
	{ .name = "fce off", .group = "fce",
	  .summary = "return to the cluster expansion (force data kept)",
	  .exec = fce_off_exec, .page = "fce-mode", .flags = CMD_REPORTS },
	{ .name = "fce select", .group = "fce",
	  .summary = "choose the structures the force fits use by an info value",
	  .positionals = select_pos, .min_pos = 1, .max_pos = 1, .exec = fce_select_exec,
	  .page = "fce-select", .flags = CMD_REPORTS },
	{ .name = "fce errors", .group = "fce",
	  .summary = "force errors of the fit per group of structures (e.g. by sigma)",
	  .options = errors_opts, .exec = fce_errors_exec, .page = "fce-errors",
	  .flags = CMD_REPORTS },
	{ .name = NULL }
};
