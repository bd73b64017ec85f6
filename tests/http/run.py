#!/usr/bin/env python3
"""run: Cadre's HTTP tests, as TAP on standard output.

    tests/http/run.py [--cadre PATH] [--only NAME...]

Two kinds of test:

1. Request files, tests/http/*.test, each one request run through
   `cadre http` (the router and handlers in-process, no socket) and the
   reply checked.  The format (docs/web.md, "HTTP tests"):

       # comments
       --- args
       --as workforce_planner --peer 10.1.1.1
       --- config
       [server]
       trusted_proxies = 10.0.0.0/8
       --- request
       GET /healthz HTTP/1.1
       Host: localhost
       --- body
       a=1
       --- expect
       status 200
       header Content-Type: text/plain; charset=utf-8
       header-present X-Request-Id
       header-absent Set-Cookie
       header-contains Allow: GET
       body-contains ok
       body-absent SELECT
       body-empty
       body-has-request-id
       json title = "Not Found"
       json paths|/healthz|get|x-cadre-csrf = false
       security-headers
       exit 0

   The runner first makes two accounts and two API tokens (FIXTURES) that
   the files may name.  With `--as ROLE`, the CSRF token is the one of the
   all-zero session id (docs/web.md):
   93eb2d24d7643ac242f002d60cd7ce501a9880ec96e38b321c657a54f3a67078.

   `--- request` lines are joined with CR LF and end with a blank line; a
   `--- body` follows it (its last newline dropped), with a Content-Length
   added when the request has none.  `--- raw` instead gives the request's
   bytes exactly: newlines in the file are dropped, so every CR LF is
   written \\r\\n.  In request, raw and body text, \\r \\n \\t \\\\ \\xHH are
   escapes and ${repeat:TEXT:N} is TEXT N times.

2. Server tests against real `cadre serve` processes on free ports:
   graceful shutdown draining an in-flight request, the drain deadline,
   refusing a missing database, TLS, and two servers on one PostgreSQL
   database.  They need tests/pg-harness (CADRE_TEST_PGHOST/PORT); without
   it that test fails rather than skips.
"""
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
results = []


def tap(ok, name, diag=None):
    results.append(ok)
    print(f"{'ok' if ok else 'not ok'} {len(results)} - {name}")
    if not ok and diag:
        for line in str(diag).splitlines()[:40]:
            print(f"# {line}")
    sys.stdout.flush()


def unescape(text):
    def repeat(m):
        return unescape(m.group(1)) * int(m.group(2))
    out = bytearray()
    i = 0
    while i < len(text):
        m = re.match(r'\$\{repeat:(.*?):(\d+)\}', text[i:])
        if m:
            out += repeat(m)
            i += m.end()
            continue
        c = text[i]
        if c == '\\' and i + 1 < len(text):
            n = text[i + 1]
            if n == 'r':
                out += b'\r'
            elif n == 'n':
                out += b'\n'
            elif n == 't':
                out += b'\t'
            elif n == '\\':
                out += b'\\'
            elif n == 'x':
                out.append(int(text[i + 2:i + 4], 16))
                i += 2
            else:
                out += ('\\' + n).encode()
            i += 2
            continue
        out += c.encode('utf-8')
        i += 1
    return bytes(out)


def parse_test(path):
    sections = {}
    current = None
    for line in open(path, encoding='utf-8').read().split('\n'):
        m = re.match(r'^--- (\w+)\s*$', line)
        if m:
            current = m.group(1)
            sections[current] = []
            continue
        if current is None:
            continue  # the comment block at the top
        sections[current].append(line)
    for k in sections:
        while sections[k] and sections[k][-1] == '':
            sections[k].pop()
    return sections


def build_request(sec):
    if 'raw' in sec:
        return unescape(''.join(sec['raw']))
    head = [unescape(l) for l in sec['request']]
    body = unescape('\n'.join(sec['body'])) if 'body' in sec else b''
    names = [h.split(b':', 1)[0].strip().lower() for h in head[1:]]
    if body and b'content-length' not in names and b'transfer-encoding' not in names:
        head.append(b'Content-Length: %d' % len(body))
    return b'\r\n'.join(head) + b'\r\n\r\n' + body


def parse_reply(raw):
    head, sep, body = raw.partition(b'\r\n\r\n')
    if not sep:
        raise ValueError('no end of headers in the reply')
    lines = head.decode('latin-1').split('\r\n')
    m = re.match(r'^HTTP/1\.1 (\d{3}) ', lines[0])
    if not m:
        raise ValueError(f'bad status line {lines[0]!r}')
    headers = []
    for l in lines[1:]:
        name, _, value = l.partition(':')
        headers.append((name.strip(), value.strip()))
    return int(m.group(1)), headers, body


def header(headers, name):
    for n, v in headers:
        if n.lower() == name.lower():
            return v
    return None


SECURITY = {
    'Content-Security-Policy': "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; frame-ancestors 'none'; "
                               "form-action 'self'; base-uri 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
}


