/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether this process may leave a core dump. circd holds the SIP2 password,
 * the terminal password and, during a session, a patron's PIN: a core file
 * (or a debugger attached by another user) would carry them. Off by default;
 * [log] core_dumps = yes turns them back on for debugging.
 */
#ifndef CIRCD_COREDUMP_H
#define CIRCD_COREDUMP_H

#include <stdbool.h>

/*
 * allow = false: not dumpable (PR_SET_DUMPABLE 0, which also keeps other
 * users' ptrace and /proc/PID/mem out) and RLIMIT_CORE 0. The hard limit is
 * kept, so a later allow = true restores the limit the process started with.
 * Returns 0 or -errno.
 */
int core_dumps_set(bool allow);

#endif
