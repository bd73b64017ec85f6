/* pages: helpers the page handlers share (see pages.h). */
#include "web/pages.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/router.h"

static json_t *str_or_false(const char *s)
{
	return s ? json_string(s) : json_false();
}

json_t *page_new(const char *title)
{
	return json_pack("{s:s, s:[]}", "page_title", title, "errors");
}

json_t *page_input(const char *id, const char *label, const char *type, const char *value,
                   const char *autocomplete, const char *hint, const char *error)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:b, s:b, s:b, s:b}", "id", id,
	                 "name", id, "label", label, "type", str_or_false(type), "value",
	                 str_or_false(value && *value ? value : NULL), "autocomplete",
	                 str_or_false(autocomplete), "hint", str_or_false(hint), "error",
	                 str_or_false(error), "width", 0, "inputmode", 0, "label_size", 0,
	                 "heading", 0);
}

json_t *page_select(const char *id, const char *label, json_t *options, const char *hint,
                    const char *error)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b, s:b}", "id", id, "name", id, "label",
	                 label, "options", options, "hint", str_or_false(hint), "error",
	                 str_or_false(error), "label_size", 0, "heading", 0);
}

json_t *page_option(const char *value, const char *text, bool selected)
{
	return json_pack("{s:s, s:s, s:b}", "value", value, "text", text, "selected", selected);
}

const char *page_error(json_t *page, const char *field, const char *text)
{
	char href[80];
	(void)snprintf(href, sizeof href, "#%s", field);
	json_t *errors = json_object_get(page, "errors");
	if (!json_is_array(errors)) {
		errors = json_array();
		(void)json_object_set_new(page, "errors", errors);
	}
	json_array_append_new(errors, json_pack("{s:s, s:s}", "href", href, "text", text));
	return text;
}

int page_render(struct web_request *req, struct web_response *resp, const char *name, json_t *ctx,
                struct cadre_err *err)
{
	if (!ctx)
		return cadre_err_set(err, CADRE_EINTERNAL, "page %s: no context", name);
	int rc = web_render(req, resp, name, ctx, err);
	json_decref(ctx);
	return rc;
}

int page_form(struct web_request *req, struct cadre_err *err)
{
	const struct form *f;
	return web_req_form(req, &f, err);
}

const char *page_form_value(struct web_request *req, const char *name)
{
	const struct form *f;
	struct cadre_err e;
	if (web_req_form(req, &f, &e) != CADRE_OK)
		return "";
	const char *v = form_get(f, name);
	return v ? v : "";
}

const char *page_query_value(struct web_request *req, const char *name)
{
	const struct form *f;
	struct cadre_err e;
	if (web_req_query(req, &f, &e) != CADRE_OK)
		return NULL;
	return form_get(f, name);
}

bool page_local_path(const char *p)
{
	if (!p || p[0] != '/' || p[1] == '/' || p[1] == '\\')
		return false;
	size_t n = strlen(p);
	if (n > 2048)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c <= 0x20 || c == 0x7f || c == '\\' || c == '"' || c == '<' || c == '>')
			return false;
	}
	return true;
}

void page_when(int64_t us, char out[DATE_LONDON_SIZE])
{
	if (us == 0)
		(void)snprintf(out, DATE_LONDON_SIZE, "never");
	else
		date_london_format(us, out);
}

int page_json(struct web_response *resp, json_t *v, struct cadre_err *err)
{
	if (!v)
		return cadre_err_set(err, CADRE_EINTERNAL, "no JSON to send");
	char *text = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(v);
	if (!text)
		return cadre_err_set(err, CADRE_EINTERNAL, "JSON output failed");
	resp->content_type = "application/json";
	int rc = web_resp_puts(resp, text, err);
	free(text);
	return rc;
}
