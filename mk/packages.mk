# Cross-built unit tests and Debian packages (included at the end of the
# Makefile; the cross-build variables are in mk/cross.mk).

.PHONY: unit-tests check-cross deb check-deb

# The unit tests alone, without the fuzz targets: what make check-cross runs.
unit-tests: $(UNIT_BINS)

CROSS_ARCHS ?= arm64 armhf

# Each architecture's unit tests, cross-built and run under qemu-user;
# last line "N passed, N failed" (scripts/check-cross.sh).
check-cross:
	@scripts/deps-cross.sh $(CROSS_ARCHS)
	@TIME32_SRCS="$(LIB_TIME32_SRCS)" scripts/check-cross.sh $(CROSS_ARCHS)

# The Debian package for ARCH (default: this machine's), built with
# dpkg-buildpackage from a copy of the tree, checked by lintian; the .deb goes
# to build/deb/ (scripts/deb.sh).
deb:
	@scripts/deb.sh $(ARCH)

# The amd64 package installed, upgraded and removed in a clean Debian 12 root
# made by debootstrap (cached in build/check-deb/cache/); last line
# "N passed, N failed" (scripts/check-deb.sh, tests/package/run.py).
check-deb:
	@scripts/check-deb.sh
