/* run.c - lex, parse and execute commands; capture and record their output. */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "cmd.h"
#include "lex.h"
#include "record.h"
#include "run.h"
#include "safety.h"

/* While run_line_capture runs: where transcript text of each command goes. */
static FILE *capture_sink;
/* While a script runs: its name and line, prefixed to error messages on stderr. */
static const char *loc_name;
static size_t loc_line;

/* Merge two run statuses (the worse one wins). */
enum run_status run_worse(enum run_status a, enum run_status b)
{
	return a > b ? a : b;
}

/* Print an error line to stderr, in red on a colour terminal. */
static void show_error(const struct session *s, const char *msg)
{
	char where[300] = "";
	if (loc_name)
		snprintf(where, sizeof where, "%s:%zu: ", loc_name, loc_line);
	if (s->color && isatty(STDERR_FILENO))
		fprintf(stderr, "%s\033[31m%s\033[0m\n", where, msg);
	else
		fprintf(stderr, "%s%s\n", where, msg);
}

/*
 * At the prompt, point at the word a usage error names ('X' in the
 * message): repeat the command and underline the word, as psql and
 * sqlite3 do.
 */
static void show_caret(const struct session *s, const char *text, const char *msg)
{
	const char *q = strchr(msg, '\'');
	const char *q2 = q ? strchr(q + 1, '\'') : NULL;
	if (!s->interactive || !q2 || q2 == q + 1)
		return;
	size_t wl = (size_t)(q2 - q - 1);
	const char *hit = NULL;
	for (const char *p = text; *p; p++) {
		if (strncmp(p, q + 1, wl) == 0 && (p == text || p[-1] == ' ' || p[-1] == '=') &&
		    (p[wl] == '\0' || p[wl] == ' ' || p[wl] == '=')) {
			hit = p;
			break;
		}
	}
	if (!hit)
		return;
	fprintf(stderr, "  %s\n  %*s", text, (int)(hit - text), "");
	for (size_t i = 0; i < wl; i++)
		fputc('^', stderr);
	fputc('\n', stderr);
}

/* Run one lexed command; its output goes to dest. */
static enum run_status run_cmd(struct session *s, const struct lex_cmd *lc, FILE *dest)
{
	char err[1024] = "", msg[1200] = "";
	struct cmd_args *a = NULL;
	char *buf = NULL;
	size_t len = 0;
	enum run_status st = RUN_OK;
	int json = s->format == FORMAT_JSON;
	const char *name = NULL;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem) {
		show_error(s, "cewb: out of memory");
		return RUN_FAILED;
	}

	enum parse_status ps = cmd_parse(lc->words, lc->n, lc->text, &a, err, sizeof err);
	if (ps == PARSE_EMPTY) {
		fclose(mem);
		free(buf);
		return RUN_OK;
	}
	if (ps == PARSE_ERROR) {
		/* Messages about a known command start with its name. */
		int named = 0;
		for (size_t i = 0; i < cmd_count(); i++) {
			const char *nm = cmd_at(i)->name;
			size_t ln = strlen(nm);
			if (strncmp(err, nm, ln) == 0 && err[ln] == ':')
				named = 1;
		}
		snprintf(msg, sizeof msg, "%s%s", named ? "" : "cewb: ", err);
		st = RUN_USAGE;
	} else {
		name = a->cmd->name;
		if (a->json)
			json = 1;
		if ((a->cmd->flags & CMD_UNSAFE) && cli_untrusted(s)) {
			/* A file's commands run no program unless it was given trust. */
			snprintf(msg, sizeof msg, s->replay_depth > 0
				 ? "%s: refused while replaying (use --trust)"
				 : "%s: refused in a script (give it --trust)", name);
			st = RUN_FAILED;
		} else {
			FILE *saved = s->out;
			int saved_json = s->cur_json;
			s->out = mem;
			s->cur_json = json;
			s->json_done = 0;
			s->error[0] = '\0';
			cewb_interrupt_flag = 0;
			int rc = a->cmd->exec(s, a);
			fflush(mem);
			s->out = saved;
			if (rc) {
				if (cewb_interrupt_flag && !s->error[0])
					snprintf(s->error, sizeof s->error, "interrupted");
				snprintf(msg, sizeof msg, "%s: %s", name,
					 s->error[0] ? s->error : "failed");
				st = RUN_FAILED;
			} else if (json && !s->json_done) {
				json_t *d = json_pack("{s:s, s:b}", "command", name, "ok", 1);
				out_json(s, d);
			}
			s->cur_json = saved_json;
			cewb_interrupt_flag = 0;
		}
	}
	if (msg[0] && json) {
		json_t *d = a ? json_pack("{s:s, s:s}", "command", a->cmd->name, "error", msg)
			      : json_pack("{s:s}", "error", msg);
		if (d) {
			json_dumpf(d, mem, 0);
			fputc('\n', mem);
			json_decref(d);
		}
	}
	fclose(mem);
	fwrite(buf, 1, len, dest);
	fflush(dest);
	if (msg[0] && !s->quiet) {
		show_error(s, msg);
		if (st == RUN_USAGE)
			show_caret(s, lc->text, msg);
	}

	/* The transcript text of the command: its output, then its error line. */
	int rec = s->record && !(a && (a->cmd->flags & CMD_NO_RECORD));
	if (rec || capture_sink) {
		char *t = NULL;
		size_t tl = 0;
		FILE *tf = open_memstream(&t, &tl);
		if (tf) {
			fwrite(buf, 1, len, tf);
			if (msg[0] && !json)
				fprintf(tf, "%s\n", msg);
			fclose(tf);
			if (rec) {
				/* A command typed over several lines is recorded on one. */
				char *one = strchr(lc->text, '\n') ? lex_join(lc->words, lc->n) : NULL;
				record_command(s, one ? one : lc->text, t);
				free(one);
			}
			if (capture_sink)
				fputs(t, capture_sink);
			free(t);
		}
	}
	free(buf);
	cmd_args_free(a);
	return st;
}

