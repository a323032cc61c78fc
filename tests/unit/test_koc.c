/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <time.h>

#include "../../firmware/koc.h"
#include "testlib.h"

static void use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void make(struct txn *t, enum txn_kind kind, const char *patron, const char *item,
		 int64_t wall_ms)
{
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	snprintf(t->patron, sizeof(t->patron), "%s", patron);
	snprintf(t->item, sizeof(t->item), "%s", item);
	t->wall_ms = wall_ms;
}

static void test_header(void)
{
	static const char prefix[] = "Version=1.0\tGenerator=circd\tGeneratorVersion=";
	char out[128], small[8];
	int n;

	n = koc_header(out, sizeof(out));
	CHECK_INT(n, strlen(out));
	CHECK(strncmp(out, prefix, strlen(prefix)) == 0);
	CHECK(n > (int)strlen(prefix) + 1);
	CHECK(out[n - 1] == '\n');
	CHECK(strchr(out + strlen(prefix), '\t') == NULL);
	CHECK(strchr(out, '\n') == out + n - 1);
	memset(small, 'x', sizeof(small));
	CHECK_INT(koc_header(small, sizeof(small)), -ENOBUFS);
	CHECK_STR(small, "");
	CHECK_INT(koc_header(NULL, 0), -ENOBUFS);
}

static void test_issue_line_exact(void)
{
	struct txn t;
	char out[KOC_LINE_MAX];

	use_tz("UTC0");
	make(&t, TXN_CHECKOUT, "21234000012345", "31234000000001", 1709647629042LL);
	CHECK_INT(koc_line(&t, out, sizeof(out)), 60);
	CHECK_STR(out, "2024-03-05 14:07:09 042\tissue\t21234000012345\t31234000000001\n");
}

static void test_return_line_exact(void)
{
	struct txn t;
	char out[KOC_LINE_MAX];

	use_tz("UTC0");
	/* A checkin's patron, if any, is not part of a return line. */
	make(&t, TXN_CHECKIN, "21234000012345", "31234000000001", 1709647740500LL);
	CHECK_INT(koc_line(&t, out, sizeof(out)), 46);
	CHECK_STR(out, "2024-03-05 14:09:00 500\treturn\t31234000000001\n");
	make(&t, TXN_CHECKIN, "", "31234000000001", 1709647740500LL);
	CHECK_INT(koc_line(&t, out, sizeof(out)), 46);
	CHECK_STR(out, "2024-03-05 14:09:00 500\treturn\t31234000000001\n");
}

static void test_renew_is_issue(void)
{
	struct txn t;
	char out[KOC_LINE_MAX];

	use_tz("UTC0");
	make(&t, TXN_RENEW, "21234000012345", "31234000000001", 1709647800005LL);
	CHECK(koc_line(&t, out, sizeof(out)) > 0);
	/* Milliseconds are three digits, zero-padded. */
	CHECK_STR(out, "2024-03-05 14:10:00 005\tissue\t21234000012345\t31234000000001\n");
}

static void test_local_time_and_edges(void)
{
	struct txn t;
	char out[KOC_LINE_MAX];

	/* Koha takes the time as the library's: local time, here UTC+2. */
	use_tz("XYZ-2");
	make(&t, TXN_CHECKIN, "", "X1", 1709647629042LL);
	CHECK(koc_line(&t, out, sizeof(out)) > 0);
	CHECK_STR(out, "2024-03-05 16:07:09 042\treturn\tX1\n");

	use_tz("UTC0");
	make(&t, TXN_CHECKIN, "", "X1", -1);
	CHECK(koc_line(&t, out, sizeof(out)) > 0);
	CHECK_STR(out, "1969-12-31 23:59:59 999\treturn\tX1\n");
	make(&t, TXN_CHECKIN, "", "X1", 253402300799999LL);
	CHECK(koc_line(&t, out, sizeof(out)) > 0);
	CHECK_STR(out, "9999-12-31 23:59:59 999\treturn\tX1\n");
	make(&t, TXN_CHECKIN, "", "X1", 253402300800000LL);
	CHECK_INT(koc_line(&t, out, sizeof(out)), -EINVAL);
}

