/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "../../lib/loop.h"
#include "testlib.h"

struct fired {
	struct loop *loop;
	int count;
	uint64_t at[8];
	int order[8];
	int id;
	struct loop_timer *rearm_other;
};

static int fire_order;

static void on_timer(struct loop *loop, void *data)
{
	struct fired *f = data;

	if (f->count < 8) {
		f->at[f->count] = loop_mono_ms(loop);
		f->order[f->count] = fire_order++;
	}
	f->count++;
}

static void test_fake_clock_fires_in_deadline_order(void)
{
	struct loop *loop;
	struct loop_timer a, b, c;
	struct fired fa = { 0 }, fb = { 0 }, fc = { 0 };
	uint64_t t0;

	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	t0 = loop_mono_ms(loop);
	loop_timer_init(&a, on_timer, &fa);
	loop_timer_init(&b, on_timer, &fb);
	loop_timer_init(&c, on_timer, &fc);
	loop_timer_arm(loop, &a, 60000);
	loop_timer_arm(loop, &b, 1500);
	loop_timer_arm(loop, &c, 1500);
	fire_order = 0;
	CHECK_INT(loop_advance(loop, 1499), 0);
	CHECK_INT(fb.count, 0);
	CHECK_INT(loop_advance(loop, 1), 0);
	CHECK_INT(fb.count, 1);
	CHECK_INT(fc.count, 1);
	CHECK(fb.order[0] < fc.order[0]); /* equal deadlines: arming order */
	CHECK_INT(fb.at[0], t0 + 1500);
	CHECK_INT(fa.count, 0);
	/* One big jump fires the 60 s timer at its own deadline, not at the end. */
	CHECK_INT(loop_advance(loop, 3600000), 0);
	CHECK_INT(fa.count, 1);
	CHECK_INT(fa.at[0], t0 + 60000);
	CHECK_INT(loop_mono_ms(loop), t0 + 1500 + 3600000);
	loop_free(loop);
}

static void test_rearm_moves_and_disarm_cancels(void)
{
	struct loop *loop;
	struct loop_timer a;
	struct fired fa = { 0 };

	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	loop_timer_init(&a, on_timer, &fa);
	loop_timer_arm(loop, &a, 100);
	loop_advance(loop, 50);
	loop_timer_arm(loop, &a, 100); /* an inactivity timer being reset */
	loop_advance(loop, 99);
	CHECK_INT(fa.count, 0);
	loop_advance(loop, 1);
	CHECK_INT(fa.count, 1);
	loop_timer_arm(loop, &a, 10);
	loop_timer_disarm(loop, &a);
	loop_timer_disarm(loop, &a); /* twice is harmless */
	loop_advance(loop, 1000);
	CHECK_INT(fa.count, 1);
	loop_free(loop);
}

static void test_disarm_anywhere_keeps_the_order(void)
{
	static const uint64_t delays[] = { 500, 100, 900, 300, 700, 100, 1100 };
	enum { N = ARRAY_SIZE(delays) };
	struct loop *loop;
	struct loop_timer t[N];
	struct fired f[N];
	int i;

	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	memset(f, 0, sizeof(f));
	for (i = 0; i < N; i++) {
		loop_timer_init(&t[i], on_timer, &f[i]);
		loop_timer_arm(loop, &t[i], delays[i]);
	}
	loop_timer_disarm(loop, &t[1]); /* the earliest */
	loop_timer_disarm(loop, &t[6]); /* the latest */
	loop_timer_disarm(loop, &t[4]); /* one in the middle */
	loop_timer_arm(loop, &t[0], 200); /* moves towards the head */
	fire_order = 0;
	CHECK_INT(loop_advance(loop, 2000), 0);
	CHECK_INT(f[1].count + f[4].count + f[6].count, 0);
	CHECK_INT(f[5].count, 1);
	CHECK_INT(f[5].order[0], 0);
	CHECK_INT(f[0].order[0], 1);
	CHECK_INT(f[3].order[0], 2);
	CHECK_INT(f[2].order[0], 3);
	CHECK_INT(fire_order, 4);
	loop_free(loop);
}

static void rearm_self(struct loop *loop, void *data)
{
	struct fired *f = data;

	f->count++;
	if (f->count < 5)
		loop_timer_arm(loop, f->rearm_other, 10);
}

static void test_callback_may_rearm_itself(void)
{
	struct loop *loop;
	struct loop_timer a;
	struct fired fa = { 0 };

	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	fa.rearm_other = &a;
	loop_timer_init(&a, rearm_self, &fa);
	loop_timer_arm(loop, &a, 10);
	loop_advance(loop, 1000);
	CHECK_INT(fa.count, 5); /* a pulse pattern of five steps */
	loop_free(loop);
}

