/*
 * cmd_synth.c - synthetic targets from known ECIs: `synth` replaces the
 * targets of the training set by X J (+ Gaussian noise), `synth compare`
 * sets the ECIs of the last fit against that truth.
 *
 * A class fixes the truth J (a file of ECIs, one per parameter of the
 * current cluster space), makes targets from it and watches which methods
 * recover J as the data grow or the noise rises.  Every random number comes
 * from cewb_rng with the given seed (default: 'set seed'), drawn in load
 * order, so the same command gives the same targets on every machine.
 *
 * ECI files: what cewb writes itself (the JSON of `eci --json` or of
 * `fit --json`, also a stream of several documents from a `cewb --json`
 * run, of which the last one holding ECIs counts) or plain text with one
 * ECI per line, "value" or "index value", '#' starting a comment.  Values
 * are in the units of the targets (eV/atom as a rule); text reports show
 * meV (x 1000) like the fit family.
 */
#include "config.h"
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "cewb/fit.h"
#include "cmd.h"
#include "fit_data.h"
#include "session.h"

#define MEV 1000.0	/* text reports: target units -> milli-units */
#define ZERO_REL 1e-9	/* |fitted ECI| <= ZERO_REL x largest true |ECI|: zero */

/* ECIs read from a file, with the line each came from. */
struct eci_file {
	size_t n;
	double *value;		/* n ECIs */
	size_t *line;		/* n: 1-based line of each (JSON: of its document) */
	int json;		/* read from JSON */
};

/* Free the arrays of f. */
static void eci_file_release(struct eci_file *f)
{
	free(f->value);
	free(f->line);
	memset(f, 0, sizeof *f);
}

/* Append one value read on line; 0, or -1 when out of memory. */
static int eci_push(struct eci_file *f, size_t *cap, double v, size_t line)
{
	if (f->n == *cap) {
		size_t nc = *cap ? 2 * *cap : 64;
		double *nv = realloc(f->value, nc * sizeof *nv);
		if (!nv)
			return -1;
		f->value = nv;
		size_t *nl = realloc(f->line, nc * sizeof *nl);
		if (!nl)
			return -1;
		f->line = nl;
		*cap = nc;
	}
	f->value[f->n] = v;
	f->line[f->n] = line;
	f->n++;
	return 0;
}

