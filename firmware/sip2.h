/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * SIP2 (3M Standard Interchange Protocol 2.00) codec. Pure: no I/O, no
 * logging, no allocation; everything is written into caller buffers and
 * errors are -errno:
 *   -EINVAL   a bad argument (NULL, seq out of 0..9, a value holding the
 *             delimiter or a control character, a fixed field out of range)
 *   -EBADMSG  a malformed message (short, unknown code, bad fixed field,
 *             non-digit where digits are required, bad field id)
 *   -EPROTO   error detection is on and the AZ checksum is missing or wrong
 *   -EMSGSIZE too long: a received frame over SIP2_FRAME_MAX, a request
 *             over SIP2_WIRE_MAX, a field over SIP2_FIELD_MAX, more kept
 *             fields or text than a struct sip2_msg holds, or the output
 *             buffer is too small
 *   -EILSEQ   an API string that is not valid UTF-8
 *   -ENOMSG   a typed parser was given another message type
 *
 * Strings on the API side are UTF-8; the wire uses the profile's charset,
 * converted with a built-in table (ISO-8859-1 and IBM850 are single-byte
 * supersets of ASCII; no iconv_open(), which allocates and may be missing
 * its gconv module on a small image). Characters the wire charset lacks are
 * sent as '?'; on decode, bytes that are not valid in the wire charset (any
 * byte >= 0x80 for ASCII, a bad sequence for UTF-8) become '?' rather than
 * failing the whole reply. The checksum always covers the wire bytes.
 *
 * Message layout: a 2-digit code, fixed-width fields, then variable fields
 * "<2-char id><value><delimiter>", then, with error detection, "AY<seq>AZ"
 * and 4 hex digits: the two's complement of the 16-bit sum of every byte up
 * to and including "AZ". Then CR (or CR LF). Dates are 18 characters,
 * "YYYYMMDDZZZZHHMMSS", ZZZZ being 4 spaces for local time.
 *
 * Frames carry PINs (AD), the login password (CO) and the terminal password
 * (AC): log them only through sip2_redact().
 */
#ifndef CIRCD_SIP2_H
#define CIRCD_SIP2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/*
 * The hard cap on one received frame, terminator excluded: a 64 listing a
 * heavy borrower's 5,000 loans of 20 characters is about 130 KiB.
 */
#define SIP2_FRAME_MAX (256 * 1024)
#define SIP2_WIRE_MAX 8192       /* one request frame we encode, terminator excluded */
#define SIP2_FIELD_MAX 1024      /* one variable field's value on the wire */
#define SIP2_MSG_FIELDS_MAX 256  /* fields kept in a struct sip2_msg */
#define SIP2_MSG_TEXT_MAX 16384  /* decoded UTF-8: fixed part and kept values, NUL-terminated */
#define SIP2_LIST_MAX 32         /* values of one field id kept in a sip2_msg and a typed list */
#define SIP2_DATE_LEN 18
#define SIP2_PATRON_FLAGS 14
#define SIP2_UNKNOWN (-1)        /* a number that is absent, blank, or "999"/"9999" unknown */

/* Same order as enum sip2_charset_cfg in ils-sip2.h, so a cast converts. */
enum sip2_charset {
	SIP2_WIRE_ASCII,
	SIP2_WIRE_UTF8,
	SIP2_WIRE_LATIN1, /* ISO-8859-1 */
	SIP2_WIRE_IBM850,
};

/*
 * How to talk to one ACS. The strings are borrowed (they must outlive every
 * call given the profile), UTF-8, NULL meaning "".
 */
struct sip2_profile {
	bool crlf;                     /* terminate requests with CR LF, not CR */
	char delimiter;                /* '|'; printable ASCII, not a letter or digit */
	bool error_detection;          /* send AY/AZ; replies must carry a valid AZ */
	enum sip2_charset charset;
	bool utc_dates;                /* send dates as UTC ("   Z"), not local time */
	const char *institution;       /* AO */
	const char *location;          /* CP of 93; AP of 09 unless the request has one */
	const char *terminal_password; /* AC */
};

