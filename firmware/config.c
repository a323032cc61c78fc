/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

#define VALUE_QUOTE_MAX 64

static const char *const mode_names[] = { "selfcheck", "returns", NULL };
static const char *const policy_names[] = { "checkin-only", "checkin-and-checkout", "none", NULL };
static const char *const charset_names[] = { "ascii", "utf-8", "iso-8859-1", "ibm850", NULL };
static const char *const terminator_names[] = { "cr", "crlf", NULL };
static const char *const level_names[] = { "err", "warning", "notice", "info", "debug", NULL };

static const char *const feedback_defaults[FEEDBACK__COUNT] = {
	[FEEDBACK_OK] = "lamp_ok:1500 buzzer:80",
	[FEEDBACK_ERROR] = "lamp_error:3000 buzzer:80,80,80,80,80",
	[FEEDBACK_NOTICE] = "buzzer:40",
	[FEEDBACK_ACCEPT] = "flap_unlock:4000",
};

const char *kiosk_mode_name(enum kiosk_mode mode)
{
	if ((int)mode < 0 || mode > KIOSK_RETURNS)
		return "unknown";
	return mode_names[mode];
}

const char *offline_policy_name(enum offline_policy policy)
{
	if ((int)policy < 0 || policy > OFFLINE_NONE)
		return "unknown";
	return policy_names[policy];
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* ---- defaults ---- */

void config_default(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->path, CONFIG_DEFAULT_PATH);
	cfg->mode = KIOSK_SELFCHECK;
	strcpy(cfg->kiosk_id, "kiosk");
	strcpy(cfg->board, "sim");
	cfg->require_pin = false;
	cfg->session_timeout_s = 60;
	snprintf(cfg->date_format, sizeof(cfg->date_format), "%%a %%d %%b %%Y");
	strcpy(cfg->store_path, "/var/lib/circd/circd.db");
	strcpy(cfg->control_socket, "/run/circd/control.sock");
	cfg->control_group[0] = '\0';
	strcpy(cfg->sim_socket, "/run/circd/sim.sock");
	barcode_rules_default(&cfg->barcodes);
	/* the defaults are well-formed; a failure would leave that kind silent */
	for (int i = 0; i < FEEDBACK__COUNT; i++)
		feedback_pattern_parse(feedback_defaults[i], &cfg->feedback[i], NULL);
	cfg->offline_policy = OFFLINE_CHECKIN_CHECKOUT;
	cfg->offline_max_items = 10;
	cfg->offline_loan_days = 14;
	cfg->patron_cache_hours = 24;
	strcpy(cfg->sip2.port, "6001");
	cfg->sip2.tls = true;
	cfg->sip2.delimiter = '|';
	cfg->sip2.error_detection = true;
	cfg->sip2.charset = SIP2_CHARSET_ASCII;
	cfg->sip2.patron_message = 23;
	cfg->sip2.heartbeat_s = 25;
	cfg->sip2.connect_timeout_s = 5;
	cfg->sip2.response_timeout_s = 10;
	cfg->sip2.retries = 2;
	cfg->sip2.reconnect_max_s = 60;
	cfg->sip2.patron_wait_s = 8;
	cfg->retention_hours = 0;
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->core_dumps = false;
}

/* ---- parsing ---- */

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
	SECTION__COUNT,
};

#define KEYS_MAX 24

static const char *const section_names[] = {
	"kiosk", "store", "control", "sim", "barcode", "feedback", "offline", "log", "sip2",
	"privacy", NULL,
};

static const char *const section_keys[SECTION__COUNT][KEYS_MAX] = {
	[SECTION_KIOSK] = { "mode", "id", "board", "require_pin", "session_timeout", "date_format",
			    NULL },
	[SECTION_STORE] = { "path", NULL },
	[SECTION_CONTROL] = { "socket", "group", NULL },
	[SECTION_SIM] = { "socket", NULL },
	[SECTION_BARCODE] = { "patron_prefixes", "patron_lengths", "item_prefixes", "item_lengths",
			      "check_digit", "done", "card_prefixes", "card_lengths", NULL },
	[SECTION_FEEDBACK] = { "ok", "error", "notice", "accept", NULL },
	[SECTION_OFFLINE] = { "policy", "max_items", "loan_days", "patron_cache_hours", NULL },
	[SECTION_LOG] = { "level", "core_dumps", NULL },
	[SECTION_SIP2] = { "host", "port", "tls", "ca_file", "pin_sha256", "server_name", "username",
			   "password", "terminal_password", "institution", "location",
			   "terminator", "delimiter", "error_detection", "charset",
			   "patron_message", "heartbeat", "connect_timeout", "response_timeout",
			   "retries", "reconnect_max", "patron_wait", "renew", NULL },
	[SECTION_PRIVACY] = { "retention_hours", NULL },
};

