/* safety.c - what a command may do: trust, writes, resources, progress (safety.h). */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "cewb/error.h"
#include "cmd.h"
#include "session.h"
#include "safety.h"

/* ---- trust ---- */

static int script_depth;	/* files whose commands run now (nested) */
static int untrusted_depth;	/* of them, those without trust */
static int untrusted_stack[64];	/* per level: was it untrusted? */

/* Commands from a file start. */
void cli_script_enter(int trusted)
{
	if (script_depth < (int)(sizeof untrusted_stack / sizeof untrusted_stack[0]))
		untrusted_stack[script_depth] = !trusted;
	script_depth++;
	if (!trusted)
		untrusted_depth++;
}

/* Commands from a file end. */
void cli_script_leave(void)
{
	if (script_depth <= 0)
		return;
	script_depth--;
	if (script_depth < (int)(sizeof untrusted_stack / sizeof untrusted_stack[0]) &&
	    untrusted_stack[script_depth])
		untrusted_depth--;
}

/* Do the current commands come from a file? */
int cli_in_script(const struct session *s)
{
	return script_depth > 0 || s->replay_depth > 0;
}

/* Are the current commands untrusted? */
int cli_untrusted(const struct session *s)
{
	return !s->trust && (untrusted_depth > 0 || s->replay_depth > 0);
}

/* ---- writes ---- */

/* Is path relative and does it stay below the working directory? */
int cli_path_is_local(const char *path)
{
	if (!path || !*path || path[0] == '/' || path[0] == '~')
		return 0;
	long depth = 0;
	const char *p = path;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			depth--;
		else if (n > 0 && !(n == 1 && p[0] == '.'))
			depth++;
		if (depth < 0)
			return 0;
		p += n;
		while (*p == '/')
			p++;
	}
	return 1;
}

/* Does the folder of path, with links resolved, lie inside the working directory? */
static int folder_is_inside(const char *path)
{
	char cwd[PATH_MAX], dir[PATH_MAX], *rcwd, *rdir;
	const char *slash = strrchr(path, '/');
	if (!getcwd(cwd, sizeof cwd))
		return 0;
	if (slash) {
		size_t n = (size_t)(slash - path);
		if (n >= sizeof dir)
			return 0;
		memcpy(dir, path, n);
		dir[n] = '\0';
		if (n == 0)
			strcpy(dir, "/");
	} else {
		strcpy(dir, ".");
	}
	rcwd = realpath(cwd, NULL);
	rdir = realpath(dir, NULL);
	int ok = 1;
	if (rcwd && rdir) {
		size_t l = strlen(rcwd);
		ok = strncmp(rdir, rcwd, l) == 0 && (rdir[l] == '\0' || rdir[l] == '/' ||
						     strcmp(rcwd, "/") == 0);
	} /* a folder that does not exist: the write fails by itself */
	free(rcwd);
	free(rdir);
	return ok;
}

/* May the current command write path?  See safety.h. */
int cli_may_write(struct session *s, const char *path, int force)
{
	struct stat st;
	if (!path || !*path)
		return cmd_fail(s, "no file name given");
	if (cli_untrusted(s) && (!cli_path_is_local(path) || !folder_is_inside(path)))
		return cmd_fail(s, "%s: outside the working directory, refused in a script or "
				"replay without --trust", path);
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return cmd_fail(s, "%s is a directory", path);
		if (!force)
			return cmd_fail(s, "%s exists: add --force to overwrite it", path);
	}
	return 0;
}

/* Temporary files to remove at a forced exit (signal-safe registry). */
#define N_SLOTS 8
static char slot_name[N_SLOTS][PATH_MAX];
static volatile sig_atomic_t slot_used[N_SLOTS];

/* Register name; returns the slot or -1 when every slot is taken. */
static int slot_take(const char *name)
{
	if (strlen(name) >= PATH_MAX)
		return -1;
	for (int i = 0; i < N_SLOTS; i++) {
		if (!slot_used[i]) {
			strcpy(slot_name[i], name);
			slot_used[i] = 1;
			return i;
		}
	}
	return -1;
}

