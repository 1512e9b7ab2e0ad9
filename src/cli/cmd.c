/*
 * cmd.c - the one command table, command lookup and the generic parser.
 *
 * The table is the concatenation of the family arrays listed in families[]
 * below (the only place that lists them).  A family whose file is not part
 * of the build yet is a weak symbol that stays NULL and is skipped.
 */
#include "config.h"
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "session.h"

#pragma weak cmd_session_entries
#pragma weak cmd_model_entries
#pragma weak cmd_data_entries
#pragma weak cmd_load_entries
#pragma weak cmd_data_train_entries
#pragma weak cmd_fit_entries
#pragma weak cmd_prior_entries
#pragma weak cmd_plot_entries
#pragma weak cmd_tui_entries
#pragma weak cmd_fce_entries
#pragma weak cmd_phonon_entries
#pragma weak cmd_teach_entries
#pragma weak cmd_synth_entries

/* Command families in help order. */
static const struct cmd_entry *family_list(size_t i)
{
	switch (i) {
	case 0: return cmd_model_entries;
	case 1: return cmd_load_entries;
	case 2: return cmd_data_train_entries;
	case 3: return cmd_data_entries;
	case 4: return cmd_fit_entries;
	case 5: return cmd_prior_entries;
	case 6: return cmd_plot_entries;
	case 7: return cmd_fce_entries;
	case 8: return cmd_phonon_entries;
	case 9: return cmd_teach_entries;
	case 10: return cmd_synth_entries;
	case 11: return cmd_tui_entries;
	case 12: return cmd_session_entries;
	default: return NULL;
	}
}
#define N_FAMILIES 13

static const struct cmd_entry **table;	/* all entries, built on first use */
static size_t n_table;

/* Build the flat table from the families (once). */
static void table_build(void)
{
	if (table)
		return;
	size_t n = 0;
	for (size_t f = 0; f < N_FAMILIES; f++) {
		const struct cmd_entry *e = family_list(f);
		for (; e && e->name; e++)
			n++;
	}
	table = calloc(n + 1, sizeof *table);
	if (!table) {
		fputs("cewb: out of memory\n", stderr);
		exit(1);
	}
	for (size_t f = 0; f < N_FAMILIES; f++) {
		const struct cmd_entry *e = family_list(f);
		for (; e && e->name; e++)
			table[n_table++] = e;
	}
}

/* Number of entries in the table. */
size_t cmd_count(void)
{
	table_build();
	return n_table;
}

/* Entry i of the table, in help order; NULL past the end. */
const struct cmd_entry *cmd_at(size_t i)
{
	table_build();
	return i < n_table ? table[i] : NULL;
}

/* Find an entry by its exact name. */
const struct cmd_entry *cmd_find(const char *name)
{
	table_build();
	for (size_t i = 0; i < n_table; i++)
		if (strcmp(table[i]->name, name) == 0)
			return table[i];
	return NULL;
}

/* Levenshtein distance, for "did you mean". */
size_t cmd_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = malloc((lb + 1) * sizeof *row);
	if (!row)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	size_t d = row[lb];
	free(row);
	return d;
}

/* Length of the first word of a command name. */
static size_t first_len(const char *name)
{
	const char *sp = strchr(name, ' ');
	return sp ? (size_t)(sp - name) : strlen(name);
}

/* Second word of a command name, or NULL. */
static const char *second_word(const char *name)
{
	const char *sp = strchr(name, ' ');
	return sp ? sp + 1 : NULL;
}

/* Does the first word of name equal w? */
static int first_is(const char *name, const char *w)
{
	size_t n = first_len(name);
	return strlen(w) == n && strncmp(name, w, n) == 0;
}

/* The best "did you mean" among candidate words, or NULL. */
struct suggest {
	const char *best;
	size_t best_len;
	size_t dist;
};

