/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The patron's screen as a whole (struct display_state), for a display that
 * shows more than one text at a time: which step the patron is at, the
 * session's items, the offline banner, the words of the page's own buttons,
 * every one rendered here from the catalogs in the patron's language. The
 * page decides nothing: it draws what this says.
 */
#include "kiosk-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

/* Languages offered on the screen; the catalogs rarely number more than a few. */
#define SCREEN_LANGUAGES_MAX 12
#define LABEL_MAX 256

static const struct {
	const char *name;
	enum msg_id id;
} screen_labels[] = {
	{ "language", MSG_SCREEN_LANGUAGE },
	{ "done", MSG_SCREEN_DONE },
	{ "help", MSG_SCREEN_HELP },
	{ "pin_label", MSG_SCREEN_PIN_LABEL },
	{ "pin_ok", MSG_SCREEN_PIN_OK },
	{ "pin_delete", MSG_SCREEN_PIN_DELETE },
	{ "items", MSG_SCREEN_ITEMS },
	{ "ending", MSG_SCREEN_ENDING },
	{ "gone", MSG_SCREEN_GONE },
	{ "receipt_question", MSG_SCREEN_RECEIPT_QUESTION },
	{ "yes", MSG_SCREEN_YES },
	{ "no", MSG_SCREEN_NO },
};

static enum display_screen screen_of(const struct kiosk *k)
{
	if (!k->store)
		return DISPLAY_SCREEN_OUT_OF_SERVICE;
	if (k->cfg->mode == KIOSK_RETURNS && k->bin_full)
		return DISPLAY_SCREEN_BIN_FULL;
	switch (k->state) {
	case KIOSK_IDLE:
		return k->screen_kind == DISPLAY_RECEIPT || k->screen_msg == MSG_PATRON_SESSION_ENDED ?
			       DISPLAY_SCREEN_GOODBYE :
			       DISPLAY_SCREEN_WELCOME;
	case KIOSK_PIN:
		return DISPLAY_SCREEN_PIN;
	case KIOSK_CHECKING:
		return DISPLAY_SCREEN_CHECKING;
	case KIOSK_ITEMS:
	case KIOSK_ANSWERING:
		break;
	}
	return DISPLAY_SCREEN_ITEMS;
}

/* How long until the inactivity timeout ends the session; 0 when none runs. */
static uint32_t session_ends_in_ms(const struct kiosk *k)
{
	uint64_t idle, timeout = (uint64_t)k->cfg->session_timeout_s * 1000u;

	if (k->state == KIOSK_IDLE || kiosk_waiting(k))
		return 0;
	idle = loop_mono_ms(k->env.loop) - k->last_activity_ms;
	return idle >= timeout ? 1 : (uint32_t)(timeout - idle);
}

struct screen_words {
	char labels[ARRAY_SIZE(screen_labels)][LABEL_MAX];
	char offline[LABEL_MAX * 2];
	char codes[SCREEN_LANGUAGES_MAX][MESSAGES_LANG_MAX];
	char names[SCREEN_LANGUAGES_MAX][64];
	struct display_label label[ARRAY_SIZE(screen_labels)];
	struct display_language language[SCREEN_LANGUAGES_MAX];
};

static void render_words(const struct kiosk *k, struct screen_words *w, struct display_state *st)
{
	const char *lang = kiosk_language(k);
	char list[SCREEN_LANGUAGES_MAX * MESSAGES_LANG_MAX];
	char *save = NULL, *code;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(screen_labels); i++) {
		w->labels[i][0] = '\0';
		/* The page counts down, so it gets the text with {seconds} left in. */
		messages_append(k->env.messages, lang, screen_labels[i].id,
				MSG_ARGS({ "seconds", "{seconds}" }), w->labels[i], LABEL_MAX);
		w->label[i] = (struct display_label){ screen_labels[i].name, w->labels[i] };
	}
	st->labels = w->label;
	st->n_labels = ARRAY_SIZE(screen_labels);
	w->offline[0] = '\0';
	messages_append(k->env.messages, lang, MSG_WELCOME_OFFLINE, NULL, w->offline,
			sizeof(w->offline));
	st->offline_text = w->offline;
	messages_languages(k->env.messages, list, sizeof(list));
	st->n_languages = 0;
	for (code = strtok_r(list, " ", &save); code && st->n_languages < SCREEN_LANGUAGES_MAX;
	     code = strtok_r(NULL, " ", &save)) {
		i = st->n_languages++;
		snprintf(w->codes[i], sizeof(w->codes[i]), "%s", code);
		w->names[i][0] = '\0';
		messages_append(k->env.messages, code, MSG_LANGUAGE_NAME, NULL, w->names[i],
				sizeof(w->names[i]));
		w->language[i] = (struct display_language){ w->codes[i], w->names[i] };
	}
	st->languages = w->language;
}

void kiosk_screen_push(struct kiosk *k)
{
	const struct kiosk_output *out = k->env.out;
	struct display_item *items = NULL;
	struct display_state st = { 0 };
	struct screen_words *words;
	unsigned i;

	if (!out->screen)
		return;
	words = malloc(sizeof(*words));
	if (!words)
		return;
	render_words(k, words, &st);
	st.screen = screen_of(k);
	st.kind = k->screen_kind;
	st.text = k->screen_text.s;
	st.language = kiosk_language(k);
	st.offline = k->env.ils && k->link_known && !k->online;
	st.busy = kiosk_waiting(k);
	st.ends_in_ms = session_ends_in_ms(k);
	st.receipt_asked = st.screen == DISPLAY_SCREEN_ITEMS && kiosk_receipt_askable(k);
	st.receipt_wanted = k->receipt_wanted;
	if (k->n_items && st.screen == DISPLAY_SCREEN_ITEMS)
		items = calloc(k->n_items, sizeof(*items));
	for (i = 0; items && i < k->n_items; i++)
		items[i] = (struct display_item){ k->items[i].item, k->items[i].title,
						  k->items[i].due };
	st.items = items;
	st.n_items = items ? k->n_items : 0;
	out->screen(k->env.out_data, &st);
	free(items);
	free(words);
}