def check_security(headers):
    bad = []
    for n, v in SECURITY.items():
        if header(headers, n) != v:
            bad.append(f'{n}: {header(headers, n)!r}, want {v!r}')
    for n in ('X-Request-Id', 'Cache-Control', 'Content-Length'):
        if header(headers, n) is None:
            bad.append(f'{n} missing')
    return bad


def check(expect, rc, stdout):
    problems = []
    want_exit = 0
    for line in expect:
        if line.startswith('exit '):
            want_exit = int(line[5:])
    if rc != want_exit:
        return [f'exit status {rc}, want {want_exit}']
    if want_exit != 0:
        return []
    try:
        status, headers, body = parse_reply(stdout)
    except ValueError as e:
        return [str(e)]
    for line in expect:
        if not line.strip() or line.startswith('#') or line.startswith('exit '):
            continue
        word, _, arg = line.partition(' ')
        if word == 'status':
            if status != int(arg):
                problems.append(f'status {status}, want {arg}')
        elif word == 'header':
            n, _, v = arg.partition(':')
            got = header(headers, n.strip())
            if got != v.strip():
                problems.append(f'{n.strip()}: {got!r}, want {v.strip()!r}')
        elif word == 'header-present':
            if header(headers, arg) is None:
                problems.append(f'{arg} missing')
        elif word == 'header-absent':
            if header(headers, arg) is not None:
                problems.append(f'{arg} present: {header(headers, arg)!r}')
        elif word == 'header-contains':
            n, _, v = arg.partition(':')
            got = header(headers, n.strip()) or ''
            if v.strip() not in got:
                problems.append(f'{n.strip()}: {got!r} lacks {v.strip()!r}')
        elif word == 'body-contains':
            if unescape(arg) not in body:
                problems.append(f'body lacks {arg!r}')
        elif word == 'body-absent':
            if unescape(arg) in body:
                problems.append(f'body holds {arg!r}')
        elif word == 'body-empty':
            if body:
                problems.append(f'body not empty ({len(body)} bytes)')
        elif word == 'body-equals':
            if body != unescape(arg):
                problems.append(f'body {body[:80]!r}, want {arg!r}')
        elif word == 'body-has-request-id':
            rid = header(headers, 'X-Request-Id') or '(none)'
            if rid.encode() not in body:
                problems.append(f'body lacks the request id {rid}')
        elif word == 'json':
            key, _, want = arg.partition(' = ')
            try:
                doc = json.loads(body)
                got = doc
                for part in key.split('|'):
                    got = got[int(part)] if isinstance(got, list) else got.get(part)
                if got != json.loads(want):
                    problems.append(f'json {key} = {got!r}, want {want}')
            except (ValueError, AttributeError, IndexError, TypeError) as e:
                problems.append(f'json {key}: {e}')
        elif word == 'security-headers':
            problems += check_security(headers)
        else:
            problems.append(f'unknown expectation {line!r}')
    return problems


def init(cadre, work, db):
    """cadre init, quietly (it logs the reference data it loads); its output
    is shown only when it fails."""
    p = subprocess.run([cadre, '--db', db, 'init'], capture_output=True, cwd=work, env=clean_env(),
                       timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f'cadre init {db} failed ({p.returncode}):\n' +
                           p.stderr.decode('utf-8', 'replace')[-2000:])


def clean_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith('CADRE_') or
           k.startswith('CADRE_TEST_')}
    return env


def test_env():
    """clean_env with the weak password cost: the suites hash many passwords
    (the production cost is tested once, in test_domain_account)."""
    env = clean_env()
    env['CADRE_PASSWORD_COST'] = 'test'
    return env


