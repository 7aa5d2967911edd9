/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "seccomp_policy.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "decimal.h"
#include "fd.h"
#include "macro.h"

#ifndef CAI_VERSION
#define CAI_VERSION "0.0.0"
#endif

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef TIOCLINUX
#define TIOCLINUX 0x541C
#endif

struct sp_rule {
	unsigned line;
	int nr;
	uint32_t action;
	int has_cond;
	unsigned arg;
	enum scmp_compare op;
	int any_bits;           /* `&`: matches when any bit of datum is set */
	uint64_t mask;          /* for SCMP_CMP_MASKED_EQ (`argN:32 ==`) */
	uint64_t datum;
};

struct seccomp_policy {
	char name[PATH_MAX];
	int has_default;
	uint32_t default_action;
	size_t nrules;
	struct sp_rule rules[SECCOMP_POLICY_MAX_RULES];
};

struct sp_name {
	const char *name;
	uint64_t value;
};

#define SP_NAME(x) { #x, (uint64_t)(x) }

/* Only the constants policies need; anything else is written as a number. */
static const struct sp_name sp_constants[] = {
	SP_NAME(CLONE_NEWNS), SP_NAME(CLONE_NEWCGROUP), SP_NAME(CLONE_NEWUTS),
	SP_NAME(CLONE_NEWIPC), SP_NAME(CLONE_NEWUSER), SP_NAME(CLONE_NEWPID),
	SP_NAME(CLONE_NEWNET), SP_NAME(CLONE_NEWTIME),
	SP_NAME(TIOCSTI), SP_NAME(TIOCLINUX),
	SP_NAME(AF_UNIX), SP_NAME(AF_INET), SP_NAME(AF_INET6), SP_NAME(AF_NETLINK),
	SP_NAME(AF_PACKET), SP_NAME(AF_KEY), SP_NAME(AF_ALG), SP_NAME(AF_VSOCK),
	SP_NAME(SOCK_RAW),
};

static const struct sp_name sp_errnos[] = {
	SP_NAME(EPERM), SP_NAME(ENOENT), SP_NAME(EFAULT), SP_NAME(EACCES), SP_NAME(EINVAL),
	SP_NAME(ENOTTY), SP_NAME(ENOSYS), SP_NAME(EOPNOTSUPP), SP_NAME(EAFNOSUPPORT),
	SP_NAME(EPROTONOSUPPORT),
};

static const struct {
	const char *op;
	enum scmp_compare cmp;
} sp_ops[] = {
	{ "==", SCMP_CMP_EQ }, { "!=", SCMP_CMP_NE }, { "<", SCMP_CMP_LT },
	{ "<=", SCMP_CMP_LE }, { ">", SCMP_CMP_GT }, { ">=", SCMP_CMP_GE },
	{ "&", SCMP_CMP_MASKED_EQ },
};

static int sp_lookup(const struct sp_name *tab, size_t n, const char *name, uint64_t *out)
{
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(tab[i].name, name)) {
			*out = tab[i].value;
			return 0;
		}
	}
	return -1;
}

/* lib's decimal rule (a leading 0 is refused, not read as octal), or 0x
 * and hex digits. */
static int sp_number(const char *s, uint64_t max, uint64_t *out, struct cai_err *err)
{
	char *end;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return decimal_parse(s, strlen(s), max, out, err);
	if (!isxdigit((unsigned char)s[2]))
		return err_set(err, 0, "'%s' is not a number", s);
	errno = 0;
	unsigned long long v = strtoull(s + 2, &end, 16);
	if (*end || errno)
		return err_set(err, 0, "'%s' is not a number", s);
	if (v > max)
		return err_set(err, 0, "'%s' is out of range", s);
	*out = v;
	return 0;
}

