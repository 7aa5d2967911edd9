/* SPDX-License-Identifier: MIT */
/* seccomp_probe: what the command sees of containai-init's hardening.
 *
 *   seccomp_probe deny    each call the shipped policy denies, one line
 *                         "NAME ERRNO" (0 when the call succeeded)
 *   seccomp_probe x32     an x32 system call: the filter must kill us
 *   seccomp_probe i386    an i386 system call (int 0x80): likewise
 *   seccomp_probe int80   int 0x80 with x86_64's number for unshare(0):
 *                         Linux runs it as i386's (the filter must kill
 *                         us); gVisor runs it as x86_64's unshare, so the
 *                         filter must judge it as that: prints "int80 R"
 *                         (R the raw result, -errno on failure)
 *   seccomp_probe work    ordinary work: threads, fork and exec, file I/O,
 *                         AF_INET and AF_UNIX sockets; prints "work ok"
 *   seccomp_probe fds     the open descriptors, one per line
 *   seccomp_probe secbits the securebits, in hex
 *   seccomp_probe state   the hardened state as the kernel's calls report it,
 *                         not /proc (gVisor's lacks NoNewPrivs and CapAmb):
 *                         "nnp N", "seccomp N" (prctl), "eff/prm/inh HEX"
 *                         (capget), "bnd HEX" (PR_CAPBSET_READ up to the
 *                         first unknown capability), "amb HEX" or "amb
 *                         none" (PR_CAP_AMBIENT_IS_SET unknown), "uid R E S"
 *
 * Every denied call gets arguments that are harmless and fail early even
 * without a filter (run as root on a host, nothing happens), so the errno
 * is what the filter chose.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/capability.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
#ifndef AF_ALG
#define AF_ALG 38
#endif

static void report(const char *name, long rc)
{
	printf("%s %d\n", name, rc < 0 ? errno : 0);
}

#define BAD ((void *)1)   /* an address no call can read */
#define HIGH (1UL << 32)  /* ignored by the kernel for int arguments */

static int probe_deny(void)
{
	report("unshare", syscall(SYS_unshare, 0));
	report("setns", syscall(SYS_setns, -1, 0));
	report("clone_newuser", syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS, BAD, BAD, BAD, 0));
	report("clone3", syscall(SYS_clone3, NULL, 0));
	report("mount", syscall(SYS_mount, BAD, BAD, BAD, 0, NULL));
	report("umount2", syscall(SYS_umount2, "/", 0xffff));
	report("pivot_root", syscall(SYS_pivot_root, BAD, BAD));
	report("open_tree", syscall(SYS_open_tree, -1, "", 0xffffffff));
	report("move_mount", syscall(SYS_move_mount, -1, "", -1, "", 0xffffffff));
	report("fsopen", syscall(SYS_fsopen, BAD, 0xffffffff));
	report("fsconfig", syscall(SYS_fsconfig, -1, 0xffff, NULL, NULL, 0));
	report("fsmount", syscall(SYS_fsmount, -1, 0xffffffff, 0));
	report("fspick", syscall(SYS_fspick, -1, "", 0xffffffff));
	report("mount_setattr", syscall(SYS_mount_setattr, -1, "", 0xffffffff, NULL, 0));
	report("keyctl", syscall(SYS_keyctl, 0x7fff, 0, 0, 0, 0));
	report("add_key", syscall(SYS_add_key, BAD, BAD, NULL, 0, 0));
	report("request_key", syscall(SYS_request_key, BAD, BAD, NULL, 0));
	report("bpf", syscall(SYS_bpf, 0x7fff, NULL, 0));
	report("perf_event_open", syscall(SYS_perf_event_open, BAD, 0, -1, -1, 0));
	report("userfaultfd", syscall(SYS_userfaultfd, 0xffffffff));
	report("io_uring_setup", syscall(SYS_io_uring_setup, 0, NULL));
	report("io_uring_enter", syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0));
	report("io_uring_register", syscall(SYS_io_uring_register, -1, 0, NULL, 0));
	report("ptrace", syscall(SYS_ptrace, 0x7fff, 0, NULL, NULL));
	report("process_vm_readv", syscall(SYS_process_vm_readv, getpid(), NULL, 0, NULL, 0, 0));
	report("process_vm_writev", syscall(SYS_process_vm_writev, getpid(), NULL, 0, NULL, 0, 0));
	report("kexec_load", syscall(SYS_kexec_load, 0, 0, NULL, 0xffffffffUL));
	report("kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0xffffffffUL));
	report("init_module", syscall(SYS_init_module, BAD, 0, BAD));
	report("finit_module", syscall(SYS_finit_module, -1, "", 0xffffffff));
	report("delete_module", syscall(SYS_delete_module, BAD, 0));
	report("reboot", syscall(SYS_reboot, 0, 0, 0, NULL));
	report("swapon", syscall(SYS_swapon, BAD, 0));
	report("swapoff", syscall(SYS_swapoff, BAD));
	report("acct", syscall(SYS_acct, BAD));
	report("open_by_handle_at", syscall(SYS_open_by_handle_at, -1, BAD, 0));
	report("ioctl_tiocsti", syscall(SYS_ioctl, -1, (unsigned long)TIOCSTI, BAD));
	report("ioctl_tiocsti_high", syscall(SYS_ioctl, -1, HIGH | TIOCSTI, BAD));
	report("ioctl_tioclinux", syscall(SYS_ioctl, -1, (unsigned long)TIOCLINUX, BAD));
	report("ioctl_tiocgwinsz", syscall(SYS_ioctl, -1, (unsigned long)TIOCGWINSZ, BAD));
	report("personality_linux32", syscall(SYS_personality, PER_LINUX32));
	report("personality_0", syscall(SYS_personality, 0));
	report("socket_vsock", syscall(SYS_socket, AF_VSOCK, SOCK_STREAM, 0));
	report("socket_vsock_high", syscall(SYS_socket, HIGH | AF_VSOCK, SOCK_STREAM, 0));
	report("socket_alg", syscall(SYS_socket, AF_ALG, SOCK_SEQPACKET, 0));
	return 0;
}