/* Consider candidate (len bytes of cand) for the typed word w. */
static void suggest_try(struct suggest *sg, const char *w, const char *cand, size_t len)
{
	char tmp[128];
	/* The distance is at least the difference in length, and suggest_ok
	 * shows no word longer than 192 (a 1 MB word costs no 1e8 steps). */
	if (len >= sizeof tmp || strlen(w) > 192)
		return;
	memcpy(tmp, cand, len);
	tmp[len] = '\0';
	size_t d = cmd_edit_distance(w, tmp);
	/* A candidate that starts with the typed word (minus a typo) counts as near. */
	size_t lw = strlen(w);
	if (lw >= 3 && len > lw && strncmp(tmp, w, lw - 1) == 0 && d > 1)
		d = 1;
	if (!sg->best || d < sg->dist) {
		sg->best = cand;
		sg->best_len = len;
		sg->dist = d;
	}
}

/* Is the suggestion close enough to show? */
static int suggest_ok(const struct suggest *sg, const char *w)
{
	size_t lim = strlen(w) / 3 + 1;
	if (lim < 2)
		lim = 2;
	return sg->best && sg->dist <= lim;
}

/*
 * Resolve words[0] (and words[1] for two-word names) to an entry.  Returns
 * the entry and sets *used to the number of words it took, or NULL with a
 * message in err.
 */
static const struct cmd_entry *lookup_words(char *const *words, size_t n_words, size_t *used,
					    char *err, size_t errlen)
{
	const char *w = words[0];
	const char *first = NULL;	/* the resolved first word (points into the table) */
	size_t n_match = 0;
	char cands[512] = "";

	table_build();
	for (size_t i = 0; i < n_table && !first; i++)
		if (first_is(table[i]->name, w))
			first = table[i]->name;
	if (!first) {
		/* Unique prefix among distinct first words. */
		const char *last = NULL;
		for (size_t i = 0; i < n_table; i++) {
			const char *nm = table[i]->name;
			size_t fl = first_len(nm);
			if (strlen(w) > fl || strncmp(nm, w, strlen(w)) != 0)
				continue;
			if (last && first_len(last) == fl && strncmp(last, nm, fl) == 0)
				continue;
			int seen = 0;
			for (size_t k = 0; k < i; k++)
				if (first_len(table[k]->name) == fl &&
				    strncmp(table[k]->name, nm, fl) == 0)
					seen = 1;
			if (seen)
				continue;
			n_match++;
			last = nm;
			size_t cl = strlen(cands);
			snprintf(cands + cl, sizeof cands - cl, "%s%.*s", cl ? ", " : "",
				 (int)fl, nm);
		}
		if (n_match == 1)
			first = last;
		else if (n_match > 1) {
			snprintf(err, errlen, "ambiguous command '%s', could be: %s", w, cands);
			return NULL;
		}
	}
	if (!first) {
		struct suggest sg = { NULL, 0, 0 };
		for (size_t i = 0; i < n_table; i++)
			suggest_try(&sg, w, table[i]->name, first_len(table[i]->name));
		if (suggest_ok(&sg, w))
			snprintf(err, errlen, "unknown command '%s'; did you mean '%.*s'?", w,
				 (int)sg.best_len, sg.best);
		else
			snprintf(err, errlen, "unknown command '%s' (type 'help' for a list)", w);
		return NULL;
	}

	/* Entries sharing this first word. */
	size_t fl = first_len(first);
	const struct cmd_entry *single = NULL;
	int has_sub = 0;
	cands[0] = '\0';
	for (size_t i = 0; i < n_table; i++) {
		const char *nm = table[i]->name;
		if (first_len(nm) != fl || strncmp(nm, first, fl) != 0)
			continue;
		if (!second_word(nm)) {
			single = table[i];
		} else {
			has_sub = 1;
			size_t cl = strlen(cands);
			snprintf(cands + cl, sizeof cands - cl, "%s%s", cl ? ", " : "",
				 second_word(nm));
		}
	}
	if (!has_sub) {
		*used = 1;
		return single;
	}
	const char *w2 = n_words > 1 ? words[1] : NULL;
	if (w2) {
		/* Exact second word, then (only without a one-word form) unique prefix. */
		const struct cmd_entry *pre = NULL;
		size_t n_pre = 0;
		for (size_t i = 0; i < n_table; i++) {
			const char *nm = table[i]->name;
			const char *sw = second_word(nm);
			if (!sw || first_len(nm) != fl || strncmp(nm, first, fl) != 0)
				continue;
			if (strcmp(sw, w2) == 0) {
				*used = 2;
				return table[i];
			}
			if (strncmp(sw, w2, strlen(w2)) == 0) {
				pre = table[i];
				n_pre++;
			}
		}
		/* A one-word form without arguments: the word must be a subcommand. */
		if (single && single->max_pos == 0 && w2[0] != '-')
			single = NULL;
		if (!single && n_pre == 1) {
			*used = 2;
			return pre;
		}
		if (!single && n_pre > 1) {
			snprintf(err, errlen, "ambiguous subcommand '%.*s %s', could be: %s",
				 (int)fl, first, w2, cands);
			return NULL;
		}
		if (!single) {
			struct suggest sg = { NULL, 0, 0 };
			for (size_t i = 0; i < n_table; i++) {
				const char *nm = table[i]->name;
				const char *sw = second_word(nm);
				if (sw && first_len(nm) == fl && strncmp(nm, first, fl) == 0)
					suggest_try(&sg, w2, sw, strlen(sw));
			}
			if (suggest_ok(&sg, w2))
				snprintf(err, errlen,
					 "unknown subcommand '%.*s %s'; did you mean '%.*s %.*s'?",
					 (int)fl, first, w2, (int)fl, first, (int)sg.best_len,
					 sg.best);
			else
				snprintf(err, errlen, "unknown subcommand '%.*s %s' (one of: %s)",
					 (int)fl, first, w2, cands);
			return NULL;
		}
	}
	if (single) {
		*used = 1;
		return single;
	}
	snprintf(err, errlen, "'%.*s' needs a subcommand: %s", (int)fl, first, cands);
	return NULL;
}

