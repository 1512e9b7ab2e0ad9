/*
 * view_orbits.c - a full-screen browser of the orbits of a cluster space.
 *
 * A list of orbits (index, order, radius, multiplicity, parameters, ECI)
 * on the left and a detail pane for the selected orbit on the right: its
 * representative cluster with site coordinates and allowed species, the
 * pair distances, clusters per cell, allowed permutations and the
 * multicomponent classes with their ECIs.  Keys: arrows/j/k, PgUp/PgDn,
 * Home/End, s cycles the sort (index, radius, |ECI|), 1-9 and 0 filter by
 * order (0: all), ? help, q leaves.  The screen follows resizes.
 */
#include "config.h"
#include <curses.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cewb/space.h"
#include "view_orbits.h"

enum sort_key { SORT_INDEX, SORT_RADIUS, SORT_ECI, SORT_N };
static const char *const sort_names[SORT_N] = { "index", "radius", "|ECI|" };

/* What the browser shows and where it is. */
struct browser {
	const cewb_space *sp;
	const double *eci;      /* per parameter, or NULL */
	const double *eci_std;  /* per parameter, or NULL */
	size_t *rows;           /* orbit indices shown, in display order */
	size_t n_rows;
	size_t sel, top;        /* selected row, first row on screen */
	enum sort_key sort;
	size_t order_filter;    /* 0: all orders */
	int color, help;
};

/* Largest |ECI| of an orbit's parameters (0 without a fit). */
static double orbit_eci(const struct browser *b, size_t i)
{
	const cewb_orbit *o = &b->sp->orbits[i];
	double m = 0;
	if (!b->eci)
		return 0;
	for (size_t p = 0; p < o->n_params; p++)
		m = fmax(m, fabs(b->eci[o->first_param + p]));
	return m;
}

static const struct browser *sort_ctx;

static int row_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const cewb_orbit *oa = &sort_ctx->sp->orbits[a], *ob = &sort_ctx->sp->orbits[b];
	double x = 0, y = 0;
	if (sort_ctx->sort == SORT_RADIUS) {
		x = oa->radius;
		y = ob->radius;
	} else if (sort_ctx->sort == SORT_ECI) {
		x = -orbit_eci(sort_ctx, a);
		y = -orbit_eci(sort_ctx, b);
	}
	if (x != y)
		return x < y ? -1 : 1;
	return (a > b) - (a < b);
}

/* Rebuild the list of rows from the filter and the sort key. */
static void rebuild(struct browser *b)
{
	size_t keep = b->n_rows ? b->rows[b->sel] : 0;
	b->n_rows = 0;
	for (size_t i = 0; i < b->sp->n_orbits; i++)
		if (!b->order_filter || b->sp->orbits[i].order == b->order_filter)
			b->rows[b->n_rows++] = i;
	sort_ctx = b;
	qsort(b->rows, b->n_rows, sizeof *b->rows, row_cmp);
	b->sel = 0;
	for (size_t r = 0; r < b->n_rows; r++)
		if (b->rows[r] == keep)
			b->sel = r;
	b->top = 0;
}

/* Species symbols of a site as "Ag,Pd". */
static void site_species(const cewb_lattice *lat, int site, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t k = 0; k < lat->n_allowed[site] && n + 4 < len; k++) {
		const char *sym = cewb_element_symbol(lat->allowed[site][k]);
		n += (size_t)snprintf(buf + n, len - n, "%s%s", k ? "," : "", sym ? sym : "?");
	}
}

