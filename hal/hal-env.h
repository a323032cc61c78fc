/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every backend gets from circd at open(), and nothing more: the loop
 * its I/O and timers run on, whose clock (fake in tests) is the one backends
 * read, and a sink for what a backend has to report. hal/ never logs
 * (docs/HACKING.md, rule 3): the sink is firmware's, and firmware decides
 * what reaches the log. Test channels are no part of it: the sim backends
 * find theirs through hal/sim.h.
 *
 * A backend that needs the env after open() keeps a copy, so the caller's
 * struct may go; the loop and report_data must outlive the backend. report
 * may be NULL: reports are then dropped.
 */
#ifndef CIRCD_HAL_ENV_H
#define CIRCD_HAL_ENV_H

#include <stdint.h>

#include "loop.h"

/* As syslog's, most urgent first. */
enum hal_level {
	HAL_LEVEL_ERR,
	HAL_LEVEL_WARNING,
	HAL_LEVEL_NOTICE,
	HAL_LEVEL_INFO,
	HAL_LEVEL_DEBUG,
};

/* msg is one line, valid during the call only. */
typedef void (*hal_report_fn)(void *data, enum hal_level level, const char *msg);

struct hal_env {
	struct loop *loop;
	hal_report_fn report;
	void *report_data;
};

static inline uint64_t hal_env_now_ms(const struct hal_env *env)
{
	return loop_mono_ms(env->loop);
}

/* Formats one report line (cut at 512 bytes) and hands it to env's sink. */
void hal_report(const struct hal_env *env, enum hal_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
