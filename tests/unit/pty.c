/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pty.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int pty_open_pair(char *slave, size_t size)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, slave, size) != 0) {
		if (master >= 0)
			close(master);
		return -1;
	}
	return master;
}
