# SPDX-License-Identifier: GPL-2.0
# dm-pfs: kernel target (dm-pfs/) and pfsadm (userspace/).
#
#   make                 module for KDIR and pfsadm
#   make KDIR=/lib/modules/<ver>/build
#   make modules-all     module for every Debian 12 kernel we support
#   make check           all tests (unit, style, VM on 6.1 and 6.12; a test of
#                        pfsadm rather than the target on one of them)
#   make check-all-kernels  the same with every VM test on both kernels
#   make check-shared    two guests on one shared disk (sanlock), on each
#                        kernel (make check: on 6.12)
#   make check-load      minutes of verified I/O under suspend/reload/grow/QoS
#   make check-debug     the VM tests on a lockdep/KASAN/kmemleak kernel built
#                        from linux-source-6.12 (opt-in; about an hour)
#   make check-planted   plant each deliberate defect of tests/planted/ and
#                        show that the checks it names fail (opt-in)
#   make demo            format a pool and create an image, in the test VM
#                        when this kernel cannot load modules
#   make bench           benchmarks against dm-linear, dm-thin, raw (test VM)
#   make install         pfsadm, man pages, udev, systemd, DKMS sources
#                        (DESTDIR, prefix honoured); then make dkms-install
#   make deb             the Debian packages pfsadm and dm-pfs-dkms, in
#                        build/deb/, checked by lintian
#   make check-package   install them in the test VM, DKMS building the
#                        module there (opt-in; make check skips the build)

VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

# Install locations; DESTDIR is prepended to all of them.
prefix ?= /usr/local
sbindir ?= $(prefix)/sbin
mandir ?= $(prefix)/share/man
docdir ?= $(prefix)/share/doc/dm-pfs
bashcompdir ?= $(prefix)/share/bash-completion/completions
udevdir ?= /lib/udev
udevrulesdir ?= $(udevdir)/rules.d
systemdunitdir ?= /lib/systemd/system
modulesloaddir ?= /usr/lib/modules-load.d
dkmsdir ?= /usr/src/dm-pfs-$(VERSION)

KDIR ?= $(shell ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1)
KVER = $(patsubst linux-headers-%,%,$(notdir $(realpath $(KDIR))))
KERNELS ?= 6.1 6.12
BUILD := $(CURDIR)/build

.PHONY: all module modules-all pfsadm deb check check-all-kernels check-shared check-package check-crash check-load check-debug check-planted boot-soak bench demo \
	install uninstall \
	dkms-install dkms-uninstall clean

all: module pfsadm

# Build out of tree in build/<kver>/, a tree of symlinks to the sources, so
# the objects of several kernels never mix.
module:
	@test -n "$(KVER)" || { echo "no kernel headers in KDIR='$(KDIR)' (run scripts/install-deps)" >&2; exit 4; }
	@mkdir -p $(BUILD)/$(KVER)
	@cp -asf $(CURDIR)/Kbuild $(CURDIR)/dm-pfs $(BUILD)/$(KVER)/
	$(MAKE) -C $(KDIR) M=$(BUILD)/$(KVER) W=1 PFS_WERROR=y modules

modules-all:
	@set -e; for k in $(KERNELS); do \
		v=$$(scripts/kernel-version $$k); \
		$(MAKE) --no-print-directory module KDIR=/usr/src/linux-headers-$$v; \
	done

pfsadm:
	$(MAKE) -C userspace

