/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hal/display-web.c on a real loop (libmicrohttpd needs real time), with
 * the test as the browser over loopback: the page with this start's token,
 * the page's own files only, the state as a Server-Sent Event (whole at
 * connect, again at each change), and the touches: taken with the token
 * from the page's own origin, refused (403) otherwise, never reaching the
 * kiosk then. The event stream's framing is the HTML Standard's ("Server-sent
 * events": "data:" lines, a blank line ending each event, "retry:" in ms).
 * The loop is pumped until each answer is whole, bounded by a count of
 * turns, never by a duration asserted on.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../hal/display.h"
#include "../../hal/hal.h"
#include "strbuf.h"
#include "testlib.h"
#include "tmpdir.h"

#define TURNS_MAX 2000 /* loop turns of 5 ms at most: a stuck exchange fails, never hangs */

struct touches {
	char pin[32];
	int done, help, receipts;
	bool receipt_wanted;
	char language[16];
};

static void on_pin(void *data, const char *pin)
{
	struct touches *t = data;

	snprintf(t->pin, sizeof(t->pin), "%s", pin);
}

static void on_done(void *data)
{
	((struct touches *)data)->done++;
}

static void on_help(void *data)
{
	((struct touches *)data)->help++;
}

static void on_language(void *data, const char *language)
{
	struct touches *t = data;

	snprintf(t->language, sizeof(t->language), "%s", language);
}

static void on_receipt(void *data, bool wanted)
{
	struct touches *t = data;

	t->receipts++;
	t->receipt_wanted = wanted;
}

static const struct display_events events = {
	.pin = on_pin, .done = on_done, .language = on_language, .receipt = on_receipt,
	.help = on_help,
};

struct web_rig {
	struct tmp tmp;
	struct loop *loop;
	void *display;
	struct touches touches;
	unsigned port;
	char reported[512];
};

static void on_report(void *data, enum hal_level level, const char *msg)
{
	struct web_rig *r = data;
	const char *at = strstr(msg, "http://127.0.0.1:");

	(void)level;
	snprintf(r->reported, sizeof(r->reported), "%s", msg);
	if (at)
		r->port = (unsigned)atoi(at + strlen("http://127.0.0.1:"));
}

static void rig_start_with(struct web_rig *r, const struct display_events *ev)
{
	struct hal_env env = { .report = on_report, .report_data = r };
	struct display_config cfg = { .listen = "127.0.0.1", .port = 0 };
	struct file_error err = { .line = 0 };
	struct board board;

	memset(r, 0, sizeof(*r));
	memset(&board, 0, sizeof(board));
	tmp_new(&r->tmp, "web");
	tmp_put(r->tmp.dir, "index.html", "<meta name=\"circd-token\" content=\"@TOKEN@\">page");
	tmp_put(r->tmp.dir, "app.js", "'use strict';");
	tmp_put(r->tmp.dir, "secret.msg", "not for the page");
	snprintf(cfg.ui_dir, sizeof(cfg.ui_dir), "%s", r->tmp.dir);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &r->loop), 0);
	env.loop = r->loop;
	CHECK(hal_display_backend("web") == &display_web_ops);
	CHECK(display_web_ops.keypad && display_web_ops.state);
	CHECK_INT(display_web_ops.open(&env, &board, &cfg, ev, &r->touches, &r->display, &err), 0);
	CHECK(r->port > 0);
}

static void rig_start(struct web_rig *r)
{
	rig_start_with(r, &events);
}

static void rig_stop(struct web_rig *r)
{
	display_web_ops.close(r->display);
	loop_free(r->loop);
	CHECK_INT(tmp_remove(&r->tmp), 0);
}

static int connect_to(struct web_rig *r)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons((uint16_t)r->port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd >= 0);
	CHECK_INT(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	CHECK_INT(fcntl(fd, F_SETFL, O_NONBLOCK), 0);
	return fd;
}

