/* SPDX-License-Identifier: MIT */
/* The package registries the host's tools use, read from their own
 * configuration formats; every host here is made up. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "registries.h"
#include "unit.h"

#define TEXT(r, fn, text) fn(&(r), (text), strlen(text), "F")

/* The hosts found, blank-separated. */
static void hosts(const struct registries *r, char *out, size_t outsz)
{
	size_t o = 0;

	out[0] = '\0';
	for (size_t i = 0; i < r->n && o < outsz; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%s%s", i ? " " : "", r->r[i].host);
}

static int noted(const struct registries *r, const char *what)
{
	for (size_t i = 0; i < r->notes.n; i++)
		if (strstr(r->notes.v[i], what))
			return 1;
	return 0;
}

TEST(registries_url_host_only_http_and_the_proxy_ports)
{
	_cleanup_registries_ struct registries r = { 0 };
	char h[512];
	static const char *const urls[] = {
		"https://Mirror.Example.org/debian", "http://plain.example.org:80/x",
		"https://user:s3cret-token@auth.example.org/simple", "sparse+https://index.example.io/",
		"https://mirror.example.org/again", "https://tls.example.org:443",
		"https://odd.example.org:8443/", "file:///srv/mirror", "cdrom:[Debian]/",
		"http://10.0.0.5/debian", "http://[fd00::1]/x", "https://localhost/", "https:///nohost",
	};

	for (size_t i = 0; i < sizeof(urls) / sizeof(*urls); i++)
		registries_add_url(&r, urls[i], strlen(urls[i]), "test");
	hosts(&r, h, sizeof(h));
	CHECK_STR(h, "mirror.example.org plain.example.org auth.example.org index.example.io tls.example.org");
	CHECK(noted(&r, "odd.example.org on port 8443: the egress proxy allows only 80 and 443"));
	CHECK(noted(&r, "not http or https (file)"));
	CHECK(noted(&r, "not http or https (cdrom)"));
	CHECK(noted(&r, "'10.0.0.5' is an address"));
	CHECK(noted(&r, "an address, not a name"));
	CHECK(noted(&r, "'localhost' is a single label"));
	CHECK(noted(&r, "no host name"));
	/* A token in a URL is never repeated. */
	for (size_t i = 0; i < r.notes.n; i++)
		CHECK(!strstr(r.notes.v[i], "s3cret"));
}

TEST(registries_apt_one_line_and_deb822)
{
	_cleanup_registries_ struct registries r = { 0 };
	char h[512];

	TEXT(r, registries_apt_list,
	     "# deb http://commented.example.org/debian bookworm main\n"
	     "deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] https://one.example.org/debian bookworm main\n"
	     "deb-src http://two.example.org/debian bookworm main # a comment\r\n"
	     "deb file:/srv/local ./\n"
	     "debx http://not-a-type.example.org/ x\n");
	TEXT(r, registries_apt_sources,
	     "Types: deb\nURIs: http://three.example.org/debian\n  https://four.example.org/debian\n"
	     "Suites: bookworm\nComponents: main\n\n"
	     "# a whole stanza switched off\nTypes: deb\nURIs: http://off.example.org/debian\nEnabled: no\n\n"
	     "Types: deb-src\nuris: http://five.example.org/debian\n");
	hosts(&r, h, sizeof(h));
	CHECK_STR(h, "one.example.org two.example.org three.example.org four.example.org five.example.org");
	CHECK_CONTAINS(r.r[0].from, "apt F:2");
	CHECK_CONTAINS(r.r[2].from, "apt F:2");
	CHECK(noted(&r, "apt F:4: a source that is not http or https"));
}

TEST(registries_npmrc_pip_conf_and_cargo)
{
	_cleanup_registries_ struct registries r = { 0 };
	char h[512];

	TEXT(r, registries_npmrc,
	     "; a comment\n//npm.example.com/:_authToken=abc\nregistry = \"https://npm.example.com/\"\n"
	     "@corp:registry=https://corp.example.net/npm/\nstrict-ssl=false\nregistry=${NPM_MIRROR}\n");
	TEXT(r, registries_pip_conf,
	     "[global]\nindex-url = https://pypi.example.org/simple\ntimeout = 60\n"
	     "extra-index-url =\n    https://extra1.example.org/simple\n\thttps://extra2.example.org/simple\n"
	     "cert = /etc/ssl/certs/ca-certificates.crt\n  https://not-a-continuation.example.org/\n");
	TEXT(r, registries_cargo_config,
	     "[source.crates-io]\nreplace-with = \"mirror\"\n[source.mirror]\n"
	     "registry = \"sparse+https://crates-mirror.example.org/index/\"\n"
	     "[registries.corp]\nindex = \"https://git.example.org/index\"\n"
	     "registries.other.index = \"sparse+https://other.example.org/\"\nname = \"https://ignored.example.org\"\n");
	hosts(&r, h, sizeof(h));
	CHECK_STR(h, "npm.example.com corp.example.net pypi.example.org extra1.example.org extra2.example.org "
		     "crates-mirror.example.org git.example.org other.example.org");
	CHECK(noted(&r, "built from variables"));
}

TEST(registries_go_proxy_list_and_checksum_database)
{
	_cleanup_registries_ struct registries r = { 0 };
	char h[512];

	registries_goproxy(&r, "https://goproxy.example.dev,https://second.example.dev|direct", "go");
	registries_goproxy(&r, "off", "go");
	registries_gosumdb(&r, "sum.example.dev", "go");
	registries_gosumdb(&r, "sum2.example.dev+abcdef01+AAAA", "go");
	registries_gosumdb(&r, "sum3.example.dev+abcdef01+AAAA https://sumproxy.example.dev", "go");
	registries_gosumdb(&r, "off", "go");
	hosts(&r, h, sizeof(h));
	CHECK_STR(h, "goproxy.example.dev second.example.dev sum.example.dev sum2.example.dev "
		     "sumproxy.example.dev");
	CHECK_INT((int)r.notes.n, 0);
}

TEST(registries_are_bounded)
{
	_cleanup_registries_ struct registries r = { 0 };
	char url[64];

	for (int i = 0; i < REGISTRIES_MAX + 3; i++) {
		snprintf(url, sizeof(url), "https://m%d.example.org/", i);
		registries_add_url(&r, url, strlen(url), "x");
	}
	CHECK_INT((int)r.n, REGISTRIES_MAX);
	CHECK(noted(&r, "more than 64 registries"));
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A virtualenv in the workspace is the sandbox's to write: its pip.conf
 * would choose what balanced allows.  One outside is the user's. */
TEST(registries_skip_files_in_the_workspace)
{
	char top[] = "/tmp/cai-registries-XXXXXX", ws[128], venv[160], out[160], path[200], h[1024];
	struct registries_tools none = { 0 };
	struct registries r = { 0 };

	CHECK(mkdtemp(top) != NULL);
	snprintf(ws, sizeof(ws), "%s/ws", top);
	snprintf(venv, sizeof(venv), "%s/.venv", ws);
	snprintf(out, sizeof(out), "%s/venv", top);
	CHECK_INT(mkdir(ws, 0700), 0);
	CHECK_INT(mkdir(venv, 0700), 0);
	CHECK_INT(mkdir(out, 0700), 0);
	snprintf(path, sizeof(path), "%s/pip.conf", venv);
	write_file(path, "[global]\nindex-url = https://agent-chose.example/simple\n");
	unsetenv("PIP_CONFIG_FILE");
	setenv("VIRTUAL_ENV", venv, 1);
	registries_collect(&none, ws, &r);
	hosts(&r, h, sizeof(h));
	CHECK(strstr(h, "agent-chose.example") == NULL);
	CHECK(noted(&r, "in the workspace"));
	registries_release(&r);

	/* Outside, through a symlink into the workspace: still the sandbox's. */
	snprintf(path, sizeof(path), "%s/pip.conf", out);
	CHECK_INT(symlink("../ws/.venv/pip.conf", path), 0);
	setenv("VIRTUAL_ENV", out, 1);
	memset(&r, 0, sizeof(r));
	registries_collect(&none, ws, &r);
	hosts(&r, h, sizeof(h));
	CHECK(strstr(h, "agent-chose.example") == NULL);
	registries_release(&r);

	/* Outside and the user's: read. */
	unlink(path);
	write_file(path, "[global]\nindex-url = https://user-chose.example/simple\n");
	memset(&r, 0, sizeof(r));
	registries_collect(&none, ws, &r);
	hosts(&r, h, sizeof(h));
	CHECK(strstr(h, "user-chose.example") != NULL);
	registries_release(&r);
	unlink(path);
	snprintf(path, sizeof(path), "%s/pip.conf", venv);
	unlink(path);
	rmdir(venv);
	rmdir(ws);
	rmdir(out);
	rmdir(top);
}
