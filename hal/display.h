/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Display device class: the patron-facing screen. It shows one message at a
 * time, tagged with its kind so a real screen can colour it, and it is also
 * where a patron types a PIN (a touchscreen keypad), delivered as an event.
 * The PIN buffer passed to the pin callback is wiped by the backend after the
 * call returns; receivers must not keep a pointer to it.
 *
 * Backends: "sim" (the sim channel's display events and pin command) and
 * "none", for boards with no patron screen yet: each text goes to the
 * hal_env report sink at info, and no PIN can be typed.
 */
#ifndef CIRCD_HAL_DISPLAY_H
#define CIRCD_HAL_DISPLAY_H

#include <stdbool.h>

#include "board.h"
#include "hal-env.h"

enum display_kind {
	DISPLAY_INFO,    /* prompts: "Scan your library card" */
	DISPLAY_OK,      /* a transaction went through */
	DISPLAY_NOTICE,  /* nothing wrong, nothing done: a repeat scan */
	DISPLAY_ERROR,   /* refused; nothing recorded */
	DISPLAY_RECEIPT, /* the session summary, several lines */
};

struct display_events {
	void (*pin)(void *data, const char *pin);
};

struct display_ops {
	const char *name; /* as in the board file: "sim", "none" */
	bool keypad;      /* a patron can type a PIN on it: events->pin can come */
	int (*open)(const struct hal_env *env, const struct board *board,
		    const struct display_events *events, void *data, void **ret,
		    struct file_error *err);
	void (*close)(void *handle);
	int (*show)(void *handle, enum display_kind kind, const char *text);
};

extern const struct display_ops display_sim_ops;
extern const struct display_ops display_none_ops;

const char *display_kind_name(enum display_kind kind);

/*
 * Reports a shown text to env's sink as one line, "display <kind>: <text>",
 * a receipt's line breaks as "/"; for backends that log what they show.
 */
void display_report(const struct hal_env *env, enum hal_level level, enum display_kind kind,
		    const char *text);

#endif
