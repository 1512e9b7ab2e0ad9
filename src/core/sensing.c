/*
 * sensing.c - diagnostics of the sensing matrix (rank, conditioning,
 * correlations, duplicates, leverage) and export of X and y.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cblas.h>
#include <jansson.h>
#include <lapacke.h>

#include "cewb/sensing.h"

/* Default options, documented in sensing.h. */
void cewb_sensing_options_default(cewb_sensing_options *opt)
{
	opt->rank_tol = 0.0;
	opt->const_tol = 1e-12;
	opt->dup_tol = 1e-10;
	opt->near_tol = 1e-3;
	opt->max_top = 10;
	opt->max_pairs = 100;
	opt->want_correlation = 1;
}

/* Free what cewb_sensing_compute allocated and zero the struct. */
void cewb_sensing_release(cewb_sensing *s)
{
	if (!s)
		return;
	free(s->singular_values);
	free(s->correlation);
	free(s->top);
	free(s->constant);
	free(s->pairs);
	free(s->leverage);
	free(s->by_leverage);
	memset(s, 0, sizeof(*s));
}

/* Check that every entry of X is finite; name the first one that is not. */
static cewb_status check_finite(const double *X, size_t n, size_t p, cewb_error *err)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < p; j++)
			if (!isfinite(X[i * p + j]))
				CEWB_RAISE(err, CEWB_EINVAL,
					   "sensing matrix entry at row %zu, column %zu is not finite",
					   i, j);
	return CEWB_OK;
}

/* Rank threshold: singular values above it count. */
static double rank_threshold(const double *s, size_t k, size_t n, size_t p, double rank_tol)
{
	double smax = k ? s[0] : 0.0;
	if (rank_tol > 0)
		return rank_tol * smax;
	return (double)(n > p ? n : p) * DBL_EPSILON * smax;
}

/*
 * Thin SVD of X (destroying the copy a): singular values s (k = min(n, p)),
 * and vt = the transposed left singular vectors of X, k x n, column-major
 * (element (l, i) at vt[l + i * k]).  X row-major n x p is the column-major
 * p x n matrix X^T, whose right singular vectors are X's left ones.
 */
static cewb_status thin_svd(double *a, size_t n, size_t p, double *s, double *vt,
			    cewb_error *err)
{
	size_t k = n < p ? n : p;
	double *u = malloc(sizeof(double) * p * k);
	if (!u)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for the svd of a %zu x %zu matrix",
			   n, p);
	lapack_int info = LAPACKE_dgesdd(LAPACK_COL_MAJOR, 'S', (lapack_int)p, (lapack_int)n,
					 a, (lapack_int)p, s, u, (lapack_int)p, vt,
					 (lapack_int)k);
	free(u);
	if (info > 0)
		CEWB_RAISE(err, CEWB_ENUMERIC, "svd of the %zu x %zu sensing matrix did not converge",
			   n, p);
	if (info < 0)
		CEWB_RAISE(err, CEWB_ENOMEM, "svd of the %zu x %zu sensing matrix failed (%d)",
			   n, p, (int)info);
	return CEWB_OK;
}

/* Leverage of each row from the transposed left singular vectors. */
static void leverage_from_vt(const double *vt, size_t n, size_t k, size_t rank, double *h)
{
	for (size_t i = 0; i < n; i++) {
		double sum = 0.0;
		for (size_t l = 0; l < rank; l++)
			sum += vt[l + i * k] * vt[l + i * k];
		h[i] = sum;
	}
}

/* Leverage alone, see sensing.h. */
cewb_status cewb_sensing_leverage(const double *X, size_t n_rows, size_t n_cols,
				  double rank_tol, double *h, size_t *rank, cewb_error *err)
{
	if (n_rows == 0 || n_cols == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "sensing matrix is empty (%zu x %zu)", n_rows, n_cols);
	cewb_status st = check_finite(X, n_rows, n_cols, err);
	if (st)
		return st;
	size_t k = n_rows < n_cols ? n_rows : n_cols;
	double *a = malloc(sizeof(double) * n_rows * n_cols);
	double *s = malloc(sizeof(double) * k);
	double *vt = malloc(sizeof(double) * k * n_rows);
	if (!a || !s || !vt) {
		free(a), free(s), free(vt);
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for the leverage of %zu rows", n_rows);
	}
	memcpy(a, X, sizeof(double) * n_rows * n_cols);
	st = thin_svd(a, n_rows, n_cols, s, vt, err);
	if (!st) {
		double thr = rank_threshold(s, k, n_rows, n_cols, rank_tol);
		size_t r = 0;
		while (r < k && s[r] > thr)
			r++;
		leverage_from_vt(vt, n_rows, k, r, h);
		if (rank)
			*rank = r;
	}
	free(a), free(s), free(vt);
	return st;
}

