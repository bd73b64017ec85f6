#!/usr/bin/env python3
"""demo-calibrate: derive the demo generator's calibration tables.

Usage: tools/demo-calibrate.py [--check] [--shared DIR]

Reads the real published NHS data in ../shared/data (or --shared DIR) and
Cadre's reference data in data/, and writes:

  data/demo/org-fte-2024.csv         organisations and their target FTE in post
  data/demo/staff-group-mix.csv      staff-group shares by organisation type
  data/demo/sickness-seasonality.csv national sickness absence by month
  data/demo/unit-costs-2024-25.csv   annual salary and employer cost by grade
  src/domain/demo_tables.c           the same tables as C arrays, compiled into
                                     cadre (so `cadre demo generate` needs no
                                     data files at run time)

The derivations are documented in each file's .meta sidecar and in
docs/demo.md.  Every number is computed with integer or exact decimal
arithmetic (fractions.Fraction) and rounded half up at the end, so the output
is the same on every machine.  --check writes nothing: it recomputes every
output and exits 1 if any file on disk differs (for CI).
"""

import calendar
import csv
import glob
import hashlib
import io
import os
import subprocess
import sys
from fractions import Fraction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The publication's ORG_TYPE -> Cadre's demo organisation type.  CSUs and
# "Others" (national bodies, special health authorities, independent
# providers) are not generated: they are not trusts or ICBs, have no place in
# the trust/ICS hierarchy, and most have no ODS reference row here.
ORG_TYPES = {
    "Acute": "acute",
    "Mental Health": "mental_health",
    "Ambulance": "ambulance",
    "Community Provider Trust": "community",
    "Integrated Care Board": "icb",
}
TYPE_ORDER = ["acute", "mental_health", "ambulance", "community", "icb"]

# 2018 staff-in-post group names -> data/workforce/staff-groups.csv codes, in
# the generator's order (the C enum demo_group follows it).
SIP_GROUPS = [
    ("HCHS doctors", "DOC"),
    ("Nurses & health visitors", "NURSE_HV"),
    ("Midwives", "MIDWIFE"),
    ("Ambulance staff", "AMB"),
    ("Scientific, therapeutic & technical staff", "STT"),
    ("Support to doctors, nurses & midwives", "SUP_DNM"),
    ("Support to ambulance staff", "SUP_AMB"),
    ("Support to ST&T staff", "SUP_STT"),
    ("Central functions", "INFRA_CENTRAL"),
    ("Hotel, property & estates", "INFRA_HPE"),
    ("Senior managers", "INFRA_SENIOR_MGR"),
    ("Managers", "INFRA_MGR"),
    ("Unknown", "UNKNOWN"),
]

# 2018 organisations that are not in the 2024 publication (merged or
# renamed since): their type, read from their names.  CCGs (names ending in
# "CCG") are mapped to icb, their successors.
SIP_TYPE_OVERRIDES = {
    "RW6": "acute", "RXH": "acute", "RQ6": "acute", "RLN": "acute", "RDD": "acute",
    "RQ8": "acute", "RGQ": "acute", "RDZ": "acute", "RBA": "acute", "RNL": "acute",
    "RT3": "acute", "RD3": "acute", "RE9": "acute", "RJF": "acute", "RBZ": "acute",
    "RVY": "acute", "RC1": "acute", "RA4": "acute", "RA3": "acute",
    "RTV": "mental_health",  # North West Boroughs Healthcare: mental health and community
    "R1J": "community",      # Gloucestershire Care Services
}

