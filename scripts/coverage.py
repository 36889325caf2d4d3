#!/usr/bin/env python3
"""coverage -- build a book with folio and measure what a user moving a book to folio
asks first: did it build, what did it warn about, how many pages, are the outputs valid,
and is every paragraph, list item, table cell and code line of the source in each output.

    python3 scripts/coverage.py BOOK_DIR [--folio target/debug/folio] [--out DIR] [--json]

The source is read by an independent CommonMark parser (markdown-it-py with its table,
footnote and definition-list plugins), not by folio, so a unit folio's own reader drops
counts as missing. A unit is present in an output when its letters and digits, in order,
occur in that output's text (punctuation, spacing, smart quotes and hyphenation aside):

  * the PDF's text is its tagged structure in reading order (`pdfinfo -struct-text`:
    running heads, folios and continuation marks are artifacts, so a paragraph cut by a
    page break still reads whole);
  * the EPUB's text is its XHTML documents' text, in file order.

Raw HTML blocks, front matter, SUMMARY.md and mdBook's {{#...}} directives are not units.
Also runs `qpdf --check` on the PDF and, with --epubcheck JAR, epubcheck on the EPUB.

Exit status: 0 when the build succeeded and every unit is in both outputs; 1 otherwise;
2 when a tool is missing.  Needs: pip install markdown-it-py mdit-py-plugins; poppler-utils
(pdfinfo), qpdf.
"""
import argparse
import collections
import glob
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

try:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin
    from mdit_py_plugins.footnote import footnote_plugin
except ImportError:
    print("coverage.py: pip install markdown-it-py mdit-py-plugins", file=sys.stderr)
    sys.exit(2)

KINDS = ("paragraphs", "list items", "table cells", "code lines")
# A unit shorter than this (in letters and digits) says nothing about loss: "1", "x".
MIN_LETTERS = 2


def letters(text, drop=""):
    """Letters and digits only, lower case: what survives any typesetting (note calls
    kept as CALL); without the characters in `drop`."""
    return "".join(c for c in text.lower() if (c.isalnum() or c == CALL) and c not in drop)


# Where a note call stands: the outputs print its number there, so the text on either
# side is looked for separately.
CALL = "\x00"


HTML_ELEMENTS = set("""a abbr address article aside audio b bdi bdo blockquote body br button
caption cite code col colgroup data dd del details dfn div dl dt em embed fieldset figcaption
figure footer form h1 h2 h3 h4 h5 h6 head header hr html i iframe img input ins kbd label
legend li link main mark meta nav noscript object ol p picture pre q s samp script section
select small source span strong style sub summary sup table tbody td template textarea tfoot
th thead time title tr u ul var video wbr""".split())


def inline_text(token):
    parts = []
    for c in token.children or []:
        if c.type in ("text", "code_inline"):
            parts.append(c.content)
        elif c.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif c.type == "footnote_ref":
            parts.append(CALL)
        elif c.type == "html_inline":
            # folio keeps a tag of no HTML element (<Deluxe> in a title) as text.
            m = re.match(r"</?([A-Za-z][A-Za-z0-9-]*)", c.content)
            if m and m.group(1).lower() not in HTML_ELEMENTS:
                parts.append(c.content)
    return "".join(parts)


def front_matter_end(text):
    lines = text.split("\n")
    if lines and lines[0].strip() in ("---", "+++"):
        for i, line in enumerate(lines[1:], 1):
            if line.strip() in ("---", "...", "+++"):
                return "\n" * (i + 1) + "\n".join(lines[i + 1:])
    return text


ATTRIBUTES = re.compile(r"([*_)\]]|[^\s{])\{(?:[#.][A-Za-z]|lang=|width=)[^{}\n]*\}")


