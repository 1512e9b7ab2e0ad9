/*
 * driver.c - run a fuzz entry point over saved inputs, without libFuzzer.
 *
 * Linked with one fuzz_<name>.c (which defines LLVMFuzzerTestOneInput) and
 * built with the normal compiler, it makes `make check` replay every seed
 * and every kept regression input of that target.  Without arguments it
 * reads $top_srcdir/fuzz/seeds/<name> and $top_srcdir/fuzz/regress/<name>;
 * with arguments, the files (or directories of files) named.  It prints
 * TAP: one line per input, "ok" when the entry point returned; a crash or a
 * sanitizer report ends the program, so the test fails.
 */
#include "config.h"
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef FUZZ_NAME
#error "FUZZ_NAME must name the fuzz target"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* The file names to run, sorted. */
struct file_list {
	size_t n, cap;
	char **path;
};

/* Append a copy of path; exits when out of memory. */
static void list_add(struct file_list *l, const char *path)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->path = realloc(l->path, l->cap * sizeof *l->path);
		if (!l->path) {
			fprintf(stderr, "out of memory\n");
			exit(99);
		}
	}
	l->path[l->n] = strdup(path);
	if (!l->path[l->n]) {
		fprintf(stderr, "out of memory\n");
		exit(99);
	}
	l->n++;
}

/* Add path: a regular file, or every regular file directly in a directory
 * (names starting with '.' and README files left out).  A missing path is
 * skipped when optional, else an error. */
static int add_path(struct file_list *l, const char *path, int optional)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (optional)
			return 0;
		fprintf(stderr, "cannot read '%s'\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		list_add(l, path);
		return 0;
	}
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "cannot read '%s'\n", path);
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, "README", 6) == 0)
			continue;
		size_t len = strlen(path) + strlen(e->d_name) + 2;
		char *p = malloc(len);
		if (!p)
			exit(99);
		snprintf(p, len, "%s/%s", path, e->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			list_add(l, p);
		free(p);
	}
	closedir(d);
	return 0;
}

/* qsort comparison of two strings. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read a whole file into an exactly sized buffer (so that a read past its
 * end shows up under the sanitizers); NULL on error. */
static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	long len;
	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (len = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc(len ? (size_t)len : 1);
		if (buf && fread(buf, 1, (size_t)len, fp) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
		*size = (size_t)len;
	}
	fclose(fp);
	return buf;
}

int main(int argc, char **argv)
{
	struct file_list l = { 0, 0, NULL };
	int bad = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (add_path(&l, argv[i], 0))
				bad = 1;
	} else {
		const char *top = getenv("top_srcdir");
		char dir[4096];
		if (!top)
			top = ".";
		snprintf(dir, sizeof dir, "%s/fuzz/seeds/%s", top, FUZZ_NAME);
		if (add_path(&l, dir, 0))
			bad = 1;
		snprintf(dir, sizeof dir, "%s/fuzz/regress/%s", top, FUZZ_NAME);
		add_path(&l, dir, 1);
	}
	if (l.n)
		qsort(l.path, l.n, sizeof *l.path, cmp_str);
	/* Absolute names: an entry point may change the working directory. */
	for (size_t i = 0; i < l.n; i++) {
		char *abs = realpath(l.path[i], NULL);
		if (abs) {
			free(l.path[i]);
			l.path[i] = abs;
		}
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	int extra = bad && argc <= 1;
	printf("1..%zu\n", l.n + (size_t)extra);
	fflush(stdout);
	for (size_t i = 0; i < l.n; i++) {
		size_t size = 0;
		uint8_t *data = read_file(l.path[i], &size);
		const char *base = strrchr(l.path[i], '/');
		base = base ? base + 1 : l.path[i];
		if (!data) {
			printf("not ok %zu - %s: cannot read\n", i + 1, base);
			bad = 1;
		} else {
			LLVMFuzzerTestOneInput(data, size);
			printf("ok %zu - %s %s (%zu bytes)\n", i + 1, FUZZ_NAME, base, size);
		}
		fflush(stdout);
		free(data);
		free(l.path[i]);
	}
	if (extra)
		printf("not ok %zu - the seed directory of %s is there\n", l.n + 1, FUZZ_NAME);
	free(l.path);
	return bad && !extra;
}
