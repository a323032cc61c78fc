/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A pseudo-terminal for the serial tests: the test plays the device on the
 * master side, the code under test opens the slave by its path.
 */
#ifndef CIRCD_TEST_PTY_H
#define CIRCD_TEST_PTY_H

#include <stddef.h>

/* The master fd (O_CLOEXEC, the caller closes it) and the slave's path; -1 on failure. */
int pty_open_pair(char *slave, size_t size);

#endif
