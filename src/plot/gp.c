/*
 * src/plot/gp.c - running gnuplot: quoting user text, choosing the
 * terminal, feeding the script through a pipe and reading the text plot and
 * the errors back under a timeout.
 *
 * gnuplot runs in its own process group with its standard input, output and
 * error on three pipes.  A short script goes down the pipe as it is; a long one
 * (large datablocks) is written to a private temporary file that the piped
 * commands load, because gnuplot reads a pipe far slower than a file.  The
 * script ends with a handshake line (print of CEWB-DONE and gnuplot's error
 * number, on its standard error); without it the run failed.  All pipes are
 * non-blocking and serviced by one poll loop with a deadline; past it the
 * whole process group is killed, which also stops the children of a wrapper
 * script.  SIGPIPE is ignored while the pipe is open, so a gnuplot that dies
 * early gives EPIPE instead of killing us.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "plot.h"

#define GP_DONE "CEWB-DONE"
#define GP_NOTERM "CEWB-NOTERM"
#define GP_TERM "CEWB-TERM"
#define GP_DEFAULT_TIMEOUT_MS 10000
/* gnuplot reads its standard input slowly (a 1.6 MB script takes seconds
 * where the same file takes a fraction of one), so longer scripts go into a
 * temporary file that the piped commands `load`. */
#define GP_INLINE_MAX 16384

/* Set result to empty (no text). */
void plot_result_init(plot_result *result)
{
	result->dest = PLOT_TO_AUTO;
	result->text = NULL;
}

/* Free the text of result and empty it again. */
void plot_result_release(plot_result *result)
{
	if (!result)
		return;
	free(result->text);
	plot_result_init(result);
}

/*
 * Whether the quote at p (inside text) cannot be written doubled: gnuplot
 * 5.4 reads two quotes as an escaped quote only for a quote alone, not at
 * the start of the string nor next to another quote (those are syntax
 * errors), so such quotes become U+2019 (right single quotation mark).
 */
static int quote_needs_curly(const unsigned char *text, const unsigned char *p)
{
	return p == text || p[-1] == '\'' || p[1] == '\'';
}

/* Write text into out as a gnuplot single-quoted string; returns the full length. */
size_t plot_gp_quote(char *out, size_t n_out, const char *text)
{
	static const char curly[] = "\xe2\x80\x99";
	const unsigned char *t0;
	size_t need = 2, j = 0, room;
	const unsigned char *p;

	if (!text)
		text = "";
	t0 = (const unsigned char *)text;
	for (p = t0; *p; p++)
		need += *p == '\'' ? (quote_needs_curly(t0, p) ? 3 : 2) : 1;
	if (!out || n_out == 0)
		return need;
	if (n_out < 3) {
		out[0] = '\0';
		return need;
	}
	room = n_out - 2; /* keep space for the closing quote and the NUL */
	out[j++] = '\'';
	for (p = t0; *p; p++) {
		if (*p == '\'' && quote_needs_curly(t0, p)) {
			if (j + 3 > room)
				break;
			memcpy(out + j, curly, 3);
			j += 3;
		} else if (*p == '\'') {
			if (j + 2 > room)
				break;
			out[j++] = '\'';
			out[j++] = '\'';
		} else {
			if (j + 1 > room)
				break;
			/* A newline would end the command; other controls are noise. */
			out[j++] = (*p < 0x20 || *p == 0x7f) ? ' ' : (char)*p;
		}
	}
	out[j++] = '\'';
	out[j] = '\0';
	return need;
}

/* Terminal size of fd in characters, else $COLUMNS/$LINES, else 80 x 24. */
void plot_terminal_size(int fd, int *cols, int *rows)
{
	struct winsize ws;
	const char *s;
	int c = 0, r = 0;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0) {
		c = ws.ws_col;
		r = ws.ws_row;
	}
	if (c <= 0 && (s = getenv("COLUMNS")))
		c = atoi(s);
	if (r <= 0 && (s = getenv("LINES")))
		r = atoi(s);
	*cols = c > 0 ? c : 80;
	*rows = r > 0 ? r : 24;
}

