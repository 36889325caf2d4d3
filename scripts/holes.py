#!/usr/bin/env python3
"""holes -- read a folio PDF back and report, per page, the empty height ("hole") at the
bottom of the text block.

    python3 scripts/holes.py BOOK.pdf [--max-lines 2] [--json] [--check]

Exit status: 0; 1 with --check when a checked page has more than --max-lines empty grid
lines; 2 when the file cannot be read or holds no text.  Needs `pip install pymupdf`.

A hole is the empty height from the bottom of a page's last content (text line box,
image, vector rule) to the bottom of the text block.  On a page with footnotes the notes
sit at the foot, so it is measured from the last content above the note rule to where the
body must stop, half a line above the rule (folio sets the rule mid-way in a one-line gap).
It is given in pt, in lines (pt / line height) and in whole grid lines, floor(lines +
0.05): a fraction of a line can never hold a line, so "at most N lines empty" is checked
on whole grid lines.  A thin rule counts as ending a quarter line higher than drawn, since
folio hangs a table's foot rule 2 pt below its last row: that line is not really used.

folio's geometry is not in the PDF, so it is inferred:
  * body size    the most common font size, counted by characters;
  * line height  the most common distance between consecutive body baselines;
  * folio        a page's lowest line when it is only a number (arabic or roman), in the
                 bottom 30 %, at the baseline most such lines share;
  * running head a page's topmost line in the top 25 %, italic or repeated on other
                 pages, at the baseline most such lines share;
  * block bottom the lowest content bottom of any body page.  Deliberately not a
                 percentile: if many pages end short (the bug hunted here), a percentile
                 would take the short bottom for the block and report nothing.  One
                 overflowing page would flag every page, loudly; a warning names a bottom
                 reached by one page only, and --block-bottom overrides it.
Crop marks and slug lines (outside the trim box) and anything level with the folio or the running head
are not content.  Exempt: front matter (before the first top-level outline entry, or a
roman page label), back matter (after the last page with a folio or a running head: blank
pages, a back cover), the last page of a piece (the next page is the target of a top-level
bookmark, or of any bookmark on a page without a running head -- folio's piece openings,
also in a book whose pieces are bookmarked under parts -- or there is none) and blank pages.  Without an
outline, pages without a running head are taken as openings.

Limits: a page that ends early because the next block is a figure, a table or a block kept
together still counts -- that is the point.  A short page forced by the widow/orphan rules
cannot be told from a bad break: each page over the limit is printed with its last line
and the next page's first line for a person to judge (or raise --max-lines).  One column,
horizontal text.
"""
import argparse
import json
import math
import re
import sys
from collections import Counter

try:
    import pymupdf
except ImportError:  # older PyMuPDF releases
    import fitz as pymupdf  # type: ignore

NUMBER = re.compile(r"^(\d+|(?=[ivxlcdm]+$)m{0,4}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})"
                    r"(ix|iv|v?i{0,3}))$", re.I)
TOL = 0.05  # a hole this much short of a whole line still counts as that line (fuzz)


def mode(values, nd=1):
    return Counter(round(v, nd) for v in values).most_common(1)[0][0] if values else None


def read_lines(page):
    """Visual lines: spans grouped by baseline (a raised note marker joins its line)."""
    spans = sorted((s for b in page.get_text("dict")["blocks"] for l in b.get("lines", [])
                    if l["dir"] == (1.0, 0.0) for s in l["spans"] if s["text"].strip()),
                   key=lambda s: s["origin"][1])
    groups = []
    for s in spans:
        g = groups[-1] if groups else None
        if g and s["origin"][1] - g[0]["origin"][1] <= 0.45 * max(s["size"], g[0]["size"]):
            g.append(s)
        else:
            groups.append([s])
    lines = []
    for g in groups:
        main = max(g, key=lambda s: len(s["text"].strip()) * s["size"])
        g.sort(key=lambda s: s["bbox"][0])
        italic = all(s["flags"] & 2 or "italic" in s["font"].lower() for s in g)
        lines.append(dict(y=main["origin"][1], y0=min(s["bbox"][1] for s in g),
                          y1=max(s["bbox"][3] for s in g), x0=min(s["bbox"][0] for s in g),
                          x1=max(s["bbox"][2] for s in g), size=main["size"], italic=italic,
                          text="".join((" " if k and s["bbox"][0] - g[k - 1]["bbox"][2] >
                                        0.15 * s["size"] else "") + s["text"]
                                       for k, s in enumerate(g)).strip()))
    return lines


