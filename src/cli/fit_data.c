/* fit_data.c - freeing the analysis data the fit family keeps in the session. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "fit_data.h"
#include "session.h"

void fit_curve_release(struct fit_curve_data *c)
{
	for (size_t i = 0; c->label && i < c->n_points; i++)
		free(c->label[i]);
	free(c->label);
	free(c->x);
	free(c->valid);
	free(c->valid_std);
	free(c->train);
	free(c->n_params);
	memset(c, 0, sizeof *c);
}

void fit_validation_release(struct fit_validation_data *v)
{
	free(v->row);
	free(v->target);
	free(v->predicted);
	free(v->eci_mean);
	free(v->eci_std);
	memset(v, 0, sizeof *v);
}

void fit_data_free(struct fit_data *d)
{
	if (!d)
		return;
	fit_validation_release(&d->validation);
	fit_curve_release(&d->learning);
	fit_curve_release(&d->convergence);
	free(d);
}

/* The hyperparameters of a fit result as a JSON object. */
json_t *fit_hyper_json(const cewb_fit_result *res)
{
	json_t *h = json_object();
	for (size_t k = 0; h && k < res->n_hyper && k < CEWB_FIT_MAX_HYPER; k++)
		json_object_set_new(h, res->hyper_name[k], out_jreal(res->hyper[k]));
	return h;
}

/* Fail unless the session has a fit of its current cluster space. */
int fit_need_current(struct session *s)
{
	if (!s->fit.have)
		return cmd_fail(s, "no fit: run 'fit METHOD' first (for example 'fit ardr')");
	if (!s->space || s->space->n_params != s->fit.res.n_cols)
		return cmd_fail(s, "the fit does not belong to the current space: fit again");
	return 0;
}