/* Name of a value type for messages. */
static const char *type_word(enum arg_type t)
{
	switch (t) {
	case ARG_INT: return "an integer";
	case ARG_REAL: return "a number";
	case ARG_REALS: return "a comma-separated list of numbers";
	case ARG_LIST: return "a comma-separated list";
	case ARG_FILE: return "a file name";
	case ARG_CHOICE: return "one of the listed words";
	default: return "a word";
	}
}

/* Describe the range of spec into buf. */
static void range_text(const struct cmd_arg *spec, char *buf, size_t len)
{
	if (isinf(spec->max) && spec->max > 0)
		snprintf(buf, len, "at least %g", spec->min);
	else if (isinf(spec->min) && spec->min < 0)
		snprintf(buf, len, "at most %g", spec->max);
	else
		snprintf(buf, len, "between %g and %g", spec->min, spec->max);
}

/* Is x inside the range of spec? */
static int in_range(const struct cmd_arg *spec, double x)
{
	if (spec->min > spec->max)
		return 1;
	return x >= spec->min && x <= spec->max;
}

/* Parse a real number; 0 on success. */
static int parse_real(const char *t, double *x)
{
	char *end;
	errno = 0;
	*x = strtod(t, &end);
	if (end == t || *end || errno == ERANGE || !isfinite(*x))
		return -1;
	return 0;
}

/*
 * Convert text to the value of spec (what names the argument in messages:
 * "--threshold" or "cutoff").  Returns 0, or -1 with a message in err.
 */