def read_page(page):
    trim = page.trimbox if page.trimbox.is_valid and not page.trimbox.is_empty else page.rect
    inside = lambda r: r.is_valid and not r.is_infinite and r in trim + (-1, -1, 1, 1)
    rects = [pymupdf.Rect(i["bbox"]) for i in page.get_image_info()]
    rects += [pymupdf.Rect(d["rect"]) for d in page.get_drawings()]
    # Text outside the trim box (a print edition's slug line) is not on the page either.
    lines = [l for l in read_lines(page) if l["y0"] >= trim.y0 - 1 and l["y1"] <= trim.y1 + 1]
    return dict(label=page.get_label() or "", trim=trim, lines=lines,
                rects=[r for r in rects if inside(r)])


def analyse(doc, opts):
    pages = [read_page(p) for p in doc]
    warnings = []
    toc = doc.get_toc(simple=True)
    openings = sorted({e[2] - 1 for e in toc if e[0] == 1 and 1 <= e[2] <= len(pages)})
    sample = pages[openings[0]:] if openings else pages  # body pages: measure these
    chars = Counter()
    for l in (l for p in sample for l in p["lines"]):
        chars[round(l["size"], 1)] += len(l["text"])
    if not chars:
        raise ValueError("no text found (is this a folio PDF?)")
    body = chars.most_common(1)[0][0]
    is_body = lambda l: abs(l["size"] - body) <= 0.07 * body
    steps = []
    for p in sample:
        ys = sorted(l["y"] for l in p["lines"] if is_body(l))
        steps += [b - a for a, b in zip(ys, ys[1:]) if 0.9 * body < b - a < 3 * body]
    lh = opts.line_height or mode(steps) or 1.2 * body
    # Furniture: folios (bottom) and running heads (top), each at a shared baseline.
    folio_c, head_c = {}, {}
    for i, p in enumerate(pages):
        if not p["lines"]:
            continue
        low, top, t = p["lines"][-1], p["lines"][0], p["trim"]
        if NUMBER.match(low["text"]) and low["y"] > t.y0 + 0.7 * t.height:
            folio_c[i] = low
        if top is not low and top["y"] < t.y0 + 0.25 * t.height:
            head_c[i] = top
    fy = mode([l["y"] for l in folio_c.values()], 0)
    folios = {i: l for i, l in folio_c.items() if abs(l["y"] - fy) <= 3}
    texts = Counter(l["text"] for l in head_c.values())
    head_c = {i: l for i, l in head_c.items() if l["italic"] or texts[l["text"]] > 1}
    hy = mode([l["y"] for l in head_c.values()], 0)
    heads = {i: l for i, l in head_c.items() if abs(l["y"] - hy) <= 2}
    foot_zone = min((l["y0"] for l in folios.values()), default=math.inf) - 0.5
    head_zone = max((l["y1"] for l in heads.values()), default=-math.inf) + 0.5
    widths = sorted(l["x1"] - l["x0"] for p in sample for l in p["lines"] if is_body(l))
    measure = widths[int(0.9 * (len(widths) - 1))] if widths else 0
    # Content per page; a short rule with only smaller text below it is a footnote rule.
    for i, p in enumerate(pages):
        furn = {id(folios.get(i)), id(heads.get(i))}
        p["text"] = [l for l in p["lines"] if id(l) not in furn and head_zone < l["y"] < foot_zone]
        p["rects"] = [r for r in p["rects"] if r.y1 > head_zone and r.y0 < foot_zone]
        p["rule"] = None
        for r in sorted(p["rects"], key=lambda r: -r.y0):  # the lowest short rule
            below = [l for l in p["text"] if l["y0"] >= r.y1 - 0.5]
            if (r.height <= 1.5 and 0.1 * measure <= r.width <= 0.5 * measure and below
                    and all(l["size"] < 0.95 * body for l in below)):
                p["rule"] = r.y0
                break
        # a hairline hanging < 1/4 line below a row (a table's foot rule) leaves that line free
        eff = lambda r: r.y1 - (0.25 * lh if r.height <= 1.5 else 0)
        bottoms = [l["y1"] for l in p["text"]] + [eff(r) for r in p["rects"]]
        p["bottom"] = max(bottoms) if bottoms else None
        if p["rule"] is not None:
            above = [l["y1"] for l in p["text"] if l["y1"] <= p["rule"]] + \
                    [eff(r) for r in p["rects"] if r.y1 < p["rule"] - 0.01]
            p["body_bottom"] = max(above) if above else None
    # Piece openings: targets of top-level outline entries, and of any entry whose page
    # has no running head (a book in parts bookmarks its pieces a level down, under their
    # part); else pages without a head.
    source = "outline"
    if openings and heads:
        openings = sorted(set(openings) | {
            e[2] - 1 for e in toc
            if 1 <= e[2] <= len(pages) and e[2] - 1 not in heads and pages[e[2] - 1]["text"]})
    if not openings:
        source = "pages without a running head"
        openings = [i for i, p in enumerate(pages) if p["text"] and i not in heads]
        warnings.append("no outline: openings guessed from missing running heads")
    elif heads:
        odd = [i + 1 for i, p in enumerate(pages) if i >= openings[0] and p["text"]
               and i not in heads and i not in openings]
        if odd:
            warnings.append("pages with text but no running head, not bookmarked as "
                            "piece openings: %s" % odd)
    first = openings[0] if openings else 0
    front = {i for i, p in enumerate(pages)
             if i < first or NUMBER.match(p["label"]) and not p["label"].isdigit()}
    # Back matter: pages after the last with a folio or a running head (a print edition's
    # blank pages and back cover). Not body pages: not checked, not measured.
    furnished = set(folios) | set(heads)
    last_body = max(furnished | set(openings), default=len(pages) - 1)
    front |= {i for i in range(len(pages)) if i > last_body}
    bb = opts.block_bottom
    if bb is None:  # the lowest content: conservative, a short page can never hide a hole
        found = [(p["bottom"], i) for i, p in enumerate(pages) if p["bottom"] is not None
                 and (i not in front or len(front) == len(pages))]
        if not found:
            raise ValueError("no content between running heads and folios")
        bb, at = max(found)
        if len(found) > 2 and sum(abs(bb - b) <= 1 for b, _ in found) == 1:
            warnings.append("block bottom set by page %d alone; if that page overflows, "
                            "pass --block-bottom" % (at + 1))
    rows = []
    for i, p in enumerate(pages):
        reason = None
        if i in front:
            reason = "front matter"
        elif p["bottom"] is None:
            reason = "blank"
        elif i + 1 == len(pages) or i + 1 in openings or i == last_body:
            reason = "last of piece"
        hole = lines = grid = None
        if p["bottom"] is not None:  # with footnotes: down to half a line above the rule
            stop = bb if p["rule"] is None else p["rule"] - 0.5 * lh
            end = p["bottom"] if p["rule"] is None else p["body_bottom"]
            hole = max(0.0, stop - (stop if end is None else end))
            lines, grid = hole / lh, math.floor(hole / lh + TOL)
        nx = pages[i + 1] if i + 1 < len(pages) else dict(text=[], rects=[])
        nxt = ("[image/rule] " if nx["rects"] and (not nx["text"] or min(r.y0 for r in nx["rects"])
                                                  < nx["text"][0]["y0"]) else "") + \
            (nx["text"][0]["text"] if nx["text"] else "")
        rows.append(dict(page=i + 1, label=p["label"], hole_pt=hole and round(hole, 2),
                         hole_lines=lines and round(lines, 3),
                         grid_lines=grid, exempt=reason, footnotes=p["rule"] is not None,
                         over=reason is None and grid is not None and grid > opts.max_lines,
                         last_line=next((l["text"] for l in reversed(p["text"])
                                         if p["rule"] is None or l["y1"] <= p["rule"]), ""),
                         next_first=nxt))
    checked = [r for r in rows if r["exempt"] is None]
    worst = max(checked, key=lambda r: r["hole_pt"], default=None)
    return dict(
        file=doc.name, pages=rows, warnings=warnings,
        geometry=dict(body_size=body, line_height=round(lh, 2), block_bottom=round(bb, 2),
                      measure=round(measure, 1), folios=len(folios), running_heads=len(heads),
                      openings=[i + 1 for i in openings], openings_from=source),
        summary=dict(checked=len(checked), max_lines=opts.max_lines,
                     max_hole_lines=round(worst["hole_lines"], 2) if worst else None,
                     max_hole_page=worst["page"] if worst else None,
                     over=[r["page"] for r in checked if r["over"]]))


