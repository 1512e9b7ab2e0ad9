/* repl.h - the interactive prompt (GNU Readline). */
#ifndef CEWB_CLI_REPL_H
#define CEWB_CLI_REPL_H

#include "session.h"

/* Install the SIGINT handler that sets cewb_interrupt_flag, and SIGTERM /
 * SIGHUP handlers that remove temporary files of writes before ending. */
void repl_install_signals(void);

/*
 * Read commands at the prompt "cewb> " until quit or Ctrl-D; history in
 * $HOME/.cewb_history (at most 1000 lines), tab completion from the command
 * table and the session.  Returns the status of the last command.
 */
int repl_run(struct session *s);

#endif
