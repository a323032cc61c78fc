/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Runs a fuzz target without libFuzzer, so that gcc builds and `make check`
 * exercise every target:
 *
 *   fuzz_x FILE|DIR...   replays each file (each regular file of a directory),
 *                        e.g. a crash-* file or a corpus libFuzzer left behind
 *   fuzz_x               replays tests/fuzz/corpus/fuzz_x/ when there is one
 *                        (from the source tree), then a deterministic mutation
 *                        loop (fixed-seed xorshift), CIRCD_FUZZ_ITERATIONS
 *                        inputs (default 20000)
 *
 * Arguments starting with '-' are libFuzzer options and are ignored. Every
 * input is passed in a heap block of exactly its size, so that ASan sees an
 * overread by one byte. A crash ends the process, so reaching the last line,
 * "fuzz: N inputs, 0 crashes", means there was none.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../lib/util.h"

#define INPUT_MAX 512
#define ITERATIONS_DEFAULT 20000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long n_inputs;

static void run_one(const uint8_t *data, size_t size)
{
	/* malloc(0) may return NULL; a 1-byte block keeps "data is valid" true */
	uint8_t *copy = malloc(size ? size : 1);

	if (!copy) {
		fprintf(stderr, "fuzz: out of memory\n");
		exit(2);
	}
	if (size)
		memcpy(copy, data, size);
	LLVMFuzzerTestOneInput(copy, size);
	free(copy);
	n_inputs++;
}

