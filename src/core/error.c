/* Error reports of libcewb. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "cewb/error.h"

volatile int cewb_interrupt_flag = 0;

/* Intentionally empty: set a breakpoint here to stop at every raised error. */
void cewb_error_breakpoint(cewb_status code)
{
	(void)code;
}

cewb_status cewb_error_set(cewb_error *err, cewb_status code, const char *fmt, ...)
{
	cewb_error_breakpoint(code);
	if (err) {
		va_list ap;
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof err->message, fmt, ap);
		va_end(ap);
	}
	return code;
}

void cewb_error_prefix(cewb_error *err, const char *fmt, ...)
{
	char head[CEWB_ERROR_MAX];
	size_t nh, nm;
	va_list ap;
	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head - 2, fmt, ap);
	va_end(ap);
	strcat(head, ": ");
	nh = strlen(head);
	nm = strlen(err->message);
	if (nh + nm >= CEWB_ERROR_MAX)
		nm = CEWB_ERROR_MAX - 1 - nh;
	memmove(err->message + nh, err->message, nm);
	memcpy(err->message, head, nh);
	err->message[nh + nm] = '\0';
}

void cewb_error_clear(cewb_error *err)
{
	if (err) {
		err->code = CEWB_OK;
		err->message[0] = '\0';
	}
}

const char *cewb_status_name(cewb_status code)
{
	switch (code) {
	case CEWB_OK: return "ok";
	case CEWB_ENOMEM: return "out of memory";
	case CEWB_EIO: return "input/output error";
	case CEWB_EPARSE: return "parse error";
	case CEWB_EINVAL: return "invalid argument";
	case CEWB_ENOFIT: return "structure does not fit the lattice";
	case CEWB_ESYMMETRY: return "symmetry search failed";
	case CEWB_ENUMERIC: return "numerical failure";
	case CEWB_ESTATE: return "missing state";
	case CEWB_EINTERRUPT: return "interrupted";
	}
	return "unknown error";
}
