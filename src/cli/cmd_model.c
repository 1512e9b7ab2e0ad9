/*
 * cmd_model.c - the model family: load lattice, lattice, space, orbits, orbit.
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cmd.h"
#include "safety.h"
#include "session.h"
#include "fce_state.h"
#include "cmd_prior.h"
#include "../tui/view_orbits.h"

/* Species allowed on a lattice site as "Ag,Pd" into buf. */
static const char *site_species(const cewb_lattice *lat, size_t site, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t k = 0; k < lat->n_allowed[site]; k++) {
		size_t l = strlen(buf);
		const char *sym = cewb_element_symbol(lat->allowed[site][k]);
		snprintf(buf + l, len - l, "%s%s", k ? "," : "", sym ? sym : "?");
	}
	return buf;
}

/* The lattice report (text or JSON). */
static void lattice_report(struct session *s)
{
	const cewb_lattice *lat = s->lattice;
	char sp[256];
	if (out_is_json(s)) {
		json_t *cell = json_array(), *sites = json_array();
		for (int i = 0; i < 3; i++)
			json_array_append_new(cell, json_pack("[f,f,f]", lat->cell[i][0],
							       lat->cell[i][1], lat->cell[i][2]));
		for (size_t i = 0; i < lat->n_sites; i++) {
			json_t *spec = json_array();
			for (size_t k = 0; k < lat->n_allowed[i]; k++) {
				const char *sym = cewb_element_symbol(lat->allowed[i][k]);
				json_array_append_new(spec, json_string(sym ? sym : "?"));
			}
			json_array_append_new(sites, json_pack("{s:i, s:[f,f,f], s:o, s:i}", "index",
							       (int)i, "position", lat->pos[i][0],
							       lat->pos[i][1], lat->pos[i][2],
							       "species", spec, "equivalent",
							       lat->equivalent[i]));
		}
		out_json(s, json_pack("{s:s, s:i, s:i, s:i, s:s, s:i, s:o, s:[b,b,b], s:o}",
				      "file", s->lattice_file, "frame", (int)s->lattice_frame,
				      "n_sites", (int)lat->n_sites, "n_active",
				      (int)cewb_lattice_n_active(lat), "spacegroup",
				      lat->international, "spacegroup_number", lat->spacegroup,
				      "cell", cell, "pbc", lat->pbc[0], lat->pbc[1], lat->pbc[2],
				      "sites", sites));
		return;
	}
	out_printf(s, "lattice from %s frame %zu: %zu site%s (%zu active), space group %s (%d)\n",
		   s->lattice_file, s->lattice_frame, lat->n_sites, lat->n_sites == 1 ? "" : "s",
		   cewb_lattice_n_active(lat), lat->international, lat->spacegroup);
	for (int i = 0; i < 3; i++)
		out_printf(s, "  %c  %12.6f %12.6f %12.6f%s\n", "abc"[i], lat->cell[i][0],
			   lat->cell[i][1], lat->cell[i][2], lat->pbc[i] ? "" : "  (open)");
	for (size_t i = 0; i < lat->n_sites; i++)
		out_printf(s, "  site %zu  %10.6f %10.6f %10.6f  %s\n", i, lat->pos[i][0],
			   lat->pos[i][1], lat->pos[i][2], site_species(lat, i, sp, sizeof sp));
}

