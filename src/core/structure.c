/* Atomic structures: allocation, deep copies, frame lists, info values and
 * per-atom arrays, and small cell helpers. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cewb/structure.h"
#include "io_util.h"

/* Allocate a structure of n_atoms atoms at the origin, cell zero, pbc true. */
cewb_structure *cewb_structure_alloc(size_t n_atoms)
{
	cewb_structure *s = calloc(1, sizeof *s);
	size_t n = n_atoms ? n_atoms : 1; /* never a NULL array, even for 0 atoms */

	if (!s)
		return NULL;
	if (n_atoms > ((size_t)-1) / sizeof *s->pos) {
		free(s);
		return NULL;
	}
	s->n_atoms = n_atoms;
	s->pos = calloc(n, sizeof *s->pos);
	s->numbers = calloc(n, sizeof *s->numbers);
	if (!s->pos || !s->numbers) {
		free(s->pos);
		free(s->numbers);
		free(s);
		return NULL;
	}
	s->pbc[0] = s->pbc[1] = s->pbc[2] = 1;
	return s;
}

/* Free what one info entry owns. */
static void info_clear(cewb_info *in)
{
	free(in->key);
	free(in->text);
	free(in->real);
	memset(in, 0, sizeof *in);
}

/* Free what one per-atom array owns (its strings count n_atoms * n_cols). */
static void array_clear(cewb_array *a, size_t n_atoms)
{
	free(a->name);
	free(a->real);
	if (a->str) {
		size_t i;
		for (i = 0; i < n_atoms * a->n_cols; i++)
			free(a->str[i]);
		free(a->str);
	}
	memset(a, 0, sizeof *a);
}

/* Free a structure and all it owns; NULL is harmless. */
void cewb_structure_free(cewb_structure *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_info; i++)
		info_clear(&s->info[i]);
	free(s->info);
	for (i = 0; i < s->n_arrays; i++)
		array_clear(&s->arrays[i], s->n_atoms);
	free(s->arrays);
	free(s->pos);
	free(s->numbers);
	free(s->source);
	free(s);
}

/* strdup that accepts NULL. */
static char *dup_or_null(const char *t, int *fail)
{
	char *d;
	if (!t)
		return NULL;
	d = strdup(t);
	if (!d)
		*fail = 1;
	return d;
}

/* Deep copy; NULL when out of memory. */
cewb_structure *cewb_structure_copy(const cewb_structure *s)
{
	cewb_structure *c;
	size_t i, j, n = s->n_atoms ? s->n_atoms : 1;
	int fail = 0;

	c = cewb_structure_alloc(s->n_atoms);
	if (!c)
		return NULL;
	memcpy(c->cell, s->cell, sizeof c->cell);
	memcpy(c->pbc, s->pbc, sizeof c->pbc);
	memcpy(c->pos, s->pos, n * sizeof *s->pos);
	memcpy(c->numbers, s->numbers, n * sizeof *s->numbers);
	c->frame = s->frame;
	c->source = dup_or_null(s->source, &fail);
	if (s->n_info) {
		c->info = calloc(s->n_info, sizeof *c->info);
		if (!c->info)
			goto oom;
		c->n_info = s->n_info;
		for (i = 0; i < s->n_info; i++) {
			const cewb_info *a = &s->info[i];
			cewb_info *b = &c->info[i];
			b->key = dup_or_null(a->key, &fail);
			b->text = dup_or_null(a->text, &fail);
			b->type = a->type;
			b->n = a->n;
			if (a->real) {
				b->real = malloc((a->n ? a->n : 1) * sizeof *b->real);
				if (!b->real)
					goto oom;
				memcpy(b->real, a->real, a->n * sizeof *b->real);
			}
		}
	}
	if (s->n_arrays) {
		c->arrays = calloc(s->n_arrays, sizeof *c->arrays);
		if (!c->arrays)
			goto oom;
		c->n_arrays = s->n_arrays;
		for (i = 0; i < s->n_arrays; i++) {
			const cewb_array *a = &s->arrays[i];
			cewb_array *b = &c->arrays[i];
			size_t m = s->n_atoms * a->n_cols;
			b->name = dup_or_null(a->name, &fail);
			b->type = a->type;
			b->n_cols = a->n_cols;
			if (a->real) {
				b->real = malloc((m ? m : 1) * sizeof *b->real);
				if (!b->real)
					goto oom;
				memcpy(b->real, a->real, m * sizeof *b->real);
			}
			if (a->str) {
				b->str = calloc(m ? m : 1, sizeof *b->str);
				if (!b->str)
					goto oom;
				for (j = 0; j < m; j++)
					b->str[j] = dup_or_null(a->str[j], &fail);
			}
		}
	}
	if (fail)
		goto oom;
	return c;
oom:
	cewb_structure_free(c);
	return NULL;
}

