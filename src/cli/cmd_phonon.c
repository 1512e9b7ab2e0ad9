/*
 * cmd_phonon.c - the phonon family: frequencies at a q-point, the band
 * structure along the standard path, the density of states and the
 * harmonic thermodynamics of the second-order force constants of the last
 * force-constant fit, and their export in phonopy's FORCE_CONSTANTS format.
 *
 * The force constants come from the force-constant family through
 * fce_session_fc2() (fce_state.h).  The data of the plots `plot
 * dispersion`, `plot dos` and `plot thermal` are computed here too
 * (phonon_plot, cmd_phonon.h).
 */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cewb/phonon.h"
#include "cmd.h"
#include "cmd_phonon.h"
#include "fce_state.h"
#include "safety.h"
#include "session.h"
#include "../plot/plot_phonon.h"

#define SYMPREC 1e-5		/* spglib tolerance of the band path (Å) */
#define MAX_TEMPERATURES 100000

/* The force constants of the session, or NULL after cmd_fail. */
static const cewb_fc2 *need_fc2(struct session *s)
{
	char why[512];
	const cewb_fc2 *fc;

	why[0] = '\0';
	fc = fce_session_fc2(s, why, sizeof why);
	if (!fc)
		cmd_fail(s, "%s", why[0] ? why : "no force-constant fit");
	return fc;
}

/* A frequency for tables: 4 decimals, no "-0.0000". */
static const char *thz(double f, char *buf, size_t len)
{
	if (fabs(f) < 5e-5)
		f = 0;
	snprintf(buf, len, "%.4f", f);
	return buf;
}

/* The mesh of --mesh N or N1,N2,N3 into m; 0, or 1 after cmd_fail. */
static int mesh_arg(struct session *s, const struct cmd_args *a, int m[3])
{
	const struct cmd_value *v = arg_value(a, "mesh");
	if (v->n != 1 && v->n != 3)
		return cmd_fail(s, "--mesh takes N or N1,N2,N3");
	for (size_t k = 0; k < 3; k++) {
		double x = v->reals[v->n == 1 ? 0 : k];
		if (x != floor(x))
			return cmd_fail(s, "--mesh: %g is not a whole number", x);
		m[k] = (int)x;
	}
	return 0;
}

/* Frequencies on the mesh of --mesh; 0, or 1 after cmd_fail. */
static int mesh_of(struct session *s, const struct cmd_args *a, const cewb_fc2 *fc,
		   cewb_phonon_mesh *m)
{
	int mesh[3];
	cewb_error err;

	if (mesh_arg(s, a, mesh))
		return 1;
	cewb_error_clear(&err);
	if (cewb_phonon_mesh_compute(fc, mesh, s->threads, m, &err) != CEWB_OK)
		return cmd_fail(s, "%s", err.message);
	return 0;
}

/* phonons [--q QX,QY,QZ]: frequencies at one q-point. */
static int phonons_exec(struct session *s, const struct cmd_args *a)
{
	const struct cmd_value *v = arg_value(a, "q");
	const cewb_fc2 *fc;
	cewb_error err;
	char b[64];

	if (v->n != 3)
		return cmd_fail(s, "--q takes three numbers, QX,QY,QZ (reduced coordinates)");
	if (!(fc = need_fc2(s)))
		return 1;
	size_t n = 3 * fc->n_atoms;
	double *f = malloc(n * sizeof *f);
	if (!f)
		return cmd_fail(s, "out of memory");
	cewb_error_clear(&err);
	if (cewb_phonon_frequencies(fc, v->reals, f, NULL, &err) != CEWB_OK) {
		free(f);
		return cmd_fail(s, "%s", err.message);
	}
	if (out_is_json(s)) {
		out_json(s, json_pack("{s:o, s:o}", "q", out_jreals(v->reals, 3), "frequencies_thz",
				      out_jreals(f, n)));
		free(f);
		return 0;
	}
	out_printf(s, "q = (%g, %g, %g) (reduced, primitive reciprocal basis)\n", v->reals[0],
		   v->reals[1], v->reals[2]);
	out_printf(s, "frequencies (THz):");
	int neg = 0;
	for (size_t k = 0; k < n; k++) {
		out_printf(s, "%s%s", k % 6 == 0 && k ? "\n                  " : " ",
			   thz(f[k], b, sizeof b));
		neg |= f[k] < -CEWB_PHONON_CUTOFF_THZ;
	}
	out_printf(s, "\n");
	if (neg)
		out_printf(s, "negative: imaginary frequencies (the structure is unstable along "
			      "these modes)\n");
	free(f);
	return 0;
}

