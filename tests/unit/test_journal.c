/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lib/journal.c's datagrams byte for byte, and lib/log.c speaking them to a
 * journal socket of the test's own. The wire format is systemd's "Native
 * Journal Protocol" (https://systemd.io/JOURNAL_NATIVE_PROTOCOL/): "NAME=value\n"
 * per field; a value with a newline as "NAME\n", its length as a 64-bit
 * little-endian integer, the value, "\n"; names of A-Z, 0-9 and '_', not
 * starting with '_' or a digit, at most 64 characters. $JOURNAL_STREAM's
 * "device:inode" form is systemd.exec(5)'s.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../lib/journal.h"
#include "../../lib/log.h"
#include "testlib.h"
#include "tmpdir.h"

#define FIELD(name, text) { name, text, sizeof(text) - 1 }

static void check_bytes(const char *got, size_t got_len, const char *want, size_t want_len)
{
	CHECK_INT(got_len, want_len);
	CHECK(got_len == want_len && memcmp(got, want, want_len) == 0);
}

static void test_text_fields(void)
{
	static const struct journal_field fields[] = {
		FIELD("MESSAGE", "recorded checkout"), FIELD("PRIORITY", "6"),
		FIELD("SYSLOG_IDENTIFIER", "circd"), FIELD("EMPTY", ""),
	};
	static const char want[] = "MESSAGE=recorded checkout\nPRIORITY=6\n"
				   "SYSLOG_IDENTIFIER=circd\nEMPTY=\n";
	char buf[256];
	size_t len = 0;

	CHECK_INT(journal_encode(fields, 4, buf, sizeof(buf), &len), 0);
	check_bytes(buf, len, want, sizeof(want) - 1);
	CHECK_INT(journal_encode(fields, 0, buf, sizeof(buf), &len), 0);
	CHECK_INT(len, 0);
}

/* The binary-safe form, for a value with a newline: the length 11 as 8 little-endian bytes. */
static void test_value_with_newlines(void)
{
	static const struct journal_field fields[] = {
		FIELD("MESSAGE", "foo\nbar baz"), FIELD("PRIORITY", "3"), FIELD("NL", "\n"),
	};
	static const char want[] = "MESSAGE\n\x0b\0\0\0\0\0\0\0foo\nbar baz\n"
				   "PRIORITY=3\n"
				   "NL\n\x01\0\0\0\0\0\0\0\n\n";
	char buf[256];
	size_t len = 0;

	CHECK_INT(journal_encode(fields, 3, buf, sizeof(buf), &len), 0);
	check_bytes(buf, len, want, sizeof(want) - 1);
}

/* A length past 255 needs its second byte: 300 = 0x2c 0x01. */
static void test_long_value_length_bytes(void)
{
	char value[300], buf[400];
	struct journal_field f = { "MESSAGE", value, sizeof(value) };
	size_t len = 0;

	memset(value, 'x', sizeof(value));
	value[0] = '\n';
	CHECK_INT(journal_encode(&f, 1, buf, sizeof(buf), &len), 0);
	CHECK_INT(len, 8 + 8 + 300 + 1);
	CHECK(memcmp(buf, "MESSAGE\n\x2c\x01\0\0\0\0\0\0\n", 17) == 0);
	CHECK_INT(buf[len - 1], '\n');
}

static void test_field_names(void)
{
	char name64[65], name65[66];
	struct journal_field f = FIELD("X", "v");
	char buf[256];
	size_t len;

	memset(name64, 'A', 64);
	name64[64] = '\0';
	memset(name65, 'A', 65);
	name65[65] = '\0';
	CHECK(journal_name_valid("CIRCD_TXN"));
	CHECK(journal_name_valid("CODE_LINE"));
	CHECK(journal_name_valid("A1_"));
	CHECK(journal_name_valid(name64));
	CHECK(!journal_name_valid(name65));
	CHECK(!journal_name_valid(""));
	CHECK(!journal_name_valid("_PID"));       /* journald's trusted fields */
	CHECK(!journal_name_valid("1ABC"));
	CHECK(!journal_name_valid("message"));
	CHECK(!journal_name_valid("MESSAGE=X"));
	CHECK(!journal_name_valid("MES SAGE"));
	f.name = "_PID";
	CHECK_INT(journal_encode(&f, 1, buf, sizeof(buf), &len), -EINVAL);
}

