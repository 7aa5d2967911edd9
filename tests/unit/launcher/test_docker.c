/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "answer.h"
#include "docker.h"
#include "macro.h"
#include "unit.h"

static char *const info_argv[] = { "docker", "--context", "c", "info", "--format", "{{json .}}", NULL };

/* docker_json of text as a successful `docker info` answer. */
static json_t *read_answer(const char *text, size_t len, json_type want, struct cai_err *err)
{
	char buf[256];
	struct proc_job j;

	memcpy(buf, text, len);
	buf[len] = '\0';
	answer_job(&j, info_argv, buf, len);
	return docker_json(&j, want, err);
}

#define READ(text, want, err) read_answer(text, sizeof(text) - 1, want, err)

TEST(docker_json_reads_one_value_of_the_type_asked)
{
	struct cai_err err;
	json_auto_t *obj = READ("{\"Runtimes\": {\"runc\": {}}}\n", JSON_OBJECT, &err);
	json_auto_t *str = READ("\"sysbox-runc\"\n", JSON_STRING, &err);

	CHECK(json_is_object(json_object_get(obj, "Runtimes")));
	CHECK_STR(json_string_value(str), "sysbox-runc");
}

TEST(docker_json_refuses_another_type)
{
	struct cai_err err;

	CHECK(READ("\"runc\"", JSON_OBJECT, &err) == NULL);
	CHECK_STR(err.msg, "docker info: answer is not the expected JSON");
	CHECK(READ("[{}]", JSON_OBJECT, &err) == NULL);
	CHECK(READ("{}", JSON_STRING, &err) == NULL);
	CHECK(READ("null", JSON_OBJECT, &err) == NULL);
}

/* Which of two values would count is each parser's own guess: an engine
 * (or whatever answers as one) must not get to choose. */
TEST(docker_json_refuses_a_repeated_key)
{
	struct cai_err err;

	CHECK(READ("{\"Privileged\": false, \"Privileged\": true}", JSON_OBJECT, &err) == NULL);
	CHECK(READ("{\"a\": {\"b\": 1, \"b\": 1}}", JSON_OBJECT, &err) == NULL);
}

/* Exactly one document: nothing after it, not even behind a NUL byte. */
TEST(docker_json_refuses_trailing_bytes)
{
	struct cai_err err;

	CHECK(READ("{} {}", JSON_OBJECT, &err) == NULL);
	CHECK(READ("{\"a\": 1} x", JSON_OBJECT, &err) == NULL);
	CHECK(READ("{\"a\": 1}\0{\"a\": 2}", JSON_OBJECT, &err) == NULL);
	CHECK(READ("", JSON_OBJECT, &err) == NULL);
}

/* Only a call that ran to its end and exited 0 is read: never half a
 * document, never what a failing CLI printed. */
TEST(docker_json_refuses_a_failed_or_cut_call)
{
	static const struct {
		int truncated, exit_code, timed_out, exited;
		const char *why;
	} cases[] = {
		{ 1, 0, 0, 1, "docker info: output larger than" },
		{ 0, 1, 0, 1, "docker info: exit status 1" },
		{ 0, 0, 1, 1, "docker info: no answer within" },
		{ 0, 0, 0, 0, "docker info: killed by a signal" },
	};
	char out[] = "{\"a\": 1}";

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct cai_err err;
		struct proc_job j;
		answer_job(&j, info_argv, out, strlen(out));
		j.out_truncated = cases[i].truncated;
		j.exit_code = cases[i].exit_code;
		j.timed_out = cases[i].timed_out;
		j.exited = cases[i].exited;
		CHECK(docker_json(&j, JSON_OBJECT, &err) == NULL);
		CHECK_CONTAINS(err.msg, cases[i].why);
	}
}

/* Every call names the engine resolved at start. */
TEST(docker_argv_pins_the_engine)
{
	struct docker d = { .cli = "docker", .flag = "-H", .target = "tcp://127.0.0.1:1" };
	_cleanup_argv_ struct argv a = { 0 };
	struct cai_err err;

	docker_argv(&d, &a);
	CHECK_INT(argv_ok(&a, &err), 0);
	CHECK_INT(a.n, 3);
	CHECK_STR(a.v[1], "-H");
	CHECK_STR(a.v[2], "tcp://127.0.0.1:1");
}

/* The engine's socket, for the workspace gate: only a unix:// endpoint
 * with an absolute path names one. */
TEST(docker_socket_path_of_the_endpoint)
{
	struct docker d = { 0 };

	snprintf(d.endpoint, sizeof(d.endpoint), "unix:///run/user/1000/docker.sock");
	CHECK_STR(docker_socket_path(&d), "/run/user/1000/docker.sock");
	snprintf(d.endpoint, sizeof(d.endpoint), "tcp://127.0.0.1:2375");
	CHECK(docker_socket_path(&d) == NULL);
	snprintf(d.endpoint, sizeof(d.endpoint), "unix://relative.sock");
	CHECK(docker_socket_path(&d) == NULL);
	d.endpoint[0] = '\0';
	CHECK(docker_socket_path(&d) == NULL);
}
