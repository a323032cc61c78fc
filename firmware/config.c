/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))

static const char *const mode_names[] = { "selfcheck", "returns", NULL };
static const char *const policy_names[] = { "checkin-only", "checkin-and-checkout", "none", NULL };
static const char *const charset_names[] = { "ascii", "utf-8", "iso-8859-1", "ibm850", NULL };
/* As tag_model_choice_name() says them, in enum tag_model_choice's order. */
static const char *const data_model_names[] = { "auto", "iso28560-2", "iso28560-3", NULL };
static const char *const receipt_policy_names[] = { "never", "always", "ask", NULL };
static const char *const codepage_names[] = { "pc437", "pc850", "pc858", "wpc1252", NULL };
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
	cfg->date_format[0] = '\0'; /* the language's date.format */
	strcpy(cfg->language, "en");
	cfg->language_from_ils = false;
	cfg->messages_dir[0] = '\0';
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
	cfg->rfid.data_model = TAG_MODEL_CHOICE_AUTO;
	cfg->rfid.afi_checked_out = 0xC2;
	cfg->rfid.afi_on_shelf = 0x07;
	cfg->rfid.eas = true;
	/* A printed receipt is a library's choice; without one nothing changes. */
	cfg->receipt_policy = RECEIPT_NEVER;
	cfg->receipt_header[0] = '\0';
	/* PC850 with the euro sign: English, German and French print whole. */
	cfg->receipt_codepage = RECEIPT_PC858;
	cfg->metrics_textfile[0] = '\0';
	cfg->metrics_interval_s = 15; /* node_exporter's own scrape interval, commonly */
	cfg->health_max_offline_s = 30 * 60;
	cfg->health_max_outbox = 1;
	/* The kiosk's own browser is on the board: nothing else needs to reach the page. */
	strcpy(cfg->display.listen, "127.0.0.1");
	cfg->display.port = 8080;
	cfg->display.ui_dir[0] = '\0';
}

/* ---- parsing ---- */

const char *const config_section_names[] = {
	"kiosk", "store", "control", "sim", "barcode", "feedback", "offline", "log", "sip2",
	"privacy", "rfid", "receipt", "metrics", "health", "display", NULL,
};

#define KEY(sec, key_name, value_type, member, policy)                                      \
	.section = SECTION_##sec, .name = key_name, .type = VALUE_##value_type,              \
	.offset = offsetof(struct config, member),                                          \
	.size = sizeof(((struct config *)NULL)->member), .reload = policy

/*
 * Every key of circd.conf: where its value goes, how it is read, and
 * whether SIGHUP applies it (README.md's configuration reference says the
 * same in words). Within a section the order is the one "unknown key
 * (expected ...)" lists.
 */
