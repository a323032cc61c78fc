/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The event loop: one thread, epoll for file descriptors, one timerfd behind
 * a sorted list of software timers, signalfd for signals.
 *
 * Time comes from the loop's clock. With LOOP_CLOCK_SYSTEM it is
 * CLOCK_MONOTONIC / CLOCK_REALTIME; with LOOP_CLOCK_FAKE it stands still until
 * loop_advance() moves it, which fires due timers at once. Tests use the fake
 * clock so that a 60 s session timeout costs nothing.
 *
 * Ownership: the caller owns every struct loop_timer (usually embedded in its
 * own object) and must disarm it before freeing that memory. The caller owns
 * every struct loop_source that loop_add_io() returns and frees it with
 * loop_source_free() before closing its fd (see there) and before freeing the
 * loop; loop_free() releases any left over, and accepts NULL. The loop never
 * closes an fd it was given.
 */
#ifndef CIRCD_LOOP_H
#define CIRCD_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_source;

enum loop_clock {
	LOOP_CLOCK_SYSTEM,
	LOOP_CLOCK_FAKE,
};

typedef void (*loop_io_fn)(struct loop *loop, int fd, uint32_t events, void *data);
typedef void (*loop_timer_fn)(struct loop *loop, void *data);
typedef void (*loop_signal_fn)(struct loop *loop, int signo, void *data);

struct loop_timer {
	uint64_t deadline_ms; /* on the loop's monotonic clock */
	loop_timer_fn fn;
	void *data;
	struct loop_timer *prev, *next;
	uint64_t arm_seq; /* which arming of the loop's this is: see run_due_timers() */
	bool armed;
};

int loop_new(enum loop_clock clock, struct loop **ret);
void loop_free(struct loop *loop);

/*
 * Watches fd for events (EPOLLIN/EPOLLOUT/..., level-triggered); one source
 * per fd (-EEXIST). *ret is the handle: events are dispatched through it,
 * never by fd number, so an fd closed and reused within one batch of events
 * cannot receive its predecessor's events.
 */
int loop_add_io(struct loop *loop, int fd, uint32_t events, loop_io_fn fn, void *data,
		struct loop_source **ret);
int loop_source_set_events(struct loop_source *src, uint32_t events);
/*
 * Stops watching at once; call it before closing the fd (epoll knows fds by
 * number, so a late removal could hit the fd's next owner). Accepts NULL.
 * Safe from any callback, for its own source or another: the memory lives on
 * until the current batch of events is dispatched, and an event of that
 * batch still pending for src is dropped.
 */
void loop_source_free(struct loop_source *src);

/* Blocks signo (process-wide) and delivers it through the loop instead. */
int loop_add_signal(struct loop *loop, int signo, loop_signal_fn fn, void *data);

/*
 * A struct loop_timer is its own handle, with no id to look up: disarming
 * and firing cost O(1) however many are armed; arming walks the sorted list
 * from its latest end, where a timeout of "now + a fixed delay" lands.
 */
void loop_timer_init(struct loop_timer *timer, loop_timer_fn fn, void *data);
/* (Re)arms timer to fire once, delay_ms from now. Re-arming moves it. */
void loop_timer_arm(struct loop *loop, struct loop_timer *timer, uint64_t delay_ms);
void loop_timer_disarm(struct loop *loop, struct loop_timer *timer);

/*
 * Runs until loop_quit(). Returns 0, or -errno if epoll itself failed.
 * loop_run_once() waits at most timeout_ms (-1: forever; not at all with a
 * timer due), dispatches one batch of events, then runs the timers due by
 * then (system clock only), and returns how many callbacks it ran; tests
 * use it with timeout 0 to drain pending I/O.
 */
int loop_run(struct loop *loop);
int loop_run_once(struct loop *loop, int timeout_ms);
void loop_quit(struct loop *loop);

uint64_t loop_mono_ms(const struct loop *loop);
/* Wall clock in milliseconds since the Unix epoch. */
int64_t loop_wall_ms(const struct loop *loop);
/* Fake clock only (-EINVAL otherwise): move time forward, firing due timers. */
int loop_advance(struct loop *loop, uint64_t ms);
int loop_set_wall(struct loop *loop, int64_t wall_ms);
bool loop_clock_is_fake(const struct loop *loop);

/* How many times epoll_wait returned: the idle benchmark wants 0 while idle. */
uint64_t loop_wakeups(const struct loop *loop);

#endif