/* The whole file in a new NUL-terminated buffer, or NULL after cmd_fail. */
static char *slurp(struct session *s, const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		cmd_fail(s, "cannot open '%s'", path);
		return NULL;
	}
	char *buf = NULL;
	size_t cap = 0, n = 0, got;
	do {
		if (cap - n < 4096) {
			char *nb = realloc(buf, cap = cap ? 2 * cap : 8192);
			if (!nb) {
				free(buf);
				fclose(fp);
				cmd_fail(s, "out of memory reading '%s'", path);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, fp);
		n += got;
	} while (got > 0);
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		free(buf);
		cmd_fail(s, "cannot read '%s'", path);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* Lines (1-based) of text up to offset off. */
static size_t line_at(const char *text, size_t off)
{
	size_t line = 1;
	for (size_t i = 0; i < off && text[i]; i++)
		line += text[i] == '\n';
	return line;
}

/*
 * The ECIs of one JSON document: an array of numbers, {"eci": [numbers]}
 * (fit --json) or {"eci": [{"parameter", "value"}], "n_parameters"}
 * (eci --json, where parameters left out by --nonzero are zero).  Returns
 * 1 with f filled, 0 when the document holds no ECIs (f untouched), -1
 * after cmd_fail.
 */
static int eci_from_json(struct session *s, const char *path, json_t *doc, size_t line,
			 struct eci_file *f)
{
	json_t *list = json_is_array(doc) ? doc : json_object_get(doc, "eci");
	if (!json_is_array(list) || json_array_size(list) == 0)
		return 0;
	size_t n = json_array_size(list), cap = 0;
	json_t *first = json_array_get(list, 0);
	struct eci_file g = { 0 };
	g.json = 1;
	if (json_is_object(first)) {
		/* eci --json: indices given; the size from n_parameters. */
		json_t *np = json_object_get(doc, "n_parameters");
		size_t size = 0;
		for (size_t k = 0; k < n; k++) {
			json_t *p = json_object_get(json_array_get(list, k), "parameter");
			if (!json_is_integer(p) || json_integer_value(p) < 0) {
				cmd_fail(s, "%s: line %zu: ECI %zu has no \"parameter\" index",
					 path, line, k);
				return -1;
			}
			if ((size_t)json_integer_value(p) + 1 > size)
				size = (size_t)json_integer_value(p) + 1;
		}
		if (json_is_integer(np) && json_integer_value(np) >= (json_int_t)size)
			size = (size_t)json_integer_value(np);
		for (size_t k = 0; k < size; k++)
			if (eci_push(&g, &cap, 0.0, line)) {
				eci_file_release(&g);
				cmd_fail(s, "out of memory reading '%s'", path);
				return -1;
			}
		for (size_t k = 0; k < n; k++) {
			json_t *e = json_array_get(list, k);
			size_t j = (size_t)json_integer_value(json_object_get(e, "parameter"));
			json_t *v = json_object_get(e, "value");
			if (!json_is_number(v)) {
				eci_file_release(&g);
				cmd_fail(s, "%s: line %zu: the value of parameter %zu is not a "
					 "number", path, line, j);
				return -1;
			}
			g.value[j] = json_number_value(v);
		}
	} else {
		for (size_t k = 0; k < n; k++) {
			json_t *v = json_array_get(list, k);
			if (!json_is_number(v)) {
				eci_file_release(&g);
				cmd_fail(s, "%s: line %zu: ECI %zu is not a number", path, line, k);
				return -1;
			}
			if (eci_push(&g, &cap, json_number_value(v), line)) {
				eci_file_release(&g);
				cmd_fail(s, "out of memory reading '%s'", path);
				return -1;
			}
		}
	}
	eci_file_release(f);
	*f = g;
	return 1;
}

/* ECIs of a JSON file (one or more documents; the last with ECIs counts). */
static int eci_read_json(struct session *s, const char *path, const char *text, size_t len,
			 struct eci_file *f)
{
	size_t off = 0;
	int found = 0;
	for (;;) {
		while (off < len && isspace((unsigned char)text[off]))
			off++;
		if (off >= len)
			break;
		json_error_t je;
		size_t line = line_at(text, off);
		json_t *doc = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK, &je);
		if (!doc) {
			eci_file_release(f);
			return cmd_fail(s, "%s: line %zu: %s", path, line + (size_t)je.line - 1,
					je.text);
		}
		int r = eci_from_json(s, path, doc, line, f);
		json_decref(doc);
		if (r < 0) {
			eci_file_release(f);
			return 1;
		}
		found |= r;
		off += (size_t)je.position;
		if (je.position <= 0)
			break;
	}
	if (!found)
		return cmd_fail(s, "%s: no ECIs in it (expected the JSON of 'eci --json' or "
				"'fit --json', or an array of numbers)", path);
	return 0;
}

/* ECIs of a text file: "value" or "index value" per line, '#' comments. */
static int eci_read_text(struct session *s, const char *path, char *text, struct eci_file *f)
{
	size_t lineno = 0, cap = 0;
	char *save = NULL;
	for (char *p = text; p; p = save) {
		char *nl = strchr(p, '\n');
		save = nl ? nl + 1 : NULL;
		if (nl)
			*nl = '\0';
		lineno++;
		p[strcspn(p, "#\r")] = '\0';
		double x[2];
		int k = 0;
		char *end;
		while (k < 3) {
			while (isspace((unsigned char)*p))
				p++;
			if (!*p)
				break;
			double v = strtod(p, &end);
			if (end == p || (*end && !isspace((unsigned char)*end)) || k == 2) {
				eci_file_release(f);
				return cmd_fail(s, "%s: line %zu: expected 'value' or 'index "
						"value', got '%.32s%s'", path, lineno, p,
						strlen(p) > 32 ? "..." : "");
			}
			if (!isfinite(v)) {
				eci_file_release(f);
				return cmd_fail(s, "%s: line %zu: '%.*s' is not a finite number",
						path, lineno, (int)(end - p), p);
			}
			x[k++] = v;
			p = end;
		}
		if (k == 0)
			continue;
		if (k == 2 && (x[0] != floor(x[0]) || x[0] != (double)f->n)) {
			size_t want = f->n;
			eci_file_release(f);
			return cmd_fail(s, "%s: line %zu: index %g, expected %zu (one ECI per "
					"parameter, in order)", path, lineno, x[0], want);
		}
		if (eci_push(f, &cap, x[k - 1], lineno)) {
			eci_file_release(f);
			return cmd_fail(s, "out of memory reading '%s'", path);
		}
	}
	if (f->n == 0)
		return cmd_fail(s, "%s: no ECIs in it (expected one value per line, or "
				"'index value')", path);
	return 0;
}

