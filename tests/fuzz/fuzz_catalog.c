/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes catalog_parse() and catalog_expand(): a catalog that parses has
 * keys that look itself up, texts that are valid for expansion with their
 * own parameters, and expansion never writes past its buffer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every {name} of text as an arg of the same name: expansion must succeed. */
static size_t own_args(const char *text, struct catalog_arg *args, char names[][32], size_t max)
{
	size_t n = 0;

	for (const char *p = strchr(text, '{'); p && n < max; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		size_t len = end ? (size_t)(end - p - 1) : 0;

		if (!len || len >= 32)
			abort(); /* the parser let a bad brace through */
		memcpy(names[n], p + 1, len);
		names[n][len] = '\0';
		args[n].name = names[n];
		args[n].value = "v";
		n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct catalog *c = NULL;
	const char *why = NULL;
	unsigned line = 0;
	int r = catalog_parse((const char *)data, size, &c, &line, &why);

	if (r < 0) {
		if (r != -EINVAL || c || !line || !why)
			abort();
		return 0;
	}
	for (size_t i = 0; i < catalog_count(c); i++) {
		const char *key = catalog_key(c, i), *text = catalog_get(c, key);
		struct catalog_arg args[64];
		char names[64][32], out[32];
		size_t n;

		if (!text)
			abort();
		n = own_args(text, args, names, 64);
		if (n < 64 && (r = catalog_expand(text, args, n, out, sizeof(out))) < 0 &&
		    r != -ENOSPC)
			abort();
		if (strlen(out) >= sizeof(out))
			abort();
	}
	catalog_free(c);
	return 0;
}
