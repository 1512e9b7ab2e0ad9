/* cmd_session.c - the session family: help, set, echo, shell, source, record, replay, quit. */
#include "config.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <jansson.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#include "cmd.h"
#include "help.h"
#include "record.h"
#include "run.h"
#include "safety.h"
#include "session.h"

/* Does text contain word, ignoring the case of ASCII letters? */
static int contains_ci(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; *p; p++)
		if (strncasecmp(p, word, n) == 0)
			return 1;
	return 0;
}

/* help [CMD]: the command list, or one command's usage and page. */
static int help_exec(struct session *s, const struct cmd_args *a)
{
	if (a->n_pos == 0) {
		if (out_is_json(s)) {
			json_t *list = json_array();
			for (size_t i = 0; i < cmd_count(); i++) {
				const struct cmd_entry *e = cmd_at(i);
				json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "name",
								      e->name, "group", e->group,
								      "summary", e->summary));
			}
			out_json(s, json_pack("{s:o}", "commands", list));
			return 0;
		}
		help_print_index(s->out);
		return 0;
	}
	char *words[3] = { NULL, NULL, NULL };
	for (size_t i = 0; i < a->n_pos && i < 2; i++)
		words[i] = (char *)a->pos[i].s;
	size_t used = 0;
	char err[512];
	const struct cmd_entry *e = cmd_lookup(words, a->n_pos < 2 ? a->n_pos : 2, &used, err,
					       sizeof err);
	if (!e) {
		/* A topic page that is not a command, or a group of subcommands. */
		char *t = a->n_pos == 1 ? help_page_text(a->pos[0].s) : NULL;
		if (t) {
			if (out_is_json(s))
				out_json(s, json_pack("{s:s, s:s}", "topic", a->pos[0].s, "page", t));
			else
				out_printf(s, "%s", t);
			free(t);
			return 0;
		}
		if (strstr(err, "needs a subcommand")) {
			size_t l = strlen(a->pos[0].s);
			for (size_t i = 0; i < cmd_count(); i++) {
				const struct cmd_entry *c = cmd_at(i);
				if (strncmp(c->name, a->pos[0].s, l) == 0 && c->name[l] == ' ')
					out_printf(s, "  %-18s %s\n", c->name, c->summary);
			}
			return 0;
		}
		/* Else search the pages for the word. */
		if (a->n_pos == 1 && strlen(a->pos[0].s) >= 3) {
			char found[1024] = "";
			const char *last_page = "";
			for (size_t i = 0; i < cmd_count(); i++) {
				const struct cmd_entry *c = cmd_at(i);
				if (strcmp(c->page, last_page) == 0)
					continue;
				char *txt = help_page_text(c->page);
				if (txt && contains_ci(txt, a->pos[0].s)) {
					size_t l = strlen(found);
					snprintf(found + l, sizeof found - l, "%s%s", l ? ", " : "",
						 c->name);
					last_page = c->page;
				}
				free(txt);
			}
			if (found[0]) {
				if (out_is_json(s))
					out_json(s, json_pack("{s:s, s:s}", "search", a->pos[0].s,
							      "commands", found));
				else
					out_printf(s, "no command '%s'; it is mentioned in the pages "
						   "of: %s\n", a->pos[0].s, found);
				return 0;
			}
		}
		return cmd_fail(s, "%s", err);
	}
	if (used < a->n_pos)
		return cmd_fail(s, "'%s' has no subcommand '%s'", e->name, a->pos[used].s);
	char *page = help_page_text(e->page);
	char *usage = NULL;
	size_t ul = 0;
	FILE *m = open_memstream(&usage, &ul);
	if (m) {
		cmd_print_usage(m, e);
		fclose(m);
	}
	if (out_is_json(s)) {
		out_json(s, json_pack("{s:s, s:s, s:s, s:s, s:s?}", "command", e->name, "group",
				      e->group, "summary", e->summary, "usage", usage ? usage : "",
				      "page", page));
	} else {
		out_printf(s, "%s - %s\n\n%s", e->name, e->summary, usage ? usage : "");
		if (page)
			out_printf(s, "\n%s", page);
		else
			out_printf(s, "\n(no help page '%s' found in %s)\n", e->page, help_dir());
	}
	free(usage);
	free(page);
	return 0;
}

