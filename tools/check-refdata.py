#!/usr/bin/env python3
"""check-refdata: validate Cadre's shipped reference data.

Usage: tools/check-refdata.py [--self-test] [ROOT]

Checks every data/**/*.csv under ROOT (default: the repository that holds
this script), except data/toolkits/, against its sidecar FILE.csv.meta as
described in docs/reference-data.md:

  - bytes: UTF-8, no byte-order mark, LF line ends only, final LF, no blank
    lines; fields hold no line breaks;
  - CSV: RFC 4180, comma-separated, each line written in canonical form
    (quotes only where needed, "" inside quotes); header equal to the meta
    `columns:` line; every row has the header's field count;
  - meta: known keys only, required keys present, single keys not repeated,
    the OGL attribution sentence where the licence is OGL;
  - content: `key:` columns unique, `required:` columns non-empty, `ref:`
    foreign codes resolve, `status` values from the documented vocabulary,
    `gap_columns:` empty exactly when the row's status is "not available",
    source keys in `source`/`source_ref` columns declared in the meta,
    typed columns (dates, pence, flags, financial years, numbers) well
    formed, pay tables holding one financial year each with contiguous pay
    points.

Prints one line per problem as FILE:LINE: reason and exits 1 if there is
any; otherwise prints a one-line summary and exits 0. --self-test runs the
checker on deliberately broken fixtures and fails unless every rule fires.
"""

import csv
import datetime
import io
import os
import re
import sys
import tempfile

REQUIRED_KEYS = ("title", "source", "publisher", "licence", "publication_date",
                 "retrieved", "coverage", "columns", "key")
OPTIONAL_KEYS = ("attribution", "required", "ref", "gap_columns", "note",
                 "excluded")
REPEATABLE_KEYS = ("source", "ref", "note", "excluded")
OGL_SENTENCE = ("Contains public sector information licensed under the "
                "Open Government Licence v3.0.")
STATUS_WORDS = ("published", "secondary", "inferred")
NOT_AVAILABLE = "not available: "
SOURCE_COLUMNS = ("source", "source_ref")
FLAG_COLUMNS = ("is_total", "open_to_new_entrants", "minority_ethnic")
INT_COLUMNS = ("level", "sort_order", "pay_point")
DECIMAL_COLUMNS = ("rate_percent",)

# Foreign keys the data must declare (so an edited meta cannot drop them).
MANDATORY_REFS = {
    "data/ods/trusts.csv": ("region_code -> data/ods/regions.csv:code",
                            "icb_code -> data/ods/icb.csv:code"),
    "data/ods/icb.csv": ("region_code -> data/ods/regions.csv:code",),
    "data/workforce/occupation-codes.csv": (
        "nhsd_staff_group_code -> data/workforce/staff-groups.csv:code",),
    "data/workforce/medical-grades.csv": (
        "nhsd_staff_group_code -> data/workforce/staff-groups.csv:code",),
    "data/workforce/parameters.csv": (
        "staff_group_code -> data/workforce/staff-groups.csv:code",),
}
PAY_FILE = re.compile(r"^data/pay/afc-pay-(\d{4})-(\d{2})\.csv$")
KEY_LINE = re.compile(r"^([a-z_]+): (.*)$")
REF_VALUE = re.compile(r"^([a-z][a-z0-9_]*) -> ([A-Za-z0-9_./-]+\.csv):([a-z][a-z0-9_]*)$")
COLUMN_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
FIN_YEAR = re.compile(r"^(\d{4})/(\d{2})$")
DECIMAL = re.compile(r"^-?\d+(\.\d+)?$")
PENCE = re.compile(r"^\d+$")


class Report:
    """Collects FILE:LINE: reason lines."""

    def __init__(self):
        self.lines = []

    def add(self, path, line, reason):
        self.lines.append("%s:%d: %s" % (path, line, reason))


class Table:
    """One parsed CSV file: header, rows as (line number, fields)."""

    def __init__(self, path):
        self.path = path
        self.header = []
        self.rows = []

    def column(self, name):
        return self.header.index(name) if name in self.header else -1

    def values(self, name):
        i = self.column(name)
        return {f[i] for _, f in self.rows if i >= 0 and f[i] != ""}


