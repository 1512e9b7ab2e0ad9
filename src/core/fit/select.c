/*
 * src/core/fit/select.c - placeholder entry points, to be filled in.
 */
#include "cewb/fit.h"

/* Not available yet: always CEWB_EINVAL. */
cewb_status cewb_fit_rfe(const cewb_fit_problem *prob, const cewb_fit_options *opt,
		     cewb_fit_result *res, cewb_error *err)
{
	(void)prob;
	(void)opt;
	(void)res;
	CEWB_RAISE(err, CEWB_EINVAL, "fit: method 'rfe' not available yet");
}

/* Not available yet: always CEWB_EINVAL. */
cewb_status cewb_fit_omp(const cewb_fit_problem *prob, const cewb_fit_options *opt,
		     cewb_fit_result *res, cewb_error *err)
{
	(void)prob;
	(void)opt;
	(void)res;
	CEWB_RAISE(err, CEWB_EINVAL, "fit: method 'omp' not available yet");
}

#include "sparse_internal.h"

/* Not available yet. */
cewb_status cewb_select_path(const cewb_fit_problem *prob, const cewb_fit_options *opt,
			     cewb_fit_path *path, cewb_error *err)
{
	(void)prob;
	(void)opt;
	(void)path;
	CEWB_RAISE(err, CEWB_EINVAL, "curve not available yet");
}