def without_attributes(text):
    """The text without folio's attribute blocks, outside code (fences and `spans`)."""
    out, fence = [], None
    for line in text.split("\n"):
        m = re.match(r"\s{0,3}(`{3,}|~{3,})", line)
        if fence:
            fence = None if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) else fence
            out.append(line)
            continue
        if m:
            fence = m.group(1)
            out.append(line)
            continue
        parts = re.split(r"(`+[^`]*`+)", line)
        out.append("".join(p if p.startswith("`") else ATTRIBUTES.sub(r"\1", p) for p in parts))
    return "\n".join(out)


def units(path):
    """The source's units by kind: lists of strings."""
    md = MarkdownIt("commonmark").enable("table").use(footnote_plugin).use(deflist_plugin)
    text = front_matter_end(open(path, encoding="utf-8", errors="replace").read())
    # Fenced divs (::: pullquote) are folio's; their fence lines are not text. Nor are
    # attributes after a span, an image or a heading ({lang=es}, {width=50%}, {#id}).
    text = re.sub(r"(?m)^\s{0,3}:::.*$", "", text)
    text = without_attributes(text)
    out = collections.defaultdict(list)
    stack = []
    for t in md.parse(text):
        if t.nesting == 1:
            stack.append(t.type)
        elif t.nesting == -1 and stack:
            stack.pop()
        if t.type == "inline":
            s = inline_text(t)
            if "{{#" in s:
                continue
            if "th_open" in stack or "td_open" in stack:
                out["table cells"].append(s)
            elif "list_item_open" in stack:
                out["list items"].append(s)
            elif stack and stack[-1] == "paragraph_open":
                out["paragraphs"].append(s)
        elif t.type in ("fence", "code_block"):
            out["code lines"].extend(line for line in t.content.split("\n") if line.strip())
    return out


def source_files(book):
    files = sorted(glob.glob(os.path.join(book, "**", "*.md"), recursive=True))
    skip = ("SUMMARY.md", "README.md") if os.path.exists(os.path.join(book, "SUMMARY.md")) else ()
    out = []
    for f in files:
        rel = os.path.relpath(f, book)
        if rel.startswith(("out" + os.sep, "book" + os.sep)):
            continue
        if os.path.basename(f) == "SUMMARY.md":
            continue
        if skip and os.path.basename(f) == "README.md" and not summary_lists(book, rel):
            continue
        out.append(f)
    return out


def summary_lists(book, rel):
    try:
        return rel in open(os.path.join(book, "SUMMARY.md"), encoding="utf-8").read()
    except OSError:
        return False


def pdf_text(pdf):
    r = subprocess.run(["pdfinfo", "-struct-text", pdf], capture_output=True, text=True)
    if r.returncode != 0:
        return ""
    # Drop the tree's element names ("Document", "P (block)"…): keep the quoted text.
    return "\n".join(re.findall(r'"(.*)"', r.stdout))


def epub_text(epub):
    out = []
    with zipfile.ZipFile(epub) as z:
        for name in sorted(z.namelist()):
            if name.endswith(".xhtml"):
                doc = z.read(name).decode("utf-8", "replace")
                doc = re.sub(r"(?s)<head>.*?</head>", " ", doc)
                out.append(html.unescape(re.sub(r"<[^>]+>", " ", doc)))
    return "\n".join(out)