/* One term of a value: a number or a known constant. */
static int sp_term(const char *s, uint64_t *out, struct cai_err *err)
{
	if (isdigit((unsigned char)s[0]))
		return sp_number(s, UINT64_MAX, out, err);
	if (sp_lookup(sp_constants, ARRAY_SIZE(sp_constants), s, out) < 0)
		return err_set(err, 0, "unknown constant '%s'", s);
	return 0;
}

/* A value: terms joined by '|', spaces around them ignored. */
static int sp_value(char *s, uint64_t *out, struct cai_err *err)
{
	char *w = s;

	for (char *r = s; *r; r++)
		if (*r != ' ' && *r != '\t' && *r != '\r')
			*w++ = *r;
	*w = '\0';
	if (!s[0])
		return err_set(err, 0, "missing value after the operator");
	*out = 0;
	for (char *term = s;;) {
		char *bar = strchr(term, '|');
		uint64_t v;

		if (bar)
			*bar = '\0';
		if (!term[0])
			return err_set(err, 0, "empty term in '|' list");
		if (sp_term(term, &v, err) < 0)
			return -1;
		*out |= v;
		if (!bar)
			return 0;
		term = bar + 1;
	}
}

static int sp_action(const char *s, uint32_t *out, struct cai_err *err)
{
	if (!strcmp(s, "allow")) {
		*out = SCMP_ACT_ALLOW;
	} else if (!strcmp(s, "kill")) {
		*out = SCMP_ACT_KILL_PROCESS;
	} else if (!strcmp(s, "log")) {
		*out = SCMP_ACT_LOG;
	} else if (!strncmp(s, "errno(", 6)) {
		char inner[32];
		size_t n = strlen(s + 6);
		uint64_t e;

		if (n < 2 || s[6 + n - 1] != ')' || n - 1 >= sizeof(inner))
			return err_set(err, 0, "'%s' is not errno(NUMBER) or errno(NAME)", s);
		memcpy(inner, s + 6, n - 1);
		inner[n - 1] = '\0';
		if (isdigit((unsigned char)inner[0])) {
			/* 0 would fake success; above 4095 is not an errno. */
			if (sp_number(inner, 4095, &e, err) < 0 || e == 0)
				return err_set(err, 0, "errno '%s' is not between 1 and 4095", inner);
		} else if (sp_lookup(sp_errnos, ARRAY_SIZE(sp_errnos), inner, &e) < 0) {
			return err_set(err, 0, "unknown errno name '%s'", inner);
		}
		*out = SCMP_ACT_ERRNO((uint16_t)e);
	} else {
		return err_set(err, 0, "unknown action '%s' (allow, errno(N), kill or log)", s);
	}
	return 0;
}

/* "argN" or "argN:32" OP VALUE, with `rest` holding everything after `if`. */
static int sp_condition(char *rest, struct sp_rule *r, struct cai_err *err)
{
	char *save = NULL;
	char *arg = strtok_r(rest, " \t\r", &save);
	char *op = arg ? strtok_r(NULL, " \t\r", &save) : NULL;
	char *value = op ? strtok_r(NULL, "", &save) : NULL;
	int low32 = 0;
	size_t i;

	if (!arg || strncmp(arg, "arg", 3) || arg[3] < '0' || arg[3] > '5' ||
	    (arg[4] && strcmp(arg + 4, ":32")))
		return err_set(err, 0, "expected arg0 to arg5 (optionally with :32) after 'if'");
	r->arg = (unsigned)(arg[3] - '0');
	low32 = arg[4] != '\0';
	if (!op)
		return err_set(err, 0, "missing operator after %s", arg);
	for (i = 0; i < ARRAY_SIZE(sp_ops); i++)
		if (!strcmp(op, sp_ops[i].op))
			break;
	if (i == ARRAY_SIZE(sp_ops))
		return err_set(err, 0, "unknown operator '%s' (==, !=, <, <=, >, >= or &)", op);
	if (!value)
		return err_set(err, 0, "missing value after the operator");
	if (sp_value(value, &r->datum, err) < 0)
		return -1;
	r->has_cond = 1;
	r->op = sp_ops[i].cmp;
	r->any_bits = r->op == SCMP_CMP_MASKED_EQ;
	if (r->any_bits && r->datum == 0)
		return err_set(err, 0, "'&' needs at least one bit");
	if (low32) {
		/* The kernel reads int arguments from the low half only: an
		 * equality on all 64 bits is bypassed by setting a high bit. */
		if (r->op != SCMP_CMP_EQ)
			return err_set(err, 0, ":32 only works with ==");
		if (r->datum > UINT32_MAX)
			return err_set(err, 0, "value does not fit in 32 bits");
		r->op = SCMP_CMP_MASKED_EQ;
		r->mask = UINT32_MAX;
	}
	return 0;
}

