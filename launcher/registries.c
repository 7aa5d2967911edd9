/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "registries.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "decimal.h"
#include "fd.h"
#include "macro.h"
#include "path.h"

#define REGISTRIES_FILE_MAX (1u << 20)
#define REGISTRIES_LINE_MAX 2048

extern char **environ;

static void note(struct registries *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct registries *r, const char *fmt, ...)
{
	char line[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	argv_push(&r->notes, line);
}

static void add_host(struct registries *r, const char *host, const char *from)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->r[i].host, host))
			return;
	if (r->n == REGISTRIES_MAX) {
		note(r, "%s: more than %d registries; %s and later ones left out", from, REGISTRIES_MAX,
		     host);
		return;
	}
	snprintf(r->r[r->n].host, sizeof(r->r[r->n].host), "%s", host);
	snprintf(r->r[r->n].from, sizeof(r->r[r->n].from), "%s", from);
	r->n++;
}

/* Only the scheme and the host are ever repeated in a note: a URL may
 * carry a user and a token. */
void registries_add_url(struct registries *r, const char *url, size_t len, const char *from)
{
	static const char *const schemes[] = { "https://", "http://" };
	const char *p = url, *end = url + len;
	size_t scheme = 0;

	/* sparse+https://, git+https://, mirror+http://: the part that is
	 * fetched over http(s) is what follows the '+'. */
	const char *plus = memchr(p, '+', (size_t)(end - p));
	const char *colon = memchr(p, ':', (size_t)(end - p));
	if (plus && colon && plus < colon)
		p = plus + 1;
	for (size_t i = 0; i < ARRAY_SIZE(schemes) && !scheme; i++)
		if ((size_t)(end - p) > strlen(schemes[i]) && !strncasecmp(p, schemes[i], strlen(schemes[i])))
			scheme = strlen(schemes[i]);
	if (!scheme) {
		note(r, "%s: a source that is not http or https (%.*s)", from,
		     (int)strcspn(url, ":/ \t"), url);
		return;
	}
	p += scheme;
	size_t auth = strcspn(p, "/?#");
	if (p + auth > end)
		auth = (size_t)(end - p);
	const char *at = memrchr(p, '@', auth);
	if (at) {
		auth -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	char host[EGRESS_DOMAIN_MAX + 2], folded[EGRESS_DOMAIN_MAX + 1];
	const char *port = memchr(p, ':', auth);
	size_t hlen = port ? (size_t)(port - p) : auth;
	if (p[0] == '[') {
		note(r, "%s: an address, not a name: allow its range with egress_allow_cidr", from);
		return;
	}
	if (!hlen || hlen >= sizeof(host)) {
		note(r, "%s: no host name", from);
		return;
	}
	memcpy(host, p, hlen);
	host[hlen] = '\0';
	if (port) {
		uint64_t n;
		struct cai_err e;
		size_t plen = auth - hlen - 1;
		if (decimal_parse(port + 1, plen, 65535, &n, &e) < 0 || (n != 80 && n != 443)) {
			note(r, "%s: %s on port %.*s: the egress proxy allows only 80 and 443", from, host,
			     (int)(plen < 8 ? plen : 8), port + 1);
			return;
		}
	}
	struct cai_err err;
	if (egress_domain_check(host, folded, sizeof(folded), &err) < 0 || host[0] == '*') {
		note(r, "%s: %s", from, host[0] == '*' ? "a wildcard" : err.msg);
		return;
	}
	add_host(r, folded, from);
}

/* The lines of a text, one at a time: a copy without the line break,
 * "" for a NUL byte or a line too long (noted). */
struct lines {
	const char *buf;
	size_t len, pos;
	unsigned no;
};

static int line_next(struct lines *l, struct registries *r, const char *from, char *out)
{
	if (l->pos >= l->len)
		return 0;
	const char *s = l->buf + l->pos, *nl = memchr(s, '\n', l->len - l->pos);
	size_t n = nl ? (size_t)(nl - s) : l->len - l->pos;

	l->pos += n + (nl != NULL);
	l->no++;
	if (n && s[n - 1] == '\r')
		n--;
	out[0] = '\0';
	if (n >= REGISTRIES_LINE_MAX || memchr(s, '\0', n)) {
		note(r, "%s:%u: a line too long or with a NUL byte, skipped", from, l->no);
		return 1;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return 1;
}

static char *trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Each blank-separated word of s, as a URL. */
static void add_words(struct registries *r, const char *s, const char *from)
{
	while (*(s += strspn(s, " \t,"))) {
		size_t n = strcspn(s, " \t,");
		registries_add_url(r, s, n, from);
		s += n;
	}
}

void registries_apt_list(struct registries *r, const char *buf, size_t len, const char *from)
{
	struct lines l = { buf, len, 0, 0 };
	char line[REGISTRIES_LINE_MAX], where[200];

	while (line_next(&l, r, from, line)) {
		char *s = line;
		s[strcspn(s, "#")] = '\0';
		s = trim(s);
		size_t t = strcspn(s, " \t");
		if (!(t == 3 && !strncmp(s, "deb", 3)) && !(t == 7 && !strncmp(s, "deb-src", 7)))
			continue;
		s += t;
		s += strspn(s, " \t");
		if (*s == '[') {
			char *close = strchr(s, ']');
			if (!close)
				continue;
			s = close + 1 + strspn(close + 1, " \t");
		}
		snprintf(where, sizeof(where), "apt %s:%u", from, l.no);
		if (*s)
			registries_add_url(r, s, strcspn(s, " \t"), where);
	}
}

/* One deb822 stanza's URIs, added when it is not disabled. */
struct stanza {
	char uris[REGISTRIES_LINE_MAX * 2];
	unsigned line;
	int enabled, in_uris;
};

static void stanza_end(struct registries *r, struct stanza *st, const char *from)
{
	char where[200];

	if (st->enabled && st->uris[0]) {
		snprintf(where, sizeof(where), "apt %s:%u", from, st->line);
		add_words(r, st->uris, where);
	}
	st->uris[0] = '\0';
	st->enabled = 1;
	st->in_uris = 0;
}

void registries_apt_sources(struct registries *r, const char *buf, size_t len, const char *from)
{
	struct lines l = { buf, len, 0, 0 };
	struct stanza st = { .enabled = 1 };
	char line[REGISTRIES_LINE_MAX];

	while (line_next(&l, r, from, line)) {
		if (line[0] == '#')
			continue;
		if (!trim(line)[0]) {
			stanza_end(r, &st, from);
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			/* A field continued: only URIs matter. */
			if (st.in_uris && strlen(st.uris) + strlen(line) + 2 < sizeof(st.uris))
				strcat(strcat(st.uris, " "), trim(line));
			continue;
		}
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *value = trim(colon + 1);
		st.in_uris = !strcasecmp(trim(line), "URIs");
		if (st.in_uris) {
			snprintf(st.uris, sizeof(st.uris), "%s", value);
			st.line = l.no;
		} else if (!strcasecmp(trim(line), "Enabled")) {
			st.enabled = strcasecmp(value, "no") != 0;
		}
	}
	stanza_end(r, &st, from);
}

/* "KEY = VALUE" or "KEY: VALUE" (whichever comes first), trimmed; NULL
 * when the line is neither. */
static char *key_value(char *line, char **value)
{
	char *d = line + strcspn(line, "=:");

	if (!*d)
		return NULL;
	*d = '\0';
	*value = trim(d + 1);
	return trim(line);
}

static char *unquote(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}

void registries_npmrc(struct registries *r, const char *buf, size_t len, const char *from)
{
	struct lines l = { buf, len, 0, 0 };
	char line[REGISTRIES_LINE_MAX], where[200];

	while (line_next(&l, r, from, line)) {
		char *s = trim(line), *v, *eq = strchr(s, '=');
		if (*s == '#' || *s == ';' || !eq)
			continue;
		*eq = '\0';
		v = unquote(trim(eq + 1));
		s = trim(s);
		/* registry=URL, and @scope:registry=URL. */
		size_t k = strlen(s);
		if (!(k >= 8 && !strcmp(s + k - 8, "registry") && (k == 8 || s[k - 9] == ':')))
			continue;
		snprintf(where, sizeof(where), "npm %s:%u", from, l.no);
		if (strstr(v, "${"))
			note(r, "%s: a value built from variables is not followed", where);
		else
			registries_add_url(r, v, strlen(v), where);
	}
}

void registries_pip_conf(struct registries *r, const char *buf, size_t len, const char *from)
{
	struct lines l = { buf, len, 0, 0 };
	char line[REGISTRIES_LINE_MAX], where[200];
	int in_index = 0;

	while (line_next(&l, r, from, line)) {
		char *v;
		snprintf(where, sizeof(where), "pip %s:%u", from, l.no);
		if (line[0] == ' ' || line[0] == '\t') {
			/* A value continued on the next lines: more URLs. */
			if (in_index)
				add_words(r, line, where);
			continue;
		}
		in_index = 0;
		char *s = trim(line), *k;
		if (*s == '#' || *s == ';' || *s == '[' || !(k = key_value(s, &v)))
			continue;
		in_index = !strcmp(k, "index-url") || !strcmp(k, "extra-index-url") ||
			   !strcmp(k, "index_url") || !strcmp(k, "extra_index_url");
		if (in_index)
			add_words(r, v, where);
	}
}

void registries_goproxy(struct registries *r, const char *value, const char *from)
{
	const char *s = value;

	while (*s) {
		size_t n = strcspn(s, ",|");
		int skip = (n == 6 && !strncmp(s, "direct", 6)) || (n == 3 && !strncmp(s, "off", 3)) || !n;
		if (!skip)
			registries_add_url(r, s, n, from);
		s += n + (s[n] != '\0');
	}
}

void registries_gosumdb(struct registries *r, const char *value, const char *from)
{
	const char *space = strchr(value, ' ');
	char url[EGRESS_DOMAIN_MAX + 16];

	if (!value[0] || !strcmp(value, "off"))
		return;
	if (space) {
		const char *u = space + strspn(space, " ");
		registries_add_url(r, u, strcspn(u, " "), from);
		return;
	}
	/* NAME[+KEY]: the database is served at https://NAME. */
	snprintf(url, sizeof(url), "https://%.*s", (int)strcspn(value, "+"), value);
	registries_add_url(r, url, strlen(url), from);
}

void registries_cargo_config(struct registries *r, const char *buf, size_t len, const char *from)
{
	struct lines l = { buf, len, 0, 0 };
	char line[REGISTRIES_LINE_MAX], where[200];

	while (line_next(&l, r, from, line)) {
		char *v, *s = trim(line), *eq = strchr(s, '=');
		if (*s == '#' || *s == '[' || !eq)
			continue;
		*eq = '\0';
		s = trim(s);
		v = trim(eq + 1);
		/* index = "URL", registry = "URL", also as registries.NAME.index. */
		const char *last = strrchr(s, '.') ? strrchr(s, '.') + 1 : s;
		if ((strcmp(last, "index") && strcmp(last, "registry")) || v[0] != '"')
			continue;
		v = unquote(v);
		snprintf(where, sizeof(where), "cargo %s:%u", from, l.no);
		registries_add_url(r, v, strlen(v), where);
	}
}

/* ---- the host --------------------------------------------------------- */

typedef void (*parse_fn)(struct registries *, const char *, size_t, const char *);

/* A file of the host's, symlinks followed (they are the user's and the
 * admin's own; the sandbox reaches none of them). */
/* The file opened lies in the workspace, by the kernel's account of
 * where it is (symlinks followed): an agent's word on what to allow. */
static int in_workspace(const struct registries *r, int fd)
{
	char proc[64], at[PATH_MAX];
	ssize_t n;

	if (!r->workspace || !r->workspace[0])
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((n = readlink(proc, at, sizeof(at) - 1)) < 0)
		return 1;
	at[n] = '\0';
	return path_within(at, r->workspace);
}

static void read_into(struct registries *r, const char *path, parse_fn parse, int quiet_missing)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	struct cai_err err;
	size_t len;

	if (fd < 0) {
		if (errno != ENOENT || !quiet_missing)
			note(r, "%s: %s", path, strerror(errno));
		return;
	}
	if (in_workspace(r, fd)) {
		note(r, "%s: in the workspace, which the sandbox writes: not read", path);
		return;
	}
	if (fd_read_regular(fd, path, REGISTRIES_FILE_MAX, &buf, &len, &err) < 0) {
		note(r, "%s", err.msg);
		return;
	}
	parse(r, buf, len, path);
}

static const char *suffix(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot ? dot : "";
}

static int apt_entry(const struct dirent *d)
{
	return !strcmp(suffix(d->d_name), ".list") || !strcmp(suffix(d->d_name), ".sources");
}

static void apt(struct registries *r)
{
	static const char dir[] = "/etc/apt/sources.list.d";
	struct dirent **names;
	char path[512];
	int n;

	read_into(r, "/etc/apt/sources.list", registries_apt_list, 1);
	if ((n = scandir(dir, &names, apt_entry, alphasort)) < 0) {
		if (errno != ENOENT)
			note(r, "%s: %s", dir, strerror(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		read_into(r, path, !strcmp(suffix(path), ".list") ? registries_apt_list
								   : registries_apt_sources, 0);
		free(names[i]);
	}
	free(names);
}

/* "$BASE/rest" for an absolute BASE from the environment. */
static int env_path(char *out, size_t outsz, const char *var, const char *rest)
{
	const char *base = getenv(var);

	return base && base[0] == '/' && (size_t)snprintf(out, outsz, "%s%s", base, rest) < outsz;
}

static void from_env(struct registries *r, const char *var, const char *tool)
{
	const char *v = getenv(var);
	char where[128];

	snprintf(where, sizeof(where), "%s %s", tool, var);
	if (v && v[0])
		add_words(r, v, where);
}

static const char *first_line(const struct proc_job *j, char *out, size_t outsz, size_t skip)
{
	const char *s = j->out;

	while (skip-- && strchr(s, '\n'))
		s = strchr(s, '\n') + 1;
	snprintf(out, outsz, "%.*s", (int)strcspn(s, "\n"), s);
	return out;
}

/* A tool's answer: 1 usable, 0 not on PATH (the caller reads the
 * environment and files instead), -1 failed (noted). */
static int tool_answer(struct registries *r, const struct proc_job *j)
{
	char why[512];

	if (!j)
		return 0;
	if (!j->started && j->spawn_errno == ENOENT)
		return 0;
	if (proc_ok(j) && !j->out_truncated)
		return 1;
	proc_describe_failure(j, why, sizeof(why));
	note(r, "%s", why);
	return -1;
}

static void npm(struct registries *r, const struct proc_job *j)
{
	char line[REGISTRIES_LINE_MAX], path[4096];
	int a = tool_answer(r, j);

	if (a > 0) {
		first_line(j, line, sizeof(line), 0);
		registries_add_url(r, line, strlen(line), "npm config get registry");
	}
	if (a)
		return;
	from_env(r, "NPM_CONFIG_REGISTRY", "npm");
	from_env(r, "npm_config_registry", "npm");
	if (env_path(path, sizeof(path), "HOME", "/.npmrc"))
		read_into(r, path, registries_npmrc, 1);
}

static void pip(struct registries *r)
{
	static const struct { const char *var, *rest; } files[] = {
		{ NULL, "/etc/pip.conf" }, { NULL, "/etc/xdg/pip/pip.conf" },
		{ "HOME", "/.pip/pip.conf" }, { "XDG_CONFIG_HOME", "/pip/pip.conf" },
		{ "VIRTUAL_ENV", "/pip.conf" }, { "PIP_CONFIG_FILE", "" },
	};
	char path[4096];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		if (!files[i].var)
			snprintf(path, sizeof(path), "%s", files[i].rest);
		else if (!env_path(path, sizeof(path), files[i].var, files[i].rest))
			continue;
		read_into(r, path, registries_pip_conf, 1);
	}
	if (!getenv("XDG_CONFIG_HOME") && env_path(path, sizeof(path), "HOME", "/.config/pip/pip.conf"))
		read_into(r, path, registries_pip_conf, 1);
	from_env(r, "PIP_INDEX_URL", "pip");
	from_env(r, "PIP_EXTRA_INDEX_URL", "pip");
}

static void go(struct registries *r, const struct proc_job *j)
{
	char line[REGISTRIES_LINE_MAX];
	int a = tool_answer(r, j);

	if (a > 0) {
		registries_goproxy(r, first_line(j, line, sizeof(line), 0), "go env GOPROXY");
		registries_gosumdb(r, first_line(j, line, sizeof(line), 1), "go env GOSUMDB");
	}
	if (a)
		return;
	if (getenv("GOPROXY"))
		registries_goproxy(r, getenv("GOPROXY"), "go GOPROXY");
	if (getenv("GOSUMDB"))
		registries_gosumdb(r, getenv("GOSUMDB"), "go GOSUMDB");
}

static void cargo(struct registries *r)
{
	static const char prefix[] = "CARGO_REGISTRIES_", tail[] = "_INDEX=";
	char path[4096], base[4096];

	if (!env_path(base, sizeof(base), "CARGO_HOME", "") && !env_path(base, sizeof(base), "HOME", "/.cargo"))
		base[0] = '\0';
	if (base[0]) {
		snprintf(path, sizeof(path), "%.4000s/config.toml", base);
		read_into(r, path, registries_cargo_config, 1);
		snprintf(path, sizeof(path), "%.4000s/config", base);
		read_into(r, path, registries_cargo_config, 1);
	}
	for (char **e = environ; *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t name = eq ? (size_t)(eq - *e) : 0, pre = sizeof(prefix) - 1, suf = sizeof(tail) - 2;
		/* CARGO_REGISTRIES_NAME_INDEX=URL, NAME at least one byte. */
		if (name > pre + suf && !strncmp(*e, prefix, pre) && !strncmp(eq - suf, tail, suf + 1))
			registries_add_url(r, eq + 1, strlen(eq + 1), "cargo CARGO_REGISTRIES_*_INDEX");
	}
}

static struct proc_job *tool(struct batch *b, unsigned timeout_ms, const char *const *words,
			     struct cai_err *err)
{
	struct proc_job *j = batch_add_words(b, words, err);

	if (!j)
		return NULL;
	/* Not in the workspace: its .npmrc or go.mod would have a say. */
	j->cwd = "/";
	j->timeout_ms = timeout_ms < REGISTRIES_TOOL_MS ? timeout_ms : REGISTRIES_TOOL_MS;
	j->out_max = 64 * 1024;
	return j;
}

int registries_tools_add(struct batch *b, unsigned timeout_ms, struct registries_tools *t,
			 struct cai_err *err)
{
	static const char *const npm_words[] = { "npm", "config", "get", "registry", NULL };
	static const char *const go_words[] = { "go", "env", "GOPROXY", "GOSUMDB", NULL };

	memset(t, 0, sizeof(*t));
	if (!(t->npm = tool(b, timeout_ms, npm_words, err)) || !(t->go = tool(b, timeout_ms, go_words, err)))
		return -1;
	return 0;
}

void registries_collect(const struct registries_tools *t, const char *workspace,
			struct registries *out)
{
	out->workspace = workspace;
	apt(out);
	npm(out, t->npm);
	pip(out);
	go(out, t->go);
	cargo(out);
}

void registries_release(struct registries *r)
{
	argv_free(&r->notes);
	r->n = 0;
}