/* CR, '|', error detection on, ASCII, local dates, empty strings. */
void sip2_profile_default(struct sip2_profile *p);

/* Two's complement of the 16-bit byte sum of buf[0..len). */
unsigned sip2_checksum(const char *buf, size_t len);
/* 0..9 then 0 again; anything else gives 0. */
int sip2_next_seq(int seq);

/*
 * Dates. sip2_date_format() writes "YYYYMMDD    HHMMSS" (local time) or
 * "YYYYMMDD   ZHHMMSS" (UTC) and a NUL: -EINVAL for a year past 9999.
 * sip2_date_parse() reads exactly 18 characters: ZZZZ of spaces, letters or
 * digits is local time, except "Z", "UTC" and "GMT" (space-padded either
 * side), which are UTC. -EINVAL for anything else, a non-digit in the date
 * or the time, or a date or time out of range.
 */
int sip2_date_format(time_t t, bool utc, char out[SIP2_DATE_LEN + 1]);
int sip2_date_parse(const char *s, size_t len, time_t *ret);

/*
 * Byte stream framing. Skips leading CR/LF/NUL (the LF of a CR LF pair that
 * arrived late, line noise), then finds the next message ending in CR, CR LF
 * or a bare LF. Returns 1 with *msg and *msg_len (the message without its
 * terminator, pointing into buf) and *consumed (bytes to drop from buf,
 * garbage and terminator included); 0 if more bytes are needed (*consumed
 * still counts the garbage skipped); -EMSGSIZE if over SIP2_FRAME_MAX bytes
 * come without a terminator: the stream is lost, drop the connection.
 */
int sip2_frame_next(const char *buf, size_t len, const char **msg, size_t *msg_len,
		    size_t *consumed);

/*
 * Requests. Each encoder writes a whole frame into out: code, fixed part,
 * fields, "AY<seq>AZ<checksum>" when error_detection is on (seq 0..9, else
 * ignored), the terminator, then a NUL that *len does not count. Dates equal
 * to 0 are sent as 18 spaces where the spec allows "no date" (nb due date),
 * or as the transaction date (return date). NULL strings are "". Fields the
 * spec requires are always sent, even empty; optional ones only when
 * non-empty (flags only when true). AO and AC come from the profile.
 */
struct sip2_login_req { /* 93 */
	const char *user;      /* CN */
	const char *password;  /* CO */
	char uid_algorithm;    /* '0' (plain) when 0 */
	char pwd_algorithm;    /* '0' (plain) when 0 */
};

enum sip2_sc_status_code {
	SIP2_SC_OK,
	SIP2_SC_OUT_OF_PAPER,
	SIP2_SC_SHUTTING_DOWN,
};

struct sip2_sc_status_req { /* 99, protocol version "2.00" */
	enum sip2_sc_status_code status;
	unsigned max_print_width; /* 0..999 */
};

struct sip2_patron_status_req { /* 23 */
	unsigned language; /* 0..999: 000 unknown, 001 English */
	time_t date;
	const char *patron_id;       /* AA */
	const char *patron_password; /* AD, sent even when empty */
};

/* The one detail list a 63 asks for: position in the 10-char summary + 1. */
enum sip2_summary {
	SIP2_SUMMARY_NONE,
	SIP2_SUMMARY_HOLD_ITEMS,
	SIP2_SUMMARY_OVERDUE_ITEMS,
	SIP2_SUMMARY_CHARGED_ITEMS,
	SIP2_SUMMARY_FINE_ITEMS,
	SIP2_SUMMARY_RECALL_ITEMS,
	SIP2_SUMMARY_UNAVAILABLE_HOLDS,
};

struct sip2_patron_info_req { /* 63 */
	unsigned language;
	time_t date;
	enum sip2_summary summary;
	const char *patron_id;       /* AA */
	const char *patron_password; /* AD, optional */
	unsigned start_item, end_item; /* BP, BQ: 0 = not sent */
};