static void disarm_other(struct loop *loop, void *data)
{
	struct fired *f = data;

	f->count++;
	loop_timer_disarm(loop, f->rearm_other);
}

/* Like an fd source freed mid-batch: a timer disarmed while due does not fire. */
static void test_callback_may_disarm_another_due_timer(void)
{
	struct loop *loop;
	struct loop_timer a, b;
	struct fired fa = { 0 }, fb = { 0 };

	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	fa.rearm_other = &b;
	loop_timer_init(&a, disarm_other, &fa);
	loop_timer_init(&b, on_timer, &fb);
	loop_timer_arm(loop, &a, 10);
	loop_timer_arm(loop, &b, 10);
	loop_advance(loop, 1000);
	CHECK_INT(fa.count, 1);
	CHECK_INT(fb.count, 0);
	loop_free(loop);
}

static void test_wall_clock_follows_fake_time(void)
{
	struct loop *loop;
	int64_t w;

	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, &loop), 0);
	w = loop_wall_ms(loop);
	loop_advance(loop, 86400000);
	CHECK_INT(loop_wall_ms(loop), w + 86400000);
	CHECK_INT(loop_set_wall(loop, 42), 0);
	CHECK_INT(loop_wall_ms(loop), 42);
	loop_free(loop);
	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(loop_advance(loop, 1), -EINVAL);
	loop_free(loop);
}

struct io_seen {
	int count;
	char buf[16];
};

static void on_readable(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct io_seen *s = data;
	ssize_t n = read(fd, s->buf, sizeof(s->buf) - 1);

	(void)loop;
	(void)events;
	if (n > 0)
		s->buf[n] = 0;
	s->count++;
}

static void test_fd_dispatch_and_removal(void)
{
	struct loop *loop;
	struct loop_source *src, *twin;
	struct io_seen seen = { 0 };
	int p[2];

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	CHECK_INT(loop_add_io(loop, p[0], EPOLLIN, on_readable, &seen, &src), 0);
	CHECK_INT(loop_add_io(loop, p[0], EPOLLIN, on_readable, &seen, &twin), -EEXIST);
	CHECK_INT(loop_run_once(loop, 0), 0);
	CHECK_INT(write(p[1], "scan", 4), 4);
	CHECK_INT(loop_run_once(loop, 1000), 1);
	CHECK_INT(seen.count, 1);
	CHECK_STR(seen.buf, "scan");
	loop_source_free(src);
	CHECK_INT(write(p[1], "x", 1), 1);
	CHECK_INT(loop_run_once(loop, 0), 0);
	CHECK_INT(seen.count, 1);
	close(p[0]);
	close(p[1]);
	loop_free(loop);
}

/* Two readable pipes in one batch; whichever callback runs first acts on the other. */
struct pair_side {
	struct pair *pair;
	int fds[2];
	struct loop_source *src;
	int count;
};

struct pair {
	struct pair_side side[2];
	struct pair_side *first; /* the side whose callback ran first */
	struct pair_side newcomer; /* took the other side's fd number */
	bool free_self, free_other, reuse_fd;
};

static void on_newcomer(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct pair_side *n = data;
	char c;

	(void)loop;
	(void)events;
	n->count++;
	(void)!read(fd, &c, 1);
}

static void on_pair_side(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct pair_side *me = data;
	struct pair *p = me->pair;
	struct pair_side *other = &p->side[me == &p->side[0]];
	int q[2];

	(void)events;
	me->count++;
	CHECK_INT(read(fd, (char[1]){ 0 }, 1), 1);
	if (p->first)
		return;
	p->first = me;
	if (p->free_self) {
		loop_source_free(me->src);
		me->src = NULL;
	}
	if (p->free_other) {
		loop_source_free(other->src);
		other->src = NULL;
	}
	if (p->reuse_fd) {
		/* The same number, a new file with a byte of its own to read. */
		CHECK_INT(pipe2(q, O_CLOEXEC | O_NONBLOCK), 0);
		CHECK_INT(dup3(q[0], other->fds[0], O_CLOEXEC), other->fds[0]);
		close(q[0]);
		p->newcomer.fds[0] = other->fds[0];
		p->newcomer.fds[1] = q[1];
		CHECK_INT(write(q[1], "n", 1), 1);
		CHECK_INT(loop_add_io(loop, p->newcomer.fds[0], EPOLLIN, on_newcomer,
				      &p->newcomer, &p->newcomer.src), 0);
	}
}