/* load lattice FILE [--frame N] [--species SPEC] [--symprec R] */
static int load_lattice_exec(struct session *s, const struct cmd_args *a)
{
	const char *path = a->pos[0].s;
	cewb_frames fr = { 0, NULL };
	cewb_error err;
	cewb_error_clear(&err);
	if (cewb_structure_read_any(path, NULL, &fr, &err) != CEWB_OK)
		return cmd_fail(s, "%s", err.message);
	size_t frame = (size_t)arg_int(a, "frame");
	if (frame >= fr.n) {
		size_t n = fr.n;
		cewb_frames_release(&fr);
		return cmd_fail(s, "'%s' has %zu frame%s, no frame %zu", path, n,
				n == 1 ? "" : "s", frame);
	}
	const char *species = arg_str(a, "species");
	cewb_lattice *lat = NULL;
	if (cewb_lattice_build(fr.frames[frame], species, arg_real(a, "symprec"), &lat, &err) !=
	    CEWB_OK) {
		cewb_frames_release(&fr);
		return cmd_fail(s, "%s", err.message);
	}
	cewb_structure *keep = fr.frames[frame];
	fr.frames[frame] = NULL;
	cewb_frames_release(&fr);
	int had_space = s->space != NULL;
	session_set_lattice(s, lat, keep, path, frame, species);
	fce_session_drop(s);	/* the force constants belonged to the old lattice */
	lattice_report(s);
	if (had_space && !out_is_json(s))
		out_printf(s, "(the cluster space was dropped: build it again with 'space')\n");
	return 0;
}

/* Orbit counts by order "0:1 1:1 2:25 ..." and the JSON object of them. */
static json_t *orbits_by_order_json(const cewb_space *sp)
{
	json_t *o = json_object();
	for (size_t k = 0; k <= CEWB_MAX_ORDER; k++) {
		if (k > 1 && sp->n_orbits_by_order[k] == 0)
			continue;
		char key[8];
		snprintf(key, sizeof key, "%zu", k);
		json_object_set_new(o, key, json_integer((json_int_t)sp->n_orbits_by_order[k]));
	}
	return o;
}

/* The one-line summary of a space. */
static void space_summary(struct session *s, const cewb_space *sp)
{
	out_printf(s, "cluster space: %zu parameters in %zu orbits; cutoffs", sp->n_params,
		   sp->n_orbits);
	for (size_t i = 0; i < sp->n_cutoffs; i++)
		out_printf(s, " %g", sp->cutoffs[i]);
	out_printf(s, " Å\n  orbits by order:");
	for (size_t k = 0; k <= CEWB_MAX_ORDER; k++)
		if (k <= 1 || sp->n_orbits_by_order[k])
			out_printf(s, " %zu:%zu", k, sp->n_orbits_by_order[k]);
	out_printf(s, "\n");
}

/* space CUT2 [CUT3 ...] [--force] */
static int space_exec(struct session *s, const struct cmd_args *a)
{
	if (!s->lattice)
		return cmd_fail(s, "no lattice: load one first with 'load lattice FILE --species A,B'");
	double cut[CEWB_MAX_ORDER];
	size_t n = a->n_pos;
	for (size_t i = 0; i < n; i++)
		cut[i] = a->pos[i].r;
	/* Large spaces are asked for at the prompt, refused in scripts
	 * without --force (safety.h); so are cluster vectors above the
	 * memory limit (the orbit estimate stands for the columns). */
	double est = cewb_space_estimate_orbits(s->lattice, cut, n);
	double limit = arg_real(a, "max-orbits");
	int force = arg_flag(a, "force");
	if (est > limit && cli_confirm(s, force, "these cutoffs would give about %.0f orbits "
				       "(more than --max-orbits %g)", est, limit))
		return 1;
	if (cli_check_matrix(s, force, (double)s->train.n, est, "the cluster vectors"))
		return 1;
	cewb_space *sp = NULL;
	cewb_error err;
	cewb_error_clear(&err);
	cli_progress_begin(s, "building the cluster space");
	cewb_status bst = cewb_space_build(s->lattice, cut, n, &sp, &err);
	cli_progress_end();
	if (bst != CEWB_OK)
		return cmd_fail(s, "%s", err.message);
	double *X = NULL;
	cli_progress_begin(s, "cluster vectors");
	bst = train_vectors(s, sp, &s->train, &X, &err);
	cli_progress_end();
	if (bst != CEWB_OK) {
		cewb_space_free(sp);
		return cmd_fail(s, "%s", err.message);
	}
	session_set_space(s, sp, X);
	fce_session_deactivate(s);	/* a cluster space makes the CE the current model */
	if (out_is_json(s)) {
		json_t *c = json_array();
		for (size_t i = 0; i < sp->n_cutoffs; i++)
			json_array_append_new(c, json_real(sp->cutoffs[i]));
		out_json(s, json_pack("{s:i, s:i, s:o, s:o, s:i}", "n_parameters",
				      (int)sp->n_params, "n_orbits", (int)sp->n_orbits,
				      "n_orbits_by_order", orbits_by_order_json(sp), "cutoffs", c,
				      "n_structures", (int)s->train.n));
		return 0;
	}
	space_summary(s, sp);
	if (s->train.n)
		out_printf(s, "  cluster vectors of %zu structure%s computed\n", s->train.n,
			   s->train.n == 1 ? "" : "s");
	return 0;
}

