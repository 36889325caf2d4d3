#!/usr/bin/env python3
"""folio's tagged PDF beside Typst's, on the same text: the structure elements of each
(as poppler's `pdfinfo -struct-text` lists them), counted by type.

The same short piece is written as a folio book (Markdown) and as a Typst document: a
title, two levels of headings, paragraphs, a footnote, a bulleted and a numbered list, a
table with a header row, a figure with alt text and a caption, a link and a quotation.
Both are compiled (Typst 0.15 with `pdf_standards=["ua-1"]`); the script prints the counts
side by side and fails unless folio's tree has at least the structure Typst's has: as many
headings, list items, table cells, notes and figures (links are reported: Typst also makes
each footnote's number a link to the note and back, which folio does not yet).

Usage: scripts/typst-tags.py [FOLIO_BINARY]   (default target/debug/folio)
Needs: `pip install typst`, poppler-utils. Writes into target/typst-tags/.
"""
import collections
import os
import re
import struct
import subprocess
import sys
import zlib

OUT = "target/typst-tags"

PARAS = [
    "The festival opened on a cold evening, with the mountains already dark behind the "
    "square and the projector warming up on its trestle.",
    "Nobody had expected the crowd. Families came from the villages on foot, carrying "
    "blankets and thermos flasks, and stayed until the last reel.",
]

MARKDOWN = f"""---
title: Seven Nights
lang: en
author: Ana Arce
---

{PARAS[0]}

## The programme

{PARAS[1]}[^crowd]

[^crowd]: The organisers counted some four hundred people on the first night.

- Short films from the altiplano
- A retrospective of the travelling cinema
- Workshops for young projectionists

### Getting there

1. Take the cable car to El Alto.
2. Walk two blocks north.

| Night | Film | Venue |
|---|---|---|
| Friday | La hija del viento | Plaza Murillo |
| Saturday | El Gran Movimiento | Teatro Municipal |

![A projector on a trestle in an open square at dusk](images/projector.png "The travelling projector.")

> Cinema is a meeting before it is a screen.

Tickets and times are on [the festival's site](https://example.org/festival).
"""

TYPST = f"""#set document(title: "Seven Nights", author: "Ana Arce")
#set text(lang: "en")
= Seven Nights

{PARAS[0]}

== The programme

{PARAS[1]}#footnote[The organisers counted some four hundred people on the first night.]

- Short films from the altiplano
- A retrospective of the travelling cinema
- Workshops for young projectionists

=== Getting there

+ Take the cable car to El Alto.
+ Walk two blocks north.

#table(columns: 3, table.header[Night][Film][Venue],
  [Friday], [La hija del viento], [Plaza Murillo],
  [Saturday], [El Gran Movimiento], [Teatro Municipal])

#figure(image("images/projector.png", alt: "A projector on a trestle in an open square at dusk"),
  caption: [The travelling projector.])

#quote(block: true)[Cinema is a meeting before it is a screen.]

Tickets and times are on #link("https://example.org/festival")[the festival's site].
"""


def png(w, h):
    """A small grey PNG (the figure's image)."""
    raw = b"".join(b"\x00" + b"\x80" * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def roles(pdf):
    """Structure element types in the tree, counted (`pdfinfo -struct-text`)."""
    out = subprocess.run(["pdfinfo", "-struct-text", pdf], capture_output=True, text=True).stdout
    counts = collections.Counter()
    for line in out.splitlines():
        m = re.match(r"^\s*([A-Z][A-Za-z0-9]*)\b(?!\s*\d+ 0$)", line)
        if m and not line.strip().startswith('"') and not line.strip().startswith("/"):
            if m.group(1) != "Object":
                counts[m.group(1)] += 1
    return counts


def main():
    folio = sys.argv[1] if len(sys.argv) > 1 else "target/debug/folio"
    os.makedirs(f"{OUT}/book/images", exist_ok=True)
    with open(f"{OUT}/book/01-seven-nights.md", "w") as f:
        f.write(MARKDOWN)
    with open(f"{OUT}/book/images/projector.png", "wb") as f:
        f.write(png(300, 200))
    with open(f"{OUT}/seven-nights.typ", "w") as f:
        f.write(TYPST)
    os.makedirs(f"{OUT}/images", exist_ok=True)
    with open(f"{OUT}/images/projector.png", "wb") as f:
        f.write(png(300, 200))
    subprocess.run([folio, "build", f"{OUT}/book", "--out", f"{OUT}/folio", "--format", "pdf",
                    "--pdf-standard", "ua-1", "-q"], check=True)
    import typst
    typst.compile(f"{OUT}/seven-nights.typ", output=f"{OUT}/typst.pdf", pdf_standards=["ua-1"])
    ours = roles(f"{OUT}/folio/seven-nights.pdf")
    theirs = roles(f"{OUT}/typst.pdf")
    print(f"{'element':<12}{'folio':>7}{'typst':>7}")
    for r in sorted(set(ours) | set(theirs)):
        print(f"{r:<12}{ours[r]:>7}{theirs[r]:>7}")
    # What a reader navigates by: folio must have at least what Typst has of each.
    groups = {
        "headings": ["H1", "H2", "H3", "H4", "H5", "H6"],
        "list items": ["LI"],
        "table cells": ["TH", "TD"],
        "notes": ["Note"],
        "figures": ["Figure"],
    }
    failed = False
    for name, types in groups.items():
        a, b = sum(ours[t] for t in types), sum(theirs[t] for t in types)
        ok = a >= b
        failed |= not ok
        print(f"{name}: folio {a}, typst {b} {'ok' if ok else 'FEWER'}")
    print(f"links (reported): folio {ours['Link']}, typst {theirs['Link']}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
