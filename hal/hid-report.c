/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * HID report descriptors and HID POS scanners (see hid-report.h).
 *
 * Item encoding, HID 1.11 section 6.2.2: a prefix byte holds bSize (0, 1,
 * 2 or 4 data bytes), bType (main, global, local) and bTag; 0xFE starts a
 * long item, whose second byte is its data size. Globals persist until
 * changed (Push/Pop save and restore all of them, report id included);
 * locals describe the next main item only.
 */
#include "hid-report.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ITEM_LONG 0xfe
#define ITEM_TYPE_MAIN 0
#define ITEM_TYPE_GLOBAL 1
#define ITEM_TYPE_LOCAL 2

#define MAIN_INPUT 0x8
#define MAIN_OUTPUT 0x9
#define MAIN_COLLECTION 0xa
#define MAIN_FEATURE 0xb
#define MAIN_END_COLLECTION 0xc

#define GLOBAL_USAGE_PAGE 0x0
#define GLOBAL_LOGICAL_MIN 0x1
#define GLOBAL_LOGICAL_MAX 0x2
#define GLOBAL_REPORT_SIZE 0x7
#define GLOBAL_REPORT_ID 0x8
#define GLOBAL_REPORT_COUNT 0x9
#define GLOBAL_PUSH 0xa
#define GLOBAL_POP 0xb

#define LOCAL_USAGE 0x0
#define LOCAL_USAGE_MIN 0x1
#define LOCAL_USAGE_MAX 0x2

/* Deeper than any real device goes; bounded so that a hostile descriptor cannot grow state. */
#define GLOBAL_STACK_MAX 8
#define COLLECTION_DEPTH_MAX 32
#define REPORT_SIZE_MAX 256
#define REPORT_COUNT_MAX 8192
#define REPORT_IDS 256
#define FIELD_KINDS 3

struct globals {
	uint32_t usage_page;
	int32_t logical_min, logical_max;
	uint32_t report_size, report_count;
	uint8_t report_id;
};

/* A usage as declared: short ones take their page from the Usage Page in force at the main item. */
struct declared_usage {
	uint32_t value;
	bool extended;
};

struct declared_range {
	struct declared_usage min, max;
};

struct locals {
	size_t n;
	struct declared_range ranges[HID_FIELD_USAGES_MAX];
	bool truncated;
	bool have_min, have_max;
	struct declared_usage min, max;
};

struct walk {
	int (*on_field)(void *ctx, const struct hid_field *field);
	void *ctx;
	struct globals globals;
	struct globals stack[GLOBAL_STACK_MAX];
	size_t stack_depth;
	size_t collection_depth;
	struct locals locals;
	uint32_t bits[FIELD_KINDS][REPORT_IDS]; /* each report's length so far, without the id */
};

static void add_range(struct locals *l, struct declared_usage min, struct declared_usage max)
{
	if (l->n == HID_FIELD_USAGES_MAX) {
		l->truncated = true;
		return;
	}
	l->ranges[l->n].min = min;
	l->ranges[l->n].max = max;
	l->n++;
}

static void local_item(struct locals *l, unsigned tag, uint32_t data, size_t size)
{
	struct declared_usage usage = { .value = data, .extended = size == 4 };

	switch (tag) {
	case LOCAL_USAGE:
		add_range(l, usage, usage);
		break;
	case LOCAL_USAGE_MIN:
		l->min = usage;
		l->have_min = true;
		break;
	case LOCAL_USAGE_MAX:
		l->max = usage;
		l->have_max = true;
		break;
	default: /* designators, strings, delimiters: nothing a decoder needs */
		return;
	}
	if (l->have_min && l->have_max) {
		add_range(l, l->min, l->max);
		l->have_min = l->have_max = false;
	}
}

static uint32_t full_usage(struct declared_usage u, uint32_t page)
{
	return u.extended ? u.value : HID_USAGE(page, u.value & 0xffff);
}

