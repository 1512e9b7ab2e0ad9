/*
 * tests/test_plot.c - the gnuplot pipe and the terminal heat map.
 *
 * Every plot kind is written as PNG (and SVG) into a temporary directory
 * and checked to be a real, non-blank image of the requested size; text
 * plots are checked for their title and axes; hostile titles and file names
 * must never make gnuplot run a command; a missing, failing, hanging or
 * early-exiting gnuplot (simulated through CEWB_GNUPLOT) gives a clear
 * message and the data table.  Set CEWB_PLOT_KEEP=1 to keep the directory.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../src/plot/plot.h"
#include "tap.h"

static char dir[256];
static int have_gnuplot;

/* Report a test as skipped. */
static void skip(const char *why, const char *name)
{
	tap_n++;
	printf("ok %d - %s # skip %s\n", tap_n, name, why);
}

/* The contents of path (NUL-terminated) and its size, or NULL. */
static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *s;
	long len;

	*n = 0;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	s = malloc((size_t)len + 1);
	if (s && fread(s, 1, (size_t)len, f) != (size_t)len) {
		free(s);
		s = NULL;
	}
	fclose(f);
	if (s) {
		s[len] = '\0';
		*n = (size_t)len;
	}
	return s;
}

/* A big-endian 32-bit number. */
static unsigned long be32(const unsigned char *p)
{
	return ((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) |
	       ((unsigned long)p[2] << 8) | p[3];
}

/*
 * Check the PNG signature and IHDR; return the total size of the IDAT
 * chunks (compressed pixels: a blank image compresses to almost nothing),
 * or 0 when the file is not a PNG of width x height.
 */
static size_t png_idat(const char *path, unsigned long width, unsigned long height,
		       size_t *file_size)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	size_t n, pos = 8, idat = 0;
	unsigned char *s = slurp(path, &n);

	*file_size = n;
	if (!s || n < 33 || memcmp(s, sig, 8) != 0 || memcmp(s + 12, "IHDR", 4) != 0 ||
	    be32(s + 16) != width || be32(s + 20) != height) {
		free(s);
		return 0;
	}
	while (pos + 12 <= n) {
		unsigned long len = be32(s + pos);

		if (memcmp(s + pos + 4, "IDAT", 4) == 0)
			idat += len;
		pos += 12 + len;
	}
	free(s);
	return idat;
}

/* Number of occurrences of needle in the file path. */
static int count_in_file(const char *path, const char *needle)
{
	size_t n;
	unsigned char *s = slurp(path, &n);
	const char *p;
	int c = 0;

	if (!s)
		return -1;
	for (p = (const char *)s; (p = strstr(p, needle)); p++)
		c++;
	free(s);
	return c;
}

/* Whether path exists. */
static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Data shared by the plots: a learning curve from 3 repeats of 6 sizes. */
static const double lc_x[6] = { 10, 20, 40, 80, 160, 320 };
static double lc_train[6], lc_train_std[6], lc_valid[6], lc_valid_std[6];

/* Fill the learning-curve data from deterministic repeats. */
static void make_curve(void)
{
	double tr[18], va[18];
	int i, j;

	for (i = 0; i < 6; i++) {
		for (j = 0; j < 3; j++) {
			double noise = 0.1 * sin(7.3 * i + 2.1 * j);
			tr[i * 3 + j] = 4.0 - 2.5 / sqrt(lc_x[i]) + noise;
			va[i * 3 + j] = 4.5 + 30.0 / sqrt(lc_x[i]) + 3 * noise;
		}
	}
	plot_mean_std(6, 3, tr, lc_train, lc_train_std);
	plot_mean_std(6, 3, va, lc_valid, lc_valid_std);
}

/* ECI data: 30 orbits of orders 0..4 with decaying ECIs. */
static double eci_r[30], eci_v[30], eci_s[30];
static int eci_o[30];

