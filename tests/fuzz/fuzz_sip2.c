/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the SIP2 codec with the input as a byte stream from an ACS: framing,
 * then sip2_decode() and every typed parser under each profile (error
 * detection on and off, each charset), and sip2_redact(). Checks what the
 * API promises: values are NUL-terminated UTF-8 of their stated length,
 * typed strings are never NULL, lists stay in bounds, a date that parses
 * formats back to the same time. Then the input as a request field: what
 * encodes must decode back to the same value.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../firmware/sip2.h"
#include "../../lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_utf8(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (strlen(s) != len)
		abort();
	for (size_t i = 0; i < len;) {
		size_t n = u[i] < 0x80 ? 1 : u[i] >= 0xc2 && u[i] <= 0xdf ? 2
			 : u[i] >= 0xe0 && u[i] <= 0xef ? 3 : u[i] >= 0xf0 && u[i] <= 0xf4 ? 4 : 0;

		if (!n || i + n > len)
			abort();
		for (size_t k = 1; k < n; k++)
			if ((u[i + k] & 0xc0) != 0x80)
				abort();
		i += n;
	}
}

static void check_str(const char *s)
{
	if (!s)
		abort();
	check_utf8(s, strlen(s));
}

static void check_list(const struct sip2_list *l)
{
	char joined[64];

	if (l->n > SIP2_LIST_MAX)
		abort();
	for (unsigned i = 0; i < l->n; i++)
		check_str(l->v[i]);
	/* joined and cut short: still whole characters */
	check_utf8(joined, sip2_list_join(l, joined, 1 + l->n * 7 % sizeof(joined)));
}

static void parse_all(const struct sip2_msg *m)
{
	union {
		struct sip2_login_resp login;
		struct sip2_acs_status acs;
		struct sip2_patron_status ps;
		struct sip2_patron_info pi;
		struct sip2_checkout_resp co;
		struct sip2_checkin_resp ci;
		struct sip2_item_info ii;
		struct sip2_end_session_resp es;
	} u;
	int r;

	r = sip2_parse_login(m, &u.login);
	if (r != 0 && r != -ENOMSG && r != -EBADMSG)
		abort();
	if (sip2_parse_acs_status(m, &u.acs) == 0) {
		check_str(u.acs.institution);
		check_str(u.acs.supported_messages);
		check_list(&u.acs.screen_msg);
		for (int i = SIP2_BX_PATRON_STATUS; i <= SIP2_BX_RENEW_ALL; i++)
			if (sip2_acs_supports(&u.acs, (enum sip2_bx)i) > 1)
				abort();
	}
	if (sip2_parse_patron_status(m, &u.ps) == 0) {
		check_str(u.ps.personal_name);
		check_list(&u.ps.screen_msg);
	}
	if (sip2_parse_patron_info(m, &u.pi) == 0) {
		check_str(u.pi.email);
		check_list(&u.pi.charged_items);
		check_list(&u.pi.status.print_line);
	}
	if (sip2_parse_checkout(m, &u.co) == 0 || sip2_parse_renew(m, &u.co) == 0) {
		check_str(u.co.due_date);
		check_str(u.co.title);
		check_list(&u.co.screen_msg);
	}
	if (sip2_parse_checkin(m, &u.ci) == 0) {
		check_str(u.ci.destination);
		if (!sip2_alert_type_name(u.ci.alert_type)[0])
			abort();
	}
	if (sip2_parse_item_info(m, &u.ii) == 0) {
		check_str(u.ii.title);
		if (!sip2_circ_status_name(u.ii.circulation_status)[0])
			abort();
	}
	if (sip2_parse_end_session(m, &u.es) == 0)
		check_list(&u.es.print_line);
}

/*
 * Repeats past SIP2_LIST_MAX are counted, not kept: every field is still
 * counted and found, and what is read back comes from inside the frame.
 */
static void check_repeats(const struct sip2_msg *m, const char *wire, size_t len)
{
	unsigned kept = 0;

	if (m->n_unkept && (!m->frame || m->frame < wire || m->frame + m->frame_len > wire + len))
		abort();
	if (!m->n_unkept && m->frame)
		abort();
	for (unsigned i = 0; i < m->n_fields; i++) {
		const struct sip2_field *f = &m->fields[i];

		if (!sip2_msg_has(m, f->id, sip2_msg_value(m, i)))
			abort();
		if (sip2_msg_count(m, f->id) < 1)
			abort();
		kept++;
	}
	for (const char *id = "AUAFAS"; *id; id += 2) {
		unsigned n = sip2_msg_count(m, id);

		if (n > kept + m->n_unkept)
			abort();
		if (n && !sip2_msg_get(m, id))
			abort();
		if (n > SIP2_LIST_MAX && sip2_msg_get_n(m, id, SIP2_LIST_MAX))
			abort();
	}
}

