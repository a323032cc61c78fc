/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Board files: roles to backends, chips, lines, polarity and USB ids.
 * The INI reading itself is inifile.c, shared with circd.conf.
 */
#include "board.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "board-private.h"
#include "scanner.h"

static const struct {
	const char *name;
	enum board_role_kind kind;
} role_info[ROLE__COUNT] = {
	[ROLE_LAMP_OK] = { "lamp_ok", ROLE_KIND_OUTPUT },
	[ROLE_LAMP_ERROR] = { "lamp_error", ROLE_KIND_OUTPUT },
	[ROLE_LAMP_ATTENTION] = { "lamp_attention", ROLE_KIND_OUTPUT },
	[ROLE_BUZZER] = { "buzzer", ROLE_KIND_OUTPUT },
	[ROLE_FLAP_UNLOCK] = { "flap_unlock", ROLE_KIND_OUTPUT },
	[ROLE_DOOR_LOCK] = { "door_lock", ROLE_KIND_OUTPUT },
	[ROLE_SORT_BIN_1] = { "sort_bin_1", ROLE_KIND_OUTPUT },
	[ROLE_SORT_BIN_2] = { "sort_bin_2", ROLE_KIND_OUTPUT },
	[ROLE_SORT_BIN_3] = { "sort_bin_3", ROLE_KIND_OUTPUT },
	[ROLE_SORT_BIN_4] = { "sort_bin_4", ROLE_KIND_OUTPUT },
	[ROLE_BIN_FULL] = { "bin_full", ROLE_KIND_INPUT },
	[ROLE_DOOR_CLOSED] = { "door_closed", ROLE_KIND_INPUT },
	[ROLE_DONE_BUTTON] = { "done_button", ROLE_KIND_INPUT },
	[ROLE_STAFF_BUTTON] = { "staff_button", ROLE_KIND_INPUT },
	[ROLE_ITEM_SCANNER] = { "item_scanner", ROLE_KIND_SCANNER },
	[ROLE_PATRON_READER] = { "patron_reader", ROLE_KIND_SCANNER },
	[ROLE_ITEM_PAD] = { "item_pad", ROLE_KIND_RFID },
};

static const char *const kind_names[] = {
	[ROLE_KIND_OUTPUT] = "output",
	[ROLE_KIND_INPUT] = "input",
	[ROLE_KIND_SCANNER] = "scanner",
	[ROLE_KIND_RFID] = "rfid",
};

const char *board_role_name(enum board_role role)
{
	if ((int)role < 0 || role >= ROLE__COUNT)
		return "none";
	return role_info[role].name;
}

enum board_role board_role_from_name(const char *name)
{
	if (!name)
		return ROLE_NONE;
	for (int i = 0; i < ROLE__COUNT; i++)
		if (strcmp(name, role_info[i].name) == 0)
			return (enum board_role)i;
	return ROLE_NONE;
}

enum board_role_kind board_role_kind(enum board_role role)
{
	if ((int)role < 0 || role >= ROLE__COUNT)
		return ROLE_KIND_NONE;
	return role_info[role].kind;
}

const char *board_role_kind_name(enum board_role_kind kind)
{
	if ((int)kind < 0 || kind > ROLE_KIND_RFID)
		return "none";
	return kind_names[kind];
}

/* ---- board files ---- */

static const char *const board_keys[] = { "name", "gpio", "scanner", "display", "printer",
					  NULL };
static const char *const output_keys[] = { "chip", "line", "active_low", NULL };
static const char *const input_keys[] = { "chip", "line", "active_low", "debounce_ms", "sim_active",
					   NULL };
static const char *const scanner_keys[] = {
	"role", "usb", "serial", "port", "protocol", "layout", "char_timeout_ms", "card_format",
	"card_byte_order", "card_separator", "card_pad_length", "trim_prefix", "trim_suffix", NULL,
};

KEY_TABLE_FITS(board_keys);
KEY_TABLE_FITS(output_keys);
KEY_TABLE_FITS(input_keys);
KEY_TABLE_FITS(scanner_keys);

static const char *const *const role_keys[] = {
	[ROLE_KIND_OUTPUT] = output_keys,
	[ROLE_KIND_INPUT] = input_keys,
};