# pfsadm, its man pages, completion, udev rules, the boot unit, and the
# module's sources for DKMS (which builds and installs the module).
install: pfsadm
	install -D -m 0755 build/user/pfsadm $(DESTDIR)$(sbindir)/pfsadm
	install -D -m 0755 build/user/pfs-lockd $(DESTDIR)$(sbindir)/pfs-lockd
	install -D -m 0644 man/pfsadm.8 $(DESTDIR)$(mandir)/man8/pfsadm.8
	install -D -m 0644 man/pfs-lockd.8 $(DESTDIR)$(mandir)/man8/pfs-lockd.8
	install -D -m 0644 man/dm-pfs.4 $(DESTDIR)$(mandir)/man4/dm-pfs.4
	install -D -m 0644 dist/pfsadm.bash-completion $(DESTDIR)$(bashcompdir)/pfsadm
	install -D -m 0644 dist/60-pfs.rules $(DESTDIR)$(udevrulesdir)/60-pfs.rules
	install -D -m 0755 build/user/pfs-udev-name $(DESTDIR)$(udevdir)/pfs-udev-name
	install -D -m 0644 dist/modules-load.conf $(DESTDIR)$(modulesloaddir)/dm-pfs.conf
	install -d $(DESTDIR)$(systemdunitdir)
	for unit in pfs-activate.service pfs-activate-shared.service pfs-lockd.service; do \
		sed 's|@SBINDIR@|$(sbindir)|' dist/$$unit >$(DESTDIR)$(systemdunitdir)/$$unit && \
		chmod 0644 $(DESTDIR)$(systemdunitdir)/$$unit || exit 1; \
	done
	install -d $(DESTDIR)$(dkmsdir)/dm-pfs
	install -m 0644 dkms.conf Kbuild $(DESTDIR)$(dkmsdir)/
	install -m 0644 dm-pfs/Kbuild dm-pfs/*.c dm-pfs/*.h $(DESTDIR)$(dkmsdir)/dm-pfs/
	install -d $(DESTDIR)$(docdir)
	install -m 0644 README.md docs/*.md $(DESTDIR)$(docdir)/

uninstall:
	rm -f $(DESTDIR)$(sbindir)/pfsadm $(DESTDIR)$(mandir)/man8/pfsadm.8 \
		$(DESTDIR)$(sbindir)/pfs-lockd $(DESTDIR)$(mandir)/man8/pfs-lockd.8 \
		$(DESTDIR)$(systemdunitdir)/pfs-lockd.service \
		$(DESTDIR)$(systemdunitdir)/pfs-activate-shared.service \
		$(DESTDIR)$(mandir)/man4/dm-pfs.4 $(DESTDIR)$(bashcompdir)/pfsadm \
		$(DESTDIR)$(udevrulesdir)/60-pfs.rules $(DESTDIR)$(udevdir)/pfs-udev-name \
		$(DESTDIR)$(modulesloaddir)/dm-pfs.conf \
		$(DESTDIR)$(systemdunitdir)/pfs-activate.service
	rm -rf $(DESTDIR)$(dkmsdir) $(DESTDIR)$(docdir)

# Register the installed sources with DKMS and build for every kernel in
# KERNELS (default: the running one, when it has headers).
dkms-install:
	dkms add dm-pfs/$(VERSION) || true
	@set -e; for k in $(or $(DKMS_KERNELS),$(shell uname -r)); do \
		dkms build dm-pfs/$(VERSION) -k $$k && dkms install dm-pfs/$(VERSION) -k $$k; \
	done

dkms-uninstall:
	dkms remove dm-pfs/$(VERSION) --all || true

# Built from a copy of the sources (dpkg-buildpackage cleans its tree, and
# this one's build/ holds the modules and test results).
DEB_SRC := $(BUILD)/deb/dm-pfs-$(VERSION)
deb:
	@v=$$(dpkg-parsechangelog -S Version); [ "$$v" = "$(VERSION)" ] || \
		{ echo "debian/changelog is at $$v, dkms.conf at $(VERSION)" >&2; exit 1; }
	rm -rf $(BUILD)/deb
	mkdir -p $(DEB_SRC)
	tar -c --exclude=./build --exclude=./.git . | tar -x -C $(DEB_SRC)
	cd $(DEB_SRC) && dpkg-buildpackage -b -us -uc
	lintian --fail-on error $(BUILD)/deb/dm-pfs_$(VERSION)_*.changes

check:
	scripts/check

check-all-kernels:
	ALL_KERNELS=1 scripts/check

# make check runs the two-host test on the newest kernel; this, on each.
check-shared: modules-all pfsadm
	$(MAKE) -C userspace SANITIZE=1
	@for k in 6.1 6.12; do \
		tests/shared/run $$k $(BUILD)/check-shared-$$k asan || exit 1; \
	done

# DKMS's build under emulation takes longer than make check may: opt-in.
check-package: modules-all pfsadm deb
	@for k in $(KERNELS); do \
		PFS_PACKAGE_DKMS=1 VM_TESTS=90-package PFS_TEST_TIMEOUT=3000 PFS_VM_PFSADM=plain \
			scripts/vm-suite $$k $(BUILD)/check-package-$$k 3600 tests/vm/run \
			2>$(BUILD)/check-package-$$k.log | tee /dev/stderr | grep -q '^PASS 90-package$$' || \
			{ echo "package test failed on $$k: $(BUILD)/check-package-$$k.log"; exit 1; }; \
	done

bench:
	scripts/bench

# Several minutes of verified I/O under suspend, reload, grow and QoS changes.
LOAD_SECONDS ?= 180
check-load: modules-all pfsadm
	@for k in $(KERNELS); do \
		scripts/vm run -k $$k -d 64G -t $$(($(LOAD_SECONDS) + 1200)) -- \
			env LOAD_SECONDS=$(LOAD_SECONDS) bash tests/load/run.sh || exit 1; \
	done

# The crash-cut replay of every metadata-changing command, with the kernel
# asked about every state a power cut can leave (make check cuts four
# commands and asks about every 5th state), on every kernel.
check-crash: modules-all
	$(MAKE) -C userspace SANITIZE=1 all
	@for k in $(KERNELS); do \
		CUT_KSTEP=1 CUT_COMMANDS=all VM_TESTS=35-crash-cut PFS_TEST_TIMEOUT=1800 \
			scripts/vm-suite $$k $(BUILD)/check-crash-$$k 2400 tests/vm/run \
			2>$(BUILD)/check-crash-$$k.log | tee /dev/stderr | grep -q '^PASS 35-crash-cut$$' || \
			{ echo "crash-cut failed on $$k: $(BUILD)/check-crash-$$k.log"; exit 1; }; \
	done

# The VM suite on a debug kernel; builds the kernel first (once).
check-debug:
	scripts/check-debug

# BOOTS boots in a row per kernel, each sending data through an image.
BOOTS ?= 50
boot-soak:
	@for k in $(KERNELS); do scripts/boot-soak -k $$k -n $(BOOTS) || exit 1; done

# Every planted defect must be caught by the checks it names.
check-planted:
	scripts/check-planted

demo:
	scripts/demo

clean:
	rm -rf $(BUILD)
	$(MAKE) -C userspace clean
