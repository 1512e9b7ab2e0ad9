/* src/plot/buf.c - the growing text buffer of the plot module. */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "plot.h"

/* Make room for n more bytes plus the NUL; returns 0 when that failed. */
static int buf_reserve(plot_buf *b, size_t n)
{
	size_t want, cap;
	char *s;

	if (b->failed)
		return 0;
	want = b->len + n + 1;
	if (want <= b->cap)
		return 1;
	cap = b->cap ? b->cap : 256;
	while (cap < want)
		cap *= 2;
	s = realloc(b->s, cap);
	if (!s) {
		b->failed = 1;
		return 0;
	}
	b->s = s;
	b->cap = cap;
	return 1;
}

/* Append n bytes of text. */
void plot_buf_add(plot_buf *b, const char *text, size_t n)
{
	if (!buf_reserve(b, n))
		return;
	memcpy(b->s + b->len, text, n);
	b->len += n;
	b->s[b->len] = '\0';
}

/* Append a NUL-terminated string. */
void plot_buf_puts(plot_buf *b, const char *text)
{
	plot_buf_add(b, text, strlen(text));
}

/* Append printf-style text. */
void plot_buf_printf(plot_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* Append x as %.10g with a '.' decimal point whatever the locale. */
void plot_buf_num(plot_buf *b, double x)
{
	char tmp[64], out[64];
	const char *dp = localeconv()->decimal_point;
	size_t dpn = dp ? strlen(dp) : 0, i = 0, j = 0;

	if (isnan(x)) {
		plot_buf_puts(b, "NaN");
		return;
	}
	if (isinf(x)) {
		plot_buf_puts(b, x > 0 ? "Inf" : "-Inf");
		return;
	}
	snprintf(tmp, sizeof tmp, "%.10g", x);
	/* A locale may use a comma (or several bytes) as decimal point. */
	while (tmp[i] && j < sizeof out - 1) {
		if (dpn && strncmp(tmp + i, dp, dpn) == 0) {
			out[j++] = '.';
			i += dpn;
		} else {
			out[j++] = tmp[i++];
		}
	}
	out[j] = '\0';
	plot_buf_puts(b, out);
}

/* Append text as a gnuplot single-quoted string. */
void plot_buf_quote(plot_buf *b, const char *text)
{
	size_t n = plot_gp_quote(NULL, 0, text);

	if (!buf_reserve(b, n))
		return;
	plot_gp_quote(b->s + b->len, n + 1, text);
	b->len += n;
}

/* Hand the text over to the caller and reset b. */
char *plot_buf_take(plot_buf *b)
{
	char *s = b->failed ? NULL : b->s;

	if (b->failed)
		free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
	return s;
}

/* Free the text and reset b. */
void plot_buf_release(plot_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