static const char *const kind_words[] = { "output", "input", "scanner", "rfid", NULL };
static const char *const gpio_backends[] = { "sim", "gpiod", NULL };
static const char *const scanner_backends[] = { "sim", "libusb", NULL };
static const char *const display_backends[] = { "sim", "none", "web", NULL };
static const char *const printer_backends[] = { "sim", "none", "escpos", NULL };
static const char *const protocols[] = { "wedge", "hidpos", NULL };
static const char *const scanner_roles[] = { "item_scanner", "patron_reader", "both", NULL };

#define CHAR_TIMEOUT_MS_DEFAULT 100

int board_key_error(struct board_parse *p, int line, const char *key, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	file_error_set(p->err, p->path, line, "[%s] %s: %s", p->header, key, why);
	return -EINVAL;
}

int board_choice_error(struct board_parse *p, int line, const char *key, const char *value,
		       const char *const *choices)
{
	char list[128];

	inifile_join_words(list, sizeof(list), choices);
	return board_key_error(p, line, key, "expected %s, got '%.*s'", list, VALUE_QUOTE_MAX,
			       value);
}

static int set_choice(struct board_parse *p, int line, const char *key, const char *value,
		      const char *const *choices, char *dst, size_t size)
{
	int i = inifile_word_index(choices, value);

	if (i < 0)
		return board_choice_error(p, line, key, value, choices);
	/* choices are short literals that fit every field they go to */
	snprintf(dst, size, "%s", choices[i]);
	return 0;
}

int board_set_string(struct board_parse *p, int line, const char *key, const char *value,
		     char *dst, size_t size)
{
	size_t len = strlen(value);

	if (!len)
		return board_key_error(p, line, key, "empty value");
	if (len >= size)
		return board_key_error(p, line, key, "longer than %zu characters", size - 1);
	memcpy(dst, value, len + 1);
	return 0;
}

static int hex16(const char *s, size_t len, uint16_t *ret)
{
	unsigned v = 0;

	if (len < 1 || len > 4)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -EINVAL;
		v = v * 16 + d;
	}
	*ret = (uint16_t)v;
	return 0;
}

int board_parse_usb_id(const char *value, uint16_t *vid, uint16_t *pid)
{
	const char *colon = strchr(value, ':');

	if (!colon)
		return -EINVAL;
	if (hex16(value, (size_t)(colon - value), vid) < 0 ||
	    hex16(colon + 1, strlen(colon + 1), pid) < 0)
		return -EINVAL;
	return 0;
}

static int board_key(struct board_parse *p, const char *key, const char *value, int line)
{
	struct board *b = p->board;

	if (strcmp(key, "name") == 0)
		return board_set_string(p, line, key, value, b->name, sizeof(b->name));
	if (strcmp(key, "gpio") == 0)
		return set_choice(p, line, key, value, gpio_backends, b->gpio_backend,
				  sizeof(b->gpio_backend));
	if (strcmp(key, "scanner") == 0)
		return set_choice(p, line, key, value, scanner_backends, b->scanner_backend,
				  sizeof(b->scanner_backend));
	if (strcmp(key, "printer") == 0)
		return set_choice(p, line, key, value, printer_backends, b->printer_backend,
				  sizeof(b->printer_backend));
	return set_choice(p, line, key, value, display_backends, b->display_backend,
			  sizeof(b->display_backend));
}

static int role_key(struct board_parse *p, const char *key, const char *value, int line)
{
	struct board_role_map *map = &p->board->roles[p->role];

	if (strcmp(key, "chip") == 0)
		return board_set_string(p, line, key, value, map->chip, sizeof(map->chip));
	if (strcmp(key, "line") == 0)
		return board_set_string(p, line, key, value, map->line, sizeof(map->line));
	if (strcmp(key, "active_low") == 0) {
		if (inifile_bool(value, &map->active_low) < 0)
			return board_key_error(p, line, key, "expected yes or no, got '%.*s'",
					       VALUE_QUOTE_MAX, value);
		return 0;
	}
	if (strcmp(key, "sim_active") == 0) {
		if (inifile_bool(value, &map->sim_active) < 0)
			return board_key_error(p, line, key, "expected yes or no, got '%.*s'",
					       VALUE_QUOTE_MAX, value);
		return 0;
	}
	if (inifile_uint(value, 0, 1000, &map->debounce_ms) < 0)
		return board_key_error(p, line, key, "expected a number from 0 to 1000, got '%.*s'",
				       VALUE_QUOTE_MAX, value);
	return 0;
}

