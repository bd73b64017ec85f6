#include "io/template.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/mem.h"
#include "base/utf8.h"
#include "io/chart_json.h"

/* ---- compiled form ------------------------------------------------------ */

enum node_kind {
	N_TEXT,     /* literal bytes */
	N_VAR,      /* {{name}} */
	N_RAW,      /* {{{producer arg}}} */
	N_SECTION,  /* {{#name}} body {{/name}} */
	N_INVERTED, /* {{^name}} body {{/name}} */
	N_PARTIAL,  /* {{> name}} */
	N_PARENT,   /* {{<name}} blocks {{/name}} */
	N_BLOCK,    /* {{$name}} default {{/name}} */
};

enum node_flag {
	NF_URL_START = 1, /* the value may begin a URL attribute: check its scheme */
};

/* tnode: one node.  Names and text are slices of the template's own copy of
 * its source, so a node costs no allocation of its own. */
struct tnode {
	uint8_t kind;
	uint8_t flags;
	uint32_t line;
	uint32_t off; /* N_TEXT: the bytes; others: the name */
	uint32_t len;
	uint32_t arg_off; /* N_RAW: the argument's name */
	uint32_t arg_len;
	uint32_t end; /* containers: the index just past the body */
	uint32_t ref; /* N_PARTIAL, N_PARENT: template index; N_RAW: producer index */
};

static bool is_container(uint8_t kind)
{
	return kind == N_SECTION || kind == N_INVERTED || kind == N_PARENT || kind == N_BLOCK;
}

struct template_compiled {
	char name[TEMPLATE_NAME_MAX];
	char *path;
	char *text; /* NUL-terminated copy of the source */
	size_t text_len;
	struct tnode *nodes;
	size_t nnodes;
	size_t alloc;
};

#define DEFAULT_MAX_TEMPLATES    256
#define DEFAULT_MAX_SOURCE_BYTES ((size_t)256 * 1024)
#define DEFAULT_MAX_NODES        16384
#define DEFAULT_MAX_NESTING      32

/* ---- characters --------------------------------------------------------- */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char to_lower(char c)
{
	static const char upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	static const char lower[] = "abcdefghijklmnopqrstuvwxyz";
	const char *p = (c >= 'A' && c <= 'Z') ? strchr(upper, c) : NULL;
	if (p)
		return lower[p - upper];
	return c;
}

/* ---- the HTML around each tag ------------------------------------------- */

/* The parser follows the HTML tokenizer far enough to know, at each tag,
 * whether it stands in text, inside a tag, in a quoted attribute value (and
 * which attribute), in a comment, or in <script>/<style>. */
enum html_state {
	HS_TEXT,
	HS_LT,      /* after '<' */
	HS_ENDLT,   /* after "</" */
	HS_TAGNAME, /* reading a tag's name */
	HS_TAG,     /* inside a tag, between attributes */
	HS_ANAME,   /* reading an attribute's name */
	HS_AAFTER,  /* after an attribute's name */
	HS_AEQ,     /* after '=' */
	HS_AVAL_DQ, /* in a "value" */
	HS_AVAL_SQ, /* in a 'value' */
	HS_AVAL_UQ, /* in an unquoted value */
	HS_BANG,    /* after "<!" */
	HS_BANGDASH,
	HS_COMMENT,
	HS_DECL, /* <!DOCTYPE ...>, <?...>, a bogus comment */
	HS_RAW,  /* the text of <script> or <style> */
};

enum attr_kind {
	AK_PLAIN,
	AK_URL,  /* href, src, action, ... */
	AK_JS,   /* on* */
	AK_CSS,  /* style */
	AK_HTML, /* srcdoc */
};

struct html {
	uint8_t state;
	uint8_t closing;  /* the tag being read is an end tag */
	uint8_t tagraw;   /* the tag being read opens raw text: 1 script, 2 style */
	uint8_t akind;    /* the attribute value being read */
	uint8_t url_open; /* in a URL value whose scheme no literal has fixed yet */
	uint8_t dashes;   /* in a comment: '-' seen just before */
	uint8_t raw;      /* in HS_RAW: 1 script, 2 style */
	uint8_t rawpos;   /* in HS_RAW: characters of "</script" matched */
	uint8_t nlen;     /* length of name (may exceed sizeof name) */
	char name[16];    /* the tag or attribute name being read, lower case */
	uint32_t serial;  /* which attribute value this is */
};

static void html_name_start(struct html *h, char c)
{
	h->nlen = 0;
	h->name[h->nlen++] = to_lower(c);
}

static void html_name_add(struct html *h, char c)
{
	if (h->nlen < sizeof h->name)
		h->name[h->nlen] = to_lower(c);
	if (h->nlen < UINT8_MAX)
		h->nlen++;
}

static bool html_name_is(const struct html *h, const char *s)
{
	size_t n = strlen(s);
	return h->nlen == n && n <= sizeof h->name && memcmp(h->name, s, n) == 0;
}

static void html_end_tagname(struct html *h)
{
	h->tagraw = 0;
	if (!h->closing) {
		if (html_name_is(h, "script"))
			h->tagraw = 1;
		else if (html_name_is(h, "style"))
			h->tagraw = 2;
	}
	h->state = HS_TAG;
}

static void html_tag_close(struct html *h)
{
	if (!h->closing && h->tagraw) {
		h->state = HS_RAW;
		h->raw = h->tagraw;
		h->rawpos = 0;
	} else {
		h->state = HS_TEXT;
	}
}

static uint8_t html_attr_kind(const struct html *h)
{
	static const char *const url_attrs[] = {
	    "href",   "src",     "action",     "formaction", "poster",     "cite",     "data",
	    "srcset", "ping",    "background", "manifest",   "codebase",   "longdesc", "usemap",
	    "icon",   "profile", "archive",    "classid",    "xlink:href",
	};
	if (h->nlen > 2 && h->name[0] == 'o' && h->name[1] == 'n')
		return AK_JS;
	if (html_name_is(h, "style"))
		return AK_CSS;
	if (html_name_is(h, "srcdoc"))
		return AK_HTML;
	for (size_t i = 0; i < sizeof url_attrs / sizeof url_attrs[0]; i++)
		if (html_name_is(h, url_attrs[i]))
			return AK_URL;
	return AK_PLAIN;
}

