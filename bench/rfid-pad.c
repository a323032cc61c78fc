/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 3M pad for R1 (rfid-pad.h): tests/rfid/m3_helper.py as a tracked
 * child, one command line in and one answer line out; stacks of ISO 28560-3
 * item tags for it; and a bare client of the pad's frames.
 */
#include "rfid-pad.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "bench.h"
#include "iso28560-3.h"

#define PAD_HELPER "tests/rfid/m3_helper.py"

/* --- the emulated pad -------------------------------------------------------- */

/* What the forked child needs: it runs between fork and exec only. */
static struct {
	int in, out;
	const struct pad *pad;
	char log[128];
} helper_child;

static void exec_helper(int unused)
{
	int log = open(helper_child.log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

	if (dup2(helper_child.in, 0) < 0 || dup2(helper_child.out, 1) < 0)
		_exit(127);
	if (log >= 0)
		dup2(log, 2);
	execlp("python3", "python3", PAD_HELPER, helper_child.pad->link, (char *)NULL);
	_exit(127);
}

/* One answer line from the helper, without its newline. */
static int pad_line(struct pad *p, char *line, size_t size, int timeout_ms)
{
	return line_read(&p->in, p->from, line, size, timeout_ms) < 0 ? -1 : 0;
}

static int pad_write(struct pad *p, const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(p->to, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

int pad_cmd(struct pad *p, char *answer, size_t size, const char *fmt, ...)
{
	char line[512], reply[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return -1;
	line[n++] = '\n';
	if (pad_write(p, line, (size_t)n) < 0 || pad_line(p, reply, sizeof(reply), 5000) < 0)
		return -1;
	if (answer && size) {
		const char *rest = reply[2] == ' ' ? reply + 3 : "";
		size_t len = strnlen(rest, size - 1);

		memcpy(answer, rest, len);
		answer[len] = 0;
	}
	return strncmp(reply, "ok", 2) == 0 ? 0 : -1;
}

long pad_requests(struct pad *p, unsigned cmd)
{
	char answer[32];

	return pad_cmd(p, answer, sizeof(answer), "requests %02X", cmd) < 0 ? -1 :
										 atol(answer);
}

int pad_timeline(struct pad *p, double since_us, struct pad_event *ev, int max)
{
	char ask[64], line[sizeof(p->in.buf)];
	const char *at = line + 2;
	int n = 0, len;

	len = snprintf(ask, sizeof(ask), "timeline %.0f\n", since_us);
	if (pad_write(p, ask, (size_t)len) < 0 || pad_line(p, line, sizeof(line), 5000) < 0 ||
	    strncmp(line, "ok", 2) != 0)
		return -1;
	while (n < max) {
		int used;

		if (sscanf(at, " %x %lf %lf%n", &ev[n].cmd, &ev[n].received_us,
			   &ev[n].answered_us, &used) != 3)
			break;
		at += used;
		n++;
	}
	return n;
}

int pad_await(struct pad *p, unsigned cmd, int n, double since_us, int timeout_ms)
{
	char ask[96], line[64];
	int len = snprintf(ask, sizeof(ask), "await %02X %d %.0f %d\n", cmd, n, since_us,
			   timeout_ms);

	if (pad_write(p, ask, (size_t)len) < 0 ||
	    pad_line(p, line, sizeof(line), timeout_ms + 5000) < 0)
		return -1;
	return strncmp(line, "ok", 2) == 0 ? 0 : -1;
}

void pad_stop(struct pad *p)
{
	if (p->to >= 0) {
		pad_write(p, "quit\n", 5);
		close(p->to);
	}
	if (p->from >= 0)
		close(p->from);
	reap(p->pid);
	p->to = p->from = -1;
	p->pid = 0;
}

int pad_start(struct pad *p, const char *name, char *why)
{
	int in[2], out[2], err;
	char line[256];

	memset(p, 0, sizeof(*p));
	p->to = p->from = -1;
	bench_path(p->link, sizeof(p->link), name, "tty");
	if (pipe2(in, O_CLOEXEC) < 0)
		goto err_pipe;
	if (pipe2(out, O_CLOEXEC) < 0)
		goto err_pipe_out;
	helper_child.in = in[0];
	helper_child.out = out[1];
	helper_child.pad = p;
	bench_path(helper_child.log, sizeof(helper_child.log), name, "log");
	p->pid = spawn_fn(exec_helper, 0);
	close(in[0]);
	close(out[1]);
	p->to = in[1];
	p->from = out[0];
	if (p->pid <= 0 || pad_line(p, line, sizeof(line), 10000) < 0 ||
	    strncmp(line, "ready ", 6) != 0) {
		log_tail(name, line, sizeof(line));
		set_why(why, "the pad emulator did not start (%s)", line[0] ? line : "no output");
		pad_stop(p);
		return -1;
	}
	return 0;

err_pipe_out:
	err = errno;
	close(in[0]);
	close(in[1]);
	errno = err;
err_pipe:
	set_why(why, "pipe: %s", strerror(errno));
	return -1;
}

/* --- a stack of item tags ---------------------------------------------------- */

int stack_make(struct stack *s, unsigned first)
{
	for (unsigned i = 0; i < STACK_TAGS; i++) {
		struct tag_data item = {
			.model = TAG_MODEL_28560_3,
			.has_usage = true,
			.usage = TAG_USAGE_CIRCULATING << 4,
			.owner_isil = STACK_OWNER_ISIL,
		};

		snprintf(s->uid[i], sizeof(s->uid[i]), "E0040100%08X", first + i);
		item_barcode(first + i, item.item_id);
		memset(s->mem[i], 0, STACK_TAG_BYTES);
		if (iso28560_3_encode(&item, s->mem[i], STACK_TAG_BYTES) < 0)
			return -1;
	}
	return 0;
}

int stack_place(struct pad *p, const struct stack *s)
{
	char cmds[STACK_TAGS * 128], line[64];
	size_t len = 0;

	for (unsigned i = 0; i < STACK_TAGS; i++) {
		len += (size_t)snprintf(cmds + len, sizeof(cmds) - len, "place %s %d %02X ",
					s->uid[i], STACK_TAG_BYTES / M3_BLOCK_LEN, AFI_ON_SHELF);
		for (unsigned b = 0; b < STACK_TAG_BYTES; b++)
			len += (size_t)snprintf(cmds + len, sizeof(cmds) - len, "%02X",
						s->mem[i][b]);
		cmds[len++] = '\n';
	}
	if (pad_write(p, cmds, len) < 0)
		return -1;
	for (unsigned i = 0; i < STACK_TAGS; i++)
		if (pad_line(p, line, sizeof(line), 5000) < 0 || strncmp(line, "ok", 2) != 0)
			return -1;
	return 0;
}

int stack_remove(struct pad *p, const struct stack *s)
{
	for (unsigned i = 0; i < STACK_TAGS; i++)
		if (pad_cmd(p, NULL, 0, "remove %s", s->uid[i]) < 0)
			return -1;
	return 0;
}

int stack_secured(struct pad *p, const struct stack *s, bool secured[STACK_TAGS])
{
	char cmds[STACK_TAGS * 32], line[64];
	unsigned asked[STACK_TAGS], n = 0, done = 0;
	size_t len = 0;

	for (unsigned i = 0; i < STACK_TAGS; i++)
		if (!secured[i]) {
			len += (size_t)snprintf(cmds + len, sizeof(cmds) - len, "afi %s\n",
						s->uid[i]);
			asked[n++] = i;
		}
	if (n && pad_write(p, cmds, len) < 0)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		if (pad_line(p, line, sizeof(line), 5000) < 0)
			return -1;
		if (strtoul(line + 2, NULL, 16) == AFI_CHECKED_OUT && strncmp(line, "ok", 2) == 0)
			secured[asked[i]] = true;
	}
	for (unsigned i = 0; i < STACK_TAGS; i++)
		done += secured[i];
	return (int)done;
}

/* --- a bare client speaking the pad's frames --------------------------------- */

int m3_client_open(struct m3_client *c, const char *path)
{
	struct termios tio;

	memset(c, 0, sizeof(*c));
	m3_splitter_init(&c->splitter);
	c->fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (c->fd < 0)
		return -1;
	if (tcgetattr(c->fd, &tio) == 0) {
		cfmakeraw(&tio);
		cfsetspeed(&tio, B19200);
		tcsetattr(c->fd, TCSANOW, &tio);
	}
	return 0;
}

int m3_client_ask(struct m3_client *c, const uint8_t *frame, int len, struct m3_reply *reply)
{
	double deadline = now_us() + 2e6;
	struct m3_frame got;

	if (len < 0 || write(c->fd, frame, (size_t)len) != len)
		return -1;
	c->requests++;
	for (;;) {
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		size_t used;
		ssize_t r;
		int s = m3_splitter_next(&c->splitter, c->rx + c->at, c->len - c->at, &used, &got);

		c->at += used;
		if (s == 1)
			return got.cmd == frame[3] && m3_reply_parse(&got, reply) == 0 ? 0 : -1;
		if (s < 0)
			continue;
		if (now_us() > deadline || poll(&pfd, 1, 2000) <= 0)
			return -1;
		r = read(c->fd, c->rx, sizeof(c->rx));
		if (r <= 0)
			return -1;
		c->len = (size_t)r;
		c->at = 0;
	}
}

