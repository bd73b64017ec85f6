#!/usr/bin/env python3
"""mkroutes: build the web route table and the OpenAPI document from the
annotations beside the handlers (as mkindex.py does for commands).

Each handler in src/web/ carries a comment block directly above it:

    /* API: GET /api/v1/orgs/{code:code}
     * PERMISSION: org.read
     * ORG: path code
     * CACHE: no-store
     * One organisation, with its parent and children.
     * (further lines are the help text)
     */
    int api_org_get(struct web_request *req, struct web_response *resp,
                    struct cadre_err *err)

WEBPAGE: declares a page for people (HTML; errors as HTML pages), API: a
JSON route under /api/ (errors as application/problem+json).  Keys, before
the help text:

    PERMISSION: public | a permission id like org.read      (required)
    ORG:        none | path PARAM | lookup FUNCTION          (required)
    CSRF:       yes | no     (default yes for POST/PUT/PATCH/DELETE; GET: no)
    CACHE:      a Cache-Control value (default no-store)
    PRODUCES:   the success media type (default text/html; charset=utf-8
                for pages, application/json for the API)
    BODY:       the largest request body, e.g. 64K, 1M, 10M (default 0 for
                GET, 1M otherwise; at most 64M)

Path patterns: literal segments [a-z0-9._-]+ and parameters {name},
{name:str}, {name:int}, {name:code}.  GET routes also answer HEAD.

    mkroutes.py --version V OUT.c OUT.h SOURCE.c...

writes the sorted table web_routes[] and web_openapi_json[] (OpenAPI 3.1)
to OUT.c and the handler prototypes to OUT.h.  Any malformed annotation
stops the build with FILE:LINE: reason.
"""
import json
import re
import sys

BLOCK = re.compile(
    r"/\*\s*(?P<kind>WEBPAGE|API):\s*(?P<method>\S+)\s+(?P<pattern>\S+)\s*\n"
    r"(?P<body>.*?)\*/\s*\n"
    r"\s*int\s+(?P<fn>[a-z][a-z0-9_]*)\s*\(",
    re.S)
METHODS = ('GET', 'POST', 'PUT', 'PATCH', 'DELETE')
KEYS = ('PERMISSION', 'ORG', 'CSRF', 'CACHE', 'PRODUCES', 'BODY')
PARAM = re.compile(r'^\{([a-z][a-z0-9_]*)(?::(str|int|code))?\}$')
LITERAL = re.compile(r'^[a-z0-9._-]+$')
PERMISSION = re.compile(r'^(public|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$')
HEADER_VALUE = re.compile(r'^[\x20-\x7e]+$')
BODY_MAX = 64 * 1024 * 1024


def cstr(s):
    out = s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')
    return '"' + out + '"'


def die(where, msg):
    sys.exit(f"{where}: {msg}")


def parse_size(where, text):
    m = re.fullmatch(r'(\d+)([KM]?)', text)
    if not m:
        die(where, f"BODY: '{text}' is not a size like 64K or 10M")
    n = int(m.group(1)) * {'': 1, 'K': 1024, 'M': 1024 * 1024}[m.group(2)]
    if n > BODY_MAX:
        die(where, f"BODY: {text} is over the 64M limit")
    return n


def parse_pattern(where, kind, pattern):
    if not pattern.startswith('/'):
        die(where, f"pattern '{pattern}' must start with /")
    if kind == 'API' and not pattern.startswith('/api/'):
        die(where, f"API route '{pattern}' must be under /api/")
    if kind == 'WEBPAGE' and (pattern == '/api' or pattern.startswith('/api/')):
        die(where, f"page '{pattern}' may not be under /api/ (declare it API:)")
    params = []
    if pattern == '/':
        return params, ()
    shape = []
    for seg in pattern[1:].split('/'):
        m = PARAM.match(seg)
        if m:
            name, typ = m.group(1), m.group(2) or 'str'
            if name in [p[0] for p in params]:
                die(where, f"parameter '{name}' appears twice in '{pattern}'")
            params.append((name, typ))
            shape.append('{' + typ + '}')
        elif LITERAL.match(seg):
            shape.append(seg)
        else:
            die(where, f"segment '{seg}' of '{pattern}' is neither [a-z0-9._-]+ nor {{name[:type]}}")
    if len(params) > 8:
        die(where, f"'{pattern}' has more than 8 parameters")
    return params, tuple(shape)


