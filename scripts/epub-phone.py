#!/usr/bin/env python3
"""epub-phone -- open every chapter of an EPUB in headless Chromium at a phone's width
(360 CSS px) and check that nothing is cut off: the page never scrolls sideways (a long
web address or code line included), and a table wider than the screen scrolls inside its
own box, which stays on the screen. Saves a screenshot of each chapter that has a table
or fails.

Chromium's headless window is never narrower than 500 px, so each chapter is shown in
a frame of the phone's width inside it (its window.innerWidth is then the phone's).

    python3 scripts/epub-phone.py BOOK.epub OUT_DIR [--width 360]

Exit status: 0 when every chapter passes; 1 when one does not; 2 when Chromium is missing
or the EPUB cannot be read. Needs Debian's `chromium` (or CHROMIUM=path).
"""
import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

# Measured after layout and written into the DOM, which --dump-dom prints.
PROBE = """<script><![CDATA[
window.addEventListener('load', function () {
  var boxes = Array.prototype.slice.call(document.querySelectorAll('div.table'));
  var r = {
    view: window.innerWidth,
    page: document.documentElement.scrollWidth,
    tables: boxes.map(function (d) {
      var b = d.getBoundingClientRect();
      return {box: d.clientWidth, content: d.scrollWidth, left: b.left, right: b.right,
              overflow: getComputedStyle(d).overflowX};
    })
  };
  window.parent.document.documentElement.setAttribute('data-phone', JSON.stringify(r));
  // The screenshot shows the widest table.
  var widest = boxes.sort(function (a, b) { return b.scrollWidth - a.scrollWidth; })[0];
  if (widest) { widest.scrollIntoView(); }
});
]]></script>"""


def chromium():
    exe = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        print("epub-phone.py: chromium not found (apt-get install chromium)", file=sys.stderr)
        sys.exit(2)
    return exe


def run(exe, args):
    base = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--allow-file-access-from-files", "--virtual-time-budget=3000"]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=120)


# Headless Chromium's narrowest window, in CSS px.
MIN_WINDOW = 500
FRAME = """<!DOCTYPE html><html><body style="margin:0"><iframe src="%s"
style="width:%dpx;height:800px;border:0;outline:1px solid #888"></iframe></body></html>"""


def frame(path, width):
    """A page beside the chapter that shows it in a frame of the phone's width."""
    wrapper = path + ".phone.html"
    with open(wrapper, "w", encoding="utf-8") as f:
        f.write(FRAME % (html.escape(os.path.basename(path)), width))
    return wrapper


def check(exe, path, width, shot):
    window = "--window-size=%d,800" % max(width, MIN_WINDOW)
    wrapper = frame(path, width)
    dom = run(exe, [window, "--dump-dom", "file://" + wrapper]).stdout
    m = re.search(r'data-phone="([^"]*)"', dom)
    if not m:
        return ["no measurement (the page did not load)"], None
    r = json.loads(html.unescape(m.group(1)))
    problems = []
    if r["view"] != width:
        problems.append("measured at %d px, not %d" % (r["view"], width))
    if r["page"] > r["view"] + 1:
        problems.append("the page scrolls sideways: %d px wide at %d" % (r["page"], r["view"]))
    for k, t in enumerate(r["tables"], 1):
        if t["left"] < -1 or t["right"] > r["view"] + 1:
            problems.append("table %d's box runs off the screen (%.0f to %.0f px)"
                            % (k, t["left"], t["right"]))
        if t["content"] > t["box"] + 1 and t["overflow"] not in ("auto", "scroll"):
            problems.append("table %d is cut off: %d px in a %d px box that does not scroll"
                            % (k, t["content"], t["box"]))
    if problems or r["tables"]:
        run(exe, [window, "--screenshot=" + shot, "file://" + wrapper])
    return problems, r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("epub")
    ap.add_argument("out")
    ap.add_argument("--width", type=int, default=360)
    opts = ap.parse_args()
    exe = chromium()
    os.makedirs(opts.out, exist_ok=True)
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        try:
            zipfile.ZipFile(opts.epub).extractall(tmp)
        except (OSError, zipfile.BadZipFile) as e:
            print("epub-phone.py: %s: %s" % (opts.epub, e), file=sys.stderr)
            return 2
        chapters = []
        for root, _, files in os.walk(tmp):
            for f in sorted(files):
                p = os.path.join(root, f)
                if f.endswith(".xhtml"):
                    chapters.append(p)
        if not chapters:
            print("epub-phone.py: %s has no content document" % opts.epub, file=sys.stderr)
            return 2
        for p in chapters:
            text = open(p, encoding="utf-8").read().replace("</head>", PROBE + "</head>", 1)
            open(p, "w", encoding="utf-8").write(text)
            name = os.path.splitext(os.path.basename(p))[0]
            shot = os.path.abspath(os.path.join(opts.out, "phone-%s.png" % name))
            problems, r = check(exe, p, opts.width, shot)
            wide = sum(1 for t in (r or {}).get("tables", []) if t["content"] > t["box"] + 1)
            tables = len((r or {}).get("tables", []))
            status = "ok" if not problems else "FAIL"
            if problems or tables:
                print("%s: %s at %d px: %d tables, %d scroll inside their box; screenshot %s"
                      % (name, status, opts.width, tables, wide, shot))
            else:
                print("%s: ok at %d px" % (name, opts.width))
            for q in problems:
                print("  " + q)
            failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