static int run_file(const char *path)
{
	uint8_t *data = NULL;
	size_t size = 0, cap = 0, n;
	FILE *f = fopen(path, "rbe");

	if (!f) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	do {
		if (size == cap) {
			uint8_t *bigger = realloc(data, cap ? cap * 2 : 4096);

			if (!bigger) {
				free(data);
				fclose(f);
				fprintf(stderr, "fuzz: %s: out of memory\n", path);
				return -ENOMEM;
			}
			data = bigger;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(data + size, 1, cap - size, f);
		size += n;
	} while (n > 0);
	fclose(f);
	run_one(data, size);
	free(data);
	return 0;
}

static int run_path(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *dir;
	int r = 0;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	dir = opendir(path);
	if (!dir) {
		fprintf(stderr, "fuzz: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	while ((de = readdir(dir))) {
		char file[4096];

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(file, sizeof(file), "%s/%s", path, de->d_name) >= (int)sizeof(file))
			continue;
		if (stat(file, &st) == 0 && S_ISREG(st.st_mode) && run_file(file) < 0)
			r = -EIO;
	}
	closedir(dir);
	return r;
}

/* ---- mutation loop ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

static size_t below(size_t n)
{
	return n ? (size_t)(rng() % n) : 0;
}

/* Pieces of the grammars the targets parse: INI files, barcodes, sim lines. */
static const char *const fragments[] = {
	"[kiosk]\n", "[store]\n", "[control]\n", "[sim]\n", "[barcode]\n", "[feedback]\n",
	"[offline]\n", "[log]\n", "[board]\n", "[output lamp_ok]\n", "[output buzzer]\n",
	"[output bin_full]\n", "[input bin_full]\n", "[input done_button]\n",
	"[scanner item_scanner]\n", "[scanner patron_reader]\n", "[output ", "[input ",
	"[scanner ", "[", "]", "mode=", "mode = returns\n", "mode = selfcheck\n", "id = ",
	"board = sim\n", "require_pin = yes\n", "session_timeout = ", "path = /tmp/x\n",
	"socket = ", "group = ", "patron_prefixes = 2, 3\n", "item_lengths = 14,8\n",
	"check_digit = no\n", "done = DONE\n", "ok = lamp_ok:1500 buzzer:80,80\n", "error = ",
	"lamp_ok:", "buzzer:", "flap_unlock:4000", "policy = checkin-only\n", "max_items = ",
	"level = debug\n", "name = ", "gpio = gpiod\n", "scanner = libusb\n", "display = none\n",
	"chip = gpiochip0\n", "line = GPIO17\n", "active_low = yes\n", "debounce_ms = ",
	"usb = 05e0:1200\n", "protocol = hidpos\n", "layout = de\n", "=", ":", ",", ";", "#",
	" ", "\t", "\n", "\r\n", "\xef\xbb\xbf", "2123", "21234000000018", "31234000000057", "A",
	"B", "a", "d", "DONE", "yes", "no", "-1", "+1", "0x10", "4294967296",
	"99999999999999999999", "scan item_scanner ", "scan patron_reader ", "input bin_full 1",
	"pin 1234", "advance 1000", "wall 1767225600000 synced", "wall 0 unsynced", "ping", "wedge", "{",
	"}", "\"", "\\", "%s", "\0", "\xff", "\x80",
	"\x7f",
};

#define N_FRAGMENTS (ARRAY_SIZE(fragments))

static size_t fragment_len(size_t i)
{
	/* "\0" is one byte, not an empty string */
	return fragments[i][0] ? strlen(fragments[i]) : 1;
}

static void append(uint8_t *buf, size_t *len, size_t want, const void *data, size_t n)
{
	if (n > want - *len)
		n = want - *len;
	memcpy(buf + *len, data, n);
	*len += n;
}

/*
 * Line-structured inputs: the sections and keys of circd.conf and board files
 * with typical values, so that most lines get past the key lookup and the
 * value parsers see both good and almost-good values.
 */
struct grammar_key {
	const char *section; /* "output" also stands for "[output ROLE]" */
	const char *key;
	const char *values[6];
};

static const struct grammar_key grammar[] = {
	{ "kiosk", "mode", { "selfcheck", "returns", "Returns" } },
	{ "kiosk", "id", { "kiosk", "desk 1", "" } },
	{ "kiosk", "board", { "sim", "boards/sim.ini" } },
	{ "kiosk", "require_pin", { "yes", "no", "TRUE", "2" } },
	{ "kiosk", "session_timeout", { "5", "60", "3600", "3601", "4", "-1" } },
	{ "store", "path", { "/tmp/circd.db", "" } },
	{ "control", "socket", { "/run/circd/control.sock", "" } },
	{ "control", "group", { "", "circd" } },
	{ "sim", "socket", { "/tmp/sim.sock" } },
	{ "barcode", "patron_prefixes", { "2", "2, 3", "P ,LIB", "", "1,2,3,4,5,6,7,8,9", "2,," } },
	{ "barcode", "item_prefixes", { "3", "", "123456789012345", "1234567890123456" } },
	{ "barcode", "patron_lengths", { "14", "14,8", "", "0", "128", "129" } },
	{ "barcode", "item_lengths", { "14", "1, 128", "x" } },
	{ "barcode", "check_digit", { "yes", "no" } },
	{ "barcode", "done", { "", "DONE", "DONE, 0000" } },
	{ "feedback", "ok", { "lamp_ok:1500 buzzer:80", "", "buzzer:0", "bin_full:1" } },
	{ "feedback", "error",
	  { "lamp_error:3000 buzzer:80,80,80,80,80", "buzzer:1,2,3,4,5,6,7,8,9" } },
	{ "feedback", "notice", { "buzzer:40", "buzzer:60000", "buzzer:60001", "buzzer" } },
	{ "feedback", "accept",
	  { "flap_unlock:4000", "lamp_ok:1 lamp_error:1 buzzer:1 door_lock:1" } },
	{ "offline", "policy", { "checkin-only", "checkin-and-checkout" } },
	{ "offline", "max_items", { "0", "10", "1000", "1001" } },
	{ "offline", "loan_days", { "1", "14", "365", "366", "0" } },
	{ "log", "level", { "err", "warning", "notice", "info", "debug", "loud" } },
	{ "log", "core_dumps", { "yes", "no", "" } },
	{ "sip2", "tls", { "yes", "no", "off" } },
	{ "sip2", "ca_file", { "/etc/ssl/ca.pem", "", "ca\x1b[2J.pem" } },
	{ "sip2", "pin_sha256",
	  { "", "ab:cd", "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789" } },
	{ "sip2", "password", { "secret", "" } },
	{ "sip2", "terminal_password", { "secret", "\xc2\x9b" } },
	{ "board", "name", { "Test", "" } },
	{ "board", "gpio", { "sim", "gpiod", "gpio" } },
	{ "board", "scanner", { "sim", "libusb" } },
	{ "board", "display", { "sim", "none" } },
	{ "output", "chip", { "gpiochip0", "/dev/gpiochip1", "" } },
	{ "output", "line", { "GPIO17", "22", "" } },
	{ "output", "active_low", { "yes", "no", "1", "0", "maybe" } },
	{ "input", "chip", { "gpiochip0" } },
	{ "input", "line", { "GPIO22" } },
	{ "input", "active_low", { "yes", "false" } },
	{ "input", "debounce_ms", { "0", "10", "1000", "1001", "-1" } },
	{ "scanner", "card_format",
	  { "text", "dec10", "hex-to-dec8", "wiegand26", "uid-dec", "8h10d" } },
	{ "scanner", "card_byte_order", { "msb", "lsb", "big" } },
	{ "scanner", "card_separator", { ",", "\"\"", "\" / \"", "" } },
	{ "scanner", "card_pad_length", { "0", "10", "128", "129" } },
	{ "scanner", "trim_prefix", { "\";\"", ";", "%", "\"12345678\"" } },
	{ "scanner", "trim_suffix", { "?", "\"?\"", "\"a\"b\"" } },
	{ "scanner", "usb",
	  { "05e0:1200", "ffff:35", "05e0", "5e0:", "0x5e0:1200", "05e0:1200:1" } },
	{ "scanner", "protocol", { "wedge", "hidpos", "serial" } },
	{ "scanner", "layout", { "us", "de", "fr", "uk" } },
};

static const char *const roles[] = {
	"lamp_ok", "lamp_error", "lamp_attention", "buzzer", "flap_unlock", "door_lock",
	"bin_full", "door_closed", "done_button", "staff_button", "item_scanner", "patron_reader",
};
static const char *const separators[] = { " = ", " = ", " = ", "=", " =", ": " };

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static void append_str(uint8_t *buf, size_t *len, size_t want, const char *s)
{
	append(buf, len, want, s, strlen(s));
}

static void append_noise(uint8_t *buf, size_t *len, size_t want)
{
	size_t pick = below(10);

	if (pick < 5) {
		size_t f = below(N_FRAGMENTS);

		append(buf, len, want, fragments[f], fragment_len(f));
	} else if (pick < 7) {
		uint8_t digit = (uint8_t)('0' + below(10));

		append(buf, len, want, &digit, 1);
	} else if (pick < 9) {
		uint8_t byte = (uint8_t)rng();

		append(buf, len, want, &byte, 1);
	} else {
		uint8_t printable = (uint8_t)(0x20 + below(0x5f));

		append(buf, len, want, &printable, 1);
	}
}

static bool is_board_section(const char *section)
{
	return !strcmp(section, "board") || !strcmp(section, "output") ||
	       !strcmp(section, "input") || !strcmp(section, "scanner");
}

/* roles[] lists 6 outputs, 4 inputs, 2 scanners */
static const char *role_of_kind(const char *kind)
{
	if (below(4) == 0)
		return roles[below(N_OF(roles))];
	if (!strcmp(kind, "output"))
		return roles[below(6)];
	if (!strcmp(kind, "input"))
		return roles[6 + below(4)];
	return roles[10 + below(2)];
}

/* A section header of a board file or of circd.conf; returns the section. */
static const char *append_header(uint8_t *buf, size_t *len, size_t want, bool board)
{
	const char *section;

	do
		section = grammar[below(N_OF(grammar))].section;
	while (is_board_section(section) != board && below(16));
	append_str(buf, len, want, "[");
	append_str(buf, len, want, section);
	if (board && strcmp(section, "board")) {
		append_str(buf, len, want, " ");
		append_str(buf, len, want, role_of_kind(section));
	}
	append_str(buf, len, want, "]\n");
	return section;
}

static void append_key_line(uint8_t *buf, size_t *len, size_t want, const char *section)
{
	size_t n = 0, pick, v = 0;
	const struct grammar_key *k;

	/* mostly a key of this section, sometimes any key */
	for (size_t i = 0; i < N_OF(grammar); i++)
		n += !strcmp(grammar[i].section, section);
	pick = below(n);
	k = &grammar[below(N_OF(grammar))];
	for (size_t i = 0; i < N_OF(grammar) && below(8); i++) {
		if (strcmp(grammar[i].section, section) == 0 && pick-- == 0) {
			k = &grammar[i];
			break;
		}
	}
	while (v < N_OF(k->values) && k->values[v])
		v++;
	append_str(buf, len, want, k->key);
	append_str(buf, len, want, separators[below(N_OF(separators))]);
	append_str(buf, len, want, k->values[below(v)]);
	if (below(6) == 0)
		append_noise(buf, len, want);
	append_str(buf, len, want, below(8) ? "\n" : "\r\n");
}

/* Short inputs shaped like scanned symbols: digits, Codabar guards, known cards. */
static size_t generate_symbol(uint8_t *buf)
{
	static const char *const symbols[] = { "21234000000018", "31234000000057", "2123",
					       "DONE", "A", "B", "c", "d", "E", "T", "*",
					       "]F0", "]E0", "]E3", "]E4", "]A3", "]C1", "]Y2ab",
					       "9780306406157", "080442957X", "4006381333931" };
	size_t want = 1 + below(20), len = 0;

	while (len < want) {
		size_t pick = below(10);

		if (pick < 6) {
			uint8_t digit = (uint8_t)('0' + below(10));

			append(buf, &len, want, &digit, 1);
		} else if (pick < 8) {
			append_str(buf, &len, want, symbols[below(N_OF(symbols))]);
		} else {
			append_noise(buf, &len, want);
		}
	}
	return len;
}

static size_t generate(uint8_t *buf, size_t want)
{
	bool lines = below(4) != 0, board = below(2);
	const char *section = NULL;
	size_t len = 0;

	while (len < want) {
		size_t pick = below(12);

		if (!lines)
			append_noise(buf, &len, want);
		else if (!section || pick == 0)
			section = append_header(buf, &len, want, board);
		else if (pick == 1)
			append_str(buf, &len, want, below(2) ? "; comment\n" : "\n");
		else if (pick == 2)
			append_noise(buf, &len, want);
		else
			append_key_line(buf, &len, want, section);
	}
	return len;
}

static size_t mutate(uint8_t *buf, size_t len)
{
	size_t rounds = 1 + below(8);

	for (size_t r = 0; r < rounds; r++) {
		size_t at = below(len + 1), f, n;

		switch (below(5)) {
		case 0: /* overwrite a byte */
			if (len)
				buf[below(len)] = (uint8_t)rng();
			break;
		case 1: /* insert a fragment */
			f = below(N_FRAGMENTS);
			n = fragment_len(f);
			if (len + n > INPUT_MAX)
				break;
			memmove(buf + at + n, buf + at, len - at);
			memcpy(buf + at, fragments[f], n);
			len += n;
			break;
		case 2: /* delete a range */
			n = below(len - at + 1);
			memmove(buf + at, buf + at + n, len - at - n);
			len -= n;
			break;
		case 3: /* duplicate a range */
			n = below(len - at + 1);
			if (len + n > INPUT_MAX)
				n = INPUT_MAX - len;
			memmove(buf + at + n, buf + at, len - at);
			len += n;
			break;
		default: /* cut */
			len = at;
			break;
		}
	}
	return len;
}

static void mutation_loop(unsigned long iterations)
{
	static uint8_t buf[INPUT_MAX];
	size_t len = 0;

	run_one((const uint8_t *)"", 0);
	for (unsigned long i = 1; i < iterations; i++) {
		if (i % 5 == 0)
			len = generate_symbol(buf);
		else if (i % 2 || len == 0)
			len = generate(buf, below(INPUT_MAX + 1));
		else
			len = mutate(buf, len);
		run_one(buf, len);
	}
}

int main(int argc, char **argv)
{
	unsigned long iterations = ITERATIONS_DEFAULT;
	const char *env = getenv("CIRCD_FUZZ_ITERATIONS");
	int files = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		files++;
		if (run_path(argv[i]) < 0)
			failed = 1;
	}
	if (!files) {
		/* Inputs that once crashed the target (or its checks) stay in every run. */
		const char *name = strrchr(argv[0], '/');
		char corpus[512];
		struct stat st;

		snprintf(corpus, sizeof(corpus), "tests/fuzz/corpus/%s", name ? name + 1 : argv[0]);
		if (stat(corpus, &st) == 0 && S_ISDIR(st.st_mode) && run_path(corpus) < 0)
			failed = 1;
		if (env && *env)
			iterations = strtoul(env, NULL, 10);
		mutation_loop(iterations);
	}
	printf("fuzz: %lu inputs, 0 crashes\n", n_inputs);
	return failed;
}
