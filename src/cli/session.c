/* session.c - the session state, its swaps, and the output of commands. */
#include "config.h"
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "safety.h"
#include "session.h"

#pragma weak fce_state_free
#include "fit_data.h"

/* Set up a session with default settings (nothing loaded). */
void session_init(struct session *s)
{
	memset(s, 0, sizeof *s);
	s->seed = 42;
	s->threads = 0;
	s->format = FORMAT_TEXT;
	s->precision = 6;
	snprintf(s->plot_terminal, sizeof s->plot_terminal, "auto");
	s->match_tol = 0.1;
	s->out = stdout;
}

/* Free the items of a training set and reset it to empty. */
void train_release(struct train_set *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct train_item *it = &t->items[i];
		cewb_structure_free(it->s);
		cewb_structure_free(it->ideal);
		free(it->file);
		free(it->map_reason);
	}
	free(t->items);
	free(t->target_key);
	free(t->X);
	memset(t, 0, sizeof *t);
}

/* Drop the fit, if any. */
void session_drop_fit(struct session *s)
{
	if (s->fit.have)
		cewb_fit_result_release(&s->fit.res);
	memset(&s->fit, 0, sizeof s->fit);
}

/* Free everything the session owns (closes the record file). */
void session_release(struct session *s)
{
	if (s->fce && fce_state_free)
		fce_state_free(s->fce);
	s->fce = NULL;
	session_drop_fit(s);
	fit_data_free(s->fit_data);
	s->fit_data = NULL;
	train_release(&s->train);
	cewb_prior_free(s->prior);
	s->prior = NULL;
	cewb_space_free(s->space);
	cewb_lattice_free(s->lattice);
	cewb_structure_free(s->lattice_structure);
	free(s->lattice_file);
	free(s->species);
	free(s->lambda);
	if (s->record)
		fclose(s->record);
	free(s->record_path);
	s->space = NULL;
	s->lattice = NULL;
	s->lattice_structure = NULL;
	s->lattice_file = s->species = s->record_path = NULL;
	s->lambda = NULL;
	s->record = NULL;
}

/* Replace the lattice (drops space, vectors, fit, prior). */
void session_set_lattice(struct session *s, cewb_lattice *lat, cewb_structure *frame,
			 const char *file, size_t frame_index, const char *species)
{
	session_drop_fit(s);
	cewb_space_free(s->space);
	s->space = NULL;
	cewb_prior_free(s->prior);
	s->prior = NULL;
	free(s->train.X);
	s->train.X = NULL;
	s->train.n_params = 0;
	free(s->lambda);
	s->lambda = NULL;
	cewb_lattice_free(s->lattice);
	cewb_structure_free(s->lattice_structure);
	free(s->lattice_file);
	free(s->species);
	s->lattice = lat;
	s->lattice_structure = frame;
	s->lattice_file = file ? strdup(file) : NULL;
	s->lattice_frame = frame_index;
	s->species = species ? strdup(species) : NULL;
}

/* Replace the space and the training vectors X (computed by the caller with train_vectors). */
void session_set_space(struct session *s, cewb_space *sp, double *X)
{
	session_drop_fit(s);
	free(s->lambda);
	s->lambda = NULL;
	cewb_space_free(s->space);
	s->space = sp;
	cewb_prior_free(s->prior);
	s->prior = NULL;
	free(s->train.X);
	s->train.X = X;
	s->train.n_params = sp ? sp->n_params : 0;
}

/* Replace the training set (X already computed, or NULL without space). */
void session_set_train(struct session *s, struct train_set *t)
{
	session_drop_fit(s);
	train_release(&s->train);
	s->train = *t;
	memset(t, 0, sizeof *t);
}

/* Cluster vectors of every item of t in space sp: a new n x n_params matrix in *X_out. */
cewb_status train_vectors(const struct session *s, const cewb_space *sp,
			  const struct train_set *t, double **X_out, cewb_error *err)
{
	*X_out = NULL;
	if (t->n == 0)
		return CEWB_OK;
	double *X = malloc(t->n * sp->n_params * sizeof *X);
	if (!X)
		return cewb_error_set(err, CEWB_ENOMEM, "out of memory for %zu cluster vectors",
				      t->n);
	for (size_t i = 0; i < t->n; i++) {
		const struct train_item *it = &t->items[i];
		const cewb_structure *st = it->ideal ? it->ideal : it->s;
		if (it->map == MAP_REFUSED) {
			for (size_t j = 0; j < sp->n_params; j++)
				X[i * sp->n_params + j] = NAN;
			continue;
		}
		cli_progress_set(i, t->n);
		cewb_status rc = cewb_cvec_compute(sp, st, s->match_tol, X + i * sp->n_params, err);
		if (rc != CEWB_OK) {
			free(X);
			return rc;
		}
	}
	*X_out = X;
	return CEWB_OK;
}

/* Text output of the current command. */
void out_printf(struct session *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(s->out, fmt, ap);
	va_end(ap);
}

/* Does the current command write JSON? */
int out_is_json(const struct session *s)
{
	return s->cur_json;
}

/* The JSON document of the current command (doc is stolen). */
void out_json(struct session *s, json_t *doc)
{
	if (!doc) {
		fputs("{\"error\": \"out of memory\"}\n", s->out);
		return;
	}
	json_dumpf(doc, s->out, JSON_REAL_PRECISION(15));
	fputc('\n', s->out);
	json_decref(doc);
	s->json_done = 1;
}

/* Format a real with the session precision (%.{precision}g) into buf. */
const char *out_real(const struct session *s, double x, char *buf, size_t len)
{
	snprintf(buf, len, "%.*g", s->precision, x);
	return buf;
}

/* A JSON real, or null for a value that is not finite. */
json_t *out_jreal(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

/* A JSON array of n reals (non-finite ones as null). */
json_t *out_jreals(const double *x, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, out_jreal(x[i]));
	return a;
}

/* May times be printed in text (not while recording or replaying)? */
int out_show_time(const struct session *s)
{
	return !s->record && s->replay_depth == 0;
}
