/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event loop. Read this file top to bottom once; it is the whole of it.
 *
 * File descriptors: epoll, one registration per fd, level-triggered. Each
 * registration is a struct loop_source, and epoll hands the source back with
 * every event (data.ptr), so dispatch looks nothing up. A source freed while
 * a batch of events is being dispatched is only marked: a later event of the
 * same batch may still point at it, and is dropped; the memory goes once the
 * batch is over.
 * Timers: a doubly-linked list sorted by deadline, with one timerfd armed for
 * the earliest. With nothing due the timerfd is disarmed, so an idle kiosk
 * never wakes up. The timerfd is set only just before epoll_wait(), and only
 * when the earliest deadline has changed: a timeout disarmed at a device's
 * answer and armed again for its next request (deadlines are whole
 * milliseconds) then costs no system call.
 * Timers run once a batch of events is dispatched: those the timerfd woke
 * the loop for, and those already due without it (a callback's "carry on
 * from the loop"), which so cost no round trip through the timerfd: with
 * one due, the next epoll_wait() only looks and the timerfd is left. Only
 * those armed before that pass began run in it: one that re-arms itself
 * with no delay runs once a pass and still lets the next batch in.
 * Disarming and firing are O(1); arming walks from the tail,
 * because nearly every arm is an inactivity or retry timeout set to "now +
 * the same delay", which lands at or near the end. A kiosk has a few dozen
 * timers at most, so a heap would buy nothing and its array could fail to
 * grow inside loop_timer_arm(), which cannot fail.
 * Signals: blocked and read from one signalfd.
 * Clock: system or fake. A fake clock never arms the timerfd; loop_advance()
 * walks time forward and fires what falls due on the way, in order.
 */
#include "loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define LOOP_MAX_EVENTS 16

struct loop_source {
	struct loop *loop;
	int fd;
	uint32_t events; /* what epoll watches for: setting the same again is no call */
	loop_io_fn fn;
	void *data;
	bool freed;
	/* On loop->sources while live; once freed in a batch, on loop->freed (next only). */
	struct loop_source *prev, *next;
};

struct loop_signal {
	int signo;
	loop_signal_fn fn;
	void *data;
};

struct loop {
	int epfd;
	int timerfd;
	int sigfd;
	sigset_t sigmask;
	struct loop_signal signals[8];
	unsigned n_signals;

	struct loop_source *timerfd_source, *sigfd_source;
	struct loop_source *sources; /* for loop_free(); dispatch never walks it */
	struct loop_source *freed;   /* released when the batch being dispatched ends */
	unsigned dispatch_depth;
	struct loop_timer *timers; /* sorted by deadline, earliest first */
	struct loop_timer *timers_tail;
	uint64_t timerfd_deadline; /* what the timerfd is armed for; 0 = disarmed */
	uint64_t timer_arms;       /* loop_timer_arm() calls so far: a timer's arm_seq */

	bool fake;
	uint64_t fake_mono_ms;
	int64_t fake_wall_ms;

	bool quit;
	uint64_t wakeups;
};

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

uint64_t loop_mono_ms(const struct loop *loop)
{
	return loop->fake ? loop->fake_mono_ms : clock_ms(CLOCK_MONOTONIC);
}

int64_t loop_wall_ms(const struct loop *loop)
{
	return loop->fake ? loop->fake_wall_ms : (int64_t)clock_ms(CLOCK_REALTIME);
}

bool loop_clock_is_fake(const struct loop *loop)
{
	return loop->fake;
}

uint64_t loop_wakeups(const struct loop *loop)
{
	return loop->wakeups;
}

int loop_add_io(struct loop *loop, int fd, uint32_t events, loop_io_fn fn, void *data,
		struct loop_source **ret)
{
	struct epoll_event ev = { .events = events };
	struct loop_source *src;

	src = calloc(1, sizeof(*src));
	if (!src)
		return -ENOMEM;
	ev.data.ptr = src;
	/* epoll itself refuses a second registration of fd with -EEXIST. */
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(src);
		return err;
	}
	src->loop = loop;
	src->fd = fd;
	src->events = events;
	src->fn = fn;
	src->data = data;
	src->next = loop->sources;
	if (src->next)
		src->next->prev = src;
	loop->sources = src;
	*ret = src;
	return 0;
}

int loop_source_set_events(struct loop_source *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	if (events == src->events)
		return 0;
	if (epoll_ctl(src->loop->epfd, EPOLL_CTL_MOD, src->fd, &ev) < 0)
		return -errno;
	src->events = events;
	return 0;
}

