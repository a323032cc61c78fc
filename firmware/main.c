/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * circd: wires the board's devices, the store, the kiosk state machine and
 * the control socket onto one event loop, and is the one place that logs
 * freely. Exit status: 0 after SIGTERM/SIGINT, 2 for a configuration or
 * board error, 1 when start-up fails otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "hal.h"
#include "sim.h"
#include "config.h"
#include "control.h"
#include "coredump.h"
#include "feedback.h"
#include "kiosk.h"
#include "kiosk-rfid.h"
#include "log.h"
#include "messages.h"
#include "metrics-file.h"
#include "metrics.h"
#include "service.h"
#include "loop.h"
#include "store.h"
#include "circd.h"
#include "sync.h"
#include "util.h"
#include "version.h"

#ifndef CIRCD_BOARDS_DIR
#define CIRCD_BOARDS_DIR "/usr/local/share/circd/boards"
#endif

/* A configuration or board file that cannot work, down to a GPIO line that is not there. */
#define EXIT_CONFIG 2
#define STORE_RETRY_MS 30000

static void print_file_error(const struct file_error *err)
{
	if (err->line > 0)
		fprintf(stderr, "%s:%d: %s\n", err->file, err->line, err->msg);
	else
		fprintf(stderr, "%s: %s\n", err->file, err->msg);
}

static void resolve_board(const char *name, char *path, size_t size)
{
	size_t len = strlen(name);

	if (strchr(name, '/') || (len > 4 && strcmp(name + len - 4, ".ini") == 0)) {
		snprintf(path, size, "%s", name);
		return;
	}
	snprintf(path, size, "%s/%s.ini", CIRCD_BOARDS_DIR, name);
	if (access(path, R_OK) == 0)
		return;
	/* Running from a source tree: boards/ beside the working directory. */
	snprintf(path, size, "boards/%s.ini", name);
}

/*
 * A folder of installed files (the catalogs, the touch screen's page): as
 * configured; else the environment's (a source tree's, for tests and demos);
 * else installed, if probe is readable there; else fallback below the
 * working directory (circd started in a source tree).
 */
static void resolve_dir(const char *configured, const char *env_name, const char *installed,
			const char *probe, const char *fallback, char *path, size_t size)
{
	const char *env = getenv(env_name);
	char file[512];

	if (configured[0] || (env && *env)) {
		snprintf(path, size, "%s", configured[0] ? configured : env);
		return;
	}
	snprintf(file, sizeof(file), "%s/%s", installed, probe);
	snprintf(path, size, "%s", access(file, R_OK) == 0 ? installed : fallback);
}

static int load_configuration(struct circd *c, const char *board_override, struct config *cfg)
{
	char messages_dir[512];
	struct file_error err = { 0 };
	int r;

	r = config_load(c->config_path, cfg, &err);
	if (r < 0) {
		print_file_error(&err);
		return r;
	}
	resolve_board(board_override ? board_override : cfg->board, c->board_path,
		      sizeof(c->board_path));
	r = board_load(c->board_path, &c->board, &err);
	if (r < 0) {
		print_file_error(&err);
		return r;
	}
	r = kiosk_board_fits(c->board, cfg, &err);
	if (r < 0) {
		print_file_error(&err);
		return r;
	}
	resolve_dir(cfg->messages_dir, "CIRCD_MESSAGES", CIRCD_MESSAGES_DIR, "en.msg", "ui/messages",
		    messages_dir, sizeof(messages_dir));
	r = messages_load(messages_dir, &c->messages, &err);
	if (r < 0) {
		print_file_error(&err);
		return r;
	}
	if (!messages_have(c->messages, cfg->language))
		log_warning("%s: [kiosk] language = %s: no %s.msg in %s, so patrons read English",
			    c->config_path, cfg->language, cfg->language, messages_dir);
	return 0;
}

static void read_boot_id(char *buf, size_t size)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	if (fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = 0;
	fclose(f);
}

/* --- kiosk outputs ----------------------------------------------------- */

static void show(void *data, enum display_kind kind, const char *text)
{
	struct circd *c = data;

	/* The backend reports the text for the log (at info when there is no screen). */
	c->display->show(c->display_handle, kind, text);
}

