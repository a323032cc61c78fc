/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sim channel's command parser (grammar in sim.h): pure, no allocation,
 * fuzzed by tests/fuzz/fuzz_sim_command.c.
 */
#include "sim.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "util.h"

#define SIM_PIN_MAX 16
#define SIM_ADVANCE_MAX (1ull << 40)
#define SIM_WALL_MAX (1ull << 45) /* ms since the epoch: past the year 3000 */
#define SIM_ROLE_NAME_MAX 32

static const char *const command_words[SIM_CMD__COUNT] = {
	[SIM_CMD_SCAN] = "scan",
	[SIM_CMD_PIN] = "pin",
	[SIM_CMD_INPUT] = "input",
	[SIM_CMD_ADVANCE] = "advance",
	[SIM_CMD_PING] = "ping",
	[SIM_CMD_WALL] = "wall",
	[SIM_CMD_TAG] = "tag",
	[SIM_CMD_PRINTER_STATUS] = "printer-status",
	[SIM_CMD_SCANNER_ATTACHED] = "scanner-attached",
	[SIM_CMD_WEDGE] = "wedge",
};


static const char *const tag_actions[] = {
	[SIM_TAG_PLACE] = "place",
	[SIM_TAG_REMOVE] = "remove",
	[SIM_TAG_FAULT] = "fault",
};

static const char *const fault_words[] = {
	[SIM_FAULT_NONE] = "none",
	[SIM_FAULT_LEAVE] = "leave",
	[SIM_FAULT_REFUSE] = "refuse",
	[SIM_FAULT_CRC] = "crc",
	[SIM_FAULT_TIMEOUT] = "timeout",
	[SIM_FAULT_MISS] = "miss",
};

static bool bytes_equal(const char *p, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(p, word, n) == 0;
}

/*
 * Takes " <token>" off the front of *p: a single space, then bytes up to the
 * next space or the end. Returns false if there is no such token.
 */
static bool take_token(const char **p, size_t *n, const char **tok, size_t *tok_len)
{
	const char *end;

	if (*n < 2 || (*p)[0] != ' ')
		return false;
	*tok = *p + 1;
	end = memchr(*tok, ' ', *n - 1);
	*tok_len = end ? (size_t)(end - *tok) : *n - 1;
	if (*tok_len == 0)
		return false;
	*p = *tok + *tok_len;
	*n -= 1 + *tok_len;
	return true;
}

static enum board_role role_from_bytes(const char *p, size_t n)
{
	char name[SIM_ROLE_NAME_MAX];

	if (n >= sizeof(name) || memchr(p, '\0', n))
		return ROLE_NONE;
	memcpy(name, p, n);
	name[n] = '\0';
	return board_role_from_name(name);
}

static int parse_role(const char *p, size_t n, enum board_role_kind kind, enum board_role *role,
		      const char **why)
{
	*role = role_from_bytes(p, n);
	if (*role == ROLE_NONE) {
		*why = "unknown role";
		return -EINVAL;
	}
	if (board_role_kind(*role) != kind) {
		*why = kind == ROLE_KIND_SCANNER ? "not a scanner role" : "not an input role";
		return -EINVAL;
	}
	return 0;
}

/* " <role> <0|1>": a role of kind and a level, into cmd->role and cmd->active. */
static int parse_role_level(const char *p, size_t n, enum board_role_kind kind, const char *usage,
			    struct sim_command *cmd, const char **why)
{
	const char *tok;
	size_t tok_len;
	int r;

	if (!take_token(&p, &n, &tok, &tok_len)) {
		*why = usage;
		return -EINVAL;
	}
	r = parse_role(tok, tok_len, kind, &cmd->role, why);
	if (r < 0)
		return r;
	if (bytes_equal(p, n, " 0") || bytes_equal(p, n, " 1")) {
		cmd->active = p[1] == '1';
		return 0;
	}
	*why = "bad level";
	return -EINVAL;
}

static int parse_scan_text(const char *p, size_t n, char *text, const char **why)
{
	size_t i;

	if (n == 0) {
		*why = "missing text";
		return -EINVAL;
	}
	if (n > SCAN_TEXT_MAX) {
		*why = "text too long";
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] > 0x7e) {
			*why = "text not printable";
			return -EINVAL;
		}
	}
	memcpy(text, p, n);
	text[n] = '\0';
	return 0;
}

static int parse_pin(const char *p, size_t n, char *text, const char **why)
{
	size_t i;

	if (n == 0 || n > SIM_PIN_MAX) {
		*why = "bad pin";
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9') {
			*why = "bad pin";
			return -EINVAL;
		}
	}
	memcpy(text, p, n);
	text[n] = '\0';
	return 0;
}

