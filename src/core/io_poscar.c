/*
 * VASP POSCAR/CONTCAR files, VASP 5 (species line) and VASP 4 (none), and
 * the choice of format by file name and content.
 *
 * Layout: comment; scale (one number: > 0 a factor, < 0 the target volume
 * in Å^3; or three positive factors for the x, y, z Cartesian components);
 * three lattice vector rows; species names (VASP 5 only; "Ag_pv" or
 * "Ag/..." suffixes are dropped); atom counts; an optional "Selective
 * dynamics" line (first letter S); "Direct" or "Cartesian" (first letter D,
 * or C/K, any case); one line per atom.  Anything after the atom lines
 * (velocities, predictor-corrector data) is ignored.  Selective dynamics
 * flags are kept as the per-atom array "selective_dynamics" (L, 3 columns,
 * T = may move) and written back when a structure has that array.
 *
 * Numbers are read and written in the "C" locale (see io_util.h).
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cewb/structure.h"
#include "io_util.h"

/* Name of the per-atom array holding selective dynamics flags. */
#define SELECTIVE "selective_dynamics"

/* Most tokens looked at on one line. */
#define MAX_TOK 256

typedef struct {
	const char *name;
	char *p, *end;
	size_t line;
	cewb_error *err;
} pos_reader;

