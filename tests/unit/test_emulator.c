/* Unit tests of the emulator's request handling, without sockets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emulator/emulator.h"
#include "emulator/internal.h"

struct reply {
	struct emu_response r;
	cJSON *json;
};

static struct emu *
new_emu(void (*tweak)(struct emu_config *))
{
	struct emu_config cfg;
	struct emu *emu = NULL;

	emu_config_init(&cfg);
	cfg.seed = 1;
	cfg.clock = 1700000000;
	if (tweak)
		tweak(&cfg);
	assert_int_equal(emu_new(&emu, &cfg), 0);
	emu_config_release(&cfg);
	return emu;
}

static void
call_h(struct reply *out, struct emu *emu, const char *method,
    const char *target, const struct emu_header *h, size_t nh,
    const char *body)
{
	struct emu_request req = { 0 };

	memset(out, 0, sizeof(*out));
	req.method = method;
	req.target = target;
	req.headers = h;
	req.nr_headers = nh;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	emu_handle(emu, &req, &out->r);
	out->json = cJSON_Parse(ps_buf_cstr(&out->r.body));
}

static void
call(struct reply *out, struct emu *emu, const char *method,
    const char *target, const char *body)
{
	static const struct emu_header auth = { "Authorization", "Bearer test-key" };

	call_h(out, emu, method, target, &auth, 1, body);
}

static void
reply_release(struct reply *r)
{
	emu_response_release(&r->r);
	cJSON_Delete(r->json);
}

static const char *
str_at(const cJSON *o, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);

	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void
test_emulator__create_retrieve_modify_archive(void **state)
{
	struct emu *emu = new_emu(NULL);
	struct reply r;
	char id[64], path[128];
	const cJSON *tags;

	call(&r, emu, "POST", "/v1/organization/projects",
	    "{\"name\":\"A\",\"tags\":{\"k\":\"v\",\"x\":\"y\"}}");
	assert_int_equal(r.r.status, 200);
	assert_int_equal(r.r.action, EMU_RESPOND);
	snprintf(id, sizeof(id), "%s", str_at(r.json, "id", NULL));
	assert_int_equal(strlen(id), 25);
	assert_true(emu__id_valid(id));
	assert_string_equal(str_at(r.json, "data_retention", "mode"), "inherit");
	assert_memory_equal(r.r.request_id, "req_", 4);
	assert_int_equal(strlen(r.r.request_id), 36);
	reply_release(&r);

	snprintf(path, sizeof(path), "/v1/organization/projects/%s", id);
	call(&r, emu, "POST", path, "{\"add_tags\":{\"k\":\"w\"},"
	    "\"remove_tag_keys\":[\"x\",\"absent\"],\"name\":\"B\"}");
	assert_int_equal(r.r.status, 200);
	tags = cJSON_GetObjectItemCaseSensitive(r.json, "tags");
	assert_int_equal(cJSON_GetArraySize(tags), 1);
	assert_string_equal(str_at(r.json, "tags", "k"), "w");
	assert_string_equal(str_at(r.json, "name", NULL), "B");
	reply_release(&r);

	snprintf(path, sizeof(path), "/v1/organization/projects/%s/archive", id);
	call(&r, emu, "POST", path, NULL);
	assert_int_equal(r.r.status, 200);
	assert_string_equal(str_at(r.json, "status", NULL), "archived");
	assert_int_equal(cJSON_GetObjectItem(r.json, "archived_at")->valuedouble,
	    1700000000);
	reply_release(&r);

	snprintf(path, sizeof(path), "/v1/organization/projects/%s", id);
	call(&r, emu, "POST", path, "{\"name\":\"C\"}");
	assert_int_equal(r.r.status, 400);
	assert_string_equal(str_at(r.json, "error", "code"), "project_archived");
	reply_release(&r);
	emu_free(emu);
}

/* Create validation: each body and the first rule it breaks. */
static void
test_emulator__create_validation_table(void **state)
{
	static const struct {
		const char *body;
		unsigned status;
		const char *code, *param;
	} cases[] = {
		{ "", 400, "invalid_json", NULL },
		{ "{", 400, "invalid_json", NULL },
		{ "{\"name\":\"a\"}x", 400, "invalid_json", NULL },
		{ "{\"name\":\"a\\u0000\"}", 400, "invalid_json", NULL },
		{ "{\"name\":\"a\x01\"}", 400, "invalid_json", NULL },
		{ "{\"name\":\"\xff\"}", 400, "invalid_json", NULL },
		{ "{\"a\":{\"b\":1,\"b\":2},\"name\":\"x\"}", 400, "invalid_json", NULL },
		{ "null", 400, "invalid_type", NULL },
		{ "{}", 400, "missing_required_parameter", "name" },
		{ "{\"name\":[]}", 400, "invalid_type", "name" },
		{ "{\"name\":\"\\u2003\"}", 400, "invalid_value", "name" },
		{ "{\"name\":\"a\",\"tags\":[]}", 400, "invalid_type", "tags" },
		{ "{\"name\":\"a\",\"tags\":{\"k\":true}}", 400, "invalid_type", "tags" },
		{ "{\"name\":\"a\",\"tags\":{\"\":\"v\"}}", 400, "invalid_tag_key", "tags" },
		{ "{\"name\":\"a\",\"tags\":{\"k*\":\"v\"}}", 400, "invalid_tag_key", "tags" },
		{ "{\"name\":\"a\",\"tags\":{\"k\":\"v\\n\"}}", 400, "invalid_tag_value", "tags" },
		{ "{\"name\":\"a\",\"tags\":{\"Aws:k\":\"v\"}}", 400, "reserved_tag_key", "tags" },
		{ "{\"name\":\"a\",\"tags\":{\"k\":\"aws:v\"}}", 200, NULL, NULL },
		{ "{\"name\":\"a\",\"data_retention\":null}", 400, "invalid_type", "data_retention" },
		{ "{\"name\":\"a\",\"data_retention\":{\"mode\":1}}", 400, "invalid_value", "data_retention.mode" },
		{ "{\"name\":\"a\",\"Name\":\"b\"}", 400, "unknown_parameter", "Name" },
		{ "{\"name\":\"a\",\"residency\":\"EU\"}", 200, NULL, NULL },
		{ " {\"name\":\"ok\"}\r\n", 200, NULL, NULL },
	};
	struct emu *emu = new_emu(NULL);
	struct reply r;
	size_t i;

	for (i = 0; i < PS_ARRAY_SIZE(cases); i++) {
		call(&r, emu, "POST", "/v1/organization/projects", cases[i].body);
		if (r.r.status != cases[i].status)
			fail_msg("case %zu (%s): status %u", i, cases[i].body,
			    r.r.status);
		if (cases[i].code) {
			const cJSON *p = cJSON_GetObjectItem(
			    cJSON_GetObjectItem(r.json, "error"), "param");
			assert_string_equal(str_at(r.json, "error", "code"),
			    cases[i].code);
			if (cases[i].param)
				assert_string_equal(p->valuestring, cases[i].param);
			else
				assert_true(cJSON_IsNull(p));
		}
		reply_release(&r);
	}
	emu_free(emu);
}

