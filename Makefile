# circd: library self-checkout kiosk and returns-bin firmware.
# `make run` and `make check` install what they need on Debian 12 first
# (scripts/deps.sh), so both work on a fresh machine.

CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
# Where systemd and udev look, whatever PREFIX is (make install).
UNITDIR      ?= /lib/systemd/system
UDEVRULESDIR ?= /lib/udev/rules.d
SYSUSERSDIR  ?= /usr/lib/sysusers.d
TMPFILESDIR  ?= /usr/lib/tmpfiles.d
SAN     ?=

# ARCH=arm64|armhf: cross-builds into build/ARCH (sets BUILD, CC, AR, PKG_CONFIG).
include mk/cross.mk

ifeq ($(SAN),1)
BUILD   ?= build/asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT      = -O1
else ifeq ($(SAN),fuzz)
# clang's libFuzzer (scripts/fuzz.sh): the library instrumented for coverage,
# each target linked with libFuzzer's own main() instead of tests/fuzz/driver.c.
CC       = clang
BUILD   ?= build/clang-fuzz
SANFLAGS = -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
           -fno-sanitize-recover=undefined
OPT      = -O1
else
BUILD   ?= build
SANFLAGS =
# For size: a kiosk's flash is small, and -O2 bought nothing make bench can see
# (P1-P3 the same within noise); unused functions and data are dropped at link.
OPT      = -Os -ffunction-sections -fdata-sections
GCFLAGS  = -Wl,--gc-sections
endif

PKGS      := sqlite3 inih libusb-1.0 libgpiod openssl libmicrohttpd
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# OpenSSL is loaded on demand (firmware/ossl.c), so only its headers are used here.
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs sqlite3 inih libusb-1.0 libgpiod libmicrohttpd 2>/dev/null)

CFLAGS  ?= $(OPT) -g
CFLAGS  += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
           -fstack-protector-strong -D_FORTIFY_SOURCE=2 -MMD -MP -Ilib -Ihal $(SANFLAGS) $(PKG_CFLAGS) \
           -DCIRCD_BOARDS_DIR='"$(PREFIX)/share/circd/boards"' \
           -DCIRCD_MESSAGES_DIR='"$(PREFIX)/share/circd/ui/messages"' \
           -DCIRCD_UI_DIR='"$(PREFIX)/share/circd/ui"'
CFLAGS  += $(ARCH_CFLAGS)
# The version is the package's (debian/changelog's first entry), so --version,
# the start-up log and the metrics name the build a library installed.
CIRCD_VERSION := $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog 2>/dev/null)
CFLAGS  += -DCIRCD_VERSION='"$(or $(CIRCD_VERSION),unknown)"'
LDFLAGS += $(SANFLAGS) $(GCFLAGS) -Wl,-z,relro,-z,now
LDLIBS  += $(PKG_LIBS)

