#!/usr/bin/env python3
"""embed_files: turn a list of files into a C table, so the binary carries
its templates and its static assets (no files to install beside it).

usage: embed_files.py [--root DIR] [--label PREFIX] [--assets]
                      --symbol SYM --include HEADER --type STRUCT
                      OUTPUT.c FILE...

Writes OUTPUT.c holding

    const struct STRUCT SYM[] = { {name, path, data, len}, ... };
    const size_t SYM_count = N;

sorted by name, where STRUCT is declared in HEADER with exactly those four
fields in that order (const char *name, const char *path, const unsigned
char *data, size_t len).  name is the file's path relative to --root (its
base name without --root); path is PREFIX + name, the label error messages
show (templates/home.html).  Every file must be UTF-8 text without NUL bytes
unless --assets is given.

--assets: the files are static assets served by src/io/assets.c under
content-hashed URLs /assets/STEM-HASH8.EXT (HASH8: the first 8 hex digits of
the SHA-256 of the served bytes; STEM and EXT split at the last dot).  Names
are base names and must be unique.  In CSS and JavaScript files every
reference "/assets/NAME" to another embedded asset is rewritten to that
asset's hashed URL (so the hashes chain: an icon's change changes the CSS's
hash too), and source-map comments are removed.  A CSS file must not load
anything from elsewhere: a url() that is not an embedded /assets/ file or a
data: URI, an @import, an @font-face, or any http:// or https:// text fails
the build.  The C side computes the same hashes again at start-up from the
bytes embedded here (test_io_assets checks they agree).

The output is written only when it changes, so an unchanged input set does
not rebuild libcadre.  Byte arrays rather than string literals: literals
that long draw -Woverlength-strings under -Wpedantic.
"""
import hashlib
import os
import re
import sys

ASSET_NAME = re.compile(r'^[a-z0-9][a-z0-9._-]*\.[a-z0-9]+$')
ASSET_REF = re.compile(r'/assets/([A-Za-z0-9._-]+)')
CSS_URL = re.compile(r'url\(\s*([^)]*?)\s*\)', re.I)
SOURCE_MAP = re.compile(rb'\n?(//# sourceMappingURL=[^\n]*|/\*# sourceMappingURL=[^*]*\*/)[ \t]*')


def die(msg):
    sys.exit(f'embed_files.py: {msg}')


def c_bytes(data):
    out = []
    for i in range(0, len(data), 20):
        out.append('\t' + ','.join(str(b) for b in data[i:i + 20]) + ',')
    out.append('\t0,')
    return '\n'.join(out)


def c_str(s):
    if any(c in s for c in '"\\\n') or not s.isascii():
        die(f'{s!r}: names must be plain ASCII without quotes or backslashes')
    return '"' + s + '"'


def hashed_url(name, data):
    stem, ext = name.rsplit('.', 1)
    return f'/assets/{stem}-{hashlib.sha256(data).hexdigest()[:8]}.{ext}'


def check_css(name, text):
    """Fail on anything in a stylesheet that would load from off the site."""
    low = text.lower()
    for bad in ('http://', 'https://', '@import', '@font-face'):
        if bad in low:
            die(f'{name}: holds "{bad}": the CSS must load nothing from elsewhere '
                '(see docs/templates.md, "The CSS")')
    for m in CSS_URL.finditer(text):
        target = m.group(1).strip('\'"')
        if target.startswith('data:'):
            continue
        if not target.startswith('/assets/'):
            die(f'{name}: url({m.group(1)}) is not an embedded /assets/ file')


class Assets:
    def __init__(self, files):
        self.raw = {}
        for path in files:
            name = os.path.basename(path)
            if not ASSET_NAME.match(name):
                die(f'{path}: asset names are lower-case letters, digits, . _ - with an extension')
            if name in self.raw:
                die(f'{path}: a second asset named {name}')
            with open(path, 'rb') as f:
                self.raw[name] = f.read()
        self.done = {}
        self.busy = set()

    def text_kind(self, name):
        return name.rsplit('.', 1)[1] in ('css', 'js', 'mjs')

    def served(self, name):
        """The bytes served for name, references rewritten (depth first)."""
        if name in self.done:
            return self.done[name]
        if name in self.busy:
            die(f'{name}: assets refer to each other in a circle')
        self.busy.add(name)
        data = self.raw[name]
        if self.text_kind(name):
            data = SOURCE_MAP.sub(b'', data)
            try:
                text = data.decode('utf-8')
            except UnicodeDecodeError as e:
                die(f'{name}: not UTF-8 ({e})')
            if name.endswith('.css'):
                check_css(name, text)

            def swap(m):
                ref = m.group(1)
                if ref not in self.raw:
                    die(f'{name}: refers to /assets/{ref}, which is not embedded '
                        '(add it to assets/meson.build)')
                return hashed_url(ref, self.served(ref))
            data = ASSET_REF.sub(swap, text).encode('utf-8')
        self.busy.discard(name)
        self.done[name] = data
        return data


def main():
    args = sys.argv[1:]
    opts = {'--root': None, '--label': '', '--symbol': None, '--include': None, '--type': None}
    assets = False
    while args and args[0].startswith('--'):
        a = args.pop(0)
        if a == '--assets':
            assets = True
        elif a in opts and args:
            opts[a] = args.pop(0)
        else:
            die(f'unknown or incomplete option {a}')
    if len(args) < 1 or not all(opts[k] for k in ('--symbol', '--include', '--type')):
        die('usage: embed_files.py [--root DIR] [--label PREFIX] [--assets] '
            '--symbol SYM --include HEADER --type STRUCT OUTPUT.c FILE...')
    output, files = args[0], args[1:]

    entries = {}
    if assets:
        table = Assets(files)
        for name in table.raw:
            entries[name] = table.served(name)
    else:
        for path in files:
            if opts['--root']:
                name = os.path.relpath(path, opts['--root']).replace(os.sep, '/')
                if name.startswith('../'):
                    die(f'{path}: not under {opts["--root"]}')
            else:
                name = os.path.basename(path)
            if name in entries:
                die(f'{path}: listed twice')
            with open(path, 'rb') as f:
                data = f.read()
            try:
                data.decode('utf-8')
            except UnicodeDecodeError as e:
                die(f'{path}: not UTF-8 ({e})')
            if b'\0' in data:
                die(f'{path}: holds a NUL byte')
            entries[name] = data

    sym, label = opts['--symbol'], opts['--label']
    lines = [f'/* Generated by tools/embed_files.py from the files its meson.build lists: '
             'do not edit. */',
             f'#include "{opts["--include"]}"', '']
    rows = []
    for i, name in enumerate(sorted(entries)):
        data = entries[name]
        lines.append(f'static const unsigned char f{i}[] = {{')
        lines.append(c_bytes(data))
        lines.append('};')
        rows.append(f'\t{{{c_str(name)}, {c_str(label + name)}, f{i}, {len(data)}}},')
    lines.append('')
    lines.append(f'const struct {opts["--type"]} {sym}[] = {{')
    lines += rows if rows else ['\t{NULL, NULL, NULL, 0},']
    lines.append('};')
    lines.append(f'const size_t {sym}_count = {len(rows)};')
    text = '\n'.join(lines) + '\n'
    try:
        with open(output, encoding='utf-8') as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(output, 'w', encoding='utf-8') as f:
        f.write(text)


if __name__ == '__main__':
    main()
