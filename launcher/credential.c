/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include "credential.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decimal.h"
#include "egress.h"
#include "envname.h"
#include "fd.h"
#include "macro.h"

/* The agents' own variables, as their CLIs read them. */
static const struct credential_conf presets[] = {
	{ .name = "anthropic", .upstream = "api.anthropic.com", .port = 443, .header = "x-api-key",
	  .value_env = "ANTHROPIC_API_KEY", .endpoint_env = "ANTHROPIC_BASE_URL",
	  .placeholder_env = "ANTHROPIC_API_KEY" },
	{ .name = "openai", .upstream = "api.openai.com", .port = 443, .header = "Authorization",
	  .prefix = "Bearer", .value_env = "OPENAI_API_KEY", .endpoint_env = "OPENAI_BASE_URL",
	  .endpoint_path = "/v1", .placeholder_env = "OPENAI_API_KEY" },
	{ .name = "gemini", .upstream = "generativelanguage.googleapis.com", .port = 443,
	  .header = "x-goog-api-key", .value_env = "GEMINI_API_KEY",
	  .endpoint_env = "GOOGLE_GEMINI_BASE_URL", .placeholder_env = "GEMINI_API_KEY" },
};

static int token_ok(const char *s, const char *extra)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr(extra, *s)))
			return 0;
	return 1;
}

int credential_name_check(const char *name, struct cai_err *err)
{
	if (!name[0] || strlen(name) > 32 || !token_ok(name, "_-"))
		return err_set(err, 0, "credential name '%.40s': 1 to 32 letters, digits, '_' or '-'",
			       name);
	return 0;
}

static int copy(char *dst, size_t dstsz, const char *key, const char *v, struct cai_err *err)
{
	if (strlen(v) >= dstsz)
		return err_set(err, 0, "%s: longer than %zu characters", key, dstsz - 1);
	snprintf(dst, dstsz, "%s", v);
	return 0;
}

static int env_key(char *dst, size_t dstsz, const char *key, const char *v, struct cai_err *err)
{
	if (!envname_valid(v, strlen(v)))
		return err_set(err, 0, "%s: '%.64s' is not a variable name", key, v);
	return copy(dst, dstsz, key, v, err);
}

static int set_upstream(struct credential_conf *c, const char *v, struct cai_err *err)
{
	const char *colon = strchr(v, ':');
	char host[sizeof(c->upstream)];
	uint64_t port = 443;

	if (colon && decimal_parse(colon + 1, strlen(colon + 1), 65535, &port, err) < 0)
		return err_prefix(err, "upstream port");
	if (!port)
		return err_set(err, 0, "upstream: port 0");
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	if (n >= sizeof(host))
		return err_set(err, 0, "upstream: too long");
	memcpy(host, v, n);
	host[n] = '\0';
	if (host[0] == '*' || egress_domain_check(host, c->upstream, sizeof(c->upstream), err) < 0)
		return host[0] == '*' ? err_set(err, 0, "upstream: one host, not a wildcard")
				      : err_prefix(err, "upstream");
	c->port = (unsigned)port;
	return 0;
}

/* "x-api-key" or "Authorization: Bearer". */
static int set_header(struct credential_conf *c, const char *v, struct cai_err *err)
{
	const char *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : strlen(v);
	const char *prefix = colon ? colon + 1 + strspn(colon + 1, " ") : "";

	if (!n || n >= sizeof(c->header) || strlen(prefix) >= sizeof(c->prefix))
		return err_set(err, 0, "header: 'NAME' or 'NAME: PREFIX'");
	memcpy(c->header, v, n);
	c->header[n] = '\0';
	snprintf(c->prefix, sizeof(c->prefix), "%s", prefix);
	if (!token_ok(c->header, "-") || !token_ok(c->prefix, ""))
		return err_set(err, 0, "header: '%.64s': a name of letters, digits and '-', and a "
				       "prefix of letters", v);
	if (colon && !c->prefix[0])
		return err_set(err, 0, "header: '%.64s': nothing after ':'", v);
	return 0;
}

int credential_set(struct credential_conf *c, const char *key, const char *v, struct cai_err *err)
{
	if (!strcmp(key, "upstream"))
		return set_upstream(c, v, err);
	if (!strcmp(key, "header"))
		return set_header(c, v, err);
	if (!strcmp(key, "value_env"))
		return env_key(c->value_env, sizeof(c->value_env), key, v, err);
	if (!strcmp(key, "endpoint_env"))
		return env_key(c->endpoint_env, sizeof(c->endpoint_env), key, v, err);
	if (!strcmp(key, "placeholder_env"))
		return env_key(c->placeholder_env, sizeof(c->placeholder_env), key, v, err);
	if (!strcmp(key, "value_file")) {
		if (v[0] != '/')
			return err_set(err, 0, "value_file: '%.64s' is not an absolute path", v);
		return copy(c->value_file, sizeof(c->value_file), key, v, err);
	}
	if (!strcmp(key, "endpoint_path")) {
		if (v[0] != '/' || !token_ok(v, "/._-~"))
			return err_set(err, 0, "endpoint_path: '%.64s': '/' then letters, digits, "
					       "'/', '.', '_', '-' or '~'", v);
		return copy(c->endpoint_path, sizeof(c->endpoint_path), key, v, err);
	}
	return err_set(err, 0, "unknown key '%s' in a credential section", key);
}

