/* repl.c - the readline prompt: history, completion, Ctrl-C. */
#include "config.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <readline/readline.h>
#include <readline/history.h>
#include "cmd.h"
#include "lex.h"
#include "repl.h"
#include "run.h"
#include "safety.h"

#define HISTORY_MAX 1000
#define PROMPT_MAIN "cewb> "
#define PROMPT_MORE " ...> "

static struct session *cur;		/* the session completion looks at */
static volatile sig_atomic_t got_sigint;	/* Ctrl-C seen, not yet handled */
static volatile sig_atomic_t at_prompt;	/* waiting at the prompt (else a command runs) */
static char *line_ready;		/* a line handed over by readline */
static int line_eof;			/* Ctrl-D at the prompt */

/* SIGINT: interrupt the running command, or clear the prompt line. */
static void on_sigint(int sig)
{
	(void)sig;
	if (!at_prompt) {
		cewb_interrupt_flag = 1;
		/* Off the echoed ^C: a new line, or over the progress line. */
		if (!got_sigint && cli_progress_visible()) {
			if (write(STDERR_FILENO, "\r\033[K", 4) < 0)
				got_sigint = 0;
		} else if (!got_sigint && write(STDOUT_FILENO, "\n", 1) < 0) {
			got_sigint = 0;
		}
		if (++got_sigint >= 3 && cli_forced_exit_ok()) {
			static const char m[] = "\ncewb: interrupted three times, leaving\n";
			if (write(STDERR_FILENO, m, sizeof m - 1) < 0)
				_exit(130);
			_exit(130);
		}
		return;
	}
	got_sigint = 1;
}

/* SIGTERM, SIGHUP: remove the temporary files of writes in progress, then
 * end as the signal would have ended the process. */
static void on_term(int sig)
{
	cli_atomic_remove_all();
	signal(sig, SIG_DFL);
	raise(sig);
}

