/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulated printer: print() becomes one "printer <hex bytes>" event on the
 * sim channel (the receipt's bytes are binary, and an event is one line), and
 * the channel's "printer-status <state>" command sets what status() answers
 * from then on; it starts ok. A receipt the state could not print is refused
 * with -EIO, as a real printer's would fail, so firmware that forgot to ask
 * first shows up in tests. It uses the sim channel of its env's loop, which
 * must exist; close this backend before freeing the sim channel.
 */
#include "printer.h"

#include <errno.h>
#include <stdlib.h>

#include "sim.h"

static const char hex_digits[] = "0123456789abcdef";

struct printer_sim {
	struct sim_channel *sim;
	struct printer_status status;
};

static int on_status_command(void *data, const struct sim_command *cmd)
{
	struct printer_sim *p = data;

	p->status.state = cmd->printer_state;
	return 0;
}

static int printer_sim_open(const struct hal_env *env, const struct board *board, void **ret,
			    struct file_error *err)
{
	struct sim_channel *sim = sim_channel_get(env);
	struct printer_sim *p;

	if (!sim) {
		file_error_set(err, board->path, 0, "printer = sim needs the sim channel");
		return -EINVAL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		file_error_set(err, board->path, 0, "printer: out of memory");
		return -ENOMEM;
	}
	p->sim = sim;
	p->status.state = PRINTER_OK;
	sim_channel_on(sim, SIM_CMD_PRINTER_STATUS, on_status_command, p);
	*ret = p;
	return 0;
}

static void printer_sim_close(void *handle)
{
	struct printer_sim *p = handle;

	if (!p)
		return;
	sim_channel_on(p->sim, SIM_CMD_PRINTER_STATUS, NULL, NULL);
	free(p);
}

static int printer_sim_print(void *handle, const uint8_t *bytes, size_t len)
{
	struct printer_sim *p = handle;
	char *hex;

	if (!bytes || len == 0)
		return -EINVAL;
	/* Cut events would be half receipts: refuse what one event line cannot carry. */
	if (len > SIM_PRINTER_BYTES_MAX)
		return -EMSGSIZE;
	if (!printer_state_can_print(p->status.state))
		return -EIO;
	hex = malloc(2 * len + 1);
	if (!hex)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		hex[2 * i] = hex_digits[bytes[i] >> 4];
		hex[2 * i + 1] = hex_digits[bytes[i] & 0xf];
	}
	hex[2 * len] = '\0';
	sim_channel_emit(p->sim, "printer %s", hex);
	free(hex);
	return 0;
}

static int printer_sim_status(void *handle, struct printer_status *ret)
{
	struct printer_sim *p = handle;

	*ret = p->status;
	return 0;
}

const struct printer_ops printer_sim_ops = {
	.name = "sim",
	.open = printer_sim_open,
	.close = printer_sim_close,
	.print = printer_sim_print,
	.status = printer_sim_status,
};