static void html_begin_value(struct html *h, uint8_t state)
{
	h->state = state;
	h->akind = html_attr_kind(h);
	h->url_open = h->akind == AK_URL;
	h->serial++;
}

static void html_feed(struct html *h, char c)
{
	static const char *const raw_end[] = {"", "</script", "</style"};
	bool ws = is_space(c);
	switch (h->state) {
	case HS_TEXT:
		if (c == '<')
			h->state = HS_LT;
		break;
	case HS_LT:
		if (is_alpha(c)) {
			h->closing = 0;
			html_name_start(h, c);
			h->state = HS_TAGNAME;
		} else if (c == '/') {
			h->state = HS_ENDLT;
		} else if (c == '!') {
			h->state = HS_BANG;
		} else if (c == '?') {
			h->state = HS_DECL;
		} else {
			h->state = c == '<' ? HS_LT : HS_TEXT;
		}
		break;
	case HS_ENDLT:
		if (is_alpha(c)) {
			h->closing = 1;
			html_name_start(h, c);
			h->state = HS_TAGNAME;
		} else {
			h->state = c == '>' ? HS_TEXT : HS_DECL;
		}
		break;
	case HS_TAGNAME:
		if (ws || c == '/') {
			html_end_tagname(h);
		} else if (c == '>') {
			html_end_tagname(h);
			html_tag_close(h);
		} else {
			html_name_add(h, c);
		}
		break;
	case HS_TAG:
		if (c == '>')
			html_tag_close(h);
		else if (!ws && c != '/') {
			html_name_start(h, c);
			h->state = HS_ANAME;
		}
		break;
	case HS_ANAME:
	case HS_AAFTER:
		if (ws)
			h->state = HS_AAFTER;
		else if (c == '/')
			h->state = HS_TAG;
		else if (c == '=')
			h->state = HS_AEQ;
		else if (c == '>')
			html_tag_close(h);
		else if (h->state == HS_AAFTER) {
			html_name_start(h, c);
			h->state = HS_ANAME;
		} else {
			html_name_add(h, c);
		}
		break;
	case HS_AEQ:
		if (c == '"')
			html_begin_value(h, HS_AVAL_DQ);
		else if (c == '\'')
			html_begin_value(h, HS_AVAL_SQ);
		else if (c == '>')
			html_tag_close(h);
		else if (!ws)
			html_begin_value(h, HS_AVAL_UQ);
		break;
	case HS_AVAL_DQ:
	case HS_AVAL_SQ:
		if (c == (h->state == HS_AVAL_DQ ? '"' : '\''))
			h->state = HS_TAG;
		else if (c == ':' || c == '/' || c == '?' || c == '#')
			h->url_open = 0;
		break;
	case HS_AVAL_UQ:
		if (ws)
			h->state = HS_TAG;
		else if (c == '>')
			html_tag_close(h);
		break;
	case HS_BANG: h->state = c == '-' ? HS_BANGDASH : c == '>' ? HS_TEXT : HS_DECL; break;
	case HS_BANGDASH:
		if (c == '-') {
			h->state = HS_COMMENT;
			h->dashes = 0;
		} else {
			h->state = c == '>' ? HS_TEXT : HS_DECL;
		}
		break;
	case HS_COMMENT:
		if (c == '-') {
			if (h->dashes < 2)
				h->dashes++;
		} else if (c == '>' && h->dashes >= 2) {
			h->state = HS_TEXT;
		} else {
			h->dashes = 0;
		}
		break;
	case HS_DECL:
		if (c == '>')
			h->state = HS_TEXT;
		break;
	case HS_RAW:
	default: {
		const char *end = raw_end[h->raw < 3 ? h->raw : 0];
		if (end[h->rawpos] != '\0' && to_lower(c) == end[h->rawpos]) {
			h->rawpos++;
			if (end[h->rawpos] == '\0') {
				/* "</script" read: the end tag's name is complete */
				h->closing = 1;
				h->nlen = 0;
				for (size_t i = 2; end[i]; i++)
					html_name_add(h, end[i]);
				h->state = HS_TAGNAME;
			}
		} else {
			h->rawpos = c == '<' ? 1 : 0;
		}
		break;
	}
	}
}

/* html_pause: a template tag interrupts a name being read; finish it. */
static void html_pause(struct html *h)
{
	if (h->state == HS_TAGNAME)
		html_end_tagname(h);
	else if (h->state == HS_ANAME)
		h->state = HS_AAFTER;
}

static bool html_in_tag(const struct html *h)
{
	return h->state == HS_TAG || h->state == HS_AAFTER;
}

static bool html_in_value(const struct html *h)
{
	return h->state == HS_AVAL_DQ || h->state == HS_AVAL_SQ;
}

/* html_where: the place a tag stands, for messages. */
static const char *html_where(const struct html *h)
{
	switch (h->state) {
	case HS_TEXT: return "in text";
	case HS_TAG:
	case HS_AAFTER:
	case HS_ANAME:
	case HS_TAGNAME: return "inside a tag (outside a quoted attribute value)";
	case HS_AEQ:
	case HS_AVAL_UQ: return "in an unquoted attribute value";
	case HS_AVAL_DQ:
	case HS_AVAL_SQ: return "in an attribute value";
	case HS_COMMENT: return "in an HTML comment";
	case HS_RAW: return "inside <script> or <style>";
	default: return "inside markup ('<', '<!' or '</' before it)";
	}
}

/* ---- parsing ------------------------------------------------------------ */

static const char *find2(const char *s, size_t from, size_t n, char c);

struct open_tag {
	uint32_t node;
	struct html h; /* the HTML state where it opened */
};

struct parser {
	const struct template_set *set;
	struct template_compiled *t;
	const char *s;
	size_t n;
	size_t pos;      /* next byte to read */
	size_t line_pos; /* line counted up to here */
	uint32_t line;
	struct html h;
	struct open_tag *open;
	size_t nopen;
	struct cadre_err *err;
};