/* orbits [--order N]: the orbit table. */
/* Largest |ECI| of an orbit's parameters in the current fit (0 without one). */
static double orbit_max_eci(const struct session *s, const cewb_orbit *o)
{
	double m = 0;
	if (!s->fit.have || s->fit.res.n_cols != s->space->n_params)
		return 0;
	for (size_t j = 0; j < o->n_params; j++)
		m = fmax(m, fabs(s->fit.res.eci[o->first_param + j]));
	return m;
}

static const struct session *orbit_sort_session;
static int orbit_sort_key;	/* 0 index, 1 radius, 2 |ECI| descending */

static int orbit_row_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const cewb_orbit *oa = &orbit_sort_session->space->orbits[a];
	const cewb_orbit *ob = &orbit_sort_session->space->orbits[b];
	double x = 0, y = 0;
	if (orbit_sort_key == 1) {
		x = oa->radius;
		y = ob->radius;
	} else if (orbit_sort_key == 2) {
		x = -orbit_max_eci(orbit_sort_session, oa);
		y = -orbit_max_eci(orbit_sort_session, ob);
	}
	if (x != y)
		return x < y ? -1 : 1;
	return (a > b) - (a < b);
}

/* Allowed species of a site as "Ag,Pd". */
static void species_text(const cewb_lattice *lat, int site, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < lat->n_allowed[site] && n + 4 < len; k++) {
		const char *sym = cewb_element_symbol(lat->allowed[site][k]);
		n += (size_t)snprintf(buf + n, len - n, "%s%s", k ? "," : "", sym ? sym : "?");
	}
}

/* Prior width of a parameter as text: "free", "removed" or sigma. */
static const char *prior_text(const cewb_prior *pr, size_t param, char *buf, size_t len)
{
	double sg = cewb_prior_param_sigma(pr, param);
	if (isinf(sg))
		return "free";
	if (sg == 0)
		return "removed";
	snprintf(buf, len, "%.3g", sg);
	return buf;
}

/*
 * orbits [--order N] [--radius-min R] [--radius-max R] [--eci-min E]
 *        [--sort index|radius|eci] [--sites] [--browse]: the orbit table.
 */