/* Whether a heat map on fd may use colour, and how much (NO_COLOR wins). */
plot_color plot_color_detect(int fd)
{
	const char *s = getenv("NO_COLOR"), *term = getenv("TERM");

	/* no-color.org: present and not empty disables colour. */
	if ((s && *s) || !isatty(fd))
		return PLOT_COLOR_NONE;
	if (!term || strcmp(term, "dumb") == 0)
		return PLOT_COLOR_NONE;
	s = getenv("COLORTERM");
	if (s && (strcmp(s, "truecolor") == 0 || strcmp(s, "24bit") == 0))
		return PLOT_COLOR_TRUE;
	return PLOT_COLOR_256;
}

/* Milliseconds on a monotonic clock. */
static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The timeout of one run: the option, else $CEWB_PLOT_TIMEOUT seconds, else 10 s. */
static int gp_timeout_ms(const plot_options *o)
{
	const char *s;
	double t;

	if (o && o->timeout_ms > 0)
		return o->timeout_ms;
	s = getenv("CEWB_PLOT_TIMEOUT");
	if (s && (t = atof(s)) > 0)
		return t * 1000 > 3600e3 ? 3600000 : (int)(t * 1000);
	return GP_DEFAULT_TIMEOUT_MS;
}

/* The gnuplot program: $CEWB_GNUPLOT, else the one configure found. */
static const char *gp_program(void)
{
	const char *s = getenv("CEWB_GNUPLOT");

	return s && *s ? s : CEWB_GNUPLOT;
}

/* Whether a (windowing) display is there for an interactive terminal. */
static int have_display(void)
{
	const char *d = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");

	return (d && *d) || (w && *w);
}

/* The file format of name from its extension: "png", "svg", "pdf" or NULL. */
static const char *output_format(const char *name)
{
	const char *dot = strrchr(name, '.');

	if (!dot || strchr(dot, '/'))
		return NULL;
	if (strcasecmp(dot, ".png") == 0)
		return "png";
	if (strcasecmp(dot, ".svg") == 0)
		return "svg";
	if (strcasecmp(dot, ".pdf") == 0)
		return "pdf";
	return NULL;
}

/*
 * Append the terminal and output settings for options to b; *dest is where
 * the plot goes (AUTO: decided by gnuplot and reported on a CEWB-TERM line).
 */