static void
test_emulator__routes_and_auth(void **state)
{
	static const struct emu_header xkey = { "X-API-KEY", "test-key" };
	static const struct emu_header wrong = { "authorization", "Bearer x" };
	static const struct emu_header sig = { "Authorization",
	    "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/bedrock/"
	    "aws4_request, SignedHeaders=host, Signature=0" };
	struct emu *emu = new_emu(NULL);
	struct reply r;

	call(&r, emu, "DELETE", "/v1/organization/projects/default", NULL);
	assert_int_equal(r.r.status, 405);
	assert_string_equal(r.r.allow, "GET, POST");
	reply_release(&r);
	call(&r, emu, "GET", "/openai/v1/organization/projects", NULL);
	assert_int_equal(r.r.status, 404);
	reply_release(&r);
	call_h(&r, emu, "GET", "/v1/organization/projects", &xkey, 1, NULL);
	assert_int_equal(r.r.status, 200);
	reply_release(&r);
	call_h(&r, emu, "GET", "/v1/organization/projects", &wrong, 1, NULL);
	assert_int_equal(r.r.status, 401);
	assert_string_equal(str_at(r.json, "error", "code"), "invalid_api_key");
	reply_release(&r);
	call_h(&r, emu, "GET", "/v1/organization/projects", &sig, 1, NULL);
	assert_int_equal(r.r.status, 401);
	reply_release(&r);
	call_h(&r, emu, "GET", "/v1/organization/projects", NULL, 0, NULL);
	assert_int_equal(r.r.status, 401);
	reply_release(&r);
	emu_free(emu);
}