/* Order of rows by leverage, descending (ties by index). */
static const double *sort_key;
static int by_key_desc(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	if (sort_key[a] > sort_key[b])
		return -1;
	if (sort_key[a] < sort_key[b])
		return 1;
	return a < b ? -1 : a > b;
}

/* Pair order: larger |r| first, then by (a, b). */
static int corr_cmp(const cewb_sensing_corr *x, const cewb_sensing_corr *y)
{
	double ax = fabs(x->r), ay = fabs(y->r);
	if (ax > ay)
		return -1;
	if (ax < ay)
		return 1;
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return x->b < y->b ? -1 : x->b > y->b;
}

/* Duplicate order: exact first, then smaller rms, then by (a, b). */
static int dup_cmp(const void *pa, const void *pb)
{
	const cewb_sensing_dup *x = pa, *y = pb;
	if (x->exact != y->exact)
		return x->exact ? -1 : 1;
	if (x->rms < y->rms)
		return -1;
	if (x->rms > y->rms)
		return 1;
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return x->b < y->b ? -1 : x->b > y->b;
}

/*
 * Column statistics and correlations: a = X centred (overwritten),
 * corr = a^T a normalised (n_cols x n_cols), constant columns marked.
 */
static void correlations(double *a, size_t n, size_t p, double const_tol, double *corr,
			 int *is_const)
{
	for (size_t j = 0; j < p; j++) {
		double mean = 0.0;
		for (size_t i = 0; i < n; i++)
			mean += a[i * p + j];
		mean /= (double)n;
		for (size_t i = 0; i < n; i++)
			a[i * p + j] -= mean;
	}
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (blasint)p, (blasint)n, 1.0, a,
		    (blasint)p, 0.0, corr, (blasint)p);
	for (size_t j = 0; j < p; j++)
		is_const[j] = sqrt(fmax(corr[j * p + j], 0.0) / (double)n) <= const_tol;
	/* normalise the strict upper triangle first, while the diagonal holds
	 * the sums of squares */
	for (size_t j = 0; j < p; j++) {
		for (size_t l = p; l-- > j;) {
			double r;
			if (is_const[j] || is_const[l])
				r = NAN;
			else if (j == l)
				r = 1.0;
			else
				r = corr[j * p + l] / sqrt(corr[j * p + j] * corr[l * p + l]);
			if (!isnan(r))
				r = fmax(-1.0, fmin(1.0, r));
			corr[j * p + l] = r;
		}
	}
	for (size_t j = 0; j < p; j++)
		for (size_t l = 0; l < j; l++)
			corr[j * p + l] = corr[l * p + j];
}

/* Keep the max_top most correlated pairs of non-constant columns. */
static cewb_status top_pairs(const double *corr, size_t p, size_t max_top, cewb_sensing *out,
			     cewb_error *err)
{
	if (max_top == 0 || p < 2)
		return CEWB_OK;
	out->top = malloc(sizeof(*out->top) * max_top);
	if (!out->top)
		CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for the correlation list");
	size_t n = 0;
	for (size_t a = 0; a < p; a++) {
		for (size_t b = a + 1; b < p; b++) {
			double r = corr[a * p + b];
			if (isnan(r))
				continue;
			cewb_sensing_corr c = { a, b, r };
			if (n == max_top && corr_cmp(&c, &out->top[n - 1]) >= 0)
				continue;
			size_t i = n < max_top ? n++ : n - 1;
			while (i > 0 && corr_cmp(&c, &out->top[i - 1]) < 0) {
				out->top[i] = out->top[i - 1];
				i--;
			}
			out->top[i] = c;
		}
	}
	out->n_top = n;
	return CEWB_OK;
}

/* Deterministic pseudo-random unit vector (xorshift), for projections. */
static void random_unit(double *v, size_t p, unsigned long long seed)
{
	unsigned long long x = seed * 0x9E3779B97F4A7C15ULL + 1;
	double norm = 0.0;
	for (size_t j = 0; j < p; j++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v[j] = (double)(x >> 11) / 9007199254740992.0 - 0.5;
		norm += v[j] * v[j];
	}
	norm = sqrt(norm);
	for (size_t j = 0; j < p; j++)
		v[j] = norm > 0 ? v[j] / norm : 1.0;
}

