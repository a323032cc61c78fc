/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Display device class: the patron-facing screen. It shows one message at a
 * time, tagged with its kind so a real screen can colour it, and it is also
 * where a patron types a PIN (a touchscreen keypad), delivered as an event.
 * The PIN buffer passed to the pin callback is wiped by the backend after the
 * call returns; receivers must not keep a pointer to it.
 *
 * Backends: "sim" (the sim channel's display events and pin command),
 * "none", for boards with no patron screen: each text goes to the hal_env
 * report sink at info, and no PIN can be typed; and "web" (display-web.c),
 * the patron's touch screen: a page served over HTTP to a browser on the
 * kiosk, which gets the whole struct display_state through the state op and
 * sends the patron's touches back as display_events.
 *
 * Everything a backend is given (texts, states) is valid during the call
 * only: a backend keeps copies.
 */
#ifndef CIRCD_HAL_DISPLAY_H
#define CIRCD_HAL_DISPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "board.h"
#include "hal-env.h"

enum display_kind {
	DISPLAY_INFO,    /* prompts: "Scan your library card" */
	DISPLAY_OK,      /* a transaction went through */
	DISPLAY_NOTICE,  /* nothing wrong, nothing done: a repeat scan */
	DISPLAY_ERROR,   /* refused; nothing recorded */
	DISPLAY_RECEIPT, /* the session summary, several lines */
};

/* What the patron is doing, as the kiosk's state says it; the page picks its layout by it. */
enum display_screen {
	DISPLAY_SCREEN_WELCOME,        /* nobody signed in: scan your card (returns: your items) */
	DISPLAY_SCREEN_CHECKING,       /* the ILS is checking the card */
	DISPLAY_SCREEN_PIN,            /* the card is read, the PIN is asked for */
	DISPLAY_SCREEN_ITEMS,          /* a session: its items so far */
	DISPLAY_SCREEN_GOODBYE,        /* the session ended: its summary */
	DISPLAY_SCREEN_OUT_OF_SERVICE, /* nothing can be recorded */
	DISPLAY_SCREEN_BIN_FULL,       /* returns: intake stopped */
};

struct display_item {
	const char *item;  /* the barcode */
	const char *title; /* "" when the ILS gave none */
	const char *due;   /* as patrons read it, "" for a return */
};

/* One word of the page's own (a button, a heading), in the patron's language. */
struct display_label {
	const char *name; /* "done", "help", ...: what the page looks it up by */
	const char *text;
};

struct display_language {
	const char *code; /* "de" */
	const char *name; /* in its own words: "Deutsch" */
};

/*
 * Everything the page shows, whole each time (a page that connects again
 * needs nothing else). Built by firmware from the kiosk's state; every text
 * is rendered from the catalogs already or is the ILS's own words.
 */
struct display_state {
	enum display_screen screen;
	enum display_kind kind; /* of text */
	const char *text;       /* the message shown last ("\n" between lines) */
	const char *language;   /* the patron's language now */
	bool offline;           /* the ILS is unreachable: the banner */
	const char *offline_text;
	bool busy;              /* the ILS is answering for the patron */
	uint32_t ends_in_ms;    /* a session: its inactivity timeout from now; 0 = none */
	bool receipt_asked;     /* the patron chooses whether a receipt is printed ([receipt] ask) */
	bool receipt_wanted;    /* what the patron chose so far (no until they say yes) */
	const struct display_item *items;
	unsigned n_items;
	const struct display_label *labels;
	unsigned n_labels;
	const struct display_language *languages;
	unsigned n_languages;
};

/* The patron's touches; any may be NULL. */
struct display_events {
	void (*pin)(void *data, const char *pin);
	void (*done)(void *data);
	void (*language)(void *data, const char *language);
	void (*receipt)(void *data, bool wanted);
	void (*help)(void *data);
};

/* Where a backend that serves the screen over the network does so, and from which files. */
#define DISPLAY_LISTEN_MAX 64
struct display_config {
	char listen[DISPLAY_LISTEN_MAX]; /* an IPv4 or IPv6 address; default 127.0.0.1 */
	unsigned port;                   /* 0: any free port (reported) */
	char ui_dir[256];                /* the page's files; "": found by firmware */
};

struct display_ops {
	const char *name; /* as in the board file: "sim", "none" */
	bool keypad;      /* a patron can type a PIN on it: events->pin can come */
	/* cfg: only backends serving over the network read it; may be NULL for the others. */
	int (*open)(const struct hal_env *env, const struct board *board,
		    const struct display_config *cfg, const struct display_events *events,
		    void *data, void **ret, struct file_error *err);
	void (*close)(void *handle);
	int (*show)(void *handle, enum display_kind kind, const char *text);
	/* NULL for backends that show texts only: firmware then builds no state. */
	int (*state)(void *handle, const struct display_state *state);
};

extern const struct display_ops display_sim_ops;
extern const struct display_ops display_none_ops;
extern const struct display_ops display_web_ops;

const char *display_kind_name(enum display_kind kind);
const char *display_screen_name(enum display_screen screen);

/*
 * Reports a shown text to env's sink as one line, "display <kind>: <text>",
 * a receipt's line breaks as "/"; for backends that log what they show.
 */
void display_report(const struct hal_env *env, enum hal_level level, enum display_kind kind,
		    const char *text);

#endif
