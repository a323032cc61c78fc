/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * net.c against real sockets on 127.0.0.1: plain TCP servers run in the
 * test's own loop; TLS servers are forked children (one grandchild per
 * connection) with throw-away certificates made by the openssl CLI.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "../../lib/loop.h"
#include "../../firmware/net.h"
#include "testlib.h"

#define WAIT_MS 3000

static char tmpdir[] = "/tmp/test_net.XXXXXX";
static char ca_pem[128], other_ca_pem[128], bad_pem[128];
static char server_pem[128], server_key[128], self_pem[128], self_key[128];
static char server_pin[65], self_pin[65];
static char tls_port[8], self_port[8];
static pid_t tls_pid = -1, self_pid = -1;
static bool have_certs;

/* --- the client side ---------------------------------------------------------------------- */

struct client {
	struct net_conn *conn;
	int connected;
	int closed;
	int data_calls;
	int err;
	char *rx;
	size_t rx_len;
	size_t rx_cap;
	bool close_in_connected;
	bool close_in_data;
	bool close_in_closed;
	const char *send_on_connect;
	int send_on_connect_result;
};

static void on_connected(void *data)
{
	struct client *cl = data;

	cl->connected++;
	if (cl->send_on_connect)
		cl->send_on_connect_result =
			net_send(cl->conn, cl->send_on_connect, strlen(cl->send_on_connect));
	if (cl->close_in_connected) {
		net_close(cl->conn);
		cl->conn = NULL;
	}
}

static void on_data(void *data, const char *buf, size_t len)
{
	struct client *cl = data;

	cl->data_calls++;
	if (cl->rx_len + len + 1 > cl->rx_cap) {
		size_t cap = cl->rx_cap ? cl->rx_cap : 4096;

		while (cap < cl->rx_len + len + 1)
			cap *= 2;
		cl->rx = realloc(cl->rx, cap);
		if (!cl->rx)
			abort();
		cl->rx_cap = cap;
	}
	memcpy(cl->rx + cl->rx_len, buf, len);
	cl->rx_len += len;
	cl->rx[cl->rx_len] = '\0';
	if (cl->close_in_data) {
		net_close(cl->conn);
		cl->conn = NULL;
	}
}

static void on_closed(void *data, int err)
{
	struct client *cl = data;

	cl->closed++;
	cl->err = err;
	if (cl->close_in_closed) {
		net_close(cl->conn);
		cl->conn = NULL;
	}
}

static const struct net_events events = {
	.connected = on_connected,
	.data = on_data,
	.closed = on_closed,
};

static void client_done(struct client *cl)
{
	net_close(cl->conn);
	cl->conn = NULL;
	free(cl->rx);
	cl->rx = NULL;
}

/* Runs the loop until cond holds or ms passed; true if cond holds. */
#define PUMP(loop, cond, ms)                                                            \
	({                                                                              \
		uint64_t pump_end = loop_mono_ms(loop) + (ms);                          \
		while (!(cond) && loop_mono_ms(loop) < pump_end)                        \
			loop_run_once(loop, 10);                                        \
		(bool)(cond);                                                           \
	})

/* Lets the loop run for ms, for "nothing more happens" checks. */
static void settle(struct loop *loop, unsigned ms)
{
	uint64_t end = loop_mono_ms(loop) + ms;

	while (loop_mono_ms(loop) < end)
		loop_run_once(loop, 10);
}

/* --- plain servers in the test's loop ----------------------------------------------------- */

enum server_mode {
	SERVER_ECHO,
	SERVER_CLOSE_ON_ACCEPT,
	SERVER_SINK,
};

struct server {
	struct loop *loop;
	int lfd;
	struct loop_source *listen_source;
	char port[8];
	enum server_mode mode;
	int cfds[8];
	struct loop_source *csources[8];
	int accepted;
	size_t sunk;
	uint32_t sink_sum; /* a running checksum of what SERVER_SINK received */
};

static int make_listener(bool nonblock, char port[8])
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	if (fd < 0)
		return -1;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		close(fd);
		return -1;
	}
	snprintf(port, 8, "%u", ntohs(sin.sin_port));
	return fd;
}

static void forget_fd(struct server *s, int fd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(s->cfds); i++)
		if (s->cfds[i] == fd) {
			s->cfds[i] = -1;
			loop_source_free(s->csources[i]);
			s->csources[i] = NULL;
		}
	close(fd);
}