/* Where the keys that later checks talk about were set (0 = not set). */
struct config_lines {
	int sip2[KEYS_MAX]; /* indexed like section_keys[SECTION_SIP2] */
};

struct config_parse {
	struct config *cfg;
	const char *path;
	struct file_error *err;
	struct config_lines *lines;
	enum config_section section;
	int section_line[SECTION__COUNT];
	int key_line[KEYS_MAX];
	/* the key being set, for messages */
	const char *key;
	int line;
	int store_path_line, control_socket_line;
};

static int value_error(struct config_parse *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int value_error(struct config_parse *p, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	file_error_set(p->err, p->path, p->line, "[%s] %s: %s", section_names[p->section], p->key,
		       why);
	return -EINVAL;
}

static int set_choice(struct config_parse *p, const char *value, const char *const *choices,
		      int *ret)
{
	char list[128];
	int i = inifile_word_index(choices, value);

	if (i < 0) {
		inifile_join_words(list, sizeof(list), choices);
		return value_error(p, "expected %s, got '%.*s'", list, VALUE_QUOTE_MAX, value);
	}
	*ret = i;
	return 0;
}

static int set_uint(struct config_parse *p, const char *value, unsigned min, unsigned max,
		    unsigned *ret)
{
	if (inifile_uint(value, min, max, ret) < 0)
		return value_error(p, "expected a number from %u to %u, got '%.*s'", min, max,
				   VALUE_QUOTE_MAX, value);
	return 0;
}

static int set_bool(struct config_parse *p, const char *value, bool *ret)
{
	if (inifile_bool(value, ret) < 0)
		return value_error(p, "expected yes or no, got '%.*s'", VALUE_QUOTE_MAX, value);
	return 0;
}

static int set_string(struct config_parse *p, const char *value, char *dst, size_t size,
		      bool allow_empty);

/* A strftime format that gives a date patrons can read on a receipt line. */
static int set_date_format(struct config_parse *p, const char *value, char *dst, size_t size)
{
	/* The longest weekday and month names, in a year with four digits. */
	struct tm tm = { .tm_year = 2026 - 1900, .tm_mon = 8, .tm_mday = 30, .tm_wday = 3,
			 .tm_hour = 23, .tm_min = 59, .tm_sec = 59 };
	char sample[64];
	int r = set_string(p, value, dst, size, false);

	if (r < 0)
		return r;
	if (strftime(sample, sizeof(sample), dst, &tm) == 0)
		return value_error(p, "'%.*s' gives an empty date or one over %zu characters",
				   VALUE_QUOTE_MAX, value, sizeof(sample) - 1);
	return 0;
}

static int set_string(struct config_parse *p, const char *value, char *dst, size_t size,
		      bool allow_empty)
{
	size_t len = strlen(value);

	if (!len && !allow_empty)
		return value_error(p, "empty value");
	if (len >= size)
		return value_error(p, "longer than %zu characters", size - 1);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)value[i] < 0x20 || (unsigned char)value[i] == 0x7f)
			return value_error(p, "contains a control character");
	memcpy(dst, value, len + 1);
	return 0;
}

static int set_socket_path(struct config_parse *p, const char *value, char *dst, size_t size)
{
	/* bind() would fail much later, with a less helpful message */
	size_t max = sizeof(((struct sockaddr_un *)NULL)->sun_path) - 1;

	if (strlen(value) > max)
		return value_error(p, "longer than %zu characters, too long for a unix socket",
				   max);
	return set_string(p, value, dst, size, false);
}

