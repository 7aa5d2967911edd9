/* SPDX-License-Identifier: MIT */
/* embed: a file of the source tree built into the launcher.
 *
 * Owns: EMBED_FILE(sym, "path"), which puts the file's bytes in the
 * launcher's read-only data between sym_text and sym_end (`.incbin`;
 * no NUL added).  What policy/ allows the launcher to do is then reviewed
 * and shipped with the code, and no file on the host changes it.
 * Refuses: nothing; a missing file fails the build.
 */
#ifndef CAI_EMBED_H
#define CAI_EMBED_H

#define EMBED_FILE(sym, path)                                                                      \
	__asm__(".section .rodata\n"                                                               \
		".global " #sym "_text\n" #sym "_text:\n"                                          \
		".incbin \"" path "\"\n"                                                           \
		".global " #sym "_end\n" #sym "_end:\n"                                            \
		".previous\n");                                                                    \
	extern const char sym##_text[], sym##_end[]

#endif