static void on_server_conn(struct loop *loop, int fd, uint32_t ev, void *data)
{
	struct server *s = data;
	char buf[65536];
	ssize_t n, i;

	n = read(fd, buf, sizeof(buf));
	if (n <= 0) {
		if (n < 0 && errno == EAGAIN)
			return;
		forget_fd(s, fd);
		return;
	}
	if (s->mode == SERVER_SINK) {
		for (i = 0; i < n; i++)
			s->sink_sum = s->sink_sum * 31u + (unsigned char)buf[i];
		s->sunk += (size_t)n;
	} else if (write(fd, buf, (size_t)n) != n) {
		abort(); /* small echoes always fit */
	}
}

static void on_server_listen(struct loop *loop, int fd, uint32_t ev, void *data)
{
	struct server *s = data;
	int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	size_t i;

	if (cfd < 0)
		return;
	s->accepted++;
	for (i = 0; i < ARRAY_SIZE(s->cfds); i++)
		if (s->cfds[i] < 0)
			break;
	if (s->mode == SERVER_CLOSE_ON_ACCEPT || i == ARRAY_SIZE(s->cfds)) {
		close(cfd);
		return;
	}
	s->cfds[i] = cfd;
	loop_add_io(loop, cfd, EPOLLIN, on_server_conn, s, &s->csources[i]);
}

static int server_start(struct loop *loop, enum server_mode mode, struct server *s)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->mode = mode;
	memset(s->cfds, -1, sizeof(s->cfds));
	s->lfd = make_listener(true, s->port);
	if (s->lfd < 0)
		return -1;
	return loop_add_io(loop, s->lfd, EPOLLIN, on_server_listen, s, &s->listen_source);
}

static void server_stop(struct server *s)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(s->cfds); i++)
		if (s->cfds[i] >= 0)
			forget_fd(s, s->cfds[i]);
	loop_source_free(s->listen_source);
	close(s->lfd);
}

/* A port nobody listens on: bound once, then closed. */
static void closed_port(char port[8])
{
	int fd = make_listener(false, port);

	if (fd >= 0)
		close(fd);
}

/* --- TLS servers in forked children ------------------------------------------------------- */

/* Echoes each record back; "quit" makes it send close_notify and hang up. */
static void tls_serve_one(SSL_CTX *ctx, int cfd)
{
	struct timeval tv = { .tv_sec = 5 };
	char buf[16384];
	SSL *ssl;
	int n;

	setsockopt(cfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ssl = SSL_new(ctx);
	if (!ssl || !SSL_set_fd(ssl, cfd) || SSL_accept(ssl) != 1)
		_exit(0);
	while ((n = SSL_read(ssl, buf, sizeof(buf))) > 0) {
		if (n >= 4 && memcmp(buf, "quit", 4) == 0) {
			SSL_shutdown(ssl);
			break;
		}
		if (SSL_write(ssl, buf, n) != n)
			break;
	}
	_exit(0);
}

static void tls_server_run(int lfd, const char *cert, const char *key)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	setpgid(0, 0);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_IGN); /* no zombies from the per-connection children */
	if (!ctx || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		_exit(1);
	for (;;) {
		int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (cfd < 0)
			continue;
		if (fork() == 0) {
			close(lfd);
			tls_serve_one(ctx, cfd);
		}
		close(cfd);
	}
}

static pid_t tls_server_start(const char *cert, const char *key, char port[8])
{
	int lfd = make_listener(false, port);
	pid_t pid;

	if (lfd < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0)
		tls_server_run(lfd, cert, key);
	close(lfd);
	if (pid > 0)
		setpgid(pid, pid);
	return pid;
}

static void tls_server_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int run(const char *cmd)
{
	char full[2048];

	snprintf(full, sizeof(full), "cd %s && { %s ; } >/dev/null 2>&1", tmpdir, cmd);
	return system(full);
}

static int cert_pin(const char *pem, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0, i;
	FILE *f = fopen(pem, "r");
	X509 *x;

	if (!f)
		return -1;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!x)
		return -1;
	if (!X509_digest(x, EVP_sha256(), md, &len) || len != 32) {
		X509_free(x);
		return -1;
	}
	X509_free(x);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

#define EC_KEY_ARGS "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"

