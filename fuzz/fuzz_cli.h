/*
 * fuzz_cli.h - a sandbox for fuzz entry points that run workbench commands.
 *
 * fuzz_cli_init() makes a fresh temporary directory and moves into it, so
 * that whatever a command writes stays there; it holds two small data
 * files, p.xyz (the Ag-Pd primitive cell) and t.xyz (twelve Ag-Pd training
 * structures), copied again before every input.  fuzz_cli_clean() removes
 * everything else.  fuzz_cli_session() sets up a session as a replayed,
 * untrusted, non-interactive batch run: commands that run programs are
 * refused, writes outside the directory are refused, output goes to
 * /dev/null.  A CPU-time alarm sets the library's interrupt flag once an
 * input has run for a second, so a long computation that polls it stops
 * (one that does not is a timeout worth reporting).
 */
#ifndef CEWB_FUZZ_CLI_H
#define CEWB_FUZZ_CLI_H

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include "cewb/error.h"
#include "../src/cli/session.h"

#ifndef CEWB_TOP_SRCDIR
#define CEWB_TOP_SRCDIR "."
#endif

static char fuzz_dir[64];
static FILE *fuzz_null;

/* Copy the file at src (below the source tree) to dst; exits on error. */
static void fuzz_copy(const char *src, const char *dst)
{
	char path[4096];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof path, "%s/%s", top ? top : CEWB_TOP_SRCDIR, src);
	FILE *in = fopen(path, "rb"), *out = fopen(dst, "wb");
	char buf[8192];
	size_t n;
	if (!in || !out) {
		fprintf(stderr, "fuzz: cannot copy '%s' to '%s'\n", path, dst);
		exit(99);
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	fclose(out);
}

/* Remove every file of the sandbox (directories a command made too, one
 * level deep), then put the data files back. */
static void fuzz_cli_clean(void)
{
	DIR *d = opendir(".");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (unlink(e->d_name) != 0) {
			DIR *sub = opendir(e->d_name);
			struct dirent *f;
			char p[1024];
			while (sub && (f = readdir(sub))) {
				snprintf(p, sizeof p, "%s/%s", e->d_name, f->d_name);
				unlink(p);
			}
			if (sub)
				closedir(sub);
			rmdir(e->d_name);
		}
	}
	if (d)
		closedir(d);
	fuzz_copy("examples/agpd/primitive.xyz", "p.xyz");
	fuzz_copy("tests/data/fit/agpd12.xyz", "t.xyz");
}

/* Remove the sandbox at exit. */
static void fuzz_cli_remove(void)
{
	DIR *d = opendir(".");
	struct dirent *e;
	while (d && (e = readdir(d)))
		unlink(e->d_name);
	if (d)
		closedir(d);
	if (chdir("/") == 0)
		rmdir(fuzz_dir);
}

/* The CPU-time alarm: ask long computations to stop. */
static void fuzz_alarm(int sig)
{
	(void)sig;
	cewb_interrupt_flag = 1;
}

/* Arm (seconds > 0) or disarm (0) the CPU-time alarm; once it has fired
 * it fires again every 20 ms, since each command clears the flag. */
static void fuzz_cli_alarm(long seconds)
{
	struct itimerval t;
	memset(&t, 0, sizeof t);
	if (seconds > 0) {
		t.it_value.tv_sec = seconds;
		t.it_interval.tv_usec = 20000;
	}
	setitimer(ITIMER_VIRTUAL, &t, NULL);
}

/* Make the sandbox and move into it; stdin from /dev/null (a view that
 * wants a terminal must refuse, not wait). */
static void fuzz_cli_init(void)
{
	struct sigaction sa;
	snprintf(fuzz_dir, sizeof fuzz_dir, "/tmp/cewb-fuzz-XXXXXX");
	if (!mkdtemp(fuzz_dir) || chdir(fuzz_dir) != 0) {
		fprintf(stderr, "fuzz: cannot make a temporary directory\n");
		exit(99);
	}
	atexit(fuzz_cli_remove);
	if (!freopen("/dev/null", "r", stdin))
		exit(99);
	fuzz_null = fopen("/dev/null", "w");
	if (!fuzz_null)
		exit(99);
	setenv("NO_COLOR", "1", 1);
	setenv("HOME", fuzz_dir, 1);
	gsl_set_error_handler_off();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fuzz_alarm;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGVTALRM, &sa, NULL);
	fuzz_cli_clean();
}

/* A fresh session as an untrusted batch run writing to /dev/null. */
static void fuzz_cli_session(struct session *s)
{
	session_init(s);
	s->out = fuzz_null;
	s->interactive = 0;
	s->color = 0;
	s->trust = 0;
}

#endif
