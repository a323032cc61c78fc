/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Applying a configuration: core dumps at start-up, and on SIGHUP a new
 * circd.conf, checked against the board, with what needs a restart kept as
 * it runs, then handed to the modules that hold settings.
 */
#include "reload.h"

#include <stdbool.h>
#include <string.h>

#include "circd.h"
#include "coredump.h"
#include "kiosk.h"
#include "log.h"
#include "messages.h"
#include "sync.h"

int reload_keep_restart_keys(const struct config *running, struct config *next,
			     bool board_overridden, char *why, size_t size)
{
	int n;

	/* With -b, the config's board = is not what runs: a new one there changes nothing. */
	if (board_overridden)
		memcpy(next->board, running->board, sizeof(next->board));
	n = config_restart_needed(running, next, why, size);
	config_keep_restart_keys(next, running);
	return n;
}

/* The SIP2 client keeps its own copy of what it needs to log in. */
static void wipe_secrets(struct config *cfg)
{
	explicit_bzero(cfg->sip2.password, sizeof(cfg->sip2.password));
	explicit_bzero(cfg->sip2.terminal_password, sizeof(cfg->sip2.terminal_password));
}

void circd_apply_core_dumps(const struct config *cfg, bool was_allowed)
{
	int r = core_dumps_set(cfg->core_dumps);

	if (r < 0)
		log_err("core dumps: cannot turn them %s: %s", cfg->core_dumps ? "on" : "off",
			strerror(-r));
	else if (cfg->core_dumps && !was_allowed)
		log_warning("core dumps on ([log] core_dumps = yes): a core file holds the SIP2 "
			    "passwords and the PIN of a patron in session");
}

void circd_reload(struct circd *c)
{
	const struct config *old = active_cfg(c);
	struct config *next = &c->cfgs[!c->active];
	struct file_error err = { 0 };
	bool old_core_dumps = old->core_dumps;
	char why[256];

	if (config_load(c->config_path, next, &err) < 0) {
		log_err("reload: %s:%d: %s; keeping the running configuration", err.file, err.line,
			err.msg);
		return;
	}
	if (reload_keep_restart_keys(old, next, c->board_overridden, why, sizeof(why)) > 0)
		log_warning("reload: %s: changes need a restart; keeping the running ones", why);
	if (kiosk_board_fits(c->board, next, &err) < 0) {
		log_err("reload: %s: %s; keeping the running configuration", err.file, err.msg);
		wipe_secrets(next);
		return;
	}
	c->active = !c->active;
	/* The slot just left is the next reload's scratch space: no credentials linger in it. */
	wipe_secrets(&c->cfgs[!c->active]);
	log_set_level(next->log_level);
	log_set_kiosk_id(next->kiosk_id);
	circd_apply_core_dumps(next, old_core_dumps);
	kiosk_reload(c->kiosk, next);
	if (!messages_have(c->messages, next->language))
		log_warning("reload: [kiosk] language = %s has no catalog: patrons read English",
			    next->language);
	if (c->sync)
		sync_set_config(c->sync, next);
	log_notice("reloaded %s", c->config_path);
}
