/*
 * fuzz_files.c - fuzz entry point of the files commands read in a session.
 *
 * A session is set up once in the sandbox of fuzz_cli.h: the Ag-Pd lattice
 * (p.xyz), a small cluster space, twelve training structures (t.xyz) and
 * an OLS fit.  Each input is written to in.txt and read as every kind of
 * file a command takes there: a covariance matrix (fit gls --sigma), a
 * structure file to predict (as it is, and mapped with --map).  The fit is
 * made again with OLS after the GLS attempt, so every input starts from the
 * same state; a command that fails leaves the session as it was.
 */
#include "config.h"
#include "../src/cli/run.h"
#include "fuzz_cli.h"
#include "fuzz.h"

static struct session sess;

/* Run one line of commands; exits when a set-up command fails. */
static void setup(const char *line)
{
	if (run_line(&sess, line, 0) != RUN_OK) {
		fprintf(stderr, "fuzz: set-up command failed: %s\n", line);
		exit(99);
	}
}

/* Free the session at exit, so that leak checks see only the inputs. */
static void release(void)
{
	session_release(&sess);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_cli_init();
	fuzz_cli_session(&sess);
	sess.quiet = 1;
	setup("load lattice p.xyz --species Ag,Pd");
	setup("space 6.0 4.5");
	setup("load structures t.xyz --target mixing_energy");
	setup("fit ols");
	atexit(release);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *got = NULL;
	FILE *fp = fopen("in.txt", "wb");
	if (!fp)
		return 0;
	if (size)
		fwrite(data, 1, size, fp);
	fclose(fp);
	static const char *const lines[] = {
		"fit gls --sigma in.txt", "fit ols", "predict in.txt", "predict in.txt --map",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		fuzz_cli_alarm(1);
		run_line_capture(&sess, lines[i], &got);
		fuzz_cli_alarm(0);
		free(got);
		got = NULL;
	}
	return 0;
}