static int probe_x32(void)
{
	/* getpid through the x32 ABI: bit 30 set on an x86_64 number. */
	long r = syscall(0x40000000 | SYS_getpid);
	printf("x32 survived: %ld %d\n", r, r < 0 ? errno : 0);
	return 1;
}

static int probe_i386(void)
{
#ifdef __x86_64__
	long r = 20; /* getpid on i386 */
	__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
	printf("i386 survived: %ld\n", r);
#endif
	return 1;
}

static int probe_int80(void)
{
#ifdef __x86_64__
	long r = SYS_unshare;
	__asm__ volatile("int $0x80" : "+a"(r) : "b"(0L) : "memory");
	printf("int80 %ld\n", r);
#endif
	return 0;
}

static void *thread_main(void *arg)
{
	return arg;
}

static int fail(const char *what)
{
	printf("work FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

static int work_sockets(void)
{
	int sv[2];
	char buf[8];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return fail("socketpair AF_UNIX");
	if (write(sv[0], "ping", 4) != 4 || read(sv[1], buf, sizeof(buf)) != 4)
		return fail("AF_UNIX send/receive");
	close(sv[0]);
	close(sv[1]);

	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) < 0)
		return fail("AF_INET listen");
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		return fail("AF_INET connect");
	int s = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0 || write(c, "pong", 4) != 4 || read(s, buf, sizeof(buf)) != 4)
		return fail("AF_INET send/receive");
	close(s);
	close(c);
	close(l);
	return 0;
}

static int probe_work(const char *self)
{
	pthread_t t;
	char path[] = "/tmp/seccomp-probe.XXXXXX";
	char buf[16] = { 0 };
	int st;

	/* glibc creates threads with clone3 and falls back to clone on ENOSYS. */
	if ((errno = pthread_create(&t, NULL, thread_main, NULL)) != 0 || pthread_join(t, NULL) != 0)
		return fail("pthread_create");
	pid_t pid = fork();
	if (pid < 0)
		return fail("fork");
	if (pid == 0) {
		execl(self, self, "exit7", (char *)NULL);
		_exit(99);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return fail("fork and exec");
	int fd = mkstemp(path);
	if (fd < 0)
		return fail("mkstemp");
	if (write(fd, "hello", 5) != 5 || pread(fd, buf, sizeof(buf), 0) != 5 || strcmp(buf, "hello"))
		return fail("file I/O");
	close(fd);
	if (unlink(path) < 0)
		return fail("unlink");
	if (work_sockets())
		return 1;
	puts("work ok");
	return 0;
}

static int probe_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;

	if (!d)
		return fail("opendir /proc/self/fd");
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d))
			puts(de->d_name);
	closedir(d);
	return 0;
}

static int probe_state(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };
	unsigned long long bnd = 0, amb = 0;
	int amb_known = 1;
	uid_t r, e, sv;

	if (syscall(SYS_capget, &h, d) < 0 || getresuid(&r, &e, &sv) < 0)
		return fail("capget/getresuid");
	for (int c = 0; c < 64; c++) {
		int in = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
		if (in < 0)
			break;
		bnd |= (unsigned long long)!!in << c;
		int a = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0);
		if (a < 0 && c == 0)
			amb_known = 0;
		if (a > 0)
			amb |= 1ULL << c;
	}
	printf("uid %u %u %u\n", r, e, sv);
	printf("nnp %d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	printf("seccomp %d\n", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
#define CAPS64(f) ((unsigned long long)d[1].f << 32 | d[0].f)
	printf("eff %016llx\nprm %016llx\ninh %016llx\n", CAPS64(effective), CAPS64(permitted),
	       CAPS64(inheritable));
	printf("bnd %016llx\n", bnd);
	if (amb_known)
		printf("amb %016llx\n", amb);
	else
		puts("amb none");
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "deny"))
		return probe_deny();
	if (argc == 2 && !strcmp(argv[1], "x32"))
		return probe_x32();
	if (argc == 2 && !strcmp(argv[1], "i386"))
		return probe_i386();
	if (argc == 2 && !strcmp(argv[1], "int80"))
		return probe_int80();
	if (argc == 2 && !strcmp(argv[1], "work"))
		return probe_work("/proc/self/exe");
	if (argc == 2 && !strcmp(argv[1], "exit7"))
		return 7;
	if (argc == 2 && !strcmp(argv[1], "fds"))
		return probe_fds();
	if (argc == 2 && !strcmp(argv[1], "secbits")) {
		printf("%#x\n", (unsigned)prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "state"))
		return probe_state();
	fprintf(stderr, "usage: seccomp_probe deny|x32|i386|int80|work|fds|secbits|state\n");
	return 2;
}
