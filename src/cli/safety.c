/* safety.c - what a command may write (safety.h). */
#include "config.h"
#include <string.h>
#include <sys/stat.h>
#include "cmd.h"
#include "session.h"
#include "safety.h"

/* Is path relative and does it stay below the working directory? */
int cli_path_is_local(const char *path)
{
	if (!path || !*path || path[0] == '/' || path[0] == '~')
		return 0;
	long depth = 0;
	const char *p = path;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			depth--;
		else if (n > 0 && !(n == 1 && p[0] == '.'))
			depth++;
		if (depth < 0)
			return 0;
		p += n;
		while (*p == '/')
			p++;
	}
	return 1;
}

/* May the current command write path?  See safety.h. */
int cli_may_write(struct session *s, const char *path, int force)
{
	struct stat st;
	if (!path || !*path)
		return cmd_fail(s, "no file name given");
	if (s->replay_depth > 0 && !s->trust && !cli_path_is_local(path))
		return cmd_fail(s, "%s: refused while replaying, it is outside the working "
				"directory (use --trust)", path);
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return cmd_fail(s, "%s is a directory", path);
		if (!force)
			return cmd_fail(s, "%s exists: add --force to overwrite it", path);
	}
	return 0;
}
