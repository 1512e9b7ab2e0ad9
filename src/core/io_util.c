/* Helpers shared by the structure readers and writers: whole-file reads,
 * number scanning and formatting, cell checks, atomic file replacement. */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "io_util.h"

/* Read everything from fp into a NUL-terminated malloc'ed buffer. */
static cewb_status slurp(FILE *fp, const char *name, char **data, size_t *len,
			 cewb_error *err)
{
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		CEWB_RAISE(err, CEWB_ENOMEM, "%s: out of memory", name);
	for (;;) {
		size_t got;
		if (cap - n < 2) {
			char *nb;
			if (cap > ((size_t)-1) / 2) {
				free(buf);
				CEWB_RAISE(err, CEWB_ENOMEM, "%s: file too large", name);
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				CEWB_RAISE(err, CEWB_ENOMEM, "%s: out of memory", name);
			}
			buf = nb;
			cap *= 2;
		}
		got = fread(buf + n, 1, cap - n - 1, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		free(buf);
		CEWB_RAISE(err, CEWB_EIO, "%s: read error", name);
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return CEWB_OK;
}

/* Read a whole file into a NUL-terminated buffer (caller frees *data). */
cewb_status cewb_io_slurp_path(const char *path, char **data, size_t *len, cewb_error *err)
{
	FILE *fp;
	cewb_status st;
	struct stat sb;

	fp = fopen(path, "rb");
	if (!fp)
		CEWB_RAISE(err, CEWB_EIO, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(fp);
		CEWB_RAISE(err, CEWB_EIO, "cannot read '%s': is a directory", path);
	}
	st = slurp(fp, path, data, len, err);
	fclose(fp);
	return st;
}

/* Read a whole stream into a NUL-terminated buffer (caller frees *data). */
cewb_status cewb_io_slurp_stream(FILE *fp, const char *name, char **data, size_t *len,
				 cewb_error *err)
{
	return slurp(fp, name, data, len, err);
}

/* Shortest decimal text that reads back as exactly v (see io_util.h). */
void cewb_io_format_real(double v, char *buf)
{
	int p;

	if (isnan(v)) {
		strcpy(buf, "nan");
		return;
	}
	if (isinf(v)) {
		strcpy(buf, v < 0 ? "-inf" : "inf");
		return;
	}
	/* For normal numbers, %.15g already gives the shortest form when it has
	 * at most 15 digits (it rounds to the same decimal, and %g drops the
	 * trailing zeros); subnormals have fewer bits, so try from 1 digit. */
	for (p = fabs(v) < DBL_MIN ? 1 : 15; p <= 17; p++) {
		snprintf(buf, CEWB_IO_REAL_MAX, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (!strpbrk(buf, ".e"))
		strcat(buf, ".0");
}

/* Case-insensitive match of word at s; returns its length or 0. */
static size_t match_word(const char *s, const char *word)
{
	size_t i;
	for (i = 0; word[i]; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != word[i])
			return 0;
	}
	return i;
}

/* Length of the number at s (see io_util.h). */
size_t cewb_io_scan_number(const char *s, int allow_special, int *is_int)
{
	const char *p = s;
	size_t nd = 0, nf = 0;

	*is_int = 0;
	if (*p == '+' || *p == '-')
		p++;
	if (allow_special) {
		size_t k = match_word(p, "infinity");
		if (!k)
			k = match_word(p, "inf");
		if (!k)
			k = match_word(p, "nan");
		if (k)
			return (size_t)(p - s) + k;
	}
	while (*p >= '0' && *p <= '9') {
		p++;
		nd++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			nf++;
		}
		if (nd + nf == 0)
			return 0;
	} else if (nd == 0) {
		return 0;
	} else if (*p != 'e' && *p != 'E') {
		*is_int = 1;
		return (size_t)(p - s);
	}
	if (*p == 'e' || *p == 'E') {
		const char *q = p + 1;
		size_t ne = 0;
		if (*q == '+' || *q == '-')
			q++;
		while (*q >= '0' && *q <= '9') {
			q++;
			ne++;
		}
		if (ne)
			p = q;
	}
	return (size_t)(p - s);
}

/* Parse the number at s (as cewb_io_scan_number) into *v; returns its
 * length, 0 when s does not start with a number.  Short decimals take an
 * exact fast path (Clinger): a mantissa below 2^53 and a power of ten up to
 * 1e22 are both exact doubles, so one IEEE multiplication or division gives
 * the correctly rounded value, the same as strtod.  Anything else goes to
 * strtod (in the "C" locale). */
size_t cewb_io_parse_real(const char *s, int allow_special, double *v)
{
	static const double p10[23] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
	};
	const char *p = s;
	unsigned long long m = 0;
	int neg = 0, nd = 0, nf = 0, e = 0, eneg = 0, ne = 0, is_int;
	size_t len;

	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	while (*p >= '0' && *p <= '9') {
		if (nd < 19)
			m = m * 10 + (unsigned)(*p - '0');
		nd++;
		p++;
	}
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (nd < 19)
				m = m * 10 + (unsigned)(*p - '0');
			nd++;
			nf++;
			p++;
		}
	}
	if (nd > 0 && (*p == 'e' || *p == 'E')) {
		const char *q = p + 1;
		if (*q == '+' || *q == '-')
			eneg = *q++ == '-';
		while (*q >= '0' && *q <= '9') {
			if (e < 10000)
				e = e * 10 + (*q - '0');
			ne++;
			q++;
		}
		if (ne)
			p = q;
		else
			e = 0;
	}
	if (nd > 0 && nd < 19 && m <= (1ULL << 53)) {
		int e10 = (eneg ? -e : e) - nf;
		if (e10 >= -22 && e10 <= 22) {
			double d = (double)m;
			d = e10 < 0 ? d / p10[-e10] : d * p10[e10];
			*v = neg ? -d : d;
			return (size_t)(p - s);
		}
	}
	len = cewb_io_scan_number(s, allow_special, &is_int);
	if (len)
		*v = strtod(s, NULL);
	return len;
}