class Meta:
    """One parsed sidecar: single values, repeated values, line numbers."""

    def __init__(self, path):
        self.path = path
        self.single = {}
        self.multi = {k: [] for k in REPEATABLE_KEYS}
        self.line_of = {}

    def get(self, key, default=""):
        return self.single.get(key, default)

    def list_of(self, key):
        return [c for c in self.get(key).split(",") if c] if key in self.single else []


def read_text(root, rel, rep):
    """Read a file as strict UTF-8 and check the byte-level rules."""
    with open(os.path.join(root, rel), "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        rep.add(rel, 1, "byte-order mark: reference data is UTF-8 without BOM")
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        rep.add(rel, line, "invalid UTF-8 at byte %d" % e.start)
        return None
    if "\r" in text:
        rep.add(rel, text[:text.index("\r")].count("\n") + 1,
                "carriage return: line ends must be LF only")
        text = text.replace("\r", "")
    if text and not text.endswith("\n"):
        rep.add(rel, text.count("\n") + 1, "no final line end")
        text += "\n"
    return text


def parse_meta(root, rel, rep):
    meta = Meta(rel)
    text = read_text(root, rel, rep)
    if text is None:
        return meta
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line == "" or line.startswith("#"):
            continue
        m = KEY_LINE.match(line)
        if not m:
            rep.add(rel, n, "not a 'key: value' line")
            continue
        key, value = m.group(1), m.group(2).strip()
        if key not in REQUIRED_KEYS and key not in OPTIONAL_KEYS:
            rep.add(rel, n, "unknown key '%s'" % key)
            continue
        if value == "":
            rep.add(rel, n, "empty value for '%s'" % key)
        if key in REPEATABLE_KEYS:
            meta.multi[key].append((n, value))
        elif key in meta.single:
            rep.add(rel, n, "'%s' repeated (first on line %d)" % (key, meta.line_of[key]))
            continue
        else:
            meta.single[key] = value
        meta.line_of.setdefault(key, n)
    for key in REQUIRED_KEYS:
        if key not in meta.single and not meta.multi.get(key):
            rep.add(rel, 1, "missing required key '%s'" % key)
    licence = meta.get("licence")
    if "Open Government Licence" in licence and OGL_SENTENCE not in meta.get("attribution"):
        rep.add(rel, meta.line_of.get("licence", 1),
                "OGL licence needs the attribution line '%s'" % OGL_SENTENCE)
    return meta


def canonical(fields):
    out = io.StringIO()
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(fields)
    return out.getvalue()[:-1]


def parse_csv(root, rel, rep):
    table = Table(rel)
    text = read_text(root, rel, rep)
    if text is None:
        return table
    lines = text.split("\n")[:-1]
    for n, line in enumerate(lines, 1):
        if line == "":
            rep.add(rel, n, "blank line")
            continue
        try:
            fields = next(csv.reader([line], strict=True))
        except (csv.Error, StopIteration) as e:
            rep.add(rel, n, "not valid CSV (%s); fields may not hold line breaks" % e)
            continue
        if canonical(fields) != line:
            rep.add(rel, n, "not in canonical RFC 4180 form (quote a field only "
                    "when it holds a comma or a quote; write \"\" for a quote)")
        if n == 1:
            table.header = fields
        else:
            table.rows.append((n, fields))
    if not table.header:
        rep.add(rel, 1, "no header line")
    return table


def check_header(table, meta, rep):
    rel = table.path
    seen = set()
    for name in table.header:
        if not COLUMN_NAME.match(name):
            rep.add(rel, 1, "column name '%s' is not lower_case_with_underscores" % name)
        if name in seen:
            rep.add(rel, 1, "column '%s' repeated" % name)
        seen.add(name)
    cols = meta.get("columns")
    if cols and cols.split(",") != table.header:
        rep.add(rel, 1, "header '%s' differs from %s columns: '%s'"
                % (",".join(table.header), meta.path, cols))
    width = len(table.header)
    good = []
    for n, f in table.rows:
        if len(f) != width:
            rep.add(rel, n, "%d fields, header has %d" % (len(f), width))
        else:
            good.append((n, f))
    table.rows = good
    for key in ("key", "required", "gap_columns"):
        for c in meta.list_of(key):
            if c not in table.header:
                rep.add(meta.path, meta.line_of[key], "%s: no column '%s'" % (key, c))


def valid_date(s):
    try:
        return datetime.date.fromisoformat(s).isoformat() == s
    except ValueError:
        return False


def check_cells(table, meta, rep):
    rel = table.path
    h = table.header
    key_cols = [h.index(c) for c in meta.list_of("key") if c in h]
    req_cols = [h.index(c) for c in meta.list_of("required") if c in h]
    gap_cols = [h.index(c) for c in meta.list_of("gap_columns") if c in h]
    status_col = table.column("status")
    declared_sources = set()
    for _, value in meta.multi["source"]:
        if " = " in value:
            declared_sources.add(value.split(" = ", 1)[0])
    seen_keys = {}
    for n, f in table.rows:
        if key_cols:
            k = tuple(f[i] for i in key_cols)
            if k in seen_keys:
                rep.add(rel, n, "duplicate key %s (first on line %d)"
                        % ("/".join(k), seen_keys[k]))
            else:
                seen_keys[k] = n
        for i in req_cols:
            if f[i] == "":
                rep.add(rel, n, "required column '%s' is empty" % h[i])
        gap = False
        if status_col >= 0:
            st = f[status_col]
            if st.startswith(NOT_AVAILABLE):
                gap = True
                if st[len(NOT_AVAILABLE):].strip() == "":
                    rep.add(rel, n, "status 'not available:' needs a reason")
            elif st not in STATUS_WORDS:
                rep.add(rel, n, "status '%s' is not one of %s or 'not available: REASON'"
                        % (st, ", ".join(STATUS_WORDS)))
        for i in gap_cols:
            if gap and f[i] != "":
                rep.add(rel, n, "'%s' must be empty when the status is not available" % h[i])
            if not gap and f[i] == "":
                rep.add(rel, n, "'%s' is empty: mark the gap with status 'not available: REASON'" % h[i])
        for i, name in enumerate(h):
            v = f[i]
            if name in SOURCE_COLUMNS:
                if v == "" and not gap and status_col >= 0:
                    rep.add(rel, n, "'%s' is empty for a value that is not a gap" % name)
                for s in (v.split("|") if v else []):
                    if s not in declared_sources:
                        rep.add(rel, n, "source '%s' is not declared in %s (source: %s = ...)"
                                % (s, meta.path, s))
            if v == "":
                continue
            if name.endswith("_date") and not valid_date(v):
                rep.add(rel, n, "'%s' value '%s' is not a YYYY-MM-DD date" % (name, v))
            elif name.endswith("_pence") and not PENCE.match(v):
                rep.add(rel, n, "'%s' value '%s' is not a whole number of pence" % (name, v))
            elif name in FLAG_COLUMNS and v not in ("0", "1"):
                rep.add(rel, n, "'%s' value '%s' is not 0 or 1" % (name, v))
            elif name in INT_COLUMNS and not PENCE.match(v):
                rep.add(rel, n, "'%s' value '%s' is not a whole number" % (name, v))
            elif name in DECIMAL_COLUMNS and not DECIMAL.match(v):
                rep.add(rel, n, "'%s' value '%s' is not a decimal number" % (name, v))
            elif name == "financial_year":
                m = FIN_YEAR.match(v)
                if not m or (int(m.group(1)) + 1) % 100 != int(m.group(2)):
                    rep.add(rel, n, "financial_year '%s' is not written YYYY/YY" % v)


def check_refs(root, tables, metas, rep):
    for rel, meta in metas.items():
        declared = [v for _, v in meta.multi["ref"]]
        for want in MANDATORY_REFS.get(rel, ()):
            if want not in declared:
                rep.add(meta.path, 1, "missing mandatory 'ref: %s'" % want)
        table = tables.get(rel)
        if table is None:
            continue
        for line, value in meta.multi["ref"]:
            m = REF_VALUE.match(value)
            if not m:
                rep.add(meta.path, line, "ref must read 'column -> data/PATH.csv:column'")
                continue
            col, target, tcol = m.groups()
            if col not in table.header:
                rep.add(meta.path, line, "ref: no column '%s' in %s" % (col, rel))
                continue
            other = tables.get(target)
            if other is None:
                rep.add(meta.path, line, "ref: no reference file %s" % target)
                continue
            if tcol not in other.header:
                rep.add(meta.path, line, "ref: no column '%s' in %s" % (tcol, target))
                continue
            known = other.values(tcol)
            i = table.header.index(col)
            for n, f in table.rows:
                if f[i] != "" and f[i] not in known:
                    rep.add(rel, n, "%s '%s' is not a %s in %s" % (col, f[i], tcol, target))


def check_pay(table, rep):
    """A pay table holds one financial year and contiguous pay points."""
    m = PAY_FILE.match(table.path)
    if not m:
        return
    year = "%s/%s" % (m.group(1), m.group(2))
    h = table.header
    if not all(c in h for c in ("financial_year", "band", "pay_point")):
        return
    fy, band, pt = h.index("financial_year"), h.index("band"), h.index("pay_point")
    points = {}
    for n, f in table.rows:
        if f[fy] != year:
            rep.add(table.path, n, "financial_year %s in the %s table: one year per file, "
                    "never mix years" % (f[fy], year))
        points.setdefault(f[band], []).append((n, f[pt]))
    for b, pts in points.items():
        first = pts[0][0]
        if any(p == "" for _, p in pts):
            if len(pts) != 1:
                rep.add(table.path, first, "band %s: a whole-band gap row (empty pay_point) "
                        "must be the band's only row" % b)
            continue
        nums = sorted(int(p) for _, p in pts if p.isdigit())
        if nums != list(range(1, len(pts) + 1)):
            rep.add(table.path, first, "band %s: pay points %s are not 1..%d"
                    % (b, ",".join(p for _, p in pts), len(pts)))


def find_files(root, rep):
    csvs, metas = [], []
    data = os.path.join(root, "data")
    if not os.path.isdir(data):
        rep.add("data", 1, "no data/ folder under %s" % root)
        return csvs, metas
    for dirpath, dirnames, filenames in os.walk(data):
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        if rel_dir == "data/toolkits" or rel_dir.startswith("data/toolkits/"):
            dirnames[:] = []
            continue
        dirnames.sort()
        for name in sorted(filenames):
            rel = rel_dir + "/" + name
            if name.endswith(".csv"):
                csvs.append(rel)
            elif name.endswith(".csv.meta"):
                metas.append(rel)
    return csvs, metas


def check(root):
    """Check the tree at root; return the list of problem lines and a summary."""
    rep = Report()
    csvs, meta_files = find_files(root, rep)
    for rel in meta_files:
        if rel[:-len(".meta")] not in csvs:
            rep.add(rel, 1, "sidecar without its CSV file")
    tables, metas = {}, {}
    for rel in csvs:
        tables[rel] = parse_csv(root, rel, rep)
        if rel + ".meta" not in meta_files:
            rep.add(rel, 1, "no sidecar %s.meta (source and licence are required)" % rel)
            continue
        metas[rel] = parse_meta(root, rel + ".meta", rep)
        check_header(tables[rel], metas[rel], rep)
        check_cells(tables[rel], metas[rel], rep)
        check_pay(tables[rel], rep)
    check_refs(root, tables, metas, rep)
    rows = sum(len(t.rows) for t in tables.values())
    return rep.lines, "%d files, %d rows" % (len(csvs), rows)


def self_test():
    """Each broken fixture must produce the expected complaint."""
    good_meta = ("title: t\nsource: S = s\npublisher: p\nlicence: Open Government Licence v3.0\n"
                 "attribution: %s\npublication_date: 2024\nretrieved: r\ncoverage: c\n"
                 "columns: code,name,status,source\nkey: code\nrequired: code\ngap_columns: name\n"
                 % OGL_SENTENCE)
    good_csv = "code,name,status,source\nA,Alpha,published,S\nB,,not available: why,\n"
    cases = [
        ("good", good_csv, good_meta, None),
        ("bom", "\ufeff" + good_csv, good_meta, "byte-order mark"),
        ("crlf", good_csv.replace("\n", "\r\n"), good_meta, "carriage return"),
        ("no final LF", good_csv[:-1], good_meta, "no final line end"),
        ("blank line", good_csv + "\n", good_meta, "blank line"),
        ("header", good_csv.replace("code,name", "code,title"), good_meta, "differs from"),
        ("field count", good_csv + "C,Gamma,published\n", good_meta, "3 fields, header has 4"),
        ("quoting", good_csv.replace("A,Alpha", "A,\"Alpha\""), good_meta, "canonical"),
        ("bad quote", good_csv.replace("A,Alpha", "A,Al\"pha"), good_meta, "canonical"),
        ("duplicate", good_csv + "A,Again,published,S\n", good_meta, "duplicate key A"),
        ("required", good_csv + ",Anon,published,S\n", good_meta, "required column 'code'"),
        ("status", good_csv.replace("B,,not available: why", "B,Beta,guessed"), good_meta,
         "status 'guessed'"),
        ("gap filled", good_csv.replace("B,,not", "B,Beta,not"), good_meta, "must be empty"),
        ("gap unmarked", good_csv.replace("A,Alpha", "A,"), good_meta, "is empty: mark the gap"),
        ("source undeclared", good_csv.replace("published,S", "published,X"), good_meta,
         "source 'X' is not declared"),
        ("no meta", good_csv, None, "no sidecar"),
        ("no licence", good_csv, good_meta.replace("licence: Open Government Licence v3.0\n", ""),
         "missing required key 'licence'"),
        ("no source", good_csv, good_meta.replace("source: S = s\n", ""),
         "missing required key 'source'"),
        ("no attribution", good_csv, good_meta.replace("attribution", "# attribution"),
         "attribution line"),
        ("unknown key", good_csv, good_meta + "licnce: x\n", "unknown key 'licnce'"),
        ("repeated key", good_csv, good_meta + "title: again\n", "'title' repeated"),
        ("bad ref", good_csv, good_meta + "ref: name -> data/x/ref.csv:code\n",
         "name 'Alpha' is not a code in data/x/ref.csv"),
    ]
    failures = 0
    for name, body, meta, expect in cases:
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "data", "x"))
            with open(os.path.join(root, "data", "x", "t.csv"), "w", encoding="utf-8", newline="") as f:
                f.write(body)
            if meta is not None:
                with open(os.path.join(root, "data", "x", "t.csv.meta"), "w", encoding="utf-8",
                          newline="") as f:
                    f.write(meta)
            if name == "bad ref":
                with open(os.path.join(root, "data", "x", "ref.csv"), "w", newline="") as f:
                    f.write("code\nZ\n")
                with open(os.path.join(root, "data", "x", "ref.csv.meta"), "w", newline="") as f:
                    f.write(good_meta.replace("columns: code,name,status,source", "columns: code")
                            .replace("required: code\ngap_columns: name\n", ""))
            problems, _ = check(root)
        if expect is None:
            ok = not problems
        else:
            ok = any(expect in p for p in problems)
        if not ok:
            failures += 1
            print("self-test %s: expected %s, got %s"
                  % (name, repr(expect) if expect else "no problem", problems or "nothing"))
    # The pay-table rules need a file named like a pay table.
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "data", "pay"))
        body = ("financial_year,band,pay_point,status\n2024/25,5,1,published\n"
                "2024/25,5,3,published\n2023/24,6,1,published\n")
        meta = good_meta.replace("columns: code,name,status,source",
                                 "columns: financial_year,band,pay_point,status")
        meta = meta.replace("key: code\nrequired: code\ngap_columns: name\n",
                            "key: financial_year,band,pay_point\n")
        with open(os.path.join(root, "data", "pay", "afc-pay-2024-25.csv"), "w", newline="") as f:
            f.write(body)
        with open(os.path.join(root, "data", "pay", "afc-pay-2024-25.csv.meta"), "w", newline="") as f:
            f.write(meta)
        problems, _ = check(root)
        for expect in ("never mix years", "pay points 1,3 are not 1..2"):
            if not any(expect in p for p in problems):
                failures += 1
                print("self-test pay: expected %r, got %s" % (expect, problems))
    total = len(cases) + 2
    print("check-refdata self-test: %d passed, %d failed" % (total - failures, failures))
    return 1 if failures else 0


def main(argv):
    args = argv[1:]
    if args and args[0] == "--self-test":
        return self_test()
    if len(args) > 1 or (args and args[0].startswith("-")):
        sys.stderr.write("usage: check-refdata.py [--self-test] [ROOT]\n")
        return 2
    root = args[0] if args else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems, summary = check(root)
    for p in problems:
        print(p)
    if problems:
        print("check-refdata: %d problem(s) in %s" % (len(problems), summary), file=sys.stderr)
        return 1
    print("check-refdata: ok, %s" % summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
