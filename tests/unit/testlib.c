/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The running test's state (testlib.h), one copy for the test and its helpers. */
#include "testlib.h"

int testlib_passed, testlib_failed, testlib_current_failed;
const char *testlib_current;