static int perr(struct parser *p, uint32_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int perr(struct parser *p, uint32_t line, const char *fmt, ...)
{
	char msg[CADRE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cadre_err_set(p->err, CADRE_EINVAL, "%s:%u: %s", p->t->path, line, msg);
}

/* line_at: the 1-based line of byte `at` (at never goes backwards). */
static uint32_t line_at(struct parser *p, size_t at)
{
	for (; p->line_pos < at; p->line_pos++)
		if (p->s[p->line_pos] == '\n')
			p->line++;
	return p->line;
}

static int add_node(struct parser *p, uint8_t kind, uint32_t line, size_t off, size_t len,
                    struct tnode **out)
{
	struct template_compiled *t = p->t;
	if (t->nnodes >= p->set->limits.max_nodes)
		return perr(p, line, "more than %zu tags and text runs", p->set->limits.max_nodes);
	if (t->nnodes == t->alloc) {
		t->alloc = t->alloc ? t->alloc * 2 : 32;
		t->nodes = xreallocarray(t->nodes, t->alloc, sizeof *t->nodes);
	}
	struct tnode *nd = &t->nodes[t->nnodes++];
	memset(nd, 0, sizeof *nd);
	nd->kind = kind;
	nd->line = line;
	nd->off = (uint32_t)off;
	nd->len = (uint32_t)len;
	*out = nd;
	return CADRE_OK;
}

static bool in_parent_body(const struct parser *p)
{
	return p->nopen > 0 && p->t->nodes[p->open[p->nopen - 1].node].kind == N_PARENT;
}

/* emit_text: literal text from the source; fed to the HTML follower. */
static int emit_text(struct parser *p, size_t from, size_t len)
{
	if (len == 0)
		return CADRE_OK;
	if (in_parent_body(p)) {
		for (size_t i = 0; i < len; i++)
			if (!is_space(p->s[from + i]))
				return perr(
				    p, line_at(p, from + i),
				    "text inside {{<%.*s}} outside any {{$block}} (it would "
				    "never show)",
				    (int)p->t->nodes[p->open[p->nopen - 1].node].len,
				    p->t->text + p->t->nodes[p->open[p->nopen - 1].node].off);
		return CADRE_OK;
	}
	for (size_t i = 0; i < len; i++) {
		if (p->s[from + i] == '}' && i + 1 < len && p->s[from + i + 1] == '}')
			return perr(p, line_at(p, from + i),
			            "'}}' outside a tag (did a comment holding '}}' end early?)");
		html_feed(&p->h, p->s[from + i]);
	}
	struct tnode *nd;
	return add_node(p, N_TEXT, line_at(p, from), from, len, &nd);
}

/* valid_value_name: ".", or segments of letters, digits, _ and - joined by
 * single dots. */
static bool valid_value_name(const char *s, size_t n)
{
	if (n == 1 && s[0] == '.')
		return true;
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '.') {
			if (s[i + 1] == '.')
				return false;
		} else if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '-') {
			return false;
		}
	}
	return true;
}

/* valid_template_name: letters, digits, _ - and / (not first or last, not
 * doubled), shorter than TEMPLATE_NAME_MAX less ".html". */
static bool valid_template_name(const char *s, size_t n)
{
	if (n == 0 || n >= TEMPLATE_NAME_MAX - 5 || s[0] == '/' || s[n - 1] == '/')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '/') {
			if (s[i + 1] == '/')
				return false;
		} else if (!is_alpha(c) && !is_digit(c) && c != '_' && c != '-') {
			return false;
		}
	}
	return true;
}