/* Append a duplicate pair, sorting and truncating the buffer when it is full. */
static cewb_status push_pair(cewb_sensing *out, size_t *cap, size_t max_pairs,
			     cewb_sensing_dup d, cewb_error *err)
{
	if (max_pairs == 0)
		return CEWB_OK;
	if (out->n_pairs == *cap) {
		if (*cap >= 2 * max_pairs + 1024) {
			qsort(out->pairs, out->n_pairs, sizeof(*out->pairs), dup_cmp);
			out->n_pairs = max_pairs;
		} else {
			size_t nc = *cap ? 2 * *cap : 64;
			cewb_sensing_dup *np = realloc(out->pairs, sizeof(*np) * nc);
			if (!np)
				CEWB_RAISE(err, CEWB_ENOMEM, "out of memory for duplicate rows");
			out->pairs = np;
			*cap = nc;
		}
	}
	out->pairs[out->n_pairs++] = d;
	return CEWB_OK;
}

/*
 * Duplicate and near-duplicate rows.  Rows are sorted by their projection
 * on a fixed pseudo-random unit vector; two rows closer than the tolerance
 * differ by no more than that in every projection, so only neighbours in
 * that order (and in two more projections) are compared in full.
 */
static cewb_status duplicates(const double *X, size_t n, size_t p,
			      const cewb_sensing_options *opt, cewb_sensing *out,
			      cewb_error *err)
{
	double tol = fmax(opt->near_tol, opt->dup_tol);
	double thr = tol * sqrt((double)p);
	double *dir = malloc(sizeof(double) * p * 3);
	double *proj = malloc(sizeof(double) * n * 3);
	size_t *order = malloc(sizeof(size_t) * n);
	cewb_status st = CEWB_OK;
	size_t cap = 0;
	if (!dir || !proj || !order) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for duplicate rows");
		goto done;
	}
	for (int d = 0; d < 3; d++)
		random_unit(dir + d * p, p, (unsigned long long)d + 12345);
	/* proj (n x 3) = X (n x p) * dir^T (p x 3) */
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)n, 3, (blasint)p, 1.0, X,
		    (blasint)p, dir, (blasint)p, 0.0, proj, 3);
	double *key = malloc(sizeof(double) * n);
	if (!key) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory for duplicate rows");
		goto done;
	}
	for (size_t i = 0; i < n; i++) {
		key[i] = -proj[3 * i];
		order[i] = i;
	}
	sort_key = key;
	qsort(order, n, sizeof(size_t), by_key_desc); /* ascending projection */
	free(key);
	for (size_t oi = 0; oi < n && !st; oi++) {
		size_t i = order[oi];
		for (size_t oj = oi + 1; oj < n && !st; oj++) {
			size_t j = order[oj];
			if (proj[3 * j] - proj[3 * i] > thr)
				break;
			if (fabs(proj[3 * j + 1] - proj[3 * i + 1]) > thr ||
			    fabs(proj[3 * j + 2] - proj[3 * i + 2]) > thr)
				continue;
			double d2 = 0.0;
			for (size_t c = 0; c < p; c++) {
				double d = X[i * p + c] - X[j * p + c];
				d2 += d * d;
			}
			double rms = sqrt(d2 / (double)p);
			if (rms > tol)
				continue;
			cewb_sensing_dup dp = { i < j ? i : j, i < j ? j : i, rms,
						rms <= opt->dup_tol };
			if (dp.exact)
				out->n_duplicates++;
			else
				out->n_near++;
			st = push_pair(out, &cap, opt->max_pairs, dp, err);
		}
	}
	if (!st && out->n_pairs) {
		qsort(out->pairs, out->n_pairs, sizeof(*out->pairs), dup_cmp);
		if (out->n_pairs > opt->max_pairs)
			out->n_pairs = opt->max_pairs;
	}
done:
	free(dir);
	free(proj);
	free(order);
	return st;
}

