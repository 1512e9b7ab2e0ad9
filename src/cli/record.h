/*
 * record.h - session transcripts: writing, reading, replaying, checking.
 *
 * A transcript is plain text: header lines starting with '#' (version,
 * date, seed), then each command on a line after the prompt "cewb> ",
 * followed by everything it printed (error messages included).  The
 * header also gives the output format; seed and format are restored
 * before a replay.  Each command is written with its output in one
 * write(2) as soon as it ends (no fsync: the data are in the system's
 * hands, so a process killed even by SIGKILL loses nothing; a power
 * failure may lose the last seconds).  A new transcript replaces an old
 * file only once its header is on disk (temporary file + rename).
 *
 * --check compares outputs with numbers within a tolerance: two numbers
 * match when |a - b| <= max(1e-9, 1e-6 * max(|a|, |b|), one unit of the
 * last printed digit of either); the last rule only for numbers printed
 * with a point or an exponent, integers (counts) must be equal.  Everything
 * else must match exactly (trailing blanks ignored), except timings: the
 * value of a JSON "seconds" key or of a text line starting with "seconds".
 */
#ifndef CEWB_CLI_RECORD_H
#define CEWB_CLI_RECORD_H

#include <stddef.h>
#include "session.h"

#define PROMPT "cewb> "

/* Start recording to path (replacing a previous recording); 0 or -1 + message. */
int record_start(struct session *s, const char *path, char *err, size_t errlen);
/*
 * record_start after the checks of every write (cli_may_write: an existing
 * file only with force, nothing outside the working directory from an
 * untrusted file); 0 or -1 + message.
 */
int record_start_checked(struct session *s, const char *path, int force, char *err,
			 size_t errlen);
/* Stop recording; harmless when not recording. */
void record_stop(struct session *s);
/* Append one command and its captured output to the transcript. */
void record_command(struct session *s, const char *text, const char *output);

/* Options of a replay. */
struct replay_opts {
	int check;	/* compare outputs with the recorded ones */
	int step;	/* pause after each command */
	int quiet;	/* do not print outputs (--check prints only differences) */
	int max_report;	/* differences reported (default 5) */
	int quiet_error;	/* a bad file: message in s->error only, not printed */
};

/* Replay a transcript in session s; returns 0, 1 (failure/difference) or 2 (bad file,
 * its message printed, or left in s->error with quiet_error). */
int replay_file(struct session *s, const char *path, const struct replay_opts *o);

/*
 * Compare a recorded output with a new one as --check does; returns 1 when
 * they match, else 0 with the first differing lines in line_a / line_b
 * (1-based line number in *line_no).
 */
int output_matches(const char *want, const char *got, size_t *line_no, char *line_a,
		   char *line_b, size_t len);

#endif
