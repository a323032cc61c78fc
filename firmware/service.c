/* SPDX-License-Identifier: GPL-2.0-or-later */
/* circd's messages to its service manager (see service.h). */
#include "service.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "circd.h"
#include "ils.h"
#include "log.h"
#include "sdnotify.h"

static void notify(struct circd *c, const char *message)
{
	int r = sdnotify_send(c->notify, message);

	/* Once per cause: a manager that went away would say it at every ping. */
	if (r < 0 && r != c->notify_err)
		log_warning("service manager: cannot notify (%s)", strerror(-r));
	c->notify_err = r < 0 ? r : 0;
}

static void on_watchdog(struct loop *loop, void *data)
{
	struct circd *c = data;

	notify(c, "WATCHDOG=1");
	loop_timer_arm(loop, &c->watchdog_timer, c->watchdog_ms);
}

void service_start(struct circd *c)
{
	uint64_t usec;
	int r;

	loop_timer_init(&c->watchdog_timer, on_watchdog, c);
	r = sdnotify_open(&c->notify);
	if (r < 0) {
		log_warning("service manager: NOTIFY_SOCKET unusable (%s); not notifying",
			    strerror(-r));
		return;
	}
	usec = sdnotify_watchdog_usec();
	if (!c->notify || !usec)
		return;
	/* Half the interval, as systemd advises: a ping late by a busy moment is not missed. */
	c->watchdog_ms = usec / 2000 ? usec / 2000 : 1;
	loop_timer_arm(c->loop, &c->watchdog_timer, c->watchdog_ms);
	log_info("service manager: watchdog every %llu ms",
		 (unsigned long long)c->watchdog_ms);
}

/* "STATUS=..." as staff read it in systemctl status. */
static void status_line(struct circd *c, char *out, size_t size)
{
	uint64_t pending = 0, forwarded = 0;
	bool counted = c->store && store_count(c->store, TXN_PENDING, &pending) >= 0 &&
		       store_count(c->store, TXN_FORWARDED, &forwarded) >= 0;

	snprintf(out, size, "STATUS=%s; ILS %s; outbox %llu%s",
		 c->store ? "recording" : "store unavailable: refusing transactions",
		 !c->ils ? "none configured" : ils_up(c->ils) ? "online" : "offline",
		 (unsigned long long)(pending + forwarded), counted ? "" : " (not counted)");
}

void service_ready(struct circd *c)
{
	char message[256];

	if (!c->notify)
		return;
	status_line(c, message, sizeof(message));
	memmove(message + strlen("READY=1\n"), message, strlen(message) + 1);
	memcpy(message, "READY=1\n", strlen("READY=1\n"));
	notify(c, message);
}

void service_status(struct circd *c)
{
	char message[224];

	if (!c->notify)
		return;
	status_line(c, message, sizeof(message));
	notify(c, message);
}

void service_reloading(struct circd *c, bool done)
{
	struct timespec now;
	char message[96];

	if (!c->notify)
		return;
	if (done) {
		service_ready(c);
		return;
	}
	/* systemd 253+ wants the time with it, to tell this reload from the next. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(message, sizeof(message), "RELOADING=1\nMONOTONIC_USEC=%llu",
		 (unsigned long long)now.tv_sec * 1000000ull + (unsigned long long)now.tv_nsec / 1000);
	notify(c, message);
}

void service_stopping(struct circd *c)
{
	if (c->notify)
		notify(c, "STOPPING=1");
}

void service_stop(struct circd *c)
{
	if (c->loop)
		loop_timer_disarm(c->loop, &c->watchdog_timer);
	sdnotify_free(c->notify);
	c->notify = NULL;
}