/* Whole or not at all: every buffer short of the datagram is refused. */
static void test_no_space(void)
{
	static const struct journal_field fields[] = {
		FIELD("MESSAGE", "a\nb"), FIELD("PRIORITY", "6"), FIELD("CIRCD_TXN", "t1"),
	};
	char buf[128];
	size_t full = 0, len, size;

	CHECK_INT(journal_encode(fields, 3, buf, sizeof(buf), &full), 0);
	for (size = 0; size < full; size++)
		CHECK_INT(journal_encode(fields, 3, buf, size, &len), -ENOSPC);
	CHECK_INT(journal_encode(fields, 3, buf, full, &len), 0);
	CHECK_INT(len, full);
}

static void test_stream_is(void)
{
	char value[64], path[128];
	struct stat st;
	struct tmp t;
	int fd;

	tmp_new(&t, "journal");
	tmp_put(t.dir, "stream", "");
	snprintf(path, sizeof(path), "%s/stream", t.dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	CHECK(fd >= 0);
	CHECK_INT(fstat(fd, &st), 0);
	snprintf(value, sizeof(value), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	CHECK(journal_stream_is(fd, value));
	snprintf(value, sizeof(value), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	CHECK(!journal_stream_is(fd, value));
	snprintf(value, sizeof(value), "%llu:%llu:", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	CHECK(!journal_stream_is(fd, value));
	CHECK(!journal_stream_is(fd, NULL));
	CHECK(!journal_stream_is(fd, ""));
	CHECK(!journal_stream_is(fd, ":"));
	CHECK(!journal_stream_is(fd, "1:"));
	CHECK(!journal_stream_is(fd, "-1:-1"));
	close(fd);
	CHECK(!journal_stream_is(fd, value)); /* closed: fstat() fails */
	unlink(path);
	CHECK_INT(tmp_remove(&t), 0);
}

/* ---- the logger, to a journal socket of the test's own */

struct record {
	char message[256], priority[4], identifier[16], kiosk[64], txn[64], file[128], line[16];
	char func[64];
	unsigned fields;
};

static void copy_value(char *out, size_t size, const char *value, size_t len)
{
	CHECK(len < size);
	if (len >= size)
		len = size - 1;
	memcpy(out, value, len);
	out[len] = '\0';
}

/* The test's own reading of a datagram: both forms, every field in its place. */
static void parse(const char *d, size_t n, struct record *rec)
{
	const char *end = d + n;

	memset(rec, 0, sizeof(*rec));
	while (d < end) {
		const char *eq = memchr(d, '=', (size_t)(end - d));
		const char *nl = memchr(d, '\n', (size_t)(end - d));
		char name[JOURNAL_NAME_MAX + 1];
		const char *value;
		size_t name_len, len;

		CHECK(nl != NULL);
		if (!nl)
			return;
		if (eq && eq < nl) {
			name_len = (size_t)(eq - d);
			value = eq + 1;
			len = (size_t)(nl - value);
		} else {
			uint64_t l = 0;
			int b;

			name_len = (size_t)(nl - d);
			CHECK(end - nl >= 9);
			if (end - nl < 9)
				return;
			for (b = 7; b >= 0; b--)
				l = l << 8 | (uint8_t)nl[1 + b];
			value = nl + 9;
			CHECK(l <= (uint64_t)(end - value) - 1);
			if (l > (uint64_t)(end - value) - 1)
				return;
			len = (size_t)l;
			CHECK_INT(value[len], '\n');
		}
		CHECK(name_len <= JOURNAL_NAME_MAX);
		copy_value(name, sizeof(name), d, name_len);
		CHECK(journal_name_valid(name));
		rec->fields++;
		if (!strcmp(name, "MESSAGE"))
			copy_value(rec->message, sizeof(rec->message), value, len);
		else if (!strcmp(name, "PRIORITY"))
			copy_value(rec->priority, sizeof(rec->priority), value, len);
		else if (!strcmp(name, "SYSLOG_IDENTIFIER"))
			copy_value(rec->identifier, sizeof(rec->identifier), value, len);
		else if (!strcmp(name, "CIRCD_KIOSK_ID"))
			copy_value(rec->kiosk, sizeof(rec->kiosk), value, len);
		else if (!strcmp(name, "CIRCD_TXN"))
			copy_value(rec->txn, sizeof(rec->txn), value, len);
		else if (!strcmp(name, "CODE_FILE"))
			copy_value(rec->file, sizeof(rec->file), value, len);
		else if (!strcmp(name, "CODE_LINE"))
			copy_value(rec->line, sizeof(rec->line), value, len);
		else if (!strcmp(name, "CODE_FUNC"))
			copy_value(rec->func, sizeof(rec->func), value, len);
		else
			CHECK(!"a field the logger does not send");
		d = value + len + 1;
	}
}

/* The next record at the journal socket; false if none is waiting. */
static bool next_record(int fd, struct record *rec)
{
	char buf[8192];
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0)
		return false;
	parse(buf, (size_t)n, rec);
	return true;
}

/* A journald of the test's own at <t's dir>/journal.sock, the one circd's logger is sent to. */
static int fake_journald(const struct tmp *t, char *path, size_t size)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	CHECK(fd >= 0);
	snprintf(path, size, "%s/journal.sock", t->dir);
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	CHECK_INT(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	setenv("CIRCD_JOURNAL_SOCKET", path, 1);
	return fd;
}

/* $JOURNAL_STREAM naming the test's stderr, as systemd sets it for a service's. */
static void stderr_is_the_journal_stream(void)
{
	char value[64];
	struct stat st;

	CHECK_INT(fstat(STDERR_FILENO, &st), 0);
	snprintf(value, sizeof(value), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", value, 1);
}

static void test_logger_sends_fields(void)
{
	char path[128], long_message[5000];
	int fd, line, saved_stderr, null_fd;
	struct record rec;
	struct tmp t;

	tmp_new(&t, "journal");
	fd = fake_journald(&t, path, sizeof(path));
	stderr_is_the_journal_stream();
	log_open(false, LOG_LEVEL_INFO);
	log_set_kiosk_id("branch-3");

	line = __LINE__ + 1;
	log_txn(LOG_LEVEL_WARNING, "7f3a9c", "return of item %s needs staff", "31234000000016");
	CHECK(next_record(fd, &rec));
	CHECK_STR(rec.message, "return of item 31234000000016 needs staff");
	CHECK_STR(rec.priority, "4");
	CHECK_STR(rec.identifier, "circd");
	CHECK_STR(rec.kiosk, "branch-3");
	CHECK_STR(rec.txn, "7f3a9c");
	CHECK(strstr(rec.file, "test_journal.c") != NULL);
	CHECK_INT(atoi(rec.line), line);
	CHECK_STR(rec.func, "test_logger_sends_fields");
	CHECK_INT(rec.fields, 8);

	/* Each level's syslog priority; no CIRCD_TXN unless the record is about one. */
	log_err("e");
	CHECK(next_record(fd, &rec));
	CHECK_STR(rec.priority, "3");
	CHECK_STR(rec.txn, "");
	CHECK_INT(rec.fields, 7);
	log_notice("n");
	CHECK(next_record(fd, &rec));
	CHECK_STR(rec.priority, "5");
	log_info("i");
	CHECK(next_record(fd, &rec));
	CHECK_STR(rec.priority, "6");
	log_debug("below the threshold");
	CHECK(!next_record(fd, &rec));
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("d");
	CHECK(next_record(fd, &rec));
	CHECK_STR(rec.priority, "7");

	/* A message of several lines goes whole, in the binary-safe form. */
	log_info("line one\nline two");
	CHECK(next_record(fd, &rec));
	CHECK_STR(rec.message, "line one\nline two");

	/* No kiosk id: no field. */
	log_set_kiosk_id("");
	log_info("x");
	CHECK(next_record(fd, &rec));
	CHECK_STR(rec.kiosk, "");
	CHECK_INT(rec.fields, 6);

	/* Too long for a datagram of the logger's: stderr has it whole, the journal nothing. */
	memset(long_message, 'y', sizeof(long_message) - 1);
	long_message[sizeof(long_message) - 1] = '\0';
	saved_stderr = dup(STDERR_FILENO);
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	CHECK(saved_stderr >= 0 && null_fd >= 0);
	CHECK(dup2(null_fd, STDERR_FILENO) == STDERR_FILENO);
	log_info("%s", long_message);
	fflush(stderr);
	CHECK(dup2(saved_stderr, STDERR_FILENO) == STDERR_FILENO);
	close(saved_stderr);
	close(null_fd);
	CHECK(!next_record(fd, &rec));

	log_close();
	close(fd);
	unlink(path);
	unsetenv("CIRCD_JOURNAL_SOCKET");
	unsetenv("JOURNAL_STREAM");
	CHECK_INT(tmp_remove(&t), 0);
}

/* stderr into a pipe, for what the logger writes there; the saved stderr comes back. */
struct stderr_capture {
	int pipe_fds[2];
	int saved;
};

static void capture_begin(struct stderr_capture *c)
{
	CHECK_INT(pipe2(c->pipe_fds, O_CLOEXEC | O_NONBLOCK), 0);
	c->saved = dup(STDERR_FILENO);
	CHECK(c->saved >= 0);
	CHECK(dup2(c->pipe_fds[1], STDERR_FILENO) == STDERR_FILENO);
}

/* What was written (out, NUL-terminated); the logger closed and stderr restored. */
static void capture_end(struct stderr_capture *c, char *out, size_t size)
{
	ssize_t n;

	fflush(stderr);
	n = read(c->pipe_fds[0], out, size - 1);
	out[n < 0 ? 0 : n] = '\0';
	log_close();
	CHECK(dup2(c->saved, STDERR_FILENO) == STDERR_FILENO);
	close(c->saved);
	close(c->pipe_fds[0]);
	close(c->pipe_fds[1]);
}

/* journald gone (restarting): the record reaches stderr, which is its stream. */
static void test_logger_falls_back_to_stderr(void)
{
	char path[128], out[512];
	struct stderr_capture cap;
	struct record rec;
	struct tmp t;
	int fd;

	tmp_new(&t, "journal");
	fd = fake_journald(&t, path, sizeof(path));
	capture_begin(&cap);
	stderr_is_the_journal_stream();
	log_open(false, LOG_LEVEL_INFO);
	log_info("to the journal");
	CHECK(next_record(fd, &rec));
	CHECK_STR(rec.message, "to the journal");
	close(fd);
	unlink(path);
	log_notice("journald went away");
	capture_end(&cap, out, sizeof(out));
	CHECK(strstr(out, " circd notice: journald went away\n") != NULL);
	unsetenv("CIRCD_JOURNAL_SOCKET");
	unsetenv("JOURNAL_STREAM");
	CHECK_INT(tmp_remove(&t), 0);
}

/* A $JOURNAL_STREAM inherited by a circd whose stderr was redirected: not the journal's. */
static void test_other_stream_is_not_the_journal(void)
{
	char path[128], out[256];
	struct stderr_capture cap;
	struct record rec;
	struct tmp t;
	int fd;

	tmp_new(&t, "journal");
	fd = fake_journald(&t, path, sizeof(path));
	setenv("JOURNAL_STREAM", "1:1", 1);
	capture_begin(&cap);
	log_open(true, LOG_LEVEL_INFO);
	log_info("to stderr, as with -f");
	capture_end(&cap, out, sizeof(out));
	CHECK(strstr(out, " circd info: to stderr, as with -f\n") != NULL);
	CHECK(!next_record(fd, &rec));
	close(fd);
	unlink(path);
	unsetenv("CIRCD_JOURNAL_SOCKET");
	unsetenv("JOURNAL_STREAM");
	CHECK_INT(tmp_remove(&t), 0);
}

int main(void)
{
	RUN(test_text_fields);
	RUN(test_value_with_newlines);
	RUN(test_long_value_length_bytes);
	RUN(test_field_names);
	RUN(test_no_space);
	RUN(test_stream_is);
	RUN(test_logger_sends_fields);
	RUN(test_logger_falls_back_to_stderr);
	RUN(test_other_stream_is_not_the_journal);
	return testlib_finish();
}
