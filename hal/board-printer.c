/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The [printer] section of board files: how printer = escpos finds the
 * receipt printer's usblp device (board.h has the keys).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "board-private.h"

const char *const printer_keys[] = { "device", "usb", "serial", "port", NULL };
KEY_TABLE_FITS(printer_keys);

int printer_section(struct board_parse *p, int line, struct file_error *err)
{
	struct board_printer *pr = &p->board->printer;

	if (pr->present) {
		file_error_set(err, p->path, line, "duplicate section [printer] (first at line %d)",
			       pr->src_line);
		return -EINVAL;
	}
	pr->present = true;
	pr->src_line = line;
	snprintf(p->header, sizeof(p->header), "printer");
	p->section = SECTION_PRINTER;
	return 0;
}

int printer_key(struct board_parse *p, const char *key, const char *value, int line)
{
	struct board_printer *pr = &p->board->printer;

	if (strcmp(key, "device") == 0) {
		if (value[0] != '/')
			return board_key_error(p, line, key,
					       "expected an absolute path such as /dev/usb/lp0, "
					       "got '%.*s'", VALUE_QUOTE_MAX, value);
		return board_set_string(p, line, key, value, pr->device, sizeof(pr->device));
	}
	if (strcmp(key, "usb") == 0) {
		if (board_parse_usb_id(value, &pr->usb_vid, &pr->usb_pid) < 0)
			return board_key_error(p, line, key,
					       "expected VID:PID in hex such as 04b8:0202, "
					       "got '%.*s'", VALUE_QUOTE_MAX, value);
		pr->usb_set = true;
		return 0;
	}
	if (strcmp(key, "serial") == 0)
		return board_set_string(p, line, key, value, pr->serial, sizeof(pr->serial));
	if (!board_valid_port_path(value) || strlen(value) >= sizeof(pr->port))
		return board_key_error(p, line, key,
				       "expected a USB port path such as 1-1.2, got '%.*s'",
				       VALUE_QUOTE_MAX, value);
	memcpy(pr->port, value, strlen(value) + 1);
	return 0;
}

/*
 * printer = escpos needs the device; a [printer] section beside another
 * backend is kept, unused, so that a library can switch its printer off in
 * [board] without losing the ids.
 */
int printer_check(const struct board_parse *p, struct file_error *err)
{
	const struct board *b = p->board;
	const struct board_printer *pr = &b->printer;
	const char *missing = NULL;

	if (pr->device[0] && pr->usb_set)
		missing = "device or usb, not both";
	else if (pr->device[0] && (pr->serial[0] || pr->port[0]))
		missing = "usb for serial and port (they pick a USB device)";
	else if (strcmp(b->printer_backend, "escpos") == 0 && !pr->device[0] && !pr->usb_set)
		missing = "device (a path such as /dev/usb/lp0) or usb (VID:PID) with "
			  "printer = escpos";
	if (!missing)
		return 0;
	if (!pr->present) {
		file_error_set(err, p->path, p->board_line,
			       "[board] printer = escpos needs a [printer] section with %s",
			       "device or usb");
		return -EINVAL;
	}
	file_error_set(err, p->path, pr->src_line, "[printer] needs %s", missing);
	return -EINVAL;
}