static int emit_field(struct walk *w, enum hid_field_kind kind, uint32_t flags)
{
	const struct globals *g = &w->globals;
	struct locals *l = &w->locals;
	struct hid_field f = {
		.kind = kind,
		.report_id = g->report_id,
		.flags = flags,
		.bit_size = g->report_size,
		.count = g->report_count,
		.logical_min = g->logical_min,
		.logical_max = g->logical_max,
	};
	uint32_t *used = &w->bits[kind][g->report_id];
	uint64_t end_bits, id_bits = g->report_id ? 8 : 0;

	if (g->report_size > REPORT_SIZE_MAX || g->report_count > REPORT_COUNT_MAX)
		return -EINVAL;
	end_bits = (uint64_t)*used + (uint64_t)g->report_size * g->report_count;
	if ((id_bits + end_bits + 7) / 8 > HID_REPORT_MAX)
		return -EINVAL;

	/* a Minimum or Maximum without its partner stands for itself */
	if (l->have_min)
		add_range(l, l->min, l->min);
	if (l->have_max)
		add_range(l, l->max, l->max);
	f.usages_truncated = l->truncated;
	for (size_t i = 0; i < l->n; i++) {
		uint32_t min = full_usage(l->ranges[i].min, g->usage_page);
		uint32_t max = full_usage(l->ranges[i].max, g->usage_page);

		if (min > max || min >> 16 != max >> 16)
			return -EINVAL;
		f.usages[i].min = min;
		f.usages[i].max = max;
	}
	f.n_usages = l->n;
	f.bit_offset = (uint32_t)id_bits + *used;
	*used = (uint32_t)end_bits;
	return w->on_field ? w->on_field(w->ctx, &f) : 0;
}

static int main_item(struct walk *w, unsigned tag, uint32_t data)
{
	int r = 0;

	switch (tag) {
	case MAIN_INPUT:
		r = emit_field(w, HID_FIELD_INPUT, data);
		break;
	case MAIN_OUTPUT:
		r = emit_field(w, HID_FIELD_OUTPUT, data);
		break;
	case MAIN_FEATURE:
		r = emit_field(w, HID_FIELD_FEATURE, data);
		break;
	case MAIN_COLLECTION:
		if (w->collection_depth == COLLECTION_DEPTH_MAX)
			return -EINVAL;
		w->collection_depth++;
		break;
	case MAIN_END_COLLECTION:
		if (w->collection_depth == 0)
			return -EINVAL;
		w->collection_depth--;
		break;
	default: /* reserved main items carry nothing we could use */
		break;
	}
	memset(&w->locals, 0, sizeof(w->locals));
	return r;
}

static int global_item(struct walk *w, unsigned tag, uint32_t data, int32_t sdata)
{
	struct globals *g = &w->globals;

	switch (tag) {
	case GLOBAL_USAGE_PAGE:
		if (data > 0xffff)
			return -EINVAL;
		g->usage_page = data;
		break;
	case GLOBAL_LOGICAL_MIN:
		g->logical_min = sdata;
		break;
	case GLOBAL_LOGICAL_MAX:
		g->logical_max = sdata;
		break;
	case GLOBAL_REPORT_SIZE:
		g->report_size = data;
		break;
	case GLOBAL_REPORT_ID:
		if (data == 0 || data >= REPORT_IDS)
			return -EINVAL;
		g->report_id = (uint8_t)data;
		break;
	case GLOBAL_REPORT_COUNT:
		g->report_count = data;
		break;
	case GLOBAL_PUSH:
		if (w->stack_depth == GLOBAL_STACK_MAX)
			return -EINVAL;
		w->stack[w->stack_depth++] = *g;
		break;
	case GLOBAL_POP:
		if (w->stack_depth == 0)
			return -EINVAL;
		*g = w->stack[--w->stack_depth];
		break;
	default: /* physical range and units do not move bits */
		break;
	}
	return 0;
}