static void
tweak_faults(struct emu_config *cfg)
{
	cfg->fault_drop_create = 1.0;
	cfg->retry_after = EMU_RA_MS;
}

static void
test_emulator__drop_create_commits(void **state)
{
	struct emu *emu = new_emu(tweak_faults);
	struct reply r;
	const cJSON *data;

	call(&r, emu, "POST", "/v1/organization/projects", "{\"name\":\"d\"}");
	assert_int_equal(r.r.action, EMU_DROP);
	reply_release(&r);
	call(&r, emu, "GET", "/v1/organization/projects", NULL);
	assert_int_equal(r.r.action, EMU_RESPOND);
	data = cJSON_GetObjectItem(r.json, "data");
	assert_int_equal(cJSON_GetArraySize(data), 2);
	reply_release(&r);
	emu_free(emu);
}

static void
tweak_429(struct emu_config *cfg)
{
	cfg->fault_429 = 1.0;
	cfg->retry_after = EMU_RA_MS;
	cfg->retry_after_value = 250;
}

static void
tweak_reset(struct emu_config *cfg)
{
	cfg->fault_reset = 1.0;
}

static void
test_emulator__faults_have_no_side_effects(void **state)
{
	struct emu *emu = new_emu(tweak_429);
	struct reply r;

	call(&r, emu, "POST", "/v1/organization/projects", "{\"name\":\"d\"}");
	assert_int_equal(r.r.status, 429);
	assert_null(r.r.retry_after);
	assert_string_equal(r.r.retry_after_ms, "250");
	assert_string_equal(str_at(r.json, "error", "type"), "requests");
	reply_release(&r);
	/* the test routes are never faulted */
	call(&r, emu, "GET", "/_emulator/stats", NULL);
	assert_int_equal(r.r.status, 200);
	assert_int_equal(cJSON_GetObjectItem(r.json, "projects")->valueint, 0);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(r.json,
	    "faults"), "429")->valueint, 1);
	reply_release(&r);
	emu_free(emu);

	emu = new_emu(tweak_reset);
	call(&r, emu, "POST", "/v1/organization/projects", "{\"name\":\"d\"}");
	assert_int_equal(r.r.action, EMU_RESET);
	reply_release(&r);
	call(&r, emu, "GET", "/_emulator/stats", NULL);
	assert_int_equal(cJSON_GetObjectItem(r.json, "projects")->valueint, 0);
	reply_release(&r);
	emu_free(emu);
}

static char state_path[64];

static void
tweak_state(struct emu_config *cfg)
{
	cfg->state_file = xstrdup(state_path);
}

/* List order: default, then created_at ascending, ties broken by id. */
static void
test_emulator__list_order_and_paging(void **state)
{
	static const char doc[] = "{\"version\":1,\"epoch\":5,\"projects\":["
	    "{\"id\":\"proj_c\",\"name\":\"c\",\"created_at\":30,\"status\":\"active\",\"tags\":{}},"
	    "{\"id\":\"proj_b\",\"name\":\"b\",\"created_at\":20,\"status\":\"archived\",\"archived_at\":25,\"tags\":{}},"
	    "{\"id\":\"proj_z\",\"name\":\"z\",\"created_at\":10,\"status\":\"active\",\"tags\":{\"k\":\"v\"}},"
	    "{\"id\":\"proj_a\",\"name\":\"a\",\"created_at\":20,\"status\":\"active\",\"tags\":{}}]}";
	static const char *const want_all[] = {
		"default", "proj_z", "proj_a", "proj_b", "proj_c"
	};
	struct emu *emu;
	struct reply r;
	const cJSON *data, *it;
	size_t i = 0;
	int fd;

	snprintf(state_path, sizeof(state_path), "/tmp/emu-unit-XXXXXX");
	fd = mkstemp(state_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, doc, sizeof(doc) - 1), (ssize_t)sizeof(doc) - 1);
	close(fd);
	emu = new_emu(tweak_state);

	call(&r, emu, "GET", "/v1/organization/projects?include_archived=true", NULL);
	data = cJSON_GetObjectItem(r.json, "data");
	cJSON_ArrayForEach(it, data)
		assert_string_equal(str_at(it, "id", NULL), want_all[i++]);
	assert_int_equal(i, 5);
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(data, 0),
	    "created_at")->valueint, 5);
	reply_release(&r);

	/* after an archived id, filtered: the page starts after its place */
	call(&r, emu, "GET", "/v1/organization/projects?after=proj_b&limit=1", NULL);
	data = cJSON_GetObjectItem(r.json, "data");
	assert_int_equal(cJSON_GetArraySize(data), 1);
	assert_string_equal(str_at(cJSON_GetArrayItem(data, 0), "id", NULL), "proj_c");
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(r.json, "has_more")));
	reply_release(&r);

	call(&r, emu, "GET", "/v1/organization/projects?limit=2", NULL);
	assert_string_equal(str_at(r.json, "last_id", NULL), "proj_z");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(r.json, "has_more")));
	reply_release(&r);

	/* reset keeps the file in step */
	call(&r, emu, "POST", "/_emulator/reset", NULL);
	assert_int_equal(r.r.status, 200);
	reply_release(&r);
	emu_free(emu);
	emu = new_emu(tweak_state);
	call(&r, emu, "GET", "/v1/organization/projects?include_archived=true", NULL);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.json, "data")), 1);
	reply_release(&r);
	emu_free(emu);
	unlink(state_path);
}

