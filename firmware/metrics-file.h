/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metrics (metrics.h) in a file for node_exporter's textfile collector:
 * [metrics] textfile, rewritten every [metrics] interval seconds from a loop
 * timer, and at start. A small local write, as the store's are.
 *
 * Atomic: the text goes to a temporary file in the same directory (whose
 * name does not end in .prom, so the collector never reads it half written),
 * which is then renamed over the file. No fsync: after a power cut the next
 * write puts fresh figures there anyway.
 */
#ifndef CIRCD_METRICS_FILE_H
#define CIRCD_METRICS_FILE_H

#include <stddef.h>

struct circd;

/*
 * Replaces path with len bytes of text as described above, mode 0644 (the
 * collector runs as another user). 0 or -errno; on failure path is left as
 * it was and no temporary file remains.
 */
int metrics_file_write(const char *path, const char *text, size_t len);

/* Nothing without a textfile configured. A failure is logged (once per cause), never fatal. */
void metrics_file_start(struct circd *c);
void metrics_file_stop(struct circd *c);

#endif
