/*
 * lex.h - the lexer of the cewb command language.
 *
 * A line holds commands separated by ';' or newlines.  Words are separated by blanks;
 * '...' quotes literally, "..." quotes with backslash escapes (\" \\ \n
 * \t), a backslash outside quotes escapes the next character, and '#' at
 * the start of a word begins a comment that runs to the end of the line.
 * A backslash before a newline joins the two lines.
 */
#ifndef CEWB_CLI_LEX_H
#define CEWB_CLI_LEX_H

#include <stddef.h>

/* One command: its words (unquoted) and its source text (trimmed). */
struct lex_cmd {
	size_t n;
	char **words;
	char *text;
};

/* All commands of a line. */
struct lex_line {
	size_t n;
	struct lex_cmd *cmds;
};

enum lex_status {
	LEX_OK = 0,
	LEX_INCOMPLETE,	/* an open quote or a final backslash: more input needed */
	LEX_ERROR	/* out of memory (message in err) */
};

/* Split line into commands and words; empty commands are left out. */
enum lex_status lex_line(const char *line, struct lex_line *out, char *err, size_t errlen);
/* Words joined on one line, quoted where needed so that lex_line gives
 * them back (a newline inside a word is written \n in double quotes);
 * a new string, NULL when out of memory. */
char *lex_join(char *const *words, size_t n);
/* Free what lex_line allocated; a zeroed lex_line is harmless. */
void lex_line_free(struct lex_line *l);

#endif
