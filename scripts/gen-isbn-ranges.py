#!/usr/bin/env python3
"""Regenerate src/isbn_ranges.txt, the ISBN range table that src/isbn.rs embeds.

The International ISBN Agency publishes its range rules as RangeMessage.xml;
we are offline except for package registries, so the table is taken from the
npm package `isbn3`, whose lib/groups.js is regenerated from the Agency's
RangeMessage every month (an automated "Auto-update groups" release).

Usage:
    python3 scripts/gen-isbn-ranges.py                  # npm pack isbn3 (latest)
    python3 scripts/gen-isbn-ranges.py isbn3-2.0.11.tgz # a tarball from `npm pack`
    python3 scripts/gen-isbn-ranges.py path/to/package  # an unpacked package dir
    ... [--out src/isbn_ranges.txt]

Output format (one line per registration group, 978/979 prefixes only):
    978-1 0000000-0099999:3 0100000-0299999:2 ... # English language
Each rule is `start-end:length`: start and end are the seven digits that follow
the registration group (right-padded with zeros), inclusive, and `length` is
the number of registrant (publisher) digits for ISBNs in that range. Ranges the
Agency marks as unassigned (length 0) are simply absent. Standard library only.
"""

import argparse
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "isbn3"
GROUPS_JS = "lib/groups.js"
# RangeMessage rules compare the first seven digits after the registration group.
RANGE_WIDTH = 7
# An ISBN-13 has 13 digits: 3 EAN prefix + group + registrant + publication + 1 check.
DIGITS_AFTER_PREFIX = 13 - 3 - 1
GROUP_KEY = re.compile(r"^(978|979)-(\d{1,5})$")
TOKEN = re.compile(r"\s*(?:('(?:\\.|[^'\\])*')|([A-Za-z_$][\w$]*)|(\d+)|([{}\[\]:,]))")

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "src" / "isbn_ranges.txt"


def tokenize(text):
    """Split the JS object literal into (kind, value) tokens."""
    text = re.sub(r"^\s*//.*$", "", text, flags=re.M)
    start = text.index("module.exports")
    pos = text.index("=", start) + 1
    tokens = []
    while True:
        m = TOKEN.match(text, pos)
        if not m:
            if text[pos:].strip():
                raise SystemExit(f"{GROUPS_JS}: cannot parse at offset {pos}: {text[pos:pos + 40]!r}")
            return tokens
        pos = m.end()
        quoted, ident, number, punct = m.groups()
        if quoted is not None:
            tokens.append(("str", re.sub(r"\\(.)", r"\1", quoted[1:-1])))
        elif ident is not None or number is not None:
            tokens.append(("str", ident if ident is not None else number))
        else:
            tokens.append(("punct", punct))


def parse_value(tokens, i):
    """Recursive-descent parse of objects, arrays and strings; returns (value, next index)."""
    kind, tok = tokens[i]
    if kind == "str":
        return tok, i + 1
    closer = {"{": "}", "[": "]"}.get(tok)
    if closer is None:
        raise SystemExit(f"{GROUPS_JS}: unexpected {tok!r}")
    out = {} if tok == "{" else []
    i += 1
    while tokens[i] != ("punct", closer):
        if tok == "{":
            key, i = parse_value(tokens, i)
            if tokens[i] != ("punct", ":"):
                raise SystemExit(f"{GROUPS_JS}: expected ':' after {key!r}")
            out[key], i = parse_value(tokens, i + 1)
        else:
            item, i = parse_value(tokens, i)
            out.append(item)
        if tokens[i] == ("punct", ","):
            i += 1
    return out, i + 1


def read_package(source):
    """Return (package.json dict, groups.js text) from a tarball, a directory, or npm."""
    if source is None:
        tmp = tempfile.mkdtemp(prefix="isbn3-")
        out = subprocess.run(["npm", "pack", PACKAGE, "--json", "--pack-destination", tmp],
                             check=True, capture_output=True, text=True).stdout
        source = Path(tmp) / json.loads(out)[0]["filename"]
    source = Path(source)
    if source.is_dir():
        return (json.loads((source / "package.json").read_text()),
                (source / GROUPS_JS).read_text(encoding="utf-8"))
    with tarfile.open(source) as tar:
        def member(name):
            return tar.extractfile(f"package/{name}").read().decode("utf-8")
        return json.loads(member("package.json")), member(GROUPS_JS)


def publish_time(version):
    """The registry's publish time for this version, or 'unknown' when npm can't say."""
    try:
        out = subprocess.run(["npm", "view", PACKAGE, "time", "--json"],
                             check=True, capture_output=True, text=True, timeout=60).stdout
        stamp = json.loads(out).get(version, "unknown")
        return re.sub(r"\.\d+(\+00:00|Z)$", "Z", stamp)
    except (OSError, subprocess.SubprocessError, ValueError):
        return "unknown"


def group_rules(key, group_len, ranges):
    """Convert isbn3's truncated [start, end] pairs into sorted (start7, end7, length)."""
    rules = []
    for start, end in ranges:
        if len(start) != len(end) or not (start + end).isdigit() or not 1 <= len(start) <= RANGE_WIDTH:
            raise SystemExit(f"{key}: malformed range {start}-{end}")
        length = len(start)
        if length >= DIGITS_AFTER_PREFIX - group_len:
            raise SystemExit(f"{key}: registrant length {length} leaves no publication digits")
        rules.append((start.ljust(RANGE_WIDTH, "0"), end.ljust(RANGE_WIDTH, "9"), length))
    rules.sort()
    for (_, prev_end, _), (start, _, _) in zip(rules, rules[1:]):
        if start <= prev_end:
            raise SystemExit(f"{key}: overlapping ranges at {start}")
    return rules


def render(package, groups, published):
    keys = sorted((k for k in groups if GROUP_KEY.match(k)),
                  key=lambda k: (k[:3], GROUP_KEY.match(k).group(2)))
    lines, n_rules = [], 0
    for key in keys:
        rules = group_rules(key, len(GROUP_KEY.match(key).group(2)), groups[key].get("ranges", []))
        n_rules += len(rules)
        name = " ".join(str(groups[key].get("name", "")).replace("#", "").split())
        cells = " ".join(f"{s}-{e}:{n}" for s, e, n in rules)
        lines.append(" ".join(x for x in (key, cells, f"# {name}" if name else "") if x))
    header = [
        "# ISBN-13 registration groups and registrant (publisher) ranges, for src/isbn.rs.",
        "# Generated by scripts/gen-isbn-ranges.py; do not edit by hand, rerun the script.",
        f"# Source: npm package {PACKAGE} {package['version']} ({GROUPS_JS}), published {published}.",
        "# Data: International ISBN Agency RangeMessage as fetched for that release (isbn3",
        "#   regenerates groups.js monthly; it keeps no RangeMessage date of its own).",
        "# Line: <EAN prefix>-<group> <start>-<end>:<registrant length> ... [# agency]",
        "# start/end: the 7 digits after the group, right-padded with zeros, inclusive.",
        f"# {len(keys)} groups, {n_rules} ranges.",
    ]
    return "\n".join(header + lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", nargs="?", help="isbn3 tarball or unpacked package dir (default: npm pack isbn3)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    package, js = read_package(args.source)
    groups, _ = parse_value(tokenize(js), 0)
    if not isinstance(groups, dict) or not groups:
        raise SystemExit(f"{GROUPS_JS}: no groups found")
    text = render(package, groups, publish_time(package["version"]))
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode())} bytes) from {PACKAGE} {package['version']}", file=sys.stderr)


if __name__ == "__main__":
    main()
