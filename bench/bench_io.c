/*
 * bench/bench_io.c - speed of the extended XYZ reader and writer.
 *
 * Targets: the Ag-Pd set (625 frames) read in a few ms; the 2142 frames of
 * equivalent_structure_pairs.xyz (1.4 MB) read well under 0.1 s.  Each
 * figure is the best of several runs.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "cewb/structure.h"
#include "bench_util.h"

/* Best time of reps reads of a file; -1 on error. */
static double time_read(const char *path, int reps, size_t *n_frames)
{
	double best = 1e30;
	int k;

	for (k = 0; k < reps; k++) {
		cewb_frames f = {0, NULL};
		cewb_error err;
		double t = bench_now();
		if (cewb_extxyz_read(path, &f, &err) != CEWB_OK) {
			fprintf(stderr, "%s\n", err.message);
			return -1;
		}
		t = bench_now() - t;
		if (t < best)
			best = t;
		*n_frames = f.n;
		cewb_frames_release(&f);
	}
	return best;
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char agpd[4096], pairs[4096], out[64];
	cewb_frames f = {0, NULL};
	cewb_error err;
	size_t n = 0;
	double t, best = 1e30;
	int k, fail = 0;

	if (!top)
		top = CEWB_TOP_SRCDIR;
	snprintf(agpd, sizeof agpd, "%s/examples/agpd/structures.xyz", top);
	snprintf(pairs, sizeof pairs, "%s/tests/data/icet/equivalent_structure_pairs.xyz", top);

	t = time_read(agpd, 20, &n);
	printf("read Ag-Pd structures.xyz (%zu frames): %.2f ms (target: a few ms, <= 5 ms)\n",
	       n, 1e3 * t);
	fail |= t < 0;
	t = time_read(pairs, 10, &n);
	printf("read equivalent_structure_pairs.xyz (%zu frames): %.2f ms (target < 100 ms)\n",
	       n, 1e3 * t);
	fail |= t < 0 || t > 0.1;

	if (cewb_extxyz_read(pairs, &f, &err) != CEWB_OK) {
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	snprintf(out, sizeof out, "bench_io.%ld.xyz", (long)getpid());
	for (k = 0; k < 5; k++) {
		t = bench_now();
		if (cewb_extxyz_write(out, f.frames, f.n, &err) != CEWB_OK) {
			fprintf(stderr, "%s\n", err.message);
			fail = 1;
			break;
		}
		t = bench_now() - t;
		if (t < best)
			best = t;
	}
	printf("write equivalent_structure_pairs (%zu frames, exact digits, fsync): %.2f ms\n",
	       f.n, 1e3 * best);
	unlink(out);
	cewb_frames_release(&f);
	return fail;
}
