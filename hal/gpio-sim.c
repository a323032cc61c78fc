/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Simulated GPIO: outputs become "gpio <role> <0|1>" events on the sim
 * channel, inputs are driven by its "input <role> <0|1>" command. An input
 * starts at its board file's sim_active level (default inactive) and nothing
 * is reported at open(); firmware reads get().
 * It uses the sim channel of its env's loop (hal/sim.h), which must exist.
 * Close this backend before freeing the sim channel: close() unregisters its
 * handler there.
 */
#include "gpio.h"

#include <errno.h>
#include <stdlib.h>

#include "sim.h"

struct gpio_sim {
	struct sim_channel *sim;
	struct gpio_events events;
	void *data;
	/* Copied, so the board may be freed while we run. */
	bool present[ROLE__COUNT];
	bool input_active[ROLE__COUNT];
};

static bool has_role(const struct gpio_sim *g, enum board_role role, enum board_role_kind kind)
{
	return (int)role >= 0 && role < ROLE__COUNT && g->present[role] &&
	       board_role_kind(role) == kind;
}

static int on_input_command(void *data, const struct sim_command *cmd)
{
	struct gpio_sim *g = data;

	if (!has_role(g, cmd->role, ROLE_KIND_INPUT))
		return -ENOENT;
	/* Real lines only report edges; a repeated level is not one. */
	if (g->input_active[cmd->role] == cmd->active)
		return 0;
	g->input_active[cmd->role] = cmd->active;
	if (g->events.input)
		g->events.input(g->data, cmd->role, cmd->active);
	return 0;
}

static int gpio_sim_open(const struct hal_env *env, const struct board *board,
			 const struct gpio_events *events, void *data, void **ret,
			 struct file_error *err)
{
	struct sim_channel *sim = sim_channel_get(env);
	struct gpio_sim *g;
	int i;

	if (!sim) {
		file_error_set(err, board->path, 0, "gpio = sim needs the sim channel");
		return -EINVAL;
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		file_error_set(err, board->path, 0, "gpio: out of memory");
		return -ENOMEM;
	}
	g->sim = sim;
	if (events)
		g->events = *events;
	g->data = data;
	for (i = 0; i < ROLE__COUNT; i++) {
		g->present[i] = board->roles[i].present;
		g->input_active[i] = board->roles[i].sim_active;
	}
	sim_channel_on(sim, SIM_CMD_INPUT, on_input_command, g);
	*ret = g;
	return 0;
}

static void gpio_sim_close(void *handle)
{
	struct gpio_sim *g = handle;

	if (!g)
		return;
	sim_channel_on(g->sim, SIM_CMD_INPUT, NULL, NULL);
	free(g);
}

static int gpio_sim_set(void *handle, enum board_role role, bool active)
{
	struct gpio_sim *g = handle;

	if (!has_role(g, role, ROLE_KIND_OUTPUT))
		return -ENOENT;
	sim_channel_emit(g->sim, "gpio %s %d", board_role_name(role), active ? 1 : 0);
	return 0;
}

static int gpio_sim_get(void *handle, enum board_role role, bool *active)
{
	struct gpio_sim *g = handle;

	if (!has_role(g, role, ROLE_KIND_INPUT))
		return -ENOENT;
	*active = g->input_active[role];
	return 0;
}

const struct gpio_ops gpio_sim_ops = {
	.name = "sim",
	.open = gpio_sim_open,
	.close = gpio_sim_close,
	.set = gpio_sim_set,
	.get = gpio_sim_get,
};