/* Give slot i back (the file is gone or renamed). */
static void slot_free(int i)
{
	if (i >= 0 && i < N_SLOTS)
		slot_used[i] = 0;
}

/* Remove every registered temporary file (async-signal-safe). */
void cli_atomic_remove_all(void)
{
	for (int i = 0; i < N_SLOTS; i++)
		if (slot_used[i])
			unlink(slot_name[i]);
}

/* A temporary name beside path, ending like it; registered. */
int cli_atomic_name(struct session *s, struct cli_atomic *w, const char *path)
{
	static unsigned counter;
	memset(w, 0, sizeof *w);
	w->slot = -1;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	const char *ext = dot && dot != base ? dot : "";
	size_t n = strlen(path) + strlen(ext) + 64;
	w->tmp = malloc(n);
	w->path = strdup(path);
	if (!w->tmp || !w->path) {
		free(w->tmp);
		free(w->path);
		w->tmp = w->path = NULL;
		return cmd_fail(s, "out of memory");
	}
	snprintf(w->tmp, n, "%.*s.%s.%ld-%u.tmp%s", (int)(base - path), path, base,
		 (long)getpid(), counter++, ext);
	w->slot = slot_take(w->tmp);
	return 0;
}

/* Create the temporary file for path and open it. */
int cli_atomic_open(struct session *s, struct cli_atomic *w, const char *path)
{
	if (cli_atomic_name(s, w, path))
		return 1;
	int fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd >= 0)
		w->fp = fdopen(fd, "w");
	if (!w->fp) {
		int e = errno;
		if (fd >= 0) {
			close(fd);
			unlink(w->tmp);
		}
		cli_atomic_abort(w);
		return cmd_fail(s, "cannot write '%s': %s", path, strerror(e));
	}
	return 0;
}

/* Release the names of w. */
static void atomic_free(struct cli_atomic *w)
{
	slot_free(w->slot);
	free(w->tmp);
	free(w->path);
	memset(w, 0, sizeof *w);
	w->slot = -1;
}

/* Give up: close and remove the temporary file. */
void cli_atomic_abort(struct cli_atomic *w)
{
	if (w->fp)
		fclose(w->fp);
	w->fp = NULL;
	if (w->tmp)
		unlink(w->tmp);
	atomic_free(w);
}

