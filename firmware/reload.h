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
#include <stddef.h>

struct config;

/*
 * What needs a restart (the config key table's reload policy: mode, board,
 * store, sockets, the ILS link) gets running's value in next. board_overridden:
 * the board came from the command line, so a new board = in next is no change.
 * Returns how many such keys next asked to change, named in why (never their
 * values: some are passwords).
 */
int reload_keep_restart_keys(const struct config *running, struct config *next,
			     bool board_overridden, char *why, size_t size);

#endif