/* set: show every setting. */
static int set_exec(struct session *s, const struct cmd_args *a)
{
	if (out_is_json(s)) {
		out_json(s, json_pack("{s:I, s:i, s:s, s:i, s:s, s:f, s:s?, s:f}", "seed",
				      (json_int_t)s->seed, "threads", s->threads, "format",
				      s->format == FORMAT_JSON ? "json" : "text", "precision",
				      s->precision, "terminal", s->plot_terminal, "tolerance",
				      s->match_tol, "record", s->record_path, "memory_limit",
				      cli_memory_limit()));
		return 0;
	}
	out_printf(s, "seed       %llu\n", (unsigned long long)s->seed);
	out_printf(s, "threads    %d%s\n", s->threads, s->threads ? "" : " (automatic)");
	out_printf(s, "format     %s\n", s->format == FORMAT_JSON ? "json" : "text");
	out_printf(s, "precision  %d\n", s->precision);
	out_printf(s, "terminal   %s\n", s->plot_terminal);
	out_printf(s, "tolerance  %g\n", s->match_tol);
	out_printf(s, "record     %s\n", s->record_path ? s->record_path : "(off)");
	char mb[32];
	out_printf(s, "memory-limit %s\n", cli_memory_limit() > 0 ?
		   cli_format_size(cli_memory_limit(), mb, sizeof mb) : "(none)");
	return 0;
}

static int set_seed_exec(struct session *s, const struct cmd_args *a)
{
	s->seed = (uint64_t)a->pos[0].i;
	return 0;
}

static int set_threads_exec(struct session *s, const struct cmd_args *a)
{
	s->threads = (int)a->pos[0].i;
#ifdef _OPENMP
	if (s->threads > 0)
		omp_set_num_threads(s->threads);
#endif
	return 0;
}

/* shell COMMAND...: run a shell command; its output is part of the session's. */
static int shell_exec(struct session *s, const struct cmd_args *a)
{
	size_t len = 1;
	for (size_t i = 0; i < a->n_pos; i++)
		len += strlen(a->pos[i].s) + 1;
	char *line = malloc(len);
	if (!line)
		return cmd_fail(s, "out of memory");
	line[0] = '\0';
	for (size_t i = 0; i < a->n_pos; i++) {
		if (i)
			strcat(line, " ");
		strcat(line, a->pos[i].s);
	}
	fflush(NULL);
	FILE *p = popen(line, "r");
	if (!p) {
		free(line);
		return cmd_fail(s, "cannot start /bin/sh");
	}
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		fwrite(buf, 1, n, s->out);
	int st = pclose(p);
	free(line);
	if (st == -1)
		return cmd_fail(s, "cannot wait for the command");
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
		return cmd_fail(s, "the command exited with status %d", WEXITSTATUS(st));
	if (WIFSIGNALED(st))
		return cmd_fail(s, "the command was killed by signal %d", WTERMSIG(st));
	return 0;
}

static int set_format_exec(struct session *s, const struct cmd_args *a)
{
	s->format = strcmp(a->pos[0].s, "json") == 0 ? FORMAT_JSON : FORMAT_TEXT;
	return 0;
}

static int set_precision_exec(struct session *s, const struct cmd_args *a)
{
	s->precision = (int)a->pos[0].i;
	return 0;
}

static int set_terminal_exec(struct session *s, const struct cmd_args *a)
{
	if (strlen(a->pos[0].s) >= sizeof s->plot_terminal)
		return cmd_fail(s, "terminal name too long");
	snprintf(s->plot_terminal, sizeof s->plot_terminal, "%s", a->pos[0].s);
	return 0;
}

/* set memory-limit SIZE: largest matrix built without asking (0: no limit). */
static int set_memory_limit_exec(struct session *s, const struct cmd_args *a)
{
	double b;
	if (cli_parse_size(a->pos[0].s, &b))
		return cmd_fail(s, "'%s' is not a size (e.g. 2G, 512M, 0 for no limit)",
				a->pos[0].s);
	cli_set_memory_limit(b);
	return 0;
}

static int set_tolerance_exec(struct session *s, const struct cmd_args *a)
{
	s->match_tol = a->pos[0].r;
	return 0;
}

/* echo WORDS: print the words (notes in scripts and transcripts). */
static int echo_exec(struct session *s, const struct cmd_args *a)
{
	for (size_t i = 0; i < a->n_pos; i++)
		out_printf(s, "%s%s", i ? " " : "", a->pos[i].s);
	out_printf(s, "\n");
	return 0;
}

static int quit_exec(struct session *s, const struct cmd_args *a)
{
	s->quit = 1;
	return 0;
}

static int record_exec(struct session *s, const struct cmd_args *a)
{
	char err[512];
	if (cli_may_write(s, a->pos[0].s, arg_flag(a, "force")))
		return 1;
	if (record_start(s, a->pos[0].s, err, sizeof err) < 0)
		return cmd_fail(s, "%s", err);
	if (!out_is_json(s))
		out_printf(s, "recording to %s\n", a->pos[0].s);
	return 0;
}

