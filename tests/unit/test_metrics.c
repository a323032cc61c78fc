/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metrics as Prometheus reads them: the text is parsed back here, by the
 * rules of the text exposition format 0.0.4 (https://prometheus.io/docs/
 * instrumenting/exposition_formats/, "Text format details": one HELP and one
 * TYPE line per family before its samples, label values in double quotes
 * with \\, \" and \n escaped, the last line ending in a line feed), and
 * named by its naming conventions (https://prometheus.io/docs/practices/
 * naming/: an application prefix, _total for counters, base units such as
 * _seconds).
 */
#include <stdlib.h>
#include <string.h>

#include "../../firmware/metrics.h"
#include "testlib.h"

#define SAMPLES_MAX 64

struct parsed_sample {
	char name[64];
	char labels[256]; /* "k=v,k=v", values unescaped */
	unsigned long long value;
};

struct parsed {
	struct parsed_sample samples[SAMPLES_MAX];
	size_t n;
	char families[SAMPLES_MAX][64]; /* in order, each once */
	char types[SAMPLES_MAX][16];
	size_t n_families;
	const char *error; /* the first rule broken, NULL if none */
};

static bool metric_name_ok(const char *name)
{
	if (strncmp(name, "circd_", 6) != 0)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Copies a token up to one of stop into out; returns where it stopped. */
static const char *token(const char *p, const char *stop, char *out, size_t size)
{
	size_t n = 0;

	while (*p && !strchr(stop, *p) && n + 1 < size)
		out[n++] = *p++;
	out[n] = '\0';
	return p;
}

/* {k="v",...}: appends k=v pairs to labels, unescaping; NULL when malformed. */
static const char *parse_labels(const char *p, char *labels, size_t size)
{
	size_t n = 0;

	p++;
	while (*p != '}') {
		char key[32];

		p = token(p, "=}", key, sizeof(key));
		if (*p != '=' || p[1] != '"' || !key[0])
			return NULL;
		n += (size_t)snprintf(labels + n, size - n, "%s%s=", n ? "," : "", key);
		for (p += 2; *p != '"'; p++) {
			char c = *p;

			if (!c || c == '\n')
				return NULL;
			if (c == '\\') {
				p++;
				if (*p == 'n')
					c = '\n';
				else if (*p == '\\' || *p == '"')
					c = *p;
				else
					return NULL; /* no other escape exists */
			}
			if (n + 1 < size)
				labels[n++] = c;
		}
		labels[n] = '\0';
		p++;
		if (*p == ',')
			p++;
		else if (*p != '}')
			return NULL;
	}
	return p + 1;
}

static bool parse_sample(struct parsed *m, const char *line)
{
	struct parsed_sample *s = &m->samples[m->n];
	const char *p = token(line, "{ ", s->name, sizeof(s->name));
	char *end;

	s->labels[0] = '\0';
	if (*p == '{')
		p = parse_labels(p, s->labels, sizeof(s->labels));
	if (!p || *p != ' ')
		return false;
	s->value = strtoull(p + 1, &end, 10);
	if (end == p + 1 || *end != '\n' || m->n + 1 >= SAMPLES_MAX)
		return false;
	m->n++;
	return true;
}

static int family_index(const struct parsed *m, const char *name)
{
	for (size_t i = 0; i < m->n_families; i++)
		if (strcmp(m->families[i], name) == 0)
			return (int)i;
	return -1;
}

static void parse_line(struct parsed *m, const char *line, char *help_for)
{
	char name[64], type[16];
	const char *p;

	if (strncmp(line, "# HELP ", 7) == 0) {
		p = token(line + 7, " \n", name, sizeof(name));
		if (*p != ' ' || p[1] == '\n' || family_index(m, name) >= 0)
			m->error = "a HELP line without text, or a second one";
		snprintf(help_for, 64, "%s", name);
		return;
	}
	if (strncmp(line, "# TYPE ", 7) == 0) {
		p = token(line + 7, " \n", name, sizeof(name));
		token(p + 1, "\n", type, sizeof(type));
		if (strcmp(name, help_for) || family_index(m, name) >= 0 ||
		    (strcmp(type, "counter") && strcmp(type, "gauge")) ||
		    m->n_families == SAMPLES_MAX)
			m->error = "a TYPE without its HELP before it, twice, or of no known type";
		else if (!metric_name_ok(name) ||
			 ends_with(name, "_total") != !strcmp(type, "counter"))
			m->error = "a name without circd_, or _total on what is not a counter";
		snprintf(m->families[m->n_families], sizeof(m->families[0]), "%s", name);
		snprintf(m->types[m->n_families++], sizeof(m->types[0]), "%s", type);
		help_for[0] = '\0';
		return;
	}
	if (line[0] == '#' || !parse_sample(m, line))
		m->error = "a line that is no sample";
	else if (!m->n_families || strcmp(m->samples[m->n - 1].name,
					  m->families[m->n_families - 1]))
		m->error = "a sample away from its family's HELP and TYPE";
}

static void parse(const char *text, struct parsed *m)
{
	char help_for[64] = "";

	memset(m, 0, sizeof(*m));
	if (!*text || text[strlen(text) - 1] != '\n') {
		m->error = "the text does not end with a line feed";
		return;
	}
	for (const char *line = text; *line && !m->error; line = strchr(line, '\n') + 1)
		parse_line(m, line, help_for);
}

/* The sample's value, or -1 when there is no such sample (labels as "k=v,k=v"). */
static long long value_of(const struct parsed *m, const char *name, const char *labels)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->samples[i].name, name) == 0 &&
		    strcmp(m->samples[i].labels, labels) == 0)
			return (long long)m->samples[i].value;
	return -1;
}