static int convert(const struct cmd_arg *spec, const char *what, const char *text,
		   struct cmd_value *v, char *err, size_t errlen)
{
	char rng[96];
	v->set = 1;
	if (spec->type == ARG_STRING || spec->type == ARG_FILE || spec->type == ARG_LIST ||
	    spec->type == ARG_REALS) {
		/* Values outlive the words they came from. */
		v->own = strdup(text);
		if (!v->own) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		text = v->own;
	}
	switch (spec->type) {
	case ARG_FLAG:
		return 0;
	case ARG_INT: {
		char *end;
		errno = 0;
		long x = strtol(text, &end, 10);
		if (end == text || *end || errno == ERANGE) {
			double r;
			if (parse_real(text, &r) == 0 && r == floor(r) && fabs(r) < 1e15)
				x = (long)r;	/* accept 1e3 as an integer */
			else {
				snprintf(err, errlen, "%s: '%s' is not %s", what, text,
					 type_word(spec->type));
				return -1;
			}
		}
		if (!in_range(spec, (double)x)) {
			range_text(spec, rng, sizeof rng);
			snprintf(err, errlen, "%s: %s is out of range (must be %s)", what, text,
				 rng);
			return -1;
		}
		v->i = x;
		v->r = (double)x;
		return 0;
	}
	case ARG_REAL:
		if (parse_real(text, &v->r) < 0) {
			snprintf(err, errlen, "%s: '%s' is not %s", what, text, type_word(spec->type));
			return -1;
		}
		if (!in_range(spec, v->r)) {
			range_text(spec, rng, sizeof rng);
			snprintf(err, errlen, "%s: %s is out of range (must be %s)", what, text, rng);
			return -1;
		}
		return 0;
	case ARG_LIST:
	case ARG_REALS: {
		size_t n = 1;
		for (const char *p = text; *p; p++)
			n += *p == ',';
		char **items = calloc(n + 1, sizeof *items);
		double *reals = spec->type == ARG_REALS ? calloc(n, sizeof *reals) : NULL;
		if (!items || (spec->type == ARG_REALS && !reals)) {
			free(items);
			free(reals);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		const char *p = text;
		for (size_t k = 0; k < n; k++) {
			const char *q = strchr(p, ',');
			size_t len = q ? (size_t)(q - p) : strlen(p);
			items[k] = strndup(p, len);
			int bad = !items[k] || len == 0;
			if (!bad && reals && parse_real(items[k], &reals[k]) < 0)
				bad = 1;
			if (bad || (reals && !in_range(spec, reals[k]))) {
				if (bad)
					snprintf(err, errlen, "%s: '%s' is not %s", what, text,
						 type_word(spec->type));
				else {
					range_text(spec, rng, sizeof rng);
					snprintf(err, errlen, "%s: %s is out of range (must be %s)",
						 what, items[k], rng);
				}
				for (size_t j = 0; j <= k; j++)
					free(items[j]);
				free(items);
				free(reals);
				return -1;
			}
			p = q ? q + 1 : p + len;
		}
		v->n = n;
		v->items = items;
		v->reals = reals;
		v->s = text;
		return 0;
	}
	case ARG_CHOICE: {
		const char *hit = NULL;
		size_t n_hit = 0;
		for (const char *const *c = spec->choices; c && *c; c++) {
			if (strcmp(*c, text) == 0) {
				hit = *c;
				n_hit = 1;
				break;
			}
			if (strncmp(*c, text, strlen(text)) == 0 && *text) {
				hit = *c;
				n_hit++;
			}
		}
		if (n_hit != 1) {
			char list[512] = "";
			struct suggest sg = { NULL, 0, 0 };
			for (const char *const *c = spec->choices; c && *c; c++) {
				size_t cl = strlen(list);
				snprintf(list + cl, sizeof list - cl, "%s%s", cl ? ", " : "", *c);
				suggest_try(&sg, text, *c, strlen(*c));
			}
			if (n_hit > 1)
				snprintf(err, errlen, "%s: '%s' is ambiguous (one of: %s)", what, text,
					 list);
			else if (suggest_ok(&sg, text))
				snprintf(err, errlen, "%s: unknown value '%s'; did you mean '%s'?",
					 what, text, sg.best);
			else
				snprintf(err, errlen, "%s: unknown value '%s' (one of: %s)", what, text,
					 list);
			return -1;
		}
		v->s = hit;
		return 0;
	}
	case ARG_STRING:
	case ARG_FILE:
		v->s = text;
		return 0;
	}
	return 0;
}

/* Free the lists inside a value. */
static void value_release(struct cmd_value *v)
{
	for (size_t k = 0; v->items && k < v->n; k++)
		free(v->items[k]);
	free(v->items);
	free(v->reals);
	free(v->own);
	memset(v, 0, sizeof *v);
}

/* Free parsed arguments; NULL is harmless. */
void cmd_args_free(struct cmd_args *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n_pos; i++)
		value_release(&a->pos[i]);
	size_t n_opt = 0;
	for (const struct cmd_arg *o = a->cmd ? a->cmd->options : NULL; o && o->name; o++)
		n_opt++;
	for (size_t i = 0; a->opt && i < n_opt; i++)
		value_release(&a->opt[i]);
	free(a->pos);
	free(a->opt);
	free(a->text);
	free(a);
}

/* Spec of positional i (the last spec repeats). */
static const struct cmd_arg *pos_spec(const struct cmd_entry *e, size_t i)
{
	const struct cmd_arg *p = e->positionals;
	if (!p || !p->name)
		return NULL;
	size_t n = 0;
	while (p[n].name)
		n++;
	return &p[i < n ? i : n - 1];
}

