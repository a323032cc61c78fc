/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * [rfid NAME] sections of board files: an RFID reader, the roles it serves,
 * its protocol and how it is reached: a serial port, or FEIG's USB endpoints
 * (board.h has the keys).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "board-private.h"

const char *const rfid_keys[] = {
	"role", "protocol", "device", "usb", "serial", "port", "baud", "parity", "data_bits",
	"stop_bits", "bus_address", "antenna", "power", "inventory_ms", "idle_inventory_ms",
	"transport", NULL,
};
KEY_TABLE_FITS(rfid_keys);

static const char *const rfid_protocols[] = {
	[RFID_PROTOCOL_SIM] = "sim",
	[RFID_PROTOCOL_FEIG] = "feig",
	[RFID_PROTOCOL_3M] = "3m",
	NULL,
};
static const char *const rfid_roles[] = { "item_pad", "patron_reader", "both", NULL };
static const char *const parities[] = { "none", "even", "odd", NULL };
static const char *const transports[] = {
	[RFID_TRANSPORT_SERIAL] = "serial",
	[RFID_TRANSPORT_USB] = "usb",
	NULL,
};

/* The rates termios can set (hal/serial.c maps each). */
static const unsigned bauds[] = { 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400 };

const char *board_rfid_protocol_name(enum board_rfid_protocol protocol)
{
	if ((int)protocol < 0 || protocol > RFID_PROTOCOL_3M)
		return "none";
	return rfid_protocols[protocol];
}

