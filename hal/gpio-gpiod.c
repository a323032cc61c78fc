/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * GPIO on real boards through libgpiod v1.6 (the API Debian 12 ships). This
 * is the only file that includes <gpiod.h>, so a libgpiod v2 backend can
 * replace it without touching anything else.
 *
 * open() resolves every present output and input role of the board: the
 * chip by name, /dev path, label or number (gpiod_chip_open_lookup), or, when
 * the board gives no chip, the first chip exposing a line of that name. Each
 * chip is opened once however many roles use it. Lines are requested with
 * consumer "circd"; active_low becomes libgpiod's ACTIVE_LOW flag, so set(),
 * get() and the reported edges all speak of the logical (active) level.
 * Outputs start inactive.
 *
 * Inputs are requested for both edges; their event fds sit on the loop. An
 * edge (re)arms a debounce timer of debounce_ms; when it fires the line is
 * read and reported through events->input only if it differs from the level
 * firmware last saw (through get() or a report). debounce_ms = 0 reports the
 * edges themselves. Nothing is reported from open().
 *
 * Ownership: the handle owns its chips, line requests, loop registrations
 * and timers; close() (which accepts NULL) releases all of them but leaves
 * the loop and never closes it. The board is copied from, never kept.
 * Errors fill *err against the board file line of the role at fault; this
 * file never logs.
 */
#include "gpio.h"

#include <errno.h>
#include <fcntl.h>
#include <gpiod.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "loop.h"

#define CONSUMER "circd"
/* The kernel's v1 event FIFO holds 16; gpiod_line_event_read_multiple caps at that too. */
#define EVENTS_PER_READ 16

struct gpiod_role {
	struct gpio_gpiod *g;
	enum board_role role;
	struct gpiod_line *line; /* NULL: not on the board (or not yet requested) */
	struct loop_source *event_source; /* inputs; NULL while not on the loop */
	unsigned debounce_ms;
	struct loop_timer debounce;
	bool known_active; /* the level firmware last got, through get() or a report */
};

struct gpiod_chip_ref {
	char key[BOARD_NAME_MAX]; /* as the board file spells it, or the chip's name */
	struct gpiod_chip *chip;
	bool owner; /* false: an alias of an earlier entry for the same chip */
};

struct gpio_gpiod {
	struct hal_env env;
	struct loop *loop;
	struct gpio_events events;
	void *data;
	struct gpiod_role roles[ROLE__COUNT];
	/* Each role adds at most one entry. */
	struct gpiod_chip_ref chips[ROLE__COUNT];
	size_t n_chips;
};

static struct gpiod_role *find_role(struct gpio_gpiod *g, enum board_role role,
				    enum board_role_kind kind)
{
	if (!g || (int)role < 0 || role >= ROLE__COUNT || board_role_kind(role) != kind ||
	    !g->roles[role].line)
		return NULL;
	return &g->roles[role];
}

/* libgpiod reports through errno, and some paths may leave it 0. */
static int errno_or(int fallback)
{
	return errno > 0 ? -errno : -fallback;
}

/*
 * Adopts an opened chip under key. Two spellings of one chip ("gpiochip0" and
 * "pinctrl-bcm2711") must share one struct gpiod_chip: libgpiod's line objects
 * belong to it, which is what lets us tell two roles naming the same line.
 */
static struct gpiod_chip *chip_adopt(struct gpio_gpiod *g, const char *key,
				     struct gpiod_chip *chip)
{
	struct gpiod_chip_ref *ref = &g->chips[g->n_chips++];
	size_t i;

	snprintf(ref->key, sizeof(ref->key), "%s", key);
	ref->chip = chip;
	ref->owner = true;
	for (i = 0; i + 1 < g->n_chips; i++) {
		if (strcmp(gpiod_chip_name(g->chips[i].chip), gpiod_chip_name(chip)) == 0) {
			gpiod_chip_close(chip);
			ref->chip = g->chips[i].chip;
			ref->owner = false;
			break;
		}
	}
	return ref->chip;
}

