/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SIP2 decoding: the generic sip2_decode() split, then the typed reply parsers. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "sip2-private.h"
#include "utf8.h"
#include "util.h"

static bool id_char_ok(char c)
{
	return sip2_is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static int hex4(const char *s)
{
	int v = 0;

	for (int i = 0; i < 4; i++) {
		int d = hex_digit_value(s[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* Field ids are two of [0-9A-Za-z]: an index into a table of 62 * 62. */
#define ID_SLOTS (62 * 62)

static unsigned id_char_index(char c)
{
	if (sip2_is_digit(c))
		return (unsigned)(c - '0');
	if (c >= 'A' && c <= 'Z')
		return 10u + (unsigned)(c - 'A');
	return 36u + (unsigned)(c - 'a');
}

static unsigned id_slot(const char *id)
{
	return id_char_index(id[0]) * 62u + id_char_index(id[1]);
}

/* kept: values of each id kept so far, by id_slot(). */
static int add_field(const struct sip2_profile *p, struct sip2_msg *msg, size_t *off,
		     uint8_t *kept, const char *seg, size_t seg_len)
{
	struct sip2_field *f;
	size_t value_len = seg_len - 2, out_len;
	unsigned slot;
	int r;

	if (seg_len < 2 || !id_char_ok(seg[0]) || !id_char_ok(seg[1]))
		return -EBADMSG;
	if (value_len > SIP2_FIELD_MAX)
		return -EMSGSIZE;
	if (memchr(seg + 2, '\0', value_len) || memchr(seg + 2, '\r', value_len) ||
	    memchr(seg + 2, '\n', value_len))
		return -EBADMSG;
	slot = id_slot(seg);
	if (kept[slot] == SIP2_LIST_MAX) {
		/* Checked like the others, read from the frame when asked for. */
		msg->n_unkept++;
		return 0;
	}
	if (msg->n_fields == SIP2_MSG_FIELDS_MAX || *off >= SIP2_MSG_TEXT_MAX)
		return -EMSGSIZE;
	r = sip2_wire_to_utf8(p->charset, seg + 2, value_len, msg->text + *off,
			      SIP2_MSG_TEXT_MAX - *off - 1, &out_len);
	if (r < 0)
		return r;
	kept[slot]++;
	f = &msg->fields[msg->n_fields++];
	f->id[0] = seg[0];
	f->id[1] = seg[1];
	f->id[2] = '\0';
	f->off = (uint16_t)*off;
	f->len = (uint16_t)out_len;
	msg->text[*off + out_len] = '\0';
	*off += out_len + 1;
	return 0;
}

static int decode(const struct sip2_profile *p, const char *wire, size_t len, struct sip2_msg *msg)
{
	_Static_assert(SIP2_LIST_MAX < 256, "kept counts fit a byte");
	uint8_t kept[ID_SLOTS] = { 0 };
	size_t body, off, pos, end, fixed;
	int width, sum;

	while (len && (wire[len - 1] == '\r' || wire[len - 1] == '\n'))
		len--;
	if (len > SIP2_FRAME_MAX)
		return -EMSGSIZE;
	if (len < 2 || !sip2_is_digit(wire[0]) || !sip2_is_digit(wire[1]))
		return -EBADMSG;
	width = sip2_fixed_width(wire);
	if (width < 0)
		return -EBADMSG;
	fixed = 2 + (size_t)width;
	body = len;
	sum = len >= 6 && wire[len - 6] == 'A' && wire[len - 5] == 'Z' ? hex4(wire + len - 4) : -1;
	if (sum >= 0) {
		msg->has_checksum = true;
		body = len - 6;
	}
	if (p->error_detection && (sum < 0 || sip2_checksum(wire, len - 4) != (unsigned)sum))
		return -EPROTO;
	if (sum >= 0 && body >= fixed + 3 && wire[body - 3] == 'A' && wire[body - 2] == 'Y' &&
	    sip2_is_digit(wire[body - 1])) {
		msg->has_seq = true;
		msg->seq = wire[body - 1] - '0';
		body -= 3;
	}
	if (body < fixed)
		return -EBADMSG;
	msg->code = (wire[0] - '0') * 10 + (wire[1] - '0');
	msg->code_str[0] = wire[0];
	msg->code_str[1] = wire[1];
	msg->code_str[2] = '\0';
	for (size_t i = 2; i < fixed; i++) {
		if (wire[i] < 0x20 || wire[i] > 0x7e)
			return -EBADMSG;
		msg->text[i - 2] = wire[i];
	}
	msg->text[width] = '\0';
	msg->fixed_len = (uint16_t)width;
	off = (size_t)width + 1;
	for (pos = fixed; pos < body; pos = end + 1) {
		for (end = pos; end < body && wire[end] != p->delimiter; end++)
			;
		if (end > pos) {
			int r = add_field(p, msg, &off, kept, wire + pos, end - pos);

			if (r < 0)
				return r;
		}
	}
	if (msg->n_unkept) {
		msg->frame = wire + fixed;
		msg->frame_len = body - fixed;
	}
	return 0;
}

int sip2_decode(const struct sip2_profile *p, const char *wire, size_t len, struct sip2_msg *msg)
{
	int r;

	if (!msg)
		return -EINVAL;
	msg->code = 0;
	memset(msg->code_str, 0, sizeof(msg->code_str));
	msg->has_seq = false;
	msg->seq = -1;
	msg->has_checksum = false;
	msg->error_detection = p && p->error_detection;
	msg->fixed_len = 0;
	msg->n_fields = 0;
	msg->n_unkept = 0;
	msg->frame = NULL;
	msg->frame_len = 0;
	msg->delimiter = p ? p->delimiter : '|';
	msg->charset = p ? p->charset : SIP2_WIRE_ASCII;
	msg->text[0] = '\0';
	if (!sip2_profile_ok(p) || (!wire && len))
		return -EINVAL;
	r = decode(p, wire, len, msg);
	if (r < 0) {
		/* nothing half-decoded is left for a caller that ignores r */
		msg->code = 0;
		msg->code_str[0] = '\0';
		msg->fixed_len = 0;
		msg->n_fields = 0;
		msg->n_unkept = 0;
		msg->frame = NULL;
		msg->frame_len = 0;
		msg->text[0] = '\0';
	}
	return r;
}

const char *sip2_msg_fixed(const struct sip2_msg *m)
{
	return m ? m->text : NULL;
}

const char *sip2_msg_get_n(const struct sip2_msg *m, const char *id, unsigned n)
{
	if (!m || !id || !id[0] || !id[1])
		return NULL;
	for (unsigned i = 0; i < m->n_fields && i < SIP2_MSG_FIELDS_MAX; i++)
		if (m->fields[i].id[0] == id[0] && m->fields[i].id[1] == id[1] && n-- == 0)
			return m->text + m->fields[i].off;
	return NULL;
}

/*
 * Calls fn for each field of id in the frame, kept or not, until it returns
 * true; returns whether one did. The frame was checked by sip2_decode().
 */
static bool frame_each(const struct sip2_msg *m, const char *id,
		       bool (*fn)(void *data, const char *value, size_t len), void *data)
{
	const char *seg = m->frame, *end = m->frame + m->frame_len, *stop;

	for (; seg < end; seg = stop + 1) {
		stop = memchr(seg, m->delimiter, (size_t)(end - seg));
		if (!stop)
			stop = end;
		if (stop - seg >= 2 && seg[0] == id[0] && seg[1] == id[1] &&
		    fn(data, seg + 2, (size_t)(stop - seg - 2)))
			return true;
	}
	return false;
}

static bool count_one(void *data, const char *value, size_t len)
{
	(void)value;
	(void)len;
	++*(unsigned *)data;
	return false;
}

unsigned sip2_msg_count(const struct sip2_msg *m, const char *id)
{
	unsigned n = 0;

	if (!m || !id || !id[0] || !id[1])
		return 0;
	if (m->n_unkept && m->frame) {
		frame_each(m, id, count_one, &n);
		return n;
	}
	for (unsigned i = 0; i < m->n_fields && i < SIP2_MSG_FIELDS_MAX; i++)
		if (m->fields[i].id[0] == id[0] && m->fields[i].id[1] == id[1])
			n++;
	return n;
}

struct value_match {
	enum sip2_charset charset;
	const char *value;
};

static bool same_value(void *data, const char *wire, size_t len)
{
	const struct value_match *want = data;
	char utf8[SIP2_FIELD_MAX * 3 + 1]; /* a byte becomes at most 3 in UTF-8 */
	size_t n;

	if (sip2_wire_to_utf8(want->charset, wire, len, utf8, sizeof(utf8) - 1, &n) < 0)
		return false;
	utf8[n] = '\0';
	return strcmp(utf8, want->value) == 0;
}

bool sip2_msg_has(const struct sip2_msg *m, const char *id, const char *value)
{
	struct value_match want = { .value = value };

	if (!m || !id || !id[0] || !id[1] || !value)
		return false;
	for (unsigned i = 0; i < m->n_fields && i < SIP2_MSG_FIELDS_MAX; i++)
		if (m->fields[i].id[0] == id[0] && m->fields[i].id[1] == id[1] &&
		    strcmp(m->text + m->fields[i].off, value) == 0)
			return true;
	if (!m->n_unkept || !m->frame)
		return false;
	want.charset = m->charset;
	return frame_each(m, id, same_value, &want);
}

const char *sip2_msg_value(const struct sip2_msg *m, unsigned i)
{
	return m && i < m->n_fields && i < SIP2_MSG_FIELDS_MAX ? m->text + m->fields[i].off : NULL;
}

bool sip2_seq_matches(const struct sip2_msg *m, int expected_seq)
{
	if (!m)
		return false;
	if (m->has_seq)
		return m->seq == expected_seq;
	return !m->error_detection;
}

/* Typed parsers */

static const char *str(const struct sip2_msg *m, const char *id)
{
	const char *v = sip2_msg_get(m, id);

	return v ? v : "";
}

static void list(const struct sip2_msg *m, const char *id, struct sip2_list *l)
{
	const char *v;

	l->n = 0;
	while (l->n < SIP2_LIST_MAX && (v = sip2_msg_get_n(m, id, l->n)))
		l->v[l->n++] = v;
}

size_t sip2_list_join(const struct sip2_list *l, char *out, size_t size)
{
	size_t used = 0;

	if (!out || !size)
		return 0;
	out[0] = '\0';
	for (unsigned i = 0; l && i < l->n && i < SIP2_LIST_MAX; i++) {
		size_t n;

		if (i && used + 1 < size)
			out[used++] = '\n';
		/* Cut between characters, never inside one. */
		n = utf8_cut_len(l->v[i], size - used);
		memcpy(out + used, l->v[i], n);
		used += n;
		out[used] = '\0';
	}
	return used;
}

static int check(const struct sip2_msg *m, const void *r, int code, int width)
{
	if (!m || !r)
		return -EINVAL;
	if (m->code != code)
		return -ENOMSG;
	return m->fixed_len >= width ? 0 : -EBADMSG;
}

static int fixed_ok(char c, bool *ret)
{
	if (c != '0' && c != '1')
		return -EBADMSG;
	*ret = c == '1';
	return 0;
}

/* An informational Y/N flag: blank reads as N. */
static int fixed_yn(char c, bool *ret)
{
	if (c != 'Y' && c != 'y' && c != 'N' && c != 'n' && c != ' ')
		return -EBADMSG;
	*ret = c == 'Y' || c == 'y';
	return 0;
}

/* Y/N/U: blank reads as U. */
static int fixed_ynu(char c, enum sip2_ynu *ret)
{
	if (c == 'Y' || c == 'y')
		*ret = SIP2_YES;
	else if (c == 'N' || c == 'n')
		*ret = SIP2_NO;
	else if (c == 'U' || c == 'u' || c == ' ')
		*ret = SIP2_UNSURE;
	else
		return -EBADMSG;
	return 0;
}

/*
 * n digits, or blanks (SIP2_UNKNOWN), leading blanks allowed; all nines
 * ("999", the spec's "unknown") also read as SIP2_UNKNOWN when nines_unknown.
 */
static int fixed_num(const char *s, int n, bool nines_unknown, int *ret)
{
	int i = 0, v = 0, nines = 0;

	while (i < n && s[i] == ' ')
		i++;
	if (i == n) {
		*ret = SIP2_UNKNOWN;
		return 0;
	}
	for (; i < n; i++) {
		if (!sip2_is_digit(s[i]))
			return -EBADMSG;
		v = v * 10 + (s[i] - '0');
		nines += s[i] == '9';
	}
	*ret = nines_unknown && nines == n ? SIP2_UNKNOWN : v;
	return 0;
}

/* An optional numeric field: absent, blank or not a number reads as SIP2_UNKNOWN. */
static int var_num(const struct sip2_msg *m, const char *id)
{
	const char *v = str(m, id);
	size_t n;
	int out;

	while (*v == ' ')
		v++;
	n = strlen(v);
	while (n && v[n - 1] == ' ')
		n--;
	if (!n || n > 9 || fixed_num(v, (int)n, false, &out) < 0)
		return SIP2_UNKNOWN;
	return out;
}

static bool var_yes(const struct sip2_msg *m, const char *id, bool *present)
{
	const char *v = sip2_msg_get(m, id);

	if (present)
		*present = v != NULL;
	return v && (v[0] == 'Y' || v[0] == 'y');
}

static void fixed_date(const char *s, struct sip2_date *d)
{
	memcpy(d->raw, s, SIP2_DATE_LEN);
	d->raw[SIP2_DATE_LEN] = '\0';
	d->t = 0;
	d->valid = sip2_date_parse(s, SIP2_DATE_LEN, &d->t) == 0;
	if (!d->valid)
		d->t = 0;
}

int sip2_parse_login(const struct sip2_msg *m, struct sip2_login_resp *r)
{
	int err = check(m, r, 94, 1);

	return err < 0 ? err : fixed_ok(m->text[0], &r->ok);
}

int sip2_parse_acs_status(const struct sip2_msg *m, struct sip2_acs_status *r)
{
	bool *flags[6];
	const char *f;
	int err = check(m, r, 98, 34);

	if (err < 0)
		return err;
	memset(r, 0, sizeof(*r));
	f = m->text;
	flags[0] = &r->online;
	flags[1] = &r->checkin_ok;
	flags[2] = &r->checkout_ok;
	flags[3] = &r->renewal_policy;
	flags[4] = &r->status_update_ok;
	flags[5] = &r->offline_ok;
	for (int i = 0; i < 6; i++)
		if ((err = fixed_yn(f[i], flags[i])) < 0)
			return err;
	if ((err = fixed_num(f + 6, 3, true, &r->timeout_tenths)) < 0 ||
	    (err = fixed_num(f + 9, 3, true, &r->retries)) < 0)
		return err;
	fixed_date(f + 12, &r->date_time_sync);
	memcpy(r->protocol_version, f + 30, 4);
	r->protocol_version[4] = '\0';
	r->institution = str(m, "AO");
	r->library_name = str(m, "AM");
	r->supported_messages = str(m, "BX");
	r->terminal_location = str(m, "AN");
	list(m, "AF", &r->screen_msg);
	list(m, "AG", &r->print_line);
	return 0;
}

int sip2_acs_supports(const struct sip2_acs_status *s, enum sip2_bx which)
{
	if (!s || !s->supported_messages || (unsigned)which > SIP2_BX_RENEW_ALL ||
	    strlen(s->supported_messages) <= (size_t)which)
		return -ENODATA;
	return s->supported_messages[which] == 'Y' || s->supported_messages[which] == 'y';
}

/* The 24 layout, which a 64 starts with. */
static int patron_head(const struct sip2_msg *m, struct sip2_patron_status *r)
{
	const char *f = m->text;

	memset(r, 0, sizeof(*r));
	for (int i = 0; i < SIP2_PATRON_FLAGS; i++) {
		if (f[i] != ' ' && f[i] != 'Y' && f[i] != 'y' && f[i] != 'N' && f[i] != 'n')
			return -EBADMSG;
		r->flags[i] = f[i] == 'Y' || f[i] == 'y';
	}
	for (int i = 14; i < 17; i++)
		if (!sip2_is_digit(f[i]) && f[i] != ' ')
			return -EBADMSG;
	memcpy(r->language, f + 14, 3);
	r->language[3] = '\0';
	fixed_date(f + 17, &r->date);
	r->institution = str(m, "AO");
	r->patron_id = str(m, "AA");
	r->personal_name = str(m, "AE");
	r->valid_patron = var_yes(m, "BL", &r->valid_patron_present);
	r->valid_password = var_yes(m, "CQ", &r->valid_password_present);
	r->currency = str(m, "BH");
	r->fee_amount = str(m, "BV");
	list(m, "AF", &r->screen_msg);
	list(m, "AG", &r->print_line);
	return 0;
}

int sip2_parse_patron_status(const struct sip2_msg *m, struct sip2_patron_status *r)
{
	int err = check(m, r, 24, 35);

	return err < 0 ? err : patron_head(m, r);
}

int sip2_parse_patron_info(const struct sip2_msg *m, struct sip2_patron_info *r)
{
	int *counts[6];
	int err = check(m, r, 64, 59);

	if (err < 0)
		return err;
	memset(r, 0, sizeof(*r));
	if ((err = patron_head(m, &r->status)) < 0)
		return err;
	counts[0] = &r->hold_items_count;
	counts[1] = &r->overdue_items_count;
	counts[2] = &r->charged_items_count;
	counts[3] = &r->fine_items_count;
	counts[4] = &r->recall_items_count;
	counts[5] = &r->unavailable_holds_count;
	for (int i = 0; i < 6; i++)
		if ((err = fixed_num(m->text + 35 + 4 * i, 4, false, counts[i])) < 0)
			return err;
	r->hold_items_limit = var_num(m, "BZ");
	r->overdue_items_limit = var_num(m, "CA");
	r->charged_items_limit = var_num(m, "CB");
	r->fee_limit = str(m, "CC");
	r->home_address = str(m, "BD");
	r->email = str(m, "BE");
	r->phone = str(m, "BF");
	list(m, "AS", &r->hold_items);
	list(m, "AT", &r->overdue_items);
	list(m, "AU", &r->charged_items);
	list(m, "AV", &r->fine_items);
	list(m, "BU", &r->recall_items);
	list(m, "CD", &r->unavailable_hold_items);
	return 0;
}

static int parse_charge(const struct sip2_msg *m, struct sip2_checkout_resp *r)
{
	const char *f = m->text;
	int err;

	memset(r, 0, sizeof(*r));
	if ((err = fixed_ok(f[0], &r->ok)) < 0 || (err = fixed_yn(f[1], &r->renewal_ok)) < 0 ||
	    (err = fixed_ynu(f[2], &r->magnetic_media)) < 0 ||
	    (err = fixed_ynu(f[3], &r->desensitize)) < 0)
		return err;
	fixed_date(f + 4, &r->date);
	r->institution = str(m, "AO");
	r->patron_id = str(m, "AA");
	r->item_id = str(m, "AB");
	r->title = str(m, "AJ");
	r->due_date = str(m, "AH");
	r->fee_type = var_num(m, "BT");
	r->security_inhibit = var_yes(m, "CI", NULL);
	r->currency = str(m, "BH");
	r->fee_amount = str(m, "BV");
	r->media_type = var_num(m, "CK");
	r->item_properties = str(m, "CH");
	r->transaction_id = str(m, "BK");
	list(m, "AF", &r->screen_msg);
	list(m, "AG", &r->print_line);
	return 0;
}

int sip2_parse_checkout(const struct sip2_msg *m, struct sip2_checkout_resp *r)
{
	int err = check(m, r, 12, 22);

	return err < 0 ? err : parse_charge(m, r);
}

int sip2_parse_renew(const struct sip2_msg *m, struct sip2_checkout_resp *r)
{
	int err = check(m, r, 30, 22);

	return err < 0 ? err : parse_charge(m, r);
}

int sip2_parse_checkin(const struct sip2_msg *m, struct sip2_checkin_resp *r)
{
	const char *f;
	int err = check(m, r, 10, 22);

	if (err < 0)
		return err;
	memset(r, 0, sizeof(*r));
	f = m->text;
	if ((err = fixed_ok(f[0], &r->ok)) < 0 || (err = fixed_yn(f[1], &r->resensitize)) < 0 ||
	    (err = fixed_ynu(f[2], &r->magnetic_media)) < 0 ||
	    (err = fixed_yn(f[3], &r->alert)) < 0)
		return err;
	fixed_date(f + 4, &r->date);
	r->institution = str(m, "AO");
	r->item_id = str(m, "AB");
	r->permanent_location = str(m, "AQ");
	r->title = str(m, "AJ");
	r->sort_bin = str(m, "CL");
	r->patron_id = str(m, "AA");
	r->media_type = var_num(m, "CK");
	r->item_properties = str(m, "CH");
	r->collection_code = str(m, "CR");
	r->call_number = str(m, "CS");
	r->destination = str(m, "CT");
	r->alert_type = var_num(m, "CV");
	r->hold_patron_id = str(m, "CY");
	r->hold_patron_name = str(m, "DA");
	list(m, "AF", &r->screen_msg);
	list(m, "AG", &r->print_line);
	return 0;
}

int sip2_parse_item_info(const struct sip2_msg *m, struct sip2_item_info *r)
{
	const char *f;
	int err = check(m, r, 18, 24);

	if (err < 0)
		return err;
	memset(r, 0, sizeof(*r));
	f = m->text;
	if ((err = fixed_num(f, 2, false, &r->circulation_status)) < 0 ||
	    (err = fixed_num(f + 2, 2, false, &r->security_marker)) < 0 ||
	    (err = fixed_num(f + 4, 2, false, &r->fee_type)) < 0)
		return err;
	fixed_date(f + 6, &r->date);
	r->hold_queue_length = var_num(m, "CF");
	r->due_date = str(m, "AH");
	r->recall_date = str(m, "CJ");
	r->hold_pickup_date = str(m, "CM");
	r->item_id = str(m, "AB");
	r->title = str(m, "AJ");
	r->owner = str(m, "BG");
	r->currency = str(m, "BH");
	r->fee_amount = str(m, "BV");
	r->media_type = var_num(m, "CK");
	r->permanent_location = str(m, "AQ");
	r->current_location = str(m, "AP");
	r->item_properties = str(m, "CH");
	list(m, "AF", &r->screen_msg);
	list(m, "AG", &r->print_line);
	return 0;
}

int sip2_parse_end_session(const struct sip2_msg *m, struct sip2_end_session_resp *r)
{
	int err = check(m, r, 36, 19);

	if (err < 0)
		return err;
	memset(r, 0, sizeof(*r));
	if ((err = fixed_yn(m->text[0], &r->end_session)) < 0)
		return err;
	fixed_date(m->text + 1, &r->date);
	r->institution = str(m, "AO");
	r->patron_id = str(m, "AA");
	list(m, "AF", &r->screen_msg);
	list(m, "AG", &r->print_line);
	return 0;
}