/* Reads into buf (NUL-terminated) while the loop runs, until until is in it or the peer closes. */
static size_t pump_read(struct web_rig *r, int fd, char *buf, size_t size, size_t used,
			const char *until)
{
	for (int turn = 0; turn < TURNS_MAX; turn++) {
		ssize_t n;

		loop_run_once(r->loop, 5);
		n = read(fd, buf + used, size - 1 - used);
		if (n > 0) {
			used += (size_t)n;
			buf[used] = '\0';
		}
		if (n == 0 || (until && strstr(buf, until)) || used == size - 1)
			break;
	}
	buf[used] = '\0';
	return used;
}

/* One request on its own connection; the whole answer in buf, its status returned. */
static int exchange(struct web_rig *r, const char *request, char *buf, size_t size)
{
	int fd = connect_to(r);

	CHECK_INT((int)write(fd, request, strlen(request)), (int)strlen(request));
	buf[0] = '\0';
	pump_read(r, fd, buf, size, 0, NULL);
	close(fd);
	return strncmp(buf, "HTTP/1.1 ", 9) == 0 ? atoi(buf + 9) : -1;
}

static int get(struct web_rig *r, const char *path, char *buf, size_t size)
{
	char req[512];

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n\r\n",
		 path, r->port);
	return exchange(r, req, buf, size);
}

static int post(struct web_rig *r, const char *headers, const char *body)
{
	char req[1024], buf[2048];

	snprintf(req, sizeof(req),
		 "POST /input HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nConnection: close\r\n%s"
		 "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %zu\r\n\r\n%s",
		 r->port, headers, strlen(body), body);
	return exchange(r, req, buf, sizeof(buf));
}

static void token_of(struct web_rig *r, char *token)
{
	char buf[4096];
	const char *at;

	CHECK_INT(get(r, "/", buf, sizeof(buf)), 200);
	at = strstr(buf, "content=\"");
	CHECK(at != NULL);
	snprintf(token, 33, "%s", at ? at + 9 : "");
	CHECK_INT((int)strspn(token, "0123456789abcdef"), 32);
}

static void test_page_and_files(void)
{
	struct web_rig r;
	char buf[4096], token[33];

	rig_start(&r);
	CHECK(strstr(r.reported, "display: the patron's page is at http://127.0.0.1:") != NULL);
	CHECK_INT(get(&r, "/", buf, sizeof(buf)), 200);
	CHECK(strstr(buf, "Content-Type: text/html; charset=utf-8") != NULL);
	CHECK(strstr(buf, "Cache-Control: no-store") != NULL);
	CHECK(strstr(buf, "Content-Security-Policy: default-src 'self'") != NULL);
	CHECK(strstr(buf, "@TOKEN@") == NULL);
	token_of(&r, token);
	CHECK_INT(get(&r, "/app.js", buf, sizeof(buf)), 200);
	CHECK(strstr(buf, "Content-Type: text/javascript; charset=utf-8") != NULL);
	CHECK(strstr(buf, "'use strict';") != NULL);
	CHECK_INT(get(&r, "/secret.msg", buf, sizeof(buf)), 404);
	CHECK_INT(get(&r, "/../../etc/passwd", buf, sizeof(buf)), 404);
	CHECK_INT(get(&r, "/%2e%2e/etc/passwd", buf, sizeof(buf)), 404);
	CHECK_INT(get(&r, "/..%2fetc%2fpasswd", buf, sizeof(buf)), 404);
	CHECK_INT(get(&r, "/nothing.js", buf, sizeof(buf)), 404);
	/* A name DNS could point here is another site: rebinding gets nothing. */
	CHECK_INT(exchange(&r, "GET / HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
			   buf, sizeof(buf)), 403);
	CHECK_INT(exchange(&r, "DELETE / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
			   buf, sizeof(buf)), 405);
	rig_stop(&r);
}

static const char *on_metrics(void *data, struct strbuf *out)
{
	struct touches *t = data;

	strbuf_printf(out, "# TYPE circd_up gauge\ncircd_up %d\n", ++t->done);
	return "text/plain; version=0.0.4; charset=utf-8";
}