/* The band structure of --points; 0, or 1 after cmd_fail. */
static int bands_of(struct session *s, const cewb_fc2 *fc, size_t points, cewb_phonon_bands *b)
{
	cewb_error err;
	cewb_error_clear(&err);
	if (cewb_phonon_bands_compute(fc, points, SYMPREC, b, &err) != CEWB_OK)
		return cmd_fail(s, "%s", err.message);
	return 0;
}

/* Path text with dashes: "G-X-W-K|U-X". */
static void path_dashes(const char *path, char *buf, size_t len)
{
	size_t o = 0;
	for (size_t k = 0; path[k] && o + 2 < len; k++) {
		if (k && path[k] != '|' && path[k - 1] != '|')
			buf[o++] = '-';
		buf[o++] = path[k];
	}
	buf[o] = '\0';
}

/* phonons dispersion [--points N]: the band structure. */
static int dispersion_exec(struct session *s, const struct cmd_args *a)
{
	const cewb_fc2 *fc = need_fc2(s);
	cewb_phonon_bands b;
	char buf[64], pd[160];

	if (!fc || bands_of(s, fc, (size_t)arg_int(a, "points"), &b))
		return 1;
	size_t nm = b.n_modes;
	if (out_is_json(s)) {
		json_t *labels = json_array(), *q = json_array(), *fr = json_array();
		for (size_t k = 0; k < b.n_labels; k++) {
			const cewb_phonon_label *lb = &b.labels[k];
			json_array_append_new(labels, json_pack("{s:s, s:o, s:f, s:i}", "label",
								lb->label, "q", out_jreals(lb->q, 3),
								"distance", lb->distance, "index",
								(int)lb->index));
		}
		for (size_t p = 0; p < b.n_points; p++) {
			json_array_append_new(q, out_jreals(b.q[p], 3));
			json_array_append_new(fr, out_jreals(b.freq + p * nm, nm));
		}
		out_json(s, json_pack("{s:s, s:s, s:i, s:o, s:o, s:o, s:o}", "lattice", b.lattice,
				      "path", b.path, "n_points", (int)b.n_points, "labels", labels,
				      "distances", out_jreals(b.distance, b.n_points), "q", q,
				      "frequencies_thz", fr));
		cewb_phonon_bands_release(&b);
		return 0;
	}
	path_dashes(b.path, pd, sizeof pd);
	out_printf(s, "%s path %s: %zu points (%ld per segment), %zu branches\n", b.lattice, pd,
		   b.n_points, arg_int(a, "points"), nm);
	out_printf(s, "%-5s %-22s %9s  %s\n", "point", "q (reduced)", "1/Å", "frequencies (THz)");
	for (size_t k = 0; k < b.n_labels; k++) {
		const cewb_phonon_label *l = &b.labels[k];
		char qs[64];
		snprintf(qs, sizeof qs, "%.4f %.4f %.4f", l->q[0] + 0.0, l->q[1] + 0.0,
			 l->q[2] + 0.0);
		out_printf(s, "%-5s %-22s %9.4f ", l->label, qs, l->distance);
		for (size_t j = 0; j < nm && j < 12; j++)
			out_printf(s, " %s", thz(b.freq[l->index * nm + j], buf, sizeof buf));
		out_printf(s, "%s\n", nm > 12 ? " ..." : "");
	}
	double fmin = INFINITY, fmax = -INFINITY;
	for (size_t p = 0; p < b.n_points * nm; p++) {
		fmin = fmin < b.freq[p] ? fmin : b.freq[p];
		fmax = fmax > b.freq[p] ? fmax : b.freq[p];
	}
	out_printf(s, "frequencies from %s to %s THz along the path", thz(fmin, buf, sizeof buf),
		   thz(fmax, pd, sizeof pd));
	out_printf(s, "%s\n", fmin < -CEWB_PHONON_CUTOFF_THZ ? " (negative: imaginary modes)" : "");
	cewb_phonon_bands_release(&b);
	return 0;
}

