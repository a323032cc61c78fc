/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../firmware/control.h"
#include "../../lib/loop.h"
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

#define BIG_SLICES 400
#define BIG_LINES_PER_SLICE 50

struct big_stream {
	unsigned slices;  /* produced so far */
	bool *freed;
};

static int big_next(void *state, struct strbuf *out)
{
	struct big_stream *b = state;

	for (unsigned i = 0; i < BIG_LINES_PER_SLICE; i++)
		strbuf_printf(out, "row %06u\n", b->slices * BIG_LINES_PER_SLICE + i);
	return ++b->slices < BIG_SLICES;
}

static void big_free(void *state)
{
	struct big_stream *b = state;

	*b->freed = true;
}

static struct big_stream big;
static bool big_freed;

static int answer(void *data, const struct control_request *req, struct strbuf *body,
		  struct control_stream *stream)
{
	(void)data;
	if (strcmp(req->command, "big") == 0) {
		big = (struct big_stream){ .freed = &big_freed };
		big_freed = false;
		strbuf_printf(body, "header\n");
		*stream = (struct control_stream){ .next = big_next, .free = big_free,
						   .state = &big };
		return 0;
	}
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

static int connect_to(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	CHECK_INT(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	return fd;
}

static void drain_loop(struct loop *loop)
{
	while (loop_run_once(loop, 0) > 0)
		;
}

/* 0: the server closed it; 1: still open, nothing to read. */
static int peer_state(int fd)
{
	char buf[64];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0)
		return 0;
	return n < 0 && errno == EAGAIN ? 1 : -1;
}

static bool pipe_seen;
static unsigned slices_when_pipe_seen;

static void on_pipe(struct loop *loop, int fd, uint32_t events, void *data)
{
	char c;

	(void)loop;
	(void)events;
	(void)data;
	if (read(fd, &c, 1) == 1 && !pipe_seen) {
		pipe_seen = true;
		slices_when_pipe_seen = big.slices;
	}
}

/*
 * A long answer is produced a slice per loop turn as the client drains it:
 * other events (a patron's scan) are served while it streams, and the body
 * arrives complete and in order.
 */
static void test_long_answer_streams_between_other_events(void)
{
	char dir[] = "/tmp/circd-ctl-XXXXXX", path[64], want[32];
	struct strbuf got = { 0 };
	struct control *ctl;
	struct loop *loop;
	struct loop_source *pipe_source;
	int fd, pfd[2], turns;
	size_t pos;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	CHECK_INT(control_new(loop, path, NULL, answer, NULL, &ctl), 0);
	CHECK_INT(pipe2(pfd, O_CLOEXEC | O_NONBLOCK), 0);
	CHECK_INT(loop_add_io(loop, pfd[0], EPOLLIN, on_pipe, NULL, &pipe_source), 0);
	pipe_seen = false;

	fd = connect_to(path);
	CHECK_INT(write(fd, "big\n", 4), 4);
	/* The client reads nothing yet: the stream must wait, not run ahead. */
	for (turns = 0; turns < 50; turns++)
		loop_run_once(loop, 0);
	CHECK(big.slices > 0 && big.slices < BIG_SLICES);
	CHECK_INT(write(pfd[1], "s", 1), 1);
	for (turns = 0; turns < 100000 && !big_freed; turns++) {
		char buf[65536];
		ssize_t n;

		loop_run_once(loop, 0);
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			strbuf_printf(&got, "%.*s", (int)n, buf);
			/* a reader as slow as a terminal: a turn passes between reads */
			loop_run_once(loop, 0);
		}
	}
	CHECK(pipe_seen);
	CHECK(slices_when_pipe_seen < BIG_SLICES);
	CHECK(big_freed);
	for (;;) { /* the rest of what was sent */
		char buf[65536];
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n <= 0)
			break;
		strbuf_printf(&got, "%.*s", (int)n, buf);
	}
	CHECK(!got.oom);
	CHECK_INT(got.len, 3 + 7 + BIG_SLICES * BIG_LINES_PER_SLICE * 11);
	CHECK(got.len > 10 && memcmp(got.buf, "ok\nheader\n", 10) == 0);
	pos = 10;
	for (unsigned i = 0; i < BIG_SLICES * BIG_LINES_PER_SLICE && pos + 11 <= got.len; i++) {
		snprintf(want, sizeof(want), "row %06u\n", i);
		if (memcmp(got.buf + pos, want, 11) != 0) {
			CHECK_STR(want, "the row at this position");
			break;
		}
		pos += 11;
	}
	strbuf_free(&got);
	close(fd);
	loop_source_free(pipe_source);
	close(pfd[0]);
	close(pfd[1]);
	control_free(ctl);
	loop_free(loop);
	rmdir(dir);
}