static int make_certs(void)
{
	FILE *f;

	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(ca_pem, sizeof(ca_pem), "%s/ca.pem", tmpdir);
	snprintf(other_ca_pem, sizeof(other_ca_pem), "%s/other-ca.pem", tmpdir);
	snprintf(bad_pem, sizeof(bad_pem), "%s/bad.pem", tmpdir);
	snprintf(server_pem, sizeof(server_pem), "%s/server.pem", tmpdir);
	snprintf(server_key, sizeof(server_key), "%s/server.key", tmpdir);
	snprintf(self_pem, sizeof(self_pem), "%s/self.pem", tmpdir);
	snprintf(self_key, sizeof(self_key), "%s/self.key", tmpdir);
	if (run("openssl req -x509 " EC_KEY_ARGS " -keyout ca.key -out ca.pem -days 2"
		" -subj /CN=circd-test-ca -addext basicConstraints=critical,CA:TRUE"
		" -addext keyUsage=critical,keyCertSign,cRLSign") ||
	    run("openssl req -x509 " EC_KEY_ARGS " -keyout other-ca.key -out other-ca.pem -days 2"
		" -subj /CN=circd-other-ca -addext basicConstraints=critical,CA:TRUE"
		" -addext keyUsage=critical,keyCertSign,cRLSign") ||
	    run("openssl req -new " EC_KEY_ARGS " -keyout server.key -out server.csr"
		" -subj /CN=localhost") ||
	    run("printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n"
		"extendedKeyUsage=serverAuth\\n' >server.ext") ||
	    run("openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
		" -out server.pem -days 2 -extfile server.ext") ||
	    run("openssl req -x509 " EC_KEY_ARGS " -keyout self.key -out self.pem -days 2"
		" -subj /CN=ils.example -addext subjectAltName=DNS:ils.example"))
		return -1;
	f = fopen(bad_pem, "w");
	if (!f)
		return -1;
	fputs("not a certificate\n", f);
	fclose(f);
	if (cert_pin(server_pem, server_pin) < 0 || cert_pin(self_pem, self_pin) < 0)
		return -1;
	tls_pid = tls_server_start(server_pem, server_key, tls_port);
	self_pid = tls_server_start(self_pem, self_key, self_port);
	return tls_pid > 0 && self_pid > 0 ? 0 : -1;
}

/* Connects with the given options and runs until connected or closed. */
static void tls_attempt(struct loop *loop, struct client *cl, const char *host, const char *port,
			const struct net_tls_opts *tls)
{
	CHECK_INT(net_connect(loop, host, port, tls, 3000, &events, cl, &cl->conn), 0);
	CHECK(PUMP(loop, cl->connected || cl->closed, WAIT_MS));
}

/* --- tests -------------------------------------------------------------------------------- */

static void test_plain_echo(void)
{
	struct client cl = { 0 };
	struct server srv;
	struct loop *loop;

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(server_start(loop, SERVER_ECHO, &srv), 0);
	CHECK_INT(net_connect(loop, "127.0.0.1", srv.port, NULL, 2000, &events, &cl, &cl.conn), 0);
	CHECK_INT(net_send(cl.conn, "x", 1), -ENOTCONN);
	CHECK_INT(cl.connected + cl.closed, 0); /* never from inside net_connect() */
	CHECK(PUMP(loop, cl.connected, WAIT_MS));
	CHECK(!net_is_tls(cl.conn));
	CHECK_STR(net_last_error(cl.conn), "");
	CHECK_INT(net_send(cl.conn, "9300CNuser|COpass|\r", 19), 0);
	CHECK(PUMP(loop, cl.rx_len == 19, WAIT_MS));
	CHECK_STR(cl.rx, "9300CNuser|COpass|\r");
	CHECK_INT(cl.closed, 0);
	client_done(&cl);
	settle(loop, 20);
	server_stop(&srv);
	loop_free(loop);
}

static void test_plain_send_queue(void)
{
	enum { TOTAL = 1024 * 1024 };
	struct client cl = { 0 };
	struct server srv;
	struct loop *loop;
	static char big[NET_SEND_QUEUE_MAX + 1];
	uint32_t sum = 0;
	size_t sent = 0, i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 251);
	for (i = 0; i < TOTAL; i++)
		sum = sum * 31u + (unsigned char)big[i % 32768];
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(server_start(loop, SERVER_SINK, &srv), 0);
	CHECK_INT(net_connect(loop, "127.0.0.1", srv.port, NULL, 2000, &events, &cl, &cl.conn), 0);
	CHECK(PUMP(loop, cl.connected, WAIT_MS));
	CHECK_INT(net_send(cl.conn, big, NET_SEND_QUEUE_MAX + 1), -ENOBUFS);
	/* 1 MiB in 32 KiB pieces: the queue fills, -ENOBUFS, the loop drains it. */
	uint64_t end = loop_mono_ms(loop) + 5000;
	while (sent < TOTAL && loop_mono_ms(loop) < end) {
		int r = net_send(cl.conn, big, 32768);

		if (r == 0)
			sent += 32768;
		else if (r == -ENOBUFS)
			loop_run_once(loop, 10);
		else
			break;
	}
	CHECK_INT(sent, TOTAL);
	CHECK(PUMP(loop, srv.sunk == TOTAL, 5000));
	CHECK_INT(srv.sunk, TOTAL);
	CHECK_INT(srv.sink_sum, sum);
	CHECK_INT(cl.closed, 0);
	client_done(&cl);
	server_stop(&srv);
	loop_free(loop);
}

