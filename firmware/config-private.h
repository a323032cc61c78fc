/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside config.c: the shape of a key (config.c's table) and the readers
 * of its values (config-value.c). Nothing outside those two includes it.
 */
#ifndef CIRCD_CONFIG_PRIVATE_H
#define CIRCD_CONFIG_PRIVATE_H

#include <stddef.h>

#include "config.h"
#include "inifile.h"

/* A value is quoted in a message up to this many bytes. */
#define VALUE_QUOTE_MAX 64

enum config_section {
	SECTION_NONE = -1,
	SECTION_KIOSK,
	SECTION_STORE,
	SECTION_CONTROL,
	SECTION_SIM,
	SECTION_BARCODE,
	SECTION_FEEDBACK,
	SECTION_OFFLINE,
	SECTION_LOG,
	SECTION_SIP2,
	SECTION_PRIVACY,
	SECTION_RFID,
	SECTION_RECEIPT,
	SECTION_METRICS,
	SECTION_HEALTH,
	SECTION_DISPLAY,
	SECTION__COUNT,
};

/* Indexed by enum config_section, NULL-terminated. */
extern const char *const config_section_names[];

/* How a key's value is read, and what it is stored in. */
enum value_type {
	VALUE_STRING,          /* char[], not empty */
	VALUE_STRING_OPTIONAL, /* char[], may be empty */
	VALUE_SOCKET_PATH,     /* char[], short enough for a sockaddr_un */
	VALUE_DATE_FORMAT,     /* char[], a strftime format */
	VALUE_UINT,            /* unsigned, min..max */
	VALUE_BOOL,
	VALUE_CHOICE,          /* an enum, by the names in choices */
	VALUE_PORT,            /* min..max, kept as text */
	VALUE_PATRON_MESSAGE,  /* unsigned, 23 or 63 */
	VALUE_TERMINATOR,      /* bool crlf, by terminator_names */
	VALUE_DELIMITER,       /* char, one printable character */
	VALUE_HEX_PIN,         /* char[65], a SHA-256 fingerprint or empty */
	VALUE_PREFIXES,        /* struct barcode_class_rule */
	VALUE_LENGTHS,         /* struct barcode_class_rule */
	VALUE_DONE,            /* struct barcode_rules */
	VALUE_FEEDBACK,        /* struct feedback_pattern */
	VALUE_AFI,             /* unsigned, an ISO 15693 AFI: 0xHH or 0..255 */
	VALUE_IP_ADDRESS,      /* char[], an IPv4 or IPv6 address as inet_pton reads it */
};

/* A running circd applies some keys on SIGHUP; the rest it set up once at start. */
enum reload_policy {
	APPLY_AT_ONCE,
	APPLY_AT_RESTART,
};

struct config_key {
	enum config_section section;
	const char *name;
	enum value_type type;
	size_t offset, size; /* in struct config */
	enum reload_policy reload;
	unsigned min, max;           /* VALUE_UINT, VALUE_PORT */
	const char *const *choices;  /* VALUE_CHOICE */
};

struct config_lines;

struct config_parse {
	struct config *cfg;
	const char *path;
	struct file_error *err;
	struct config_lines *lines;
	enum config_section section;
	int section_line[SECTION__COUNT];
	/* the key being set, for messages */
	const char *key;
	int line;
};

/* Reads value into p->cfg where key says, as key's type says. */
int config_set_value(struct config_parse *p, const struct config_key *key, const char *value);

#endif