struct span {
	const char *s;
	size_t len;
};

/* "a, b ,c" -> trimmed items; an empty value has none. */
static int split_list(struct config_parse *p, const char *value, struct span *items,
		      unsigned max, const char *what, unsigned *n)
{
	const char *s = value;

	*n = 0;
	while (is_space(*s))
		s++;
	if (!*s)
		return 0;
	for (;;) {
		const char *comma = strchr(s, ','), *end = comma ? comma : s + strlen(s);
		const char *start = s;

		while (start < end && is_space(*start))
			start++;
		while (end > start && is_space(end[-1]))
			end--;
		if (start == end)
			return value_error(p, "empty entry in the list '%.*s'", VALUE_QUOTE_MAX,
					   value);
		if (*n == max)
			return value_error(p, "more than %u %s", max, what);
		items[*n].s = start;
		items[(*n)++].len = (size_t)(end - start);
		if (!comma)
			return 0;
		s = comma + 1;
	}
}

static bool printable_token(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return false;
	return true;
}

/* Fills rows of size bytes starting at dst: prefixes[][] or done[][]. */
static int set_symbols(struct config_parse *p, const char *value, char *dst, size_t size,
		       unsigned *n_ret, const char *what)
{
	struct span items[BARCODE_LIST_MAX];
	unsigned n;
	int r;

	r = split_list(p, value, items, BARCODE_LIST_MAX, what, &n);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++) {
		if (items[i].len >= size)
			return value_error(p, "'%.*s' is longer than %zu characters",
					   VALUE_QUOTE_MAX, items[i].s, size - 1);
		if (!printable_token(items[i].s, items[i].len))
			return value_error(p, "'%.*s' may only hold printable ASCII, no spaces",
					   (int)items[i].len, items[i].s);
	}
	for (unsigned i = 0; i < n; i++) {
		char *d = dst + i * size;

		memcpy(d, items[i].s, items[i].len);
		d[items[i].len] = '\0';
	}
	*n_ret = n;
	return 0;
}

static int set_prefixes(struct config_parse *p, const char *value, struct barcode_class_rule *rule)
{
	return set_symbols(p, value, (char *)rule->prefixes, BARCODE_PREFIX_MAX,
			   &rule->n_prefixes, "prefixes");
}

static int set_done(struct config_parse *p, const char *value, struct barcode_rules *rules)
{
	return set_symbols(p, value, (char *)rules->done, BARCODE_DONE_MAX, &rules->n_done,
			   "symbols");
}

static int set_lengths(struct config_parse *p, const char *value, struct barcode_class_rule *rule)
{
	struct span items[BARCODE_LIST_MAX];
	uint8_t lengths[BARCODE_LIST_MAX];
	char number[8];
	unsigned n;
	int r;

	r = split_list(p, value, items, BARCODE_LIST_MAX, "lengths", &n);
	if (r < 0)
		return r;
	for (unsigned i = 0; i < n; i++) {
		unsigned len;

		if (items[i].len >= sizeof(number))
			goto bad;
		memcpy(number, items[i].s, items[i].len);
		number[items[i].len] = '\0';
		if (inifile_uint(number, 1, SCAN_TEXT_MAX, &len) < 0)
			goto bad;
		lengths[i] = (uint8_t)len;
		continue;
bad:
		return value_error(p, "expected lengths from 1 to %d, got '%.*s'", SCAN_TEXT_MAX,
				   (int)(items[i].len > VALUE_QUOTE_MAX ? VALUE_QUOTE_MAX
									: items[i].len),
				   items[i].s);
	}
	memcpy(rule->lengths, lengths, n);
	rule->n_lengths = n;
	return 0;
}

static int set_hex_pin(struct config_parse *p, const char *value, char *dst)
{
	size_t i, n = strlen(value);

	for (i = 0; i < n; i++)
		if (!strchr("0123456789abcdefABCDEF:", value[i]))
			break;
	if (n && i == n) {
		size_t w = 0;

		/* "AB:CD:..." as openssl prints fingerprints, or plain hex */
		for (i = 0; i < n && w < 64; i++)
			if (value[i] != ':')
				dst[w++] = (char)(value[i] | 0x20);
		dst[w] = '\0';
		if (w == 64 && i == n)
			return 0;
	}
	if (!n) {
		dst[0] = '\0';
		return 0;
	}
	dst[0] = '\0';
	return value_error(p, "expected the 64 hex digits of a SHA-256 fingerprint, got '%.*s'",
			   VALUE_QUOTE_MAX, value);
}

