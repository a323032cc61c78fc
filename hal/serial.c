/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Serial ports: raw termios, and USB-serial ttys found through sysfs (serial.h). */
#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const struct {
	unsigned baud;
	speed_t speed;
} speeds[] = {
	{ 1200, B1200 },   { 2400, B2400 },   { 4800, B4800 },     { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },   { 115200, B115200 },
	{ 230400, B230400 },
};

void serial_settings_name(const struct serial_settings *s, char *buf, size_t size)
{
	static const char parity_letters[] = { 'N', 'E', 'O' };
	char parity = '?';

	if ((unsigned)s->parity < sizeof(parity_letters))
		parity = parity_letters[s->parity];
	snprintf(buf, size, "%u %u%c%u", s->baud, s->data_bits, parity, s->stop_bits);
}

void serial_settings_from_board(const struct board_rfid *def,
				const struct serial_settings *defaults,
				struct serial_settings *out)
{
	*out = *defaults;
	if (def->baud)
		out->baud = def->baud;
	if (def->data_bits)
		out->data_bits = def->data_bits;
	if (def->stop_bits)
		out->stop_bits = def->stop_bits;
	if (def->parity != BOARD_PARITY_DEFAULT)
		out->parity = (enum serial_parity)(def->parity - BOARD_PARITY_NONE);
}

static int speed_of(unsigned baud, speed_t *ret)
{
	for (size_t i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++) {
		if (speeds[i].baud == baud) {
			*ret = speeds[i].speed;
			return 0;
		}
	}
	return -EINVAL;
}

static tcflag_t cflag_bits(const struct serial_settings *s)
{
	tcflag_t c = s->data_bits == 7 ? CS7 : CS8;

	if (s->parity != SERIAL_PARITY_NONE)
		c |= PARENB;
	if (s->parity == SERIAL_PARITY_ODD)
		c |= PARODD;
	if (s->stop_bits == 2)
		c |= CSTOPB;
	return c;
}

#define CFLAG_MASK (CSIZE | PARENB | PARODD | CSTOPB)

int serial_open(const char *path, const struct serial_settings *s, char *why, size_t why_size)
{
	char name[32];
	struct termios t, back;
	speed_t speed;
	int fd, r;

	serial_settings_name(s, name, sizeof(name));
	if (speed_of(s->baud, &speed) < 0 || (s->data_bits != 7 && s->data_bits != 8) ||
	    (s->stop_bits != 1 && s->stop_bits != 2) || (unsigned)s->parity > SERIAL_PARITY_ODD) {
		snprintf(why, why_size, "%s: unsupported settings %s", path, name);
		return -EINVAL;
	}
	fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		snprintf(why, why_size, "%s: %s", path, strerror(-r));
		return r;
	}
	if (tcgetattr(fd, &t) < 0) {
		r = -errno;
		snprintf(why, why_size, "%s: not a serial port (%s)", path, strerror(-r));
		goto err_close;
	}
	cfmakeraw(&t);
	t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY | INPCK);
	t.c_cflag &= ~(tcflag_t)(CFLAG_MASK | CRTSCTS);
	t.c_cflag |= cflag_bits(s) | CREAD | CLOCAL;
	if (s->parity != SERIAL_PARITY_NONE)
		t.c_iflag |= INPCK; /* a parity error is a bad byte, for the frame's CRC to catch */
	/* VMIN 1: with O_NONBLOCK an empty read is EAGAIN, so 0 can only mean a hang-up. */
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	cfsetispeed(&t, speed);
	cfsetospeed(&t, speed);
	if (tcsetattr(fd, TCSANOW, &t) < 0) {
		r = -errno;
		snprintf(why, why_size, "%s: the port refused %s (%s)", path, name, strerror(-r));
		goto err_close;
	}
	/* tcsetattr() succeeds when any of the settings took: check they all did. */
	if (tcgetattr(fd, &back) < 0 || (back.c_cflag & CFLAG_MASK) != (t.c_cflag & CFLAG_MASK) ||
	    cfgetospeed(&back) != speed) {
		r = -EINVAL;
		snprintf(why, why_size, "%s: the port did not take %s", path, name);
		goto err_close;
	}
	tcflush(fd, TCIOFLUSH);
	return fd;

err_close:
	close(fd);
	return r;
}

unsigned serial_bytes_ms(const struct serial_settings *s, size_t n)
{
	/* start bit, data, parity, stop bits */
	uint64_t bits = (uint64_t)n * (1 + s->data_bits + (s->parity != SERIAL_PARITY_NONE) +
				       s->stop_bits);

	if (!s->baud)
		return 0;
	return (unsigned)((bits * 1000 + s->baud - 1) / s->baud);
}

static bool usb_tty_name(const char *name)
{
	return strncmp(name, "ttyUSB", 6) == 0 || strncmp(name, "ttyACM", 6) == 0;
}

int serial_usb_find(const char *sysfs_root, const char *dev_dir, const struct serial_usb_match *m,
		    char *path, size_t path_size, char *port, size_t port_size)
{
	const struct usb_sysfs_match usb = { m->vid, m->pid, m->serial, m->port };

	return usb_sysfs_find(sysfs_root, "tty", usb_tty_name, dev_dir, &usb, path, path_size,
			      port, port_size);
}

int serial_open_board(const struct board_rfid *def, const struct serial_settings *defaults,
		      const char *sysfs_root, const char *dev_dir, char *path, size_t path_size,
		      char *why, size_t why_size)
{
	struct serial_usb_match m = { def->usb_vid, def->usb_pid, def->serial, def->port };
	struct serial_settings s;
	int r;

	serial_settings_from_board(def, defaults, &s);
	if (def->device[0]) {
		if ((size_t)snprintf(path, path_size, "%s", def->device) >= path_size) {
			snprintf(why, why_size, "%s: path too long", def->device);
			return -ENAMETOOLONG;
		}
		return serial_open(path, &s, why, why_size);
	}
	r = serial_usb_find(sysfs_root, dev_dir, &m, path, path_size, NULL, 0);
	if (r == -ENOENT)
		snprintf(why, why_size, "no USB serial port %04x:%04x plugged in", def->usb_vid,
			 def->usb_pid);
	else if (r == -ENOTUNIQ)
		snprintf(why, why_size,
			 "several USB serial ports %04x:%04x: tell them apart by serial or port",
			 def->usb_vid, def->usb_pid);
	else if (r < 0)
		snprintf(why, why_size, "cannot look for USB serial port %04x:%04x: %s",
			 def->usb_vid, def->usb_pid, strerror(-r));
	if (r < 0)
		return r;
	return serial_open(path, &s, why, why_size);
}
