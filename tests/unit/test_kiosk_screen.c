/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * firmware/kiosk-screen.c: what the touch screen is told, from the kiosk's
 * own state, on the fake clock with a real store: the step (welcome, PIN,
 * items, goodbye, out of service, bin full), the last text, the session's
 * items with their due dates, the timeout's countdown, the page's words in
 * the patron's language, and the touches (Done, a language, help) taken the
 * kiosk's usual ways.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../firmware/kiosk.h"
#include "../../firmware/messages.h"
#include "../../firmware/store.h"
#include "../../lib/loop.h"
#include "fake_ils.h"
#include "testlib.h"
#include "tmpdir.h"

#define PATRON_A "21234000000018"
#define ITEM_1 "31234000000016"

/* The last state pushed, copied (the kiosk's pointers live for the call only). */
struct seen {
	int pushes;
	enum display_screen screen;
	enum display_kind kind;
	char text[1024];
	char language[16];
	bool offline, busy, receipt_asked, receipt_wanted;
	uint32_t ends_in_ms;
	unsigned n_items;
	char item[32], due[64];
	char done_label[64], ending_label[128];
	unsigned n_languages;
	char language_names[64];
	int displays;
};

struct screen_rig {
	struct tmp tmp;
	struct config cfg;
	struct loop *loop;
	struct store *store;
	struct messages *messages;
	struct kiosk *kiosk;
	struct fake_ils *fake; /* NULL: no ILS configured */
	struct seen seen;
};

static void on_display(void *data, enum display_kind kind, const char *text)
{
	struct seen *s = data;

	(void)kind;
	(void)text;
	s->displays++;
}

static void on_screen(void *data, const struct display_state *st)
{
	struct seen *s = data;
	unsigned i;

	s->pushes++;
	s->screen = st->screen;
	s->kind = st->kind;
	snprintf(s->text, sizeof(s->text), "%s", st->text);
	snprintf(s->language, sizeof(s->language), "%s", st->language);
	s->offline = st->offline;
	s->busy = st->busy;
	s->ends_in_ms = st->ends_in_ms;
	s->receipt_asked = st->receipt_asked;
	s->receipt_wanted = st->receipt_wanted;
	s->n_items = st->n_items;
	s->item[0] = s->due[0] = '\0';
	if (st->n_items) {
		snprintf(s->item, sizeof(s->item), "%s", st->items[st->n_items - 1].item);
		snprintf(s->due, sizeof(s->due), "%s", st->items[st->n_items - 1].due);
	}
	for (i = 0; i < st->n_labels; i++) {
		if (strcmp(st->labels[i].name, "done") == 0)
			snprintf(s->done_label, sizeof(s->done_label), "%s", st->labels[i].text);
		if (strcmp(st->labels[i].name, "ending") == 0)
			snprintf(s->ending_label, sizeof(s->ending_label), "%s", st->labels[i].text);
	}
	s->n_languages = st->n_languages;
	s->language_names[0] = '\0';
	for (i = 0; i < st->n_languages; i++) {
		strncat(s->language_names, st->languages[i].name,
			sizeof(s->language_names) - strlen(s->language_names) - 2);
		strcat(s->language_names, "|");
	}
}

static void on_feedback(void *data, enum feedback_kind kind)
{
	(void)data;
	(void)kind;
}

/* A printer that is always ready: [receipt] ask has something to ask about. */
static int on_printer_status(void *data, struct printer_status *ret)
{
	(void)data;
	memset(ret, 0, sizeof(*ret));
	ret->state = PRINTER_OK;
	return 0;
}

static int on_print(void *data, const uint8_t *bytes, size_t len)
{
	(void)data;
	(void)bytes;
	(void)len;
	return 0;
}

static const struct kiosk_output screen_output = {
	.display = on_display,
	.screen = on_screen,
	.feedback = on_feedback,
	.printer_status = on_printer_status,
	.print = on_print,
};

static void on_link(void *data, bool up, const char *why)
{
	struct screen_rig *r = data;

	(void)why;
	if (r->kiosk)
		kiosk_set_online(r->kiosk, up);
}

static const struct ils_events link_events = { .link = on_link };