/* fsync the folder holding path (so the rename itself is on disk). */
static void sync_folder(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	if (slash) {
		size_t n = (size_t)(slash - path);
		if (n == 0 || n >= sizeof dir)
			return;
		memcpy(dir, path, n);
		dir[n] = '\0';
	} else {
		strcpy(dir, ".");
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Flush, fsync and rename the temporary file over the target. */
int cli_atomic_commit(struct session *s, struct cli_atomic *w)
{
	int e = 0;
	if (w->fp) {
		if (fflush(w->fp) != 0 || ferror(w->fp))
			e = errno ? errno : EIO;
		if (!e && fsync(fileno(w->fp)) != 0)
			e = errno;
		if (fclose(w->fp) != 0 && !e)
			e = errno ? errno : EIO;
		w->fp = NULL;
	} else {
		int fd = open(w->tmp, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			char *p = w->path;
			w->path = NULL;
			cli_atomic_abort(w);
			int rc = cmd_fail(s, "%s was not written", p);
			free(p);
			return rc;
		}
		if (fsync(fd) != 0)
			e = errno;
		close(fd);
	}
	if (!e && cewb_interrupt_flag) {
		cli_atomic_abort(w);
		return cmd_fail(s, "interrupted (the file was not changed)");
	}
	if (!e && rename(w->tmp, w->path) != 0)
		e = errno;
	if (e) {
		char *p = w->path;
		w->path = NULL;
		cli_atomic_abort(w);
		int rc = cmd_fail(s, "cannot write '%s': %s", p, strerror(e));
		free(p);
		return rc;
	}
	sync_folder(w->path);
	atomic_free(w);
	return 0;
}

static volatile sig_atomic_t exit_held;		/* a forced exit waits for the end of a write */
static volatile sig_atomic_t exit_pending;	/* ... and one was asked for */

/* Hold a forced exit back while the library writes a file. */
void cli_signals_hold(void)
{
	exit_held++;
}

/* Let a held forced exit through. */
void cli_signals_release(void)
{
	if (exit_held > 0)
		exit_held--;
	if (!exit_held && exit_pending) {
		static const char m[] = "\ncewb: interrupted three times, leaving\n";
		cli_atomic_remove_all();
		if (write(STDERR_FILENO, m, sizeof m - 1) < 0)
			_exit(130);
		_exit(130);
	}
}

/*
 * The Ctrl-C handler wants to leave at once: 1 when it may (temporary
 * files removed), 0 when a write holds it back (it happens at the end).
 * Async-signal-safe.
 */
int cli_forced_exit_ok(void)
{
	if (exit_held) {
		exit_pending = 1;
		return 0;
	}
	cli_atomic_remove_all();
	return 1;
}

/* ---- resources ---- */

static double memory_limit = 2.0 * 1024 * 1024 * 1024;

/* The memory limit of one matrix in bytes; 0: none. */
double cli_memory_limit(void)
{
	return memory_limit;
}

/* Set the memory limit (`set memory-limit`). */
void cli_set_memory_limit(double bytes)
{
	memory_limit = bytes;
}

/* Parse 2G, 512M, 1.5e9, 0 (bytes; K M G T powers of 1024; a final B allowed). */
int cli_parse_size(const char *text, double *bytes)
{
	char *end;
	double v = strtod(text, &end);
	if (end == text || !isfinite(v) || v < 0)
		return -1;
	double m = 1;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': m = 1024.0; break;
		case 'm': case 'M': m = 1024.0 * 1024; break;
		case 'g': case 'G': m = 1024.0 * 1024 * 1024; break;
		case 't': case 'T': m = 1024.0 * 1024 * 1024 * 1024; break;
		case 'b': case 'B': m = 1; end--; break;
		default: return -1;
		}
		end++;
		if (*end == 'b' || *end == 'B')
			end++;
		if (*end)
			return -1;
	}
	*bytes = v * m;
	return 0;
}

/* Format a size with a binary unit. */
const char *cli_format_size(double bytes, char *buf, size_t len)
{
	static const char *const unit[] = { "bytes", "KB", "MB", "GB", "TB", "PB" };
	int u = 0;
	while (bytes >= 1024 && u < 5) {
		bytes /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f bytes", bytes);
	else
		snprintf(buf, len, "%.3g %s", bytes, unit[u]);
	return buf;
}

/* Read one answer line from the terminal (fd 0); 1 for y / yes. */
static int read_yes(void)
{
	char ans[32];
	size_t n = 0;
	for (;;) {
		char c;
		ssize_t r = read(STDIN_FILENO, &c, 1);
		if (r <= 0 || cewb_interrupt_flag)
			return 0;	/* end of input, error or Ctrl-C: no */
		if (c == '\n')
			break;
		if (n + 1 < sizeof ans)
			ans[n++] = c;
	}
	ans[n] = '\0';
	return strcasecmp(ans, "y") == 0 || strcasecmp(ans, "yes") == 0;
}

/* Large work ahead: ask, or refuse without force.  See safety.h. */
int cli_confirm(struct session *s, int force, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	if (force)
		return 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!s->interactive || cli_in_script(s) || !isatty(STDIN_FILENO))
		return cmd_fail(s, "%s: add --force to go on", msg);
	fprintf(stderr, "%s; go on? [y/N] ", msg);
	fflush(stderr);
	if (read_yes())
		return 0;
	if (cewb_interrupt_flag)
		return cmd_fail(s, "interrupted");
	return cmd_fail(s, "not confirmed: nothing was done");
}

