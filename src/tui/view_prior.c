/*
 * view_prior.c - the full-screen editor of Lambda (ncurses).
 *
 * Layout: a title line, two header lines (parameter index; order:radius of
 * its orbit), the grid of Lambda entries with one label column, a line
 * describing the cell under the cursor, and the status line (10-fold
 * CV-RMSE, effective parameters, time taken, the last message).  Every
 * edit is a command line handed to ops->run.
 */
#include "config.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curses.h>
#include "view_prior.h"

#define CELL_W 10	/* width of one grid cell */
#define LABEL_W 15	/* width of the row labels */
#define TOP 3		/* first grid line */
#define N_LEVELS 6	/* colour levels by magnitude */

/* Editor state. */
struct editor {
	const struct view_prior_ops *ops;
	cewb_prior *pr;
	size_t n;		/* parameters */
	double *L;		/* n x n Lambda of the current prior */
	size_t row, col;	/* cursor (parameter indices) */
	size_t top, left;	/* first visible row and column */
	int color;		/* colour pairs in use */
	char msg[512];		/* last message */
	double rmse, dof, ms;	/* status figures */
	int have_status;
};

/* Re-read Lambda and the status after a change. */
static void refresh_state(struct editor *ed)
{
	size_t n;
	ed->pr = ed->ops->prior(ed->ops->ctx);
	n = ed->pr ? cewb_prior_n_params(ed->pr) : 0;
	if (n != ed->n) {
		free(ed->L);
		ed->L = n ? malloc(n * n * sizeof *ed->L) : NULL;
		ed->n = ed->L ? n : 0;
	}
	if (ed->L)
		cewb_prior_lambda(ed->pr, ed->L);
	if (ed->row >= ed->n)
		ed->row = ed->n ? ed->n - 1 : 0;
	if (ed->col >= ed->n)
		ed->col = ed->n ? ed->n - 1 : 0;
	ed->have_status = ed->ops->status(ed->ops->ctx, &ed->rmse, &ed->dof, &ed->ms) == 0;
}

/* Rows and columns of the grid that fit on the screen. */
static void grid_size(size_t *rows, size_t *cols)
{
	int r = LINES - TOP - 2, c = (COLS - LABEL_W) / CELL_W;
	*rows = r > 0 ? (size_t)r : 1;
	*cols = c > 0 ? (size_t)c : 1;
}

/* Scroll so that the cursor is visible. */
static void follow_cursor(struct editor *ed)
{
	size_t rows, cols;
	grid_size(&rows, &cols);
	if (ed->row < ed->top)
		ed->top = ed->row;
	if (ed->row >= ed->top + rows)
		ed->top = ed->row - rows + 1;
	if (ed->col < ed->left)
		ed->left = ed->col;
	if (ed->col >= ed->left + cols)
		ed->left = ed->col - cols + 1;
}

/* Colour level of a magnitude: 1..N_LEVELS (0 for zero). */
static int level_of(double v)
{
	double a = fabs(v);
	if (v == 0)
		return 0;
	if (isinf(v))
		return N_LEVELS;
	if (a < 1e-4)
		return 1;
	if (a < 1e-2)
		return 2;
	if (a < 1)
		return 3;
	if (a < 1e2)
		return 4;
	return 5;
}

/* Attributes of a cell. */
static attr_t cell_attr(const struct editor *ed, double v, int cursor)
{
	int lv = level_of(v);
	attr_t at = A_NORMAL;
	if (ed->color)
		at = lv ? COLOR_PAIR(lv) : A_DIM;
	else if (lv >= 4)
		at = A_BOLD;
	else if (lv == 0)
		at = A_DIM;
	if (cursor)
		at |= A_REVERSE;
	return at;
}

/* Text of a cell: the value, "." for zero, "inf", "=" for a merged pair. */
static void cell_text(const struct editor *ed, size_t i, size_t j, char *buf, size_t len)
{
	double v = ed->L[i * ed->n + j];
	if (i != j && cewb_prior_merged_with(ed->pr, i) == cewb_prior_merged_with(ed->pr, j))
		snprintf(buf, len, "%*s", CELL_W - 1, "= merged");
	else if (isinf(v))
		snprintf(buf, len, "%*s", CELL_W - 1, "inf");
	else if (v == 0)
		snprintf(buf, len, "%*s", CELL_W - 1, ".");
	else
		snprintf(buf, len, "%*.3g", CELL_W - 1, v);
}

/* Label of a parameter: "p o:r". */
static void label_text(const struct editor *ed, size_t p, char *buf, size_t len)
{
	size_t o = cewb_prior_param_orbit(ed->pr, p);
	snprintf(buf, len, "%4zu %zu:%-7.3f", p, cewb_prior_orbit_order(ed->pr, o),
		 cewb_prior_orbit_radius(ed->pr, o));
}

