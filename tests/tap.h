/*
 * tests/tap.h - a small TAP emitter for the unit tests.
 *
 * plan(n) or done_testing() at the end; ok(cond, name, ...); is_int,
 * is_double (absolute tolerance), is_string; diag() writes a comment.
 * exit_status() gives 0 when every test passed.
 */
#ifndef CEWB_TAP_H
#define CEWB_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n = 0, tap_failed = 0;

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2), unused));
static void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

static int ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3), unused));
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	return cond;
}

static int is_int(long expected, long got, const char *name) __attribute__((unused));
static int is_int(long expected, long got, const char *name)
{
	int r = ok(expected == got, "%s", name);
	if (!r)
		diag("expected %ld, got %ld", expected, got);
	return r;
}

static int is_double(double expected, double got, double tol, const char *name)
	__attribute__((unused));
static int is_double(double expected, double got, double tol, const char *name)
{
	int r = ok(fabs(expected - got) <= tol, "%s", name);
	if (!r)
		diag("expected %.17g, got %.17g (tolerance %g)", expected, got, tol);
	return r;
}

static int is_string(const char *expected, const char *got, const char *name)
	__attribute__((unused));
static int is_string(const char *expected, const char *got, const char *name)
{
	int r = ok(expected && got && strcmp(expected, got) == 0, "%s", name);
	if (!r)
		diag("expected '%s', got '%s'", expected ? expected : "(null)",
		     got ? got : "(null)");
	return r;
}

static int done_testing(void) __attribute__((unused));
static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
