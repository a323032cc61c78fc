/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../firmware/config.h"
#include "testlib.h"

static void check_default_feedback(const struct config *cfg)
{
	const struct feedback_pattern *ok = &cfg->feedback[FEEDBACK_OK];
	const struct feedback_pattern *error = &cfg->feedback[FEEDBACK_ERROR];
	const struct feedback_pattern *notice = &cfg->feedback[FEEDBACK_NOTICE];
	const struct feedback_pattern *accept = &cfg->feedback[FEEDBACK_ACCEPT];

	CHECK_INT(ok->n_tracks, 2);
	CHECK_INT(ok->tracks[0].role, ROLE_LAMP_OK);
	CHECK_INT(ok->tracks[0].n_steps, 1);
	CHECK_INT(ok->tracks[0].steps_ms[0], 1500);
	CHECK_INT(ok->tracks[1].role, ROLE_BUZZER);
	CHECK_INT(ok->tracks[1].n_steps, 1);
	CHECK_INT(ok->tracks[1].steps_ms[0], 80);

	CHECK_INT(error->n_tracks, 2);
	CHECK_INT(error->tracks[0].role, ROLE_LAMP_ERROR);
	CHECK_INT(error->tracks[0].steps_ms[0], 3000);
	CHECK_INT(error->tracks[1].role, ROLE_BUZZER);
	CHECK_INT(error->tracks[1].n_steps, 5);
	for (unsigned i = 0; i < 5; i++)
		CHECK_INT(error->tracks[1].steps_ms[i], 80);

	CHECK_INT(notice->n_tracks, 1);
	CHECK_INT(notice->tracks[0].role, ROLE_BUZZER);
	CHECK_INT(notice->tracks[0].n_steps, 1);
	CHECK_INT(notice->tracks[0].steps_ms[0], 40);

	CHECK_INT(accept->n_tracks, 1);
	CHECK_INT(accept->tracks[0].role, ROLE_FLAP_UNLOCK);
	CHECK_INT(accept->tracks[0].n_steps, 1);
	CHECK_INT(accept->tracks[0].steps_ms[0], 4000);
}

/* Everything but path: what a config file may set. */
static void check_default_values(const struct config *cfg)
{
	CHECK_INT(cfg->mode, KIOSK_SELFCHECK);
	CHECK_STR(cfg->kiosk_id, "kiosk");
	CHECK_STR(cfg->board, "sim");
	CHECK(!cfg->require_pin);
	CHECK_INT(cfg->session_timeout_s, 60);
	CHECK_STR(cfg->date_format, ""); /* each language's own (messages.h) */
	CHECK_STR(cfg->store_path, "/var/lib/circd/circd.db");
	CHECK_STR(cfg->control_socket, "/run/circd/control.sock");
	CHECK_STR(cfg->control_group, "");
	CHECK_STR(cfg->sim_socket, "/run/circd/sim.sock");
	CHECK(cfg->barcodes.check_digit);
	CHECK_INT(cfg->barcodes.patron.n_prefixes, 1);
	CHECK_STR(cfg->barcodes.patron.prefixes[0], "2");
	CHECK_INT(cfg->barcodes.patron.n_lengths, 1);
	CHECK_INT(cfg->barcodes.patron.lengths[0], 14);
	CHECK_INT(cfg->barcodes.item.n_prefixes, 1);
	CHECK_STR(cfg->barcodes.item.prefixes[0], "3");
	CHECK_INT(cfg->barcodes.item.n_lengths, 1);
	CHECK_INT(cfg->barcodes.item.lengths[0], 14);
	CHECK_INT(cfg->barcodes.n_done, 0);
	check_default_feedback(cfg);
	CHECK_INT(cfg->offline_policy, OFFLINE_CHECKIN_CHECKOUT);
	CHECK_INT(cfg->offline_max_items, 10);
	CHECK_INT(cfg->offline_loan_days, 14);
	/* Under the 60 s idle timeout servers commonly have; forwarding within a minute. */
	CHECK_INT(cfg->sip2.heartbeat_s, 25);
	CHECK_INT(cfg->sip2.reconnect_max_s, 60);
	CHECK_INT(cfg->sip2.patron_wait_s, 8);
	CHECK_INT(cfg->log_level, LOG_LEVEL_INFO);
	CHECK(!cfg->core_dumps);
	CHECK_STR(cfg->receipt_header, "");
	CHECK_INT(cfg->receipt_codepage, RECEIPT_PC858);
	CHECK_STR(cfg->metrics_textfile, "");
	CHECK_INT(cfg->metrics_interval_s, 15);
	CHECK_INT(cfg->health_max_offline_s, 1800);
	CHECK_INT(cfg->health_max_outbox, 1);
}

static void test_defaults(void)
{
	struct config cfg;

	config_default(&cfg);
	CHECK_STR(cfg.path, CONFIG_DEFAULT_PATH);
	check_default_values(&cfg);
}

static void test_empty_file_gives_defaults(void)
{
	struct file_error err = { 0 };
	struct config cfg;

	memset(&cfg, 0x5a, sizeof(cfg));
	CHECK_INT(config_parse("", "empty.conf", &cfg, &err), 0);
	CHECK_STR(cfg.path, "empty.conf");
	check_default_values(&cfg);

	CHECK_INT(config_parse("# nothing\n\n; at all\n[kiosk]\n[log]\n", "c.conf", &cfg, &err), 0);
	check_default_values(&cfg);
}

static const char every_key[] =
	"[kiosk]\n"
	"mode = returns\n"
	"id = returns-bin-2\n"
	"board = rpi4-returns\n"
	"require_pin = yes\n"
	"session_timeout = 3600\n"
	"date_format = %d/%m/%Y\n"
	"[store]\n"
	"path = /tmp/circd-test.db\n"
	"[control]\n"
	"socket = /tmp/control.sock\n"
	"group = circd\n"
	"[sim]\n"
	"socket = /tmp/sim.sock\n"
	"[barcode]\n"
	"patron_prefixes = P , 21 ,LIB\n"
	"patron_lengths = 14, 8\n"
	"item_prefixes =\n"
	"item_lengths = 128,1\n"
	"check_digit = no\n"
	"done = DONE, 0000\n"
	"card_prefixes = 000\n"
	"card_lengths = 10, 8\n"
	"[feedback]\n"
	"ok = lamp_ok:1 buzzer:60000,1\n"
	"error =\n"
	"notice = lamp_attention:100,200,300,400,500,600,700,800\n"
	"accept = flap_unlock:5000 door_lock:5000 lamp_ok:10 buzzer:20\n"
	"[offline]\n"
	"policy = checkin-only\n"
	"max_items = 0\n"
	"loan_days = 365\n"
	"[log]\n"
	"level = debug\n"
	"core_dumps = yes\n";