/* The detail pane of orbit i in the window region starting at column x. */
static void draw_detail(const struct browser *b, size_t i, int y0, int x, int h, int w)
{
	const cewb_space *sp = b->sp;
	const cewb_orbit *o = &sp->orbits[i];
	int y = y0;
	char line[512];
#define PUT(...)                                                                   \
	do {                                                                       \
		if (y < y0 + h) {                                                  \
			snprintf(line, sizeof line, __VA_ARGS__);                  \
			mvaddnstr(y++, x, line, w);                                \
		}                                                                  \
	} while (0)
	attron(A_BOLD);
	PUT("orbit %zu", i);
	attroff(A_BOLD);
	PUT("order %zu   radius %.4f Å   longest distance %.4f Å", o->order, o->radius,
	    o->max_distance);
	PUT("clusters per cell %zu   allowed permutations %zu", o->n_clusters, o->n_perms);
	PUT("parameters %zu..%zu", o->first_param, o->first_param + o->n_params - 1);
	y++;
	if (o->order > 0) {
		attron(A_BOLD);
		PUT("representative cluster");
		attroff(A_BOLD);
		for (size_t s = 0; s < o->order; s++) {
			double p[3];
			char sp_buf[96];
			const cewb_lsite *ls = &o->clusters[s];
			cewb_lsite_position(sp->lattice, ls, p);
			site_species(sp->lattice, ls->site, sp_buf, sizeof sp_buf);
			PUT(" %zu: site %d [%d %d %d]  (%8.4f %8.4f %8.4f)  %s", s, ls->site,
			    ls->off[0], ls->off[1], ls->off[2], p[0], p[1], p[2], sp_buf);
		}
		if (o->order > 1) {
			char *q = line;
			size_t left = sizeof line;
			int n = snprintf(q, left, " distances");
			q += n;
			left -= (size_t)n;
			for (size_t s = 0; s < o->order; s++)
				for (size_t t = s + 1; t < o->order && left > 16; t++) {
					double p1[3], p2[3], d;
					cewb_lsite_position(sp->lattice, &o->clusters[s], p1);
					cewb_lsite_position(sp->lattice, &o->clusters[t], p2);
					d = sqrt((p1[0] - p2[0]) * (p1[0] - p2[0]) +
						 (p1[1] - p2[1]) * (p1[1] - p2[1]) +
						 (p1[2] - p2[2]) * (p1[2] - p2[2]));
					n = snprintf(q, left, " %.3f", d);
					q += n;
					left -= (size_t)n;
				}
			if (y < y0 + h)
				mvaddnstr(y++, x, line, w);
		}
		y++;
	}
	attron(A_BOLD);
	PUT("parameters");
	attroff(A_BOLD);
	for (size_t p = 0; p < o->n_params; p++) {
		char mc[64] = "", val[64] = "";
		size_t n = 0;
		for (size_t s = 0; s < o->order && n + 4 < sizeof mc; s++)
			n += (size_t)snprintf(mc + n, sizeof mc - n, "%s%d", s ? "," : "",
					      o->mc[p * o->order + s]);
		if (b->eci && b->eci_std)
			snprintf(val, sizeof val, "%+.6g ± %.2g", b->eci[o->first_param + p],
				 b->eci_std[o->first_param + p]);
		else if (b->eci)
			snprintf(val, sizeof val, "%+.6g", b->eci[o->first_param + p]);
		else
			snprintf(val, sizeof val, "(no fit)");
		PUT(" %zu  [%s]  multiplicity %zu  ECI %s", o->first_param + p, mc,
		    o->multiplicity[p], val);
	}
#undef PUT
}

/* The help overlay. */
static void draw_help(int h, int w)
{
	static const char *const lines[] = {
		"orbit browser",
		"",
		"  Up/Down, j/k     move",
		"  PgUp/PgDn        page",
		"  Home/End, g/G    first / last",
		"  s                sort: index, radius, |ECI|",
		"  1..9             only orbits of that order",
		"  0                all orders",
		"  ?                this help",
		"  q                leave",
		"",
		"press any key",
	};
	int n = (int)(sizeof lines / sizeof lines[0]), bw = 48, y0, x0;
	if (bw > w - 2)
		bw = w - 2;
	y0 = (h - n) / 2 - 1;
	x0 = (w - bw) / 2;
	if (y0 < 0)
		y0 = 0;
	if (x0 < 0)
		x0 = 0;
	for (int i = 0; i < n + 2 && y0 + i < h; i++) {
		move(y0 + i, x0);
		for (int j = 0; j < bw; j++)
			addch(' ' | A_REVERSE);
	}
	attron(A_REVERSE);
	for (int i = 0; i < n && y0 + 1 + i < h; i++)
		mvaddnstr(y0 + 1 + i, x0 + 2, lines[i], bw - 4);
	attroff(A_REVERSE);
}

