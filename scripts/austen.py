#!/usr/bin/env python3
"""austen -- Pride and Prejudice (Jane Austen, 1813; public domain) as a folio book, for
measuring typographic quality on a real novel (BENCH.md, "Spacing and hyphenation").

    python3 scripts/austen.py OUT_DIR [DEB]

The text comes from Debian's r-cran-janeaustenr package (Project Gutenberg's text; the
package is MIT-licensed), fetched with `apt-get download` unless DEB names the .deb. Its
R data file holds each novel as a character vector, one string per printed line; this
reads R's serialization format just far enough for that. Writes OUT_DIR/book.toml (6 x 9
in, 1 in margins, 11/14 pt: the settings of the issue's hidden novel) and one Markdown
file per chapter.
"""
import glob
import os
import re
import struct
import subprocess
import sys
import tempfile
import zlib


def blobs(data):
    """The rdb file's entries: each a 4-byte length, then a zlib stream."""
    at = 0
    while at + 4 < len(data):
        d = zlib.decompressobj()
        try:
            out = d.decompress(data[at + 4:])
        except zlib.error:
            return
        yield out
        at = len(data) - len(d.unused_data)


def strings(blob):
    """The strings of a serialized R character vector (STRSXP), or None."""
    if blob[:2] != b"X\n":
        return None
    i = 2
    version = struct.unpack(">i", blob[i:i + 4])[0]
    i += 12
    if version == 3:  # the native encoding's name
        n = struct.unpack(">i", blob[i:i + 4])[0]
        i += 4 + n
    flags, n = struct.unpack(">ii", blob[i:i + 8])
    i += 8
    if flags & 0xFF != 16:
        return None
    out = []
    for _ in range(n):
        _, k = struct.unpack(">ii", blob[i:i + 8])
        i += 8
        if k < 0:
            out.append("")
            continue
        out.append(blob[i:i + k].decode("utf-8", "replace"))
        i += k
    return out


def paragraphs(lines):
    """Printed lines joined into paragraphs (a blank line between them)."""
    out, cur = [], []
    for line in lines + [""]:
        if line.strip():
            cur.append(line.strip())
        elif cur:
            out.append(re.sub(r"\s+", " ", " ".join(cur)))
            cur = []
    return out


TOML = """title = "Pride and Prejudice"
lang = "en-GB"
date = "1813-01-28"
publisher = "folio typography test"

[[author]]
name = "Jane Austen"
file-as = "Austen, Jane"

[pdf]
page-width = "6in"
page-height = "9in"
inner-margin = "1in"
outer-margin = "1in"
top-margin = "1in"
bottom-margin = "1in"
font-size = 11
leading = 14
"""


def main():
    out = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        deb = sys.argv[2] if len(sys.argv) > 2 else None
        if not deb:
            subprocess.run(["apt-get", "download", "r-cran-janeaustenr"], cwd=tmp, check=True)
            deb = glob.glob(os.path.join(tmp, "*.deb"))[0]
        subprocess.run(["dpkg-deb", "-x", deb, tmp], check=True)
        rdb = glob.glob(os.path.join(tmp, "**/janeaustenr/data/Rdata.rdb"), recursive=True)[0]
        data = open(rdb, "rb").read()
    novel = None
    for blob in blobs(data):
        lines = strings(blob)
        if lines and any(l.strip() == "PRIDE AND PREJUDICE" for l in lines[:5]):
            novel = lines
            break
    if novel is None:
        sys.exit("austen.py: Pride and Prejudice not found in the package's data")
    chapters, cur = [], None
    for p in paragraphs(novel):
        m = re.match(r"^Chapter (\d+)$", p)
        if m:
            cur = (int(m.group(1)), [])
            chapters.append(cur)
        elif cur:
            cur[1].append(p)
    os.makedirs(out, exist_ok=True)
    open(os.path.join(out, "book.toml"), "w").write(TOML)
    words = 0
    for n, ps in chapters:
        words += sum(len(p.split()) for p in ps)
        body = "\n\n".join(ps)
        path = os.path.join(out, "%02d-chapter.md" % n)
        open(path, "w").write("---\ntitle: Chapter %d\n---\n\n%s\n" % (n, body))
    print("%s: %d chapters, %d words" % (out, len(chapters), words))


if __name__ == "__main__":
    main()
