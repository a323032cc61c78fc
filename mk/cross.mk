# Cross-builds for other Debian 12 architectures: make ARCH=arm64 | armhf
# (amd64, or nothing, is a native build). Debian's multiarch cross compilers
# and the :ARCH -dev packages (scripts/deps-cross.sh installs them) build into
# build/ARCH/; make check-cross (mk/packages.mk) runs their unit tests under
# qemu-user. Included at the top of the Makefile: everything here is what the
# rest of it reads (BUILD, CC, AR, PKG_CONFIG, ARCH_CFLAGS).

NATIVE_ARCH := $(shell dpkg --print-architecture 2>/dev/null || echo amd64)
ARCH        ?= $(NATIVE_ARCH)
# Kernel builds export ARCH=x86_64, arm64, ...: one not of ours, from the
# environment, means a native build, not an error.
ifeq ($(origin ARCH),environment)
ifeq ($(filter amd64 arm64 armhf,$(ARCH)),)
ARCH := $(NATIVE_ARCH)
endif
endif
PKG_CONFIG  ?= pkg-config

triplet_amd64 := x86_64-linux-gnu
triplet_arm64 := aarch64-linux-gnu
triplet_armhf := arm-linux-gnueabihf

TRIPLET := $(triplet_$(ARCH))
ifeq ($(TRIPLET),)
$(error ARCH=$(ARCH): circd cross-builds for amd64, arm64 and armhf)
endif

ifneq ($(ARCH),$(NATIVE_ARCH))
ifneq ($(SAN),)
$(error SAN=$(SAN) is for native builds: the sanitizers' shadow memory does not work under qemu-user)
endif
BUILD      ?= build/$(ARCH)
CC         := $(TRIPLET)-gcc
AR         := $(TRIPLET)-ar
# Debian's <triplet>-pkg-config reads only that architecture's .pc files
# (PKG_CONFIG_LIBDIR=/usr/lib/<triplet>/pkgconfig:/usr/share/pkgconfig).
PKG_CONFIG := $(TRIPLET)-pkg-config
endif

# Large-file offsets and 64-bit time_t on every build (no-op on 64-bit
# ones; armhf is the 32-bit one): a stat() of the store on a file system with
# 64-bit inode numbers fails with EOVERFLOW without the first, and without
# the second every date past January 2038 (a due date, a SIP2 date, a Koha
# offline file line) is refused or, narrowed from circd's int64_t
# milliseconds, silently wrong; glibc 2.36 has both.
ARCH_CFLAGS := -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64
# Except where circd hands time structs to a library built with Debian 12's
# 32-bit time_t: libusb's struct timeval (libusb_get_next_timeout(),
# libusb_handle_events_timeout_completed()) and the struct timespec inside
# libgpiod 1.6's struct gpiod_line_event. These files keep the libraries'
# layout; no header they share with the rest of circd has a time type
# (scripts/check-cross.sh checks). Debian 13 builds those libraries with
# 64-bit time_t (the t64 transition): there, this exception must go.
LIB_TIME32_SRCS := hal/usb-loop.c hal/gpio-gpiod.c
LIB_TIME32_OBJS := $(addprefix %/,$(LIB_TIME32_SRCS:.c=.o))
$(LIB_TIME32_OBJS): ARCH_CFLAGS := -D_FILE_OFFSET_BITS=64