/* Both sides readable, so that one epoll batch carries an event for each. */
static void pair_start(struct loop **loop, struct pair *p)
{
	int i;

	memset(p, 0, sizeof(*p));
	p->newcomer.fds[0] = p->newcomer.fds[1] = -1;
	CHECK_INT(loop_new(LOOP_CLOCK_FAKE, loop), 0);
	for (i = 0; i < 2; i++) {
		p->side[i].pair = p;
		CHECK_INT(pipe2(p->side[i].fds, O_CLOEXEC | O_NONBLOCK), 0);
		CHECK_INT(loop_add_io(*loop, p->side[i].fds[0], EPOLLIN, on_pair_side,
				      &p->side[i], &p->side[i].src), 0);
		CHECK_INT(write(p->side[i].fds[1], "x", 1), 1);
	}
}

static void pair_stop(struct loop *loop, struct pair *p)
{
	int i, j;

	for (i = 0; i < 2; i++) {
		loop_source_free(p->side[i].src);
		for (j = 0; j < 2; j++)
			close(p->side[i].fds[j]);
	}
	loop_source_free(p->newcomer.src);
	/* fds[0] is one of the sides' numbers, closed above */
	close(p->newcomer.fds[1]);
	loop_free(loop);
}

static void test_fd_reused_in_a_batch_gets_no_stale_event(void)
{
	struct loop *loop;
	struct pair p;
	struct pair_side *other;

	pair_start(&loop, &p);
	p.free_other = p.reuse_fd = true;
	CHECK_INT(loop_run_once(loop, 0), 2);
	CHECK(p.first != NULL);
	other = &p.side[p.first == &p.side[0]];
	CHECK_INT(p.first->count, 1);
	CHECK_INT(other->count, 0);    /* its pending event was dropped... */
	CHECK_INT(p.newcomer.count, 0); /* ...not handed to the fd's new owner */
	/* The newcomer's own byte comes in the next batch, through its own source. */
	CHECK_INT(loop_run_once(loop, 0), 1);
	CHECK_INT(p.newcomer.count, 1);
	CHECK_INT(other->count, 0);
	pair_stop(loop, &p);
}

static void test_free_inside_own_callback(void)
{
	struct loop *loop;
	struct pair p;

	pair_start(&loop, &p);
	p.free_self = true;
	CHECK_INT(loop_run_once(loop, 0), 2);
	CHECK(p.first != NULL);
	CHECK_INT(p.side[0].count, 1);
	CHECK_INT(p.side[1].count, 1);
	/* The freed side's fd has a new byte; nobody watches it any more. */
	CHECK_INT(write(p.first->fds[1], "y", 1), 1);
	CHECK_INT(loop_run_once(loop, 0), 0);
	CHECK_INT(p.first->count, 1);
	pair_stop(loop, &p);
}

static void test_free_another_with_an_event_pending(void)
{
	struct loop *loop;
	struct pair p;
	struct pair_side *other;

	pair_start(&loop, &p);
	p.free_other = true;
	CHECK_INT(loop_run_once(loop, 0), 2);
	CHECK(p.first != NULL);
	other = &p.side[p.first == &p.side[0]];
	CHECK_INT(other->count, 0);
	/* Its byte is still there, unread and no longer watched. */
	CHECK_INT(loop_run_once(loop, 0), 0);
	CHECK_INT(other->count, 0);
	pair_stop(loop, &p);
}

static void on_writable(struct loop *loop, int fd, uint32_t events, void *data)
{
	(void)loop;
	(void)fd;
	*(uint32_t *)data |= events;
}

