/* help.h - help pages (help/<page>.txt) and the generated command lists. */
#ifndef CEWB_CLI_HELP_H
#define CEWB_CLI_HELP_H

#include <stdio.h>

/* Directory of the help pages: $CEWB_HELPDIR, else the source tree's when
 * running from the build tree, else the installed one. */
const char *help_dir(void);
/* Contents of help/<page>.txt as a new string, or NULL when missing. */
char *help_page_text(const char *page);
/* Print the command list grouped by purpose. */
void help_print_index(FILE *fp);

#endif
