/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <linux/filter.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp_policy.h"
#include "macro.h"
#include "unit.h"

/* parse_err TEXT: parse and return the error message ("" when it parsed). */
static const char *parse_err(const char *text)
{
	static struct cai_err err;
	struct seccomp_policy *p;

	err_clear(&err);
	p = seccomp_policy_parse_buf(text, strlen(text), "t.policy", &err);
	if (p) {
		seccomp_policy_free(p);
		return "";
	}
	return err.msg;
}

TEST(policy_minimal_parses)
{
	CHECK_STR(parse_err("default allow\n"), "");
	CHECK_STR(parse_err("# comment\n\n  default allow   # trailing comment\r\nmount errno(EPERM)\n"), "");
	CHECK_STR(parse_err("default errno(EPERM)\nread allow\nwrite allow\n"), "");
	CHECK_STR(parse_err("default allow\nclone errno(1) if arg0 & CLONE_NEWUSER | CLONE_NEWNS\n"), "");
	CHECK_STR(parse_err("default allow\nioctl errno(EPERM) if arg1:32 == TIOCSTI\n"
			    "ioctl errno(EPERM) if arg1:32 == 0x541C\n"), "");
	CHECK_STR(parse_err("default allow\npersonality log if arg0 != 0\nbpf kill\n"), "");
}

TEST(policy_errors_name_their_line)
{
	CHECK_STR(parse_err(""), "t.policy:1: no 'default' line");
	CHECK_STR(parse_err("# only\n\n"), "t.policy:2: no 'default' line");
	CHECK_STR(parse_err("mount errno(EPERM)\ndefault allow\n"),
		  "t.policy:1: the 'default' line must come before any rule");
	CHECK_STR(parse_err("default allow\ndefault kill\n"), "t.policy:2: second 'default' line");
	CHECK_STR(parse_err("default allow extra\n"), "t.policy:1: unexpected 'extra' after the default action");
	CHECK_STR(parse_err("default\n"), "t.policy:1: 'default' needs an action");
	CHECK_STR(parse_err("default allow\n\nnosuchcall errno(EPERM)\n"),
		  "t.policy:3: unknown system call 'nosuchcall'");
	CHECK_STR(parse_err("default allow\nMOUNT errno(EPERM)\n"), "t.policy:2: unknown system call 'MOUNT'");
#ifdef __x86_64__
	CHECK_STR(parse_err("default allow\nsocketcall errno(EPERM)\n"),
		  "t.policy:2: 'socketcall' is not a system call on this architecture");
#endif
	CHECK_STR(parse_err("default allow\nmount\n"), "t.policy:2: 'mount' needs an action");
	CHECK_STR(parse_err("default allow\nmount deny\n"),
		  "t.policy:2: unknown action 'deny' (allow, errno(N), kill or log)");
	CHECK_STR(parse_err("default allow\nmount allow\n"), "t.policy:2: 'mount': the action is the default action");
	CHECK_STR(parse_err("default allow\nmount errno(EPERM) unless\n"),
		  "t.policy:2: expected 'if' or the end of the line after the action, not 'unless'");
}

TEST(policy_errno_forms)
{
	CHECK_STR(parse_err("default allow\nmount errno(0)\n"), "t.policy:2: errno '0' is not between 1 and 4095");
	CHECK_STR(parse_err("default allow\nmount errno(4096)\n"), "t.policy:2: errno '4096' is not between 1 and 4095");
	CHECK_STR(parse_err("default allow\nmount errno(EBOGUS)\n"), "t.policy:2: unknown errno name 'EBOGUS'");
	CHECK_STR(parse_err("default allow\nmount errno(1\n"),
		  "t.policy:2: 'errno(1' is not errno(NUMBER) or errno(NAME)");
	CHECK_STR(parse_err("default allow\nmount errno()\n"),
		  "t.policy:2: 'errno()' is not errno(NUMBER) or errno(NAME)");
	CHECK_STR(parse_err("default allow\nmount errno(4095)\n"), "");
}

TEST(policy_conflicts)
{
	CHECK_STR(parse_err("default allow\nmount errno(EPERM)\nmount errno(EPERM)\n"),
		  "t.policy:3: 'mount' already has a rule at line 2; a rule without a condition must be its only one");
	CHECK_STR(parse_err("default allow\nioctl errno(EPERM) if arg1 == 1\nioctl errno(EPERM)\n"),
		  "t.policy:3: 'ioctl' already has a rule at line 2; a rule without a condition must be its only one");
	CHECK_STR(parse_err("default allow\nioctl errno(EPERM) if arg1 == 1\nioctl kill if arg1 == 2\n"),
		  "t.policy:3: 'ioctl' already has another action at line 2");
}

