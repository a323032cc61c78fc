/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * No patron screen: for real boards until one has a display backend of its
 * own. Each text goes to the report sink, so staff can read in the log what
 * a patron would have seen: refusals and notices at info, the rest at debug,
 * as greetings carry patrons' names and confirmations and receipts the
 * titles they borrow, which a library keeps private. There is no keypad, so
 * a board with this display cannot take PINs (firmware refuses require_pin
 * with it).
 */
#include "display.h"

#include <errno.h>
#include <stdlib.h>

struct display_none {
	struct hal_env env;
};

static int display_none_open(const struct hal_env *env, const struct board *board,
			     const struct display_config *cfg,
			     const struct display_events *events, void *data, void **ret,
			     struct file_error *err)
{
	struct display_none *d = calloc(1, sizeof(*d));

	if (!d) {
		file_error_set(err, board->path, 0, "display: out of memory");
		return -ENOMEM;
	}
	d->env = *env;
	*ret = d;
	return 0;
}

static void display_none_close(void *handle)
{
	free(handle);
}

static int display_none_show(void *handle, enum display_kind kind, const char *text)
{
	struct display_none *d = handle;

	if ((int)kind < DISPLAY_INFO || kind > DISPLAY_RECEIPT || !text)
		return -EINVAL;
	display_report(&d->env, kind == DISPLAY_ERROR || kind == DISPLAY_NOTICE ?
					HAL_LEVEL_INFO : HAL_LEVEL_DEBUG, kind, text);
	return 0;
}

const struct display_ops display_none_ops = {
	.name = "none",
	.keypad = false,
	.open = display_none_open,
	.close = display_none_close,
	.show = display_none_show,
};
