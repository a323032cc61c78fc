/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>

#include "../../firmware/feedback.h"
#include "../../hal/board.h"
#include "../../lib/loop.h"
#include "testlib.h"

struct gpio_log {
	int n;
	enum board_role role[64];
	bool active[64];
	uint64_t at[64];
	struct loop *loop;
};

static int log_set(void *handle, enum board_role role, bool active)
{
	struct gpio_log *log = handle;

	if (log->n < 64) {
		log->role[log->n] = role;
		log->active[log->n] = active;
		log->at[log->n] = loop_mono_ms(log->loop);
	}
	log->n++;
	return 0;
}

static const struct gpio_ops log_gpio = { .name = "log", .set = log_set };

/* A fake-clock loop (in log->loop) and feedback playing into log. */
static struct feedback *start(struct gpio_log *log)
{
	struct feedback *fb = NULL;

	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &log->loop), 0);
	CHECK_INT(feedback_new(log->loop, &log_gpio, log, &fb), 0);
	return fb;
}

static void test_pattern_steps_alternate_on_timers(void)
{
	struct gpio_log log = { 0 };
	struct feedback_pattern p;
	struct feedback *fb;
	struct loop *loop;
	const char *why = NULL;
	uint64_t t0;

	fb = start(&log);
	loop = log.loop;
	t0 = loop_mono_ms(loop);
	CHECK_INT(feedback_pattern_parse("buzzer:80,20,80", &p, &why), 0);
	feedback_play(fb, &p);
	CHECK_INT(log.n, 1);
	loop_advance(loop, 1000);
	/* on at 0, off at 80, on at 100, off at 180 */
	CHECK_INT(log.n, 4);
	CHECK(log.active[0] && !log.active[1] && log.active[2] && !log.active[3]);
	CHECK_INT(log.at[1] - t0, 80);
	CHECK_INT(log.at[2] - t0, 100);
	CHECK_INT(log.at[3] - t0, 180);
	feedback_free(fb);
	loop_free(loop);
}

static void test_replay_restarts_only_its_tracks(void)
{
	struct gpio_log log = { 0 };
	struct feedback_pattern flap, beep;
	struct feedback *fb;
	struct loop *loop;
	const char *why = NULL;
	int i, flap_off = -1;

	fb = start(&log);
	loop = log.loop;
	CHECK_INT(feedback_pattern_parse("flap_unlock:4000", &flap, &why), 0);
	CHECK_INT(feedback_pattern_parse("lamp_ok:1500 buzzer:80", &beep, &why), 0);
	feedback_play(fb, &flap);
	loop_advance(loop, 1000);
	feedback_play(fb, &beep); /* an OK beep must not cut the flap pulse short */
	loop_advance(loop, 10000);
	for (i = 0; i < log.n && i < 64; i++)
		if (log.role[i] == ROLE_FLAP_UNLOCK && !log.active[i])
			flap_off = i;
	CHECK(flap_off >= 0);
	CHECK_INT(log.at[flap_off] - log.at[0], 4000);
	feedback_free(fb);
	loop_free(loop);
}

static void test_free_turns_driven_outputs_off(void)
{
	struct gpio_log log = { 0 };
	struct feedback_pattern p;
	struct feedback *fb;
	struct loop *loop;
	const char *why = NULL;

	fb = start(&log);
	loop = log.loop;
	CHECK_INT(feedback_pattern_parse("lamp_error:3000", &p, &why), 0);
	feedback_play(fb, &p);
	feedback_free(fb);
	CHECK_INT(log.n, 2);
	CHECK(!log.active[1]);
	feedback_free(NULL);
	loop_free(loop);
}

/* The ILS's sort bin pulses that diverter for as long as the flap opens. */
static void test_sort_bin_pulses_its_diverter(void)
{
	struct gpio_log log = { 0 };
	struct board board = { .roles[ROLE_SORT_BIN_2].present = true };
	struct feedback_pattern accept, none = { 0 };
	struct feedback *fb = start(&log);
	const char *why = NULL;

	CHECK_INT(feedback_pattern_parse("flap_unlock:1500", &accept, &why), 0);
	CHECK_INT(feedback_sort_bin(fb, &board, &accept, "2"), 0);
	loop_advance(log.loop, 5000);
	CHECK_INT(log.n, 2);
	CHECK(log.role[0] == ROLE_SORT_BIN_2 && log.active[0] && !log.active[1]);
	CHECK_INT(log.at[1] - log.at[0], 1500);
	/* Without a flap pattern the pulse lasts 4 s. */
	CHECK_INT(feedback_sort_bin(fb, &board, &none, "2"), 0);
	loop_advance(log.loop, 10000);
	CHECK_INT(log.n, 4);
	CHECK_INT(log.at[3] - log.at[2], 4000);
	CHECK_INT(feedback_sort_bin(fb, &board, &accept, "3"), -ENODEV);
	CHECK_INT(feedback_sort_bin(fb, &board, &accept, "5"), -ENOENT);
	CHECK_INT(feedback_sort_bin(fb, &board, &accept, "22"), -ENOENT);
	CHECK_INT(feedback_sort_bin(fb, &board, &accept, ""), -ENOENT);
	CHECK_INT(log.n, 4);
	feedback_free(fb);
	loop_free(log.loop);
}

int main(void)
{
	RUN(test_pattern_steps_alternate_on_timers);
	RUN(test_replay_restarts_only_its_tracks);
	RUN(test_free_turns_driven_outputs_off);
	RUN(test_sort_bin_pulses_its_diverter);
	return testlib_finish();
}