static double norm3(const double v[3])
{
	return sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}

static void cross3(const double a[3], const double b[3], double c[3])
{
	c[0] = a[1] * b[2] - a[2] * b[1];
	c[1] = a[2] * b[0] - a[0] * b[2];
	c[2] = a[0] * b[1] - a[1] * b[0];
}

/* Whether the periodic directions of cell are degenerate.  "Degenerate"
 * means the measure (length, area or volume) spanned by the periodic vectors
 * is below 1e-10 of the product of their lengths: far below any real cell,
 * far above rounding noise of a genuine zero. */
int cewb_io_cell_degenerate(const double cell[3][3], const int pbc[3])
{
	const double rel = 1e-10;
	int idx[3], n = 0, i;
	double prod = 1.0, measure;

	for (i = 0; i < 3; i++)
		if (pbc[i])
			idx[n++] = i;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		double l = norm3(cell[idx[i]]);
		if (l == 0.0)
			return 1;
		prod *= l;
	}
	if (n == 1)
		return 0;
	if (n == 2) {
		double c[3];
		cross3(cell[idx[0]], cell[idx[1]], c);
		measure = norm3(c);
	} else {
		measure = fabs(cewb_cell_volume(cell));
	}
	return !(measure > rel * prod);
}

/* Switch the calling thread to the "C" numeric locale. */
locale_t cewb_io_locale_push(locale_t *c_locale)
{
	*c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (*c_locale == (locale_t)0)
		return (locale_t)0;
	return uselocale(*c_locale);
}

/* Restore the locale saved by cewb_io_locale_push. */
void cewb_io_locale_pop(locale_t saved, locale_t c_locale)
{
	if (c_locale == (locale_t)0)
		return;
	if (saved != (locale_t)0)
		uselocale(saved);
	freelocale(c_locale);
}

/* Create the temporary file for path: "<path>.tmp.<pid>.<n>" in the same
 * directory (so rename is atomic), created exclusively with mode 0666 less
 * the umask, like any new file. */
cewb_status cewb_io_atomic_open(cewb_io_atomic *a, const char *path, cewb_error *err)
{
	static _Atomic unsigned counter; /* distinct names for concurrent writers */
	size_t len = strlen(path) + 64;
	int attempt, fd = -1;

	a->fp = NULL;
	a->path = path;
	a->tmp = malloc(len);
	if (!a->tmp)
		CEWB_RAISE(err, CEWB_ENOMEM, "%s: out of memory", path);
	for (attempt = 0; attempt < 100; attempt++) {
		snprintf(a->tmp, len, "%s.tmp.%ld.%u", path, (long)getpid(), counter++);
		fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
		if (fd >= 0 || errno != EEXIST)
			break;
	}
	if (fd < 0) {
		int e = errno;
		free(a->tmp);
		a->tmp = NULL;
		CEWB_RAISE(err, CEWB_EIO, "cannot write '%s': %s", path, strerror(e));
	}
	a->fp = fdopen(fd, "w");
	if (!a->fp) {
		int e = errno;
		close(fd);
		unlink(a->tmp);
		free(a->tmp);
		a->tmp = NULL;
		CEWB_RAISE(err, CEWB_EIO, "cannot write '%s': %s", path, strerror(e));
	}
	return CEWB_OK;
}

/* Flush, fsync, close and rename the temporary file to the final name. */
cewb_status cewb_io_atomic_commit(cewb_io_atomic *a, cewb_error *err)
{
	int e = 0;

	if (fflush(a->fp) != 0 || ferror(a->fp))
		e = errno ? errno : EIO;
	if (!e && fsync(fileno(a->fp)) != 0)
		e = errno;
	if (fclose(a->fp) != 0 && !e)
		e = errno ? errno : EIO;
	a->fp = NULL;
	if (!e && rename(a->tmp, a->path) != 0)
		e = errno;
	if (e) {
		unlink(a->tmp);
		free(a->tmp);
		a->tmp = NULL;
		CEWB_RAISE(err, CEWB_EIO, "cannot write '%s': %s", a->path, strerror(e));
	}
	free(a->tmp);
	a->tmp = NULL;
	return CEWB_OK;
}

/* Close and remove the temporary file (after an error). */
void cewb_io_atomic_abort(cewb_io_atomic *a)
{
	if (a->fp)
		fclose(a->fp);
	a->fp = NULL;
	if (a->tmp) {
		unlink(a->tmp);
		free(a->tmp);
	}
	a->tmp = NULL;
}

cewb_status cewb_io_fail_at(cewb_error *err, cewb_status code, const char *name, size_t frame,
			    size_t line, const char *fmt, va_list ap)
{
	char msg[CEWB_ERROR_MAX];
	vsnprintf(msg, sizeof msg, fmt, ap);
	return cewb_error_set(err, code, "%s: frame %zu, line %zu: %s", name, frame, line, msg);
}
