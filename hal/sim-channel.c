/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sim test channel (see sim.h for the protocol; the parser is
 * sim-command.c).
 *
 * A test must never be able to stall the kiosk, so every socket write is
 * non-blocking: output that does not fit is queued per client and flushed on
 * EPOLLOUT, and a client that lets more than SIM_OUT_MAX pile up is dropped.
 *
 * Commands run synchronously from a client's read callback, and a handler may
 * emit events, which write to every client, including the sender. A write
 * can find a client gone; it is then marked dead and its fd closed at once,
 * but its memory is only freed when no dispatch is running (dispatch_depth),
 * so the read callback that is still walking the sender's buffer stays safe.
 */
#include "sim.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "loop.h"

#define SIM_MAX_CLIENTS 16
#define SIM_LINE_MAX 512            /* one command line, without its newline */
#define SIM_OUT_MAX (1024 * 1024)   /* queued output before a client is dropped */
#define SIM_EVENT_MAX 8192          /* one event line, newline included */

_Static_assert(sizeof("printer ") + 2 * SIM_PRINTER_BYTES_MAX + 1 <= SIM_EVENT_MAX,
	       "a printed receipt fits one event line");

struct line_reader {
	char buf[SIM_LINE_MAX];
	size_t len;
	bool discarding; /* inside an over-long line, until its newline */
};

struct sim_client {
	struct sim_channel *ch;
	int fd;
	struct loop_source *source;
	bool dead;
	bool read_closed; /* peer shut down its side; close once output is flushed */
	bool want_out;    /* EPOLLOUT armed */
	struct line_reader in;
	char *out;
	size_t out_start, out_end, out_cap;
};

struct sim_handler {
	sim_cmd_fn fn;
	void *data;
};

struct sim_channel {
	struct sim_channel *next_channel; /* in the registry sim_channel_get() reads */
	struct loop *loop;
	char *socket_path;
	int listen_fd;
	struct loop_source *listen_source;
	bool terminal;
	struct loop_source *stdin_source; /* NULL: stdin not watched */
	struct line_reader term_in;
	struct sim_client *clients[SIM_MAX_CLIENTS];
	unsigned n_clients;
	unsigned dispatch_depth;
	struct sim_handler handlers[SIM_CMD__COUNT][SIM_HANDLERS_MAX];
	unsigned n_handlers[SIM_CMD__COUNT];
};

/* Few channels (one per loop; tests may run several loops): a list will do. */
static struct sim_channel *channels;

static struct sim_channel *channel_of(const struct loop *loop)
{
	struct sim_channel *ch;

	for (ch = channels; ch; ch = ch->next_channel)
		if (ch->loop == loop)
			return ch;
	return NULL;
}

static void client_kill(struct sim_client *c)
{
	if (c->dead)
		return;
	c->dead = true;
	loop_source_free(c->source);
	c->source = NULL;
	close(c->fd);
	c->fd = -1;
	explicit_bzero(&c->in, sizeof(c->in));
}

