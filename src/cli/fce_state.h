/*
 * fce_state.h - the force-constant expansion of a session (cmd_fce.c).
 *
 * `fce space` makes s->fce; the force data loaded for it and the fit of
 * its parameters live here, apart from the cluster expansion.
 */
#ifndef CEWB_CLI_FCE_STATE_H
#define CEWB_CLI_FCE_STATE_H

#include <stddef.h>
#include "cewb/fc2.h"

struct session;
struct fce_state;

/*
 * The second-order force constants of the session's last force-constant
 * fit (borrowed; valid until the next fce command changes the fit), or
 * NULL with the reason in why (e.g. "no force-constant fit: ...").
 */
const cewb_fc2 *fce_session_fc2(struct session *s, char *why, size_t len);

#endif