/* Find an option of e by exact name, unique prefix or report. */
static int find_option(const struct cmd_entry *e, const char *name, const char *cmdname,
		       char *err, size_t errlen)
{
	int hit = -1, n_hit = 0, i = 0;
	size_t ln = strlen(name);
	for (const struct cmd_arg *o = e->options; o && o->name; o++, i++) {
		if (strcmp(o->name, name) == 0)
			return i;
		if (strncmp(o->name, name, ln) == 0) {
			hit = i;
			n_hit++;
		}
	}
	if (n_hit == 1)
		return hit;
	if (n_hit > 1) {
		char list[256] = "";
		for (const struct cmd_arg *o = e->options; o && o->name; o++)
			if (strncmp(o->name, name, ln) == 0) {
				size_t cl = strlen(list);
				snprintf(list + cl, sizeof list - cl, "%s--%s", cl ? ", " : "",
					 o->name);
			}
		snprintf(err, errlen, "ambiguous option '--%s', could be: %s", name, list);
		return -1;
	}
	struct suggest sg = { NULL, 0, 0 };
	for (const struct cmd_arg *o = e->options; o && o->name; o++)
		suggest_try(&sg, name, o->name, strlen(o->name));
	if (suggest_ok(&sg, name))
		snprintf(err, errlen, "unknown option '--%s'; did you mean '--%s'?", name, sg.best);
	else if (e->options && e->options->name)
		snprintf(err, errlen, "unknown option '--%s' (see 'help %s')", name, cmdname);
	else
		snprintf(err, errlen, "unknown option '--%s' (%s takes no options)", name, cmdname);
	return -1;
}

/* Does text look like a number (so "-3" is a value, not an option)? */
static int looks_numeric(const char *t)
{
	double x;
	return parse_real(t, &x) == 0;
}

/* Look up and validate one command given as words (cmd_parse before one_line). */
static enum parse_status parse_words(char *const *words, size_t n_words, const char *text,
				     struct cmd_args **out, char *err, size_t errlen)
{
	size_t used = 0;
	*out = NULL;
	if (n_words == 0)
		return PARSE_EMPTY;
	const struct cmd_entry *e = cmd_lookup(words, n_words, &used, err, errlen);
	if (!e)
		return PARSE_ERROR;

	size_t n_opt = 0;
	for (const struct cmd_arg *o = e->options; o && o->name; o++)
		n_opt++;
	struct cmd_args *a = calloc(1, sizeof *a);
	if (a) {
		a->cmd = e;
		a->pos = calloc(n_words + 1, sizeof *a->pos);
		a->opt = calloc(n_opt + 1, sizeof *a->opt);
		a->text = strdup(text ? text : "");
	}
	if (!a || !a->pos || !a->opt || !a->text) {
		cmd_args_free(a);
		snprintf(err, errlen, "out of memory");
		return PARSE_ERROR;
	}