static int parse_number(const char *p, size_t n, uint64_t max, uint64_t *ms, const char **why)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0) {
		*why = "bad number";
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9') {
			*why = "bad number";
			return -EINVAL;
		}
		/* Cannot overflow: v <= max (< 2^60) before each step. */
		v = v * 10 + (uint64_t)(p[i] - '0');
		if (v > max) {
			*why = "number too large";
			return -EINVAL;
		}
	}
	*ms = v;
	return 0;
}

static int word_index(const char *p, size_t n, const char *const *words, size_t n_words)
{
	for (size_t i = 0; i < n_words; i++)
		if (bytes_equal(p, n, words[i]))
			return (int)i;
	return -1;
}

/* A printer state by its name (printer_state_name()), or -1. */
static int printer_state_index(const char *p, size_t n)
{
	for (int i = 0; i < PRINTER_STATE__COUNT; i++)
		if (bytes_equal(p, n, printer_state_name((enum printer_state)i)))
			return i;
	return -1;
}

/* n hex digits (n even) into n / 2 bytes; false if any is not one. */
static bool parse_hex(const char *p, size_t n, uint8_t *out)
{
	for (size_t i = 0; i + 1 < n; i += 2) {
		int hi = hex_digit_value(p[i]), lo = hex_digit_value(p[i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return n % 2 == 0;
}

/* <uid> <dsfid> <afi> <eas> <block size> <memory>, after "place" */
static int parse_tag_place(const char *p, size_t n, struct sim_tag *tag, const char **why)
{
	const char *tok;
	size_t len;
	uint64_t block_size;

	*why = "usage: tag <reader> place <uid> <dsfid> <afi> <eas> <block size> <memory>";
	if (!take_token(&p, &n, &tok, &len))
		return -EINVAL;
	if (rfid_uid_parse(tok, len, tag->uid) < 0) {
		*why = "uid: 16 hex digits";
		return -EINVAL;
	}
	if (!take_token(&p, &n, &tok, &len))
		return -EINVAL;
	if (len != 2 || !parse_hex(tok, len, &tag->dsfid)) {
		*why = "dsfid: 2 hex digits";
		return -EINVAL;
	}
	if (!take_token(&p, &n, &tok, &len))
		return -EINVAL;
	if (len != 2 || !parse_hex(tok, len, &tag->afi)) {
		*why = "afi: 2 hex digits";
		return -EINVAL;
	}
	if (!take_token(&p, &n, &tok, &len))
		return -EINVAL;
	if (!bytes_equal(tok, len, "0") && !bytes_equal(tok, len, "1")) {
		*why = "eas: 0 or 1";
		return -EINVAL;
	}
	tag->eas = tok[0] == '1';
	if (!take_token(&p, &n, &tok, &len))
		return -EINVAL;
	if (parse_number(tok, len, RFID_BLOCK_SIZE_MAX, &block_size, why) < 0 || !block_size) {
		*why = "block size: 1 to 32";
		return -EINVAL;
	}
	tag->block_size = (unsigned)block_size;
	if (!take_token(&p, &n, &tok, &len) || n)
		return -EINVAL;
	if (len / 2 > SIM_TAG_MEM_MAX || !parse_hex(tok, len, tag->mem)) {
		*why = "memory: hex bytes";
		return -EINVAL;
	}
	tag->mem_len = len / 2;
	if (tag->mem_len % tag->block_size) {
		*why = "memory: whole blocks";
		return -EINVAL;
	}
	return 0;
}

static int parse_tag(const char *p, size_t n, struct sim_command *cmd, const char **why)
{
	const char *tok;
	size_t len;
	int i;

	*why = "usage: tag <reader> place|remove|fault ...";
	if (!take_token(&p, &n, &tok, &len))
		return -EINVAL;
	if (len >= sizeof(cmd->target) || memchr(tok, '\0', len)) {
		*why = "unknown reader";
		return -EINVAL;
	}
	memcpy(cmd->target, tok, len);
	cmd->target[len] = '\0';
	if (!take_token(&p, &n, &tok, &len))
		return -EINVAL;
	i = word_index(tok, len, tag_actions, sizeof(tag_actions) / sizeof(tag_actions[0]));
	if (i < 0)
		return -EINVAL;
	cmd->tag_action = (enum sim_tag_action)i;
	switch (cmd->tag_action) {
	case SIM_TAG_PLACE:
		return parse_tag_place(p, n, &cmd->tag, why);
	case SIM_TAG_REMOVE:
		*why = "usage: tag <reader> remove <uid>";
		if (!take_token(&p, &n, &tok, &len) || n)
			return -EINVAL;
		if (rfid_uid_parse(tok, len, cmd->tag.uid) < 0) {
			*why = "uid: 16 hex digits";
			return -EINVAL;
		}
		return 0;
	case SIM_TAG_FAULT:
		*why = "usage: tag <reader> fault none|leave|refuse|crc|timeout|miss";
		if (!take_token(&p, &n, &tok, &len) || n)
			return -EINVAL;
		i = word_index(tok, len, fault_words, sizeof(fault_words) / sizeof(fault_words[0]));
		if (i < 0)
			return -EINVAL;
		cmd->fault = (enum sim_tag_fault)i;
		return 0;
	}
	return -EINVAL;
}

static int parse_args(const char *p, size_t n, struct sim_command *cmd, const char **why)
{
	const char *tok;
	size_t tok_len;
	int r;

	switch (cmd->cmd) {
	case SIM_CMD_SCAN:
		if (!take_token(&p, &n, &tok, &tok_len)) {
			*why = "usage: scan <role> <text>";
			return -EINVAL;
		}
		r = parse_role(tok, tok_len, ROLE_KIND_SCANNER, &cmd->role, why);
		if (r < 0)
			return r;
		if (n == 0 || p[0] != ' ') {
			*why = "missing text";
			return -EINVAL;
		}
		return parse_scan_text(p + 1, n - 1, cmd->text, why);
	case SIM_CMD_PIN:
		if (n == 0 || p[0] != ' ') {
			*why = "usage: pin <digits>";
			return -EINVAL;
		}
		return parse_pin(p + 1, n - 1, cmd->text, why);
	case SIM_CMD_INPUT:
		return parse_role_level(p, n, ROLE_KIND_INPUT, "usage: input <role> <0|1>", cmd, why);
	case SIM_CMD_ADVANCE:
		if (n == 0 || p[0] != ' ') {
			*why = "usage: advance <ms>";
			return -EINVAL;
		}
		return parse_number(p + 1, n - 1, SIM_ADVANCE_MAX, &cmd->ms, why);
	case SIM_CMD_WALL:
		if (!take_token(&p, &n, &tok, &tok_len)) {
			*why = "usage: wall <ms since the epoch> <synced|unsynced>";
			return -EINVAL;
		}
		r = parse_number(tok, tok_len, SIM_WALL_MAX, &cmd->ms, why);
		if (r < 0)
			return r;
		if (bytes_equal(p, n, " synced") || bytes_equal(p, n, " unsynced")) {
			cmd->active = p[1] == 's';
			return 0;
		}
		*why = "say synced or unsynced";
		return -EINVAL;
	case SIM_CMD_TAG:
		return parse_tag(p, n, cmd, why);
	case SIM_CMD_PRINTER_STATUS:
		r = -1;
		if (n && p[0] == ' ')
			r = printer_state_index(p + 1, n - 1);
		if (r < 0) {
			*why = "usage: printer-status <state>";
			return -EINVAL;
		}
		cmd->printer_state = (enum printer_state)r;
		return 0;
	case SIM_CMD_SCANNER_ATTACHED:
		return parse_role_level(p, n, ROLE_KIND_SCANNER, "usage: scanner-attached <role> <0|1>",
					cmd, why);
	case SIM_CMD_PING:
	case SIM_CMD_WEDGE:
		if (n) {
			*why = cmd->cmd == SIM_CMD_PING ? "ping takes no arguments"
							: "wedge takes no arguments";
			return -EINVAL;
		}
		return 0;
	case SIM_CMD__COUNT:
		break;
	}
	*why = "unknown command";
	return -EINVAL;
}

int sim_command_parse(const char *line, size_t len, bool terminal, struct sim_command *cmd,
		      const char **why)
{
	const char *reason = NULL, *space;
	size_t word_len;
	int r, i;

	memset(cmd, 0, sizeof(*cmd));
	cmd->role = ROLE_NONE;
	if (len && line[len - 1] == '\r')
		len--;
	if (len == 0) {
		reason = "empty";
		r = -EINVAL;
		goto out;
	}
	space = memchr(line, ' ', len);
	word_len = space ? (size_t)(space - line) : len;
	for (i = 0; i < SIM_CMD__COUNT; i++)
		if (bytes_equal(line, word_len, command_words[i]))
			break;
	if (i == SIM_CMD__COUNT) {
		if (!terminal) {
			reason = "unknown command";
			r = -EINVAL;
			goto out;
		}
		/* At the terminal a bare line is a scan, by the first board scanner. */
		cmd->cmd = SIM_CMD_SCAN;
		cmd->role = ROLE_ITEM_SCANNER;
		cmd->typed = true;
		r = parse_scan_text(line, len, cmd->text, &reason);
		goto out;
	}
	cmd->cmd = (enum sim_cmd)i;
	r = parse_args(line + word_len, len - word_len, cmd, &reason);
out:
	if (r < 0) {
		/* A half-parsed PIN must not linger in the caller's struct. */
		explicit_bzero(cmd, sizeof(*cmd));
		cmd->role = ROLE_NONE;
	}
	if (why)
		*why = r < 0 ? reason : NULL;
	return r;
}
