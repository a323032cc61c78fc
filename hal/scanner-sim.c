/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulated scanners: the sim channel's "scan <role> <text>" command is a
 * symbol read by that role's device. The sim says nothing about symbology.
 * Close this backend before freeing the sim channel.
 */
#include "scanner.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct scanner_sim {
	struct sim_channel *sim;
	struct scanner_events events;
	void *data;
	bool present[ROLE__COUNT];
};

static int on_scan_command(void *data, const struct sim_command *cmd)
{
	struct scanner_sim *s = data;
	struct scan scan = { .symbology = SYM_UNKNOWN, .role = cmd->role };

	if ((int)cmd->role < 0 || cmd->role >= ROLE__COUNT || !s->present[cmd->role] ||
	    board_role_kind(cmd->role) != ROLE_KIND_SCANNER)
		return -ENOENT;
	scan.len = strnlen(cmd->text, SCAN_TEXT_MAX);
	memcpy(scan.text, cmd->text, scan.len);
	scan.text[scan.len] = '\0';
	if (s->events.scan)
		s->events.scan(s->data, &scan);
	return 0;
}

static int scanner_sim_open(const struct board *board, struct loop *loop,
			    struct sim_channel *sim, const struct scanner_events *events,
			    void *data, void **ret)
{
	struct scanner_sim *s;
	int i;

	if (!board || !sim)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sim = sim;
	if (events)
		s->events = *events;
	s->data = data;
	for (i = 0; i < ROLE__COUNT; i++)
		s->present[i] = board->roles[i].present;
	sim_channel_on(sim, SIM_CMD_SCAN, on_scan_command, s);
	*ret = s;
	return 0;
}

static void scanner_sim_close(void *handle)
{
	struct scanner_sim *s = handle;

	if (!s)
		return;
	sim_channel_on(s->sim, SIM_CMD_SCAN, NULL, NULL);
	free(s);
}

const struct scanner_ops scanner_sim_ops = {
	.name = "sim",
	.open = scanner_sim_open,
	.close = scanner_sim_close,
};
