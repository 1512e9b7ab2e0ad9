/*
 * Extended XYZ, as ASE (ase.io.extxyz) writes and reads it.
 *
 * A frame is an atom count line, a comment line of key=value pairs and one
 * line per atom.  Comment line: values may be quoted with "..", '..', {..}
 * or [..]; a backslash takes the next character literally; a key without
 * '=' is boolean true; spaces around '=' are allowed.  Lattice="9 numbers"
 * gives the cell rows a, b, c; Properties=name:type:ncols:... describes the
 * atom columns (species:S:1:pos:R:3 when absent); pbc="T T F" (true along
 * all three when absent but Lattice is given, else false).  Every other
 * pair goes to the frame's info, typed as ASE types it: the value is split
 * at whitespace and commas; all integers gives INT (or INT_ARRAY), all
 * numbers REAL (REAL_ARRAY), all of T/F/True/False/true/false/TRUE/FALSE
 * BOOL (BOOL_ARRAY), else STRING with the text unchanged (so "Au,Ag" stays
 * a string); "uid" is never converted; a flat JSON list as ASE writes lists
 * ("_JSON [1, 2]") is an array.  One deliberate difference: an empty value
 * is an empty string (ASE makes it an empty integer array), and True/False
 * are booleans as in newer ASE versions.
 *
 * Numbers are read and written in the "C" locale (see io_util.h).
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "cewb/structure.h"
#include "io_util.h"

/* One key=value pair of a comment line; strings live in the scratch. */
typedef struct {
	char *key;
	char *val;
} xyz_kv;

/* Role of an atom column group named in Properties. */
enum { ROLE_SPECIES, ROLE_POS, ROLE_Z, ROLE_ARRAY };

/* One name:type:ncols group of Properties. */
typedef struct {
	char *name;
	char type;
	size_t n_cols;
	int role;
	size_t array;   /* index into the structure's arrays for ROLE_ARRAY */
} xyz_prop;

/* Reader state: the buffer, the position in it, and scratch space. */
typedef struct {
	const char *name;   /* file name for messages */
	char *p, *end;      /* next unread byte; end of the data */
	size_t line;        /* 1-based number of the line last returned */
	size_t frame;       /* 0-based index of the frame being read */
	cewb_error *err;
	char *scratch;      /* decoded comment line */
	size_t scratch_cap;
	xyz_kv *kv;
	size_t kv_cap;
	xyz_prop *props;
	size_t props_cap;
} xyz_reader;

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Report an error at the current frame and line. */
static cewb_status fail(xyz_reader *r, cewb_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static cewb_status fail(xyz_reader *r, cewb_status code, const char *fmt, ...)
{
	cewb_status st;
	va_list ap;

	va_start(ap, fmt);
	st = cewb_io_fail_at(r->err, code, r->name, r->frame, r->line, fmt, ap);
	va_end(ap);
	return st;
}

/* Next line, NUL-terminated in place without its "\r\n"; NULL at the end. */
static char *next_line(xyz_reader *r)
{
	char *s = r->p, *nl;

	if (s >= r->end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(r->end - s));
	if (!nl)
		nl = r->end; /* the buffer holds a NUL there */
	*nl = '\0';
	if (nl > s && nl[-1] == '\r')
		nl[-1] = '\0';
	r->p = nl + 1;
	r->line++;
	return s;
}

static int is_blank(const char *s)
{
	while (is_space(*s))
		s++;
	return *s == '\0';
}

/* Value of a boolean word as ASE accepts it: 1, 0, or -1 when not one. */
static int bool_word(const char *t, size_t n)
{
	static const char *const yes[] = {"T", "True", "true", "TRUE"};
	static const char *const no[] = {"F", "False", "false", "FALSE"};
	size_t i;

	for (i = 0; i < 4; i++) {
		if (strlen(yes[i]) == n && memcmp(t, yes[i], n) == 0)
			return 1;
		if (strlen(no[i]) == n && memcmp(t, no[i], n) == 0)
			return 0;
	}
	return -1;
}

/* Separators of the values inside an info value (ASE splits on [\s,]). */
static int is_value_sep(char c)
{
	return is_space(c) || c == ',' || c == '\n';
}

/* Value of a JSON boolean word: 1, 0, or -1 when not one. */
static int json_bool_word(const char *t, size_t n)
{
	if (n == 4 && !memcmp(t, "true", 4))
		return 1;
	if (n == 5 && !memcmp(t, "false", 5))
		return 0;
	return -1;
}

/* Type a value text as ASE does and fill in->type, in->n, in->real (the
 * caller sets key and text).  Besides ASE's plain typing, a flat JSON list
 * of numbers or booleans as ASE writes lists ("_JSON [1, 2, 3]") becomes an
 * array; other JSON stays a string.  CEWB_ENOMEM only. */
static cewb_status type_value(const char *text, cewb_info *in)
{
	const char *p = text, *stop = NULL;
	size_t n = 0, k;
	int all_int = 1, all_real = 1, all_bool = 1, json = 0;
	int (*boolw)(const char *, size_t) = bool_word;

	in->real = NULL;
	if (!strncmp(text, "_JSON ", 6)) {
		const char *q = text + 6, *e = text + strlen(text);
		while (is_space(*q))
			q++;
		while (e > q && is_space(e[-1]))
			e--;
		if (*q != '[' || e - q < 2 || e[-1] != ']' ||
		    memchr(q + 1, '[', (size_t)(e - q - 1))) {
			in->type = CEWB_VALUE_STRING;
			in->n = 1;
			return CEWB_OK;
		}
		json = 1;
		p = q + 1;
		stop = e - 1;
		boolw = json_bool_word;
	}
	while (*p && p != stop) {
		const char *t;
		size_t len, sl;
		int is_int;
		while (*p && p != stop && is_value_sep(*p))
			p++;
		if (!*p || p == stop)
			break;
		t = p;
		while (*p && p != stop && !is_value_sep(*p))
			p++;
		len = (size_t)(p - t);
		n++;
		sl = cewb_io_scan_number(t, 1, &is_int);
		if (sl != len) {
			all_int = all_real = 0;
		} else if (is_int) {
			long long v;
			errno = 0;
			v = strtoll(t, NULL, 10);
			(void)v;
			if (errno == ERANGE)
				all_int = 0; /* as numpy: too large for int64, so a float */
		} else {
			all_int = 0;
		}
		if (boolw(t, len) < 0)
			all_bool = 0;
	}
	in->n = 1;
	if (n == 0 || (!all_real && !all_bool)) {
		in->type = CEWB_VALUE_STRING;
		return CEWB_OK;
	}
	if (all_int)
		in->type = n == 1 && !json ? CEWB_VALUE_INT : CEWB_VALUE_INT_ARRAY;
	else if (all_real)
		in->type = n == 1 && !json ? CEWB_VALUE_REAL : CEWB_VALUE_REAL_ARRAY;
	else
		in->type = n == 1 && !json ? CEWB_VALUE_BOOL : CEWB_VALUE_BOOL_ARRAY;
	in->real = malloc(n * sizeof *in->real);
	if (!in->real)
		return CEWB_ENOMEM;
	in->n = n;
	p = json ? strchr(text, '[') + 1 : text;
	for (k = 0; k < n; k++) {
		const char *t;
		while (is_value_sep(*p))
			p++;
		t = p;
		while (*p && p != stop && !is_value_sep(*p))
			p++;
		if (all_int)
			in->real[k] = (double)strtoll(t, NULL, 10);
		else if (all_real)
			cewb_io_parse_real(t, 1, &in->real[k]);
		else
			in->real[k] = boolw(t, (size_t)(p - t));
	}
	return CEWB_OK;
}

/* Grow a scratch array to hold at least n elements of size sz. */
static int grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	void *na;
	size_t nc = *cap ? *cap : 16;

	if (n <= *cap)
		return 1;
	while (nc < n)
		nc *= 2;
	na = realloc(*arr, nc * sz);
	if (!na)
		return 0;
	*arr = na;
	*cap = nc;
	return 1;
}