static void sample_status(struct circd_status *st)
{
	*st = (struct circd_status){
		.kiosk_id = "desk-2",
		.mode = "selfcheck",
		.board = "Simulated kiosk",
		.ils_configured = true,
		.online = false,
		.link = "down",
		.outbox = 7,
		.exceptions = 1,
		.transactions = 42,
		.uptime_s = 90061,
		.n_scanners = 2,
		.n_rfid = 1,
		.security_owed = 2,
		.printer = "sim",
		.printer_state = "paper-out",
		.printer_status = PRINTER_PAPER_OUT,
		.receipts_printed = 4,
		.version = "1.2.3",
		.store_open = true,
		.store_usable = true,
		.store_failures = 3,
		.oldest_pending_s = 3600,
		.offline_s = 125,
		.record_commits = 9,
	};
	st->recorded_by[TXN_CHECKOUT][TXN_OFFLINE] = 5;
	st->recorded_by[TXN_CHECKIN][TXN_ONLINE] = 6;
	st->recorded_by[TXN_RENEW][TXN_ONLINE] = 1;
	st->scanners[0] = (struct status_scanner){
		.st = { .name = "front", .attached = true }, .role = "both" };
	st->scanners[1] = (struct status_scanner){ .st = { .name = "card" },
						   .role = "patron_reader" };
	st->rfid[0] = (struct rfid_status){ .name = "pad", .protocol = "feig" };
}

static const char *render(const struct circd_status *st, struct strbuf *out)
{
	*out = (struct strbuf){ 0 };
	metrics_render(st, out);
	CHECK(!out->oom);
	return out->buf ? out->buf : "";
}

static void test_parses_back_whole(void)
{
	struct circd_status st;
	struct strbuf out;
	struct parsed m;

	sample_status(&st);
	parse(render(&st, &out), &m);
	if (m.error)
		fprintf(stderr, "%s in:\n%s", m.error, out.buf);
	CHECK(!m.error);
	CHECK_INT(value_of(&m, "circd_build_info", "version=1.2.3"), 1);
	CHECK_INT(value_of(&m, "circd_kiosk_info",
			   "kiosk_id=desk-2,mode=selfcheck,board=Simulated kiosk"), 1);
	CHECK_INT(value_of(&m, "circd_uptime_seconds", ""), 90061);
	CHECK_INT(value_of(&m, "circd_ils_online", ""), 0);
	CHECK_INT(value_of(&m, "circd_ils_link_state", "state=down"), 1);
	CHECK_INT(value_of(&m, "circd_ils_link_state", "state=up"), 0);
	CHECK_INT(value_of(&m, "circd_ils_link_state", "state=none"), 0);
	CHECK_INT(value_of(&m, "circd_ils_offline_seconds", ""), 125);
	CHECK_INT(value_of(&m, "circd_outbox_transactions", ""), 7);
	CHECK_INT(value_of(&m, "circd_outbox_oldest_age_seconds", ""), 3600);
	CHECK_INT(value_of(&m, "circd_exceptions", ""), 1);
	CHECK_INT(value_of(&m, "circd_store_transactions", ""), 42);
	CHECK_INT(value_of(&m, "circd_store_ok", ""), 1);
	CHECK_INT(value_of(&m, "circd_store_errors_total", ""), 3);
	CHECK_INT(value_of(&m, "circd_transactions_total", "kind=checkout,mode=offline"), 5);
	CHECK_INT(value_of(&m, "circd_transactions_total", "kind=checkout,mode=online"), 0);
	CHECK_INT(value_of(&m, "circd_transactions_total", "kind=checkin,mode=online"), 6);
	CHECK_INT(value_of(&m, "circd_transactions_total", "kind=renew,mode=online"), 1);
	CHECK_INT(value_of(&m, "circd_store_commits_total", ""), 9);
	CHECK_INT(value_of(&m, "circd_security_writes_owed", ""), 2);
	/* a scanner for both roles counts for each */
	CHECK_INT(value_of(&m, "circd_device_attached", "role=item_scanner,device=front"), 1);
	CHECK_INT(value_of(&m, "circd_device_attached", "role=patron_reader,device=front"), 1);
	CHECK_INT(value_of(&m, "circd_device_attached", "role=patron_reader,device=card"), 0);
	CHECK_INT(value_of(&m, "circd_device_attached", "role=rfid_pad,device=pad"), 0);
	/* out of paper, but there */
	CHECK_INT(value_of(&m, "circd_device_attached", "role=printer,device=sim"), 1);
	CHECK_INT(value_of(&m, "circd_printer_can_print", ""), 0);
	CHECK_INT(value_of(&m, "circd_receipts_printed_total", ""), 4);
	/* a self-check kiosk has no bin */
	CHECK_INT(value_of(&m, "circd_bin_full", ""), -1);
	CHECK_INT(m.n, 29);
	strbuf_free(&out);
}

