/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What a reloaded configuration may change, and what keeps its running value. */
#include <string.h>

#include "../../firmware/config.h"
#include "../../firmware/reload.h"
#include "testlib.h"

static void two_configs(struct config *running, struct config *next)
{
	config_default(running);
	strcpy(running->store_path, "/var/lib/circd/circd.db");
	strcpy(running->control_socket, "/run/circd/control.sock");
	strcpy(running->board, "rpi4-kiosk");
	strcpy(running->sip2.host, "ils.example.org");
	*next = *running;
}

/* How many restart-only keys next asked to change (and now has running's values for). */
static int keep(const struct config *running, struct config *next, bool board_overridden)
{
	char why[256];

	return reload_keep_restart_keys(running, next, board_overridden, why, sizeof(why));
}

static void test_live_settings_pass(void)
{
	struct config running, next;

	two_configs(&running, &next);
	next.session_timeout_s = running.session_timeout_s + 5;
	next.log_level = LOG_LEVEL_DEBUG;
	CHECK_INT(keep(&running, &next, false), 0);
	CHECK_INT(next.session_timeout_s, running.session_timeout_s + 5);
	CHECK_INT(next.log_level, LOG_LEVEL_DEBUG);
}

static void test_restart_only_settings_keep_running_values(void)
{
	struct config running, next;

	two_configs(&running, &next);
	next.mode = KIOSK_RETURNS;
	strcpy(next.store_path, "/tmp/other.db");
	CHECK(keep(&running, &next, false));
	CHECK_INT(next.mode, running.mode);
	CHECK_STR(next.store_path, running.store_path);
	/* Kept once, nothing left to keep. */
	CHECK(!keep(&running, &next, false));

	two_configs(&running, &next);
	strcpy(next.control_socket, "/tmp/c.sock");
	CHECK(keep(&running, &next, false));
	CHECK_STR(next.control_socket, running.control_socket);
	two_configs(&running, &next);
	strcpy(next.sim_socket, "/tmp/s.sock");
	CHECK(keep(&running, &next, false));
	CHECK_STR(next.sim_socket, running.sim_socket);
}

/* With -b the config's board = is not what runs: changing it changes nothing. */
static void test_board_from_the_command_line(void)
{
	struct config running, next;

	two_configs(&running, &next);
	strcpy(next.board, "rpi5-kiosk");
	CHECK(!keep(&running, &next, true));
	CHECK_STR(next.board, "rpi4-kiosk");
	strcpy(next.board, "rpi5-kiosk");
	CHECK(keep(&running, &next, false));
	CHECK_STR(next.board, "rpi4-kiosk");
}

static void test_link_keeps_its_settings(void)
{
	struct config running, next;

	two_configs(&running, &next);
	strcpy(next.sip2.host, "other.example.org");
	strcpy(next.sip2.password, "new secret");
	CHECK_INT(keep(&running, &next, false), 2);
	CHECK_STR(next.sip2.host, "ils.example.org");
	CHECK_STR(next.sip2.password, "");
	CHECK(!keep(&running, &next, false));
}

int main(void)
{
	RUN(test_live_settings_pass);
	RUN(test_restart_only_settings_keep_running_values);
	RUN(test_board_from_the_command_line);
	RUN(test_link_keeps_its_settings);
	return testlib_finish();
}
