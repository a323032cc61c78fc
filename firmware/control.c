/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "control.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "loop.h"

/*
 * Staff must get in even when something holds connections open: a client
 * that has not asked within CONTROL_SILENT_TIMEOUT_MS goes, and when every
 * slot is taken the oldest of those still silent makes room.
 */
#define CONTROL_MAX_CLIENTS 32
#define CONTROL_LINE_MAX 256
#define CONTROL_SILENT_TIMEOUT_MS 2000
/* A client that stops reading its answer for this long is dropped. */
#define CONTROL_WRITE_TIMEOUT_MS 5000

struct control_client {
	struct control *ctl;
	int fd;
	uint64_t serial; /* accept order: the oldest silent client is dropped first */
	bool asked;
	char in[CONTROL_LINE_MAX];
	size_t in_len;
	struct strbuf out;
	size_t sent;
	struct control_stream stream; /* next == NULL: the body is all in out */
	struct loop_timer timeout;
	struct loop_source *source;
};

struct control {
	struct loop *loop;
	int fd;
	struct loop_source *listen_source;
	char path[108];
	/* The socket file we bound: at exit only that one is removed, never what replaced it. */
	dev_t dev;
	ino_t ino;
	bool bound;
	control_fn fn;
	void *data;
	struct control_client *clients[CONTROL_MAX_CLIENTS];
	uint64_t accepted;
};

int control_request_parse(const char *line, size_t len, struct control_request *req)
{
	size_t i = 0, start;

	memset(req, 0, sizeof(*req));
	while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
		len--;
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] > 0x7e)
			return -EINVAL;
	i = 0;
	/* command word */
	start = i;
	while (i < len && line[i] != ' ')
		i++;
	if (i == start || i - start >= CONTROL_CMD_MAX)
		return -EINVAL;
	memcpy(req->command, line + start, i - start);
	while (i < len) {
		size_t wlen;

		while (i < len && line[i] == ' ')
			i++;
		start = i;
		while (i < len && line[i] != ' ')
			i++;
		wlen = i - start;
		if (!wlen)
			break;
		if (wlen == 4 && memcmp(line + start, "json", 4) == 0 && !req->json) {
			req->json = true;
		} else if (!req->arg[0] && wlen < CONTROL_ARG_MAX) {
			memcpy(req->arg, line + start, wlen);
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static void stream_end(struct control_client *c)
{
	if (c->stream.free)
		c->stream.free(c->stream.state);
	memset(&c->stream, 0, sizeof(c->stream));
}

static void client_free(struct control_client *c)
{
	struct control *ctl = c->ctl;
	int i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i] == c)
			ctl->clients[i] = NULL;
	loop_timer_disarm(ctl->loop, &c->timeout);
	loop_source_free(c->source);
	close(c->fd);
	stream_end(c);
	strbuf_free(&c->out);
	free(c);
}

static void on_client_timeout(struct loop *loop, void *data)
{
	(void)loop;
	client_free(data);
}

/* Returns true when everything is written (or the client is gone). */
static bool client_flush(struct control_client *c)
{
	size_t before = c->sent;

	while (c->sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.buf + c->sent, c->out.len - c->sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			stream_end(c); /* gone: nothing more to produce */
			return true;
		}
		c->sent += (size_t)n;
	}
	/* A slow reader that keeps reading is still served; one that stopped is not. */
	if (c->sent != before)
		loop_timer_arm(c->ctl->loop, &c->timeout, CONTROL_WRITE_TIMEOUT_MS);
	return c->sent == c->out.len;
}

/*
 * Once what is queued has drained: the next slice of a streamed body, so a
 * long list costs each loop turn one slice and patrons' scans get in
 * between. Returns true when the answer is complete.
 */
static bool client_pump(struct control_client *c)
{
	int r;

	if (!client_flush(c))
		return false;
	if (!c->stream.next)
		return true;
	c->out.len = 0;
	c->sent = 0;
	r = c->stream.next(c->stream.state, &c->out);
	if (r <= 0 || c->out.oom)
		stream_end(c);
	if (c->out.oom)
		return true;
	return client_flush(c) && !c->stream.next;
}

static void client_answer(struct control_client *c, const char *line, size_t len)
{
	struct control_request req;
	struct strbuf body = { 0 };
	int r;

	c->asked = true;
	r = control_request_parse(line, len, &req);
	if (r < 0) {
		strbuf_printf(&c->out, "error malformed request\n");
	} else {
		r = c->ctl->fn(c->ctl->data, &req, &body, &c->stream);
		if (body.oom)
			r = -ENOMEM;
		if (r < 0) {
			stream_end(c);
			strbuf_printf(&c->out, "error %s\n",
				      body.len && !body.oom ? body.buf : strerror(-r));
		} else {
			strbuf_printf(&c->out, "ok\n%s", body.len ? body.buf : "");
		}
	}
	strbuf_free(&body);
	loop_timer_arm(c->ctl->loop, &c->timeout, CONTROL_WRITE_TIMEOUT_MS);
	/* A stream's next slice waits for a later turn, when the socket says it has room. */
	if (c->out.oom || (client_flush(c) && !c->stream.next)) {
		client_free(c);
		return;
	}
	loop_source_set_events(c->source, EPOLLOUT);
}