/* Split a comment line into key=value pairs (decoded into the scratch), the
 * way ASE's key_val_str_to_dict does. */
static cewb_status split_comment(xyz_reader *r, const char *line, size_t *n_kv)
{
	size_t len = strlen(line), n = 0, i;
	char *o;
	char delim = 0, opener = 0;
	int escaped = 0, have = 0, pending = 0, in_val = 0, seg_used = 0;
	size_t open_col = 0;

	if (!grow((void **)&r->scratch, &r->scratch_cap, 2 * len + 4, 1))
		return fail(r, CEWB_ENOMEM, "out of memory");
	o = r->scratch;
#define START_PAIR() do { \
		if (have) \
			*o++ = '\0'; \
		if (!grow((void **)&r->kv, &r->kv_cap, n + 1, sizeof *r->kv)) \
			return fail(r, CEWB_ENOMEM, "out of memory"); \
		r->kv[n].key = o; \
		r->kv[n].val = NULL; \
		n++; \
		have = 1; pending = 0; in_val = 0; seg_used = 0; \
	} while (0)
	for (i = 0; i < len; i++) {
		char c = line[i];
		if (escaped) {
			if (!have || pending)
				START_PAIR();
			*o++ = c;
			seg_used = 1;
			escaped = 0;
		} else if (c == '\\') {
			escaped = 1;
		} else if (delim) {
			if (c == delim)
				delim = 0;
			else
				*o++ = c;
		} else if (c == '"' || c == '\'' || c == '{' || c == '[') {
			if (!have || pending)
				START_PAIR();
			opener = c;
			delim = c == '{' ? '}' : c == '[' ? ']' : c;
			open_col = i + 1;
			seg_used = 1;
		} else if (is_space(c)) {
			if (have && seg_used)
				pending = 1;
		} else if (c == '=') {
			if (!have)
				return fail(r, CEWB_EPARSE, "'=' without a key at column %zu",
					    i + 1);
			pending = 0;
			if (!in_val) {
				*o++ = '\0';
				r->kv[n - 1].val = o;
				in_val = 1;
			} else {
				*o++ = '=';
			}
			seg_used = 0;
		} else {
			if (!have || pending)
				START_PAIR();
			*o++ = c;
			seg_used = 1;
		}
	}
#undef START_PAIR
	/* An unterminated quote is an error on a key=value line; a plain XYZ
	 * comment without any '=' ("water's dimer") is taken as ASE takes it. */
	if (delim && strchr(line, '='))
		return fail(r, CEWB_EPARSE, "unterminated quote %c opened at column %zu",
			    opener, open_col);
	if (escaped && have && !pending)
		*o++ = '\\';
	if (have)
		*o++ = '\0';
	for (i = 0; i < n; i++)
		if (!r->kv[i].key[0])
			return fail(r, CEWB_EPARSE, "empty key in key=value pair %zu", i + 1);
	*n_kv = n;
	return CEWB_OK;
}

/* Parse exactly want numbers of a value text into v; 0 when malformed. */
static int parse_numbers(const char *text, double *v, size_t want)
{
	const char *p = text;
	size_t k = 0;

	for (;;) {
		const char *t;
		size_t len;
		while (*p && is_value_sep(*p))
			p++;
		if (!*p)
			break;
		t = p;
		while (*p && !is_value_sep(*p))
			p++;
		len = (size_t)(p - t);
		if (k == want || cewb_io_parse_real(t, 1, &v[k]) != len)
			return 0;
		k++;
	}
	return k == want;
}