static int chip_lookup(struct gpio_gpiod *g, const char *key, struct gpiod_chip **ret)
{
	struct gpiod_chip *chip;
	size_t i;

	for (i = 0; i < g->n_chips; i++) {
		if (strcmp(g->chips[i].key, key) == 0) {
			*ret = g->chips[i].chip;
			return 0;
		}
	}
	errno = 0;
	/*
	 * gpiod_chip_open() (lib/core.c, v1.6) opens the device O_RDWR | O_CLOEXEC,
	 * and the line request and event fds come from the kernel's ioctls with
	 * O_CLOEXEC already, so no fd of ours leaks into a child.
	 */
	chip = gpiod_chip_open_lookup(key);
	if (!chip)
		return errno_or(ENODEV);
	*ret = chip_adopt(g, key, chip);
	return 0;
}

/*
 * No chip in the board file: the first chip (in /dev order) exposing the line
 * name wins, as gpiod_line_find() does. We walk the chips ourselves because
 * gpiod_line_find() keeps a second copy of a chip we may already hold open.
 */
static int chip_search(struct gpio_gpiod *g, const char *line_name, struct gpiod_chip **ret)
{
	struct gpiod_chip_iter *iter;
	struct gpiod_chip *chip, *found = NULL;
	char name[BOARD_NAME_MAX];

	errno = 0;
	iter = gpiod_chip_iter_new();
	if (!iter)
		return errno_or(ENODEV);
	/* _noclose: every chip handed out is ours to keep or close, none leaks. */
	while ((chip = gpiod_chip_iter_next_noclose(iter))) {
		if (!found && gpiod_chip_find_line(chip, line_name)) {
			found = chip;
			continue;
		}
		gpiod_chip_close(chip);
	}
	gpiod_chip_iter_free_noclose(iter);
	if (!found)
		return -ENOENT;
	snprintf(name, sizeof(name), "%s", gpiod_chip_name(found));
	*ret = chip_adopt(g, name, found);
	return 0;
}

static void report(struct gpiod_role *r, bool active)
{
	if (active == r->known_active)
		return;
	r->known_active = active;
	if (r->g->events.input)
		r->g->events.input(r->g->data, r->role, active);
}

static void on_debounced(struct loop *loop, void *data)
{
	struct gpiod_role *r = data;
	int value = gpiod_line_get_value(r->line);

	/* A failed read reports nothing: the next edge tries again. */
	if (value >= 0)
		report(r, value == 1);
}

static void on_line_event(struct loop *loop, int fd, uint32_t events, void *data)
{
	struct gpiod_role *r = data;
	struct gpiod_line_event ev[EVENTS_PER_READ];
	bool edges = false;
	int i, n, read_err;

	for (;;) {
		n = gpiod_line_event_read_multiple(r->line, ev, EVENTS_PER_READ);
		if (n < 0)
			break;
		edges |= n > 0;
		/* ACTIVE_LOW applies to events too: a rising edge means "became active". */
		for (i = 0; i < n && !r->debounce_ms; i++)
			report(r, ev[i].event_type == GPIOD_LINE_EVENT_RISING_EDGE);
		if (n < EVENTS_PER_READ)
			break;
	}
	/*
	 * The epoll registration is level-triggered: a line fd that errors rather
	 * than running dry (the chip was unbound) would wake us forever. So the
	 * input goes quiet, and firmware hears why through the report sink.
	 */
	read_err = n < 0 && errno != EAGAIN && errno != EINTR ? errno : 0;
	if (read_err || (events & (EPOLLERR | EPOLLHUP))) {
		hal_report(&r->g->env, HAL_LEVEL_ERR,
			   "gpio: input %s stopped delivering edges (%s); no longer followed",
			   board_role_name(r->role),
			   read_err ? strerror(read_err) : "the line went away");
		loop_source_free(r->event_source);
		r->event_source = NULL;
	}
	if (edges && r->debounce_ms)
		loop_timer_arm(loop, &r->debounce, r->debounce_ms);
}

