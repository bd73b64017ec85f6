#!/usr/bin/env python3
"""count-report: count passes and failures in the test runners' own reports.

    scripts/count-report.py xml FILE   cmocka's XML (JUnit-like)
    scripts/count-report.py tap FILE   TAP from the other runners

Prints "PASSED FAILED" on the first line, then one line per failure
("# name: message").  A missing or unreadable report, an XML file that does
not parse, or a TAP stream whose plan does not match the tests it ran is
counted as one failure: a report we cannot trust is not a pass.
"""
import re
import sys
import xml.etree.ElementTree as ET


def count_xml(path):
    passed, failed, notes = 0, 0, []
    try:
        text = open(path, encoding='utf-8', errors='replace').read()
        # cmocka writes one XML document per group run into the same file.
        docs = [d for d in re.split(r'(?=<\?xml )', text) if d.strip()]
        roots = [ET.fromstring(d) for d in docs]
    except (OSError, ET.ParseError) as e:
        return 0, 1, [f'{path}: no readable report ({e})']
    if not roots:
        return 0, 1, [f'{path}: empty report']
    cases = [c for r in roots for c in r.iter('testcase')]
    for case in cases:
        name = case.get('name', '?')
        bad = case.find('failure')
        if bad is None:
            bad = case.find('error')
        if bad is not None:
            failed += 1
            msg = (bad.get('message') or bad.text or '').strip().replace('\n', ' | ')
            notes.append(f'{name}: {msg[:400]}')
        elif case.find('skipped') is not None:
            failed += 1
            notes.append(f'{name}: skipped (a skip is not a pass)')
        else:
            passed += 1
    return passed, failed, notes


def count_tap(path):
    passed, failed, notes = 0, 0, []
    try:
        lines = open(path, encoding='utf-8', errors='replace').read().splitlines()
    except OSError as e:
        return 0, 1, [f'{path}: no readable report ({e})']
    plan = None
    seen = 0
    for line in lines:
        m = re.match(r'^1\.\.(\d+)', line)
        if m:
            plan = int(m.group(1))
            continue
        m = re.match(r'^(not ok|ok)\b\s*\d*\s*-?\s*(.*)$', line)
        if not m:
            continue
        seen += 1
        desc = m.group(2)
        if m.group(1) == 'ok' and '# SKIP' not in desc.upper():
            passed += 1
        else:
            failed += 1
            notes.append(desc[:400])
    if plan is None:
        failed += 1
        notes.append(f'{path}: no TAP plan (did the program crash?)')
    elif plan != seen:
        failed += 1
        notes.append(f'{path}: planned {plan} tests, ran {seen}')
    return passed, failed, notes


def main():
    kind, path = sys.argv[1], sys.argv[2]
    p, f, notes = (count_xml if kind == 'xml' else count_tap)(path)
    print(p, f)
    for n in notes:
        print('#', n)


if __name__ == '__main__':
    main()