static int record_stop_exec(struct session *s, const struct cmd_args *a)
{
	if (!s->record)
		return cmd_fail(s, "not recording");
	if (!out_is_json(s))
		out_printf(s, "recording to %s stopped\n", s->record_path);
	record_stop(s);
	return 0;
}

/* source FILE: run the commands of a script file in this session. */
static int source_exec(struct session *s, const struct cmd_args *a)
{
	static int depth;	/* a script sourcing itself must stop somewhere */
	static char *active[16];	/* the scripts being run, outermost first */
	if (depth >= 16)
		return cmd_fail(s, "scripts nested too deeply (a script sourcing itself?)");
	/* A script that is already running (itself, or through another) would
	 * only nest until the limit: refuse it at once. */
	char *real = realpath(a->pos[0].s, NULL);
	for (int i = 0; real && i < depth; i++)
		if (active[i] && !strcmp(active[i], real)) {
			free(real);
			return cmd_fail(s, "'%s' is already running (a script sourcing itself?)",
					a->pos[0].s);
		}
	/* A script runs no program and writes only below the working directory
	 * unless given trust, which only a trusted caller can give. */
	int trusted = arg_flag(a, "trust");
	if (trusted && cli_untrusted(s)) {
		free(real);
		return cmd_fail(s, "--trust is refused in a file that was not given trust");
	}
	active[depth++] = real;
	enum run_status st = run_script(s, a->pos[0].s, arg_flag(a, "keep-going"), trusted);
	active[--depth] = NULL;
	free(real);
	if (st != RUN_OK)
		return cmd_fail(s, arg_flag(a, "keep-going") ? "a command of '%s' failed"
							      : "'%s' stopped at a failing command",
				a->pos[0].s);
	return 0;
}

static int replay_exec(struct session *s, const struct cmd_args *a)
{
	if (s->replay_depth > 0)
		return cmd_fail(s, "a replay cannot start another replay");
	if (arg_flag(a, "trust") && cli_untrusted(s))
		return cmd_fail(s, "--trust is refused in a file that was not given trust");
	struct replay_opts o = { arg_flag(a, "check"), arg_flag(a, "step"), arg_flag(a, "check"),
				 5, 1 };
	int saved_trust = s->trust;
	s->trust = s->trust || arg_flag(a, "trust");
	int rc = replay_file(s, a->pos[0].s, &o);
	s->trust = saved_trust;
	if (rc == 2)
		return 1;	/* s->error says why */
	if (rc)
		return cmd_fail(s, "%s", o.check ? "outputs differ from the transcript"
					       : "a command failed");
	if (o.check && !out_is_json(s))
		out_printf(s, "%s: every output matches\n", a->pos[0].s);
	return 0;
}

static const struct cmd_arg help_pos[] = {
	{ .name = "command", .type = ARG_STRING, .metavar = "COMMAND",
	  .complete = COMPLETE_COMMAND },
	{ .name = NULL }
};
static const struct cmd_arg seed_pos[] = {
	{ .name = "seed", .type = ARG_INT, .min = 0, .max = 9007199254740992.0, .metavar = "N" },
	{ .name = NULL }
};
static const struct cmd_arg threads_pos[] = {
	{ .name = "threads", .type = ARG_INT, .min = 0, .max = 1024, .metavar = "N" },
	{ .name = NULL }
};
static const char *const format_choices[] = { "text", "json", NULL };
static const struct cmd_arg format_pos[] = {
	{ .name = "format", .type = ARG_CHOICE, .choices = format_choices, .min = 1, .max = 0 },
	{ .name = NULL }
};
static const struct cmd_arg precision_pos[] = {
	{ .name = "digits", .type = ARG_INT, .min = 1, .max = 17, .metavar = "DIGITS" },
	{ .name = NULL }
};
static const struct cmd_arg terminal_pos[] = {
	{ .name = "terminal", .type = ARG_STRING, .metavar = "TERMINAL" },
	{ .name = NULL }
};
static const struct cmd_arg size_pos[] = {
	{ .name = "size", .type = ARG_STRING, .metavar = "SIZE" },
	{ .name = NULL }
};
static const struct cmd_arg tolerance_pos[] = {
	{ .name = "tolerance", .type = ARG_REAL, .min = 1e-8, .max = 2.0, .metavar = "ANGSTROM" },
	{ .name = NULL }
};
static const struct cmd_arg words_pos[] = {
	{ .name = "text", .type = ARG_STRING, .metavar = "TEXT" },
	{ .name = NULL }
};
static const struct cmd_arg file_pos[] = {
	{ .name = "file", .type = ARG_FILE, .metavar = "FILE" },
	{ .name = NULL }
};
static const struct cmd_arg source_opts[] = {
	{ .name = "keep-going", .type = ARG_FLAG, .help = "go on after a command fails" },
	{ .name = "trust", .type = ARG_FLAG,
	  .help = "let the script run programs and write anywhere ('help safety')" },
	{ .name = NULL }
};
static const struct cmd_arg record_opts[] = {
	{ .name = "force", .type = ARG_FLAG, .help = "replace an existing file" },
	{ .name = NULL }
};
static const struct cmd_arg replay_opts[] = {
	{ .name = "check", .type = ARG_FLAG,
	  .help = "compare each output with the recorded one (numbers within tolerance)" },
	{ .name = "step", .type = ARG_FLAG, .help = "pause after each command" },
	{ .name = "trust", .type = ARG_FLAG, .help = "allow the transcript's shell commands" },
	{ .name = NULL }
};

