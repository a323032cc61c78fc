/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SIP2 request encoders: one frame per call, into the caller's buffer. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sip2-private.h"

/* A frame being written; the first error sticks and later puts do nothing. */
struct frame {
	const struct sip2_profile *p;
	char *out;
	size_t size;
	size_t len;
	int err;
};

/* Room for a frame body: SIP2_WIRE_MAX and the buffer, less terminator and NUL. */
static size_t frame_room(const struct frame *f)
{
	size_t cap = f->size < 3 ? 0 : f->size - 3;

	if (cap > SIP2_WIRE_MAX)
		cap = SIP2_WIRE_MAX;
	return cap > f->len ? cap - f->len : 0;
}

static void put(struct frame *f, const char *s, size_t n)
{
	if (f->err)
		return;
	if (n > frame_room(f)) {
		f->err = -EMSGSIZE;
		return;
	}
	memcpy(f->out + f->len, s, n);
	f->len += n;
}

static void put_char(struct frame *f, char c)
{
	put(f, &c, 1);
}

static void put_number(struct frame *f, unsigned v, int width)
{
	char buf[8];

	for (int i = width - 1; i >= 0; i--) {
		buf[i] = (char)('0' + v % 10);
		v /= 10;
	}
	put(f, buf, (size_t)width);
}

static void put_yn(struct frame *f, bool yes)
{
	put_char(f, yes ? 'Y' : 'N');
}

/* 18 spaces for t == 0 when blank_ok (an nb due date of "none"). */
static void put_date(struct frame *f, time_t t, bool blank_ok)
{
	char date[SIP2_DATE_LEN + 1];

	if (t == 0 && blank_ok) {
		memset(date, ' ', SIP2_DATE_LEN);
	} else if (sip2_date_format(t, f->p->utc_dates, date) < 0) {
		if (!f->err)
			f->err = -EINVAL;
		return;
	}
	put(f, date, SIP2_DATE_LEN);
}

/* "<id><value><delimiter>", the value converted to the wire charset. */
static void put_field(struct frame *f, const char *id, const char *value, bool required)
{
	size_t n, wire_len;
	int r;

	if (!value)
		value = "";
	if (f->err || (!*value && !required))
		return;
	n = strlen(value);
	/* a delimiter or a line end in a value would forge fields or frames */
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)value[i] < 0x20 || value[i] == f->p->delimiter) {
			f->err = -EINVAL;
			return;
		}
	}
	put(f, id, 2);
	if (f->err)
		return;
	r = sip2_utf8_to_wire(f->p->charset, value, n, f->out + f->len, frame_room(f), &wire_len);
	if (r < 0) {
		f->err = r;
		return;
	}
	if (wire_len > SIP2_FIELD_MAX) {
		f->err = -EMSGSIZE;
		return;
	}
	f->len += wire_len;
	put_char(f, f->p->delimiter);
}

static void put_flag(struct frame *f, const char *id, bool yes)
{
	if (yes)
		put_field(f, id, "Y", false);
}

static int frame_begin(struct frame *f, const struct sip2_profile *p, int seq, const void *req,
		       char *out, size_t size, size_t *len, const char *code)
{
	if (!sip2_profile_ok(p) || !req || !out || !len ||
	    (p->error_detection && (seq < 0 || seq > 9)))
		return -EINVAL;
	*len = 0;
	f->p = p;
	f->out = out;
	f->size = size;
	f->len = 0;
	f->err = 0;
	put(f, code, 2);
	return 0;
}

/* AY/AZ, terminator, NUL. seq < 0: no AY (97). */
static int frame_end(struct frame *f, int seq, size_t *len)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned sum;
	char tail[4];

	if (f->p->error_detection) {
		if (seq >= 0) {
			put(f, "AY", 2);
			put_char(f, (char)('0' + seq));
		}
		put(f, "AZ", 2);
		if (f->err)
			return f->err;
		sum = sip2_checksum(f->out, f->len);
		for (int i = 0; i < 4; i++)
			tail[i] = hex[(sum >> (12 - 4 * i)) & 0xf];
		put(f, tail, 4);
	}
	if (f->err)
		return f->err;
	/* frame_room() kept 3 bytes back for these */
	f->out[f->len++] = '\r';
	if (f->p->crlf)
		f->out[f->len++] = '\n';
	f->out[f->len] = '\0';
	*len = f->len;
	return 0;
}