static bool valid_block_name(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_alpha(s[i]) && !is_digit(s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

static int find_producer(const struct template_set *set, const char *s, size_t n)
{
	for (size_t i = 0; i < set->nproducers; i++)
		if (strlen(set->producers[i].name) == n &&
		    memcmp(set->producers[i].name, s, n) == 0)
			return (int)i;
	return -1;
}

static const char *kind_word(uint8_t kind)
{
	switch (kind) {
	case N_SECTION: return "section";
	case N_INVERTED: return "inverted section";
	case N_PARENT: return "parent";
	default: return "block";
	}
}

static char kind_sigil(uint8_t kind)
{
	switch (kind) {
	case N_SECTION: return '#';
	case N_INVERTED: return '^';
	case N_PARENT: return '<';
	default: return '$';
	}
}

/* same_place: whether a container closes where it opened, so the HTML after
 * it reads the same whether or not its body was rendered. */
static bool same_place(const struct html *a, const struct html *b)
{
	if (html_in_tag(a) && html_in_tag(b))
		return true;
	if (a->state != b->state)
		return false;
	if (html_in_value(a))
		return a->serial == b->serial;
	return a->state == HS_TEXT || a->state == HS_COMMENT;
}

static int open_container(struct parser *p, uint8_t kind, uint32_t line, size_t off, size_t len)
{
	if (p->nopen >= p->set->limits.max_nesting)
		return perr(p, line, "sections nested more than %zu deep",
		            p->set->limits.max_nesting);
	struct tnode *nd;
	int rc = add_node(p, kind, line, off, len, &nd);
	if (rc)
		return rc;
	p->open[p->nopen].node = (uint32_t)(p->t->nnodes - 1);
	p->open[p->nopen].h = p->h;
	p->nopen++;
	return CADRE_OK;
}

static int close_container(struct parser *p, uint32_t line, const char *name, size_t len)
{
	if (p->nopen == 0)
		return perr(p, line, "closing tag {{/%.*s}} without an open section", (int)len,
		            name);
	struct open_tag *o = &p->open[p->nopen - 1];
	struct tnode *nd = &p->t->nodes[o->node];
	const char *oname = p->t->text + nd->off;
	if (nd->len != len || memcmp(oname, name, len) != 0)
		return perr(p, line,
		            "closing tag {{/%.*s}} does not match {{%c%.*s}} opened on line %u",
		            (int)len, name, kind_sigil(nd->kind), (int)nd->len, oname, nd->line);
	if (!same_place(&o->h, &p->h))
		return perr(p, line,
		            "%s '%.*s' opened %s on line %u but closes %s: its body must leave "
		            "the HTML where it found it",
		            kind_word(nd->kind), (int)len, name, html_where(&o->h), nd->line,
		            html_where(&p->h));
	if (html_in_tag(&p->h)) {
		p->h.state = HS_TAG;
	} else if (html_in_value(&p->h)) {
		/* the body may have rendered nothing: the scheme may still be open */
		p->h.url_open = p->h.url_open || o->h.url_open;
	}
	nd->end = (uint32_t)p->t->nnodes;
	p->nopen--;
	return CADRE_OK;
}

/* check_text_place: partials, parents, blocks and producers write whole
 * elements, so they stand in text only. */
static int check_text_place(struct parser *p, uint32_t line, const char *what)
{
	if (p->h.state != HS_TEXT)
		return perr(p, line, "%s may only stand in text, not %s", what, html_where(&p->h));
	return CADRE_OK;
}

static int parse_tag(struct parser *p, uint32_t line, char sigil, bool triple, const char *c,
                     size_t n)
{
	struct tnode *nd;
	int rc;
	size_t off = (size_t)(c - p->s);

	if (in_parent_body(p) && sigil != '$' && sigil != '/' && sigil != '!')
		return perr(p, line,
		            "only {{$block}} tags and comments may stand inside {{<parent}}");
	html_pause(&p->h);

	if (triple || sigil == '&') {
		size_t w = 0;
		while (w < n && !is_space(c[w]))
			w++;
		const char *arg = c;
		size_t alen = w;
		if (w < n) {
			arg = c + w;
			alen = n - w;
			while (alen && is_space(*arg)) {
				arg++;
				alen--;
			}
		}
		int pi = find_producer(p->set, c, w);
		if (pi < 0)
			return perr(
			    p, line,
			    "'%.*s' is not a registered producer of trusted HTML: unescaped "
			    "output comes only from producers (docs/templates.md)",
			    (int)w, c);
		if (!valid_value_name(arg, alen))
			return perr(p, line, "bad name '%.*s' for producer %.*s", (int)alen, arg,
			            (int)w, c);
		if ((rc = check_text_place(p, line, "unescaped output")))
			return rc;
		if ((rc = add_node(p, N_RAW, line, off, w, &nd)))
			return rc;
		nd->arg_off = (uint32_t)(arg - p->s);
		nd->arg_len = (uint32_t)alen;
		nd->ref = (uint32_t)pi;
		return CADRE_OK;
	}

	switch (sigil) {
	case '!':
		if (find2(c, 0, n, '{'))
			return perr(p, line,
			            "'{{' inside a comment: a comment ends at the first '}}', "
			            "so it cannot hold tags");
		return CADRE_OK;
	case '=': return perr(p, line, "set-delimiter tags {{=...=}} are not supported");
	case '#':
	case '^':
		if (!valid_value_name(c, n))
			return perr(p, line, "bad section name '%.*s'", (int)n, c);
		if (!html_in_tag(&p->h) && !html_in_value(&p->h) && p->h.state != HS_TEXT &&
		    p->h.state != HS_COMMENT)
			return perr(p, line, "a section may not open %s", html_where(&p->h));
		return open_container(p, sigil == '#' ? N_SECTION : N_INVERTED, line, off, n);
	case '/': return close_container(p, line, c, n);
	case '>':
	case '<':
		if (!valid_template_name(c, n))
			return perr(p, line, "bad template name '%.*s'", (int)n, c);
		if ((rc = check_text_place(p, line, sigil == '>' ? "a partial" : "a parent")))
			return rc;
		if (sigil == '<')
			return open_container(p, N_PARENT, line, off, n);
		return add_node(p, N_PARTIAL, line, off, n, &nd);
	case '$':
		if (!valid_block_name(c, n))
			return perr(p, line, "bad block name '%.*s'", (int)n, c);
		if ((rc = check_text_place(p, line, "a block")))
			return rc;
		return open_container(p, N_BLOCK, line, off, n);
	default: break;
	}

	if (!valid_value_name(c, n))
		return perr(p, line, "bad name '%.*s'", (int)n, c);
	if (p->h.state == HS_TEXT || p->h.state == HS_COMMENT)
		return add_node(p, N_VAR, line, off, n, &nd);
	if (!html_in_value(&p->h))
		return perr(p, line,
		            "{{%.*s}} stands %s: a value may only stand in text or inside a "
		            "quoted attribute value",
		            (int)n, c, html_where(&p->h));
	if (p->h.akind == AK_JS || p->h.akind == AK_CSS || p->h.akind == AK_HTML)
		return perr(p, line,
		            "{{%.*s}} stands in the attribute '%.*s', where HTML escaping does not "
		            "protect it (script, style or srcdoc)",
		            (int)n, c, (int)(p->h.nlen < sizeof p->h.name ? p->h.nlen : 16),
		            p->h.name);
	if ((rc = add_node(p, N_VAR, line, off, n, &nd)))
		return rc;
	if (p->h.akind == AK_URL && p->h.url_open)
		nd->flags |= NF_URL_START;
	return CADRE_OK;
}

static bool standalone_sigil(char sigil)
{
	return sigil == '#' || sigil == '^' || sigil == '/' || sigil == '>' || sigil == '<' ||
	       sigil == '$' || sigil == '!';
}

static const char *find2(const char *s, size_t from, size_t n, char c)
{
	for (size_t i = from; i + 1 < n; i++)
		if (s[i] == c && s[i + 1] == c)
			return s + i;
	return NULL;
}

static int parse(struct parser *p)
{
	const char *s = p->s;
	size_t n = p->n;
	int rc;
	for (;;) {
		const char *o = find2(s, p->pos, n, '{');
		if (!o)
			return emit_text(p, p->pos, n - p->pos);
		size_t at = (size_t)(o - s);
		size_t i = at + 2;
		bool triple = i < n && s[i] == '{';
		char sigil = 0;
		if (triple)
			i++;
		else if (i < n && strchr("#^/>!&<$=", s[i]) && s[i] != '\0')
			sigil = s[i++];
		/* the closing braces: on the same line, except for comments */
		size_t close = i;
		for (;; close++) {
			if (close + 1 >= n || (s[close] == '\n' && sigil != '!')) {
				size_t show = 0;
				while (at + show < n && show < 24 && s[at + show] != '\n')
					show++;
				return perr(p, line_at(p, at),
				            "unclosed tag '%.*s': no '}}' on its line", (int)show,
				            s + at);
			}
			if (s[close] == '}' && s[close + 1] == '}')
				break;
		}
		size_t end = close + 2;
		if (triple) {
			if (end >= n || s[end] != '}')
				return perr(p, line_at(p, at),
				            "unclosed tag '{{{': expected '}}}'");
			end++;
		}
		/* standalone: only blanks around the tag on its line */
		bool standalone = false;
		size_t ls = at, le = end;
		if (standalone_sigil(sigil) && !triple) {
			while (ls > 0 && (s[ls - 1] == ' ' || s[ls - 1] == '\t'))
				ls--;
			while (le < n && (s[le] == ' ' || s[le] == '\t'))
				le++;
			bool at_start = ls == 0 || s[ls - 1] == '\n';
			if (at_start && le == n) {
				standalone = true;
			} else if (at_start && s[le] == '\n') {
				standalone = true;
				le++;
			} else if (at_start && s[le] == '\r' && le + 1 < n && s[le + 1] == '\n') {
				standalone = true;
				le += 2;
			}
			if (ls < p->pos)
				standalone = false; /* a previous tag shares the line */
		}
		if ((rc = emit_text(p, p->pos, (standalone ? ls : at) - p->pos)))
			return rc;
		uint32_t line = line_at(p, at);
		const char *c = s + i;
		size_t cn = close - i;
		if (sigil != '!') {
			while (cn && is_space(*c)) {
				c++;
				cn--;
			}
			while (cn && is_space(c[cn - 1]))
				cn--;
		}
		if ((rc = parse_tag(p, line, sigil, triple, c, cn)))
			return rc;
		p->pos = standalone ? le : end;
	}
}

static int parse_template(const struct template_set *set, struct template_compiled *t,
                          struct cadre_err *err)
{
	struct parser p;
	memset(&p, 0, sizeof p);
	p.set = set;
	p.t = t;
	p.s = t->text;
	p.n = t->text_len;
	p.line = 1;
	p.err = err;
	p.open = xcalloc(set->limits.max_nesting ? set->limits.max_nesting : 1, sizeof *p.open);
	int rc = parse(&p);
	if (rc == CADRE_OK && p.nopen > 0) {
		const struct tnode *nd = &t->nodes[p.open[p.nopen - 1].node];
		rc = perr(&p, nd->line, "unclosed %s '%.*s'", kind_word(nd->kind), (int)nd->len,
		          t->text + nd->off);
	}
	if (rc == CADRE_OK && p.h.state != HS_TEXT)
		rc = perr(&p, line_at(&p, p.n), "the template ends %s", html_where(&p.h));
	free(p.open);
	return rc;
}

/* ---- the set ------------------------------------------------------------ */

void template_set_init(struct template_set *set)
{
	memset(set, 0, sizeof *set);
	set->limits.max_templates = DEFAULT_MAX_TEMPLATES;
	set->limits.max_source_bytes = DEFAULT_MAX_SOURCE_BYTES;
	set->limits.max_nodes = DEFAULT_MAX_NODES;
	set->limits.max_nesting = DEFAULT_MAX_NESTING;
	(void)template_set_add_producer(set, "csrf_field", template_produce_csrf_field, NULL);
	/* the SPC chart and its data table (io/chart_json.h) */
	(void)chart_producers_add(set, NULL);
}

int template_set_add_producer(struct template_set *set, const char *name, template_producer_fn fn,
                              struct cadre_err *err)
{
	size_t n = strlen(name);
	if (set->loaded)
		return cadre_err_set(err, CADRE_EINVAL,
		                     "producer %s: the templates are already loaded", name);
	if (n == 0 || n >= TEMPLATE_NAME_MAX || !(name[0] >= 'a' && name[0] <= 'z'))
		return cadre_err_set(err, CADRE_EINVAL, "bad producer name '%s'", name);
	for (size_t i = 0; i < n; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || is_digit(name[i]) || name[i] == '_'))
			return cadre_err_set(err, CADRE_EINVAL, "bad producer name '%s'", name);
	if (!fn)
		return cadre_err_set(err, CADRE_EINVAL, "producer %s has no function", name);
	if (find_producer(set, name, n) >= 0)
		return cadre_err_set(err, CADRE_EINVAL, "producer %s registered twice", name);
	if (set->nproducers >= TEMPLATE_MAX_PRODUCERS)
		return cadre_err_set(err, CADRE_EINVAL, "more than %d producers",
		                     TEMPLATE_MAX_PRODUCERS);
	memcpy(set->producers[set->nproducers].name, name, n + 1);
	set->producers[set->nproducers].fn = fn;
	set->nproducers++;
	return CADRE_OK;
}

static void compiled_free(struct template_compiled *t)
{
	free(t->path);
	free(t->text);
	free(t->nodes);
}

static int cmp_compiled(const void *a, const void *b)
{
	const struct template_compiled *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->path, y->path);
}