/* Fill the ECI data. */
static void make_eci(void)
{
	int i;

	for (i = 0; i < 30; i++) {
		eci_o[i] = i == 0 ? 0 : i == 1 ? 1 : i < 14 ? 2 : i < 24 ? 3 : 4;
		eci_r[i] = eci_o[i] < 2 ? 0 : 1.0 + 0.3 * (i % 10) + 0.2 * eci_o[i];
		eci_v[i] = (i == 0 ? -20 : 30) * exp(-eci_r[i]) * cos(1.7 * i);
		eci_s[i] = 0.2 + 0.1 * (i % 3);
	}
}

/* Parity data: 40 structures, every fourth a validation point. */
static double par_t[40], par_p[40];
static unsigned char par_v[40];

/* Fill the parity data. */
static void make_parity(void)
{
	int i;

	for (i = 0; i < 40; i++) {
		par_t[i] = -0.1 + 0.005 * i + 0.01 * sin(i);
		par_p[i] = par_t[i] + 0.004 * sin(3.1 * i) * (i % 4 == 0 ? 2 : 1);
		par_v[i] = i % 4 == 0;
	}
}

/* Correlations: an n x n matrix with bands of strong positive and negative r. */
static double *make_corr(size_t n)
{
	double *r = malloc(n * n * sizeof *r);
	size_t i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			r[i * n + j] = i == j ? 1.0 : cos(0.9 * ((double)i - (double)j)) *
						  exp(-0.1 * fabs((double)i - (double)j));
	return r;
}

/* Singular values: a decaying spectrum with one zero. */
static double sv[25];

/* Draw the plot kind `kind` with options o. */
static cewb_status draw(int kind, const plot_options *o, plot_result *res, cewb_error *err)
{
	plot_curve c = { 6, lc_x, lc_train, lc_train_std, lc_valid, lc_valid_std };
	static const double alphas[6] = { 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1 };
	static const double cut[6] = { 4, 5, 6, 7, 8, 9 };
	cewb_status st = CEWB_OK;
	double *r;

	switch (kind) {
	case 0:
		return plot_learning_curve(&c, o, res, err);
	case 1:
		c.x = cut;
		return plot_convergence(&c, o, res, err);
	case 2:
		c.x = alphas;
		c.train_std = NULL;
		return plot_path(&c, PLOT_PATH_ALPHA, 1e-3, o, res, err);
	case 3:
		c.x = lc_x;
		return plot_path(&c, PLOT_PATH_THRESHOLD, 80, o, res, err);
	case 4:
		return plot_eci(30, eci_r, eci_v, eci_s, eci_o, o, res, err);
	case 5:
		return plot_parity(40, par_t, par_p, par_v, o, res, err);
	case 6:
		return plot_spectrum(25, sv, o, res, err);
	case 7:
		c.x = cut;
		c.train = NULL;
		return plot_path(&c, PLOT_PATH_FEATURES, 6, o, res, err);
	default:
		r = make_corr(40);
		st = plot_correlations(40, r, o, res, err);
		free(r);
		return st;
	}
}

#define N_KINDS 9
static const char *const kind_names[N_KINDS] = { "learning-curve", "convergence",
						 "lasso-path", "ardr-path", "eci", "parity",
						 "spectrum", "features-path", "correlations" };

