/*
 * src/plot/buf.h - a growing text buffer for gnuplot scripts and tables
 * (internal to src/plot).  A failed allocation sets the failed flag and
 * turns every later append into a no-op, so callers check once at the end.
 */
#ifndef PLOT_BUF_H
#define PLOT_BUF_H

#include <stddef.h>

typedef struct {
	char *s;     /* NUL-terminated text, NULL until the first append */
	size_t len;  /* bytes used, without the NUL */
	size_t cap;  /* bytes allocated */
	int failed;  /* an allocation failed; the contents are incomplete */
} plot_buf;

/* Append n bytes of text. */
void plot_buf_add(plot_buf *b, const char *text, size_t n);

/* Append a NUL-terminated string. */
void plot_buf_puts(plot_buf *b, const char *text);

/* Append printf-style text (numbers here follow the C locale's %d only). */
void plot_buf_printf(plot_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Append x as %.10g with a '.' decimal point whatever the locale; NaN as NaN. */
void plot_buf_num(plot_buf *b, double x);

/* Append text as a gnuplot single-quoted string (see plot_gp_quote). */
void plot_buf_quote(plot_buf *b, const char *text);

/* Hand the text over to the caller (NULL when empty or failed) and reset b. */
char *plot_buf_take(plot_buf *b);

/* Free the text and reset b. */
void plot_buf_release(plot_buf *b);

#endif
