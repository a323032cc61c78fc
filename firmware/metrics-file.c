/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The metrics' textfile for node_exporter (see metrics-file.h). */
#include "metrics-file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "circd.h"
#include "log.h"

static int write_all(int fd, const char *text, size_t len)
{
	while (len) {
		ssize_t n = write(fd, text, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

int metrics_file_write(const char *path, const char *text, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
	char tmp[PATH_MAX];
	int fd, r;

	/* ".circd.prom.XXXXXX" beside it: hidden, and not *.prom */
	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX", (int)dir_len, path,
		     path + dir_len) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = fchmod(fd, 0644) < 0 ? -errno : 0;
	if (r >= 0)
		r = write_all(fd, text, len);
	if (close(fd) < 0 && r >= 0)
		r = -errno;
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0)
		unlink(tmp);
	return r;
}

static void write_now(struct circd *c)
{
	const char *path = active_cfg(c)->metrics_textfile;
	struct strbuf text = { 0 };
	int r;

	staff_metrics(c, &text);
	r = text.oom ? -ENOMEM : metrics_file_write(path, text.buf ? text.buf : "", text.len);
	strbuf_free(&text);
	/* Once per cause: a missing directory would say it every interval. */
	if (r < 0 && r != c->metrics_err)
		log_warning("metrics: cannot write %s: %s", path, strerror(-r));
	else if (r >= 0 && c->metrics_err)
		log_notice("metrics: %s written again", path);
	c->metrics_err = r < 0 ? r : 0;
}

static void on_metrics_timer(struct loop *loop, void *data)
{
	struct circd *c = data;

	write_now(c);
	loop_timer_arm(loop, &c->metrics_timer, active_cfg(c)->metrics_interval_s * 1000ULL);
}

void metrics_file_start(struct circd *c)
{
	loop_timer_init(&c->metrics_timer, on_metrics_timer, c);
	if (!active_cfg(c)->metrics_textfile[0])
		return;
	log_info("metrics: written to %s every %u s", active_cfg(c)->metrics_textfile,
		 active_cfg(c)->metrics_interval_s);
	on_metrics_timer(c->loop, c);
}

void metrics_file_stop(struct circd *c)
{
	loop_timer_disarm(c->loop, &c->metrics_timer);
}