/* Parse pbc: one or three booleans. */
static cewb_status parse_pbc(xyz_reader *r, const char *text, int pbc[3])
{
	const char *p = text;
	int v[3], k = 0;

	for (;;) {
		const char *t;
		int b;
		while (*p && is_value_sep(*p))
			p++;
		if (!*p)
			break;
		t = p;
		while (*p && !is_value_sep(*p))
			p++;
		b = bool_word(t, (size_t)(p - t));
		if (b < 0 || k == 3)
			return fail(r, CEWB_EPARSE, "malformed pbc '%.60s': expected 3 of T/F",
				    text);
		v[k++] = b;
	}
	if (k == 1)
		v[1] = v[2] = v[0];
	else if (k != 3)
		return fail(r, CEWB_EPARSE, "malformed pbc '%.60s': expected 3 of T/F", text);
	pbc[0] = v[0];
	pbc[1] = v[1];
	pbc[2] = v[2];
	return CEWB_OK;
}

/* Parse a Properties value (modified in place) into r->props. */
static cewb_status parse_properties(xyz_reader *r, char *text, size_t *n_props,
				    size_t *n_cols_total)
{
	char *p = text, *field[3];
	size_t n = 0, total = 0, i;
	int k;

	if (!*p)
		return fail(r, CEWB_EPARSE, "malformed Properties: empty");
	while (*p) {
		xyz_prop *pr;
		char *end;
		unsigned long long nc;
		for (k = 0; k < 3; k++) {
			field[k] = p;
			while (*p && *p != ':')
				p++;
			if (k < 2 && !*p)
				return fail(r, CEWB_EPARSE, "malformed Properties: '%.40s' is not "
					    "name:type:columns", field[0]);
			if (*p)
				*p++ = '\0';
		}
		if (!field[0][0])
			return fail(r, CEWB_EPARSE, "malformed Properties: empty column name");
		if (strlen(field[1]) != 1 || !strchr("SRIL", field[1][0]))
			return fail(r, CEWB_EPARSE, "malformed Properties: column '%.40s' has "
				    "type '%.10s', expected S, R, I or L", field[0], field[1]);
		errno = 0;
		nc = strtoull(field[2], &end, 10);
		if (!(field[2][0] >= '0' && field[2][0] <= '9') || *end || errno || nc == 0 ||
		    nc > 100000)
			return fail(r, CEWB_EPARSE, "malformed Properties: column '%.40s' has "
				    "count '%.20s'", field[0], field[2]);
		/* Columns are compared pairwise and each becomes an array: keep
		 * the count far above any real file and below quadratic trouble. */
		if (n >= 1000)
			return fail(r, CEWB_EPARSE, "malformed Properties: more than 1000 "
				    "columns");
		for (i = 0; i < n; i++)
			if (strcmp(r->props[i].name, field[0]) == 0)
				return fail(r, CEWB_EPARSE, "malformed Properties: column '%.40s' "
					    "given twice", field[0]);
		if (!grow((void **)&r->props, &r->props_cap, n + 1, sizeof *r->props))
			return fail(r, CEWB_ENOMEM, "out of memory");
		pr = &r->props[n++];
		pr->name = field[0];
		pr->type = field[1][0];
		pr->n_cols = (size_t)nc;
		pr->array = 0;
		total += pr->n_cols;
		if (!strcmp(pr->name, "species") || !strcmp(pr->name, "symbols"))
			pr->role = ROLE_SPECIES;
		else if (!strcmp(pr->name, "pos") || !strcmp(pr->name, "positions"))
			pr->role = ROLE_POS;
		else if (!strcmp(pr->name, "Z") || !strcmp(pr->name, "numbers"))
			pr->role = ROLE_Z;
		else
			pr->role = ROLE_ARRAY;
		if ((pr->role == ROLE_SPECIES && (pr->type != 'S' || nc != 1)) ||
		    (pr->role == ROLE_POS && (pr->type != 'R' || nc != 3)) ||
		    (pr->role == ROLE_Z && (pr->type != 'I' || nc != 1)))
			return fail(r, CEWB_EPARSE, "malformed Properties: column '%s' must be "
				    "%s", pr->name, pr->role == ROLE_SPECIES ? "S:1" :
				    pr->role == ROLE_POS ? "R:3" : "I:1");
	}
	for (i = 0; i < n; i++) {
		size_t j;
		for (j = i + 1; j < n; j++)
			if (r->props[i].role != ROLE_ARRAY && r->props[i].role == r->props[j].role)
				return fail(r, CEWB_EPARSE, "malformed Properties: columns "
					    "'%s' and '%s' mean the same", r->props[i].name,
					    r->props[j].name);
	}
	*n_props = n;
	*n_cols_total = total;
	return CEWB_OK;
}

/* Parse an atom count line. */
static cewb_status parse_count(xyz_reader *r, const char *line, size_t *n)
{
	const char *p = line, *t;
	size_t v = 0;

	while (is_space(*p))
		p++;
	t = p;
	while (*p >= '0' && *p <= '9') {
		size_t d = (size_t)(*p - '0');
		if (v > (SIZE_MAX - d) / 10)
			return fail(r, CEWB_EPARSE, "atom count '%.40s' is too large", t);
		v = v * 10 + d;
		p++;
	}
	if (p == t || !is_blank(p)) {
		while (is_space(*line))
			line++;
		if (r->frame > 0)
			return fail(r, CEWB_EPARSE, "expected an atom count, found '%.40s' "
				    "(does frame %zu have more atom lines than its count?)",
				    line, r->frame - 1);
		return fail(r, CEWB_EPARSE, "expected an atom count, found '%.40s'", line);
	}
	*n = v;
	return CEWB_OK;
}

