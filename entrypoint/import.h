/* SPDX-License-Identifier: MIT */
/* import: the confined writer behind `containai import`.
 *
 * Owns: `containai-init --import LIST` in the throwaway container the
 * launcher starts with no network, the data volume, and each host file
 * bound read-only by itself: the data volume prepared as a start prepares
 * it, then LIST read - lines "SRC<TAB>DEST<TAB>MODE", the file at the
 * absolute path SRC to go to DEST beneath the volume root with the octal
 * MODE - and each written: the source opened without following a
 * symlink and required to be a regular file of at most IMPORT_READ_MAX
 * bytes; DEST's missing parents made as the manifest's unnamed parents
 * are; the content written to a new file beside DEST (O_CREAT | O_EXCL,
 * its final mode, the volume's owner) and renamed over DEST in one step,
 * so whatever was there - a file, a symlink, a hard link - is replaced and
 * never written through.  Every lookup goes through beneath: no symlink
 * or mount in the volume is followed.
 * Refuses: a config without [volume] and its manifest, a LIST over
 * IMPORT_LIST_MAX or with a line that does not parse, a DEST that is not
 * a relative path without "." or "..", a directory at DEST, a source that
 * is not a regular file or is too large - each as one line; what was
 * written before stays written.
 */
#ifndef CAI_IMPORT_H
#define CAI_IMPORT_H

#include "config.h"
#include "err.h"

/* A bound on what is read, above what the launcher sends (1 MiB a file). */
#define IMPORT_READ_MAX (16u << 20)
#define IMPORT_LIST_MAX (1u << 20)

int import_run(const struct cai_config *cfg, const char *list, struct cai_err *err);

#endif