LIB_SRCS  := $(wildcard lib/*.c) $(filter-out firmware/main.c firmware/circctl.c,$(wildcard firmware/*.c)) \
             $(wildcard hal/*.c)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
# Test doubles and helpers (tests/unit/*.c that are not test_*.c), linked into every unit test.
UNIT_HELPERS := $(filter-out $(UNIT_SRCS),$(wildcard tests/unit/*.c))
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all run check check-board bench deps tests fuzz libfuzzer install clean
all: $(BUILD)/circd $(BUILD)/circctl

# Objects follow the flags they were built with: the stamp changes only when
# the compiler or CFLAGS do (SAN=, OPT=, ...), and everything is rebuilt then.
FLAGS_STAMP := $(BUILD)/.cflags
ifneq ($(strip $(CC) $(CFLAGS)),$(strip $(file <$(FLAGS_STAMP))))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS_STAMP),$(CC) $(CFLAGS))
endif

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/libcirc.a: $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/circd: $(BUILD)/firmware/main.o $(BUILD)/libcirc.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/circctl: $(BUILD)/firmware/circctl.o $(BUILD)/libcirc.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# Tests may run OpenSSL servers of their own (test_net): they link it.
$(BUILD)/tests/%: LDLIBS += $(shell $(PKG_CONFIG) --libs openssl 2>/dev/null)
$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(BUILD)/tests/libunit.a $(BUILD)/libcirc.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/libunit.a: $(UNIT_HELPERS:%.c=$(BUILD)/%.o)
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# Fuzz targets build two ways: with gcc against a replay/mutation driver
# (run by make check), and with clang's libFuzzer by `make fuzz`.
$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/tests/fuzz/driver.o $(BUILD)/libcirc.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libfuzzer/%: $(BUILD)/tests/fuzz/%.o $(BUILD)/libcirc.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

libfuzzer: $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/libfuzzer/%)

tests: all $(UNIT_BINS) $(FUZZ_BINS)

deps:
	@scripts/deps.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run-sim.sh $(BUILD)

check: deps
	@scripts/check.sh

# circd on an emulated board: Debian's kernel in qemu with gpio-sim and USB
# HID gadgets (tests/board/run.sh; set-up cached in build/board/).
check-board: deps
	@$(MAKE) --no-print-directory all
	@tests/board/run.sh $(BUILD)

bench: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory $(BUILD)/circd-bench
	@$(BUILD)/circd-bench $(BUILD) $(FIGURES) || echo "bench: circd-bench stopped with status $$?"

$(BUILD)/circd-bench: $(patsubst %.c,$(BUILD)/%.o,$(wildcard bench/*.c)) $(BUILD)/libcirc.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

fuzz:
	@scripts/fuzz.sh

# The configuration is the site's: installed once, never overwritten (the
# example beside it always is). Without DESTDIR, this machine is the kiosk:
# its user, the config's owner and udev's rules are applied now, not at the
# next boot (scripts/install-apply.sh); with DESTDIR a package does that.
install: all
	install -D -m 0755 $(BUILD)/circd $(DESTDIR)$(PREFIX)/sbin/circd
	install -D -m 0755 $(BUILD)/circctl $(DESTDIR)$(PREFIX)/bin/circctl
	install -d $(DESTDIR)$(PREFIX)/share/circd/boards
	install -m 0644 boards/*.ini $(DESTDIR)$(PREFIX)/share/circd/boards/
	install -d $(DESTDIR)$(PREFIX)/share/circd/ui/messages
	install -m 0644 ui/messages/*.msg $(DESTDIR)$(PREFIX)/share/circd/ui/messages/
	install -m 0644 ui/index.html ui/app.js ui/style.css $(DESTDIR)$(PREFIX)/share/circd/ui/
	install -D -m 0640 etc/circd.conf $(DESTDIR)/etc/circd/circd.conf.example
	test -e $(DESTDIR)/etc/circd/circd.conf || \
		install -m 0600 etc/circd.conf $(DESTDIR)/etc/circd/circd.conf
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|@SBINDIR@|$(PREFIX)/sbin|' etc/circd.service >$(DESTDIR)$(UNITDIR)/circd.service
	install -D -m 0644 etc/sysusers.d/circd.conf $(DESTDIR)$(SYSUSERSDIR)/circd.conf
	install -D -m 0644 etc/tmpfiles.d/circd.conf $(DESTDIR)$(TMPFILESDIR)/circd.conf
	install -m 0644 etc/circd-kiosk-browser.service $(DESTDIR)$(UNITDIR)/
	install -d $(DESTDIR)$(UDEVRULESDIR)
	scripts/udev-rules.sh boards/*.ini >$(DESTDIR)$(UDEVRULESDIR)/60-circd.rules
	@if [ -z "$(DESTDIR)" ]; then \
		scripts/install-apply.sh $(SYSUSERSDIR)/circd.conf $(TMPFILESDIR)/circd.conf; fi

clean:
	rm -rf build

# make check-cross, make deb, make check-deb.
include mk/packages.mk

# Not into the package builds' trees and roots (mk/packages.mk): they hold
# directories named *.d, and a whole Debian root is slow to walk.
-include $(shell find $(BUILD) \( -path build/deb -o -path build/check-deb \) -prune -o \
	-name '*.d' -type f -print 2>/dev/null)