int credential_complete(const struct credential_conf *c, struct cai_err *err)
{
	if (!c->upstream[0] || !c->header[0] || !c->endpoint_env[0])
		return err_set(err, 0, "[credential %s] needs upstream, header and endpoint_env",
			       c->name);
	if (!c->value_env[0] == !c->value_file[0])
		return err_set(err, 0, "[credential %s] needs exactly one of value_env and value_file",
			       c->name);
	return 0;
}

int credential_value_check(const char *v, struct cai_err *err)
{
	if (!v[0])
		return err_set(err, 0, "the value is empty");
	if (strlen(v) >= CREDENTIAL_VALUE_MAX)
		return err_set(err, 0, "the value is longer than %d bytes", CREDENTIAL_VALUE_MAX - 1);
	/* It is written into squid.conf as a quoted string: nothing there
	 * may end the string, start a macro or a format code. */
	if (!token_ok(v, "._~+/=:-"))
		return err_set(err, 0, "the value has a byte outside letters, digits and ._~+/=:-");
	return 0;
}

int credential_read_file(const char *path, char **value, struct cai_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len;

	*value = NULL;
	if (fd < 0)
		return err_set(err, errno, "%s", path);
	/* Judged on the descriptor read from: what is checked is what is read. */
	if (fstat(fd, &st) < 0)
		return err_set(err, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return err_set(err, 0, "%s: not a regular file", path);
	if (st.st_uid != getuid())
		return err_set(err, 0, "%s: owned by uid %u, not by you", path, (unsigned)st.st_uid);
	if (st.st_mode & 077)
		return err_set(err, 0, "%s: mode %04o lets others read it; chmod 600 it", path,
			       (unsigned)(st.st_mode & 07777));
	if (fd_read_regular(fd, path, CREDENTIAL_VALUE_MAX, &buf, &len, err) < 0)
		return -1;
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (strlen(buf) != len || credential_value_check(buf, err) < 0) {
		explicit_bzero(buf, len);
		return strlen(buf) != len ? err_set(err, 0, "%s: a NUL byte", path) : err_prefix(err, "%s", path);
	}
	*value = buf;
	buf = NULL;
	return 0;
}

/* The value of c: read, checked, and the variable gone from the
 * launcher's environment. */
static int credential_value(struct credential *c, struct cai_err *err)
{
	if (c->c.value_file[0])
		return credential_read_file(c->c.value_file, &c->value, err);
	const char *v = getenv(c->c.value_env);
	if (!v)
		return err_set(err, 0, "%s is not set", c->c.value_env);
	if (credential_value_check(v, err) < 0)
		return err_prefix(err, "%s", c->c.value_env);
	c->value = strdup(v);
	if (!c->value)
		return err_set(err, ENOMEM, "%s", c->c.value_env);
	unsetenv(c->c.value_env);
	return 0;
}

static int add(struct credential *out, size_t *n, const struct credential_conf *c, struct cai_err *err)
{
	if (*n >= CREDENTIAL_MAX)
		return err_set(err, 0, "more than %d credentials", CREDENTIAL_MAX);
	for (size_t i = 0; i < *n; i++) {
		const struct credential_conf *o = &out[i].c;
		if (!strcmp(o->endpoint_env, c->endpoint_env) ||
		    (c->placeholder_env[0] && !strcmp(o->placeholder_env, c->placeholder_env)))
			return err_set(err, 0, "credentials %s and %s set the same variable", o->name,
				       c->name);
	}
	memset(&out[*n], 0, sizeof(out[*n]));
	out[*n].c = *c;
	out[*n].listen_port = CREDENTIAL_FIRST_PORT + (unsigned)*n;
	(*n)++;
	if (credential_value(&out[*n - 1], err) < 0)
		return err_prefix(err, "credential %s", c->name);
	return 0;
}

/* A preset is used when its variable is set and no section has its name. */
static int preset_in_effect(const struct credential_conf *p, const struct credential_conf *conf,
			    size_t nconf)
{
	const char *v = getenv(p->value_env);

	for (size_t i = 0; i < nconf; i++)
		if (!strcmp(conf[i].name, p->name))
			return 0;
	return v && v[0];
}

int credential_resolve(const struct credential_conf *conf, size_t nconf, struct credential *out,
		       size_t *nout, struct cai_err *err)
{
	*nout = 0;
	for (size_t i = 0; i < nconf; i++)
		if (add(out, nout, &conf[i], err) < 0)
			return -1;
	for (size_t p = 0; p < ARRAY_SIZE(presets); p++)
		if (preset_in_effect(&presets[p], conf, nconf) && add(out, nout, &presets[p], err) < 0)
			return -1;
	return 0;
}

void credential_names(const struct credential_conf *conf, size_t nconf, struct argv *out)
{
	for (size_t i = 0; i < nconf; i++)
		argv_pushf(out, "%s (%s)", conf[i].name, conf[i].upstream);
	for (size_t p = 0; p < ARRAY_SIZE(presets); p++)
		if (preset_in_effect(&presets[p], conf, nconf))
			argv_pushf(out, "%s (%s, from %s)", presets[p].name, presets[p].upstream,
				   presets[p].value_env);
}

void credential_sandbox_env(const struct credential *c, const char *addr, struct argv *env)
{
	argv_pushf(env, "%s=http://%s:%u%s", c->c.endpoint_env, addr, c->listen_port,
		   c->c.endpoint_path);
	if (c->c.placeholder_env[0])
		argv_pushf(env, "%s=" CREDENTIAL_PLACEHOLDER, c->c.placeholder_env);
}

void credential_release(struct credential *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (c[i].value)
			explicit_bzero(c[i].value, strlen(c[i].value));
		free(c[i].value);
		c[i].value = NULL;
	}
}