/* A client that goes away mid-stream frees it, and nothing leaks. */
static void test_stream_client_gone(void)
{
	char dir[] = "/tmp/circd-ctl-XXXXXX", path[64];
	struct control *ctl;
	struct loop *loop;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	CHECK_INT(control_new(loop, path, NULL, answer, NULL, &ctl), 0);
	fd = connect_to(path);
	CHECK_INT(write(fd, "big\n", 4), 4);
	drain_loop(loop);
	CHECK(!big_freed);
	close(fd);
	for (int i = 0; i < 100 && !big_freed; i++)
		loop_run_once(loop, 0);
	CHECK(big_freed);
	/* and one that stops reading goes after the write timeout */
	fd = connect_to(path);
	CHECK_INT(write(fd, "big\n", 4), 4);
	drain_loop(loop);
	CHECK(!big_freed);
	loop_advance(loop, 5000);
	CHECK(big_freed);
	close(fd);
	control_free(ctl);
	loop_free(loop);
	rmdir(dir);
}

#define SLOTS 32

/*
 * Connections that never ask must not lock staff out: they go after a short
 * while, and when every slot is taken the oldest silent one makes room.
 */
static void test_idle_clients_do_not_lock_staff_out(void)
{
	char dir[] = "/tmp/circd-ctl-XXXXXX", path[64], reply[256];
	int idle[SLOTS], i, extra;
	struct control *ctl;
	struct loop *loop;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	CHECK_INT(control_new(loop, path, NULL, answer, NULL, &ctl), 0);
	for (i = 0; i < SLOTS; i++) {
		idle[i] = connect_to(path);
		drain_loop(loop);
	}
	for (i = 0; i < SLOTS; i++)
		CHECK_INT(peer_state(idle[i]), 1);
	/* Full: a new client gets in, the oldest silent one is dropped for it. */
	roundtrip(loop, path, "status\n", reply, sizeof(reply));
	CHECK_STR(reply, "ok\nmode: text\n");
	CHECK_INT(peer_state(idle[0]), 0);
	for (i = 1; i < SLOTS; i++)
		CHECK_INT(peer_state(idle[i]), 1);
	/* The answered client left its slot free; the next one takes idle[1]'s. */
	idle[0] = (close(idle[0]), connect_to(path));
	drain_loop(loop);
	CHECK_INT(peer_state(idle[1]), 1);
	extra = connect_to(path);
	drain_loop(loop);
	CHECK_INT(peer_state(idle[1]), 0);
	CHECK_INT(peer_state(idle[2]), 1);
	/* One whose request is on its way is not silent: idle[2] is kept, idle[3] goes. */
	CHECK_INT(write(idle[2], "stat", 4), 4);
	close(connect_to(path));
	drain_loop(loop);
	CHECK_INT(peer_state(idle[2]), 1);
	CHECK_INT(peer_state(idle[3]), 0);
	/* And silent clients do not stay long. */
	loop_advance(loop, 2000);
	drain_loop(loop);
	for (i = 2; i < SLOTS; i++)
		CHECK_INT(peer_state(idle[i]), 0);
	CHECK_INT(peer_state(idle[0]), 0);
	CHECK_INT(peer_state(extra), 0);
	for (i = 0; i < SLOTS; i++)
		close(idle[i]);
	close(extra);
	control_free(ctl);
	loop_free(loop);
	rmdir(dir);
}

int main(void)
{
	RUN(test_request_parse);
	RUN(test_socket_roundtrip_and_mode);
	RUN(test_never_unlinks_what_is_not_ours);
	RUN(test_long_answer_streams_between_other_events);
	RUN(test_stream_client_gone);
	RUN(test_idle_clients_do_not_lock_staff_out);
	return testlib_finish();
}