/* Every plot kind as PNG and SVG: real, sized, not blank. */
static void test_images(void)
{
	plot_options o = { 0 };
	plot_result res;
	cewb_error err;
	char path[512];
	size_t blank_idat, fsize, idat;
	int k;

	plot_result_init(&res);
	o.width = 640;
	o.height = 480;
	/* A blank image of the same size: nothing but the background. */
	snprintf(path, sizeof path, "%s/blank.png", dir);
	o.output = path;
	ok(plot_run("unset border\nunset tics\nunset key\nset xrange [0:1]\nset yrange [0:1]\n"
		    "plot 2 notitle\n", NULL, &o, &res, &err) == CEWB_OK, "blank reference image");
	blank_idat = png_idat(path, 640, 480, &fsize);
	ok(blank_idat > 0, "blank reference is a 640x480 PNG (%zu bytes of pixels)", blank_idat);
	for (k = 0; k < N_KINDS; k++) {
		cewb_status st;

		snprintf(path, sizeof path, "%s/%s.png", dir, kind_names[k]);
		o.output = path;
		st = draw(k, &o, &res, &err);
		if (!ok(st == CEWB_OK, "%s: PNG written", kind_names[k]))
			diag("%s", err.message);
		ok(res.dest == PLOT_TO_FILE && res.text == NULL, "%s: went to the file",
		   kind_names[k]);
		idat = png_idat(path, 640, 480, &fsize);
		ok(idat > 0, "%s: PNG signature and IHDR 640x480", kind_names[k]);
		/* A drawn plot has axes, text and data: many times the blank's pixels. */
		if (!ok(fsize > 8000 && idat > 4 * blank_idat, "%s: not blank", kind_names[k]))
			diag("file %zu bytes, IDAT %zu, blank IDAT %zu", fsize, idat, blank_idat);

		snprintf(path, sizeof path, "%s/%s.svg", dir, kind_names[k]);
		o.output = path;
		st = draw(k, &o, &res, &err);
		ok(st == CEWB_OK && count_in_file(path, "<svg") == 1 &&
		   count_in_file(path, "<path") + count_in_file(path, "<image") > 10,
		   "%s: SVG written with drawn elements", kind_names[k]);
		plot_result_release(&res);
	}
	snprintf(path, sizeof path, "%s/parity.pdf", dir);
	o.output = path;
	ok(draw(5, &o, &res, &err) == CEWB_OK && count_in_file(path, "%PDF") >= 1,
	   "parity: PDF written");
	/* A large matrix: through a temporary file, quickly, removed afterwards. */
	{
		double *r = make_corr(300), t0;
		struct timespec ts;
		DIR *d;
		struct dirent *de;
		int left = 0;
		const char *old_tmp = getenv("TMPDIR");
		char *saved = old_tmp ? strdup(old_tmp) : NULL;

		setenv("TMPDIR", dir, 1);
		snprintf(path, sizeof path, "%s/big.png", dir);
		o.output = path;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		t0 = ts.tv_sec + ts.tv_nsec * 1e-9;
		ok(plot_correlations(300, r, &o, &res, &err) == CEWB_OK &&
		   png_idat(path, 640, 480, &fsize) > 4 * blank_idat,
		   "300 x 300 correlation image");
		clock_gettime(CLOCK_MONOTONIC, &ts);
		diag("300 x 300 image in %.2f s", ts.tv_sec + ts.tv_nsec * 1e-9 - t0);
		d = opendir(dir);
		while (d && (de = readdir(d)))
			if (strncmp(de->d_name, "cewb-plot-", 10) == 0)
				left++;
		if (d)
			closedir(d);
		is_int(0, left, "no temporary file left behind");
		if (saved)
			setenv("TMPDIR", saved, 1);
		else
			unsetenv("TMPDIR");
		free(saved);
		free(r);
	}
	/* Upper-case extensions work too. */
	snprintf(path, sizeof path, "%s/UPPER.PNG", dir);
	o.output = path;
	ok(draw(6, &o, &res, &err) == CEWB_OK && png_idat(path, 640, 480, &fsize) > 0,
	   "upper-case .PNG extension");
	plot_result_release(&res);
}