/* Run every command of one line (commands separated by ';'). */
enum run_status run_line(struct session *s, const char *line, int keep_going)
{
	struct lex_line l;
	char err[256];
	enum lex_status ls = lex_line(line, &l, err, sizeof err);
	if (ls == LEX_INCOMPLETE) {
		const char *m = "cewb: unterminated quote or trailing backslash";
		show_error(s, m);
		if (capture_sink)
			fprintf(capture_sink, "%s\n", m);
		return RUN_USAGE;
	}
	if (ls == LEX_ERROR) {
		fprintf(stderr, "cewb: %s\n", err);
		return RUN_FAILED;
	}
	enum run_status st = RUN_OK;
	FILE *dest = s->out;
	for (size_t i = 0; i < l.n && !s->quit; i++) {
		enum run_status r = run_cmd(s, &l.cmds[i], dest);
		st = run_worse(st, r);
		if (r != RUN_OK && !keep_going)
			break;
	}
	lex_line_free(&l);
	return st;
}

/* Run one line and capture everything it prints, as a transcript holds it. */
enum run_status run_line_capture(struct session *s, const char *line, char **captured)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *saved_sink = capture_sink, *saved_out = s->out;
	FILE *mem = open_memstream(&buf, &len);
	*captured = NULL;
	if (!mem)
		return RUN_FAILED;
	capture_sink = mem;
	/* Output is shown by the caller from the capture, not printed twice. */
	FILE *null = fopen("/dev/null", "w");
	s->out = null ? null : saved_out;
	enum run_status st = run_line(s, line, 1);
	s->out = saved_out;
	if (null)
		fclose(null);
	capture_sink = saved_sink;
	fclose(mem);
	*captured = buf;
	return st;
}

/* Run commands read from a stream (as run_file does). */
enum run_status run_stream(struct session *s, FILE *fp, const char *name, int keep_going)
{
	size_t pl = strlen(PROMPT);
	int transcript = 0;	/* seen a "cewb> " line: only such lines run */
	size_t line_no = 0, first_line = 0;
	const char *saved_name = loc_name;
	size_t saved_line = loc_line;
	enum run_status st = RUN_OK;
	char *pending = NULL;	/* a command continued over several lines */
	char *ln = NULL;
	size_t cap = 0;
	while (!s->quit && getline(&ln, &cap, fp) >= 0) {
		ln[strcspn(ln, "\n")] = '\0';
		line_no++;
		if (!pending)
			first_line = line_no;
		char *cmdtext = ln;
		if (strncmp(ln, PROMPT, pl) == 0) {
			transcript = 1;
			cmdtext = ln + pl;
		} else if (transcript) {
			continue;
		}
		char *joined;
		if (pending) {
			size_t jl = strlen(pending) + strlen(cmdtext) + 2;
			joined = malloc(jl);
			if (joined)
				snprintf(joined, jl, "%s\n%s", pending, cmdtext);
			free(pending);
			pending = NULL;
		} else {
			joined = strdup(cmdtext);
		}
		if (!joined) {
			st = RUN_FAILED;
			break;
		}
		struct lex_line l;
		char err[64];
		if (lex_line(joined, &l, err, sizeof err) == LEX_INCOMPLETE) {
			pending = joined;
			continue;
		}
		lex_line_free(&l);
		loc_name = name;
		loc_line = first_line;
		enum run_status r = run_line(s, joined, keep_going);
		loc_name = saved_name;
		loc_line = saved_line;
		free(joined);
		st = run_worse(st, r);
		if (r != RUN_OK && !keep_going)
			break;
	}
	free(ln);
	if (pending) {
		fprintf(stderr, "cewb: %s: unterminated quote at the end\n", name);
		free(pending);
		st = run_worse(st, RUN_USAGE);
	}
	return st;
}

/* Run a script file as an untrusted or trusted source of commands. */
enum run_status run_script(struct session *s, const char *path, int keep_going, int trusted)
{
	cli_script_enter(trusted);
	enum run_status st = run_file(s, path, keep_going);
	cli_script_leave();
	return st;
}

/* Run a script file: plain commands, or the command lines of a transcript. */
enum run_status run_file(struct session *s, const char *path, int keep_going)
{
	FILE *fp = fopen(path, "r");
	if (!fp) {
		fprintf(stderr, "cewb: cannot read '%s'\n", path);
		return RUN_USAGE;
	}
	enum run_status st = run_stream(s, fp, path, keep_going);
	fclose(fp);
	return st;
}