static void test_peer_close_is_orderly(void)
{
	struct client cl = { 0 };
	struct server srv;
	struct loop *loop;

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(server_start(loop, SERVER_CLOSE_ON_ACCEPT, &srv), 0);
	CHECK_INT(net_connect(loop, "127.0.0.1", srv.port, NULL, 2000, &events, &cl, &cl.conn), 0);
	CHECK(PUMP(loop, cl.closed, WAIT_MS));
	CHECK_INT(cl.closed, 1);
	CHECK_INT(cl.err, 0);
	CHECK_STR(net_last_error(cl.conn), "connection closed by peer");
	CHECK_INT(net_send(cl.conn, "x", 1), -ENOTCONN);
	settle(loop, 30);
	CHECK_INT(cl.closed, 1); /* exactly once */
	client_done(&cl);
	server_stop(&srv);
	loop_free(loop);
}

static void test_connection_refused(void)
{
	struct client cl = { 0 };
	struct loop *loop;
	char port[8], want[64];

	closed_port(port);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(net_connect(loop, "127.0.0.1", port, NULL, 2000, &events, &cl, &cl.conn), 0);
	CHECK(PUMP(loop, cl.closed, WAIT_MS));
	CHECK_INT(cl.connected, 0);
	CHECK_INT(cl.err, -ECONNREFUSED);
	snprintf(want, sizeof(want), "connection refused (127.0.0.1 port %s)", port);
	CHECK_STR(net_last_error(cl.conn), want);
	client_done(&cl);
	loop_free(loop);
}

static void test_immediate_failure_is_deferred(void)
{
	struct client cl = { 0 };
	struct loop *loop;

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	/* TCP to the broadcast address fails inside connect() itself. */
	CHECK_INT(net_connect(loop, "255.255.255.255", "6001", NULL, 2000, &events, &cl,
			      &cl.conn), 0);
	CHECK_INT(cl.closed, 0);
	CHECK(PUMP(loop, cl.closed, WAIT_MS));
	CHECK_INT(cl.closed, 1);
	CHECK_INT(cl.err, -ENETUNREACH);
	CHECK_STR(net_last_error(cl.conn), "network is unreachable (255.255.255.255 port 6001)");
	client_done(&cl);
	loop_free(loop);
}

static void test_send_after_reset_reports_through_closed(void)
{
	struct linger lin = { .l_onoff = 1, .l_linger = 0 };
	struct client cl = { 0 };
	struct server srv;
	struct loop *loop;
	int r;

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(server_start(loop, SERVER_ECHO, &srv), 0);
	CHECK_INT(net_connect(loop, "127.0.0.1", srv.port, NULL, 2000, &events, &cl, &cl.conn), 0);
	CHECK(PUMP(loop, cl.connected && srv.cfds[0] >= 0, WAIT_MS));
	if (srv.cfds[0] >= 0) {
		setsockopt(srv.cfds[0], SOL_SOCKET, SO_LINGER, &lin, sizeof(lin));
		forget_fd(&srv, srv.cfds[0]); /* RST */
	}
	poll(NULL, 0, 50); /* let the RST land, without running the loop */
	r = net_send(cl.conn, "x", 1);
	CHECK_INT(r, 0);
	CHECK_INT(cl.closed, 0); /* never from inside net_send() */
	CHECK(PUMP(loop, cl.closed, WAIT_MS));
	CHECK_INT(cl.closed, 1);
	CHECK(cl.err == -ECONNRESET || cl.err == -EPIPE);
	CHECK_INT(net_send(cl.conn, "x", 1), -ENOTCONN);
	client_done(&cl);
	server_stop(&srv);
	loop_free(loop);
}

static void test_hostname_resolves_asynchronously(void)
{
	struct client cl = { 0 };
	struct server srv;
	struct loop *loop;

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(server_start(loop, SERVER_ECHO, &srv), 0);
	/* Where localhost also means ::1, that address is refused and 127.0.0.1 follows. */
	CHECK_INT(net_connect(loop, "localhost", srv.port, NULL, 2000, &events, &cl, &cl.conn), 0);
	CHECK_INT(cl.connected + cl.closed, 0);
	CHECK(PUMP(loop, cl.connected || cl.closed, WAIT_MS));
	CHECK_INT(cl.connected, 1);
	CHECK_INT(net_send(cl.conn, "hi\r", 3), 0);
	CHECK(PUMP(loop, cl.rx_len == 3, WAIT_MS));
	CHECK_STR(cl.rx, "hi\r");
	client_done(&cl);
	settle(loop, 20);
	server_stop(&srv);
	loop_free(loop);
}