/* Rules for one system call share one action and either one rule without a
 * condition or only conditional ones: otherwise which rule wins depends on
 * libseccomp's ordering, not on what the file says. */
static int sp_check_conflicts(const struct seccomp_policy *p, const struct sp_rule *r,
			      const char *sys, struct cai_err *err)
{
	if (r->action == p->default_action)
		return err_set(err, 0, "'%s': the action is the default action", sys);
	for (size_t i = 0; i < p->nrules; i++) {
		const struct sp_rule *o = &p->rules[i];
		if (o->nr != r->nr)
			continue;
		if (o->action != r->action)
			return err_set(err, 0, "'%s' already has another action at line %u", sys, o->line);
		if (!o->has_cond || !r->has_cond)
			return err_set(err, 0, "'%s' already has a rule at line %u; a rule without a condition must be its only one",
				       sys, o->line);
	}
	return 0;
}

static int sp_parse_line(struct seccomp_policy *p, char *line, unsigned lineno, struct cai_err *err)
{
	char *hash = strchr(line, '#');
	char *save = NULL;

	if (hash)
		*hash = '\0';
	char *first = strtok_r(line, " \t\r", &save);
	if (!first)
		return 0;
	char *action = strtok_r(NULL, " \t\r", &save);
	char *kw = action ? strtok_r(NULL, " \t\r", &save) : NULL;
	char *rest = kw ? strtok_r(NULL, "", &save) : NULL;

	if (!action)
		return err_set(err, 0, "'%s' needs an action", first);
	if (!strcmp(first, "default")) {
		if (p->has_default)
			return err_set(err, 0, "second 'default' line");
		if (kw)
			return err_set(err, 0, "unexpected '%s' after the default action", kw);
		if (sp_action(action, &p->default_action, err) < 0)
			return -1;
		p->has_default = 1;
		return 0;
	}
	if (!p->has_default)
		return err_set(err, 0, "the 'default' line must come before any rule");
	if (p->nrules == SECCOMP_POLICY_MAX_RULES)
		return err_set(err, 0, "more than %d rules", SECCOMP_POLICY_MAX_RULES);

	struct sp_rule r = { .line = lineno };
	if (strspn(first, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(first) ||
	    (r.nr = seccomp_syscall_resolve_name(first)) == __NR_SCMP_ERROR)
		return err_set(err, 0, "unknown system call '%s'", first);
	/* libseccomp's negative numbers stand for calls of other architectures. */
	if (r.nr < 0)
		return err_set(err, 0, "'%s' is not a system call on this architecture", first);
	if (sp_action(action, &r.action, err) < 0)
		return -1;
	if (kw && strcmp(kw, "if"))
		return err_set(err, 0, "expected 'if' or the end of the line after the action, not '%s'", kw);
	char none[1] = "";
	if (kw && sp_condition(rest ? rest : none, &r, err) < 0)
		return -1;
	if (sp_check_conflicts(p, &r, first, err) < 0)
		return -1;
	p->rules[p->nrules++] = r;
	return 0;
}

struct seccomp_policy *seccomp_policy_parse_buf(const char *buf, size_t len, const char *name,
					       struct cai_err *err)
{
	struct seccomp_policy *p = calloc(1, sizeof(*p));
	unsigned lineno = 0;
	size_t pos = 0;

	if (!p) {
		err_set(err, ENOMEM, "%s", name);
		return NULL;
	}
	snprintf(p->name, sizeof(p->name), "%s", name);
	if (len > SECCOMP_POLICY_MAX_SIZE) {
		err_set(err, EFBIG, "%s", name);
		goto fail_noline;
	}
	while (pos < len) {
		char line[SECCOMP_POLICY_MAX_LINE + 1];
		const char *start = buf + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;

		lineno++;
		pos += n + (nl != NULL);
		if (n > SECCOMP_POLICY_MAX_LINE) {
			err_set(err, 0, "line longer than %d characters", SECCOMP_POLICY_MAX_LINE);
			goto fail;
		}
		if (memchr(start, '\0', n)) {
			err_set(err, 0, "NUL byte in line");
			goto fail;
		}
		memcpy(line, start, n);
		line[n] = '\0';
		if (sp_parse_line(p, line, lineno, err) < 0)
			goto fail;
	}
	if (!p->has_default) {
		lineno = lineno ? lineno : 1;
		err_set(err, 0, "no 'default' line");
		goto fail;
	}
	return p;
fail:
	err_prefix(err, "%s:%u", name, lineno);
fail_noline:
	free(p);
	return NULL;
}

int seccomp_policy_read(const char *path, char **text, size_t *len, struct cai_err *err)
{
	return fd_read_file(path, SECCOMP_POLICY_MAX_SIZE, text, len, err);
}

struct seccomp_policy *seccomp_policy_load(const char *path, struct cai_err *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	if (seccomp_policy_read(path, &buf, &len, err) < 0)
		return NULL;
	return seccomp_policy_parse_buf(buf, len, path, err);
}

void seccomp_policy_free(struct seccomp_policy *p)
{
	free(p);
}

static int sp_add_rule(scmp_filter_ctx ctx, const struct sp_rule *r)
{
	if (!r->has_cond)
		return seccomp_rule_add_exact(ctx, r->action, r->nr, 0);
	if (!r->any_bits) {
		struct scmp_arg_cmp c = { .arg = r->arg, .op = r->op, .datum_a = r->datum, .datum_b = 0 };
		if (r->op == SCMP_CMP_MASKED_EQ) {
			c.datum_a = r->mask;
			c.datum_b = r->datum;
		}
		return seccomp_rule_add_exact(ctx, r->action, r->nr, 1, c);
	}
	/* "any of these bits": one masked test per bit, and rules for one
	 * system call are alternatives. */
	for (unsigned b = 0; b < 64; b++) {
		uint64_t bit = 1ULL << b;
		if (!(r->datum & bit))
			continue;
		int rc = seccomp_rule_add_exact(ctx, r->action, r->nr, 1,
						SCMP_CMP(r->arg, SCMP_CMP_MASKED_EQ, bit, bit));
		if (rc < 0)
			return rc;
	}
	return 0;
}

static scmp_filter_ctx sp_build(const struct seccomp_policy *p, struct cai_err *err)
{
	scmp_filter_ctx ctx = seccomp_init(p->default_action);
	int rc;

	if (!ctx) {
		err_set(err, 0, "%s: libseccomp cannot create a filter", p->name);
		return NULL;
	}
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc < 0) {
		err_set(err, -rc, "%s: libseccomp: bad-architecture action", p->name);
		goto fail;
	}
	/* A binary tree of system call numbers instead of a list: fewer
	 * instructions for every call the kernel cannot answer from its
	 * per-syscall cache (those with argument conditions, ioctl first). */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc < 0) {
		err_set(err, -rc, "%s: libseccomp: binary-tree optimisation", p->name);
		goto fail;
	}
	for (size_t i = 0; i < p->nrules; i++) {
		rc = sp_add_rule(ctx, &p->rules[i]);
		if (rc < 0) {
			err_set(err, -rc, "%s:%u: libseccomp refused the rule", p->name, p->rules[i].line);
			goto fail;
		}
	}
	return ctx;