/*
 * Separators and trim strings: up to CARD_AFFIX_MAX - 1 printable
 * characters, in double quotes when they hold ; # or spaces, which the INI
 * reader would take for a comment or trim.
 */
static int set_affix(struct board_parse *p, int line, const char *key, const char *value,
		     bool empty_ok, char dst[CARD_AFFIX_MAX])
{
	size_t len = strlen(value);

	if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
		value++;
		len -= 2;
	}
	if (!len && !empty_ok)
		return board_key_error(p, line, key,
				       "empty value (write ; or # in double quotes, \";\": after a "
				       "space they start a comment)");
	if (len >= CARD_AFFIX_MAX)
		return board_key_error(p, line, key, "longer than %d characters",
				       CARD_AFFIX_MAX - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] > 0x7e ||
		    value[i] == '"')
			return board_key_error(p, line, key,
					       "'%.*s': use printable characters other than \"",
					       VALUE_QUOTE_MAX, value);
	memcpy(dst, value, len);
	dst[len] = '\0';
	return 0;
}

bool board_valid_port_path(const char *s)
{
	/* bus-port[.port]...: "1-1", "3-1.4.2" */
	size_t n = strspn(s, "0123456789");

	if (!n || s[n] != '-')
		return false;
	s += n + 1;
	for (;;) {
		n = strspn(s, "0123456789");
		if (!n)
			return false;
		s += n;
		if (!*s)
			return true;
		if (*s++ != '.')
			return false;
	}
}

static int scanner_key(struct board_parse *p, const char *key, const char *value, int line)
{
	struct board_scanner *sc = p->scanner;

	if (strcmp(key, "role") == 0) {
		int i = inifile_word_index(scanner_roles, value);

		if (i < 0)
			return board_key_error(p, line, key,
					       "expected item_scanner, patron_reader or both, "
					       "got '%.*s'", VALUE_QUOTE_MAX, value);
		sc->items = i != 1;
		sc->patrons = i != 0;
		return 0;
	}
	if (strcmp(key, "usb") == 0) {
		if (board_parse_usb_id(value, &sc->usb_vid, &sc->usb_pid) < 0)
			return board_key_error(p, line, key,
					       "expected VID:PID in hex such as 05e0:1200, "
					       "got '%.*s'", VALUE_QUOTE_MAX, value);
		sc->usb_set = true; /* usb = 0000:0000 is still "set" */
		return 0;
	}
	if (strcmp(key, "serial") == 0)
		return board_set_string(p, line, key, value, sc->serial, sizeof(sc->serial));
	if (strcmp(key, "port") == 0) {
		if (!board_valid_port_path(value) || strlen(value) >= sizeof(sc->port))
			return board_key_error(p, line, key,
					       "expected a USB port path such as 1-1.2 (bus-port."
					       "port, as in /sys/bus/usb/devices), got '%.*s'",
					       VALUE_QUOTE_MAX, value);
		memcpy(sc->port, value, strlen(value) + 1);
		return 0;
	}
	if (strcmp(key, "protocol") == 0) {
		int i = inifile_word_index(protocols, value);

		if (i < 0)
			return board_key_error(p, line, key, "expected wedge or hidpos, got '%.*s'",
					       VALUE_QUOTE_MAX, value);
		sc->hidpos = i == 1;
		return 0;
	}
	if (strcmp(key, "layout") == 0) {
		const char *names[HID_LAYOUT__COUNT + 1];

		if (hid_layout_from_name(value, &sc->layout) == 0)
			return 0;
		for (int i = 0; i <= HID_LAYOUT__COUNT; i++)
			names[i] = i < HID_LAYOUT__COUNT ? hid_layout_name(i) : NULL;
		return board_choice_error(p, line, key, value, names);
	}
	if (strcmp(key, "card_format") == 0) {
		const char *names[CARD_FORMAT__COUNT + 1];

		if (card_format_from_name(value, &sc->card.format) == 0)
			return 0;
		for (int i = 0; i <= CARD_FORMAT__COUNT; i++)
			names[i] = i < CARD_FORMAT__COUNT ? card_format_name(i) : NULL;
		return board_choice_error(p, line, key, value, names);
	}
	if (strcmp(key, "card_byte_order") == 0) {
		if (card_byte_order_from_name(value, &sc->card.byte_order) == 0)
			return 0;
		return board_key_error(p, line, key, "expected msb or lsb, got '%.*s'",
				       VALUE_QUOTE_MAX, value);
	}
	if (strcmp(key, "card_pad_length") == 0) {
		if (inifile_uint(value, 0, SCAN_TEXT_MAX, &sc->card.pad_length) == 0)
			return 0;
		return board_key_error(p, line, key, "expected a number from 0 to %d, got '%.*s'",
				       SCAN_TEXT_MAX, VALUE_QUOTE_MAX, value);
	}
	if (strcmp(key, "card_separator") == 0)
		return set_affix(p, line, key, value, true, sc->card.separator);
	if (strcmp(key, "trim_prefix") == 0)
		return set_affix(p, line, key, value, false, sc->card.trim_prefix);
	if (strcmp(key, "trim_suffix") == 0)
		return set_affix(p, line, key, value, false, sc->card.trim_suffix);
	if (inifile_uint(value, 0, 10000, &sc->char_timeout_ms) < 0)
		return board_key_error(p, line, key,
				       "expected a number from 0 to 10000, got '%.*s'",
				       VALUE_QUOTE_MAX, value);
	return 0;
}