static void decode_all(const char *wire, size_t len)
{
	static struct sip2_msg m;
	struct sip2_profile p;
	char redacted[256];
	size_t n;

	sip2_profile_default(&p);
	for (int ed = 0; ed < 2; ed++) {
		for (int cs = SIP2_WIRE_ASCII; cs <= SIP2_WIRE_IBM850; cs++) {
			p.error_detection = ed;
			p.charset = (enum sip2_charset)cs;
			if (sip2_decode(&p, wire, len, &m) < 0) {
				if (m.n_fields || m.code)
					abort();
				continue;
			}
			if (m.n_fields > SIP2_MSG_FIELDS_MAX || (ed && !m.has_checksum) ||
			    (m.has_seq && (m.seq < 0 || m.seq > 9)) || m.code < 0 || m.code > 99)
				abort();
			check_utf8(sip2_msg_fixed(&m), m.fixed_len);
			for (unsigned i = 0; i < m.n_fields; i++) {
				if (m.fields[i].off + m.fields[i].len >= SIP2_MSG_TEXT_MAX)
					abort();
				check_utf8(sip2_msg_value(&m, i), m.fields[i].len);
			}
			if (sip2_msg_count(&m, "AF") && !sip2_msg_get(&m, "AF"))
				abort();
			check_repeats(&m, wire, len);
			(void)sip2_seq_matches(&m, 0);
			parse_all(&m);
		}
	}
	n = sip2_redact(&p, wire, len, redacted, 1 + len % sizeof(redacted));
	if (n > len % sizeof(redacted) || strlen(redacted) != n)
		abort();
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)redacted[i] < 0x20 || (unsigned char)redacted[i] >= 0x7f)
			abort();
}

/* The input as a patron id: what encodes decodes back, byte for byte in UTF-8. */
static void round_trip(const char *value)
{
	static struct sip2_msg m;
	struct sip2_checkout_req co = { .date = 824119359, .patron_id = value, .item_id = "3" };
	struct sip2_profile p;
	char out[SIP2_WIRE_MAX + 8];
	size_t len;
	int r;

	sip2_profile_default(&p);
	p.institution = "Main";
	for (int cs = SIP2_WIRE_ASCII; cs <= SIP2_WIRE_IBM850; cs++) {
		p.charset = (enum sip2_charset)cs;
		r = sip2_encode_checkout(&p, 3, &co, out, sizeof(out), &len);
		if (r == -EINVAL || r == -EILSEQ || r == -EMSGSIZE)
			continue;
		if (r != 0 || len != strlen(out) || out[len - 1] != '\r')
			abort();
		if (sip2_decode(&p, out, len, &m) != 0 || !sip2_seq_matches(&m, 3))
			abort();
		if (cs == SIP2_WIRE_UTF8 && strcmp(sip2_msg_get(&m, "AA"), value))
			abort();
	}
}

/* A fixed field character of a class: mostly right, sometimes any byte. */
static char fixed_char(char cls, uint8_t c)
{
	static const char *const classes[] = { "o01", "yYNYN ", "uYNU ", "d0123456789 ",
					       "pY     ", "v2.00" };

	if (c % 32 == 31)
		return (char)(c >> 1);
	for (size_t i = 0; i < ARRAY_SIZE(classes); i++)
		if (classes[i][0] == cls)
			return classes[i][1 + c % strlen(classes[i] + 1)];
	return (char)c;
}

/*
 * The generic driver knows nothing of SIP2, and random bytes seldom pass a
 * checksum: this turns an input into a reply of a known code, its fixed
 * fields drawn from the characters each field allows (a date from a real
 * time), control bytes as delimiters each followed by a real field id, and
 * AY/AZ with a correct (or, rarely, wrong) checksum, so that the typed
 * parsers see most inputs.
 */