static void test_close_while_resolving(void)
{
	struct client cl = { 0 };
	struct loop *loop;

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(net_connect(loop, "localhost", "6001", NULL, 2000, &events, &cl, &cl.conn), 0);
	client_done(&cl);
	settle(loop, 60);
	CHECK_INT(cl.connected + cl.closed, 0);
	loop_free(loop);
}

static void test_unresolvable_host(void)
{
	struct client cl = { 0 };
	struct loop *loop;

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(net_connect(loop, "no-such-host.invalid", "6001", NULL, 1500, &events, &cl,
			      &cl.conn), 0);
	CHECK(PUMP(loop, cl.closed, WAIT_MS));
	CHECK_INT(cl.connected, 0);
	/* Without a reachable DNS server the bound hits first. */
	if (cl.err == -ETIMEDOUT) {
		CHECK_STR(net_last_error(cl.conn), "timed out after 1500 ms (resolving host)");
	} else {
		CHECK_INT(cl.err, -EHOSTUNREACH);
		CHECK(strncmp(net_last_error(cl.conn), "cannot resolve no-such-host.invalid: ", 37)
		      == 0);
	}
	client_done(&cl);
	loop_free(loop);
}

static void test_resolve_timeout(void)
{
	struct client cl = { 0 }, again = { 0 };
	struct server srv;
	struct loop *loop;

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(server_start(loop, SERVER_ECHO, &srv), 0);
	/* The first poll of the resolver is 20 ms away: the 1 ms bound always wins. */
	CHECK_INT(net_connect(loop, "localhost", srv.port, NULL, 1, &events, &cl, &cl.conn), 0);
	CHECK(PUMP(loop, cl.closed, WAIT_MS));
	CHECK_INT(cl.err, -ETIMEDOUT);
	CHECK_STR(net_last_error(cl.conn), "timed out after 1 ms (resolving host)");
	client_done(&cl);
	/* A request glibc could not cancel any more is reaped by a later connect. */
	CHECK_INT(net_connect(loop, "localhost", srv.port, NULL, 2000, &events, &again,
			      &again.conn), 0);
	CHECK(PUMP(loop, again.connected || again.closed, WAIT_MS));
	CHECK_INT(again.connected, 1);
	client_done(&again);
	settle(loop, 20);
	server_stop(&srv);
	loop_free(loop);
}

static void test_tls_handshake_timeout(void)
{
	struct net_tls_opts tls = { .enabled = true, .ca_file = ca_pem };
	struct client cl = { 0 };
	struct loop *loop;
	char port[8];
	uint64_t t0;
	/* The kernel completes the TCP handshake; nobody ever accept()s or answers. */
	int lfd = make_listener(false, port);

	CHECK(lfd >= 0);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	t0 = loop_mono_ms(loop);
	CHECK_INT(net_connect(loop, "127.0.0.1", port, &tls, 300, &events, &cl, &cl.conn), 0);
	CHECK(PUMP(loop, cl.closed, WAIT_MS));
	CHECK(loop_mono_ms(loop) - t0 >= 300);
	CHECK(loop_mono_ms(loop) - t0 < 2000);
	CHECK_INT(cl.connected, 0);
	CHECK_INT(cl.err, -ETIMEDOUT);
	CHECK_STR(net_last_error(cl.conn), "timed out after 300 ms (TLS handshake)");
	client_done(&cl);
	close(lfd);
	loop_free(loop);
}

static void test_tls_echo_verified(void)
{
	struct net_tls_opts tls = { .enabled = true, .ca_file = ca_pem };
	struct client cl = { 0 };
	struct loop *loop;

	CHECK(have_certs);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	tls_attempt(loop, &cl, "127.0.0.1", tls_port, &tls); /* IP SAN */
	CHECK_INT(cl.connected, 1);
	CHECK_INT(cl.closed, 0);
	CHECK(net_is_tls(cl.conn));
	CHECK_INT(net_send(cl.conn, "9900302.00\r", 11), 0);
	CHECK(PUMP(loop, cl.rx_len == 11, WAIT_MS));
	CHECK_STR(cl.rx, "9900302.00\r");
	/* The server answers "quit" with close_notify: an orderly close. */
	CHECK_INT(net_send(cl.conn, "quit", 4), 0);
	CHECK(PUMP(loop, cl.closed, WAIT_MS));
	CHECK_INT(cl.err, 0);
	CHECK_INT(net_send(cl.conn, "x", 1), -ENOTCONN);
	client_done(&cl);
	loop_free(loop);
}

