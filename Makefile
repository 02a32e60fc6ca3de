# SPDX-License-Identifier: GPL-2.0
# dm-pfs: kernel target (dm-pfs/) and pfsadm (userspace/).
#
#   make                 module for KDIR and pfsadm
#   make KDIR=/lib/modules/<ver>/build
#   make modules-all     module for every Debian 12 kernel we support
#   make check           all tests (unit, style, VM on 6.1 and 6.12)
#   make demo            format a pool and create an image, in the test VM
#                        when this kernel cannot load modules

KDIR ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1)
KVER = $(patsubst linux-headers-%,%,$(notdir $(realpath $(KDIR))))
KERNELS ?= 6.1 6.12
BUILD := $(CURDIR)/build

.PHONY: all module modules-all pfsadm check check-style demo clean

all: module pfsadm

# Build out of tree in build/<kver>/, a tree of symlinks to the sources, so
# the objects of several kernels never mix.
module:
	@test -n "$(KVER)" || { echo "no kernel headers in KDIR='$(KDIR)' (run scripts/install-deps)" >&2; exit 4; }
	@mkdir -p $(BUILD)/$(KVER)
	@cp -asf $(CURDIR)/Kbuild $(CURDIR)/dm-pfs $(BUILD)/$(KVER)/
	$(MAKE) -C $(KDIR) M=$(BUILD)/$(KVER) W=1 modules

modules-all:
	@set -e; for k in $(KERNELS); do \
		v=$$(scripts/kernel-version $$k); \
		$(MAKE) --no-print-directory module KDIR=/usr/src/linux-headers-$$v; \
	done

pfsadm:
	$(MAKE) -C userspace

check:
	scripts/check

demo:
	scripts/demo

clean:
	rm -rf $(BUILD)
	$(MAKE) -C userspace clean
