/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Message catalogs (see catalog.h). */
#include "catalog.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

struct catalog_entry {
	char *key;
	char *text;
};

struct catalog {
	struct catalog_entry *entries;
	size_t n, cap;
	enum catalog_plural plural;
};

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-';
}

static bool is_param_char(char c)
{
	return (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* A {name} at s ('{' first): its name's length, or 0 when it is none. */
static size_t param_at(const char *s, size_t n)
{
	size_t i = 1;

	while (i < n && i <= CATALOG_PARAM_MAX && is_param_char(s[i]))
		i++;
	return i > 1 && i < n && s[i] == '}' ? i - 1 : 0;
}

/* Every brace opens a {name}; well-formed UTF-8, no control characters but \n. */
static const char *text_problem(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len;

		if (s[i] == '{') {
			len = param_at(s + i, n - i);
			if (!len)
				return "a brace that opens no {name} (names are a-z and _)";
			i += len + 2;
			continue;
		}
		if (s[i] == '}')
			return "a closing brace without its {";
		if ((unsigned char)s[i] < 0x20 && s[i] != '\n')
			return "a control character";
		len = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!len)
			return "bytes that are not UTF-8";
		i += len;
	}
	return NULL;
}

/* The line's text after "=", its escapes resolved, into a new string. */
static char *unescape(const char *s, size_t n, const char **why)
{
	char *out = malloc(n + 1), *o = out;

	if (!out) {
		*why = "out of memory";
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			*o++ = s[i];
			continue;
		}
		if (i + 1 < n && s[i + 1] == 'n') {
			*o++ = '\n';
		} else if (i + 1 < n && s[i + 1] == '\\') {
			*o++ = '\\';
		} else {
			*why = "a backslash that is not \\n or \\\\";
			free(out);
			return NULL;
		}
		i++;
	}
	*o = '\0';
	return out;
}

static int add_entry(struct catalog *c, const char *key, size_t key_len, char *text)
{
	char *k;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct catalog_entry *e = realloc(c->entries, cap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		c->entries = e;
		c->cap = cap;
	}
	k = strndup(key, key_len);
	if (!k)
		return -ENOMEM;
	c->entries[c->n].key = k;
	c->entries[c->n].text = text;
	c->n++;
	return 0;
}

static bool has_key(const struct catalog *c, const char *key, size_t key_len)
{
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->entries[i].key) == key_len &&
		    memcmp(c->entries[i].key, key, key_len) == 0)
			return true;
	return false;
}

static const char *plural_rule(struct catalog *c, const char *v, size_t n)
{
	if (n == 8 && memcmp(v, "one-is-1", 8) == 0)
		c->plural = CATALOG_ONE_IS_1;
	else if (n == 10 && memcmp(v, "one-is-0-1", 10) == 0)
		c->plural = CATALOG_ONE_IS_0_1;
	else
		return "@plural is one-is-1 or one-is-0-1";
	return NULL;
}

/* One line (without its newline): NULL, or what is wrong with it. */
static const char *parse_line(struct catalog *c, const char *s, size_t n, int *err)
{
	size_t key_len = 0, eq;
	const char *why = NULL, *equals;
	char *text;

	while (n && is_blank(*s))
		s++, n--;
	while (n && is_blank(s[n - 1]))
		n--;
	if (!n || *s == '#')
		return NULL;
	equals = memchr(s, '=', n);
	if (!equals)
		return "expected key = text";
	eq = (size_t)(equals - s);
	if (*s == '@') {
		size_t v = eq + 1, d = 1;

		while (d < eq && is_key_char(s[d]))
			d++;
		while (v < n && is_blank(s[v]))
			v++;
		if (d == 7 && memcmp(s, "@plural", 7) == 0)
			return plural_rule(c, s + v, n - v);
		return "unknown directive (only @plural)";
	}
	while (key_len < eq && is_key_char(s[key_len]))
		key_len++;
	for (size_t i = key_len; i < eq; i++)
		if (!is_blank(s[i]))
			return "a key is made of a-z, 0-9, _, . and -";
	if (!key_len || key_len > CATALOG_KEY_MAX)
		return "a key is 1 to 63 characters";
	if (has_key(c, s, key_len))
		return "this key was given before";
	eq++;
	while (eq < n && is_blank(s[eq]))
		eq++;
	text = unescape(s + eq, n - eq, &why);
	if (!text)
		return why;
	why = text_problem(text, strlen(text));
	if (why) {
		free(text);
		return why;
	}
	*err = add_entry(c, s, key_len, text);
	if (*err < 0)
		free(text);
	return *err < 0 ? "out of memory" : NULL;
}