static int walk_descriptor(struct walk *w, const uint8_t *desc, size_t len)
{
	size_t pos = 0;

	if (!desc && len)
		return -EINVAL;
	while (pos < len) {
		uint8_t prefix = desc[pos++];
		size_t size = prefix & 3;
		uint32_t data = 0;
		int32_t sdata;
		int r = 0;

		if (prefix == ITEM_LONG) {
			size_t data_size;

			if (len - pos < 2)
				return -EINVAL;
			data_size = desc[pos];
			pos += 2; /* bDataSize, bLongItemTag */
			if (len - pos < data_size)
				return -EINVAL;
			pos += data_size;
			continue;
		}
		if (size == 3)
			size = 4;
		if (len - pos < size)
			return -EINVAL;
		for (size_t i = 0; i < size; i++)
			data |= (uint32_t)desc[pos + i] << (8 * i);
		pos += size;
		if (size == 1)
			sdata = (int8_t)data;
		else if (size == 2)
			sdata = (int16_t)data;
		else
			sdata = (int32_t)data;

		switch ((prefix >> 2) & 3) {
		case ITEM_TYPE_MAIN:
			r = main_item(w, prefix >> 4, data);
			break;
		case ITEM_TYPE_GLOBAL:
			r = global_item(w, prefix >> 4, data, sdata);
			break;
		case ITEM_TYPE_LOCAL:
			local_item(&w->locals, prefix >> 4, data, size);
			break;
		default: /* the reserved type: skipped, as hosts do */
			break;
		}
		if (r < 0)
			return r;
	}
	return w->collection_depth ? -EINVAL : 0;
}

struct field_list {
	struct hid_field *fields;
	size_t max, n;
};

static int store_field(void *ctx, const struct hid_field *field)
{
	struct field_list *list = ctx;

	if (list->n == INT_MAX)
		return -EINVAL;
	if (list->n < list->max)
		list->fields[list->n] = *field;
	list->n++;
	return 0;
}

int hid_descriptor_fields(const uint8_t *desc, size_t len, struct hid_field *fields,
			  size_t max_fields)
{
	struct field_list list = { .fields = fields, .max = fields ? max_fields : 0 };
	struct walk w = { .on_field = store_field, .ctx = &list };
	int r = walk_descriptor(&w, desc, len);

	return r < 0 ? r : (int)list.n;
}

/* ---- usages of controls ---- */

/*
 * The first control of f whose usage is usage, and how many controls in a
 * row have it from there. Works on the ranges, not control by control, as
 * fields may have thousands of controls.
 */
static bool find_usage(const struct hid_field *f, uint32_t usage, uint32_t *first, uint32_t *run)
{
	uint64_t seen = 0;

	if (f->count == 0 || f->n_usages == 0)
		return false;
	if (f->flags & HID_FIELD_BUFFERED_BYTES) {
		*first = 0;
		*run = f->count;
		return f->usages[0].min == usage;
	}
	if (!(f->flags & HID_FIELD_VARIABLE))
		return false;
	for (size_t i = 0; i < f->n_usages && seen < f->count; i++) {
		const struct hid_usage_range *r = &f->usages[i];
		bool last = i + 1 == f->n_usages && !f->usages_truncated;

		if (usage >= r->min && usage <= r->max) {
			uint64_t index = seen + (usage - r->min);

			if (index >= f->count)
				return false;
			*first = (uint32_t)index;
			/* the last usage repeats over the remaining controls */
			*run = last && usage == r->max ? f->count - *first : 1;
			return true;
		}
		seen += (uint64_t)(r->max - r->min) + 1;
	}
	return false;
}

uint32_t hid_field_usage(const struct hid_field *field, uint32_t index)
{
	uint64_t seen = 0;

	if (!field || index >= field->count || field->n_usages == 0)
		return 0;
	if (field->flags & HID_FIELD_BUFFERED_BYTES)
		return field->usages[0].min;
	if (!(field->flags & HID_FIELD_VARIABLE))
		return 0;
	for (size_t i = 0; i < field->n_usages; i++) {
		const struct hid_usage_range *r = &field->usages[i];
		uint64_t span = (uint64_t)(r->max - r->min) + 1;

		if (index < seen + span)
			return r->min + (uint32_t)(index - seen);
		seen += span;
	}
	return field->usages_truncated ? 0 : field->usages[field->n_usages - 1].max;
}

/* ---- HID POS layout ---- */

struct pos_search {
	struct hid_pos_layout *layout;
	bool found_data;
};

static bool is_input_data(const struct hid_field *f)
{
	return f->kind == HID_FIELD_INPUT && !(f->flags & HID_FIELD_CONSTANT);
}

