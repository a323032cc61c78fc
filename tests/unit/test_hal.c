/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the backends get through struct hal_env and nothing else: the report
 * sink (firmware's, as hal/ never logs), the display without a screen, and
 * how the sim backends find their channel on the env's loop, so that only a
 * board with a sim backend has one.
 */
#include <errno.h>
#include <string.h>

#include "../../lib/loop.h"
#include "../../hal/hal.h"
#include "../../hal/sim.h"
#include "testlib.h"

struct sink {
	int reports;
	enum hal_level level;
	char msg[1024];
};

static void on_report(void *data, enum hal_level level, const char *msg)
{
	struct sink *s = data;

	s->reports++;
	s->level = level;
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

static int pins;

static void on_pin(void *data, const char *pin)
{
	pins++;
}

static const struct display_events display_events = { .pin = on_pin };

static void test_report_sink(void)
{
	struct sink sink = { 0 };
	struct hal_env env = { .report = on_report, .report_data = &sink };
	struct hal_env silent = { .report = NULL };
	char big[1000];

	hal_report(&env, HAL_LEVEL_WARNING, "scanner %s: %d", "front", 3);
	CHECK_INT(sink.reports, 1);
	CHECK_INT(sink.level, HAL_LEVEL_WARNING);
	CHECK_STR(sink.msg, "scanner front: 3");

	/* One line, cut rather than spilled over two. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hal_report(&env, HAL_LEVEL_DEBUG, "%s", big);
	CHECK_INT(sink.reports, 2);
	CHECK_INT(strlen(sink.msg), 511);

	/* No sink, or no env: dropped, not a crash. */
	hal_report(&silent, HAL_LEVEL_ERR, "nobody listens");
	hal_report(NULL, HAL_LEVEL_ERR, "nobody listens");
	CHECK_INT(sink.reports, 2);
}

static void test_display_report_one_line(void)
{
	struct sink sink = { 0 };
	struct hal_env env = { .report = on_report, .report_data = &sink };

	display_report(&env, HAL_LEVEL_INFO, DISPLAY_RECEIPT, "Receipt\n1. Dune\n2. Emma");
	CHECK_INT(sink.level, HAL_LEVEL_INFO);
	CHECK_STR(sink.msg, "display receipt: Receipt/1. Dune/2. Emma");
}

/* A board with no screen: texts reach the sink at info; no PIN can come. */
static void test_display_none(void)
{
	struct sink sink = { 0 };
	struct loop *loop = NULL;
	struct hal_env env = { .report = on_report, .report_data = &sink };
	struct board board;
	struct file_error err = { .line = 0 };
	const struct display_ops *display = hal_display_backend("none");
	void *handle = NULL;

	CHECK(display == &display_none_ops);
	CHECK(!display_none_ops.keypad);
	CHECK(display_sim_ops.keypad);
	memset(&board, 0, sizeof(board));
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	env.loop = loop;
	pins = 0;

	/* No sim channel exists, and none is needed. */
	CHECK(sim_channel_get(&env) == NULL);
	CHECK_INT(display->open(&env, &board, NULL, &display_events, NULL, &handle, &err), 0);
	CHECK_INT(display->show(handle, DISPLAY_ERROR, "The bin is full.\nPlease see staff."), 0);
	CHECK_INT(sink.reports, 1);
	CHECK_INT(sink.level, HAL_LEVEL_INFO);
	CHECK_STR(sink.msg, "display error: The bin is full./Please see staff.");
	/* What a patron borrowed, and their name, only at debug: reading records are private. */
	CHECK_INT(display->show(handle, DISPLAY_OK, "Checked out: Dune"), 0);
	CHECK_INT(sink.reports, 2);
	CHECK_INT(sink.level, HAL_LEVEL_DEBUG);
	CHECK_INT(display->show(handle, (enum display_kind)42, "x"), -EINVAL);
	CHECK_INT(display->show(handle, DISPLAY_OK, NULL), -EINVAL);
	CHECK_INT(sink.reports, 2);
	CHECK(sim_channel_get(&env) == NULL);
	CHECK_INT(pins, 0);
	display->close(handle);
	display->close(NULL);
	loop_free(loop);
}

/* The sim backends find the channel of their env's loop; another loop has none. */
static void test_sim_channel_found_through_env(void)
{
	struct sink sink = { 0 };
	struct loop *with = NULL, *without = NULL;
	struct hal_env env = { .report = on_report, .report_data = &sink };
	struct hal_env other = { .report = on_report, .report_data = &sink };
	struct sim_channel *ch = NULL, *second = NULL;
	struct board board;
	struct file_error err = { .line = 0 };
	void *gpio = NULL, *scanner = NULL, *display = NULL;

	memset(&board, 0, sizeof(board));
	snprintf(board.path, sizeof(board.path), "boards/test.ini");
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &with), 0);
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &without), 0);
	env.loop = with;
	other.loop = without;
	CHECK_INT(sim_channel_new(with, NULL, false, &ch), 0);
	CHECK(sim_channel_get(&env) == ch);
	CHECK(sim_channel_get(&other) == NULL);
	CHECK(sim_channel_get(NULL) == NULL);
	/* One channel per loop, or a backend could not tell which is its own. */
	CHECK_INT(sim_channel_new(with, NULL, false, &second), -EBUSY);

	CHECK_INT(gpio_sim_ops.open(&env, &board, NULL, NULL, &gpio, &err), 0);
	CHECK_INT(scanner_sim_ops.open(&env, &board, NULL, NULL, &scanner, &err), 0);
	CHECK_INT(display_sim_ops.open(&env, &board, NULL, NULL, NULL, &display, &err), 0);
	/* The sim display also reports, at debug: a -v log shows what it showed. */
	CHECK_INT(display_sim_ops.show(display, DISPLAY_OK, "Checked out: Dune"), 0);
	CHECK_INT(sink.level, HAL_LEVEL_DEBUG);
	CHECK_STR(sink.msg, "display ok: Checked out: Dune");
	display_sim_ops.close(display);
	scanner_sim_ops.close(scanner);
	gpio_sim_ops.close(gpio);

	gpio = NULL;
	CHECK_INT(gpio_sim_ops.open(&other, &board, NULL, NULL, &gpio, &err), -EINVAL);
	CHECK_STR(err.file, "boards/test.ini");
	CHECK(strstr(err.msg, "gpio = sim needs the sim channel") != NULL);
	CHECK(gpio == NULL);

	sim_channel_free(ch);
	CHECK(sim_channel_get(&env) == NULL);
	CHECK_INT(display_sim_ops.open(&env, &board, NULL, NULL, NULL, &display, &err), -EINVAL);
	/* Freed, the loop may have a channel again. */
	CHECK_INT(sim_channel_new(with, NULL, false, &ch), 0);
	CHECK(sim_channel_get(&env) == ch);
	sim_channel_free(ch);
	loop_free(without);
	loop_free(with);
}