static cewb_status gp_header(plot_buf *b, const plot_options *o, plot_dest *dest,
			     cewb_error *err)
{
	int w = o->width > 0 ? o->width : 800, h = o->height > 0 ? o->height : 600;
	int cols = o->text_cols, rows = o->text_rows;
	const char *fmt;
	const unsigned char *p;

	plot_buf_puts(b, "set encoding utf8\n");
	plot_buf_puts(b, "cewb_terms = ' '.GPVAL_TERMINALS.' '\n");
	if (o->output || o->dest == PLOT_TO_FILE) {
		if (!o->output || !*o->output)
			CEWB_RAISE(err, CEWB_EINVAL, "no output file given");
		for (p = (const unsigned char *)o->output; *p; p++)
			if (*p < 0x20 || *p == 0x7f)
				CEWB_RAISE(err, CEWB_EINVAL,
					   "output file name contains a control character");
		fmt = output_format(o->output);
		if (!fmt)
			CEWB_RAISE(err, CEWB_EINVAL,
				   "cannot tell the format of '%s' (use .png, .svg or .pdf)",
				   o->output);
		if (w > 10000 || h > 10000)
			CEWB_RAISE(err, CEWB_EINVAL, "image size %dx%d is too large", w, h);
		if (strcmp(fmt, "png") == 0) {
			plot_buf_printf(b,
					"if (strstrt(cewb_terms, ' pngcairo ') > 0) {\n"
					"  set terminal pngcairo size %d,%d font ',10'\n"
					"} else {\n  set terminal png size %d,%d\n}\n",
					w, h, w, h);
		} else if (strcmp(fmt, "svg") == 0) {
			plot_buf_printf(b, "set terminal svg size %d,%d background rgb 'white'\n",
					w, h);
		} else {
			plot_buf_printf(b,
					"if (strstrt(cewb_terms, ' pdfcairo ') > 0) {\n"
					"  set terminal pdfcairo size %.2fin,%.2fin\n"
					"} else {\n  print '" GP_NOTERM " pdfcairo'\n"
					"  set terminal unknown\n}\n",
					w / 160.0, h / 160.0);
		}
		/* gnuplot opens a pipe for '|cmd'; "./" keeps a name a file name. */
		plot_buf_puts(b, "set output ");
		if (o->output[0] == '/') {
			plot_buf_quote(b, o->output);
		} else {
			size_t n = strlen(o->output);
			char *s = malloc(n + 3);

			if (!s)
				CEWB_RAISE(err, CEWB_ENOMEM, "out of memory");
			memcpy(s, "./", 2);
			memcpy(s + 2, o->output, n + 1);
			plot_buf_quote(b, s);
			free(s);
		}
		plot_buf_puts(b, "\n");
		*dest = PLOT_TO_FILE;
	} else {
		if (cols <= 0 || rows <= 0) {
			int tc, tr;
			plot_terminal_size(STDOUT_FILENO, &tc, &tr);
			if (cols <= 0)
				cols = tc;
			if (rows <= 0)
				rows = tr > 2 ? tr - 1 : tr; /* room for the next prompt */
		}
		if (cols < 20)
			cols = 20;
		if (rows < 8)
			rows = 8;
		if (cols > 1000)
			cols = 1000;
		if (rows > 500)
			rows = 500;
		if (o->dest != PLOT_TO_TEXT && have_display()) {
			plot_buf_printf(b,
					/* gnuplot 5.4 has no "else if": nested blocks. */
					"if (strstrt(cewb_terms, ' qt ') > 0) {\n"
					"  set terminal qt persist\n"
					"} else {\n"
					"  if (strstrt(cewb_terms, ' wxt ') > 0) {\n"
					"    set terminal wxt persist\n"
					"  } else {\n"
					"    if (strstrt(cewb_terms, ' x11 ') > 0) {\n"
					"      set terminal x11 persist\n"
					"    } else {\n"
					"      set terminal dumb size %d,%d\n"
					"    }\n"
					"  }\n"
					"}\n"
					"print '" GP_TERM " '.GPVAL_TERM\n",
					cols, rows);
			*dest = PLOT_TO_AUTO;
		} else {
			plot_buf_printf(b, "set terminal dumb size %d,%d\n", cols, rows);
			*dest = PLOT_TO_TEXT;
		}
	}
	/* No enhanced-text markup: user text is drawn as it is written. */
	plot_buf_puts(b, "set termoption noenhanced\n");
	/* Scripts adapt to the text terminal through this variable. */
	plot_buf_puts(b, "cewb_dumb = (GPVAL_TERM eq 'dumb')\n");
	return CEWB_OK;
}

