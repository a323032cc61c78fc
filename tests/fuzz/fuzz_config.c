/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes config_parse() and feedback_pattern_parse() on a NUL-terminated copy
 * of the input. A parsed config must hold values in their documented ranges;
 * a failure must name a line and say something, escaped for a terminal.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../firmware/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_rule(const struct barcode_class_rule *rule)
{
	if (rule->n_prefixes > BARCODE_LIST_MAX || rule->n_lengths > BARCODE_LIST_MAX)
		abort();
	for (unsigned i = 0; i < rule->n_prefixes; i++) {
		size_t len = strnlen(rule->prefixes[i], BARCODE_PREFIX_MAX);

		if (len == 0 || len == BARCODE_PREFIX_MAX)
			abort();
	}
	for (unsigned i = 0; i < rule->n_lengths; i++)
		if (rule->lengths[i] < 1 || rule->lengths[i] > SCAN_TEXT_MAX)
			abort();
}

static void check_pattern(const struct feedback_pattern *p)
{
	if (p->n_tracks > FEEDBACK_TRACKS_MAX)
		abort();
	for (unsigned t = 0; t < p->n_tracks; t++) {
		const struct feedback_track *track = &p->tracks[t];

		if (board_role_kind(track->role) != ROLE_KIND_OUTPUT)
			abort();
		if (track->n_steps < 1 || track->n_steps > FEEDBACK_STEPS_MAX)
			abort();
		for (unsigned s = 0; s < track->n_steps; s++)
			if (track->steps_ms[s] < 1 || track->steps_ms[s] > 60000)
				abort();
	}
}

static void check_string(const char *s, size_t size, bool may_be_empty)
{
	size_t len = strnlen(s, size);

	if (len == size || (!may_be_empty && len == 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct file_error err = { 0 };
	struct feedback_pattern pattern;
	struct config cfg;
	const char *why;
	char *text = malloc(size + 1);
	int r;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	config_default(&cfg);
	r = config_parse(text, "fuzz.conf", &cfg, &err);
	if (r < 0) {
		if (r != -EINVAL || err.line < 1 || !err.msg[0] || strcmp(err.file, "fuzz.conf"))
			abort();
		check_string(err.msg, sizeof(err.msg), false);
		/* a hostile file's bytes never reach a terminal raw */
		for (const char *c = err.msg; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				abort();
	} else {
		/* a CA file or pin is only ever taken together with TLS */
		if (!cfg.sip2.tls && (cfg.sip2.ca_file[0] || cfg.sip2.pin_sha256[0]))
			abort();
		if (r != 0 || strcmp(cfg.path, "fuzz.conf"))
			abort();
		if (cfg.mode != KIOSK_SELFCHECK && cfg.mode != KIOSK_RETURNS)
			abort();
		if (cfg.session_timeout_s < 5 || cfg.session_timeout_s > 3600)
			abort();
		if (cfg.offline_max_items > 1000 || cfg.offline_loan_days < 1 ||
		    cfg.offline_loan_days > 365)
			abort();
		if (cfg.log_level > LOG_LEVEL_DEBUG)
			abort();
		check_string(cfg.kiosk_id, sizeof(cfg.kiosk_id), false);
		check_string(cfg.board, sizeof(cfg.board), false);
		check_string(cfg.store_path, sizeof(cfg.store_path), false);
		check_string(cfg.control_socket, sizeof(cfg.control_socket), false);
		check_string(cfg.control_group, sizeof(cfg.control_group), true);
		check_string(cfg.sim_socket, sizeof(cfg.sim_socket), false);
		check_rule(&cfg.barcodes.patron);
		check_rule(&cfg.barcodes.item);
		if (cfg.barcodes.n_done > BARCODE_LIST_MAX)
			abort();
		for (unsigned i = 0; i < cfg.barcodes.n_done; i++)
			check_string(cfg.barcodes.done[i], BARCODE_DONE_MAX, false);
		for (int k = 0; k < FEEDBACK__COUNT; k++)
			check_pattern(&cfg.feedback[k]);
	}

	memset(&pattern, 0, sizeof(pattern));
	why = NULL;
	r = feedback_pattern_parse(text, &pattern, &why);
	if (r < 0 ? r != -EINVAL || !why || !why[0] : r != 0 || why)
		abort();
	check_pattern(&pattern);
	free(text);
	return 0;
}
