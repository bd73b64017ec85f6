#!/usr/bin/env python3
"""lint-rules: the project's own source rules, from DESIGN.md and STYLE.md.

    scripts/lint-rules.py [--root DIR] RULE

RULE is one of: layers, db-headers, sql, banned.  Prints one line per
violation as FILE:LINE: reason and exits 1 when there is any, 0 otherwise.
--root lints another tree laid out like this one (the lint's own tests use
a tree of deliberately bad files under tests/lint/).
"""
import os
import re
import sys

# What each layer of src/ may include: itself and the layers below it.
# cli and web never include store (DESIGN.md, Layers).  cli may include web's
# entry points (`cadre serve` and `cadre http` start the server and run one
# request: the command line is the program's front door); web never includes
# cli.
ALLOWED = {
    'base': {'base'},
    'io': {'io', 'base'},
    'store': {'store', 'base'},
    'domain': {'domain', 'store', 'io', 'base'},
    'web': {'web', 'domain', 'io', 'base'},
    'cli': {'cli', 'web', 'domain', 'io', 'base'},
}
BANNED = ('sprintf', 'vsprintf', 'strcpy', 'strcat', 'atoi', 'atol', 'gets', 'rand',
          'localtime', 'strtok', 'gmtime', 'asctime', 'ctime', 'tmpnam', 'mktemp')
INCLUDE = re.compile(r'^\s*#\s*include\s*"(?:\.\./)*([a-z_]+)/[^"]+"')
DB_HEADER = re.compile(r'^\s*#\s*include\s*[<"](sqlite3|libpq-fe)\.h[>"]')
BANNED_CALL = re.compile(r'\b(' + '|'.join(BANNED) + r')\s*\(')
# SQL statements in string literals (upper-case keywords, the house style): a keyword that starts a statement,
# followed by the word that makes it SQL rather than prose.
SQL = re.compile(r'"\s*(SELECT\s+[\w*(]|INSERT\s+INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|'
                 r'CREATE\s+(TABLE|INDEX|UNIQUE)\b|ALTER\s+TABLE\b|DROP\s+(TABLE|INDEX)\b|'
                 r'BEGIN\s+IMMEDIATE\b)')


def strip_comments_and_strings(line, state):
    """Blank out comments and string literals (keeping columns), so a rule
    about calls does not fire on prose.  state['comment'] carries a /* */
    comment across lines."""
    out = []
    i = 0
    n = len(line)
    while i < n:
        if state['comment']:
            j = line.find('*/', i)
            if j < 0:
                out.append(' ' * (n - i))
                return ''.join(out)
            out.append(' ' * (j + 2 - i))
            i = j + 2
            state['comment'] = False
            continue
        c = line[i]
        if line.startswith('//', i):
            out.append(' ' * (n - i))
            break
        if line.startswith('/*', i):
            state['comment'] = True
            out.append('  ')
            i += 2
            continue
        if c in '"\'':
            j = i + 1
            while j < n and line[j] != c:
                j += 2 if line[j] == '\\' else 1
            out.append(c + ' ' * (min(j, n) - i - 1) + (c if j < n else ''))
            i = j + 1
            continue
        out.append(c)
        i += 1
    return ''.join(out)


def c_files(root, top):
    base = os.path.join(root, top)
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames.sort()
        for f in sorted(filenames):
            if f.endswith(('.c', '.h')):
                yield os.path.join(dirpath, f)


def layer_of(path, root):
    rel = os.path.relpath(path, os.path.join(root, 'src'))
    first = rel.split(os.sep)[0]
    return first if first in ALLOWED else None


def main():
    args = sys.argv[1:]
    root = '.'
    if args[:1] == ['--root']:
        root = args[1]
        args = args[2:]
    if len(args) != 1 or args[0] not in ('layers', 'db-headers', 'sql', 'banned'):
        sys.exit(__doc__)
    rule = args[0]
    bad = []
    tops = ['src'] if rule != 'banned' else ['src', 'tests/unit', 'tests/fuzz']
    for top in tops:
        for path in c_files(root, top):
            rel = os.path.relpath(path, root)
            layer = layer_of(path, root)
            state = {'comment': False}
            with open(path, encoding='utf-8', errors='replace') as f:
                for no, line in enumerate(f, 1):
                    code = strip_comments_and_strings(line, state)
                    if rule == 'layers' and layer:
                        m = INCLUDE.match(line)
                        if m and m.group(1) in ALLOWED and m.group(1) not in ALLOWED[layer]:
                            bad.append(f'{rel}:{no}: {layer} must not include {m.group(1)}/ '
                                       f'(layers: cli, web -> domain -> store, io -> base)')
                    elif rule == 'db-headers':
                        if DB_HEADER.match(line) and layer != 'store':
                            bad.append(f'{rel}:{no}: {DB_HEADER.match(line).group(1)}.h '
                                       f'is included only in src/store/')
                    elif rule == 'sql':
                        if layer not in ('store', 'domain') and SQL.search(line):
                            bad.append(f'{rel}:{no}: SQL text outside src/store and src/domain')
                    elif rule == 'banned':
                        for m in BANNED_CALL.finditer(code):
                            bad.append(f'{rel}:{no}: banned function {m.group(1)}() '
                                       f'(see STYLE.md: use snprintf, struct buf, num_parse_*)')
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