static size_t shape(const uint8_t *in, size_t n, char *out, size_t size)
{
	/* o ok, y Y/N, u Y/N/U, d digit, p patron flag, v version, D date */
	static const struct {
		char code[3];
		const char *fixed;
	} types[] = {
		{ "94", "o" }, { "98", "yyyyyydddddDvvvv" }, { "24", "ppppppppppppppdddD" },
		{ "64", "ppppppppppppppdddDdddddddddddddddddddddddd" }, { "12", "oyuuD" },
		{ "30", "oyuuD" }, { "10", "oyuyD" }, { "18", "ddddddD" }, { "36", "yD" },
		{ "96", "" }, { "16", "oyD" }, { "66", "oddddddddD" },
	};
	static const char ids[][3] = {
		"AO", "AA", "AB", "AE", "AF", "AG", "AH", "AJ", "AQ", "AS", "AT", "AU", "AV",
		"BD", "BE", "BF", "BH", "BK", "BL", "BT", "BU", "BV", "BX", "BZ", "CA", "CB",
		"CD", "CF", "CH", "CI", "CK", "CL", "CQ", "CR", "CT", "CV", "CY", "DA", "AY",
		"AZ", "ZZ", "a1",
	};
	static const char hex[] = "0123456789ABCDEF0123456789abcdef";
	/* Sometimes only AU and AF: a heavy borrower's list, past what a message keeps. */
	static const char few_ids[][3] = { "AU", "AU", "AU", "AF" };
	size_t i = 2, o = 0, pick;
	bool few = n > 1 && in[1] % 8 == 7;
	bool at_id = true;
	unsigned sum;

	if (n < 2 || size < 128)
		return 0;
	pick = in[1] % (ARRAY_SIZE(types));
	out[o++] = types[pick].code[0];
	out[o++] = types[pick].code[1];
	for (const char *f = types[pick].fixed; *f; f++) {
		uint8_t c = i < n ? in[i++] : 0;

		if (*f == 'D') {
			time_t t = (time_t)c * 86400 * 97 + (time_t)c * 3607;

			if (sip2_date_format(t, c & 1, out + o) < 0)
				abort();
			if (c % 16 == 15)
				out[o + c % 18] = (char)(c >> 2);
			o += SIP2_DATE_LEN;
		} else {
			out[o++] = fixed_char(*f, c);
		}
	}
	while (i < n && o + 16 < size) {
		uint8_t c = in[i++];

		if (at_id) {
			size_t n_ids = ARRAY_SIZE(ids);

			memcpy(out + o, few ? few_ids[c % 4] : ids[c % n_ids], 2);
			o += 2;
			at_id = false;
		} else if (c && c < 0x20) {
			out[o++] = '|';
			at_id = true;
		} else {
			out[o++] = (char)c;
		}
	}
	if (in[0] & 2) {
		memcpy(out + o, "AY", 2);
		out[o + 2] = (char)('0' + in[0] % 10);
		memcpy(out + o + 3, "AZ", 2);
		o += 5;
		sum = sip2_checksum(out, o) + (in[0] % 61 == 0);
		for (int k = 0; k < 4; k++)
			out[o++] = hex[((sum >> (12 - 4 * k)) & 0xf) + (in[0] & 4 ? 16 : 0)];
	}
	return o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char shaped[SIP2_WIRE_MAX + 64];
	const char *buf = (const char *)data;
	const char *msg;
	size_t off = 0, msg_len, used;
	char *copy;
	time_t t, t2;
	char date[SIP2_DATE_LEN + 1];
	int r;

	decode_all(buf, size);
	decode_all(shaped, shape(data, size, shaped, sizeof(shaped)));
	while (off <= size) {
		r = sip2_frame_next(buf + off, size - off, &msg, &msg_len, &used);
		if (r < 0 || used > size - off)
			break;
		if (r == 0)
			break;
		if (msg < buf + off || msg + msg_len > buf + size || !used)
			abort();
		decode_all(msg, msg_len);
		off += used;
	}
	if (size >= SIP2_DATE_LEN && sip2_date_parse(buf, SIP2_DATE_LEN, &t) == 0) {
		if (sip2_date_format(t, true, date) == 0 &&
		    (sip2_date_parse(date, SIP2_DATE_LEN, &t2) != 0 || t2 != t))
			abort();
	}
	copy = malloc(size + 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	round_trip(copy);
	free(copy);
	return 0;
}
