/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "feedback.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "inifile.h"
#include "loop.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define FEEDBACK_MS_MAX 60000

static const char *const feedback_names[] = { "ok", "error", "notice", "accept", NULL };

const char *feedback_kind_name(enum feedback_kind kind)
{
	if ((int)kind < 0 || kind >= FEEDBACK__COUNT)
		return "unknown";
	return feedback_names[kind];
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

#define OUTPUT_ROLES \
	"lamp_ok, lamp_error, lamp_attention, buzzer, flap_unlock, door_lock or sort_bin_1..4"

static int parse_track(const char *s, size_t len, struct feedback_track *track, const char **why)
{
	const char *colon = memchr(s, ':', len), *step, *end = s + len;
	char name[32], number[8];
	enum board_role role;

	if (!colon || colon == s) {
		*why = "expected role:ms[,ms...] tracks separated by spaces, such as "
		       "'lamp_ok:1500 buzzer:80'";
		return -EINVAL;
	}
	if ((size_t)(colon - s) >= sizeof(name)) {
		*why = "unknown role (expected " OUTPUT_ROLES ")";
		return -EINVAL;
	}
	memcpy(name, s, (size_t)(colon - s));
	name[colon - s] = '\0';
	role = board_role_from_name(name);
	if (role == ROLE_NONE) {
		*why = "unknown role (expected " OUTPUT_ROLES ")";
		return -EINVAL;
	}
	if (board_role_kind(role) != ROLE_KIND_OUTPUT) {
		*why = "not an output role (expected " OUTPUT_ROLES ")";
		return -EINVAL;
	}
	track->role = role;
	track->n_steps = 0;
	for (step = colon + 1;; step++) {
		const char *comma = memchr(step, ',', (size_t)(end - step));
		size_t step_len = (size_t)((comma ? comma : end) - step);
		unsigned ms;

		if (track->n_steps == FEEDBACK_STEPS_MAX) {
			*why = "more than " STRINGIFY(FEEDBACK_STEPS_MAX) " durations in a track";
			return -EINVAL;
		}
		if (step_len == 0 || step_len >= sizeof(number)) {
			*why = "expected durations in ms from 1 to " STRINGIFY(FEEDBACK_MS_MAX)
			       " separated by commas, such as buzzer:80,80,80";
			return -EINVAL;
		}
		memcpy(number, step, step_len);
		number[step_len] = '\0';
		if (inifile_uint(number, 1, FEEDBACK_MS_MAX, &ms) < 0) {
			*why = "expected durations in ms from 1 to " STRINGIFY(FEEDBACK_MS_MAX)
			       " separated by commas, such as buzzer:80,80,80";
			return -EINVAL;
		}
		track->steps_ms[track->n_steps++] = ms;
		if (!comma)
			break;
		step = comma;
	}
	return 0;
}

int feedback_pattern_parse(const char *value, struct feedback_pattern *pattern, const char **why)
{
	struct feedback_pattern parsed = { 0 };
	const char *dummy, *s = value;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!value || !pattern) {
		*why = "no pattern";
		return -EINVAL;
	}
	for (;;) {
		size_t len;

		while (is_space(*s))
			s++;
		if (!*s)
			break;
		len = strcspn(s, " \t");
		if (parsed.n_tracks == FEEDBACK_TRACKS_MAX) {
			*why = "more than " STRINGIFY(FEEDBACK_TRACKS_MAX) " tracks";
			return -EINVAL;
		}
		if (parse_track(s, len, &parsed.tracks[parsed.n_tracks], why) < 0)
			return -EINVAL;
		for (unsigned i = 0; i < parsed.n_tracks; i++) {
			if (parsed.tracks[i].role == parsed.tracks[parsed.n_tracks].role) {
				*why = "a role appears in two tracks";
				return -EINVAL;
			}
		}
		parsed.n_tracks++;
		s += len;
	}
	*pattern = parsed;
	return 0;
}


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
