/* SPDX-License-Identifier: MIT */
/* macro: the few language helpers every module may use.
 *
 * Owns: ARRAY_SIZE, which refuses (at compile time) to be applied to a
 * pointer, where sizeof would silently give the wrong count.
 */
#ifndef CAI_MACRO_H
#define CAI_MACRO_H

#define ARRAY_SIZE(a)                                                             \
	(sizeof(a) / sizeof((a)[0]) +                                             \
	 sizeof(struct { int not_an_array : 1 - 2 * __builtin_types_compatible_p( \
		typeof(a), typeof(&(a)[0])); }) * 0)

#endif