static void client_free(struct sim_client *c)
{
	free(c->out);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

/* Frees dead clients, unless a dispatch further up the stack may still use them. */
static void reap(struct sim_channel *ch)
{
	unsigned i, kept = 0;

	if (ch->dispatch_depth)
		return;
	for (i = 0; i < ch->n_clients; i++) {
		if (ch->clients[i]->dead)
			client_free(ch->clients[i]);
		else
			ch->clients[kept++] = ch->clients[i];
	}
	ch->n_clients = kept;
}

static void client_set_want_out(struct sim_client *c, bool want)
{
	uint32_t events = (c->read_closed ? 0 : EPOLLIN) | (want ? EPOLLOUT : 0);

	if (c->want_out == want)
		return;
	if (loop_source_set_events(c->source, events) < 0) {
		client_kill(c);
		return;
	}
	c->want_out = want;
}

static void client_flush(struct sim_client *c)
{
	while (!c->dead && c->out_start < c->out_end) {
		ssize_t n = send(c->fd, c->out + c->out_start, c->out_end - c->out_start,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			client_kill(c);
			return;
		}
		c->out_start += (size_t)n;
	}
	if (c->dead)
		return;
	if (c->out_start < c->out_end) {
		client_set_want_out(c, true);
		return;
	}
	c->out_start = c->out_end = 0;
	if (c->read_closed)
		client_kill(c);
	else
		client_set_want_out(c, false);
}

static void client_queue(struct sim_client *c, const char *data, size_t len)
{
	size_t pending;

	if (c->dead)
		return;
	pending = c->out_end - c->out_start;
	if (pending + len > SIM_OUT_MAX) {
		client_kill(c);
		return;
	}
	if (c->out_end + len > c->out_cap) {
		if (c->out_start) {
			memmove(c->out, c->out + c->out_start, pending);
			c->out_start = 0;
			c->out_end = pending;
		}
		if (pending + len > c->out_cap) {
			size_t cap = c->out_cap ? c->out_cap * 2 : 4096;
			char *out;

			while (cap < pending + len)
				cap *= 2;
			out = realloc(c->out, cap);
			if (!out) {
				client_kill(c);
				return;
			}
			c->out = out;
			c->out_cap = cap;
		}
	}
	memcpy(c->out + c->out_end, data, len);
	c->out_end += len;
	/* With EPOLLOUT armed the socket is full; the loop flushes when it drains. */
	if (!c->want_out)
		client_flush(c);
}

static void client_queue_str(struct sim_client *c, const char *s)
{
	client_queue(c, s, strlen(s));
}

/* Answers a command's sender: a client, or the terminal when c is NULL. */
static void answer(struct sim_client *c, const char *error)
{
	if (!c) {
		if (error) {
			fputs("error: ", stdout);
			fputs(error, stdout);
			fputs("\n", stdout);
			fflush(stdout);
		}
		return;
	}
	if (!error) {
		client_queue_str(c, "ok\n");
		return;
	}
	client_queue_str(c, "error ");
	client_queue_str(c, error);
	client_queue_str(c, "\n");
}

static void dispatch(struct sim_channel *ch, struct sim_client *sender, const char *line,
		     size_t len)
{
	struct sim_command cmd;
	const char *why;
	unsigned i;
	int r;

	r = sim_command_parse(line, len, sender == NULL, &cmd, &why);
	if (r < 0) {
		answer(sender, why);
		return;
	}
	r = -ENOENT;
	/* Handlers do not come or go while a command runs: the devices are opened at start. */
	for (i = 0; i < ch->n_handlers[cmd.cmd] && r == -ENOENT; i++) {
		const struct sim_handler *h = &ch->handlers[cmd.cmd][i];

		r = h->fn(h->data, &cmd);
	}
	if (i)
		why = r < 0 ? strerror(-r) : NULL;
	else
		why = cmd.cmd == SIM_CMD_PING ? NULL : "unsupported";
	explicit_bzero(&cmd, sizeof(cmd));
	if (!(sender && sender->dead))
		answer(sender, why);
}

/* Splits bytes into lines and dispatches each; sender NULL is the terminal. */
static void reader_feed(struct sim_channel *ch, struct sim_client *sender,
			struct line_reader *rd, const char *data, size_t n)
{
	while (n && !(sender && sender->dead)) {
		const char *nl = memchr(data, '\n', n);
		size_t take = nl ? (size_t)(nl - data) : n;

		if (!rd->discarding && rd->len + take > SIM_LINE_MAX) {
			explicit_bzero(rd->buf, rd->len);
			rd->len = 0;
			rd->discarding = true;
		}
		if (!rd->discarding) {
			memcpy(rd->buf + rd->len, data, take);
			rd->len += take;
		}
		if (nl) {
			if (rd->discarding)
				answer(sender, "line too long");
			else
				dispatch(ch, sender, rd->buf, rd->len);
			/* sender may be dead now; its reader is still ours to wipe. */
			explicit_bzero(rd->buf, rd->len);
			rd->len = 0;
			rd->discarding = false;
			take++;
		}
		data += take;
		n -= take;
	}
}

static void on_client(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct sim_client *c = data;
	struct sim_channel *ch = c->ch;
	char buf[4096];
	ssize_t n;

	ch->dispatch_depth++;
	if (events & EPOLLOUT)
		client_flush(c);
	/* Trust read(), not EPOLLHUP: a peer that hung up may have left commands unread. */
	if (!c->dead && !c->read_closed && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			reader_feed(ch, c, &c->in, buf, (size_t)n);
			explicit_bzero(buf, (size_t)n); /* may hold a PIN */
		} else if (n == 0) {
			/* Half-closed: the peer may still be reading its answers. */
			c->read_closed = true;
			if (c->out_start == c->out_end)
				client_kill(c);
			else if (loop_source_set_events(c->source, EPOLLOUT) < 0)
				client_kill(c);
			else
				c->want_out = true;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			client_kill(c);
		}
	} else if (!c->dead && c->read_closed && (events & (EPOLLHUP | EPOLLERR))) {
		client_kill(c);
	}
	ch->dispatch_depth--;
	reap(ch);
}

