/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GPIO device class: output roles that firmware sets, input roles whose edges
 * arrive as callbacks on the loop. Polarity (active_low) is the backend's
 * business: firmware always speaks of "active", never of line levels.
 *
 * A backend is a const struct gpio_ops; open() returns an opaque handle that
 * close() frees (close accepts NULL). Edges arrive through events->input;
 * nothing is reported at open(): firmware reads get() once at start, so it
 * begins with the true state of bin_full.
 */
#ifndef CIRCD_HAL_GPIO_H
#define CIRCD_HAL_GPIO_H

#include <stdbool.h>

#include "board.h"
#include "hal-env.h"

struct gpio_events {
	void (*input)(void *data, enum board_role role, bool active);
};

struct gpio_ops {
	const char *name; /* as in the board file: "sim", "gpiod" */
	/* Errors fill *err against the board file line of the role at fault. */
	int (*open)(const struct hal_env *env, const struct board *board,
		    const struct gpio_events *events, void *data, void **ret,
		    struct file_error *err);
	void (*close)(void *handle);
	/* -ENOENT if the board has no such output role. */
	int (*set)(void *handle, enum board_role role, bool active);
	/* Current level of an input role. */
	int (*get)(void *handle, enum board_role role, bool *active);
};

extern const struct gpio_ops gpio_sim_ops;
extern const struct gpio_ops gpio_gpiod_ops;

#endif