int catalog_parse(const char *text, size_t len, struct catalog **ret, unsigned *err_line,
		  const char **err_msg)
{
	struct catalog *c;
	unsigned line = 0;
	size_t at = 0;

	*ret = NULL;
	*err_line = 0;
	*err_msg = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	while (at < len) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		const char *why;
		int err = 0;

		line++;
		if (memchr(text + at, '\0', n)) {
			why = "a NUL byte";
		} else {
			why = parse_line(c, text + at, n, &err);
		}
		if (why) {
			*err_line = line;
			*err_msg = why;
			catalog_free(c);
			return err < 0 ? err : -EINVAL;
		}
		at += n + 1;
	}
	*ret = c;
	return 0;
}

void catalog_free(struct catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->entries[i].key);
		free(c->entries[i].text);
	}
	free(c->entries);
	free(c);
}

const char *catalog_get(const struct catalog *c, const char *key)
{
	if (!c || !key)
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->entries[i].key, key) == 0)
			return c->entries[i].text;
	return NULL;
}

size_t catalog_count(const struct catalog *c)
{
	return c ? c->n : 0;
}

const char *catalog_key(const struct catalog *c, size_t i)
{
	return c && i < c->n ? c->entries[i].key : NULL;
}

enum catalog_plural catalog_plural(const struct catalog *c)
{
	return c ? c->plural : CATALOG_ONE_IS_1;
}

bool catalog_is_one(const struct catalog *c, unsigned long count)
{
	return catalog_plural(c) == CATALOG_ONE_IS_0_1 ? count <= 1 : count == 1;
}

static const char *arg_value(const struct catalog_arg *args, size_t n, const char *name,
			     size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (args[i].name && strlen(args[i].name) == len &&
		    memcmp(args[i].name, name, len) == 0)
			return args[i].value ? args[i].value : "";
	return NULL;
}

/* Appends s[0..n) to out, cut at a character boundary when full. */
static bool put(char *out, size_t size, size_t *used, const char *s, size_t n)
{
	size_t room = size - 1 - *used;

	if (n > room) {
		/* s has room + 1 bytes at least: utf8_cut_len() reads no further. */
		size_t fit = utf8_cut_len(s, room + 1);

		memcpy(out + *used, s, fit);
		*used += fit;
		out[*used] = '\0';
		return false;
	}
	memcpy(out + *used, s, n);
	*used += n;
	out[*used] = '\0';
	return true;
}

int catalog_expand(const char *text, const struct catalog_arg *args, size_t n, char *out,
		   size_t size)
{
	size_t used = 0, len;

	if (!text || !out || !size)
		return -EINVAL;
	out[0] = '\0';
	len = strlen(text);
	for (size_t i = 0; i < len;) {
		const char *brace = memchr(text + i, '{', len - i);
		size_t plain = brace ? (size_t)(brace - (text + i)) : len - i, name_len;
		const char *value;

		if (!put(out, size, &used, text + i, plain))
			return -ENOSPC;
		i += plain;
		if (i == len)
			break;
		name_len = param_at(text + i, len - i);
		if (!name_len)
			return -EINVAL;
		value = arg_value(args, n, text + i + 1, name_len);
		if (!value)
			return -EINVAL;
		if (!put(out, size, &used, value, strlen(value)))
			return -ENOSPC;
		i += name_len + 2;
	}
	return 0;
}

bool catalog_params_ok(const char *text, const char *const *names, size_t n)
{
	size_t len;

	if (!text)
		return false;
	len = strlen(text);
	for (size_t i = 0; i < len; i++) {
		size_t name_len;
		bool known = false;

		if (text[i] == '}')
			return false;
		if (text[i] != '{')
			continue;
		name_len = param_at(text + i, len - i);
		if (!name_len)
			return false;
		for (size_t j = 0; j < n; j++)
			if (strlen(names[j]) == name_len && memcmp(names[j], text + i + 1, name_len) == 0)
				known = true;
		if (!known)
			return false;
		i += name_len + 1;
	}
	return true;
}
