/*
 * fuzz_prior.c - fuzz entry point of the prior file reader.
 *
 * The input is the text of a prior file (what `prior save` writes and
 * cewb_prior_load reads) for a fixed layout of 7 parameters in 6 orbits
 * (orders 0 1 2 2 3 4, one ternary pair orbit with two parameters).  It is
 * read into a copy of that prior.  On success the prior must give a finite
 * symmetric Lambda, write itself as JSON that reads back, and undo the
 * load; on failure the message must be one line and the prior must be
 * unchanged (no undo step).
 */
#include "config.h"
#include <math.h>
#include "cewb/prior.h"
#include "fuzz.h"

static cewb_prior *base;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const size_t param_orbit[7] = { 0, 1, 2, 2, 3, 4, 5 };
	static const size_t order[6] = { 0, 1, 2, 2, 3, 4 };
	static const double radius[6] = { 0, 0, 1.4460, 2.0450, 1.6697, 1.7709 };
	cewb_error err;
	(void)argc;
	(void)argv;
	base = cewb_prior_alloc(7, 6, param_orbit, order, radius, &err);
	if (!base) {
		fprintf(stderr, "fuzz: %s\n", err.message);
		exit(99);
	}
	return 0;
}

/* Abort unless Lambda of pr is symmetric (NaN never, +inf allowed on the
 * diagonal of removed parameters). */
static void check_lambda(const cewb_prior *pr)
{
	size_t n = cewb_prior_n_params(pr);
	double *l = malloc(n * n * sizeof *l);
	if (!l)
		return;
	cewb_prior_lambda(pr, l);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (isnan(l[i * n + j]) || !(l[i * n + j] == l[j * n + i])) {
				fprintf(stderr, "prior: Lambda(%zu,%zu) = %g, Lambda(%zu,%zu) = %g\n",
					i, j, l[i * n + j], j, i, l[j * n + i]);
				abort();
			}
	free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cewb_error err;
	char *text = fuzz_strndup(data, size), *json = NULL;
	cewb_prior *pr = cewb_prior_copy(base);
	if (!text || !pr)
		goto out;
	if (cewb_prior_from_json(pr, text, "fuzz.prior", &err) != CEWB_OK) {
		fuzz_check_message("prior read", err.message);
		if (cewb_prior_n_undo(pr) != 0) {
			fprintf(stderr, "prior: a failed read left an undo step\n");
			abort();
		}
		goto out;
	}
	check_lambda(pr);
	if (cewb_prior_to_json(pr, &json, &err) != CEWB_OK) {
		fuzz_check_message("prior write", err.message);
		goto out;
	}
	cewb_prior *back = cewb_prior_copy(base);
	if (back && cewb_prior_from_json(back, json, "written", &err) != CEWB_OK) {
		fprintf(stderr, "prior: the written prior does not read back: %s\n%s\n",
			err.message, json);
		abort();
	}
	cewb_prior_free(back);
	if (cewb_prior_undo(pr, &err) != CEWB_OK) {
		fprintf(stderr, "prior: no undo after a load: %s\n", err.message);
		abort();
	}
out:
	free(json);
	cewb_prior_free(pr);
	free(text);
	return 0;
}