def parse_block(path, text, m):
    line = text.count('\n', 0, m.start()) + 1
    where = f"{path}:{line}"
    kind, method, pattern, fn = m.group('kind'), m.group('method'), m.group('pattern'), m.group('fn')
    if method not in METHODS:
        die(where, f"method '{method}' is not one of {', '.join(METHODS)} (HEAD comes with GET)")
    params, shape = parse_pattern(where, kind, pattern)
    keys = {}
    help_lines = []
    for raw in m.group('body').splitlines():
        l = re.sub(r'^\s*\*\s?', '', raw).rstrip()
        km = re.match(r'^([A-Z]+):\s*(.*)$', l)
        if not help_lines and km and km.group(1) in KEYS:
            if km.group(1) in keys:
                die(where, f"{km.group(1)}: given twice")
            keys[km.group(1)] = km.group(2).strip()
        elif km and km.group(1) in KEYS:
            die(where, f"{km.group(1)}: must come before the help text")
        else:
            help_lines.append(l)
    while help_lines and not help_lines[0]:
        help_lines.pop(0)
    while help_lines and not help_lines[-1]:
        help_lines.pop()
    if not help_lines:
        die(where, f"route {method} {pattern} needs a help line")
    for k in ('PERMISSION', 'ORG'):
        if k not in keys:
            die(where, f"route {method} {pattern} must declare {k}: (no route may forget it)")
    perm = keys['PERMISSION']
    if not PERMISSION.match(perm):
        die(where, f"PERMISSION: '{perm}' is neither public nor an id like org.read")
    org = keys['ORG'].split()
    org_from, org_param, org_lookup = 'WEB_ORG_NONE', None, None
    if org == ['none']:
        pass
    elif len(org) == 2 and org[0] == 'path':
        if org[1] not in [p[0] for p in params]:
            die(where, f"ORG: path {org[1]}: '{pattern}' has no parameter {org[1]}")
        org_from, org_param = 'WEB_ORG_PATH', org[1]
    elif len(org) == 2 and org[0] == 'lookup' and re.fullmatch(r'[a-z][a-z0-9_]*', org[1]):
        org_from, org_lookup = 'WEB_ORG_LOOKUP', org[1]
    else:
        die(where, f"ORG: '{keys['ORG']}' is not none, path PARAM or lookup FUNCTION")
    safe = method == 'GET'
    csrf_text = keys.get('CSRF', 'no' if safe else 'yes')
    if csrf_text not in ('yes', 'no'):
        die(where, f"CSRF: '{csrf_text}' is not yes or no")
    csrf = csrf_text == 'yes'
    if safe and csrf:
        die(where, "CSRF: yes on a GET route: GET must not change anything")
    cache = keys.get('CACHE', 'no-store')
    if not HEADER_VALUE.match(cache):
        die(where, f"CACHE: '{cache}' is not a header value")
    produces = keys.get('PRODUCES', 'application/json' if kind == 'API' else 'text/html; charset=utf-8')
    if not HEADER_VALUE.match(produces):
        die(where, f"PRODUCES: '{produces}' is not a media type")
    body = parse_size(where, keys['BODY']) if 'BODY' in keys else (0 if safe else 1024 * 1024)
    if safe and body:
        die(where, "BODY: a GET route takes no body")
    return {
        'where': where, 'kind': kind, 'method': method, 'pattern': pattern, 'shape': shape,
        'params': params, 'permission': perm, 'org_from': org_from, 'org_param': org_param,
        'org_lookup': org_lookup, 'csrf': csrf, 'cache': cache, 'produces': produces,
        'body': body, 'fn': fn, 'summary': help_lines[0], 'help': '\n'.join(help_lines),
    }


