/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host names of the ILS, resolved without blocking the loop: a numeric
 * address at once, a name by glibc's getaddrinfo_a() in its own thread,
 * polled from a loop timer (it can tell no fd when it is done).
 */
#include "net-private.h"

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#define NET_RESOLVE_POLL_MS 20

/*
 * One getaddrinfo_a() request. glibc's resolver thread writes into it, so it
 * lives apart from the connection: when a request cannot be cancelled any
 * more it is parked on the orphan list until the thread is done with it.
 */
struct net_resolve {
	struct gaicb cb;
	struct addrinfo hints;
	char *host;
	char port[8];
	struct net_resolve *next;
};

static struct net_resolve *orphans;

static int gai_to_errno(int gai)
{
	switch (gai) {
	case EAI_NONAME:
	case EAI_NODATA:
	case EAI_ADDRFAMILY:
	case EAI_FAIL:
		return -EHOSTUNREACH;
	case EAI_AGAIN:
		return -EAGAIN;
	case EAI_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static void resolve_free(struct net_resolve *res)
{
	if (res->cb.ar_result)
		freeaddrinfo(res->cb.ar_result);
	free(res->host);
	free(res);
}

/* Frees the orphaned requests glibc has finished with. */
void net_resolve_reap_orphans(void)
{
	struct net_resolve **p = &orphans, *res;

	while ((res = *p)) {
		if (gai_error(&res->cb) == EAI_INPROGRESS) {
			p = &res->next;
			continue;
		}
		*p = res->next;
		resolve_free(res);
	}
}

void net_resolve_release(struct net_conn *c)
{
	struct net_resolve *res = c->resolve;

	if (!res)
		return;
	c->resolve = NULL;
	loop_timer_disarm(c->loop, &c->resolve_timer);
	if (gai_cancel(&res->cb) == EAI_NOTCANCELED) {
		res->next = orphans;
		orphans = res;
		return;
	}
	resolve_free(res);
}

/* Hands host to glibc's resolver thread, polled from the loop. */
static int resolve_in_background(struct net_conn *c)
{
	struct sigevent sev = { .sigev_notify = SIGEV_NONE };
	struct gaicb *list[1];
	struct net_resolve *res;
	int r;

	res = calloc(1, sizeof(*res));
	if (!res)
		return -ENOMEM;
	res->host = strdup(c->host);
	if (!res->host) {
		r = -ENOMEM;
		goto err_free;
	}
	memcpy(res->port, c->port, sizeof(res->port));
	res->hints.ai_family = AF_UNSPEC;
	res->hints.ai_socktype = SOCK_STREAM;
	res->hints.ai_protocol = IPPROTO_TCP;
	res->hints.ai_flags = AI_NUMERICSERV;
	res->cb.ar_name = res->host;
	res->cb.ar_service = res->port;
	res->cb.ar_request = &res->hints;
	list[0] = &res->cb;
	r = getaddrinfo_a(GAI_NOWAIT, list, 1, &sev);
	if (r) {
		r = gai_to_errno(r);
		goto err_free;
	}
	c->resolve = res;
	c->state = NET_RESOLVING;
	loop_timer_arm(c->loop, &c->resolve_timer, NET_RESOLVE_POLL_MS);
	return 0;

err_free:
	resolve_free(res);
	return r;
}

int net_resolve_start(struct net_conn *c)
{
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_protocol = IPPROTO_TCP,
		.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
	};
	int r;

	r = getaddrinfo(c->host, c->port, &hints, &c->addrs);
	if (r == 0) {
		c->next_addr = c->addrs;
		return 0;
	}
	c->addrs = NULL;
	if (r == EAI_NONAME)
		return resolve_in_background(c);
	return gai_to_errno(r);
}

void net_resolve_poll(struct loop *loop, void *data)
{
	struct net_conn *c = data;
	struct net_resolve *res = c->resolve;
	int r;

	if (!res)
		return;
	net_conn_enter(c);
	r = gai_error(&res->cb);
	if (r == EAI_INPROGRESS) {
		loop_timer_arm(loop, &c->resolve_timer, NET_RESOLVE_POLL_MS);
	} else if (r == 0) {
		c->addrs = c->next_addr = res->cb.ar_result;
		res->cb.ar_result = NULL;
		c->resolve = NULL;
		resolve_free(res);
		net_try_connect(c, -EHOSTUNREACH);
	} else {
		c->resolve = NULL;
		resolve_free(res);
		net_conn_failf(c, gai_to_errno(r), "cannot resolve %s: %s", c->host,
			       gai_strerror(r));
	}
	net_conn_leave(c);
}