/*
 * Read the ECIs of path and check that there is one per parameter of the
 * current space.  Returns 0 with f filled, or 1 after cmd_fail (f empty).
 */
static int eci_read(struct session *s, const char *path, struct eci_file *f)
{
	size_t len = 0;
	memset(f, 0, sizeof *f);
	char *text = slurp(s, path, &len);
	if (!text)
		return 1;
	const char *p = text;
	while (isspace((unsigned char)*p))
		p++;
	int rc = (*p == '{' || *p == '[') ? eci_read_json(s, path, text, len, f)
					  : eci_read_text(s, path, text, f);
	free(text);
	if (rc)
		return rc;
	size_t np = s->space->n_params;
	if (f->n > np) {
		size_t line = f->line[np];
		int json = f->json;
		size_t n = f->n;
		eci_file_release(f);
		if (json)
			return cmd_fail(s, "%s: line %zu: %zu ECIs, but the cluster space has %zu "
					"parameters", path, line, n, np);
		return cmd_fail(s, "%s: line %zu: ECI %zu, but the cluster space has only %zu "
				"parameters", path, line, np + 1, np);
	}
	if (f->n < np) {
		size_t line = f->line[f->n - 1], n = f->n;
		eci_file_release(f);
		return cmd_fail(s, "%s: %zu ECI%s (the last on line %zu), but the cluster space "
				"has %zu parameters", path, n, n == 1 ? "" : "s", line, np);
	}
	return 0;
}

/* A value in meV (x 1000) with the session precision, in a 64-byte buffer. */
static const char *mev_s(const struct session *s, double x, char *buf)
{
	return out_real(s, x * MEV, buf, 64);
}

/* Number of nonzero entries of v. */
static size_t count_nonzero(const double *v, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += v[i] != 0.0;
	return k;
}

/* The common checks: a space and a training set with cluster vectors. */
static int need_data(struct session *s)
{
	if (!s->space)
		return cmd_fail(s, "no cluster space: build one first with "
				"'space CUT2 [CUT3 ...]'");
	if (s->train.n == 0)
		return cmd_fail(s, "no training structures: load some with 'load structures FILE'");
	if (!s->train.X || s->train.n_params != s->space->n_params)
		return cmd_fail(s, "no cluster vectors: build the space again with 'space'");
	return 0;
}

/* ---- synth ---- */

