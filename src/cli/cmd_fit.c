/*
 * cmd_fit.c - the fit family: fit, validate, eci, predict, learning-curve,
 * convergence.
 */
#include "config.h"
#include "cmd.h"
#include "session.h"

const struct cmd_entry cmd_fit_entries[] = {
	{ .name = NULL }
};