static int board_parse_key(void *data, const char *key, const char *value, int line,
			   struct file_error *err)
{
	struct board_parse *p = data;
	const char *const *keys;
	char list[128];
	int i;

	if (p->section == SECTION_NONE) {
		file_error_set(err, p->path, line, "%.*s: key outside a section", VALUE_QUOTE_MAX,
			       key);
		return -EINVAL;
	}
	if (p->section == SECTION_BOARD)
		keys = board_keys;
	else if (p->section == SECTION_SCANNER)
		keys = scanner_keys;
	else if (p->section == SECTION_RFID)
		keys = rfid_keys;
	else if (p->section == SECTION_PRINTER)
		keys = printer_keys;
	else
		keys = role_keys[board_role_kind(p->role)];
	i = inifile_word_index(keys, key);
	if (i < 0) {
		inifile_join_words(list, sizeof(list), keys);
		return board_key_error(p, line, key, "unknown key (expected %s)", list);
	}
	if (p->key_line[i])
		return board_key_error(p, line, key, "set twice (first at line %d)",
				       p->key_line[i]);
	p->key_line[i] = line;
	if (p->section == SECTION_BOARD)
		return board_key(p, key, value, line);
	if (p->section == SECTION_SCANNER)
		return scanner_key(p, key, value, line);
	if (p->section == SECTION_RFID)
		return rfid_key(p, key, value, line);
	if (p->section == SECTION_PRINTER)
		return printer_key(p, key, value, line);
	return role_key(p, key, value, line);
}

const char *board_article(enum board_role_kind kind)
{
	return kind == ROLE_KIND_SCANNER ? "a" : "an";
}

static void list_roles(char *buf, size_t size, enum board_role_kind kind)
{
	const char *names[ROLE__COUNT + 1];
	size_t n = 0;

	for (int i = 0; i < ROLE__COUNT; i++)
		if (role_info[i].kind == kind)
			names[n++] = role_info[i].name;
	names[n] = NULL;
	inifile_join_words(buf, size, names);
}

bool board_valid_device_name(const char *name)
{
	size_t len = strlen(name);

	return len && len < BOARD_NAME_MAX &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
		       len;
}

static int scanner_section(struct board_parse *p, const char *name, int line,
			   struct file_error *err)
{
	struct board *b = p->board;
	enum board_role role = board_role_from_name(name);
	struct board_scanner *sc;