/* Draw the whole screen. */
static void draw(struct browser *b)
{
	int h, w, list_w, list_h;
	char line[256];
	getmaxyx(stdscr, h, w);
	erase();
	list_w = w > 100 ? 52 : w / 2;
	list_h = h - 3;
	if (list_h < 1 || w < 20) {
		mvaddnstr(0, 0, "window too small", w);
		refresh();
		return;
	}
	if (b->sel < b->top)
		b->top = b->sel;
	if (b->sel >= b->top + (size_t)list_h)
		b->top = b->sel - (size_t)list_h + 1;
	attron(A_BOLD);
	snprintf(line, sizeof line, "%5s %5s %8s %6s %4s %10s", "orbit", "order", "radius",
		 "mult", "npar", b->eci ? "|ECI| eV" : "");
	mvaddnstr(0, 0, line, list_w);
	attroff(A_BOLD);
	for (int r = 0; r < list_h && b->top + (size_t)r < b->n_rows; r++) {
		size_t i = b->rows[b->top + (size_t)r];
		const cewb_orbit *o = &b->sp->orbits[i];
		char e[32] = "";
		if (b->eci)
			snprintf(e, sizeof e, "%10.3g", orbit_eci(b, i));
		snprintf(line, sizeof line, "%5zu %5zu %8.4f %6zu %4zu %10s", i, o->order,
			 o->radius, o->multiplicity[0], o->n_params, e);
		if (b->top + (size_t)r == b->sel)
			attron(A_REVERSE);
		else if (b->color && has_colors())
			attron(COLOR_PAIR((short)(1 + o->order % 6)));
		mvaddnstr(1 + r, 0, line, list_w);
		attroff(A_REVERSE);
		if (b->color && has_colors())
			attroff(COLOR_PAIR((short)(1 + o->order % 6)));
	}
	for (int y = 0; y < h - 2; y++)
		mvaddch(y, list_w, ACS_VLINE);
	if (b->n_rows)
		draw_detail(b, b->rows[b->sel], 0, list_w + 2, h - 2, w - list_w - 2);
	attron(A_REVERSE);
	move(h - 1, 0);
	for (int j = 0; j < w; j++)
		addch(' ');
	snprintf(line, sizeof line,
		 " %zu/%zu orbits  sort: %s  order: %s%.0zu   ? help  q quit", b->n_rows ?
		 b->sel + 1 : 0, b->n_rows, sort_names[b->sort], b->order_filter ? "" : "all",
		 b->order_filter);
	mvaddnstr(h - 1, 0, line, w);
	attroff(A_REVERSE);
	if (b->help)
		draw_help(h, w);
	refresh();
}

int view_orbits(const cewb_space *sp, const double *eci, const double *eci_std, int color,
		char *err, size_t errlen)
{
	struct browser b;
	int ch, page;
	char saved_ctype[64];
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "the orbit browser needs a terminal; 'orbits' prints the "
			 "table (with --order, --sort, --json)");
		return -1;
	}
	memset(&b, 0, sizeof b);
	b.sp = sp;
	b.eci = eci;
	b.eci_std = eci_std;
	b.color = color;
	b.rows = malloc(sp->n_orbits * sizeof *b.rows);
	if (!b.rows) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rebuild(&b);
	/* Wide characters (Å, ±, line drawing) need the user's character type. */
	{
		const char *old = setlocale(LC_CTYPE, NULL);
		snprintf(saved_ctype, sizeof saved_ctype, "%s", old ? old : "C");
		setlocale(LC_CTYPE, "");
	}
	if (!initscr()) {
		setlocale(LC_CTYPE, saved_ctype);
		free(b.rows);
		snprintf(err, errlen, "cannot start the terminal screen");
		return -1;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (color && has_colors()) {
		static const short fg[6] = { COLOR_WHITE, COLOR_CYAN,	 COLOR_GREEN,
					     COLOR_YELLOW, COLOR_MAGENTA, COLOR_RED };
		start_color();
		use_default_colors();
		for (short i = 0; i < 6; i++)
			init_pair((short)(i + 1), fg[i], -1);
	}
	for (;;) {
		draw(&b);
		ch = getch();
		page = LINES - 4 > 1 ? LINES - 4 : 1;
		if (b.help) {
			b.help = 0;
			continue;
		}
		if (ch == 'q' || ch == 'Q' || ch == 27)
			break;
		switch (ch) {
		case KEY_UP:
		case 'k':
			if (b.sel > 0)
				b.sel--;
			break;
		case KEY_DOWN:
		case 'j':
			if (b.sel + 1 < b.n_rows)
				b.sel++;
			break;
		case KEY_PPAGE:
			b.sel = b.sel > (size_t)page ? b.sel - (size_t)page : 0;
			break;
		case KEY_NPAGE:
			b.sel += (size_t)page;
			if (b.sel >= b.n_rows)
				b.sel = b.n_rows ? b.n_rows - 1 : 0;
			break;
		case KEY_HOME:
		case 'g':
			b.sel = 0;
			break;
		case KEY_END:
		case 'G':
			b.sel = b.n_rows ? b.n_rows - 1 : 0;
			break;
		case 's':
			b.sort = (enum sort_key)((b.sort + 1) % SORT_N);
			rebuild(&b);
			break;
		case '?':
			b.help = 1;
			break;
		case KEY_RESIZE:
			break;
		default:
			if (ch >= '0' && ch <= '9') {
				b.order_filter = (size_t)(ch - '0');
				rebuild(&b);
				if (!b.n_rows) {
					b.order_filter = 0;
					rebuild(&b);
				}
			}
			break;
		}
	}
	endwin();
	setlocale(LC_CTYPE, saved_ctype);
	free(b.rows);
	return 0;
}
