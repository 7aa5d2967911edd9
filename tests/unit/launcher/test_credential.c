/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "credential.h"
#include "unit.h"

TEST(credential_keys_are_checked)
{
	struct credential_conf c = { 0 };
	struct cai_err err;

	CHECK_INT(credential_set(&c, "upstream", "api.example.com:8443", &err), 0);
	CHECK_STR(c.upstream, "api.example.com");
	CHECK_INT(c.port, 8443);
	CHECK_INT(credential_set(&c, "upstream", "*.example.com", &err), -1);
	CHECK_INT(credential_set(&c, "upstream", "api.example.com:0", &err), -1);
	CHECK_INT(credential_set(&c, "upstream", "api.example.com:65536", &err), -1);
	CHECK_INT(credential_set(&c, "header", "x-api-key", &err), 0);
	CHECK_STR(c.header, "x-api-key");
	CHECK_STR(c.prefix, "");
	CHECK_INT(credential_set(&c, "header", "Authorization: Bearer", &err), 0);
	CHECK_STR(c.header, "Authorization");
	CHECK_STR(c.prefix, "Bearer");
	CHECK_INT(credential_set(&c, "header", "X: \"quoted\"", &err), -1);
	CHECK_INT(credential_set(&c, "header", "Bad Header", &err), -1);
	CHECK_INT(credential_set(&c, "header", "X:", &err), -1);
	CHECK_INT(credential_set(&c, "endpoint_env", "1BAD", &err), -1);
	CHECK_INT(credential_set(&c, "value_file", "relative/key", &err), -1);
	CHECK_INT(credential_set(&c, "endpoint_path", "/v1", &err), 0);
	CHECK_INT(credential_set(&c, "endpoint_path", "v1", &err), -1);
	CHECK_INT(credential_set(&c, "endpoint_path", "/v1?x=%", &err), -1);
	CHECK_INT(credential_set(&c, "value", "x", &err), -1);
	CHECK_CONTAINS(err.msg, "unknown key 'value'");
	CHECK_INT(credential_name_check("open-ai_2", &err), 0);
	CHECK_INT(credential_name_check("bad name", &err), -1);
}

TEST(credential_sections_need_one_source)
{
	struct credential_conf c = { .name = "x" };
	struct cai_err err;

	CHECK_INT(credential_complete(&c, &err), -1);
	CHECK_CONTAINS(err.msg, "needs upstream, header and endpoint_env");
	credential_set(&c, "upstream", "a.example", &err);
	credential_set(&c, "header", "x-api-key", &err);
	credential_set(&c, "endpoint_env", "X_BASE_URL", &err);
	CHECK_INT(credential_complete(&c, &err), -1);
	CHECK_CONTAINS(err.msg, "exactly one of value_env and value_file");
	credential_set(&c, "value_env", "X_KEY", &err);
	CHECK_INT(credential_complete(&c, &err), 0);
	credential_set(&c, "value_file", "/k", &err);
	CHECK_INT(credential_complete(&c, &err), -1);
}

TEST(credential_values_are_a_safe_alphabet)
{
	struct cai_err err;

	CHECK_INT(credential_value_check("sk-ant-api03_AbC.def~+/=:x", &err), 0);
	CHECK_INT(credential_value_check("", &err), -1);
	CHECK_INT(credential_value_check("a\"b", &err), -1);
	CHECK_INT(credential_value_check("a%b", &err), -1);
	CHECK_INT(credential_value_check("${x}", &err), -1);
	CHECK_INT(credential_value_check("a b", &err), -1);
	CHECK_INT(credential_value_check("a\nb", &err), -1);
}

static char *write_key(const char *text, mode_t mode)
{
	static char path[] = "/tmp/cai-unit-key.XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) < 0 || fchmod(fd, mode) < 0)
		return NULL;
	close(fd);
	return path;
}