static void screen(void *data, const struct display_state *state)
{
	struct circd *c = data;
	int r = c->display->state(c->display_handle, state);

	if (r < 0)
		log_warning("display: the screen's state could not be shown: %s", strerror(-r));
}

static void play(void *data, enum feedback_kind kind)
{
	struct circd *c = data;

	feedback_play(c->feedback, &active_cfg(c)->feedback[kind]);
}

static void sort(void *data, const char *bin)
{
	struct circd *c = data;

	if (feedback_sort_bin(c->feedback, c->board, &active_cfg(c)->feedback[FEEDBACK_ACCEPT],
			      bin) == -ENOENT)
		log_info("sort bin '%s' has no diverter on this board", bin);
}

static void queued(void *data)
{
	struct circd *c = data;

	sync_kick(c->sync);
}

static int64_t wall_clock(void *data, bool *trusted)
{
	return circd_wall_clock(data, trusted);
}

static int printer_status(void *data, struct printer_status *ret)
{
	struct circd *c = data;

	return c->printer->status(c->printer_handle, ret);
}

static int print_receipt(void *data, const uint8_t *bytes, size_t len)
{
	struct circd *c = data;

	return c->printer->print(c->printer_handle, bytes, len);
}

/*
 * A receipt could not be printed: the attention lamp, where the board has
 * one, for a minute (as long as a [feedback] step may be); the next failure
 * lights it again, so it comes on at each session that ends without paper.
 */
#define PRINTER_ATTENTION_MS 60000

static void printer_attention(void *data)
{
	struct circd *c = data;
	const struct feedback_pattern lamp = {
		.n_tracks = 1,
		.tracks = { { .role = ROLE_LAMP_ATTENTION, .n_steps = 1,
			      .steps_ms = { PRINTER_ATTENTION_MS } } },
	};

	if (c->board->roles[ROLE_LAMP_ATTENTION].present)
		feedback_play(c->feedback, &lamp);
}

static const struct kiosk_output kiosk_output = {
	.display = show,
	.feedback = play,
	.sort = sort,
	.queued = queued,
	.wall_clock = wall_clock,
	.printer_status = printer_status,
	.print = print_receipt,
	.printer_attention = printer_attention,
};

/* --- device events ------------------------------------------------------ */

static void on_scan(void *data, const struct scan *scan)
{
	struct circd *c = data;

	if (c->kiosk)
		kiosk_scan(c->kiosk, scan);
}

static void on_scanner_device(void *data, const struct scanner_status *st)
{
	if (st->attached)
		log_notice("scanner %s attached: %04x:%04x at %s", st->name, st->usb_vid,
			   st->usb_pid, st->port);
	else if (st->last_error[0])
		log_warning("scanner %s unavailable: %s", st->name, st->last_error);
	else
		log_notice("scanner %s unplugged", st->name);
}

static void on_scan_discarded(void *data, const char *device, const char *reason)
{
	/* The reason never quotes the text: it may be half a patron number. */
	log_warning("scanner %s: discarded input: %s", device, reason);
}

static void on_input(void *data, enum board_role role, bool active)
{
	struct circd *c = data;

	log_debug("input %s %s", board_role_name(role), active ? "active" : "inactive");
	if (c->kiosk)
		kiosk_input(c->kiosk, role, active);
}

/* What the backends report, such as the texts of a board with display = none. */
static void on_hal_report(void *data, enum hal_level level, const char *msg)
{
	static const enum log_level levels[] = {
		[HAL_LEVEL_ERR] = LOG_LEVEL_ERR,
		[HAL_LEVEL_WARNING] = LOG_LEVEL_WARNING,
		[HAL_LEVEL_NOTICE] = LOG_LEVEL_NOTICE,
		[HAL_LEVEL_INFO] = LOG_LEVEL_INFO,
		[HAL_LEVEL_DEBUG] = LOG_LEVEL_DEBUG,
	};
	bool known = (unsigned)level < ARRAY_SIZE(levels);

	log_msg(known ? levels[level] : LOG_LEVEL_DEBUG, "%s", msg);
}