/* A production backend opens with an env alone: no channel anywhere. */
static void test_gpiod_opens_without_a_channel(void)
{
	struct loop *loop = NULL;
	struct hal_env env = { .report = NULL };
	struct board board;
	struct file_error err = { .line = 0 };
	void *gpio = NULL;

	memset(&board, 0, sizeof(board)); /* no GPIO roles: no chip is opened */
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	env.loop = loop;
	CHECK_INT(gpio_gpiod_ops.open(&env, &board, NULL, NULL, &gpio, &err), 0);
	CHECK(gpio != NULL);
	CHECK(sim_channel_get(&env) == NULL);
	gpio_gpiod_ops.close(gpio);
	loop_free(loop);
}

static void set_backends(struct board *b, const char *gpio, const char *scanner,
			 const char *display)
{
	snprintf(b->gpio_backend, sizeof(b->gpio_backend), "%s", gpio);
	snprintf(b->scanner_backend, sizeof(b->scanner_backend), "%s", scanner);
	snprintf(b->display_backend, sizeof(b->display_backend), "%s", display);
}

static void test_sim_channel_needed(void)
{
	struct board b;

	memset(&b, 0, sizeof(b));
	set_backends(&b, "gpiod", "libusb", "none");
	CHECK(!sim_channel_needed(&b));
	set_backends(&b, "gpiod", "libusb", "sim");
	CHECK(sim_channel_needed(&b));
	set_backends(&b, "sim", "libusb", "none");
	CHECK(sim_channel_needed(&b));
	set_backends(&b, "gpiod", "sim", "none");
	CHECK(sim_channel_needed(&b));
}

static void test_env_clock_is_the_loop_clock(void)
{
	struct loop *loop = NULL;
	struct hal_env env = { .report = NULL };

	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	env.loop = loop;
	CHECK_INT(hal_env_now_ms(&env), loop_mono_ms(loop));
	CHECK_INT(loop_advance(loop, 1500), 0);
	CHECK_INT(hal_env_now_ms(&env), loop_mono_ms(loop));
	loop_free(loop);
}

int main(void)
{
	RUN(test_report_sink);
	RUN(test_display_report_one_line);
	RUN(test_display_none);
	RUN(test_sim_channel_found_through_env);
	RUN(test_gpiod_opens_without_a_channel);
	RUN(test_sim_channel_needed);
	RUN(test_env_clock_is_the_loop_clock);
	return testlib_finish();
}