/* Next whitespace-separated token of an atom line, NUL-terminated in place;
 * NULL at the end of the line. */
static char *next_token(char **q)
{
	char *p = *q, *t;

	while (is_space(*p))
		p++;
	if (!*p) {
		*q = p;
		return NULL;
	}
	t = p;
	while (*p && !is_space(*p))
		p++;
	if (*p)
		*p++ = '\0';
	*q = p;
	return t;
}

/* Count the tokens of what is left of a line (for messages). */
static size_t count_tokens(const char *p)
{
	size_t n = 0;
	for (;;) {
		while (is_space(*p))
			p++;
		if (!*p)
			return n;
		n++;
		while (*p && !is_space(*p))
			p++;
	}
}

/* A real number token; 0 when the token is not one. */
static int real_token(const char *t, double *v)
{
	size_t len = cewb_io_parse_real(t, 1, v);

	return len != 0 && t[len] == '\0';
}

/* Check the cell of a frame: finite entries of sensible size, and not
 * degenerate along periodic directions. */
static cewb_status check_cell(xyz_reader *r, const double cell[3][3], const int pbc[3])
{
	int i, j;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			if (!isfinite(cell[i][j]) || fabs(cell[i][j]) > CEWB_IO_MAX_COORD)
				return fail(r, CEWB_EPARSE, "malformed Lattice: entry %g is not "
					    "finite or exceeds 1e6 Å", cell[i][j]);
	if (cewb_io_cell_degenerate(cell, pbc))
		return fail(r, CEWB_EPARSE, "zero-volume cell with periodic boundaries "
			    "(pbc %c %c %c)", pbc[0] ? 'T' : 'F', pbc[1] ? 'T' : 'F',
			    pbc[2] ? 'T' : 'F');
	return CEWB_OK;
}

/* The last species token seen and its atomic number (most repeat). */
typedef struct {
	char sym[4];
	int z;
} species_cache;

/* Parse the species token t of atom i. */
static cewb_status atom_species(xyz_reader *r, cewb_structure *s, size_t i, const char *t,
				species_cache *sc)
{
	size_t tl = strlen(t);
	int z;

	if (tl < 4 && strcmp(t, sc->sym) == 0) {
		z = sc->z;
	} else {
		z = cewb_element_number(t);
		if (tl < 4) {
			memcpy(sc->sym, t, tl + 1);
			sc->z = z;
		}
	}
	if (z < 0)
		return fail(r, CEWB_EPARSE, "atom %zu: unknown element '%.20s'", i, t);
	s->numbers[i] = z;
	return CEWB_OK;
}

/* Parse coordinate c of atom i. */
static cewb_status atom_coordinate(xyz_reader *r, cewb_structure *s, size_t i, size_t c,
				   const char *t)
{
	static const char axis[3] = {'x', 'y', 'z'};
	double v;

	if (!real_token(t, &v))
		return fail(r, CEWB_EPARSE, "atom %zu: non-numeric %c coordinate '%.40s'", i,
			    axis[c], t);
	if (!isfinite(v))
		return fail(r, CEWB_EPARSE, "atom %zu: %c coordinate is %s", i, axis[c], t);
	if (fabs(v) > CEWB_IO_MAX_COORD)
		return fail(r, CEWB_EPARSE, "atom %zu: %c coordinate %s exceeds 1e6 Å", i,
			    axis[c], t);
	s->pos[i][c] = v;
	return CEWB_OK;
}

/* Parse the atomic number token t (a Z column) of atom i. */
static cewb_status atom_number(xyz_reader *r, cewb_structure *s, size_t i, const char *t)
{
	int is_int;
	long z;

	if (cewb_io_scan_number(t, 0, &is_int) != strlen(t) || !is_int)
		return fail(r, CEWB_EPARSE, "atom %zu: atomic number '%.40s' is not an integer",
			    i, t);
	z = strtol(t, NULL, 10);
	if (!cewb_element_symbol(z > 1000 || z < 0 ? -1 : (int)z))
		return fail(r, CEWB_EPARSE, "atom %zu: unknown atomic number %.40s", i, t);
	/* As ASE: Z overrides species when both are given. */
	s->numbers[i] = (int)z;
	return CEWB_OK;
}

/* Parse column c of the extra array pr for atom i. */
static cewb_status atom_array_value(xyz_reader *r, cewb_structure *s, const xyz_prop *pr,
				    size_t i, size_t c, const char *t)
{
	cewb_array *a = &s->arrays[pr->array];
	size_t at = i * pr->n_cols + c;
	int is_int, b;
	long long iv;
	char *d;

	switch (pr->type) {
	case 'S':
		d = strdup(t);
		if (!d)
			return fail(r, CEWB_ENOMEM, "out of memory");
		free(a->str[at]);
		a->str[at] = d;
		break;
	case 'R':
		if (!real_token(t, &a->real[at]))
			return fail(r, CEWB_EPARSE, "atom %zu: non-numeric value '%.40s' in "
				    "column '%s'", i, t, pr->name);
		break;
	case 'I':
		if (cewb_io_scan_number(t, 0, &is_int) != strlen(t) || !is_int)
			return fail(r, CEWB_EPARSE, "atom %zu: non-integer value '%.40s' in "
				    "column '%s'", i, t, pr->name);
		errno = 0;
		iv = strtoll(t, NULL, 10);
		if (errno == ERANGE)
			return fail(r, CEWB_EPARSE, "atom %zu: integer '%.40s' out of range in "
				    "column '%s'", i, t, pr->name);
		a->real[at] = (double)iv;
		break;
	default:
		b = bool_word(t, strlen(t));
		if (b < 0)
			return fail(r, CEWB_EPARSE, "atom %zu: '%.40s' is not T or F in column "
				    "'%s'", i, t, pr->name);
		a->real[at] = b;
	}
	return CEWB_OK;
}