/* Free the frames held by f and reset it to empty. */
void cewb_frames_release(cewb_frames *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++)
		cewb_structure_free(f->frames[i]);
	free(f->frames);
	f->frames = NULL;
	f->n = 0;
}

/* Append s to f, which then owns it.  The list grows by doubling: its
 * capacity is implied by n (the next power of two), so cewb_frames needs no
 * capacity field. */
cewb_status cewb_frames_append(cewb_frames *f, cewb_structure *s, cewb_error *err)
{
	if (f->n == 0 || (f->n & (f->n - 1)) == 0) {
		size_t cap = f->n ? 2 * f->n : 1;
		cewb_structure **nf;
		if (cap > ((size_t)-1) / sizeof *nf)
			CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
		nf = realloc(f->frames, cap * sizeof *nf);
		if (!nf)
			CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
		f->frames = nf;
	}
	f->frames[f->n++] = s;
	return CEWB_OK;
}

/* The info entry named key, or NULL. */
const cewb_info *cewb_structure_info(const cewb_structure *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->n_info; i++)
		if (strcmp(s->info[i].key, key) == 0)
			return &s->info[i];
	return NULL;
}

/* Read a scalar numeric (integer or real) info value; CEWB_EINVAL if absent
 * or not a number. */
cewb_status cewb_structure_info_real(const cewb_structure *s, const char *key,
				     double *value, cewb_error *err)
{
	const cewb_info *in = cewb_structure_info(s, key);

	if (!in) {
		if (s->source)
			CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: no info key '%s'",
				   s->source, s->frame, key);
		CEWB_RAISE(err, CEWB_EINVAL, "no info key '%s'", key);
	}
	if ((in->type != CEWB_VALUE_INT && in->type != CEWB_VALUE_REAL) || !in->real) {
		if (s->source)
			CEWB_RAISE(err, CEWB_EINVAL, "%s: frame %zu: info '%s' is not a number: "
				   "'%s'", s->source, s->frame, key, in->text ? in->text : "");
		CEWB_RAISE(err, CEWB_EINVAL, "info '%s' is not a number: '%s'", key,
			   in->text ? in->text : "");
	}
	*value = in->real[0];
	return CEWB_OK;
}

/* The slot for key: the existing entry (cleared) or a new one at the end. */
static cewb_info *info_slot(cewb_structure *s, const char *key, cewb_error *err)
{
	size_t i;
	cewb_info *ni;
	char *k;

	for (i = 0; i < s->n_info; i++)
		if (strcmp(s->info[i].key, key) == 0) {
			free(s->info[i].text);
			free(s->info[i].real);
			s->info[i].text = NULL;
			s->info[i].real = NULL;
			return &s->info[i];
		}
	k = strdup(key);
	ni = realloc(s->info, (s->n_info + 1) * sizeof *ni);
	if (!k || !ni) {
		free(k);
		if (ni)
			s->info = ni;
		cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		return NULL;
	}
	s->info = ni;
	ni = &s->info[s->n_info++];
	memset(ni, 0, sizeof *ni);
	ni->key = k;
	return ni;
}

