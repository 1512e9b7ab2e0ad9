/* Cross-validation (being written). */
#include "config.h"
#include <string.h>
#include "cewb/fit.h"
#include "fit_internal.h"

cewb_xval_options cewb_xval_options_default(void)
{
	cewb_xval_options o;
	memset(&o, 0, sizeof o);
	o.scheme = CEWB_XVAL_KFOLD;
	o.folds = 10;
	o.repeat = 1;
	o.test_fraction = 0.1;
	o.seed = 42;
	return o;
}

cewb_status cewb_xval(const cewb_fit_problem *prob, const cewb_fit_options *opt,
		      const cewb_xval_options *xopt, cewb_xval_result *res, cewb_error *err)
{
	(void)prob;
	(void)opt;
	(void)xopt;
	memset(res, 0, sizeof *res);
	CEWB_RAISE(err, CEWB_EINVAL, "validation not available yet");
}

void cewb_xval_result_release(cewb_xval_result *res)
{
	(void)res;
}
