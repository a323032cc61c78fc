/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a kiosk needs of its board: the roles its mode cannot work without,
 * the outputs its feedback patterns drive, a keypad when it asks for PINs.
 * Checked at start-up and again before a reloaded configuration is taken.
 */
#include "kiosk.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "board.h"
#include "hal.h"
#include "util.h"

static const enum board_role selfcheck_roles[] = { ROLE_ITEM_SCANNER };
/* A returns bin takes items in through its flap and must know when it is full. */
static const enum board_role returns_roles[] = { ROLE_ITEM_SCANNER, ROLE_FLAP_UNLOCK,
						 ROLE_BIN_FULL };

static const struct {
	const enum board_role *roles;
	size_t n;
} mode_roles[] = {
	[KIOSK_SELFCHECK] = { selfcheck_roles, ARRAY_SIZE(selfcheck_roles) },
	[KIOSK_RETURNS] = { returns_roles, ARRAY_SIZE(returns_roles) },
};

int kiosk_board_fits(const struct board *board, const struct config *cfg, struct file_error *err)
{
	const struct display_ops *display = hal_display_backend(board->display_backend);
	unsigned kind, t;
	int r;

	/* A PIN asked for on a screen without a keypad would hold every session up. */
	if (cfg->require_pin && cfg->mode != KIOSK_RETURNS && display && !display->keypad) {
		file_error_set(err, cfg->path, 0,
			       "[kiosk] require_pin = yes needs a display that takes PINs; %s has "
			       "display = %s",
			       board->path, board->display_backend);
		return -EINVAL;
	}
	/* Only a screen that shows the whole session can ask the patron about a receipt. */
	if (cfg->receipt_policy == RECEIPT_ASK && cfg->mode == KIOSK_SELFCHECK && display &&
	    !display->state) {
		file_error_set(err, cfg->path, 0,
			       "[receipt] policy = ask needs the touch screen (display = web); %s has "
			       "display = %s",
			       board->path, board->display_backend);
		return -EINVAL;
	}
	if ((unsigned)cfg->mode >= ARRAY_SIZE(mode_roles)) {
		file_error_set(err, cfg->path, 0, "unknown mode %d", (int)cfg->mode);
		return -EINVAL;
	}
	r = board_require(board, mode_roles[cfg->mode].roles, mode_roles[cfg->mode].n, err);
	if (r < 0)
		return r;
	for (kind = 0; kind < FEEDBACK__COUNT; kind++) {
		const struct feedback_pattern *p = &cfg->feedback[kind];

		/* Only a returns bin has a flap to release. */
		if (kind == FEEDBACK_ACCEPT && cfg->mode != KIOSK_RETURNS)
			continue;

		for (t = 0; t < p->n_tracks; t++) {
			r = board_require(board, &p->tracks[t].role, 1, err);
			if (r < 0) {
				snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
					 " (used by [feedback] %s in %s)", feedback_kind_name(kind),
					 cfg->path);
				return r;
			}
		}
	}
	return 0;
}