static int set_sip2_key(struct config_parse *p, const char *key, const char *value)
{
	struct sip2_config *s = &p->cfg->sip2;
	int choice = 0, r;
	unsigned u;

	if (strcmp(key, "host") == 0)
		return set_string(p, value, s->host, sizeof(s->host), true);
	if (strcmp(key, "port") == 0) {
		r = set_uint(p, value, 1, 65535, &u);
		if (r >= 0)
			snprintf(s->port, sizeof(s->port), "%u", u);
		return r;
	}
	if (strcmp(key, "tls") == 0)
		return set_bool(p, value, &s->tls);
	if (strcmp(key, "ca_file") == 0)
		return set_string(p, value, s->ca_file, sizeof(s->ca_file), true);
	if (strcmp(key, "pin_sha256") == 0)
		return set_hex_pin(p, value, s->pin_sha256);
	if (strcmp(key, "server_name") == 0)
		return set_string(p, value, s->server_name, sizeof(s->server_name), true);
	if (strcmp(key, "username") == 0)
		return set_string(p, value, s->username, sizeof(s->username), true);
	if (strcmp(key, "password") == 0)
		return set_string(p, value, s->password, sizeof(s->password), true);
	if (strcmp(key, "terminal_password") == 0)
		return set_string(p, value, s->terminal_password, sizeof(s->terminal_password),
				  true);
	if (strcmp(key, "institution") == 0)
		return set_string(p, value, s->institution, sizeof(s->institution), true);
	if (strcmp(key, "location") == 0)
		return set_string(p, value, s->location, sizeof(s->location), true);
	if (strcmp(key, "terminator") == 0) {
		r = set_choice(p, value, terminator_names, &choice);
		s->crlf = choice == 1;
		return r;
	}
	if (strcmp(key, "delimiter") == 0) {
		if (strlen(value) != 1 || value[0] < 0x21 || value[0] > 0x7e)
			return value_error(p, "expected one printable character, got '%.*s'",
					   VALUE_QUOTE_MAX, value);
		s->delimiter = value[0];
		return 0;
	}
	if (strcmp(key, "error_detection") == 0)
		return set_bool(p, value, &s->error_detection);
	if (strcmp(key, "charset") == 0) {
		r = set_choice(p, value, charset_names, &choice);
		s->charset = (enum sip2_charset_cfg)choice;
		return r;
	}
	if (strcmp(key, "patron_message") == 0) {
		r = set_uint(p, value, 23, 63, &u);
		if (r >= 0 && u != 23 && u != 63)
			return value_error(p, "expected 23 (patron status) or 63 (patron "
					      "information), got '%.*s'", VALUE_QUOTE_MAX, value);
		s->patron_message = u;
		return r;
	}
	if (strcmp(key, "heartbeat") == 0)
		return set_uint(p, value, 5, 3600, &s->heartbeat_s);
	if (strcmp(key, "connect_timeout") == 0)
		return set_uint(p, value, 1, 120, &s->connect_timeout_s);
	if (strcmp(key, "response_timeout") == 0)
		return set_uint(p, value, 1, 300, &s->response_timeout_s);
	if (strcmp(key, "retries") == 0)
		return set_uint(p, value, 0, 10, &s->retries);
	if (strcmp(key, "reconnect_max") == 0)
		return set_uint(p, value, 1, 3600, &s->reconnect_max_s);
	if (strcmp(key, "patron_wait") == 0)
		return set_uint(p, value, 1, 120, &s->patron_wait_s);
	return set_bool(p, value, &s->renew);
}