# Medical and VSM annual salaries (pence, 2024/25): NOT in the reference data
# here, so round figures assumed for the demo (marked inferred, source
# ASSUMPTION).  Replace them when medical pay tables join data/pay/.
MED_SALARY_ASSUMED = [
    ("MED-CONS", 12000000, "consultant"),
    ("MED-AS", 9000000, "associate specialist (closed grade)"),
    ("MED-SPEC", 10500000, "specialist (2021 grade)"),
    ("MED-SD", 7500000, "specialty doctor"),
    ("MED-STR", 6500000, "specialty registrar"),
    ("MED-CT", 5000000, "core training"),
    ("MED-FY2", 4200000, "foundation year 2"),
    ("MED-FY1", 3660000, "foundation year 1"),
    ("VSM", 15000000, "very senior manager (VSM pay ranges are not available here)"),
]
# Band 9 2024/25 is a gap in data/pay/afc-pay-2024-25.csv: take 2025/26's
# points deflated by the 2025/26 award of 3.6% (assumption, marked inferred).
BAND9_AWARD_2025 = Fraction(1036, 1000)


def half_up(x):
    """Round a non-negative Fraction to the nearest integer, halves up."""
    return int((x * 2 + 1) // 2)


def dec(x, places):
    """x (a Fraction) as a decimal string with `places` digits, halves up."""
    scale = 10 ** places
    n = half_up(abs(x) * scale)
    s = "%d.%0*d" % (n // scale, places, n % scale) if places else "%d" % n
    return ("-" if x < 0 and n else "") + s


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def write_rows(header, rows):
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    return out.getvalue()


def derive_orgs(shared):
    """Mean FTE in post per organisation over the months it appears."""
    files = sorted(glob.glob(os.path.join(shared, "nhs-sickness-absence", "*.csv")))
    if len(files) != 9:
        sys.exit("demo-calibrate: expected 9 monthly sickness files, found %d" % len(files))
    orgs = {}
    ics_names = {}
    region_names = {}
    for path in files:
        for r in read_csv(path):
            d, m, y = (int(v) for v in r["DATE"].split("/"))
            days = calendar.monthrange(y, m)[1]
            if d != days:
                sys.exit("demo-calibrate: %s: DATE %s is not a month end" % (path, r["DATE"]))
            code = r["ORG_CODE"]
            o = orgs.setdefault(code, {"fte": [], "lost": Fraction(0), "avail": Fraction(0)})
            avail = Fraction(r["FTE_DAYS_AVAILABLE"])
            lost = Fraction(r["FTE_DAYS_LOST"])
            o["fte"].append(avail / days)
            o["lost"] += lost
            o["avail"] += avail
            o["name"] = r["ORG_NAME"]  # the latest month's spelling
            o["ptype"] = r["ORG_TYPE"]
            o["icb"] = r["ICS_CODE"]
            o["region"] = r["NHSE_REGION_CODE"]
            ics_names[r["ICS_CODE"]] = r["ICS_NAME"]
            region_names[r["NHSE_REGION_CODE"]] = r["NHSE_REGION_NAME"]
    rows, excluded = [], []
    for code in sorted(orgs):
        o = orgs[code]
        fte = sum(o["fte"], Fraction(0)) / len(o["fte"])
        if o["ptype"] not in ORG_TYPES:
            excluded.append((code, o["name"], o["ptype"], fte))
            continue
        rate = o["lost"] / o["avail"] * 100
        rows.append({
            "org_code": code, "org_name": o["name"], "publication_org_type": o["ptype"],
            "org_type": ORG_TYPES[o["ptype"]], "icb_code": o["icb"], "region_code": o["region"],
            "months": len(o["fte"]), "fte": fte, "rate": rate,
        })
    return rows, excluded, ics_names, region_names


def derive_mix(shared, org_rows):
    """2018 FTE by staff group and organisation type."""
    ptype = {r["org_code"]: r["org_type"] for r in org_rows}
    path = os.path.join(shared, "staff-in-post", "hchs-staff-by-group-nationality-org-2017-09-2018-06.csv")
    code_of = dict(SIP_GROUPS)
    fte = {t: {c: Fraction(0) for _, c in SIP_GROUPS} for t in TYPE_ORDER + ["all"]}
    unclassified = set()
    for r in read_csv(path):
        if r["Month"] != "2018-JUN":
            continue
        org, name = r["Organisation code"], r["Organisation name"]
        t = ptype.get(org) or SIP_TYPE_OVERRIDES.get(org)
        if t is None and name.endswith("CCG"):
            t = "icb"
        if t is None:
            unclassified.add(org)
            t = None
        g = code_of[r["Staff group"]]
        v = Fraction(r["FTE"]) if r["FTE"] else Fraction(0)
        fte["all"][g] += v
        if t:
            fte[t][g] += v
    if unclassified:
        sys.exit("demo-calibrate: 2018 organisations of unknown type: %s" % ", ".join(sorted(unclassified)))
    return fte


def derive_seasonality(shared):
    """National rate by calendar month, April-December 2024, as published."""
    rates = {}
    for path in sorted(glob.glob(os.path.join(shared, "nhs-sickness-absence", "*.csv"))):
        lost = avail = Fraction(0)
        month = None
        for r in read_csv(path):
            lost += Fraction(r["FTE_DAYS_LOST"])
            avail += Fraction(r["FTE_DAYS_AVAILABLE"])
            month = int(r["DATE"].split("/")[1])
        rates[month] = lost / avail * 100
    return rates


def pay_table(path):
    """band -> list of annual salaries in pence (gaps skipped)."""
    bands = {}
    for r in read_csv(path):
        if r["annual_salary_pence"]:
            bands.setdefault(r["band"], []).append(int(r["annual_salary_pence"]))
    return bands


def on_cost(fy):
    rows = read_csv(os.path.join(ROOT, "data", "pay", "on-costs.csv"))
    got = {r["component"]: r for r in rows if r["financial_year"] == fy}
    return (Fraction(got["employer_ni"]["rate_percent"]) / 100,
            int(got["employer_ni"]["threshold_pence"]),
            Fraction(got["nhs_pension_employer_local"]["rate_percent"]) / 100,
            Fraction(got["apprenticeship_levy"]["rate_percent"]) / 100)


def derive_costs():
    ni_rate, ni_threshold, pension, levy = on_cost("2024/25")
    p2024 = pay_table(os.path.join(ROOT, "data", "pay", "afc-pay-2024-25.csv"))
    p2025 = pay_table(os.path.join(ROOT, "data", "pay", "afc-pay-2025-26.csv"))
    rows = []
    for band in ["2", "3", "4", "5", "6", "7", "8a", "8b", "8c", "8d", "9"]:
        if band in p2024:
            pts = p2024[band]
            salary = half_up(Fraction(sum(pts), len(pts)))
            status, source = "published", "AFC2024"
            note = "mean of the %d pay points given for band %s in 2024/25" % (len(pts), band)
            if band in ("7", "8a", "8b", "8c", "8d"):
                status = "secondary"
            if band == "7":
                note += " (pay point 2 is a gap in the table)"
        else:
            pts = p2025[band]
            salary = half_up(Fraction(sum(pts), len(pts)) / BAND9_AWARD_2025)
            status, source = "inferred", "AFC2025"
            note = ("2024/25 band 9 is a gap: mean of the 2025/26 points divided by 1.036, "
                    "the assumed 2025/26 award (assumption)")
        rows.append(("AFC-" + band, salary, status, source, note))
    for grade, salary, note in MED_SALARY_ASSUMED:
        rows.append((grade, salary, "inferred", "ASSUMPTION",
                     "%s: a round annual salary assumed for the demo, not a published figure" % note))
    out = []
    for grade, salary, status, source, note in rows:
        cost = Fraction(salary) * (1 + pension + levy) + ni_rate * max(0, salary - ni_threshold)
        out.append((grade, salary, half_up(cost), status, source, note))
    return out


def c_string(s):
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.extend("\\x%02x" % b for b in ch.encode("utf-8"))
            out.append('""')  # end the hex escape
    out.append('"')
    return "".join(out)


def clang_format(text):
    """Lay the C out as the lint stage wants it (the repository's .clang-format)."""
    try:
        done = subprocess.run(["clang-format", "--style=file",
                               "--assume-filename=" + os.path.join(ROOT, "src", "domain", "demo_tables.c")],
                              input=text.encode("utf-8"), stdout=subprocess.PIPE, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit("demo-calibrate: clang-format failed (%s); it is needed to write src/domain/demo_tables.c" % e)
    return done.stdout.decode("utf-8")


def build(shared):
    outputs = {}
    orgs, excluded, ics_names, region_names = derive_orgs(shared)
    org_csv = write_rows(
        ["org_code", "org_name", "publication_org_type", "org_type", "icb_code", "region_code",
         "months", "target_fte", "sickness_rate_percent"],
        [(o["org_code"], o["org_name"], o["publication_org_type"], o["org_type"], o["icb_code"],
          o["region_code"], o["months"], dec(o["fte"], 2), dec(o["rate"], 2)) for o in orgs])
    outputs["data/demo/org-fte-2024.csv"] = org_csv

    mix = derive_mix(shared, orgs)
    mix_rows = []
    shares = {}
    for t in TYPE_ORDER + ["all"]:
        total = sum(mix[t].values(), Fraction(0))
        known = total - mix[t]["UNKNOWN"]
        for _, g in SIP_GROUPS:
            v = mix[t][g]
            sk = "" if g == "UNKNOWN" else dec(v / known * 100, 4)
            mix_rows.append((t, g, dec(v, 2), dec(v / total * 100, 4), sk))
            if g != "UNKNOWN":
                shares[(t, g)] = v / known
    outputs["data/demo/staff-group-mix.csv"] = write_rows(
        ["org_type", "staff_group_code", "fte_2018", "share_percent", "share_known_percent"], mix_rows)

    rates = derive_seasonality(shared)
    mean = sum(rates.values(), Fraction(0)) / len(rates)
    # Jan-Mar are not in the files: assumed equal to Dec, Nov and Oct's
    # factors (the winter peak, falling into spring), marked inferred.
    assumed = {1: 12, 2: 11, 3: 10}
    seas_rows = []
    factors = {}
    for m in range(1, 13):
        if m in rates:
            f = half_up(rates[m] / mean * 1000)
            seas_rows.append((m, calendar.month_name[m], dec(rates[m], 3), f, "published", "SICK2024", ""))
        else:
            f = half_up(rates[assumed[m]] / mean * 1000)
            seas_rows.append((m, calendar.month_name[m], "", f, "inferred", "ASSUMPTION",
                              "not in the April-December 2024 files: assumed equal to %s's factor"
                              % calendar.month_name[assumed[m]]))
        factors[m] = f
    outputs["data/demo/sickness-seasonality.csv"] = write_rows(
        ["month", "month_name", "national_rate_percent", "factor_permille", "status", "source", "notes"],
        seas_rows)

    costs = derive_costs()
    outputs["data/demo/unit-costs-2024-25.csv"] = write_rows(
        ["grade", "annual_salary_pence", "annual_cost_pence", "status", "source", "notes"], costs)

    # ---- the C tables ----
    c = []
    c.append("/* Generated by tools/demo-calibrate.py from the files in data/demo/: do not edit.")
    c.append(" * Regenerate with `tools/demo-calibrate.py` (docs/demo.md). */")
    c.append('#include "domain/demo_internal.h"')
    c.append("")
    c.append("/* SHA-256 of each source file, so a test can tell a stale table. */")
    c.append("const struct demo_source demo_sources[] = {")
    for path in sorted(outputs):
        digest = hashlib.sha256(outputs[path].encode("utf-8")).hexdigest()
        c.append("\t{%s, %s}," % (c_string(path), c_string(digest)))
    c.append("};")
    c.append("const size_t demo_source_count = %d;" % len(outputs))
    c.append("")
    c.append("/* data/demo/org-fte-2024.csv: code, name, ICB, region, target FTE x 100, type,")
    c.append(" * 2024 sickness absence rate x 100 (per cent). */")
    c.append("const struct demo_org_row demo_org_rows[] = {")
    for o in orgs:
        c.append("\t{%s, %s, %s, %s, %d, DEMO_ORG_%s, %d}," % (
            c_string(o["org_code"]), c_string(o["org_name"]), c_string(o["icb_code"]),
            c_string(o["region_code"]), half_up(o["fte"] * 100), o["org_type"].upper(),
            half_up(o["rate"] * 100)))
    c.append("};")
    c.append("const size_t demo_org_row_count = %d;" % len(orgs))
    c.append("")
    c.append("/* ICS (ICB area) and NHS England region names as the publication spells them. */")
    c.append("const struct demo_name demo_ics_names[] = {")
    for k in sorted(ics_names):
        c.append("\t{%s, %s}," % (c_string(k), c_string(ics_names[k])))
    c.append("};")
    c.append("const size_t demo_ics_name_count = %d;" % len(ics_names))
    c.append("const struct demo_name demo_region_names[] = {")
    for k in sorted(region_names):
        c.append("\t{%s, %s}," % (c_string(k), c_string(region_names[k])))
    c.append("};")
    c.append("const size_t demo_region_name_count = %d;" % len(region_names))
    c.append("")
    c.append("/* data/demo/staff-group-mix.csv: share of known-group FTE in parts per million,")
    c.append(" * [organisation type][staff group]; the last row is all types together. */")
    c.append("const int32_t demo_mix_ppm[DEMO_ORG_TYPE_COUNT + 1][DEMO_GROUP_COUNT] = {")
    for t in TYPE_ORDER + ["all"]:
        vals = [half_up(shares[(t, g)] * 1000000) for _, g in SIP_GROUPS if g != "UNKNOWN"]
        c.append("\t{%s}, /* %s */" % (", ".join(str(v) for v in vals), t))
    c.append("};")
    c.append("")
    c.append("/* data/demo/sickness-seasonality.csv: factor per calendar month, per mille. */")
    c.append("const int32_t demo_season_permille[12] = {%s};"
             % ", ".join(str(factors[m]) for m in range(1, 13)))
    c.append("")
    c.append("/* data/demo/unit-costs-2024-25.csv: grade, annual salary and employer cost (pence). */")
    c.append("const struct demo_unit_cost demo_unit_costs[] = {")
    for grade, salary, cost, _, _, _ in costs:
        c.append("\t{%s, %d, %d}," % (c_string(grade), salary, cost))
    c.append("};")
    c.append("const size_t demo_unit_cost_count = %d;" % len(costs))
    outputs["src/domain/demo_tables.c"] = clang_format("\n".join(c) + "\n")

    # summary for the log
    total = sum((o["fte"] for o in orgs), Fraction(0))
    summary = ["%d organisations, %s FTE in post (excluded %d: %s FTE)" % (
        len(orgs), dec(total, 0), len(excluded), dec(sum((e[3] for e in excluded), Fraction(0)), 0))]
    for e in excluded:
        summary.append("  excluded %s %s (%s, %s FTE)" % (e[0], e[1], e[2], dec(e[3], 0)))
    return outputs, summary


def main(argv):
    args = argv[1:]
    check = "--check" in args
    if check:
        args.remove("--check")
    shared = os.path.join(os.path.dirname(ROOT), "shared", "data")
    if len(args) == 2 and args[0] == "--shared":
        shared = args[1]
    elif args:
        sys.stderr.write("usage: demo-calibrate.py [--check] [--shared DIR]\n")
        return 2
    outputs, summary = build(shared)
    stale = []
    for rel, text in sorted(outputs.items()):
        path = os.path.join(ROOT, rel)
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8", newline="") as f:
                old = f.read()
        if old == text:
            continue
        if check:
            stale.append(rel)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            print("wrote %s" % rel)
    for line in summary:
        print(line)
    if stale:
        for rel in stale:
            print("demo-calibrate: %s is stale: run tools/demo-calibrate.py" % rel)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
