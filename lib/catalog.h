/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Message catalogs: the words of one language, as a UTF-8 text of lines
 *
 *   # a comment
 *   @plural = one-is-1          (or one-is-0-1: which counts take the "one" form)
 *   welcome.selfcheck = Welcome! Scan your library card to borrow items.
 *   returned = Returned: {item}. Thank you!
 *
 * A key is [a-z0-9_.-], at most CATALOG_KEY_MAX bytes, given once. Its text
 * is the rest of the line, trimmed; "\n" in it is a line break and "\\" a
 * backslash; {name} is a parameter, its name [a-z_]. A text may be empty.
 * No line limit (libinih's 200 bytes are too few for some languages'
 * sentences: hence this reader).
 *
 * Pure: nothing here reads files or logs (firmware/messages.c does).
 *
 * Ownership: catalog_parse() returns a catalog the caller frees with
 * catalog_free(), which accepts NULL; the strings catalog_get() and
 * catalog_key() return live as long as the catalog.
 */
#ifndef CIRCD_CATALOG_H
#define CIRCD_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#define CATALOG_KEY_MAX 63
#define CATALOG_PARAM_MAX 31

struct catalog;

enum catalog_plural {
	CATALOG_ONE_IS_1,   /* English, German: 1 item, 0 items */
	CATALOG_ONE_IS_0_1, /* French: 0 article, 1 article, 2 articles */
};

/*
 * 0, or -EINVAL with *err_line (1-based) and *err_msg (static text) saying
 * what is wrong; -ENOMEM.
 */
int catalog_parse(const char *text, size_t len, struct catalog **ret, unsigned *err_line,
		  const char **err_msg);
void catalog_free(struct catalog *c);

/* The text of key, or NULL when the catalog has none. */
const char *catalog_get(const struct catalog *c, const char *key);
size_t catalog_count(const struct catalog *c);
/* The i-th key (i < catalog_count()), in the order of the file. */
const char *catalog_key(const struct catalog *c, size_t i);
enum catalog_plural catalog_plural(const struct catalog *c);
/* Whether count takes the "one" form in c's language. */
bool catalog_is_one(const struct catalog *c, unsigned long count);

struct catalog_arg {
	const char *name;
	const char *value;
};

/*
 * text with each {name} replaced by the value of the arg of that name (n
 * args), into out (size bytes, always terminated when size > 0). -EINVAL
 * for a name no arg has or a brace that opens no {name}; -ENOSPC when out
 * was too small (what fitted is there, cut at a UTF-8 character boundary).
 */
int catalog_expand(const char *text, const struct catalog_arg *args, size_t n, char *out,
		   size_t size);
/*
 * Whether every {name} in text is one of the n names, and every brace opens
 * one: a catalog text circd can expand with those parameters.
 */
bool catalog_params_ok(const char *text, const char *const *names, size_t n);

#endif