static const struct config_key config_keys[] = {
	{ KEY(KIOSK, "mode", CHOICE, mode, APPLY_AT_RESTART), .choices = mode_names },
	{ KEY(KIOSK, "id", STRING, kiosk_id, APPLY_AT_ONCE) },
	{ KEY(KIOSK, "board", STRING, board, APPLY_AT_RESTART) },
	{ KEY(KIOSK, "require_pin", BOOL, require_pin, APPLY_AT_ONCE) },
	{ KEY(KIOSK, "session_timeout", UINT, session_timeout_s, APPLY_AT_ONCE),
	  .min = 5, .max = 3600 },
	{ KEY(KIOSK, "date_format", DATE_FORMAT, date_format, APPLY_AT_ONCE) },
	{ KEY(KIOSK, "language", STRING, language, APPLY_AT_ONCE) },
	{ KEY(KIOSK, "language_from_ils", BOOL, language_from_ils, APPLY_AT_ONCE) },
	{ KEY(KIOSK, "messages", STRING_OPTIONAL, messages_dir, APPLY_AT_RESTART) },

	{ KEY(STORE, "path", STRING, store_path, APPLY_AT_RESTART) },

	{ KEY(CONTROL, "socket", SOCKET_PATH, control_socket, APPLY_AT_RESTART) },
	{ KEY(CONTROL, "group", STRING_OPTIONAL, control_group, APPLY_AT_RESTART) },

	{ KEY(SIM, "socket", SOCKET_PATH, sim_socket, APPLY_AT_RESTART) },

	{ KEY(BARCODE, "patron_prefixes", PREFIXES, barcodes.patron, APPLY_AT_ONCE) },
	{ KEY(BARCODE, "patron_lengths", LENGTHS, barcodes.patron, APPLY_AT_ONCE) },
	{ KEY(BARCODE, "item_prefixes", PREFIXES, barcodes.item, APPLY_AT_ONCE) },
	{ KEY(BARCODE, "item_lengths", LENGTHS, barcodes.item, APPLY_AT_ONCE) },
	{ KEY(BARCODE, "check_digit", BOOL, barcodes.check_digit, APPLY_AT_ONCE) },
	{ KEY(BARCODE, "done", DONE, barcodes, APPLY_AT_ONCE) },
	{ KEY(BARCODE, "card_prefixes", PREFIXES, barcodes.card, APPLY_AT_ONCE) },
	{ KEY(BARCODE, "card_lengths", LENGTHS, barcodes.card, APPLY_AT_ONCE) },

	{ KEY(FEEDBACK, "ok", FEEDBACK, feedback[FEEDBACK_OK], APPLY_AT_ONCE) },
	{ KEY(FEEDBACK, "error", FEEDBACK, feedback[FEEDBACK_ERROR], APPLY_AT_ONCE) },
	{ KEY(FEEDBACK, "notice", FEEDBACK, feedback[FEEDBACK_NOTICE], APPLY_AT_ONCE) },
	{ KEY(FEEDBACK, "accept", FEEDBACK, feedback[FEEDBACK_ACCEPT], APPLY_AT_ONCE) },

	{ KEY(OFFLINE, "policy", CHOICE, offline_policy, APPLY_AT_ONCE), .choices = policy_names },
	{ KEY(OFFLINE, "max_items", UINT, offline_max_items, APPLY_AT_ONCE),
	  .min = 0, .max = 1000 },
	{ KEY(OFFLINE, "loan_days", UINT, offline_loan_days, APPLY_AT_ONCE), .min = 1, .max = 365 },
	{ KEY(OFFLINE, "patron_cache_hours", UINT, patron_cache_hours, APPLY_AT_ONCE),
	  .min = 0, .max = 24 * 90 },

	{ KEY(LOG, "level", CHOICE, log_level, APPLY_AT_ONCE), .choices = level_names },
	{ KEY(LOG, "core_dumps", BOOL, core_dumps, APPLY_AT_ONCE) },

	/* The link copies its options when it starts. */
	{ KEY(SIP2, "host", STRING_OPTIONAL, sip2.host, APPLY_AT_RESTART) },
	{ KEY(SIP2, "port", PORT, sip2.port, APPLY_AT_RESTART), .min = 1, .max = 65535 },
	{ KEY(SIP2, "tls", BOOL, sip2.tls, APPLY_AT_RESTART) },
	{ KEY(SIP2, "ca_file", STRING_OPTIONAL, sip2.ca_file, APPLY_AT_RESTART) },
	{ KEY(SIP2, "pin_sha256", HEX_PIN, sip2.pin_sha256, APPLY_AT_RESTART) },
	{ KEY(SIP2, "server_name", STRING_OPTIONAL, sip2.server_name, APPLY_AT_RESTART) },
	{ KEY(SIP2, "username", STRING_OPTIONAL, sip2.username, APPLY_AT_RESTART) },
	{ KEY(SIP2, "password", STRING_OPTIONAL, sip2.password, APPLY_AT_RESTART) },
	{ KEY(SIP2, "terminal_password", STRING_OPTIONAL, sip2.terminal_password,
	      APPLY_AT_RESTART) },
	{ KEY(SIP2, "institution", STRING_OPTIONAL, sip2.institution, APPLY_AT_RESTART) },
	{ KEY(SIP2, "location", STRING_OPTIONAL, sip2.location, APPLY_AT_RESTART) },
	{ KEY(SIP2, "terminator", TERMINATOR, sip2.crlf, APPLY_AT_RESTART) },
	{ KEY(SIP2, "delimiter", DELIMITER, sip2.delimiter, APPLY_AT_RESTART) },
	{ KEY(SIP2, "error_detection", BOOL, sip2.error_detection, APPLY_AT_RESTART) },
	{ KEY(SIP2, "charset", CHOICE, sip2.charset, APPLY_AT_RESTART), .choices = charset_names },
	{ KEY(SIP2, "patron_message", PATRON_MESSAGE, sip2.patron_message, APPLY_AT_RESTART) },
	{ KEY(SIP2, "heartbeat", UINT, sip2.heartbeat_s, APPLY_AT_RESTART), .min = 5, .max = 3600 },
	{ KEY(SIP2, "connect_timeout", UINT, sip2.connect_timeout_s, APPLY_AT_RESTART),
	  .min = 1, .max = 120 },
	{ KEY(SIP2, "response_timeout", UINT, sip2.response_timeout_s, APPLY_AT_RESTART),
	  .min = 1, .max = 300 },
	{ KEY(SIP2, "retries", UINT, sip2.retries, APPLY_AT_RESTART), .min = 0, .max = 10 },
	{ KEY(SIP2, "reconnect_max", UINT, sip2.reconnect_max_s, APPLY_AT_RESTART),
	  .min = 1, .max = 3600 },
	{ KEY(SIP2, "patron_wait", UINT, sip2.patron_wait_s, APPLY_AT_RESTART),
	  .min = 1, .max = 120 },
	{ KEY(SIP2, "renew", BOOL, sip2.renew, APPLY_AT_RESTART) },

	{ KEY(PRIVACY, "retention_hours", UINT, retention_hours, APPLY_AT_ONCE),
	  .min = 0, .max = 24 * 365 },

	{ KEY(RFID, "data_model", CHOICE, rfid.data_model, APPLY_AT_ONCE),
	  .choices = data_model_names },
	{ KEY(RFID, "owner_isil", STRING_OPTIONAL, rfid.owner_isil, APPLY_AT_ONCE) },
	{ KEY(RFID, "allow_other_owners", BOOL, rfid.allow_other_owners, APPLY_AT_ONCE) },
	{ KEY(RFID, "afi_checked_out", AFI, rfid.afi_checked_out, APPLY_AT_ONCE) },
	{ KEY(RFID, "afi_on_shelf", AFI, rfid.afi_on_shelf, APPLY_AT_ONCE) },
	{ KEY(RFID, "eas", BOOL, rfid.eas, APPLY_AT_ONCE) },

	{ KEY(RECEIPT, "policy", CHOICE, receipt_policy, APPLY_AT_ONCE),
	  .choices = receipt_policy_names },
	{ KEY(RECEIPT, "header", STRING_OPTIONAL, receipt_header, APPLY_AT_ONCE) },
	{ KEY(RECEIPT, "session_qr", BOOL, receipt_session_qr, APPLY_AT_ONCE) },
	{ KEY(RECEIPT, "codepage", CHOICE, receipt_codepage, APPLY_AT_ONCE),
	  .choices = codepage_names },

	/* The file's timer is set up at start. */
	{ KEY(METRICS, "textfile", STRING_OPTIONAL, metrics_textfile, APPLY_AT_RESTART) },
	{ KEY(METRICS, "interval", UINT, metrics_interval_s, APPLY_AT_RESTART),
	  .min = 1, .max = 3600 },
	/* The server is set up at start, with the display. */
	{ KEY(METRICS, "http", BOOL, metrics_http, APPLY_AT_RESTART) },

	{ KEY(HEALTH, "max_offline", UINT, health_max_offline_s, APPLY_AT_ONCE),
	  .min = 0, .max = 30 * 86400 },
	{ KEY(HEALTH, "max_outbox", UINT, health_max_outbox, APPLY_AT_ONCE),
	  .min = 0, .max = 10000000 },
	{ KEY(DISPLAY, "listen", IP_ADDRESS, display.listen, APPLY_AT_RESTART) },
	{ KEY(DISPLAY, "port", UINT, display.port, APPLY_AT_RESTART), .min = 0, .max = 65535 },
	{ KEY(DISPLAY, "ui", STRING_OPTIONAL, display.ui_dir, APPLY_AT_RESTART) },
};