# The accounts and tokens the request files name: account 1 (RXC, East
# Sussex) and account 2 (R0A, Manchester), token 1 of account 1 and token 2
# of account 2.  `--as administrator --org RXC` has account 1 in its scope
# and account 2 outside it.
FIXTURES = [
    ['user', 'add', '--email', 'fixture@rxc.test', '--role', 'staff_member', '--org', 'RXC',
     '--name', 'Fixture RXC'],
    ['user', 'add', '--email', 'fixture@r0a.test', '--role', 'staff_member', '--org', 'R0A',
     '--name', 'Fixture R0A'],
    ['token', 'issue', '--email', 'fixture@rxc.test', '--label', 'fixture'],
    ['token', 'issue', '--email', 'fixture@r0a.test', '--label', 'fixture'],
    # Self-assessment rounds (tests/http/assess-round*.test): round 1 RXC
    # 2025/26 open (fixture@rxc.test and api@rxc.test invited, done@rxc.test
    # has submitted); round 2 RXC 2024/25 closed; round 3 R0A 2025/26 open.
    ['toolkit', 'load', '--all'],
    ['assess', 'open', '--org', 'RXC', '--period', '2025/26', '--by', 'Fixture CPO'],
    ['assess', 'invite', '--org', 'RXC', '--period', '2025/26', '--group', 'board',
     'fixture@rxc.test', 'api@rxc.test', 'done@rxc.test'],
    ['assess', 'respond', '--org', 'RXC', '--period', '2025/26', '--respondent', 'done@rxc.test',
     '--statement', 'lead-1', '--score', '3'],
    ['assess', 'submit', '--org', 'RXC', '--period', '2025/26', '--respondent', 'done@rxc.test'],
    ['assess', 'open', '--org', 'RXC', '--period', '2024/25', '--by', 'Fixture CPO'],
    ['assess', 'invite', '--org', 'RXC', '--period', '2024/25', '--group', 'board',
     'fixture@rxc.test'],
    ['assess', 'close', '--org', 'RXC', '--period', '2024/25', '--by', 'Fixture CPO'],
    ['assess', 'open', '--org', 'R0A', '--period', '2025/26', '--by', 'Fixture CPO'],
    # Completed self-assessment rounds (as make run loads them), for the
    # assess-results*.test files, after the rounds above (RXC's are taken):
    # rounds 4-13 are RYR, RPC, RX2, RDR and RYD in 2024/25 then 2025/26
    # (RYR 2025/26 is round 5, with actions 1 and 2); 14 is the ICB QNX's
    # commissioning round in 2025/26.
    ['assess', 'demo', '--org', 'RYR', '--org', 'RPC', '--org', 'RX2', '--org', 'RDR', '--org',
     'RYD', '--org', 'QNX', '--period', '2024/25', '--period', '2025/26', '--seed', '1'],
    # Round 15: RTH's 2025/26 round, worked by hand in
    # assess-results-suppressed.test (board 4, senior leaders 3, line
    # managers 5, workforce planners 2: planners primary, senior leaders
    # secondary suppression).
    ['assess', 'open', '--org', 'RTH', '--period', '2025/26'],
    ['assess', 'import', '--org', 'RTH', '--period', '2025/26',
     os.path.join(ROOT, 'tests', 'http', 'assess-results-suppression.csv')],
    ['assess', 'close', '--org', 'RTH', '--period', '2025/26'],
    # Round 16: RXK's, whose group labels look like spreadsheet formulas
    # (assess-results-formula-csv.test).
    ['assess', 'open', '--org', 'RXK', '--period', '2025/26', '--group',
     'g1==HYPERLINK("http://x.test")', '--group', 'g2=+Plus'],
    ['assess', 'import', '--org', 'RXK', '--period', '2025/26',
     os.path.join(ROOT, 'tests', 'http', 'assess-results-formula.csv')],
]


def shared_data():
    """The real NHS data: $CADRE_SHARED_DATA, else ../shared/data beside the
    worktree (as scripts/test sets it)."""
    d = os.environ.get('CADRE_SHARED_DATA') or os.path.join(ROOT, '..', 'shared', 'data')
    if not os.path.isdir(os.path.join(d, 'nhs-sickness-absence')):
        raise RuntimeError(f'{d}/nhs-sickness-absence is missing (CADRE_SHARED_DATA)')
    return d


def import_sickness(cadre, work, db):
    """Load the published sickness absence files (April-December 2024) once,
    for the organisation pages and API."""
    d = os.path.join(shared_data(), 'nhs-sickness-absence')
    files = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith('.csv'))
    p = subprocess.run([cadre, '--db', db, 'import', 'sickness'] + files, capture_output=True,
                       cwd=work, env=clean_env(), timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f'cadre import sickness failed ({p.returncode}):\n' +
                           p.stderr.decode('utf-8', 'replace')[-2000:])


def org_sickness_vs_kpi(cadre, work, db):
    """The API's sickness figures for QHL, April-December 2024, are those of
    `cadre kpi sickness --json`, both computed here."""
    problems = []
    try:
        cli = subprocess.run([cadre, '--db', db, 'kpi', 'sickness', '--org', 'QHL', '--from',
                              '2024-04', '--to', '2024-12', '--json'], capture_output=True,
                             cwd=work, env=clean_env(), timeout=60)
        if cli.returncode != 0:
            raise ValueError('kpi sickness: ' + cli.stderr.decode('utf-8', 'replace'))
        want = json.loads(cli.stdout)
        raw = (b'GET /api/v1/orgs/QHL/sickness?from=2024-04&to=2024-12 HTTP/1.1\r\n'
               b'Host: localhost\r\n\r\n')
        p = subprocess.run([cadre, '--db', db, 'http', '--as', 'workforce_planner'], input=raw,
                           capture_output=True, cwd=work, env=clean_env(), timeout=60)
        status, _, body = parse_reply(p.stdout)
        if status != 200:
            raise ValueError(f'API status {status}: {body[:300]!r}')
        got = json.loads(body)
        for key, value in want.items():
            if got.get(key) != value:
                problems.append(f'{key}: API {got.get(key)!r}, kpi {value!r}')
        total = sum(m['fte_days_lost'] for m in got['months'])
        if abs(total - want['fte_days_lost']) > 1e-3:
            problems.append(f'the months add up to {total}, not {want["fte_days_lost"]}')
        if want['months_with_data'] != 9 or got['spc']['chart'] != 'run':
            problems.append('expected 9 months and a run chart')
    except (ValueError, KeyError, TypeError, subprocess.TimeoutExpired) as e:
        problems.append(f'{type(e).__name__}: {e}')
    tap(not problems, 'http org-sickness-vs-kpi: API = cadre kpi sickness --json (QHL)',
        '\n'.join(problems))