/* Text plots: the dumb terminal at a given size, title and axes in place. */
static void test_text(void)
{
	plot_options o = { 0 };
	plot_result res;
	cewb_error err;
	int k;

	plot_result_init(&res);
	o.dest = PLOT_TO_TEXT;
	o.text_cols = 72;
	o.text_rows = 20;
	for (k = 0; k < N_KINDS - 1; k++) {
		cewb_status st = draw(k, &o, &res, &err);
		const char *t = res.text ? res.text : "";
		int lines = 0, widest = 0, w = 0;
		const char *p;

		for (p = t; *p; p++) {
			if (*p == '\n') {
				lines++;
				w = 0;
			} else if ((*p & 0xc0) != 0x80 && ++w > widest) {
				widest = w;
			}
		}
		if (!ok(st == CEWB_OK && res.dest == PLOT_TO_TEXT && res.text,
			"%s: text plot", kind_names[k]))
			diag("%s", err.message);
		ok(lines >= 15 && lines <= 20 && widest <= 72 && widest >= 60,
		   "%s: %d lines, %d columns fit 72x20", kind_names[k], lines, widest);
		ok(strstr(t, "+---") || strstr(t, "|"), "%s: axes drawn", kind_names[k]);
		if (k == 0)
			ok(strstr(t, "learning curve") && strstr(t, "training") &&
			   strstr(t, "validation") && strstr(t, "training structures"),
			   "learning curve: title, key and x label");
		if (k == 4)
			ok(strstr(t, "pairs") && strstr(t, "triplets") && strstr(t, "radius"),
			   "eci: one key entry per order");
		if (k == 5)
			ok(strstr(t, "parity") && strstr(t, "y = x") &&
			   strstr(t, "validation (RMSE"), "parity: title, diagonal and both sets");
		if (k == 6)
			ok(strstr(t, "rank 24 of 25") != NULL, "spectrum: rank in the title");
		plot_result_release(&res);
	}
	/* Correlations on a text destination give the heat map. */
	o.color = PLOT_COLOR_NONE;
	ok(draw(N_KINDS - 1, &o, &res, &err) == CEWB_OK && res.text && strstr(res.text, "|r|:"),
	   "correlations: text destination gives the heat map");
	plot_result_release(&res);
}

/* Hostile titles and file names: no command ever runs. */
static void test_hostile(void)
{
	plot_options o = { 0 };
	plot_result res;
	cewb_error err;
	char title[2048], touched[4][300], name[600];
	plot_curve c = { 6, lc_x, lc_train, lc_train_std, lc_valid, lc_valid_std };
	int i;
	cewb_status st;

	plot_result_init(&res);
	for (i = 0; i < 4; i++)
		snprintf(touched[i], sizeof touched[i], "%s/pwned%d", dir, i);
	snprintf(title, sizeof title,
		 "it's a \"test\" \\ back\\slash\\'\nset output '%s'\n"
		 "`touch %s` system(\"touch %s\") ' . system(\"touch %s\") . ' "
		 "@GPVAL_TERM ^{x}_y&{z}",
		 touched[0], touched[1], touched[2], touched[3]);
	o.dest = PLOT_TO_TEXT;
	o.text_cols = 400;
	o.text_rows = 30;
	o.title = title;
	o.xlabel = title;
	o.ylabel = "y'\nlabel";
	o.unit = "eV'`touch x`";
	st = plot_learning_curve(&c, &o, &res, &err);
	if (!ok(st == CEWB_OK && res.text, "hostile title drawn without error"))
		diag("%s", err.message);
	for (i = 0; i < 4; i++)
		ok(!exists(touched[i]), "hostile text ran no command (%d)", i);
	ok(res.text && strstr(res.text, "it's a \"test\" \\ back\\slash\\'"),
	   "quotes and backslashes appear literally in the title");
	ok(res.text && strstr(res.text, "@GPVAL_TERM ^{x}_y&{z}"),
	   "no macro or enhanced-text processing");
	plot_result_release(&res);

	/* A file name that gnuplot would take for a pipe. */
	if (chdir(dir) != 0)
		diag("chdir: %s", strerror(errno));
	snprintf(name, sizeof name, "|touch %s; cat > x.png", touched[0]);
	o.dest = PLOT_TO_AUTO;
	o.output = name;
	o.title = NULL;
	o.xlabel = NULL;
	o.ylabel = NULL;
	o.unit = NULL;
	st = plot_learning_curve(&c, &o, &res, &err);
	ok(!exists(touched[0]), "output '|cmd' opens no pipe");
	diag("status %d: %s", st, st ? err.message : "wrote a file of that name");
	o.output = "quote'name.png";
	st = plot_learning_curve(&c, &o, &res, &err);
	ok(st == CEWB_OK && exists("quote'name.png"), "a quote in the file name is kept");
	o.output = "bad\nname.png";
	st = plot_learning_curve(&c, &o, &res, &err);
	ok(st == CEWB_EINVAL, "newline in the file name refused");
	is_string("output file name contains a control character", err.message,
		  "message for the control character");
	plot_result_release(&res);
}