/* synth --eci FILE [--noise S] [--seed N] [--key NAME]: targets X J + noise. */
static int synth_exec(struct session *s, const struct cmd_args *a)
{
	const char *path = arg_str(a, "eci");
	if (!path)
		return cmd_fail(s, "give the true ECIs: synth --eci FILE [--noise S]");
	if (need_data(s))
		return 1;
	const char *key = arg_str(a, "key");
	double noise = arg_real(a, "noise");
	uint64_t seed = arg_set(a, "seed") ? (uint64_t)arg_int(a, "seed") : s->seed;
	if (!*key)
		return cmd_fail(s, "--key: the target key may not be empty");
	struct eci_file f;
	if (eci_read(s, path, &f))
		return 1;

	size_t n = s->train.n, p = s->space->n_params;
	double *y = malloc(n * sizeof *y);
	char *k2 = strdup(key);
	if (!y || !k2) {
		free(y);
		free(k2);
		eci_file_release(&f);
		return cmd_fail(s, "out of memory");
	}
	/* One draw per structure in load order, refused ones too, so that a
	 * structure's noise does not depend on which others were refused. */
	cewb_rng rng;
	cewb_rng_seed(&rng, seed);
	size_t n_used = 0;
	double sum = 0, sum2 = 0, lo = INFINITY, hi = -INFINITY, e2 = 0;
	for (size_t i = 0; i < n; i++) {
		const struct train_item *it = &s->train.items[i];
		double eps = noise > 0 ? noise * cewb_rng_normal(&rng) : 0.0;
		if (it->map == MAP_REFUSED) {
			y[i] = NAN;
			continue;
		}
		cewb_fit_predict(s->train.X + i * p, 1, p, f.value, &y[i]);
		y[i] += eps;
		n_used++;
		sum += y[i];
		sum2 += y[i] * y[i];
		e2 += eps * eps;
		lo = fmin(lo, y[i]);
		hi = fmax(hi, y[i]);
	}
	/* Nothing can fail from here on: the new targets replace the old ones,
	 * and whatever was fitted or validated on those goes. */
	for (size_t i = 0; i < n; i++)
		s->train.items[i].target = y[i];
	free(s->train.target_key);
	s->train.target_key = k2;
	session_drop_fit(s);
	fit_data_free(s->fit_data);
	s->fit_data = NULL;
	free(y);

	double mean = n_used ? sum / (double)n_used : NAN;
	double sd = n_used ? sqrt(fmax(sum2 / (double)n_used - mean * mean, 0.0)) : NAN;
	double noise_rms = n_used ? sqrt(e2 / (double)n_used) : NAN;
	size_t nz = count_nonzero(f.value, p);
	if (out_is_json(s)) {
		json_t *doc = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:f, s:I, s:f}",
					"file", path, "key", key, "n_structures", (int)n,
					"n_used", (int)n_used, "n_parameters", (int)p,
					"n_nonzero", (int)nz, "noise", noise,
					"seed", (json_int_t)seed, "noise_rms",
					isfinite(noise_rms) ? noise_rms : 0.0);
		json_object_set_new(doc, "target_mean",
				    isfinite(mean) ? json_real(mean) : json_null());
		json_object_set_new(doc, "target_std",
				    isfinite(sd) ? json_real(sd) : json_null());
		json_object_set_new(doc, "target_min", n_used ? json_real(lo) : json_null());
		json_object_set_new(doc, "target_max", n_used ? json_real(hi) : json_null());
		out_json(s, doc);
		eci_file_release(&f);
		return 0;
	}
	char b1[64], b2[64], b3[64], b4[64];
	out_printf(s, "synthetic targets '%s' of %zu structure%s from the %zu ECIs of %s "
		   "(%zu nonzero)\n", key, n_used, n_used == 1 ? "" : "s", p, path, nz);
	if (n_used < n)
		out_printf(s, "  %zu refused structure%s left without a target\n", n - n_used,
			   n - n_used == 1 ? "" : "s");
	if (noise > 0)
		out_printf(s, "  noise: Gaussian, sigma %s meV, seed %llu (rms drawn: %s meV)\n",
			   out_real(s, noise * MEV, b1, sizeof b1), (unsigned long long)seed,
			   out_real(s, noise_rms * MEV, b2, sizeof b2));
	else
		out_printf(s, "  no noise: the targets are exactly X J\n");
	if (n_used)
		out_printf(s, "  targets (meV): mean %s, std %s, from %s to %s\n",
			   mev_s(s, mean, b1), mev_s(s, sd, b2), mev_s(s, lo, b3),
			   mev_s(s, hi, b4));
	out_printf(s, "  compare a fit with the truth: synth compare %s\n", path);
	eci_file_release(&f);
	return 0;
}

/* ---- synth compare ---- */