/*
 * Density of states on n points from the mesh: frequencies f, values g
 * (malloc'd); Gaussian smearing *sigma (0: one hundredth of the range), or
 * linear tetrahedra when tetra (the range widened by 1/100 each side).
 */
static int dos_of(struct session *s, const cewb_phonon_mesh *m, size_t n, int tetra,
		  double *sigma, double **f, double **g)
{
	double lo = m->fmin < 0 ? m->fmin : 0, hi = m->fmax;
	cewb_error err;
	cewb_status st;

	if (!(*sigma > 0))
		*sigma = hi - lo > 0 ? (hi - lo) / 100 : 0.1;
	lo -= (tetra ? 1 : 3) * *sigma;
	hi += (tetra ? 1 : 3) * *sigma;
	*f = malloc(n * sizeof **f);
	*g = malloc(n * sizeof **g);
	if (!*f || !*g) {
		free(*f), free(*g);
		return cmd_fail(s, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		(*f)[i] = lo + (hi - lo) * (double)i / (double)(n - 1);
	cewb_error_clear(&err);
	st = tetra ? cewb_phonon_dos_tetrahedron(m, n, *f, *g, &err)
		   : cewb_phonon_dos(m, *sigma, n, *f, *g, &err);
	if (st != CEWB_OK) {
		free(*f), free(*g);
		return cmd_fail(s, "%s", err.message);
	}
	return 0;
}

/* phonons dos [--mesh N] [--sigma S] [--points N]: density of states. */
static int dos_exec(struct session *s, const struct cmd_args *a)
{
	const cewb_fc2 *fc;
	cewb_phonon_mesh m;
	double *f, *g, sigma = arg_set(a, "sigma") ? arg_real(a, "sigma") : 0;
	size_t n = (size_t)arg_int(a, "points");
	int mesh[3], tetra = arg_flag(a, "tetrahedron");

	if (tetra && arg_set(a, "sigma"))
		return cmd_fail(s, "--sigma is the Gaussian smearing: not with --tetrahedron");
	if (mesh_arg(s, a, mesh) || !(fc = need_fc2(s)) || mesh_of(s, a, fc, &m))
		return 1;
	if (dos_of(s, &m, n, tetra, &sigma, &f, &g)) {
		cewb_phonon_mesh_release(&m);
		return 1;
	}
	if (out_is_json(s)) {
		out_json(s, json_pack("{s:[i,i,i], s:o, s:s, s:i, s:o, s:o}", "mesh", m.mesh[0],
				      m.mesh[1], m.mesh[2], "sigma_thz",
				      tetra ? json_null() : json_real(sigma), "method",
				      tetra ? "tetrahedron" : "gaussian", "n_imaginary",
				      (int)m.n_imaginary, "frequencies_thz", out_jreals(f, n), "dos",
				      out_jreals(g, n)));
	} else {
		double gmax = 0;
		for (size_t i = 0; i < n; i++)
			gmax = g[i] > gmax ? g[i] : gmax;
		char how[64];
		if (tetra)
			snprintf(how, sizeof how, "linear tetrahedra");
		else
			snprintf(how, sizeof how, "Gaussian smearing %.4g THz", sigma);
		out_printf(s, "density of states: %dx%dx%d mesh, %s, states/THz per primitive "
			      "cell (%zu modes)\n", m.mesh[0], m.mesh[1], m.mesh[2], how,
			   m.n_modes);
		out_printf(s, "%9s %9s\n", "THz", "DOS");
		for (size_t i = 0; i < n; i++) {
			int w = gmax > 0 ? (int)lround(50 * g[i] / gmax) : 0;
			out_printf(s, "%9.4f %9.5f%s%.*s\n", fabs(f[i]) < 5e-5 ? 0 : f[i], g[i],
				   w ? " " : "", w,
				   "##################################################");
		}
		if (m.n_imaginary)
			out_printf(s, "%zu imaginary modes (negative frequencies) on the mesh\n",
				   m.n_imaginary);
	}
	free(f);
	free(g);
	cewb_phonon_mesh_release(&m);
	return 0;
}

/*
 * Temperatures of "T0:T1:DT" (T1 included when it falls on the grid) or
 * "T" into a new array; 0, or 1 after cmd_fail.
 */
static int temperatures(struct session *s, const char *text, double **T, size_t *n)
{
	double t0, t1 = NAN, dt = NAN;
	char *end;

	t0 = strtod(text, &end);
	if (end != text && *end == ':') {
		const char *p = end + 1;
		t1 = strtod(p, &end);
		if (end != p && *end == ':') {
			p = end + 1;
			dt = strtod(p, &end);
			if (end == p)
				end = (char *)p - 1;
		} else {
			end = (char *)p - 1;
		}
	} else if (end != text && *end == '\0') {
		t1 = t0;
		dt = 1;
	}
	if (end == text || *end || !isfinite(t0) || !isfinite(t1) || !isfinite(dt))
		return cmd_fail(s, "--temperatures: '%s' is not T0:T1:DT or T", text);
	if (t0 < 0 || t1 < t0 || !(dt > 0))
		return cmd_fail(s, "--temperatures: need 0 <= T0 <= T1 and DT > 0 (got %g:%g:%g)",
				t0, t1, dt);
	double steps = floor((t1 - t0) / dt + 1e-9);
	if (steps + 1 > MAX_TEMPERATURES)
		return cmd_fail(s, "--temperatures: more than %d temperatures", MAX_TEMPERATURES);
	*n = (size_t)steps + 1;
	*T = malloc(*n * sizeof **T);
	if (!*T)
		return cmd_fail(s, "out of memory");
	for (size_t k = 0; k < *n; k++)
		(*T)[k] = t0 + dt * (double)k;
	return 0;
}

/* Thermodynamics of --temperatures on --mesh into new arrays; 0 or 1. */
static int thermal_of(struct session *s, const struct cmd_args *a, cewb_phonon_mesh *m,
		      double **T, size_t *n, double **F, double **S, double **C)
{
	const cewb_fc2 *fc;
	cewb_error err;
	int mesh[3];

	/* The arguments first: a typo is reported as such with or without a fit. */
	if (temperatures(s, arg_str(a, "temperatures"), T, n))
		return 1;
	if (mesh_arg(s, a, mesh) || !(fc = need_fc2(s)) || mesh_of(s, a, fc, m)) {
		free(*T);
		return 1;
	}
	*F = malloc(*n * sizeof **F);
	*S = malloc(*n * sizeof **S);
	*C = malloc(*n * sizeof **C);
	cewb_error_clear(&err);
	if (!*F || !*S || !*C ||
	    cewb_phonon_thermal(m, *n, *T, *F, *S, *C, &err) != CEWB_OK) {
		free(*T), free(*F), free(*S), free(*C);
		cewb_phonon_mesh_release(m);
		return cmd_fail(s, "%s", *F && *S && *C ? err.message : "out of memory");
	}
	return 0;
}

/* phonons thermal [--temperatures T0:T1:DT] [--mesh N]: F, S, C. */
static int thermal_exec(struct session *s, const struct cmd_args *a)
{
	cewb_phonon_mesh m;
	double *T, *F, *S, *C;
	size_t n = 0;

	if (thermal_of(s, a, &m, &T, &n, &F, &S, &C))
		return 1;
	if (out_is_json(s)) {
		out_json(s, json_pack("{s:o, s:o, s:o, s:o, s:[i,i,i], s:i}", "temperatures",
				      out_jreals(T, n), "free_energy_kj_per_mol", out_jreals(F, n),
				      "entropy", out_jreals(S, n), "heat_capacity", out_jreals(C, n),
				      "mesh", m.mesh[0], m.mesh[1], m.mesh[2], "n_imaginary",
				      (int)m.n_imaginary));
	} else {
		out_printf(s, "harmonic thermodynamics per mole of primitive cells (%zu atom%s), "
			      "%dx%dx%d mesh\n", m.n_modes / 3, m.n_modes == 3 ? "" : "s",
			   m.mesh[0], m.mesh[1], m.mesh[2]);
		out_printf(s, "%9s %14s %14s %14s\n", "T (K)", "F (kJ/mol)", "S (J/K/mol)",
			   "C (J/K/mol)");
		for (size_t k = 0; k < n; k++)
			out_printf(s, "%9.2f %14.4f %14.4f %14.4f\n", T[k], F[k] + 0.0, S[k],
				   C[k]);
		if (m.n_imaginary)
			out_printf(s, "%zu imaginary modes on the mesh are left out\n",
				   m.n_imaginary);
	}
	free(T), free(F), free(S), free(C);
	cewb_phonon_mesh_release(&m);
	return 0;
}

/* export force-constants FILE --supercell FILE: phonopy FORCE_CONSTANTS. */
static int export_fc_exec(struct session *s, const struct cmd_args *a)
{
	const char *path = a->pos[0].s, *scfile = arg_str(a, "supercell");
	size_t frame = (size_t)arg_int(a, "frame");
	const cewb_fc2 *fc;
	cewb_frames fr = { 0, NULL };
	cewb_error err;

	if (!scfile)
		return cmd_fail(s, "which supercell? add --supercell FILE "
				"(e.g. phonopy's SPOSCAR)");
	if (!(fc = need_fc2(s)))
		return 1;
	/* Never over an existing file without --force; written atomically. */
	if (cli_may_write(s, path, arg_flag(a, "force")))
		return 1;
	cewb_error_clear(&err);
	if (cewb_structure_read_any(scfile, NULL, &fr, &err) != CEWB_OK)
		return cmd_fail(s, "%s", err.message);
	if (frame >= fr.n) {
		size_t nf = fr.n;
		cewb_frames_release(&fr);
		return cmd_fail(s, "%s: no frame %zu (%zu frame%s)", scfile, frame, nf,
				nf == 1 ? "" : "s");
	}
	const cewb_structure *sc = fr.frames[frame];
	size_t na = sc->n_atoms;
	cli_signals_hold();	/* a third Ctrl-C waits for the rename */
	cewb_status st = cewb_phonon_write_force_constants(path, fc, sc, arg_real(a, "tol"), &err);
	cli_signals_release();
	cewb_frames_release(&fr);
	if (st)
		return cmd_fail(s, "%s", err.message);
	if (out_is_json(s))
		out_json(s, json_pack("{s:s, s:s, s:s, s:i}", "file", path, "format",
				      "phonopy FORCE_CONSTANTS", "supercell", scfile, "n_atoms",
				      (int)na));
	else
		out_printf(s, "wrote the force constants of %zu atoms (%zu x %zu blocks, eV/Å^2, "
			      "phonopy FORCE_CONSTANTS) to %s\n", na, na, na, path);
	return 0;
}

/* Data of `plot dispersion|dos|thermal`; see cmd_phonon.h. */
int phonon_plot(struct session *s, const char *what, const plot_options *o, plot_result *res,
		cewb_error *err, cewb_status *st)
{
	const cewb_fc2 *fc = need_fc2(s);
	if (!fc)
		return 1;
	if (strcmp(what, "dispersion") == 0) {
		cewb_phonon_bands b;
		if (bands_of(s, fc, 51, &b))
			return 1;
		const char **text = malloc(b.n_labels * sizeof *text);
		double *pos = malloc(b.n_labels * sizeof *pos);
		if (!text || !pos) {
			free(text), free(pos);
			cewb_phonon_bands_release(&b);
			return cmd_fail(s, "out of memory");
		}
		for (size_t k = 0; k < b.n_labels; k++) {
			text[k] = b.labels[k].label;
			pos[k] = b.labels[k].distance;
		}
		*st = plot_dispersion(b.n_points, b.n_modes, b.distance, b.freq, 51, b.n_labels,
				      pos, text, o, res, err);
		free(text), free(pos);
		cewb_phonon_bands_release(&b);
		return 0;
	}
	cewb_phonon_mesh m;
	int mesh[3] = { 32, 32, 32 };
	cewb_error e;
	cewb_error_clear(&e);
	if (cewb_phonon_mesh_compute(fc, mesh, s->threads, &m, &e) != CEWB_OK)
		return cmd_fail(s, "%s", e.message);
	if (strcmp(what, "dos") == 0) {
		double *f, *g, sigma = 0;
		if (dos_of(s, &m, 401, 0, &sigma, &f, &g)) {
			cewb_phonon_mesh_release(&m);
			return 1;
		}
		*st = plot_dos(401, f, g, sigma, o, res, err);
		free(f), free(g);
	} else {
		size_t n = 101;
		double T[101], F[101], S[101], C[101];
		for (size_t k = 0; k < n; k++)
			T[k] = 10.0 * (double)k;
		cewb_phonon_thermal(&m, n, T, F, S, C, &e);
		*st = plot_thermal(n, T, F, S, C, o, res, err);
	}
	cewb_phonon_mesh_release(&m);
	return 0;
}

static const struct cmd_arg phonons_opts[] = {
	{ .name = "q", .type = ARG_REALS, .def = "0,0,0", .min = -1e6, .max = 1e6,
	  .metavar = "QX,QY,QZ", .help = "q in reduced coordinates of the primitive reciprocal "
					 "basis" },
	{ .name = NULL }
};
static const struct cmd_arg dispersion_opts[] = {
	{ .name = "points", .type = ARG_INT, .def = "51", .min = 2, .max = 10000, .metavar = "N",
	  .help = "points on each straight segment of the path, ends included" },
	{ .name = NULL }
};
#define MESH_OPT \
	{ .name = "mesh", .type = ARG_REALS, .def = "32", .min = 1, .max = 1000, \
	  .metavar = "N|N1,N2,N3", .help = "Γ-centred q-point mesh" }
static const struct cmd_arg dos_opts[] = {
	MESH_OPT,
	{ .name = "sigma", .type = ARG_REAL, .min = 1e-6, .max = 1e3, .metavar = "THZ",
	  .help = "Gaussian smearing (default: 1/100 of the frequency range)" },
	{ .name = "points", .type = ARG_INT, .def = "51", .min = 2, .max = 100000,
	  .metavar = "N", .help = "frequencies at which the DOS is given" },
	{ .name = "tetrahedron", .type = ARG_FLAG,
	  .help = "linear tetrahedron method instead of Gaussian smearing" },
	{ .name = NULL }
};
static const struct cmd_arg thermal_opts[] = {
	{ .name = "temperatures", .type = ARG_STRING, .def = "0:1000:100",
	  .metavar = "T0:T1:DT", .help = "temperatures (K), T1 included" },
	MESH_OPT,
	{ .name = NULL }
};
static const struct cmd_arg export_fc_pos[] = {
	{ .name = "file", .type = ARG_FILE, .metavar = "FILE",
	  .help = "output file (phonopy FORCE_CONSTANTS text format)" },
	{ .name = NULL }
};
static const struct cmd_arg export_fc_opts[] = {
	{ .name = "supercell", .type = ARG_FILE, .metavar = "FILE",
	  .help = "the supercell (extended XYZ or POSCAR), e.g. phonopy's SPOSCAR" },
	{ .name = "frame", .type = ARG_INT, .def = "0", .min = 0, .max = 1e9, .metavar = "N",
	  .help = "frame of the supercell file (0-based)" },
	{ .name = "tol", .type = ARG_REAL, .def = "0.01", .min = 1e-8, .max = 1, .metavar = "Å",
	  .help = "how far an atom may sit from its primitive site" },
	{ .name = "force", .type = ARG_FLAG, .help = "replace an existing file" },
	{ .name = NULL }
};

const struct cmd_entry cmd_phonon_entries[] = {
	{ .name = "phonons", .group = "phonons",
	  .summary = "phonon frequencies of the force-constant fit at a q-point",
	  .options = phonons_opts, .exec = phonons_exec, .page = "phonons",
	  .flags = CMD_REPORTS },
	{ .name = "phonons dispersion", .group = "phonons",
	  .summary = "phonon band structure along the standard path",
	  .options = dispersion_opts, .exec = dispersion_exec, .page = "phonons-dispersion",
	  .flags = CMD_REPORTS },
	{ .name = "phonons dos", .group = "phonons", .summary = "phonon density of states",
	  .options = dos_opts, .exec = dos_exec, .page = "phonons-dos", .flags = CMD_REPORTS },
	{ .name = "phonons thermal", .group = "phonons",
	  .summary = "harmonic free energy, entropy and heat capacity",
	  .options = thermal_opts, .exec = thermal_exec, .page = "phonons-thermal",
	  .flags = CMD_REPORTS },
	{ .name = "export force-constants", .group = "phonons",
	  .summary = "write the second-order force constants for phonopy",
	  .positionals = export_fc_pos, .min_pos = 1, .max_pos = 1, .options = export_fc_opts,
	  .exec = export_fc_exec, .page = "export-force-constants", .flags = CMD_REPORTS },
	{ .name = NULL }
};