/*
 * With a display but a gnuplot without window terminals (as here), the
 * automatic destination falls back to a text plot; a correlation map then
 * becomes the heat map.
 */
static void test_display_fallback(void)
{
	plot_options o = { 0 };
	plot_result res;
	cewb_error err;
	cewb_status st;

	plot_result_init(&res);
	if (system(CEWB_GNUPLOT " -e \"exit (strstrt(GPVAL_TERMINALS, ' qt ') + "
		   "strstrt(GPVAL_TERMINALS, ' wxt ') + strstrt(GPVAL_TERMINALS, ' x11 ') > 0)\" "
		   ">/dev/null 2>&1") != 0) {
		skip("gnuplot has a window terminal", "fallback to text with a display");
		skip("gnuplot has a window terminal", "heat map with a display");
		return;
	}
	setenv("DISPLAY", ":77", 1);
	o.text_cols = 70;
	o.text_rows = 20;
	o.color = PLOT_COLOR_NONE;
	st = draw(6, &o, &res, &err);
	ok(st == CEWB_OK && res.dest == PLOT_TO_TEXT && res.text && strstr(res.text, "rank 24"),
	   "fallback to text with a display");
	st = draw(N_KINDS - 1, &o, &res, &err);
	ok(st == CEWB_OK && res.dest == PLOT_TO_TEXT && res.text && strstr(res.text, "|r|:"),
	   "heat map with a display");
	unsetenv("DISPLAY");
	plot_result_release(&res);
}

/* Write an executable shell script to dir/name; returns its path in out. */
static void script(const char *name, const char *body, char *out, size_t n_out)
{
	FILE *f;

	snprintf(out, n_out, "%s/%s", dir, name);
	f = fopen(out, "w");
	if (f) {
		fprintf(f, "#!/bin/sh\n%s\n", body);
		fclose(f);
	}
	chmod(out, 0755);
}