static void on_screen_done(void *data)
{
	struct circd *c = data;

	if (c->kiosk)
		kiosk_done(c->kiosk);
}

static void on_screen_language(void *data, const char *language)
{
	struct circd *c = data;

	if (c->kiosk && kiosk_choose_language(c->kiosk, language) < 0)
		log_info("display: language %s chosen on the screen has no catalog", language);
}

static void on_screen_receipt(void *data, bool wanted)
{
	struct circd *c = data;

	if (c->kiosk)
		kiosk_choose_receipt(c->kiosk, wanted);
}

static void on_screen_help(void *data)
{
	struct circd *c = data;

	if (c->kiosk)
		kiosk_help(c->kiosk);
}

static const char *on_metrics_request(void *data, struct strbuf *out)
{
	staff_metrics(data, out);
	return METRICS_CONTENT_TYPE;
}

static void on_pin(void *data, const char *pin)
{
	struct circd *c = data;

	kiosk_pin(c->kiosk, pin);
}

static int on_sim_advance(void *data, const struct sim_command *cmd)
{
	struct circd *c = data;

	return loop_advance(c->loop, cmd->ms);
}

/* Tests: set the fake wall clock, and say whether NTP would vouch for it. */
static int on_sim_wall(void *data, const struct sim_command *cmd)
{
	struct circd *c = data;

	c->clock_synced = cmd->active;
	return loop_set_wall(c->loop, (int64_t)cmd->ms);
}

/*
 * Tests of the service manager's watchdog: a loop stuck in a callback, as a
 * driver that never returns would leave it. Only on a board with a sim
 * backend, so a kiosk in a library cannot be wedged through it.
 */
static int on_sim_wedge(void *data, const struct sim_command *cmd)
{
	log_warning("sim channel: wedging the event loop, as asked; only a signal ends circd now");
	for (;;)
		pause();
	return 0;
}

/* --- store -------------------------------------------------------------- */

static int open_store(struct circd *c)
{
	int r = store_open(active_cfg(c)->store_path, &c->store);

	if (r < 0) {
		if (r != c->store_open_err)
			log_err("store %s: cannot open: %s; refusing transactions, retrying every "
				"%d s",
				active_cfg(c)->store_path, strerror(-r), STORE_RETRY_MS / 1000);
		c->store_open_err = r;
		c->store = NULL;
		loop_timer_arm(c->loop, &c->store_retry, STORE_RETRY_MS);
		return r;
	}
	if (c->store_open_err)
		log_notice("store %s: open again", active_cfg(c)->store_path);
	c->store_open_err = 0;
	/* Loud, but circd keeps working: staff decide, nothing is deleted. */
	if (store_alarm(c->store)[0])
		log_err("store %s: %s", active_cfg(c)->store_path, store_alarm(c->store));
	if (store_notice(c->store)[0])
		log_warning("store %s: %s", active_cfg(c)->store_path, store_notice(c->store));
	r = store_mark_status(c->store, NULL);
	if (r < 0)
		log_warning("store %s: cannot write the high-water mark: %s",
			    active_cfg(c)->store_path, strerror(-r));
	return 0;
}

static void on_store_retry(struct loop *loop, void *data)
{
	struct circd *c = data;

	(void)loop;
	if (open_store(c) == 0) {
		kiosk_set_store(c->kiosk, c->store, 0);
		if (c->sync)
			sync_set_store(c->sync, c->store);
	}
}

/* --- signals ------------------------------------------------------------ */

static void on_quit(struct loop *loop, int signo, void *data)
{
	log_notice("%s: shutting down", strsignal(signo));
	service_stopping(data);
	loop_quit(loop);
}

static void on_reload(struct loop *loop, int signo, void *data)
{
	service_reloading(data, false);
	circd_reload(data);
	service_reloading(data, true);
}

static void on_tag_arrived(void *data, const struct rfid_tag *tag)
{
	struct circd_rfid *r = data;

	if (r->c->kiosk)
		kiosk_tag_arrived(r->c->kiosk, r->reader, tag);
}

static void on_tag_left(void *data, const struct rfid_tag *tag)
{
	struct circd_rfid *r = data;

	if (r->c->kiosk)
		kiosk_tag_left(r->c->kiosk, tag);
}