struct sip2_checkout_req { /* 11 */
	bool sc_renewal_policy;
	bool no_block;
	time_t date;
	time_t nb_due_date;          /* 0 = none */
	const char *patron_id;       /* AA */
	const char *item_id;         /* AB */
	const char *item_properties; /* CH */
	const char *patron_password; /* AD */
	bool fee_acknowledged;       /* BO */
	bool cancel;                 /* BI */
};

struct sip2_checkin_req { /* 09 */
	bool no_block;
	time_t date;
	time_t return_date;           /* 0 = the transaction date */
	const char *current_location; /* AP; NULL or "" = the profile's location */
	const char *item_id;          /* AB */
	const char *item_properties;  /* CH */
	bool cancel;                  /* BI */
};

struct sip2_renew_req { /* 29 */
	bool third_party_allowed;
	bool no_block;
	time_t date;
	time_t nb_due_date;          /* 0 = none */
	const char *patron_id;       /* AA */
	const char *patron_password; /* AD */
	const char *item_id;         /* AB */
	const char *title_id;        /* AJ */
	const char *item_properties; /* CH */
	bool fee_acknowledged;       /* BO */
};

struct sip2_item_info_req { /* 17 */
	time_t date;
	const char *item_id; /* AB */
};

struct sip2_end_session_req { /* 35 */
	time_t date;
	const char *patron_id;       /* AA */
	const char *patron_password; /* AD */
};

int sip2_encode_login(const struct sip2_profile *p, int seq, const struct sip2_login_req *r,
		      char *out, size_t size, size_t *len);
int sip2_encode_sc_status(const struct sip2_profile *p, int seq,
			  const struct sip2_sc_status_req *r, char *out, size_t size, size_t *len);
int sip2_encode_patron_status(const struct sip2_profile *p, int seq,
			      const struct sip2_patron_status_req *r, char *out, size_t size,
			      size_t *len);
int sip2_encode_patron_info(const struct sip2_profile *p, int seq,
			    const struct sip2_patron_info_req *r, char *out, size_t size,
			    size_t *len);
int sip2_encode_checkout(const struct sip2_profile *p, int seq, const struct sip2_checkout_req *r,
			 char *out, size_t size, size_t *len);
int sip2_encode_checkin(const struct sip2_profile *p, int seq, const struct sip2_checkin_req *r,
			char *out, size_t size, size_t *len);
int sip2_encode_renew(const struct sip2_profile *p, int seq, const struct sip2_renew_req *r,
		      char *out, size_t size, size_t *len);
int sip2_encode_item_info(const struct sip2_profile *p, int seq,
			  const struct sip2_item_info_req *r, char *out, size_t size, size_t *len);
int sip2_encode_end_session(const struct sip2_profile *p, int seq,
			    const struct sip2_end_session_req *r, char *out, size_t size,
			    size_t *len);
/* 97: "97", then "AZ<checksum>" (never AY, per the spec) when error detection is on. */
int sip2_encode_resend(const struct sip2_profile *p, char *out, size_t size, size_t *len);

/*
 * A copy of a frame (request or reply, wire bytes) fit for a log: values of
 * AD, CO, AC become "***", personal data (AE name, BD address, BE e-mail,
 * BF phone, DA hold patron name) "***", patron ids (AA, CY) "***" and their
 * last 4 characters; bytes outside printable ASCII become '.', the
 * terminator is dropped. Always NUL-terminates (size > 0); returns the
 * length written, cut to fit.
 */
size_t sip2_redact(const struct sip2_profile *p, const char *wire, size_t len, char *out,
		   size_t size);

/*
 * A decoded message, by value (about 18 KiB: fine on the stack, copyable).
 * Values live in text[] and are NUL-terminated UTF-8; fields keep the wire
 * order, repeats and unknown ids included, up to SIP2_LIST_MAX values of
 * one id. Further repeats (a heavy borrower's thousands of AU items) are
 * checked like every field and counted in n_unkept, but not kept: then
 * frame points at the variable fields of the frame decoded (borrowed: it
 * must outlive the message), which sip2_msg_count() and sip2_msg_has()
 * read again.
 */
struct sip2_field {
	char id[3];
	uint16_t off; /* into text[] */
	uint16_t len;
};

