/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * No printer: the default for every board. It opens, so a board without a
 * printer needs no special case in firmware, and says offline when asked.
 */
#include "printer.h"

#include <errno.h>
#include <stdlib.h>

struct printer_none {
	int unused;
};

static int printer_none_open(const struct hal_env *env, const struct board *board,
			     const struct printer_events *events, void *data, void **ret,
			     struct file_error *err)
{
	struct printer_none *p = calloc(1, sizeof(*p));

	if (!p) {
		file_error_set(err, board->path, 0, "printer: out of memory");
		return -ENOMEM;
	}
	*ret = p;
	return 0;
}

static void printer_none_close(void *handle)
{
	free(handle);
}

static int printer_none_print(void *handle, const uint8_t *bytes, size_t len)
{
	return -ENODEV;
}

static int printer_none_status(void *handle, struct printer_status *ret)
{
	ret->state = PRINTER_OFFLINE;
	return 0;
}

const struct printer_ops printer_none_ops = {
	.name = "none",
	.open = printer_none_open,
	.close = printer_none_close,
	.print = printer_none_print,
	.status = printer_none_status,
};