/* Draw the whole screen. */
static void draw(struct editor *ed)
{
	size_t rows, cols, i, j;
	char buf[1024];
	erase();
	grid_size(&rows, &cols);
	attron(A_BOLD);
	mvprintw(0, 0, "%.*s", COLS, "cewb prior editor: Lambda (arrows move, type a value, "
		 "m merge, c couple, u undo, ? help, q leave)");
	attroff(A_BOLD);
	if (!ed->n) {
		mvprintw(TOP, 0, "no prior (build a cluster space first)");
		refresh();
		return;
	}
	mvprintw(1, 0, "%*s", LABEL_W, "param");
	mvprintw(2, 0, "%*s", LABEL_W, "order:radius");
	for (j = ed->left; j < ed->n && j < ed->left + cols; j++) {
		size_t o = cewb_prior_param_orbit(ed->pr, j);
		int x = LABEL_W + (int)(j - ed->left) * CELL_W;
		if (j == ed->col)
			attron(A_BOLD);
		mvprintw(1, x, "%*zu", CELL_W - 1, j);
		snprintf(buf, sizeof buf, "%zu:%.2f", cewb_prior_orbit_order(ed->pr, o),
			 cewb_prior_orbit_radius(ed->pr, o));
		mvprintw(2, x, "%*s", CELL_W - 1, buf);
		if (j == ed->col)
			attroff(A_BOLD);
	}
	for (i = ed->top; i < ed->n && i < ed->top + rows; i++) {
		int y = TOP + (int)(i - ed->top);
		label_text(ed, i, buf, sizeof buf);
		if (i == ed->row)
			attron(A_BOLD);
		mvprintw(y, 0, "%-*.*s", LABEL_W, LABEL_W - 1, buf);
		if (i == ed->row)
			attroff(A_BOLD);
		for (j = ed->left; j < ed->n && j < ed->left + cols; j++) {
			int x = LABEL_W + (int)(j - ed->left) * CELL_W;
			attr_t at =
				cell_attr(ed, ed->L[i * ed->n + j], i == ed->row && j == ed->col);
			cell_text(ed, i, j, buf, sizeof buf);
			attron(at);
			mvprintw(y, x, "%s", buf);
			attroff(at);
		}
	}
	/* the cell under the cursor */
	{
		size_t a = ed->row, b = ed->col;
		double sa = cewb_prior_param_sigma(ed->pr, a);
		char w[32];
		if (isinf(sa))
			snprintf(w, sizeof w, "free");
		else if (sa == 0)
			snprintf(w, sizeof w, "removed");
		else
			snprintf(w, sizeof w, "%.4g", sa);
		if (a == b)
			snprintf(buf, sizeof buf,
				 "Lambda[%zu,%zu] = %.6g  parameter %zu (orbit %zu): "
				 "sigma %s, noise %.4g",
				 a, b, ed->L[a * ed->n + b], a, cewb_prior_param_orbit(ed->pr, a),
				 w, cewb_prior_noise(ed->pr));
		else
			snprintf(buf, sizeof buf, "Lambda[%zu,%zu] = %.6g  coupling sigma %.4g%s",
				 a, b, ed->L[a * ed->n + b], cewb_prior_pair_sigma(ed->pr, a, b),
				 cewb_prior_merged_with(ed->pr, a) ==
						 cewb_prior_merged_with(ed->pr, b)
					 ? " (merged)"
					 : "");
		mvprintw(LINES - 2, 0, "%.*s", COLS, buf);
	}
	/* the status line */
	if (ed->have_status)
		snprintf(buf, sizeof buf,
			 "10-fold CV-RMSE %.4g meV/atom | eff. params %.2f of %zu free | "
			 "%.0f ms | %.300s",
			 1e3 * ed->rmse, ed->dof, cewb_prior_n_free(ed->pr), ed->ms, ed->msg);
	else
		snprintf(buf, sizeof buf, "%zu free parameters (no training data for the CV "
			 "error) | %.300s", cewb_prior_n_free(ed->pr), ed->msg);
	attron(A_REVERSE);
	mvprintw(LINES - 1, 0, "%-*.*s", COLS, COLS, buf);
	attroff(A_REVERSE);
	move(TOP + (int)(ed->row - ed->top), LABEL_W + (int)(ed->col - ed->left) * CELL_W);
	refresh();
}

/* Read a line at the bottom of the screen after a prompt; first is the
 * first key already typed (0: none).  Returns 0, or -1 when cancelled. */