	if (role != ROLE_NONE && board_role_kind(role) != ROLE_KIND_SCANNER) {
		file_error_set(err, p->path, line, "%s is %s %s role, not a scanner", name,
			       board_article(board_role_kind(role)),
			       board_role_kind_name(board_role_kind(role)));
		return -EINVAL;
	}
	if (!board_valid_device_name(name)) {
		file_error_set(err, p->path, line,
			       "scanner name '%.*s': use letters, digits, _ and - (at most %d)",
			       VALUE_QUOTE_MAX, name, BOARD_NAME_MAX - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < b->n_scanners; i++) {
		if (strcmp(b->scanners[i].name, name) == 0) {
			file_error_set(err, p->path, line,
				       "duplicate section [scanner %s] (first at line %d)", name,
				       b->scanners[i].src_line);
			return -EINVAL;
		}
	}
	if (b->n_scanners == BOARD_SCANNERS_MAX) {
		file_error_set(err, p->path, line, "more than %d scanners", BOARD_SCANNERS_MAX);
		return -EINVAL;
	}
	sc = &b->scanners[b->n_scanners++];
	snprintf(sc->name, sizeof(sc->name), "%s", name);
	sc->src_line = line;
	sc->items = role == ROLE_ITEM_SCANNER;
	sc->patrons = role == ROLE_PATRON_READER;
	sc->layout = HID_LAYOUT_US;
	card_options_default(&sc->card);
	sc->char_timeout_ms = CHAR_TIMEOUT_MS_DEFAULT;
	snprintf(p->header, sizeof(p->header), "scanner %s", name);
	p->scanner = sc;
	p->section = SECTION_SCANNER;
	return 0;
}

static int board_parse_section(void *data, const char *section, int line,
			       struct file_error *err)
{
	struct board_parse *p = data;
	char kind_word[16], list[160];
	const char *space = section + strcspn(section, " \t");
	const char *name = space + strspn(space, " \t");
	size_t kind_len = (size_t)(space - section);
	enum board_role role;
	int kind = -1;

	memset(p->key_line, 0, sizeof(p->key_line));
	p->section = SECTION_NONE;
	snprintf(p->header, sizeof(p->header), "%s", section);