/* [rfid]: AFIs as ISO 28560 writes them (0xHH) or decimal; the data model by name. */
static void test_rfid_section(void)
{
	struct config cfg;
	struct file_error err;

	CHECK_INT(config_parse("[rfid]\ndata_model = iso28560-3\nowner_isil = DK-710100, DK-710101\n"
			       "afi_checked_out = 0xda\nafi_on_shelf = 215\neas = no\n",
			       "r.conf", &cfg, &err), 0);
	CHECK_INT(cfg.rfid.data_model, TAG_MODEL_CHOICE_28560_3);
	CHECK_STR(cfg.rfid.owner_isil, "DK-710100, DK-710101");
	CHECK_INT(cfg.rfid.afi_checked_out, 0xDA);
	CHECK_INT(cfg.rfid.afi_on_shelf, 0xD7);
	CHECK(!cfg.rfid.eas);
	CHECK_INT(config_parse("[rfid]\nafi_on_shelf = 0x1G\n", "r.conf", &cfg, &err), -EINVAL);
	CHECK_INT(err.line, 2);
	CHECK(strstr(err.msg, "expected an AFI") != NULL);
	CHECK_INT(config_parse("[rfid]\nafi_on_shelf = 256\n", "r.conf", &cfg, &err), -EINVAL);
	CHECK_INT(config_parse("[rfid]\nafi_on_shelf = 0x123\n", "r.conf", &cfg, &err), -EINVAL);
	CHECK_INT(config_parse("[rfid]\ndata_model = iso28560\n", "r.conf", &cfg, &err), -EINVAL);
	config_default(&cfg);
	CHECK_INT(cfg.rfid.afi_checked_out, 0xC2);
	CHECK_INT(cfg.rfid.afi_on_shelf, 0x07);
}

static void test_receipt_section(void)
{
	struct config cfg;
	struct file_error err;

	CHECK_INT(config_parse("[receipt]\nheader = Stadtbücherei | Hauptstraße 1\n"
			       "codepage = wpc1252\n", "r.conf", &cfg, &err), 0);
	CHECK_STR(cfg.receipt_header, "Stadtbücherei | Hauptstraße 1");
	CHECK_INT(cfg.receipt_codepage, RECEIPT_WPC1252);
	CHECK_INT(config_parse("[receipt]\nheader =\ncodepage = pc437\n", "r.conf", &cfg, &err), 0);
	CHECK_STR(cfg.receipt_header, "");
	CHECK_INT(cfg.receipt_codepage, RECEIPT_PC437);
	CHECK_INT(cfg.receipt_policy, RECEIPT_NEVER);
	CHECK_INT(config_parse("[receipt]\npolicy = always\n", "r.conf", &cfg, &err), 0);
	CHECK_INT(cfg.receipt_policy, RECEIPT_ALWAYS);
	/* ask: the patron chooses on the touch screen. */
	CHECK_INT(config_parse("[receipt]\npolicy = ask\n", "r.conf", &cfg, &err), 0);
	CHECK_INT(cfg.receipt_policy, RECEIPT_ASK);
	CHECK_INT(config_parse("[receipt]\npolicy = maybe\n", "r.conf", &cfg, &err), -EINVAL);
	CHECK_INT(config_parse("[receipt]\ncodepage = utf-8\n", "r.conf", &cfg, &err), -EINVAL);
	CHECK_INT(err.line, 2);
	CHECK(strstr(err.msg, "pc858") != NULL);
}

static void test_metrics_and_health_sections(void)
{
	struct file_error err = { 0 };
	struct config cfg;

	CHECK_INT(config_parse("[metrics]\n"
			       "textfile = /var/lib/prometheus/node-exporter/circd.prom\n"
			       "interval = 60\n[health]\nmax_offline = 0\nmax_outbox = 500\n",
			       "m.conf", &cfg, &err), 0);
	CHECK_STR(err.msg, "");
	CHECK_STR(cfg.metrics_textfile, "/var/lib/prometheus/node-exporter/circd.prom");
	CHECK_INT(cfg.metrics_interval_s, 60);
	CHECK_INT(cfg.health_max_offline_s, 0);
	CHECK_INT(cfg.health_max_outbox, 500);
	/* set empty: no file, as by default */
	CHECK_INT(config_parse("[metrics]\ntextfile =\n", "m.conf", &cfg, &err), 0);
	CHECK_STR(cfg.metrics_textfile, "");
	CHECK(!cfg.metrics_http);
	CHECK_INT(config_parse("[metrics]\nhttp = yes\n", "m.conf", &cfg, &err), 0);
	CHECK(cfg.metrics_http);
	CHECK(!cfg.receipt_session_qr);
	CHECK_INT(config_parse("[receipt]\nsession_qr = yes\n", "r.conf", &cfg, &err), 0);
	CHECK(cfg.receipt_session_qr);
}

/* The textfile's timer is set up at start; the health limits are read at each check. */
static void test_metrics_need_a_restart_health_does_not(void)
{
	struct file_error err = { 0 };
	struct config running, reloaded;
	char why[128];

	config_default(&running);
	CHECK_INT(config_parse("[metrics]\ntextfile = /run/x.prom\ninterval = 30\n"
			       "[health]\nmax_offline = 60\nmax_outbox = 0\n", "m.conf", &reloaded,
			       &err), 0);
	CHECK_INT(config_restart_needed(&running, &reloaded, why, sizeof(why)), 2);
	CHECK_STR(why, "[metrics] textfile, [metrics] interval");
	config_keep_restart_keys(&reloaded, &running);
	CHECK_STR(reloaded.metrics_textfile, "");
	CHECK_INT(reloaded.metrics_interval_s, 15);
	CHECK_INT(reloaded.health_max_offline_s, 60);
	CHECK_INT(reloaded.health_max_outbox, 0);
}

