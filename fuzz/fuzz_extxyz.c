/*
 * fuzz_extxyz.c - fuzz entry point of the extended XYZ reader.
 *
 * The input is read as a stream (cewb_extxyz_read_stream on fmemopen).  On
 * success every frame is written back and read again: the writer must give
 * a file the reader accepts, with the same frames and atoms.  On failure
 * the message must be one line.
 */
#include "config.h"
#include "cewb/structure.h"
#include "fuzz.h"

/* Abort when the frames written from a do not read back as b. */
static void check_same(const cewb_frames *a, const cewb_frames *b)
{
	if (a->n != b->n) {
		fprintf(stderr, "round trip: %zu frames written, %zu read\n", a->n, b->n);
		abort();
	}
	for (size_t i = 0; i < a->n; i++)
		if (a->frames[i]->n_atoms != b->frames[i]->n_atoms) {
			fprintf(stderr, "round trip: frame %zu: %zu atoms written, %zu read\n", i,
				a->frames[i]->n_atoms, b->frames[i]->n_atoms);
			abort();
		}
}

/* Write the frames of fr and read them back. */
static void round_trip(const cewb_frames *fr)
{
	char *buf = NULL;
	size_t len = 0;
	cewb_error err;
	FILE *mem = open_memstream(&buf, &len);
	int ok = mem != NULL;
	for (size_t i = 0; ok && i < fr->n; i++)
		if (cewb_extxyz_write_stream(mem, fr->frames[i], &err) != CEWB_OK) {
			fuzz_check_message("extxyz write", err.message);
			ok = 0;
		}
	if (mem)
		fclose(mem);
	if (ok && len > 0) {
		FILE *in = fmemopen(buf, len, "r");
		cewb_frames back = { 0, NULL };
		if (in && cewb_extxyz_read_stream(in, "written", &back, &err) != CEWB_OK) {
			fprintf(stderr, "round trip: written frames do not read back: %s\n%s",
				err.message, buf);
			abort();
		}
		if (in) {
			check_same(fr, &back);
			cewb_frames_release(&back);
			fclose(in);
		}
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cewb_frames fr = { 0, NULL };
	cewb_error err;
	FILE *fp = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	if (!fp)
		return 0;
	if (cewb_extxyz_read_stream(fp, "fuzz.xyz", &fr, &err) == CEWB_OK) {
		round_trip(&fr);
		cewb_frames_release(&fr);
	} else {
		fuzz_check_message("extxyz read", err.message);
	}
	fclose(fp);
	return 0;
}