fail:
	seccomp_release(ctx);
	return NULL;
}

#ifdef __x86_64__
/* In front of libseccomp's program: x32 system calls share the x86_64
 * audit architecture and differ only by bit 30 of the number, so they must
 * be refused by number (Docker's profile lets them through). */
static const struct sock_filter sp_guard[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
};
#define SP_GUARD_LEN (ARRAY_SIZE(sp_guard))
#define SP_GUARD_NOTE "# containai-init runs first: x86_64 system call numbers >= 0x40000000 (x32) -> KILL_PROCESS\n"
#else
#define SP_GUARD_LEN 0
#define SP_GUARD_NOTE ""
#endif

int seccomp_policy_compile(const struct seccomp_policy *p, struct seccomp_bpf *out,
			   struct cai_err *err)
{
	scmp_filter_ctx ctx = sp_build(p, err);
	_cleanup_close_ int mfd = -1;
	int rc;

	if (!ctx)
		return -1;
	mfd = memfd_create("seccomp-bpf", MFD_CLOEXEC);
	if (mfd < 0) {
		seccomp_release(ctx);
		return err_set(err, errno, "%s: memfd_create", p->name);
	}
	rc = seccomp_export_bpf(ctx, mfd);
	seccomp_release(ctx);
	if (rc < 0)
		return err_set(err, -rc, "%s: libseccomp cannot generate the filter", p->name);
	off_t size = lseek(mfd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS - (off_t)SP_GUARD_LEN)
		return err_set(err, 0, "%s: the filter has an unusable size (%lld bytes)", p->name,
			       (long long)size);
	size_t n = (size_t)size / sizeof(struct sock_filter);
	struct sock_filter *insns = calloc(n + SP_GUARD_LEN, sizeof(*insns));
	if (!insns)
		return err_set(err, ENOMEM, "%s", p->name);
#ifdef __x86_64__
	memcpy(insns, sp_guard, sizeof(sp_guard));
#endif
	if (pread(mfd, insns + SP_GUARD_LEN, (size_t)size, 0) != size) {
		free(insns);
		return err_set(err, errno, "%s: reading the generated filter back", p->name);
	}
	out->insns = insns;
	out->len = (unsigned short)(n + SP_GUARD_LEN);
	return 0;
}

