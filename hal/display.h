/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Display device class: the patron-facing screen. It shows one message at a
 * time, tagged with its kind so a real screen can colour it, and it is also
 * where a patron types a PIN (a touchscreen keypad), delivered as an event.
 * The PIN buffer passed to the pin callback is wiped by the backend after the
 * call returns; receivers must not keep a pointer to it.
 */
#ifndef CIRCD_HAL_DISPLAY_H
#define CIRCD_HAL_DISPLAY_H

#include "board.h"

struct loop;
struct sim_channel;

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
	const char *name; /* as in the board file: "sim" */
	int (*open)(const struct board *board, struct loop *loop, struct sim_channel *sim,
		    const struct display_events *events, void *data, void **ret,
		    struct file_error *err);
	void (*close)(void *handle);
	int (*show)(void *handle, enum display_kind kind, const char *text);
};

extern const struct display_ops display_sim_ops;

const char *display_kind_name(enum display_kind kind);

#endif
