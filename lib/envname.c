/* SPDX-License-Identifier: MIT */
#include "envname.h"

static int envname_first(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

int envname_valid(const char *name, size_t len)
{
	if (len == 0 || !envname_first(name[0]))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!envname_first(name[i]) && !(name[i] >= '0' && name[i] <= '9'))
			return 0;
	return 1;
}