static void test_display_section(void)
{
	struct config cfg;
	struct file_error err;

	/* Loopback unless the site says otherwise: nothing but the kiosk's browser reaches it. */
	CHECK_INT(config_parse("", "d.conf", &cfg, &err), 0);
	CHECK_STR(cfg.display.listen, "127.0.0.1");
	CHECK_INT(cfg.display.port, 8080);
	CHECK_STR(cfg.display.ui_dir, "");
	CHECK_INT(config_parse("[display]\nlisten = ::1\nport = 0\nui = /srv/ui\n", "d.conf", &cfg,
			       &err), 0);
	CHECK_STR(cfg.display.listen, "::1");
	CHECK_INT(cfg.display.port, 0);
	CHECK_STR(cfg.display.ui_dir, "/srv/ui");
	CHECK_INT(config_parse("[display]\nlisten = 0.0.0.0\n", "d.conf", &cfg, &err), 0);
	CHECK_STR(cfg.display.listen, "0.0.0.0");
	/* A name is refused: its lookup could widen what the page is served to. */
	CHECK_INT(config_parse("[display]\nport = 80\nlisten = localhost\n", "d.conf", &cfg, &err),
		  -EINVAL);
	CHECK_INT(err.line, 3);
	CHECK(strstr(err.msg, "IP address") != NULL);
	CHECK_INT(config_parse("[display]\nport = 65536\n", "d.conf", &cfg, &err), -EINVAL);
	CHECK_INT(err.line, 2);
}

static void test_every_key(void)
{
	struct file_error err = { 0 };
	struct config cfg;
	const struct feedback_pattern *fb;

	CHECK_INT(config_parse(every_key, "every.conf", &cfg, &err), 0);
	CHECK_STR(err.msg, "");
	CHECK_INT(cfg.mode, KIOSK_RETURNS);
	CHECK_STR(cfg.kiosk_id, "returns-bin-2");
	CHECK_STR(cfg.board, "rpi4-returns");
	CHECK(cfg.require_pin);
	CHECK_INT(cfg.session_timeout_s, 3600);
	CHECK_STR(cfg.date_format, "%d/%m/%Y");
	CHECK_STR(cfg.store_path, "/tmp/circd-test.db");
	CHECK_STR(cfg.control_socket, "/tmp/control.sock");
	CHECK_STR(cfg.control_group, "circd");
	CHECK_STR(cfg.sim_socket, "/tmp/sim.sock");

	CHECK_INT(cfg.barcodes.patron.n_prefixes, 3);
	CHECK_STR(cfg.barcodes.patron.prefixes[0], "P");
	CHECK_STR(cfg.barcodes.patron.prefixes[1], "21");
	CHECK_STR(cfg.barcodes.patron.prefixes[2], "LIB");
	CHECK_INT(cfg.barcodes.patron.n_lengths, 2);
	CHECK_INT(cfg.barcodes.patron.lengths[0], 14);
	CHECK_INT(cfg.barcodes.patron.lengths[1], 8);
	CHECK_INT(cfg.barcodes.item.n_prefixes, 0);
	CHECK_INT(cfg.barcodes.item.n_lengths, 2);
	CHECK_INT(cfg.barcodes.item.lengths[0], 128);
	CHECK_INT(cfg.barcodes.item.lengths[1], 1);
	CHECK(!cfg.barcodes.check_digit);
	CHECK_INT(cfg.barcodes.n_done, 2);
	CHECK_INT(cfg.barcodes.card.n_prefixes, 1);
	CHECK_STR(cfg.barcodes.card.prefixes[0], "000");
	CHECK_INT(cfg.barcodes.card.n_lengths, 2);
	CHECK_INT(cfg.barcodes.card.lengths[1], 8);
	CHECK_STR(cfg.barcodes.done[0], "DONE");
	CHECK_STR(cfg.barcodes.done[1], "0000");

	fb = &cfg.feedback[FEEDBACK_OK];
	CHECK_INT(fb->n_tracks, 2);
	CHECK_INT(fb->tracks[0].role, ROLE_LAMP_OK);
	CHECK_INT(fb->tracks[0].n_steps, 1);
	CHECK_INT(fb->tracks[0].steps_ms[0], 1);
	CHECK_INT(fb->tracks[1].role, ROLE_BUZZER);
	CHECK_INT(fb->tracks[1].n_steps, 2);
	CHECK_INT(fb->tracks[1].steps_ms[0], 60000);
	CHECK_INT(fb->tracks[1].steps_ms[1], 1);
	CHECK_INT(cfg.feedback[FEEDBACK_ERROR].n_tracks, 0);
	fb = &cfg.feedback[FEEDBACK_NOTICE];
	CHECK_INT(fb->n_tracks, 1);
	CHECK_INT(fb->tracks[0].role, ROLE_LAMP_ATTENTION);
	CHECK_INT(fb->tracks[0].n_steps, FEEDBACK_STEPS_MAX);
	CHECK_INT(fb->tracks[0].steps_ms[7], 800);
	fb = &cfg.feedback[FEEDBACK_ACCEPT];
	CHECK_INT(fb->n_tracks, FEEDBACK_TRACKS_MAX);
	CHECK_INT(fb->tracks[1].role, ROLE_DOOR_LOCK);
	CHECK_INT(fb->tracks[3].role, ROLE_BUZZER);
	CHECK_INT(fb->tracks[3].steps_ms[0], 20);

	CHECK_INT(cfg.offline_policy, OFFLINE_CHECKIN_ONLY);
	CHECK_INT(cfg.offline_max_items, 0);
	CHECK_INT(cfg.offline_loan_days, 365);
	CHECK_INT(cfg.log_level, LOG_LEVEL_DEBUG);
	CHECK(cfg.core_dumps);
}

