/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulated display: show() becomes a "display <kind> <text>" event on the
 * sim channel, and the channel's "pin <digits>" command is the keypad. Each
 * text is also reported at debug, so that a log read with -v shows it.
 * It uses the sim channel of its env's loop (hal/sim.h), which must exist.
 * Close this backend before freeing the sim channel.
 */
#include "display.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* Longer texts are cut; the channel cuts event lines near this anyway. */
#define DISPLAY_SIM_TEXT_MAX 2048

struct display_sim {
	struct hal_env env;
	struct sim_channel *sim;
	struct display_events events;
	void *data;
};

static int on_pin_command(void *data, const struct sim_command *cmd)
{
	struct display_sim *d = data;
	char pin[sizeof(cmd->text)];

	memcpy(pin, cmd->text, sizeof(pin));
	pin[sizeof(pin) - 1] = '\0';
	if (d->events.pin)
		d->events.pin(d->data, pin);
	explicit_bzero(pin, sizeof(pin));
	return 0;
}

static int display_sim_open(const struct hal_env *env, const struct board *board,
			    const struct display_config *cfg,
			    const struct display_events *events, void *data, void **ret,
			    struct file_error *err)
{
	struct sim_channel *sim = sim_channel_get(env);
	struct display_sim *d;

	if (!sim) {
		file_error_set(err, board->path, 0, "display = sim needs the sim channel");
		return -EINVAL;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		file_error_set(err, board->path, 0, "display: out of memory");
		return -ENOMEM;
	}
	d->env = *env;
	d->sim = sim;
	if (events)
		d->events = *events;
	d->data = data;
	sim_channel_on(sim, SIM_CMD_PIN, on_pin_command, d);
	*ret = d;
	return 0;
}

static void display_sim_close(void *handle)
{
	struct display_sim *d = handle;

	if (!d)
		return;
	sim_channel_on(d->sim, SIM_CMD_PIN, NULL, NULL);
	free(d);
}

static int display_sim_show(void *handle, enum display_kind kind, const char *text)
{
	struct display_sim *d = handle;
	char escaped[DISPLAY_SIM_TEXT_MAX];
	size_t o = 0;
	const char *p;

	if ((int)kind < DISPLAY_INFO || kind > DISPLAY_RECEIPT || !text)
		return -EINVAL;
	display_report(&d->env, HAL_LEVEL_DEBUG, kind, text);
	/* The event protocol is one line per event: newlines travel as "\n". */
	for (p = text; *p && o + 2 < sizeof(escaped); p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n') {
			escaped[o++] = '\\';
			escaped[o++] = 'n';
		} else if (c < 0x20 || c == 0x7f) {
			escaped[o++] = '?';
		} else {
			escaped[o++] = (char)c;
		}
	}
	escaped[o] = '\0';
	sim_channel_emit(d->sim, "display %s %s", display_kind_name(kind), escaped);
	return 0;
}

const struct display_ops display_sim_ops = {
	.name = "sim",
	.keypad = true,
	.open = display_sim_open,
	.close = display_sim_close,
	.show = display_sim_show,
};