	char pre[160];
	int only_pos = (e->flags & CMD_RAW) != 0;
	for (size_t k = used; k < n_words; k++) {
		const char *w = words[k];
		if (!only_pos && strcmp(w, "--") == 0) {
			only_pos = 1;
			continue;
		}
		if (!only_pos && w[0] == '-' && w[1] == '-' && w[2]) {
			char name[96];
			const char *eq = strchr(w + 2, '=');
			size_t ln = eq ? (size_t)(eq - w - 2) : strlen(w + 2);
			if (ln >= sizeof name)
				ln = sizeof name - 1;
			memcpy(name, w + 2, ln);
			name[ln] = '\0';
			if (strcmp(name, "json") == 0 && !eq) {
				a->json = 1;
				continue;
			}
			char msg[400];
			int i = find_option(e, name, e->name, msg, sizeof msg);
			if (i < 0) {
				snprintf(err, errlen, "%s: %s", e->name, msg);
				goto fail;
			}
			const struct cmd_arg *o = &e->options[i];
			snprintf(pre, sizeof pre, "%s: --%s", e->name, o->name);
			value_release(&a->opt[i]);	/* a repeated option: the last one wins */
			if (o->type == ARG_FLAG) {
				if (eq) {
					snprintf(err, errlen, "%s takes no value", pre);
					goto fail;
				}
				a->opt[i].set = 1;
				continue;
			}
			const char *val;
			if (eq)
				val = eq + 1;
			else if (k + 1 < n_words &&
				 (strncmp(words[k + 1], "--", 2) != 0 || looks_numeric(words[k + 1])))
				val = words[++k];
			else {
				snprintf(err, errlen, "%s needs a value (%s)", pre,
					 o->metavar ? o->metavar : type_word(o->type));
				goto fail;
			}
			if (convert(o, pre, val, &a->opt[i], err, errlen) < 0)
				goto fail;
			continue;
		}
		const struct cmd_arg *ps = pos_spec(e, a->n_pos);
		if (!ps || a->n_pos >= e->max_pos) {
			if (e->max_pos == 0)
				snprintf(err, errlen, "%s: unexpected argument '%s' (%s takes none)",
					 e->name, w, e->name);
			else
				snprintf(err, errlen, "%s: too many arguments at '%s' (at most %zu)",
					 e->name, w, e->max_pos);
			goto fail;
		}
		snprintf(pre, sizeof pre, "%s: %s", e->name, ps->metavar ? ps->metavar : ps->name);
		if (convert(ps, pre, w, &a->pos[a->n_pos], err, errlen) < 0) {
			value_release(&a->pos[a->n_pos]);
			goto fail;
		}
		a->n_pos++;
	}
	if (a->n_pos < e->min_pos) {
		const struct cmd_arg *ps = pos_spec(e, a->n_pos);
		snprintf(err, errlen, "%s: missing %s (usage: %s)", e->name,
			 ps ? (ps->metavar ? ps->metavar : ps->name) : "argument", e->name);
		cmd_args_free(a);
		char u[512];
		FILE *m = fmemopen(u, sizeof u, "w");
		if (m) {
			cmd_print_usage(m, e);
			fclose(m);
			u[sizeof u - 1] = '\0';
			char *nl = strchr(u, '\n');
			if (nl)
				*nl = '\0';
			const char *us = strncmp(u, "usage: ", 7) == 0 ? u + 7 : u;
			size_t el = strlen(err);
			char *paren = strstr(err, "(usage: ");
			if (paren && el < errlen)
				snprintf(paren, errlen - (size_t)(paren - err), "(usage: %s)", us);
		}
		return PARSE_ERROR;
	}
	/* Defaults of options not given. */
	for (size_t i = 0; i < n_opt; i++) {
		const struct cmd_arg *o = &e->options[i];
		if (a->opt[i].set || !o->def || o->type == ARG_FLAG)
			continue;
		snprintf(pre, sizeof pre, "%s: default of --%s", e->name, o->name);
		if (convert(o, pre, o->def, &a->opt[i], err, errlen) < 0)
			goto fail;
		a->opt[i].set = 2;	/* set by default */
	}
	*out = a;
	return PARSE_OK;
fail:
	cmd_args_free(a);
	return PARSE_ERROR;
}

/* Keep a message on one line: a control character that a quoted word
 * brought in (newline, tab, escape) becomes '?'. */
static void one_line(char *msg, size_t len)
{
	for (size_t i = 0; i < len && msg[i]; i++)
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = '?';
}

/* Resolve the command named by words; see cmd.h. */
const struct cmd_entry *cmd_lookup(char *const *words, size_t n_words, size_t *used,
				   char *err, size_t errlen)
{
	const struct cmd_entry *e = lookup_words(words, n_words, used, err, errlen);
	if (!e)
		one_line(err, errlen);
	return e;
}

/* Look up and validate one command given as words; see cmd.h. */
enum parse_status cmd_parse(char *const *words, size_t n_words, const char *text,
			    struct cmd_args **out, char *err, size_t errlen)
{
	enum parse_status st = parse_words(words, n_words, text, out, err, errlen);
	if (st == PARSE_ERROR)
		one_line(err, errlen);
	return st;
}

/* Index of option name in a's entry; abort on a name the entry lacks (a bug). */
static int opt_index(const struct cmd_args *a, const char *name)
{
	int i = 0;
	for (const struct cmd_arg *o = a->cmd->options; o && o->name; o++, i++)
		if (strcmp(o->name, name) == 0)
			return i;
	fprintf(stderr, "cewb: internal error: command '%s' has no option '--%s'\n",
		a->cmd->name, name);
	abort();
}