static void test_set_events_and_leftovers(void)
{
	struct loop *loop;
	struct loop_source *src, *left;
	uint32_t seen = 0;
	int p[2], q[2];

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	CHECK_INT(pipe2(q, O_CLOEXEC | O_NONBLOCK), 0);
	CHECK_INT(loop_add_io(loop, p[1], 0, on_writable, &seen, &src), 0);
	CHECK_INT(loop_run_once(loop, 0), 0);
	CHECK_INT(loop_source_set_events(src, EPOLLOUT), 0);
	CHECK_INT(loop_run_once(loop, 0), 1);
	CHECK(seen & EPOLLOUT);
	seen = 0;
	CHECK_INT(loop_source_set_events(src, 0), 0);
	CHECK_INT(loop_run_once(loop, 0), 0);
	CHECK_INT(seen, 0);
	loop_source_free(src);
	loop_source_free(NULL);
	/* A source nobody freed goes with the loop (ASan's leak check is the judge). */
	CHECK_INT(loop_add_io(loop, q[0], EPOLLIN, on_writable, &seen, &left), 0);
	loop_free(loop);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

static void on_real_timer(struct loop *loop, void *data)
{
	(*(int *)data)++;
	loop_quit(loop);
}

static void test_system_clock_timer_and_idle_wakeups(void)
{
	struct loop *loop;
	struct loop_timer t;
	int fired = 0;
	uint64_t w0;

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	loop_timer_init(&t, on_real_timer, &fired);
	loop_timer_arm(loop, &t, 5);
	w0 = loop_wakeups(loop);
	CHECK_INT(loop_run(loop), 0);
	CHECK_INT(fired, 1);
	CHECK(loop_wakeups(loop) > w0);
	/* Nothing armed: waiting wakes nobody. */
	w0 = loop_wakeups(loop);
	CHECK_INT(loop_run_once(loop, 50), 0);
	CHECK_INT(loop_wakeups(loop), w0 + 1); /* the epoll timeout itself, no event */
	loop_free(loop);
}

/* An fd callback that hands the rest of its work to a zero-delay timer. */
struct carry_on {
	struct loop_timer later;
	int fd, ran, again; /* again: how many more times the timer re-arms itself */
};

static void on_later(struct loop *loop, void *data)
{
	struct carry_on *c = data;

	c->ran++;
	if (c->again > 0) {
		c->again--;
		loop_timer_arm(loop, &c->later, 0);
	}
}

static void on_carry_on_fd(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct carry_on *c = data;
	char b;

	(void)events;
	if (read(fd, &b, 1) == 1)
		loop_timer_arm(loop, &c->later, 0);
}

/*
 * A timer due when a batch of events is over runs in the same pass, without
 * waiting for the timerfd; one that re-arms itself at once runs once a pass,
 * so the next batch still comes in between.
 */
static void test_due_timer_runs_after_the_batch(void)
{
	struct carry_on c = { .again = 2 };
	struct loop_source *src;
	struct loop *loop;
	int fds[2];

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(pipe2(fds, O_CLOEXEC | O_NONBLOCK), 0);
	loop_timer_init(&c.later, on_later, &c);
	CHECK_INT(loop_add_io(loop, fds[0], EPOLLIN, on_carry_on_fd, &c, &src), 0);
	CHECK_INT(write(fds[1], "x", 1), 1);
	CHECK_INT(loop_run_once(loop, 1000), 2); /* the pipe; the timer right after it */
	CHECK_INT(c.ran, 1);
	CHECK(c.later.armed); /* re-armed by itself: for the next pass */
	/* Due already: epoll only looks, and the timerfd is never set for "now". */
	CHECK_INT(loop_run_once(loop, 1000), 1);
	CHECK_INT(c.ran, 2);
	CHECK_INT(loop_run_once(loop, 1000), 1);
	CHECK_INT(c.ran, 3);
	CHECK(!c.later.armed);
	/* Nothing armed, and the timerfd never was: waiting wakes nobody. */
	CHECK_INT(loop_run_once(loop, 20), 0);
	CHECK_INT(c.ran, 3);
	loop_source_free(src);
	close(fds[0]);
	close(fds[1]);
	loop_free(loop);
}

static void on_signal(struct loop *loop, int signo, void *data)
{
	*(int *)data = signo;
	loop_quit(loop);
}

static void test_signal_through_the_loop(void)
{
	struct loop *loop;
	int got = 0;

	CHECK_INT(loop_new(LOOP_CLOCK_SYSTEM, &loop), 0);
	CHECK_INT(loop_add_signal(loop, SIGUSR1, on_signal, &got), 0);
	raise(SIGUSR1);
	CHECK_INT(loop_run(loop), 0);
	CHECK_INT(got, SIGUSR1);
	loop_free(loop);
}

int main(void)
{
	RUN(test_fake_clock_fires_in_deadline_order);
	RUN(test_rearm_moves_and_disarm_cancels);
	RUN(test_disarm_anywhere_keeps_the_order);
	RUN(test_callback_may_rearm_itself);
	RUN(test_callback_may_disarm_another_due_timer);
	RUN(test_wall_clock_follows_fake_time);
	RUN(test_fd_dispatch_and_removal);
	RUN(test_fd_reused_in_a_batch_gets_no_stale_event);
	RUN(test_free_inside_own_callback);
	RUN(test_free_another_with_an_event_pending);
	RUN(test_set_events_and_leftovers);
	RUN(test_system_clock_timer_and_idle_wakeups);
	RUN(test_due_timer_runs_after_the_batch);
	RUN(test_signal_through_the_loop);
	return testlib_finish();
}