/* Seconds on a monotonic clock. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Missing, failing, hanging and early-exiting gnuplot. */
static void test_failures(void)
{
	plot_options o = { 0 };
	plot_result res;
	cewb_error err;
	plot_curve c = { 6, lc_x, lc_train, lc_train_std, lc_valid, lc_valid_std };
	char path[512];
	double t0, dt, *r;
	cewb_status st;

	plot_result_init(&res);
	o.dest = PLOT_TO_TEXT;
	o.text_cols = 80;
	o.text_rows = 24;

	setenv("CEWB_GNUPLOT", "/nonexistent/gnuplot", 1);
	st = plot_learning_curve(&c, &o, &res, &err);
	is_int(CEWB_EIO, st, "missing gnuplot: error status");
	is_string("cannot run gnuplot '/nonexistent/gnuplot': No such file or directory "
		  "(install gnuplot, or set CEWB_GNUPLOT to its path)", err.message,
		  "missing gnuplot: message");
	ok(res.text && strstr(res.text, "# learning curve") && strstr(res.text, "rmse_valid") &&
	   strstr(res.text, "320"), "missing gnuplot: the data table instead");
	ok(res.text && !strstr(res.text, "EOD"), "the table is not the script");

	script("hang.sh", "sleep 30", path, sizeof path);
	setenv("CEWB_GNUPLOT", path, 1);
	o.timeout_ms = 300;
	t0 = now();
	st = plot_learning_curve(&c, &o, &res, &err);
	dt = now() - t0;
	is_int(CEWB_EIO, st, "hanging gnuplot: error status");
	ok(dt < 3.0, "hanging gnuplot: stopped after %.2f s (timeout 0.3 s)", dt);
	ok(strstr(err.message, "did not finish within 0.3 s and was stopped") != NULL,
	   "hanging gnuplot: message");
	ok(res.text && strstr(res.text, "rmse_train"), "hanging gnuplot: data table");

	/* The interrupt flag (set by the CLI on Ctrl-C) stops a stuck gnuplot too. */
	cewb_interrupt_flag = 1;
	o.timeout_ms = 5000;
	t0 = now();
	st = plot_learning_curve(&c, &o, &res, &err);
	dt = now() - t0;
	cewb_interrupt_flag = 0;
	is_int(CEWB_EINTERRUPT, st, "interrupt: status");
	ok(dt < 1.0, "interrupt: stopped after %.2f s", dt);
	is_string("interrupted; gnuplot was stopped", err.message, "interrupt: message");
	o.timeout_ms = 300;

	/* A wrapper that reads its input and then hangs; the big input fits. */
	script("slow.sh", "cat > /dev/null; sleep 30", path, sizeof path);
	setenv("CEWB_GNUPLOT", path, 1);
	o.output = "slow.png";
	r = make_corr(150);
	t0 = now();
	st = plot_correlations(150, r, &o, &res, &err);
	dt = now() - t0;
	ok(st == CEWB_EIO && dt < 3.0, "gnuplot stuck after reading: stopped after %.2f s", dt);
	o.output = NULL;

	script("fail.sh",
	       "cat > /dev/null; echo '         line 7: undefined variable: x' >&2; exit 1",
	       path, sizeof path);
	setenv("CEWB_GNUPLOT", path, 1);
	o.timeout_ms = 5000;
	st = plot_learning_curve(&c, &o, &res, &err);
	is_int(CEWB_EIO, st, "failing gnuplot: error status");
	is_string("gnuplot failed: undefined variable: x", err.message, "failing gnuplot: message");
	ok(res.text && strstr(res.text, "rmse_train"), "failing gnuplot: data table");

	/*
	 * A gnuplot that opens a window: it answers and exits, but the window
	 * process it leaves behind keeps the pipes open.  The run must end at
	 * the exit, not wait for the pipes.
	 */
	script("window.sh", "cat > /dev/null; sleep 3 & echo 'CEWB-TERM qt' >&2; "
	       "echo 'CEWB-DONE 0' >&2; exit 0", path, sizeof path);
	setenv("CEWB_GNUPLOT", path, 1);
	setenv("DISPLAY", ":77", 1);
	o.dest = PLOT_TO_AUTO;
	o.timeout_ms = 2500;
	t0 = now();
	st = plot_learning_curve(&c, &o, &res, &err);
	dt = now() - t0;
	ok(st == CEWB_OK && res.dest == PLOT_TO_WINDOW && res.text == NULL,
	   "a window: reported as such, no text");
	ok(dt < 2.0, "a window process holding the pipes does not block (%.2f s)", dt);
	unsetenv("DISPLAY");
	o.dest = PLOT_TO_TEXT;
	o.timeout_ms = 5000;

	/* Exits without reading a large script: EPIPE, not death by SIGPIPE. */
	script("quit.sh", "exit 3", path, sizeof path);
	setenv("CEWB_GNUPLOT", path, 1);
	o.output = "quit.png";
	st = plot_correlations(150, r, &o, &res, &err);
	is_int(CEWB_EIO, st, "gnuplot exiting early: error status (we survived SIGPIPE)");
	ok(strncmp(err.message, "gnuplot '", 9) == 0, "gnuplot exiting early: message (%s)",
	   err.message);
	ok(strstr(err.message, "exit status 3") != NULL, "gnuplot exiting early: exit status");
	ok(res.text && strstr(res.text, "# correlation matrix (150 x 150)"),
	   "gnuplot exiting early: matrix table");
	o.output = NULL;
	free(r);
	unsetenv("CEWB_GNUPLOT");

	/* A script error inside a real gnuplot. */
	if (have_gnuplot) {
		st = plot_run("plot $nosuch using 1:2\n", "the table\n", &o, &res, &err);
		is_int(CEWB_EIO, st, "gnuplot script error: error status");
		ok(strcmp(err.message, "gnuplot failed: no datablock named $nosuch") == 0,
		   "gnuplot script error: gnuplot's message (%s)", err.message);
		is_string("the table\n", res.text, "gnuplot script error: the table");
	} else {
		skip("no gnuplot", "gnuplot script error");
	}
	plot_result_release(&res);
}