int sip2_encode_login(const struct sip2_profile *p, int seq, const struct sip2_login_req *r,
		      char *out, size_t size, size_t *len)
{
	struct frame f;
	int err = frame_begin(&f, p, seq, r, out, size, len, "93");

	if (err < 0)
		return err;
	put_char(&f, r->uid_algorithm ? r->uid_algorithm : '0');
	put_char(&f, r->pwd_algorithm ? r->pwd_algorithm : '0');
	put_field(&f, "CN", r->user, true);
	put_field(&f, "CO", r->password, true);
	put_field(&f, "CP", p->location, false);
	return frame_end(&f, seq, len);
}

int sip2_encode_sc_status(const struct sip2_profile *p, int seq,
			  const struct sip2_sc_status_req *r, char *out, size_t size, size_t *len)
{
	struct frame f;
	int err = frame_begin(&f, p, seq, r, out, size, len, "99");

	if (err < 0)
		return err;
	if ((unsigned)r->status > SIP2_SC_SHUTTING_DOWN || r->max_print_width > 999)
		return -EINVAL;
	put_number(&f, (unsigned)r->status, 1);
	put_number(&f, r->max_print_width, 3);
	put(&f, "2.00", 4);
	return frame_end(&f, seq, len);
}

int sip2_encode_patron_status(const struct sip2_profile *p, int seq,
			      const struct sip2_patron_status_req *r, char *out, size_t size,
			      size_t *len)
{
	struct frame f;
	int err = frame_begin(&f, p, seq, r, out, size, len, "23");

	if (err < 0)
		return err;
	if (r->language > 999)
		return -EINVAL;
	put_number(&f, r->language, 3);
	put_date(&f, r->date, false);
	put_field(&f, "AO", p->institution, true);
	put_field(&f, "AA", r->patron_id, true);
	put_field(&f, "AC", p->terminal_password, true);
	put_field(&f, "AD", r->patron_password, true);
	return frame_end(&f, seq, len);
}

int sip2_encode_patron_info(const struct sip2_profile *p, int seq,
			    const struct sip2_patron_info_req *r, char *out, size_t size,
			    size_t *len)
{
	char summary[10], num[12];
	struct frame f;
	int err = frame_begin(&f, p, seq, r, out, size, len, "63");

	if (err < 0)
		return err;
	if (r->language > 999 || (unsigned)r->summary > SIP2_SUMMARY_UNAVAILABLE_HOLDS ||
	    r->start_item > 99999 || r->end_item > 99999)
		return -EINVAL;
	put_number(&f, r->language, 3);
	put_date(&f, r->date, false);
	memset(summary, ' ', sizeof(summary));
	if (r->summary != SIP2_SUMMARY_NONE)
		summary[r->summary - 1] = 'Y';
	put(&f, summary, sizeof(summary));
	put_field(&f, "AO", p->institution, true);
	put_field(&f, "AA", r->patron_id, true);
	put_field(&f, "AC", p->terminal_password, false);
	put_field(&f, "AD", r->patron_password, false);
	if (r->start_item) {
		snprintf(num, sizeof(num), "%u", r->start_item);
		put_field(&f, "BP", num, false);
	}
	if (r->end_item) {
		snprintf(num, sizeof(num), "%u", r->end_item);
		put_field(&f, "BQ", num, false);
	}
	return frame_end(&f, seq, len);
}

