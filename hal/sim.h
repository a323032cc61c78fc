/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The simulated board's test channel. Tests (and a person at `make run`)
 * drive the sim backends through it and read every output event back.
 *
 * Transport: a unix stream socket; any number of clients. Optionally the
 * terminal too: lines read from stdin, events printed to stdout readably.
 *
 * Commands, one per line (tokens separated by single spaces):
 *   scan <role> <text>        a symbol read by scanner role (item_scanner,
 *                             patron_reader); text runs to end of line
 *   pin <digits>              PIN typed on the display's keypad
 *   input <role> <0|1>        an input role goes inactive/active
 *   advance <ms>              fake clock only: move time forward
 *   wall <ms> <synced|unsynced>  fake clock only: set the wall clock (ms since
 *                             the epoch) and whether NTP would vouch for it
 *   ping                      does nothing; answers ok
 *   wedge                     tests of the service manager's watchdog: the
 *                             handler never returns, so the loop stops (and
 *                             with it WATCHDOG=1); no answer comes
 *   printer-status <state>    what the sim printer answers when asked from
 *                             now on: ok paper-near-end paper-out cover-open
 *                             offline unknown (it starts ok)
 *   scanner-attached <role> <0|1>  the first board scanner serving role
 *                             (item_scanner, patron_reader) is unplugged (0)
 *                             or plugged in again (1); an unplugged one reads
 *                             nothing (scans for it are refused)
 *   tag <reader> place <uid> <dsfid> <afi> <eas> <block size> <memory>
 *                             a tag laid on an rfid reader: <reader> is its
 *                             board name, or a role (item_pad, patron_reader)
 *                             for the first reader serving it; uid 16 hex
 *                             digits, most significant first; dsfid and afi
 *                             2 hex digits; eas 0|1; block size 1-32 bytes;
 *                             memory in hex from block 0, whole blocks. A tag
 *                             placed again is replaced (new memory)
 *   tag <reader> remove <uid> the tag is taken off
 *   tag <reader> fault <kind> the reader's next operation fails: leave (the
 *                             tag leaves during it; a write is cut after its
 *                             first block), refuse (the tag refuses a write),
 *                             crc (the reply fails its CRC; a write was done),
 *                             timeout (nothing done); miss: no tag answers the
 *                             next inventory round; none: no fault pending
 * On the terminal a line that is none of these is "scan item_scanner <line>".
 *
 * Every command is answered, to its sender only and after all the events it
 * caused, by "ok" or "error <reason>". So a client that sends a scan and reads
 * up to "ok" has seen all of its effects.
 *
 * Events, broadcast to every client:
 *   hello circd                   once, on connect
 *   gpio <role> <0|1>             an output was set (every set, even repeats)
 *   display <kind> <text>         kind: info ok notice error receipt;
 *                                 newlines in text are sent as "\n"
 *   rfid <uid> afi 0x<hh>         circd wrote a simulated tag's AFI
 *   rfid <uid> eas <0|1>          circd set (1) or reset (0) its EAS
 *   rfid <uid> write <block> <hex>  circd wrote blocks from <block> on
 *   printer <hex>                 a receipt printed: its bytes (ESC/POS), two
 *                                 hex digits each, at most SIM_PRINTER_BYTES_MAX
 *
 * sim_channel_free() accepts NULL; it closes the socket, its clients and
 * unlinks the socket path it created.
 *
 * Production backends never see the channel: the device ops take a
 * struct hal_env only, and the sim backends find the channel here, as the one
 * created on their env's loop (as Zephyr's emulators sit behind unchanged
 * driver APIs). Firmware creates it only for a board with a sim backend, so a
 * board on real devices has no test socket.
 */
#ifndef CIRCD_HAL_SIM_H
#define CIRCD_HAL_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "hal-env.h"
#include "printer.h"
#include "rfid.h"
#include "scanner.h"

struct sim_channel;