static int find_decoded_data(void *ctx, const struct hid_field *f)
{
	struct pos_search *s = ctx;
	uint32_t first, run;

	if (s->found_data || !is_input_data(f) || f->bit_size != 8 ||
	    !find_usage(f, HID_USAGE_DECODED_DATA, &first, &run))
		return 0;
	s->found_data = true;
	s->layout->report_id = f->report_id;
	s->layout->data_bit = f->bit_offset + first * 8;
	s->layout->data_bytes = run;
	return 0;
}

static int find_companions(void *ctx, const struct hid_field *f)
{
	static const uint32_t symbology_usages[3] = {
		HID_USAGE_SYMBOLOGY_ID_1, HID_USAGE_SYMBOLOGY_ID_2, HID_USAGE_SYMBOLOGY_ID_3,
	};
	struct hid_pos_layout *l = ((struct pos_search *)ctx)->layout;
	uint32_t first, run;

	if (!is_input_data(f) || f->report_id != l->report_id)
		return 0;
	for (int i = 0; i < 3; i++) {
		if (!l->has_symbology[i] && f->bit_size == 8 &&
		    find_usage(f, symbology_usages[i], &first, &run)) {
			l->has_symbology[i] = true;
			l->symbology_bit[i] = f->bit_offset + first * 8;
		}
	}
	/* the flag is the control's low bit, whatever its size */
	if (!l->has_continued && f->bit_size >= 1 &&
	    find_usage(f, HID_USAGE_DECODE_DATA_CONTINUED, &first, &run)) {
		l->has_continued = true;
		l->continued_bit = f->bit_offset + first * f->bit_size;
	}
	if (!l->has_length && f->bit_size >= 1 && f->bit_size <= 32 &&
	    find_usage(f, HID_USAGE_BYTE_COUNT, &first, &run)) {
		l->has_length = true;
		l->length_bit = f->bit_offset + first * f->bit_size;
		l->length_bits = f->bit_size;
	}
	return 0;
}

/*
 * Two walks: the first finds the report that carries what is looked for
 * (*found, *report_id), the second the fields beside it in that report.
 * *report_len gets that input report's length, its id included.
 */
typedef int field_fn(void *ctx, const struct hid_field *field);

static int walk_twice(const uint8_t *desc, size_t len, field_fn *first, field_fn *second,
		      void *ctx, const bool *found, const uint8_t *report_id, size_t *report_len)
{
	struct walk w = { .on_field = first, .ctx = ctx };
	uint32_t bits;
	int r;

	r = walk_descriptor(&w, desc, len);
	if (r < 0)
		return r;
	if (!*found)
		return -ENOENT;
	bits = w.bits[HID_FIELD_INPUT][*report_id];

	memset(&w, 0, sizeof(w));
	w.on_field = second;
	w.ctx = ctx;
	r = walk_descriptor(&w, desc, len);
	if (r < 0)
		return r;
	*report_len = (*report_id ? 1 : 0) + (bits + 7) / 8;
	return 0;
}

int hid_pos_layout_parse(const uint8_t *desc, size_t len, struct hid_pos_layout *ret)
{
	struct hid_pos_layout layout = { 0 };
	struct pos_search search = { .layout = &layout };
	int r;

	if (!ret)
		return -EINVAL;
	r = walk_twice(desc, len, find_decoded_data, find_companions, &search, &search.found_data,
		       &layout.report_id, &layout.report_len);
	if (r < 0)
		return r;
	*ret = layout;
	return 0;
}

/* ---- keyboards in report protocol ---- */

struct kbd_search {
	struct hid_kbd_layout *layout;
	bool found_keys;
};

static bool on_keyboard_page(uint32_t usage)
{
	return usage >> 16 == HID_PAGE_KEYBOARD;
}

static int find_key_array(void *ctx, const struct hid_field *f)
{
	struct kbd_search *s = ctx;
	struct hid_kbd_layout *l = s->layout;

	if (s->found_keys || !is_input_data(f) || (f->flags & HID_FIELD_VARIABLE) ||
	    f->bit_size < 8 || f->bit_size > 16 || f->count == 0 || f->n_usages == 0 ||
	    !on_keyboard_page(f->usages[0].min))
		return 0;
	s->found_keys = true;
	l->report_id = f->report_id;
	l->keys_bit = f->bit_offset;
	l->key_bits = f->bit_size;
	l->n_keys = f->count < HID_KEYS_MAX ? f->count : HID_KEYS_MAX;
	l->keys_logical_min = f->logical_min;
	l->keys_usage_min = f->usages[0].min & 0xffff;
	return 0;
}