static int orbits_exec(struct session *s, const struct cmd_args *a)
{
	if (fce_session_active(s))
		return fce_session_orbits(s, a);	/* the force-constant orbits */
	const cewb_space *sp = s->space;
	if (!sp)
		return cmd_fail(s, "no cluster space: build one first with 'space CUT2 [CUT3 ...]'");
	int have_fit = s->fit.have && s->fit.res.n_cols == sp->n_params;
	const double *eci = have_fit ? s->fit.res.eci : NULL;
	if (arg_flag(a, "browse")) {
		char err[256];
		const double *sd = NULL;
		double *tmp = NULL;
		if (have_fit && s->fit.res.covariance) {
			tmp = malloc(sp->n_params * sizeof *tmp);
			if (tmp)
				for (size_t j = 0; j < sp->n_params; j++)
					tmp[j] = sqrt(fmax(0.0, s->fit.res.covariance[j * sp->n_params + j]));
			sd = tmp;
		}
		int rc = view_orbits(sp, eci, sd, s->color, err, sizeof err);
		free(tmp);
		if (rc)
			return cmd_fail(s, "%s", err);
		return 0;
	}
	long only = arg_set(a, "order") ? arg_int(a, "order") : -1;
	double rmin = arg_set(a, "radius-min") ? arg_real(a, "radius-min") : -INFINITY;
	double rmax = arg_set(a, "radius-max") ? arg_real(a, "radius-max") : INFINITY;
	double emin = arg_set(a, "eci-min") ? arg_real(a, "eci-min") : -1;
	const char *sort = arg_str(a, "sort");
	int sites = arg_flag(a, "sites");
	if (emin >= 0 && !have_fit)
		return cmd_fail(s, "--eci-min needs a fit: run 'fit METHOD' first");
	if (sort && !strcmp(sort, "eci") && !have_fit)
		return cmd_fail(s, "--sort eci needs a fit: run 'fit METHOD' first");
	size_t *rows = malloc(sp->n_orbits * sizeof *rows), n_rows = 0;
	if (!rows)
		return cmd_fail(s, "out of memory");
	for (size_t i = 0; i < sp->n_orbits; i++) {
		const cewb_orbit *o = &sp->orbits[i];
		if (only >= 0 && (long)o->order != only)
			continue;
		if (o->radius < rmin - 1e-9 || o->radius > rmax + 1e-9)
			continue;
		if (emin >= 0 && orbit_max_eci(s, o) < emin)
			continue;
		rows[n_rows++] = i;
	}
	orbit_sort_session = s;
	orbit_sort_key = !sort || !strcmp(sort, "index") ? 0 : !strcmp(sort, "radius") ? 1 : 2;
	qsort(rows, n_rows, sizeof *rows, orbit_row_cmp);
	/* The prior column only once a prior gives some parameter a width. */
	cewb_prior *pr = prior_session(s);
	if (pr) {
		size_t j = 0;
		while (j < sp->n_params && isinf(cewb_prior_param_sigma(pr, j)))
			j++;
		if (j == sp->n_params)
			pr = NULL;
	}
	int extra = eci || pr;
	if (out_is_json(s)) {
		json_t *list = json_array();
		for (size_t r = 0; r < n_rows; r++) {
			size_t i = rows[r];
			const cewb_orbit *o = &sp->orbits[i];
			json_t *mult = json_array(), *ej = json_array(), *sj = json_array();
			for (size_t j = 0; j < o->n_params; j++) {
				json_array_append_new(mult, json_integer((json_int_t)o->multiplicity[j]));
				if (eci)
					json_array_append_new(ej, json_real(eci[o->first_param + j]));
			}
			for (size_t k = 0; k < o->order; k++) {
				const cewb_lsite *ls = &o->clusters[k];
				double p[3];
				char sp_buf[96];
				cewb_lsite_position(sp->lattice, ls, p);
				species_text(sp->lattice, ls->site, sp_buf, sizeof sp_buf);
				json_array_append_new(sj, json_pack("{s:i, s:[i,i,i], s:[f,f,f], s:s}",
								    "site", ls->site, "offset",
								    ls->off[0], ls->off[1], ls->off[2],
								    "position", p[0], p[1], p[2],
								    "species", sp_buf));
			}
			json_t *oj = json_pack("{s:i, s:i, s:f, s:f, s:i, s:i, s:[i,i], s:o, s:o}",
					       "index", (int)i, "order", (int)o->order, "radius",
					       o->radius, "max_distance", o->max_distance,
					       "multiplicity", (int)o->multiplicity[0],
					       "n_clusters_per_cell", (int)o->n_clusters,
					       "parameters", (int)o->first_param,
					       (int)(o->first_param + o->n_params - 1),
					       "multiplicities", mult, "sites", sj);
			if (eci)
				json_object_set_new(oj, "eci", ej);
			else
				json_decref(ej);
			if (pr) {
				double sg = cewb_prior_param_sigma(pr, o->first_param);
				json_object_set_new(oj, "prior_sigma",
						    isinf(sg) ? json_null() : json_real(sg));
			}
			json_array_append_new(list, oj);
		}
		free(rows);
		out_json(s, json_pack("{s:i, s:o, s:o}", "n_parameters", (int)sp->n_params,
				      "n_orbits_by_order", orbits_by_order_json(sp), "orbits", list));
		return 0;
	}
	space_summary(s, sp);
	out_printf(s, extra ? "%6s %5s %10s %10s %6s %8s  %-10s" : "%6s %5s %10s %10s %6s %8s  %s",
		   "orbit", "order", "radius", "max_dist", "mult", "clusters", "parameters");
	if (eci)
		out_printf(s, " %12s", "ECI (meV)");
	if (pr)
		out_printf(s, " %9s", "prior σ");
	out_printf(s, "\n");
	for (size_t r = 0; r < n_rows; r++) {
		size_t i = rows[r];
		const cewb_orbit *o = &sp->orbits[i];
		char params[48], pb[32];
		if (o->n_params == 1)
			snprintf(params, sizeof params, "%zu", o->first_param);
		else
			snprintf(params, sizeof params, "%zu-%zu", o->first_param,
				 o->first_param + o->n_params - 1);
		out_printf(s, extra ? "%6zu %5zu %10.4f %10.4f %6zu %8zu  %-10s"
				    : "%6zu %5zu %10.4f %10.4f %6zu %8zu  %s",
			   i, o->order, o->radius, o->max_distance, o->multiplicity[0],
			   o->n_clusters, params);
		if (eci) {
			/* One value per orbit: the parameter of largest |ECI|. */
			double best = 0;
			for (size_t j = 0; j < o->n_params; j++)
				if (fabs(eci[o->first_param + j]) > fabs(best))
					best = eci[o->first_param + j];
			out_printf(s, " %12.4f", 1e3 * best);
		}
		if (pr)
			out_printf(s, " %9s", prior_text(pr, o->first_param, pb, sizeof pb));
		out_printf(s, "\n");
		if (sites)
			for (size_t k = 0; k < o->order; k++) {
				const cewb_lsite *ls = &o->clusters[k];
				double p[3];
				char sp_buf[96];
				cewb_lsite_position(sp->lattice, ls, p);
				species_text(sp->lattice, ls->site, sp_buf, sizeof sp_buf);
				out_printf(s, "%14s site %d [%d %d %d]  %9.4f %9.4f %9.4f  %s\n", "",
					   ls->site, ls->off[0], ls->off[1], ls->off[2], p[0], p[1],
					   p[2], sp_buf);
			}
	}
	if (n_rows < sp->n_orbits)
		out_printf(s, "(%zu of %zu orbits shown)\n", n_rows, sp->n_orbits);
	free(rows);
	return 0;
}

