/*
 * tests/test_io.c - structures, elements, extended XYZ and POSCAR files.
 *
 * Reads every bundled data set (frame and atom counts, exact values), writes
 * and reads back structures bit for bit, and provokes every documented
 * error, checking that the message names the file, the frame and the line
 * and that the output is left untouched.
 */
#include "config.h"
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cewb/structure.h"
#include "tap.h"

static char top[4096];
static char tmpdir[4096];

/* Path of a file in the source tree. */
static const char *src_path(const char *rel)
{
	static char buf[4][8192];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", top, rel);
	return buf[k];
}

/* Path of a file in the scratch directory. */
static const char *tmp_path(const char *name)
{
	static char buf[4][8192];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
	return buf[k];
}

/* Bytes of the next write_text after its NUL (0: text ends at its NUL). */
static size_t extra_bytes;

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	if (!fp) {
		diag("cannot write %s", path);
		exit(1);
	}
	fwrite(text, 1, strlen(text) + (extra_bytes ? 1 + extra_bytes : 0), fp);
	extra_bytes = 0;
	fclose(fp);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int same_bits(double a, double b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

/* Whether an error message names the file, the frame and the line. */
static int names_place(const char *msg, const char *file, long frame, long line)
{
	char want[64];
	if (!strstr(msg, file))
		return 0;
	if (frame >= 0) {
		snprintf(want, sizeof want, "frame %ld", frame);
		if (!strstr(msg, want))
			return 0;
	}
	if (line >= 0) {
		snprintf(want, sizeof want, "line %ld,", line);
		if (!strstr(msg, want)) {
			snprintf(want, sizeof want, "line %ld:", line);
			if (!strstr(msg, want))
				return 0;
		}
	}
	return 1;
}

static char *slurp(const char *path);

/* Sentinel frames: a failed read must leave them exactly as they were. */
static cewb_structure *sentinel_frame;

/* Write text to a scratch file, read it as extended XYZ, expect failure with
 * a message holding expect, naming file, frame and line; out untouched. */
static void xyz_error(const char *label, const char *text, const char *expect, long frame,
		      long line)
{
	cewb_frames f = {1, &sentinel_frame};
	cewb_error err;
	cewb_status st;
	const char *path = tmp_path("bad.xyz");

	write_text(path, text);
	cewb_error_clear(&err);
	st = cewb_extxyz_read(path, &f, &err);
	ok(st == CEWB_EPARSE && strstr(err.message, expect) &&
	   names_place(err.message, path, frame, line) && !strchr(err.message, '\n') &&
	   f.n == 1 && f.frames[0] == sentinel_frame, "xyz error: %s", label);
	if (st != CEWB_EPARSE || !strstr(err.message, expect) ||
	    !names_place(err.message, path, frame, line))
		diag("status %d, message '%s' (want '%s', frame %ld, line %ld)", st,
		     err.message, expect, frame, line);
}

/* The same for a POSCAR. */
static void poscar_error(const char *label, const char *text, const char *hint,
			 const char *expect, long line)
{
	cewb_structure *s = sentinel_frame;
	cewb_error err;
	cewb_status st;
	const char *path = tmp_path("POSCAR_bad");

	write_text(path, text);
	cewb_error_clear(&err);
	st = cewb_poscar_read(path, hint, &s, &err);
	ok(st == CEWB_EPARSE && strstr(err.message, expect) &&
	   names_place(err.message, path, 0, line) && s == sentinel_frame,
	   "poscar error: %s", label);
	if (st != CEWB_EPARSE || !strstr(err.message, expect) ||
	    !names_place(err.message, path, 0, line))
		diag("status %d, message '%s' (want '%s', line %ld)", st, err.message, expect,
		     line);
}

/* ------------------------------------------------------------------------ */

static void test_elements(void)
{
	int z, good = 1;
	for (z = 0; z <= 118; z++) {
		const char *sym = cewb_element_symbol(z);
		if (!sym || cewb_element_number(sym) != z) {
			good = 0;
			diag("element %d: %s", z, sym ? sym : "(null)");
		}
	}
	ok(good, "symbol and number agree for X and Z = 1..118");
	is_int(79, cewb_element_number("Au"), "Au is 79");
	is_int(46, cewb_element_number("Pd"), "Pd is 46");
	is_int(47, cewb_element_number("ag"), "ag (lower case) is 47");
	is_int(27, cewb_element_number("CO"), "CO (upper case) is cobalt");
	is_int(118, cewb_element_number("Og"), "Og is 118");
	is_int(0, cewb_element_number("X"), "X is a vacancy");
	is_int(-1, cewb_element_number("Qq"), "Qq is unknown");
	is_int(-1, cewb_element_number(""), "empty symbol is unknown");
	is_int(-1, cewb_element_number("Auu"), "three letters are unknown");
	ok(cewb_element_symbol(119) == NULL && cewb_element_symbol(-1) == NULL,
	   "symbols out of range are NULL");
}

static void test_cell(void)
{
	double cell[3][3] = {{0, 2, 2}, {2, 0, 2}, {2, 2, 0}}, inv[3][3], f[3], p[3];
	double left[3][3] = {{2, 0, 2}, {0, 2, 2}, {2, 2, 0}};
	double flat[3][3] = {{1, 0, 0}, {0, 1, 0}, {1, 1, 0}};
	double pos[3] = {1.0, 3.0, 2.0};
	cewb_error err;
	int i;

	/* fcc with a = 4: volume a^3/4 = 16 exactly in binary arithmetic. */
	is_double(16.0, cewb_cell_volume((const double (*)[3])cell), 0, "fcc cell volume 16");
	is_double(-16.0, cewb_cell_volume((const double (*)[3])left), 0,
		  "left-handed cell has negative volume");
	ok(cewb_cell_inverse((const double (*)[3])cell, inv, &err) == CEWB_OK, "inverse");
	cewb_cart_to_frac((const double (*)[3])inv, pos, f);
	/* frac = pos * inv = (1, 0, 0.5); the inverse holds +-0.25 exactly. */
	is_double(1.0, f[0], 1e-15, "fractional x");
	is_double(0.0, f[1], 1e-15, "fractional y");
	is_double(0.5, f[2], 1e-15, "fractional z");
	cewb_frac_to_cart((const double (*)[3])cell, f, p);
	for (i = 0; i < 3; i++)
		is_double(pos[i], p[i], 1e-14, "frac -> cart returns the position");
	cewb_error_clear(&err);
	ok(cewb_cell_inverse((const double (*)[3])flat, inv, &err) == CEWB_EINVAL &&
	   strstr(err.message, "singular"), "singular cell is refused: %s", err.message);
}

static void test_structure_api(void)
{
	cewb_structure *s = cewb_structure_alloc(3), *c;
	cewb_error err;
	cewb_array *a;
	double v = 0;
	size_t i;

	ok(s && s->n_atoms == 3 && s->pbc[0] && s->pbc[1] && s->pbc[2] && s->pos[2][2] == 0 &&
	   s->numbers[1] == 0 && s->n_info == 0 && s->n_arrays == 0, "alloc: zeroed, pbc true");
	ok(cewb_structure_set_info_real(s, "energy", -1.25, &err) == CEWB_OK, "set real");
	ok(cewb_structure_set_info_string(s, "tag", "hello world", &err) == CEWB_OK,
	   "set string");
	ok(cewb_structure_set_info_real(s, "energy", 0.1 + 0.2, &err) == CEWB_OK,
	   "replace real");
	is_int(2, (long)s->n_info, "replacing keeps one entry");
	is_string("energy", s->info[0].key, "replaced entry keeps its place");
	is_string("0.30000000000000004", cewb_structure_info(s, "energy")->text,
		  "real text is the shortest exact form");
	ok(cewb_structure_info_real(s, "energy", &v, &err) == CEWB_OK && v == 0.1 + 0.2,
	   "info_real reads it back");
	cewb_structure_set_info_real(s, "whole", 2.0, &err);
	is_string("2.0", cewb_structure_info(s, "whole")->text, "integral real keeps '.0'");
	cewb_error_clear(&err);
	ok(cewb_structure_info_real(s, "nothing", &v, &err) == CEWB_EINVAL &&
	   strstr(err.message, "nothing"), "info_real: absent key: %s", err.message);
	cewb_error_clear(&err);
	ok(cewb_structure_info_real(s, "tag", &v, &err) == CEWB_EINVAL &&
	   strstr(err.message, "not a number"), "info_real: string: %s", err.message);
	ok(cewb_structure_info(s, "nothing") == NULL, "info: absent is NULL");
	a = cewb_structure_add_array(s, "forces", 'R', 3, &err);
	ok(a && a->n_cols == 3 && a->real && a->real[8] == 0, "add real array");
	a->real[4] = 1.5;
	a = cewb_structure_add_array(s, "label", 'S', 1, &err);
	ok(a && a->str && a->str[2] && a->str[2][0] == '\0', "add string array");
	free(a->str[1]);
	a->str[1] = strdup("mid");
	cewb_error_clear(&err);
	ok(!cewb_structure_add_array(s, "bad", 'Q', 1, &err) && err.code == CEWB_EINVAL,
	   "add array: bad type refused: %s", err.message);
	ok(cewb_structure_array(s, "forces") && !cewb_structure_array(s, "velocities"),
	   "array lookup");
	s->pos[1][0] = 1.25;
	s->numbers[2] = 79;
	s->source = strdup("x.xyz");
	s->frame = 7;
	c = cewb_structure_copy(s);
	ok(c && c->pos[1][0] == 1.25 && c->numbers[2] == 79 && c->frame == 7 &&
	   !strcmp(c->source, "x.xyz") && c->source != s->source && c->n_info == 3 &&
	   c->info[1].text != s->info[1].text && !strcmp(c->info[1].text, "hello world") &&
	   c->n_arrays == 2 && c->arrays[0].real[4] == 1.5 &&
	   c->arrays[0].real != s->arrays[0].real &&
	   !strcmp(c->arrays[1].str[1], "mid") && c->arrays[1].str[1] != s->arrays[1].str[1],
	   "deep copy");
	cewb_structure_free(s);
	for (i = 0; i < 3; i++)
		c->pos[i][1] = 1.0; /* the copy lives on after the original is freed */
	cewb_structure_free(c);
	cewb_structure_free(NULL);
	ok(1, "free of NULL is harmless");
	{
		cewb_frames f = {0, NULL};
		for (i = 0; i < 5; i++)
			cewb_frames_append(&f, cewb_structure_alloc(1), &err);
		is_int(5, (long)f.n, "frames_append grows the list");
		cewb_frames_release(&f);
		ok(f.n == 0 && f.frames == NULL, "frames_release empties the list");
	}
}

/* Reference counts of the bundled data (tests/data/icet/README.md). */
static const struct {
	const char *file;
	size_t frames, atoms;
} datasets[] = {
	{"tests/data/icet/annealing_ground_states.xyz", 77, 1232},
	{"tests/data/icet/bcc_longedge_binary.xyz", 89, 322},
	{"tests/data/icet/bcc_quaternary.xyz", 50, 3200},
	{"tests/data/icet/bcc_ternary.xyz", 50, 3200},
	{"tests/data/icet/equivalent_structure_pairs.xyz", 2142, 20244},
	{"tests/data/icet/fcc_binary.xyz", 57, 240},
	{"tests/data/icet/fcc_quaternary.xyz", 50, 3200},
	{"tests/data/icet/fcc_skew_binary.xyz", 57, 240},
	{"tests/data/icet/fcc_ternary.xyz", 50, 3200},
	{"tests/data/icet/hcp_binary.xyz", 100, 1600},
	{"tests/data/icet/hcp_quaternary.xyz", 50, 6400},
	{"tests/data/icet/hcp_skew_binary.xyz", 100, 800},
	{"tests/data/icet/hcp_ternary.xyz", 50, 6400},
	{"tests/data/icet/primitive_clathrate.xyz", 1, 54},
	{"tests/data/icet/tetragonal_binary.xyz", 63, 226},
	{"tests/data/icet/tetragonal_ternary.xyz", 100, 400},
	{"examples/agpd/primitive.xyz", 1, 1},
	{"examples/agpd/structures.xyz", 625, 4520},
};

static void test_datasets(void)
{
	size_t d, i;

	for (d = 0; d < sizeof datasets / sizeof *datasets; d++) {
		cewb_frames f = {0, NULL};
		cewb_error err;
		size_t atoms = 0;
		int frames_ok = 1;
		cewb_status st = cewb_extxyz_read(src_path(datasets[d].file), &f, &err);
		if (!ok(st == CEWB_OK, "read %s", datasets[d].file)) {
			diag("%s", err.message);
			continue;
		}
		for (i = 0; i < f.n; i++) {
			const cewb_structure *s = f.frames[i];
			atoms += s->n_atoms;
			if (s->frame != i || !s->source || !strstr(s->source, datasets[d].file) ||
			    !s->pbc[0] || !s->pbc[1] || !s->pbc[2] ||
			    fabs(cewb_cell_volume((const double (*)[3])s->cell)) < 1e-3 ||
			    !cewb_structure_info(s, "id"))
				frames_ok = 0;
		}
		ok(f.n == datasets[d].frames && atoms == datasets[d].atoms && frames_ok,
		   "%s: %zu frames, %zu atoms", datasets[d].file, f.n, atoms);
		cewb_frames_release(&f);
	}
}

static void test_agpd_values(void)
{
	cewb_frames f = {0, NULL};
	cewb_error err;
	const cewb_structure *s;
	const cewb_info *in;
	double v;

	if (!ok(cewb_extxyz_read(src_path("examples/agpd/structures.xyz"), &f, &err) == CEWB_OK,
		"read agpd"))
		return;
	/* Third frame (0-based index 2, id=3): 2 atoms, Pd then Ag. */
	s = f.frames[2];
	is_int(2, (long)s->n_atoms, "agpd frame 2: 2 atoms");
	ok(s->numbers[0] == 46 && s->numbers[1] == 47, "agpd frame 2: Pd, Ag");
	ok(s->cell[1][0] == 4.09 && s->cell[1][1] == 2.045 && s->cell[1][2] == 2.045 &&
	   s->cell[0][0] == 0.0 && s->cell[2][2] == 0.0, "agpd frame 2: cell rows exact");
	ok(s->pos[1][0] == 2.045 && s->pos[1][1] == 2.045 && s->pos[1][2] == 0.0,
	   "agpd frame 2: position exact");
	in = cewb_structure_info(s, "mixing_energy");
	ok(in && in->type == CEWB_VALUE_REAL && in->n == 1 &&
	   !strcmp(in->text, "-0.03975783499999985"), "agpd frame 2: mixing_energy text");
	ok(cewb_structure_info_real(s, "mixing_energy", &v, &err) == CEWB_OK &&
	   same_bits(v, -0.03975783499999985), "agpd frame 2: mixing_energy exact");
	in = cewb_structure_info(s, "tag");
	ok(in && in->type == CEWB_VALUE_STRING && !strcmp(in->text, "AgPd_0002"),
	   "agpd frame 2: tag string");
	in = cewb_structure_info(s, "id");
	ok(in && in->type == CEWB_VALUE_INT && in->real[0] == 3, "agpd frame 2: id int");
	ok(s->n_info == 5 && !strcmp(s->info[0].key, "id") &&
	   !strcmp(s->info[4].key, "lattice_parameter"), "agpd: info in file order, "
	   "Lattice/Properties/pbc not in info");
	s = f.frames[3];
	in = cewb_structure_info(s, "mixing_energy");
	ok(in && !strcmp(in->text, "-0.028611279999999795") &&
	   same_bits(in->real[0], -0.028611279999999795), "agpd frame 3: mixing_energy");
	s = f.frames[624];
	ok(s->frame == 624 && cewb_structure_info(s, "id")->real[0] == 625, "agpd last frame");
	cewb_frames_release(&f);
}

static void test_icet_values(void)
{
	cewb_frames f = {0, NULL};
	cewb_error err;
	const cewb_info *in;
	const cewb_structure *s;

	if (!ok(cewb_extxyz_read(src_path("tests/data/icet/fcc_binary.xyz"), &f, &err) ==
		CEWB_OK, "read fcc_binary"))
		return;
	s = f.frames[0];
	in = cewb_structure_info(s, "data_elements");
	ok(in && in->type == CEWB_VALUE_STRING && !strcmp(in->text, "Au,Ag") && !in->real,
	   "data_elements stays the string 'Au,Ag'");
	in = cewb_structure_info(s, "data_cutoffs");
	ok(in && in->type == CEWB_VALUE_REAL_ARRAY && in->n == 3 && in->real[0] == 7.0 &&
	   in->real[1] == 6.0 && in->real[2] == 5.0 && !strcmp(in->text, "7.0 6.0 5.0"),
	   "data_cutoffs is a real array 7 6 5");
	in = cewb_structure_info(f.frames[1], "data_target_cv");
	ok(in && in->type == CEWB_VALUE_REAL_ARRAY && in->n == 36 && in->real[1] == -1.0,
	   "data_target_cv has 36 entries");
	cewb_frames_release(&f);

	if (!ok(cewb_extxyz_read(src_path("tests/data/icet/hcp_skew_binary.xyz"), &f, &err) ==
		CEWB_OK, "read hcp_skew_binary"))
		return;
	s = f.frames[0];
	ok(s->cell[2][0] == -16.0 && s->cell[2][1] == 27.712812921102035 &&
	   s->cell[1][2] == 6.531972647421808, "hcp_skew: cell exact");
	ok(s->pos[1][0] == -6.0 && s->pos[1][1] == 8.08290377 && s->pos[1][2] == 7.62063476,
	   "hcp_skew: position exact");
	in = cewb_structure_info(s, "data_target_cv");
	ok(in && in->n == 34 && same_bits(in->real[8], 0.6666666666666666),
	   "hcp_skew: target cv value exact");
	cewb_frames_release(&f);

	if (!ok(cewb_extxyz_read(src_path("tests/data/icet/annealing_ground_states.xyz"), &f,
				 &err) == CEWB_OK, "read annealing_ground_states"))
		return;
	in = cewb_structure_info(f.frames[0], "forumla");
	ok(in && in->type == CEWB_VALUE_STRING && !strcmp(in->text, "Au8Li7Na"),
	   "annealing: formula string");
	ok(f.frames[0]->numbers[1] == 3, "annealing: Li");
	cewb_frames_release(&f);
}

static void test_speed(void)
{
	cewb_frames f = {0, NULL};
	cewb_error err;
	double t0, t;
	int k;

	/* Best of three runs (the first warms the page cache). */
	t = 1e9;
	for (k = 0; k < 3; k++) {
		t0 = now();
		cewb_extxyz_read(src_path("tests/data/icet/equivalent_structure_pairs.xyz"), &f,
				 &err);
		t0 = now() - t0;
		if (t0 < t)
			t = t0;
		cewb_frames_release(&f);
	}
	/* Speed is measured by bench/bench_io, not asserted here; the time is
	 * only shown. */
	diag("equivalent_structure_pairs.xyz (2142 frames): %.1f ms", 1e3 * t);
	cewb_extxyz_read(src_path("tests/data/icet/equivalent_structure_pairs.xyz"), &f, &err);
	is_int(2142, (long)f.n, "the largest reference set reads whole (2142 frames)");
	cewb_frames_release(&f);
}

/* A comment line with every kind of value ASE writes or reads. */
static const char *rich_xyz =
	"2\n"
	"Lattice=\"1 0 0 0 2 0 0 0 3\" "
	"Properties=species:S:1:pos:R:3:forces:R:3:tags:I:1:fixed:L:1:label:S:1 "
	"energy=-1.5 n=7 flag=T flag2=False flags=\"T F T\" ints=\"1 2 3\" "
	"reals=\"1.0 2 3.5\" s=\"hello world\" esc=\"a \\\"q\\\" b\" br={x y} "
	"csv=Au,Ag nums=1,2 bare key2 = 5 big=99999999999999999999 huge=1e400 "
	"e=\"\" n=8 nan=nan pbc=\"T T F\"\n"
	"Au 0.5 1.0 1.5   0.1 0.2 0.3   -4 T one\n"
	"ag 0.25 0.5 0.75 -0.1 -0.2 -0.3 12 F two\n";

static void test_comment_parsing(void)
{
	cewb_frames f = {0, NULL};
	cewb_error err;
	const cewb_structure *s;
	const cewb_info *in;
	const cewb_array *a;
	FILE *fp = fmemopen((void *)rich_xyz, strlen(rich_xyz), "r");

	if (!ok(fp && cewb_extxyz_read_stream(fp, "rich", &f, &err) == CEWB_OK,
		"read a rich comment line from a stream")) {
		diag("%s", err.message);
		if (fp)
			fclose(fp);
		return;
	}
	fclose(fp);
	s = f.frames[0];
	ok(s->pbc[0] && s->pbc[1] && !s->pbc[2], "pbc T T F");
	ok(s->cell[1][1] == 2 && s->cell[2][2] == 3, "lattice");
	ok(s->numbers[0] == 79 && s->numbers[1] == 47, "species, any case");
	in = cewb_structure_info(s, "energy");
	ok(in && in->type == CEWB_VALUE_REAL && in->real[0] == -1.5, "real scalar");
	in = cewb_structure_info(s, "n");
	ok(in && in->type == CEWB_VALUE_INT && in->real[0] == 8 && !strcmp(in->text, "8") &&
	   s->info[1].key == in->key, "repeated key: last value, first place");
	in = cewb_structure_info(s, "flag");
	ok(in && in->type == CEWB_VALUE_BOOL && in->real[0] == 1 && !strcmp(in->text, "T"),
	   "bool T");
	in = cewb_structure_info(s, "flag2");
	ok(in && in->type == CEWB_VALUE_BOOL && in->real[0] == 0, "bool False");
	in = cewb_structure_info(s, "flags");
	ok(in && in->type == CEWB_VALUE_BOOL_ARRAY && in->n == 3 && in->real[1] == 0,
	   "bool array");
	in = cewb_structure_info(s, "ints");
	ok(in && in->type == CEWB_VALUE_INT_ARRAY && in->n == 3 && in->real[2] == 3,
	   "int array");
	in = cewb_structure_info(s, "reals");
	ok(in && in->type == CEWB_VALUE_REAL_ARRAY && in->n == 3 && in->real[2] == 3.5,
	   "mixed ints and reals make a real array");
	in = cewb_structure_info(s, "s");
	ok(in && in->type == CEWB_VALUE_STRING && !strcmp(in->text, "hello world"),
	   "quoted string");
	in = cewb_structure_info(s, "esc");
	ok(in && !strcmp(in->text, "a \"q\" b"), "backslash escapes in quotes");
	in = cewb_structure_info(s, "br");
	ok(in && in->type == CEWB_VALUE_STRING && !strcmp(in->text, "x y"), "curly braces");
	in = cewb_structure_info(s, "csv");
	ok(in && in->type == CEWB_VALUE_STRING && !strcmp(in->text, "Au,Ag"),
	   "comma-separated words stay a string");
	in = cewb_structure_info(s, "nums");
	ok(in && in->type == CEWB_VALUE_INT_ARRAY && in->n == 2, "comma-separated ints: array");
	in = cewb_structure_info(s, "bare");
	ok(in && in->type == CEWB_VALUE_BOOL && in->real[0] == 1, "key without '=' is true");
	in = cewb_structure_info(s, "key2");
	ok(in && in->type == CEWB_VALUE_INT && in->real[0] == 5, "spaces around '='");
	in = cewb_structure_info(s, "big");
	ok(in && in->type == CEWB_VALUE_REAL && in->real[0] == 1e20,
	   "integer beyond int64 is a real (as numpy)");
	in = cewb_structure_info(s, "huge");
	ok(in && in->type == CEWB_VALUE_REAL && isinf(in->real[0]), "1e400 is inf");
	in = cewb_structure_info(s, "e");
	ok(in && in->type == CEWB_VALUE_STRING && !strcmp(in->text, ""), "empty value");
	in = cewb_structure_info(s, "nan");
	ok(in && in->type == CEWB_VALUE_REAL && isnan(in->real[0]), "nan value");
	ok(!cewb_structure_info(s, "pbc") && !cewb_structure_info(s, "Lattice"),
	   "pbc and Lattice are not info");
	a = cewb_structure_array(s, "forces");
	ok(a && a->type == 'R' && a->n_cols == 3 && a->real[5] == -0.3, "forces array");
	a = cewb_structure_array(s, "tags");
	ok(a && a->type == 'I' && a->real[0] == -4 && a->real[1] == 12, "int array column");
	a = cewb_structure_array(s, "fixed");
	ok(a && a->type == 'L' && a->real[0] == 1 && a->real[1] == 0, "logical column");
	a = cewb_structure_array(s, "label");
	ok(a && a->type == 'S' && !strcmp(a->str[1], "two"), "string column");
	is_int(4, (long)s->n_arrays, "four extra arrays");
	cewb_frames_release(&f);
}

static void test_ase_written(void)
{
	cewb_frames f = {0, NULL};
	cewb_error err;
	const cewb_structure *s;
	const cewb_info *in;
	const cewb_array *a;
	const char *text = "1\nLattice=\"2 0 0 0 2 0 0 0 2\" uid=123 j1=\"_JSON [5]\" "
			   "jb=\"_JSON [true, false]\" jn=\"_JSON [[1, 2], [3, 4]]\" "
			   "js='_JSON [\"a\", \"b\"]'\nCu 0 0 0\n";
	FILE *fp;

	if (!ok(cewb_extxyz_read(src_path("tests/data/io/ase_written.xyz"), &f, &err) == CEWB_OK
		&& f.n == 2, "read a file written by ASE 3.22.1")) {
		diag("%s", err.message);
		return;
	}
	s = f.frames[0];
	ok(s->numbers[0] == 29 && s->numbers[1] == 79 && s->pos[0][0] == 0.01624345 &&
	   s->cell[0][1] == 3.6, "ASE file: species, positions, cell");
	in = cewb_structure_info(s, "ids");
	ok(in && in->type == CEWB_VALUE_INT_ARRAY && in->n == 3 && in->real[2] == 3 &&
	   !strcmp(in->text, "_JSON [1, 2, 3]"), "ASE JSON int list");
	in = cewb_structure_info(s, "cutoffs");
	ok(in && in->type == CEWB_VALUE_REAL_ARRAY && in->n == 2 && in->real[1] == 6.0,
	   "ASE JSON real list");
	in = cewb_structure_info(s, "q");
	ok(in && in->type == CEWB_VALUE_STRING && !strcmp(in->text, "a \"b\""),
	   "ASE escaped quotes");
	in = cewb_structure_info(s, "stress");
	ok(in && in->type == CEWB_VALUE_REAL_ARRAY && in->n == 9, "stress kept as 9 numbers");
	in = cewb_structure_info(s, "energy");
	ok(in && in->type == CEWB_VALUE_REAL && in->real[0] == -1.23, "calculator energy");
	a = cewb_structure_array(s, "forces");
	ok(a && a->n_cols == 3 && a->real[5] == 0.1, "calculator forces");
	a = cewb_structure_array(s, "label");
	ok(a && a->type == 'S' && !strcmp(a->str[1], "y"), "string array");
	a = cewb_structure_array(s, "tags");
	ok(a && a->type == 'I' && a->real[1] == 2, "tags");
	s = f.frames[1];
	ok(s->n_atoms == 12 && s->pbc[0] && s->pbc[1] && !s->pbc[2] && s->cell[2][2] == 0 &&
	   s->pos[4][0] == 0.0 && signbit(s->pos[4][0]), "ASE slab: zero c, pbc T T F, -0.0 kept");
	cewb_frames_release(&f);

	fp = fmemopen((void *)text, strlen(text), "r");
	if (ok(cewb_extxyz_read_stream(fp, "json", &f, &err) == CEWB_OK, "JSON values")) {
		cewb_structure *c;
		char *t;
		s = f.frames[0];
		in = cewb_structure_info(s, "uid");
		ok(in && in->type == CEWB_VALUE_STRING, "uid is never converted (as ASE)");
		in = cewb_structure_info(s, "j1");
		ok(in && in->type == CEWB_VALUE_INT_ARRAY && in->n == 1 && in->real[0] == 5,
		   "JSON list of one is an array");
		in = cewb_structure_info(s, "jb");
		ok(in && in->type == CEWB_VALUE_BOOL_ARRAY && in->n == 2 && in->real[1] == 0,
		   "JSON booleans");
		in = cewb_structure_info(s, "jn");
		ok(in && in->type == CEWB_VALUE_STRING, "nested JSON stays a string");
		in = cewb_structure_info(s, "js");
		ok(in && in->type == CEWB_VALUE_STRING && !strcmp(in->text, "_JSON [\"a\", \"b\"]"),
		   "JSON strings stay a string");
		/* A one-value array whose text is stale is written as a JSON list. */
		c = cewb_structure_copy(s);
		free(c->info[1].text);
		c->info[1].text = strdup("9");
		c->info[1].real[0] = 8;
		ok(cewb_extxyz_write(tmp_path("json.xyz"), &c, 1, &err) == CEWB_OK, "write JSON");
		t = slurp(tmp_path("json.xyz"));
		ok(t && strstr(t, "j1=\"_JSON [8]\""), "one-value array written as a JSON list");
		free(t);
		cewb_structure_free(c);
		cewb_frames_release(&f);
	}
	fclose(fp);
}

static void test_plain_and_defaults(void)
{
	cewb_frames f = {0, NULL};
	cewb_error err;
	const cewb_structure *s;
	const char *text = "1\nProperties=species:S:1:pos:R:3:Z:I:1 pbc=T\nAu 0 0 0 78\n";

	if (ok(cewb_extxyz_read(src_path("tests/data/io/plain.xyz"), &f, &err) == CEWB_OK,
	       "plain XYZ with extra columns")) {
		s = f.frames[0];
		ok(s->n_atoms == 3 && s->numbers[0] == 8 && s->numbers[2] == 1 &&
		   s->pos[1][1] == 0.763 && !s->pbc[0] && !s->pbc[1] && !s->pbc[2] &&
		   s->cell[0][0] == 0, "no Lattice: zero cell, no pbc");
		ok(cewb_structure_info(s, "water,") && cewb_structure_info(s, "comment"),
		   "plain comment words are true flags (as ASE)");
		cewb_frames_release(&f);
	} else {
		diag("%s", err.message);
	}
	/* pbc=T with no Lattice: zero volume with periodic boundaries. */
	xyz_error("pbc true without a Lattice", text, "zero-volume", 0, 2);
	text = "1\nthe dimer's first atom\nAu 0 0 0\n";
	{
		FILE *fp = fmemopen((void *)text, strlen(text), "r");
		ok(cewb_extxyz_read_stream(fp, "apostrophe", &f, &err) == CEWB_OK &&
		   cewb_structure_info(f.frames[0], "dimers first atom"),
		   "plain comment with an apostrophe is not an error");
		fclose(fp);
		cewb_frames_release(&f);
	}
	text = "1\nProperties=species:S:1:pos:R:3:Z:I:1\nAu 0 0 0 78\n";
	{
		FILE *fp = fmemopen((void *)text, strlen(text), "r");
		ok(cewb_extxyz_read_stream(fp, "z", &f, &err) == CEWB_OK &&
		   f.frames[0]->numbers[0] == 78 && f.frames[0]->n_arrays == 0,
		   "Z column overrides species and is not kept as an array");
		fclose(fp);
		cewb_frames_release(&f);
	}
	text = "2\nLattice=\"2 0 0 0 2 0 0 0 2\" \r\nCu 0 0 0\r\nCu 1 1 1\r\n\n\n  \n";
	{
		FILE *fp = fmemopen((void *)text, strlen(text), "r");
		ok(cewb_extxyz_read_stream(fp, "crlf", &f, &err) == CEWB_OK && f.n == 1 &&
		   f.frames[0]->pos[1][2] == 1 && f.frames[0]->pbc[2],
		   "CRLF lines, trailing blank lines, Lattice gives pbc true");
		fclose(fp);
		cewb_frames_release(&f);
	}
	text = "1\nLattice=\"2 0 0 0 2 0 0 0 2\"\nX 0 0 0\n";
	{
		FILE *fp = fmemopen((void *)text, strlen(text), "r");
		ok(cewb_extxyz_read_stream(fp, "vac", &f, &err) == CEWB_OK &&
		   f.frames[0]->numbers[0] == 0, "X is a vacancy");
		fclose(fp);
		cewb_frames_release(&f);
	}
	/* A left-handed cell is kept as it is. */
	text = "1\nLattice=\"2 0 0 0 0 2 0 2 0\"\nCu 0 0 0\n";
	{
		FILE *fp = fmemopen((void *)text, strlen(text), "r");
		ok(cewb_extxyz_read_stream(fp, "left", &f, &err) == CEWB_OK &&
		   cewb_cell_volume((const double (*)[3])f.frames[0]->cell) == -8.0,
		   "left-handed cell kept");
		fclose(fp);
		cewb_frames_release(&f);
	}
	/* A slab without a c vector is fine when c is not periodic. */
	text = "1\nLattice=\"2 0 0 0 2 0 0 0 0\" pbc=\"T T F\"\nCu 0 0 0\n";
	{
		FILE *fp = fmemopen((void *)text, strlen(text), "r");
		ok(cewb_extxyz_read_stream(fp, "slab", &f, &err) == CEWB_OK,
		   "zero c vector with pbc T T F is accepted");
		fclose(fp);
		cewb_frames_release(&f);
	}
}

/* A structure with every kind of info value and per-atom array. */
static cewb_structure *rich_structure(void)
{
	static const char *const words[] = {"alpha", "b", "c_3", "Au,Ag"};
	cewb_structure *s = cewb_structure_alloc(4);
	cewb_error err;
	cewb_array *a;
	cewb_info *in;
	size_t i, j;

	/* An oblique, left-handed cell and positions that need 17 digits. */
	double cell[3][3] = {{4.1 / 3, 0.1 + 0.2, -0.0}, {1e-300, 5.0 / 7, 2.2250738585072014e-308},
			     {0.7, 1.1, -3.3}};
	memcpy(s->cell, cell, sizeof cell);
	s->pbc[1] = 0;
	for (i = 0; i < 4; i++) {
		s->numbers[i] = (int)(i * 37 % 119);
		for (j = 0; j < 3; j++)
			s->pos[i][j] = (i + 1.0) / (j + 3.0) - 0.5 * j + 1e-17 * i;
	}
	s->pos[3][0] = -0.0;
	s->pos[3][1] = 999999.99999999988;
	s->pos[3][2] = 5e-324;
	cewb_structure_set_info_real(s, "energy", -1.0 / 3.0, &err);
	cewb_structure_set_info_real(s, "round", 1e22, &err);
	cewb_structure_set_info_string(s, "name", "a \"quoted\" back\\slash = sign", &err);
	cewb_structure_set_info_string(s, "list", "Au,Ag", &err);
	cewb_structure_set_info_string(s, "empty", "", &err);
	cewb_structure_set_info_string(s, "braces", "{x} [y]", &err);
	cewb_structure_set_info_real(s, "key with blanks=", 0.5, &err);
	/* Typed entries built by hand, text deliberately stale: the writer must
	 * write the values. */
	s->info = realloc(s->info, (s->n_info + 4) * sizeof *s->info);
	in = &s->info[s->n_info++];
	in->key = strdup("count");
	in->type = CEWB_VALUE_INT;
	in->text = strdup("stale");
	in->n = 1;
	in->real = malloc(sizeof(double));
	in->real[0] = -42;
	in = &s->info[s->n_info++];
	in->key = strdup("reals");
	in->type = CEWB_VALUE_REAL_ARRAY;
	in->text = strdup("1 2");
	in->n = 3;
	in->real = malloc(3 * sizeof(double));
	in->real[0] = 0.1;
	in->real[1] = 2.0;
	in->real[2] = -1e-310;
	in = &s->info[s->n_info++];
	in->key = strdup("bools");
	in->type = CEWB_VALUE_BOOL_ARRAY;
	in->text = strdup("T F");
	in->n = 2;
	in->real = malloc(2 * sizeof(double));
	in->real[0] = 1;
	in->real[1] = 0;
	in = &s->info[s->n_info++];
	in->key = strdup("ok");
	in->type = CEWB_VALUE_BOOL;
	in->text = strdup("True");
	in->n = 1;
	in->real = malloc(sizeof(double));
	in->real[0] = 1;
	a = cewb_structure_add_array(s, "forces", 'R', 3, &err);
	for (i = 0; i < 12; i++)
		a->real[i] = sin((double)i) * 1e3;
	a = cewb_structure_add_array(s, "tags", 'I', 1, &err);
	for (i = 0; i < 4; i++)
		a->real[i] = (double)i * 1000000007.0 - 5;
	a = cewb_structure_add_array(s, "fixed", 'L', 2, &err);
	for (i = 0; i < 8; i++)
		a->real[i] = i % 3 == 0;
	a = cewb_structure_add_array(s, "label", 'S', 1, &err);
	for (i = 0; i < 4; i++) {
		free(a->str[i]);
		a->str[i] = strdup(words[i]);
	}
	return s;
}

/* Compare two structures bit for bit (info compared by type, values and,
 * when check_text, text). */
static int same_structure(const cewb_structure *a, const cewb_structure *b, int check_text)
{
	size_t i, j;

	if (a->n_atoms != b->n_atoms || memcmp(a->cell, b->cell, sizeof a->cell) ||
	    memcmp(a->pbc, b->pbc, sizeof a->pbc) ||
	    memcmp(a->pos, b->pos, a->n_atoms * sizeof *a->pos) ||
	    memcmp(a->numbers, b->numbers, a->n_atoms * sizeof *a->numbers))
		return 0;
	if (a->n_info != b->n_info || a->n_arrays != b->n_arrays)
		return 0;
	for (i = 0; i < a->n_info; i++) {
		const cewb_info *x = &a->info[i], *y = &b->info[i];
		if (strcmp(x->key, y->key) || x->type != y->type || x->n != y->n ||
		    (check_text && strcmp(x->text, y->text)) || !x->real != !y->real ||
		    (x->real && memcmp(x->real, y->real, x->n * sizeof *x->real))) {
			diag("info %s differs: '%s' vs '%s'", x->key, x->text, y->text);
			return 0;
		}
	}
	for (i = 0; i < a->n_arrays; i++) {
		const cewb_array *x = &a->arrays[i], *y = &b->arrays[i];
		size_t m = a->n_atoms * x->n_cols;
		if (strcmp(x->name, y->name) || x->type != y->type || x->n_cols != y->n_cols)
			return 0;
		if (x->type == 'S') {
			for (j = 0; j < m; j++)
				if (strcmp(x->str[j], y->str[j]))
					return 0;
		} else if (memcmp(x->real, y->real, m * sizeof *x->real)) {
			return 0;
		}
	}
	return 1;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;
	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = calloc((size_t)n + 1, 1);
	if (fread(buf, 1, (size_t)n, fp) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

static void test_round_trip(void)
{
	cewb_structure *s = rich_structure(), *frames[3];
	cewb_frames f = {0, NULL}, g = {0, NULL};
	cewb_error err;
	const char *p1 = tmp_path("rich.xyz"), *p2 = tmp_path("rich2.xyz");
	char *t1, *t2;
	cewb_status st;
	size_t i;

	frames[0] = s;
	frames[1] = s;
	frames[2] = s;
	st = cewb_extxyz_write(p1, frames, 3, &err);
	if (!ok(st == CEWB_OK, "write a rich structure three times")) {
		diag("%s", err.message);
		cewb_structure_free(s);
		return;
	}
	st = cewb_extxyz_read(p1, &f, &err);
	if (!ok(st == CEWB_OK && f.n == 3, "read it back")) {
		diag("%s", err.message);
		cewb_structure_free(s);
		return;
	}
	for (i = 0; i < 3; i++)
		ok(same_structure(s, f.frames[i], 0), "frame %zu: bit-exact round trip", i);
	is_string("-42", cewb_structure_info(f.frames[0], "count")->text,
		  "stale text replaced by the value");
	is_string("0.1 2.0 -1e-310", cewb_structure_info(f.frames[0], "reals")->text,
		  "real array written from its values");
	is_string("True", cewb_structure_info(f.frames[0], "ok")->text,
		  "consistent text kept as written");
	is_string("a \"quoted\" back\\slash = sign",
		  cewb_structure_info(f.frames[0], "name")->text, "string with quotes");
	is_string("{x} [y]", cewb_structure_info(f.frames[0], "braces")->text,
		  "string with brackets");
	ok(f.frames[2]->frame == 2, "frame index");
	/* Writing what was read gives the same file again. */
	st = cewb_extxyz_write(p2, f.frames, f.n, &err);
	t1 = slurp(p1);
	t2 = slurp(p2);
	ok(st == CEWB_OK && t1 && t2 && !strcmp(t1, t2), "write(read(file)) == file");
	free(t1);
	free(t2);
	ok(cewb_extxyz_read(p2, &g, &err) == CEWB_OK && g.n == 3 &&
	   same_structure(f.frames[1], g.frames[1], 1), "second round trip keeps texts too");
	cewb_frames_release(&g);
	cewb_frames_release(&f);

	/* The bundled data round-trip bit for bit, texts included. */
	st = cewb_extxyz_read(src_path("examples/agpd/structures.xyz"), &f, &err);
	if (st == CEWB_OK) {
		int all = 1;
		st = cewb_extxyz_write(p2, f.frames, f.n, &err);
		if (!st)
			st = cewb_extxyz_read(p2, &g, &err);
		for (i = 0; !st && i < f.n; i++)
			if (!same_structure(f.frames[i], g.frames[i], 1))
				all = 0;
		ok(!st && g.n == 625 && all, "agpd: 625 frames round-trip exactly");
		cewb_frames_release(&g);
		cewb_frames_release(&f);
	}

	/* Streams. */
	{
		char buf[8192] = "";
		FILE *fp = fmemopen(buf, sizeof buf, "w");
		cewb_structure *one = cewb_structure_alloc(1);
		one->cell[0][0] = one->cell[1][1] = one->cell[2][2] = 3;
		one->numbers[0] = 28;
		st = cewb_extxyz_write_stream(fp, one, &err);
		fclose(fp);
		const char *want = "1\nLattice=\"3.0 0.0 0.0 0.0 3.0 0.0 0.0 0.0 3.0\" "
				   "Properties=species:S:1:pos:R:3 pbc=\"T T T\"\nNi ";
		ok(st == CEWB_OK && !strncmp(buf, want, strlen(want)),
		   "write_stream: the ASE layout");
		cewb_structure_free(one);
	}

	/* Write errors: nothing is left behind, the old file stays. */
	{
		cewb_array *a;
		const char *p3 = tmp_path("keep.xyz");
		write_text(p3, "old");
		a = cewb_structure_add_array(s, "bad", 'S', 1, &err);
		free(a->str[0]);
		a->str[0] = strdup("two words");
		cewb_error_clear(&err);
		st = cewb_extxyz_write(p3, frames, 1, &err);
		t1 = slurp(p3);
		ok(st == CEWB_EINVAL && strstr(err.message, "two words") &&
		   strstr(err.message, "keep.xyz") && t1 && !strcmp(t1, "old"),
		   "unwritable string refused, old file kept: %s", err.message);
		free(t1);
		for (i = 0; i < s->n_atoms; i++) {
			free(s->arrays[s->n_arrays - 1].str[i]);
			s->arrays[s->n_arrays - 1].str[i] = strdup("ok");
		}
		free(s->arrays[s->n_arrays - 1].name);
		s->arrays[s->n_arrays - 1].name = strdup("pos");
		cewb_error_clear(&err);
		ok(cewb_extxyz_write(p3, frames, 1, &err) == CEWB_EINVAL &&
		   strstr(err.message, "reserved"), "reserved array name: %s", err.message);
		free(s->arrays[s->n_arrays - 1].name);
		s->arrays[s->n_arrays - 1].name = strdup("fine");
		cewb_structure_set_info_real(s, "bad\nkey", 1, &err);
		cewb_error_clear(&err);
		ok(cewb_extxyz_write(p3, frames, 1, &err) == CEWB_EINVAL &&
		   strstr(err.message, "bad\nkey") == NULL && strstr(err.message, "newline"),
		   "key with a newline refused");
		s->info[s->n_info - 1].key[3] = '_';
		s->numbers[0] = 200;
		cewb_error_clear(&err);
		ok(cewb_extxyz_write(p3, frames, 1, &err) == CEWB_EINVAL &&
		   strstr(err.message, "atomic number 200"), "bad atomic number: %s",
		   err.message);
		s->numbers[0] = 1;
		s->pbc[1] = 1;
		s->cell[1][0] = s->cell[1][1] = s->cell[1][2] = 0;
		cewb_error_clear(&err);
		ok(cewb_extxyz_write(p3, frames, 1, &err) == CEWB_EINVAL &&
		   strstr(err.message, "zero-volume"), "degenerate cell: %s", err.message);
		cewb_error_clear(&err);
		ok(cewb_extxyz_write(tmp_path("no/such/dir.xyz"), frames, 1, &err) != CEWB_OK,
		   "unwritable path refused");
		s->cell[1][1] = 1;
		cewb_error_clear(&err);
		ok(cewb_extxyz_write(tmp_path("nodir/x.xyz"), frames, 1, &err) == CEWB_EIO &&
		   strstr(err.message, "nodir/x.xyz"), "missing directory: %s", err.message);
		t1 = slurp(p3);
		ok(t1 && !strcmp(t1, "old"), "failed writes leave the old file");
		free(t1);
	}
	cewb_structure_free(s);
}

static void test_poscar(void)
{
	cewb_structure *s = NULL, *r = NULL;
	cewb_frames f = {0, NULL};
	cewb_error err;
	const cewb_array *a;
	const char *p = tmp_path("POSCAR");
	size_t i;
	int good;

	/* VASP 4, species from the comment line, scale 4. */
	if (ok(cewb_poscar_read(src_path("tests/data/io/POSCAR_vasp4"), NULL, &s, &err) ==
	       CEWB_OK, "VASP 4 with species in the comment")) {
		ok(s->n_atoms == 3 && s->numbers[0] == 47 && s->numbers[1] == 46 &&
		   s->numbers[2] == 46, "species Ag Pd Pd");
		ok(s->cell[0][1] == 2.0 && s->cell[2][0] == 2.0 && s->pos[1][0] == 1.0 &&
		   s->pos[2][2] == 2.0 && s->pbc[0] && s->pbc[2], "scaled cell and positions");
		cewb_structure_free(s);
	} else {
		diag("%s", err.message);
	}
	/* VASP 4 with a hint. */
	if (ok(cewb_poscar_read(src_path("tests/data/io/POSCAR_vasp4_nospecies"), "Cu,Au", &s,
				&err) == CEWB_OK, "VASP 4 with species given")) {
		ok(s->numbers[0] == 29 && s->numbers[1] == 79 && s->pos[1][2] == 1.0,
		   "species Cu Au, Cartesian");
		cewb_structure_free(s);
	} else {
		diag("%s", err.message);
	}
	poscar_error("VASP 4 without species", "without species\n1.0\n2 0 0\n0 2 0\n0 0 2\n1\n"
		     "Direct\n0 0 0\n", NULL, "species must be given", 6);
	/* Selective dynamics, volume scale, velocities, POTCAR suffixes. */
	if (ok(cewb_poscar_read(src_path("tests/data/io/CONTCAR_selective"), NULL, &s, &err) ==
	       CEWB_OK, "CONTCAR with selective dynamics and velocities")) {
		a = cewb_structure_array(s, "selective_dynamics");
		ok(s->n_atoms == 4 && s->numbers[0] == 79 && s->numbers[3] == 29 &&
		   fabs(cewb_cell_volume((const double (*)[3])s->cell) - 64.0) < 1e-12,
		   "negative scale is the target volume");
		/* cbrt(64) need not be exactly 4 in floating point: 1e-14 Å. */
		is_double(2.0, s->pos[1][2], 1e-14, "direct coordinates after volume scale");
		ok(a && a->type == 'L' && a->n_cols == 3 && a->real[0] == 0 && a->real[3] == 1 &&
		   a->real[7] == 0 && a->real[9] == 1 && a->real[10] == 0,
		   "selective dynamics flags kept");
		/* Round trip through a written POSCAR (direct): the fractional
		 * conversion costs at most a few ulps, 1e-14 Å. */
		ok(cewb_poscar_write(p, s, 0, &err) == CEWB_OK, "write POSCAR direct");
		if (ok(cewb_poscar_read(p, NULL, &r, &err) == CEWB_OK, "read it back")) {
			good = r->n_atoms == s->n_atoms &&
			       !memcmp(r->cell, s->cell, sizeof r->cell);
			for (i = 0; i < s->n_atoms; i++)
				good = good && r->numbers[i] == s->numbers[i] &&
				       fabs(r->pos[i][0] - s->pos[i][0]) < 1e-14 &&
				       fabs(r->pos[i][1] - s->pos[i][1]) < 1e-14 &&
				       fabs(r->pos[i][2] - s->pos[i][2]) < 1e-14;
			a = cewb_structure_array(r, "selective_dynamics");
			ok(good && a && !memcmp(a->real, cewb_structure_array(s,
				"selective_dynamics")->real, 12 * sizeof(double)),
			   "direct round trip: cell exact, positions to 1e-14, flags");
			cewb_structure_free(r);
		}
		cewb_structure_free(s);
	} else {
		diag("%s", err.message);
	}
	/* Cartesian round trip of an unsorted, left-handed structure is exact. */
	s = rich_structure();
	for (i = 0; i < 4; i++)
		s->numbers[i] = i == 2 ? 46 : 47;
	s->numbers[3] = 0;
	s->pbc[1] = 1;
	ok(cewb_poscar_write(p, s, 1, &err) == CEWB_OK, "write POSCAR Cartesian");
	if (ok(cewb_poscar_read(p, NULL, &r, &err) == CEWB_OK, "read it back")) {
		ok(!memcmp(r->cell, s->cell, sizeof r->cell) &&
		   !memcmp(r->pos, s->pos, 4 * sizeof *r->pos) &&
		   !memcmp(r->numbers, s->numbers, 4 * sizeof *r->numbers),
		   "Cartesian round trip bit-exact, atom order kept (Ag Ag Pd X)");
		cewb_structure_free(r);
	} else {
		diag("%s", err.message);
	}
	{
		char *t = slurp(p);
		/* The comment lists the species runs, so VASP 4 readers work too. */
		ok(t && !strncmp(t, "Ag Pd X\n1.0\n", 12), "comment line lists species runs");
		free(t);
	}
	cewb_structure_free(s);
	/* Three scale factors, "Kartesian", name *.vasp through read_any. */
	if (ok(cewb_structure_read_any(src_path("tests/data/io/structure.vasp"), NULL, &f,
				       &err) == CEWB_OK && f.n == 1, "read_any: *.vasp")) {
		s = f.frames[0];
		ok(s->cell[1][1] == 6.0 && s->cell[2][2] == 1.5 && s->pos[1][0] == 1.5 &&
		   s->pos[1][1] == 3.0 && s->pos[1][2] == 0.75, "three scale factors");
		cewb_frames_release(&f);
	} else {
		diag("%s", err.message);
	}
	ok(cewb_structure_read_any(src_path("tests/data/io/CONTCAR_selective"), NULL, &f,
				   &err) == CEWB_OK && f.n == 1 && f.frames[0]->n_atoms == 4,
	   "read_any: CONTCAR by name");
	cewb_frames_release(&f);
	ok(cewb_structure_read_any(src_path("tests/data/io/sniffed_poscar"), NULL, &f, &err) ==
	   CEWB_OK && f.n == 1 && f.frames[0]->numbers[1] == 28, "read_any: POSCAR by content");
	cewb_frames_release(&f);
	ok(cewb_structure_read_any(src_path("tests/data/io/sniffed_xyz"), NULL, &f, &err) ==
	   CEWB_OK && f.n == 1 && cewb_structure_info(f.frames[0], "energy"),
	   "read_any: XYZ by content");
	cewb_frames_release(&f);
	ok(cewb_structure_read_any(src_path("tests/data/io/numbered_comment"), NULL, &f, &err) ==
	   CEWB_OK && f.n == 1 && f.frames[0]->numbers[0] == 28,
	   "read_any: a POSCAR that looks like XYZ is read as POSCAR");
	cewb_frames_release(&f);
	cewb_error_clear(&err);
	ok(cewb_structure_read_any(src_path("tests/data/io/README.md"), NULL, &f, &err) ==
	   CEWB_EPARSE && strstr(err.message, "README.md: frame 0, line 2") && f.n == 0,
	   "read_any: neither format: the first error (%s)", err.message);
	ok(cewb_structure_read_any(src_path("examples/agpd/structures.xyz"), NULL, &f, &err) ==
	   CEWB_OK && f.n == 625, "read_any: *.xyz");
	cewb_frames_release(&f);
	ok(cewb_structure_read_any(src_path("tests/data/io/POSCAR_vasp4_nospecies"), "Cu,Au", &f,
				   &err) == CEWB_OK && f.frames[0]->numbers[1] == 79,
	   "read_any passes the species hint");
	cewb_frames_release(&f);

	/* POSCAR errors. */
	poscar_error("truncated atoms", "Ag\n1.0\n2 0 0\n0 2 0\n0 0 2\nAg\n2\nDirect\n0 0 0\n",
		     NULL, "1 of 2 atom lines", 9);
	poscar_error("truncated header", "Ag\n1.0\n2 0 0\n0 2 0\n", NULL, "end of file", 4);
	poscar_error("bad scale", "Ag\nx\n2 0 0\n0 2 0\n0 0 2\nAg\n1\nD\n0 0 0\n", NULL,
		     "scale factor", 2);
	poscar_error("zero scale", "Ag\n0\n2 0 0\n0 2 0\n0 0 2\nAg\n1\nD\n0 0 0\n", NULL,
		     "scale factor", 2);
	poscar_error("huge scale", "Ag\n1e7\n2 0 0\n0 2 0\n0 0 2\nAg\n1\nD\n0 0 0\n", NULL,
		     "exceeds 1e6", 5);
	poscar_error("bad lattice", "Ag\n1\n2 0 0\n0 2 y\n0 0 2\nAg\n1\nD\n0 0 0\n", NULL,
		     "non-numeric", 4);
	poscar_error("short lattice", "Ag\n1\n2 0 0\n0 2\n0 0 2\nAg\n1\nD\n0 0 0\n", NULL,
		     "needs 3 numbers", 4);
	poscar_error("zero volume", "Ag\n1\n2 0 0\n0 2 0\n2 2 0\nAg\n1\nD\n0 0 0\n", NULL,
		     "zero-volume", 5);
	poscar_error("unknown element", "Ag\n1\n2 0 0\n0 2 0\n0 0 2\nAg Qq\n1 1\nD\n0 0 0\n"
		     "0.5 0.5 0.5\n", NULL, "unknown element 'Qq'", 6);
	poscar_error("counts missing", "Ag\n1\n2 0 0\n0 2 0\n0 0 2\nAg Pd\n1\nD\n0 0 0\n", NULL,
		     "2 species names but 1 atom counts", 7);
	poscar_error("bad mode", "Ag\n1\n2 0 0\n0 2 0\n0 0 2\nAg\n1\nFractional\n0 0 0\n", NULL,
		     "Direct or Cartesian", 8);
	poscar_error("bad flag", "Ag\n1\n2 0 0\n0 2 0\n0 0 2\nAg\n1\nSel\nD\n0 0 0 T X T\n",
		     NULL, "not T or F", 10);
	poscar_error("missing flags", "Ag\n1\n2 0 0\n0 2 0\n0 0 2\nAg\n1\nSel\nD\n0 0 0 T\n",
		     NULL, "expected 6 columns", 10);
	poscar_error("nan coordinate", "Ag\n1\n2 0 0\n0 2 0\n0 0 2\nAg\n1\nC\nnan 0 0\n",
		     NULL, "coordinate is nan", 9);
	poscar_error("huge coordinate", "Ag\n1\n2 0 0\n0 2 0\n0 0 2\nAg\n1\nC\n2e6 0 0\n",
		     NULL, "exceeds 1e6", 9);
	poscar_error("non-numeric coordinate", "Ag\n1\n2 0 0\n0 2 0\n0 0 2\nAg\n1\nC\n0 0 z\n",
		     NULL, "non-numeric coordinate 'z'", 9);
	poscar_error("hint of wrong length", "x\n1\n2 0 0\n0 2 0\n0 0 2\n1 1\nD\n0 0 0\n"
		     ".5 .5 .5\n", "Ag", "are 1, the file has 2", 6);
	poscar_error("no atoms", "Ag\n1\n2 0 0\n0 2 0\n0 0 2\nAg\n0\nD\n", NULL, "no atoms", 7);
	{
		cewb_structure *keep = sentinel_frame;
		cewb_error_clear(&err);
		ok(cewb_poscar_read(tmp_path("missing"), NULL, &keep, &err) == CEWB_EIO &&
		   strstr(err.message, "missing") && keep == sentinel_frame,
		   "missing file: %s", err.message);
	}
	{
		cewb_structure *flat = cewb_structure_alloc(1);
		cewb_error_clear(&err);
		ok(cewb_poscar_write(p, flat, 0, &err) == CEWB_EINVAL &&
		   strstr(err.message, "singular"), "write: singular cell refused: %s",
		   err.message);
		cewb_structure_free(flat);
	}
}

static void test_xyz_errors(void)
{
	const char *L = "Lattice=\"4 0 0 0 4 0 0 0 4\" Properties=species:S:1:pos:R:3";
	char text[4096];
	cewb_frames f = {1, &sentinel_frame};
	cewb_error err;
	char *big;
	size_t i, n;

	/* Static files. */
	cewb_error_clear(&err);
	ok(cewb_extxyz_read(src_path("tests/data/io/truncated.xyz"), &f, &err) == CEWB_EPARSE &&
	   names_place(err.message, "truncated.xyz", 1, 8) && strstr(err.message, "2 of its 3") &&
	   f.n == 1 && f.frames[0] == sentinel_frame, "truncated file: %s", err.message);
	cewb_error_clear(&err);
	ok(cewb_extxyz_read(src_path("tests/data/io/unterminated.xyz"), &f, &err) ==
	   CEWB_EPARSE && names_place(err.message, "unterminated.xyz", 0, 2) &&
	   strstr(err.message, "unterminated quote"), "unterminated quote: %s", err.message);
	cewb_error_clear(&err);
	ok(cewb_extxyz_read(src_path("tests/data/io/bad_lattice.xyz"), &f, &err) ==
	   CEWB_EPARSE && names_place(err.message, "bad_lattice.xyz", 0, 2) &&
	   strstr(err.message, "malformed Lattice"), "Lattice of 8 numbers: %s", err.message);
	cewb_error_clear(&err);
	ok(cewb_extxyz_read(tmp_path("absent.xyz"), &f, &err) == CEWB_EIO &&
	   strstr(err.message, "absent.xyz") && f.frames[0] == sentinel_frame,
	   "missing file: %s", err.message);

	/* Written here. */
	snprintf(text, sizeof text, "1\n%s\nAu 0 0 0\n2\n%s\nAu 0 0 0\nAu 1 1 x\n", L, L);
	xyz_error("non-numeric coordinate", text, "non-numeric z coordinate 'x'", 1, 7);
	snprintf(text, sizeof text, "1\n%s\nAu 0 0 0\n1\n%s\nQq 0 0 0\n", L, L);
	xyz_error("unknown element", text, "unknown element 'Qq'", 1, 6);
	snprintf(text, sizeof text, "1\n%s\nAu nan 0 0\n", L);
	xyz_error("NaN coordinate", text, "x coordinate is nan", 0, 3);
	snprintf(text, sizeof text, "1\n%s\nAu 0 -inf 0\n", L);
	xyz_error("infinite coordinate", text, "y coordinate is -inf", 0, 3);
	snprintf(text, sizeof text, "1\n%s\nAu 0 0 1.5e6\n", L);
	xyz_error("absurd coordinate", text, "exceeds 1e6", 0, 3);
	snprintf(text, sizeof text, "1\n%s\nAu 0 0\n", L);
	xyz_error("too few columns", text, "expected 4 columns, found 3", 0, 3);
	snprintf(text, sizeof text, "1\n%s\nAu 0 0 0 7\n", L);
	xyz_error("too many columns", text, "expected 4 columns, found 5", 0, 3);
	snprintf(text, sizeof text, "2\n%s\nAu 0 0 0\nAu 1 1 1\nAu 2 2 2\n", L);
	xyz_error("more atom lines than the count", text, "expected an atom count", 1, 5);
	snprintf(text, sizeof text, "two\n%s\nAu 0 0 0\n", L);
	xyz_error("count not a number", text, "expected an atom count, found 'two'", 0, 1);
	snprintf(text, sizeof text, "1\n%s\nAu 0 0 0\n1\n", L);
	xyz_error("missing comment line", text, "missing comment line", 1, 4);
	snprintf(text, sizeof text, "1000000000\n%s\nAu 0 0 0\n", L);
	xyz_error("absurd atom count", text, "cannot hold 1000000000 atom lines", 0, 1);
	xyz_error("empty file", "\n\n", "no frames", 0, -1);
	xyz_error("Lattice not numeric", "1\nLattice=\"4 0 0 0 4 0 0 0 y\"\nAu 0 0 0\n",
		  "malformed Lattice", 0, 2);
	xyz_error("Lattice huge", "1\nLattice=\"4e7 0 0 0 4 0 0 0 4\"\nAu 0 0 0\n",
		  "exceeds 1e6", 0, 2);
	xyz_error("zero-volume cell", "1\nLattice=\"4 0 0 0 4 0 4 4 0\"\nAu 0 0 0\n",
		  "zero-volume cell", 0, 2);
	xyz_error("zero c vector with pbc", "1\nLattice=\"4 0 0 0 4 0 0 0 0\" pbc=\"T T T\"\n"
		  "Au 0 0 0\n", "zero-volume cell", 0, 2);
	xyz_error("malformed pbc", "1\nLattice=\"4 0 0 0 4 0 0 0 4\" pbc=\"T T\"\nAu 0 0 0\n",
		  "malformed pbc", 0, 2);
	xyz_error("Properties bad type", "1\nProperties=species:S:1:pos:Q:3\nAu 0 0 0\n",
		  "type 'Q'", 0, 2);
	xyz_error("Properties bad count", "1\nProperties=species:S:1:pos:R:x\nAu 0 0 0\n",
		  "count 'x'", 0, 2);
	xyz_error("Properties incomplete", "1\nProperties=species:S:1:pos:R\nAu 0 0 0\n",
		  "not name:type:columns", 0, 2);
	xyz_error("Properties pos of 2", "1\nProperties=species:S:1:pos:R:2\nAu 0 0\n",
		  "must be R:3", 0, 2);
	xyz_error("Properties repeated", "1\nProperties=species:S:1:pos:R:3:a:R:1:a:R:1\n"
		  "Au 0 0 0 1 1\n", "given twice", 0, 2);
	xyz_error("Properties empty", "1\nProperties=\"\"\nAu 0 0 0\n", "malformed Properties",
		  0, 2);
	xyz_error("unterminated brace", "1\na={1 2\nAu 0 0 0\n", "unterminated quote {", 0, 2);
	xyz_error("'=' without key", "1\n=5\nAu 0 0 0\n", "without a key", 0, 2);
	xyz_error("non-integer I column", "1\nProperties=species:S:1:pos:R:3:t:I:1\n"
		  "Au 0 0 0 1.5\n", "non-integer value '1.5' in column 't'", 0, 3);
	xyz_error("non-numeric R column", "1\nProperties=species:S:1:pos:R:3:q:R:1\n"
		  "Au 0 0 0 abc\n", "non-numeric value 'abc' in column 'q'", 0, 3);
	xyz_error("bad L column", "1\nProperties=species:S:1:pos:R:3:m:L:1\n"
		  "Au 0 0 0 yes\n", "'yes' is not T or F", 0, 3);
	xyz_error("bad Z column", "1\nProperties=species:S:1:pos:R:3:Z:I:1\n"
		  "Au 0 0 0 300\n", "unknown atomic number 300", 0, 3);
	xyz_error("hex is not a number", "1\n\nAu 0x10 0 0\n", "non-numeric x coordinate", 0, 3);
	extra_bytes = 7;
	xyz_error("NUL byte", "1\n\nAu 0 0 0\n\0garbage", "not a text file", -1, 4);

	/* A failure at frame 300 leaves nothing half loaded. */
	n = 301;
	big = malloc(n * 200);
	big[0] = '\0';
	for (i = 0; i < n; i++) {
		char fr[200];
		snprintf(fr, sizeof fr, "1\n%s id=%zu\nAu 0 0 %s\n", L, i, i == 300 ? "?" : "0");
		strcat(big, fr);
	}
	xyz_error("bad frame 300 of 301", big, "non-numeric z coordinate '?'", 300, 903);
	free(big);
}

/* Private number parser of the readers (src/core/io_util.h). */
size_t cewb_io_parse_real(const char *s, int allow_special, double *v);

static void test_number_parser(void)
{
	static const char *const fixed[] = {"0", "-0", "-0.0", ".5", "5.", "-.5e-3", "1e22",
					    "1e23", "123456789012345678901234", "2.04500000",
					    "9007199254740993", "4.9e-324",
					    "1.7976931348623157e308",
					    "0.1", "+3.25", "1E5", "nan", "-inf", "Infinity"};
	unsigned seed = 12345;
	size_t i, bad = 0;

	/* The fast path must agree with strtod bit for bit. */
	for (i = 0; i < sizeof fixed / sizeof *fixed; i++) {
		double v = 0, w = strtod(fixed[i], NULL);
		if (cewb_io_parse_real(fixed[i], 1, &v) != strlen(fixed[i]) ||
		    (!isnan(w) && !same_bits(v, w)) || (isnan(w) && !isnan(v))) {
			bad++;
			diag("'%s': %.17g vs strtod %.17g", fixed[i], v, w);
		}
	}
	for (i = 0; i < 200000; i++) {
		char b[64], *q = b;
		int nd = 1 + rand_r(&seed) % 19, dot = rand_r(&seed) % (nd + 1), k;
		double v = 0, w;
		if (rand_r(&seed) % 2)
			*q++ = '-';
		for (k = 0; k < nd; k++) {
			if (k == dot)
				*q++ = '.';
			*q++ = (char)('0' + rand_r(&seed) % 10);
		}
		if (rand_r(&seed) % 3 == 0)
			q += sprintf(q, "e%d", rand_r(&seed) % 60 - 30);
		*q = '\0';
		w = strtod(b, NULL);
		if (cewb_io_parse_real(b, 1, &v) != strlen(b) || !same_bits(v, w)) {
			if (bad++ < 5)
				diag("'%s': %.17g vs strtod %.17g", b, v, w);
		}
	}
	ok(bad == 0, "number parser agrees with strtod bit for bit (200000 random decimals)");
}

static void test_locale(void)
{
	cewb_frames f = {0, NULL};
	cewb_error err;
	const char *loc = setlocale(LC_NUMERIC, "de_DE.UTF-8");

	if (!loc)
		loc = setlocale(LC_NUMERIC, "fr_FR.UTF-8");
	if (!loc)
		diag("no comma-decimal locale installed; checking under the C locale");
	ok(cewb_extxyz_read(src_path("examples/agpd/structures.xyz"), &f, &err) == CEWB_OK &&
	   f.n == 625 && same_bits(f.frames[2]->info[2].real[0], -0.03975783499999985),
	   "numbers read the same whatever LC_NUMERIC (%s)", loc ? loc : "C");
	cewb_frames_release(&f);
	setlocale(LC_NUMERIC, "C");
}

int main(void)
{
	const char *t = getenv("top_srcdir");
	size_t i;

	snprintf(top, sizeof top, "%s", t ? t : ".");
	snprintf(tmpdir, sizeof tmpdir, "test_io.tmp.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		printf("Bail out! cannot create a scratch directory\n");
		return 1;
	}
	sentinel_frame = cewb_structure_alloc(1);

	test_elements();
	test_cell();
	test_structure_api();
	test_datasets();
	test_agpd_values();
	test_icet_values();
	test_speed();
	test_comment_parsing();
	test_ase_written();
	test_plain_and_defaults();
	test_round_trip();
	test_poscar();
	test_xyz_errors();
	test_number_parser();
	test_locale();

	cewb_structure_free(sentinel_frame);
	{
		static const char *const names[] = {"bad.xyz", "POSCAR_bad", "rich.xyz",
						    "rich2.xyz", "keep.xyz", "POSCAR",
						    "json.xyz"};
		for (i = 0; i < sizeof names / sizeof *names; i++)
			unlink(tmp_path(names[i]));
		rmdir(tmpdir);
	}
	return done_testing();
}
