/*
 * src/core/fit/robust.c - placeholder entry points, to be filled in.
 */
#include "cewb/fit.h"

/* Not available yet: always CEWB_EINVAL. */
cewb_status cewb_fit_huber(const cewb_fit_problem *prob, const cewb_fit_options *opt,
		     cewb_fit_result *res, cewb_error *err)
{
	(void)prob;
	(void)opt;
	(void)res;
	CEWB_RAISE(err, CEWB_EINVAL, "fit: method 'huber' not available yet");
}

/* Not available yet: always CEWB_EINVAL. */
cewb_status cewb_fit_lad(const cewb_fit_problem *prob, const cewb_fit_options *opt,
		     cewb_fit_result *res, cewb_error *err)
{
	(void)prob;
	(void)opt;
	(void)res;
	CEWB_RAISE(err, CEWB_EINVAL, "fit: method 'lad' not available yet");
}