/* Read the atom lines of a frame into s. */
static cewb_status read_atoms(xyz_reader *r, cewb_structure *s, size_t n_props,
			      size_t n_cols_total, int strict)
{
	species_cache sc = {"", -1};
	size_t i, k, c;
	cewb_status st;

	for (i = 0; i < s->n_atoms; i++) {
		char *ln = next_line(r), *q;
		size_t col = 0;
		if (!ln)
			return fail(r, CEWB_EPARSE, "unexpected end of file: frame has %zu of its "
				    "%zu atom lines", i, s->n_atoms);
		q = ln;
		for (k = 0; k < n_props; k++) {
			const xyz_prop *pr = &r->props[k];
			for (c = 0; c < pr->n_cols; c++, col++) {
				char *t = next_token(&q);
				if (!t)
					return fail(r, CEWB_EPARSE, "atom %zu: expected %zu "
						    "columns, found %zu", i, n_cols_total, col);
				if (pr->role == ROLE_SPECIES)
					st = atom_species(r, s, i, t, &sc);
				else if (pr->role == ROLE_POS)
					st = atom_coordinate(r, s, i, c, t);
				else if (pr->role == ROLE_Z)
					st = atom_number(r, s, i, t);
				else
					st = atom_array_value(r, s, pr, i, c, t);
				if (st)
					return st;
			}
		}
		if (strict && !is_blank(q))
			return fail(r, CEWB_EPARSE, "atom %zu: expected %zu columns, found %zu", i,
				    n_cols_total, n_cols_total + count_tokens(q));
	}
	return CEWB_OK;
}

/* FNV-1a hash of a key. */
static size_t key_hash(const char *k)
{
	uint64_t h = 14695981039346656037ULL;
	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 1099511628211ULL;
	return (size_t)h;
}

/* Info of a frame: every comment pair but Lattice, Properties and pbc, in
 * file order; a repeated key keeps its first place and takes the last value
 * (as a Python dict does).  Repeated keys are found through a hash table of
 * info indices, so a comment of many words stays linear. */
static cewb_status fill_info(xyz_reader *r, cewb_structure *s, size_t n_kv)
{
	size_t i, h, cap = 16, *slot;

	while (cap < 2 * n_kv)
		cap *= 2;
	s->info = calloc(n_kv ? n_kv : 1, sizeof *s->info);
	slot = calloc(cap, sizeof *slot);	/* info index + 1, 0: empty */
	if (!s->info || !slot) {
		free(slot);
		return fail(r, CEWB_ENOMEM, "out of memory");
	}
	for (i = 0; i < n_kv; i++) {
		const xyz_kv *kv = &r->kv[i];
		cewb_info *in = NULL;
		if (!strcmp(kv->key, "Lattice") || !strcmp(kv->key, "Properties") ||
		    !strcmp(kv->key, "pbc"))
			continue;
		for (h = key_hash(kv->key) & (cap - 1); slot[h]; h = (h + 1) & (cap - 1))
			if (!strcmp(s->info[slot[h] - 1].key, kv->key)) {
				in = &s->info[slot[h] - 1];
				free(in->text);
				free(in->real);
				in->text = NULL;
				in->real = NULL;
				break;
			}
		if (!in) {
			in = &s->info[s->n_info++];
			in->key = strdup(kv->key);
			if (!in->key) {
				free(slot);
				return fail(r, CEWB_ENOMEM, "out of memory");
			}
			slot[h] = s->n_info;
		}
		in->text = strdup(kv->val ? kv->val : "T");
		if (in->text && !strcasecmp(kv->key, "uid")) {
			/* As ASE: uid is never converted. */
			in->type = CEWB_VALUE_STRING;
			in->n = 1;
		} else if (in->text && type_value(in->text, in) != CEWB_OK) {
			free(in->text);
			in->text = NULL;
		}
		if (!in->text) {
			free(slot);
			return fail(r, CEWB_ENOMEM, "out of memory");
		}
	}
	free(slot);
	return CEWB_OK;
}