#define CONFIG_KEYS_COUNT ARRAY_SIZE(config_keys)
/* The most keys one section has, for the list an unknown key's message gives. */
#define SECTION_KEYS_MAX 24

/* An enum a choice sets is written through an int. */
_Static_assert(sizeof(enum kiosk_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum offline_policy) == sizeof(int), "enum size");
_Static_assert(sizeof(enum log_level) == sizeof(int), "enum size");
_Static_assert(sizeof(enum sip2_charset_cfg) == sizeof(int), "enum size");
_Static_assert(sizeof(enum tag_model_choice) == sizeof(int), "enum size");
_Static_assert(sizeof(enum receipt_codepage) == sizeof(int), "enum size");
_Static_assert(sizeof(enum receipt_policy) == sizeof(int), "enum size");

/* Where each key was set (0 = not set), indexed like config_keys: later checks name the line. */
struct config_lines {
	int line[CONFIG_KEYS_COUNT];
};

static int find_key(enum config_section section, const char *name)
{
	for (size_t i = 0; i < CONFIG_KEYS_COUNT; i++)
		if (config_keys[i].section == section && strcmp(config_keys[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* The line a key was set on, 0 when it was not. */
static int key_line(const struct config_lines *lines, enum config_section section,
		    const char *name)
{
	int i = find_key(section, name);

	return i < 0 ? 0 : lines->line[i];
}

static int config_parse_key(void *data, const char *key, const char *value, int line,
			    struct file_error *err)
{
	struct config_parse *p = data;
	const char *names[SECTION_KEYS_MAX + 1];
	char list[128];
	size_t n = 0;
	int i;

	if (p->section == SECTION_NONE) {
		file_error_set(err, p->path, line, "%.*s: key outside a section", VALUE_QUOTE_MAX,
			       key);
		return -EINVAL;
	}
	p->key = key;
	p->line = line;
	i = find_key(p->section, key);
	if (i < 0) {
		for (size_t k = 0; k < CONFIG_KEYS_COUNT && n < SECTION_KEYS_MAX; k++)
			if (config_keys[k].section == p->section)
				names[n++] = config_keys[k].name;
		names[n] = NULL;
		inifile_join_words(list, sizeof(list), names);
		file_error_set(err, p->path, line, "[%s] %s: unknown key (expected %s)",
			       config_section_names[p->section], key, list);
		return -EINVAL;
	}
	/* A section comes once, so a key's line is from this section if it is set. */
	if (p->lines->line[i]) {
		file_error_set(err, p->path, line, "[%s] %s: set twice (first at line %d)",
			       config_section_names[p->section], key, p->lines->line[i]);
		return -EINVAL;
	}
	p->lines->line[i] = line;
	return config_set_value(p, &config_keys[i], value);
}

static int config_parse_section(void *data, const char *section, int line,
				struct file_error *err)
{
	struct config_parse *p = data;
	char list[128];
	int i = inifile_word_index(config_section_names, section);

	p->section = SECTION_NONE;
	if (i < 0) {
		inifile_join_words(list, sizeof(list), config_section_names);
		file_error_set(err, p->path, line, "unknown section [%.*s] (expected %s)",
			       VALUE_QUOTE_MAX, section, list);
		return -EINVAL;
	}
	if (p->section_line[i]) {
		file_error_set(err, p->path, line, "duplicate section [%s] (first at line %d)",
			       config_section_names[i], p->section_line[i]);
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
						   ".mark", ".mark.tmp", ".sent" };

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
		p->line = MAX(key_line(p->lines, SECTION_CONTROL, "socket"),
			      key_line(p->lines, SECTION_STORE, "path"));
		file_error_set(p->err, p->path, p->line,
			       "[control] socket: %s is the store %s or one of its files; the "
			       "socket needs a path of its own", cfg->control_socket,
			       cfg->store_path);
		return -EINVAL;
	}
	return 0;
}

/*
 * node_exporter's textfile collector reads only *.prom files of its
 * directory; a relative path would depend on where circd was started.
 */
static int check_metrics_textfile(const struct config *cfg, const struct config_lines *lines,
				  struct file_error *err)
{
	const char *path = cfg->metrics_textfile;
	size_t len = strlen(path);

	if (!len || (path[0] == '/' && len > 5 && strcmp(path + len - 5, ".prom") == 0 &&
		     path[len - 6] != '/'))
		return 0;
	file_error_set(err, cfg->path, key_line(lines, SECTION_METRICS, "textfile"),
		       "[metrics] textfile: '%.*s' is not an absolute path ending in .prom (the "
		       "only files node_exporter's textfile collector reads)", VALUE_QUOTE_MAX * 4,
		       path);
	return -EINVAL;
}

static const struct inifile_callbacks config_callbacks = {
	.section = config_parse_section,
	.key = config_parse_key,
};

static int sip2_line(const struct config_lines *lines, const char *key)
{
	return key_line(lines, SECTION_SIP2, key);
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
		r = check_metrics_textfile(&parsed, lines, err);
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

/* ---- reloading ---- */

static bool key_differs(const struct config_key *key, const struct config *a,
			const struct config *b)
{
	const char *va = (const char *)a + key->offset, *vb = (const char *)b + key->offset;

	switch (key->type) {
	case VALUE_STRING:
	case VALUE_STRING_OPTIONAL:
	case VALUE_SOCKET_PATH:
	case VALUE_DATE_FORMAT:
	case VALUE_PORT:
	case VALUE_HEX_PIN:
		/* what follows the terminator is not part of the value */
		return strncmp(va, vb, key->size) != 0;
	default:
		return memcmp(va, vb, key->size) != 0;
	}
}

int config_restart_needed(const struct config *running, const struct config *reloaded,
			  char *why, size_t size)
{
	size_t len = 0;
	int n = 0;

	if (size)
		why[0] = '\0';
	for (size_t i = 0; i < CONFIG_KEYS_COUNT; i++) {
		const struct config_key *key = &config_keys[i];
		int w;

		if (key->reload != APPLY_AT_RESTART || !key_differs(key, running, reloaded))
			continue;
		n++;
		if (len >= size)
			continue;
		w = snprintf(why + len, size - len, "%s[%s] %s", len ? ", " : "",
			     config_section_names[key->section], key->name);
		len = w < 0 ? size : len + (size_t)w;
	}
	return n;
}

void config_keep_restart_keys(struct config *reloaded, const struct config *running)
{
	for (size_t i = 0; i < CONFIG_KEYS_COUNT; i++) {
		const struct config_key *key = &config_keys[i];

		if (key->reload == APPLY_AT_RESTART)
			memcpy((char *)reloaded + key->offset, (const char *)running + key->offset,
			       key->size);
	}
}
