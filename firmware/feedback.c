/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "feedback.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../hal/board.h"

#include "loop.h"

struct feedback_output {
	struct feedback *fb;
	enum board_role role;
	struct loop_timer timer;
	struct feedback_track track; /* a copy: a reload may change the pattern */
	unsigned step;
	bool driven;
};

struct feedback {
	struct loop *loop;
	const struct gpio_ops *gpio;
	void *gpio_handle;
	struct feedback_output outputs[ROLE__COUNT];
};

static void output_set(struct feedback_output *out, bool active)
{
	out->fb->gpio->set(out->fb->gpio_handle, out->role, active);
	out->driven = active;
}

/* Step i of a track is "on" for even i: on, off, on, ... */
static void on_step_done(struct loop *loop, void *data)
{
	struct feedback_output *out = data;

	out->step++;
	if (out->step >= out->track.n_steps) {
		if (out->driven)
			output_set(out, false);
		return;
	}
	output_set(out, out->step % 2 == 0);
	loop_timer_arm(loop, &out->timer, out->track.steps_ms[out->step]);
}

void feedback_play(struct feedback *fb, const struct feedback_pattern *pattern)
{
	unsigned i;

	for (i = 0; i < pattern->n_tracks; i++) {
		const struct feedback_track *track = &pattern->tracks[i];
		struct feedback_output *out;

		if (track->role < 0 || track->role >= ROLE__COUNT || !track->n_steps)
			continue;
		out = &fb->outputs[track->role];
		out->track = *track;
		out->step = 0;
		output_set(out, true);
		loop_timer_arm(fb->loop, &out->timer, track->steps_ms[0]);
	}
}

int feedback_sort_bin(struct feedback *fb, const struct board *board,
		      const struct feedback_pattern *accept, const char *bin)
{
	struct feedback_pattern pulse = { .n_tracks = 1 };
	struct feedback_track *track = &pulse.tracks[0];

	if (strlen(bin) != 1 || bin[0] < '1' || bin[0] > '4')
		return -ENOENT;
	track->role = (enum board_role)(ROLE_SORT_BIN_1 + (bin[0] - '1'));
	if (!board->roles[track->role].present)
		return -ENODEV;
	track->n_steps = 1;
	track->steps_ms[0] = accept->n_tracks ? accept->tracks[0].steps_ms[0] : 4000;
	feedback_play(fb, &pulse);
	return 0;
}

int feedback_new(struct loop *loop, const struct gpio_ops *gpio, void *gpio_handle,
		 struct feedback **ret)
{
	struct feedback *fb;
	int i;

	fb = calloc(1, sizeof(*fb));
	if (!fb)
		return -ENOMEM;
	fb->loop = loop;
	fb->gpio = gpio;
	fb->gpio_handle = gpio_handle;
	for (i = 0; i < ROLE__COUNT; i++) {
		fb->outputs[i].fb = fb;
		fb->outputs[i].role = (enum board_role)i;
		loop_timer_init(&fb->outputs[i].timer, on_step_done, &fb->outputs[i]);
	}
	*ret = fb;
	return 0;
}

void feedback_free(struct feedback *fb)
{
	int i;

	if (!fb)
		return;
	for (i = 0; i < ROLE__COUNT; i++) {
		loop_timer_disarm(fb->loop, &fb->outputs[i].timer);
		if (fb->outputs[i].driven)
			output_set(&fb->outputs[i], false);
	}
	free(fb);
}
