/* record.c - write, read, replay and check session transcripts. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "record.h"
#include "run.h"
#include "safety.h"

/* Start recording to path (replacing a previous recording). */
int record_start(struct session *s, const char *path, char *err, size_t errlen)
{
	/* The header goes to a temporary file that replaces path only once it
	 * is on disk: an old file of that name stays whole until then. */
	struct cli_atomic w;
	if (cli_atomic_open(s, &w, path)) {
		snprintf(err, errlen, "%s", s->error);
		return -1;
	}
	char *p = strdup(path);
	if (!p) {
		cli_atomic_abort(&w);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	time_t now = time(NULL);
	struct tm tm;
	char date[64];
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(w.fp, "# %s %s session transcript\n", PACKAGE_NAME, PACKAGE_VERSION);
	fprintf(w.fp, "# date: %s\n", date);
	fprintf(w.fp, "# seed: %llu\n", (unsigned long long)s->seed);
	fprintf(w.fp, "# format: %s\n", s->format == FORMAT_JSON ? "json" : "text");
	/* Keep the stream open past the rename: commit closes w.fp, so
	 * duplicate the descriptor first. */
	FILE *fp = NULL;
	int fd = fflush(w.fp) == 0 ? dup(fileno(w.fp)) : -1;
	if (fd >= 0)
		fp = fdopen(fd, "a");
	if (!fp) {
		if (fd >= 0)
			close(fd);
		cli_atomic_abort(&w);
		free(p);
		snprintf(err, errlen, "cannot write '%s'", path);
		return -1;
	}
	if (cli_atomic_commit(s, &w)) {
		fclose(fp);
		free(p);
		snprintf(err, errlen, "%s", s->error);
		return -1;
	}
	record_stop(s);
	s->record = fp;
	s->record_path = p;
	return 0;
}

/* Start recording after the checks of cli_may_write. */
int record_start_checked(struct session *s, const char *path, int force, char *err,
			 size_t errlen)
{
	if (cli_may_write(s, path, force)) {
		snprintf(err, errlen, "%s", s->error);
		s->error[0] = '\0';
		return -1;
	}
	return record_start(s, path, err, errlen);
}

/* Stop recording. */
void record_stop(struct session *s)
{
	if (s->record)
		fclose(s->record);
	free(s->record_path);
	s->record = NULL;
	s->record_path = NULL;
}

/* Append one command and its captured output to the transcript. */
void record_command(struct session *s, const char *text, const char *output)
{
	if (!s->record)
		return;
	/* The whole entry is built first and handed to the system in one
	 * write, right after the command: a process killed later (even by
	 * SIGKILL) leaves a transcript that replays up to its last command. */
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return;
	/* A command spread over lines is recorded on one line. */
	fputs(PROMPT, m);
	for (const char *p = text; *p; p++)
		fputc(*p == '\n' ? ' ' : *p, m);
	fputc('\n', m);
	fputs(output, m);
	size_t n = strlen(output);
	if (n && output[n - 1] != '\n')
		fputc('\n', m);
	fclose(m);
	fflush(s->record);
	int fd = fileno(s->record);
	size_t done = 0;
	while (buf && done < len) {
		ssize_t w = write(fd, buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	free(buf);
}

/* Could a number start at p (not in the middle of a word)? */
static int number_start(const char *base, const char *p)
{
	if (p > base && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '.'))
		return 0;
	const char *q = p;
	if (*q == '-' || *q == '+')
		q++;
	if (*q == '.')
		q++;
	if (isdigit((unsigned char)*q))
		return 1;
	return (strncmp(q, "nan", 3) == 0 || strncmp(q, "inf", 3) == 0) &&
	       q == p + (*p == '-' || *p == '+');
}

/* Unit of the last printed digit of the number text [p, end); 0 for an
 * integer (no point, no exponent), which must match exactly. */
static double last_digit_unit(const char *p, const char *end)
{
	const char *dot = NULL, *e = NULL;
	for (const char *q = p; q < end; q++) {
		if (*q == '.')
			dot = q;
		if (*q == 'e' || *q == 'E')
			e = q;
	}
	if (!dot && !e)
		return 0;
	const char *mant_end = e ? e : end;
	int decimals = dot ? (int)(mant_end - dot - 1) : 0;
	int expo = e ? atoi(e + 1) : 0;
	return pow(10.0, expo - decimals);
}

/* Do the numbers a and b (printed as [pa,ea) and [pb,eb)) match? */
static int numbers_match(double a, double b, const char *pa, const char *ea, const char *pb,
			 const char *eb)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	if (a == b)
		return 1;
	double d = fabs(a - b), m = fmax(fabs(a), fabs(b));
	double tol = fmax(1e-9, 1e-6 * m);
	tol = fmax(tol, fmax(last_digit_unit(pa, ea), last_digit_unit(pb, eb)) * 1.0000001);
	return d <= tol;
}

/* Is the number at p a timing: after the JSON key "seconds": or the word
 * "seconds" that starts a line of a text report? */
static int after_seconds_key(const char *base, const char *p)
{
	static const char key[] = "\"seconds\":", word[] = "seconds";
	const char *q = p;
	while (q > base && (q[-1] == ' ' || q[-1] == '\t'))
		q--;
	size_t kl = sizeof key - 1, wl = sizeof word - 1;
	if ((size_t)(q - base) >= kl && strncmp(q - kl, key, kl) == 0)
		return 1;
	if ((size_t)(q - base) >= wl && strncmp(q - wl, word, wl) == 0 && q < p) {
		const char *w = q - wl;
		while (w > base && (w[-1] == ' ' || w[-1] == '\t'))
			w--;
		return w == base;
	}
	return 0;
}

/* Compare two lines; 1 when they match. */
static int line_matches(const char *a, const char *b)
{
	const char *pa = a, *pb = b;
	for (;;) {
		if (!*pa || !*pb) {
			while (*pa == ' ' || *pa == '\t' || *pa == '\r')
				pa++;
			while (*pb == ' ' || *pb == '\t' || *pb == '\r')
				pb++;
			return !*pa && !*pb;
		}
		if (number_start(a, pa) && number_start(b, pb)) {
			char *ea, *eb;
			double x = strtod(pa, &ea), y = strtod(pb, &eb);
			if (ea > pa && eb > pb) {
				if (!(after_seconds_key(a, pa) && after_seconds_key(b, pb)) &&
				    !numbers_match(x, y, pa, ea, pb, eb))
					return 0;
				pa = ea;
				pb = eb;
				continue;
			}
		}
		if (*pa != *pb)
			return 0;
		pa++;
		pb++;
	}
}

/* Compare a recorded output with a new one as --check does. */
int output_matches(const char *want, const char *got, size_t *line_no, char *line_a,
		   char *line_b, size_t len)
{
	const char *a = want, *b = got;
	size_t no = 1;
	for (;;) {
		/* Blank lines at the end do not count. */
		const char *ta = a, *tb = b;
		while (*ta == '\n' || *ta == ' ')
			ta++;
		while (*tb == '\n' || *tb == ' ')
			tb++;
		if (!*ta && !*tb)
			return 1;
		const char *na = strchr(a, '\n'), *nb = strchr(b, '\n');
		size_t la = na ? (size_t)(na - a) : strlen(a);
		size_t lb = nb ? (size_t)(nb - b) : strlen(b);
		char *x = strndup(a, la), *y = strndup(b, lb);
		int ok = x && y && line_matches(x, y) && (*a || !*b) && (*b || !*a);
		if (!ok) {
			*line_no = no;
			snprintf(line_a, len, "%s", *a ? x : "(end of output)");
			snprintf(line_b, len, "%s", *b ? y : "(end of output)");
			free(x);
			free(y);
			return 0;
		}
		free(x);
		free(y);
		a += la + (na != NULL);
		b += lb + (nb != NULL);
		no++;
	}
}

/* One command of a transcript and its recorded output. */
struct tx_entry {
	char *cmd;
	char *out;
};

/* Parse a transcript file; returns entries (n in *n) or NULL with err. */
static struct tx_entry *tx_read(const char *path, size_t *n, uint64_t *seed, int *has_seed,
				enum out_format *format, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	*n = 0;
	*has_seed = 0;
	if (!fp) {
		snprintf(err, errlen, "cannot read '%s'", path);
		return NULL;
	}
	struct tx_entry *v = NULL;
	size_t cap = 0, pl = strlen(PROMPT);
	char *line = NULL;
	size_t lcap = 0;
	ssize_t got;
	int in_header = 1;
	FILE *cur = NULL;
	char *cur_buf = NULL;
	size_t cur_len = 0;
	while ((got = getline(&line, &lcap, fp)) >= 0) {
		if (in_header && line[0] == '#') {
			unsigned long long sd;
			char fmt[16];
			if (sscanf(line, "# seed: %llu", &sd) == 1) {
				*seed = sd;
				*has_seed = 1;
			}
			if (sscanf(line, "# format: %15s", fmt) == 1)
				*format = strcmp(fmt, "json") == 0 ? FORMAT_JSON : FORMAT_TEXT;
			continue;
		}
		if (strncmp(line, PROMPT, pl) == 0) {
			in_header = 0;
			if (cur) {
				fclose(cur);
				v[*n - 1].out = cur_buf;
				cur = NULL;
			}
			if (*n == cap) {
				cap = cap ? 2 * cap : 16;
				struct tx_entry *nv = realloc(v, cap * sizeof *nv);
				if (!nv)
					break;
				v = nv;
			}
			char *c = strdup(line + pl);
			if (!c)
				break;
			c[strcspn(c, "\n")] = '\0';
			v[*n].cmd = c;
			v[*n].out = NULL;
			(*n)++;
			cur_buf = NULL;
			cur_len = 0;
			cur = open_memstream(&cur_buf, &cur_len);
			continue;
		}
		if (line[0] != '\n' || !in_header)
			in_header = 0;
		if (cur)
			fputs(line, cur);
	}
	if (cur) {
		fclose(cur);
		v[*n - 1].out = cur_buf;
	}
	free(line);
	fclose(fp);
	if (*n == 0) {
		snprintf(err, errlen, "'%s' holds no command (no line starts with '%s')", path,
			 PROMPT);
		free(v);
		return NULL;
	}
	return v;
}

/* Replay a transcript in session s. */
int replay_file(struct session *s, const char *path, const struct replay_opts *o)
{
	char err[512];
	size_t n = 0;
	uint64_t seed = s->seed;
	int has_seed = 0;
	enum out_format format = s->format;
	struct tx_entry *v = tx_read(path, &n, &seed, &has_seed, &format, err, sizeof err);
	if (!v) {
		if (o->quiet_error)
			snprintf(s->error, sizeof s->error, "%s", err);
		else
			fprintf(stderr, "replay: %s\n", err);
		return 2;
	}
	if (has_seed)
		s->seed = seed;
	s->format = format;
	int rc = 0;
	size_t n_diff = 0, max_report = o->max_report > 0 ? (size_t)o->max_report : 5;
	s->replay_depth++;
	int saved_quiet = s->quiet;
	s->quiet = 1;	/* error lines are part of the captured output shown below */
	for (size_t i = 0; i < n && !s->quit; i++) {
		char *got = NULL;
		if (!o->quiet) {
			fprintf(s->out, "%s%s\n", PROMPT, v[i].cmd);
			fflush(s->out);
		}
		enum run_status st = run_line_capture(s, v[i].cmd, &got);
		if (!o->quiet && got)
			fputs(got, s->out);
		if (o->check) {
			size_t line_no = 0;
			char la[512], lb[512];
			if (!output_matches(v[i].out ? v[i].out : "", got ? got : "", &line_no, la,
					    lb, sizeof la)) {
				if (n_diff < max_report)
					fprintf(stderr,
						"%s: command %zu '%s': output differs at line %zu\n"
						"  recorded: %s\n  replayed: %s\n",
						path, i + 1, v[i].cmd, line_no, la, lb);
				n_diff++;
				rc = 1;
			}
		} else if (st != RUN_OK) {
			rc = 1;
		}
		free(got);
		if (o->step && i + 1 < n) {
			FILE *tty = fopen("/dev/tty", "r");
			fprintf(stderr, "-- step %zu of %zu: Enter for the next command, q to stop --",
				i + 1, n);
			char ans[64] = "";
			if (!tty || !fgets(ans, sizeof ans, tty) || ans[0] == 'q') {
				if (tty)
					fclose(tty);
				fputc('\n', stderr);
				break;
			}
			fclose(tty);
		}
	}
	s->replay_depth--;
	s->quiet = saved_quiet;
	if (o->check) {
		if (n_diff > max_report)
			fprintf(stderr, "%s: ... %zu more differing commands\n", path,
				n_diff - max_report);
		if (n_diff)
			fprintf(stderr, "%s: %zu of %zu commands differ\n", path, n_diff, n);
	}
	for (size_t i = 0; i < n; i++) {
		free(v[i].cmd);
		free(v[i].out);
	}
	free(v);
	return rc;
}