/* All diagnostics of X, see sensing.h. */
cewb_status cewb_sensing_compute(const double *X, size_t n_rows, size_t n_cols,
				 const cewb_sensing_options *opt, cewb_sensing *out,
				 cewb_error *err)
{
	cewb_sensing_options def;
	if (!opt) {
		cewb_sensing_options_default(&def);
		opt = &def;
	}
	memset(out, 0, sizeof(*out));
	if (n_rows == 0 || n_cols == 0)
		CEWB_RAISE(err, CEWB_EINVAL, "sensing matrix is empty (%zu x %zu)", n_rows, n_cols);
	cewb_status st = check_finite(X, n_rows, n_cols, err);
	if (st)
		return st;
	size_t n = n_rows, p = n_cols, k = n < p ? n : p;
	out->n_rows = n;
	out->n_cols = p;
	out->n_singular = k;
	double *a = malloc(sizeof(double) * n * p);
	double *vt = malloc(sizeof(double) * k * n);
	double *corr = malloc(sizeof(double) * p * p);
	int *is_const = malloc(sizeof(int) * p);
	out->singular_values = malloc(sizeof(double) * k);
	out->leverage = malloc(sizeof(double) * n);
	out->by_leverage = malloc(sizeof(size_t) * n);
	out->constant = malloc(sizeof(size_t) * p);
	if (!a || !vt || !corr || !is_const || !out->singular_values || !out->leverage ||
	    !out->by_leverage || !out->constant) {
		st = cewb_error_set(err, CEWB_ENOMEM,
				    "out of memory for the diagnostics of a %zu x %zu matrix", n, p);
		goto fail;
	}

	/* Correlations on a centred copy; the copy is reused by the SVD. */
	memcpy(a, X, sizeof(double) * n * p);
	correlations(a, n, p, opt->const_tol, corr, is_const);
	for (size_t j = 0; j < p; j++)
		if (is_const[j])
			out->constant[out->n_constant++] = j;
	st = top_pairs(corr, p, opt->max_top, out, err);
	if (st)
		goto fail;
	if (opt->want_correlation) {
		out->correlation = corr;
		corr = NULL;
	}

	memcpy(a, X, sizeof(double) * n * p);
	st = thin_svd(a, n, p, out->singular_values, vt, err);
	if (st)
		goto fail;
	double thr = rank_threshold(out->singular_values, k, n, p, opt->rank_tol);
	while (out->rank < k && out->singular_values[out->rank] > thr)
		out->rank++;
	double smin = out->singular_values[k - 1];
	out->condition_number = (out->rank < k || smin <= 0) ? INFINITY
				: out->singular_values[0] / smin;
	leverage_from_vt(vt, n, k, out->rank, out->leverage);
	for (size_t i = 0; i < n; i++)
		out->by_leverage[i] = i;
	sort_key = out->leverage;
	qsort(out->by_leverage, n, sizeof(size_t), by_key_desc);

	st = duplicates(X, n, p, opt, out, err);
	if (st)
		goto fail;
	free(a);
	free(vt);
	free(corr);
	free(is_const);
	return CEWB_OK;
fail:
	free(a);
	free(vt);
	free(corr);
	free(is_const);
	cewb_sensing_release(out);
	return st;
}

/* ---- export ---- */

/* Does path end in .json (any case)? */
static int is_json_path(const char *path)
{
	size_t len = strlen(path);
	return len >= 5 && strcasecmp(path + len - 5, ".json") == 0;
}

/* Open a temporary file beside path; tmp receives its name. */
static FILE *open_temp(const char *path, char **tmp, cewb_error *err)
{
	size_t len = strlen(path) + 16;
	*tmp = malloc(len);
	if (!*tmp) {
		cewb_error_set(err, CEWB_ENOMEM, "out of memory writing '%s'", path);
		return NULL;
	}
	snprintf(*tmp, len, "%s.tmp%ld", path, (long)getpid());
	FILE *fp = fopen(*tmp, "w");
	if (!fp) {
		cewb_error_set(err, CEWB_EIO, "cannot write '%s': %s", path, strerror(errno));
		free(*tmp);
		*tmp = NULL;
	}
	return fp;
}

/* Close the temporary file and move it over path (or remove it on failure). */
static cewb_status close_temp(FILE *fp, char *tmp, const char *path, int failed,
			      cewb_error *err)
{
	errno = 0;
	int bad = ferror(fp) | failed;
	if (fclose(fp) != 0)
		bad = 1;
	if (!bad && rename(tmp, path) != 0)
		bad = 1;
	if (bad) {
		int e = errno;
		remove(tmp);
		free(tmp);
		CEWB_RAISE(err, CEWB_EIO, "cannot write '%s': %s", path,
			   e ? strerror(e) : "write error");
	}
	free(tmp);
	return CEWB_OK;
}