/* synth compare FILE [--all] [--summary]: the last fit's ECIs against FILE. */
static int compare_exec(struct session *s, const struct cmd_args *a)
{
	if (fit_need_current(s))
		return 1;
	const cewb_fit_result *fr = &s->fit.res;
	const cewb_space *sp = s->space;
	const char *path = a->pos[0].s;
	struct eci_file f;
	if (eci_read(s, path, &f))
		return 1;
	size_t p = fr->n_cols, found = 0, missed = 0, spurious = 0, worst = 0;
	double e2 = 0, t2 = 0, emax = -1, tmax = 0;
	for (size_t j = 0; j < p; j++)
		tmax = fmax(tmax, fabs(f.value[j]));
	/* A fitted ECI below the round-off of the solvers relative to the truth
	 * (an exact fit of noise-free targets leaves ~1e-15 there) counts as
	 * zero. */
	double zero = ZERO_REL * tmax;
	for (size_t j = 0; j < p; j++) {
		double t = f.value[j], g = fr->eci[j], d = g - t;
		int tn = t != 0.0, gn = fabs(g) > zero;
		found += tn && gn;
		missed += tn && !gn;
		spurious += !tn && gn;
		e2 += d * d;
		t2 += t * t;
		if (fabs(d) > emax) {
			emax = fabs(d);
			worst = j;
		}
	}
	double rms = sqrt(e2 / (double)p);
	double rel = t2 > 0 ? sqrt(e2 / t2) : NAN;
	const char *method = cewb_fit_method_name(fr->method);
	if (out_is_json(s)) {
		json_t *list = json_array();
		for (size_t j = 0; j < p; j++) {
			size_t oi = sp->param_orbit[j];
			const cewb_orbit *o = &sp->orbits[oi];
			json_t *e = json_pack("{s:i, s:i, s:i, s:f, s:f, s:f}", "parameter",
					      (int)j, "orbit", (int)oi, "order", (int)o->order,
					      "true", f.value[j], "fit", fr->eci[j], "error",
					      fr->eci[j] - f.value[j]);
			json_array_append_new(list, e);
		}
		json_t *doc = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i, s:f, s:f, "
					"s:i, s:o}", "file", path, "method", method,
					"n_parameters", (int)p, "n_true_nonzero",
					(int)(found + missed), "n_fit_nonzero",
					(int)(found + spurious), "found", (int)found, "missed",
					(int)missed, "spurious", (int)spurious, "rmse_eci", rms,
					"max_error", emax, "max_error_parameter", (int)worst,
					"eci", list);
		json_object_set_new(doc, "relative_error",
				    isfinite(rel) ? json_real(rel) : json_null());
		out_json(s, doc);
		eci_file_release(&f);
		return 0;
	}
	char b1[64], b2[64], b3[64];
	out_printf(s, "%s fit against the true ECIs of %s (values in meV)\n", method, path);
	out_printf(s, "  %zu parameters: %zu nonzero in the truth, %zu in the fit: %zu found, "
		   "%zu missed, %zu spurious\n", p, found + missed, found + spurious, found, missed,
		   spurious);
	out_printf(s, "  ECI error: rms %s, largest %s (parameter %zu)", mev_s(s, rms, b1),
		   mev_s(s, emax, b2), worst);
	if (isfinite(rel))
		out_printf(s, ", relative %s%%", out_real(s, 100 * rel, b3, sizeof b3));
	out_printf(s, "\n");
	if (arg_flag(a, "summary")) {
		eci_file_release(&f);
		return 0;
	}
	/* The rows: every parameter with --all, else those where the truth or
	 * the fit is nonzero (a sparse truth and a sparse fit: a short table);
	 * a fitted value within round-off of zero counts as zero. */
	int all = arg_flag(a, "all");
	out_printf(s, "%5s %5s %5s %8s %12s %12s %12s\n", "param", "orbit", "order", "radius",
		   "true", "fit", "error");
	for (size_t j = 0; j < p; j++) {
		double t = f.value[j], g = fr->eci[j];
		int gn = fabs(g) > zero;
		if (!all && t == 0.0 && !gn)
			continue;
		size_t oi = sp->param_orbit[j];
		const cewb_orbit *o = &sp->orbits[oi];
		const char *note = t != 0.0 && !gn ? "missed" : t == 0.0 && gn ? "spurious" : "";
		out_printf(s, "%5zu %5zu %5zu %8.4f %12s %12s %12s%s%s\n", j, oi, o->order,
			   o->radius, mev_s(s, t, b1), mev_s(s, g, b2), mev_s(s, g - t, b3),
			   *note ? "  " : "", note);
	}
	eci_file_release(&f);
	return 0;
}

static const struct cmd_arg synth_opts[] = {
	{ .name = "eci", .type = ARG_FILE, .metavar = "FILE",
	  .help = "the true ECIs: eci --json / fit --json output, or text 'value' or "
		  "'index value' lines" },
	{ .name = "noise", .type = ARG_REAL, .def = "0", .min = 0, .max = 1e6, .metavar = "S",
	  .help = "standard deviation of Gaussian noise added to each target (target units)" },
	{ .name = "seed", .type = ARG_INT, .min = 0, .max = 9.2e18, .metavar = "N",
	  .help = "seed of the noise (default: 'set seed')" },
	{ .name = "key", .type = ARG_STRING, .def = "synthetic", .metavar = "NAME",
	  .help = "name of the new targets (shown by structures)" },
	{ .name = NULL }
};
static const struct cmd_arg compare_pos[] = {
	{ .name = "file", .type = ARG_FILE, .metavar = "FILE", .help = "the true ECIs" },
	{ .name = NULL }
};
static const struct cmd_arg compare_opts[] = {
	{ .name = "all", .type = ARG_FLAG, .help = "list every parameter, zeros too" },
	{ .name = "summary", .type = ARG_FLAG, .help = "only the counts and errors, no table" },
	{ .name = NULL }
};

const struct cmd_entry cmd_synth_entries[] = {
	{ .name = "synth", .group = "data",
	  .summary = "synthetic targets X J (+ noise) from known ECIs",
	  .options = synth_opts, .exec = synth_exec, .page = "synth", .flags = CMD_REPORTS },
	{ .name = "synth compare", .group = "data",
	  .summary = "the last fit's ECIs against the true ones",
	  .positionals = compare_pos, .min_pos = 1, .max_pos = 1, .options = compare_opts,
	  .exec = compare_exec, .page = "synth", .flags = CMD_REPORTS },
	{ .name = NULL }
};