static int set_key(struct config_parse *p, const char *key, const char *value)
{
	struct config *cfg = p->cfg;
	const char *why;
	int choice = 0, r;

	switch (p->section) {
	case SECTION_KIOSK:
		if (strcmp(key, "mode") == 0) {
			r = set_choice(p, value, mode_names, &choice);
			if (r >= 0)
				cfg->mode = (enum kiosk_mode)choice;
			return r;
		}
		if (strcmp(key, "id") == 0)
			return set_string(p, value, cfg->kiosk_id, sizeof(cfg->kiosk_id), false);
		if (strcmp(key, "board") == 0)
			return set_string(p, value, cfg->board, sizeof(cfg->board), false);
		if (strcmp(key, "require_pin") == 0)
			return set_bool(p, value, &cfg->require_pin);
		if (strcmp(key, "date_format") == 0)
			return set_date_format(p, value, cfg->date_format, sizeof(cfg->date_format));
		return set_uint(p, value, 5, 3600, &cfg->session_timeout_s);
	case SECTION_STORE:
		p->store_path_line = p->line;
		return set_string(p, value, cfg->store_path, sizeof(cfg->store_path), false);
	case SECTION_CONTROL:
		if (strcmp(key, "socket") == 0) {
			p->control_socket_line = p->line;
			return set_socket_path(p, value, cfg->control_socket,
					       sizeof(cfg->control_socket));
		}
		return set_string(p, value, cfg->control_group, sizeof(cfg->control_group), true);
	case SECTION_SIM:
		return set_socket_path(p, value, cfg->sim_socket, sizeof(cfg->sim_socket));
	case SECTION_BARCODE:
		if (strcmp(key, "patron_prefixes") == 0)
			return set_prefixes(p, value, &cfg->barcodes.patron);
		if (strcmp(key, "item_prefixes") == 0)
			return set_prefixes(p, value, &cfg->barcodes.item);
		if (strcmp(key, "patron_lengths") == 0)
			return set_lengths(p, value, &cfg->barcodes.patron);
		if (strcmp(key, "item_lengths") == 0)
			return set_lengths(p, value, &cfg->barcodes.item);
		if (strcmp(key, "card_prefixes") == 0)
			return set_prefixes(p, value, &cfg->barcodes.card);
		if (strcmp(key, "card_lengths") == 0)
			return set_lengths(p, value, &cfg->barcodes.card);
		if (strcmp(key, "check_digit") == 0)
			return set_bool(p, value, &cfg->barcodes.check_digit);
		return set_done(p, value, &cfg->barcodes);
	case SECTION_FEEDBACK:
		choice = inifile_word_index(section_keys[SECTION_FEEDBACK], key);
		if (feedback_pattern_parse(value, &cfg->feedback[choice], &why) < 0)
			return value_error(p, "%s, got '%.*s'", why, VALUE_QUOTE_MAX, value);
		return 0;
	case SECTION_OFFLINE:
		if (strcmp(key, "policy") == 0) {
			r = set_choice(p, value, policy_names, &choice);
			if (r >= 0)
				cfg->offline_policy = (enum offline_policy)choice;
			return r;
		}
		if (strcmp(key, "max_items") == 0)
			return set_uint(p, value, 0, 1000, &cfg->offline_max_items);
		if (strcmp(key, "patron_cache_hours") == 0)
			return set_uint(p, value, 0, 24 * 90, &cfg->patron_cache_hours);
		return set_uint(p, value, 1, 365, &cfg->offline_loan_days);
	case SECTION_SIP2:
		return set_sip2_key(p, key, value);
	case SECTION_PRIVACY:
		return set_uint(p, value, 0, 24 * 365, &cfg->retention_hours);
	case SECTION_LOG:
		if (strcmp(key, "core_dumps") == 0)
			return set_bool(p, value, &cfg->core_dumps);
		r = set_choice(p, value, level_names, &choice);
		if (r >= 0)
			cfg->log_level = (enum log_level)choice;
		return r;
	case SECTION_NONE:
	case SECTION__COUNT:
		break;
	}
	return -EINVAL;
}

static int config_parse_key(void *data, const char *key, const char *value, int line,
			    struct file_error *err)
{
	struct config_parse *p = data;
	char list[128];
	int i;

