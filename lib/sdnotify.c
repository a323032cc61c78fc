/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The service manager's notification socket (see sdnotify.h). */
#include "sdnotify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct sdnotify {
	int fd;
	struct sockaddr_un addr;
	socklen_t addr_len;
};

int sdnotify_open(struct sdnotify **ret)
{
	const char *name = getenv("NOTIFY_SOCKET");
	struct sdnotify *n;
	size_t len;

	*ret = NULL;
	if (!name || !*name)
		return 0;
	len = strlen(name);
	if ((name[0] != '/' && name[0] != '@') || len >= sizeof(n->addr.sun_path))
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, name, len);
	/* An abstract socket's name starts with a NUL where the '@' stands, and is not terminated. */
	if (name[0] == '@')
		n->addr.sun_path[0] = '\0';
	n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '/'));
	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (n->fd < 0) {
		int r = -errno;

		free(n);
		return r;
	}
	*ret = n;
	return 0;
}

void sdnotify_free(struct sdnotify *n)
{
	if (!n)
		return;
	close(n->fd);
	free(n);
}

int sdnotify_send(struct sdnotify *n, const char *message)
{
	size_t len;

	if (!n)
		return 0;
	len = strlen(message);
	if (sendto(n->fd, message, len, MSG_NOSIGNAL, (const struct sockaddr *)&n->addr,
		   n->addr_len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	return 0;
}

uint64_t sdnotify_watchdog_usec(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	unsigned long long value;
	char *end;

	if (!usec || !*usec)
		return 0;
	/* Meant for another process (the one that set it up, before an exec()): not ours. */
	if (pid && *pid && strtol(pid, &end, 10) != (long)getpid())
		return 0;
	errno = 0;
	value = strtoull(usec, &end, 10);
	if (errno || *end || usec[0] == '-')
		return 0;
	return value;
}