/* orbit A: one orbit in detail (representative cluster, distances, parameters). */
static int orbit_exec(struct session *s, const struct cmd_args *a)
{
	const cewb_space *sp = s->space;
	if (!sp)
		return cmd_fail(s, "no cluster space: build one first with 'space CUT2 [CUT3 ...]'");
	size_t k = (size_t)a->pos[0].i;
	if (k >= sp->n_orbits)
		return cmd_fail(s, "no orbit %zu: the space has orbits 0 to %zu", k, sp->n_orbits - 1);
	const cewb_orbit *o = &sp->orbits[k];
	double pos[CEWB_MAX_ORDER][3];
	for (size_t i = 0; i < o->order; i++)
		cewb_lsite_position(sp->lattice, &o->clusters[i], pos[i]);
	if (out_is_json(s)) {
		json_t *sites = json_array(), *params = json_array(), *dist = json_array();
		for (size_t i = 0; i < o->order; i++) {
			const cewb_lsite *ls = &o->clusters[i];
			json_array_append_new(sites, json_pack("{s:i, s:[i,i,i], s:[f,f,f]}", "site",
							       ls->site, "offset", ls->off[0],
							       ls->off[1], ls->off[2], "position",
							       pos[i][0], pos[i][1], pos[i][2]));
			for (size_t j = i + 1; j < o->order; j++) {
				double d2 = 0;
				for (int c = 0; c < 3; c++)
					d2 += (pos[i][c] - pos[j][c]) * (pos[i][c] - pos[j][c]);
				json_array_append_new(dist, json_real(sqrt(d2)));
			}
		}
		for (size_t j = 0; j < o->n_params; j++) {
			json_t *mc = json_array();
			for (size_t i = 0; i < o->order; i++)
				json_array_append_new(mc, json_integer(o->mc[j * o->order + i]));
			json_array_append_new(params, json_pack("{s:i, s:i, s:o}", "index",
								(int)(o->first_param + j), "multiplicity",
								(int)o->multiplicity[j], "point_functions",
								mc));
		}
		out_json(s, json_pack("{s:i, s:i, s:f, s:f, s:i, s:i, s:o, s:o, s:o}", "index", (int)k,
				      "order", (int)o->order, "radius", o->radius, "max_distance",
				      o->max_distance, "n_clusters_per_cell", (int)o->n_clusters,
				      "n_permutations", (int)o->n_perms, "sites", sites, "distances",
				      dist, "parameters", params));
		return 0;
	}
	out_printf(s, "orbit %zu: order %zu, radius %.4f Å, longest distance %.4f Å, "
		   "%zu cluster%s per primitive cell\n", k, o->order, o->radius, o->max_distance,
		   o->n_clusters, o->n_clusters == 1 ? "" : "s");
	if (o->order) {
		out_printf(s, "representative cluster (site, cell offset, position in Å):\n");
		for (size_t i = 0; i < o->order; i++) {
			const cewb_lsite *ls = &o->clusters[i];
			out_printf(s, "  %3d  [%3d %3d %3d]  %10.5f %10.5f %10.5f\n", ls->site,
				   ls->off[0], ls->off[1], ls->off[2], pos[i][0], pos[i][1],
				   pos[i][2]);
		}
	}
	if (o->order >= 2) {
		out_printf(s, "distances:");
		for (size_t i = 0; i < o->order; i++)
			for (size_t j = i + 1; j < o->order; j++) {
				double d2 = 0;
				for (int c = 0; c < 3; c++)
					d2 += (pos[i][c] - pos[j][c]) * (pos[i][c] - pos[j][c]);
				out_printf(s, " %.4f", sqrt(d2));
			}
		out_printf(s, "\n");
	}
	if (o->order)
		out_printf(s, "%zu allowed site permutation%s\n", o->n_perms,
			   o->n_perms == 1 ? "" : "s");
	for (size_t j = 0; j < o->n_params; j++) {
		out_printf(s, "parameter %zu: multiplicity %zu, point functions [", o->first_param + j,
			   o->multiplicity[j]);
		for (size_t i = 0; i < o->order; i++)
			out_printf(s, "%s%d", i ? " " : "", o->mc[j * o->order + i]);
		out_printf(s, "]\n");
	}
	return 0;
}