static int prompt_line(const char *prompt, int first, char *buf, size_t len)
{
	size_t n = 0;
	int ch = first;
	buf[0] = '\0';
	curs_set(1);
	for (;;) {
		if (ch && ch != ERR) {
			if (ch == 27) {
				curs_set(0);
				return -1;
			}
			if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
				break;
			if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && n > 0)
				buf[--n] = '\0';
			else if (ch >= 32 && ch < 127 && n + 1 < len) {
				buf[n++] = (char)ch;
				buf[n] = '\0';
			}
		}
		move(LINES - 1, 0);
		clrtoeol();
		attron(A_BOLD);
		printw("%s%s", prompt, buf);
		attroff(A_BOLD);
		refresh();
		ch = getch();
	}
	curs_set(0);
	return 0;
}

/* Run a command through the caller and refresh; the message shows its outcome. */
static void run(struct editor *ed, const char *line)
{
	char out[400];
	int rc = ed->ops->run(ed->ops->ctx, line, out, sizeof out);
	snprintf(ed->msg, sizeof ed->msg, "%.200s%s%.200s", rc ? "" : line, rc ? "" : ": ",
		 rc ? out : "ok");
	refresh_state(ed);
}

/* "orbit A" or "A --param": how commands name parameter p. */
static const char *param_args(const struct editor *ed, size_t p, char *buf, size_t len,
			      int *param)
{
	size_t o = cewb_prior_param_orbit(ed->pr, p);
	*param = cewb_prior_orbit_n_params(ed->pr, o) != 1;
	snprintf(buf, len, "%zu", *param ? p : o);
	return buf;
}

/* Type a value into the cell under the cursor (first: first key or 0); sigma:
 * the value is a width rather than a precision. */
static void type_value(struct editor *ed, int first, int sigma)
{
	char val[64], line[256], a[32], b[32], prompt[96];
	size_t i = ed->row, j = ed->col;
	int pa, pb;
	char *end;
	double x;
	snprintf(prompt, sizeof prompt, "%s[%zu,%zu] = ", sigma ? "sigma" : "lambda", i, j);
	if (prompt_line(prompt, first, val, sizeof val) < 0 || !val[0]) {
		snprintf(ed->msg, sizeof ed->msg, "cancelled");
		return;
	}
	param_args(ed, i, a, sizeof a, &pa);
	param_args(ed, j, b, sizeof b, &pb);
	if (strcmp(val, "inf") == 0) {
		if (i == j)
			snprintf(line, sizeof line, "prior orbit %s%s --%s", a,
				 pa ? " --param" : "", sigma ? "free" : "remove");
		else
			snprintf(line, sizeof line, "prior pair %s %s%s --%s", a, b,
				 pa || pb ? " --param" : "", sigma ? "free" : "remove");
		run(ed, line);
		return;
	}
	x = strtod(val, &end);
	if (end == val || *end || !isfinite(x)) {
		snprintf(ed->msg, sizeof ed->msg, "'%.60s' is not a number", val);
		return;
	}
	if (i == j)
		snprintf(line, sizeof line, "prior orbit %s%s --%s %s", a, pa ? " --param" : "",
			 sigma ? "sigma" : "lambda", val);
	else
		snprintf(line, sizeof line, "prior pair %s %s%s --%s %s", a, b,
			 pa || pb ? " --param" : "", sigma ? "sigma" : "lambda", val);
	run(ed, line);
}

/* The help overlay. */
static void show_help(void)
{
	static const char *const lines[] = {
		"cewb prior editor - keys",
		"",
		"  arrows, h j k l      move the cursor",
		"  PgUp PgDn            a page up or down",
		"  [ ]  Home End        a page left or right; first or last column",
		"  0-9 . - or Enter     type lambda of the cell (diagonal: the parameter;",
		"                       off-diagonal: the coupling); 'inf' removes / merges",
		"  s                    type sigma (width) of the cell instead",
		"  m                    merge the orbits of row and column exactly",
		"  c                    couple row and column: type the coupling sigma",
		"  x  f                 remove the row's parameter; make it free",
		"  u  r                 undo; redo",
		"  ?                    this help",
		"  q                    leave the editor",
		"",
		"Every edit runs a 'prior ...' command, so it is recorded and replays.",
		"The status line shows the 10-fold CV-RMSE of the prior fit and the",
		"effective number of parameters, updated after every edit.",
		"",
		"any key: back",
		NULL
	};
	int i;
	erase();
	for (i = 0; lines[i]; i++)
		mvprintw(i, 2, "%.*s", COLS > 2 ? COLS - 2 : 0, lines[i]);
	refresh();
	while (getch() == KEY_RESIZE)
		;
}