static int find_modifiers(void *ctx, const struct hid_field *f)
{
	struct hid_kbd_layout *l = ((struct kbd_search *)ctx)->layout;
	uint32_t first, run;

	if (!is_input_data(f) || f->report_id != l->report_id || f->bit_size != 1)
		return 0;
	for (int i = 0; i < 8; i++) {
		uint32_t usage = HID_USAGE(HID_PAGE_KEYBOARD, HID_KEY_MODIFIER_FIRST + i);

		if (!l->has_modifier[i] && find_usage(f, usage, &first, &run)) {
			l->has_modifier[i] = true;
			l->modifier_bit[i] = f->bit_offset + first;
		}
	}
	return 0;
}

int hid_kbd_layout_parse(const uint8_t *desc, size_t len, struct hid_kbd_layout *ret)
{
	struct hid_kbd_layout layout = { 0 };
	struct kbd_search search = { .layout = &layout };
	int r;

	if (!ret)
		return -EINVAL;
	r = walk_twice(desc, len, find_key_array, find_modifiers, &search, &search.found_keys,
		       &layout.report_id, &layout.report_len);
	if (r < 0)
		return r;
	*ret = layout;
	return 0;
}

static uint32_t get_bits(const uint8_t *report, size_t len, uint32_t bit, uint32_t n);

int hid_kbd_to_boot(const struct hid_kbd_layout *l, const uint8_t *report, size_t len,
		    uint8_t boot[8])
{
	size_t slot = 2;

	if (!l || !report || !boot)
		return -EINVAL;
	if (len == 0 || (l->report_id && report[0] != l->report_id))
		return 0;
	memset(boot, 0, 8);
	for (int i = 0; i < 8; i++)
		if (l->has_modifier[i] && get_bits(report, len, l->modifier_bit[i], 1))
			boot[0] |= (uint8_t)(1u << i);
	for (uint32_t i = 0; i < l->n_keys && slot < 8; i++) {
		int64_t value = get_bits(report, len, l->keys_bit + i * l->key_bits, l->key_bits);
		int64_t usage = (int64_t)l->keys_usage_min + value - l->keys_logical_min;

		/* outside the logical range, or past what a boot slot holds: no key */
		if (value < l->keys_logical_min || usage <= 0 || usage > 0xff)
			continue;
		boot[slot++] = (uint8_t)usage;
	}
	return 1;
}

/* ---- HID POS reassembly ---- */

void hid_pos_init(struct hid_pos *p, const struct hid_pos_layout *layout)
{
	if (!p)
		return;
	memset(p, 0, sizeof(*p));
	if (layout)
		p->layout = *layout;
}

void hid_pos_reset(struct hid_pos *p)
{
	struct hid_pos_layout layout;

	if (!p)
		return;
	layout = p->layout;
	hid_pos_init(p, &layout);
}

/* n <= 32 bits from bit on, least significant first; bits past len read as 0. */
static uint32_t get_bits(const uint8_t *report, size_t len, uint32_t bit, uint32_t n)
{
	uint32_t value = 0;

	if (bit % 8 == 0 && n == 8)
		return bit / 8 < len ? report[bit / 8] : 0;
	for (uint32_t i = 0; i < n; i++) {
		size_t byte = (bit + (size_t)i) / 8;

		if (byte < len && (report[byte] >> ((bit + i) % 8) & 1))
			value |= 1u << i;
	}
	return value;
}

__attribute__((format(printf, 2, 3)))
static void spoil(struct hid_pos *p, const char *fmt, ...)
{
	va_list ap;

	if (p->spoiled)
		return;
	p->spoiled = true;
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
}

