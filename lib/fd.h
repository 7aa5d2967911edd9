/* SPDX-License-Identifier: MIT */
/* fd: descriptor helpers shared by every module.
 *
 * Owns: scope-bound cleanup (`_cleanup_close_`, `_cleanup_free_`), full
 * reads and writes that retry on EINTR, bounded whole-file reads from a
 * descriptor, and closing every descriptor from a floor upwards.
 * Refuses: path strings - everything here works on descriptors the caller
 * opened through a confined lookup.
 */
#ifndef CAI_FD_H
#define CAI_FD_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

void fd_closep(int *fd);
void fd_freep(void *p);

#define _cleanup_close_ __attribute__((cleanup(fd_closep)))
#define _cleanup_free_  __attribute__((cleanup(fd_freep)))

/* Hand ownership out of a _cleanup_ variable. */
static inline int fd_take(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* Write all of buf; -1 with errno on failure. */
int fd_write_all(int fd, const void *buf, size_t len);

/* Read up to `max` bytes from fd into a fresh NUL-terminated buffer.
 * A file of more than `max` bytes is an error (EFBIG), not a truncation:
 * what we parse must be what the file says. */
int fd_read_bounded(int fd, size_t max, char **out, size_t *len, struct cai_err *err);

/* Require the open descriptor to be a regular file (checked before any
 * read: a FIFO or a device would block or have side effects) and read it
 * whole through fd_read_bounded; `name` labels errors. */
int fd_read_regular(int fd, const char *name, size_t max, char **out, size_t *len,
		    struct cai_err *err);

/* Open `path` read-only without following a symlink at its last component
 * (O_NONBLOCK: a FIFO planted there must not hang us), require a regular
 * file and read it whole through fd_read_bounded. */
int fd_read_file(const char *path, size_t max, char **out, size_t *len, struct cai_err *err);

/* Put /dev/null on any of descriptors 0-2 that is closed, so that nothing
 * we open later lands there and reaches a child as its stdin, stdout or
 * stderr (a config file, a pipe end, the signalfd). */
int fd_ensure_stdio(struct cai_err *err);

/* Close every descriptor >= `from`: close_range(2), falling back to
 * walking /proc/self/fd where close_range is missing or filtered.
 * Returns -1 with err set when descriptors may remain open. */
int fd_close_from(int from, struct cai_err *err);

#endif
