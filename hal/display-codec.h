/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The touch-screen page's two wire formats, pure (no I/O, no allocation):
 * the state circd pushes (struct display_state as one line of JSON, for a
 * Server-Sent Events "data:" line) and the touches the page posts back (an
 * application/x-www-form-urlencoded body: action=pin&value=1234,
 * action=done, action=language&value=de, action=receipt&value=yes|no,
 * action=help).
 *
 * Ownership: the caller's buffers only.
 */
#ifndef CIRCD_HAL_DISPLAY_CODEC_H
#define CIRCD_HAL_DISPLAY_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "display.h"

/*
 * state as one line of JSON (no line break inside: strings escape theirs),
 * NUL-terminated in out. Returns its length, or -ENOSPC when it does not
 * fit (out then holds a truncated, unusable text). Bytes of the texts that
 * are not UTF-8 become U+FFFD; seq numbers the states, so the page can tell
 * a new one from one it has.
 */
int display_state_json(const struct display_state *state, uint64_t seq, char *out, size_t size);

enum display_action {
	DISPLAY_ACTION_PIN,
	DISPLAY_ACTION_DONE,
	DISPLAY_ACTION_LANGUAGE,
	DISPLAY_ACTION_RECEIPT,
	DISPLAY_ACTION_HELP,
};

/* A PIN is at most this many digits; a language tag at most 15 characters. */
#define DISPLAY_INPUT_VALUE_MAX 16

struct display_input {
	enum display_action action;
	/* PIN digits, a language tag ([a-z0-9-]), "yes" or "no"; "" for done and help */
	char value[DISPLAY_INPUT_VALUE_MAX + 1];
};

/*
 * Parses one posted body. 0, or -EINVAL (unknown action or key, a key twice,
 * a missing or malformed value, bad %-escapes). A PIN is in ret->value: the
 * caller wipes ret (and the body) once done with it.
 */
int display_input_parse(const char *body, size_t len, struct display_input *ret);

#endif