static void test_values_and_layout(void)
{
	static const struct {
		const char *text;
		enum log_level level;
	} levels[] = {
		{ "[log]\nlevel = err\n", LOG_LEVEL_ERR },
		{ "[log]\nlevel = warning\n", LOG_LEVEL_WARNING },
		{ "[log]\nlevel = notice\n", LOG_LEVEL_NOTICE },
		{ "[log]\nlevel = info\n", LOG_LEVEL_INFO },
		/* inline comment, CRLF, indentation, no final newline, UTF-8 BOM */
		{ "[log]\nlevel = debug ; chatty\n", LOG_LEVEL_DEBUG },
		{ "[log]\r\nlevel = err\r\n", LOG_LEVEL_ERR },
		{ "  [log]\n\tlevel = warning\n", LOG_LEVEL_WARNING },
		{ "[log]\nlevel=notice", LOG_LEVEL_NOTICE },
		{ "\xef\xbb\xbf[log]\nlevel = err\n", LOG_LEVEL_ERR },
	};
	struct file_error err = { 0 };
	struct config cfg;

	for (size_t i = 0; i < ARRAY_SIZE(levels); i++) {
		CHECK_INT(config_parse(levels[i].text, "l.conf", &cfg, &err), 0);
		CHECK_INT(cfg.log_level, levels[i].level);
	}
	CHECK_INT(config_parse("[kiosk]\nrequire_pin = true\nsession_timeout = 5\n", "b.conf", &cfg,
			       &err),
		  0);
	CHECK(cfg.require_pin);
	CHECK_INT(cfg.session_timeout_s, 5);
	CHECK_INT(config_parse("[kiosk]\nrequire_pin = 0\n", "b.conf", &cfg, &err), 0);
	CHECK(!cfg.require_pin);
	CHECK_INT(config_parse("[offline]\npolicy = checkin-and-checkout\nmax_items = 1000\n"
			       "loan_days = 1\n",
			       "o.conf", &cfg, &err),
		  0);
	CHECK_INT(cfg.offline_policy, OFFLINE_CHECKIN_CHECKOUT);
	CHECK_INT(cfg.offline_max_items, 1000);
	CHECK_INT(cfg.offline_loan_days, 1);
	/* a 15-character prefix and a 31-character done symbol are the longest */
	CHECK_INT(config_parse("[barcode]\npatron_prefixes = 123456789012345\n"
			       "done = 1234567890123456789012345678901\n",
			       "m.conf", &cfg, &err),
		  0);
	CHECK_STR(cfg.barcodes.patron.prefixes[0], "123456789012345");
	CHECK_STR(cfg.barcodes.done[0], "1234567890123456789012345678901");
	CHECK_INT(config_parse("[barcode]\nitem_prefixes = 1,2,3,4,5,6,7,8\n", "m.conf", &cfg,
			       &err),
		  0);
	CHECK_INT(cfg.barcodes.item.n_prefixes, BARCODE_LIST_MAX);
	CHECK_STR(cfg.barcodes.item.prefixes[7], "8");
}

struct error_case {
	const char *text;
	int line;
	const char *want[3]; /* substrings of the message */
};

static const struct error_case error_cases[] = {
	{ "[kiosk]\nid = x\nmode = selfchek\n", 3,
	  { "[kiosk] mode: expected selfcheck or returns, got 'selfchek'" } },
	{ "[kiosk]\nmode = Selfcheck\n", 2, { "mode", "selfcheck or returns" } },
	{ "[kiosk]\n\n[kiosks]\n", 3, { "unknown section [kiosks]", "kiosk, store" } },
	{ "[store]\npath = /x\npaht = /y\n", 3, { "[store] paht: unknown key", "path" } },
	{ "[kiosk]\nsession_timeout = 4\n", 2, { "session_timeout", "5 to 3600", "'4'" } },
	{ "[kiosk]\nsession_timeout = 3601\n", 2, { "session_timeout", "5 to 3600" } },
	{ "[kiosk]\nsession_timeout = -5\n", 2, { "session_timeout", "'-5'" } },
	{ "[kiosk]\nsession_timeout = +5\n", 2, { "session_timeout" } },
	{ "[kiosk]\nsession_timeout = 10s\n", 2, { "session_timeout", "'10s'" } },
	{ "[kiosk]\nsession_timeout = 0x10\n", 2, { "session_timeout" } },
	{ "[kiosk]\nsession_timeout = 99999999999999999999\n", 2, { "session_timeout" } },
	{ "[kiosk]\nsession_timeout =\n", 2, { "session_timeout", "''" } },
	{ "[kiosk]\nrequire_pin = maybe\n", 2, { "require_pin", "yes or no", "'maybe'" } },
	{ "[kiosk]\ndate_format = %A %A %A %A %A %A %A %A\n", 2,
	  { "[kiosk] date_format", "over 63 characters" } },
	{ "[kiosk]\ndate_format =\n", 2, { "[kiosk] date_format", "empty" } },
	{ "[sip2]\npatron_wait = 0\n", 2, { "patron_wait", "1 to 120" } },
	{ "[kiosk]\nid =\n", 2, { "[kiosk] id", "empty" } },
	{ "[kiosk]\nid = 1234567890123456789012345678901234567890123456789012345678901234\n", 2,
	  { "[kiosk] id", "longer than 63" } },
	{ "[kiosk]\nboard =\n", 2, { "[kiosk] board", "empty" } },
	{ "[store]\npath =\n", 2, { "[store] path", "empty" } },
	{ "[control]\nsocket = /run/circd/a-very-long-directory-name-that-goes-on-and-on"
	  "/and-on-and-on-and-on-and-on-and-on/and-on-and-on/control.sock\n",
	  2, { "[control] socket", "unix socket" } },
	{ "[sim]\nsocket =\n", 2, { "[sim] socket", "empty" } },
	{ "[sim]\nsocket = a\nsocket = b\n", 3, { "[sim] socket", "set twice", "line 2" } },
	{ "[control]\ngroup = 1234567890123456789012345678901234567890123456789012345678901234\n",
	  2, { "[control] group", "longer" } },
	{ "[barcode]\npatron_prefixes = 2,,3\n", 2, { "patron_prefixes", "empty entry" } },
	{ "[barcode]\npatron_prefixes = 2,\n", 2, { "patron_prefixes", "empty entry" } },
	{ "[barcode]\nitem_prefixes = 1234567890123456\n", 2,
	  { "item_prefixes", "longer than 15" } },
	{ "[barcode]\nitem_prefixes = 1,2,3,4,5,6,7,8,9\n", 2, { "item_prefixes", "more than 8" } },
	{ "[barcode]\nitem_prefixes = a b\n", 2, { "item_prefixes", "printable" } },
	{ "[barcode]\nitem_prefixes = \x01\n", 2, { "item_prefixes", "printable" } },
	{ "[barcode]\npatron_lengths = 0\n", 2, { "patron_lengths", "1 to 128", "'0'" } },
	{ "[barcode]\npatron_lengths = 14,129\n", 2, { "patron_lengths", "'129'" } },
	{ "[barcode]\nitem_lengths = 14,x\n", 2, { "item_lengths", "'x'" } },
	{ "[barcode]\nitem_lengths = 14 15\n", 2, { "item_lengths", "'14 15'" } },
	{ "[barcode]\nitem_lengths = -14\n", 2, { "item_lengths" } },
	{ "[barcode]\ncheck_digit = sometimes\n", 2, { "check_digit", "yes or no" } },
	{ "[barcode]\ndone = 12345678901234567890123456789012\n", 2, { "done", "longer than 31" } },
	{ "[feedback]\nok = bin_full:100\n", 2, { "[feedback] ok", "not an output role" } },
	{ "[feedback]\nok = item_scanner:100\n", 2, { "[feedback] ok", "not an output role" } },
	{ "[feedback]\nerror = lamp_red:100\n", 2, { "[feedback] error", "unknown role" } },
	{ "[feedback]\nnotice = buzzer\n", 2, { "[feedback] notice", "role:ms" } },
	{ "[feedback]\nnotice = buzzer:\n", 2, { "[feedback] notice", "1 to 60000" } },
	{ "[feedback]\nnotice = buzzer:0\n", 2, { "[feedback] notice", "1 to 60000" } },
	{ "[feedback]\nnotice = buzzer:60001\n", 2, { "[feedback] notice", "1 to 60000" } },
	{ "[feedback]\nnotice = buzzer:80,,80\n", 2, { "[feedback] notice" } },
	{ "[feedback]\nnotice = buzzer:1,2,3,4,5,6,7,8,9\n", 2, { "notice", "more than 8" } },
	{ "[feedback]\naccept = lamp_ok:1 lamp_error:1 buzzer:1 flap_unlock:1 door_lock:1\n", 2,
	  { "accept", "more than 4 tracks" } },
	{ "[feedback]\nok = buzzer:1 buzzer:2\n", 2, { "[feedback] ok", "two tracks" } },
	{ "[feedback]\nbeep = buzzer:1\n", 2, { "[feedback] beep: unknown key" } },
	{ "[offline]\npolicy = sometimes\n", 2,
	  { "[offline] policy", "checkin-only, checkin-and-checkout or none" } },
	{ "[offline]\nmax_items = 1001\n", 2, { "max_items", "0 to 1000" } },
	{ "[offline]\nloan_days = 0\n", 2, { "loan_days", "1 to 365" } },
	{ "[offline]\nloan_days = 366\n", 2, { "loan_days", "1 to 365" } },
	{ "[log]\nlevel = loud\n", 2, { "[log] level", "err, warning, notice, info or debug" } },
	{ "# comment\n; comment\n\n[log]\nlevel = loud\n", 5, { "level" } },
	{ "[log]\r\nlevel = loud\r\n", 2, { "level", "'loud'" } },
	{ "[kiosk]\nmode = returns\n[kiosk]\n", 3, { "duplicate section [kiosk]", "line 1" } },
	{ "[kiosk]\nmode = returns\nmode = selfcheck\n", 3, { "[kiosk] mode", "set twice" } },
	{ "mode = returns\n[kiosk]\n", 1, { "outside a section" } },
	{ "[kiosk]\nmode returns\n", 2, { "expected [section] or key = value" } },
	{ "[kiosk\nmode = returns\n", 1, { "without ']'" } },
	{ "[kiosk] mode = returns\n", 1, { "after ']'" } },
	{ "[]\n", 1, { "unknown section []" } },
	/* a long line is an error, never cut in two */
	{ "[kiosk]\nid = "
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "\n",
	  2, { "line longer than" } },
	/* the first error wins: syntax on line 2 before the bad value on line 3 */
	{ "[log]\nnonsense\nlevel = loud\n", 2, { "expected [section]" } },
	{ "[log]\nlevel = loud\nnonsense\n", 2, { "[log] level" } },
	{ "[metrics]\ninterval = 0\n", 2, { "[metrics] interval", "1 to 3600" } },
	{ "[metrics]\ntextfile = circd.prom\n", 2,
	  { "[metrics] textfile: 'circd.prom' is not an absolute path ending in .prom" } },
	{ "[metrics]\ninterval = 5\n\ntextfile = /var/lib/node/circd.txt\n", 4,
	  { "[metrics] textfile", "node_exporter" } },
	{ "[metrics]\ntextfile = /var/lib/node/.prom\n", 2, { "[metrics] textfile" } },
	{ "[health]\nmax_offline = 2h\n", 2, { "[health] max_offline", "'2h'" } },
	{ "[health]\nmax_outbox = -1\n", 2, { "[health] max_outbox" } },
	{ "[health]\nmax_outbox = 1\nlimit = 3\n", 3,
	  { "[health] limit: unknown key (expected max_offline or max_outbox)" } },
	/* an indented line is a key of its own, not a continuation */
	{ "[kiosk]\nmode = returns\n  id =\n", 3, { "[kiosk] id", "empty" } },
};

