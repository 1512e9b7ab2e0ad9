/* main.c - cewb: command-line options, scripts, -c, pipes and the REPL. */
#include "config.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include "cmd.h"
#include "record.h"
#include "repl.h"
#include "run.h"
#include "session.h"

/* Print the command-line usage to fp. */
static void usage(FILE *fp)
{
	fprintf(fp,
		"usage: cewb [OPTIONS] [SCRIPT.cewb ...]\n"
		"       cewb -c 'COMMAND; COMMAND' ...\n"
		"       cewb --replay TRANSCRIPT [--check] [--step]\n"
		"\n"
		"cewb is a workbench for cluster expansions.  Without scripts or -c it\n"
		"starts a prompt (or reads commands from a pipe).\n"
		"\n"
		"options:\n"
		"  -c, --command CMDS   run commands (';' separates them); may repeat\n"
		"  -i, --interactive    start the prompt after the scripts and -c commands\n"
		"  -k, --keep-going     go on after a command fails\n"
		"      --json           print every report as one JSON document\n"
		"      --record FILE    write a transcript of the session to FILE\n"
		"      --replay FILE    run a transcript again\n"
		"      --check          with --replay: compare every output with the\n"
		"                       recorded one; exit 1 at a difference\n"
		"      --step           with --replay: pause after each command\n"
		"      --trust          let the scripts and the replayed transcript run\n"
		"                       programs (shell) and write outside the working\n"
		"                       directory; without it they may not ('help safety')\n"
		"      --force          let --record replace an existing file\n"
		"      --seed N         seed of every random choice (default 42)\n"
		"      --list-commands  print every command and its help page name\n"
		"  -h, --help           this text\n"
		"  -V, --version        the version\n"
		"\n"
		"Scripts run first, in order, then the -c commands.  Exit status: 0 ok,\n"
		"1 a command failed (or a replay differs), 2 a usage error.\n"
		"Inside cewb, type 'help' for the commands.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "command", required_argument, NULL, 'c' },
		{ "interactive", no_argument, NULL, 'i' },
		{ "keep-going", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "record", required_argument, NULL, 'r' },
		{ "replay", required_argument, NULL, 'R' },
		{ "check", no_argument, NULL, 'C' },
		{ "step", no_argument, NULL, 'S' },
		{ "trust", no_argument, NULL, 'T' },
		{ "force", no_argument, NULL, 'F' },
		{ "seed", required_argument, NULL, 's' },
		{ "list-commands", no_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	char **cmds = calloc((size_t)argc + 1, sizeof *cmds);
	size_t n_cmds = 0;
	int interactive = 0, keep_going = 0, json = 0, check = 0, step = 0, trust = 0;
	int force = 0;
	const char *record = NULL, *replay = NULL, *seed = NULL;
	int c;

	if (!cmds)
		return 1;
	while ((c = getopt_long(argc, argv, "c:ikhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': cmds[n_cmds++] = optarg; break;
		case 'i': interactive = 1; break;
		case 'k': keep_going = 1; break;
		case 'j': json = 1; break;
		case 'r': record = optarg; break;
		case 'R': replay = optarg; break;
		case 'C': check = 1; break;
		case 'S': step = 1; break;
		case 'T': trust = 1; break;
		case 'F': force = 1; break;
		case 's': seed = optarg; break;
		case 'L':
			for (size_t i = 0; i < cmd_count(); i++)
				printf("%s\t%s\n", cmd_at(i)->name, cmd_at(i)->page);
			free(cmds);
			return 0;
		case 'h':
			usage(stdout);
			free(cmds);
			return 0;
		case 'V':
			printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
			free(cmds);
			return 0;
		default:
			fprintf(stderr, "cewb: try 'cewb --help'\n");
			free(cmds);
			return 2;
		}
	}
	if ((check || step) && !replay) {
		fprintf(stderr, "cewb: --check and --step go with --replay FILE\n");
		free(cmds);
		return 2;
	}

	gsl_set_error_handler_off();
	struct session s;
	session_init(&s);
	const char *nc = getenv("NO_COLOR");
	s.color = isatty(STDOUT_FILENO) && !(nc && *nc);
	if (json)
		s.format = FORMAT_JSON;
	if (seed) {
		char *end;
		unsigned long long v = strtoull(seed, &end, 10);
		if (!*seed || *end || seed[0] == '-') {
			fprintf(stderr, "cewb: --seed: '%s' is not a non-negative integer\n", seed);
			free(cmds);
			return 2;
		}
		s.seed = v;
	}
	repl_install_signals();
	int status = 0;
	if (record) {
		char err[512];
		if (record_start_checked(&s, record, force, err, sizeof err) < 0) {
			fprintf(stderr, "cewb: --record: %s\n", err);
			free(cmds);
			session_release(&s);
			return 1;
		}
	}

	if (replay) {
		struct replay_opts o = { check, step, check, 5, 0 };
		s.trust = trust;	/* the transcript's trust, not the scripts' after it */
		status = replay_file(&s, replay, &o);
		s.trust = 0;
		if (!interactive) {
			session_release(&s);
			free(cmds);
			return status;
		}
	}
	for (int i = optind; i < argc && !s.quit; i++) {
		/* A script file runs no program and writes only below the working
		 * directory, unless --trust (safety.h). */
		enum run_status r = run_script(&s, argv[i], keep_going, trust);
		status = run_worse((enum run_status)status, r);
		if (r != RUN_OK && !keep_going)
			goto done;
	}
	for (size_t i = 0; i < n_cmds && !s.quit; i++) {
		enum run_status r = run_line(&s, cmds[i], keep_going);
		status = run_worse((enum run_status)status, r);
		if (r != RUN_OK && !keep_going)
			goto done;
	}
	if (!s.quit && (interactive || (optind >= argc && n_cmds == 0 && !replay))) {
		if (isatty(STDIN_FILENO)) {
			s.interactive = 1;
			int r = repl_run(&s);
			if (!interactive)
				status = r;
		} else {
			/* Commands from a pipe. */
			status = run_worse((enum run_status)status,
					   run_stream(&s, stdin, "stdin", keep_going));
		}
	}
done:
	session_release(&s);
	free(cmds);
	return status;
}
