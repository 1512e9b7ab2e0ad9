/*
 * src/core/io_util.h - private helpers shared by the structure readers and
 * writers (extended XYZ, POSCAR).  Not installed; not part of the API.
 *
 * Numbers are read and written in the "C" locale whatever LC_NUMERIC the
 * program has set: the readers and writers switch the calling thread to a
 * "C" numeric locale with uselocale() for the duration of the call.
 */
#ifndef CEWB_IO_UTIL_H
#define CEWB_IO_UTIL_H

#include <locale.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include "cewb/structure.h"

/* Largest |coordinate| (Å) accepted in a position or cell entry. */
#define CEWB_IO_MAX_COORD 1e6

/* Room for any number written by cewb_io_format_real. */
#define CEWB_IO_REAL_MAX 40

/* Read a whole file into a NUL-terminated buffer (caller frees *data). */
/* Raise code with "NAME: frame F, line L: MESSAGE" (a reader's error). */
cewb_status cewb_io_fail_at(cewb_error *err, cewb_status code, const char *name, size_t frame,
			    size_t line, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

cewb_status cewb_io_slurp_path(const char *path, char **data, size_t *len, cewb_error *err);
/* Read a whole stream into a NUL-terminated buffer (caller frees *data). */
cewb_status cewb_io_slurp_stream(FILE *fp, const char *name, char **data, size_t *len,
				 cewb_error *err);

/* Shortest decimal text that reads back as exactly v; always has '.', 'e',
 * "nan" or "inf" so it is never mistaken for an integer.  buf holds
 * CEWB_IO_REAL_MAX bytes.  Needs the "C" numeric locale. */
void cewb_io_format_real(double v, char *buf);

/* Length of the number at s (decimal, optional sign, fraction, exponent;
 * also nan, inf, infinity in any case when allow_special), 0 when s does not
 * start with one.  *is_int is set to 1 for a plain [+-]digits integer. */
size_t cewb_io_scan_number(const char *s, int allow_special, int *is_int);

/* Parse the number at s (same syntax as cewb_io_scan_number) into *v,
 * exactly as strtod in the "C" locale; returns its length, 0 if none. */
size_t cewb_io_parse_real(const char *s, int allow_special, double *v);

/* Whether the periodic directions of cell are degenerate (zero length or
 * linearly dependent vectors along directions with pbc set). */
int cewb_io_cell_degenerate(const double cell[3][3], const int pbc[3]);

/* Switch the calling thread to the "C" numeric locale; returns the token to
 * give cewb_io_locale_pop (may be (locale_t)0 if switching failed). */
locale_t cewb_io_locale_push(locale_t *c_locale);
/* Restore the locale saved by cewb_io_locale_push. */
void cewb_io_locale_pop(locale_t saved, locale_t c_locale);

/* An atomic output file: written to a temporary file beside path, then
 * flushed, fsync'ed and renamed over path by cewb_io_atomic_commit. */
typedef struct {
	FILE *fp;
	char *tmp;        /* temporary file name */
	const char *path; /* final name */
} cewb_io_atomic;

/* Create the temporary file for path. */
cewb_status cewb_io_atomic_open(cewb_io_atomic *a, const char *path, cewb_error *err);
/* Flush, fsync, close and rename the temporary file to the final name. */
cewb_status cewb_io_atomic_commit(cewb_io_atomic *a, cewb_error *err);
/* Close and remove the temporary file (after an error). */
void cewb_io_atomic_abort(cewb_io_atomic *a);

/* Parse a POSCAR held in a NUL-terminated buffer (modified in place). */
cewb_status cewb_poscar_parse(char *data, size_t len, const char *name,
			      const char *species_hint, cewb_structure **out,
			      cewb_error *err);
/* Parse extended XYZ frames held in a NUL-terminated buffer (modified). */
cewb_status cewb_extxyz_parse(char *data, size_t len, const char *name, cewb_frames *out,
			      cewb_error *err);

#endif
