/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulated scanners: the sim channel's "scan <role> <text>" command is a
 * symbol read by the first attached board scanner serving that role. The sim
 * says nothing about symbology. Its scanners start attached; "scanner-attached
 * <role> 0|1" unplugs the first one serving the role and plugs it back.
 * It uses the sim channel of its env's loop (hal/sim.h), which must exist.
 * Close this backend before freeing the sim channel.
 */
#include "scanner.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

struct scanner_sim {
	struct sim_channel *sim;
	struct scanner_events events;
	void *data;
	/* Copied, so the board may be freed while we run. */
	struct scanner_status status[BOARD_SCANNERS_MAX];
	bool items[BOARD_SCANNERS_MAX], patrons[BOARD_SCANNERS_MAX];
	size_t n;
};

static bool serves(const struct scanner_sim *s, size_t i, enum board_role role)
{
	return (role == ROLE_ITEM_SCANNER && s->items[i]) ||
	       (role == ROLE_PATRON_READER && s->patrons[i]);
}

/* As a USB scanner's replug: the status changes, and the device event says so. */
static int on_plug_command(void *data, const struct sim_command *cmd)
{
	struct scanner_sim *s = data;
	struct scanner_status *st;
	size_t i;

	for (i = 0; i < s->n && !serves(s, i, cmd->role); i++)
		;
	if (i == s->n)
		return -ENOENT;
	st = &s->status[i];
	if (st->attached == cmd->active)
		return 0;
	st->attached = cmd->active;
	snprintf(st->port, sizeof(st->port), "%s", cmd->active ? "sim" : "");
	if (s->events.device)
		s->events.device(s->data, st);
	return 0;
}

static int on_scan_command(void *data, const struct sim_command *cmd)
{
	struct scanner_sim *s = data;
	struct scan scan = { .symbology = SYM_UNKNOWN, .role = cmd->role };
	size_t i;

	for (i = 0; i < s->n; i++)
		if (serves(s, i, cmd->role) && s->status[i].attached)
			break;
	if (i == s->n)
		return -ENOENT;
	scan.device = s->status[i].name;
	/* Typed at the terminal: the rules decide, as for a scanner of no known role. */
	scan.for_items = !cmd->typed && s->items[i];
	scan.for_patrons = !cmd->typed && s->patrons[i];
	scan.len = strnlen(cmd->text, SCAN_TEXT_MAX);
	memcpy(scan.text, cmd->text, scan.len);
	scan.text[scan.len] = '\0';
	s->status[i].scans++;
	if (s->events.scan)
		s->events.scan(s->data, &scan);
	return 0;
}

static int scanner_sim_open(const struct hal_env *env, const struct board *board,
			    const struct scanner_events *events, void *data, void **ret,
			    struct file_error *err)
{
	struct sim_channel *sim = sim_channel_get(env);
	struct scanner_sim *s;

	if (!sim) {
		file_error_set(err, board->path, 0, "scanner = sim needs the sim channel");
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		file_error_set(err, board->path, 0, "scanners: out of memory");
		return -ENOMEM;
	}
	s->sim = sim;
	if (events)
		s->events = *events;
	s->data = data;
	for (s->n = 0; s->n < board->n_scanners; s->n++) {
		const struct board_scanner *sc = &board->scanners[s->n];
		struct scanner_status *st = &s->status[s->n];

		snprintf(st->name, sizeof(st->name), "%s", sc->name);
		st->attached = true;
		st->usb_vid = sc->usb_vid;
		st->usb_pid = sc->usb_pid;
		snprintf(st->port, sizeof(st->port), "sim");
		s->items[s->n] = sc->items;
		s->patrons[s->n] = sc->patrons;
	}
	sim_channel_on(sim, SIM_CMD_SCAN, on_scan_command, s);
	sim_channel_on(sim, SIM_CMD_SCANNER_ATTACHED, on_plug_command, s);
	*ret = s;
	return 0;
}

static void scanner_sim_close(void *handle)
{
	struct scanner_sim *s = handle;

	if (!s)
		return;
	sim_channel_on(s->sim, SIM_CMD_SCAN, NULL, NULL);
	sim_channel_on(s->sim, SIM_CMD_SCANNER_ATTACHED, NULL, NULL);
	free(s);
}

static size_t scanner_sim_status(void *handle, struct scanner_status *out, size_t max)
{
	struct scanner_sim *s = handle;
	size_t n = s->n < max ? s->n : max;

	memcpy(out, s->status, n * sizeof(*out));
	return n;
}

const struct scanner_ops scanner_sim_ops = {
	.name = "sim",
	.open = scanner_sim_open,
	.close = scanner_sim_close,
	.status = scanner_sim_status,
};