/* Argument errors, each with its message. */
static void test_errors(void)
{
	plot_options o = { 0 };
	plot_result res;
	cewb_error err;
	plot_curve c = { 0 };
	double x = 1, y = NAN;

	plot_result_init(&res);
	is_int(CEWB_EINVAL, plot_learning_curve(&c, &o, &res, &err), "empty curve refused");
	is_string("no data to plot", err.message, "empty curve message");
	c.n_points = 1;
	c.x = &x;
	is_int(CEWB_EINVAL, plot_convergence(&c, &o, &res, &err), "curve without errors");
	is_string("no training or validation errors to plot", err.message, "its message");
	c.valid = &y;
	is_int(CEWB_EINVAL, plot_path(&c, PLOT_PATH_ALPHA, NAN, &o, &res, &err),
	       "curve of NaN refused");
	is_string("no finite values to plot", err.message, "its message");
	is_int(CEWB_EINVAL, plot_eci(0, NULL, NULL, NULL, NULL, &o, &res, &err), "no ECIs");
	is_string("no ECIs to plot", err.message, "its message");
	{
		int ord = -1;
		is_int(CEWB_EINVAL, plot_eci(1, &x, &x, NULL, &ord, &o, &res, &err), "bad order");
		is_string("orbit 0 has order -1", err.message, "its message");
	}
	is_int(CEWB_EINVAL, plot_parity(1, &y, &x, NULL, &o, &res, &err), "parity of NaN");
	is_string("no finite predictions to plot", err.message, "its message");
	{
		double z = 0;
		is_int(CEWB_EINVAL, plot_spectrum(1, &z, &o, &res, &err), "spectrum of zeros");
		is_string("no positive singular value to plot on a log scale", err.message,
			  "its message");
	}
	is_int(CEWB_EINVAL, plot_correlations(0, NULL, &o, &res, &err), "empty correlations");
	is_string("no correlations to plot (the matrix is empty)", err.message, "its message");
	c.valid = lc_valid;
	o.output = "curve.gif";
	is_int(CEWB_EINVAL, plot_learning_curve(&c, &o, &res, &err), "unknown format refused");
	is_string("cannot tell the format of 'curve.gif' (use .png, .svg or .pdf)", err.message,
		  "its message");
	ok(res.text == NULL, "no table for a bad request");
	o.output = "a.png";
	o.width = 20000;
	is_int(CEWB_EINVAL, plot_learning_curve(&c, &o, &res, &err), "huge image refused");
	is_string("image size 20000x600 is too large", err.message, "its message");
	plot_result_release(&res);
}