static void test_tls_hostname_via_resolver(void)
{
	struct net_tls_opts tls = { .enabled = true, .ca_file = ca_pem };
	struct client cl = { .send_on_connect = "ping\r" };
	struct loop *loop;

	CHECK(have_certs);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	tls_attempt(loop, &cl, "localhost", tls_port, &tls); /* SNI + DNS SAN */
	CHECK_INT(cl.connected, 1);
	CHECK_STR(net_last_error(cl.conn), "");
	CHECK_INT(cl.send_on_connect_result, 0); /* net_send from inside connected() */
	CHECK(PUMP(loop, cl.rx_len == 5, WAIT_MS));
	CHECK_STR(cl.rx, "ping\r");
	client_done(&cl);
	loop_free(loop);
}

static void test_tls_bulk_echo(void)
{
	enum { TOTAL = 256 * 1024, PIECE = 8000 };
	struct net_tls_opts tls = { .enabled = true, .ca_file = ca_pem };
	struct client cl = { 0 };
	struct loop *loop;
	static char data[TOTAL];
	size_t sent = 0, i;

	CHECK(have_certs);
	for (i = 0; i < TOTAL; i++)
		data[i] = (char)('A' + (i * 13 + i / 1000) % 26);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	tls_attempt(loop, &cl, "127.0.0.1", tls_port, &tls);
	CHECK_INT(cl.connected, 1);
	uint64_t end = loop_mono_ms(loop) + 8000;
	while (cl.conn && cl.rx_len < TOTAL && !cl.closed && loop_mono_ms(loop) < end) {
		size_t n = TOTAL - sent < PIECE ? TOTAL - sent : PIECE;

		if (n && net_send(cl.conn, data + sent, n) == 0)
			sent += n;
		else
			loop_run_once(loop, 10);
	}
	CHECK_INT(sent, TOTAL);
	CHECK_INT(cl.rx_len, TOTAL);
	CHECK(cl.rx && memcmp(cl.rx, data, TOTAL) == 0);
	CHECK_INT(cl.closed, 0);
	client_done(&cl);
	loop_free(loop);
}

static void test_tls_wrong_ca_rejected(void)
{
	struct net_tls_opts tls = { .enabled = true, .ca_file = other_ca_pem };
	struct client cl = { 0 }, sys = { 0 };
	struct loop *loop;
	const char *msg;

	CHECK(have_certs);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	tls_attempt(loop, &cl, "127.0.0.1", tls_port, &tls);
	CHECK_INT(cl.connected, 0);
	CHECK_INT(cl.closed, 1);
	CHECK_INT(cl.err, -EKEYREJECTED);
	msg = net_last_error(cl.conn);
	CHECK(strncmp(msg, "certificate verify failed: ", 27) == 0);
	CHECK(strstr(msg, "issuer") != NULL);
	client_done(&cl);

	/* The system's trust store does not know the throw-away CA either. */
	tls.ca_file = NULL;
	tls_attempt(loop, &sys, "127.0.0.1", tls_port, &tls);
	CHECK_INT(sys.connected, 0);
	CHECK_INT(sys.err, -EKEYREJECTED);
	CHECK(strncmp(net_last_error(sys.conn), "certificate verify failed: ", 27) == 0);
	client_done(&sys);
	loop_free(loop);
}

static void test_tls_hostname_mismatch_rejected(void)
{
	struct net_tls_opts tls = { .enabled = true, .ca_file = ca_pem,
				    .server_name = "wrong.example" };
	struct client cl = { 0 };
	struct loop *loop;

	CHECK(have_certs);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	tls_attempt(loop, &cl, "127.0.0.1", tls_port, &tls);
	CHECK_INT(cl.connected, 0);
	CHECK_INT(cl.err, -EKEYREJECTED);
	CHECK_STR(net_last_error(cl.conn), "certificate verify failed: hostname mismatch");
	client_done(&cl);
	loop_free(loop);
}

static void test_tls_pin(void)
{
	struct net_tls_opts tls = { .enabled = true, .ca_file = ca_pem, .pin_sha256 = server_pin };
	struct client ok = { 0 }, bad = { 0 };
	struct loop *loop;

	CHECK(have_certs);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	tls_attempt(loop, &ok, "127.0.0.1", tls_port, &tls);
	CHECK_INT(ok.connected, 1);
	CHECK_INT(ok.closed, 0);
	client_done(&ok);

	tls.pin_sha256 = self_pin; /* chain and hostname fine, pin wrong */
	tls_attempt(loop, &bad, "127.0.0.1", tls_port, &tls);
	CHECK_INT(bad.connected, 0);
	CHECK_INT(bad.err, -EKEYREJECTED);
	CHECK(strncmp(net_last_error(bad.conn), "certificate pin mismatch: ", 26) == 0);
	CHECK(strstr(net_last_error(bad.conn), server_pin) != NULL);
	client_done(&bad);
	loop_free(loop);
}