TEST(policy_conditions)
{
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg6 == 1\n"),
		  "t.policy:2: expected arg0 to arg5 (optionally with :32) after 'if'");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if\n"),
		  "t.policy:2: expected arg0 to arg5 (optionally with :32) after 'if'");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1:16 == 1\n"),
		  "t.policy:2: expected arg0 to arg5 (optionally with :32) after 'if'");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1\n"), "t.policy:2: missing operator after arg1");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1 =~ 1\n"),
		  "t.policy:2: unknown operator '=~' (==, !=, <, <=, >, >= or &)");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1 ==\n"),
		  "t.policy:2: missing value after the operator");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1 == TIOCSTII\n"),
		  "t.policy:2: unknown constant 'TIOCSTII'");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1 == 1||2\n"),
		  "t.policy:2: empty term in '|' list");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1 == 0755\n"),
		  "t.policy:2: '0755': a leading 0 is ambiguous (decimal or octal?)");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1 == 0xZZ\n"), "t.policy:2: '0xZZ' is not a number");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1 == 99999999999999999999\n"),
		  "t.policy:2: 99999999999999999999 is larger than 18446744073709551615");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1:32 != 1\n"), "t.policy:2: :32 only works with ==");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1:32 == 0x100000000\n"),
		  "t.policy:2: value does not fit in 32 bits");
	CHECK_STR(parse_err("default allow\nclone errno(1) if arg0 & 0\n"), "t.policy:2: '&' needs at least one bit");
	CHECK_STR(parse_err("default allow\nioctl errno(1) if arg1 == 0\n"), "");
}

TEST(policy_bounds)
{
	char *big = malloc(SECCOMP_POLICY_MAX_SIZE + 2);
	CHECK(big != NULL);
	memset(big, '#', SECCOMP_POLICY_MAX_SIZE + 1);
	big[SECCOMP_POLICY_MAX_SIZE + 1] = '\0';
	CHECK_CONTAINS(parse_err(big), "t.policy: File too large");
	free(big);

	char line[SECCOMP_POLICY_MAX_LINE + 20];
	memset(line, ' ', sizeof(line));
	memcpy(line, "default allow", 13);
	line[sizeof(line) - 1] = '\0';
	CHECK_STR(parse_err(line), "t.policy:1: line longer than 1024 characters");

	CHECK_STR(parse_err("default allow\nmount\0 errno(1)\n"), "t.policy:2: 'mount' needs an action");
	static const char nul[] = "default allow\nmount\0 errno(1)\n";
	struct cai_err err = { 0 };
	CHECK(!seccomp_policy_parse_buf(nul, sizeof(nul) - 1, "t.policy", &err));
	CHECK_STR(err.msg, "t.policy:2: NUL byte in line");

	size_t cap = 64 * (SECCOMP_POLICY_MAX_RULES + 2);
	char *many = malloc(cap);
	CHECK(many != NULL);
	size_t n = (size_t)snprintf(many, cap, "default allow\n");
	for (int i = 0; i <= SECCOMP_POLICY_MAX_RULES; i++)
		n += (size_t)snprintf(many + n, cap - n, "ioctl errno(1) if arg1 == %d\n", i + 1);
	CHECK_STR(parse_err(many), "t.policy:514: more than 512 rules");
	free(many);
}

TEST(policy_shipped_compiles_with_x32_guard)
{
	struct cai_err err = { 0 };
	struct seccomp_policy *p = seccomp_policy_load("policy/seccomp.policy", &err);
	struct seccomp_bpf bpf = { 0 };

	CHECK_STR(err.msg, "");
	CHECK(p != NULL);
	CHECK_INT(seccomp_policy_compile(p, &bpf, &err), 0);
	seccomp_policy_free(p);
	CHECK(bpf.len > 5);
#ifdef __x86_64__
	/* The guard: load arch, x86_64?, load nr, nr >= 0x40000000 -> kill. */
	CHECK_INT(bpf.insns[1].k, 0xc000003e);
	CHECK_INT(bpf.insns[3].code, BPF_JMP | BPF_JGE | BPF_K);
	CHECK_INT(bpf.insns[3].k, 0x40000000);
	CHECK_INT(bpf.insns[4].k, 0x80000000u);  /* SECCOMP_RET_KILL_PROCESS */
#endif
	seccomp_bpf_free(&bpf);
}