/* Would a rows x cols matrix of reals pass the memory limit?  Else confirm. */
int cli_check_matrix(struct session *s, int force, double rows, double cols, const char *what)
{
	double bytes = rows * cols * 8.0, lim = memory_limit;
	char b1[32], b2[32];
	if (lim <= 0 || bytes <= lim)
		return 0;
	return cli_confirm(s, force, "%s would take about %s (%.0f x %.0f numbers), more than "
			   "the memory limit %s ('set memory-limit')", what,
			   cli_format_size(bytes, b1, sizeof b1), rows, cols,
			   cli_format_size(lim, b2, sizeof b2));
}

/* ---- progress ---- */

static pthread_mutex_t prog_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t prog_cond = PTHREAD_COND_INITIALIZER;
static pthread_t prog_thread;
static int prog_depth;		/* nested begin calls */
static int prog_running;	/* the thread runs */
static int prog_stop;		/* the thread should end */
static volatile sig_atomic_t prog_shown;	/* a line is on the screen */
static char prog_what[80];
static size_t prog_done, prog_total;
static struct timespec prog_start;

/* Seconds since prog_start. */
static double prog_elapsed(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - prog_start.tv_sec) +
	       (double)(now.tv_nsec - prog_start.tv_nsec) * 1e-9;
}

/* The thread: redraw the line every quarter second after the first half. */
static void *prog_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&prog_lock);
	while (!prog_stop) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&prog_cond, &prog_lock, &until);
		if (prog_stop)
			break;
		double t = prog_elapsed();
		if (t < 0.5)
			continue;
		char line[200], how[64] = "";
		if (prog_total)
			snprintf(how, sizeof how, ", %zu of %zu", prog_done, prog_total);
		int n = snprintf(line, sizeof line, "\r\033[K%s: %.1f s%s (Ctrl-C stops)",
				 prog_what, t, how);
		if (n > 0 && write(STDERR_FILENO, line, (size_t)n) > 0)
			prog_shown = 1;
	}
	if (prog_shown && write(STDERR_FILENO, "\r\033[K", 4) < 0)
		prog_shown = 0;
	prog_shown = 0;
	pthread_mutex_unlock(&prog_lock);
	return NULL;
}

/* Is a progress line on the screen?  Async-signal-safe. */
int cli_progress_visible(void)
{
	return prog_shown;
}

/* A long command starts. */
void cli_progress_begin(const struct session *s, const char *what)
{
	if (prog_depth++ > 0)
		return;
	if (!s->interactive || cli_in_script(s) || !isatty(STDERR_FILENO))
		return;
	pthread_mutex_lock(&prog_lock);
	snprintf(prog_what, sizeof prog_what, "%s", what);
	prog_done = prog_total = 0;
	prog_stop = 0;
	clock_gettime(CLOCK_MONOTONIC, &prog_start);
	pthread_mutex_unlock(&prog_lock);
	if (pthread_create(&prog_thread, NULL, prog_main, NULL) == 0)
		prog_running = 1;
}

/* How far the work is. */
void cli_progress_set(size_t done, size_t total)
{
	if (!prog_running)
		return;
	pthread_mutex_lock(&prog_lock);
	prog_done = done;
	prog_total = total;
	pthread_mutex_unlock(&prog_lock);
}

/* The long command ends: erase the line. */
void cli_progress_end(void)
{
	if (prog_depth > 0 && --prog_depth > 0)
		return;
	if (!prog_running)
		return;
	pthread_mutex_lock(&prog_lock);
	prog_stop = 1;
	pthread_cond_signal(&prog_cond);
	pthread_mutex_unlock(&prog_lock);
	pthread_join(prog_thread, NULL);
	prog_running = 0;
}