/* Set fd non-blocking and close-on-exec. */
static void fd_setup(int fd, int nonblock)
{
	fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC);
	if (nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Read what fd has into b; returns 0 at end of file or error, 1 while open. */
static int fd_drain(int fd, plot_buf *b)
{
	char chunk[4096];
	ssize_t n;

	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n > 0) {
			plot_buf_add(b, chunk, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		return 0;
	}
}

/* Close *fd if open and mark it closed. */
static void fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Kill the process group of pid and reap pid. */
static void gp_kill(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/*
 * Run prog with script on its standard input; collect its standard output
 * and error.  *wstatus is the wait status.  Fails on exec failure, timeout
 * or interrupt (the process group killed).
 */
static cewb_status gp_exec(const char *prog, const char *script, int timeout_ms,
			   plot_buf *out, plot_buf *errs, int *wstatus, cewb_error *err)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	int pst[2] = { -1, -1 };
	int out_open = 1, err_open = 1, exited = 0, child_errno = 0;
	size_t left = strlen(script), done = 0;
	long long deadline = now_ms() + timeout_ms;
	struct sigaction ign, old_pipe;
	cewb_status st = CEWB_OK;
	pid_t pid;
	ssize_t n;

	if (pipe(pin) || pipe(pout) || pipe(perr) || pipe(pst)) {
		st = cewb_error_set(err, CEWB_EIO, "cannot create a pipe: %s", strerror(errno));
		goto close_all;
	}
	fd_setup(pin[1], 0);
	fd_setup(pout[0], 0);
	fd_setup(perr[0], 0);
	fd_setup(pst[0], 0);
	fd_setup(pst[1], 0);

	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGPIPE, &ign, &old_pipe);

	pid = fork();
	if (pid < 0) {
		st = cewb_error_set(err, CEWB_EIO, "cannot start gnuplot: %s", strerror(errno));
		goto restore;
	}
	if (pid == 0) {
		int e;
		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		dup2(pin[0], STDIN_FILENO);
		dup2(pout[1], STDOUT_FILENO);
		dup2(perr[1], STDERR_FILENO);
		/* Nothing else of ours (transcripts, history) leaks into gnuplot or
		 * a window process it leaves behind. */
		for (e = 3; e < 1024; e++)
			if (e != pst[1])
				close(e);
		execlp(prog, prog, (char *)NULL);
		e = errno;
		if (write(pst[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	setpgid(pid, pid); /* also here, against the race with the child */
	fd_close(&pin[0]);
	fd_close(&pout[1]);
	fd_close(&perr[1]);
	fd_close(&pst[1]);
	/* Reads 0 bytes once exec closed the close-on-exec pipe, or the errno. */
	while ((n = read(pst[0], &child_errno, sizeof child_errno)) < 0 && errno == EINTR)
		;
	fd_close(&pst[0]);
	if (n == (ssize_t)sizeof child_errno) {
		while (waitpid(pid, wstatus, 0) < 0 && errno == EINTR)
			;
		st = cewb_error_set(err, CEWB_EIO,
				    "cannot run gnuplot '%s': %s (install gnuplot, or set "
				    "CEWB_GNUPLOT to its path)", prog, strerror(child_errno));
		goto restore;
	}
	fcntl(pin[1], F_SETFL, fcntl(pin[1], F_GETFL) | O_NONBLOCK);
	fcntl(pout[0], F_SETFL, fcntl(pout[0], F_GETFL) | O_NONBLOCK);
	fcntl(perr[0], F_SETFL, fcntl(perr[0], F_GETFL) | O_NONBLOCK);
	if (left == 0)
		fd_close(&pin[1]);

	for (;;) {
		struct pollfd pf[3];
		nfds_t nf = 0;
		long long rest = deadline - now_ms();
		int i, r;

		if (!exited) {
			pid_t w = waitpid(pid, wstatus, WNOHANG);
			/* ECHILD: someone else reaped it; it is gone all the same. */
			if (w == pid || (w < 0 && errno == ECHILD))
				exited = 1;
		}
		if (exited) {
			/* Whatever the child wrote is in the pipes now; a grandchild
			 * (a persistent window) may hold them open, so stop at EAGAIN. */
			if (out_open)
				fd_drain(pout[0], out);
			if (err_open)
				fd_drain(perr[0], errs);
			break;
		}
		if (!out_open && !err_open && pin[1] < 0) {
			/* Everything closed: only the exit is left to wait for. */
			if (rest <= 0)
				goto timeout;
			if (cewb_interrupt_flag)
				goto interrupted;
			{
				struct timespec ts = { 0, 5000000 };
				nanosleep(&ts, NULL);
			}
			continue;
		}
		if (rest <= 0)
			goto timeout;
		if (cewb_interrupt_flag)
			goto interrupted;
		if (pin[1] >= 0) {
			pf[nf].fd = pin[1];
			pf[nf++].events = POLLOUT;
		}
		if (out_open) {
			pf[nf].fd = pout[0];
			pf[nf++].events = POLLIN;
		}
		if (err_open) {
			pf[nf].fd = perr[0];
			pf[nf++].events = POLLIN;
		}
		r = poll(pf, nf, rest > 100 ? 100 : (int)rest);
		if (r < 0 && errno != EINTR) {
			st = cewb_error_set(err, CEWB_EIO, "poll failed: %s", strerror(errno));
			gp_kill(pid);
			goto restore;
		}
		if (r <= 0)
			continue;
		for (i = 0; i < (int)nf; i++) {
			if (!pf[i].revents)
				continue;
			if (pf[i].fd == pin[1]) {
				n = write(pin[1], script + done, left);
				if (n > 0) {
					done += (size_t)n;
					left -= (size_t)n;
				}
				/* EPIPE: gnuplot is gone; its stderr says why. */
				if (left == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
					fd_close(&pin[1]);
			} else if (pf[i].fd == pout[0]) {
				out_open = fd_drain(pout[0], out);
			} else {
				err_open = fd_drain(perr[0], errs);
			}
		}
	}
	goto restore;

timeout:
	gp_kill(pid);
	st = cewb_error_set(err, CEWB_EIO,
			    "gnuplot '%s' did not finish within %.1f s and was stopped", prog,
			    timeout_ms / 1000.0);
	goto restore;
interrupted:
	gp_kill(pid);
	st = cewb_error_set(err, CEWB_EINTERRUPT, "interrupted; gnuplot was stopped");
restore:
	sigaction(SIGPIPE, &old_pipe, NULL);
close_all:
	fd_close(&pin[0]);
	fd_close(&pin[1]);
	fd_close(&pout[0]);
	fd_close(&pout[1]);
	fd_close(&perr[0]);
	fd_close(&perr[1]);
	fd_close(&pst[0]);
	fd_close(&pst[1]);
	return st;
}

/* The first line of errs that reports a gnuplot error (not a warning), or NULL. */
static const char *gp_first_error(const char *errs, size_t *len)
{
	const char *line = errs;

	while (line && *line) {
		const char *end = strchr(line, '\n'), *p;
		size_t n = end ? (size_t)(end - line) : strlen(line);

		/* gnuplot reports errors as "line N: message" under the command. */
		for (p = line; p + 5 < line + n; p++) {
			if (strncmp(p, "line ", 5) == 0 && p[5] >= '0' && p[5] <= '9') {
				const char *q = p + 5;
				while (*q >= '0' && *q <= '9')
					q++;
				if (q[0] == ':') {
					const char *m = q + 1;

					while (m < line + n && (*m == ' ' || *m == '\t'))
						m++;
					if (strncmp(m, "warning", 7) != 0) {
						*len = n - (size_t)(m - line);
						return m;
					}
				}
			}
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

/*
 * Strip form feeds, carriage returns, the spaces at the ends of lines and
 * the blank lines around a dumb-terminal plot, in place.
 */
static void tidy_text(char *s)
{
	char *r = s, *w = s, *start;
	size_t n;

	for (; *r; r++) {
		if (*r == '\f' || *r == '\r')
			continue;
		if (*r == '\n')
			while (w > s && w[-1] == ' ')
				w--;
		*w++ = *r;
	}
	*w = '\0';
	/* Drop leading empty lines. */
	start = s;
	while (*start == '\n')
		start++;
	memmove(s, start, strlen(start) + 1);
	/* Drop trailing blanks, keep one final newline. */
	n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	if (n > 0)
		s[n++] = '\n';
	s[n] = '\0';
}

/* Write text to a new private temporary file; its name goes to path. */
static cewb_status write_temp(const char *text, char *path, size_t n_path, cewb_error *err)
{
	const char *dir = getenv("TMPDIR");
	size_t n = strlen(text), done = 0;
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	if ((size_t)snprintf(path, n_path, "%s/cewb-plot-XXXXXX", dir) >= n_path)
		CEWB_RAISE(err, CEWB_EIO, "temporary directory name '%s' is too long", dir);
	fd = mkstemp(path);
	if (fd < 0) {
		int e = errno;
		path[0] = '\0';
		CEWB_RAISE(err, CEWB_EIO, "cannot create a temporary file in '%s': %s", dir,
			   strerror(e));
	}
	while (done < n) {
		ssize_t w = write(fd, text + done, n - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = errno;
			close(fd);
			unlink(path);
			path[0] = '\0';
			CEWB_RAISE(err, CEWB_EIO, "cannot write a temporary file in '%s': %s", dir,
				   strerror(e));
		}
		done += (size_t)w;
	}
	if (close(fd) != 0) {
		int e = errno;
		unlink(path);
		path[0] = '\0';
		CEWB_RAISE(err, CEWB_EIO, "cannot write a temporary file in '%s': %s", dir,
			   strerror(e));
	}
	return CEWB_OK;
}

/* Give result a copy of table (the data in place of the plot). */
static void give_table(plot_result *result, const char *table)
{
	if (!table)
		return;
	free(result->text);
	result->text = strdup(table);
	result->dest = PLOT_TO_TEXT;
}

/* Run a complete gnuplot script and collect the text plot. */
cewb_status plot_run(const char *script, const char *table, const plot_options *options,
		     plot_result *result, cewb_error *err)
{
	static const plot_options defaults;
	const plot_options *o = options ? options : &defaults;
	plot_buf all = { 0 }, out = { 0 }, errs = { 0 };
	const char *prog = gp_program(), *done, *p;
	plot_dest dest = PLOT_TO_TEXT;
	cewb_status st;
	int wstatus = 0;
	char tmp[512] = "";

	free(result->text);
	plot_result_init(result);
	st = gp_header(&all, o, &dest, err);
	if (st != CEWB_OK) {
		/* A bad request, not a gnuplot failure: no table in place of a plot. */
		plot_buf_release(&all);
		return st;
	}
	if (strlen(script) > GP_INLINE_MAX) {
		st = write_temp(script, tmp, sizeof tmp, err);
		if (st != CEWB_OK)
			goto fail;
		plot_buf_puts(&all, "load ");
		plot_buf_quote(&all, tmp);
	} else {
		plot_buf_puts(&all, script);
	}
	plot_buf_puts(&all, "\nunset output\n"
			    "print '" GP_DONE " ', GPVAL_ERRNO, ' ', GPVAL_ERRMSG\n");
	if (all.failed) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto fail;
	}
	st = gp_exec(prog, all.s, gp_timeout_ms(o), &out, &errs, &wstatus, err);
	if (st != CEWB_OK)
		goto fail;
	if (out.failed || errs.failed) {
		st = cewb_error_set(err, CEWB_ENOMEM, "out of memory");
		goto fail;
	}
	p = errs.s ? errs.s : "";
	if (strstr(p, GP_NOTERM)) {
		st = cewb_error_set(err, CEWB_EINVAL,
				    "this gnuplot cannot write pdf files (it has no pdfcairo "
				    "terminal); use .png or .svg");
		goto fail;
	}
	done = strstr(p, GP_DONE);
	if (!done) {
		size_t n = 0;
		const char *e = gp_first_error(p, &n);
		if (e)
			st = cewb_error_set(err, CEWB_EIO, "gnuplot failed: %.*s", (int)n, e);
		else if (WIFSIGNALED(wstatus))
			st = cewb_error_set(err, CEWB_EIO, "gnuplot '%s' was killed by signal %d",
					    prog, WTERMSIG(wstatus));
		else
			st = cewb_error_set(err, CEWB_EIO,
					    "gnuplot '%s' stopped before drawing the plot (exit "
					    "status %d)", prog,
					    WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
		goto fail;
	}
	if (strtol(done + strlen(GP_DONE), NULL, 10) != 0) {
		size_t n = 0;
		const char *e = gp_first_error(p, &n);
		if (e) {
			st = cewb_error_set(err, CEWB_EIO, "gnuplot failed: %.*s", (int)n, e);
		} else {
			const char *nl = strchr(done, '\n');
			st = cewb_error_set(err, CEWB_EIO, "gnuplot failed: %.*s",
					    (int)(nl ? nl - done : (long)strlen(done)), done);
		}
		goto fail;
	}
	if (dest == PLOT_TO_AUTO) {
		const char *t = strstr(p, GP_TERM " ");
		dest = t && strncmp(t + strlen(GP_TERM) + 1, "dumb", 4) != 0 ? PLOT_TO_WINDOW
									    : PLOT_TO_TEXT;
	}
	result->dest = dest;
	if (dest == PLOT_TO_TEXT) {
		result->text = plot_buf_take(&out);
		if (result->text)
			tidy_text(result->text);
	}
	if (tmp[0])
		unlink(tmp);
	plot_buf_release(&all);
	plot_buf_release(&out);
	plot_buf_release(&errs);
	return CEWB_OK;
fail:
	if (tmp[0])
		unlink(tmp);
	plot_buf_release(&all);
	plot_buf_release(&out);
	plot_buf_release(&errs);
	give_table(result, table);
	return st;
}
