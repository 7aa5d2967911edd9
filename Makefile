# SPDX-License-Identifier: MIT
# ContainAI build.  `make` builds the two binaries; see README.md for the rest.
#
# Two programs, one boundary: lib/ holds only what both share; each
# program's modules live in its own folder and compile with its own include
# path (its folder and lib/), so an init module that includes a launcher
# header - or the reverse - does not compile.  lib/ itself sees only lib/.
# Every object a binary links is listed here, by module.

CC       ?= gcc
CLANG    ?= clang
PREFIX   ?= /usr/local
DESTDIR  ?=
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
B        := build

LIB_MODULES      := clock decimal envname err fd inifile log path
INIT_MODULES     := account beneath caps cli config dotenv envbuild envhook fdbatch harden hygiene identity \
                    keyset import landlock links manifest mountinfo prepared seccomp_policy supervise \
                    treewalk volume workspace
LAUNCHER_MODULES := argv batch cli completion credential daemon_json detect docker doctor egress \
                    egress_proxy file_replace gates gitcmd guest_kernel import pathtrust plan plan_exec \
                    probe_cache proc_run publish reentry registries resources sandbox_ls sandbox_rm \
                    sandbox_run session settings setup_gvisor wsname

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wno-unused-parameter
HARDEN   := -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fstack-clash-protection \
            -fcf-protection -fPIE
CFLAGS   ?= -O2
BASE_CFLAGS := -std=gnu11 $(WARN) -DCAI_VERSION='"$(VERSION)"'
ALL_CFLAGS  := $(BASE_CFLAGS) $(CFLAGS) $(HARDEN)
DEPFLAGS := -MMD -MP
RELRO    := -Wl,-z,relro,-z,now -Wl,-z,noexecstack
STRIP    := -s
INIT_LIBS     := -lseccomp -lcap -linih
LAUNCHER_LIBS := -linih -ljansson

LIB_INC      := -Ilib
INIT_INC     := -Ientrypoint -Ilib
LAUNCHER_INC := -Ilauncher -Ilib

LIB_SRCS      := $(LIB_MODULES:%=lib/%.c)
INIT_SRCS     := $(INIT_MODULES:%=entrypoint/%.c)
LAUNCHER_SRCS := $(LAUNCHER_MODULES:%=launcher/%.c)

LIB_OBJS      := $(LIB_SRCS:%.c=$(B)/obj/%.o)
INIT_OBJS     := $(INIT_SRCS:%.c=$(B)/obj/%.o)
LAUNCHER_OBJS := $(LAUNCHER_SRCS:%.c=$(B)/obj/%.o)

