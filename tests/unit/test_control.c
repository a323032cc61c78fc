/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../firmware/control.h"
#include "../../firmware/loop.h"
#include "testlib.h"

static void test_request_parse(void)
{
	struct control_request req;

	CHECK_INT(control_request_parse("status", 6, &req), 0);
	CHECK_STR(req.command, "status");
	CHECK(!req.json);
	CHECK_INT(control_request_parse("outbox json\r\n", 13, &req), 0);
	CHECK_STR(req.command, "outbox");
	CHECK(req.json);
	CHECK_INT(control_request_parse("resolve 1234 json", 17, &req), 0);
	CHECK_STR(req.arg, "1234");
	CHECK(req.json);
	CHECK_INT(control_request_parse("", 0, &req), -EINVAL);
	CHECK_INT(control_request_parse(" status", 7, &req), -EINVAL);
	CHECK_INT(control_request_parse("a b c", 5, &req), -EINVAL);
	CHECK_INT(control_request_parse("st\x01tus", 6, &req), -EINVAL);
	CHECK_INT(control_request_parse("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 40, &req), -EINVAL);
}

static int answer(void *data, const struct control_request *req, struct strbuf *body)
{
	(void)data;
	if (strcmp(req->command, "status") == 0) {
		strbuf_printf(body, "mode: %s\n", req->json ? "json" : "text");
		return 0;
	}
	strbuf_printf(body, "unknown command");
	return -EINVAL;
}

static void roundtrip(struct loop *loop, const char *path, const char *request, char *reply,
		      size_t size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = 0;
	int fd, i;

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHECK_INT(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	CHECK_INT(write(fd, request, strlen(request)), (long long)strlen(request));
	for (i = 0; i < 200; i++) {
		ssize_t n;

		loop_run_once(loop, 10);
		n = recv(fd, reply + len, size - 1 - len, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0)
			len += (size_t)n;
	}
	reply[len] = 0;
	close(fd);
}

static void test_socket_roundtrip_and_mode(void)
{
	char dir[] = "/tmp/circd-ctl-XXXXXX", path[64], reply[256];
	struct control *ctl;
	struct loop *loop;
	struct stat st;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(control_new(loop, path, NULL, answer, NULL, &ctl), 0);
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0660);
	roundtrip(loop, path, "status json\n", reply, sizeof(reply));
	CHECK_STR(reply, "ok\nmode: json\n");
	roundtrip(loop, path, "frobnicate\n", reply, sizeof(reply));
	CHECK_STR(reply, "error unknown command\n");
	roundtrip(loop, path, "\x7f\n", reply, sizeof(reply));
	CHECK_STR(reply, "error malformed request\n");
	control_free(ctl);
	CHECK(access(path, F_OK) != 0);
	loop_free(loop);
	rmdir(dir);
}

/* The path may name anything: only a socket we bound is ever removed. */
static void test_never_unlinks_what_is_not_ours(void)
{
	char dir[] = "/tmp/circd-ctl-XXXXXX", path[64], moved[80];
	struct control *ctl, *second;
	struct loop *loop;
	struct stat st;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/circd.db", dir);
	snprintf(moved, sizeof(moved), "%s/moved.sock", dir);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);

	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	CHECK_INT(write(fd, "SQLite format 3", 15), 15);
	close(fd);
	CHECK_INT(control_new(loop, path, NULL, answer, NULL, &ctl), -EEXIST);
	CHECK_INT(stat(path, &st), 0);
	CHECK(S_ISREG(st.st_mode) && st.st_size == 15);
	CHECK_INT(unlink(path), 0);

	/* A live socket is someone else's; ours is not taken over by a second start. */
	CHECK_INT(control_new(loop, path, NULL, answer, NULL, &ctl), 0);
	CHECK_INT(control_new(loop, path, NULL, answer, NULL, &second), -EADDRINUSE);
	/* Replaced while running: at exit the replacement stays. */
	CHECK_INT(rename(path, moved), 0);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	CHECK(fd >= 0);
	close(fd);
	control_free(ctl);
	CHECK_INT(stat(path, &st), 0);
	CHECK(S_ISREG(st.st_mode));
	unlink(path);
	unlink(moved);

	/* A stale socket (nobody listening) is replaced, and removed at exit. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	{
		struct sockaddr_un addr = { .sun_family = AF_UNIX };

		snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
		CHECK_INT(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	}
	close(fd);
	CHECK_INT(control_new(loop, path, NULL, answer, NULL, &ctl), 0);
	control_free(ctl);
	CHECK(access(path, F_OK) != 0);
	loop_free(loop);
	rmdir(dir);
}

int main(void)
{
	RUN(test_request_parse);
	RUN(test_socket_roundtrip_and_mode);
	RUN(test_never_unlinks_what_is_not_ours);
	return testlib_finish();
}
