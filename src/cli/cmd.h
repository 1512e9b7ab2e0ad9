/*
 * cmd.h - the command table of the cewb workbench.
 *
 * Every command is one `const struct cmd_entry`: its name (one or two
 * words: "orbits", "load lattice", "prior pair"), the group it is listed
 * under by `help`, a one-line summary, its positional arguments and its
 * options (each with a type, a default and a range), the exec function and
 * the name of its help page (help/<page>.txt).  The generic parser in
 * cmd.c validates a command line completely against the entry before exec
 * runs, so a handler never parses: it reads typed values with arg_int(),
 * arg_real(), arg_str(), arg_flag(), arg_set() and args->pos[].
 *
 * How a family registers its commands: a file src/cli/cmd_<family>.c
 * defines
 *
 *	const struct cmd_entry cmd_<family>_entries[] = {
 *		{ .name = "...", ... },
 *		...
 *		{ .name = NULL }	(terminator)
 *	};
 *
 * declares it below (extern), and cmd.c lists it in its family list (the
 * one place that lists families).  Option and positional arrays are
 * terminated by an element whose name is NULL.  Names must be unique in the
 * whole table; a unit test checks that, and that every entry has a page.
 *
 * A handler returns 0 on success.  On failure it calls cmd_fail() (the
 * message, lowercase, no final period; the front end prefixes the command
 * name) and returns its result (1).  A failed command must leave the
 * session exactly as it was: build new state aside and swap it in only when
 * everything succeeded.  Output goes through out_printf() (text) or
 * out_json() (one JSON document per command when s->format == FORMAT_JSON),
 * never straight to stdout, so that it can be recorded and checked.
 */
#ifndef CEWB_CLI_CMD_H
#define CEWB_CLI_CMD_H

#include <stddef.h>
#include <stdio.h>

struct session;

/* Type of a positional argument or option value. */
enum arg_type {
	ARG_FLAG,	/* option without a value (present or not) */
	ARG_INT,	/* integer, range-checked */
	ARG_REAL,	/* real number (1e4, 0.5, -3), range-checked */
	ARG_STRING,	/* any word */
	ARG_FILE,	/* a file name (completed as a file name) */
	ARG_LIST,	/* comma-separated words: Ag,Pd */
	ARG_REALS,	/* comma-separated reals, each range-checked: 0,0,0.5 */
	ARG_CHOICE	/* one word of .choices (unique prefixes accepted) */
};

/* What tab completion offers for a value (beyond ARG_FILE / ARG_CHOICE). */
enum arg_complete {
	COMPLETE_NONE,
	COMPLETE_ORBIT,		/* an orbit index of the current cluster space */
	COMPLETE_INFO_KEY,	/* an info key of the loaded structure files */
	COMPLETE_SETTING,	/* a key of `set` */
	COMPLETE_COMMAND	/* a command name (help) */
};

/* One option (--name VALUE) or positional argument of a command. */
struct cmd_arg {
	const char *name;	/* option name without "--", or positional name */
	enum arg_type type;
	const char *def;	/* default as it would be typed, or NULL: unset */
	double min, max;	/* allowed range for INT/REAL/REALS; min > max: any */
	const char *const *choices; /* NULL-terminated words for ARG_CHOICE */
	const char *metavar;	/* value name in usage lines ("K", "FILE") */
	const char *help;	/* one line for the generated option list */
	enum arg_complete complete;
};

/* Flags of a command entry. */
#define CMD_REPORTS	0x1	/* prints a report: accepts --json, one document */
#define CMD_NO_RECORD	0x2	/* not written to a transcript (record, replay) */
#define CMD_UNSAFE	0x4	/* runs a shell command: refused in replays without --trust */
#define CMD_RAW		0x8	/* every word is a positional, "--x" too (echo, shell) */

/* A parsed, validated value. */
struct cmd_value {
	int set;		/* given on the line or by a default */
	long i;			/* ARG_INT */
	double r;		/* ARG_REAL */
	const char *s;		/* STRING, FILE, CHOICE (the full choice word) */
	size_t n;		/* ARG_LIST / ARG_REALS element count */
	char **items;		/* ARG_LIST elements */
	double *reals;		/* ARG_REALS elements */
	char *own;		/* the copy of the text that s points to (freed with it) */
};