static long find_template(const struct template_set *set, const char *name, size_t n)
{
	size_t lo = 0, hi = set->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *m = set->items[mid].name;
		int c = strncmp(m, name, n);
		if (c == 0 && m[n] != '\0')
			c = 1;
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* line_of: the line of byte `at` of a loaded source, for messages. */
static unsigned line_of(const char *s, size_t at)
{
	unsigned line = 1;
	for (size_t i = 0; i < at; i++)
		if (s[i] == '\n')
			line++;
	return line;
}

static int load_one(struct template_set *set, const struct template_source *src,
                    struct template_compiled *t, struct cadre_err *err)
{
	const char *path = src->path ? src->path : src->name ? src->name : "(template)";
	t->path = xstrdup(path);
	if (!src->name)
		return cadre_err_set(err, CADRE_EINVAL, "%s: a template has no name", path);
	size_t nl = strlen(src->name);
	if (nl > 5 && memcmp(src->name + nl - 5, ".html", 5) == 0)
		nl -= 5;
	if (!valid_template_name(src->name, nl))
		return cadre_err_set(
		    err, CADRE_EINVAL,
		    "%s: bad template name '%s' (letters, digits, _ - /, then .html)", path,
		    src->name);
	memcpy(t->name, src->name, nl);
	t->name[nl] = '\0';
	size_t cap = set->limits.max_source_bytes;
	if (cap > UINT32_MAX - 1)
		cap = UINT32_MAX - 1;
	if (src->len > cap)
		return cadre_err_set(err, CADRE_EINVAL, "%s: larger than %zu bytes", path, cap);
	t->text = xmalloc(src->len + 1);
	if (src->len)
		memcpy(t->text, src->data, src->len);
	t->text[src->len] = '\0';
	t->text_len = src->len;
	const char *nul = memchr(t->text, '\0', t->text_len);
	if (nul)
		return cadre_err_set(err, CADRE_EINVAL, "%s:%u: a NUL byte", path,
		                     line_of(t->text, (size_t)(nul - t->text)));
	size_t bad = 0;
	if (!utf8_valid(t->text, t->text_len, &bad))
		return cadre_err_set(err, CADRE_EINVAL, "%s:%u: not valid UTF-8", path,
		                     line_of(t->text, bad));
	return parse_template(set, t, err);
}

/* resolve: point every partial and parent at its template. */
static int resolve(struct template_set *set, struct cadre_err *err)
{
	for (size_t i = 0; i < set->count; i++) {
		struct template_compiled *t = &set->items[i];
		for (size_t j = 0; j < t->nnodes; j++) {
			struct tnode *nd = &t->nodes[j];
			if (nd->kind != N_PARTIAL && nd->kind != N_PARENT)
				continue;
			long k = find_template(set, t->text + nd->off, nd->len);
			if (k < 0)
				return cadre_err_set(
				    err, CADRE_EINVAL, "%s:%u: unknown %s '%.*s'", t->path,
				    nd->line, nd->kind == N_PARTIAL ? "partial" : "parent template",
				    (int)nd->len, t->text + nd->off);
			nd->ref = (uint32_t)k;
		}
	}
	return CADRE_OK;
}

int template_set_load(struct template_set *set, const struct template_source *src, size_t n,
                      struct cadre_err *err)
{
	if (set->loaded || set->count)
		return cadre_err_set(err, CADRE_EINVAL, "templates: the set is already loaded");
	if (n > set->limits.max_templates)
		return cadre_err_set(err, CADRE_EINVAL, "templates: more than %zu templates",
		                     set->limits.max_templates);
	set->items = xcalloc(n ? n : 1, sizeof *set->items);
	int rc = CADRE_OK;
	size_t done = 0;
	for (; done < n; done++) {
		rc = load_one(set, &src[done], &set->items[done], err);
		if (rc) {
			done++;
			goto fail;
		}
	}
	set->count = n;
	qsort(set->items, n, sizeof *set->items, cmp_compiled);
	for (size_t i = 1; i < n; i++)
		if (strcmp(set->items[i - 1].name, set->items[i].name) == 0) {
			rc = cadre_err_set(
			    err, CADRE_EINVAL, "%s: a second template named '%s' (%s)",
			    set->items[i].path, set->items[i].name, set->items[i - 1].path);
			goto fail;
		}
	if ((rc = resolve(set, err)))
		goto fail;
	set->loaded = true;
	return CADRE_OK;
fail:
	for (size_t i = 0; i < done; i++)
		compiled_free(&set->items[i]);
	free(set->items);
	set->items = NULL;
	set->count = 0;
	return rc;
}

int template_set_load_embedded(struct template_set *set, struct cadre_err *err)
{
	return template_set_load(set, template_embedded, template_embedded_count, err);
}

void template_set_free(struct template_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		compiled_free(&set->items[i]);
	free(set->items);
	set->items = NULL;
	set->count = 0;
	set->loaded = false;
}

bool template_set_has(const struct template_set *set, const char *name)
{
	return find_template(set, name, strlen(name)) >= 0;
}

/* ---- escaping and URLs -------------------------------------------------- */

/* The eight characters {{value}} escapes, and what each becomes. */
static const char *const escapes[256] = {
    ['&'] = "&amp;",  ['<'] = "&lt;",   ['>'] = "&gt;",  ['"'] = "&quot;",
    ['\''] = "&#39;", ['/'] = "&#x2F;", ['`'] = "&#96;", ['='] = "&#61;",
};

int template_escape_html(struct buf *out, const char *s, size_t len, struct cadre_err *err)
{
	size_t run = 0;
	for (size_t i = 0; i < len; i++) {
		const char *e = escapes[(unsigned char)s[i]];
		if (!e)
			continue;
		int rc = buf_append(out, s + run, i - run, err);
		if (rc == CADRE_OK)
			rc = buf_puts(out, e, err);
		if (rc)
			return rc;
		run = i + 1;
	}
	return buf_append(out, s + run, len - run, err);
}

static bool ieq(const char *a, size_t n, const char *b)
{
	if (strlen(b) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (to_lower(a[i]) != b[i])
			return false;
	return true;
}

bool template_url_safe(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '/' || c == '?' || c == '#')
			return true; /* no scheme before the path, query or fragment */
		if (c == ':')
			return ieq(s, i, "http") || ieq(s, i, "https") || ieq(s, i, "mailto") ||
			       ieq(s, i, "tel");
	}
	return true;
}