	if (kind_len < sizeof(kind_word)) {
		memcpy(kind_word, section, kind_len);
		kind_word[kind_len] = '\0';
		kind = inifile_word_index(kind_words, kind_word);
	}
	if (strcmp(section, "printer") == 0)
		return printer_section(p, line, err);
	if (kind < 0 && strcmp(section, "board") != 0) {
		file_error_set(err, p->path, line,
			       "unknown section [%.*s] (expected [board], [output ROLE], "
			       "[input ROLE], [scanner NAME], [rfid NAME] or [printer])",
			       VALUE_QUOTE_MAX, section);
		return -EINVAL;
	}
	if (kind < 0) {
		if (p->board_line) {
			file_error_set(err, p->path, line,
				       "duplicate section [board] (first at line %d)",
				       p->board_line);
			return -EINVAL;
		}
		p->board_line = line;
		p->section = SECTION_BOARD;
		return 0;
	}
	if (!*name) {
		list_roles(list, sizeof(list), (enum board_role_kind)kind);
		file_error_set(err, p->path, line, "[%s] needs a role: one of %s", kind_word, list);
		return -EINVAL;
	}
	if (kind == ROLE_KIND_SCANNER)
		return scanner_section(p, name, line, err);
	if (kind == ROLE_KIND_RFID)
		return rfid_section(p, name, line, err);
	role = board_role_from_name(name);
	if (role == ROLE_NONE) {
		list_roles(list, sizeof(list), (enum board_role_kind)kind);
		file_error_set(err, p->path, line, "unknown %s role '%.*s' (expected %s)",
			       kind_word, VALUE_QUOTE_MAX, name, list);
		return -EINVAL;
	}
	if ((int)board_role_kind(role) != kind) {
		file_error_set(err, p->path, line, "%s is %s %s role, not %s %s", name,
			       board_article(board_role_kind(role)),
			       board_role_kind_name(board_role_kind(role)),
			       board_article((enum board_role_kind)kind), kind_word);
		return -EINVAL;
	}
	if (p->board->roles[role].present) {
		file_error_set(err, p->path, line, "duplicate section [%s %s] (first at line %d)",
			       kind_word, name, p->board->roles[role].src_line);
		return -EINVAL;
	}
	p->board->roles[role].present = true;
	p->board->roles[role].src_line = line;
	/* canonical spacing for messages: "[output lamp_ok]" */
	snprintf(p->header, sizeof(p->header), "%s %s", kind_word, role_info[role].name);
	p->role = role;
	p->section = SECTION_ROLE;
	return 0;
}

static const struct inifile_callbacks board_callbacks = {
	.section = board_parse_section,
	.key = board_parse_key,
};

/* What the backends need that the sim backends do not, reported at the earliest section. */
static int board_check(struct board_parse *p, struct file_error *err)
{
	const struct board *b = p->board;
	bool gpiod = strcmp(b->gpio_backend, "gpiod") == 0;
	bool libusb = strcmp(b->scanner_backend, "libusb") == 0;
	const char *what = NULL;
	int line = 0;
	char header[INIFILE_SECTION_MAX + 16] = "";

	for (int i = 0; gpiod && i < ROLE__COUNT; i++) {
		const struct board_role_map *map = &b->roles[i];

		if (!map->present || map->line[0]) /* scanner roles are marked later */
			continue;
		if (!line || map->src_line < line) {
			line = map->src_line;
			what = "line with gpio = gpiod";
			snprintf(header, sizeof(header), "%s %s",
				 board_role_kind_name(role_info[i].kind), role_info[i].name);
		}
	}
	for (size_t i = 0; i < b->n_scanners; i++) {
		const struct board_scanner *sc = &b->scanners[i];
		const char *missing = NULL;

		if (!sc->items && !sc->patrons)
			missing = "role = item_scanner, patron_reader or both";
		else if (libusb && !sc->usb_set)
			missing = "usb with scanner = libusb";
		if (missing && (!line || sc->src_line < line)) {
			line = sc->src_line;
			what = missing;
			snprintf(header, sizeof(header), "scanner %s", sc->name);
		}
	}
	rfid_check(p, &line, &what, header, sizeof(header));
	if (!line)
		return 0;
	file_error_set(err, p->path, line, "[%s] needs %s", header, what);
	return -EINVAL;
}

/* A scanner role is present, for board_require() and the sim, when a scanner serves it. */
static void mark_scanner_roles(struct board *b)
{
	for (size_t i = b->n_scanners; i-- > 0;) {
		const struct board_scanner *sc = &b->scanners[i];

		if (sc->items) {
			b->roles[ROLE_ITEM_SCANNER].present = true;
			b->roles[ROLE_ITEM_SCANNER].src_line = sc->src_line;
		}
		if (sc->patrons) {
			b->roles[ROLE_PATRON_READER].present = true;
			b->roles[ROLE_PATRON_READER].src_line = sc->src_line;
		}
	}
}

enum board_role board_scanner_role(const struct board_scanner *sc)
{
	return sc->items ? ROLE_ITEM_SCANNER : ROLE_PATRON_READER;
}

int board_parse(const char *text, const char *path, struct board **ret, struct file_error *err)
{
	struct board_parse p = { .path = path ? path : "", .role = ROLE_NONE, .err = err };
	struct board *b;
	size_t path_len = strlen(p.path);
	int r;

	*ret = NULL;
	if (path_len >= sizeof(b->path)) {
		file_error_set(err, p.path, 0, "path longer than %zu characters",
			       sizeof(b->path) - 1);
		return -ENAMETOOLONG;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		file_error_set(err, p.path, 0, "out of memory");
		return -ENOMEM;
	}
	memcpy(b->path, p.path, path_len + 1);
	strcpy(b->gpio_backend, "sim");
	strcpy(b->scanner_backend, "sim");
	strcpy(b->display_backend, "sim");
	strcpy(b->printer_backend, "none");
	for (int i = 0; i < ROLE__COUNT; i++)
		b->roles[i].debounce_ms = role_info[i].kind == ROLE_KIND_INPUT ? 10 : 0;
	p.board = b;

	r = inifile_parse(text ? text : "", p.path, &board_callbacks, &p, err);
	if (r < 0)
		goto err_free;
	r = board_check(&p, err);
	if (r < 0)
		goto err_free;
	r = printer_check(&p, err);
	if (r < 0)
		goto err_free;
	mark_scanner_roles(b);
	rfid_mark_roles(b);
	*ret = b;
	return 0;

err_free:
	board_free(b);
	return r;
}

int board_load(const char *path, struct board **ret, struct file_error *err)
{
	char *text;
	int r;

	*ret = NULL;
	r = inifile_read(path, &text, err);
	if (r < 0)
		return r;
	r = board_parse(text, path, ret, err);
	free(text);
	return r;
}

void board_free(struct board *board)
{
	free(board);
}

int board_require(const struct board *board, const enum board_role *required, size_t n,
		  struct file_error *err)
{
	for (size_t i = 0; i < n; i++) {
		enum board_role role = required[i];

		if ((int)role < 0 || role >= ROLE__COUNT) {
			file_error_set(err, board->path, 0, "invalid role %d required", (int)role);
			return -EINVAL;
		}
		if (!board->roles[role].present) {
			file_error_set(err, board->path, 0, "board has no %s role %s",
				       board_role_kind_name(role_info[role].kind),
				       role_info[role].name);
			return -ENOENT;
		}
	}
	return 0;
}
