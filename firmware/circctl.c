/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * circctl: staff's window into a running circd, over its control socket.
 *   circctl [-s SOCKET] [-t SECONDS] [--json] COMMAND [ARGUMENT]
 * Exit status: 0 ok, 1 circd answered with an error, is not running or did
 * not answer in time, 2 usage; circctl check exits with its verdict instead
 * of 0 (firmware/health.h, README "Monitoring a fleet").
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/circd/control.sock"
#define DEFAULT_TIMEOUT_S 10

static void usage(FILE *out)
{
	fprintf(out, "usage: circctl [-s SOCKET] [-t SECONDS] [--json] COMMAND [ARGUMENT]\n"
		     "commands:\n"
		     "  status          mode, online/offline, outbox depth, last error, uptime\n"
		     "  outbox          transactions waiting to be forwarded, oldest first\n"
		     "  sessions        the session in progress, if any\n"
		     "  sync            forward now (and reconnect to the library system now)\n"
		     "  exceptions      transactions the library system refused, for staff;\n"
		     "                  'exceptions all' includes handled ones, --csv exports all\n"
		     "  resolve ID      mark exception ID handled\n"
		     "  security        RFID tags whose security write circd still owes (the tag\n"
		     "                  was taken away, or circd stopped): put them on the pad\n"
		     "  export-koc      a Koha offline circulation (.koc) file of everything the\n"
		     "                  library system has not got, for manual upload\n"
		     "  metrics         the metrics for monitoring, in Prometheus' text format\n"
		     "  check           whether the kiosk can serve patrons: one line, and exit\n"
		     "                  status 0 if so, else why not (3-7, see the README)\n"
		     "options:\n"
		     "  -s, --socket PATH  circd's control socket (default " DEFAULT_SOCKET ")\n"
		     "  -t, --timeout SECONDS  give up when circd sends nothing for this long\n"
		     "                     (default %d; 0 = wait for ever)\n"
		     "  -j, --json         machine-readable output\n"
		     "      --csv          CSV output (exceptions)\n", DEFAULT_TIMEOUT_S);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * circd may be wedged, or its connection slots held by others: connect and
 * write give up after the timeout (a unix socket's connect waits on
 * SO_SNDTIMEO), and so does each wait for more of the answer.
 */
static int set_timeouts(int fd, unsigned timeout_s)
{
	struct timeval tv = { .tv_sec = timeout_s };

	if (!timeout_s)
		return 0;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		return -errno;
	return 0;
}

/*
 * check's answer is one line, "<verdict> <name>: <why>": the line goes out
 * from the name on, and the verdict becomes the exit status.
 */
static int check_verdict(const char *answer, size_t len)
{
	char line[2048], *end;
	long verdict;

	snprintf(line, sizeof(line), "%.*s", (int)len, answer);
	verdict = strtol(line, &end, 10);
	if (end == line || *end != ' ' || verdict < 0 || verdict > 125 || verdict == 1 ||
	    verdict == 2 || !strchr(end, '\n')) {
		fprintf(stderr, "circctl: malformed answer to check: %s\n", line);
		return 1;
	}
	fputs(end + 1, stdout);
	return (int)verdict;
}

static bool timed_out(int err)
{
	return err == EAGAIN || err == EWOULDBLOCK || err == EINPROGRESS;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, 'C' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	const char *path = DEFAULT_SOCKET, *command = NULL, *argument = NULL;
	char request[128], buf[4096];
	bool json = false, csv = false, first_line = true, failed = false, check;
	char answer[2048];
	size_t answer_len = 0;
	unsigned timeout_s = DEFAULT_TIMEOUT_S;
	int opt, fd, i;
	ssize_t n;
	char *end;
	long value;

	while ((opt = getopt_long(argc, argv, "s:t:jh", options, NULL)) != -1) {
		switch (opt) {
		case 's': path = optarg; break;
		case 't':
			errno = 0;
			value = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || value < 0 || value > 86400) {
				fprintf(stderr,
					"circctl: --timeout takes seconds (0..86400), not '%s'\n",
					optarg);
				return 2;
			}
			timeout_s = (unsigned)value;
			break;
		case 'j': json = true; break;
		case 'C': csv = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "json") == 0)
			json = true;
		else if (strcmp(argv[i], "--csv") == 0)
			csv = true;
		else if (!command)
			command = argv[i];
		else if (!argument)
			argument = argv[i];
		else {
			usage(stderr);
			return 2;
		}
	}
	if (csv && !argument)
		argument = "csv";
	if (!command || strlen(command) > 32 || (argument && (strlen(argument) > 64 ||
							       strchr(argument, ' '))) ||
	    strlen(path) >= sizeof(addr.sun_path)) {
		usage(stderr);
		return 2;
	}
	check = strcmp(command, "check") == 0;
	memcpy(addr.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || set_timeouts(fd, timeout_s) < 0) {
		fprintf(stderr, "circctl: %s\n", strerror(errno));
		return 1;
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		if (timed_out(errno))
			fprintf(stderr, "circctl: circd at %s did not take the connection within "
					"%u s\n", path, timeout_s);
		else
			fprintf(stderr, "circctl: cannot reach circd at %s: %s (is it running?)\n",
				path, strerror(errno));
		return 1;
	}
	snprintf(request, sizeof(request), "%s%s%s%s\n", command, json ? " json" : "",
		 argument ? " " : "", argument ? argument : "");
	if (write_all(fd, request, strlen(request)) < 0) {
		fprintf(stderr, "circctl: %s: %s\n", path, strerror(errno));
		return 1;
	}
	/* The first line is "ok" or "error <message>"; the body follows. */
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		char *p = buf;
		size_t len = (size_t)n;

		if (first_line) {
			char *nl = memchr(buf, '\n', len);

			if (!nl) {
				fprintf(stderr, "circctl: malformed reply\n");
				return 1;
			}
			if (strncmp(buf, "ok\n", 3) != 0) {
				const char *msg = buf;

				if (strncmp(buf, "error ", 6) == 0)
					msg += 6;
				failed = true;
				fprintf(stderr, "circctl: %.*s\n", (int)(nl - msg), msg);
			}
			first_line = false;
			len -= (size_t)(nl + 1 - buf);
			p = nl + 1;
		}
		if (check && !failed) {
			len = len < sizeof(answer) - answer_len ? len : sizeof(answer) - answer_len;
			memcpy(answer + answer_len, p, len);
			answer_len += len;
		} else if (write_all(failed ? STDERR_FILENO : STDOUT_FILENO, p, len) < 0) {
			return 1;
		}
	}
	if (n < 0) {
		if (timed_out(errno))
			fprintf(stderr, "circctl: circd at %s sent nothing for %u s; giving up%s\n",
				path, timeout_s,
				first_line ? "" : " (the output above is incomplete)");
		else
			fprintf(stderr, "circctl: %s: %s\n", path, strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	if (first_line) {
		fprintf(stderr, "circctl: circd closed the connection without answering\n");
		return 1;
	}
	if (check && !failed)
		return check_verdict(answer, answer_len);
	return failed ? 1 : 0;
}