int template_produce_csrf_field(const json_t *value, struct buf *out, struct cadre_err *err)
{
	const char *tok = json_is_string(value) ? json_string_value(value) : NULL;
	size_t n = tok ? json_string_length(value) : 0;
	if (!tok || n < 16 || n > 128)
		return cadre_err_set(err, CADRE_EINTERNAL,
		                     "csrf_field: no CSRF token of 16 to 128 "
		                     "characters in the context");
	for (size_t i = 0; i < n; i++)
		if (!is_alpha(tok[i]) && !is_digit(tok[i]) && tok[i] != '-' && tok[i] != '_')
			return cadre_err_set(
			    err, CADRE_EINTERNAL,
			    "csrf_field: the CSRF token holds a character other than "
			    "letters, digits, - and _");
	int rc =
	    buf_puts(out, "<input type=\"hidden\" name=\"" TEMPLATE_CSRF_FIELD "\" value=\"", err);
	if (rc == CADRE_OK)
		rc = buf_append(out, tok, n, err);
	if (rc == CADRE_OK)
		rc = buf_puts(out, "\">", err);
	return rc;
}

/* ---- rendering ---------------------------------------------------------- */

/* overrides: the blocks a child passed to the parent being rendered; a
 * chain, newest (innermost parent) first, on the C stack. */
struct overrides {
	const struct template_compiled *t;
	uint32_t from, to; /* the parent tag's body in t */
	const struct overrides *next;
};

struct render {
	const struct template_set *set;
	struct buf *out;
	unsigned flags;
	const json_t *stack[TEMPLATE_CONTEXT_DEPTH];
	size_t depth;
	size_t calls;
	const struct overrides *ovr;
	struct cadre_err *err;
};