static void test_errors_name_the_line(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		struct file_error err = { 0 };
		struct config cfg;
		int r;

		config_default(&cfg);
		r = config_parse(c->text, "circd.conf", &cfg, &err);
		CHECK_INT(r, -EINVAL);
		CHECK_STR(err.file, "circd.conf");
		CHECK_INT(err.line, c->line);
		for (int w = 0; w < 3 && c->want[w]; w++) {
			if (!strstr(err.msg, c->want[w])) {
				fprintf(stderr, "case %zu: '%s' not in '%s'\n", i, c->want[w],
					err.msg);
				CHECK(strstr(err.msg, c->want[w]));
			}
		}
		if (r != -EINVAL || err.line != c->line)
			fprintf(stderr, "case %zu: %s:%d: %s\n", i, err.file, err.line, err.msg);
	}
}

static void test_error_leaves_config_alone(void)
{
	struct file_error err = { 0 };
	struct config cfg;

	config_default(&cfg);
	CHECK_INT(config_parse("[kiosk]\nmode = returns\nid = other\n[log]\nlevel = x\n", "e.conf",
			       &cfg, &err),
		  -EINVAL);
	CHECK_INT(err.line, 5);
	CHECK_INT(cfg.mode, KIOSK_SELFCHECK);
	CHECK_STR(cfg.kiosk_id, "kiosk");
	CHECK_STR(cfg.path, CONFIG_DEFAULT_PATH);
}

static void test_example_message(void)
{
	struct file_error err = { 0 };
	struct config cfg;
	const char *text = "# circd\n\n[kiosk]\nid = desk-1\nboard = sim\n\nmode = selfchek\n";

	CHECK_INT(config_parse(text, "circd.conf", &cfg, &err), -EINVAL);
	CHECK_INT(err.line, 7);
	CHECK_STR(err.msg, "[kiosk] mode: expected selfcheck or returns, got 'selfchek'");
}

