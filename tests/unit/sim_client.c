/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sim_client.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"

#define SIM_CLIENT_WAIT_MS 2000

uint64_t sim_client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int sim_client_connect_raw(struct sim_client *c, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		return -errno;
	return fcntl(c->fd, F_SETFL, O_NONBLOCK) < 0 ? -errno : 0;
}

void sim_client_connect(struct sim_client *c, struct loop *loop, const char *path)
{
	CHECK_INT(sim_client_connect_raw(c, path), 0);
	sim_client_expect(c, loop, "hello circd");
}

void sim_client_fill(struct sim_client *c)
{
	ssize_t n;

	if (c->eof || c->len == sizeof(c->buf))
		return;
	n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, MSG_DONTWAIT);
	if (n > 0)
		c->len += (size_t)n;
	else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
		c->eof = true;
}

bool sim_client_read_line(struct sim_client *c, struct loop *loop, char *line, size_t size)
{
	uint64_t deadline = sim_client_now_ms() + SIM_CLIENT_WAIT_MS;

	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);

		if (nl) {
			size_t n = (size_t)(nl - c->buf);

			snprintf(line, size, "%.*s", (int)n, c->buf);
			memmove(c->buf, nl + 1, c->len - n - 1);
			c->len -= n + 1;
			return true;
		}
		if (c->eof || sim_client_now_ms() > deadline)
			return false;
		loop_run_once(loop, 10);
		sim_client_fill(c);
	}
}

void sim_client_expect(struct sim_client *c, struct loop *loop, const char *expected)
{
	char line[4096];

	if (!sim_client_read_line(c, loop, line, sizeof(line)))
		snprintf(line, sizeof(line), "(nothing: %s)", c->eof ? "eof" : "timeout");
	CHECK_STR(line, expected);
}

void sim_client_expect_nothing(struct sim_client *c, struct loop *loop)
{
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 0);
	sim_client_fill(c);
	CHECK_INT(c->len, 0);
	CHECK(!c->eof);
}

void sim_client_send(struct sim_client *c, const char *text)
{
	CHECK_INT(send(c->fd, text, strlen(text), MSG_NOSIGNAL), strlen(text));
}

void sim_client_close(struct sim_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

int sim_parse_line(const char *line, bool terminal, struct sim_command *cmd, const char **why)
{
	return sim_command_parse(line, strlen(line), terminal, cmd, why);
}

void sim_expect_refused(const char *line, bool terminal, const char *reason,
			struct sim_command *cmd)
{
	const char *why = NULL;

	CHECK_INT(sim_parse_line(line, terminal, cmd, &why), -EINVAL);
	CHECK_STR(why, reason);
	if (!why || strcmp(why, reason) != 0)
		fprintf(stderr, "  line was \"%s\"\n", line);
}
