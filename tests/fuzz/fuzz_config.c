/* SPDX-License-Identifier: MIT */
/* init.ini parsing: any input either parses or yields an error message,
 * without a crash, leak or undefined behaviour. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cai_config cfg;
	struct cai_err err = { 0 };

	config_defaults(&cfg);
	if (config_parse_buf(&cfg, (const char *)data, size, "fuzz.ini", &err) < 0 &&
	    strncmp(err.msg, "fuzz.ini", 8) != 0)
		__builtin_trap();      /* every error names the file */
	return 0;
}
