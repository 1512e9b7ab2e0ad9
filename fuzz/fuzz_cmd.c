/*
 * fuzz_cmd.c - fuzz entry point of the lexer and the command parser.
 *
 * The input is one text as typed at the prompt (several lines and commands
 * allowed).  lex_line splits it; each command is validated by cmd_parse
 * against the real command table (every family linked in), without
 * running it.  Contracts checked: every command lex_line gives has words
 * and a text; lex_join of its words lexes back to the same words; a parse
 * error has a one-line message; a parsed command has as many positional
 * values as it accepts.
 */
#include "config.h"
#include "../src/cli/cmd.h"
#include "../src/cli/lex.h"
#include "fuzz.h"

/* Abort unless the words of c come back from lex_line(lex_join(words)). */
static void check_join(const struct lex_cmd *c)
{
	char err[256];
	struct lex_line back = { 0, NULL };
	char *joined = lex_join(c->words, c->n);
	if (!joined)
		return;
	enum lex_status st = lex_line(joined, &back, err, sizeof err);
	if (st == LEX_ERROR) {
		free(joined);
		return;
	}
	int same = st == LEX_OK && back.n == 1 && back.cmds[0].n == c->n;
	for (size_t i = 0; same && i < c->n; i++)
		same = strcmp(back.cmds[0].words[i], c->words[i]) == 0;
	if (!same) {
		fprintf(stderr, "lex_join gives '%s', which does not lex back to the %zu words\n",
			joined, c->n);
		abort();
	}
	lex_line_free(&back);
	free(joined);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024];
	struct lex_line l = { 0, NULL };
	char *text = fuzz_strndup(data, size);
	if (!text)
		return 0;
	enum lex_status st = lex_line(text, &l, err, sizeof err);
	if (st == LEX_ERROR)
		fuzz_check_message("lex", err);
	for (size_t i = 0; st == LEX_OK && i < l.n; i++) {
		const struct lex_cmd *c = &l.cmds[i];
		struct cmd_args *a = NULL;
		if (c->n == 0 || !c->words || !c->text) {
			fprintf(stderr, "lex: command %zu without words or text\n", i);
			abort();
		}
		check_join(c);
		err[0] = '\0';
		enum parse_status ps = cmd_parse(c->words, c->n, c->text, &a, err, sizeof err);
		if (ps == PARSE_ERROR) {
			fuzz_check_message("cmd_parse", err);
		} else if (ps == PARSE_OK) {
			if (!a || !a->cmd || a->n_pos < a->cmd->min_pos ||
			    a->n_pos > a->cmd->max_pos) {
				fprintf(stderr, "cmd_parse: bad positional count for '%s'\n",
					c->text);
				abort();
			}
			cmd_args_free(a);
		}
	}
	lex_line_free(&l);
	free(text);
	return 0;
}