/* Write a CSV field, quoted when it holds a comma, quote or newline. */
static void csv_field(FILE *fp, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, fp);
		return;
	}
	fputc('"', fp);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

/* A JSON number, or null for a non-finite value (JSON has no NaN). */
static json_t *json_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* Dump one JSON value compactly to fp; nonzero on failure. */
static int dump(FILE *fp, json_t *v)
{
	if (!v)
		return 1;
	int r = json_dumpf(v, fp, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
	json_decref(v);
	return r != 0;
}

/* Write the "ids" array (0..n-1 when ids is NULL). */
static void dump_ids(FILE *fp, const size_t *ids, size_t n)
{
	fputs("\"ids\": [", fp);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", fp);
		fprintf(fp, "%zu", ids ? ids[i] : i);
	}
	fputs("]", fp);
}

/* Write X to CSV or JSON, see sensing.h. */
cewb_status cewb_export_matrix(const char *path, const double *X, size_t n_rows,
			       size_t n_cols, const size_t *ids,
			       const char *const *col_names, cewb_error *err)
{
	char *tmp;
	FILE *fp = open_temp(path, &tmp, err);
	if (!fp)
		return err ? err->code : CEWB_EIO;
	char name[32];
	int bad = 0;
	if (is_json_path(path)) {
		fputs("{\"columns\": [", fp);
		for (size_t j = 0; j < n_cols && !bad; j++) {
			if (j)
				fputs(", ", fp);
			snprintf(name, sizeof(name), "c%zu", j);
			bad |= dump(fp, json_string(col_names ? col_names[j] : name));
		}
		fputs("],\n", fp);
		dump_ids(fp, ids, n_rows);
		fputs(",\n\"X\": [", fp);
		for (size_t i = 0; i < n_rows && !bad; i++) {
			json_t *row = json_array();
			for (size_t j = 0; j < n_cols && row; j++)
				if (json_array_append_new(row, json_num(X[i * n_cols + j])))
					bad = 1;
			fputs(i ? ",\n" : "\n", fp);
			bad |= dump(fp, row);
		}
		fputs("\n]}\n", fp);
	} else {
		fputs("id", fp);
		for (size_t j = 0; j < n_cols; j++) {
			fputc(',', fp);
			snprintf(name, sizeof(name), "c%zu", j);
			csv_field(fp, col_names ? col_names[j] : name);
		}
		fputc('\n', fp);
		for (size_t i = 0; i < n_rows; i++) {
			fprintf(fp, "%zu", ids ? ids[i] : i);
			for (size_t j = 0; j < n_cols; j++)
				fprintf(fp, ",%.17g", X[i * n_cols + j]);
			fputc('\n', fp);
		}
	}
	return close_temp(fp, tmp, path, bad, err);
}

/* Write y (and weights) to CSV or JSON, see sensing.h. */
cewb_status cewb_export_vector(const char *path, const double *y, const double *w,
			       size_t n_rows, const size_t *ids, cewb_error *err)
{
	char *tmp;
	FILE *fp = open_temp(path, &tmp, err);
	if (!fp)
		return err ? err->code : CEWB_EIO;
	int bad = 0;
	if (is_json_path(path)) {
		fputs("{", fp);
		dump_ids(fp, ids, n_rows);
		fputs(",\n\"y\": [", fp);
		for (size_t i = 0; i < n_rows && !bad; i++) {
			if (i)
				fputs(", ", fp);
			bad |= dump(fp, json_num(y[i]));
		}
		fputs("]", fp);
		if (w) {
			fputs(",\n\"weights\": [", fp);
			for (size_t i = 0; i < n_rows && !bad; i++) {
				if (i)
					fputs(", ", fp);
				bad |= dump(fp, json_num(w[i]));
			}
			fputs("]", fp);
		}
		fputs("}\n", fp);
	} else {
		fputs(w ? "id,y,weight\n" : "id,y\n", fp);
		for (size_t i = 0; i < n_rows; i++) {
			fprintf(fp, "%zu,%.17g", ids ? ids[i] : i, y[i]);
			if (w)
				fprintf(fp, ",%.17g", w[i]);
			fputc('\n', fp);
		}
	}
	return close_temp(fp, tmp, path, bad, err);
}