static void test_feedback_pattern_parse(void)
{
	struct feedback_pattern p;
	const char *why = NULL;

	CHECK_INT(feedback_pattern_parse("", &p, &why), 0);
	CHECK_INT(p.n_tracks, 0);
	CHECK_INT(feedback_pattern_parse(" \t ", &p, &why), 0);
	CHECK_INT(p.n_tracks, 0);
	CHECK_INT(feedback_pattern_parse("\tlamp_ok:1500   buzzer:80,20,80 ", &p, &why), 0);
	CHECK_INT(p.n_tracks, 2);
	CHECK_INT(p.tracks[0].role, ROLE_LAMP_OK);
	CHECK_INT(p.tracks[1].role, ROLE_BUZZER);
	CHECK_INT(p.tracks[1].n_steps, 3);
	CHECK_INT(p.tracks[1].steps_ms[1], 20);
	CHECK(why == NULL);

	/* a failed parse keeps the old pattern */
	CHECK_INT(feedback_pattern_parse("lamp_ok:1 bin_full:1", &p, &why), -EINVAL);
	CHECK(why && strstr(why, "output"));
	CHECK_INT(p.n_tracks, 2);
	CHECK_INT(p.tracks[0].steps_ms[0], 1500);

	CHECK_INT(feedback_pattern_parse("lamp_ok:1,", &p, &why), -EINVAL);
	CHECK_INT(feedback_pattern_parse("lamp_ok:1:2", &p, &why), -EINVAL);
	CHECK_INT(feedback_pattern_parse(":1", &p, &why), -EINVAL);
	CHECK_INT(feedback_pattern_parse("lamp_ok :1", &p, &why), -EINVAL);
	CHECK_INT(feedback_pattern_parse("lamp_ok:1,2,3,4,5,6,7,8", &p, NULL), 0);
	CHECK_INT(p.tracks[0].n_steps, 8);
	CHECK_INT(feedback_pattern_parse(NULL, &p, &why), -EINVAL);
}

static void test_load(void)
{
	char path[] = "/tmp/test_config.XXXXXX";
	struct file_error err = { 0 };
	struct config cfg;
	int fd = mkstemp(path);
	const char text[] = "[kiosk]\nmode = returns\n\n[offline]\nloan_days = 400\n";

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_INT(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);
	CHECK_INT(config_load(path, &cfg, &err), -EINVAL);
	CHECK_STR(err.file, path);
	CHECK_INT(err.line, 5);
	CHECK(strstr(err.msg, "loan_days"));
	unlink(path);

	memset(&err, 0, sizeof(err));
	CHECK_INT(config_load("/nonexistent/circd.conf", &cfg, &err), -ENOENT);
	CHECK_STR(err.file, "/nonexistent/circd.conf");
	CHECK_INT(err.line, 0);
	CHECK_STR(err.msg, "cannot open: No such file or directory");
}

/* The example shipped in etc/ shows every default: parsing it changes nothing. */
static void test_shipped_example(void)
{
	struct file_error err = { 0 };
	struct config cfg;
	int r;

	r = config_load("etc/circd.conf", &cfg, &err);
	if (r < 0)
		fprintf(stderr, "%s:%d: %s\n", err.file, err.line, err.msg);
	CHECK_INT(r, 0);
	CHECK_STR(cfg.path, "etc/circd.conf");
	check_default_values(&cfg);
}

static void test_sip2_section(void)
{
	static const char text[] = "[sip2]\n"
				   "host = ils.example.org\n"
				   "port = 6443\n"
				   "tls = yes\n"
				   "pin_sha256 = AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
				   "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\n"
				   "username = kiosk1\n"
				   "institution = MAIN\n"
				   "location = Lobby\n"
				   "terminator = crlf\n"
				   "delimiter = ^\n"
				   "error_detection = no\n"
				   "charset = ibm850\n"
				   "patron_message = 63\n"
				   "heartbeat = 30\n"
				   "renew = yes\n"
				   "[offline]\npolicy = none\npatron_cache_hours = 0\n"
				   "[privacy]\nretention_hours = 48\n";
	struct file_error err = { 0 };
	struct config cfg;

	CHECK_INT(config_parse(text, "c.conf", &cfg, &err), 0);
	CHECK_STR(cfg.sip2.host, "ils.example.org");
	CHECK_STR(cfg.sip2.port, "6443");
	CHECK(cfg.sip2.tls);
	CHECK_STR(cfg.sip2.pin_sha256,
		  "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	CHECK_STR(cfg.sip2.username, "kiosk1");
	CHECK_STR(cfg.sip2.institution, "MAIN");
	CHECK_STR(cfg.sip2.location, "Lobby");
	CHECK(cfg.sip2.crlf);
	CHECK_INT(cfg.sip2.delimiter, '^');
	CHECK(!cfg.sip2.error_detection);
	CHECK_INT(cfg.sip2.charset, SIP2_CHARSET_IBM850);
	CHECK_INT(cfg.sip2.patron_message, 63);
	CHECK_INT(cfg.sip2.heartbeat_s, 30);
	CHECK(cfg.sip2.renew);
	CHECK_INT(cfg.offline_policy, OFFLINE_NONE);
	CHECK_INT(cfg.patron_cache_hours, 0);
	CHECK_INT(cfg.retention_hours, 48);

	config_default(&cfg);
	CHECK(cfg.sip2.tls); /* plain TCP only when asked for */
	CHECK_STR(cfg.sip2.host, "");
	CHECK_INT(cfg.sip2.patron_message, 23);

	CHECK_INT(config_parse("[sip2]\n\npatron_message = 42\n", "c.conf", &cfg, &err), -EINVAL);
	CHECK_INT(err.line, 3);
	CHECK(strstr(err.msg, "patron_message") != NULL);
	CHECK_INT(config_parse("[sip2]\npin_sha256 = 1234\n", "c.conf", &cfg, &err), -EINVAL);
	CHECK_INT(err.line, 2);
	CHECK_INT(config_parse("[sip2]\ncharset = ebcdic\n", "c.conf", &cfg, &err), -EINVAL);
	CHECK(strstr(err.msg, "ibm850") != NULL);
	CHECK_INT(config_parse("[sip2]\ndelimiter = ||\n", "c.conf", &cfg, &err), -EINVAL);
}

static void write_file(const char *path, const char *text, size_t len, mode_t mode)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_INT(fwrite(text, 1, len, f), len);
	fclose(f);
	CHECK_INT(chmod(path, mode), 0);
}

static void test_credentials_need_a_private_file(void)
{
	static const char *const secrets[] = {
		"[sip2]\nhost = 127.0.0.1\npassword = secret\n",
		"[sip2]\nhost = 127.0.0.1\nterminal_password = secret\n",
	};
	static const mode_t shared[] = { 0644, 0640, 0604, 0620, 0602, 0660 };
	char dir[] = "/tmp/circd-cfg-XXXXXX", path[64];
	struct file_error err = { 0 };
	struct config cfg;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/circd.conf", dir);
	for (size_t i = 0; i < 2; i++) {
		const char *key = i == 0 ? "[sip2] password" : "[sip2] terminal_password";

		for (size_t m = 0; m < ARRAY_SIZE(shared); m++) {
			memset(&err, 0, sizeof(err));
			write_file(path, secrets[i], strlen(secrets[i]), shared[m]);
			CHECK_INT(config_load(path, &cfg, &err), -EACCES);
			CHECK_STR(err.file, path);
			CHECK(strstr(err.msg, "chmod 600") != NULL);
			CHECK(strstr(err.msg, key) != NULL);
			CHECK(strstr(err.msg, "line 3") != NULL);
		}
		CHECK_INT(chmod(path, 0600), 0);
		CHECK_INT(config_load(path, &cfg, &err), 0);
		CHECK_STR(i == 0 ? cfg.sip2.password : cfg.sip2.terminal_password, "secret");
	}
	/* no secret: a readable file is fine */
	write_file(path, "[sip2]\nhost = x\nusername = kiosk\n", 33, 0644);
	CHECK_INT(config_load(path, &cfg, &err), 0);
	unlink(path);
	rmdir(dir);
}