static int rfail(struct render *r, const struct template_compiled *t, const struct tnode *nd,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int rfail(struct render *r, const struct template_compiled *t, const struct tnode *nd,
                 const char *fmt, ...)
{
	char msg[CADRE_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cadre_err_set(r->err, CADRE_EINTERNAL, "%s:%u: %s", t->path, nd->line, msg);
}

static int emit(struct render *r, const struct template_compiled *t, const struct tnode *nd,
                const char *p, size_t n, bool escape)
{
	int rc = escape ? template_escape_html(r->out, p, n, NULL) : buf_append(r->out, p, n, NULL);
	if (rc)
		return rfail(r, t, nd, "the page is larger than the reply cap of %zu bytes",
		             r->out->cap);
	return CADRE_OK;
}

/* lookup: a name in the context stack, Mustache's way: the first segment in
 * the innermost object that has it, the rest inside that value (a segment of
 * digits indexes an array).  NULL when missing. */
static const json_t *lookup(const struct render *r, const char *name, size_t len)
{
	if (len == 1 && name[0] == '.')
		return r->depth ? r->stack[r->depth - 1] : NULL;
	size_t seg = 0;
	while (seg < len && name[seg] != '.')
		seg++;
	const json_t *v = NULL;
	for (size_t i = r->depth; i-- > 0 && !v;)
		if (json_is_object(r->stack[i]))
			v = json_object_getn(r->stack[i], name, seg);
	while (v && seg < len) {
		const char *s = name + seg + 1;
		size_t n = 0;
		while (s + n < name + len && s[n] != '.')
			n++;
		if (json_is_object(v)) {
			v = json_object_getn(v, s, n);
		} else if (json_is_array(v)) {
			size_t idx = 0;
			bool digits = n > 0 && n < 10;
			for (size_t k = 0; k < n && digits; k++) {
				if (is_digit(s[k]))
					idx = idx * 10 + (size_t)(s[k] - '0');
				else
					digits = false;
			}
			if (!digits)
				v = NULL;
			else if (idx < json_array_size(v))
				v = json_array_get(v, idx);
			else
				v = json_null(); /* "list.0" of an empty list: present, false */
		} else {
			v = NULL;
		}
		seg = (size_t)(s + n - name);
	}
	return v;
}

static bool truthy(const json_t *v)
{
	if (!v)
		return false;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE: return false;
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_ARRAY: return json_array_size(v) > 0;
	default: return true;
	}
}

static int missing(struct render *r, const struct template_compiled *t, const struct tnode *nd,
                   uint32_t off, uint32_t len)
{
	if (!(r->flags & TEMPLATE_STRICT))
		return CADRE_OK;
	return rfail(r, t, nd, "no value for '%.*s' (strict mode)", (int)len, t->text + off);
}

static int write_value(struct render *r, const struct template_compiled *t, const struct tnode *nd,
                       const json_t *v)
{
	char num[48];
	const char *s = NULL;
	size_t n = 0;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		break;
	case JSON_INTEGER:
		n = (size_t)snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT,
		                     json_integer_value(v));
		s = num;
		break;
	case JSON_REAL:
		n = (size_t)snprintf(num, sizeof num, "%.15g", json_real_value(v));
		s = num;
		break;
	case JSON_TRUE:
		s = "true";
		n = 4;
		break;
	case JSON_FALSE:
		s = "false";
		n = 5;
		break;
	case JSON_NULL: return CADRE_OK;
	default:
		if (r->flags & TEMPLATE_STRICT)
			return rfail(r, t, nd, "'%.*s' is an object or array, not a value",
			             (int)nd->len, t->text + nd->off);
		return CADRE_OK;
	}
	if ((nd->flags & NF_URL_START) && !template_url_safe(s, n)) {
		if (r->flags & TEMPLATE_STRICT)
			return rfail(r, t, nd, "'%.*s' is not a safe URL", (int)nd->len,
			             t->text + nd->off);
		s = "#unsafe-url";
		n = strlen(s);
	}
	return emit(r, t, nd, s, n, true);
}

/* frame: one range of nodes being rendered, and what to undo when it ends.
 * Rendering walks an explicit stack of frames rather than recursing, so a
 * page's depth is bounded by RENDER_FRAMES whatever the templates and data. */
struct frame {
	const struct template_compiled *t;
	uint32_t i, from, to;
	bool pops_ctx;     /* pushed one context */
	bool is_call;      /* a partial, a parent or a block override: counts in calls */
	bool has_ovr;      /* a parent call: o is on the override chain */
	const json_t *arr; /* a section over an array: the array, element k on the stack */
	size_t k;
	struct overrides o;
	const struct overrides *saved_ovr;
};

#define RENDER_FRAMES (TEMPLATE_CONTEXT_DEPTH + TEMPLATE_CALL_DEPTH + 32)

struct frames {
	struct frame f[RENDER_FRAMES];
	size_t n;
};

/* enter: push a frame for nodes [from, to) of t; NULL (err set) when the
 * stack is full.  `at` and `at_t` name the tag that asked, for messages. */
static struct frame *enter(struct render *r, struct frames *fs, const struct template_compiled *t,
                           uint32_t from, uint32_t to, const struct template_compiled *at_t,
                           const struct tnode *at)
{
	if (fs->n >= RENDER_FRAMES) {
		(void)rfail(r, at_t, at, "sections and partials nested more than %d deep",
		            RENDER_FRAMES);
		return NULL;
	}
	struct frame *f = &fs->f[fs->n++];
	memset(f, 0, sizeof *f);
	f->t = t;
	f->i = from;
	f->from = from;
	f->to = to;
	return f;
}

/* enter_call: enter for a partial, a parent or a block override. */
static struct frame *enter_call(struct render *r, struct frames *fs,
                                const struct template_compiled *t, uint32_t from, uint32_t to,
                                const struct template_compiled *at_t, const struct tnode *at)
{
	if (r->calls >= TEMPLATE_CALL_DEPTH) {
		(void)rfail(r, at_t, at, "partials, parents and blocks nested more than %d deep",
		            TEMPLATE_CALL_DEPTH);
		return NULL;
	}
	struct frame *f = enter(r, fs, t, from, to, at_t, at);
	if (f) {
		f->is_call = true;
		r->calls++;
	}
	return f;
}