void loop_source_free(struct loop_source *src)
{
	struct loop *loop;

	if (!src)
		return;
	loop = src->loop;
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, src->fd, NULL);
	if (src->prev)
		src->prev->next = src->next;
	else
		loop->sources = src->next;
	if (src->next)
		src->next->prev = src->prev;
	if (!loop->dispatch_depth) {
		free(src);
		return;
	}
	src->freed = true;
	src->prev = NULL;
	src->next = loop->freed;
	loop->freed = src;
}

static void free_list(struct loop_source *src)
{
	struct loop_source *next;

	for (; src; src = next) {
		next = src->next;
		free(src);
	}
}

/*
 * Before the loop sleeps: the timerfd armed for the earliest timer, or
 * disarmed when none is, so an idle loop sleeps. Arming and disarming in
 * between cost nothing; only a change of the earliest deadline costs a call.
 */
static void rearm_timerfd(struct loop *loop)
{
	struct itimerspec its = { 0 };
	uint64_t deadline;

	if (loop->fake)
		return;
	deadline = loop->timers ? loop->timers->deadline_ms : 0;
	if (deadline == loop->timerfd_deadline)
		return;
	if (deadline) {
		its.it_value.tv_sec = (time_t)(deadline / 1000u);
		its.it_value.tv_nsec = (long)(deadline % 1000u) * 1000000L;
	}
	/* With TFD_TIMER_ABSTIME a deadline already past fires at once. */
	timerfd_settime(loop->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
	loop->timerfd_deadline = deadline;
}

void loop_timer_init(struct loop_timer *timer, loop_timer_fn fn, void *data)
{
	memset(timer, 0, sizeof(*timer));
	timer->fn = fn;
	timer->data = data;
}

static void unlink_timer(struct loop *loop, struct loop_timer *timer)
{
	if (timer->prev)
		timer->prev->next = timer->next;
	else
		loop->timers = timer->next;
	if (timer->next)
		timer->next->prev = timer->prev;
	else
		loop->timers_tail = timer->prev;
	timer->next = timer->prev = NULL;
	timer->armed = false;
}

void loop_timer_arm(struct loop *loop, struct loop_timer *timer, uint64_t delay_ms)
{
	struct loop_timer *before;

	if (timer->armed)
		unlink_timer(loop, timer);
	timer->deadline_ms = loop_mono_ms(loop) + delay_ms;
	/* 0 means "disarmed" to rearm_timerfd(). */
	if (timer->deadline_ms == 0)
		timer->deadline_ms = 1;
	/* Equal deadlines fire in arming order: go in after every one not later. */
	for (before = loop->timers_tail; before && before->deadline_ms > timer->deadline_ms;
	     before = before->prev)
		;
	timer->prev = before;
	timer->next = before ? before->next : loop->timers;
	if (timer->next)
		timer->next->prev = timer;
	else
		loop->timers_tail = timer;
	if (before)
		before->next = timer;
	else
		loop->timers = timer;
	timer->armed = true;
	timer->arm_seq = ++loop->timer_arms;
}

void loop_timer_disarm(struct loop *loop, struct loop_timer *timer)
{
	if (!timer->armed)
		return;
	unlink_timer(loop, timer);
}

/*
 * Fires every timer due at now that was armed before this call. A callback
 * may arm or disarm any timer; one it arms due at once waits for the next
 * pass. Arming keeps equal deadlines in arming order, so the first timer
 * armed during this pass ends it.
 */
static int run_due_timers(struct loop *loop, uint64_t now)
{
	uint64_t armed_before = loop->timer_arms;
	struct loop_timer *t;
	int ran = 0;

	while ((t = loop->timers) && t->deadline_ms <= now && t->arm_seq <= armed_before) {
		unlink_timer(loop, t);
		t->fn(loop, t->data);
		ran++;
	}
	return ran;
}

int loop_advance(struct loop *loop, uint64_t ms)
{
	uint64_t target;

	if (!loop->fake)
		return -EINVAL;
	target = loop->fake_mono_ms + ms;
	/* Step through each deadline so callbacks see the time they were due at. */
	while (loop->timers && loop->timers->deadline_ms <= target) {
		uint64_t due = loop->timers->deadline_ms;

		if (due > loop->fake_mono_ms) {
			loop->fake_wall_ms += (int64_t)(due - loop->fake_mono_ms);
			loop->fake_mono_ms = due;
		}
		run_due_timers(loop, loop->fake_mono_ms);
	}
	loop->fake_wall_ms += (int64_t)(target - loop->fake_mono_ms);
	loop->fake_mono_ms = target;
	return 0;
}

int loop_set_wall(struct loop *loop, int64_t wall_ms)
{
	if (!loop->fake)
		return -EINVAL;
	loop->fake_wall_ms = wall_ms;
	return 0;
}

static void on_timerfd(struct loop *loop, int fd, uint32_t events, void *data)
{
	uint64_t expirations;

	(void)events;
	(void)data;
	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		return;
	loop->timerfd_deadline = 0; /* a fired absolute timer is disarmed */
	/* What fell due runs once this batch is dispatched, in loop_run_once(). */
}

static void on_signalfd(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct signalfd_siginfo si;
	unsigned i;

	(void)events;
	(void)data;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		for (i = 0; i < loop->n_signals; i++)
			if (loop->signals[i].signo == (int)si.ssi_signo)
				loop->signals[i].fn(loop, (int)si.ssi_signo, loop->signals[i].data);
	}
}

