/* SPDX-License-Identifier: MIT */
/* probe_cache: a probe's proof remembered between launcher runs, so that
 * `doctor` and `run` on an engine proven to run gVisor do not start a probe
 * container every time.
 *
 * Owns: $XDG_CACHE_HOME/containai/gvisor-verdict (default
 * ~/.cache/containai/gvisor-verdict): one entry - the key it was proven
 * for, when, and the probe's reason - read and written as
 *     containai-probe-verdict 1
 *     at SECONDS
 *     why TEXT
 *     KEY (the rest of the file, byte for byte)
 * A lookup answers only for exactly the same key, at most ttl seconds
 * after the proof and not before it.  What the key holds is the caller's
 * (detect: the engine, its kernel, the runtime entry, the binary).
 * Refuses: a cache directory or file not owned by this user or writable by
 * others, a symlink or anything but a regular file there, a hard-linked or
 * oversized file, and any text that is not exactly the format above: each
 * is a miss, never an error, so the caller probes again.
 */
#ifndef CAI_PROBE_CACHE_H
#define CAI_PROBE_CACHE_H

#include <stddef.h>

#include "err.h"

#define PROBE_CACHE_MAX 8192

/* The cache file from XDG_CACHE_HOME (absolute) or HOME; -1 when neither. */
int probe_cache_default_path(char *out, size_t outsz, struct cai_err *err);

/* 1 with *at and why set when `text` holds a verdict for exactly `key`,
 * proven at most ttl_s seconds before `now`; 0 otherwise. */
int probe_cache_parse(const char *text, size_t len, const char *key, long long now,
		      unsigned ttl_s, long long *at, char *why, size_t whysz);

/* The file's text for key, at, why (why's line breaks become spaces);
 * NULL when it would exceed PROBE_CACHE_MAX. */
char *probe_cache_format(const char *key, long long at, const char *why);

/* probe_cache_parse on the file at path; 0 on any doubt about the file. */
int probe_cache_lookup(const char *path, const char *key, long long now, unsigned ttl_s,
		       long long *at, char *why, size_t whysz);

/* Replace the entry (file_replace), creating the directories 0700. */
int probe_cache_store(const char *path, const char *key, long long at, const char *why,
		      struct cai_err *err);

#endif