/* Read one frame whose count line is line; *out gets the new structure. */
static cewb_status read_frame(xyz_reader *r, const char *count_line, cewb_structure **out)
{
	size_t n_atoms = 0, n_kv = 0, i, n_props = 0, n_cols_total = 0;
	char *comment;
	xyz_kv *lattice = NULL, *props = NULL, *pbc_kv = NULL;
	double cell[3][3] = {{0}};
	int pbc[3] = {0, 0, 0}, strict;
	cewb_structure *s;
	cewb_status st;

	st = parse_count(r, count_line, &n_atoms);
	if (st)
		return st;
	/* Every atom line takes at least 8 bytes ("X 0 0 0\n"); refuse counts the
	 * rest of the file cannot hold before allocating for them. */
	if (n_atoms > (size_t)(r->end - r->p) / 8 + 1)
		return fail(r, CEWB_EPARSE, "unexpected end of file: the rest of the file "
			    "cannot hold %zu atom lines", n_atoms);
	comment = next_line(r);
	if (!comment)
		return fail(r, CEWB_EPARSE, "unexpected end of file: missing comment line");
	st = split_comment(r, comment, &n_kv);
	if (st)
		return st;
	for (i = 0; i < n_kv; i++) {
		xyz_kv *kv = &r->kv[i];
		if (!strcmp(kv->key, "Lattice"))
			lattice = kv;
		else if (!strcmp(kv->key, "Properties"))
			props = kv;
		else if (!strcmp(kv->key, "pbc"))
			pbc_kv = kv;
	}
	if (lattice) {
		if (!lattice->val || !parse_numbers(lattice->val, &cell[0][0], 9))
			return fail(r, CEWB_EPARSE, "malformed Lattice '%.80s': expected 9 numbers",
				    lattice->val ? lattice->val : "");
		pbc[0] = pbc[1] = pbc[2] = 1;
	}
	if (pbc_kv) {
		st = parse_pbc(r, pbc_kv->val ? pbc_kv->val : "T", pbc);
		if (st)
			return st;
	}
	st = check_cell(r, (const double (*)[3])cell, pbc);
	if (st)
		return st;
	if (props) {
		st = parse_properties(r, props->val ? props->val : (char *)"", &n_props,
				      &n_cols_total);
		if (st)
			return st;
	} else {
		/* The default columns: species:S:1:pos:R:3. */
		if (!grow((void **)&r->props, &r->props_cap, 2, sizeof *r->props))
			return fail(r, CEWB_ENOMEM, "out of memory");
		r->props[0].name = (char *)"species";
		r->props[0].type = 'S';
		r->props[0].n_cols = 1;
		r->props[0].role = ROLE_SPECIES;
		r->props[1].name = (char *)"pos";
		r->props[1].type = 'R';
		r->props[1].n_cols = 3;
		r->props[1].role = ROLE_POS;
		n_props = 2;
		n_cols_total = 4;
	}
	/* Plain XYZ files (no Properties) may carry extra columns: ignore them. */
	strict = props != NULL;

	s = cewb_structure_alloc(n_atoms);
	if (!s)
		return fail(r, CEWB_ENOMEM, "out of memory");
	memcpy(s->cell, cell, sizeof cell);
	memcpy(s->pbc, pbc, sizeof pbc);
	s->frame = r->frame;
	s->source = strdup(r->name);
	if (!s->source) {
		cewb_structure_free(s);
		return fail(r, CEWB_ENOMEM, "out of memory");
	}
	st = fill_info(r, s, n_kv);
	if (st) {
		cewb_structure_free(s);
		return st;
	}
	for (i = 0; i < n_props; i++) {
		xyz_prop *pr = &r->props[i];
		if (pr->role != ROLE_ARRAY)
			continue;
		if (!cewb_structure_add_array(s, pr->name, pr->type, pr->n_cols, NULL)) {
			cewb_structure_free(s);
			return fail(r, CEWB_ENOMEM, "out of memory");
		}
		pr->array = s->n_arrays - 1;
	}
	st = read_atoms(r, s, n_props, n_cols_total, strict);
	if (st) {
		cewb_structure_free(s);
		return st;
	}
	*out = s;
	return CEWB_OK;
}

/* Parse extended XYZ frames held in a NUL-terminated buffer (modified). */
cewb_status cewb_extxyz_parse(char *data, size_t len, const char *name, cewb_frames *out,
			      cewb_error *err)
{
	xyz_reader r;
	cewb_frames f = {0, NULL};
	cewb_status st = CEWB_OK;
	char *nul;

	memset(&r, 0, sizeof r);
	r.name = name;
	r.p = data;
	r.end = data + len;
	r.err = err;
	nul = memchr(data, '\0', len);
	if (nul) {
		char *q;
		for (q = data; q < nul; q++)
			if (*q == '\n')
				r.line++;
		r.line++;
		return cewb_error_set(err, CEWB_EPARSE, "%s: line %zu: not a text file (NUL byte)",
				      name, r.line);
	}
	for (;;) {
		char *line = next_line(&r);
		cewb_structure *s = NULL;
		if (!line)
			break;
		if (is_blank(line))
			continue;
		r.frame = f.n;
		st = read_frame(&r, line, &s);
		if (st)
			break;
		st = cewb_frames_append(&f, s, NULL);
		if (st) {
			cewb_structure_free(s);
			st = fail(&r, CEWB_ENOMEM, "out of memory");
			break;
		}
	}
	if (!st && f.n == 0)
		st = cewb_error_set(err, CEWB_EPARSE, "%s: frame 0, line %zu: no frames (empty "
				    "file)", name, r.line ? r.line : 1);
	free(r.scratch);
	free(r.kv);
	free(r.props);
	if (st) {
		cewb_frames_release(&f);
		return st;
	}
	*out = f;
	return CEWB_OK;
}

/* Read every frame of an extended XYZ file (as ASE writes it).  *out is
 * overwritten on success (release what it held first) and untouched on
 * error. */
cewb_status cewb_extxyz_read(const char *path, cewb_frames *out, cewb_error *err)
{
	char *data;
	size_t len;
	cewb_status st;
	locale_t c_loc, saved;

	st = cewb_io_slurp_path(path, &data, &len, err);
	if (st)
		return st;
	saved = cewb_io_locale_push(&c_loc);
	st = cewb_extxyz_parse(data, len, path, out, err);
	cewb_io_locale_pop(saved, c_loc);
	free(data);
	return st;
}

/* Read extended XYZ frames from a stream; name is used in messages. */
cewb_status cewb_extxyz_read_stream(FILE *fp, const char *name, cewb_frames *out,
				    cewb_error *err)
{
	char *data;
	size_t len;
	cewb_status st;
	locale_t c_loc, saved;

	if (!name)
		name = "<stream>";
	st = cewb_io_slurp_stream(fp, name, &data, &len, err);
	if (st)
		return st;
	saved = cewb_io_locale_push(&c_loc);
	st = cewb_extxyz_parse(data, len, name, out, err);
	cewb_io_locale_pop(saved, c_loc);
	free(data);
	return st;
}