struct cmd_entry;

/* The arguments of one command, as validated by cmd_parse(). */
struct cmd_args {
	const struct cmd_entry *cmd;
	size_t n_pos;
	struct cmd_value *pos;	/* n_pos positionals, typed by their spec */
	struct cmd_value *opt;	/* one per option of cmd->options, in order */
	int json;		/* --json was given on this line */
	char *text;		/* the command line as typed (for messages) */
};

typedef int (*cmd_exec_fn)(struct session *s, const struct cmd_args *a);

struct cmd_entry {
	const char *name;	/* "orbits", "load lattice" (at most two words) */
	const char *group;	/* heading in `help`: "model", "data", "fit", ... */
	const char *summary;	/* one line */
	const struct cmd_arg *positionals; /* specs; the last one repeats */
	size_t min_pos, max_pos; /* positional count bounds; max_pos 0: none */
	const struct cmd_arg *options;
	cmd_exec_fn exec;
	const char *page;	/* help page name: help/<page>.txt */
	unsigned flags;		/* CMD_* */
};

/* Families (each defined in its cmd_<family>.c, listed in cmd.c). */
extern const struct cmd_entry cmd_session_entries[];	/* help set quit record replay echo */
extern const struct cmd_entry cmd_model_entries[];	/* load lattice, space, orbits, ... */
extern const struct cmd_entry cmd_load_entries[];	/* load structures, vectors */
extern const struct cmd_entry cmd_data_train_entries[];	/* structures */
extern const struct cmd_entry cmd_data_entries[];	/* load structures, structures, ... */
extern const struct cmd_entry cmd_fit_entries[];	/* fit, validate, eci, predict, ... */
extern const struct cmd_entry cmd_prior_entries[];	/* prior ... */
extern const struct cmd_entry cmd_plot_entries[];	/* plot */
extern const struct cmd_entry cmd_tui_entries[];	/* full-screen views */
extern const struct cmd_entry cmd_fce_entries[];	/* fce space, force-constant data */
extern const struct cmd_entry cmd_phonon_entries[];	/* phonons, FORCE_CONSTANTS export */
extern const struct cmd_entry cmd_teach_entries[];	/* enumerate */
extern const struct cmd_entry cmd_synth_entries[];	/* synth */

/* Visit every entry of the table, in help order. */
size_t cmd_count(void);
const struct cmd_entry *cmd_at(size_t i);

/* Outcome of parsing one command. */
enum parse_status {
	PARSE_OK = 0,
	PARSE_EMPTY,		/* nothing but blanks or a comment */
	PARSE_ERROR		/* usage error: message in err */
};

/*
 * Look up and validate one command given as words (from lex_split): exact
 * name, then unique prefix, then a "did you mean" message.  On PARSE_OK *out
 * is a new cmd_args (free with cmd_args_free).
 */
enum parse_status cmd_parse(char *const *words, size_t n_words, const char *text,
			    struct cmd_args **out, char *err, size_t errlen);
void cmd_args_free(struct cmd_args *a);

/*
 * Resolve the command named by words (one or two of them; prefixes and
 * "did you mean" as in cmd_parse); *used is how many words the name took.
 */
const struct cmd_entry *cmd_lookup(char *const *words, size_t n_words, size_t *used,
				   char *err, size_t errlen);

/* Find an entry by its exact name; NULL if none. */
const struct cmd_entry *cmd_find(const char *name);

/* Typed access to options by name (a name not in the entry is a bug: abort). */
int arg_set(const struct cmd_args *a, const char *name);
int arg_flag(const struct cmd_args *a, const char *name);
long arg_int(const struct cmd_args *a, const char *name);
double arg_real(const struct cmd_args *a, const char *name);
const char *arg_str(const struct cmd_args *a, const char *name);
const struct cmd_value *arg_value(const struct cmd_args *a, const char *name);

/* Print the generated usage line and option list of an entry. */
void cmd_print_usage(FILE *fp, const struct cmd_entry *e);

/* Levenshtein distance, for "did you mean". */
size_t cmd_edit_distance(const char *a, const char *b);

/* Record a failure message for the current command; returns 1. */
int cmd_fail(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