/* Handle one key; returns 0 to leave. */
static int handle_key(struct editor *ed, int ch)
{
	size_t rows, cols;
	char line[256], a[32], b[32], val[64];
	int pa, pb;
	grid_size(&rows, &cols);
	switch (ch) {
	case 'q':
	case 'Q':
		return 0;
	case KEY_UP:
	case 'k':
		if (ed->row > 0)
			ed->row--;
		break;
	case KEY_DOWN:
	case 'j':
		if (ed->row + 1 < ed->n)
			ed->row++;
		break;
	case KEY_LEFT:
	case 'h':
		if (ed->col > 0)
			ed->col--;
		break;
	case KEY_RIGHT:
	case 'l':
		if (ed->col + 1 < ed->n)
			ed->col++;
		break;
	case KEY_PPAGE:
		ed->row = ed->row > rows ? ed->row - rows : 0;
		break;
	case KEY_NPAGE:
		ed->row = ed->row + rows < ed->n ? ed->row + rows : ed->n - 1;
		break;
	case '[':
		ed->col = ed->col > cols ? ed->col - cols : 0;
		break;
	case ']':
		ed->col = ed->col + cols < ed->n ? ed->col + cols : ed->n - 1;
		break;
	case KEY_HOME:
		ed->col = 0;
		break;
	case KEY_END:
		ed->col = ed->n - 1;
		break;
	case KEY_RESIZE:
		clear();
		break;
	case '?':
		show_help();
		break;
	case 'u':
		run(ed, "prior undo");
		break;
	case 'r':
		run(ed, "prior redo");
		break;
	case 'm':
		if (ed->row == ed->col) {
			snprintf(ed->msg, sizeof ed->msg, "merge: move to an off-diagonal cell");
			break;
		}
		snprintf(line, sizeof line, "prior merge %zu %zu",
			 cewb_prior_param_orbit(ed->pr, ed->row),
			 cewb_prior_param_orbit(ed->pr, ed->col));
		run(ed, line);
		break;
	case 'c':
		if (ed->row == ed->col) {
			snprintf(ed->msg, sizeof ed->msg, "couple: move to an off-diagonal cell");
			break;
		}
		if (prompt_line("coupling sigma = ", 0, val, sizeof val) < 0 || !val[0]) {
			snprintf(ed->msg, sizeof ed->msg, "cancelled");
			break;
		}
		param_args(ed, ed->row, a, sizeof a, &pa);
		param_args(ed, ed->col, b, sizeof b, &pb);
		snprintf(line, sizeof line, "prior pair %s %s%s --sigma %.40s", a, b,
			 pa || pb ? " --param" : "", val);
		run(ed, line);
		break;
	case 'x':
	case 'f':
		param_args(ed, ed->row, a, sizeof a, &pa);
		snprintf(line, sizeof line, "prior orbit %s%s --%s", a, pa ? " --param" : "",
			 ch == 'x' ? "remove" : "free");
		run(ed, line);
		break;
	case 's':
		type_value(ed, 0, 1);
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case '=':
		type_value(ed, 0, 0);
		break;
	default:
		if ((ch >= '0' && ch <= '9') || ch == '.' || ch == '-')
			type_value(ed, ch, 0);
		break;
	}
	return 1;
}

int view_prior_run(const struct view_prior_ops *ops, int mono, char *err, size_t errlen)
{
	struct editor ed;
	SCREEN *scr;
	int ch, n_err;
	memset(&ed, 0, sizeof ed);
	ed.ops = ops;
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		snprintf(err, errlen, "cannot use the terminal (TERM=%s)",
			 getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	set_term(scr);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (!mono && has_colors()) {
		start_color();
		use_default_colors();
		init_pair(1, COLOR_BLUE, -1);
		init_pair(2, COLOR_CYAN, -1);
		init_pair(3, COLOR_GREEN, -1);
		init_pair(4, COLOR_YELLOW, -1);
		init_pair(5, COLOR_RED, -1);
		init_pair(6, COLOR_MAGENTA, -1);
		ed.color = 1;
	}
	snprintf(ed.msg, sizeof ed.msg, "ready");
	refresh_state(&ed);
	for (n_err = 0; n_err < 100;) {
		follow_cursor(&ed);
		draw(&ed);
		ch = getch();
		/* input gone (a closed terminal): leave rather than spin */
		if (ch == ERR) {
			n_err++;
			continue;
		}
		n_err = 0;
		if (!handle_key(&ed, ch))
			break;
	}
	endwin();
	delscreen(scr);
	free(ed.L);
	return 0;
}