static void on_listen(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct sim_channel *ch = data;

	ch->dispatch_depth++;
	for (;;) {
		struct sim_client *c;
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		if (ch->n_clients == SIM_MAX_CLIENTS) {
			static const char full[] = "error too many clients\n";

			(void)!send(cfd, full, sizeof(full) - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
			close(cfd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(cfd);
			continue;
		}
		c->ch = ch;
		c->fd = cfd;
		if (loop_add_io(loop, cfd, EPOLLIN, on_client, c, &c->source) < 0) {
			close(cfd);
			free(c);
			continue;
		}
		ch->clients[ch->n_clients++] = c;
		client_queue_str(c, "hello circd\n");
	}
	ch->dispatch_depth--;
	reap(ch);
}

static void stdin_close(struct sim_channel *ch)
{
	if (!ch->stdin_source)
		return;
	loop_source_free(ch->stdin_source);
	ch->stdin_source = NULL;
	explicit_bzero(&ch->term_in, sizeof(ch->term_in));
}

static void on_stdin(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct sim_channel *ch = data;
	char buf[1024];
	ssize_t n;

	/*
	 * One read per readiness event, so stdin can stay blocking: O_NONBLOCK
	 * would be set on the terminal's shared file description and outlive us.
	 */
	n = read(fd, buf, sizeof(buf));
	ch->dispatch_depth++;
	if (n > 0) {
		reader_feed(ch, NULL, &ch->term_in, buf, (size_t)n);
		explicit_bzero(buf, (size_t)n);
	} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
		if (ch->term_in.len && !ch->term_in.discarding)
			dispatch(ch, NULL, ch->term_in.buf, ch->term_in.len);
		/* End of input is not the end of the kiosk; the socket lives on. */
		stdin_close(ch);
	}
	ch->dispatch_depth--;
	reap(ch);
}

static int listen_socket_open(struct sim_channel *ch, const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	struct stat st;
	int fd, r;

	if (len == 0 || len >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	memcpy(addr.sun_path, path, len + 1);
	/* Replace a socket left by a crashed run, but never clobber anything else. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return -EEXIST;
		if (unlink(path) < 0)
			return -errno;
	} else if (errno != ENOENT) {
		return -errno;
	}
	ch->socket_path = strdup(path);
	if (!ch->socket_path)
		return -ENOMEM;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto err_path;
	}
	if (bind(fd, (const struct sockaddr *)&addr, sizeof(addr)) < 0) {
		r = -errno;
		goto err_socket;
	}
	if (chmod(path, 0660) < 0 || listen(fd, SIM_MAX_CLIENTS) < 0) {
		r = -errno;
		goto err_unlink;
	}
	r = loop_add_io(ch->loop, fd, EPOLLIN, on_listen, ch, &ch->listen_source);
	if (r < 0)
		goto err_unlink;
	ch->listen_fd = fd;
	return 0;

err_unlink:
	unlink(path);
err_socket:
	close(fd);
err_path:
	free(ch->socket_path);
	ch->socket_path = NULL;
	return r;
}

static void listen_socket_close(struct sim_channel *ch)
{
	if (ch->listen_fd >= 0) {
		loop_source_free(ch->listen_source);
		ch->listen_source = NULL;
		close(ch->listen_fd);
		ch->listen_fd = -1;
	}
	if (ch->socket_path) {
		unlink(ch->socket_path);
		free(ch->socket_path);
		ch->socket_path = NULL;
	}
}

int sim_channel_new(struct loop *loop, const char *socket_path, bool terminal,
		    struct sim_channel **ret)
{
	struct sim_channel *ch;
	int r;

	if (channel_of(loop))
		return -EBUSY;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -ENOMEM;
	ch->loop = loop;
	ch->listen_fd = -1;
	ch->terminal = terminal;
	if (socket_path) {
		r = listen_socket_open(ch, socket_path);
		if (r < 0)
			goto err_free;
	}
	if (terminal) {
		r = loop_add_io(loop, STDIN_FILENO, EPOLLIN, on_stdin, ch, &ch->stdin_source);
		/*
		 * -EPERM: stdin is a regular file or /dev/null, which epoll cannot
		 * watch. Events are still echoed; there is just nothing to type.
		 */
		if (r < 0 && r != -EPERM)
			goto err_socket;
	}
	ch->next_channel = channels;
	channels = ch;
	*ret = ch;
	return 0;

err_socket:
	listen_socket_close(ch);
err_free:
	free(ch);
	return r;
}

void sim_channel_free(struct sim_channel *ch)
{
	struct sim_channel **link;
	unsigned i;

	if (!ch)
		return;
	for (link = &channels; *link; link = &(*link)->next_channel)
		if (*link == ch) {
			*link = ch->next_channel;
			break;
		}
	for (i = 0; i < ch->n_clients; i++) {
		client_kill(ch->clients[i]);
		client_free(ch->clients[i]);
	}
	listen_socket_close(ch);
	stdin_close(ch);
	free(ch);
}

struct sim_channel *sim_channel_get(const struct hal_env *env)
{
	return env && env->loop ? channel_of(env->loop) : NULL;
}

bool sim_channel_needed(const struct board *board)
{
	if (!strcmp(board->gpio_backend, "sim") || !strcmp(board->scanner_backend, "sim") ||
	    !strcmp(board->display_backend, "sim") || !strcmp(board->printer_backend, "sim"))
		return true;
	for (size_t i = 0; i < board->n_rfids; i++)
		if (board->rfids[i].protocol == RFID_PROTOCOL_SIM)
			return true;
	return false;
}

void sim_channel_on(struct sim_channel *ch, enum sim_cmd cmd, sim_cmd_fn fn, void *data)
{
	if (!ch || (int)cmd < 0 || cmd >= SIM_CMD__COUNT)
		return;
	ch->n_handlers[cmd] = 0;
	if (fn)
		sim_channel_add(ch, cmd, fn, data);
}

int sim_channel_add(struct sim_channel *ch, enum sim_cmd cmd, sim_cmd_fn fn, void *data)
{
	if (!ch || (int)cmd < 0 || cmd >= SIM_CMD__COUNT || !fn)
		return -EINVAL;
	if (ch->n_handlers[cmd] == SIM_HANDLERS_MAX)
		return -ENOSPC;
	ch->handlers[cmd][ch->n_handlers[cmd]++] = (struct sim_handler){ fn, data };
	return 0;
}

void sim_channel_remove(struct sim_channel *ch, enum sim_cmd cmd, sim_cmd_fn fn, void *data)
{
	struct sim_handler *list;
	unsigned n;

	if (!ch || (int)cmd < 0 || cmd >= SIM_CMD__COUNT)
		return;
	list = ch->handlers[cmd];
	n = ch->n_handlers[cmd];
	for (unsigned i = 0; i < n; i++) {
		if (list[i].fn == fn && list[i].data == data) {
			memmove(&list[i], &list[i + 1], (n - i - 1) * sizeof(list[0]));
			ch->n_handlers[cmd]--;
			return;
		}
	}
}

/* Prints the escaped "\n"s of a display text as real lines, indented under the text. */
static void echo_multiline(const char *text, int indent)
{
	const char *p;

	for (p = text; *p; p++) {
		if (p[0] == '\\' && p[1] == 'n') {
			fprintf(stdout, "\n%*s", indent, "");
			p++;
		} else {
			fputc(*p, stdout);
		}
	}
}

/* The terminal's readable form of an event line. */
static void terminal_echo(const char *ev)
{
	const char *sp;

	if (strncmp(ev, "gpio ", 5) == 0 && (sp = strrchr(ev, ' ')) > ev + 5) {
		fprintf(stdout, "  [%.*s] %s\n", (int)(sp - (ev + 5)), ev + 5,
			strcmp(sp + 1, "1") == 0 ? "on" : "off");
	} else if (strncmp(ev, "display ", 8) == 0 && (sp = strchr(ev + 8, ' '))) {
		int indent = fprintf(stdout, "  [display:%.*s] ", (int)(sp - (ev + 8)), ev + 8);

		echo_multiline(sp + 1, indent > 0 ? indent : 0);
		fputc('\n', stdout);
	} else {
		fputs("  ", stdout);
		fputs(ev, stdout);
		fputc('\n', stdout);
	}
	fflush(stdout);
}

void sim_channel_emit(struct sim_channel *ch, const char *fmt, ...)
{
	char line[SIM_EVENT_MAX];
	va_list ap;
	size_t len, i;
	int n;

	if (!ch)
		return;
	va_start(ap, fmt);
	/* One byte short, to leave room for the newline; longer events are cut. */
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len = (size_t)n < sizeof(line) - 2 ? (size_t)n : sizeof(line) - 2;
	/* An embedded newline would split the event and desynchronise every reader. */
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	line[len] = '\0';
	if (ch->terminal)
		terminal_echo(line);
	line[len++] = '\n';
	for (i = 0; i < ch->n_clients; i++)
		client_queue(ch->clients[i], line, len);
	reap(ch);
}