SCHEMAS = {
    'str': {'type': 'string', 'minLength': 1},
    'int': {'type': 'integer', 'format': 'int64', 'minimum': 1},
    'code': {'type': 'string', 'pattern': '^[A-Za-z0-9]{1,16}$'},
}


def openapi(routes, version):
    paths = {}
    for r in routes:
        path = re.sub(r'\{([a-z0-9_]+)(:[a-z]+)?\}', r'{\1}', r['pattern'])
        op = {
            'operationId': r['fn'],
            'summary': r['summary'],
            'description': r['help'],
            'tags': ['api' if r['kind'] == 'API' else 'page'],
        }
        if r['params']:
            op['parameters'] = [{'name': n, 'in': 'path', 'required': True, 'schema': SCHEMAS[t]}
                                for n, t in r['params']]
        media = r['produces'].split(';')[0].strip()
        err_media = 'application/problem+json' if r['kind'] == 'API' else 'text/html'
        err_content = {err_media: {'schema': {'$ref': '#/components/schemas/Problem'}}} \
            if r['kind'] == 'API' else {err_media: {}}
        op['responses'] = {
            '200': {'description': 'Success', 'content': {media: {}}},
            'default': {'description': 'An error (DESIGN.md maps statuses)', 'content': err_content},
        }
        org = 'none'
        if r['org_param']:
            org = 'path:' + r['org_param']
        elif r['org_lookup']:
            org = 'lookup:' + r['org_lookup']
        op['x-cadre-permission'] = r['permission']
        op['x-cadre-org'] = org
        op['x-cadre-csrf'] = r['csrf']
        op['x-cadre-cache'] = r['cache']
        if r['method'] != 'GET':
            op['x-cadre-body-max'] = r['body']
        paths.setdefault(path, {})[r['method'].lower()] = op
    return {
        'openapi': '3.1.0',
        'info': {
            'title': 'Cadre',
            'version': version,
            'summary': 'Workforce planning and leadership talent for the NHS',
            'description': 'Generated at build time from the route annotations beside the '
                           'handlers (tools/mkroutes.py). Every GET route also answers HEAD. '
                           'x-cadre-permission is the permission a route needs (public: none); '
                           'x-cadre-org says how the object\'s organisation is found for the '
                           'scope check. docs/web.md explains the rules.',
            'license': {'name': 'MIT', 'identifier': 'MIT'},
        },
        'paths': paths,
        'components': {
            'schemas': {
                'Problem': {
                    'type': 'object',
                    'description': 'RFC 9457 problem details',
                    'required': ['type', 'title', 'status', 'instance', 'request_id'],
                    'properties': {
                        'type': {'type': 'string', 'format': 'uri-reference'},
                        'title': {'type': 'string'},
                        'status': {'type': 'integer'},
                        'detail': {'type': 'string'},
                        'instance': {'type': 'string', 'format': 'uri-reference'},
                        'request_id': {'type': 'string'},
                        'errors': {
                            'type': 'array',
                            'items': {
                                'type': 'object',
                                'required': ['field', 'detail'],
                                'properties': {'field': {'type': 'string'},
                                               'detail': {'type': 'string'}},
                            },
                        },
                        'more_errors': {'type': 'integer'},
                    },
                },
            },
        },
    }