enum sim_cmd {
	SIM_CMD_SCAN,
	SIM_CMD_PIN,
	SIM_CMD_INPUT,
	SIM_CMD_ADVANCE,
	SIM_CMD_PING,
	SIM_CMD_WALL,
	SIM_CMD_TAG,
	SIM_CMD_PRINTER_STATUS,
	SIM_CMD_SCANNER_ATTACHED,
	SIM_CMD_WEDGE,
	SIM_CMD__COUNT,
};

enum sim_tag_action {
	SIM_TAG_PLACE,
	SIM_TAG_REMOVE,
	SIM_TAG_FAULT,
};

enum sim_tag_fault {
	SIM_FAULT_NONE,
	SIM_FAULT_LEAVE,
	SIM_FAULT_REFUSE,
	SIM_FAULT_CRC,
	SIM_FAULT_TIMEOUT,
	SIM_FAULT_MISS,
};

/* A receipt's bytes in one event line, as hex: the channel's event lines hold this much. */
#define SIM_PRINTER_BYTES_MAX 4000

/* More than fits a command line: the line's length is the limit. */
#define SIM_TAG_MEM_MAX 256

/* A simulated tag as "tag ... place" gives it. */
struct sim_tag {
	uint8_t uid[RFID_UID_LEN];
	uint8_t dsfid, afi;
	bool eas;
	unsigned block_size;
	size_t mem_len; /* whole blocks, at least one */
	uint8_t mem[SIM_TAG_MEM_MAX];
};

struct sim_command {
	enum sim_cmd cmd;
	enum board_role role;           /* scan, input */
	/*
	 * scan: a bare line typed at the terminal. The person at the keyboard
	 * is every scanner at once (card reader and item scanner), so the scan
	 * comes from no one role: the barcode rules alone say what it is.
	 */
	bool typed;
	bool active;                    /* input; wall: synced; scanner: plugged in */
	uint64_t ms;                    /* advance; wall: ms since the epoch */
	char text[SCAN_TEXT_MAX + 1];   /* scan text, pin digits */
	/* tag: the reader's name or role as written; place, remove: the tag's uid */
	char target[BOARD_NAME_MAX];
	enum sim_tag_action tag_action;
	enum sim_tag_fault fault;
	struct sim_tag tag;
	enum printer_state printer_state; /* printer-status */
};

/*
 * Pure parser for one line (without its newline). terminal selects the
 * terminal's shorthand. Returns 0, or -EINVAL with a reason in *why.
 */
int sim_command_parse(const char *line, size_t len, bool terminal, struct sim_command *cmd,
		      const char **why);

/* A handler returns 0 or -errno; -errno is reported to the sender as "error". */
typedef int (*sim_cmd_fn)(void *data, const struct sim_command *cmd);

/*
 * socket_path may be NULL (no socket); terminal reads stdin and echoes events
 * to stdout. An existing stale socket file at socket_path is replaced.
 * One channel per loop: -EBUSY if the loop has one already.
 */
int sim_channel_new(struct loop *loop, const char *socket_path, bool terminal,
		    struct sim_channel **ret);
void sim_channel_free(struct sim_channel *ch);

/* The channel on env's loop, or NULL: what a sim backend's open() looks for. */
struct sim_channel *sim_channel_get(const struct hal_env *env);

/* Whether any of the board's backends is a sim one: only then does it need a channel. */
bool sim_channel_needed(const struct board *board);

/* One handler per command; registering again replaces it (and any added). */
void sim_channel_on(struct sim_channel *ch, enum sim_cmd cmd, sim_cmd_fn fn, void *data);
/*
 * For a command several backends share (tag: one handler per rfid reader):
 * handlers are asked in the order added until one returns other than
 * -ENOENT (not mine). Up to SIM_HANDLERS_MAX per command: -ENOSPC.
 * Removing takes off the one added with this fn and data.
 */
#define SIM_HANDLERS_MAX 8
int sim_channel_add(struct sim_channel *ch, enum sim_cmd cmd, sim_cmd_fn fn, void *data);
void sim_channel_remove(struct sim_channel *ch, enum sim_cmd cmd, sim_cmd_fn fn, void *data);

/* Broadcasts one event line (no newline in the format). */
void sim_channel_emit(struct sim_channel *ch, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