struct sip2_msg {
	int code;            /* any SIP2 2.00 code: the replies, and requests for test servers */
	char code_str[3];    /* "94" */
	bool has_seq;        /* AY seen */
	int seq;
	bool has_checksum;   /* AZ seen (verified only with error detection on) */
	bool error_detection; /* the profile's, for sip2_seq_matches() */
	uint16_t fixed_len;  /* the fixed part is text[0..fixed_len) */
	unsigned n_fields;
	unsigned n_unkept;   /* repeats past SIP2_LIST_MAX of an id */
	const char *frame;   /* with n_unkept: the variable fields on the wire, else NULL */
	size_t frame_len;
	char delimiter;      /* the profile's, to read frame */
	enum sip2_charset charset;
	struct sip2_field fields[SIP2_MSG_FIELDS_MAX];
	char text[SIP2_MSG_TEXT_MAX];
};

/*
 * Decodes one message, its terminator excluded (trailing CR/LF are
 * tolerated). AY/AZ are recognised at the end, also without error
 * detection (then the checksum is not checked); the fixed part must be
 * printable ASCII of the code's width; variable fields need a 2-character
 * [A-Za-z0-9] id, empty segments ("||") are skipped, the last field may lack
 * its delimiter. Values keep C0 controls other than NUL, CR and LF (which
 * are -EBADMSG): sanitise before display.
 */
int sip2_decode(const struct sip2_profile *p, const char *wire, size_t len, struct sip2_msg *msg);

const char *sip2_msg_fixed(const struct sip2_msg *m);
/* The n-th (from 0) kept value of field id ("AF"), or NULL (n >= SIP2_LIST_MAX: always). */
const char *sip2_msg_get_n(const struct sip2_msg *m, const char *id, unsigned n);
static inline const char *sip2_msg_get(const struct sip2_msg *m, const char *id)
{
	return sip2_msg_get_n(m, id, 0);
}
/* Fields of id in the message, the unkept repeats included. */
unsigned sip2_msg_count(const struct sip2_msg *m, const char *id);
/* Whether a field of id has exactly value (UTF-8), among all of them, the unkept included. */
bool sip2_msg_has(const struct sip2_msg *m, const char *id, const char *value);
/* Value of fields[i]. */
const char *sip2_msg_value(const struct sip2_msg *m, unsigned i);

/*
 * Whether a reply answers the request sent with expected_seq: its AY equals
 * it, or it has no AY and error detection is off. A server replaying its
 * previous reply after a 97 or a timeout may send an old AY: that reply
 * decodes fine, and this tells it apart. A 96 never has an AY.
 */
bool sip2_seq_matches(const struct sip2_msg *m, int expected_seq);

/*
 * Typed replies. The parsers read a decoded message of the right code
 * (else -ENOMSG) and check its fixed fields (-EBADMSG): "ok" must be 0 or 1,
 * Y/N flags Y or N, numbers digits. Being informational, a blank Y/N flag
 * reads as N (as U for Y/N/U), a blank number as SIP2_UNKNOWN. String
 * members point into the sip2_msg, so they live as long as it does and it
 * must not change; an absent field reads as "", never NULL. Optional
 * variable fields never fail a parse: an ACS quirk there is not worth a
 * checkout the kiosk believes failed, so a number that is absent or not
 * digits is SIP2_UNKNOWN and a flag other than Y is false. Dates that do not
 * parse keep valid false and their raw text, for the same reason.
 */
struct sip2_date {
	char raw[SIP2_DATE_LEN + 1];
	bool valid;
	time_t t;
};

struct sip2_list {
	unsigned n; /* stored, at most SIP2_LIST_MAX */
	const char *v[SIP2_LIST_MAX];
};

/*
 * The values of l, one per line ("\n" between), into out (size > 0),
 * always NUL-terminated, cut to fit between characters; returns the length written.
 */
size_t sip2_list_join(const struct sip2_list *l, char *out, size_t size);

enum sip2_ynu {
	SIP2_NO,
	SIP2_YES,
	SIP2_UNSURE, /* 'U' */
};

