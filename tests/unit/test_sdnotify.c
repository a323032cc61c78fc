/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/sdnotify.c against sockets of the test's own, as systemd's would be:
 * a path and an abstract name; nothing at all without $NOTIFY_SOCKET; the
 * watchdog interval only for the process it is meant for.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../lib/sdnotify.h"
#include "testlib.h"
#include "tmpdir.h"

/* A datagram socket bound at name ("@..." abstract), as a service manager's. */
static int manager_socket(const char *name)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(name);
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	memcpy(addr.sun_path, name, len);
	if (name[0] == '@')
		addr.sun_path[0] = '\0';
	CHECK_INT(bind(fd, (struct sockaddr *)&addr,
		       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + (name[0] == '/'))),
		  0);
	return fd;
}

static void received(int fd, const char *want)
{
	char buf[256];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	CHECK(n >= 0);
	buf[n < 0 ? 0 : n] = '\0';
	CHECK_STR(buf, want);
}

static void test_path_socket(void)
{
	struct sdnotify *n = NULL;
	char path[128];
	struct tmp t;
	int fd;

	tmp_new(&t, "sdnotify");
	snprintf(path, sizeof(path), "%s/notify", t.dir);
	fd = manager_socket(path);
	setenv("NOTIFY_SOCKET", path, 1);
	CHECK_INT(sdnotify_open(&n), 0);
	CHECK(n != NULL);
	CHECK_INT(sdnotify_send(n, "READY=1\nSTATUS=ILS link up; outbox 0"), 0);
	received(fd, "READY=1\nSTATUS=ILS link up; outbox 0");
	CHECK_INT(sdnotify_send(n, "WATCHDOG=1"), 0);
	received(fd, "WATCHDOG=1");
	sdnotify_free(n);
	close(fd);
	unlink(path);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_abstract_socket(void)
{
	struct sdnotify *n = NULL;
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "@circd-test-notify-%d", (int)getpid());
	fd = manager_socket(name);
	setenv("NOTIFY_SOCKET", name, 1);
	CHECK_INT(sdnotify_open(&n), 0);
	CHECK_INT(sdnotify_send(n, "STOPPING=1"), 0);
	received(fd, "STOPPING=1");
	sdnotify_free(n);
	close(fd);
}

static void test_without_a_manager(void)
{
	struct sdnotify *n = (struct sdnotify *)1;

	unsetenv("NOTIFY_SOCKET");
	CHECK_INT(sdnotify_open(&n), 0);
	CHECK(n == NULL);
	CHECK_INT(sdnotify_send(NULL, "READY=1"), 0);
	sdnotify_free(NULL);
	setenv("NOTIFY_SOCKET", "relative/name", 1);
	CHECK_INT(sdnotify_open(&n), -EINVAL);
	CHECK(n == NULL);
	unsetenv("NOTIFY_SOCKET");
}

static void test_watchdog_interval(void)
{
	char pid[32];

	unsetenv("WATCHDOG_PID");
	unsetenv("WATCHDOG_USEC");
	CHECK(sdnotify_watchdog_usec() == 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	CHECK(sdnotify_watchdog_usec() == 30000000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	CHECK(sdnotify_watchdog_usec() == 30000000);
	/* Another process's watchdog. */
	snprintf(pid, sizeof(pid), "%d", (int)getpid() + 1);
	setenv("WATCHDOG_PID", pid, 1);
	CHECK(sdnotify_watchdog_usec() == 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "soon", 1);
	CHECK(sdnotify_watchdog_usec() == 0);
	setenv("WATCHDOG_USEC", "-5", 1);
	CHECK(sdnotify_watchdog_usec() == 0);
	unsetenv("WATCHDOG_USEC");
}

int main(void)
{
	RUN(test_path_socket);
	RUN(test_abstract_socket);
	RUN(test_without_a_manager);
	RUN(test_watchdog_interval);
	return testlib_finish();
}