const struct cmd_entry cmd_session_entries[] = {
	{ .name = "help", .group = "session", .summary = "list commands, or show a command's page",
	  .positionals = help_pos, .max_pos = 2, .exec = help_exec, .page = "help",
	  .flags = CMD_REPORTS },
	{ .name = "set", .group = "session", .summary = "show the settings",
	  .exec = set_exec, .page = "set", .flags = CMD_REPORTS },
	{ .name = "set seed", .group = "session", .summary = "seed of every random choice",
	  .positionals = seed_pos, .min_pos = 1, .max_pos = 1, .exec = set_seed_exec,
	  .page = "set" },
	{ .name = "set threads", .group = "session", .summary = "worker threads (0: automatic)",
	  .positionals = threads_pos, .min_pos = 1, .max_pos = 1, .exec = set_threads_exec,
	  .page = "set" },
	{ .name = "set format", .group = "session", .summary = "output format: text or json",
	  .positionals = format_pos, .min_pos = 1, .max_pos = 1, .exec = set_format_exec,
	  .page = "set" },
	{ .name = "set precision", .group = "session",
	  .summary = "significant digits of numbers in reports",
	  .positionals = precision_pos, .min_pos = 1, .max_pos = 1, .exec = set_precision_exec,
	  .page = "set" },
	{ .name = "set terminal", .group = "session", .summary = "gnuplot terminal of plots",
	  .positionals = terminal_pos, .min_pos = 1, .max_pos = 1, .exec = set_terminal_exec,
	  .page = "set" },
	{ .name = "set tolerance", .group = "session",
	  .summary = "distance (Å) within which atoms match lattice sites",
	  .positionals = tolerance_pos, .min_pos = 1, .max_pos = 1, .exec = set_tolerance_exec,
	  .page = "set" },
	{ .name = "set memory-limit", .group = "session",
	  .summary = "largest matrix built without asking (2G, 512M; 0: none)",
	  .positionals = size_pos, .min_pos = 1, .max_pos = 1, .exec = set_memory_limit_exec,
	  .page = "set" },
	{ .name = "echo", .group = "session", .summary = "print a line of text",
	  .positionals = words_pos, .max_pos = 1000, .exec = echo_exec, .page = "echo",
	  .flags = CMD_RAW },
	{ .name = "shell", .group = "session", .summary = "run a shell command",
	  .positionals = words_pos, .min_pos = 1, .max_pos = 1000, .exec = shell_exec,
	  .page = "shell", .flags = CMD_UNSAFE | CMD_RAW },
	{ .name = "source", .group = "session", .summary = "run the commands of a script file",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 1, .options = source_opts,
	  .exec = source_exec, .page = "source", .flags = CMD_NO_RECORD },
	{ .name = "record", .group = "session", .summary = "write a transcript of the session",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 1, .options = record_opts,
	  .exec = record_exec,
	  .page = "record", .flags = CMD_NO_RECORD },
	{ .name = "record stop", .group = "session", .summary = "stop writing the transcript",
	  .exec = record_stop_exec, .page = "record", .flags = CMD_NO_RECORD },
	{ .name = "replay", .group = "session", .summary = "run a transcript again (and check it)",
	  .positionals = file_pos, .min_pos = 1, .max_pos = 1, .options = replay_opts,
	  .exec = replay_exec, .page = "replay", .flags = CMD_NO_RECORD },
	{ .name = "quit", .group = "session", .summary = "leave cewb (also: exit, Ctrl-D)",
	  .exec = quit_exec, .page = "quit", .flags = CMD_NO_RECORD },
	{ .name = "exit", .group = "session", .summary = "leave cewb",
	  .exec = quit_exec, .page = "quit", .flags = CMD_NO_RECORD },
	{ .name = NULL }
};