int seccomp_policy_print(const struct seccomp_policy *p, int fd, struct cai_err *err)
{
	scmp_filter_ctx ctx = sp_build(p, err);

	if (!ctx)
		return -1;
	int rc = fd_write_all(fd, SP_GUARD_NOTE, strlen(SP_GUARD_NOTE)) < 0 ? -errno
		 : seccomp_export_pfc(ctx, fd);
	seccomp_release(ctx);
	if (rc < 0)
		return err_set(err, -rc, "%s: printing the filter", p->name);
	return 0;
}

/* POLICY.bpf: this header, the policy text, then the instructions. */
struct sp_saved_header {
	char magic[8];
	char version[24];       /* CAI_VERSION, NUL-padded */
	uint32_t arch;          /* AUDIT_ARCH_* of the build */
	uint32_t text_len;
	uint32_t insn_count;
	uint32_t reserved;
};

static const char sp_saved_magic[8] = "CAIBPF1\n";

#ifdef __x86_64__
#define SP_NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SP_NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#define SP_NATIVE_ARCH 0
#endif

static int sp_saved_path(const char *policy_path, char *out, size_t size, struct cai_err *err)
{
	int n = snprintf(out, size, "%s%s", policy_path, SECCOMP_BPF_SUFFIX);
	if (n < 0 || (size_t)n >= size)
		return err_set(err, ENAMETOOLONG, "%s%s", policy_path, SECCOMP_BPF_SUFFIX);
	return 0;
}

