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

struct feedback;
struct loop;

int feedback_new(struct loop *loop, const struct gpio_ops *gpio, void *gpio_handle,
		 struct feedback **ret);
void feedback_free(struct feedback *fb);
void feedback_play(struct feedback *fb, const struct feedback_pattern *pattern);

#endif
