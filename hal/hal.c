/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Backend tables and the names of the device-class enums. A new backend is
 * one line in its class's table.
 */
#include "hal.h"

#include <stddef.h>
#include <string.h>

#include "util.h"

static const struct gpio_ops *const gpio_backends[] = {
	&gpio_sim_ops,
	&gpio_gpiod_ops,
};

static const struct scanner_ops *const scanner_backends[] = {
	&scanner_sim_ops,
	&scanner_libusb_ops,
};

static const struct display_ops *const display_backends[] = {
	&display_sim_ops,
	&display_none_ops,
	&display_web_ops,
};

static const struct printer_ops *const printer_backends[] = {
	&printer_sim_ops,
	&printer_none_ops,
	&printer_escpos_ops,
};

extern const struct rfid_ops rfid_3m_ops; /* hal/rfid-3m.c */

static const struct rfid_ops *const rfid_backends[] = {
	&rfid_sim_ops,
	&rfid_3m_ops,
	&rfid_feig_ops,
};

const struct gpio_ops *hal_gpio_backend(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(gpio_backends); i++)
		if (strcmp(gpio_backends[i]->name, name) == 0)
			return gpio_backends[i];
	return NULL;
}

const struct scanner_ops *hal_scanner_backend(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(scanner_backends); i++)
		if (strcmp(scanner_backends[i]->name, name) == 0)
			return scanner_backends[i];
	return NULL;
}

const struct display_ops *hal_display_backend(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(display_backends); i++)
		if (strcmp(display_backends[i]->name, name) == 0)
			return display_backends[i];
	return NULL;
}

const struct printer_ops *hal_printer_backend(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(printer_backends); i++)
		if (strcmp(printer_backends[i]->name, name) == 0)
			return printer_backends[i];
	return NULL;
}

const char *printer_state_name(enum printer_state state)
{
	static const char *const names[PRINTER_STATE__COUNT] = {
		[PRINTER_OK] = "ok",
		[PRINTER_PAPER_NEAR_END] = "paper-near-end",
		[PRINTER_PAPER_OUT] = "paper-out",
		[PRINTER_COVER_OPEN] = "cover-open",
		[PRINTER_OFFLINE] = "offline",
		[PRINTER_UNKNOWN] = "unknown",
	};

	if ((int)state < 0 || state >= PRINTER_STATE__COUNT)
		return "unknown";
	return names[state];
}

const struct rfid_ops *hal_rfid_backend(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(rfid_backends); i++)
		if (strcmp(rfid_backends[i]->name, name) == 0)
			return rfid_backends[i];
	return NULL;
}

const char *display_kind_name(enum display_kind kind)
{
	static const char *const names[] = {
		[DISPLAY_INFO] = "info",   [DISPLAY_OK] = "ok",           [DISPLAY_NOTICE] = "notice",
		[DISPLAY_ERROR] = "error", [DISPLAY_RECEIPT] = "receipt",
	};

	if ((int)kind < 0 || (size_t)kind >= ARRAY_SIZE(names))
		return "unknown";
	return names[kind];
}

const char *display_screen_name(enum display_screen screen)
{
	static const char *const names[] = {
		[DISPLAY_SCREEN_WELCOME] = "welcome",
		[DISPLAY_SCREEN_CHECKING] = "checking",
		[DISPLAY_SCREEN_PIN] = "pin",
		[DISPLAY_SCREEN_ITEMS] = "items",
		[DISPLAY_SCREEN_GOODBYE] = "goodbye",
		[DISPLAY_SCREEN_OUT_OF_SERVICE] = "out_of_service",
		[DISPLAY_SCREEN_BIN_FULL] = "bin_full",
	};

	if ((int)screen < 0 || (size_t)screen >= ARRAY_SIZE(names))
		return "unknown";
	return names[screen];
}

void display_report(const struct hal_env *env, enum hal_level level, enum display_kind kind,
		    const char *text)
{
	char line[256];
	size_t i;

	/* One log line per message: a receipt's line breaks become "/". */
	for (i = 0; text[i] && i < sizeof(line) - 4; i++)
		line[i] = text[i] == '\n' ? '/' : text[i];
	line[i] = 0;
	hal_report(env, level, "display %s: %s", display_kind_name(kind), line);
}