def main():
    args = sys.argv[1:]
    version = '0'
    if args[:1] == ['--version']:
        version = args[1]
        args = args[2:]
    if len(args) < 2:
        sys.exit(__doc__)
    out, header, sources = args[0], args[1], args[2:]
    routes = []
    for path in sources:
        text = open(path, encoding='utf-8').read()
        for m in BLOCK.finditer(text):
            routes.append(parse_block(path, text, m))
        # an annotation the pattern above did not take is a mistake, not a comment
        found = len(re.findall(r'/\*\s*(WEBPAGE|API):', text))
        taken = len(list(BLOCK.finditer(text)))
        if found != taken:
            die(path, "a WEBPAGE:/API: annotation is malformed or not directly above "
                      "`int handler(`")
    seen = {}
    for r in routes:
        key = (r['method'], r['shape'])
        if key in seen:
            die(r['where'], f"{r['method']} {r['pattern']} overlaps {seen[key]['pattern']} "
                            f"({seen[key]['where']}): the router could not choose")
        seen[key] = r
    fns = [r['fn'] for r in routes]
    dup = sorted({f for f in fns if fns.count(f) > 1})
    if dup:
        die(sources[0] if sources else 'mkroutes', f"handlers used twice: {', '.join(dup)}")
    routes.sort(key=lambda r: (r['pattern'], METHODS.index(r['method'])))
    lookups = sorted({r['org_lookup'] for r in routes if r['org_lookup']})
    with open(header, 'w', encoding='utf-8') as f:
        f.write('/* Generated by tools/mkroutes.py: the route handlers. */\n')
        f.write('#ifndef CADRE_WEB_ROUTES_H\n#define CADRE_WEB_ROUTES_H\n\n'
                '#include "web/router.h"\n\n')
        for r in routes:
            f.write(f'int {r["fn"]}(struct web_request *req, struct web_response *resp, '
                    f'struct cadre_err *err);\n')
        for fn in lookups:
            f.write(f'int {fn}(struct web_request *req, int64_t *org_id, struct cadre_err *err);\n')
        f.write('\n#endif\n')
    doc = json.dumps(openapi(routes, version), indent=2, sort_keys=False, ensure_ascii=True)
    with open(out, 'w', encoding='utf-8') as f:
        f.write('/* Generated by tools/mkroutes.py from the WEBPAGE:/API: annotations in '
                'src/web. */\n')
        f.write('#include "web_routes.h"\n\nconst struct web_route web_routes[] = {\n')
        for r in routes:
            f.write('\t{\n')
            f.write(f'\t    .method = {cstr(r["method"])},\n')
            f.write(f'\t    .pattern = {cstr(r["pattern"])},\n')
            f.write(f'\t    .permission = {cstr(r["permission"])},\n')
            f.write(f'\t    .org_from = {r["org_from"]},\n')
            if r['org_param']:
                f.write(f'\t    .org_param = {cstr(r["org_param"])},\n')
            if r['org_lookup']:
                f.write(f'\t    .org_lookup = {r["org_lookup"]},\n')
                f.write(f'\t    .org_lookup_name = {cstr(r["org_lookup"])},\n')
            f.write(f'\t    .csrf = {"true" if r["csrf"] else "false"},\n')
            f.write(f'\t    .cache = {cstr(r["cache"])},\n')
            f.write(f'\t    .produces = {cstr(r["produces"])},\n')
            f.write(f'\t    .body_max = {r["body"]},\n')
            f.write(f'\t    .kind = {"WEB_ROUTE_API" if r["kind"] == "API" else "WEB_ROUTE_PAGE"},\n')
            f.write(f'\t    .handler = {r["fn"]},\n')
            f.write(f'\t    .handler_name = {cstr(r["fn"])},\n')
            f.write(f'\t    .summary = {cstr(r["summary"])},\n')
            f.write(f'\t    .help = {cstr(r["help"])},\n')
            f.write('\t},\n')
        f.write('};\n')
        f.write(f'const size_t web_route_count = {len(routes)};\n\n')
        # bytes, not a string literal: ISO C promises string literals of
        # only 4095 characters (-Woverlength-strings)
        data = (doc + '\n').encode('utf-8') + b'\0'
        f.write('const char web_openapi_json[] = {\n')
        for i in range(0, len(data), 16):
            f.write('\t' + ', '.join(str(b) for b in data[i:i + 16]) + ',\n')
        f.write('};\n')


if __name__ == '__main__':
    main()
