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
#include "sync.h"

bool reload_keep_restart_only(const struct config *running, struct config *next,
			      bool board_overridden)
{
	bool changed = next->mode != running->mode ||
		       strcmp(next->store_path, running->store_path) ||
		       strcmp(next->control_socket, running->control_socket) ||
		       strcmp(next->sim_socket, running->sim_socket) ||
		       (!board_overridden && strcmp(next->board, running->board));

	next->mode = running->mode;
	memcpy(next->store_path, running->store_path, sizeof(next->store_path));
	memcpy(next->control_socket, running->control_socket, sizeof(next->control_socket));
	memcpy(next->sim_socket, running->sim_socket, sizeof(next->sim_socket));
	memcpy(next->board, running->board, sizeof(next->board));
	return changed;
}

bool reload_keep_link(const struct config *running, struct config *next)
{
	if (memcmp(&next->sip2, &running->sip2, sizeof(next->sip2)) == 0)
		return false;
	next->sip2 = running->sip2;
	return true;
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

	if (config_load(c->config_path, next, &err) < 0) {
		log_err("reload: %s:%d: %s; keeping the running configuration", err.file, err.line,
			err.msg);
		return;
	}
	if (reload_keep_restart_only(old, next, c->board_overridden))
		log_warning("reload: mode, board, store and socket changes need a restart; "
			    "keeping the running ones");
	if (kiosk_board_fits(c->board, next, &err) < 0) {
		log_err("reload: %s: %s; keeping the running configuration", err.file, err.msg);
		wipe_secrets(next);
		return;
	}
	if (reload_keep_link(old, next))
		log_warning("reload: [sip2] changes need a restart; keeping the running link");
	c->active = !c->active;
	/* The slot just left is the next reload's scratch space: no credentials linger in it. */
	wipe_secrets(&c->cfgs[!c->active]);
	log_set_level(next->log_level);
	circd_apply_core_dumps(next, old_core_dumps);
	kiosk_reload(c->kiosk, next);
	if (c->sync)
		sync_set_config(c->sync, next);
	log_notice("reloaded %s", c->config_path);
}