static void on_client(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct control_client *c = data;
	char *nl;
	ssize_t n;

	(void)loop;
	if (c->asked) { /* answering: only waiting to write */
		if ((events & (EPOLLERR | EPOLLHUP)) || client_pump(c))
			client_free(c);
		return;
	}
	n = recv(fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_free(c);
		return;
	}
	c->in_len += (size_t)n;
	nl = memchr(c->in, '\n', c->in_len);
	if (nl) {
		client_answer(c, c->in, (size_t)(nl - c->in));
		return;
	}
	if (c->in_len == sizeof(c->in)) {
		c->asked = true;
		strbuf_printf(&c->out, "error request too long\n");
		if (client_flush(c))
			client_free(c);
		else
			loop_source_set_events(c->source, EPOLLOUT);
	}
}

/* Bytes that epoll has not handed us yet: a request on its way, not a silent client. */
static bool has_input(const struct control_client *c)
{
	char byte;

	return c->in_len || recv(c->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

/* A free slot, or the one of the oldest client still silent; -1 when all are answering. */
static int free_slot(struct control *ctl)
{
	struct control_client *oldest = NULL;
	int slot;

	for (slot = 0; slot < CONTROL_MAX_CLIENTS; slot++) {
		struct control_client *c = ctl->clients[slot];

		if (!c)
			return slot;
		if (!c->asked && (!oldest || c->serial < oldest->serial) && !has_input(c))
			oldest = c;
	}
	if (!oldest)
		return -1;
	for (slot = 0; ctl->clients[slot] != oldest; slot++)
		;
	client_free(oldest);
	return slot;
}

static void on_listen(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct control *ctl = data;
	struct control_client *c;
	int cfd, slot;

	(void)events;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	slot = free_slot(ctl);
	c = slot >= 0 ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		close(cfd);
		return;
	}
	c->ctl = ctl;
	c->fd = cfd;
	c->serial = ctl->accepted++;
	loop_timer_init(&c->timeout, on_client_timeout, c);
	if (loop_add_io(loop, cfd, EPOLLIN, on_client, c, &c->source) < 0) {
		close(cfd);
		free(c);
		return;
	}
	ctl->clients[slot] = c;
	loop_timer_arm(loop, &c->timeout, CONTROL_SILENT_TIMEOUT_MS);
}

/*
 * A socket file left by a crash would make bind() fail, so it goes; but the
 * path may name anything (a typo, the store itself): whatever is not a
 * socket is refused, never unlinked, and so is a socket another process
 * still listens on.
 */
static int remove_stale_socket(const char *path, const struct sockaddr_un *addr)
{
	struct stat st;
	int probe, r = 0;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	probe = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (probe < 0)
		return -errno;
	/* Non-blocking: a live listener answers at once, or EAGAIN when its backlog is full. */
	if (connect(probe, (const struct sockaddr *)addr, sizeof(*addr)) == 0 || errno == EAGAIN)
		r = -EADDRINUSE;
	close(probe);
	if (r == 0 && unlink(path) < 0 && errno != ENOENT)
		r = -errno;
	return r;
}

/* Only the socket we bound: the path may since name something else. */
static void unlink_own_socket(struct control *ctl)
{
	struct stat st;

	if (!ctl->bound || lstat(ctl->path, &st) < 0)
		return;
	if (S_ISSOCK(st.st_mode) && st.st_dev == ctl->dev && st.st_ino == ctl->ino)
		unlink(ctl->path);
}

int control_new(struct loop *loop, const char *path, const char *group, control_fn fn, void *data,
		struct control **ret)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct control *ctl;
	struct stat st;
	int r;

	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl)
		return -ENOMEM;
	ctl->loop = loop;
	ctl->fn = fn;
	ctl->data = data;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	memcpy(addr.sun_path, path, strlen(path));

	ctl->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (ctl->fd < 0) {
		r = -errno;
		goto err_free;
	}
	r = remove_stale_socket(path, &addr);
	if (r < 0)
		goto err_close;
	if (bind(ctl->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		goto err_close;
	}
	if (lstat(path, &st) < 0) {
		r = -errno;
		goto err_close;
	}
	ctl->dev = st.st_dev;
	ctl->ino = st.st_ino;
	ctl->bound = true;
	if (chmod(path, 0660) < 0) {
		r = -errno;
		goto err_unlink;
	}
	if (group && *group) {
		struct group *gr = getgrnam(group);

		if (!gr) {
			r = -ENOENT;
			goto err_unlink;
		}
		if (chown(path, (uid_t)-1, gr->gr_gid) < 0) {
			r = -errno;
			goto err_unlink;
		}
	}
	if (listen(ctl->fd, CONTROL_MAX_CLIENTS) < 0) {
		r = -errno;
		goto err_unlink;
	}
	r = loop_add_io(loop, ctl->fd, EPOLLIN, on_listen, ctl, &ctl->listen_source);
	if (r < 0)
		goto err_unlink;
	*ret = ctl;
	return 0;

err_unlink:
	unlink_own_socket(ctl);
err_close:
	close(ctl->fd);
err_free:
	free(ctl);
	return r;
}

void control_free(struct control *ctl)
{
	int i;

	if (!ctl)
		return;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl->clients[i])
			client_free(ctl->clients[i]);
	loop_source_free(ctl->listen_source);
	close(ctl->fd);
	unlink_own_socket(ctl);
	free(ctl);
}
