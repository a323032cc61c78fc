/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * firmware/messages.c: the shipped catalogs (ui/messages) are complete and
 * valid in every language, and what happens with a catalog that is not:
 * English required and whole, another language's gaps and faults shown in
 * English, never as an id.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../firmware/messages.h"
#include "testlib.h"
#include "tmpdir.h"

#define SHIPPED "ui/messages"

/* Every parameter any message has, each with a value. */
static const struct catalog_arg all_args[] = {
	{ "name", "Ada" },   { "what", "W" },	{ "title", "T" },    { "item", "I" },
	{ "due", "D" },	     { "max", "3" },	{ "count", "2" },    { "place", "P" },
	{ "owner", "O" },    { "size", "3" },	{ "here", "2" },     { "missing", "1" },
	{ "date", "Mon 07 Dec 2026" }, { "time", "10:15" }, { "card", "***4567" },
	{ "seconds", "9" },
	{ NULL, NULL },
};

static void render(const struct messages *m, const char *lang, enum msg_id id, char *out,
		   size_t size)
{
	out[0] = '\0';
	CHECK_INT(messages_append(m, lang, id, all_args, out, size), 0);
}

static void test_shipped_catalogs_complete(void)
{
	struct messages *m = NULL;
	struct file_error err = { 0 };
	char langs[64], en[1024], text[1024];
	static const char *const shipped[] = { "de", "fr" };

	CHECK_INT(messages_load(SHIPPED, &m, &err), 0);
	messages_languages(m, langs, sizeof(langs));
	CHECK_STR(langs, "de en fr");
	for (size_t l = 0; l < 2; l++) {
		unsigned same = 0;

		CHECK(messages_have(m, shipped[l]));
		for (unsigned i = 0; i < MSG_COUNT; i++) {
			render(m, "en", (enum msg_id)i, en, sizeof(en));
			render(m, shipped[l], (enum msg_id)i, text, sizeof(text));
			CHECK(text[0] != '\0');
			CHECK(strchr(text, '{') == NULL);
			/* Layouts may read the same as English: "{title} ({item})", a date format. */
			if (i != MSG_CHECKOUT_TITLED && i != MSG_DATE_FORMAT)
				same += strcmp(en, text) == 0;
		}
		CHECK_INT(same, 0);
	}
	messages_free(m);
}

static void test_english_text_with_parameters(void)
{
	struct messages *m = NULL;
	char out[256] = "Hello";

	CHECK_INT(messages_load(SHIPPED, &m, NULL), 0);
	out[0] = '\0';
	CHECK_INT(messages_append(m, "en", MSG_CHECKOUT_YOURS_ALREADY,
				  MSG_ARGS({ "item", "31234000000016" }, { "due", "Mon 20 Dec" }), out,
				  sizeof(out)),
		  0);
	CHECK_STR(out, "You already have 31234000000016, due Mon 20 Dec.");
	/* Appended to what the buffer holds. */
	CHECK_INT(messages_append(m, "en", MSG_SCAN_WAIT, NULL, out, sizeof(out)), 0);
	CHECK_STR(out, "You already have 31234000000016, due Mon 20 Dec.One moment, please...");
	/* A language without a catalog reads English. */
	out[0] = '\0';
	CHECK_INT(messages_append(m, "xx", MSG_SCAN_WAIT, NULL, out, sizeof(out)), 0);
	CHECK_STR(out, "One moment, please...");
	CHECK(!messages_have(m, "xx"));
	messages_free(m);
	messages_free(NULL);
}

static void test_date_names(void)
{
	struct messages *m = NULL;

	CHECK_INT(messages_load(SHIPPED, &m, NULL), 0);
	CHECK_STR(messages_date_names(m, "en")->days_short[0], "Sun");
	CHECK_STR(messages_date_names(m, "en")->months[11], "December");
	CHECK_STR(messages_date_names(m, "de")->days[6], "Samstag");
	CHECK_STR(messages_date_names(m, "de")->months_short[2], "März");
	CHECK_STR(messages_date_names(m, "fr")->months_short[7], "août");
	CHECK_STR(messages_date_format(m, "de", ""), "%a., %d.%m.%Y");
	CHECK_STR(messages_date_format(m, "en", NULL), "%a %d %b %Y");
	/* No catalog: English's. */
	CHECK_STR(messages_date_names(m, "xx")->days[0], "Sunday");
	CHECK_STR(messages_date_format(m, "xx", ""), "%a %d %b %Y");
	/* The site's format over every language's. */
	CHECK_STR(messages_date_format(m, "de", "%Y-%m-%d"), "%Y-%m-%d");
	messages_free(m);
}

static void test_plural_forms(void)
{
	struct messages *m = NULL;

	CHECK_INT(messages_load(SHIPPED, &m, NULL), 0);
	CHECK_INT(messages_plural(m, "en", 1, MSG_RECEIPT_BORROWED_ONE, MSG_RECEIPT_BORROWED_OTHER),
		  MSG_RECEIPT_BORROWED_ONE);
	CHECK_INT(messages_plural(m, "en", 0, MSG_RECEIPT_BORROWED_ONE, MSG_RECEIPT_BORROWED_OTHER),
		  MSG_RECEIPT_BORROWED_OTHER);
	CHECK_INT(messages_plural(m, "de", 0, MSG_RECEIPT_BORROWED_ONE, MSG_RECEIPT_BORROWED_OTHER),
		  MSG_RECEIPT_BORROWED_OTHER);
	/* French: 0 takes the singular. */
	CHECK_INT(messages_plural(m, "fr", 0, MSG_RECEIPT_BORROWED_ONE, MSG_RECEIPT_BORROWED_OTHER),
		  MSG_RECEIPT_BORROWED_ONE);
	CHECK_INT(messages_plural(m, "fr", 2, MSG_RECEIPT_BORROWED_ONE, MSG_RECEIPT_BORROWED_OTHER),
		  MSG_RECEIPT_BORROWED_OTHER);
	messages_free(m);
}