static void sp_saved_header_init(struct sp_saved_header *h, size_t text_len, unsigned insns)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->magic, sp_saved_magic, sizeof(h->magic));
	snprintf(h->version, sizeof(h->version), "%s", CAI_VERSION);
	h->arch = SP_NATIVE_ARCH;
	h->text_len = (uint32_t)text_len;
	h->insn_count = insns;
}

int seccomp_bpf_save(const struct seccomp_bpf *bpf, const char *text, size_t len,
		     const char *policy_path, struct cai_err *err)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	struct sp_saved_header h;

	if (sp_saved_path(policy_path, path, sizeof(path), err) < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	sp_saved_header_init(&h, len, bpf->len);
	/* A leftover temporary file from an interrupted run is ours to drop. */
	if (unlink(tmp) < 0 && errno != ENOENT)
		return err_set(err, errno, "%s", tmp);
	_cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(err, errno, "%s", tmp);
	if (fd_write_all(fd, &h, sizeof(h)) < 0 || fd_write_all(fd, text, len) < 0 ||
	    fd_write_all(fd, bpf->insns, bpf->len * sizeof(*bpf->insns)) < 0 || fsync(fd) < 0) {
		int e = errno;
		unlink(tmp);
		return err_set(err, e, "%s", tmp);
	}
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return err_set(err, e, "%s", path);
	}
	return 0;
}

int seccomp_bpf_load_saved(const char *policy_path, const char *text, size_t len,
			   struct seccomp_bpf *out, struct cai_err *err)
{
	const size_t max = sizeof(struct sp_saved_header) + SECCOMP_POLICY_MAX_SIZE +
			   BPF_MAXINSNS * sizeof(struct sock_filter);
	_cleanup_free_ char *buf = NULL;
	char path[PATH_MAX];
	struct sp_saved_header h, want;
	size_t n;

	if (sp_saved_path(policy_path, path, sizeof(path), err) < 0)
		return -1;
	if (fd_read_file(path, max, &buf, &n, err) < 0)
		return err->errnum == ENOENT ? 0 : -1;
	if (n < sizeof(h))
		return err_set(err, 0, "%s: truncated", path);
	memcpy(&h, buf, sizeof(h));
	sp_saved_header_init(&want, len, h.insn_count);
	if (memcmp(&h, &want, sizeof(h)) || h.insn_count <= SP_GUARD_LEN ||
	    h.insn_count > BPF_MAXINSNS ||
	    n != sizeof(h) + len + h.insn_count * sizeof(struct sock_filter) ||
	    memcmp(buf + sizeof(h), text, len))
		return err_set(err, 0, "%s: stale (compiled from another policy or containai-init); rerun containai-init --compile-policy",
			       path);
	struct sock_filter *insns = calloc(h.insn_count, sizeof(*insns));
	if (!insns)
		return err_set(err, ENOMEM, "%s", path);
	memcpy(insns, buf + sizeof(h) + len, h.insn_count * sizeof(*insns));
#ifdef __x86_64__
	/* Whatever the file says, the architecture guard comes first. */
	if (memcmp(insns, sp_guard, sizeof(sp_guard))) {
		free(insns);
		return err_set(err, 0, "%s: the program does not start with the architecture guard", path);
	}
#endif
	out->insns = insns;
	out->len = (unsigned short)h.insn_count;
	return 1;
}

int seccomp_bpf_install(const struct seccomp_bpf *bpf, struct cai_err *err)
{
	struct sock_fprog prog = { .len = bpf->len, .filter = bpf->insns };

	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return err_set(err, errno, "seccomp: loading the filter");
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) != SECCOMP_MODE_FILTER)
		return err_set(err, 0, "seccomp: the filter is not in force after loading it");
	return 0;
}

void seccomp_bpf_free(struct seccomp_bpf *bpf)
{
	free(bpf->insns);
	bpf->insns = NULL;
	bpf->len = 0;
}