void repl_install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: select() returns at once */
	sigaction(SIGINT, &sa, NULL);
	/* A signal the parent made us ignore (nohup) stays ignored. */
	static const int term_sigs[] = { SIGTERM, SIGHUP };
	for (size_t i = 0; i < sizeof term_sigs / sizeof term_sigs[0]; i++) {
		struct sigaction old;
		if (sigaction(term_sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sa.sa_handler = on_term;
		sigaction(term_sigs[i], &sa, NULL);
	}
}

/* Readline hands over a complete line (NULL at Ctrl-D). */
static void on_line(char *line)
{
	if (!line)
		line_eof = 1;
	else
		line_ready = line;
	rl_callback_handler_remove();
}

/* ---- completion ---- */

static char **cands;		/* candidates of the current completion */
static size_t n_cands, cap_cands;

/* Forget the candidates. */
static void cands_clear(void)
{
	for (size_t i = 0; i < n_cands; i++)
		free(cands[i]);
	n_cands = 0;
}

/* Add a candidate (duplicates are dropped). */
static void cands_add(const char *w)
{
	for (size_t i = 0; i < n_cands; i++)
		if (strcmp(cands[i], w) == 0)
			return;
	if (n_cands == cap_cands) {
		size_t cap = cap_cands ? 2 * cap_cands : 64;
		char **v = realloc(cands, cap * sizeof *v);
		if (!v)
			return;
		cands = v;
		cap_cands = cap;
	}
	char *d = strdup(w);
	if (d)
		cands[n_cands++] = d;
}

/* Readline generator over the candidates that start with text. */
static char *cand_generator(const char *text, int state)
{
	static size_t idx;
	if (!state)
		idx = 0;
	size_t l = strlen(text);
	while (idx < n_cands) {
		const char *c = cands[idx++];
		if (strncmp(c, text, l) == 0)
			return strdup(c);
	}
	return NULL;
}

/* Info keys of a structure as candidates. */
static void add_info_keys(const cewb_structure *st)
{
	for (size_t i = 0; st && i < st->n_info; i++)
		cands_add(st->info[i].key);
}

/* Info keys of the loaded files and of files named on the line. */
static void add_all_info_keys(char **words, size_t n)
{
	if (cur->lattice_structure)
		add_info_keys(cur->lattice_structure);
	for (size_t i = 0; i < cur->train.n && i < 50; i++)
		add_info_keys(cur->train.items[i].s);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		if (words[i][0] == '-' || stat(words[i], &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		cewb_frames fr = { 0, NULL };
		if (st.st_size < 64 * 1024 * 1024 &&
		    cewb_structure_read_any(words[i], NULL, &fr, NULL) == CEWB_OK) {
			for (size_t f = 0; f < fr.n && f < 50; f++)
				add_info_keys(fr.frames[f]);
			cewb_frames_release(&fr);
		}
	}
}

/* Candidates for a value of spec; returns 1 when file names should be completed. */
static int add_value_cands(const struct cmd_arg *spec, char **words, size_t n)
{
	char buf[32];
	if (spec->type == ARG_FILE)
		return 1;
	if (spec->type == ARG_CHOICE)
		for (const char *const *c = spec->choices; c && *c; c++)
			cands_add(*c);
	switch (spec->complete) {
	case COMPLETE_ORBIT:
		for (size_t i = 0; cur->space && i < cur->space->n_orbits; i++) {
			snprintf(buf, sizeof buf, "%zu", i);
			cands_add(buf);
		}
		break;
	case COMPLETE_INFO_KEY:
		add_all_info_keys(words, n);
		break;
	case COMPLETE_COMMAND:
		for (size_t i = 0; i < cmd_count(); i++) {
			const char *nm = cmd_at(i)->name;
			const char *sp = strchr(nm, ' ');
			if (n >= 2 && sp && strncmp(nm, words[n - 1], strlen(words[n - 1])) == 0 &&
			    (size_t)(sp - nm) == strlen(words[n - 1]))
				cands_add(sp + 1);
			else if (n < 2) {
				snprintf(buf, sizeof buf, "%.*s",
					 (int)(sp ? (size_t)(sp - nm) : strlen(nm)), nm);
				cands_add(buf);
			}
		}
		break;
	default:
		break;
	}
	return 0;
}

/* Attempted completion: commands, subcommands, options and values. */
static char **complete(const char *text, int start, int end)
{
	(void)end;
	cands_clear();
	rl_attempted_completion_over = 1;
	/* Words before the one being completed, from the last ';'. */
	char *head = strndup(rl_line_buffer, (size_t)start);
	if (!head)
		return NULL;
	char *semi = strrchr(head, ';');
	struct lex_line l = { 0, NULL };
	char err[64];
	char **words = NULL;
	size_t n = 0;
	if (lex_line(semi ? semi + 1 : head, &l, err, sizeof err) == LEX_OK && l.n > 0) {
		words = l.cmds[l.n - 1].words;
		n = l.cmds[l.n - 1].n;
	}
	int files = 0;
	if (n == 0) {
		for (size_t i = 0; i < cmd_count(); i++) {
			char buf[64];
			const char *nm = cmd_at(i)->name;
			const char *sp = strchr(nm, ' ');
			snprintf(buf, sizeof buf, "%.*s", (int)(sp ? (size_t)(sp - nm) : strlen(nm)),
				 nm);
			cands_add(buf);
		}
	} else {
		size_t used = 0;
		char e2[256];
		/* Subcommands of the first word. */
		size_t l0 = strlen(words[0]);
		int has_sub = 0;
		for (size_t i = 0; n == 1 && i < cmd_count(); i++) {
			const char *nm = cmd_at(i)->name;
			if (strncmp(nm, words[0], l0) == 0 && nm[l0] == ' ') {
				cands_add(nm + l0 + 1);
				has_sub = 1;
			}
		}
		const struct cmd_entry *e = cmd_lookup(words, n, &used, e2, sizeof e2);
		if (e && !(has_sub && e->max_pos == 0 && text[0] != '-')) {
			/* Which argument is being completed? */
			const struct cmd_arg *value_of = NULL;
			size_t n_pos = 0;
			for (size_t k = used; k < n; k++) {
				const char *w = words[k];
				const char *eq = strchr(w, '=');
				if (w[0] == '-' && w[1] == '-' && (!eq || (!eq[1] && k == n - 1))) {
					/* "--opt VALUE", or "--opt=" just before the cursor */
					size_t ln = eq ? (size_t)(eq - w - 2) : strlen(w + 2);
					value_of = NULL;
					for (const struct cmd_arg *o = e->options; o && o->name; o++)
						if (strlen(o->name) == ln && strncmp(o->name, w + 2, ln) == 0 &&
						    o->type != ARG_FLAG)
							value_of = o;
					continue;
				}
				if (value_of)
					value_of = NULL;
				else
					n_pos++;
			}
			if (text[0] == '-') {
				char buf[96];
				for (const struct cmd_arg *o = e->options; o && o->name; o++) {
					snprintf(buf, sizeof buf, "--%s", o->name);
					cands_add(buf);
				}
				if (e->flags & CMD_REPORTS)
					cands_add("--json");
			} else if (value_of) {
				files = add_value_cands(value_of, words, n);
			} else if (e->positionals && e->positionals[0].name && n_pos < e->max_pos) {
				size_t m = 0;
				while (e->positionals[m].name)
					m++;
				const struct cmd_arg *ps = &e->positionals[n_pos < m ? n_pos : m - 1];
				files = add_value_cands(ps, words, n);
			}
		}
	}
	lex_line_free(&l);
	free(head);
	if (files) {
		rl_attempted_completion_over = 0;
		return NULL;
	}
	return rl_completion_matches(text, cand_generator);
}

/* ---- the loop ---- */

/* Path of the history file, or NULL without $HOME. */
static char *history_path(void)
{
	const char *home = getenv("HOME");
	if (!home || !*home)
		return NULL;
	size_t n = strlen(home) + 32;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/.cewb_history", home);
	return p;
}

/* Wait for a line at the prompt; returns it (free it), or NULL at Ctrl-D. */
static char *read_line(const char *prompt)
{
	line_ready = NULL;
	line_eof = 0;
	got_sigint = 0;
	at_prompt = 1;
	rl_callback_handler_install(prompt, on_line);
	while (!line_ready && !line_eof) {
		fd_set fds;
		FD_ZERO(&fds);
		FD_SET(fileno(rl_instream), &fds);
		int r = select(fileno(rl_instream) + 1, &fds, NULL, NULL, NULL);
		if (got_sigint) {
			/* Ctrl-C at the prompt: drop the line, start a new one. */
			got_sigint = 0;
			rl_callback_sigcleanup();
			rl_replace_line("", 0);
			fputs("^C\n", rl_outstream);
			rl_on_new_line();
			rl_redisplay();
			continue;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			line_eof = 1;
			rl_callback_handler_remove();
			break;
		}
		if (r > 0)
			rl_callback_read_char();
	}
	at_prompt = 0;
	return line_ready;
}

int repl_run(struct session *s)
{
	cur = s;
	rl_readline_name = "cewb";
	rl_catch_signals = 0;
	rl_attempted_completion_function = complete;
	rl_completer_word_break_characters = " \t\n;=";
	char *hist = history_path();
	using_history();
	stifle_history(HISTORY_MAX);
	if (hist)
		read_history(hist);
	repl_install_signals();

	int status = 0;
	char *pending = NULL;	/* a command continued after an open quote */
	while (!s->quit) {
		const char *prompt = pending ? PROMPT_MORE : PROMPT_MAIN;
		if (s->color)	/* \001 and \002 tell readline the escapes take no room */
			prompt = pending ? "\001\033[1;34m\002 ...>\001\033[0m\002 "
					 : "\001\033[1;34m\002cewb>\001\033[0m\002 ";
		char *line = read_line(prompt);
		if (!line) {
			fputc('\n', stdout);
			if (pending) {
				free(pending);
				pending = NULL;
				continue;
			}
			break;
		}
		char *full = line;
		if (pending) {
			size_t n = strlen(pending) + strlen(line) + 2;
			full = malloc(n);
			if (full)
				snprintf(full, n, "%s\n%s", pending, line);
			free(pending);
			free(line);
			pending = NULL;
			if (!full)
				continue;
		}
		struct lex_line l;
		char err[64];
		if (lex_line(full, &l, err, sizeof err) == LEX_INCOMPLETE) {
			pending = full;
			continue;
		}
		int empty = l.n == 0;
		lex_line_free(&l);
		if (!empty) {
			HIST_ENTRY *last = history_length > 0 ? history_get(history_base +
									    history_length - 1)
							      : NULL;
			if (!last || strcmp(last->line, full) != 0) {
				add_history(full);
				if (hist && append_history(1, hist) != 0)
					write_history(hist);
				if (hist)
					history_truncate_file(hist, HISTORY_MAX);
			}
			got_sigint = 0;
			status = run_line(s, full, 1);
			if (got_sigint && status)
				fputs("(interrupted: the session is as it was before that command)\n",
				      stderr);
			got_sigint = 0;
		}
		free(full);
	}
	free(pending);
	free(hist);
	return status;
}
