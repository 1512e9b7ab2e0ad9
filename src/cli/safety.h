/*
 * safety.h - what a command may do: trust, writes, resources, progress.
 *
 * Trust.  Commands a person gives directly (the prompt, -c, a pipe on
 * standard input) are trusted.  Commands read from a file (a script named
 * on the command line, `source FILE`, a replayed transcript) are not,
 * unless trust was given: `cewb --trust FILE.cewb`, `cewb --replay T
 * --trust`, `source FILE --trust` or `replay T --trust` typed by a trusted
 * caller.  An untrusted file never runs a program (commands flagged
 * CMD_UNSAFE are refused) and never writes outside the working directory;
 * it cannot give itself trust (--trust inside it is refused).
 *
 * Writes.  Every command that writes a file the user names (export, prior
 * save, plot --output, record, ...) asks cli_may_write() first and then
 * writes atomically: a temporary file beside the target, flushed, fsync'ed
 * and renamed over it (cli_atomic_*, or the library's writers, which do the
 * same).  A failure or Ctrl-C removes the temporary file and leaves the old
 * file untouched.
 *
 * Resources.  Before large work (a cluster space of many orbits, a matrix
 * above the memory limit of `set memory-limit`) a command calls
 * cli_confirm(): a person at the prompt is asked y/N; scripts, -c and
 * replays are refused unless the command has --force.
 *
 * Progress.  Long commands call cli_progress_begin/end: at the prompt a
 * single line on standard error shows what runs, for how long, and how far
 * (cli_progress_set), until the command ends; nothing in scripts.
 */
#ifndef CEWB_CLI_SAFETY_H
#define CEWB_CLI_SAFETY_H

#include <stddef.h>
#include <stdio.h>

struct session;

/* ---- trust ---- */

/*
 * Commands from a file start (trusted: the file was given trust).  Pair
 * every call with cli_script_leave().  Scripts nest.
 */
void cli_script_enter(int trusted);
void cli_script_leave(void);

/* Do the current commands come from a file (script, source, replay)? */
int cli_in_script(const struct session *s);

/*
 * Are the current commands untrusted: read from a script or a transcript
 * that was not given trust (and the session itself has no --trust)?
 */
int cli_untrusted(const struct session *s);

/* ---- writes ---- */

/*
 * May the current command write path?  Refused, with the reason passed to
 * cmd_fail: an existing file unless force is set ("FILE exists: add
 * --force to overwrite it"); a directory; and, for untrusted commands
 * (cli_untrusted), a path outside the working directory (absolute,
 * climbing out with "..", or through a symbolic link to a folder
 * elsewhere).  Returns 0 when allowed, else 1 (the command's failure).
 */
int cli_may_write(struct session *s, const char *path, int force);

/* Is path relative and does it stay below the working directory (by its text)? */
int cli_path_is_local(const char *path);

/* An output file written atomically by the front end. */
struct cli_atomic {
	FILE *fp;	/* open on the temporary file (NULL for cli_atomic_name) */
	char *tmp;	/* temporary file beside the target */
	char *path;	/* the target */
	int slot;	/* registration for clean-up at a forced exit */
};

/*
 * A temporary name beside path (same folder, hidden, ending like path so
 * that a program choosing the format by the extension sees the same one),
 * registered for clean-up; no file is created.  0, or 1 after cmd_fail.
 */
int cli_atomic_name(struct session *s, struct cli_atomic *w, const char *path);

/* Create the temporary file for path and open it (w->fp).  0, or 1 after cmd_fail. */
int cli_atomic_open(struct session *s, struct cli_atomic *w, const char *path);

/*
 * Finish: flush and close w->fp (if open), fsync the temporary file and
 * rename it over the target, then fsync the folder.  On any failure the
 * temporary file is removed, the target is untouched and the command
 * fails (returns 1 after cmd_fail); also when an interrupt came.
 */
int cli_atomic_commit(struct session *s, struct cli_atomic *w);

/* Give up: close and remove the temporary file; the target is untouched. */
void cli_atomic_abort(struct cli_atomic *w);

/*
 * Remove every registered temporary file.  Async-signal-safe: called by
 * the Ctrl-C handler just before a forced exit.
 */
void cli_atomic_remove_all(void);

/*
 * The Ctrl-C handler wants to leave at once (third Ctrl-C): returns 1 when
 * it may (registered temporary files removed), 0 when a library write
 * holds it back (the exit then happens in cli_signals_release).
 * Async-signal-safe.
 */
int cli_forced_exit_ok(void);

/*
 * Hold Ctrl-C's forced exit back while the library writes a file
 * (cli_signals_hold), and let it through again (cli_signals_release).
 */
void cli_signals_hold(void);
void cli_signals_release(void);

/* ---- resources ---- */

/* Memory limit of one matrix in bytes (`set memory-limit`); 0: none. */
double cli_memory_limit(void);
void cli_set_memory_limit(double bytes);

/* Parse a size such as 2G, 512M, 1.5e9 (bytes; K M G T are powers of 1024). */
int cli_parse_size(const char *text, double *bytes);

/* Format bytes as "1.5 GB" style text into buf. */
const char *cli_format_size(double bytes, char *buf, size_t len);

/*
 * Large work ahead, described by the message (no final question): with
 * force, go on; at the prompt, ask "MESSAGE; go on? [y/N]" on the terminal
 * and go on only on y or yes; in a script, -c or a replay refuse with
 * "MESSAGE: add --force to go on".  Returns 0 to go on, else 1 after
 * cmd_fail.
 */
int cli_confirm(struct session *s, int force, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Would a matrix of rows x cols reals pass the memory limit?  If not,
 * cli_confirm with a message naming what and the size.  0 to go on, else 1.
 */
int cli_check_matrix(struct session *s, int force, double rows, double cols, const char *what);

/* ---- progress ---- */

/*
 * A long command starts: at the prompt (standard error a terminal, no
 * script), after half a second a single line on standard error shows
 * "WHAT: 3.2 s, 4 of 9 (Ctrl-C stops)", updated a few times a second and
 * erased by cli_progress_end.  Nested calls only count.
 */
void cli_progress_begin(const struct session *s, const char *what);
/* How far the work is (done of total; total 0: unknown). */
void cli_progress_set(size_t done, size_t total);
void cli_progress_end(void);
/* Is a progress line on the screen now?  Async-signal-safe (Ctrl-C handler). */
int cli_progress_visible(void);

#endif
