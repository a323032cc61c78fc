/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a kiosk needs of its board, per mode, feedback pattern and PIN. */
#include <errno.h>
#include <string.h>

#include "../../firmware/config.h"
#include "../../firmware/kiosk.h"
#include "../../hal/board.h"
#include "testlib.h"

/* A board with every role, on the sim backends (whose display has a keypad). */
static void full_board(struct board *b)
{
	int role;

	memset(b, 0, sizeof(*b));
	strcpy(b->path, "test.ini");
	strcpy(b->gpio_backend, "sim");
	strcpy(b->scanner_backend, "sim");
	strcpy(b->display_backend, "sim");
	for (role = 0; role < ROLE__COUNT; role++)
		b->roles[role].present = true;
}

/* The default configuration in mode, and a board that has everything. */
static void setup(struct config *cfg, enum kiosk_mode mode, struct board *b)
{
	config_default(cfg);
	strcpy(cfg->path, "circd.conf");
	cfg->mode = mode;
	full_board(b);
}

static void test_each_mode_needs_its_roles(void)
{
	struct file_error err = { 0 };
	struct config cfg;
	struct board b;

	setup(&cfg, KIOSK_RETURNS, &b);
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), 0);
	b.roles[ROLE_BIN_FULL].present = false;
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), -ENOENT);
	CHECK(strstr(err.msg, "bin_full") != NULL);
	/* Self-check has no bin to fill. */
	cfg.mode = KIOSK_SELFCHECK;
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), 0);
	b.roles[ROLE_ITEM_SCANNER].present = false;
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), -ENOENT);
	CHECK(strstr(err.msg, "item_scanner") != NULL);
}

static void test_feedback_outputs_must_exist(void)
{
	struct file_error err = { 0 };
	struct config cfg;
	struct board b;
	const char *why = NULL;

	setup(&cfg, KIOSK_SELFCHECK, &b);
	CHECK_INT(feedback_pattern_parse("lamp_attention:200", &cfg.feedback[FEEDBACK_NOTICE],
					 &why), 0);
	b.roles[ROLE_LAMP_ATTENTION].present = false;
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), -ENOENT);
	CHECK(strstr(err.msg, "used by [feedback] notice in circd.conf") != NULL);
	/* The flap pattern matters only where there is a flap. */
	full_board(&b);
	CHECK_INT(feedback_pattern_parse("flap_unlock:1500", &cfg.feedback[FEEDBACK_ACCEPT], &why),
		  0);
	b.roles[ROLE_FLAP_UNLOCK].present = false;
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), 0);
}

static void test_pin_needs_a_keypad(void)
{
	struct file_error err = { 0 };
	struct config cfg;
	struct board b;

	setup(&cfg, KIOSK_SELFCHECK, &b);
	cfg.require_pin = true;
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), 0);
	strcpy(b.display_backend, "none");
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), -EINVAL);
	CHECK(strstr(err.msg, "require_pin") != NULL);
	/* A returns bin never asks for one. */
	cfg.mode = KIOSK_RETURNS;
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), 0);
}

static void test_receipt_choice_needs_the_touch_screen(void)
{
	struct file_error err = { 0 };
	struct config cfg;
	struct board b;

	setup(&cfg, KIOSK_SELFCHECK, &b);
	cfg.receipt_policy = RECEIPT_ASK;
	/* The sim display shows texts only: nowhere to ask. */
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), -EINVAL);
	CHECK(strstr(err.msg, "policy = ask") != NULL);
	strcpy(b.display_backend, "web");
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), 0);
	/* A returns bin prints no receipts, so it asks nothing. */
	strcpy(b.display_backend, "none");
	cfg.mode = KIOSK_RETURNS;
	CHECK_INT(kiosk_board_fits(&b, &cfg, &err), 0);
}

int main(void)
{
	RUN(test_each_mode_needs_its_roles);
	RUN(test_feedback_outputs_must_exist);
	RUN(test_pin_needs_a_keypad);
	RUN(test_receipt_choice_needs_the_touch_screen);
	return testlib_finish();
}