/* ------------------------------------------------------------------------ */
/* Writing */

/* Whether a comment-line text must be quoted to read back unchanged. */
static int needs_quotes(const char *t)
{
	if (!*t)
		return 1;
	for (; *t; t++)
		if (is_space(*t) || strchr("=\"'{}[]\\", *t))
			return 1;
	return 0;
}

/* Write a key or value, quoted and escaped when needed. */
static void put_text(FILE *fp, const char *t)
{
	if (!needs_quotes(t)) {
		fputs(t, fp);
		return;
	}
	fputc('"', fp);
	for (; *t; t++) {
		if (*t == '"' || *t == '\\')
			fputc('\\', fp);
		fputc(*t, fp);
	}
	fputc('"', fp);
}

/* Whether a key or per-atom array name is usable in the file. */
static int valid_name(const char *k, int for_array)
{
	if (!k || !*k)
		return 0;
	for (; *k; k++)
		if (is_space(*k) || *k == '\n' || strchr("=\"'{}[]\\", *k) ||
		    (for_array && *k == ':'))
			return 0;
	return 1;
}

/* Text to write for an info value: its own text when it reads back as the
 * stored type and values, else text made from the values (*owned is then
 * set and must be freed).  NULL when out of memory. */
static const char *info_write_text(const cewb_info *in, char **owned)
{
	cewb_info chk;
	int same, json;
	size_t k, cap;
	char *buf;

	*owned = NULL;
	if (in->type == CEWB_VALUE_STRING || in->type == CEWB_VALUE_STRING_ARRAY || !in->real)
		return in->text ? in->text : "";
	memset(&chk, 0, sizeof chk);
	if (in->text) {
		if (type_value(in->text, &chk) != CEWB_OK)
			return NULL;
		same = chk.type == in->type && chk.n == in->n && chk.real &&
		       memcmp(chk.real, in->real, in->n * sizeof *in->real) == 0;
		free(chk.real);
		if (same)
			return in->text;
	}
	/* An array of one value is written as a JSON list, as ASE does, so it
	 * does not read back as a scalar. */
	json = in->n == 1 && (in->type == CEWB_VALUE_INT_ARRAY ||
			      in->type == CEWB_VALUE_REAL_ARRAY ||
			      in->type == CEWB_VALUE_BOOL_ARRAY);
	cap = in->n * (CEWB_IO_REAL_MAX + 1) + 16;
	buf = malloc(cap);
	if (!buf)
		return NULL;
	strcpy(buf, json ? "_JSON [" : "");
	for (k = 0; k < in->n; k++) {
		char num[CEWB_IO_REAL_MAX];
		double v = in->real[k];
		if (in->type == CEWB_VALUE_INT || in->type == CEWB_VALUE_INT_ARRAY)
			snprintf(num, sizeof num, "%.0f", v);
		else if (in->type == CEWB_VALUE_BOOL || in->type == CEWB_VALUE_BOOL_ARRAY)
			strcpy(num, v != 0.0 ? (json ? "true" : "T") : (json ? "false" : "F"));
		else
			cewb_io_format_real(v, num);
		if (k)
			strcat(buf, " ");
		strcat(buf, num);
	}
	if (json)
		strcat(buf, "]");
	*owned = buf;
	return buf;
}

/* A user string made fit for a one-line message: at most 40 bytes, control
 * characters shown as '?'.  buf holds 48 bytes. */
static const char *shown(const char *t, char *buf)
{
	size_t i;

	if (!t)
		t = "";
	for (i = 0; t[i] && i < 40; i++)
		buf[i] = (unsigned char)t[i] < 0x20 || t[i] == 0x7f ? '?' : t[i];
	buf[i] = '\0';
	return buf;
}

/* Check that a frame can be written and read back unchanged. */
static cewb_status check_writable(const cewb_structure *s, const char *name, size_t frame,
				  cewb_error *err)
{
	static const char *const reserved[] = {"species", "symbols", "pos", "positions",
					       "Z", "numbers"};
	char b1[48], b2[48];
	size_t i, j;

	for (i = 0; i < s->n_info; i++) {
		const cewb_info *in = &s->info[i];
		/* Keys are quoted when they need it, as values are. */
		if (!in->key || !in->key[0] || strchr(in->key, '\n'))
			CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: info key '%s' cannot be "
				   "written (empty or a newline)", name, frame, shown(in->key, b1));
		if (!strcmp(in->key, "Lattice") || !strcmp(in->key, "Properties") ||
		    !strcmp(in->key, "pbc"))
			CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: info key '%s' is reserved",
				   name, frame, in->key);
		if (in->text && strchr(in->text, '\n'))
			CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: info '%s' holds a newline",
				   name, frame, shown(in->key, b1));
		if ((in->type == CEWB_VALUE_INT || in->type == CEWB_VALUE_INT_ARRAY) && in->real)
			for (j = 0; j < in->n; j++)
				if (in->real[j] != floor(in->real[j]) || fabs(in->real[j]) > 9.2e18)
					CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: integer info "
						   "'%s' holds %g", name, frame, shown(in->key, b1),
						   in->real[j]);
	}
	for (i = 0; i < s->n_arrays; i++) {
		const cewb_array *a = &s->arrays[i];
		if (!valid_name(a->name, 1))
			CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: array name '%s' cannot be "
				   "written", name, frame, shown(a->name, b1));
		for (j = 0; j < sizeof reserved / sizeof *reserved; j++)
			if (!strcmp(a->name, reserved[j]))
				CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: array name '%s' is "
					   "reserved", name, frame, a->name);
		if (!strchr("RILS", a->type) || !a->type || a->n_cols == 0 ||
		    (a->type == 'S' ? !a->str : !a->real))
			CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: array '%s' is malformed",
				   name, frame, a->name);
		for (j = 0; j < s->n_atoms * a->n_cols; j++) {
			if (a->type == 'S' && (!a->str[j] || !valid_name(a->str[j], 0)))
				CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: atom %zu: string '%s' "
					   "of array '%s' cannot be written (empty, blanks or "
					   "quotes)", name, frame, j / a->n_cols,
					   shown(a->str[j], b1), shown(a->name, b2));
			if (a->type == 'I' && (a->real[j] != floor(a->real[j]) ||
					       fabs(a->real[j]) > 9.2e18))
				CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: atom %zu: integer "
					   "array '%s' holds %g", name, frame, j / a->n_cols,
					   a->name, a->real[j]);
		}
	}
	for (i = 0; i < s->n_atoms; i++)
		if (!cewb_element_symbol(s->numbers[i]))
			CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: atom %zu: atomic number %d "
				   "out of range", name, frame, i, s->numbers[i]);
	if (cewb_io_cell_degenerate((const double (*)[3])s->cell, s->pbc))
		CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: zero-volume cell with periodic "
			   "boundaries", name, frame);
	return CEWB_OK;
}