int sip2_encode_checkout(const struct sip2_profile *p, int seq, const struct sip2_checkout_req *r,
			 char *out, size_t size, size_t *len)
{
	struct frame f;
	int err = frame_begin(&f, p, seq, r, out, size, len, "11");

	if (err < 0)
		return err;
	put_yn(&f, r->sc_renewal_policy);
	put_yn(&f, r->no_block);
	put_date(&f, r->date, false);
	put_date(&f, r->nb_due_date, true);
	put_field(&f, "AO", p->institution, true);
	put_field(&f, "AA", r->patron_id, true);
	put_field(&f, "AB", r->item_id, true);
	put_field(&f, "AC", p->terminal_password, true);
	put_field(&f, "CH", r->item_properties, false);
	put_field(&f, "AD", r->patron_password, false);
	put_flag(&f, "BO", r->fee_acknowledged);
	put_flag(&f, "BI", r->cancel);
	return frame_end(&f, seq, len);
}

int sip2_encode_checkin(const struct sip2_profile *p, int seq, const struct sip2_checkin_req *r,
			char *out, size_t size, size_t *len)
{
	struct frame f;
	int err = frame_begin(&f, p, seq, r, out, size, len, "09");

	if (err < 0)
		return err;
	put_yn(&f, r->no_block);
	put_date(&f, r->date, false);
	put_date(&f, r->return_date ? r->return_date : r->date, false);
	put_field(&f, "AP", r->current_location && *r->current_location ? r->current_location
									: p->location,
		  true);
	put_field(&f, "AO", p->institution, true);
	put_field(&f, "AB", r->item_id, true);
	put_field(&f, "AC", p->terminal_password, true);
	put_field(&f, "CH", r->item_properties, false);
	put_flag(&f, "BI", r->cancel);
	return frame_end(&f, seq, len);
}

int sip2_encode_renew(const struct sip2_profile *p, int seq, const struct sip2_renew_req *r,
		      char *out, size_t size, size_t *len)
{
	struct frame f;
	int err = frame_begin(&f, p, seq, r, out, size, len, "29");

	if (err < 0)
		return err;
	put_yn(&f, r->third_party_allowed);
	put_yn(&f, r->no_block);
	put_date(&f, r->date, false);
	put_date(&f, r->nb_due_date, true);
	put_field(&f, "AO", p->institution, true);
	put_field(&f, "AA", r->patron_id, true);
	put_field(&f, "AD", r->patron_password, false);
	put_field(&f, "AB", r->item_id, false);
	put_field(&f, "AJ", r->title_id, false);
	put_field(&f, "AC", p->terminal_password, false);
	put_field(&f, "CH", r->item_properties, false);
	put_flag(&f, "BO", r->fee_acknowledged);
	return frame_end(&f, seq, len);
}

int sip2_encode_item_info(const struct sip2_profile *p, int seq,
			  const struct sip2_item_info_req *r, char *out, size_t size, size_t *len)
{
	struct frame f;
	int err = frame_begin(&f, p, seq, r, out, size, len, "17");

	if (err < 0)
		return err;
	put_date(&f, r->date, false);
	put_field(&f, "AO", p->institution, true);
	put_field(&f, "AB", r->item_id, true);
	put_field(&f, "AC", p->terminal_password, false);
	return frame_end(&f, seq, len);
}

int sip2_encode_end_session(const struct sip2_profile *p, int seq,
			    const struct sip2_end_session_req *r, char *out, size_t size,
			    size_t *len)
{
	struct frame f;
	int err = frame_begin(&f, p, seq, r, out, size, len, "35");

	if (err < 0)
		return err;
	put_date(&f, r->date, false);
	put_field(&f, "AO", p->institution, true);
	put_field(&f, "AA", r->patron_id, true);
	put_field(&f, "AC", p->terminal_password, false);
	put_field(&f, "AD", r->patron_password, false);
	return frame_end(&f, seq, len);
}

int sip2_encode_resend(const struct sip2_profile *p, char *out, size_t size, size_t *len)
{
	struct frame f;
	int err = frame_begin(&f, p, 0, p, out, size, len, "97");

	if (err < 0)
		return err;
	return frame_end(&f, -1, len);
}
