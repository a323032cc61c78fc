/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ILS side of the online figures: the test ACS (tests/acs/acs.py, its
 * state in memory so that no figure pays for rewriting a JSON file), and
 * the baselines' SIP2 client -- the least a program can do to get a
 * transaction applied: one message out, its reply in, over one TCP socket.
 * It shares no code with circd's SIP2 codec on purpose.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

static int tcp_socket(int port, struct sockaddr_in *addr)
{
	*addr = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

int free_tcp_port(void)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	int fd = tcp_socket(0, &addr), port = -1;

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&addr, &len) == 0)
		port = ntohs(addr.sin_port);
	close(fd);
	return port;
}

/* --- the test ACS --------------------------------------------------------- */

static int read_ports(const char *path, struct acs *a)
{
	FILE *f = fopen(path, "re");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%d %d", &a->port, &a->admin_port);
	fclose(f);
	return n == 2 ? 0 : -1;
}

int acs_start(struct acs *a, const char *name, int port, char *why)
{
	char port_arg[16], port_file[128], state[128], tail[200];
	char *argv[] = { "python3", ACS_SCRIPT, "--port", port_arg, "--admin", "0",
			 "--port-file", port_file, "--state", state, "--no-persist", NULL };
	int i;

	memset(a, 0, sizeof(*a));
	snprintf(port_arg, sizeof(port_arg), "%d", port);
	bench_path(port_file, sizeof(port_file), name, "ports");
	bench_path(state, sizeof(state), name, "json");
	unlink(port_file);
	a->pid = spawn(argv, name);
	if (a->pid < 0) {
		set_why(why, "cannot start the test ACS");
		return -1;
	}
	/* It writes the port file once both sockets listen. */
	for (i = 0; i < 1000; i++) {
		if (read_ports(port_file, a) == 0)
			return 0;
		if (waitpid(a->pid, NULL, WNOHANG) != 0)
			break;
		usleep(10000);
	}
	log_tail(name, tail, sizeof(tail));
	set_why(why, "the test ACS did not start (%s)", tail[0] ? tail : "no output");
	acs_stop(a);
	return -1;
}

int acs_admin(const struct acs *a, const char *command, char *out, size_t size)
{
	struct timeval tv = { .tv_sec = 5 };
	struct sockaddr_in addr;
	int fd = tcp_socket(a->admin_port, &addr);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    dprintf(fd, "%s\n", command) < 0) {
		close(fd);
		return -1;
	}
	while (len < size - 1 && (n = read(fd, out + len, size - 1 - len)) > 0) {
		len += (size_t)n;
		if (out[len - 1] == '\n')
			break;
	}
	close(fd);
	out[len] = 0;
	out[strcspn(out, "\n")] = 0;
	return len ? 0 : -1;
}

long acs_messages(const struct acs *a, const char *code)
{
	char stats[2048], key[8];
	const char *p;

	if (acs_admin(a, "stats", stats, sizeof(stats)) < 0)
		return -1;
	snprintf(key, sizeof(key), "\"%s\":", code);
	p = strstr(stats, "\"messages\":");
	p = p ? strstr(p, key) : NULL;
	if (!p)
		return 0;
	return strtol(p + strlen(key), NULL, 10);
}

double acs_span_ms(const struct acs *a, const char *code)
{
	char stats[2048], key[16];
	const char *p;
	double first, last;

	if (acs_admin(a, "stats", stats, sizeof(stats)) < 0)
		return -1;
	snprintf(key, sizeof(key), "\"%s\": [", code);
	p = strstr(stats, "\"seen_ms\":");
	p = p ? strstr(p, key) : NULL;
	if (!p || sscanf(p + strlen(key), "%lf, %lf", &first, &last) != 2)
		return -1;
	return last - first;
}

void acs_stop(struct acs *a)
{
	reap(a->pid);
	a->pid = 0;
}

/* --- a raw SIP2 client ------------------------------------------------------ */

int sip_connect(struct sip_conn *c, int port)
{
	struct sockaddr_in addr;
	int one = 1;

	memset(c, 0, sizeof(*c));
	c->fd = tcp_socket(port, &addr);
	if (c->fd < 0)
		return -1;
	/* As circd's link does: SIP2 is small requests and replies. */
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

void sip_date(time_t t, char out[19])
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 19, "%Y%m%d    %H%M%S", &tm);
}

/* Two's complement of the 16-bit sum of every byte up to and including "AZ". */
static unsigned checksum(const char *s, size_t len)
{
	unsigned sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += (unsigned char)s[i];
	return (-sum) & 0xFFFFu;
}

static int check_reply(const char *reply, size_t len, unsigned seq, char *why)
{
	unsigned want;

	if (len < 9 || memcmp(reply + len - 9, "AY", 2) != 0 ||
	    memcmp(reply + len - 6, "AZ", 2) != 0) {
		set_why(why, "reply without AY/AZ: %.60s", reply);
		return -1;
	}
	if ((unsigned)(reply[len - 7] - '0') != seq) {
		set_why(why, "reply with AY%c to AY%u", reply[len - 7], seq);
		return -1;
	}
	want = (unsigned)strtoul(reply + len - 4, NULL, 16);
	if (checksum(reply, len - 4) != want) {
		set_why(why, "reply with a bad checksum: %.60s", reply);
		return -1;
	}
	return 0;
}

int sip_exchange(struct sip_conn *c, const char *body, char *reply, size_t size,
		 int timeout_ms, char *why)
{
	double deadline = now_us() + timeout_ms * 1e3;
	char msg[512];
	size_t len;
	int n;

	c->seq = (c->seq + 1) % 10;
	n = snprintf(msg, sizeof(msg), "%sAY%uAZ", body, c->seq);
	if (n < 0 || (size_t)n + 6 > sizeof(msg)) {
		set_why(why, "message too long");
		return -1;
	}
	len = (size_t)n;
	len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%04X\r", checksum(msg, len));
	if (send(c->fd, msg, len, MSG_NOSIGNAL) != (ssize_t)len) {
		set_why(why, "cannot send to the ACS: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		char *cr = memchr(c->rx, '\r', c->len);
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		double left;
		ssize_t r;

		if (cr) {
			size_t used = (size_t)(cr - c->rx);

			if (used >= size) {
				set_why(why, "reply too long");
				return -1;
			}
			memcpy(reply, c->rx, used);
			reply[used] = 0;
			used++;
			if (used < c->len && c->rx[used] == '\n')
				used++;
			memmove(c->rx, c->rx + used, c->len - used);
			c->len -= used;
			return check_reply(reply, strlen(reply), c->seq, why);
		}
		left = deadline - now_us();
		if (left <= 0 || poll(&pfd, 1, (int)(left / 1e3) + 1) == 0) {
			set_why(why, "no reply from the ACS within %d ms", timeout_ms);
			return -1;
		}
		r = read(c->fd, c->rx + c->len, sizeof(c->rx) - c->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			set_why(why, "the ACS closed the connection");
			return -1;
		}
		c->len += (size_t)r;
		if (c->len == sizeof(c->rx)) {
			set_why(why, "reply too long");
			return -1;
		}
	}
}

void sip_close(struct sip_conn *c)
{
	if (c->fd > 0)
		close(c->fd);
	c->fd = -1;
}
