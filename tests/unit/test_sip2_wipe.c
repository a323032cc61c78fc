/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Secrets in SIP2 frames do not outlive their request: once the 93 login is
 * answered, the client's memory no longer holds its CO field (the client's
 * own config copy, kept to log in again, holds the bare password only).
 */
#include <fcntl.h>
#include <malloc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../lib/loop.h"
#include "../../firmware/config.h"
#include "../../firmware/sip2-client.h"
#include "testlib.h"

#define PASSWORD "Pw-0f-the-kiosk"

static int ups;

static void on_link(void *data, bool up, const char *why)
{
	(void)data;
	(void)why;
	ups += up;
}

static void on_status(void *data, const struct sip2_acs_status *st, uint64_t mono_ms)
{
	(void)data;
	(void)st;
	(void)mono_ms;
}

static const struct sip2_client_events events = { .link = on_link, .acs_status = on_status };

/* The next CR-terminated message from the client, pumping the loop meanwhile. */
static bool read_message(struct loop *loop, int listen_fd, int *srv_fd, char *out, size_t size)
{
	size_t len = 0;

	for (int i = 0; i < 400 && len < size - 1; i++) {
		if (*srv_fd < 0) {
			*srv_fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		} else {
			ssize_t got = read(*srv_fd, out + len, 1);

			if (got == 1 && out[len++] == '\r') {
				out[len] = '\0';
				return true;
			}
			if (got == 1)
				continue;
		}
		loop_run_once(loop, 5);
	}
	out[0] = '\0';
	return false;
}

static void reply(struct loop *loop, int fd, const char *text, const char *request)
{
	const char *ay = strstr(request, "AY");
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "%sAY%cAZ", text, ay ? ay[2] : '0');

	snprintf(msg + n, sizeof(msg) - (size_t)n, "%04X\r", sip2_checksum(msg, (size_t)n));
	CHECK(write(fd, msg, strlen(msg)) == (ssize_t)strlen(msg));
	for (int i = 0; i < 5; i++)
		loop_run_once(loop, 5);
}

static bool memory_holds(const void *block, size_t size, const char *text)
{
	return memmem(block, size, text, strlen(text)) != NULL;
}

static void test_login_frame_wiped_after_the_reply(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t alen = sizeof(addr);
	struct sip2_client *client;
	struct sip2_config cfg;
	struct config defaults;
	struct loop *loop;
	int listen_fd, srv_fd = -1;
	char msg[512];

	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	CHECK_INT(bind(listen_fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	CHECK_INT(listen(listen_fd, 4), 0);
	CHECK_INT(getsockname(listen_fd, (struct sockaddr *)&addr, &alen), 0);
	config_default(&defaults);
	cfg = defaults.sip2;
	snprintf(cfg.host, sizeof(cfg.host), "127.0.0.1");
	snprintf(cfg.port, sizeof(cfg.port), "%u", ntohs(addr.sin_port));
	cfg.tls = false;
	snprintf(cfg.username, sizeof(cfg.username), "self-check-lobby-north-7");
	snprintf(cfg.password, sizeof(cfg.password), PASSWORD);
	snprintf(cfg.institution, sizeof(cfg.institution), "MAIN");
	CHECK_INT(sip2_client_new(loop, &cfg, &events, NULL, &client), 0);

	CHECK(read_message(loop, listen_fd, &srv_fd, msg, sizeof(msg)));
	CHECK(strncmp(msg, "93", 2) == 0 && strstr(msg, "CO" PASSWORD "|"));
	/* in flight, the frame is needed for a resend */
	CHECK(memory_holds(client, malloc_usable_size(client), "CO" PASSWORD));
	reply(loop, srv_fd, "941", msg);
	CHECK(read_message(loop, listen_fd, &srv_fd, msg, sizeof(msg)));
	CHECK(strncmp(msg, "99", 2) == 0);
	CHECK(!memory_holds(client, malloc_usable_size(client), "CO" PASSWORD));
	reply(loop, srv_fd, "98YYYYNN020001" "20261129    120000" "2.00AOMAIN|", msg);
	CHECK_INT(ups, 1);
	CHECK(!memory_holds(client, malloc_usable_size(client), "CO" PASSWORD));

	sip2_client_free(client);
	close(srv_fd);
	close(listen_fd);
	loop_free(loop);
}

int main(void)
{
	RUN(test_login_frame_wiped_after_the_reply);
	return testlib_finish();
}