static char *shipped_english(void)
{
	static char text[16384];
	FILE *f = fopen(SHIPPED "/en.msg", "re");
	size_t n;

	CHECK(f != NULL);
	n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	text[n] = '\0';
	if (f)
		fclose(f);
	return text;
}

static void remove_files(struct tmp *t, const char *const *names)
{
	char path[256];

	for (; *names; names++) {
		snprintf(path, sizeof(path), "%s/%s", t->dir, *names);
		unlink(path);
	}
	CHECK_INT(tmp_remove(t), 0);
}

static void test_gaps_and_faults_read_english(void)
{
	static const char *const files[] = { "en.msg", "xx.msg", "yy.msg", "Bad.msg", NULL };
	struct messages *m = NULL;
	struct file_error err = { 0 };
	char out[256], langs[64];
	struct tmp t;

	tmp_new(&t, "messages");
	tmp_put(t.dir, "en.msg", shipped_english());
	/* A gap, a parameter its message lacks, an unknown key. */
	tmp_put(t.dir, "xx.msg", "@plural = one-is-1\n"
				    "scan.wait = Un momento...\n"
				    "return.done = Returned {title}\n"
				    "date.days = Sun,Mon\n"
				    "no.such.message = x\n");
	/* Not even a catalog: left out, the others load. */
	tmp_put(t.dir, "yy.msg", "scan.wait Un momento\n");
	tmp_put(t.dir, "Bad.msg", "scan.wait = x\n");
	CHECK_INT(messages_load(t.dir, &m, &err), 0);
	messages_languages(m, langs, sizeof(langs));
	CHECK_STR(langs, "en xx");
	out[0] = '\0';
	CHECK_INT(messages_append(m, "xx", MSG_SCAN_WAIT, NULL, out, sizeof(out)), 0);
	CHECK_STR(out, "Un momento...");
	out[0] = '\0';
	CHECK_INT(messages_append(m, "xx", MSG_RETURN_DONE, MSG_ARGS({ "item", "I1" }), out,
				  sizeof(out)),
		  0);
	CHECK_STR(out, "Returned: I1. Thank you! Please put it in now.");
	out[0] = '\0';
	CHECK_INT(messages_append(m, "xx", MSG_SCAN_BAD_READ, NULL, out, sizeof(out)), 0);
	CHECK_STR(out, "That barcode did not read correctly. Please scan it again, or see staff.");
	/* Two names for seven days: English's names. */
	CHECK_STR(messages_date_names(m, "xx")->days[1], "Monday");
	messages_free(m);
	remove_files(&t, files);
}

static void test_english_must_be_whole(void)
{
	static const char *const files[] = { "en.msg", "de.msg", NULL };
	struct messages *m = (struct messages *)1;
	struct file_error err = { 0 };
	char english[16384];
	struct tmp t;
	char *line;

	tmp_new(&t, "messages");
	/* No English at all. */
	tmp_put(t.dir, "de.msg", "scan.wait = Einen Moment bitte...\n");
	CHECK_INT(messages_load(t.dir, &m, &err), -ENOENT);
	CHECK(m == NULL);
	CHECK(strstr(err.msg, "no en.msg") != NULL);
	/* English without one message. */
	snprintf(english, sizeof(english), "%s", shipped_english());
	line = strstr(english, "scan.wait =");
	CHECK(line != NULL);
	if (line)
		line[0] = '#';
	tmp_put(t.dir, "en.msg", english);
	CHECK_INT(messages_load(t.dir, &m, &err), -EINVAL);
	CHECK(strstr(err.msg, "no text for scan.wait") != NULL);
	/* English with a parameter its message does not have. */
	tmp_put(t.dir, "en.msg", "scan.wait = One {moment}\n");
	CHECK_INT(messages_load(t.dir, &m, &err), -EINVAL);
	CHECK(strstr(err.msg, "scan.wait names a parameter") != NULL);
	/* English with six days. */
	snprintf(english, sizeof(english), "%s", shipped_english());
	line = strstr(english, ",Saturday");
	CHECK(line != NULL);
	if (line)
		memcpy(line, "         ", 9);
	tmp_put(t.dir, "en.msg", english);
	CHECK_INT(messages_load(t.dir, &m, &err), -EINVAL);
	CHECK(strstr(err.msg, "date.days: 7 names") != NULL);
	/* English that does not parse: file and line. */
	tmp_put(t.dir, "en.msg", "# English\nscan.wait One moment\n");
	CHECK_INT(messages_load(t.dir, &m, &err), -EINVAL);
	CHECK_INT(err.line, 2);
	CHECK(strstr(err.file, "en.msg") != NULL);
	remove_files(&t, files);
	CHECK_INT(messages_load("/nonexistent/messages", &m, &err), -ENOENT);
}

int main(void)
{
	RUN(test_shipped_catalogs_complete);
	RUN(test_english_text_with_parameters);
	RUN(test_date_names);
	RUN(test_plural_forms);
	RUN(test_gaps_and_faults_read_english);
	RUN(test_english_must_be_whole);
	return testlib_finish();
}
