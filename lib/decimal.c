/* SPDX-License-Identifier: MIT */
#include "decimal.h"

#include <inttypes.h>

int decimal_parse(const char *s, size_t len, uint64_t max, uint64_t *out, struct cai_err *err)
{
	uint64_t v = 0;

	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return err_set(err, 0, "'%.*s' is not a number", (int)len, s);
	if (len == 0)
		return err_set(err, 0, "'' is not a number");
	if (s[0] == '0' && len > 1)
		return err_set(err, 0, "'%.*s': a leading 0 is ambiguous (decimal or octal?)", (int)len, s);
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (v > max / 10 || d > max - v * 10)
			return err_set(err, 0, "%.*s is larger than %" PRIu64, (int)len, s, max);
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}