TEST(policy_load_refuses_non_regular)
{
	struct cai_err err = { 0 };
	CHECK(!seccomp_policy_load("/dev/null", &err));
	CHECK_STR(err.msg, "/dev/null: not a regular file");
	CHECK(!seccomp_policy_load("/nonexistent.policy", &err));
	CHECK_CONTAINS(err.msg, "/nonexistent.policy: No such file");

	/* A symlink at the last component is refused, not followed. */
	char dir[] = "/tmp/cai-policy.XXXXXX", link[64];
	CHECK(mkdtemp(dir) != NULL);
	snprintf(link, sizeof(link), "%s/p", dir);
	CHECK_INT(symlink("/etc/hostname", link), 0);
	CHECK(!seccomp_policy_load(link, &err));
	CHECK_CONTAINS(err.msg, "Too many levels of symbolic links");
	unlink(link);
	rmdir(dir);
}

/* A policy compiled and saved in a fresh directory; returns its path. */
static const char *saved_fixture(char *dir, const char *text, struct seccomp_bpf *bpf)
{
	static char path[128];
	struct cai_err err = { 0 };
	struct seccomp_policy *p;

	if (!mkdtemp(dir))
		return NULL;
	snprintf(path, sizeof(path), "%s/p.policy", dir);
	p = seccomp_policy_parse_buf(text, strlen(text), path, &err);
	if (!p || seccomp_policy_compile(p, bpf, &err) < 0 ||
	    seccomp_bpf_save(bpf, text, strlen(text), path, &err) < 0)
		return NULL;
	seccomp_policy_free(p);
	return path;
}

TEST(saved_program_round_trip)
{
	const char *text = "default allow\nmount errno(EPERM)\n";
	char dir[] = "/tmp/cai-saved.XXXXXX";
	struct seccomp_bpf bpf = { 0 }, back = { 0 };
	struct cai_err err = { 0 };
	const char *path = saved_fixture(dir, text, &bpf);

	CHECK(path != NULL);
	CHECK_INT(seccomp_bpf_load_saved(path, text, strlen(text), &back, &err), 1);
	CHECK_INT(back.len, bpf.len);
	CHECK(!memcmp(back.insns, bpf.insns, bpf.len * sizeof(*bpf.insns)));
	seccomp_bpf_free(&back);

	/* Another policy text: stale, never used. */
	const char *other = "default allow\nmount errno(EACCES)\n";
	CHECK_INT(seccomp_bpf_load_saved(path, other, strlen(other), &back, &err), -1);
	CHECK_CONTAINS(err.msg, "p.policy.bpf: stale");

	char bpath[160];
	snprintf(bpath, sizeof(bpath), "%s.bpf", path);
	unlink(bpath);
	CHECK_INT(seccomp_bpf_load_saved(path, text, strlen(text), &back, &err), 0);
	seccomp_bpf_free(&bpf);
	rmdir(dir);
}

/* Flip one byte at `off` of the saved file (from its end when negative). */
static int corrupt(const char *path, long off)
{
	char bpath[160];
	FILE *f;

	snprintf(bpath, sizeof(bpath), "%s.bpf", path);
	if (!(f = fopen(bpath, "r+")) || fseek(f, off, off < 0 ? SEEK_END : SEEK_SET) < 0)
		return -1;
	int c = fgetc(f);
	fseek(f, off, off < 0 ? SEEK_END : SEEK_SET);
	fputc(c ^ 0x40, f);
	return fclose(f);
}

TEST(saved_program_refuses_tampering)
{
	const char *text = "default allow\nmount errno(EPERM)\n";
	struct seccomp_bpf bpf = { 0 }, back = { 0 };
	struct cai_err err = { 0 };

	/* The version in the header, the text, the guard's architecture
	 * (instruction 1, its k at byte 4): each one refused. */
	const long header = 48, guard = header + (long)strlen(text);
	const long offsets[] = { 10, header + 5, guard + 8 + 4 };
	for (size_t i = 0; i < ARRAY_SIZE(offsets); i++) {
		char dir[] = "/tmp/cai-saved.XXXXXX";
		const char *path = saved_fixture(dir, text, &bpf);
		CHECK(path != NULL);
		CHECK_INT(corrupt(path, offsets[i]), 0);
		CHECK_INT(seccomp_bpf_load_saved(path, text, strlen(text), &back, &err), -1);
		seccomp_bpf_free(&bpf);
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		CHECK_INT(system(cmd), 0);
	}
#ifdef __x86_64__
	CHECK_CONTAINS(err.msg, "does not start with the architecture guard");
#endif
}
