/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "../../firmware/sync.h"
#include "testlib.h"

/* Refusal texts as ILSs word them (Koha, Evergreen, SIPServer, the test ACS). */
static void test_classify_refusals(void)
{
	static const struct {
		const char *msg;
		enum conflict_category want;
	} cases[] = {
		{ "Item checked out to another patron", CONFLICT_ON_LOAN_TO_OTHER },
		{ "Item is already on loan", CONFLICT_ON_LOAN_TO_OTHER },
		{ "Item charged to another borrower", CONFLICT_ON_LOAN_TO_OTHER },
		{ "Item on hold for another patron", CONFLICT_HELD_FOR_OTHER },
		{ "This item is reserved", CONFLICT_HELD_FOR_OTHER },
		{ "Unknown item", CONFLICT_UNKNOWN_ITEM },
		{ "Invalid Item", CONFLICT_UNKNOWN_ITEM },
		{ "Item not found", CONFLICT_UNKNOWN_ITEM },
		{ "Invalid patron", CONFLICT_UNKNOWN_PATRON },
		{ "Unknown patron", CONFLICT_UNKNOWN_PATRON },
		{ "Please see staff: card expired", CONFLICT_PATRON_BLOCKED },
		{ "Patron is debarred", CONFLICT_PATRON_BLOCKED },
		{ "Patron has excessive fines", CONFLICT_PATRON_BLOCKED },
		{ "Checkout privileges blocked", CONFLICT_PATRON_BLOCKED },
		{ "Something went wrong", CONFLICT_OTHER },
		{ "", CONFLICT_OTHER },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum conflict_category got = sync_classify_refusal(cases[i].msg);

		if (got != cases[i].want)
			fprintf(stderr, "'%s': %s, expected %s\n", cases[i].msg,
				conflict_category_name(got), conflict_category_name(cases[i].want));
		CHECK_INT(got, cases[i].want);
	}
	CHECK_INT(sync_classify_refusal(NULL), CONFLICT_OTHER);
}

int main(void)
{
	RUN(test_classify_refusals);
	return testlib_finish();
}