def warning_kinds(stderr):
    kinds = collections.Counter()
    for line in stderr.splitlines():
        if line.startswith("warning: "):
            msg = line[len("warning: "):]
            # One kind per message shape: quoted parts and numbers left out.
            shape = re.sub(r"“[^”]*”|`[^`]*`|'.'|\"[^\"]*\"|\(U\+[0-9A-F]+\)", "…", msg)
            shape = re.sub(r"\d+(\.\d+)?", "N", shape)
            kinds[shape[:90]] += 1
    return kinds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("book")
    ap.add_argument("--folio", default="target/debug/folio")
    ap.add_argument("--out")
    ap.add_argument("--epubcheck", help="path of epubcheck.jar")
    ap.add_argument("--json", action="store_true")
    opts = ap.parse_args()
    for tool in ("pdfinfo", "qpdf"):
        if not shutil.which(tool):
            print("coverage.py: %s not found (apt-get install poppler-utils qpdf)" % tool,
                  file=sys.stderr)
            return 2
    out = opts.out or tempfile.mkdtemp(prefix="folio-coverage-")
    env = dict(os.environ, NO_COLOR="1", SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1764000000"))
    b = subprocess.run([opts.folio, "build", opts.book, "--out", out], capture_output=True,
                       text=True, env=env)
    report = {"book": opts.book, "exit": b.returncode,
              "warnings": dict(warning_kinds(b.stderr))}
    pdfs = sorted(glob.glob(os.path.join(out, "*.pdf")))
    pdfs = [p for p in pdfs if not p.endswith((".print.pdf", ".booklet.pdf", ".cover.pdf"))]
    epubs = sorted(glob.glob(os.path.join(out, "*.epub")))
    if b.returncode != 0 or not pdfs or not epubs:
        report["error"] = b.stderr.strip().splitlines()[:3]
        print(json.dumps(report, indent=1, ensure_ascii=False))
        return 1
    pdf, epub = pdfs[0], epubs[0]
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    report["pages"] = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    q = subprocess.run(["qpdf", "--check", pdf], capture_output=True, text=True)
    report["qpdf"] = "ok" if q.returncode == 0 else "exit %d" % q.returncode
    if opts.epubcheck:
        jr = os.path.join(out, "epubcheck.json")
        subprocess.run(["java", "-jar", opts.epubcheck, epub, "--json", jr],
                       capture_output=True)
        sev = collections.Counter(m["severity"] for m in json.load(open(jr))["messages"])
        report["epubcheck"] = {k: sev.get(k, 0) for k in ("FATAL", "ERROR", "WARNING")}
    texts = {"pdf": letters(pdf_text(pdf)), "epub": letters(epub_text(epub))}
    source = collections.defaultdict(list)
    for f in source_files(opts.book):
        for kind, items in units(f).items():
            source[kind].extend(items)
    ok = True
    report["units"] = {}
    report["missing"] = {}
    # Characters the build said the PDF's fonts lack: printed as the font's box, their
    # text only in an /ActualText, which pdfinfo does not read.
    lacking = "".join(set(re.findall(r"has no glyph for '(.)'", b.stderr))).lower()
    for kind in KINDS:
        raw = [s for s in source.get(kind, []) if len(letters(s).replace(CALL, "")) >= MIN_LETTERS]
        row = {"source": len(raw)}
        for name, text in texts.items():
            drop = lacking if name == "pdf" else ""
            missing = [letters(s, drop).replace(CALL, " ") for s in raw]
            missing = [s for s in missing if any(p not in text for p in s.split())]
            row[name] = len(raw) - len(missing)
            if missing:
                ok = False
                report["missing"]["%s in %s" % (kind, name)] = [m[:60] for m in missing[:5]]
        report["units"][kind] = row
    if opts.json:
        print(json.dumps(report, indent=1, ensure_ascii=False))
    else:
        w = sum(report["warnings"].values())
        print("%s: exit %d, %d pages, qpdf %s%s, %d warnings" % (
            opts.book, b.returncode, report["pages"], report["qpdf"],
            "".join(", epubcheck %s" % report["epubcheck"] if opts.epubcheck else ""), w))
        for kind, n in sorted(report["warnings"].items(), key=lambda kv: -kv[1]):
            print("  %3d x %s" % (n, kind))
        for kind, row in report["units"].items():
            print("  %-12s %5d in the source; PDF %5d (%.1f %%), EPUB %5d (%.1f %%)" % (
                kind, row["source"], row["pdf"], 100.0 * row["pdf"] / max(1, row["source"]),
                row["epub"], 100.0 * row["epub"] / max(1, row["source"])))
        for what, items in report["missing"].items():
            print("  missing %s: %s" % (what, items))
    return 0 if ok and b.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