/* Drop the last info entry (used when filling a new slot failed). */
static void info_drop_if_empty(cewb_structure *s, cewb_info *in)
{
	if (in->text)
		return;
	/* Remove the entry, keeping the order of the others. */
	{
		size_t i = (size_t)(in - s->info);
		info_clear(in);
		memmove(&s->info[i], &s->info[i + 1], (s->n_info - i - 1) * sizeof *in);
		s->n_info--;
	}
}

/* Set (add or replace) a real-valued info entry; its text is the shortest
 * decimal form that reads back as exactly value. */
cewb_status cewb_structure_set_info_real(cewb_structure *s, const char *key,
					 double value, cewb_error *err)
{
	char buf[CEWB_IO_REAL_MAX];
	locale_t c_loc, saved;
	cewb_info *in;

	if (!key || !key[0])
		CEWB_RAISE(err, CEWB_EINVAL, "empty info key");
	in = info_slot(s, key, err);
	if (!in)
		return CEWB_ENOMEM;
	saved = cewb_io_locale_push(&c_loc);
	cewb_io_format_real(value, buf);
	cewb_io_locale_pop(saved, c_loc);
	in->type = CEWB_VALUE_REAL;
	in->n = 1;
	in->text = strdup(buf);
	in->real = malloc(sizeof *in->real);
	if (!in->text || !in->real) {
		free(in->real);
		in->real = NULL;
		free(in->text);
		in->text = NULL;
		info_drop_if_empty(s, in);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	}
	in->real[0] = value;
	return CEWB_OK;
}

/* Set (add or replace) a string info entry.  Note that extended XYZ types
 * values by their text, so a string such as "12" or "T" reads back as a
 * number or a boolean (as in ASE). */
cewb_status cewb_structure_set_info_string(cewb_structure *s, const char *key,
					   const char *value, cewb_error *err)
{
	cewb_info *in;
	char *t;

	if (!key || !key[0])
		CEWB_RAISE(err, CEWB_EINVAL, "empty info key");
	t = strdup(value ? value : "");
	if (!t)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
	in = info_slot(s, key, err);
	if (!in) {
		free(t);
		return CEWB_ENOMEM;
	}
	in->type = CEWB_VALUE_STRING;
	in->n = 1;
	in->text = t;
	return CEWB_OK;
}

/* The per-atom array named name, or NULL. */
const cewb_array *cewb_structure_array(const cewb_structure *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_arrays; i++)
		if (strcmp(s->arrays[i].name, name) == 0)
			return &s->arrays[i];
	return NULL;
}

/* Add a per-atom array of n_cols columns of type 'R', 'I', 'L' (values
 * zero) or 'S' (empty strings); replaces an array of the same name.  Returns
 * the array (owned by s) or NULL with err set. */
cewb_array *cewb_structure_add_array(cewb_structure *s, const char *name, char type,
				     size_t n_cols, cewb_error *err)
{
	cewb_array a, *na;
	size_t m, i;

	memset(&a, 0, sizeof a);
	if (!name || !name[0]) {
		cewb_error_set(err, CEWB_EINVAL, "empty array name");
		return NULL;
	}
	if (type != 'R' && type != 'I' && type != 'L' && type != 'S') {
		cewb_error_set(err, CEWB_EINVAL, "array '%s': unknown type '%c'", name, type);
		return NULL;
	}
	if (n_cols == 0 || (s->n_atoms && n_cols > ((size_t)-1) / 16 / s->n_atoms)) {
		cewb_error_set(err, CEWB_EINVAL, "array '%s': bad column count %zu", name, n_cols);
		return NULL;
	}
	m = s->n_atoms * n_cols;
	a.name = strdup(name);
	a.type = type;
	a.n_cols = n_cols;
	if (type == 'S') {
		a.str = calloc(m ? m : 1, sizeof *a.str);
		if (a.str)
			for (i = 0; i < m; i++)
				if (!(a.str[i] = calloc(1, 1)))
					break;
	} else {
		a.real = calloc(m ? m : 1, sizeof *a.real);
	}
	if (!a.name || (type == 'S' ? (!a.str || i < m) : !a.real)) {
		array_clear(&a, s->n_atoms);
		cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < s->n_arrays; i++)
		if (strcmp(s->arrays[i].name, name) == 0) {
			array_clear(&s->arrays[i], s->n_atoms);
			s->arrays[i] = a;
			return &s->arrays[i];
		}
	na = realloc(s->arrays, (s->n_arrays + 1) * sizeof *na);
	if (!na) {
		array_clear(&a, s->n_atoms);
		cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		return NULL;
	}
	s->arrays = na;
	s->arrays[s->n_arrays] = a;
	return &s->arrays[s->n_arrays++];
}