/* The index stays correct while it grows (lookups O(1), positions by
 * binary search). */
static void
test_emulator__store_index(void **state)
{
	struct emu_store st;
	struct emu_project *p;
	char id[32];
	size_t i;

	emu__store_init(&st, 1);
	for (i = 0; i < 1000; i++) {
		p = xcalloc(1, sizeof(*p));
		snprintf(id, sizeof(id), "proj_%04zu", 999 - i);
		p->id = xstrdup(id);
		p->name = xstrdup("n");
		p->created_at = (int64_t)(i % 7);
		emu__store_insert(&st, p);
	}
	assert_int_equal(st.nr, 1000);
	for (i = 0; i < st.nr; i++) {
		p = emu__store_find(&st, st.order[i]->id);
		assert_ptr_equal(p, st.order[i]);
		assert_int_equal(emu__store_index(&st, p), i);
		if (i)
			assert_true(st.order[i - 1]->created_at < p->created_at ||
			    (st.order[i - 1]->created_at == p->created_at &&
			    strcmp(st.order[i - 1]->id, p->id) < 0));
	}
	assert_null(emu__store_find(&st, "proj_x"));
	assert_non_null(emu__store_find(&st, "default"));
	emu__store_release(&st);
}

static void
test_emulator__json_escape(void **state)
{
	struct ps_buf b = PS_BUF_INIT;

	emu__json_str(&b, "a\"b\\c\n\x01\xc3\xa9");
	assert_string_equal(ps_buf_cstr(&b), "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
	ps_buf_release(&b);
}

static void
test_emulator__log_redacts(void **state)
{
	static const struct emu_header h[] = {
		{ "Authorization", "Bearer test-key" },
		{ "X-Amz-Security-Token", "sekrit" },
	};
	struct emu *emu = new_emu(NULL);
	struct reply r;

	call_h(&r, emu, "GET", "/v1/organization/projects?limit=5", h, 2, NULL);
	reply_release(&r);
	call(&r, emu, "GET", "/_emulator/requests", NULL);
	assert_int_equal(r.r.status, 200);
	assert_null(strstr(ps_buf_cstr(&r.r.body), "test-key"));
	assert_null(strstr(ps_buf_cstr(&r.r.body), "sekrit"));
	assert_non_null(strstr(ps_buf_cstr(&r.r.body), "\"limit\":\"5\""));
	reply_release(&r);
	emu_free(emu);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulator__create_retrieve_modify_archive),
		cmocka_unit_test(test_emulator__create_validation_table),
		cmocka_unit_test(test_emulator__routes_and_auth),
		cmocka_unit_test(test_emulator__drop_create_commits),
		cmocka_unit_test(test_emulator__faults_have_no_side_effects),
		cmocka_unit_test(test_emulator__list_order_and_paging),
		cmocka_unit_test(test_emulator__store_index),
		cmocka_unit_test(test_emulator__json_escape),
		cmocka_unit_test(test_emulator__log_redacts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
