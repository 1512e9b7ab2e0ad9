/*
 * tests/test_io_nomem.c - out of memory in the structure readers and
 * writers: the k-th allocation fails, for every k until a call succeeds.
 *
 * malloc, calloc, realloc and free are replaced here (glibc allows that)
 * with versions that can fail on request and count live blocks, so every
 * error path is checked for leaks without valgrind: after a failed call the
 * number of live blocks must be what it was before, and the output must be
 * untouched.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cewb/structure.h"
#include "tap.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CEWB_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(CEWB_ASAN)
/* AddressSanitizer replaces malloc and free itself; two replacements of the
 * allocator cannot share one heap (its blocks would reach glibc's free), so
 * this test runs only in a build without it, where it counts live blocks. */
int main(void)
{
	printf("1..0 # SKIP the allocator is replaced by AddressSanitizer\n");
	return 0;
}
#else

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static long fail_at;  /* allocation number that fails (0: none) */
static long n_alloc;  /* allocations since the countdown was armed */
static long live;     /* blocks currently allocated */

static int should_fail(void)
{
	return fail_at && ++n_alloc == fail_at;
}

void *malloc(size_t n)
{
	void *p;
	if (should_fail())
		return NULL;
	p = __libc_malloc(n);
	if (p)
		live++;
	return p;
}

void *calloc(size_t n, size_t m)
{
	void *p;
	if (should_fail())
		return NULL;
	p = __libc_calloc(n, m);
	if (p)
		live++;
	return p;
}

void *realloc(void *q, size_t n)
{
	void *p;
	if (should_fail())
		return NULL;
	p = __libc_realloc(q, n);
	if (p && !q)
		live++;
	if (!p && q && n == 0)
		live--;
	return p;
}

void free(void *p)
{
	if (p)
		live--;
	__libc_free(p);
}

static char top[4096];

static const char *src_path(const char *rel)
{
	static char buf[2][8192];
	static int k;
	k = (k + 1) % 2;
	snprintf(buf[k], sizeof buf[k], "%s/%s", top, rel);
	return buf[k];
}

/* One operation under test; returns its status. */
typedef cewb_status (*op_fn)(cewb_error *err);

static cewb_frames out_frames;
static cewb_structure *out_structure;
static cewb_structure *input;
static char out_path[256];

static cewb_status op_read_xyz(cewb_error *err)
{
	return cewb_extxyz_read(src_path("tests/data/io/ase_written.xyz"), &out_frames, err);
}

static cewb_status op_read_any(cewb_error *err)
{
	return cewb_structure_read_any(src_path("tests/data/icet/fcc_binary.xyz"), NULL,
				       &out_frames, err);
}

static cewb_status op_read_poscar(cewb_error *err)
{
	return cewb_poscar_read(src_path("tests/data/io/CONTCAR_selective"), NULL,
				&out_structure, err);
}

static cewb_status op_read_poscar_hint(cewb_error *err)
{
	return cewb_poscar_read(src_path("tests/data/io/POSCAR_vasp4_nospecies"), "Cu,Au",
				&out_structure, err);
}

static cewb_status op_write_xyz(cewb_error *err)
{
	return cewb_extxyz_write(out_path, &input, 1, err);
}

static cewb_status op_write_poscar(cewb_error *err)
{
	return cewb_poscar_write(out_path, input, 0, err);
}

static cewb_status op_copy(cewb_error *err)
{
	out_structure = cewb_structure_copy(input);
	return out_structure ? CEWB_OK : cewb_error_set(err, CEWB_ENOMEM, "out of memory");
}

/* Copy, add a string array and an info entry, free: all or nothing. */
static cewb_status op_add_array(cewb_error *err)
{
	cewb_structure *c = cewb_structure_copy(input);
	cewb_status st = CEWB_OK;

	if (!c)
		return cewb_error_set(err, CEWB_ENOMEM, "out of memory");
	if (!cewb_structure_add_array(c, "scratch", 'S', 2, err) ||
	    !cewb_structure_add_array(c, "forces", 'R', 3, err))
		st = err->code;
	if (!st)
		st = cewb_structure_set_info_string(c, "note", "a new entry", err);
	if (!st)
		st = cewb_structure_set_info_real(c, "energy", -2.5, err);
	cewb_structure_free(c);
	return st;
}

/* Release what a successful op produced. */
static void release_outputs(int makes_frames, int makes_structure)
{
	if (makes_frames)
		cewb_frames_release(&out_frames);
	if (makes_structure)
		cewb_structure_free(out_structure);
	out_frames.n = 0;
	out_frames.frames = NULL;
	out_structure = NULL;
}

/* Count the allocations of op, then fail each one in turn: every failure
 * must give CEWB_ENOMEM or CEWB_EIO (or be tolerated: CEWB_OK), leave the
 * output untouched and leak nothing. */
static void exhaust(const char *name, op_fn op, int makes_frames, int makes_structure)
{
	long k, total, before, n_failed = 0;
	int all_clean = 1, all_untouched = 1, all_coded = 1;
	cewb_status st;
	cewb_error err;

	before = live;
	n_alloc = 0;
	fail_at = -1; /* count, never fail */
	st = op(&err);
	fail_at = 0;
	total = n_alloc;
	release_outputs(makes_frames, makes_structure);
	if (!ok(st == CEWB_OK && live == before, "%s: runs without failures", name)) {
		diag("%s", err.message);
		return;
	}
	for (k = 1; k <= total; k++) {
		before = live;
		n_alloc = 0;
		fail_at = k;
		cewb_error_clear(&err);
		st = op(&err);
		fail_at = 0;
		if (st == CEWB_OK) {
			release_outputs(makes_frames, makes_structure);
		} else {
			n_failed++;
			if (st != CEWB_ENOMEM && st != CEWB_EIO) {
				diag("%s: allocation %ld: status %d: %s", name, k, st, err.message);
				all_coded = 0;
			}
			if (out_frames.n || out_frames.frames || out_structure)
				all_untouched = 0;
		}
		if (live != before) {
			if (all_clean)
				diag("%s: allocation %ld failing leaks %ld blocks (%s)", name, k,
				     live - before, err.message);
			all_clean = 0;
		}
	}
	ok(all_coded && all_untouched && all_clean, "%s: each of %ld allocations failed in "
	   "turn (%ld errors), no leak, output untouched", name, total, n_failed);
}

int main(void)
{
	const char *t = getenv("top_srcdir");
	cewb_error err;
	cewb_frames f = {0, NULL};

	snprintf(top, sizeof top, "%s", t ? t : ".");
	snprintf(out_path, sizeof out_path, "test_io_nomem.%ld.out", (long)getpid());

	exhaust("extended XYZ read", op_read_xyz, 1, 0);
	exhaust("read_any", op_read_any, 1, 0);
	exhaust("POSCAR read", op_read_poscar, 0, 1);
	exhaust("POSCAR read with species", op_read_poscar_hint, 0, 1);

	if (cewb_extxyz_read(src_path("tests/data/io/ase_written.xyz"), &f, &err) != CEWB_OK) {
		printf("Bail out! %s\n", err.message);
		return 1;
	}
	input = f.frames[0];
	exhaust("structure copy", op_copy, 0, 1);
	exhaust("add arrays and info", op_add_array, 0, 0);
	exhaust("extended XYZ write", op_write_xyz, 0, 0);
	exhaust("POSCAR write", op_write_poscar, 0, 0);
	cewb_frames_release(&f);
	unlink(out_path);
	return done_testing();
}
#endif