static void test_buffer_sizes(void)
{
	static const char line[] = "2024-03-05 14:07:09 042\tissue\tP1\tI1\n";
	struct txn t;
	char out[64];

	use_tz("UTC0");
	make(&t, TXN_CHECKOUT, "P1", "I1", 1709647629042LL);
	CHECK_INT(koc_line(&t, out, sizeof(line)), (int)sizeof(line) - 1);
	CHECK_STR(out, line);
	memset(out, 'x', sizeof(out));
	CHECK_INT(koc_line(&t, out, sizeof(line) - 1), -ENOBUFS);
	CHECK_STR(out, "");
	CHECK_INT(koc_line(&t, NULL, 0), -ENOBUFS);
	CHECK_INT(koc_line(NULL, out, sizeof(out)), -EINVAL);

	/* The longest fields fit KOC_LINE_MAX. */
	{
		char big[KOC_LINE_MAX];

		make(&t, TXN_CHECKOUT, "", "", 1709647629042LL);
		memset(t.patron, 'P', PATRON_ID_MAX);
		memset(t.item, 'I', SCAN_TEXT_MAX);
		CHECK_INT(koc_line(&t, big, sizeof(big)),
			  23 + 7 + PATRON_ID_MAX + 1 + SCAN_TEXT_MAX + 1);
	}
}

static void test_refuses_what_koc_cannot_carry(void)
{
	struct txn t;
	char out[KOC_LINE_MAX];

	use_tz("UTC0");
	make(&t, TXN_CHECKOUT, "", "31234000000001", 1709647629042LL);
	CHECK_INT(koc_line(&t, out, sizeof(out)), -EINVAL); /* an issue needs a card */
	make(&t, TXN_CHECKOUT, "2123\t4", "31234000000001", 1709647629042LL);
	CHECK_INT(koc_line(&t, out, sizeof(out)), -EINVAL);
	make(&t, TXN_CHECKOUT, "21234", "3123\n4", 1709647629042LL);
	CHECK_INT(koc_line(&t, out, sizeof(out)), -EINVAL);
	make(&t, TXN_CHECKIN, "", "3123\r", 1709647629042LL);
	CHECK_INT(koc_line(&t, out, sizeof(out)), -EINVAL);
	make(&t, TXN_CHECKIN, "", "", 1709647629042LL);
	CHECK_INT(koc_line(&t, out, sizeof(out)), -EINVAL);
	make(&t, TXN_CHECKIN, "", "31234", 1709647629042LL);
	t.kind = (enum txn_kind)7;
	CHECK_INT(koc_line(&t, out, sizeof(out)), -EINVAL);
	/* An unterminated field is not read past its end. */
	make(&t, TXN_CHECKIN, "", "", 1709647629042LL);
	memset(t.item, 'I', sizeof(t.item));
	CHECK_INT(koc_line(&t, out, sizeof(out)), -EINVAL);
	/* UTF-8 is text, not a control character. */
	make(&t, TXN_CHECKIN, "", "\xc3\xa9t\xc3\xa9", 0);
	CHECK(koc_line(&t, out, sizeof(out)) > 0);
	CHECK_STR(out, "1970-01-01 00:00:00 000\treturn\t\xc3\xa9t\xc3\xa9\n");
}

int main(void)
{
	RUN(test_header);
	RUN(test_issue_line_exact);
	RUN(test_return_line_exact);
	RUN(test_renew_is_issue);
	RUN(test_local_time_and_edges);
	RUN(test_buffer_sizes);
	RUN(test_refuses_what_koc_cannot_carry);
	return testlib_finish();
}
