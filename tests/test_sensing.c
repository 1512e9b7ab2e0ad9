/*
 * test_sensing.c - diagnostics of sensing matrices with known rank,
 * correlations, duplicates and leverage; export of X and y.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cewb/sensing.h"
#include "tap.h"

/*
 * Tolerances: the matrices are tiny and well scaled, so LAPACK results agree
 * with the exact values to a few ulps times the dimension; 1e-12 leaves a
 * wide margin while still catching any formula error.
 */
#define TOL 1e-12

/* An orthogonal 4 x 3 design (Hadamard columns): singular values 2, 2, 2,
 * leverage p/n = 3/4 for every row. */
static void test_orthogonal(void)
{
	const double X[] = { 1, 1, 1, 1, -1, 1, 1, 1, -1, 1, -1, -1 };
	cewb_sensing s;
	cewb_error err;
	ok(cewb_sensing_compute(X, 4, 3, NULL, &s, &err) == CEWB_OK, "orthogonal: computed");
	is_int(4, (long)s.n_rows, "orthogonal: rows");
	is_int(3, (long)s.n_cols, "orthogonal: columns");
	is_int(3, (long)s.rank, "orthogonal: rank 3");
	for (int k = 0; k < 3; k++)
		is_double(2.0, s.singular_values[k], TOL, "orthogonal: singular value 2");
	is_double(1.0, s.condition_number, TOL, "orthogonal: condition number 1");
	for (int i = 0; i < 4; i++)
		is_double(0.75, s.leverage[i], TOL, "orthogonal: leverage p/n = 3/4");
	is_int(1, (long)s.n_constant, "orthogonal: one constant column");
	is_int(0, (long)s.constant[0], "orthogonal: column 0 is constant");
	ok(isnan(s.correlation[0 * 3 + 1]), "orthogonal: correlation with a constant is NaN");
	is_double(1.0, s.correlation[1 * 3 + 1], TOL, "orthogonal: self correlation 1");
	is_double(0.0, s.correlation[1 * 3 + 2], TOL, "orthogonal: columns 1, 2 uncorrelated");
	is_int(1, (long)s.n_top, "orthogonal: one pair of non-constant columns");
	is_int(0, (long)s.n_duplicates, "orthogonal: no duplicate rows");
	is_int(0, (long)s.n_pairs, "orthogonal: no pairs listed");
	cewb_sensing_release(&s);
	ok(s.leverage == NULL && s.n_rows == 0, "release zeroes the struct");
	cewb_sensing_release(&s); /* twice is harmless */
	cewb_sensing_release(NULL);
}

/* Column 3 = column 1 + column 2: rank 3 of 4, infinite condition number. */
static void test_rank_deficient(void)
{
	double X[6 * 4];
	const double c1[] = { 1, 2, 3, 4, 5, 7 };
	const double c2[] = { 0, 1, 0, 2, 1, 1 };
	for (int i = 0; i < 6; i++) {
		X[i * 4 + 0] = 1;
		X[i * 4 + 1] = c1[i];
		X[i * 4 + 2] = c2[i];
		X[i * 4 + 3] = c1[i] + c2[i];
	}
	cewb_sensing s;
	cewb_error err;
	ok(cewb_sensing_compute(X, 6, 4, NULL, &s, &err) == CEWB_OK, "deficient: computed");
	is_int(3, (long)s.rank, "deficient: rank 3");
	ok(isinf(s.condition_number), "deficient: condition number infinite");
	ok(s.singular_values[3] < 1e-12 * s.singular_values[0], "deficient: s4 ~ 0");
	double sum = 0.0;
	for (int i = 0; i < 6; i++) {
		sum += s.leverage[i];
		ok(s.leverage[i] >= -TOL && s.leverage[i] <= 1 + TOL, "deficient: leverage %d in [0,1]",
		   i);
	}
	is_double(3.0, sum, 1e-10, "deficient: leverages sum to the rank");

	/* exact Pearson r of c1 and c2, computed here independently */
	double m1 = 0, m2 = 0, s11 = 0, s22 = 0, s12 = 0;
	for (int i = 0; i < 6; i++)
		m1 += c1[i] / 6, m2 += c2[i] / 6;
	for (int i = 0; i < 6; i++) {
		s11 += (c1[i] - m1) * (c1[i] - m1);
		s22 += (c2[i] - m2) * (c2[i] - m2);
		s12 += (c1[i] - m1) * (c2[i] - m2);
	}
	is_double(s12 / sqrt(s11 * s22), s.correlation[1 * 4 + 2], TOL, "deficient: r(1,2) exact");
	is_double(s.correlation[1 * 4 + 2], s.correlation[2 * 4 + 1], 0.0, "correlation symmetric");
	ok(s.n_top == 3, "deficient: three non-constant pairs listed");
	ok(s.top[0].a == 1 && s.top[0].b == 3, "deficient: top pair is (1, 3)");
	ok(fabs(s.top[0].r) >= fabs(s.top[1].r) && fabs(s.top[1].r) >= fabs(s.top[2].r),
	   "deficient: top pairs sorted by |r|");
	cewb_sensing_release(&s);

	cewb_sensing_options opt;
	cewb_sensing_options_default(&opt);
	opt.max_top = 1;
	opt.want_correlation = 0;
	ok(cewb_sensing_compute(X, 6, 4, &opt, &s, &err) == CEWB_OK, "options: computed");
	ok(s.n_top == 1 && s.top[0].a == 1 && s.top[0].b == 3, "options: max_top 1 keeps the best");
	ok(s.correlation == NULL, "options: correlation matrix not kept");
	cewb_sensing_release(&s);
}

