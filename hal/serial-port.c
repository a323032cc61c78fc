/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A reader's serial port on the loop (serial-port.h). */
#include "serial-port.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <termios.h>
#include <unistd.h>

struct serial_port {
	struct hal_env env;
	struct serial_port_events events;
	void *data;
	struct board_rfid def;
	struct serial_settings defaults, settings;
	char sysfs_root[256], dev_dir[256];
	int fd;
	struct loop_source *source;
	char path[BOARD_DEVICE_PATH_MAX];
	char last_why[160]; /* the failure last reported, to report each once */
	struct loop_timer retry, quiet;
	unsigned quiet_ms;
	uint8_t out[SERIAL_PORT_OUT_MAX];
	size_t out_len;
	unsigned dispatching; /* inside one of our callbacks */
	bool freed;           /* freed from a callback: the memory goes when it returns */
};

static void report_state(struct serial_port *p, bool attached, const char *why)
{
	if (!attached && strcmp(why, p->last_why) == 0)
		return;
	snprintf(p->last_why, sizeof(p->last_why), "%s", why);
	if (p->events.state)
		p->events.state(p->data, attached, why);
}

static void on_io(struct loop *loop, int fd, uint32_t events, void *data);

static void try_open(struct serial_port *p)
{
	char why[160] = "";
	int fd, r;

	fd = serial_open_board(&p->def, &p->defaults, p->sysfs_root, p->dev_dir, p->path,
			       sizeof(p->path), why, sizeof(why));
	if (fd < 0) {
		p->path[0] = '\0';
		loop_timer_arm(p->env.loop, &p->retry, SERIAL_PORT_RETRY_MS);
		report_state(p, false, why);
		return;
	}
	r = loop_add_io(p->env.loop, fd, EPOLLIN, on_io, p, &p->source);
	if (r < 0) {
		close(fd);
		p->path[0] = '\0';
		snprintf(why, sizeof(why), "cannot watch the port: %s", strerror(-r));
		loop_timer_arm(p->env.loop, &p->retry, SERIAL_PORT_RETRY_MS);
		report_state(p, false, why);
		return;
	}
	p->fd = fd;
	p->out_len = 0;
	p->last_why[0] = '\0';
	report_state(p, true, "");
}

static void on_retry(struct loop *loop, void *data)
{
	try_open(data);
}

static void detach(struct serial_port *p)
{
	loop_source_free(p->source);
	p->source = NULL;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->out_len = 0;
	p->path[0] = '\0';
	loop_timer_disarm(p->env.loop, &p->quiet);
}

static void hang_up(struct serial_port *p, const char *what, int err)
{
	char why[200];

	snprintf(why, sizeof(why), "%s: %s", p->path, err ? strerror(err) : what);
	detach(p);
	loop_timer_arm(p->env.loop, &p->retry, SERIAL_PORT_RETRY_MS);
	report_state(p, false, why);
}

static void flush_out(struct serial_port *p)
{
	ssize_t n = p->out_len ? write(p->fd, p->out, p->out_len) : 0;

	if (n < 0 && errno != EAGAIN && errno != EINTR) {
		hang_up(p, "", errno);
		return;
	}
	if (n > 0) {
		memmove(p->out, p->out + n, p->out_len - (size_t)n);
		p->out_len -= (size_t)n;
	}
	loop_source_set_events(p->source, EPOLLIN | (p->out_len ? EPOLLOUT : 0));
}

static void end_dispatch(struct serial_port *p)
{
	if (--p->dispatching == 0 && p->freed)
		free(p);
}

static void on_io(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct serial_port *p = data;
	uint8_t buf[512];
	ssize_t n;

	p->dispatching++;
	if (events & EPOLLOUT)
		flush_out(p);
	/* Trust read(), not EPOLLHUP: what came before the hang-up is still handed over. */
	while (!p->freed && p->fd >= 0 && (events & (EPOLLIN | EPOLLHUP | EPOLLERR))) {
		n = read(p->fd, buf, sizeof(buf));
		if (n > 0) {
			if (p->quiet_ms)
				loop_timer_arm(p->env.loop, &p->quiet, p->quiet_ms);
			if (p->events.data)
				p->events.data(p->data, buf, (size_t)n);
			/* Short: all there was. More, or a hang-up after it, is the next event's. */
			if ((size_t)n < sizeof(buf))
				break;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		/* 0: a hang-up (VMIN is 1, see serial.c); EIO: the adapter is gone */
		hang_up(p, "the port hung up", n < 0 ? errno : 0);
		break;
	}
	end_dispatch(p);
}

static void on_quiet(struct loop *loop, void *data)
{
	struct serial_port *p = data;

	p->quiet_ms = 0;
	p->dispatching++;
	if (p->events.timeout)
		p->events.timeout(p->data);
	end_dispatch(p);
}

int serial_port_open(const struct hal_env *env, const struct serial_port_config *cfg,
		     const struct serial_port_events *events, void *data,
		     struct serial_port **ret)
{
	struct serial_port *p = calloc(1, sizeof(*p));

	*ret = NULL;
	if (!p)
		return -ENOMEM;
	p->env = *env;
	if (events)
		p->events = *events;
	p->data = data;
	p->def = *cfg->def;
	p->defaults = cfg->defaults;
	serial_settings_from_board(&p->def, &p->defaults, &p->settings);
	snprintf(p->sysfs_root, sizeof(p->sysfs_root), "%s",
		 cfg->sysfs_root ? cfg->sysfs_root : "/sys");
	snprintf(p->dev_dir, sizeof(p->dev_dir), "%s", cfg->dev_dir ? cfg->dev_dir : "/dev");
	p->fd = -1;
	loop_timer_init(&p->retry, on_retry, p);
	loop_timer_init(&p->quiet, on_quiet, p);
	*ret = p;
	try_open(p);
	return 0;
}

void serial_port_free(struct serial_port *p)
{
	if (!p || p->freed)
		return;
	detach(p);
	loop_timer_disarm(p->env.loop, &p->retry);
	if (p->dispatching) {
		p->freed = true;
		return;
	}
	free(p);
}

int serial_port_write(struct serial_port *p, const uint8_t *bytes, size_t len)
{
	int r;

	if (!p || p->fd < 0)
		return -ENODEV;
	if (len > sizeof(p->out) - p->out_len)
		return -ENOBUFS;
	memcpy(p->out + p->out_len, bytes, len);
	p->out_len += len;
	/* A write that finds the port gone reports it, and the state callback may free p. */
	p->dispatching++;
	flush_out(p);
	r = p->fd < 0 ? -ENODEV : 0;
	end_dispatch(p);
	return r;
}

void serial_port_flush(struct serial_port *p)
{
	if (!p || p->fd < 0)
		return;
	tcflush(p->fd, TCIOFLUSH);
	p->out_len = 0;
	loop_source_set_events(p->source, EPOLLIN);
}

void serial_port_expect(struct serial_port *p, unsigned ms)
{
	if (!p)
		return;
	p->quiet_ms = ms;
	if (ms)
		loop_timer_arm(p->env.loop, &p->quiet, ms);
	else
		loop_timer_disarm(p->env.loop, &p->quiet);
}

bool serial_port_attached(const struct serial_port *p)
{
	return p && p->fd >= 0;
}

const char *serial_port_path(const struct serial_port *p)
{
	return p ? p->path : "";
}

const struct serial_settings *serial_port_settings(const struct serial_port *p)
{
	return &p->settings;
}
