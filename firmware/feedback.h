/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Plays feedback patterns (lamps, buzzer, flap) on GPIO output roles, each
 * step on a loop timer. Playing a pattern restarts the tracks it names and
 * leaves other outputs alone, so an OK beep does not cut a flap pulse short.
 * feedback_free() accepts NULL and turns every output it drove off.
 */
#ifndef CIRCD_FEEDBACK_H
#define CIRCD_FEEDBACK_H

#include "../hal/gpio.h"
#include "config.h"

struct board;
struct feedback;
struct loop;

int feedback_new(struct loop *loop, const struct gpio_ops *gpio, void *gpio_handle,
		 struct feedback **ret);
void feedback_free(struct feedback *fb);
void feedback_play(struct feedback *fb, const struct feedback_pattern *pattern);
/*
 * The ILS named a sort bin: pulses its diverter (sort_bin_1..4) for as long
 * as accept's first step releases the flap (4 s without one). 0 when pulsed;
 * -ENOENT when bin names no diverter (not "1".."4"); -ENODEV when this
 * board has none for it (boards need not have diverters).
 */
int feedback_sort_bin(struct feedback *fb, const struct board *board,
		      const struct feedback_pattern *accept, const char *bin);

#endif