int loop_add_signal(struct loop *loop, int signo, loop_signal_fn fn, void *data)
{
	int r;

	if (loop->n_signals == ARRAY_SIZE(loop->signals))
		return -ENOSPC;
	sigaddset(&loop->sigmask, signo);
	r = sigprocmask(SIG_BLOCK, &loop->sigmask, NULL);
	if (r < 0)
		return -errno;
	if (signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC) < 0)
		return -errno;
	loop->signals[loop->n_signals++] = (struct loop_signal){ signo, fn, data };
	return 0;
}

int loop_new(enum loop_clock clock, struct loop **ret)
{
	struct loop *loop;
	int r;

	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return -ENOMEM;
	loop->timerfd = loop->sigfd = -1;
	loop->fake = clock == LOOP_CLOCK_FAKE;
	/* A fake clock starts at a fixed, recognisable instant: 2026-01-01. */
	loop->fake_mono_ms = 1000;
	loop->fake_wall_ms = 1767225600000LL;
	sigemptyset(&loop->sigmask);

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		r = -errno;
		goto err_free;
	}
	loop->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (loop->timerfd < 0) {
		r = -errno;
		goto err_epoll;
	}
	r = loop_add_io(loop, loop->timerfd, EPOLLIN, on_timerfd, NULL, &loop->timerfd_source);
	if (r < 0)
		goto err_timerfd;
	loop->sigfd = signalfd(-1, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (loop->sigfd < 0) {
		r = -errno;
		goto err_timerfd_source;
	}
	r = loop_add_io(loop, loop->sigfd, EPOLLIN, on_signalfd, NULL, &loop->sigfd_source);
	if (r < 0)
		goto err_sigfd;
	*ret = loop;
	return 0;

err_sigfd:
	close(loop->sigfd);
err_timerfd_source:
	loop_source_free(loop->timerfd_source);
err_timerfd:
	close(loop->timerfd);
err_epoll:
	close(loop->epfd);
err_free:
	free(loop);
	return r;
}

void loop_free(struct loop *loop)
{
	if (!loop)
		return;
	/* Closing epfd drops every registration; what is left is memory. */
	free_list(loop->sources);
	free_list(loop->freed);
	close(loop->sigfd);
	close(loop->timerfd);
	close(loop->epfd);
	if (loop->n_signals)
		sigprocmask(SIG_UNBLOCK, &loop->sigmask, NULL);
	free(loop);
}

int loop_run_once(struct loop *loop, int timeout_ms)
{
	struct epoll_event events[LOOP_MAX_EVENTS];
	int i, n;

	/*
	 * A timer already due (a callback's "carry on from the loop") runs after
	 * a look at the fds that does not sleep: setting the timerfd for "now",
	 * reading it and setting it back would cost three calls a pass.
	 */
	if (!loop->fake && loop->timers && loop->timers->deadline_ms <= loop_mono_ms(loop))
		timeout_ms = 0;
	else
		rearm_timerfd(loop);
	n = epoll_wait(loop->epfd, events, LOOP_MAX_EVENTS, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	loop->wakeups++;
	loop->dispatch_depth++;
	for (i = 0; i < n; i++) {
		struct loop_source *src = events[i].data.ptr;

		/* An earlier callback of this batch freed it (a client hung up, a device left). */
		if (!src->freed)
			src->fn(loop, src->fd, events[i].events, src->data);
	}
	/* A callback that ran a batch of its own must not release ours under us. */
	if (--loop->dispatch_depth == 0) {
		free_list(loop->freed);
		loop->freed = NULL;
	}
	/* The fake clock stands still until loop_advance(), which fires what is due. */
	if (!loop->fake && loop->timers)
		n += run_due_timers(loop, loop_mono_ms(loop));
	return n;
}

int loop_run(struct loop *loop)
{
	int r;

	loop->quit = false;
	while (!loop->quit) {
		r = loop_run_once(loop, -1);
		if (r < 0)
			return r;
	}
	return 0;
}

void loop_quit(struct loop *loop)
{
	loop->quit = true;
}