def import_people(cadre, work, db):
    """Load the people fixture (tests/http/people: the cost-centre map and
    staff extract of tests/unit/testpeople.h) for the people pages."""
    d = os.path.join(ROOT, 'tests', 'http', 'people')
    for args in (['import', 'cost-centres', '--from', '2024-04', os.path.join(d, 'cost-centres.csv')],
                 ['import', 'staff', os.path.join(d, 'staff.csv')]):
        p = subprocess.run([cadre, '--db', db] + args, capture_output=True, cwd=work,
                           env=clean_env(), timeout=300)
        if p.returncode != 0:
            raise RuntimeError(f'cadre {" ".join(args[:2])} failed ({p.returncode}):\n' +
                               p.stderr.decode('utf-8', 'replace')[-2000:])


def run_request_files(cadre, work, only):
    db = os.path.join(work, 'http.db')
    init(cadre, work, db)
    for args in FIXTURES:
        subprocess.run([cadre, '--db', db] + args, check=True, cwd=work, env=test_env(),
                       stdout=subprocess.DEVNULL)
    import_sickness(cadre, work, db)
    import_people(cadre, work, db)
    if not only or 'org-sickness-vs-kpi' in only:
        org_sickness_vs_kpi(cadre, work, db)
    files = sorted(f for f in os.listdir(os.path.join(ROOT, 'tests', 'http')) if f.endswith('.test'))
    for f in files:
        name = f[:-5]
        if only and name not in only:
            continue
        sec = parse_test(os.path.join(ROOT, 'tests', 'http', f))
        args = ' '.join(sec.get('args', [])).split()
        cmd = [cadre, '--db', db]
        if 'config' in sec:
            cfg = os.path.join(work, name + '.ini')
            with open(cfg, 'w') as fh:
                fh.write('\n'.join(sec['config']) + '\n')
            cmd += ['--config', cfg]
        cmd += ['http'] + args
        try:
            req = build_request(sec)
            p = subprocess.run(cmd, input=req, capture_output=True, cwd=work, env=test_env(),
                               timeout=60)
            problems = check(sec.get('expect', []), p.returncode, p.stdout)
            err = p.stderr.decode('utf-8', 'replace')
            if 'runtime error' in err or 'Sanitizer' in err:
                problems.append('sanitizer report:\n' + err)
        except (KeyError, ValueError, subprocess.TimeoutExpired) as e:
            problems = [f'{type(e).__name__}: {e}']
            p = None
        diag = '\n'.join(problems)
        if problems and p is not None:
            diag += '\n--- reply\n' + p.stdout[:1500].decode('utf-8', 'replace')
        tap(not problems, f'http {name}', diag)


# ---- the route table generator and `cadre help routes` ----

GOOD = """/* API: GET /api/v1/orgs/{code:code}
 * PERMISSION: org.read
 * ORG: path code
 * One organisation.
 */
int api_org(struct web_request *req, struct web_response *resp, struct cadre_err *err)
"""

MKROUTES_BAD = [
    ('no PERMISSION', GOOD.replace(' * PERMISSION: org.read\n', ''), 'must declare PERMISSION'),
    ('no ORG', GOOD.replace(' * ORG: path code\n', ''), 'must declare ORG'),
    ('ORG names no parameter', GOOD.replace('ORG: path code', 'ORG: path id'), 'has no parameter id'),
    ('bad ORG', GOOD.replace('ORG: path code', 'ORG: sometimes'), 'is not none, path PARAM'),
    ('bad permission', GOOD.replace('org.read', 'Org Read'), 'is neither public nor an id'),
    ('API outside /api/', GOOD.replace('/api/v1/orgs', '/orgs'), 'must be under /api/'),
    ('page under /api/', GOOD.replace('API: GET', 'WEBPAGE: GET'), 'may not be under /api/'),
    ('HEAD route', GOOD.replace('API: GET', 'API: HEAD'), 'HEAD comes with GET'),
    ('CSRF on GET', GOOD.replace(' * ORG: path code\n', ' * ORG: path code\n * CSRF: yes\n'),
     'GET must not change anything'),
    ('body on GET', GOOD.replace(' * ORG: path code\n', ' * ORG: path code\n * BODY: 1M\n'),
     'a GET route takes no body'),
    ('huge body', GOOD.replace('API: GET', 'API: POST').replace(
        ' * ORG: path code\n', ' * ORG: path code\n * BODY: 65M\n'), 'over the 64M limit'),
    ('bad parameter type', GOOD.replace('{code:code}', '{code:uuid}'), 'is neither'),
    ('no help', GOOD.replace(' * One organisation.\n', ''), 'needs a help line'),
    ('key after help', GOOD.replace(' * One organisation.\n', ' * One organisation.\n * CACHE: no-store\n'),
     'must come before the help text'),
    ('not above a handler', GOOD.replace('int api_org', 'static int api_org_x = 0;\nint api_org'),
     'malformed or not directly above'),
    ('overlapping routes', GOOD + '\n' + GOOD.replace('{code:code}', '{id:code}').replace(
        'ORG: path code', 'ORG: path id').replace('api_org(', 'api_org2('),
     'the router could not choose'),
    ('handler twice', GOOD + '\n' + GOOD.replace('{code:code}', 'x/{code:code}'),
     'handlers used twice'),
]


