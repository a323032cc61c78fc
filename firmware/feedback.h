/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Feedback patterns, as [feedback] in circd.conf writes them, and their
 * player: it plays them (lamps, buzzer, flap) on GPIO output roles, each
 * step on a loop timer. Playing a pattern restarts the tracks it names and
 * leaves other outputs alone, so an OK beep does not cut a flap pulse short.
 * feedback_free() accepts NULL and turns every output it drove off.
 */
#ifndef CIRCD_FEEDBACK_H
#define CIRCD_FEEDBACK_H

#include <stdint.h>

#include "board.h"
#include "gpio.h"

struct board;
struct feedback;
struct loop;

enum feedback_kind {
	FEEDBACK_OK,     /* transaction recorded */
	FEEDBACK_ERROR,  /* refused */
	FEEDBACK_NOTICE, /* repeat scan, prompt */
	FEEDBACK_ACCEPT, /* returns: release the flap */
	FEEDBACK__COUNT,
};

#define FEEDBACK_TRACKS_MAX 4
#define FEEDBACK_STEPS_MAX 8

/*
 * One output role's part of a pattern: durations in ms alternating on, off,
 * on, ... starting with on. "buzzer:80,80,80" = beep, pause, beep.
 */
struct feedback_track {
	enum board_role role;
	unsigned n_steps;
	uint32_t steps_ms[FEEDBACK_STEPS_MAX];
};

/* Written in the config as space-separated tracks: "lamp_ok:1500 buzzer:80". */
struct feedback_pattern {
	unsigned n_tracks;
	struct feedback_track tracks[FEEDBACK_TRACKS_MAX];
};

/*
 * Pure, fuzzed: parses one pattern as written in [feedback]. On an error,
 * *why (if why is not NULL) says what is wrong, for the config's message.
 */
int feedback_pattern_parse(const char *value, struct feedback_pattern *pattern, const char **why);
const char *feedback_kind_name(enum feedback_kind kind);

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
