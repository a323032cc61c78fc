/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The touch-screen page's wire formats (display-codec.h). */
#include "display-codec.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

/* Writes stop at the first overflow; the result says so once, at the end. */
struct json_out {
	char *buf;
	size_t size, used;
	bool overflow;
};

static void put_bytes(struct json_out *o, const char *s, size_t n)
{
	if (o->overflow || o->used + n >= o->size) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->used, s, n);
	o->used += n;
	o->buf[o->used] = '\0';
}

static void put(struct json_out *o, const char *s)
{
	put_bytes(o, s, strlen(s));
}

static void put_string(struct json_out *o, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t left = strlen((const char *)p);

	put(o, "\"");
	while (left && !o->overflow) {
		char esc[8];
		uint32_t cp;
		size_t n;

		if (*p == '"' || *p == '\\') {
			esc[0] = '\\';
			esc[1] = (char)*p;
			put_bytes(o, esc, 2);
			n = 1;
		} else if (*p == '\n') {
			put(o, "\\n");
			n = 1;
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", *p);
			put(o, esc);
			n = 1;
		} else if (*p < 0x80) {
			put_bytes(o, (const char *)p, 1);
			n = 1;
		} else {
			n = utf8_decode(p, left, &cp);
			if (n)
				put_bytes(o, (const char *)p, n);
			else
				put(o, "\\ufffd");
			n = n ? n : 1;
		}
		p += n;
		left -= n;
	}
	put(o, "\"");
}

static void put_key_string(struct json_out *o, const char *key, const char *value)
{
	put_string(o, key);
	put(o, ":");
	put_string(o, value);
}

static void put_key_uint(struct json_out *o, const char *key, unsigned long long value)
{
	char num[24];

	snprintf(num, sizeof(num), "%llu", value);
	put_string(o, key);
	put(o, ":");
	put(o, num);
}

static void put_key_bool(struct json_out *o, const char *key, bool value)
{
	put_string(o, key);
	put(o, value ? ":true" : ":false");
}

int display_state_json(const struct display_state *st, uint64_t seq, char *out, size_t size)
{
	struct json_out o = { .buf = out, .size = size };
	unsigned i;

	if (!size)
		return -ENOSPC;
	out[0] = '\0';
	put(&o, "{");
	put_key_uint(&o, "seq", seq);
	put(&o, ",");
	put_key_string(&o, "screen", display_screen_name(st->screen));
	put(&o, ",");
	put_key_string(&o, "kind", display_kind_name(st->kind));
	put(&o, ",");
	put_key_string(&o, "text", st->text);
	put(&o, ",");
	put_key_string(&o, "language", st->language);
	put(&o, ",");
	put_key_bool(&o, "offline", st->offline);
	put(&o, ",");
	put_key_string(&o, "offline_text", st->offline_text);
	put(&o, ",");
	put_key_bool(&o, "busy", st->busy);
	put(&o, ",");
	put_key_uint(&o, "ends_in_ms", st->ends_in_ms);
	put(&o, ",");
	put_key_bool(&o, "receipt_asked", st->receipt_asked);
	put(&o, ",");
	put_key_bool(&o, "receipt_wanted", st->receipt_wanted);
	put(&o, ",\"items\":[");
	for (i = 0; i < st->n_items; i++) {
		put(&o, i ? ",{" : "{");
		put_key_string(&o, "item", st->items[i].item);
		put(&o, ",");
		put_key_string(&o, "title", st->items[i].title);
		put(&o, ",");
		put_key_string(&o, "due", st->items[i].due);
		put(&o, "}");
	}
	put(&o, "],\"labels\":{");
	for (i = 0; i < st->n_labels; i++) {
		if (i)
			put(&o, ",");
		put_key_string(&o, st->labels[i].name, st->labels[i].text);
	}
	put(&o, "},\"languages\":[");
	for (i = 0; i < st->n_languages; i++) {
		put(&o, i ? ",{" : "{");
		put_key_string(&o, "code", st->languages[i].code);
		put(&o, ",");
		put_key_string(&o, "name", st->languages[i].name);
		put(&o, "}");
	}
	put(&o, "]}");
	return o.overflow ? -ENOSPC : (int)o.used;
}

/* ---- the posted touches ---- */

/* Decodes one form-encoded component into out (size bytes with its NUL); -EINVAL if it does not fit. */
static int form_decode(const char *s, size_t len, char *out, size_t size)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -EINVAL;
			hi = hex_digit_value(s[i + 1]);
			lo = hex_digit_value(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -EINVAL;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || o + 1 >= size)
			return -EINVAL;
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

static bool all_of(const char *s, const char *allowed)
{
	return *s && strspn(s, allowed) == strlen(s);
}

static int check_value(struct display_input *in, bool have_value)
{
	switch (in->action) {
	case DISPLAY_ACTION_PIN:
		return have_value && all_of(in->value, "0123456789") ? 0 : -EINVAL;
	case DISPLAY_ACTION_LANGUAGE:
		return have_value && strlen(in->value) < 16 &&
				       all_of(in->value, "abcdefghijklmnopqrstuvwxyz0123456789-") ?
			       0 :
			       -EINVAL;
	case DISPLAY_ACTION_RECEIPT:
		return have_value && (strcmp(in->value, "yes") == 0 ||
				      strcmp(in->value, "no") == 0) ?
			       0 :
			       -EINVAL;
	case DISPLAY_ACTION_DONE:
	case DISPLAY_ACTION_HELP:
		return have_value ? -EINVAL : 0;
	}
	return -EINVAL;
}

int display_input_parse(const char *body, size_t len, struct display_input *ret)
{
	static const char *const actions[] = {
		[DISPLAY_ACTION_PIN] = "pin",		[DISPLAY_ACTION_DONE] = "done",
		[DISPLAY_ACTION_LANGUAGE] = "language", [DISPLAY_ACTION_RECEIPT] = "receipt",
		[DISPLAY_ACTION_HELP] = "help",
	};
	bool have_action = false, have_value = false;
	size_t pos = 0;
	char name[16], action[16];
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	action[0] = '\0';
	while (pos < len && r == 0) {
		const char *part = body + pos;
		const char *amp = memchr(part, '&', len - pos);
		size_t part_len = amp ? (size_t)(amp - part) : len - pos;
		const char *eq = memchr(part, '=', part_len);

		pos += part_len + (amp ? 1 : 0);
		if (!eq) {
			r = -EINVAL;
			break;
		}
		r = form_decode(part, (size_t)(eq - part), name, sizeof(name));
		if (r < 0)
			break;
		if (strcmp(name, "action") == 0 && !have_action) {
			have_action = true;
			r = form_decode(eq + 1, part_len - (size_t)(eq + 1 - part), action,
					sizeof(action));
		} else if (strcmp(name, "value") == 0 && !have_value) {
			have_value = true;
			r = form_decode(eq + 1, part_len - (size_t)(eq + 1 - part), ret->value,
					sizeof(ret->value));
		} else {
			r = -EINVAL;
		}
	}
	if (r == 0 && !have_action)
		r = -EINVAL;
	for (size_t i = 0; r == 0 && i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(action, actions[i]) == 0) {
			ret->action = (enum display_action)i;
			r = check_value(ret, have_value);
			if (r == 0)
				return 0;
		}
	}
	explicit_bzero(ret, sizeof(*ret));
	return -EINVAL;
}