static void test_byte_for_byte(void)
{
	struct circd_status st;
	struct strbuf out;
	const char *text;

	sample_status(&st);
	text = render(&st, &out);
	CHECK(strncmp(text,
		      "# HELP circd_build_info The running circd's version; always 1.\n"
		      "# TYPE circd_build_info gauge\n"
		      "circd_build_info{version=\"1.2.3\"} 1\n"
		      "# HELP circd_kiosk_info Which kiosk this is and its mode; always 1.\n"
		      "# TYPE circd_kiosk_info gauge\n"
		      "circd_kiosk_info{kiosk_id=\"desk-2\",mode=\"selfcheck\","
		      "board=\"Simulated kiosk\"} 1\n"
		      "# HELP circd_uptime_seconds Seconds since circd started.\n"
		      "# TYPE circd_uptime_seconds gauge\n"
		      "circd_uptime_seconds 90061\n", 400) == 0);
	CHECK(strstr(text, "# HELP circd_transactions_total Transactions recorded since start, "
			   "by kind and by mode (online or offline).\n"
			   "# TYPE circd_transactions_total counter\n"
			   "circd_transactions_total{kind=\"checkout\",mode=\"online\"} 0\n"
			   "circd_transactions_total{kind=\"checkout\",mode=\"offline\"} 5\n"));
	strbuf_free(&out);
}

/*
 * The escaping vector of prometheus/client_python's test_escaping (PR #15,
 * "Escape double quotes, not single"): the label value \x<newline>" is
 * written \\x\n\".
 */
static void test_label_escaping(void)
{
	struct circd_status st;
	struct strbuf out;
	struct parsed m;
	const char *text;

	sample_status(&st);
	st.kiosk_id = "\\x\n\"";
	text = render(&st, &out);
	CHECK(strstr(text, "circd_kiosk_info{kiosk_id=\"\\\\x\\n\\\"\",mode=\"selfcheck\""));
	parse(text, &m);
	CHECK(!m.error);
	CHECK_INT(value_of(&m, "circd_kiosk_info",
			   "kiosk_id=\\x\n\",mode=selfcheck,board=Simulated kiosk"), 1);
	strbuf_free(&out);
}

/* No ILS, no printer, a returns bin, nothing waiting: what a fresh offline bin shows. */
static void test_returns_bin_without_ils(void)
{
	struct circd_status st = {
		.kiosk_id = "bin-1", .mode = "returns", .returns = true, .bin_full = true,
		.board = "b", .link = "none", .version = "0.1", .store_usable = true,
	};
	struct strbuf out;
	struct parsed m;

	parse(render(&st, &out), &m);
	CHECK(!m.error);
	CHECK_INT(value_of(&m, "circd_ils_link_state", "state=none"), 1);
	CHECK_INT(value_of(&m, "circd_ils_offline_seconds", ""), 0);
	CHECK_INT(value_of(&m, "circd_outbox_oldest_age_seconds", ""), 0);
	CHECK_INT(value_of(&m, "circd_bin_full", ""), 1);
	CHECK_INT(value_of(&m, "circd_receipts_printed_total", ""), -1);
	/* the family is declared even with no device to list */
	CHECK(family_index(&m, "circd_device_attached") >= 0);
	strbuf_free(&out);
}

/* The parser above must refuse what Prometheus refuses, or its passing means nothing. */
static void test_parser_refuses(void)
{
	static const char *const bad[] = {
		"circd_x 1\n", /* no HELP and TYPE */
		"# HELP circd_x h\n# TYPE circd_x gauge\ncircd_x 1", /* no final line feed */
		/* a counter without _total */
		"# HELP circd_x h\n# TYPE circd_x counter\ncircd_x 1\n",
		"# HELP circd_x h\n# TYPE circd_x gauge\ncircd_x{a=\"\\t\"} 1\n", /* bad escape */
		"# HELP circd_x h\n# TYPE circd_x gauge\ncircd_x{a=\"b} 1\n", /* unterminated */
		"# HELP x h\n# TYPE x gauge\nx 1\n", /* no prefix */
		"# HELP circd_x h\n# TYPE circd_x gauge\ncircd_y 1\n", /* away from its family */
	};
	struct parsed m;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		parse(bad[i], &m);
		if (!m.error)
			fprintf(stderr, "accepted: %s\n", bad[i]);
		CHECK(m.error);
	}
}

int main(void)
{
	RUN(test_parses_back_whole);
	RUN(test_byte_for_byte);
	RUN(test_label_escaping);
	RUN(test_returns_bin_without_ils);
	RUN(test_parser_refuses);
	return testlib_finish();
}