/* /metrics: only where firmware serves them; by any Host, as a monitoring server names the kiosk. */
static void test_metrics_when_served(void)
{
	struct display_events with_metrics = events;
	struct web_rig r;
	char buf[4096];

	rig_start(&r);
	CHECK_INT(get(&r, "/metrics", buf, sizeof(buf)), 404);
	rig_stop(&r);

	with_metrics.metrics = on_metrics;
	rig_start_with(&r, &with_metrics);
	CHECK_INT(get(&r, "/metrics", buf, sizeof(buf)), 200);
	CHECK(strstr(buf, "Content-Type: text/plain; version=0.0.4; charset=utf-8") != NULL);
	CHECK(strstr(buf, "\r\n\r\n# TYPE circd_up gauge\ncircd_up 1\n") != NULL);
	CHECK_INT(exchange(&r, "GET /metrics HTTP/1.1\r\nHost: kiosk7.library.example:8080\r\n"
			   "Connection: close\r\n\r\n", buf, sizeof(buf)), 200);
	CHECK(strstr(buf, "circd_up 2\n") != NULL);
	/* The page itself still refuses that name. */
	CHECK_INT(exchange(&r, "GET / HTTP/1.1\r\nHost: kiosk7.library.example:8080\r\n"
			   "Connection: close\r\n\r\n", buf, sizeof(buf)), 403);
	/* Read only. */
	CHECK_INT(exchange(&r, "POST /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
			   "Connection: close\r\n\r\n", buf, sizeof(buf)), 404);
	rig_stop(&r);
}

static void test_touches_need_token_and_origin(void)
{
	struct web_rig r;
	char token[33], good[256], h[256];

	rig_start(&r);
	token_of(&r, token);
	snprintf(good, sizeof(good), "Origin: http://127.0.0.1:%u\r\nX-Circd-Token: %s\r\n", r.port,
		 token);
	CHECK_INT(post(&r, good, "action=pin&value=4711"), 204);
	CHECK_STR(r.touches.pin, "4711");
	CHECK_INT(post(&r, good, "action=done"), 204);
	CHECK_INT(post(&r, good, "action=help"), 204);
	CHECK_INT(post(&r, good, "action=language&value=de"), 204);
	CHECK_INT(post(&r, good, "action=receipt&value=no"), 204);
	CHECK_INT(r.touches.done, 1);
	CHECK_INT(r.touches.help, 1);
	CHECK_STR(r.touches.language, "de");
	CHECK_INT(r.touches.receipts, 1);
	CHECK(!r.touches.receipt_wanted);

	snprintf(h, sizeof(h), "Origin: http://127.0.0.1:%u\r\n", r.port);
	CHECK_INT(post(&r, h, "action=done"), 403);
	CHECK(strstr(r.reported, "a touch refused") != NULL);
	snprintf(h, sizeof(h), "Origin: http://evil.example\r\nX-Circd-Token: %s\r\n", token);
	CHECK_INT(post(&r, h, "action=done"), 403);
	snprintf(h, sizeof(h), "X-Circd-Token: %s\r\n", token);
	CHECK_INT(post(&r, h, "action=done"), 403);
	/* Another start's token: this one's with its last digit changed. */
	token[31] = token[31] == '0' ? '1' : '0';
	snprintf(h, sizeof(h), "Origin: http://127.0.0.1:%u\r\nX-Circd-Token: %s\r\n", r.port, token);
	CHECK_INT(post(&r, h, "action=done"), 403);
	CHECK_INT(r.touches.done, 1);
	CHECK_INT(post(&r, good, "action=pin&value=47x1"), 400);
	CHECK_STR(r.touches.pin, "4711");
	rig_stop(&r);
}