/* tls = no with a CA file or a pin would be a plain-TCP link that checks nothing. */
static void test_tls_keys_need_tls(void)
{
	static const char pin[] =
		"pin_sha256 = abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789\n";
	struct file_error err = { 0 };
	struct config cfg;
	char text[256];

	CHECK_INT(config_parse("[sip2]\nhost = x\ntls = no\nca_file = /etc/ca.pem\n", "c.conf",
			       &cfg, &err), -EINVAL);
	CHECK_INT(err.line, 4);
	CHECK(strstr(err.msg, "[sip2] ca_file") != NULL);
	CHECK(strstr(err.msg, "tls = no (line 3)") != NULL);

	snprintf(text, sizeof(text), "[sip2]\n%stls = off\n", pin);
	CHECK_INT(config_parse(text, "c.conf", &cfg, &err), -EINVAL);
	CHECK_INT(err.line, 2);
	CHECK(strstr(err.msg, "[sip2] pin_sha256") != NULL);

	/* empty values mean none */
	CHECK_INT(config_parse("[sip2]\ntls = no\nca_file =\npin_sha256 =\n", "c.conf", &cfg,
			       &err), 0);
	snprintf(text, sizeof(text), "[sip2]\ntls = yes\n%s", pin);
	CHECK_INT(config_parse(text, "c.conf", &cfg, &err), 0);
}

static void test_ca_file_must_be_readable(void)
{
	char dir[] = "/tmp/circd-cfg-XXXXXX", path[64], ca[64], text[256];
	struct file_error err = { 0 };
	struct config cfg;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/circd.conf", dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", dir);

	snprintf(text, sizeof(text), "[sip2]\nhost = x\n\nca_file = %s\n", ca);
	write_file(path, text, strlen(text), 0600);
	CHECK_INT(config_load(path, &cfg, &err), -ENOENT);
	CHECK_STR(err.file, path);
	CHECK_INT(err.line, 4);
	CHECK(strstr(err.msg, "[sip2] ca_file: cannot read") != NULL);
	CHECK(strstr(err.msg, "No such file") != NULL);

	snprintf(text, sizeof(text), "[sip2]\nca_file = %s\n", dir);
	write_file(path, text, strlen(text), 0600);
	CHECK(config_load(path, &cfg, &err) < 0);
	CHECK_INT(err.line, 2);
	CHECK(strstr(err.msg, "not a file") != NULL);

	write_file(ca, "-----BEGIN CERTIFICATE-----\n", 28, 0644);
	snprintf(text, sizeof(text), "[sip2]\nhost = x\n\nca_file = %s\n", ca);
	write_file(path, text, strlen(text), 0600);
	CHECK_INT(config_load(path, &cfg, &err), 0);
	CHECK_STR(cfg.sip2.ca_file, ca);
	unlink(ca);
	unlink(path);
	rmdir(dir);
}

static bool has_terminal_control(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f ||
		    (unsigned char)*s >= 0x80)
			return true;
	return false;
}

/* A hostile config cannot drive the terminal that shows its error. */
static void test_error_messages_are_escaped(void)
{
	struct file_error err = { 0 };
	struct config cfg;
	char esc[64];

	CHECK_INT(config_parse("[kiosk]\nmode = \x1b[2J\x1b]0;pwned\x07\n", "c.conf", &cfg, &err),
		  -EINVAL);
	CHECK_INT(err.line, 2);
	CHECK_STR(err.msg, "[kiosk] mode: expected selfcheck or returns, got "
			   "'\\x1b[2J\\x1b]0;pwned\\x07'");
	CHECK(!has_terminal_control(err.msg));

	/* not UTF-8, an 8-bit CSI (U+009B), a bidi override: escaped byte by byte */
	CHECK_INT(config_parse("[kiosk]\nmode = \xff\xc2\x9b\xe2\x80\xae\xc3\n", "c.conf", &cfg,
			       &err), -EINVAL);
	CHECK(strstr(err.msg, "'\\xff\\xc2\\x9b\\xe2\\x80\\xae\\xc3'") != NULL);
	CHECK(!has_terminal_control(err.msg));
	CHECK_INT(config_parse("[k\x1biosk]\n", "c.conf", &cfg, &err), -EINVAL);
	CHECK(strstr(err.msg, "[k\\x1biosk]") != NULL);
	CHECK_INT(config_parse("[kiosk]\nm\x9bode = x\n", "c.conf", &cfg, &err), -EINVAL);
	CHECK(!has_terminal_control(err.msg));
	CHECK_INT(config_parse("[kiosk]\nmode = x\n", "\x1b.conf", &cfg, &err), -EINVAL);
	CHECK_STR(err.file, "\\x1b.conf");

	/* well-formed UTF-8 stays readable */
	CHECK_INT(config_parse("[kiosk]\nmode = caf\xc3\xa9\n", "c.conf", &cfg, &err), -EINVAL);
	CHECK(strstr(err.msg, "'caf\xc3\xa9'") != NULL);

	/* a full buffer is cut between escapes, never inside one */
	inifile_escape(esc, 6, "ab\x1b");
	CHECK_STR(esc, "ab");
	inifile_escape(esc, 7, "ab\x1b");
	CHECK_STR(esc, "ab\\x1b");
}

/* libinih would end the text at a NUL byte, silently dropping the rest of the file. */
/* Parses text as a reload would, and says which restart-only keys it changes. */
static int restart_keys(const struct config *running, const char *text, struct config *reloaded,
			char *why, size_t size)
{
	struct file_error err = { 0 };

	CHECK_INT(config_parse(text, "a.conf", reloaded, &err), 0);
	return config_restart_needed(running, reloaded, why, size);
}