def mkroutes_checks(work):
    tool = os.path.join(ROOT, 'tools', 'mkroutes.py')
    src = os.path.join(work, 'routes_src.c')
    problems = []
    with open(src, 'w') as fh:
        fh.write(GOOD)
    p = subprocess.run([sys.executable, tool, os.path.join(work, 'r.c'), os.path.join(work, 'r.h'),
                        src], capture_output=True)
    if p.returncode != 0:
        problems.append(f'a good annotation was refused: {p.stderr.decode()}')
    for name, text, want in MKROUTES_BAD:
        with open(src, 'w') as fh:
            fh.write(text)
        p = subprocess.run([sys.executable, tool, os.path.join(work, 'r.c'),
                            os.path.join(work, 'r.h'), src], capture_output=True)
        err = p.stderr.decode()
        if p.returncode == 0 or want not in err:
            problems.append(f'{name}: exit {p.returncode}, {err.strip()!r} lacks {want!r}')
    tap(not problems, f'mkroutes refuses {len(MKROUTES_BAD)} kinds of bad annotation',
        '\n'.join(problems))


def help_routes_checks(cadre, work):
    problems = []
    p = subprocess.run([cadre, 'help', 'routes'], capture_output=True, cwd=work, env=clean_env())
    out = p.stdout.decode()
    for want in ('METHOD  PATH', 'GET     /healthz', 'GET     /api/v1/openapi.json'):
        if want not in out:
            problems.append(f'cadre help routes lacks {want!r}')
    if p.returncode != 0:
        problems.append(f'exit {p.returncode}')
    doc = subprocess.run([cadre, 'help', 'routes', '--openapi'], capture_output=True, cwd=work,
                         env=clean_env()).stdout
    served = subprocess.run([cadre, 'http'], input=b'GET /api/v1/openapi.json HTTP/1.1\r\n'
                            b'Host: x\r\n\r\n', capture_output=True, cwd=work,
                            env=clean_env()).stdout.partition(b'\r\n\r\n')[2]
    if not doc or doc != served:
        problems.append('cadre help routes --openapi differs from GET /api/v1/openapi.json')
    if len(json.loads(doc)['paths']) < 3:
        problems.append('the OpenAPI document has fewer than 3 paths')
    listed = subprocess.run([cadre, 'help'], capture_output=True, cwd=work,
                            env=clean_env()).stdout.decode()
    if 'help routes' not in listed:
        problems.append('cadre help does not list `help routes`')
    tap(not problems, 'cadre help routes lists the table; --openapi is the served document',
        '\n'.join(problems))


def cadre_http(cadre, work, raw):
    p = subprocess.run([cadre, 'http'], input=raw, capture_output=True, cwd=work, env=clean_env(),
                       timeout=60)
    return parse_reply(p.stdout)


def asset_checks(cadre, work):
    """The page's stylesheet and script are served from their hashed URLs."""
    problems = []
    st, _, page = cadre_http(cadre, work, b'GET /sign-in HTTP/1.1\r\nHost: x\r\n\r\n')
    urls = [u.replace(b'&#x2F;', b'/') for u in
            re.findall(rb'(?:href|src)="(&#x2F;assets&#x2F;[^"]+)"', page)]
    if len(urls) < 3:
        problems.append(f'the home page links {len(urls)} assets')
    for url in urls:
        st, hdrs, body = cadre_http(cadre, work, b'GET ' + url + b' HTTP/1.1\r\nHost: x\r\n\r\n')
        if st != 200 or not body:
            problems.append(f'{url!r}: {st}, {len(body)} bytes')
            continue
        if header(hdrs, 'Cache-Control') != 'public, max-age=31536000, immutable':
            problems.append(f'{url!r}: Cache-Control {header(hdrs, "Cache-Control")!r}')
        problems += [f'{url!r}: {p}' for p in check_security(hdrs)]
        etag = header(hdrs, 'ETag')
        st, hdrs, body = cadre_http(cadre, work, b'GET ' + url + b' HTTP/1.1\r\nHost: x\r\n'
                                    b'If-None-Match: ' + (etag or '').encode() + b'\r\n\r\n')
        if st != 304 or body or header(hdrs, 'Content-Length') is not None:
            problems.append(f'{url!r} with If-None-Match: {st}, {len(body)} bytes')
    css = [u for u in urls if u.endswith(b'.css')]
    if css:
        st, hdrs, _ = cadre_http(cadre, work, b'GET ' + css[0] + b' HTTP/1.1\r\nHost: x\r\n\r\n')
        if header(hdrs, 'Content-Type') != 'text/css; charset=utf-8':
            problems.append(f'stylesheet type {header(hdrs, "Content-Type")!r}')
        stale = re.sub(rb'-[0-9a-f]{8}\.css$', b'-00000000.css', css[0])
        st, _, _ = cadre_http(cadre, work, b'GET ' + stale + b' HTTP/1.1\r\nHost: x\r\n\r\n')
        if st != 404:
            problems.append(f'a stale asset hash got {st}, want 404')
    tap(not problems, 'assets: every linked asset served (immutable), 304 on its ETag, stale 404',
        '\n'.join(problems))