static void read_aim(struct hid_pos *p, const uint8_t *report, size_t len)
{
	const struct hid_pos_layout *l = &p->layout;
	char c[3];

	p->aim[0] = '\0';
	for (int i = 0; i < 3; i++) {
		if (!l->has_symbology[i])
			return;
		c[i] = (char)get_bits(report, len, l->symbology_bit[i], 8);
	}
	if (aim_parse(c, sizeof(c), NULL) != 3)
		return;
	memcpy(p->aim, c, 3);
	p->aim[3] = '\0';
}

/* HID POS scanners are commonly set to end each symbol with CR, LF, CRLF or Tab. */
static bool is_suffix_byte(uint32_t byte)
{
	return byte == '\r' || byte == '\n' || byte == '\t';
}

/* GS is the GS1 field separator (FNC1 inside the data): part of the symbol. */
static bool is_symbol_byte(uint32_t byte)
{
	return (byte >= 0x20 && byte <= 0x7e) || byte == SCAN_GS;
}

static void append_byte(struct hid_pos *p, uint32_t byte)
{
	if (!is_symbol_byte(byte))
		spoil(p, "byte 0x%02x at position %zu is not printable ASCII", byte, p->len + 1);
	else if (p->len < SCAN_TEXT_MAX)
		p->text[p->len] = (char)byte;
	/* one past the limit is enough to know it is too long */
	if (p->len <= SCAN_TEXT_MAX)
		p->len++;
}

/*
 * Suffix bytes are held back until it is known whether data follows them:
 * at the end of the symbol they are trimmed, inside it they are an error
 * (two symbols run together, or a scanner set to send fields with Tabs).
 */
static void take_byte(struct hid_pos *p, uint32_t byte)
{
	if (is_suffix_byte(byte)) {
		if (p->n_suffix < sizeof(p->suffix))
			p->suffix[p->n_suffix] = (uint8_t)byte;
		if (p->n_suffix <= sizeof(p->suffix))
			p->n_suffix++;
		return;
	}
	for (size_t i = 0; i < p->n_suffix; i++)
		append_byte(p, i < sizeof(p->suffix) ? p->suffix[i] : '\r');
	p->n_suffix = 0;
	append_byte(p, byte);
}

static void append_data(struct hid_pos *p, const uint8_t *report, size_t len)
{
	const struct hid_pos_layout *l = &p->layout;
	uint32_t n = l->data_bytes;

	if (l->has_length) {
		uint32_t count = get_bits(report, len, l->length_bit, l->length_bits);

		if (count > l->data_bytes)
			spoil(p, "byte count %u is more than the %u-byte data field", count,
			      l->data_bytes);
		else
			n = count;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t byte = get_bits(report, len, l->data_bit + i * 8, 8);

		if (byte == 0 && !l->has_length)
			break; /* NUL padding */
		take_byte(p, byte);
	}
	p->text[p->len < SCAN_TEXT_MAX ? p->len : SCAN_TEXT_MAX] = '\0';
}

int hid_pos_feed(struct hid_pos *p, const uint8_t *report, size_t len, struct hid_pos_out *out)
{
	const struct hid_pos_layout *l;

	if (out)
		memset(out, 0, sizeof(*out));
	if (!p || !report || !out)
		return -EINVAL;
	l = &p->layout;
	if (l->report_id && (len == 0 || report[0] != l->report_id))
		return 0;
	if (!p->pending) {
		p->len = 0;
		p->n_suffix = 0;
		p->text[0] = '\0';
		p->spoiled = false;
		p->reason[0] = '\0';
		read_aim(p, report, len);
	}
	append_data(p, report, len);
	p->pending = l->has_continued && get_bits(report, len, l->continued_bit, 1);
	if (p->pending)
		return 0;

	if (p->spoiled) {
		out->discarded = true;
		memcpy(out->reason, p->reason, sizeof(out->reason));
	} else if (p->len > SCAN_TEXT_MAX) {
		out->discarded = true;
		snprintf(out->reason, sizeof(out->reason), "longer than %d characters",
			 SCAN_TEXT_MAX);
	} else if (p->len > 0) {
		out->symbol = true;
		out->len = p->len;
		memcpy(out->text, p->text, p->len + 1);
		memcpy(out->aim, p->aim, sizeof(out->aim));
	}
	p->len = 0;
	p->n_suffix = 0;
	p->text[0] = '\0';
	return 0;
}
