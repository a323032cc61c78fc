/* SPDX-License-Identifier: GPL-2.0-or-later */
/* lib/catalog.c: message catalogs, parsed from bytes and expanded. */
#include <errno.h>
#include <string.h>

#include "../../lib/catalog.h"
#include "testlib.h"

static struct catalog *parse_ok(const char *text)
{
	struct catalog *c = NULL;
	const char *why = NULL;
	unsigned line = 99;

	CHECK_INT(catalog_parse(text, strlen(text), &c, &line, &why), 0);
	CHECK(c != NULL);
	CHECK_INT(line, 0);
	return c;
}

/* The line and the reason of a catalog that is refused. */
static void parse_bad(const char *text, size_t len, unsigned want_line, const char *want_why)
{
	struct catalog *c = (struct catalog *)1;
	const char *why = NULL;
	unsigned line = 0;

	CHECK_INT(catalog_parse(text, len, &c, &line, &why), -EINVAL);
	CHECK(c == NULL);
	CHECK_INT(line, want_line);
	CHECK(why && strstr(why, want_why));
}

static void test_keys_texts_comments(void)
{
	struct catalog *c = parse_ok("# circd, English\n"
				     "\n"
				     "welcome = Welcome! Scan your card.\r\n"
				     "  returned =   Returned: {item}.  \n"
				     "two.lines = First\\nsecond, a \\\\ backslash\n"
				     "empty =\n"
				     "last.line-without_newline = Done");

	CHECK_INT(catalog_count(c), 5);
	CHECK_STR(catalog_key(c, 0), "welcome");
	CHECK_STR(catalog_key(c, 4), "last.line-without_newline");
	CHECK(catalog_key(c, 5) == NULL);
	CHECK_STR(catalog_get(c, "welcome"), "Welcome! Scan your card.");
	CHECK_STR(catalog_get(c, "returned"), "Returned: {item}.");
	CHECK_STR(catalog_get(c, "two.lines"), "First\nsecond, a \\ backslash");
	CHECK_STR(catalog_get(c, "empty"), "");
	CHECK_STR(catalog_get(c, "last.line-without_newline"), "Done");
	CHECK(catalog_get(c, "missing") == NULL);
	CHECK(catalog_get(NULL, "welcome") == NULL);
	CHECK_INT(catalog_plural(c), CATALOG_ONE_IS_1);
	catalog_free(c);
	catalog_free(NULL);
}

static void test_utf8_texts_and_long_lines(void)
{
	char text[2048];
	struct catalog *c;

	c = parse_ok("ok = Zurückgegeben: {item}. Merci, à bientôt ! 図書館\n");
	CHECK_STR(catalog_get(c, "ok"), "Zurückgegeben: {item}. Merci, à bientôt ! 図書館");
	catalog_free(c);
	/* Far past libinih's 200 bytes. */
	memset(text, 'x', sizeof(text));
	memcpy(text, "long = ", 7);
	text[sizeof(text) - 1] = '\0';
	c = parse_ok(text);
	CHECK_INT(strlen(catalog_get(c, "long")), sizeof(text) - 8);
	catalog_free(c);
}

static void test_plural_rules(void)
{
	struct catalog *en = parse_ok("@plural = one-is-1\n");
	struct catalog *fr = parse_ok("@plural=one-is-0-1\n");

	CHECK(catalog_is_one(en, 1));
	CHECK(!catalog_is_one(en, 0));
	CHECK(!catalog_is_one(en, 2));
	CHECK(catalog_is_one(fr, 0));
	CHECK(catalog_is_one(fr, 1));
	CHECK(!catalog_is_one(fr, 2));
	catalog_free(en);
	catalog_free(fr);
}

static void test_refused_lines(void)
{
	parse_bad("a = ok\nno equals sign\n", 16, 2, "expected key = text");
	parse_bad("Upper = x\n", 10, 1, "a key is made of");
	parse_bad("= x\n", 4, 1, "1 to 63");
	parse_bad("a = x\nb = y\na = z\n", 18, 3, "given before");
	parse_bad("a = \\t\n", 7, 1, "backslash");
	parse_bad("a = trailing \\\n", 15, 1, "backslash");
	parse_bad("a = {Item}\n", 11, 1, "brace that opens no");
	parse_bad("a = {item\n", 10, 1, "brace that opens no");
	parse_bad("a = item}\n", 10, 1, "closing brace");
	parse_bad("a = \xff\xfe\n", 7, 1, "not UTF-8");
	parse_bad("a = \xc0\xaf\n", 7, 1, "not UTF-8"); /* overlong '/' */
	parse_bad("a = x\x01y\n", 8, 1, "control character");
	parse_bad("a = x\0y\n", 8, 1, "NUL");
	parse_bad("@plural = few\n", 14, 1, "one-is-1 or one-is-0-1");
	parse_bad("@colour = red\n", 14, 1, "unknown directive");
	parse_bad("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa = x\n", 69, 1,
		  "1 to 63");
}

static void test_expand(void)
{
	const struct catalog_arg args[] = { { "item", "31234000000016" },
					    { "title", "Émile" },
					    { "none", NULL } };
	char out[64], small[12];

	CHECK_INT(catalog_expand("Returned: {item}.", args, 3, out, sizeof(out)), 0);
	CHECK_STR(out, "Returned: 31234000000016.");
	CHECK_INT(catalog_expand("{title} ({item}){none}", args, 3, out, sizeof(out)), 0);
	CHECK_STR(out, "Émile (31234000000016)");
	CHECK_INT(catalog_expand("no parameters", NULL, 0, out, sizeof(out)), 0);
	CHECK_STR(out, "no parameters");
	CHECK_INT(catalog_expand("{missing}", args, 3, out, sizeof(out)), -EINVAL);
	CHECK_INT(catalog_expand("{", args, 3, out, sizeof(out)), -EINVAL);
	/* Cut to fit, never inside a character: "Émile" is 6 bytes. */
	CHECK_INT(catalog_expand("Title: {title}", args, 3, small, 9), -ENOSPC);
	CHECK_STR(small, "Title: "); /* É would need 2 bytes, 1 is left */
	CHECK_INT(catalog_expand("Title: {title}", args, 3, small, 11), -ENOSPC);
	CHECK_STR(small, "Title: \xc3\x89m");
	CHECK_INT(catalog_expand("Title {title}", args, 3, small, 12), -ENOSPC);
	CHECK_STR(small, "Title \xc3\x89mil");
}

static void test_params_ok(void)
{
	static const char *const names[] = { "item", "due" };

	CHECK(catalog_params_ok("You already have {item}, due {due}.", names, 2));
	CHECK(catalog_params_ok("no parameters", names, 2));
	CHECK(!catalog_params_ok("{title}", names, 2));
	CHECK(!catalog_params_ok("{item", names, 2));
	CHECK(!catalog_params_ok("item}", names, 2));
	CHECK(!catalog_params_ok(NULL, names, 2));
}

int main(void)
{
	RUN(test_keys_texts_comments);
	RUN(test_utf8_texts_and_long_lines);
	RUN(test_plural_rules);
	RUN(test_refused_lines);
	RUN(test_expand);
	RUN(test_params_ok);
	return testlib_finish();
}