# ---- real servers ----

class Server:
    def __init__(self, cadre, work, db, *extra, config=None, env=None):
        cmd = [cadre, '--db', db]
        if config:
            cmd += ['--config', config]
        cmd += ['serve', '--listen', '127.0.0.1:0'] + list(extra)
        self.err = open(os.path.join(work, f'serve-{time.monotonic_ns()}.log'), 'w+')
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.err, cwd=work,
                                  env={**clean_env(), **(env or {})})
        line = self.p.stdout.readline().decode()
        m = re.search(r':(\d+)/', line)
        if not m:
            self.p.kill()
            self.p.wait()
            raise RuntimeError(f'serve did not start: {line!r} {self.log()}')
        self.port = int(m.group(1))
        self.tls = line.startswith('cadre: serving https')

    def log(self):
        self.err.flush()
        self.err.seek(0)
        return self.err.read()

    def stop(self, timeout=15):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            return 'timeout'


def connect(port, tls=False):
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    if tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    return s


def read_reply(s):
    data = b''
    while b'\r\n\r\n' not in data:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b'\r\n\r\n')
    m = re.search(rb'(?i)\r\ncontent-length:\s*(\d+)', head)
    want = int(m.group(1)) if m else None
    while want is not None and len(body) < want:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return parse_reply(head + b'\r\n\r\n' + body)


def get(port, path, tls=False, extra=b''):
    s = connect(port, tls)
    s.sendall(b'GET ' + path.encode() + b' HTTP/1.1\r\nHost: t\r\nConnection: close\r\n' +
              extra + b'\r\n')
    r = read_reply(s)
    s.close()
    return r


def serve_graceful(cadre, work, db):
    srv = Server(cadre, work, db, '--threads', '2', '--drain-seconds', '10')
    problems = []
    try:
        st, _, body = get(srv.port, '/healthz')
        if (st, body) != (200, b'ok\n'):
            problems.append(f'healthz before: {st} {body!r}')
        # a request in flight: its line and Host are in, its end is not
        s = connect(srv.port)
        s.sendall(b'GET /healthz HTTP/1.1\r\nHost: t\r\n')
        time.sleep(0.3)
        srv.p.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        if srv.p.poll() is not None:
            problems.append(f'exited ({srv.p.returncode}) with a request in flight')
        # no new connections are served meanwhile
        try:
            t = connect(srv.port)
            t.settimeout(0.5)
            t.sendall(b'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n')
            got = t.recv(100)
            if got:
                problems.append(f'a new connection was served while draining: {got[:40]!r}')
            t.close()
        except OSError:
            pass
        s.sendall(b'\r\n')
        st, hdrs, body = read_reply(s)
        s.close()
        if (st, body) != (200, b'ok\n'):
            problems.append(f'the in-flight request got {st} {body!r}')
        start = time.monotonic()
        rc = srv.stop(timeout=10)
        if rc != 0:
            problems.append(f'exit status {rc}, want 0')
        if time.monotonic() - start > 5:
            problems.append('took more than 5 s to exit after the request finished')
        log = srv.log()
        for want in ('event=http.stopping signal=TERM in_flight=1', 'event=http.stopped'):
            if want not in log:
                problems.append(f'log lacks {want!r}')
    except Exception as e:  # noqa: BLE001 (a test reports every failure)
        problems.append(f'{type(e).__name__}: {e}')
        srv.stop()
    tap(not problems, 'serve: SIGTERM drains the request in flight, then exits 0',
        '\n'.join(problems) + '\n' + srv.log())


def serve_deadline(cadre, work, db):
    srv = Server(cadre, work, db, '--threads', '1', '--drain-seconds', '1')
    problems = []
    try:
        s = connect(srv.port)
        s.sendall(b'GET / HTTP/1.1\r\n')  # never finished
        time.sleep(0.3)
        start = time.monotonic()
        rc = srv.stop(timeout=10)
        took = time.monotonic() - start
        if rc != 0:
            problems.append(f'exit status {rc}, want 0')
        if not 0.9 <= took <= 5:
            problems.append(f'exited after {took:.1f} s, want about 1 s (the deadline)')
        if 'event=http.drain_deadline in_flight=1' not in srv.log():
            problems.append('no http.drain_deadline log line')
        s.close()
    except Exception as e:  # noqa: BLE001
        problems.append(f'{type(e).__name__}: {e}')
        srv.stop()
    tap(not problems, 'serve: the drain stops at its deadline', '\n'.join(problems))