/* Write one checked frame. */
static cewb_status write_frame(FILE *fp, const cewb_structure *s, const char *name,
			       size_t frame, cewb_error *err)
{
	char num[CEWB_IO_REAL_MAX];
	size_t i, j, k;
	int has_cell = 0;

	fprintf(fp, "%zu\n", s->n_atoms);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			if (s->cell[i][j] != 0.0)
				has_cell = 1;
	if (has_cell) {
		fputs("Lattice=\"", fp);
		for (i = 0; i < 9; i++) {
			cewb_io_format_real(s->cell[i / 3][i % 3], num);
			fprintf(fp, i ? " %s" : "%s", num);
		}
		fputs("\" ", fp);
	}
	fputs("Properties=species:S:1:pos:R:3", fp);
	for (i = 0; i < s->n_arrays; i++)
		fprintf(fp, ":%s:%c:%zu", s->arrays[i].name, s->arrays[i].type,
			s->arrays[i].n_cols);
	for (i = 0; i < s->n_info; i++) {
		char *owned;
		const char *t = info_write_text(&s->info[i], &owned);
		if (!t)
			CEWB_RAISE(err, CEWB_ENOMEM, "%s: frame %zu: out of memory", name, frame);
		fputc(' ', fp);
		put_text(fp, s->info[i].key);
		fputc('=', fp);
		put_text(fp, t);
		free(owned);
	}
	fprintf(fp, " pbc=\"%c %c %c\"\n", s->pbc[0] ? 'T' : 'F', s->pbc[1] ? 'T' : 'F',
		s->pbc[2] ? 'T' : 'F');
	for (i = 0; i < s->n_atoms; i++) {
		fprintf(fp, "%-2s", cewb_element_symbol(s->numbers[i]));
		for (j = 0; j < 3; j++) {
			cewb_io_format_real(s->pos[i][j], num);
			fprintf(fp, " %22s", num);
		}
		for (k = 0; k < s->n_arrays; k++) {
			const cewb_array *a = &s->arrays[k];
			for (j = 0; j < a->n_cols; j++) {
				size_t at = i * a->n_cols + j;
				switch (a->type) {
				case 'S':
					fprintf(fp, " %s", a->str[at]);
					break;
				case 'I':
					fprintf(fp, " %.0f", a->real[at]);
					break;
				case 'L':
					fputs(a->real[at] != 0.0 ? " T" : " F", fp);
					break;
				default:
					cewb_io_format_real(a->real[at], num);
					fprintf(fp, " %22s", num);
				}
			}
		}
		fputc('\n', fp);
	}
	if (ferror(fp))
		CEWB_RAISE(err, CEWB_EIO, "%s: write error", name);
	return CEWB_OK;
}

/* Write one frame as extended XYZ to a stream. */
cewb_status cewb_extxyz_write_stream(FILE *fp, const cewb_structure *s, cewb_error *err)
{
	const char *name = "<stream>";
	locale_t c_loc, saved;
	cewb_status st;

	st = check_writable(s, name, 0, err);
	if (st)
		return st;
	saved = cewb_io_locale_push(&c_loc);
	st = write_frame(fp, s, name, 0, err);
	cewb_io_locale_pop(saved, c_loc);
	return st;
}

/* Write frames as extended XYZ, atomically (temporary file + rename): the
 * file at path is replaced only when everything was written. */
cewb_status cewb_extxyz_write(const char *path, cewb_structure *const *frames, size_t n,
			      cewb_error *err)
{
	cewb_io_atomic a;
	locale_t c_loc, saved;
	cewb_status st = CEWB_OK;
	size_t i;

	if (n == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "%s: no frames to write", path);
	for (i = 0; i < n; i++) {
		st = check_writable(frames[i], path, i, err);
		if (st)
			return st;
	}
	st = cewb_io_atomic_open(&a, path, err);
	if (st)
		return st;
	saved = cewb_io_locale_push(&c_loc);
	for (i = 0; i < n && !st; i++)
		st = write_frame(a.fp, frames[i], path, i, err);
	cewb_io_locale_pop(saved, c_loc);
	if (st) {
		cewb_io_atomic_abort(&a);
		return st;
	}
	return cewb_io_atomic_commit(&a, err);
}
