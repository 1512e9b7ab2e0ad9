/* lex.c - split command lines into commands and words. */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "lex.h"

/* A growing character buffer. */
struct buf {
	char *p;
	size_t n, cap;
};

/* Append one character; returns -1 when out of memory. */
static int buf_put(struct buf *b, char c)
{
	if (b->n + 2 > b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 32;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	b->p[b->n++] = c;
	b->p[b->n] = '\0';
	return 0;
}

/* Append a word to a command; returns -1 when out of memory. */
static int cmd_push_word(struct lex_cmd *c, char *w)
{
	char **v = realloc(c->words, (c->n + 2) * sizeof *v);
	if (!v)
		return -1;
	c->words = v;
	c->words[c->n++] = w;
	c->words[c->n] = NULL;
	return 0;
}

/* Close the command c (source text from start to end) and add it to l if it has words. */
static int line_push_cmd(struct lex_line *l, struct lex_cmd *c, const char *start,
			 const char *end)
{
	if (c->n == 0) {
		free(c->words);
		memset(c, 0, sizeof *c);
		return 0;
	}
	while (start < end && (*start == ' ' || *start == '\t'))
		start++;
	while (end > start && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' ||
			       end[-1] == '\r'))
		end--;
	c->text = strndup(start, (size_t)(end - start));
	if (!c->text)
		return -1;
	struct lex_cmd *v = realloc(l->cmds, (l->n + 1) * sizeof *v);
	if (!v)
		return -1;
	l->cmds = v;
	l->cmds[l->n++] = *c;
	memset(c, 0, sizeof *c);
	return 0;
}

/* Free one command's words and text. */
static void cmd_free(struct lex_cmd *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->words[i]);
	free(c->words);
	free(c->text);
	memset(c, 0, sizeof *c);
}

/* Free what lex_line allocated. */
void lex_line_free(struct lex_line *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		cmd_free(&l->cmds[i]);
	free(l->cmds);
	l->cmds = NULL;
	l->n = 0;
}

/* Escaped character of "\c" inside double quotes. */
static char unescape(char c)
{
	switch (c) {
	case 'n': return '\n';
	case 't': return '\t';
	default: return c;
	}
}

/* Split line into commands and words. */
enum lex_status lex_line(const char *line, struct lex_line *out, char *err, size_t errlen)
{
	struct lex_line l = { 0, NULL };
	struct lex_cmd c = { 0, NULL, NULL };
	struct buf w = { NULL, 0, 0 };
	int in_word = 0;
	const char *start = line, *p = line;
	enum lex_status st = LEX_OK;

	for (; *p; p++) {
		char ch = *p;
		if (ch == ' ' || ch == '\t' || ch == '\r') {
			if (in_word) {
				if (cmd_push_word(&c, w.p ? w.p : strdup("")) < 0)
					goto nomem;
				memset(&w, 0, sizeof w);
				in_word = 0;
			}
			continue;
		}
		if (ch == '#' && !in_word) {
			/* A comment runs to the end of its line. */
			while (p[1] && p[1] != '\n')
				p++;
			continue;
		}
		if (ch == ';' || ch == '\n') {
			if (in_word) {
				if (cmd_push_word(&c, w.p ? w.p : strdup("")) < 0)
					goto nomem;
				memset(&w, 0, sizeof w);
				in_word = 0;
			}
			if (line_push_cmd(&l, &c, start, p) < 0)
				goto nomem;
			start = p + 1;
			continue;
		}
		in_word = 1;
		if (ch == '\\') {
			if (!p[1] || (p[1] == '\n' && !p[2])) {
				st = LEX_INCOMPLETE;
				goto done;
			}
			p++;
			if (*p == '\n')
				continue;
			if (buf_put(&w, *p) < 0)
				goto nomem;
		} else if (ch == '\'') {
			if (buf_put(&w, '\0') < 0)	/* an empty '' is still a word */
				goto nomem;
			w.n--;
			for (p++; *p && *p != '\''; p++)
				if (buf_put(&w, *p) < 0)
					goto nomem;
			if (!*p) {
				st = LEX_INCOMPLETE;
				goto done;
			}
		} else if (ch == '"') {
			if (buf_put(&w, '\0') < 0)
				goto nomem;
			w.n--;
			for (p++; *p && *p != '"'; p++) {
				char d = *p;
				if (d == '\\' && p[1]) {
					p++;
					d = unescape(*p);
				}
				if (buf_put(&w, d) < 0)
					goto nomem;
			}
			if (!*p) {
				st = LEX_INCOMPLETE;
				goto done;
			}
		} else if (buf_put(&w, ch) < 0) {
			goto nomem;
		}
	}
	if (in_word) {
		if (cmd_push_word(&c, w.p ? w.p : strdup("")) < 0)
			goto nomem;
		memset(&w, 0, sizeof w);
	}
	if (line_push_cmd(&l, &c, start, p) < 0)
		goto nomem;
	*out = l;
	return LEX_OK;
nomem:
	snprintf(err, errlen, "out of memory");
	st = LEX_ERROR;
done:
	free(w.p);
	cmd_free(&c);
	lex_line_free(&l);
	memset(out, 0, sizeof *out);
	return st;
}

/* Words joined on one line, quoted where needed; see lex.h. */
char *lex_join(char *const *words, size_t n)
{
	struct buf b = { NULL, 0, 0 };
	if (buf_put(&b, ' ') < 0)
		return NULL;
	b.n = 0;
	b.p[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *w = words[i];
		int quote = !*w || strpbrk(w, " \t\n\r'\"\\;#") != NULL;
		if ((i && buf_put(&b, ' ') < 0) || (quote && buf_put(&b, '"') < 0))
			goto nomem;
		for (const char *p = w; *p; p++) {
			char c = *p;
			if (quote && (c == '"' || c == '\\' || c == '\n' || c == '\t')) {
				if (buf_put(&b, '\\') < 0)
					goto nomem;
				c = c == '\n' ? 'n' : c == '\t' ? 't' : c;
			}
			if (buf_put(&b, c) < 0)
				goto nomem;
		}
		if (quote && buf_put(&b, '"') < 0)
			goto nomem;
	}
	return b.p;
nomem:
	free(b.p);
	return NULL;
}