/* enter_section: enter a section's body with v as the innermost context. */
static int enter_section(struct render *r, struct frames *fs, const struct template_compiled *t,
                         const struct tnode *nd, uint32_t body, const json_t *v, const json_t *arr)
{
	if (r->depth >= TEMPLATE_CONTEXT_DEPTH)
		return rfail(r, t, nd, "sections nested more than %d deep", TEMPLATE_CONTEXT_DEPTH);
	struct frame *f = enter(r, fs, t, body, nd->end, t, nd);
	if (!f)
		return CADRE_EINTERNAL;
	r->stack[r->depth++] = v;
	f->pops_ctx = true;
	f->arr = arr;
	return CADRE_OK;
}

/* leave: the top frame's range is done: the next array element, or undo
 * what entering did and pop it. */
static void leave(struct render *r, struct frames *fs)
{
	struct frame *f = &fs->f[fs->n - 1];
	if (f->arr && f->k + 1 < json_array_size(f->arr)) {
		f->k++;
		r->stack[r->depth - 1] = json_array_get(f->arr, f->k);
		f->i = f->from;
		return;
	}
	if (f->pops_ctx)
		r->depth--;
	if (f->is_call)
		r->calls--;
	if (f->has_ovr)
		r->ovr = f->saved_ovr;
	fs->n--;
}

/* find_block: the override for block `name` from the outermost child that
 * gives one, or NULL; *owner is the template holding it. */
static const struct tnode *find_block(const struct render *r, const char *name, uint32_t len,
                                      const struct template_compiled **owner)
{
	const struct tnode *found = NULL;
	for (const struct overrides *o = r->ovr; o; o = o->next) {
		for (uint32_t i = o->from; i < o->to;) {
			const struct tnode *b = &o->t->nodes[i];
			if (b->kind == N_BLOCK && b->len == len &&
			    memcmp(o->t->text + b->off, name, len) == 0) {
				found = b;
				*owner = o->t;
			}
			i = is_container(b->kind) ? b->end : i + 1;
		}
	}
	return found;
}

/* step: render the node at the top frame's position and move on. */
static int step(struct render *r, struct frames *fs)
{
	struct frame *f = &fs->f[fs->n - 1];
	const struct template_compiled *t = f->t;
	uint32_t idx = f->i;
	const struct tnode *nd = &t->nodes[idx];
	const char *name = t->text + nd->off;
	const struct template_compiled *callee;
	const json_t *v;
	int rc = CADRE_OK;
	f->i = is_container(nd->kind) ? nd->end : idx + 1;
	switch (nd->kind) {
	case N_TEXT: return emit(r, t, nd, name, nd->len, false);
	case N_VAR:
		v = lookup(r, name, nd->len);
		return v ? write_value(r, t, nd, v) : missing(r, t, nd, nd->off, nd->len);
	case N_RAW:
		v = lookup(r, t->text + nd->arg_off, nd->arg_len);
		if (!v && (rc = missing(r, t, nd, nd->arg_off, nd->arg_len)))
			return rc;
		if (r->set->producers[nd->ref].fn(v, r->out, r->err) != CADRE_OK) {
			/* a producer's failure is the server's, whatever its status */
			cadre_err_prefix(r->err, "%s:%u", t->path, nd->line);
			if (r->err)
				r->err->status = CADRE_EINTERNAL;
			return CADRE_EINTERNAL;
		}
		return CADRE_OK;
	case N_SECTION:
	case N_INVERTED:
		v = lookup(r, name, nd->len);
		if (!v && (rc = missing(r, t, nd, nd->off, nd->len)))
			return rc;
		if (nd->kind == N_INVERTED) {
			if (!truthy(v) && !enter(r, fs, t, idx + 1, nd->end, t, nd))
				return CADRE_EINTERNAL;
			return CADRE_OK;
		}
		if (json_is_array(v))
			return json_array_size(v)
			           ? enter_section(r, fs, t, nd, idx + 1, json_array_get(v, 0), v)
			           : CADRE_OK;
		return truthy(v) ? enter_section(r, fs, t, nd, idx + 1, v, NULL) : CADRE_OK;
	case N_PARTIAL:
		callee = &r->set->items[nd->ref];
		return enter_call(r, fs, callee, 0, (uint32_t)callee->nnodes, t, nd)
		           ? CADRE_OK
		           : CADRE_EINTERNAL;
	case N_PARENT: {
		callee = &r->set->items[nd->ref];
		struct frame *c = enter_call(r, fs, callee, 0, (uint32_t)callee->nnodes, t, nd);
		if (!c)
			return CADRE_EINTERNAL;
		c->o.t = t;
		c->o.from = idx + 1;
		c->o.to = nd->end;
		c->o.next = r->ovr;
		c->saved_ovr = r->ovr;
		c->has_ovr = true;
		r->ovr = &c->o;
		return CADRE_OK;
	}
	case N_BLOCK:
	default: {
		const struct tnode *b = find_block(r, name, nd->len, &callee);
		if (b)
			return enter_call(r, fs, callee, (uint32_t)(b - callee->nodes) + 1, b->end,
			                  t, nd)
			           ? CADRE_OK
			           : CADRE_EINTERNAL;
		return enter(r, fs, t, idx + 1, nd->end, t, nd) ? CADRE_OK : CADRE_EINTERNAL;
	}
	}
}

int template_render(const struct template_set *set, const char *name, const json_t *ctx,
                    unsigned flags, struct buf *out, struct cadre_err *err)
{
	long k = find_template(set, name, strlen(name));
	if (k < 0)
		return cadre_err_set(err, CADRE_EINTERNAL, "no template named '%s'", name);
	struct render r;
	memset(&r, 0, sizeof r);
	r.set = set;
	r.out = out;
	r.flags = flags;
	r.err = err;
	r.stack[r.depth++] = ctx;
	size_t start = out->len;
	const struct template_compiled *t = &set->items[k];
	struct frames frames; /* about 8 KiB of the caller's stack */
	struct frames *fs = &frames;
	fs->n = 0;
	int rc = enter(&r, fs, t, 0, (uint32_t)t->nnodes, t, t->nodes) ? CADRE_OK : CADRE_EINTERNAL;
	while (rc == CADRE_OK && fs->n > 0) {
		const struct frame *top = &fs->f[fs->n - 1];
		if (top->i >= top->to)
			leave(&r, fs);
		else
			rc = step(&r, fs);
	}
	if (rc) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	return rc;
}