/* Quoting, statistics and the heat map itself. */
static void test_units(void)
{
	char q[64], *text = NULL;
	double v[6] = { 1, 2, 3, NAN, NAN, NAN }, m[2], s[2];
	static const double r3[9] = { 1, 0.85, -0.5, 0.85, 1, 0.05, -0.5, 0.05, 1 };
	double *r;
	cewb_error err;
	size_t len;
	const char *p;
	int w, widest;

	len = plot_gp_quote(q, sizeof q, "it's");
	is_string("'it''s'", q, "quote doubled");
	is_int(7, (long)len, "quoted length");
	plot_gp_quote(q, sizeof q, "a\nb\tc`d`\\");
	is_string("'a b c`d`\\'", q, "controls become spaces, the rest stays");
	len = plot_gp_quote(q, 6, "abc'def");
	is_string("'abc'", q, "truncated string still closed");
	is_int(10, (long)len, "full length reported");
	plot_gp_quote(q, 6, "ab'cd");
	is_string("'ab'", q, "truncation never splits a doubled quote");

	/* Mean and sample standard deviation: 2 and 1 exactly. */
	plot_mean_std(2, 3, v, m, s);
	is_double(2.0, m[0], 1e-15, "mean of 1 2 3");
	is_double(1.0, s[0], 1e-15, "sample std of 1 2 3");
	ok(isnan(m[1]) && isnan(s[1]), "a row of NaN gives NaN");

	/* ASCII heat map of a 3 x 3 matrix: exact cells. */
	ok(plot_heatmap_text(3, r3, 80, PLOT_COLOR_NONE, &text, &err) == CEWB_OK,
	   "ASCII heat map");
	ok(text && strstr(text, "  0\n0 @@%%++\n1 %%@@  \n2 ++  @@\n") != NULL,
	   "cells: '@' for 1, '%%' for 0.85, '+' for -0.5, ' ' for 0.05");
	ok(text && strstr(text, "|r|: ' '<0.1 '.'>=0.1") != NULL, "ASCII legend");
	free(text);

	/* Colour: 256-colour and truecolor background cells. */
	plot_heatmap_text(3, r3, 80, PLOT_COLOR_256, &text, &err);
	ok(text && strstr(text, "\033[48;5;") && strstr(text, "\033[0m\n"), "256-colour cells");
	free(text);
	plot_heatmap_text(3, r3, 80, PLOT_COLOR_TRUE, &text, &err);
	ok(text && strstr(text, "\033[48;2;178;24;43m") && strstr(text, "\033[48;2;33;102;172m"),
	   "truecolor cells at the palette ends");
	free(text);

	/* 200 columns in 60 characters: blocks, every line fits. */
	r = make_corr(200);
	r[5 * 200 + 150] = r[150 * 200 + 5] = NAN;
	ok(plot_heatmap_text(200, r, 60, PLOT_COLOR_NONE, &text, &err) == CEWB_OK,
	   "heat map of 200 columns");
	for (p = text, w = 0, widest = 0; p && *p; p++) {
		if (*p == '\n')
			w = 0;
		else if (++w > widest && strncmp(p - w + 1, "|r|", 3) != 0 &&
			 strstr(p - w + 1, "block") != p - w + 1)
			widest = w;
	}
	ok(text && strstr(text, "one cell per 8 x 8 block"), "blocks of 8 x 8 (%s)",
	   text ? "aggregated" : "none");
	{
		/* Header, 25 rows of blocks, the block note and the legend. */
		int lines = 0;
		for (p = text; p && (p = strchr(p, '\n')); p++)
			lines++;
		is_int(28, lines, "25 rows of blocks");
	}
	{
		const char *line = text ? strchr(text, '\n') + 1 : NULL;
		const char *end = line ? strchr(line, '\n') : NULL;
		ok(end && end - line <= 60, "map rows fit 60 columns (%d)",
		   end ? (int)(end - line) : -1);
	}
	free(text);
	free(r);

	ok(plot_heatmap_text(0, NULL, 80, PLOT_COLOR_NONE, &text, &err) == CEWB_EINVAL,
	   "empty heat map refused");
	is_string("no correlations to draw (the matrix is empty)", err.message, "its message");
	ok(plot_color_detect(-1) == PLOT_COLOR_NONE, "no colour when not a terminal");
}

/* Remove the temporary directory unless asked to keep it. */
static void cleanup(void)
{
	char cmd[400];

	if (getenv("CEWB_PLOT_KEEP")) {
		diag("kept %s", dir);
		return;
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
}

/* Run every group of tests in a fresh temporary directory. */
int main(void)
{
	const char *tmp = getenv("TMPDIR");
	int i;

	unsetenv("DISPLAY");
	unsetenv("WAYLAND_DISPLAY");
	unsetenv("CEWB_GNUPLOT");
	unsetenv("CEWB_PLOT_TIMEOUT");
	snprintf(dir, sizeof dir, "%s/cewb-plot-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	have_gnuplot = system(CEWB_GNUPLOT " -e 'exit' >/dev/null 2>&1") == 0;
	make_curve();
	make_eci();
	make_parity();
	for (i = 0; i < 25; i++)
		sv[i] = i == 24 ? 0 : 50 * exp(-0.4 * i);

	test_units();
	test_errors();
	if (have_gnuplot) {
		test_images();
		test_text();
		test_hostile();
		test_display_fallback();
	} else {
		skip("no gnuplot", "images, text plots and hostile titles");
	}
	test_failures();
	cleanup();
	return done_testing();
}
