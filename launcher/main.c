/* containai: the host launcher (wiring only). */
#include <stdio.h>
#include <string.h>

#include "log.h"

int main(int argc, char **argv)
{
	log_init("containai");
	if (argc >= 2 && !strcmp(argv[1], "version")) {
		puts("containai " CAI_VERSION);
		return 0;
	}
	log_error("usage: containai doctor|run|stop|version");
	return 2;
}