/* Report an error at the current line (a POSCAR is always frame 0). */
static cewb_status fail(pos_reader *r, cewb_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static cewb_status fail(pos_reader *r, cewb_status code, const char *fmt, ...)
{
	cewb_status st;
	va_list ap;

	va_start(ap, fmt);
	st = cewb_io_fail_at(r->err, code, r->name, 0, r->line, fmt, ap);
	va_end(ap);
	return st;
}

/* Next line, NUL-terminated in place; NULL at the end. */
static char *next_line(pos_reader *r)
{
	char *s = r->p, *nl;

	if (s >= r->end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(r->end - s));
	if (!nl)
		nl = r->end;
	*nl = '\0';
	if (nl > s && nl[-1] == '\r')
		nl[-1] = '\0';
	r->p = nl + 1;
	r->line++;
	return s;
}

/* Next line, or an "unexpected end of file" error naming what was wanted. */
static cewb_status need_line(pos_reader *r, const char *what, char **line)
{
	*line = next_line(r);
	if (!*line)
		return fail(r, CEWB_EPARSE, "unexpected end of file: expected %s", what);
	return CEWB_OK;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Split a line in place into at most max tokens; returns how many. */
static size_t split(char *line, char **tok, size_t max, const char *extra_sep)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		while (*p && (is_space(*p) || (extra_sep && strchr(extra_sep, *p))))
			p++;
		if (!*p)
			break;
		tok[n++] = p;
		while (*p && !is_space(*p) && !(extra_sep && strchr(extra_sep, *p)))
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

/* A real number token; 0 when it is not one. */
static int real_token(const char *t, double *v)
{
	size_t len = cewb_io_parse_real(t, 1, v);

	return len != 0 && t[len] == '\0';
}

/* A non-negative integer token; 0 when it is not one. */
static int count_token(const char *t, size_t *v)
{
	unsigned long long x;
	char *end;

	if (!(*t >= '0' && *t <= '9'))
		return 0;
	errno = 0;
	x = strtoull(t, &end, 10);
	if (*end || errno || x > 1000000000ULL)
		return 0;
	*v = (size_t)x;
	return 1;
}

/* Element of a species name, dropping POTCAR suffixes ("Ag_pv", "Ag/x"). */
static int species_number(const char *t)
{
	char sym[4];
	size_t n = strcspn(t, "_/.");

	if (n == 0 || n > 3)
		return -1;
	memcpy(sym, t, n);
	sym[n] = '\0';
	return cewb_element_number(sym);
}

/* Fortran-style logical of a selective dynamics flag: 1, 0, or -1. */
static int flag_value(const char *t)
{
	if (*t == '.')
		t++;
	if (*t == 'T' || *t == 't')
		return 1;
	if (*t == 'F' || *t == 'f')
		return 0;
	return -1;
}

/* Parse a POSCAR held in a NUL-terminated buffer (modified in place). */
cewb_status cewb_poscar_parse(char *data, size_t len, const char *name,
			      const char *species_hint, cewb_structure **out,
			      cewb_error *err)
{
	pos_reader r;
	char *line, *comment, *tok[MAX_TOK];
	char *spec_tok[MAX_TOK];
	int z_of[MAX_TOK];
	size_t counts[MAX_TOK];
	size_t n_tok, n_species = 0, n_counts = 0, n_atoms = 0, i, j, k, extra;
	double scale[3] = {1, 1, 1}, cell[3][3];
	int n_scale = 1, vasp5, selective = 0, cartesian = 0;
	cewb_structure *s = NULL;
	cewb_array *sel = NULL;
	cewb_status st;
	char *hint_copy = NULL;

	r.name = name;
	r.p = data;
	r.end = data + len;
	r.line = 0;
	r.err = err;
	if (memchr(data, '\0', len))
		return cewb_error_set(err, CEWB_EPARSE, "%s: frame 0, line 1: not a text file "
				      "(NUL byte)", name);

	if (len == 0) {
		r.line = 1;
		return fail(&r, CEWB_EPARSE, "empty file");
	}
	if ((st = need_line(&r, "a comment line", &comment)))
		return st;
	if (r.p >= r.end && !comment[0])
		return fail(&r, CEWB_EPARSE, "empty file");

	/* Scale factor(s). */
	if ((st = need_line(&r, "the scale factor", &line)))
		return st;
	n_tok = split(line, tok, 3, NULL);
	if (n_tok == 0 || !real_token(tok[0], &scale[0]))
		return fail(&r, CEWB_EPARSE, "expected a scale factor, found '%.40s'",
			    n_tok ? tok[0] : "");
	if (n_tok == 3 && real_token(tok[1], &scale[1]) && real_token(tok[2], &scale[2])) {
		n_scale = 3;
		for (k = 0; k < 3; k++)
			if (!(scale[k] > 0) || !isfinite(scale[k]))
				return fail(&r, CEWB_EPARSE, "three scale factors must all be "
					    "positive, found %g", scale[k]);
	} else {
		if (scale[0] == 0 || !isfinite(scale[0]))
			return fail(&r, CEWB_EPARSE, "scale factor %s is not usable", tok[0]);
	}

	/* Lattice vectors. */
	for (i = 0; i < 3; i++) {
		if ((st = need_line(&r, "a lattice vector", &line)))
			return st;
		n_tok = split(line, tok, 3, NULL);
		if (n_tok < 3)
			return fail(&r, CEWB_EPARSE, "lattice vector %c needs 3 numbers, found %zu",
				    (char)('a' + i), n_tok);
		for (j = 0; j < 3; j++) {
			if (!real_token(tok[j], &cell[i][j]))
				return fail(&r, CEWB_EPARSE, "lattice vector %c: non-numeric "
					    "value '%.40s'", (char)('a' + i), tok[j]);
			if (!isfinite(cell[i][j]) || fabs(cell[i][j]) > CEWB_IO_MAX_COORD)
				return fail(&r, CEWB_EPARSE, "lattice vector %c: value %s is not "
					    "finite or exceeds 1e6 Å", (char)('a' + i), tok[j]);
		}
	}
	if (n_scale == 3) {
		for (i = 0; i < 3; i++)
			for (j = 0; j < 3; j++)
				cell[i][j] *= scale[j];
	} else if (scale[0] < 0) {
		double v0 = fabs(cewb_cell_volume((const double (*)[3])cell)), f;
		if (!(v0 > 0))
			return fail(&r, CEWB_EPARSE, "zero-volume cell cannot be scaled to "
				    "volume %g", -scale[0]);
		f = cbrt(-scale[0] / v0);
		for (i = 0; i < 3; i++)
			for (j = 0; j < 3; j++)
				cell[i][j] *= f;
		scale[0] = scale[1] = scale[2] = f;
	} else {
		for (i = 0; i < 3; i++)
			for (j = 0; j < 3; j++)
				cell[i][j] *= scale[0];
		scale[1] = scale[2] = scale[0];
	}
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			if (!isfinite(cell[i][j]) || fabs(cell[i][j]) > CEWB_IO_MAX_COORD)
				return fail(&r, CEWB_EPARSE, "scaled lattice vector %c: value %g "
					    "is not finite or exceeds 1e6 Å", (char)('a' + i),
					    cell[i][j]);
	{
		static const int all[3] = {1, 1, 1};
		if (cewb_io_cell_degenerate((const double (*)[3])cell, all))
			return fail(&r, CEWB_EPARSE, "zero-volume cell");
	}

	/* Species names (VASP 5) and counts. */
	if ((st = need_line(&r, "species names or atom counts", &line)))
		return st;
	n_tok = split(line, tok, MAX_TOK, NULL);
	if (n_tok == 0)
		return fail(&r, CEWB_EPARSE, "expected species names or atom counts, found an "
			    "empty line");
	vasp5 = !(tok[0][0] >= '0' && tok[0][0] <= '9');
	if (vasp5) {
		for (k = 0; k < n_tok; k++) {
			z_of[k] = species_number(tok[k]);
			if (z_of[k] < 0)
				return fail(&r, CEWB_EPARSE, "unknown element '%.20s'", tok[k]);
		}
		n_species = n_tok;
		if ((st = need_line(&r, "atom counts", &line)))
			return st;
		n_tok = split(line, tok, MAX_TOK, NULL);
	}
	for (k = 0; k < n_tok && count_token(tok[k], &counts[k]); k++)
		n_atoms += counts[k];
	n_counts = k;
	if (n_counts == 0)
		return fail(&r, CEWB_EPARSE, "expected atom counts, found '%.40s'",
			    n_tok ? tok[0] : "");
	if (vasp5 && n_counts < n_species)
		return fail(&r, CEWB_EPARSE, "%zu species names but %zu atom counts", n_species,
			    n_counts);
	if (vasp5)
		n_counts = n_species;
	if (n_tok > n_counts && vasp5 && count_token(tok[n_counts], &extra))
		return fail(&r, CEWB_EPARSE, "%zu species names but more atom counts",
			    n_species);
	n_atoms = 0;
	for (k = 0; k < n_counts; k++)
		n_atoms += counts[k];
	if (n_atoms == 0)
		return fail(&r, CEWB_EPARSE, "no atoms (the counts add up to 0)");
	if (n_atoms > (size_t)(r.end - r.p) / 6 + 1)
		return fail(&r, CEWB_EPARSE, "unexpected end of file: the rest of the file cannot "
			    "hold %zu atom lines", n_atoms);
	if (!vasp5) {
		/* VASP 4: species from the hint, else from the comment line. */
		size_t n_names;
		if (species_hint) {
			hint_copy = strdup(species_hint);
			if (!hint_copy)
				return fail(&r, CEWB_ENOMEM, "out of memory");
			n_names = split(hint_copy, spec_tok, MAX_TOK, ",");
			if (n_names != n_counts) {
				free(hint_copy);
				return fail(&r, CEWB_EPARSE, "the species given (%s) are %zu, the "
					    "file has %zu atom counts", species_hint, n_names,
					    n_counts);
			}
			for (k = 0; k < n_names; k++) {
				z_of[k] = species_number(spec_tok[k]);
				if (z_of[k] < 0) {
					fail(&r, CEWB_EPARSE, "unknown element '%.20s' in the "
					     "species given", spec_tok[k]);
					free(hint_copy);
					return CEWB_EPARSE;
				}
			}
			free(hint_copy);
		} else {
			int usable;
			n_names = split(comment, spec_tok, MAX_TOK, ",");
			/* As ASE: the first words of the comment, if they are symbols. */
			usable = n_names >= n_counts;
			for (k = 0; usable && k < n_counts; k++) {
				z_of[k] = cewb_element_number(spec_tok[k]);
				if (z_of[k] < 0)
					usable = 0;
			}
			if (!usable)
				return fail(&r, CEWB_EPARSE, "no species names (VASP 4 format) "
					    "and the comment line does not start with %zu element "
					    "symbols: the species must be given, e.g. \"Ag,Pd\"",
					    n_counts);
		}
	}

	/* Selective dynamics and the coordinate mode. */
	if ((st = need_line(&r, "Direct or Cartesian", &line)))
		return st;
	while (is_space(*line))
		line++;
	if (*line == 'S' || *line == 's') {
		selective = 1;
		if ((st = need_line(&r, "Direct or Cartesian", &line)))
			return st;
		while (is_space(*line))
			line++;
	}
	if (*line == 'C' || *line == 'c' || *line == 'K' || *line == 'k')
		cartesian = 1;
	else if (*line != 'D' && *line != 'd')
		return fail(&r, CEWB_EPARSE, "expected Direct or Cartesian, found '%.40s'", line);

	s = cewb_structure_alloc(n_atoms);
	if (!s)
		return fail(&r, CEWB_ENOMEM, "out of memory");
	memcpy(s->cell, cell, sizeof cell);
	s->source = strdup(name);
	if (!s->source)
		goto oom;
	if (selective) {
		sel = cewb_structure_add_array(s, SELECTIVE, 'L', 3, NULL);
		if (!sel)
			goto oom;
	}
	for (k = 0, i = 0; k < n_counts; k++)
		for (j = 0; j < counts[k]; j++)
			s->numbers[i++] = z_of[k];
	for (i = 0; i < n_atoms; i++) {
		double v[3];
		if ((st = need_line(&r, "an atom line", &line))) {
			fail(&r, CEWB_EPARSE, "unexpected end of file: %zu of %zu atom lines",
			     i, n_atoms);
			goto fail;
		}
		n_tok = split(line, tok, 6, NULL);
		if (n_tok < (size_t)(selective ? 6 : 3)) {
			fail(&r, CEWB_EPARSE, "atom %zu: expected %d columns, found %zu", i,
			     selective ? 6 : 3, n_tok);
			goto fail;
		}
		for (j = 0; j < 3; j++) {
			if (!real_token(tok[j], &v[j])) {
				fail(&r, CEWB_EPARSE, "atom %zu: non-numeric coordinate '%.40s'",
				     i, tok[j]);
				goto fail;
			}
			if (!isfinite(v[j])) {
				fail(&r, CEWB_EPARSE, "atom %zu: coordinate is %s", i, tok[j]);
				goto fail;
			}
		}
		if (cartesian) {
			for (j = 0; j < 3; j++)
				s->pos[i][j] = v[j] * scale[j];
		} else {
			cewb_frac_to_cart((const double (*)[3])cell, v, s->pos[i]);
		}
		for (j = 0; j < 3; j++)
			if (fabs(s->pos[i][j]) > CEWB_IO_MAX_COORD) {
				fail(&r, CEWB_EPARSE, "atom %zu: coordinate %g exceeds 1e6 Å", i,
				     s->pos[i][j]);
				goto fail;
			}
		if (selective)
			for (j = 0; j < 3; j++) {
				int f = flag_value(tok[3 + j]);
				if (f < 0) {
					fail(&r, CEWB_EPARSE, "atom %zu: selective dynamics flag "
					     "'%.20s' is not T or F", i, tok[3 + j]);
					goto fail;
				}
				sel->real[3 * i + j] = f;
			}
	}
	*out = s;
	return CEWB_OK;
oom:
	fail(&r, CEWB_ENOMEM, "out of memory");
	st = CEWB_ENOMEM;
fail:
	cewb_structure_free(s);
	return st ? st : CEWB_EPARSE;
}

/* Read a VASP POSCAR/CONTCAR (see the top of this file).  *out is set on
 * success only. */
cewb_status cewb_poscar_read(const char *path, const char *species_hint,
			     cewb_structure **out, cewb_error *err)
{
	char *data;
	size_t len;
	cewb_status st;
	locale_t c_loc, saved;

	st = cewb_io_slurp_path(path, &data, &len, err);
	if (st)
		return st;
	saved = cewb_io_locale_push(&c_loc);
	st = cewb_poscar_parse(data, len, path, species_hint, out, err);
	cewb_io_locale_pop(saved, c_loc);
	free(data);
	return st;
}

/* Write a POSCAR (VASP 5, species line, direct coordinates unless
 * cartesian), atomically.  Atoms keep their order: the species line lists
 * runs of equal species ("Ag Pd Ag" with counts "1 2 1" when needed), and
 * the comment line repeats the names so VASP 4 readers find them too. */
cewb_status cewb_poscar_write(const char *path, const cewb_structure *s, int cartesian,
			      cewb_error *err)
{
	cewb_io_atomic a;
	locale_t c_loc, saved;
	double inv[3][3];
	char num[CEWB_IO_REAL_MAX];
	const cewb_array *sel;
	size_t i, j, run;
	cewb_status st;

	if (s->n_atoms == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "%s: a POSCAR needs at least one atom", path);
	for (i = 0; i < s->n_atoms; i++)
		if (!cewb_element_symbol(s->numbers[i]))
			CEWB_RAISE(err, CEWB_EINVAL, "%s: atom %zu: atomic number %d out of range",
				   path, i, s->numbers[i]);
	st = cewb_cell_inverse((const double (*)[3])s->cell, inv, err);
	if (st) {
		cewb_error_prefix(err, "%s", path);
		return st;
	}
	sel = cewb_structure_array(s, SELECTIVE);
	if (sel && (sel->n_cols != 3 || sel->type == 'S' || !sel->real))
		sel = NULL;
	st = cewb_io_atomic_open(&a, path, err);
	if (st)
		return st;
	saved = cewb_io_locale_push(&c_loc);
	/* Comment: the species runs, like the species line. */
	for (i = 0; i < s->n_atoms; i = run) {
		for (run = i + 1; run < s->n_atoms && s->numbers[run] == s->numbers[i]; run++)
			;
		fprintf(a.fp, i ? " %s" : "%s", cewb_element_symbol(s->numbers[i]));
	}
	fputs("\n1.0\n", a.fp);
	for (i = 0; i < 3; i++) {
		for (j = 0; j < 3; j++) {
			cewb_io_format_real(s->cell[i][j], num);
			fprintf(a.fp, " %22s", num);
		}
		fputc('\n', a.fp);
	}
	for (i = 0; i < s->n_atoms; i = run) {
		for (run = i + 1; run < s->n_atoms && s->numbers[run] == s->numbers[i]; run++)
			;
		fprintf(a.fp, " %4s", cewb_element_symbol(s->numbers[i]));
	}
	fputc('\n', a.fp);
	for (i = 0; i < s->n_atoms; i = run) {
		for (run = i + 1; run < s->n_atoms && s->numbers[run] == s->numbers[i]; run++)
			;
		fprintf(a.fp, " %4zu", run - i);
	}
	fputc('\n', a.fp);
	if (sel)
		fputs("Selective dynamics\n", a.fp);
	fputs(cartesian ? "Cartesian\n" : "Direct\n", a.fp);
	for (i = 0; i < s->n_atoms; i++) {
		double v[3];
		if (cartesian) {
			v[0] = s->pos[i][0];
			v[1] = s->pos[i][1];
			v[2] = s->pos[i][2];
		} else {
			cewb_cart_to_frac((const double (*)[3])inv, s->pos[i], v);
		}
		for (j = 0; j < 3; j++) {
			cewb_io_format_real(v[j], num);
			fprintf(a.fp, " %22s", num);
		}
		if (sel)
			for (j = 0; j < 3; j++)
				fputs(sel->real[3 * i + j] != 0.0 ? " T" : " F", a.fp);
		fputc('\n', a.fp);
	}
	cewb_io_locale_pop(saved, c_loc);
	if (ferror(a.fp)) {
		cewb_io_atomic_abort(&a);
		CEWB_RAISE(err, CEWB_EIO, "cannot write '%s'", path);
	}
	return cewb_io_atomic_commit(&a, err);
}

/* Whether a file name says VASP: POSCAR*, CONTCAR*, *.vasp, *.poscar. */
static int vasp_name(const char *path)
{
	const char *base = strrchr(path, '/'), *ext;

	base = base ? base + 1 : path;
	if (!strncasecmp(base, "POSCAR", 6) || !strncasecmp(base, "CONTCAR", 7))
		return 1;
	ext = strrchr(base, '.');
	return ext && (!strcasecmp(ext, ".vasp") || !strcasecmp(ext, ".poscar"));
}

/* Whether a file name says extended XYZ: *.xyz, *.extxyz. */
static int xyz_name(const char *path)
{
	const char *base = strrchr(path, '/'), *ext;

	base = base ? base + 1 : path;
	ext = strrchr(base, '.');
	return ext && (!strcasecmp(ext, ".xyz") || !strcasecmp(ext, ".extxyz"));
}

/* Whether the content looks like XYZ: the first non-blank line is a count. */
static int xyz_content(const char *data)
{
	const char *p = data;
	int digits = 0;

	for (;;) {
		while (is_space(*p) || *p == '\n')
			p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits = 1;
		}
		while (is_space(*p))
			p++;
		return digits && (*p == '\n' || *p == '\0');
	}
}

/* Parse data as a POSCAR (vasp) or extended XYZ into f. */
static cewb_status parse_as(int vasp, char *data, size_t len, const char *path,
			    const char *species_hint, cewb_frames *f, cewb_error *err)
{
	cewb_structure *s = NULL;
	cewb_status st;

	if (!vasp)
		return cewb_extxyz_parse(data, len, path, f, err);
	st = cewb_poscar_parse(data, len, path, species_hint, &s, err);
	if (st)
		return st;
	st = cewb_frames_append(f, s, err);
	if (st)
		cewb_structure_free(s);
	return st;
}

/* Read a structure file of any supported format, chosen by name (POSCAR*,
 * CONTCAR*, *.vasp, *.poscar: VASP; *.xyz, *.extxyz: extended XYZ).  When
 * the name says nothing (or both), the content decides: a first line holding
 * only a number means XYZ; if that guess fails to parse, the other format is
 * tried, and the first error is reported when both fail.  *out is
 * overwritten on success and untouched on error. */
cewb_status cewb_structure_read_any(const char *path, const char *species_hint,
				    cewb_frames *out, cewb_error *err)
{
	char *data, *copy = NULL;
	size_t len;
	cewb_status st;
	locale_t c_loc, saved;
	cewb_frames f = {0, NULL};
	int vasp, by_name, is_vasp = vasp_name(path), is_xyz = xyz_name(path);

	st = cewb_io_slurp_path(path, &data, &len, err);
	if (st)
		return st;
	by_name = is_vasp != is_xyz;
	vasp = by_name ? is_vasp : !xyz_content(data);
	if (!by_name) {
		copy = malloc(len + 1);
		if (!copy) {
			free(data);
			CEWB_RAISE(err, CEWB_ENOMEM, "%s: out of memory", path);
		}
		memcpy(copy, data, len + 1);
	}
	saved = cewb_io_locale_push(&c_loc);
	st = parse_as(vasp, data, len, path, species_hint, &f, err);
	if (st == CEWB_EPARSE && copy) {
		cewb_error first;
		if (err)
			first = *err;
		if (parse_as(!vasp, copy, len, path, species_hint, &f, NULL) == CEWB_OK)
			st = CEWB_OK;
		else if (err)
			*err = first;
	}
	cewb_io_locale_pop(saved, c_loc);
	free(data);
	free(copy);
	if (!st)
		*out = f;
	return st;
}