static void on_rfid_device(void *data, const struct rfid_status *st)
{
	if (st->attached)
		log_notice("rfid reader %s attached%s%s%s%s", st->name, st->reader[0] ? ": " : "",
			   st->reader, st->port[0] ? " at " : "", st->port);
	else
		log_warning("rfid reader %s unavailable%s%s", st->name, st->last_error[0] ? ": " : "",
			    st->last_error);
}

/* A reader not plugged in is no error (it is picked up when it comes); a bad section is. */
static int open_rfid_readers(struct circd *c, struct file_error *err)
{
	static const struct rfid_events rfid_events = {
		.arrived = on_tag_arrived,
		.left = on_tag_left,
		.device = on_rfid_device,
	};

	for (size_t i = 0; i < c->board->n_rfids; i++) {
		struct circd_rfid *r = &c->rfid[c->n_rfid];
		int rc;

		r->c = c;
		rc = rfid_open(&c->hal_env, c->board, &c->board->rfids[i], &rfid_events, r,
			       &r->reader, err);
		if (rc < 0)
			return rc;
		c->n_rfid++;
	}
	return 0;
}

/* --- start-up ----------------------------------------------------------- */

/* *board_error: the failure lies in the board file (a line it names is missing or taken). */
static int open_devices(struct circd *c, bool *board_error)
{
	static const struct gpio_events gpio_events = { .input = on_input };
	static const struct scanner_events scanner_events = {
		.scan = on_scan,
		.device = on_scanner_device,
		.discarded = on_scan_discarded,
	};
	struct file_error err = { .line = 0 };
	struct display_events display_events = {
		.pin = on_pin,
		.done = on_screen_done,
		.language = on_screen_language,
		.receipt = on_screen_receipt,
		.help = on_screen_help,
		.metrics = active_cfg(c)->metrics_http ? on_metrics_request : NULL,
	};
	const struct config *cfg = active_cfg(c);
	struct display_config display_cfg = cfg->display;
	int r;

	c->gpio = hal_gpio_backend(c->board->gpio_backend);
	c->scanner = hal_scanner_backend(c->board->scanner_backend);
	c->display = hal_display_backend(c->board->display_backend);
	c->printer = hal_printer_backend(c->board->printer_backend);
	if (!c->gpio || !c->scanner || !c->display || !c->printer) {
		log_err("%s: a backend named there is not built into this circd", c->board_path);
		return -ENOENT;
	}
	c->hal_env = (struct hal_env){
		.loop = c->loop,
		.report = on_hal_report,
		.report_data = c,
	};
	/* Only a sim backend needs the test socket: a board on real devices never opens it. */
	if (sim_channel_needed(c->board)) {
		r = sim_channel_new(c->loop, cfg->sim_socket[0] ? cfg->sim_socket : NULL,
				    isatty(STDIN_FILENO), &c->sim);
		if (r < 0) {
			log_err("sim channel %s: %s", cfg->sim_socket, strerror(-r));
			return r;
		}
		sim_channel_on(c->sim, SIM_CMD_WEDGE, on_sim_wedge, c);
		if (loop_clock_is_fake(c->loop)) {
			sim_channel_on(c->sim, SIM_CMD_ADVANCE, on_sim_advance, c);
			sim_channel_on(c->sim, SIM_CMD_WALL, on_sim_wall, c);
		}
	}
	r = c->gpio->open(&c->hal_env, c->board, &gpio_events, c, &c->gpio_handle, &err);
	if (r < 0)
		goto err_device;
	r = c->scanner->open(&c->hal_env, c->board, &scanner_events, c, &c->scanner_handle, &err);
	if (r < 0)
		goto err_device;
	resolve_dir(cfg->display.ui_dir, "CIRCD_UI", CIRCD_UI_DIR, "index.html", "ui",
		    display_cfg.ui_dir, sizeof(display_cfg.ui_dir));
	r = c->display->open(&c->hal_env, c->board, &display_cfg, &display_events, c,
			     &c->display_handle, &err);
	if (r < 0)
		goto err_device;
	if (cfg->metrics_http && strcmp(c->display->name, "web") != 0)
		log_warning("[metrics] http = yes: only the touch screen's server (display = web) "
			    "serves /metrics, and this board's display is %s", c->display->name);
	r = c->printer->open(&c->hal_env, c->board, &c->printer_handle, &err);
	if (r < 0)
		goto err_device;
	r = open_rfid_readers(c, &err);
	if (r < 0)
		goto err_device;
	return feedback_new(c->loop, c->gpio, c->gpio_handle, &c->feedback);

err_device:
	/* close_devices() releases whatever did open */
	*board_error = err.line > 0;
	if (err.line)
		log_err("%s:%d: %s", err.file, err.line, err.msg);
	else
		log_err("%s: %s", err.file[0] ? err.file : c->board_path,
			err.msg[0] ? err.msg : strerror(-r));
	return r;
}

