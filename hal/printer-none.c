/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * No printer: the default for every board. It opens, so a board without a
 * printer needs no special case in firmware, and -ENODEV answers the rest.
 */
#include "printer.h"

#include <errno.h>

/* Nothing to keep: every board without a printer shares this handle. */
static char no_printer;

static int printer_none_open(const struct hal_env *env, const struct board *board, void **ret,
			     struct file_error *err)
{
	*ret = &no_printer;
	return 0;
}

static void printer_none_close(void *handle)
{
}

static int printer_none_print(void *handle, const uint8_t *bytes, size_t len)
{
	return -ENODEV;
}

static int printer_none_status(void *handle, struct printer_status *ret)
{
	return -ENODEV;
}

const struct printer_ops printer_none_ops = {
	.name = "none",
	.open = printer_none_open,
	.close = printer_none_close,
	.print = printer_none_print,
	.status = printer_none_status,
};
