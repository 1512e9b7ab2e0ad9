/*
 * run.h - running commands: lex, parse, execute, capture, record.
 *
 * Status of running text: RUN_OK (0), RUN_FAILED (1: a command failed),
 * RUN_USAGE (2: a command line did not parse), the exit codes of cewb.
 */
#ifndef CEWB_CLI_RUN_H
#define CEWB_CLI_RUN_H

#include <stdio.h>
#include "session.h"

enum run_status {
	RUN_OK = 0,
	RUN_FAILED = 1,
	RUN_USAGE = 2
};

/*
 * Run every command of one line (commands separated by ';').  Output goes
 * to s->out as it was on entry (stdout at top level), errors to stderr,
 * both to the transcript when recording.  Stops at the first failure
 * unless keep_going.  LEX_INCOMPLETE lines are a usage error here.
 */
enum run_status run_line(struct session *s, const char *line, int keep_going);

/*
 * Run one line and capture everything it prints (output and error lines,
 * as a transcript would hold them) into a new string *captured (free it).
 */
enum run_status run_line_capture(struct session *s, const char *line, char **captured);

/*
 * Run a script file: plain commands (one per line, '\' or an open quote
 * continues a line), or a transcript (only the lines after "cewb> " run).
 */
enum run_status run_file(struct session *s, const char *path, int keep_going);

/*
 * Run a script file (run_file) as a file's commands: without trusted, it
 * runs no program and writes nowhere outside the working directory
 * (safety.h); with it, as if typed.
 */
enum run_status run_script(struct session *s, const char *path, int keep_going, int trusted);

/* Run commands read from a stream (as run_file does); name is used in messages. */
enum run_status run_stream(struct session *s, FILE *fp, const char *name, int keep_going);

/* Merge two run statuses (the worse one wins). */
enum run_status run_worse(enum run_status a, enum run_status b);

#endif