struct sip2_login_resp { /* 94 */
	bool ok;
};
int sip2_parse_login(const struct sip2_msg *m, struct sip2_login_resp *r);

/* Positions in the BX "supported messages" field. */
enum sip2_bx {
	SIP2_BX_PATRON_STATUS,
	SIP2_BX_CHECKOUT,
	SIP2_BX_CHECKIN,
	SIP2_BX_BLOCK_PATRON,
	SIP2_BX_SC_STATUS,
	SIP2_BX_RESEND,
	SIP2_BX_LOGIN,
	SIP2_BX_PATRON_INFO,
	SIP2_BX_END_SESSION,
	SIP2_BX_FEE_PAID,
	SIP2_BX_ITEM_INFO,
	SIP2_BX_ITEM_STATUS_UPDATE,
	SIP2_BX_PATRON_ENABLE,
	SIP2_BX_HOLD,
	SIP2_BX_RENEW,
	SIP2_BX_RENEW_ALL,
};

struct sip2_acs_status { /* 98 */
	bool online, checkin_ok, checkout_ok, renewal_policy, status_update_ok, offline_ok;
	int timeout_tenths; /* tenths of a second; 0 = ACS off-line; "999" = SIP2_UNKNOWN */
	int retries;        /* "999" = SIP2_UNKNOWN */
	struct sip2_date date_time_sync;
	char protocol_version[5];
	const char *institution;        /* AO */
	const char *library_name;       /* AM */
	const char *supported_messages; /* BX */
	const char *terminal_location;  /* AN */
	struct sip2_list screen_msg;    /* AF */
	struct sip2_list print_line;    /* AG */
};
int sip2_parse_acs_status(const struct sip2_msg *m, struct sip2_acs_status *r);
/* 1 if BX says Y, 0 if N, -ENODATA if BX is absent or too short for it. */
int sip2_acs_supports(const struct sip2_acs_status *s, enum sip2_bx which);

/* The 14 patron status characters, in order; 'Y' sets one. */
enum sip2_patron_flag {
	SIP2_PF_CHARGE_DENIED,
	SIP2_PF_RENEWAL_DENIED,
	SIP2_PF_RECALL_DENIED,
	SIP2_PF_HOLD_DENIED,
	SIP2_PF_CARD_LOST,
	SIP2_PF_TOO_MANY_CHARGED,
	SIP2_PF_TOO_MANY_OVERDUE,
	SIP2_PF_TOO_MANY_RENEWALS,
	SIP2_PF_TOO_MANY_CLAIMS_RETURNED,
	SIP2_PF_TOO_MANY_LOST,
	SIP2_PF_EXCESSIVE_FINES,
	SIP2_PF_EXCESSIVE_FEES,
	SIP2_PF_RECALL_OVERDUE,
	SIP2_PF_TOO_MANY_BILLED,
};

struct sip2_patron_status { /* 24, also the head of a 64 */
	bool flags[SIP2_PATRON_FLAGS]; /* by enum sip2_patron_flag */
	char language[4];
	struct sip2_date date;
	const char *institution;   /* AO */
	const char *patron_id;     /* AA */
	const char *personal_name; /* AE */
	bool valid_patron_present, valid_patron;     /* BL */
	bool valid_password_present, valid_password; /* CQ */
	const char *currency;      /* BH */
	const char *fee_amount;    /* BV, as sent ("12.50") */
	struct sip2_list screen_msg; /* AF */
	struct sip2_list print_line; /* AG */
};
int sip2_parse_patron_status(const struct sip2_msg *m, struct sip2_patron_status *r);

struct sip2_patron_info { /* 64 */
	struct sip2_patron_status status;
	int hold_items_count, overdue_items_count, charged_items_count, fine_items_count,
		recall_items_count, unavailable_holds_count; /* "    " = SIP2_UNKNOWN */
	int hold_items_limit, overdue_items_limit, charged_items_limit; /* BZ CA CB */
	const char *fee_limit;     /* CC */
	const char *home_address;  /* BD */
	const char *email;         /* BE */
	const char *phone;         /* BF */
	struct sip2_list hold_items, overdue_items, charged_items, fine_items, recall_items,
		unavailable_hold_items; /* AS AT AU AV BU CD */
};
int sip2_parse_patron_info(const struct sip2_msg *m, struct sip2_patron_info *r);

