/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * circd's metrics for monitoring, in the Prometheus text exposition format
 * (version 0.0.4), rendered from the struct circctl status is filled from
 * (status.h): so the metrics and `circctl status --json` never disagree.
 *
 * Every family has its HELP and TYPE lines; names carry the circd_ prefix,
 * counters end in _total and durations in _seconds; label values are escaped
 * as the format asks (backslash, double quote, newline). Rendering is pure:
 * the struct in, text appended to out, so the web server can serve it under
 * /metrics, circctl metrics prints it, and the textfile (metrics-file.h)
 * holds it, all the same bytes.
 */
#ifndef CIRCD_METRICS_H
#define CIRCD_METRICS_H

#include "status.h"
#include "strbuf.h"

/* The text's media type, for an HTTP server's Content-Type. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

void metrics_render(const struct circd_status *st, struct strbuf *out);

#endif