def serve_socket_errors(cadre, work, db):
    srv = Server(cadre, work, db, '--threads', '2')
    problems = []
    try:
        # 413 on the headers alone: 1 GB announced, nothing sent
        s = connect(srv.port)
        s.sendall(b'GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n\r\n')
        st, hdrs, _ = read_reply(s)
        s.close()
        if st != 413:
            problems.append(f'oversized body: {st}, want 413')
        problems += [f'413: {p}' for p in check_security(hdrs)]
        # an unknown route, malformed header name, too many headers
        for raw, want in ((b'GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n', 404),
                          (b'GET / HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n', 400),
                          (b'GET / HTTP/1.1\r\nHost: t\r\n' +
                           b''.join(b'X-%d: 1\r\n' % i for i in range(120)) + b'\r\n', 431),
                          (b'GET / HTTP/1.1\r\nHost: t\r\nX-Big: ' + b'b' * 100000 + b'\r\n\r\n',
                           431)):
            s = connect(srv.port)
            s.sendall(raw)
            st, hdrs, _ = read_reply(s)
            s.close()
            if st != want:
                problems.append(f'{raw[:40]!r}: {st}, want {want}')
        st, _, body = get(srv.port, '/healthz')
        if st != 200:
            problems.append(f'healthz after the bad requests: {st}')
        if srv.stop() != 0:
            problems.append('exit status not 0')
    except Exception as e:  # noqa: BLE001
        problems.append(f'{type(e).__name__}: {e}')
        srv.stop()
    tap(not problems, 'serve: 413 before the body, 400/404/431 over a real socket',
        '\n'.join(problems))


def serve_refuses_missing_db(cadre, work):
    p = subprocess.run([cadre, '--db', os.path.join(work, 'missing.db'), 'serve', '--listen',
                        '127.0.0.1:0'], capture_output=True, cwd=work, env=clean_env(), timeout=30)
    err = p.stderr.decode()
    ok = p.returncode == 1 and 'no such database' in err
    tap(ok, 'serve: refuses to start without a database', f'exit {p.returncode}: {err}')
    p = subprocess.run([cadre, 'serve', '--threads', '0'], capture_output=True, cwd=work,
                       env=clean_env(), timeout=30)
    tap(p.returncode == 2, 'serve: --threads 0 is a usage error', p.stderr.decode())


def serve_tls(cadre, work, db):
    problems = []
    cert = os.path.join(work, 'cert.pem')
    key = os.path.join(work, 'key.pem')
    r = subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key,
                        '-out', cert, '-days', '1', '-subj', '/CN=localhost'],
                       capture_output=True)
    if r.returncode != 0:
        tap(False, 'serve: built-in TLS', 'openssl could not make a certificate: ' +
            r.stderr.decode())
        return
    cfg = os.path.join(work, 'tls.ini')
    with open(cfg, 'w') as fh:
        fh.write(f'[server]\ntls_cert = {cert}\ntls_key = {key}\n')
    try:
        srv = Server(cadre, work, db, '--threads', '2', config=cfg)
    except RuntimeError as e:
        tap(False, 'serve: built-in TLS', str(e))
        return
    try:
        if not srv.tls:
            problems.append('the first line does not say https')
        st, hdrs, body = get(srv.port, '/healthz', tls=True)
        if (st, body) != (200, b'ok\n'):
            problems.append(f'healthz over TLS: {st} {body!r}')
        if header(hdrs, 'Strict-Transport-Security') != 'max-age=31536000':
            problems.append('no Strict-Transport-Security over TLS')
        # plain HTTP to the TLS port gets no page
        s = connect(srv.port)
        s.settimeout(3)
        s.sendall(b'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n')
        try:
            got = s.recv(200)
        except OSError:
            got = b''
        if b'ok\n' in got:
            problems.append('plain HTTP was served on the TLS port')
        s.close()
    except Exception as e:  # noqa: BLE001
        problems.append(f'{type(e).__name__}: {e}')
    rc = srv.stop()
    if rc != 0:
        problems.append(f'exit status {rc}')
    tap(not problems, 'serve: built-in TLS (server.tls_cert, server.tls_key)',
        '\n'.join(problems) + '\n' + srv.log())


def pg_url(name):
    host = os.environ['CADRE_TEST_PGHOST']
    port = os.environ['CADRE_TEST_PGPORT']
    return f'postgresql:///{name}?host={host}&port={port}&user=postgres'


