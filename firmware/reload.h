/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What of a reloaded configuration a running circd takes: everything a
 * running kiosk can apply at once. What it cannot is put back to the
 * running value in the new configuration, so one struct config is always
 * what is in force. Pure: nothing logged, nothing freed; the caller says
 * what was kept (circd_reload() in reload.c).
 */
#ifndef CIRCD_RELOAD_H
#define CIRCD_RELOAD_H

#include <stdbool.h>

struct config;

/*
 * Mode, board, store and sockets need a restart: next gets running's.
 * board_overridden: the board came from the command line, so a new
 * board = in next is no change. Returns whether next asked for one.
 */
bool reload_keep_restart_only(const struct config *running, struct config *next,
			      bool board_overridden);

/* The ILS link keeps its connection and its copy of [sip2]: the same for those. */
bool reload_keep_link(const struct config *running, struct config *next);

#endif
