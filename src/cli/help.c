/* help.c - find and show help pages; list commands from the table. */
#include "config.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cmd.h"
#include "help.h"

/* Is path an existing directory? */
static int is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Directory of the help pages: $CEWB_HELPDIR, the source tree's, or the installed one. */
const char *help_dir(void)
{
	static char dir[PATH_MAX];
	if (dir[0])
		return dir;
	const char *env = getenv("CEWB_HELPDIR");
	if (env && *env) {
		snprintf(dir, sizeof dir, "%s", env);
		return dir;
	}
	/* A binary next to libcewb.la runs from the build tree. */
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	int in_build = 0;
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			char probe[PATH_MAX + 16];
			*slash = '\0';
			snprintf(probe, sizeof probe, "%s/libcewb.la", exe);
			in_build = access(probe, F_OK) == 0;
		}
	}
	if (in_build && is_dir(CEWB_SRC_HELPDIR))
		snprintf(dir, sizeof dir, "%s", CEWB_SRC_HELPDIR);
	else if (is_dir(CEWB_HELPDIR))
		snprintf(dir, sizeof dir, "%s", CEWB_HELPDIR);
	else
		snprintf(dir, sizeof dir, "%s", CEWB_SRC_HELPDIR);
	return dir;
}

/* Contents of help/<page>.txt as a new string, or NULL when missing. */
char *help_page_text(const char *page)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s.txt", help_dir(), page);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[4096];
	size_t k;
	while (mem && (k = fread(chunk, 1, sizeof chunk, fp)) > 0)
		fwrite(chunk, 1, k, mem);
	if (mem)
		fclose(mem);
	fclose(fp);
	return buf;
}

/* Print the command list grouped by purpose. */
void help_print_index(FILE *fp)
{
	size_t n = cmd_count();
	const char *done[32];
	size_t n_done = 0;
	for (size_t i = 0; i < n; i++) {
		const char *g = cmd_at(i)->group;
		int seen = 0;
		for (size_t k = 0; k < n_done; k++)
			if (strcmp(done[k], g) == 0)
				seen = 1;
		if (seen || n_done == 32)
			continue;
		done[n_done++] = g;
		fprintf(fp, "%s%s:\n", n_done > 1 ? "\n" : "", g);
		for (size_t j = i; j < n; j++) {
			const struct cmd_entry *e = cmd_at(j);
			if (strcmp(e->group, g) == 0)
				fprintf(fp, "  %-18s %s\n", e->name, e->summary);
		}
	}
	fputs("\nType 'help COMMAND' for its page, 'help language' for the command language,\n"
	      "'help model' (data, fit, prior, plot, fce, phonons, session) for a group,\n"
	      "'help safety' for what scripts and replays may do;\n"
	      "commands and options may be abbreviated to a unique prefix.\n", fp);
}