/* SIGHUP applies what a running kiosk can; the rest is named (never its value) and kept. */
static void test_restart_needed(void)
{
	static const char running_text[] = "[kiosk]\nmode = returns\n[sip2]\nhost = ils\n"
					   "tls = no\npassword = old\n";
	struct config running, reloaded;
	struct file_error err = { 0 };
	char why[256];

	CHECK_INT(config_parse(running_text, "a.conf", &running, &err), 0);
	CHECK_INT(restart_keys(&running, running_text, &reloaded, why, sizeof(why)), 0);
	CHECK_STR(why, "");
	CHECK_INT(restart_keys(&running, "[kiosk]\nmode = returns\nsession_timeout = 5\n"
			       "[feedback]\nok = buzzer:10\n[offline]\npolicy = none\n"
			       "[log]\nlevel = debug\n[sip2]\nhost = ils\ntls = no\n"
			       "password = old\n", &reloaded, why, sizeof(why)), 0);
	CHECK_STR(why, "");
	CHECK_INT(restart_keys(&running, "[kiosk]\nboard = rpi4-kiosk\nsession_timeout = 5\n"
			       "[store]\npath = /tmp/x.db\n[control]\nsocket = /tmp/c.sock\n"
			       "[sim]\nsocket = /tmp/s.sock\n[sip2]\nhost = ils\ntls = no\n"
			       "password = new\n", &reloaded, why, sizeof(why)), 6);
	CHECK_STR(why, "[kiosk] mode, [kiosk] board, [store] path, [control] socket, "
		       "[sim] socket, [sip2] password");
	/* cut to the room given, still counted */
	CHECK_INT(config_restart_needed(&running, &reloaded, why, 20), 6);
	CHECK_STR(why, "[kiosk] mode, [kios");

	config_keep_restart_keys(&reloaded, &running);
	CHECK_INT(config_restart_needed(&running, &reloaded, why, sizeof(why)), 0);
	CHECK_INT(reloaded.mode, KIOSK_RETURNS);
	CHECK_STR(reloaded.sip2.password, "old");
	CHECK_STR(reloaded.store_path, running.store_path);
	/* what applies at once stays as reloaded */
	CHECK_INT(reloaded.session_timeout_s, 5);
}

static void test_nul_byte_names_its_line(void)
{
	static const char text[] = "[kiosk]\nid = desk\nmode = ret\0urns\n[log]\nlevel = x\n";
	char path[] = "/tmp/test_config.XXXXXX";
	struct file_error err = { 0 };
	struct config cfg;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK_INT(write(fd, text, sizeof(text) - 1), sizeof(text) - 1);
	close(fd);
	CHECK_INT(config_load(path, &cfg, &err), -EINVAL);
	CHECK_STR(err.file, path);
	CHECK_INT(err.line, 3);
	CHECK(strstr(err.msg, "NUL byte") != NULL);
	unlink(path);
}

/* A control socket there would replace the database at start and remove it at exit. */
static void test_control_socket_is_not_a_store_file(void)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal", ".lock", ".mark" };
	struct file_error err;
	struct config cfg;
	char text[256];

	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		snprintf(text, sizeof(text),
			 "[store]\npath = /var/lib/circd/x.db\n\n[control]\nsocket = "
			 "/var/lib/circd/x.db%s\n", suffixes[i]);
		memset(&err, 0, sizeof(err));
		CHECK_INT(config_parse(text, "c.conf", &cfg, &err), -EINVAL);
		CHECK_INT(err.line, 5);
		CHECK(strstr(err.msg, "[control] socket") != NULL);
	}
	/* The store set after the socket: its line is the one that collides. */
	memset(&err, 0, sizeof(err));
	CHECK_INT(config_parse("[control]\nsocket = /tmp/s.db\n[store]\npath = /tmp/s.db\n",
			       "c.conf", &cfg, &err), -EINVAL);
	CHECK_INT(err.line, 4);
	/* The same path spelt differently. */
	CHECK_INT(config_parse("[store]\npath = /tmp//s.db\n[control]\nsocket = /tmp/./s.db-wal\n",
			       "c.conf", &cfg, &err), -EINVAL);
	CHECK_INT(config_parse("[store]\npath = ./s.db\n[control]\nsocket = s.db\n",
			       "c.conf", &cfg, &err), -EINVAL);
	CHECK_INT(config_parse("[store]\npath = /a/s.db\n[control]\nsocket = /a/.s.db\n",
			       "c.conf", &cfg, &err), 0);
	/* Near misses are fine. */
	CHECK_INT(config_parse("[store]\npath = /tmp/s.db\n[control]\nsocket = /tmp/s.db.sock\n",
			       "c.conf", &cfg, &err), 0);
	CHECK_INT(config_parse("[store]\npath = /tmp/s.db\n[control]\nsocket = /tmp/s.d\n",
			       "c.conf", &cfg, &err), 0);
}

static void test_names(void)
{
	CHECK_STR(kiosk_mode_name(KIOSK_SELFCHECK), "selfcheck");
	CHECK_STR(kiosk_mode_name(KIOSK_RETURNS), "returns");
	CHECK_STR(offline_policy_name(OFFLINE_CHECKIN_ONLY), "checkin-only");
	CHECK_STR(offline_policy_name(OFFLINE_CHECKIN_CHECKOUT), "checkin-and-checkout");
	CHECK_STR(feedback_kind_name(FEEDBACK_OK), "ok");
	CHECK_STR(feedback_kind_name(FEEDBACK_ERROR), "error");
	CHECK_STR(feedback_kind_name(FEEDBACK_NOTICE), "notice");
	CHECK_STR(feedback_kind_name(FEEDBACK_ACCEPT), "accept");
	CHECK_STR(feedback_kind_name(FEEDBACK__COUNT), "unknown");
}

int main(void)
{
	RUN(test_defaults);
	RUN(test_empty_file_gives_defaults);
	RUN(test_every_key);
	RUN(test_rfid_section);
	RUN(test_receipt_section);
	RUN(test_metrics_and_health_sections);
	RUN(test_metrics_need_a_restart_health_does_not);
	RUN(test_display_section);
	RUN(test_values_and_layout);
	RUN(test_errors_name_the_line);
	RUN(test_error_leaves_config_alone);
	RUN(test_example_message);
	RUN(test_feedback_pattern_parse);
	RUN(test_load);
	RUN(test_shipped_example);
	RUN(test_control_socket_is_not_a_store_file);
	RUN(test_names);
	RUN(test_sip2_section);
	RUN(test_credentials_need_a_private_file);
	RUN(test_tls_keys_need_tls);
	RUN(test_ca_file_must_be_readable);
	RUN(test_error_messages_are_escaped);
	RUN(test_nul_byte_names_its_line);
	RUN(test_restart_needed);
	return testlib_finish();
}
