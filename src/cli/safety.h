/*
 * safety.h - what a command may write.
 *
 * Every command that writes a file the user names (export, save, plot
 * --output, enumerate --output, ...) asks cli_may_write() first and then
 * writes atomically (cewb_io_atomic_* or write-then-rename), so that a
 * failure or Ctrl-C never leaves a half-written file behind.
 */
#ifndef CEWB_CLI_SAFETY_H
#define CEWB_CLI_SAFETY_H

struct session;

/*
 * May the current command write path?  Refused, with the reason passed to
 * cmd_fail: an existing file unless force is set ("FILE exists: add
 * --force to overwrite it"); a directory; and, while a transcript is
 * replayed or a script is run without --trust, a path outside the working
 * directory (absolute, or climbing out with "..").  Returns 0 when allowed,
 * else 1 (the command's failure).
 */
int cli_may_write(struct session *s, const char *path, int force);

/* Is path inside the working directory (relative, no ".." climbing out)? */
int cli_path_is_local(const char *path);

#endif
