# Cross-built unit tests (included at the end of the
# Makefile; the cross-build variables are in mk/cross.mk).

.PHONY: unit-tests check-cross

# The unit tests alone, without the fuzz targets: what make check-cross runs.
unit-tests: $(UNIT_BINS)

CROSS_ARCHS ?= arm64 armhf

# Each architecture's unit tests, cross-built and run under qemu-user;
# last line "N passed, N failed" (scripts/check-cross.sh).
check-cross:
	@scripts/deps-cross.sh $(CROSS_ARCHS)
	@scripts/check-cross.sh $(CROSS_ARCHS)