static void test_tls_pinned_only_self_signed(void)
{
	struct net_tls_opts tls = { .enabled = true, .pin_sha256 = self_pin, .pinned_only = true };
	struct client pinned = { 0 }, verified = { 0 }, wrong = { 0 };
	struct loop *loop;

	CHECK(have_certs);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	tls_attempt(loop, &pinned, "127.0.0.1", self_port, &tls);
	CHECK_INT(pinned.connected, 1);
	CHECK_INT(net_send(pinned.conn, "echo\r", 5), 0);
	CHECK(PUMP(loop, pinned.rx_len == 5, WAIT_MS));
	CHECK_STR(pinned.rx, "echo\r");
	client_done(&pinned);

	/* The same self-signed server without pinned_only fails verification. */
	tls.pinned_only = false;
	tls.ca_file = ca_pem;
	tls_attempt(loop, &verified, "127.0.0.1", self_port, &tls);
	CHECK_INT(verified.connected, 0);
	CHECK_INT(verified.err, -EKEYREJECTED);
	CHECK(strncmp(net_last_error(verified.conn), "certificate verify failed: ", 27) == 0);
	client_done(&verified);

	tls.pinned_only = true;
	tls.pin_sha256 = server_pin;
	tls_attempt(loop, &wrong, "127.0.0.1", self_port, &tls);
	CHECK_INT(wrong.connected, 0);
	CHECK_INT(wrong.err, -EKEYREJECTED);
	CHECK(strstr(net_last_error(wrong.conn), "pin mismatch") != NULL);
	client_done(&wrong);
	loop_free(loop);
}

static void test_tls_to_plain_server_is_protocol_error(void)
{
	struct net_tls_opts tls = { .enabled = true, .ca_file = ca_pem };
	struct client cl = { 0 };
	struct server srv;
	struct loop *loop;

	CHECK(have_certs);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(server_start(loop, SERVER_ECHO, &srv), 0); /* echoes our ClientHello */
	tls_attempt(loop, &cl, "127.0.0.1", srv.port, &tls);
	CHECK_INT(cl.connected, 0);
	CHECK_INT(cl.err, -EPROTO);
	CHECK(strncmp(net_last_error(cl.conn), "TLS handshake: ", 15) == 0);
	client_done(&cl);
	settle(loop, 20);
	server_stop(&srv);
	loop_free(loop);
}

static void test_tls_peer_hangs_up_in_handshake(void)
{
	struct net_tls_opts tls = { .enabled = true, .ca_file = ca_pem };
	struct client cl = { 0 };
	struct server srv;
	struct loop *loop;

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(server_start(loop, SERVER_CLOSE_ON_ACCEPT, &srv), 0);
	tls_attempt(loop, &cl, "127.0.0.1", srv.port, &tls);
	CHECK_INT(cl.connected, 0);
	CHECK(cl.err == -ECONNRESET || cl.err == -EPIPE);
	CHECK(strncmp(net_last_error(cl.conn), "TLS handshake: ", 15) == 0);
	client_done(&cl);
	server_stop(&srv);
	loop_free(loop);
}

