/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes sim_command_parse() in both the socket and the terminal grammar and
 * checks what a successful parse promises its handlers.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../hal/sim.h"

/* What the rfid sim relies on: a named target and a tag of whole blocks. */
static void check_tag(const struct sim_command *cmd)
{
	size_t target_len = strnlen(cmd->target, sizeof(cmd->target));

	if (target_len == 0 || target_len == sizeof(cmd->target) || strchr(cmd->target, ' '))
		abort();
	switch (cmd->tag_action) {
	case SIM_TAG_PLACE:
		if (cmd->tag.block_size < 1 || cmd->tag.block_size > RFID_BLOCK_SIZE_MAX ||
		    cmd->tag.mem_len == 0 || cmd->tag.mem_len > SIM_TAG_MEM_MAX ||
		    cmd->tag.mem_len % cmd->tag.block_size)
			abort();
		break;
	case SIM_TAG_REMOVE:
		break;
	case SIM_TAG_FAULT:
		if (cmd->fault > SIM_FAULT_MISS)
			abort();
		break;
	default:
		abort();
	}
}

static void check_one(const uint8_t *data, size_t size, bool terminal)
{
	struct sim_command cmd;
	const char *why = NULL;
	size_t len, i;
	int r;

	r = sim_command_parse((const char *)data, size, terminal, &cmd, &why);
	if (r < 0) {
		if (r != -EINVAL || !why || !*why || cmd.text[0])
			abort();
		return;
	}
	if (r != 0 || why)
		abort();
	len = strnlen(cmd.text, sizeof(cmd.text));
	if (len == sizeof(cmd.text))
		abort();
	switch (cmd.cmd) {
	case SIM_CMD_SCAN:
		if (len == 0 || board_role_kind(cmd.role) != ROLE_KIND_SCANNER)
			abort();
		for (i = 0; i < len; i++)
			if (cmd.text[i] < 0x20 || cmd.text[i] > 0x7e)
				abort();
		break;
	case SIM_CMD_PIN:
		if (len == 0 || len > 16 || strspn(cmd.text, "0123456789") != len)
			abort();
		break;
	case SIM_CMD_INPUT:
		if (board_role_kind(cmd.role) != ROLE_KIND_INPUT)
			abort();
		break;
	case SIM_CMD_ADVANCE:
		if (cmd.ms > (1ull << 40))
			abort();
		break;
	case SIM_CMD_WALL:
		/* ms since the epoch, up to past the year 3000; synced or not */
		if (cmd.ms > (1ull << 45))
			abort();
		break;
	case SIM_CMD_PING:
	case SIM_CMD_WEDGE:
		break;
	case SIM_CMD_TAG:
		check_tag(&cmd);
		break;
	case SIM_CMD_PRINTER_STATUS:
		if ((unsigned)cmd.printer_state >= PRINTER_STATE__COUNT)
			abort();
		break;
	case SIM_CMD_SCANNER_ATTACHED:
		if (board_role_kind(cmd.role) != ROLE_KIND_SCANNER)
			abort();
		break;
	default:
		abort();
	}
	/* Only a bare line at the terminal may parse without a command word. */
	if (!terminal && size < 4)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_one(data, size, false);
	check_one(data, size, true);
	return 0;
}
