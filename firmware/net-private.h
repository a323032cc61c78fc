/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Between the three files of the ILS transport, nothing else includes it:
 * net.c, the connection (its states, sockets, send queue, timers and the
 * owner's callbacks); net-resolve.c, host names resolved off the loop; and
 * net-tls.c, OpenSSL over the connection's socket. The connection is one
 * struct they share; only net-tls.c calls OpenSSL (so only it includes
 * ossl.h), only net-resolve.c calls the resolver.
 */
#ifndef CIRCD_NET_PRIVATE_H
#define CIRCD_NET_PRIVATE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "net.h"

struct addrinfo;
struct net_resolve;
struct ssl_ctx_st;
struct ssl_st;

/* A certificate pin: the SHA-256 of its DER. */
#define NET_PIN_LEN 32

enum net_state {
	NET_RESOLVING,
	NET_CONNECTING,
	NET_HANDSHAKING,
	NET_CONNECTED,
	NET_DEAD,
};

struct net_conn {
	struct loop *loop;
	struct net_events ev;
	void *data;
	enum net_state state;
	char *host;
	char port[8];
	unsigned timeout_ms;

	struct net_resolve *resolve;
	struct addrinfo *addrs;	    /* the resolved list, freed once connected */
	struct addrinfo *next_addr; /* the next one to try */
	char peer[INET6_ADDRSTRLEN]; /* the address being tried, for messages */
	int fd;
	struct loop_source *source;
	uint32_t events; /* what fd is registered for */

	bool tls;
	bool pinned_only;
	bool have_pin;
	unsigned char pin[NET_PIN_LEN];
	char *server_name;
	struct ssl_ctx_st *ctx; /* SSL_CTX */
	struct ssl_st *ssl;     /* SSL, NULL until TCP is up */
	bool bio_eof;
	int bio_errno;
	bool handshake_wants_write;
	bool read_wants_write;
	bool write_wants_read;

	char *out; /* queued plaintext: out[out_start .. out_start + out_len) */
	size_t out_start;
	size_t out_len;
	size_t out_alloc;

	struct loop_timer timeout_timer;
	struct loop_timer resolve_timer;
	struct loop_timer notify_timer;

	int err;
	bool closed_notified;
	bool owner_closed;
	unsigned busy;	    /* nesting depth of loop callbacks into this conn */
	unsigned user_call; /* inside net_connect()/net_send(): defer closed() */
	char error[256];
};

/* --- net.c, for its two helpers ---------------------------------------------------------- */

/*
 * Loop callbacks bracket themselves with these: a net_close() from inside
 * the owner's callback frees the connection at the outermost leave.
 */
void net_conn_enter(struct net_conn *c);
void net_conn_leave(struct net_conn *c);
/* Neither closed nor failed: code after an owner's callback checks this first. */
bool net_conn_alive(const struct net_conn *c);
/* Ends the connection with err, fmt saying why (net_last_error()); closed() follows. */
void net_conn_failf(struct net_conn *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* strerror() with a lower-case first letter, to sit inside a sentence. */
const char *net_errstr(int errnum, char *buf, size_t size);
/* Connects to the next resolved address; err is why the previous one failed. */
void net_try_connect(struct net_conn *c, int err);
/* TCP (and TLS) are up: tells the owner. */
void net_established(struct net_conn *c);
/* Registers the socket for what the current state waits for. */
void net_update_events(struct net_conn *c);

/* --- net-resolve.c ----------------------------------------------------------------------- */

/*
 * Resolves c->host: a numeric address at once (c->addrs, c->next_addr set),
 * a name in the background (state NET_RESOLVING; c->resolve_timer, which
 * runs net_resolve_poll(), goes on with net_try_connect() or fails c).
 */
int net_resolve_start(struct net_conn *c);
void net_resolve_poll(struct loop *loop, void *data);
/* Stops a resolution under way; accepts a connection without one. */
void net_resolve_release(struct net_conn *c);
/* Frees the requests a released resolution left to glibc's resolver thread. */
void net_resolve_reap_orphans(void);

/* --- net-tls.c --------------------------------------------------------------------------- */

/*
 * Loads OpenSSL and takes the TLS options (pin, server name, CA file) into
 * c; host is the default server name. Errors as net_connect()'s.
 */
int net_tls_setup(struct net_conn *c, const struct net_tls_opts *tls, const char *host);
/* TCP is up: starts the handshake (state NET_HANDSHAKING). */
void net_tls_start(struct net_conn *c);
/* The socket is ready for what the handshake asked for. */
void net_tls_handshake(struct net_conn *c);
/*
 * Encrypts and sends up to len bytes: 1 and *sent, 0 when the socket takes
 * nothing now (c->write_wants_read says on which event to try again), -1
 * when the connection failed.
 */
int net_tls_send(struct net_conn *c, const void *buf, size_t len, size_t *sent);
/*
 * Reads and decrypts up to size bytes: 1 and *got, 0 when nothing is there
 * now (c->read_wants_write as above), -1 when the connection ended or failed.
 */
int net_tls_recv(struct net_conn *c, void *buf, size_t size, size_t *got);
/* Records that came in with the handshake sit in OpenSSL, not in the socket. */
bool net_tls_pending(const struct net_conn *c);
/* One non-blocking try at close_notify. */
void net_tls_shutdown(struct net_conn *c);
/* Frees the session (with its BIO) of the current socket; the context stays. */
void net_tls_release_session(struct net_conn *c);
/* Frees the context; the connection makes no new session after it. */
void net_tls_release(struct net_conn *c);

#endif
