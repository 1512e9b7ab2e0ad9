/* Bayesian ridge and ARDR (being written). */
#include "config.h"
#include "cewb/fit.h"
#include "fit_internal.h"

cewb_status cewb_fit_bayes(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			   cewb_fit_result *res, cewb_error *err)
{
	(void)prob;
	(void)opt;
	(void)res;
	CEWB_RAISE(err, CEWB_EINVAL, "method 'bayes' not available yet");
}

cewb_status cewb_fit_ardr(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			  cewb_fit_result *res, cewb_error *err)
{
	(void)prob;
	(void)opt;
	(void)res;
	CEWB_RAISE(err, CEWB_EINVAL, "method 'ardr' not available yet");
}