	if (p->section == SECTION_NONE) {
		file_error_set(err, p->path, line, "%.*s: key outside a section", VALUE_QUOTE_MAX,
			       key);
		return -EINVAL;
	}
	p->key = key;
	p->line = line;
	i = inifile_word_index(section_keys[p->section], key);
	if (i < 0) {
		inifile_join_words(list, sizeof(list), section_keys[p->section]);
		return value_error(p, "unknown key (expected %s)", list);
	}
	if (p->key_line[i])
		return value_error(p, "set twice (first at line %d)", p->key_line[i]);
	p->key_line[i] = line;
	if (p->section == SECTION_SIP2)
		p->lines->sip2[i] = line;
	return set_key(p, key, value);
}

static int config_parse_section(void *data, const char *section, int line,
				struct file_error *err)
{
	struct config_parse *p = data;
	char list[128];
	int i = inifile_word_index(section_names, section);

	memset(p->key_line, 0, sizeof(p->key_line));
	p->section = SECTION_NONE;
	if (i < 0) {
		inifile_join_words(list, sizeof(list), section_names);
		file_error_set(err, p->path, line, "unknown section [%.*s] (expected %s)",
			       VALUE_QUOTE_MAX, section, list);
		return -EINVAL;
	}
	if (p->section_line[i]) {
		file_error_set(err, p->path, line, "duplicate section [%s] (first at line %d)",
			       section_names[i], p->section_line[i]);
		return -EINVAL;
	}
	p->section_line[i] = line;
	p->section = (enum config_section)i;
	return 0;
}

/*
 * The store's own files, as sqlite and store.c name them: a control socket
 * there would replace the database (or its WAL) at start and remove it at
 * exit.
 */
static const char *const store_file_suffixes[] = { "", "-wal", "-shm", "-journal", ".lock",
						   ".mark", ".mark.tmp" };

/* "./a//b/./c" is "a/b/c": the same file by another spelling (no file system is asked). */
static void path_lexical(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n + 1 < size; in++) {
		if (*in == '/' && n && out[n - 1] == '/')
			continue;
		if (*in == '.' && (n == 0 || out[n - 1] == '/') && in[1] == '/') {
			in++;
			continue;
		}
		out[n++] = *in;
	}
	out[n] = '\0';
}

static int check_control_socket(struct config_parse *p)
{
	const struct config *cfg = p->cfg;
	char store[sizeof(cfg->store_path)], sock[sizeof(cfg->control_socket)];
	size_t len;

	path_lexical(cfg->store_path, store, sizeof(store));
	path_lexical(cfg->control_socket, sock, sizeof(sock));
	len = strlen(store);
	for (size_t i = 0; i < ARRAY_SIZE(store_file_suffixes); i++) {
		const char *suffix = store_file_suffixes[i];

		if (strncmp(sock, store, len) || strcmp(sock + len, suffix))
			continue;
		/* Name the line that made them collide: the later of the two settings. */
		p->line = p->control_socket_line > p->store_path_line ? p->control_socket_line
								       : p->store_path_line;
		file_error_set(p->err, p->path, p->line,
			       "[control] socket: %s is the store %s or one of its files; the "
			       "socket needs a path of its own", cfg->control_socket,
			       cfg->store_path);
		return -EINVAL;
	}
	return 0;
}

static const struct inifile_callbacks config_callbacks = {
	.section = config_parse_section,
	.key = config_parse_key,
};

static int sip2_line(const struct config_lines *lines, const char *key)
{
	int i = inifile_word_index(section_keys[SECTION_SIP2], key);

	return i < 0 ? 0 : lines->sip2[i];
}

/*
 * With tls = no nothing verifies the ILS, so a CA file or a pin set beside it
 * is a mistake that would otherwise go unnoticed on a plain-TCP link.
 */
static int check_tls_keys(const struct config *cfg, const struct config_lines *lines,
			  struct file_error *err)
{
	static const char *const tls_only[] = { "ca_file", "pin_sha256" };
	const struct sip2_config *s = &cfg->sip2;

	if (s->tls)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(tls_only); i++) {
		bool set = strcmp(tls_only[i], "ca_file") == 0 ? s->ca_file[0] : s->pin_sha256[0];

		if (!set)
			continue;
		file_error_set(err, cfg->path, sip2_line(lines, tls_only[i]),
			       "[sip2] %s: set, but tls = no (line %d) means plain TCP that "
			       "verifies nothing; remove %s or set tls = yes", tls_only[i],
			       sip2_line(lines, "tls"), tls_only[i]);
		return -EINVAL;
	}
	return 0;
}