struct sip2_checkout_resp { /* 12, and 30 for a renew */
	bool ok;
	bool renewal_ok;
	enum sip2_ynu magnetic_media;
	enum sip2_ynu desensitize;
	struct sip2_date date;
	const char *institution;     /* AO */
	const char *patron_id;       /* AA */
	const char *item_id;         /* AB */
	const char *title;           /* AJ */
	const char *due_date;        /* AH: free text, kept as sent */
	int fee_type;                /* BT */
	bool security_inhibit;       /* CI */
	const char *currency;        /* BH */
	const char *fee_amount;      /* BV */
	int media_type;              /* CK */
	const char *item_properties; /* CH */
	const char *transaction_id;  /* BK */
	struct sip2_list screen_msg, print_line;
};
int sip2_parse_checkout(const struct sip2_msg *m, struct sip2_checkout_resp *r);
int sip2_parse_renew(const struct sip2_msg *m, struct sip2_checkout_resp *r);

struct sip2_checkin_resp { /* 10 */
	bool ok;
	bool resensitize;
	enum sip2_ynu magnetic_media;
	bool alert;
	struct sip2_date date;
	const char *institution;        /* AO */
	const char *item_id;            /* AB */
	const char *permanent_location; /* AQ */
	const char *title;              /* AJ */
	const char *sort_bin;           /* CL */
	const char *patron_id;          /* AA */
	int media_type;                 /* CK */
	const char *item_properties;    /* CH */
	/* 3M extensions */
	const char *collection_code;    /* CR */
	const char *call_number;        /* CS */
	const char *destination;        /* CT */
	int alert_type;                 /* CV: see sip2_alert_type_name() */
	const char *hold_patron_id;     /* CY */
	const char *hold_patron_name;   /* DA */
	struct sip2_list screen_msg, print_line;
};
int sip2_parse_checkin(const struct sip2_msg *m, struct sip2_checkin_resp *r);

struct sip2_item_info { /* 18 */
	int circulation_status; /* see sip2_circ_status_name() */
	int security_marker;    /* 00 other, 01 none, 02 Tattle-Tape, 03 Whisper Tape */
	int fee_type;
	struct sip2_date date;
	int hold_queue_length;          /* CF */
	const char *due_date;           /* AH */
	const char *recall_date;        /* CJ */
	const char *hold_pickup_date;   /* CM */
	const char *item_id;            /* AB */
	const char *title;              /* AJ */
	const char *owner;              /* BG */
	const char *currency;           /* BH */
	const char *fee_amount;         /* BV */
	int media_type;                 /* CK */
	const char *permanent_location; /* AQ */
	const char *current_location;   /* AP */
	const char *item_properties;    /* CH */
	struct sip2_list screen_msg, print_line;
};
int sip2_parse_item_info(const struct sip2_msg *m, struct sip2_item_info *r);

struct sip2_end_session_resp { /* 36 */
	bool end_session;
	struct sip2_date date;
	const char *institution; /* AO */
	const char *patron_id;   /* AA */
	struct sip2_list screen_msg, print_line;
};
int sip2_parse_end_session(const struct sip2_msg *m, struct sip2_end_session_resp *r);

/* English names for logs and staff screens; "unknown" when out of range. */
const char *sip2_patron_flag_name(unsigned flag);
const char *sip2_circ_status_name(int status);
const char *sip2_alert_type_name(int type);
const char *sip2_fee_type_name(int type);
/*
 * A patron's language field (24/64, "003") as ISO 639-1 ("de"); "" for 000
 * (unknown), a code SIP2 does not define, a blank or malformed field, and
 * the ones with no one language (Belgian).
 */
const char *sip2_language_iso639(const char *code);
/* The SIP2 code (1..27) of an ISO 639-1 language, its first in SIP2's list; 0: none. */
unsigned sip2_language_code(const char *iso639);
const char *sip2_media_type_name(int type);

#endif
