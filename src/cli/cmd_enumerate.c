/*
 * cmd_enumerate.c - the teaching family: enumerate the derivative
 * structures of the loaded lattice, report how many there are per size and
 * write them as extended XYZ (ideal supercells, ready for `load
 * structures`).
 */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>
#include "cewb/enumerate.h"
#include "cmd.h"
#include "safety.h"
#include "session.h"

/* Largest size accepted by --sizes (larger ones have far too many
 * decorations anyway). */
#define MAX_SIZE 64

/* Parse "N" or "A-B" into [lo, hi]; 0 on success. */
static int parse_sizes(const char *t, size_t *lo, size_t *hi)
{
	char *end;
	long a, b;

	if (!t || !isdigit((unsigned char)*t))
		return 1;
	errno = 0;
	a = strtol(t, &end, 10);
	b = a;
	if (*end == '-') {
		const char *q = end + 1;
		if (!isdigit((unsigned char)*q))
			return 1;
		b = strtol(q, &end, 10);
	}
	if (*end || errno || a < 1 || b < a || b > MAX_SIZE)
		return 1;
	*lo = (size_t)a;
	*hi = (size_t)b;
	return 0;
}

/* Parse a real in [0, 1] that fills the whole of t. */
static int parse_fraction(const char *t, double *x)
{
	char *end;
	if (!*t)
		return 1;
	errno = 0;
	*x = strtod(t, &end);
	return *end || errno || !(*x >= 0.0 && *x <= 1.0);
}

/* Parse "Pd=0.25:0.75" (or "Pd=0.5", lo = hi) into a limit; 0 on
 * success, else the message in msg. */
static int parse_limit(const char *item, cewb_enum_limit *l, char *msg, size_t len)
{
	const char *eq = strchr(item, '='), *colon;
	char sym[16], lo[64], hi[64];
	size_t n;

	if (!eq || eq == item || (size_t)(eq - item) >= sizeof sym) {
		snprintf(msg, len, "bad concentration '%.40s': expected SPECIES=LO:HI, "
			 "e.g. Pd=0.25:0.75", item);
		return 1;
	}
	memcpy(sym, item, (size_t)(eq - item));
	sym[eq - item] = '\0';
	l->z = cewb_element_number(sym);
	if (l->z < 0) {
		snprintf(msg, len, "unknown species '%s' in --concentration", sym);
		return 1;
	}
	colon = strchr(eq + 1, ':');
	n = colon ? (size_t)(colon - eq - 1) : strlen(eq + 1);
	if (n >= sizeof lo || (colon && strlen(colon + 1) >= sizeof hi))
		goto bad;
	memcpy(lo, eq + 1, n);
	lo[n] = '\0';
	strcpy(hi, colon ? colon + 1 : lo);
	if (parse_fraction(lo, &l->lo) || parse_fraction(hi, &l->hi))
		goto bad;
	if (l->lo > l->hi) {
		snprintf(msg, len, "bad concentration '%.40s': the lower limit exceeds the upper",
			 item);
		return 1;
	}
	return 0;
bad:
	snprintf(msg, len, "bad concentration '%.40s': limits are fractions in [0, 1], "
		 "as in %s=0.25:0.75", item, sym);
	return 1;
}

/* Progress on stderr, for a person at a terminal. */
struct progress {
	int show;
	int shown;
	time_t last;
};

/* Library callback: one line rewritten in place, at most once a second. */
static int on_progress(void *data, size_t size, size_t k, size_t n_hnf, size_t n_found)
{
	struct progress *p = data;
	time_t now = time(NULL);
	if (p->show && now != p->last) {
		fprintf(stderr, "\renumerate: size %zu, supercell %zu of %zu, "
			"%zu structures so far ", size, k + 1, n_hnf, n_found);
		fflush(stderr);
		p->last = now;
		p->shown = 1;
	}
	return cewb_interrupt_flag != 0;
}