TEST(credential_file_only_the_user_reads)
{
	struct cai_err err;
	char *v = NULL;
	char *path = write_key("sk-file-key\n", 0600);

	CHECK(path != NULL);
	CHECK_INT(credential_read_file(path, &v, &err), 0);
	CHECK_STR(v, "sk-file-key");
	free(v);
	chmod(path, 0640);
	CHECK_INT(credential_read_file(path, &v, &err), -1);
	CHECK_CONTAINS(err.msg, "lets others read it");
	chmod(path, 0604);
	CHECK_INT(credential_read_file(path, &v, &err), -1);
	chmod(path, 0600);
	char link[64];
	snprintf(link, sizeof(link), "%s.link", path);
	CHECK_INT(symlink(path, link), 0);
	CHECK_INT(credential_read_file(link, &v, &err), -1);
	unlink(link);
	/* Owned by another uid (unit tests run as root: give it away). */
	if (getuid() == 0) {
		CHECK_INT(chown(path, 1234, 1234), 0);
		CHECK_INT(credential_read_file(path, &v, &err), -1);
		CHECK_CONTAINS(err.msg, "not by you");
	}
	unlink(path);
	CHECK_INT(credential_read_file("/dev/null", &v, &err), -1);
	CHECK_CONTAINS(err.msg, "not a regular file");
}

TEST(credential_presets_follow_the_environment_and_leave_it)
{
	struct credential out[CREDENTIAL_MAX];
	struct cai_err err;
	size_t n;

	unsetenv("ANTHROPIC_API_KEY");
	unsetenv("GEMINI_API_KEY");
	setenv("OPENAI_API_KEY", "sk-openai-1", 1);
	CHECK_INT(credential_resolve(NULL, 0, out, &n, &err), 0);
	CHECK_INT(n, 1);
	CHECK_STR(out[0].c.name, "openai");
	CHECK_STR(out[0].value, "sk-openai-1");
	CHECK_STR(out[0].c.prefix, "Bearer");
	CHECK_INT(out[0].listen_port, CREDENTIAL_FIRST_PORT);
	/* The docker CLIs the launcher starts never hold it. */
	CHECK(getenv("OPENAI_API_KEY") == NULL);
	_cleanup_argv_ struct argv env = { 0 };
	credential_sandbox_env(&out[0], "172.20.0.2", &env);
	CHECK_INT(env.n, 2);
	CHECK_STR(env.v[0], "OPENAI_BASE_URL=http://172.20.0.2:8081/v1");
	CHECK_STR(env.v[1], "OPENAI_API_KEY=" CREDENTIAL_PLACEHOLDER);
	credential_release(out, n);
	CHECK(out[0].value == NULL);
}

TEST(credential_a_section_replaces_its_preset)
{
	struct credential_conf conf = { .name = "anthropic" };
	struct credential out[CREDENTIAL_MAX];
	struct cai_err err;
	size_t n;

	credential_set(&conf, "upstream", "proxy.example.com", &err);
	credential_set(&conf, "header", "x-api-key", &err);
	credential_set(&conf, "endpoint_env", "ANTHROPIC_BASE_URL", &err);
	credential_set(&conf, "value_env", "MY_KEY", &err);
	setenv("MY_KEY", "k1", 1);
	setenv("ANTHROPIC_API_KEY", "k2", 1);
	unsetenv("OPENAI_API_KEY");
	unsetenv("GEMINI_API_KEY");
	CHECK_INT(credential_resolve(&conf, 1, out, &n, &err), 0);
	CHECK_INT(n, 1);
	CHECK_STR(out[0].c.upstream, "proxy.example.com");
	credential_release(out, n);
	setenv("MY_KEY", "bad value", 1);
	CHECK_INT(credential_resolve(&conf, 1, out, &n, &err), -1);
	CHECK_CONTAINS(err.msg, "credential anthropic: MY_KEY");
	credential_release(out, n);
}