/* "boards/x.ini:23: [output lamp_ok]: ..." */
__attribute__((format(printf, 4, 5)))
static void role_error(struct file_error *err, const struct board *board, enum board_role role,
		       const char *fmt, ...)
{
	char msg[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	file_error_set(err, board->path, board->roles[role].src_line, "[%s %s]: %s",
		       board_role_kind_name(board_role_kind(role)), board_role_name(role), msg);
}

/* "gpiochip0" and "0" name /dev/gpiochipN; a label or path is shown as given. */
static void chip_path(const char *chip, char *buf, size_t size)
{
	if (chip[0] && strspn(chip, "0123456789") == strlen(chip))
		snprintf(buf, size, "/dev/gpiochip%s", chip);
	else if (strncmp(chip, "gpiochip", 8) == 0)
		snprintf(buf, size, "/dev/%s", chip);
	else
		snprintf(buf, size, "%s", chip);
}

static int role_chip(struct gpio_gpiod *g, const struct board *board, enum board_role role,
		     struct gpiod_chip **ret, struct file_error *err)
{
	const struct board_role_map *map = &board->roles[role];
	char path[BOARD_NAME_MAX + 16];
	int rc;

	if (!map->chip[0]) {
		rc = chip_search(g, map->line, ret);
		if (rc == -ENOENT)
			role_error(err, board, role, "no GPIO line named \"%s\" on any chip",
				   map->line);
		else if (rc < 0)
			role_error(err, board, role,
				   "cannot search the GPIO chips for line \"%s\" (%s)", map->line,
				   strerror(-rc));
		return rc;
	}
	rc = chip_lookup(g, map->chip, ret);
	if (rc == -EACCES || rc == -EPERM) {
		chip_path(map->chip, path, sizeof(path));
		role_error(err, board, role,
			   "permission denied opening %s (is circd in the gpio group?)", path);
	} else if (rc == -ENOTTY) {
		role_error(err, board, role, "%s is not a GPIO chip", map->chip);
		rc = -ENODEV;
	} else if (rc < 0) {
		role_error(err, board, role, "no GPIO chip \"%s\" (%s)", map->chip, strerror(-rc));
	}
	return rc;
}

static int role_request(struct gpio_gpiod *g, const struct board *board, enum board_role role,
			struct file_error *err)
{
	const struct board_role_map *map = &board->roles[role];
	struct gpiod_role *r = &g->roles[role];
	bool output = board_role_kind(role) == ROLE_KIND_OUTPUT;
	int flags = map->active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0;
	struct gpiod_chip *chip = NULL; /* role_chip() sets it on success; -Os cannot see that */
	struct gpiod_line *line;
	const char *chip_desc, *consumer;
	int i, fd, value, rc;

	rc = role_chip(g, board, role, &chip, err);
	if (rc < 0)
		return rc;
	chip_desc = map->chip[0] ? map->chip : gpiod_chip_name(chip);
	errno = 0;
	line = gpiod_chip_find_line(chip, map->line);
	if (!line) {
		rc = errno_or(ENOENT);
		if (rc == -ENOENT)
			role_error(err, board, role, "no GPIO line named \"%s\" on chip %s",
				   map->line, chip_desc);
		else
			role_error(err, board, role, "cannot read the lines of chip %s (%s)",
				   chip_desc, strerror(-rc));
		return rc;
	}
	/* Our own earlier request would only show as "used by circd": name the role. */
	for (i = 0; i < ROLE__COUNT; i++) {
		if (g->roles[i].line == line) {
			role_error(err, board, role, "line %s on %s is already used by [%s %s]",
				   map->line, chip_desc,
				   board_role_kind_name(board_role_kind((enum board_role)i)),
				   board_role_name((enum board_role)i));
			return -EBUSY;
		}
	}
	errno = 0;
	if (gpiod_line_is_used(line))
		rc = -EBUSY;
	else if ((output ? gpiod_line_request_output_flags(line, CONSUMER, flags, 0)
			 : gpiod_line_request_both_edges_events_flags(line, CONSUMER, flags)) < 0)
		rc = errno_or(EIO);
	if (rc == -EBUSY) {
		/* Refresh: whoever holds it may have taken it after we looked. */
		gpiod_line_update(line);
		consumer = gpiod_line_consumer(line);
		role_error(err, board, role, "line %s on %s is busy (used by %s%s%s)", map->line,
			   chip_desc, consumer ? "\"" : "", consumer ? consumer : "the kernel",
			   consumer ? "\"" : "");
		return rc;
	}
	if (rc < 0) {
		role_error(err, board, role, "cannot request line %s on %s as %s (%s)", map->line,
			   chip_desc, output ? "output" : "input", strerror(-rc));
		return rc;
	}
	r->line = line;
	if (output)
		return 0;

	r->debounce_ms = map->debounce_ms;
	fd = gpiod_line_event_get_fd(line);
	/*
	 * The kernel hands out event fds blocking; a spurious wakeup must read
	 * EAGAIN rather than stall the single-threaded loop.
	 */
	if (fd < 0 || fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		rc = errno_or(EIO);
		goto err_release;
	}
	value = gpiod_line_get_value(line);
	if (value < 0) {
		rc = errno_or(EIO);
		goto err_release;
	}
	r->known_active = value == 1;
	rc = loop_add_io(g->loop, fd, EPOLLIN, on_line_event, r, &r->event_source);
	if (rc < 0)
		goto err_release;
	return 0;

err_release:
	role_error(err, board, role, "cannot watch line %s on %s (%s)", map->line, chip_desc,
		   strerror(-rc));
	r->line = NULL;
	gpiod_line_release(line);
	return rc;
}

static void gpio_gpiod_close(void *handle)
{
	struct gpio_gpiod *g = handle;
	size_t i;

	if (!g)
		return;
	for (i = 0; i < ROLE__COUNT; i++) {
		struct gpiod_role *r = &g->roles[i];

		loop_source_free(r->event_source);
		loop_timer_disarm(g->loop, &r->debounce);
		/* Off the loop first: releasing the line closes the fd it watched. */
		if (r->line)
			gpiod_line_release(r->line);
	}
	for (i = 0; i < g->n_chips; i++)
		if (g->chips[i].owner)
			gpiod_chip_close(g->chips[i].chip);
	free(g);
}

static int gpio_gpiod_open(const struct hal_env *env, const struct board *board,
			   const struct gpio_events *events, void *data, void **ret,
			   struct file_error *err)
{
	struct gpio_gpiod *g;
	int i, rc;

	g = calloc(1, sizeof(*g));
	if (!g) {
		file_error_set(err, board->path, 0, "gpio: out of memory");
		return -ENOMEM;
	}
	g->env = *env;
	g->loop = env->loop;
	if (events)
		g->events = *events;
	g->data = data;
	/* Everything close() looks at is valid before the first request can fail. */
	for (i = 0; i < ROLE__COUNT; i++) {
		g->roles[i].g = g;
		g->roles[i].role = (enum board_role)i;
		loop_timer_init(&g->roles[i].debounce, on_debounced, &g->roles[i]);
	}
	for (i = 0; i < ROLE__COUNT; i++) {
		enum board_role_kind kind = board_role_kind((enum board_role)i);
		bool gpio = kind == ROLE_KIND_OUTPUT || kind == ROLE_KIND_INPUT;

		if (!gpio || !board->roles[i].present)
			continue;
		rc = role_request(g, board, (enum board_role)i, err);
		if (rc < 0)
			goto err_roles;
	}
	*ret = g;
	return 0;

err_roles:
	gpio_gpiod_close(g);
	return rc;
}

static int gpio_gpiod_set(void *handle, enum board_role role, bool active)
{
	struct gpiod_role *r = find_role(handle, role, ROLE_KIND_OUTPUT);

	if (!r)
		return -ENOENT;
	errno = 0;
	return gpiod_line_set_value(r->line, active) < 0 ? errno_or(EIO) : 0;
}

static int gpio_gpiod_get(void *handle, enum board_role role, bool *active)
{
	struct gpiod_role *r = find_role(handle, role, ROLE_KIND_INPUT);
	int value;

	if (!r)
		return -ENOENT;
	errno = 0;
	value = gpiod_line_get_value(r->line);
	if (value < 0)
		return errno_or(EIO);
	/* Firmware now knows this level; an edge back to it is not news. */
	r->known_active = value == 1;
	*active = r->known_active;
	return 0;
}

const struct gpio_ops gpio_gpiod_ops = {
	.name = "gpiod",
	.open = gpio_gpiod_open,
	.close = gpio_gpiod_close,
	.set = gpio_gpiod_set,
	.get = gpio_gpiod_get,
};
