/*
 * fuzz_replay.c - fuzz entry point of the transcript replayer.
 *
 * The input is a transcript (header lines, "cewb> " command lines and
 * recorded outputs).  It is written to a file in the sandbox of
 * fuzz_cli.h and replayed with --check into a fresh session that does not
 * trust it: no command may run a program or write outside the sandbox.
 * The replay must return 0, 1 or 2 and leave nothing allocated.
 */
#include "config.h"
#include "../src/cli/record.h"
#include "fuzz_cli.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_cli_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct session s;
	struct replay_opts o = { .check = 1, .step = 0, .quiet = 1, .max_report = 2 };
	FILE *fp = fopen("in.cewb", "wb");
	if (!fp)
		return 0;
	if (size)
		fwrite(data, 1, size, fp);
	fclose(fp);
	fuzz_cli_session(&s);
	fuzz_cli_alarm(1);
	int rc = replay_file(&s, "in.cewb", &o);
	fuzz_cli_alarm(0);
	session_release(&s);
	if (rc < 0 || rc > 2) {
		fprintf(stderr, "replay returned %d\n", rc);
		abort();
	}
	fuzz_cli_clean();
	return 0;
}