def show(res):
    g, s = res["geometry"], res["summary"]
    print("%s: body %.1f pt, line %.2f pt, block bottom y=%.1f pt, %d folios, %d running heads"
          % (res["file"], g["body_size"], g["line_height"], g["block_bottom"], g["folios"],
             g["running_heads"]))
    print("openings (%s): %s" % (g["openings_from"], g["openings"]))
    print("%5s %-6s %8s %6s %5s  %s" % ("page", "label", "hole pt", "lines", "grid", "status"))
    for r in res["pages"]:
        if r["hole_pt"] is None:
            print("%5d %-6s %8s %6s %5s  %s" % (r["page"], r["label"], "-", "-", "-", r["exempt"]))
            continue
        status = ("exempt: " + r["exempt"]) if r["exempt"] else ("OVER" if r["over"] else "ok")
        if r["footnotes"]:
            status += " (footnotes)"
        print("%5d %-6s %8.1f %6.2f %5d  %s" % (r["page"], r["label"], r["hole_pt"],
                                                r["hole_lines"], r["grid_lines"], status))
        if r["over"]:
            print("%20s last: %.60s\n%20s next: %.60s" % ("", r["last_line"], "", r["next_first"]))
    for w in res["warnings"]:
        print("warning: " + w)
    worst = "-" if not s["checked"] else "%.2f lines (page %d)" % (s["max_hole_lines"],
                                                                  s["max_hole_page"])
    print("checked %d pages; max hole %s; over %d lines: %s"
          % (s["checked"], worst, s["max_lines"], s["over"] or "none"))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Empty height at the foot of each page's text block.")
    ap.add_argument("pdf")
    ap.add_argument("--max-lines", type=int, default=2, help="allowed empty grid lines (2)")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    ap.add_argument("--check", action="store_true", help="exit 1 if a page is over the limit")
    ap.add_argument("--block-bottom", type=float, help="text block bottom y in pt (not inferred)")
    ap.add_argument("--line-height", type=float, help="line height in pt (not inferred)")
    opts = ap.parse_args(argv)
    try:
        doc = pymupdf.open(opts.pdf)
        if not doc.is_pdf or doc.needs_pass:
            raise ValueError("not a PDF" if not doc.is_pdf else "encrypted")
        res = analyse(doc, opts)
    except (ValueError, RuntimeError, OSError) as e:  # unreadable, not a PDF, no text
        print("holes.py: error: %s: %s" % (opts.pdf, e), file=sys.stderr)
        return 2
    if opts.json:
        json.dump(res, sys.stdout, indent=1, ensure_ascii=False)
        print()
    else:
        show(res)
    return 1 if opts.check and res["summary"]["over"] else 0


if __name__ == "__main__":
    sys.exit(main())