static void test_state_pushed_as_events(void)
{
	static const struct display_label labels[] = { { "done", "Done" } };
	struct display_state st = { .screen = DISPLAY_SCREEN_WELCOME, .text = "Welcome!",
				    .language = "en", .labels = labels, .n_labels = 1 };
	struct web_rig r;
	char buf[8192], req[256];
	size_t used;
	int fd;

	rig_start(&r);
	CHECK_INT(display_web_ops.state(r.display, &st), 0);
	fd = connect_to(&r);
	snprintf(req, sizeof(req), "GET /events HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", r.port);
	CHECK_INT((int)write(fd, req, strlen(req)), (int)strlen(req));
	/* At connect: the state as it is. */
	used = pump_read(&r, fd, buf, sizeof(buf), 0, "}\n\n");
	CHECK(strstr(buf, "Content-Type: text/event-stream") != NULL);
	CHECK(strstr(buf, "retry: 1000\ndata: {\"seq\":1,\"screen\":\"welcome\"") != NULL);
	CHECK(strstr(buf, "\"labels\":{\"done\":\"Done\"}") != NULL);

	/* A change: pushed on the open stream, nothing else needed. */
	st.screen = DISPLAY_SCREEN_ITEMS;
	st.text = "Hello!";
	CHECK_INT(display_web_ops.state(r.display, &st), 0);
	used = pump_read(&r, fd, buf, sizeof(buf), used, "\"seq\":2");
	used = pump_read(&r, fd, buf, sizeof(buf), used, "\"Hello!\"");
	CHECK(strstr(buf, "data: {\"seq\":2,\"screen\":\"items\",\"kind\":\"info\",\"text\":\"Hello!\"") !=
	      NULL);
	close(fd);
	/* The texts themselves reach the log at debug only. */
	CHECK_INT(display_web_ops.show(r.display, DISPLAY_OK, "Checked out"), 0);
	CHECK_STR(r.reported, "display ok: Checked out");
	rig_stop(&r);
}

/* A state past the first buffer (many items) is sized up and sent whole. */
static void test_large_state_sent_whole(void)
{
	static struct display_item items[400];
	struct display_state st = { .screen = DISPLAY_SCREEN_ITEMS, .text = "Hello!",
				    .language = "en", .items = items, .n_items = 400 };
	static char buf[64 * 1024];
	struct web_rig r;
	char req[256];
	int fd;

	for (size_t i = 0; i < 400; i++)
		items[i] = (struct display_item){ .item = "31234000000016", .title = "A title",
						  .due = "Sun 27 Dec 2026" };
	items[399].item = "31234000000399";
	rig_start(&r);
	CHECK_INT(display_web_ops.state(r.display, &st), 0);
	fd = connect_to(&r);
	snprintf(req, sizeof(req), "GET /events HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n\r\n", r.port);
	CHECK_INT((int)write(fd, req, strlen(req)), (int)strlen(req));
	pump_read(&r, fd, buf, sizeof(buf), 0, "}\n\n");
	CHECK(strlen(buf) > 4096 * 4);
	CHECK(strstr(buf, "31234000000399") != NULL);
	close(fd);
	rig_stop(&r);
}

static void test_listen_address_is_checked(void)
{
	struct hal_env env = { 0 };
	struct display_config cfg = { .listen = "localhost", .port = 0, .ui_dir = "/tmp" };
	struct file_error err = { .line = 0 };
	struct board board;
	void *handle = NULL;

	memset(&board, 0, sizeof(board));
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &env.loop), 0);
	CHECK_INT(display_web_ops.open(&env, &board, &cfg, &events, NULL, &handle, &err), -EINVAL);
	CHECK(strstr(err.msg, "no IP address") != NULL);
	cfg.ui_dir[0] = '\0';
	snprintf(cfg.listen, sizeof(cfg.listen), "127.0.0.1");
	CHECK_INT(display_web_ops.open(&env, &board, &cfg, &events, NULL, &handle, &err), -EINVAL);
	CHECK(handle == NULL);
	loop_free(env.loop);
}

int main(void)
{
	RUN(test_page_and_files);
	RUN(test_touches_need_token_and_origin);
	RUN(test_state_pushed_as_events);
	RUN(test_listen_address_is_checked);
	RUN(test_metrics_when_served);
	RUN(test_large_state_sent_whole);
	return testlib_finish();
}