def http_req(port, method, path, cookie=None, body=None):
    """One request; (status, headers as a dict of lower-case names, body)."""
    import http.client
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=20)
    headers = {}
    if cookie:
        headers['Cookie'] = f'cadre_session={cookie}'
    if body is not None:
        headers['Content-Type'] = 'application/x-www-form-urlencoded'
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    out = (r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    c.close()
    return out


def cookie_of(headers, old=None):
    sc = headers.get('set-cookie')
    if not sc:
        return old
    return sc.split(';', 1)[0].split('=', 1)[1]


def csrf_of(body):
    m = re.search(rb'name="csrf_token" value="([0-9a-f]{64})"', body)
    return m.group(1).decode() if m else None


def session_across(cadre, work, url, servers):
    """A session begun on one server is honoured by the other (no state in
    the process: DESIGN.md), and ended on the other, it is ended for both."""
    problems = []
    try:
        p = subprocess.run([cadre, '--db', url, 'user', 'add', '--email', 'two@rxc.test',
                            '--role', 'workforce_planner', '--org', 'RXC', '--name',
                            'Two Servers', '--password-stdin'], input=b'correct horse battery\n',
                           capture_output=True, cwd=work, env=test_env())
        if p.returncode != 0:
            raise RuntimeError(p.stderr.decode())
        a, b = servers[0].port, servers[1].port
        st, h, body = http_req(a, 'GET', '/sign-in')
        cookie, token = cookie_of(h), csrf_of(body)
        st, h, _ = http_req(a, 'POST', '/sign-in', cookie,
                            f'csrf_token={token}&email=two%40rxc.test&'
                            'password=correct+horse+battery')
        if st != 303 or not h.get('set-cookie'):
            problems.append(f'sign-in on server 1: {st}')
        cookie = cookie_of(h, cookie)
        st, h, body = http_req(b, 'GET', '/', cookie)
        if st != 200 or b'Two Servers' not in body or b'Workforce planner' not in body:
            problems.append(f'server 2 with server 1\'s session: {st}')
        token = csrf_of(body)
        st, h, _ = http_req(b, 'POST', '/sign-out', cookie, f'csrf_token={token}')
        if st != 303:
            problems.append(f'sign-out on server 2: {st}')
        st, h, _ = http_req(a, 'GET', '/', cookie)
        if st != 303 or not h.get('location', '').startswith('/sign-in'):
            problems.append(f'server 1 after signing out on server 2: {st} {h.get("location")}')
    except Exception as e:  # noqa: BLE001
        problems.append(f'{type(e).__name__}: {e}')
    tap(not problems, 'serve: a session begun on one server is honoured (and ended) by another '
        'on the same PostgreSQL database', '\n'.join(problems))


def serve_two_on_pg(cadre, work):
    name = 'cadre_http_two_servers'
    host = os.environ.get('CADRE_TEST_PGHOST')
    port = os.environ.get('CADRE_TEST_PGPORT')
    if not host or not port:
        tap(False, 'serve: two servers on one PostgreSQL database',
            'CADRE_TEST_PGHOST/PORT not set: run under tests/pg-harness (never skipped)')
        return
    problems = []
    servers = []
    psql = ['psql', '-h', host, '-p', port, '-U', 'postgres', '-d', 'postgres', '-tAc']
    try:
        subprocess.run(psql + [f'DROP DATABASE IF EXISTS {name}'], check=True, capture_output=True)
        subprocess.run(psql + [f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                               "LC_COLLATE 'C' LC_CTYPE 'C'"], check=True, capture_output=True)
        url = pg_url(name)
        init(cadre, work, url)
        # libpq names each server's connections after PGAPPNAME
        servers = [Server(cadre, work, url, '--threads', '2',
                          env={'PGAPPNAME': f'cadre-http-test-{i + 1}'}) for i in range(2)]
        for i, srv in enumerate(servers):
            for _ in range(3):
                st, _, body = get(srv.port, '/healthz')
                if (st, body) != (200, b'ok\n'):
                    problems.append(f'server {i + 1}: {st} {body!r}')
        # both hold connections to the same database at once
        out = subprocess.run(psql + ["SELECT string_agg(DISTINCT application_name, ',' "
                                     "ORDER BY application_name) FROM pg_stat_activity "
                                     f"WHERE datname = '{name}'"],
                             capture_output=True, check=True).stdout.decode().strip()
        if out != 'cadre-http-test-1,cadre-http-test-2':
            problems.append(f'connected to the database: {out!r}, want both servers')
        session_across(cadre, work, url, servers)
        for i, srv in enumerate(servers):
            if srv.stop() != 0:
                problems.append(f'server {i + 1} did not exit 0')
    except Exception as e:  # noqa: BLE001
        problems.append(f'{type(e).__name__}: {e}')
        for srv in servers:
            srv.stop()
    finally:
        subprocess.run(psql + [f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'],
                       capture_output=True)
    tap(not problems, 'serve: two servers on one PostgreSQL database', '\n'.join(problems))


def main():
    args = sys.argv[1:]
    cadre = os.path.join(ROOT, 'build-san', 'cadre')
    only = []
    while args:
        if args[0] == '--cadre':
            cadre = os.path.abspath(args[1])
            args = args[2:]
        elif args[0] == '--only':
            only = args[1:]
            args = []
        else:
            sys.exit(__doc__)
    work = tempfile.mkdtemp(prefix='cadre-http-')
    try:
        run_request_files(cadre, work, only)
        if not only:
            mkroutes_checks(work)
            help_routes_checks(cadre, work)
            asset_checks(cadre, work)
            db = os.path.join(work, 'serve.db')
            init(cadre, work, db)
            serve_graceful(cadre, work, db)
            serve_deadline(cadre, work, db)
            serve_socket_errors(cadre, work, db)
            serve_refuses_missing_db(cadre, work)
            serve_tls(cadre, work, db)
            serve_two_on_pg(cadre, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f'1..{len(results)}')
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