static void rig_start_ils(struct screen_rig *r, enum kiosk_mode mode, bool with_ils)
{
	struct kiosk_env env;

	memset(r, 0, sizeof(*r));
	tmp_new(&r->tmp, "screen");
	config_default(&r->cfg);
	r->cfg.mode = mode;
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &r->loop), 0);
	CHECK_INT(store_open(r->tmp.db, &r->store), 0);
	CHECK_INT(messages_load("ui/messages", &r->messages, NULL), 0);
	env = (struct kiosk_env){ .loop = r->loop, .cfg = &r->cfg, .store = r->store,
				  .boot_id = "boot-1", .out = &screen_output, .out_data = &r->seen,
				  .messages = r->messages };
	if (with_ils) {
		CHECK_INT(fake_ils_new(r->loop, &link_events, r, &r->fake), 0);
		env.ils = fake_ils_ils(r->fake);
	}
	CHECK_INT(kiosk_new(&env, &r->kiosk), 0);
}

static void rig_start(struct screen_rig *r, enum kiosk_mode mode)
{
	rig_start_ils(r, mode, false);
}

static void rig_stop(struct screen_rig *r)
{
	kiosk_free(r->kiosk);
	if (r->fake)
		ils_free(fake_ils_ils(r->fake));
	store_close(r->store);
	messages_free(r->messages);
	loop_free(r->loop);
	CHECK_INT(tmp_remove(&r->tmp), 0);
}

static void scan(struct screen_rig *r, enum board_role role, const char *text)
{
	struct scan s = { .symbology = SYM_UNKNOWN, .role = role };

	snprintf(s.text, sizeof(s.text), "%s", text);
	s.len = strlen(s.text);
	kiosk_scan(r->kiosk, &s);
}

static void test_a_session_step_by_step(void)
{
	struct screen_rig r;

	rig_start(&r, KIOSK_SELFCHECK);
	r.cfg.require_pin = true;
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_WELCOME);
	CHECK(strstr(r.seen.text, "Scan your library card") != NULL);
	CHECK_STR(r.seen.language, "en");
	CHECK_STR(r.seen.language_names, "Deutsch|English|Français|");
	CHECK_STR(r.seen.done_label, "Done");
	/* The page counts down: it gets the text with its parameter left in. */
	CHECK(strstr(r.seen.ending_label, "{seconds}") != NULL);
	CHECK(!r.seen.offline && !r.seen.busy);
	CHECK_INT(r.seen.ends_in_ms, 0);

	scan(&r, ROLE_PATRON_READER, PATRON_A);
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_PIN);
	CHECK(strstr(r.seen.text, "PIN") != NULL);
	CHECK_INT(r.seen.ends_in_ms, 60000);
	kiosk_pin(r.kiosk, "987123");
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_ITEMS);
	CHECK_INT(r.seen.n_items, 0);

	loop_advance(r.loop, 10000);
	scan(&r, ROLE_ITEM_SCANNER, ITEM_1);
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_ITEMS);
	CHECK_INT(r.seen.kind, DISPLAY_OK);
	CHECK_INT(r.seen.n_items, 1);
	CHECK_STR(r.seen.item, ITEM_1);
	CHECK(r.seen.due[0] != '\0');
	/* The scan was activity: the whole timeout again. */
	CHECK_INT(r.seen.ends_in_ms, 60000);

	/* German by touch: the page's words at once, the kiosk's from now on. */
	CHECK_INT(kiosk_choose_language(r.kiosk, "xx"), -ENOENT);
	CHECK_STR(r.seen.language, "en");
	CHECK_INT(kiosk_choose_language(r.kiosk, "de"), 0);
	CHECK_STR(r.seen.language, "de");
	CHECK_STR(r.seen.done_label, "Fertig");
	CHECK_INT(r.seen.n_items, 1);

	kiosk_done(r.kiosk);
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_GOODBYE);
	CHECK_INT(r.seen.kind, DISPLAY_RECEIPT);
	CHECK(strstr(r.seen.text, "Vielen Dank") != NULL);
	CHECK(strstr(r.seen.text, ITEM_1) != NULL);
	CHECK_INT(r.seen.n_items, 0);
	CHECK_INT(r.seen.ends_in_ms, 0);
	/* The goodbye is the patron's, in their language, words and buttons alike. */
	CHECK_STR(r.seen.language, "de");
	CHECK_STR(r.seen.done_label, "Fertig");
	rig_stop(&r);
}