static void close_devices(struct circd *c)
{
	feedback_free(c->feedback);
	while (c->n_rfid)
		rfid_close(c->rfid[--c->n_rfid].reader);
	if (c->printer_handle)
		c->printer->close(c->printer_handle);
	if (c->display_handle)
		c->display->close(c->display_handle);
	if (c->scanner_handle)
		c->scanner->close(c->scanner_handle);
	if (c->gpio_handle)
		c->gpio->close(c->gpio_handle);
	sim_channel_free(c->sim);
}

/* Inputs such as bin_full may already be active when circd starts. */
static void read_initial_inputs(struct circd *c)
{
	static const enum board_role inputs[] = { ROLE_BIN_FULL, ROLE_DOOR_CLOSED };
	unsigned i;
	bool active;

	for (i = 0; i < ARRAY_SIZE(inputs); i++)
		if (c->board->roles[inputs[i]].present &&
		    c->gpio->get(c->gpio_handle, inputs[i], &active) >= 0)
			kiosk_input(c->kiosk, inputs[i], active);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: circd [options]\n"
		"  -c, --config PATH   configuration file (default " CONFIG_DEFAULT_PATH ")\n"
		"  -b, --board NAME    board file, or a name in " CIRCD_BOARDS_DIR "\n"
		"  -f, --foreground    log to stderr instead of syslog\n"
		"  -v, --verbose       log at debug level\n"
		"      --check-config  validate the configuration and board, then exit\n"
		"      --fake-clock    (tests) time moves only by the sim channel's advance\n"
		"  -V, --version       print the version\n"
		"  -h, --help          this text\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "board", required_argument, NULL, 'b' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "fake-clock", no_argument, NULL, 'F' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct circd circd; /* static: two configs make it large for a stack */
	struct circd *c = &circd;
	char languages[128];
	const char *board_override = NULL;
	bool foreground = false, verbose = false, check_only = false, fake_clock = false;
	int opt, r, status = EXIT_FAILURE;
	bool board_error = false;

	/* Before any secret is read: the config's passwords, later patrons' PINs. */
	r = core_dumps_set(false);
	if (r < 0) {
		fprintf(stderr, "circd: cannot turn core dumps off: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	/*
	 * With TZ unset, glibc's mktime() stats /etc/localtime at every call,
	 * and SIP2 dates go through it twice a message. Named once, the zone is
	 * read once: a change of time zone takes effect at the next start.
	 */
	if (!getenv("TZ") && setenv("TZ", ":/etc/localtime", 0) < 0)
		fprintf(stderr, "circd: cannot set TZ: %s\n", strerror(errno));
	c->config_path = CONFIG_DEFAULT_PATH;
	while ((opt = getopt_long(argc, argv, "c:b:fvVh", options, NULL)) != -1) {
		switch (opt) {
		case 'c': c->config_path = optarg; break;
		case 'b': board_override = optarg; break;
		case 'f': foreground = true; break;
		case 'v': verbose = true; break;
		case 'C': check_only = true; break;
		case 'F': fake_clock = true; break;
		case 'V': printf("circd %s\n", CIRCD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_CONFIG;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return EXIT_CONFIG;
	}
	if (load_configuration(c, board_override, &c->cfgs[0]) < 0)
		return EXIT_CONFIG;
	c->board_overridden = board_override != NULL;
	c->clock_synced = true; /* the fake clock's default; the system clock asks adjtimex() */
	if (check_only) {
		printf("%s and %s: OK\n", c->config_path, c->board_path);
		messages_free(c->messages);
		board_free(c->board);
		return 0;
	}

	log_open(foreground, verbose ? LOG_LEVEL_DEBUG : active_cfg(c)->log_level);
	log_set_kiosk_id(active_cfg(c)->kiosk_id);
	circd_apply_core_dumps(active_cfg(c), false);
	/* A full disk must come back as an error from write(), not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	read_boot_id(c->boot_id, sizeof(c->boot_id));

	r = loop_new(fake_clock ? LOOP_CLOCK_FAKE : LOOP_CLOCK_SYSTEM, &c->loop);
	if (r < 0) {
		log_err("event loop: %s", strerror(-r));
		goto out_board;
	}
	c->started_ms = loop_mono_ms(c->loop);
	loop_timer_init(&c->store_retry, on_store_retry, c);
	if (loop_add_signal(c->loop, SIGTERM, on_quit, c) < 0 ||
	    loop_add_signal(c->loop, SIGINT, on_quit, c) < 0 ||
	    loop_add_signal(c->loop, SIGHUP, on_reload, c) < 0) {
		log_err("signals: %s", strerror(errno));
		goto out_loop;
	}
	r = open_devices(c, &board_error);
	if (r < 0) {
		if (board_error)
			status = EXIT_CONFIG;
		goto out_devices;
	}

	open_store(c);
	r = link_start(c);
	if (r < 0) {
		log_err("ILS link: %s", strerror(-r));
		goto out_store;
	}
	c->kiosk_output = kiosk_output;
	/* A display that shows the whole screen (display = web) gets it; the others texts only. */
	if (c->display->state)
		c->kiosk_output.screen = screen;
	{
		struct kiosk_env env = {
			.loop = c->loop,
			.cfg = active_cfg(c),
			.store = c->store,
			.boot_id = c->boot_id,
			.ils = c->ils,
			.out = &c->kiosk_output,
			.out_data = c,
			.messages = c->messages,
		};

		r = kiosk_new(&env, &c->kiosk);
		if (r < 0) {
			log_err("kiosk: %s", strerror(-r));
			goto out_store;
		}
	}
	if (!c->store)
		kiosk_set_store(c->kiosk, NULL, c->store_open_err);
	for (unsigned i = 0; i < c->n_rfid; i++) {
		r = kiosk_rfid_attach(c->kiosk, c->rfid[i].reader);
		if (r < 0) {
			log_err("rfid: %s", strerror(-r));
			goto out_kiosk;
		}
	}
	read_initial_inputs(c);

	r = control_new(c->loop, active_cfg(c)->control_socket, active_cfg(c)->control_group,
			staff_command, c, &c->control);
	if (r < 0) {
		log_err("control socket %s: %s", active_cfg(c)->control_socket,
			r == -EEXIST ? "the path names something that is not a socket; left alone"
			: r == -EADDRINUSE ? "another process is listening there" : strerror(-r));
		goto out_kiosk;
	}

	log_notice("circd %s ready: %s mode on %s (%s), store %s", CIRCD_VERSION,
		   kiosk_mode_name(active_cfg(c)->mode), c->board->name, c->board_path,
		   active_cfg(c)->store_path);
	messages_languages(c->messages, languages, sizeof(languages));
	log_info("patron texts: %s (kiosk: %s)", languages, active_cfg(c)->language);
	service_start(c);
	metrics_file_start(c);
	service_ready(c);
	r = loop_run(c->loop);
	metrics_file_stop(c);
	service_stop(c);
	if (r < 0)
		log_err("event loop failed: %s", strerror(-r));
	else
		status = EXIT_SUCCESS;

	control_free(c->control);
out_kiosk:
	kiosk_free(c->kiosk);
out_store:
	link_stop(c);
	loop_timer_disarm(c->loop, &c->store_retry);
	store_close(c->store);
out_devices:
	close_devices(c);
out_loop:
	loop_free(c->loop);
out_board:
	messages_free(c->messages);
	board_free(c->board);
	log_close();
	return status;
}