# Unit tests: one binary per side (and one for lib/), each linking only
# what that side links, built again with ASan and UBSan.
UNIT_MAIN           := tests/unit/unit_main.c
UNIT_LIB_TESTS      := $(sort $(wildcard tests/unit/lib/*.c))
UNIT_INIT_TESTS     := $(sort $(wildcard tests/unit/entrypoint/*.c))
UNIT_LAUNCHER_TESTS := $(sort $(wildcard tests/unit/launcher/*.c))
UNITS := $(B)/unit/lib_unittest $(B)/unit/containai-init_unittest $(B)/unit/containai_unittest

HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
HELPERS := $(HELPER_SRCS:tests/helpers/%.c=$(B)/helpers/%)
INIT_FUZZ     := config dotenv identity manifest mountinfo seccomp_policy
LAUNCHER_FUZZ := launcher_parse
FUZZERS := $(INIT_FUZZ:%=$(B)/fuzz/fuzz_%) $(LAUNCHER_FUZZ:%=$(B)/fuzz/fuzz_%)
MAN_SRCS := $(sort $(wildcard docs/*.scd))
MANS := $(MAN_SRCS:docs/%.scd=$(B)/man/%)

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_CFLAGS := $(BASE_CFLAGS) -O1 -g $(SAN_FLAGS) -Itests/unit
FUZZ_CFLAGS := -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -DCAI_VERSION='"$(VERSION)"'

.PHONY: all check demo bench fuzz install image agents-lock deps unit helpers man clean
.DEFAULT_GOAL := all

all: $(B)/containai-init $(B)/containai $(B)/cai $(MANS)

# compile_rule OBJDIR,SRCDIR,COMPILER,FLAGS: the objects of one folder, with
# that folder's include path and compiler-generated header dependencies.
define compile_rule
$(B)/$(1)/$(2)/%.o: $(2)/%.c
	@mkdir -p $$(dir $$@)
	$(3) $(4) $(DEPFLAGS) -c $$< -o $$@
endef

# obj: the shipped binaries; san: unit tests (sanitizers); fz: fuzzers.
$(eval $(call compile_rule,obj,lib,$(CC),$(ALL_CFLAGS) $(LIB_INC)))
$(eval $(call compile_rule,obj,entrypoint,$(CC),$(ALL_CFLAGS) $(INIT_INC)))
$(eval $(call compile_rule,obj,launcher,$(CC),$(ALL_CFLAGS) $(LAUNCHER_INC)))
$(eval $(call compile_rule,san,lib,$(CC),$(UNIT_CFLAGS) $(LIB_INC)))
$(eval $(call compile_rule,san,entrypoint,$(CC),$(UNIT_CFLAGS) $(INIT_INC)))
$(eval $(call compile_rule,san,launcher,$(CC),$(UNIT_CFLAGS) $(LAUNCHER_INC)))
$(eval $(call compile_rule,san,tests/unit,$(CC),$(UNIT_CFLAGS)))
$(eval $(call compile_rule,san,tests/unit/lib,$(CC),$(UNIT_CFLAGS) $(LIB_INC)))
$(eval $(call compile_rule,san,tests/unit/entrypoint,$(CC),$(UNIT_CFLAGS) $(INIT_INC)))
$(eval $(call compile_rule,san,tests/unit/launcher,$(CC),$(UNIT_CFLAGS) $(LAUNCHER_INC)))
$(eval $(call compile_rule,fz,lib,$(CLANG),$(FUZZ_CFLAGS) $(LIB_INC)))
$(eval $(call compile_rule,fz,entrypoint,$(CLANG),$(FUZZ_CFLAGS) $(INIT_INC)))
$(eval $(call compile_rule,fz,launcher,$(CLANG),$(FUZZ_CFLAGS) $(LAUNCHER_INC)))
$(eval $(call compile_rule,fz/init,tests/fuzz,$(CLANG),$(FUZZ_CFLAGS) $(INIT_INC)))
$(eval $(call compile_rule,fz/launcher,tests/fuzz,$(CLANG),$(FUZZ_CFLAGS) $(LAUNCHER_INC)))

# PID 1 is static: the image needs no libc of its own for it, and nothing
# in the container's library path can be swapped under it.
$(B)/containai-init: $(B)/obj/entrypoint/main.o $(INIT_OBJS) $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -static-pie $(RELRO) $(STRIP) -o $@ $^ $(INIT_LIBS)

$(B)/containai: $(B)/obj/launcher/main.o $(LAUNCHER_OBJS) $(LIB_OBJS)
	$(CC) $(ALL_CFLAGS) -pie $(RELRO) $(STRIP) -o $@ $^ $(LAUNCHER_LIBS)

# The import allow-list and the balanced egress list are built into the
# launcher (.incbin): what they allow is reviewed with the code.
$(B)/obj/launcher/import.o $(B)/san/launcher/import.o $(B)/fz/launcher/import.o: policy/import.ini
$(B)/obj/launcher/egress.o $(B)/san/launcher/egress.o $(B)/fz/launcher/egress.o: policy/egress-balanced.list

$(B)/cai: $(B)/containai
	ln -sf containai $@

san = $(1:%.c=$(B)/san/%.o)

$(B)/unit/lib_unittest: $(call san,$(UNIT_MAIN) $(UNIT_LIB_TESTS) $(LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $^ -linih

$(B)/unit/containai-init_unittest: $(call san,$(UNIT_MAIN) $(UNIT_INIT_TESTS) $(INIT_SRCS) $(LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $^ $(INIT_LIBS)

$(B)/unit/containai_unittest: $(call san,$(UNIT_MAIN) $(UNIT_LAUNCHER_TESTS) $(LAUNCHER_SRCS) $(LIB_SRCS))
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ $^ $(LAUNCHER_LIBS)

unit: $(UNITS)

# Test helpers are static so they run inside FROM-scratch test images.
# Their dependency files go elsewhere: build/helpers is copied into images.
$(B)/helpers/%: tests/helpers/%.c
	@mkdir -p $(B)/helpers $(B)/dep/helpers
	$(CC) -std=gnu11 -O2 $(WARN) $(DEPFLAGS) -MF $(B)/dep/helpers/$*.d -static -o $@ $< \
		$(if $(findstring seccomp,$*),-lseccomp,)

# A launcher module's rule, run by the e2e suites on live output.
$(B)/helpers/guest_kernel_classify: tests/helpers/guest_kernel_classify.c launcher/guest_kernel.c \
		launcher/guest_kernel.h
	@mkdir -p $(B)/helpers
	$(CC) -std=gnu11 -O2 $(WARN) -static $(LAUNCHER_INC) -o $@ $(filter %.c,$^)

helpers: $(HELPERS)

fz = $(1:%.c=$(B)/fz/%.o)

$(INIT_FUZZ:%=$(B)/fuzz/fuzz_%): $(B)/fuzz/fuzz_%: $(B)/fz/init/tests/fuzz/fuzz_%.o $(call fz,$(INIT_SRCS) $(LIB_SRCS))
	@mkdir -p $(B)/fuzz
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $^ $(INIT_LIBS)

$(LAUNCHER_FUZZ:%=$(B)/fuzz/fuzz_%): $(B)/fuzz/fuzz_%: $(B)/fz/launcher/tests/fuzz/fuzz_%.o $(call fz,$(LAUNCHER_SRCS) $(LIB_SRCS))
	@mkdir -p $(B)/fuzz
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $^ $(LAUNCHER_LIBS)

$(B)/man/%: docs/%.scd
	@mkdir -p $(B)/man
	scdoc < $< > $@

man: $(MANS)

deps:
	@sh tests/deps.sh

check: deps
	$(MAKE) all unit helpers
	bash tests/run.sh

demo: deps all
	bash tests/demo.sh

bench: deps all helpers
	bash bench/run.sh

fuzz: deps $(FUZZERS)
	bash tests/fuzz/run.sh $(FUZZERS)

# AGENTS="claude codex" (names from agents/agents.list): only those; unset:
# all of them; AGENTS=none or AGENTS=: no agent and no Node.
image: deps all
	bash tests/e2e/image.sh

# Moves the agents' pins (agents/package.json, agents/package-lock.json) to
# their newest releases; PIN="claude=2.1.300 node=22.23.0" holds some back.
agents-lock: deps
	bash agents/agents.sh lock $(PIN)

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin $(DESTDIR)/etc/containai
	install -m 0755 $(B)/containai-init $(DESTDIR)$(PREFIX)/sbin/containai-init
	install -m 0755 $(B)/containai $(DESTDIR)$(PREFIX)/bin/containai
	ln -sf containai $(DESTDIR)$(PREFIX)/bin/cai
	install -m 0644 $(wildcard policy/*) $(DESTDIR)/etc/containai/
	for m in $(MANS); do s=$${m##*.}; install -d $(DESTDIR)$(PREFIX)/share/man/man$$s; \
		install -m 0644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; done

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