static void test_close_inside_callbacks(void)
{
	struct net_tls_opts tls = { .enabled = true, .ca_file = ca_pem };
	struct client in_connected = { .close_in_connected = true };
	struct client in_data = { .close_in_data = true, .send_on_connect = "a\r" };
	struct client in_closed = { .close_in_closed = true };
	struct client tls_connected = { .close_in_connected = true };
	struct server srv;
	struct loop *loop;
	char port[8];

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(server_start(loop, SERVER_ECHO, &srv), 0);

	CHECK_INT(net_connect(loop, "127.0.0.1", srv.port, NULL, 2000, &events, &in_connected,
			      &in_connected.conn), 0);
	CHECK(PUMP(loop, in_connected.connected, WAIT_MS));
	CHECK(in_connected.conn == NULL);
	settle(loop, 30);

	CHECK_INT(net_connect(loop, "127.0.0.1", srv.port, NULL, 2000, &events, &in_data,
			      &in_data.conn), 0);
	CHECK(PUMP(loop, in_data.data_calls, WAIT_MS));
	CHECK(in_data.conn == NULL);
	settle(loop, 30);

	closed_port(port);
	CHECK_INT(net_connect(loop, "127.0.0.1", port, NULL, 2000, &events, &in_closed,
			      &in_closed.conn), 0);
	CHECK(PUMP(loop, in_closed.closed, WAIT_MS));
	CHECK(in_closed.conn == NULL);

	if (have_certs) {
		tls_attempt(loop, &tls_connected, "127.0.0.1", tls_port, &tls);
		CHECK(tls_connected.conn == NULL);
	}
	settle(loop, 50);
	/* Nothing arrives after net_close(). */
	CHECK_INT(in_connected.connected, 1);
	CHECK_INT(in_connected.closed + in_connected.data_calls, 0);
	CHECK_INT(in_data.data_calls, 1);
	CHECK_INT(in_data.closed, 0);
	CHECK_INT(in_closed.closed, 1);
	CHECK_INT(tls_connected.connected, have_certs ? 1 : 0);
	CHECK_INT(tls_connected.closed, 0);
	client_done(&in_connected);
	client_done(&in_data);
	client_done(&in_closed);
	client_done(&tls_connected);
	server_stop(&srv);
	loop_free(loop);
}

static void test_invalid_arguments(void)
{
	struct net_tls_opts tls = { .enabled = true, .ca_file = ca_pem };
	struct net_conn *c = NULL;
	struct loop *loop;
	char missing[160];

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(net_connect(loop, "127.0.0.1", "sip2", NULL, 0, &events, NULL, &c), -EINVAL);
	CHECK_INT(net_connect(loop, "127.0.0.1", "0", NULL, 0, &events, NULL, &c), -EINVAL);
	CHECK_INT(net_connect(loop, "127.0.0.1", "65536", NULL, 0, &events, NULL, &c), -EINVAL);
	CHECK_INT(net_connect(loop, "", "6001", NULL, 0, &events, NULL, &c), -EINVAL);
	tls.pin_sha256 = "abcd";
	CHECK_INT(net_connect(loop, "127.0.0.1", "6001", &tls, 0, &events, NULL, &c), -EINVAL);
	tls.pin_sha256 = NULL;
	tls.pinned_only = true;
	CHECK_INT(net_connect(loop, "127.0.0.1", "6001", &tls, 0, &events, NULL, &c), -EINVAL);
	tls.pinned_only = false;
	snprintf(missing, sizeof(missing), "%s/missing.pem", tmpdir);
	tls.ca_file = missing;
	CHECK_INT(net_connect(loop, "127.0.0.1", "6001", &tls, 0, &events, NULL, &c), -ENOENT);
	if (have_certs) {
		tls.ca_file = bad_pem;
		CHECK_INT(net_connect(loop, "127.0.0.1", "6001", &tls, 0, &events, NULL, &c),
			  -EBADMSG);
	}
	CHECK(c == NULL);
	net_close(NULL);
	CHECK_INT(net_send(NULL, "x", 1), -EINVAL);
	CHECK_STR(net_last_error(NULL), "");
	CHECK(!net_is_tls(NULL));
	loop_free(loop);
}

int main(void)
{
	char cmd[128];

	signal(SIGPIPE, SIG_DFL); /* net.c must not need SIGPIPE ignored */
	have_certs = make_certs() == 0;
	if (!have_certs)
		fprintf(stderr, "test_net: cannot make certificates or start TLS servers\n");

	RUN(test_plain_echo);
	RUN(test_plain_send_queue);
	RUN(test_peer_close_is_orderly);
	RUN(test_connection_refused);
	RUN(test_immediate_failure_is_deferred);
	RUN(test_send_after_reset_reports_through_closed);
	RUN(test_hostname_resolves_asynchronously);
	RUN(test_close_while_resolving);
	RUN(test_unresolvable_host);
	RUN(test_resolve_timeout);
	RUN(test_tls_handshake_timeout);
	RUN(test_tls_echo_verified);
	RUN(test_tls_hostname_via_resolver);
	RUN(test_tls_bulk_echo);
	RUN(test_tls_wrong_ca_rejected);
	RUN(test_tls_hostname_mismatch_rejected);
	RUN(test_tls_pin);
	RUN(test_tls_pinned_only_self_signed);
	RUN(test_tls_to_plain_server_is_protocol_error);
	RUN(test_tls_peer_hangs_up_in_handshake);
	RUN(test_close_inside_callbacks);
	RUN(test_invalid_arguments);

	tls_server_stop(tls_pid);
	tls_server_stop(self_pid);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "test_net: cannot remove %s\n", tmpdir);
	return testlib_finish();
}