int rfid_section(struct board_parse *p, const char *name, int line, struct file_error *err)
{
	struct board *b = p->board;
	enum board_role role = board_role_from_name(name);
	struct board_rfid *rf;

	if (role != ROLE_NONE && role != ROLE_ITEM_PAD && role != ROLE_PATRON_READER) {
		file_error_set(err, p->path, line,
			       "%s is %s %s role; an rfid reader serves item_pad or patron_reader",
			       name, board_article(board_role_kind(role)),
			       board_role_kind_name(board_role_kind(role)));
		return -EINVAL;
	}
	if (!board_valid_device_name(name)) {
		file_error_set(err, p->path, line,
			       "rfid reader name '%.*s': use letters, digits, _ and - (at most %d)",
			       VALUE_QUOTE_MAX, name, BOARD_NAME_MAX - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < b->n_rfids; i++) {
		if (strcmp(b->rfids[i].name, name) == 0) {
			file_error_set(err, p->path, line,
				       "duplicate section [rfid %s] (first at line %d)", name,
				       b->rfids[i].src_line);
			return -EINVAL;
		}
	}
	if (b->n_rfids == BOARD_RFIDS_MAX) {
		file_error_set(err, p->path, line, "more than %d rfid readers", BOARD_RFIDS_MAX);
		return -EINVAL;
	}
	rf = &b->rfids[b->n_rfids++];
	snprintf(rf->name, sizeof(rf->name), "%s", name);
	rf->src_line = line;
	rf->items = role == ROLE_ITEM_PAD;
	rf->patrons = role == ROLE_PATRON_READER;
	rf->protocol = -1; /* required: checked when the file is read */
	rf->inventory_ms = BOARD_RFID_INVENTORY_MS_DEFAULT;
	rf->idle_inventory_ms = BOARD_RFID_IDLE_INVENTORY_MS_DEFAULT;
	snprintf(p->header, sizeof(p->header), "rfid %s", name);
	p->rfid = rf;
	p->section = SECTION_RFID;
	return 0;
}

static int number_key(struct board_parse *p, int line, const char *key, const char *value,
		      unsigned min, unsigned max, unsigned *dst)
{
	if (inifile_uint(value, min, max, dst) < 0)
		return board_key_error(p, line, key, "expected a number from %u to %u, got '%.*s'",
				       min, max, VALUE_QUOTE_MAX, value);
	return 0;
}

static int baud_key(struct board_parse *p, int line, const char *key, const char *value,
		    unsigned *dst)
{
	char list[128];
	size_t n = 0;

	if (inifile_uint(value, 0, 1000000, dst) == 0) {
		if (!*dst)
			return 0;
		for (size_t i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++)
			if (bauds[i] == *dst)
				return 0;
	}
	for (size_t i = 0; i < sizeof(bauds) / sizeof(bauds[0]); i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%u", i ? " " : "", bauds[i]);
	return board_key_error(p, line, key,
			       "expected one of %s (or 0: the protocol's), got '%.*s'", list,
			       VALUE_QUOTE_MAX, value);
}

int rfid_key(struct board_parse *p, const char *key, const char *value, int line)
{
	struct board_rfid *rf = p->rfid;
	int i;

	if (strcmp(key, "role") == 0) {
		i = inifile_word_index(rfid_roles, value);
		if (i < 0)
			return board_choice_error(p, line, key, value, rfid_roles);
		rf->items = i != 1;
		rf->patrons = i != 0;
		return 0;
	}
	if (strcmp(key, "protocol") == 0) {
		i = inifile_word_index(rfid_protocols, value);
		if (i < 0)
			return board_choice_error(p, line, key, value, rfid_protocols);
		rf->protocol = (enum board_rfid_protocol)i;
		return 0;
	}
	if (strcmp(key, "device") == 0) {
		if (value[0] != '/')
			return board_key_error(p, line, key,
					       "expected an absolute path such as /dev/ttyS1, "
					       "got '%.*s'", VALUE_QUOTE_MAX, value);
		return board_set_string(p, line, key, value, rf->device, sizeof(rf->device));
	}
	if (strcmp(key, "usb") == 0) {
		if (board_parse_usb_id(value, &rf->usb_vid, &rf->usb_pid) < 0)
			return board_key_error(p, line, key,
					       "expected VID:PID in hex such as 0ab1:0002, "
					       "got '%.*s'", VALUE_QUOTE_MAX, value);
		rf->usb_set = true;
		return 0;
	}
	if (strcmp(key, "serial") == 0)
		return board_set_string(p, line, key, value, rf->serial, sizeof(rf->serial));
	if (strcmp(key, "port") == 0) {
		if (!board_valid_port_path(value) || strlen(value) >= sizeof(rf->port))
			return board_key_error(p, line, key,
					       "expected a USB port path such as 1-1.2, got '%.*s'",
					       VALUE_QUOTE_MAX, value);
		memcpy(rf->port, value, strlen(value) + 1);
		return 0;
	}
	if (strcmp(key, "baud") == 0)
		return baud_key(p, line, key, value, &rf->baud);
	if (strcmp(key, "parity") == 0) {
		i = inifile_word_index(parities, value);
		if (i < 0)
			return board_choice_error(p, line, key, value, parities);
		rf->parity = (enum board_parity)(BOARD_PARITY_NONE + i);
		return 0;
	}
	if (strcmp(key, "data_bits") == 0) {
		if (strcmp(value, "7") && strcmp(value, "8"))
			return board_key_error(p, line, key, "expected 7 or 8, got '%.*s'",
					       VALUE_QUOTE_MAX, value);
		rf->data_bits = (unsigned)(value[0] - '0');
		return 0;
	}
	if (strcmp(key, "stop_bits") == 0) {
		if (strcmp(value, "1") && strcmp(value, "2"))
			return board_key_error(p, line, key, "expected 1 or 2, got '%.*s'",
					       VALUE_QUOTE_MAX, value);
		rf->stop_bits = (unsigned)(value[0] - '0');
		return 0;
	}
	if (strcmp(key, "bus_address") == 0) {
		rf->bus_address_set = true;
		return number_key(p, line, key, value, 0, 255, &rf->bus_address);
	}
	if (strcmp(key, "antenna") == 0)
		return number_key(p, line, key, value, 0, 16, &rf->antenna);
	if (strcmp(key, "power") == 0)
		return number_key(p, line, key, value, 0, 10000, &rf->power_mw);
	if (strcmp(key, "inventory_ms") == 0)
		return number_key(p, line, key, value, 20, 10000, &rf->inventory_ms);
	if (strcmp(key, "transport") == 0) {
		i = inifile_word_index(transports, value);
		if (i < 0)
			return board_choice_error(p, line, key, value, transports);
		rf->transport = (enum board_rfid_transport)i;
		return 0;
	}
	return number_key(p, line, key, value, 0, 60000, &rf->idle_inventory_ms);
}

static const char *rfid_missing(const struct board_rfid *rf)
{
	if (!rf->items && !rf->patrons)
		return "role = item_pad, patron_reader or both";
	if ((int)rf->protocol < 0)
		return "protocol = feig, 3m or sim";
	if (rf->protocol == RFID_PROTOCOL_SIM)
		return NULL;
	if (rf->transport == RFID_TRANSPORT_USB) {
		if (rf->protocol != RFID_PROTOCOL_FEIG)
			return "protocol = feig for transport = usb (only FEIG readers speak on USB "
			       "endpoints of their own)";
		if (!rf->usb_set || rf->device[0])
			return "usb (VID:PID), not device, for transport = usb";
		if (rf->baud || rf->parity != BOARD_PARITY_DEFAULT || rf->data_bits ||
		    rf->stop_bits)
			return "no baud, parity, data_bits or stop_bits for transport = usb "
			       "(there is no serial line)";
	}
	if (!rf->device[0] && !rf->usb_set)
		return "device (a path) or usb (VID:PID) to find its serial port";
	if (rf->device[0] && rf->usb_set)
		return "device or usb, not both";
	if (rf->device[0] && (rf->serial[0] || rf->port[0]))
		return "usb for serial and port (they pick a USB device)";
	if (rf->bus_address_set && rf->protocol != RFID_PROTOCOL_FEIG)
		return "protocol = feig for bus_address";
	return NULL;
}

void rfid_check(const struct board_parse *p, int *line, const char **what, char *header,
		size_t header_size)
{
	const struct board *b = p->board;

	for (size_t i = 0; i < b->n_rfids; i++) {
		const struct board_rfid *rf = &b->rfids[i];
		const char *missing = rfid_missing(rf);

		if (missing && (!*line || rf->src_line < *line)) {
			*line = rf->src_line;
			*what = missing;
			snprintf(header, header_size, "rfid %s", rf->name);
		}
	}
}

void rfid_mark_roles(struct board *b)
{
	for (size_t i = b->n_rfids; i-- > 0;) {
		const struct board_rfid *rf = &b->rfids[i];

		if (rf->items) {
			b->roles[ROLE_ITEM_PAD].present = true;
			b->roles[ROLE_ITEM_PAD].src_line = rf->src_line;
		}
		/* Patron cards: a scanner or an rfid reader, whichever comes first. */
		if (rf->patrons && (!b->roles[ROLE_PATRON_READER].present ||
				    b->roles[ROLE_PATRON_READER].src_line > rf->src_line)) {
			b->roles[ROLE_PATRON_READER].present = true;
			b->roles[ROLE_PATRON_READER].src_line = rf->src_line;
		}
	}
}
