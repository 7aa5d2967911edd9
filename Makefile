# ContainAI build.  `make` builds the two binaries; see README.md for the rest.

CC       ?= gcc
CLANG    ?= clang
PREFIX   ?= /usr/local
DESTDIR  ?=
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
B        := build

WARN     := -Wall -Wextra -Werror -Wformat=2 -Wformat-security -Wno-unused-parameter -Wno-format-truncation
HARDEN   := -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fstack-clash-protection \
            -fcf-protection -fPIE
CFLAGS   ?= -O2
ALL_CFLAGS := -std=gnu11 $(CFLAGS) $(WARN) $(HARDEN) -Ilib -DCAI_VERSION='"$(VERSION)"'
RELRO    := -Wl,-z,relro,-z,now -Wl,-z,noexecstack -s
INIT_LIBS := -lseccomp -lcap -linih
LAUNCHER_LIBS := -linih -ljansson

LIB_SRCS := $(sort $(wildcard lib/*.c))
LIB_OBJS := $(LIB_SRCS:lib/%.c=$(B)/obj/lib/%.o)
INIT_SRCS := $(sort $(wildcard entrypoint/*.c))
INIT_OBJS := $(INIT_SRCS:entrypoint/%.c=$(B)/obj/entrypoint/%.o)
LAUNCHER_SRCS := $(sort $(wildcard launcher/*.c))
LAUNCHER_OBJS := $(LAUNCHER_SRCS:launcher/%.c=$(B)/obj/launcher/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
HELPERS := $(HELPER_SRCS:tests/helpers/%.c=$(B)/helpers/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZERS := $(FUZZ_SRCS:tests/fuzz/%.c=$(B)/fuzz/%)
MAN_SRCS := $(sort $(wildcard docs/*.scd))
MANS := $(MAN_SRCS:docs/%.scd=$(B)/man/%)

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

.PHONY: all check demo bench fuzz install image deps unit helpers man clean
.DEFAULT_GOAL := all

all: $(B)/containai-init $(B)/containai $(B)/cai $(MANS)

$(B)/obj/%.o: %.c $(wildcard lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libcai.a: $(LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

# PID 1 is static: the image needs no libc of its own for it, and nothing
# in the container's library path can be swapped under it.
$(B)/containai-init: $(INIT_OBJS) $(B)/libcai.a
	$(CC) $(ALL_CFLAGS) -static-pie $(RELRO) -o $@ $(INIT_OBJS) $(B)/libcai.a $(INIT_LIBS)

$(B)/containai: $(LAUNCHER_OBJS) $(B)/libcai.a
	$(CC) $(ALL_CFLAGS) -pie $(RELRO) -o $@ $(LAUNCHER_OBJS) $(B)/libcai.a $(LAUNCHER_LIBS)

$(B)/cai: $(B)/containai
	ln -sf containai $@

# Unit tests link every module, built again with ASan and UBSan.
$(B)/unit-tests: $(UNIT_SRCS) $(LIB_SRCS) $(wildcard lib/*.h) $(wildcard tests/unit/*.h)
	@mkdir -p $(B)
	$(CC) -std=gnu11 -O1 -g $(WARN) -Ilib -Itests/unit $(SAN_FLAGS) -DCAI_VERSION='"$(VERSION)"' \
		-o $@ $(UNIT_SRCS) $(LIB_SRCS) $(INIT_LIBS) $(LAUNCHER_LIBS)

unit: $(B)/unit-tests

# Test helpers are static so they run inside FROM-scratch test images.
$(B)/helpers/%: tests/helpers/%.c
	@mkdir -p $(B)/helpers
	$(CC) -std=gnu11 -O2 $(WARN) -Ilib -static -o $@ $< $(if $(findstring seccomp,$*),-lseccomp,)

helpers: $(HELPERS)

$(B)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(wildcard lib/*.h)
	@mkdir -p $(B)/fuzz
	$(CLANG) -std=gnu11 -O1 -g -Ilib -fsanitize=fuzzer,address,undefined -DCAI_VERSION='"$(VERSION)"' \
		-o $@ $< $(LIB_SRCS) $(INIT_LIBS) $(LAUNCHER_LIBS)

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

image: deps all
	bash tests/e2e/image.sh

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
