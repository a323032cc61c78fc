/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hal/display-codec.c and the web display's file names. The escapes are
 * RFC 8259's (section 7: '"', '\\' and control characters escaped, \u00XX
 * for those without a short form; any other UTF-8 as is); the posted bodies
 * are application/x-www-form-urlencoded as the WHATWG URL Standard
 * (section 5, "application/x-www-form-urlencoded parsing") and a browser's
 * URLSearchParams write them: '+' for a space, %XX for other bytes.
 */
#include <errno.h>
#include <string.h>

#include "../../hal/display-codec.h"
#include "../../hal/display-web-private.h"
#include "testlib.h"

static void test_state_json_whole(void)
{
	static const struct display_item items[] = {
		{ "31234000000016", "Le Petit Prince", "Sun 20 Dec 2026" },
		{ "31234000000024", "", "" },
	};
	static const struct display_label labels[] = { { "done", "Fertig" }, { "help", "Hilfe" } };
	static const struct display_language langs[] = { { "de", "Deutsch" }, { "fr", "Français" } };
	const struct display_state st = {
		.screen = DISPLAY_SCREEN_ITEMS, .kind = DISPLAY_OK, .text = "Checked out:\n\"x\"",
		.language = "de", .offline = true, .offline_text = "off", .busy = false,
		.ends_in_ms = 59000, .receipt_asked = true, .items = items, .n_items = 2, .labels = labels, .n_labels = 2,
		.languages = langs, .n_languages = 2,
	};
	char out[1024];

	CHECK_INT(display_state_json(&st, 7, out, sizeof(out)), (int)strlen(out));
	CHECK_STR(out, "{\"seq\":7,\"screen\":\"items\",\"kind\":\"ok\","
		       "\"text\":\"Checked out:\\n\\\"x\\\"\",\"language\":\"de\",\"offline\":true,"
		       "\"offline_text\":\"off\",\"busy\":false,\"ends_in_ms\":59000,"
		       "\"receipt_asked\":true,\"receipt_wanted\":false,"
		       "\"items\":[{\"item\":\"31234000000016\",\"title\":\"Le Petit Prince\","
		       "\"due\":\"Sun 20 Dec 2026\"},{\"item\":\"31234000000024\",\"title\":\"\","
		       "\"due\":\"\"}],\"labels\":{\"done\":\"Fertig\",\"help\":\"Hilfe\"},"
		       "\"languages\":[{\"code\":\"de\",\"name\":\"Deutsch\"},"
		       "{\"code\":\"fr\",\"name\":\"Français\"}]}");
	CHECK(strchr(out, '\n') == NULL);
}

static void test_state_json_escapes(void)
{
	/* A tab, a backslash, DEL, a lone continuation byte and a cut sequence. */
	const struct display_state st = { .text = "a\tb\\c\x7f" "d\x80" "e\xc3", .language = "en" };
	char out[512];

	CHECK(display_state_json(&st, 1, out, sizeof(out)) > 0);
	CHECK(strstr(out, "\"text\":\"a\\u0009b\\\\c\\u007fd\\ufffde\\ufffd\"") != NULL);
	CHECK(strstr(out, "\"offline_text\":\"\"") != NULL);
}

static void test_state_json_too_small(void)
{
	const struct display_state st = { .text = "hello", .language = "en" };
	char out[512];
	int whole = display_state_json(&st, 1, out, sizeof(out));

	CHECK(whole > 0);
	for (size_t size = 0; size <= (size_t)whole; size++)
		CHECK_INT(display_state_json(&st, 1, out, size), -ENOSPC);
	CHECK_INT(display_state_json(&st, 1, out, (size_t)whole + 1), whole);
}

static int parse(const char *body, struct display_input *in)
{
	return display_input_parse(body, strlen(body), in);
}

static void test_input_actions(void)
{
	struct display_input in;

	CHECK_INT(parse("action=pin&value=1234", &in), 0);
	CHECK_INT(in.action, DISPLAY_ACTION_PIN);
	CHECK_STR(in.value, "1234");
	CHECK_INT(parse("value=0042&action=pin", &in), 0);
	CHECK_STR(in.value, "0042");
	CHECK_INT(parse("action=done", &in), 0);
	CHECK_INT(in.action, DISPLAY_ACTION_DONE);
	CHECK_INT(parse("action=help", &in), 0);
	CHECK_INT(in.action, DISPLAY_ACTION_HELP);
	CHECK_INT(parse("action=language&value=pt-br", &in), 0);
	CHECK_INT(in.action, DISPLAY_ACTION_LANGUAGE);
	CHECK_STR(in.value, "pt-br");
	CHECK_INT(parse("action=receipt&value=yes", &in), 0);
	CHECK_INT(in.action, DISPLAY_ACTION_RECEIPT);
	CHECK_STR(in.value, "yes");
	CHECK_INT(parse("action=receipt&value=no", &in), 0);
	/* Percent-escapes as URLSearchParams writes them (%64 is 'd'). */
	CHECK_INT(parse("%61ction=%64one", &in), 0);
	CHECK_INT(in.action, DISPLAY_ACTION_DONE);
}

static void test_input_refused(void)
{
	static const char *const bad[] = {
		"",
		"action",
		"action=",
		"action=dance",
		"action=pin",                      /* no PIN */
		"action=pin&value=",               /* an empty one */
		"action=pin&value=12a4",           /* digits only */
		"action=pin&value=12345678901234567", /* 17 digits */
		"action=pin&value=12%00",          /* a NUL inside */
		"action=pin&value=1%2",            /* an escape cut short */
		"action=pin&value=1%zz",
		"action=done&value=1",             /* done takes nothing */
		"action=done&action=help",         /* a key twice */
		"action=done&colour=red",
		"action=language&value=DE",        /* tags are lower case */
		"action=language&value=de_DE",
		"action=language&value=abcdefghijklmnop",
		"action=receipt&value=maybe",
	};
	struct display_input in;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_INT(parse(bad[i], &in), -EINVAL);
		CHECK_STR(in.value, "");
	}
}

static void test_file_names(void)
{
	const char *type = NULL;

	CHECK(display_web_file_name_ok("index.html", &type));
	CHECK_STR(type, "text/html; charset=utf-8");
	CHECK(display_web_file_name_ok("app.js", &type));
	CHECK_STR(type, "text/javascript; charset=utf-8");
	CHECK(display_web_file_name_ok("style.css", &type));
	CHECK_STR(type, "text/css; charset=utf-8");
	CHECK(display_web_file_name_ok("logo.svg", &type));
	CHECK_STR(type, "image/svg+xml");
	/* Nothing outside the folder, no hidden files, nothing the page does not use. */
	CHECK(!display_web_file_name_ok("../etc/passwd", &type));
	CHECK(!display_web_file_name_ok("..", &type));
	CHECK(!display_web_file_name_ok("../index.html", &type));
	CHECK(!display_web_file_name_ok("messages/en.msg", &type));
	CHECK(!display_web_file_name_ok("en.msg", &type));
	CHECK(!display_web_file_name_ok(".htaccess.css", &type));
	CHECK(!display_web_file_name_ok("a%2fb.js", &type));
	CHECK(!display_web_file_name_ok("a\\b.js", &type));
	CHECK(!display_web_file_name_ok("", &type));
	CHECK(!display_web_file_name_ok(".js", &type));
}

int main(void)
{
	RUN(test_state_json_whole);
	RUN(test_state_json_escapes);
	RUN(test_state_json_too_small);
	RUN(test_input_actions);
	RUN(test_input_refused);
	RUN(test_file_names);
	return testlib_finish();
}