static int parse_config_text(const char *text, const char *path, struct config *cfg,
			     struct config_lines *lines, struct file_error *err)
{
	struct config parsed;
	struct config_parse p = {
		.cfg = &parsed,
		.path = path ? path : "",
		.err = err,
		.lines = lines,
		.section = SECTION_NONE,
	};
	size_t path_len = strlen(p.path);
	int r;

	memset(lines, 0, sizeof(*lines));
	if (path_len >= sizeof(parsed.path)) {
		file_error_set(err, p.path, 0, "path longer than %zu characters",
			       sizeof(parsed.path) - 1);
		return -ENAMETOOLONG;
	}
	config_default(&parsed);
	memcpy(parsed.path, p.path, path_len + 1);
	r = inifile_parse(text ? text : "", p.path, &config_callbacks, &p, err);
	if (r >= 0)
		r = check_control_socket(&p);
	if (r >= 0)
		r = check_tls_keys(&parsed, lines, err);
	if (r >= 0)
		*cfg = parsed;
	explicit_bzero(&parsed, sizeof(parsed));
	return r;
}

int config_parse(const char *text, const char *path, struct config *cfg, struct file_error *err)
{
	struct config_lines lines;

	return parse_config_text(text, path, cfg, &lines, err);
}

/* The CA file is read only when the link connects: a typo would surface as a runtime ENOENT. */
static int check_ca_file(const struct config *cfg, const struct config_lines *lines,
			 struct file_error *err)
{
	const char *ca = cfg->sip2.ca_file;
	struct stat st;
	int fd, r = 0;

	if (!cfg->sip2.tls || !ca[0])
		return 0;
	fd = open(ca, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EISDIR;
	if (fd >= 0)
		close(fd);
	if (r < 0)
		file_error_set(err, cfg->path, sip2_line(lines, "ca_file"),
			       "[sip2] ca_file: cannot read '%.*s': %s", VALUE_QUOTE_MAX * 4, ca,
			       r == -EISDIR ? "not a file" : strerror(-r));
	return r;
}

/* The keys whose values are credentials: the file holding them must be private. */
static const char *const secret_keys[] = { "password", "terminal_password" };

static const char *secret_value(const struct config *cfg, const char *key)
{
	return strcmp(key, "password") == 0 ? cfg->sip2.password : cfg->sip2.terminal_password;
}

static int check_secrets_private(const char *path, const struct config *cfg,
				 const struct config_lines *lines, struct file_error *err)
{
	const char *key = NULL;
	struct stat st;

	for (size_t i = 0; i < ARRAY_SIZE(secret_keys) && !key; i++)
		if (secret_value(cfg, secret_keys[i])[0])
			key = secret_keys[i];
	if (!key)
		return 0;
	if (stat(path, &st) < 0) {
		int r = -errno;

		file_error_set(err, path, 0, "cannot check who may read it: %s", strerror(-r));
		return r;
	}
	/* Group or others writing it could swap the ILS for their own and collect them. */
	if (st.st_mode & 0066) {
		file_error_set(err, path, 0,
			       "holds a secret ([sip2] %s, line %d) but group or others may read "
			       "or write it (mode %03o); chmod 600 it", key,
			       sip2_line(lines, key), (unsigned)(st.st_mode & 0777));
		return -EACCES;
	}
	return 0;
}

int config_load(const char *path, struct config *cfg, struct file_error *err)
{
	struct config_lines lines;
	struct config parsed;
	char *text;
	int r;

	r = inifile_read(path, &text, err);
	if (r < 0)
		return r;
	r = parse_config_text(text, path, &parsed, &lines, err);
	explicit_bzero(text, strlen(text));
	free(text);
	if (r < 0)
		return r;
	r = check_secrets_private(path, &parsed, &lines, err);
	if (r >= 0)
		r = check_ca_file(&parsed, &lines, err);
	if (r >= 0)
		*cfg = parsed;
	explicit_bzero(&parsed, sizeof(parsed));
	return r;
}