/* Cell volume a . (b x c) (signed: negative for a left-handed cell). */
double cewb_cell_volume(const double cell[3][3])
{
	const double *a = cell[0], *b = cell[1], *c = cell[2];
	return a[0] * (b[1] * c[2] - b[2] * c[1])
	     + a[1] * (b[2] * c[0] - b[0] * c[2])
	     + a[2] * (b[0] * c[1] - b[1] * c[0]);
}

/* Inverse of a cell (rows), by the adjugate; CEWB_EINVAL when singular, i.e.
 * when |det| is at most 1e-12 of |a||b||c| (a relative test, so it does not
 * depend on the unit of length). */
cewb_status cewb_cell_inverse(const double cell[3][3], double inv[3][3], cewb_error *err)
{
	const double (*m)[3] = cell;
	double det = cewb_cell_volume(cell), scale = 1.0, r[3][3];
	int i, j;

	for (i = 0; i < 3; i++)
		scale *= sqrt(m[i][0] * m[i][0] + m[i][1] * m[i][1] + m[i][2] * m[i][2]);
	if (!(fabs(det) > 1e-12 * scale) || !isfinite(det))
		CEWB_RAISE(err, CEWB_EINVAL, "singular cell (volume %g)", det);
	r[0][0] = m[1][1] * m[2][2] - m[1][2] * m[2][1];
	r[0][1] = m[0][2] * m[2][1] - m[0][1] * m[2][2];
	r[0][2] = m[0][1] * m[1][2] - m[0][2] * m[1][1];
	r[1][0] = m[1][2] * m[2][0] - m[1][0] * m[2][2];
	r[1][1] = m[0][0] * m[2][2] - m[0][2] * m[2][0];
	r[1][2] = m[0][2] * m[1][0] - m[0][0] * m[1][2];
	r[2][0] = m[1][0] * m[2][1] - m[1][1] * m[2][0];
	r[2][1] = m[0][1] * m[2][0] - m[0][0] * m[2][1];
	r[2][2] = m[0][0] * m[1][1] - m[0][1] * m[1][0];
	for (i = 0; i < 3; i++)
		for (j = 0; j < 3; j++)
			inv[i][j] = r[i][j] / det;
	return CEWB_OK;
}

/* Fractional coordinates of a Cartesian position: frac = pos * inv. */
void cewb_cart_to_frac(const double inv[3][3], const double pos[3], double frac[3])
{
	double f[3];
	int j;

	for (j = 0; j < 3; j++)
		f[j] = pos[0] * inv[0][j] + pos[1] * inv[1][j] + pos[2] * inv[2][j];
	frac[0] = f[0];
	frac[1] = f[1];
	frac[2] = f[2];
}

/* Cartesian position of fractional coordinates: pos = frac * cell. */
void cewb_frac_to_cart(const double cell[3][3], const double frac[3], double pos[3])
{
	double p[3];
	int j;

	for (j = 0; j < 3; j++)
		p[j] = frac[0] * cell[0][j] + frac[1] * cell[1][j] + frac[2] * cell[2][j];
	pos[0] = p[0];
	pos[1] = p[1];
	pos[2] = p[2];
}
