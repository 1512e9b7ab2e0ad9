/*
 * fuzz.h - helpers shared by the fuzz entry points (fuzz_*.c).
 *
 * The entry points check the contracts a reader promises on any input, and
 * abort() when one is broken, so that libFuzzer (or the driver under `make
 * check`) reports the input: an error message is one non-empty line.
 */
#ifndef CEWB_FUZZ_H
#define CEWB_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Abort unless msg is one non-empty line. */
static inline void fuzz_check_message(const char *what, const char *msg)
{
	if (!msg || !msg[0] || strchr(msg, '\n')) {
		fprintf(stderr, "%s: error message is not one non-empty line: '%s'\n", what,
			msg ? msg : "(null)");
		abort();
	}
}

/* A NUL-terminated copy of the input (NULL when out of memory). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