/* lattice: show the current lattice. */
static int lattice_exec(struct session *s, const struct cmd_args *a)
{
	if (!s->lattice)
		return cmd_fail(s, "no lattice: load one first with 'load lattice FILE --species A,B'");
	lattice_report(s);
	return 0;
}

static const struct cmd_arg file_pos[] = {
	{ .name = "file", .type = ARG_FILE, .metavar = "FILE" },
	{ .name = NULL }
};
static const struct cmd_arg lattice_opts[] = {
	{ .name = "species", .type = ARG_STRING, .metavar = "SPEC",
	  .help = "species allowed on the sites: Ag,Pd (all sites) or Au=Au,Pd/H=H,X" },
	{ .name = "frame", .type = ARG_INT, .def = "0", .min = 0, .max = 1e9, .metavar = "N",
	  .help = "frame of the file to use (0-based)" },
	{ .name = "symprec", .type = ARG_REAL, .def = "1e-5", .min = 1e-10, .max = 1.0,
	  .metavar = "ANGSTROM", .help = "tolerance of the symmetry search" },
	{ .name = NULL }
};
static const struct cmd_arg cutoff_pos[] = {
	{ .name = "cutoff", .type = ARG_REAL, .min = 1e-6, .max = 1000.0, .metavar = "CUT",
	  .help = "cutoff (Å) of pairs, then triplets, quadruplets, ..." },
	{ .name = NULL }
};
static const struct cmd_arg space_opts[] = {
	{ .name = "max-orbits", .type = ARG_REAL, .def = "20000", .min = 1, .max = 1e12,
	  .metavar = "N", .help = "refuse cutoffs predicted to give more orbits" },
	{ .name = "force", .type = ARG_FLAG,
	  .help = "build above --max-orbits or the memory limit without asking" },
	{ .name = NULL }
};
static const struct cmd_arg orbit_pos[] = {
	{ .name = "orbit", .type = ARG_INT, .min = 0, .max = 1e9, .metavar = "A",
	  .help = "orbit index", .complete = COMPLETE_ORBIT },
	{ .name = NULL }
};
static const char *const orbit_sorts[] = { "index", "radius", "eci", NULL };
static const struct cmd_arg orbits_opts[] = {
	{ .name = "order", .type = ARG_INT, .min = 0, .max = CEWB_MAX_ORDER, .metavar = "N",
	  .help = "list only orbits of this order" },
	{ .name = "radius-min", .type = ARG_REAL, .min = 0, .max = 1e6, .metavar = "R",
	  .help = "list only orbits of radius >= R (Å)" },
	{ .name = "radius-max", .type = ARG_REAL, .min = 0, .max = 1e6, .metavar = "R",
	  .help = "list only orbits of radius <= R (Å)" },
	{ .name = "eci-min", .type = ARG_REAL, .min = 0, .max = 1e6, .metavar = "E",
	  .help = "list only orbits with an |ECI| >= E (eV) in the last fit" },
	{ .name = "sort", .type = ARG_CHOICE, .def = "index", .choices = orbit_sorts,
	  .metavar = "KEY", .help = "order of the rows: index, radius or eci (largest first)" },
	{ .name = "sites", .type = ARG_FLAG,
	  .help = "show the representative sites with coordinates and species" },
	{ .name = "browse", .type = ARG_FLAG,
	  .help = "browse the orbits full-screen (needs a terminal)" },
	{ .name = NULL }
};

const struct cmd_entry cmd_model_entries[] = {
	{ .name = "load lattice", .group = "model", .summary = "read the parent lattice",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 1, .options = lattice_opts,
	  .exec = load_lattice_exec, .page = "load-lattice", .flags = CMD_REPORTS },
	{ .name = "lattice", .group = "model", .summary = "show the lattice",
	  .exec = lattice_exec, .page = "lattice", .flags = CMD_REPORTS },
	{ .name = "space", .group = "model", .summary = "build the cluster space from cutoffs",
	  .positionals = cutoff_pos, .min_pos = 1, .max_pos = CEWB_MAX_ORDER - 1,
	  .options = space_opts, .exec = space_exec, .page = "space", .flags = CMD_REPORTS },
	{ .name = "orbits", .group = "model", .summary = "list the orbits of the cluster space",
	  .options = orbits_opts, .exec = orbits_exec, .page = "orbits", .flags = CMD_REPORTS },
	{ .name = "orbit", .group = "model", .summary = "show one orbit in detail",
	  .positionals = orbit_pos, .min_pos = 1, .max_pos = 1, .exec = orbit_exec,
	  .page = "orbit", .flags = CMD_REPORTS },
	{ .name = NULL }
};
