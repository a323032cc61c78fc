/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Keyboard-wedge decoder: barcode scanners and card readers that pretend to
 * be a keyboard send HID boot-protocol reports (8 bytes: modifiers, reserved,
 * up to six usages of keys held down, page 0x07). This turns them into
 * symbols, the way the host's keyboard layout would have typed them. A
 * keyboard that only speaks report protocol (a Report ID first) has its
 * reports rewritten as boot reports by hid_kbd_to_boot() (hid-report.h).
 *
 * Pure: no I/O, no allocation, no clock. The caller owns every struct here
 * (stack or embedded, nothing to free), passes the time of each report, and
 * arms its own timer from hid_keyboard_deadline().
 *
 * A key press is a usage present in a report and absent from the previous
 * one; a symbol ends on Enter, keypad Enter or Tab. Text is UTF-8 (é on
 * AZERTY is two bytes). Dead keys work as on Windows: with a letter they
 * compose (^ then e is ê), with a space they type the accent, before
 * anything else both. Some scanners type what a layout lacks as an "Alt
 * code": Alt held, digits on the keypad, Alt released. A leading 0 selects
 * Windows-1252, none the OEM code page (437 on us, 850 on the others), as
 * Windows decides; codes past 255 wrap as there. Ctrl+letter is the ASCII
 * control character (Ctrl+M is CR), as scanners send them in their
 * "Control+ASCII" mode. Of control characters, CR, LF and Tab end a symbol
 * like Enter (so a CR LF suffix ends it once) and GS (0x1D, GS1's FNC1)
 * is kept in the text. A key the layout cannot turn into a character (F1,
 * an arrow, Ctrl+x, Alt code 0) poisons the symbol it is in, which is then
 * discarded, with the reason, when its suffix arrives.
 */
#ifndef CIRCD_HAL_HID_KEYBOARD_H
#define CIRCD_HAL_HID_KEYBOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hid-layout.h"
#include "scanner.h"

#define HID_BOOT_REPORT_LEN 8
#define HID_BOOT_KEY_SLOTS 6
#define HID_REASON_MAX 96

/* Byte 0 of a boot report. */
#define HID_MOD_LCTRL 0x01
#define HID_MOD_LSHIFT 0x02
#define HID_MOD_LALT 0x04
#define HID_MOD_LGUI 0x08
#define HID_MOD_RCTRL 0x10
#define HID_MOD_RSHIFT 0x20
#define HID_MOD_RALT 0x40 /* AltGr on layouts that have one */
#define HID_MOD_RGUI 0x80

/* Keyboard page usages the decoder itself acts on. */
#define HID_KEY_ERROR_ROLLOVER 0x01
#define HID_KEY_ENTER 0x28
#define HID_KEY_TAB 0x2b
#define HID_KEY_KEYPAD_ENTER 0x58

/* hid_layout_char() of a dead key: this flag with the accent's spacing character (^, ´, ¨...). */
#define HID_CHAR_DEAD 0x80000000u

/*
 * What usage typed with these modifiers gives on layout (in hid-layouts.c):
 * the Unicode code point of a printable character, HID_CHAR_DEAD | accent
 * for a dead key, or 0 when it gives none (a non-character key, Ctrl/Alt/
 * GUI chords). Enter and Tab give 0 too: they end symbols,
 * they are not in them. The keypad types digits (NumLock on) and its
 * decimal key the country's separator.
 */
uint32_t hid_layout_char(enum hid_layout layout, uint8_t usage, uint8_t modifiers);
/* What a dead key's accent (its spacing character) makes of base: the precomposed letter, or 0. */
uint32_t hid_layout_compose(uint32_t accent, uint32_t base);
/*
 * The character of an Alt code on layout: value (mod 256) in Windows-1252
 * when ansi (typed with a leading 0), else in the layout's OEM code page;
 * 1..31 are the ASCII control characters. 0 for 0, DEL and undefined codes.
 */
uint32_t hid_alt_code_char(enum hid_layout layout, unsigned value, bool ansi);

/* Caller-owned decoder state; only hid_keyboard_*() look inside. */
struct hid_keyboard {
	enum hid_layout layout;
	unsigned char_timeout_ms;          /* 0: partial symbols never expire */
	uint8_t held[HID_BOOT_KEY_SLOTS];  /* usages of the last report, 0 = empty slot */
	bool pending;                      /* a key was pressed since the last suffix */
	uint64_t last_key_ms;              /* when the pending symbol's last key came */
	size_t typed;                      /* UTF-8 bytes typed, may exceed SCAN_TEXT_MAX */
	char text[SCAN_TEXT_MAX + 1];      /* the first SCAN_TEXT_MAX of them */
	uint32_t dead;                     /* a dead key's accent waiting for the next key, or 0 */
	unsigned alt_digits;               /* keypad digits typed with Alt held so far */
	unsigned alt_value;                /* their value, mod 256 */
	bool alt_ansi;                     /* the first was 0: Windows-1252 */
	bool poisoned;                     /* an unmappable key is in the pending symbol */
	uint8_t bad_usage, bad_modifiers;  /* the first one */
	bool bad_alt_code;                 /* or an Alt code, */
	unsigned bad_alt_value;            /* this one */
};

void hid_keyboard_init(struct hid_keyboard *kb, enum hid_layout layout,
		       unsigned char_timeout_ms);

struct hid_keyboard_out {
	bool symbol;                 /* text holds a complete symbol */
	char text[SCAN_TEXT_MAX + 1];
	size_t len;
	bool discarded;              /* a partial symbol was thrown away */
	char reason[HID_REASON_MAX]; /* why, in words */
};

/*
 * Feeds one report received at now_ms (a monotonic clock in ms). Fills *out
 * (cleared first): one feed may both discard an expired partial symbol and
 * complete a new one. Should one report complete two symbols (Tab and Enter
 * pressed together after text), the second is discarded with a reason; of
 * two discards the first reason is kept.
 *
 * Reports shorter than 3 bytes are ignored, bytes past the 8th too; a report
 * holding ErrorRollOver (or POSTFail/ErrorUndefined) in a key slot is the
 * keyboard's "phantom" state and changes nothing. Returns 0, or -EINVAL for
 * NULL arguments.
 */
int hid_keyboard_feed(struct hid_keyboard *kb, const uint8_t *report, size_t len,
		      uint64_t now_ms, struct hid_keyboard_out *out);

/*
 * When a partial symbol is pending and char_timeout_ms is set: true, and in
 * *deadline_ms the first monotonic ms at which it has expired (a gap between
 * keys longer than char_timeout_ms expires it).
 */
bool hid_keyboard_deadline(const struct hid_keyboard *kb, uint64_t *deadline_ms);

/*
 * For the owner's timer, at or after the deadline: clears *out, then
 * discards the partial symbol (out->discarded, out->reason) if it has
 * expired by now_ms. Early calls change nothing.
 */
void hid_keyboard_expire(struct hid_keyboard *kb, uint64_t now_ms, struct hid_keyboard_out *out);

/* Forgets any partial symbol and the held keys (device unplugged). Keeps layout and timeout. */
void hid_keyboard_reset(struct hid_keyboard *kb);

#endif
