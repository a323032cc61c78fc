/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The textfile node_exporter reads: replaced whole by a rename, readable by
 * the collector's user, and never a temporary file left behind, even when
 * the write fails.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../firmware/metrics-file.h"
#include "testlib.h"
#include "tmpdir.h"

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void read_back(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

static void test_replaced_whole(void)
{
	struct tmp t;
	char path[128], got[64];
	struct stat st;
	ino_t first;

	tmp_new(&t, "metrics");
	snprintf(path, sizeof(path), "%s/circd.prom", t.dir);
	CHECK_INT(metrics_file_write(path, "circd_a 1\n", 10), 0);
	read_back(path, got, sizeof(got));
	CHECK_STR(got, "circd_a 1\n");
	CHECK_INT(stat(path, &st), 0);
	CHECK_INT(st.st_mode & 0777, 0644);
	first = st.st_ino;
	CHECK_INT(metrics_file_write(path, "circd_a 2\n", 10), 0);
	read_back(path, got, sizeof(got));
	CHECK_STR(got, "circd_a 2\n");
	/* a new file renamed over the old, not the old one rewritten in place */
	CHECK_INT(stat(path, &st), 0);
	CHECK(st.st_ino != first);
	CHECK_INT(entries(t.dir), 1);
	CHECK_INT(tmp_remove(&t), 0);
}

static void test_failure_leaves_nothing(void)
{
	struct tmp t;
	char path[128], got[64];

	tmp_new(&t, "metrics");
	snprintf(path, sizeof(path), "%s/absent/circd.prom", t.dir);
	CHECK_INT(metrics_file_write(path, "x 1\n", 4), -ENOENT);
	/* the target is a directory: the rename fails after the temporary file was written */
	snprintf(path, sizeof(path), "%s/circd.prom", t.dir);
	CHECK_INT(mkdir(path, 0755), 0);
	CHECK_INT(metrics_file_write(path, "x 1\n", 4), -EISDIR);
	CHECK_INT(entries(t.dir), 1);
	CHECK_INT(rmdir(path), 0);
	/* the old file stays as it was when the new one cannot be made */
	CHECK_INT(metrics_file_write(path, "old 1\n", 6), 0);
	CHECK_INT(chmod(t.dir, 0555), 0);
	if (access(t.dir, W_OK) < 0) { /* root writes anyway: nothing to see then */
		CHECK_INT(metrics_file_write(path, "new 1\n", 6), -EACCES);
		read_back(path, got, sizeof(got));
		CHECK_STR(got, "old 1\n");
	}
	CHECK_INT(chmod(t.dir, 0755), 0);
	CHECK_INT(entries(t.dir), 1);
	CHECK_INT(tmp_remove(&t), 0);
}

int main(void)
{
	RUN(test_replaced_whole);
	RUN(test_failure_leaves_nothing);
	return testlib_finish();
}