/* Typed access to options by name (a name not in the entry is a bug: abort). */
const struct cmd_value *arg_value(const struct cmd_args *a, const char *name)
{
	return &a->opt[opt_index(a, name)];
}

/* Typed access to options by name (a name not in the entry is a bug: abort). */
int arg_set(const struct cmd_args *a, const char *name)
{
	return arg_value(a, name)->set == 1;
}

/* Typed access to options by name (a name not in the entry is a bug: abort). */
int arg_flag(const struct cmd_args *a, const char *name)
{
	return arg_value(a, name)->set != 0;
}

/* Typed access to options by name (a name not in the entry is a bug: abort). */
long arg_int(const struct cmd_args *a, const char *name)
{
	return arg_value(a, name)->i;
}

/* Typed access to options by name (a name not in the entry is a bug: abort). */
double arg_real(const struct cmd_args *a, const char *name)
{
	const struct cmd_value *v = arg_value(a, name);
	return v->set ? v->r : NAN;
}

/* Typed access to options by name (a name not in the entry is a bug: abort). */
const char *arg_str(const struct cmd_args *a, const char *name)
{
	const struct cmd_value *v = arg_value(a, name);
	return v->set ? v->s : NULL;
}

/* Value placeholder of an argument in usage lines. */
static void metavar(const struct cmd_arg *o, char *buf, size_t len)
{
	if (o->metavar) {
		snprintf(buf, len, "%s", o->metavar);
		return;
	}
	if (o->type == ARG_CHOICE && o->choices) {
		buf[0] = '\0';
		for (const char *const *c = o->choices; *c; c++) {
			size_t l = strlen(buf);
			snprintf(buf + l, len - l, "%s%s", l ? "|" : "", *c);
		}
		return;
	}
	snprintf(buf, len, "%s", o->name);
	for (char *p = buf; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
}

/* Print the generated usage line and option list of an entry. */
void cmd_print_usage(FILE *fp, const struct cmd_entry *e)
{
	char mv[128];
	fprintf(fp, "usage: %s", e->name);
	for (size_t i = 0; i < e->max_pos && e->positionals && e->positionals[0].name; i++) {
		const struct cmd_arg *ps = pos_spec(e, i);
		int last_spec = ps[1].name == NULL;
		metavar(ps, mv, sizeof mv);
		if (i < e->min_pos) {
			fprintf(fp, " %s", mv);
			continue;
		}
		if (last_spec && e->max_pos > i + 1)
			fprintf(fp, " [%s ...]", mv);
		else
			fprintf(fp, " [%s]", mv);
		if (last_spec)
			break;
	}
	for (const struct cmd_arg *o = e->options; o && o->name; o++) {
		if (o->type == ARG_FLAG) {
			fprintf(fp, " [--%s]", o->name);
		} else {
			metavar(o, mv, sizeof mv);
			fprintf(fp, " [--%s %s]", o->name, mv);
		}
	}
	if (e->flags & CMD_REPORTS)
		fprintf(fp, " [--json]");
	fputc('\n', fp);
	int any = 0;
	for (const struct cmd_arg *o = e->options; o && o->name; o++) {
		if (!any)
			fputs("options:\n", fp);
		any = 1;
		char left[160];
		if (o->type == ARG_FLAG) {
			snprintf(left, sizeof left, "--%s", o->name);
		} else {
			metavar(o, mv, sizeof mv);
			snprintf(left, sizeof left, "--%s %s", o->name, mv);
		}
		fprintf(fp, "  %-24s %s", left, o->help ? o->help : "");
		if (o->def && o->type != ARG_FLAG)
			fprintf(fp, " (default %s)", o->def);
		fputc('\n', fp);
	}
	if (e->flags & CMD_REPORTS) {
		if (!any)
			fputs("options:\n", fp);
		fprintf(fp, "  %-24s %s\n", "--json", "print the report as one JSON document");
	}
}

/* Record a failure message for the current command. */
int cmd_fail(struct session *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->error, sizeof s->error, fmt, ap);
	va_end(ap);
	one_line(s->error, sizeof s->error);	/* a file name may hold a newline */
	return 1;
}