/* A duplicated row: leverage 1/2 for each copy, 1 for the lone row. */
static void test_duplicate_row(void)
{
	const double X[] = { 1, 0, 1, 0, 0, 1, 0, 1 + 1e-5 };
	cewb_sensing s;
	cewb_error err;
	ok(cewb_sensing_compute(X, 3, 2, NULL, &s, &err) == CEWB_OK, "duplicate: computed");
	is_double(0.5, s.leverage[0], TOL, "duplicate: leverage of copy 1 = 1/2");
	is_double(0.5, s.leverage[1], TOL, "duplicate: leverage of copy 2 = 1/2");
	is_double(1.0, s.leverage[2], TOL, "duplicate: lone row has leverage 1");
	is_int(2, (long)s.by_leverage[0], "duplicate: lone row ranks first");
	is_int(1, (long)s.n_duplicates, "duplicate: one exact pair");
	ok(s.n_pairs == 1 && s.pairs[0].a == 0 && s.pairs[0].b == 1 && s.pairs[0].exact,
	   "duplicate: rows 0 and 1");
	cewb_sensing_release(&s);

	/* four rows: 0 = 2 exactly, 1 ~ 3 within near_tol (RMS 1e-5/sqrt(2)) */
	const double Y[] = { 1, 0, 0, 1, 1, 0, 0, 1 + 1e-5 };
	ok(cewb_sensing_compute(Y, 4, 2, NULL, &s, &err) == CEWB_OK, "near: computed");
	is_int(1, (long)s.n_duplicates, "near: one exact pair");
	is_int(1, (long)s.n_near, "near: one near pair");
	ok(s.n_pairs == 2 && s.pairs[0].exact && s.pairs[0].a == 0 && s.pairs[0].b == 2,
	   "near: exact pair listed first");
	ok(s.n_pairs == 2 && !s.pairs[1].exact && s.pairs[1].a == 1 && s.pairs[1].b == 3,
	   "near: near pair second");
	is_double(1e-5 / sqrt(2.0), s.pairs[1].rms, 1e-15, "near: rms difference");
	cewb_sensing_release(&s);
}

/* Leverage of a general matrix against the hat matrix from normal equations. */
static void test_leverage_general(void)
{
	enum { N = 7, P = 3 };
	double X[N * P];
	unsigned x = 7;
	for (int i = 0; i < N * P; i++) {
		x = x * 1103515245u + 12345u;
		X[i] = (double)((x >> 16) % 1000) / 250.0 - 2.0;
	}
	/* (X^T X)^-1 by the adjugate of the 3 x 3 Gram matrix */
	double G[3][3] = { { 0 } }, Gi[3][3];
	for (int a = 0; a < P; a++)
		for (int b = 0; b < P; b++)
			for (int i = 0; i < N; i++)
				G[a][b] += X[i * P + a] * X[i * P + b];
	double det = G[0][0] * (G[1][1] * G[2][2] - G[1][2] * G[2][1]) -
		     G[0][1] * (G[1][0] * G[2][2] - G[1][2] * G[2][0]) +
		     G[0][2] * (G[1][0] * G[2][1] - G[1][1] * G[2][0]);
	for (int a = 0; a < 3; a++)
		for (int b = 0; b < 3; b++) {
			int r0 = (b + 1) % 3, r1 = (b + 2) % 3, c0 = (a + 1) % 3, c1 = (a + 2) % 3;
			Gi[a][b] = (G[r0][c0] * G[r1][c1] - G[r0][c1] * G[r1][c0]) / det;
		}
	double h[N];
	size_t rank = 0;
	cewb_error err;
	ok(cewb_sensing_leverage(X, N, P, 0.0, h, &rank, &err) == CEWB_OK, "leverage: computed");
	is_int(3, (long)rank, "leverage: full column rank");
	double worst = 0.0;
	for (int i = 0; i < N; i++) {
		double hi = 0.0;
		for (int a = 0; a < P; a++)
			for (int b = 0; b < P; b++)
				hi += X[i * P + a] * Gi[a][b] * X[i * P + b];
		worst = fmax(worst, fabs(hi - h[i]));
	}
	/* normal equations lose accuracy as cond^2 (~1e2 here): 1e-10 is safe */
	ok(worst < 1e-10, "leverage: equals diag of X (X^T X)^-1 X^T (max diff %g)", worst);

	/* a wide matrix (more columns than rows) interpolates: leverage 1 */
	ok(cewb_sensing_leverage(X, 2, P, 0.0, h, &rank, &err) == CEWB_OK, "wide: computed");
	ok(rank == 2 && fabs(h[0] - 1) < TOL && fabs(h[1] - 1) < TOL, "wide: leverage 1");
}

