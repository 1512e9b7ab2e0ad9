/*
 * test_cli_parse.c - the lexer and the generic parser of the command
 * language, tested apart from execution: words, quoting, separators,
 * lookup by prefix, typed values, defaults, every kind of usage error, the
 * transcript comparison with its tolerance, and random lines (the parser
 * must answer every line with a result or a message, never crash).
 */
#include "config.h"
#include <stdlib.h>
#include <string.h>
#include "tap.h"
#include "../src/cli/cmd.h"
#include "../src/cli/lex.h"
#include "../src/cli/record.h"

/*
 * The parser is tested on a table of its own, shaped like the real
 * commands (the real families and their execution are tested through the
 * program by the shell tests); cmd.c picks these up in place of the real
 * families, which it references weakly.
 */
static int no_exec(struct session *s, const struct cmd_args *a)
{
	(void)s;
	(void)a;
	return 0;
}

static const struct cmd_arg file_pos[] = {
	{ .name = "file", .type = ARG_FILE, .metavar = "FILE" },
	{ .name = NULL }
};
static const struct cmd_arg lattice_opts[] = {
	{ .name = "species", .type = ARG_STRING, .metavar = "SPEC" },
	{ .name = "frame", .type = ARG_INT, .def = "0", .min = 0, .max = 1e9, .metavar = "N" },
	{ .name = "symprec", .type = ARG_REAL, .def = "1e-5", .min = 1e-10, .max = 1.0 },
	{ .name = NULL }
};
static const struct cmd_arg cutoff_pos[] = {
	{ .name = "cutoff", .type = ARG_REAL, .min = 1e-6, .max = 1000.0, .metavar = "CUT" },
	{ .name = NULL }
};
static const struct cmd_arg space_opts[] = {
	{ .name = "max-orbits", .type = ARG_REAL, .def = "20000", .min = 1, .max = 1e12,
	  .metavar = "N" },
	{ .name = "force", .type = ARG_FLAG },
	{ .name = NULL }
};
static const struct cmd_arg orbits_opts[] = {
	{ .name = "order", .type = ARG_INT, .min = 0, .max = 8, .metavar = "N" },
	{ .name = NULL }
};
static const struct cmd_arg seed_pos[] = {
	{ .name = "seed", .type = ARG_INT, .min = 0, .max = 1e15, .metavar = "N" },
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
static const struct cmd_arg words_pos[] = {
	{ .name = "text", .type = ARG_STRING, .metavar = "TEXT" },
	{ .name = NULL }
};

const struct cmd_entry cmd_model_entries[] = {
	{ .name = "load lattice", .group = "model", .summary = "s", .positionals = file_pos,
	  .min_pos = 1, .max_pos = 1, .options = lattice_opts, .exec = no_exec, .page = "p",
	  .flags = CMD_REPORTS },
	{ .name = "load structures", .group = "model", .summary = "s", .positionals = file_pos,
	  .min_pos = 1, .max_pos = 1, .exec = no_exec, .page = "p" },
	{ .name = "lattice", .group = "model", .summary = "s", .exec = no_exec, .page = "p" },
	{ .name = "space", .group = "model", .summary = "s", .positionals = cutoff_pos,
	  .min_pos = 1, .max_pos = 7, .options = space_opts, .exec = no_exec, .page = "p",
	  .flags = CMD_REPORTS },
	{ .name = "orbits", .group = "model", .summary = "s", .options = orbits_opts,
	  .exec = no_exec, .page = "p", .flags = CMD_REPORTS },
	{ .name = "structures", .group = "model", .summary = "s", .exec = no_exec, .page = "p" },
	{ .name = NULL }
};
const struct cmd_entry cmd_session_entries[] = {
	{ .name = "set", .group = "session", .summary = "s", .exec = no_exec, .page = "p" },
	{ .name = "set seed", .group = "session", .summary = "s", .positionals = seed_pos,
	  .min_pos = 1, .max_pos = 1, .exec = no_exec, .page = "p" },
	{ .name = "set format", .group = "session", .summary = "s", .positionals = format_pos,
	  .min_pos = 1, .max_pos = 1, .exec = no_exec, .page = "p" },
	{ .name = "set precision", .group = "session", .summary = "s",
	  .positionals = precision_pos, .min_pos = 1, .max_pos = 1, .exec = no_exec, .page = "p" },
	{ .name = "echo", .group = "session", .summary = "s", .positionals = words_pos,
	  .max_pos = 1000, .exec = no_exec, .page = "p", .flags = CMD_RAW },
	{ .name = NULL }
};

/* Lex line and return its commands' words joined as "a|b;c" (static). */
static const char *lexed(const char *line)
{
	static char buf[1024];
	struct lex_line l;
	char err[64];
	buf[0] = '\0';
	enum lex_status st = lex_line(line, &l, err, sizeof err);
	if (st == LEX_INCOMPLETE)
		return "INCOMPLETE";
	if (st != LEX_OK)
		return "ERROR";
	for (size_t i = 0; i < l.n; i++) {
		if (i)
			strcat(buf, ";");
		for (size_t k = 0; k < l.cmds[i].n; k++) {
			if (k)
				strcat(buf, "|");
			strcat(buf, l.cmds[i].words[k]);
		}
	}
	lex_line_free(&l);
	return buf;
}

/* Parse one command line; returns the status and fills msg or *out. */
static enum parse_status parse(const char *line, struct cmd_args **out, char *msg, size_t len)
{
	struct lex_line l;
	char err[64];
	*out = NULL;
	msg[0] = '\0';
	if (lex_line(line, &l, err, sizeof err) != LEX_OK || l.n != 1) {
		snprintf(msg, len, "lex");
		lex_line_free(&l);
		return PARSE_ERROR;
	}
	enum parse_status st = cmd_parse(l.cmds[0].words, l.cmds[0].n, l.cmds[0].text, out, msg,
					 len);
	lex_line_free(&l);
	return st;
}

/* Does parsing line fail with a message containing want? */
static void parse_fails(const char *line, const char *want)
{
	struct cmd_args *a;
	char msg[512];
	enum parse_status st = parse(line, &a, msg, sizeof msg);
	ok(st == PARSE_ERROR && strstr(msg, want) != NULL, "'%s' fails: %s", line, want);
	if (st != PARSE_ERROR || !strstr(msg, want))
		diag("got: %s", msg);
	cmd_args_free(a);
}

/* A random line from pieces of the language and junk. */
static void random_line(unsigned *seed, char *buf, size_t len)
{
	static const char *const pieces[] = {
		"load", "lattice", "structures", "space", "orbits", "vectors", "set", "seed",
		"format", "json", "help", "record", "stop", "replay", "echo", "--", "--json",
		"--frame", "--species", "--order", "--force", "--max-orbits", "--target",
		"--frame=", "-3", "1e4", "0.5", "nan", "inf", "1e999", "'", "\"", "\\", ";", "#",
		"Ag,Pd", ",", ",,", "=", "x", "--check", "--step", "9999999999999999999999", " ",
		"\t", "\n", "é", "\xff", "precision", "threads", "tolerance", "0", "17", "18",
	};
	size_t n = sizeof pieces / sizeof pieces[0];
	buf[0] = '\0';
	int k = (int)(rand_r(seed) % 9);
	for (int i = 0; i < k; i++) {
		const char *p = pieces[rand_r(seed) % n];
		if (strlen(buf) + strlen(p) + 2 >= len)
			break;
		strcat(buf, p);
		if (rand_r(seed) % 3)
			strcat(buf, " ");
	}
}

int main(void)
{
	struct cmd_args *a;
	char msg[512];

	/* Lexer. */
	is_string("a|b|c", lexed("a b  c"), "blanks separate words");
	is_string("a|b;c", lexed("a b; c"), "; separates commands");
	is_string("a;b", lexed("a\nb"), "a newline separates commands");
	is_string("a b|c", lexed("'a b' c"), "single quotes");
	is_string("a\"b|x\ty", lexed("\"a\\\"b\" \"x\\ty\""), "double quotes with escapes");
	is_string("a;b", lexed("a;b"), "; without blanks");
	is_string("a|b c", lexed("a b\\ c"), "backslash escapes a blank");
	is_string("a|#b", lexed("a \\#b # comment ; c"), "comments run to the end of the line");
	is_string("a;c", lexed("a # comment ; b\nc"), "a comment ends at the newline");
	is_string("a|x#y", lexed("a x#y"), "# inside a word is not a comment");
	is_string("a|", lexed("a ''"), "an empty quoted word");
	is_string("a|;", lexed("a ';'"), "a quoted separator");
	is_string("", lexed("   # only a comment"), "nothing but a comment");
	is_string("INCOMPLETE", lexed("echo 'abc"), "open single quote");
	is_string("INCOMPLETE", lexed("echo \"abc"), "open double quote");
	is_string("INCOMPLETE", lexed("echo abc \\"), "final backslash");
	is_string("a|bc", lexed("a b\\\nc"), "backslash-newline joins lines");

	/* Joining words and lexing them again gives the same words. */
	{
		char *w[] = { "echo", "a b", "two\nlines", "q\"uo'te", "back\\slash", "", "x;y#z",
			      "plain", NULL };
		char *j = lex_join(w, 8);
		ok(j && strchr(j, '\n') == NULL, "joined on one line: %s", j ? j : "(null)");
		is_string("echo|a b|two\nlines|q\"uo'te|back\\slash||x;y#z|plain",
			  j ? lexed(j) : "", "join then lex gives the words back");
		free(j);
	}

	/* Lookup and typed values. */
	ok(parse("space 13.5 6.5 6.0", &a, msg, sizeof msg) == PARSE_OK, "space parses");
	if (a) {
		is_string("space", a->cmd->name, "space entry");
		is_int(3, (long)a->n_pos, "three cutoffs");
		is_double(6.5, a->pos[1].r, 0, "second cutoff");
		is_double(20000, arg_real(a, "max-orbits"), 0, "default of --max-orbits");
		ok(!arg_set(a, "max-orbits") && arg_value(a, "max-orbits")->set,
		   "a default counts as set but not given");
		ok(!arg_flag(a, "force"), "--force absent");
		cmd_args_free(a);
	}
	ok(parse("sp 8 --max=1e3 --fo --json", &a, msg, sizeof msg) == PARSE_OK,
	   "prefixes of command and options, --opt=value");
	if (a) {
		is_string("space", a->cmd->name, "sp is space");
		is_double(1000, arg_real(a, "max-orbits"), 0, "--max=1e3");
		ok(arg_flag(a, "force") && a->json, "--fo and --json");
		cmd_args_free(a);
	}
	ok(parse("load la f.xyz --species Ag,Pd --frame 2", &a, msg, sizeof msg) == PARSE_OK,
	   "two-word command by prefix");
	if (a) {
		is_string("load lattice", a->cmd->name, "load la is load lattice");
		is_string("f.xyz", a->pos[0].s, "file argument");
		is_string("Ag,Pd", arg_str(a, "species"), "--species");
		is_int(2, arg_int(a, "frame"), "--frame");
		cmd_args_free(a);
	}
	ok(parse("set format js", &a, msg, sizeof msg) == PARSE_OK, "a choice by prefix");
	if (a) {
		is_string("json", a->pos[0].s, "js is json");
		cmd_args_free(a);
	}
	ok(parse("space -- 8", &a, msg, sizeof msg) == PARSE_OK, "-- ends the options");
	cmd_args_free(a);
	ok(parse("orbits --order 2 --order 3", &a, msg, sizeof msg) == PARSE_OK,
	   "a repeated option");
	if (a) {
		is_int(3, arg_int(a, "order"), "the last repeated option wins");
		cmd_args_free(a);
	}
	ok(parse("set seed 1e3", &a, msg, sizeof msg) == PARSE_OK, "1e3 is an integer");
	if (a) {
		is_int(1000, a->pos[0].i, "1e3 = 1000");
		cmd_args_free(a);
	}
	ok(parse("echo --map -x", &a, msg, sizeof msg) == PARSE_OK && a && a->n_pos == 2 &&
	   strcmp(a->pos[0].s, "--map") == 0, "echo takes every word as it is");
	cmd_args_free(a);
	ok(parse("# nothing", &a, msg, sizeof msg) == PARSE_ERROR, "an empty command");

	/* Usage errors. */
	parse_fails("orbts", "unknown command 'orbts'; did you mean 'orbits'?");
	parse_fails("qwertyuiop", "unknown command 'qwertyuiop' (type 'help' for a list)");
	parse_fails("s 1", "ambiguous command 's', could be:");
	parse_fails("load", "'load' needs a subcommand: lattice, structures");
	parse_fails("load latice f", "did you mean 'load lattice'?");
	parse_fails("set sed 3", "did you mean 'set seed'?");
	parse_fails("orbits --ordr 2", "unknown option '--ordr'; did you mean '--order'?");
	parse_fails("orbits --zzzzzzzz", "unknown option '--zzzzzzzz' (see 'help orbits')");
	parse_fails("lattice --x", "(lattice takes no options)");
	parse_fails("orbits --order", "orbits: --order needs a value (N)");
	parse_fails("orbits --order x", "orbits: --order: 'x' is not an integer");
	parse_fails("orbits --order 1.5", "is not an integer");
	parse_fails("orbits --order 9", "orbits: --order: 9 is out of range (must be between 0 and 8)");
	parse_fails("space 0", "space: CUT: 0 is out of range");
	parse_fails("space nan", "space: CUT: 'nan' is not a number");
	parse_fails("space 1e999", "is not a number");
	parse_fails("space", "space: missing CUT (usage: space CUT [CUT ...]");
	parse_fails("space 1 2 3 4 5 6 7 8", "too many arguments at '8' (at most 7)");
	parse_fails("orbits 3", "orbits: unexpected argument '3' (orbits takes none)");
	parse_fails("space 8 --force=yes", "space: --force takes no value");
	parse_fails("set format xml", "unknown value 'xml' (one of: text, json)");
	parse_fails("set precision 18", "between 1 and 17");

	/* Edit distance. */
	is_int(0, (long)cmd_edit_distance("abc", "abc"), "distance 0");
	is_int(1, (long)cmd_edit_distance("orbts", "orbits"), "one insertion");
	is_int(3, (long)cmd_edit_distance("kitten", "sitting"), "kitten/sitting");

	/* Every entry: a unique name, a group, a summary, a page; positional bounds sane. */
	int unique = 1, complete = 1;
	for (size_t i = 0; i < cmd_count(); i++) {
		const struct cmd_entry *e = cmd_at(i);
		for (size_t j = 0; j < i; j++)
			if (strcmp(cmd_at(j)->name, e->name) == 0)
				unique = 0;
		if (!e->group || !e->summary || !e->page || !e->exec || e->min_pos > e->max_pos ||
		    (e->max_pos && (!e->positionals || !e->positionals[0].name)))
			complete = 0;
	}
	ok(unique, "command names are unique");
	ok(complete, "every entry has group, summary, page, exec and sane positionals");

	/* Transcript comparison and its tolerance. */
	size_t ln;
	char la[128], lb[128];
	ok(output_matches("x 1.000000\n", "x 1.000001\n", &ln, la, lb, sizeof la),
	   "one unit of the last printed digit");
	ok(!output_matches("x 1.000000\n", "x 1.000003\n", &ln, la, lb, sizeof la) && ln == 1,
	   "three units differ");
	ok(output_matches("e 1.23456789e-3\n", "e 1.234567891e-3\n", &ln, la, lb, sizeof la),
	   "relative 1e-6");
	ok(output_matches("z 0\n", "z 1e-10\n", &ln, la, lb, sizeof la), "absolute 1e-9");
	ok(!output_matches("a\nb 2\n", "a\nb 3\n", &ln, la, lb, sizeof la) && ln == 2 &&
	   strcmp(la, "b 2") == 0 && strcmp(lb, "b 3") == 0, "the first differing line");
	ok(output_matches("{\"seconds\": 0.5}\n", "{\"seconds\": 7.25}\n", &ln, la, lb, sizeof la),
	   "JSON seconds are timings");
	ok(output_matches("seconds   0.0104\n", "seconds   0.0115\n", &ln, la, lb, sizeof la),
	   "a text line of seconds is a timing");
	ok(!output_matches("n_seconds 1.5\n", "n_seconds 2.5\n", &ln, la, lb, sizeof la),
	   "only a line starting with seconds");
	ok(!output_matches("a\n", "a\nb\n", &ln, la, lb, sizeof la), "an extra line");
	ok(output_matches("a  \n\n", "a\n", &ln, la, lb, sizeof la), "trailing blanks");
	ok(!output_matches("Ag3 x\n", "Ag4 x\n", &ln, la, lb, sizeof la),
	   "digits inside a word are text");
	ok(output_matches("nan -inf\n", "nan -inf\n", &ln, la, lb, sizeof la), "nan and inf");

	/* Random lines: a result or a message, never a crash or a silent error. */
	unsigned seed = 12345;
	int sane = 1;
	for (int it = 0; it < 20000; it++) {
		char line[512];
		random_line(&seed, line, sizeof line);
		struct lex_line l;
		char err[64];
		enum lex_status ls = lex_line(line, &l, err, sizeof err);
		if (ls != LEX_OK)
			continue;
		for (size_t i = 0; i < l.n; i++) {
			msg[0] = '\0';
			enum parse_status st = cmd_parse(l.cmds[i].words, l.cmds[i].n, l.cmds[i].text,
							 &a, msg, sizeof msg);
			if ((st == PARSE_ERROR && !msg[0]) || (st == PARSE_OK && !a))
				sane = 0;
			cmd_args_free(a);
		}
		lex_line_free(&l);
	}
	ok(sane, "20000 random lines parse or fail with a message");
	return done_testing();
}