/* Write every structure of r to path; 0 on success. */
static int write_structures(struct session *s, const cewb_enum_result *r, const char *path,
			    int reduce)
{
	cewb_structure **frames = calloc(r->n ? r->n : 1, sizeof *frames);
	cewb_error err;
	cewb_status st = CEWB_OK;
	size_t k;

	cewb_error_clear(&err);
	if (!frames)
		return cmd_fail(s, "out of memory");
	for (k = 0; k < r->n && !st; k++) {
		frames[k] = cewb_enum_structure(s->lattice, &r->items[k], k, reduce, &err);
		if (!frames[k])
			st = err.code ? err.code : CEWB_ENOMEM;
	}
	if (!st) {
		cli_signals_hold();	/* a third Ctrl-C waits for the rename */
		st = cewb_extxyz_write(path, frames, r->n, &err);
		cli_signals_release();
	}
	for (k = 0; k < r->n; k++)
		cewb_structure_free(frames[k]);
	free(frames);
	if (st)
		return cmd_fail(s, "%s", err.message[0] ? err.message : "out of memory");
	return 0;
}

/* enumerate --sizes A-B [--species ...] [--concentration ...] [--output FILE]. */
static int enumerate_exec(struct session *s, const struct cmd_args *a)
{
	const struct cmd_value *sp = arg_value(a, "species"), *cv = arg_value(a, "concentration");
	const char *path = arg_str(a, "output");
	cewb_enum_options opt;
	cewb_enum_result *r = NULL;
	cewb_enum_limit *limits = NULL;
	int *species = NULL;
	struct progress prog = { 0, 0, 0 };
	struct timespec t0, t1;
	double seconds;
	cewb_error err;
	cewb_status st;
	char msg[256];
	int rc = 1;

	memset(&opt, 0, sizeof opt);
	cewb_error_clear(&err);
	if (!s->lattice)
		return cmd_fail(s, "no lattice: load one first with "
				"'load lattice FILE --species A,B'");
	if (!arg_set(a, "sizes"))
		return cmd_fail(s, "give the sizes (primitive cells per structure), "
				"e.g. --sizes 1-8");
	if (parse_sizes(arg_str(a, "sizes"), &opt.min_size, &opt.max_size))
		return cmd_fail(s, "bad --sizes '%.40s': expected N or A-B with 1 <= A <= B <= %d",
				arg_str(a, "sizes"), MAX_SIZE);
	if (path && cli_may_write(s, path, arg_flag(a, "force")))
		return 1;
	if (sp && sp->set && sp->n) {
		species = malloc(sp->n * sizeof *species);
		if (!species)
			return cmd_fail(s, "out of memory");
		for (size_t k = 0; k < sp->n; k++) {
			species[k] = cewb_element_number(sp->items[k]);
			if (species[k] < 0) {
				cmd_fail(s, "unknown species '%.20s' in --species", sp->items[k]);
				goto done;
			}
		}
		opt.species = species;
		opt.n_species = sp->n;
	}
	if (cv && cv->set && cv->n) {
		limits = calloc(cv->n, sizeof *limits);
		if (!limits) {
			cmd_fail(s, "out of memory");
			goto done;
		}
		for (size_t k = 0; k < cv->n; k++)
			if (parse_limit(cv->items[k], &limits[k], msg, sizeof msg)) {
				cmd_fail(s, "%s", msg);
				goto done;
			}
		opt.limits = limits;
		opt.n_limits = cv->n;
	}
	opt.count_only = path == NULL;
	opt.max_structures = (size_t)arg_int(a, "max");
	prog.show = s->interactive && isatty(STDERR_FILENO) && !s->quiet;
	opt.progress = on_progress;
	opt.progress_data = &prog;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	st = cewb_enum_run(s->lattice, &opt, &r, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	if (prog.shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	if (st) {
		if (st == CEWB_EINTERRUPT)
			cmd_fail(s, "interrupted: nothing written");
		else
			cmd_fail(s, "%s", err.message);
		goto done;
	}
	if (path && write_structures(s, r, path, !arg_flag(a, "hnf-cell")))
		goto done;
	if (out_is_json(s)) {
		json_t *by = json_array(), *spj = json_array();
		size_t n_sc = 0;
		for (size_t n = r->min_size; n <= r->max_size; n++) {
			size_t i = n - r->min_size;
			n_sc += r->n_hnf_by_size[i];
			json_array_append_new(by, json_pack("{s:i, s:i, s:i}", "size", (int)n,
							    "supercells", (int)r->n_hnf_by_size[i],
							    "structures", (int)r->n_by_size[i]));
		}
		for (size_t k = 0; k < r->n_species; k++)
			json_array_append_new(spj, json_string(cewb_element_symbol(r->species[k])));
		out_json(s, json_pack("{s:[i,i], s:o, s:i, s:i, s:o, s:o, s:f}", "sizes",
				      (int)r->min_size, (int)r->max_size, "species", spj,
				      "n_structures", (int)r->n, "n_supercells", (int)n_sc,
				      "by_size", by, "file", path ? json_string(path) : json_null(),
				      "seconds", seconds));
	} else {
		size_t n_sc = 0;
		out_printf(s, "species");
		for (size_t k = 0; k < r->n_species; k++)
			out_printf(s, "%s %s", k ? "," : "", cewb_element_symbol(r->species[k]));
		out_printf(s, "\n%4s  %10s  %10s\n", "size", "supercells", "structures");
		for (size_t n = r->min_size; n <= r->max_size; n++) {
			size_t i = n - r->min_size;
			n_sc += r->n_hnf_by_size[i];
			out_printf(s, "%4zu  %10zu  %10zu\n", n, r->n_hnf_by_size[i],
				   r->n_by_size[i]);
		}
		out_printf(s, "%4s  %10zu  %10zu\n", "all", n_sc, r->n);
		if (out_show_time(s))
			out_printf(s, "enumerated in %.3g s\n", seconds);
		if (path)
			out_printf(s, "wrote %zu structure%s to %s\n", r->n, r->n == 1 ? "" : "s",
				   path);
	}
	rc = 0;
done:
	cewb_enum_result_free(r);
	free(limits);
	free(species);
	return rc;
}

static const struct cmd_arg enumerate_opts[] = {
	{ .name = "sizes", .type = ARG_STRING, .metavar = "A-B",
	  .help = "numbers of primitive cells per structure: N or A-B (e.g. 1-8)" },
	{ .name = "species", .type = ARG_LIST, .metavar = "A,B",
	  .help = "mix only these species (default: every species the lattice allows)" },
	{ .name = "concentration", .type = ARG_LIST, .metavar = "X=LO:HI",
	  .help = "keep structures whose fraction of X is within [LO, HI]; several by commas" },
	{ .name = "output", .type = ARG_FILE, .metavar = "FILE.xyz",
	  .help = "write the structures as extended XYZ (without: only count them)" },
	{ .name = "force", .type = ARG_FLAG, .help = "replace an existing output file" },
	{ .name = "hnf-cell", .type = ARG_FLAG,
	  .help = "keep the Hermite-normal-form cell (default: a short, reduced cell)" },
	{ .name = "max", .type = ARG_INT, .def = "100000", .min = 1, .max = 1e8, .metavar = "N",
	  .help = "refuse to write more than N structures" },
	{ .name = NULL }
};

const struct cmd_entry cmd_teach_entries[] = {
	{ .name = "enumerate", .group = "data",
	  .summary = "all symmetry-distinct derivative structures of the lattice, by size",
	  .options = enumerate_opts, .exec = enumerate_exec, .page = "enumerate",
	  .flags = CMD_REPORTS },
	{ .name = NULL }
};