/* Errors: empty matrix, non-finite entry. */
static void test_errors(void)
{
	cewb_sensing s;
	cewb_error err;
	double X[] = { 1, 2, 3, NAN };
	double h[2];
	is_int(CEWB_EINVAL, cewb_sensing_compute(X, 0, 2, NULL, &s, &err), "empty: EINVAL");
	is_string("sensing matrix is empty (0 x 2)", err.message, "empty: message");
	is_int(CEWB_EINVAL, cewb_sensing_compute(X, 2, 2, NULL, &s, &err), "nan: EINVAL");
	is_string("sensing matrix entry at row 1, column 1 is not finite", err.message,
		  "nan: message names row and column");
	is_int(CEWB_EINVAL, cewb_sensing_leverage(X, 2, 2, 0, h, NULL, &err), "leverage nan");
	is_int(CEWB_EINVAL, cewb_sensing_leverage(X, 2, 0, 0, h, NULL, &err), "leverage empty");
}

/* Read a whole file into a new string. */
static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	char *buf = calloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, fp);
	buf[n] = 0;
	fclose(fp);
	return buf;
}

/* CSV and JSON export, read back. */
static void test_export(void)
{
	char dir[] = "/tmp/cewb-sensing-XXXXXX", path[256];
	if (!mkdtemp(dir)) {
		ok(0, "export: temporary directory");
		return;
	}
	const double X[] = { 1, 0.5, -0.25, 1, 1.0 / 3, 2 };
	const double y[] = { -0.125, NAN };
	const double w[] = { 1, 2 };
	const size_t ids[] = { 4, 9 };
	const char *names[] = { "zerolet", "o1", "o2,\"q\"" };
	cewb_error err;

	snprintf(path, sizeof(path), "%s/X.csv", dir);
	ok(cewb_export_matrix(path, X, 2, 3, ids, names, &err) == CEWB_OK, "csv X: written");
	char *text = slurp(path);
	is_string("id,zerolet,o1,\"o2,\"\"q\"\"\"\n4,1,0.5,-0.25\n9,1,0.33333333333333331,2\n",
		  text, "csv X: content (quoted header, round-trip digits)");
	free(text);
	remove(path);

	snprintf(path, sizeof(path), "%s/y.csv", dir);
	ok(cewb_export_vector(path, y, w, 2, NULL, &err) == CEWB_OK, "csv y: written");
	text = slurp(path);
	is_string("id,y,weight\n0,-0.125,1\n1,nan,2\n", text, "csv y: content");
	free(text);
	remove(path);

	snprintf(path, sizeof(path), "%s/X.json", dir);
	ok(cewb_export_matrix(path, X, 2, 3, ids, NULL, &err) == CEWB_OK, "json X: written");
	json_error_t jerr;
	json_t *root = json_load_file(path, 0, &jerr);
	ok(root != NULL, "json X: parses");
	json_t *cols = json_object_get(root, "columns");
	ok(json_array_size(cols) == 3 && !strcmp(json_string_value(json_array_get(cols, 2)), "c2"),
	   "json X: default column names");
	ok(json_integer_value(json_array_get(json_object_get(root, "ids"), 1)) == 9, "json X: ids");
	json_t *row = json_array_get(json_object_get(root, "X"), 1);
	is_double(1.0 / 3, json_real_value(json_array_get(row, 1)), 0.0, "json X: exact value");
	json_decref(root);
	remove(path);

	snprintf(path, sizeof(path), "%s/y.JSON", dir);
	ok(cewb_export_vector(path, y, w, 2, ids, &err) == CEWB_OK, "json y: written");
	root = json_load_file(path, 0, &jerr);
	ok(root && json_is_null(json_array_get(json_object_get(root, "y"), 1)),
	   "json y: NaN written as null");
	is_double(2.0, json_real_value(json_array_get(json_object_get(root, "weights"), 1)), 0.0,
		  "json y: weights");
	json_decref(root);
	remove(path);

	snprintf(path, sizeof(path), "%s/missing/X.csv", dir);
	is_int(CEWB_EIO, cewb_export_matrix(path, X, 2, 3, NULL, NULL, &err), "export: EIO");
	char expect[512];
	snprintf(expect, sizeof(expect), "cannot write '%s': No such file or directory", path);
	is_string(expect, err.message, "export: message names the file");
	rmdir(dir);
}

int main(void)
{
	test_orthogonal();
	test_rank_deficient();
	test_duplicate_row();
	test_leverage_general();
	test_errors();
	test_export();
	return done_testing();
}