static void test_language_chosen_before_the_card_holds(void)
{
	struct screen_rig r;

	rig_start(&r, KIOSK_SELFCHECK);
	CHECK_INT(kiosk_choose_language(r.kiosk, "fr"), 0);
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_WELCOME);
	CHECK(strstr(r.seen.text, "Bienvenue") != NULL);
	scan(&r, ROLE_PATRON_READER, PATRON_A);
	CHECK_STR(r.seen.language, "fr");
	CHECK_STR(r.seen.done_label, "Terminer");
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_ITEMS);
	/* Through the goodbye, then the next card (no choice of its own) is the kiosk's. */
	kiosk_done(r.kiosk);
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_GOODBYE);
	CHECK_STR(r.seen.language, "fr");
	scan(&r, ROLE_PATRON_READER, PATRON_A);
	CHECK_STR(r.seen.language, "en");
	CHECK_STR(r.seen.done_label, "Done");
	rig_stop(&r);
}

static void test_help_and_done_when_idle(void)
{
	struct screen_rig r;
	int pushes;

	rig_start(&r, KIOSK_SELFCHECK);
	kiosk_help(r.kiosk);
	CHECK(strstr(r.seen.text, "staff") != NULL);
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_WELCOME);
	/* Done with no session changes nothing. */
	pushes = r.seen.pushes;
	kiosk_done(r.kiosk);
	CHECK_INT(r.seen.pushes, pushes);
	rig_stop(&r);
}

static void test_out_of_service_and_bin_full(void)
{
	struct screen_rig r;

	rig_start(&r, KIOSK_RETURNS);
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_WELCOME);
	kiosk_input(r.kiosk, ROLE_BIN_FULL, true);
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_BIN_FULL);
	CHECK_INT(r.seen.kind, DISPLAY_ERROR);
	kiosk_input(r.kiosk, ROLE_BIN_FULL, false);
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_WELCOME);
	store_close(r.store);
	r.store = NULL;
	kiosk_set_store(r.kiosk, NULL, -EIO);
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_OUT_OF_SERVICE);
	CHECK(strstr(r.seen.text, "Out of service") != NULL);
	rig_stop(&r);
}

static void test_receipt_question_in_a_session(void)
{
	struct screen_rig r;

	rig_start(&r, KIOSK_SELFCHECK);
	scan(&r, ROLE_PATRON_READER, PATRON_A);
	CHECK(!r.seen.receipt_asked); /* [receipt] never: no question */
	kiosk_done(r.kiosk);
	r.cfg.receipt_policy = RECEIPT_ASK;
	scan(&r, ROLE_PATRON_READER, PATRON_A);
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_ITEMS);
	CHECK(r.seen.receipt_asked && !r.seen.receipt_wanted);
	kiosk_choose_receipt(r.kiosk, true);
	CHECK(r.seen.receipt_wanted);
	kiosk_done(r.kiosk);
	CHECK(!r.seen.receipt_asked);
	rig_stop(&r);
}

static void test_offline_banner(void)
{
	struct screen_rig r;

	rig_start_ils(&r, KIOSK_SELFCHECK, true);
	/* Not known yet: connecting, not offline. */
	CHECK(!r.seen.offline);
	fake_ils_set_up(r.fake, true);
	CHECK(!r.seen.offline);
	scan(&r, ROLE_PATRON_READER, PATRON_A);
	CHECK(r.seen.busy); /* the ILS is checking the card */
	CHECK_INT(r.seen.screen, DISPLAY_SCREEN_CHECKING);
	CHECK_INT(r.seen.ends_in_ms, 0);
	fake_ils_set_up(r.fake, false);
	CHECK(r.seen.offline && !r.seen.busy);
	kiosk_done(r.kiosk);
	CHECK(r.seen.offline);
	fake_ils_set_up(r.fake, true);
	CHECK(!r.seen.offline);
	rig_stop(&r);
}

int main(void)
{
	RUN(test_a_session_step_by_step);
	RUN(test_language_chosen_before_the_card_holds);
	RUN(test_help_and_done_when_idle);
	RUN(test_out_of_service_and_bin_full);
	RUN(test_receipt_question_in_a_session);
	RUN(test_offline_banner);
	return testlib_finish();
}
