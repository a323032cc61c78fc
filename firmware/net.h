/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The transport under the SIP2 client: one non-blocking TCP client
 * connection, optionally wrapped in TLS (OpenSSL 3), driven by the loop.
 *
 * net_connect() returns at once; everything after that arrives through the
 * callbacks, always from the loop (never from inside net_connect() or
 * net_send()):
 *   connected(data)          once TCP, and with TLS the handshake including
 *                            certificate verification, completed;
 *   data(data, buf, len)     received bytes (decrypted); buf is only valid
 *                            during the call;
 *   closed(data, err)        exactly once, when the connection failed or
 *                            ended. After it the connection is dead: net_send()
 *                            returns -ENOTCONN and the owner still calls
 *                            net_close().
 * Callbacks may call net_send() and net_close() (also on the connection
 * they are called for); after net_close() no callback runs any more.
 *
 * closed() errors:
 *   0             orderly close by the peer (TCP FIN; with TLS a close_notify,
 *                 or a bare FIN: SIP2 messages are terminated, so the caller
 *                 sees a truncated message anyway)
 *   -ECONNREFUSED every resolved address refused (the last address's error is
 *                 reported when they failed differently)
 *   -ETIMEDOUT    resolution + TCP connect + TLS handshake took longer than
 *                 timeout_ms; -ETIMEDOUT is also a keepalive-detected dead link
 *   -EHOSTUNREACH the host name did not resolve (or the kernel said so)
 *   -EKEYREJECTED TLS peer certificate not accepted: chain or hostname
 *                 verification failed, or the pin did not match
 *   -EPROTO       any other TLS failure (alert, protocol error)
 *   -errno        anything else (-ECONNRESET, -EPIPE, -ENETUNREACH, ...)
 * net_last_error() describes the failure in words.
 *
 * Timers (the connect timeout, resolution polling, deferred failures) run on
 * the loop's clock: with LOOP_CLOCK_FAKE they move only with loop_advance().
 *
 * Ownership: net_connect() copies *tls's strings and *ev, so tls and ev may
 * be temporaries; loop and data stay the caller's and must outlive the
 * connection. The caller owns the net_conn and frees it with net_close(),
 * which also closes the socket (sending a TLS close_notify if it can).
 * net.c keeps one process-wide BIO_METHOD, never freed.
 */
#ifndef CIRCD_NET_H
#define CIRCD_NET_H

#include <stdbool.h>
#include <stddef.h>

struct loop;
struct net_conn;

/* net_send() refuses (-ENOBUFS) to queue more than this many unsent bytes. */
#define NET_SEND_QUEUE_MAX (64u * 1024u)

struct net_tls_opts {
	bool enabled;
	/* PEM file of trusted CA certificates; NULL: the system's default paths. */
	const char *ca_file;
	/*
	 * NULL, or 64 hex digits: the SHA-256 of the server certificate's DER.
	 * When set, the peer certificate must match it, in addition to chain and
	 * hostname verification...
	 */
	const char *pin_sha256;
	/*
	 * ...unless pinned_only is set: then the pin match alone suffices (a
	 * self-signed ILS certificate). Requires pin_sha256.
	 */
	bool pinned_only;
	/* For SNI and hostname verification; NULL: the host given to net_connect. */
	const char *server_name;
};

struct net_events {
	void (*connected)(void *data);
	void (*data)(void *data, const char *buf, size_t len);
	void (*closed)(void *data, int err);
};

/*
 * Starts connecting to host (a name or a numeric IPv4/IPv6 address) on port
 * (numeric). tls NULL or !tls->enabled: plain TCP. timeout_ms bounds name
 * resolution, TCP connect and TLS handshake together; 0 means no bound.
 * Returns 0 and the connection in *ret, or -EINVAL (bad argument, pin not 64
 * hex digits, pinned_only without a pin, port not numeric), -ENOENT / -EACCES
 * (ca_file), -EBADMSG (ca_file holds no usable certificate), -ENOMEM, -EPROTO
 * (TLS context setup), -ELIBACC (TLS asked for but libssl.so.3 is not
 * installed; see ossl.h); no callback follows an error return.
 */
int net_connect(struct loop *loop, const char *host, const char *port,
		const struct net_tls_opts *tls, unsigned timeout_ms, const struct net_events *ev,
		void *data, struct net_conn **ret);

/*
 * Queues len bytes and sends what the socket takes now; the rest goes out as
 * the socket allows. Never blocks. Returns 0, -ENOTCONN before connected()
 * and after closed(), -ENOBUFS when the queue would exceed
 * NET_SEND_QUEUE_MAX (nothing is queued then). A send failure is reported
 * through closed(), from the loop.
 */
int net_send(struct net_conn *c, const void *buf, size_t len);

/* Closes and frees c; accepts NULL. No callback runs after it. */
void net_close(struct net_conn *c);

/*
 * Why the connection failed, e.g. "connection refused (127.0.0.1 port 6001)",
 * "certificate verify failed: hostname mismatch", "timed out after 5000 ms
 * (TLS handshake)"; "" while nothing failed. Owned by c.
 */
const char *net_last_error(const struct net_conn *c);

bool net_is_tls(const struct net_conn *c);

#endif
