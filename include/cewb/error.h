/*
 * cewb/error.h - status codes and error reports of libcewb.
 *
 * Every library function that can fail returns a cewb_status (or NULL for
 * functions returning a pointer) and, when given a non-NULL cewb_error,
 * fills it with a code and a one-line message (lowercase, no final period,
 * names the file, frame and line or atom where there is one).  The library
 * never prints and never exits; the caller decides how to show the message.
 */
#ifndef CEWB_ERROR_H
#define CEWB_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
	CEWB_OK = 0,
	CEWB_ENOMEM,      /* out of memory; nothing half built is kept */
	CEWB_EIO,         /* a file could not be opened, read or written */
	CEWB_EPARSE,      /* malformed input text */
	CEWB_EINVAL,      /* an argument or value out of its domain */
	CEWB_ENOFIT,      /* a structure does not fit the lattice */
	CEWB_ESYMMETRY,   /* the symmetry search failed */
	CEWB_ENUMERIC,    /* a numerical method failed (singular, no convergence) */
	CEWB_ESTATE,      /* the operation needs state that is not there yet */
	CEWB_EINTERRUPT   /* interrupted on request of the caller */
} cewb_status;

#define CEWB_ERROR_MAX 512

/* An error report: a status and a one-line message. */
typedef struct {
	cewb_status code;
	char message[CEWB_ERROR_MAX];
} cewb_error;

/* Fill err (if not NULL) with code and a printf-style message; returns code. */
cewb_status cewb_error_set(cewb_error *err, cewb_status code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefix the message already in err with a printf-style context and ": ". */
void cewb_error_prefix(cewb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Clear err (if not NULL) to CEWB_OK and an empty message. */
void cewb_error_clear(cewb_error *err);

/* A short name of a status code ("out of memory", "parse error", ...). */
const char *cewb_status_name(cewb_status code);

/* Called with every error raised; a place for a debugger breakpoint. */
void cewb_error_breakpoint(cewb_status code);

/* A cooperative interrupt flag: long computations poll it and stop with
 * CEWB_EINTERRUPT when it is set.  The CLI sets it from its SIGINT handler. */
extern volatile int cewb_interrupt_flag;

/* Raise: fill err, then return the status from the enclosing function. */
#define CEWB_RAISE(err, code, ...) \
	return cewb_error_set((err), (code), __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif
