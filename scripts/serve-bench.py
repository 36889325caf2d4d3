#!/usr/bin/env python3
"""What a rebuild costs in `folio serve` against `folio watch` (issue 22).

    scripts/serve-bench.py                       # the novel, 9 rounds
    scripts/serve-bench.py --book manuscript --file 01-the-escape-of-the-soul.md

Needs `target/release/folio` (and for the novel `cargo bench --bench build --
--generate-only`, which writes `target/bench-novel/`). Two copies of the book: one
`folio watch` runs on the first, one `folio serve --port 0` on the second, both for the
whole benchmark. Each round, alternating, one word of one paragraph is changed (`the` →
`a`, and back the next round) in each copy in turn:

- **watch**: the time watch prints ("Rebuilt in N ms");
- **serve**: the time of the same rebuild in serve (the `build` event's `took_ms`), then
  each changed page's image fetched as the page would (`/page/K.png?v=…`: drawn, encoded and
  sent), timed from the request to its last byte.

It prints the medians: watch, serve, the images, and serve + images against watch.
`SOURCE_DATE_EPOCH` is fixed so the outputs do not depend on the files' times.
"""
import argparse
import http.client
import json
import os
import queue
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--rounds", type=int, default=9)
parser.add_argument("--book", default="target/bench-novel")
parser.add_argument("--file", default="12-chapter.md")
parser.add_argument("--binary", default="target/release/folio")
args = parser.parse_args()

# How long to wait for an answer to a save (a cold novel is ~0.3 s).
ANSWER_TIMEOUT_S = 30
# Saves closer together than the debounce (120 ms) would be joined into one rebuild.
SETTLE_S = 0.3

env = dict(os.environ, SOURCE_DATE_EPOCH="1764000000", NO_COLOR="1")
scratch = tempfile.mkdtemp(prefix="folio-serve-bench-")


def copy(name):
    d = os.path.join(scratch, name)
    shutil.copytree(args.book, d)
    return d


def lines_of(stream):
    q = queue.Queue()
    threading.Thread(target=lambda: [q.put(l) for l in stream], daemon=True).start()
    return q


def next_match(q, pattern):
    deadline = time.time() + ANSWER_TIMEOUT_S
    while time.time() < deadline:
        try:
            line = q.get(timeout=1)
        except queue.Empty:
            continue
        m = re.search(pattern, line)
        if m:
            return m
    raise SystemExit(f"no line matching {pattern!r}")


book_w, book_s = copy("watch"), copy("serve")
original = open(os.path.join(book_w, args.file), encoding="utf-8").read()
body = original.find("\n\n")
at = body + original[body:].index(" the ")
edited = original[:at] + " a " + original[at + 5:]

watch = subprocess.Popen([args.binary, "watch", book_w, "--out", os.path.join(scratch, "out-w")],
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
serve = subprocess.Popen([args.binary, "serve", book_s, "--port", "0",
                          "--out", os.path.join(scratch, "out-s")],
                         stderr=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, env=env)
watch_lines = lines_of(watch.stderr)
port = int(next_match(lines_of(serve.stdout), r"Serving http://127\.0\.0\.1:(\d+)/").group(1))
next_match(watch_lines, r"Built in")

# The event stream, as the page reads it.
events = queue.Queue()
sse = socket.create_connection(("127.0.0.1", port))
sse.sendall(f"GET /events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())


def read_events():
    for line in sse.makefile("r", encoding="utf-8"):
        if line.startswith("data: "):
            events.put(json.loads(line[6:]))


threading.Thread(target=read_events, daemon=True).start()


def get(path):
    c = http.client.HTTPConnection("127.0.0.1", port)
    t = time.perf_counter()
    c.request("GET", path, headers={"Host": f"127.0.0.1:{port}"})
    r = c.getresponse()
    data = r.read()
    ms = (time.perf_counter() - t) * 1000
    c.close()
    return data, ms


# Wait for serve's first build, then draw every page once (a browser scrolled through).
while json.loads(get("/pages.json")[0])["build"] < 1:
    time.sleep(0.1)
for p in json.loads(get("/pages.json")[0])["pages"][:3]:
    get(p["image"])

w_ms, s_ms, img_ms, pages_changed = [], [], [], []
try:
    for r in range(args.rounds + 1):  # round 0 warms up
        text = edited if r % 2 == 0 else original
        time.sleep(SETTLE_S)
        with open(os.path.join(book_w, args.file), "w", encoding="utf-8") as f:
            f.write(text)
        w = int(next_match(watch_lines, r"Rebuilt in (\d+) ms").group(1))
        time.sleep(SETTLE_S)
        with open(os.path.join(book_s, args.file), "w", encoding="utf-8") as f:
            f.write(text)
        event = events.get(timeout=ANSWER_TIMEOUT_S)
        listing = json.loads(get("/pages.json")[0])
        images = sum(get(p["image"])[1] for p in listing["pages"] if p["changed"])
        if r > 0:
            w_ms.append(w)
            s_ms.append(event["took_ms"])
            img_ms.append(images)
            pages_changed.append(len(event["changed"]))
finally:
    for p in (watch, serve):
        p.terminate()
        p.wait()
    shutil.rmtree(scratch, ignore_errors=True)

med = statistics.median
print(f"{args.book}, {args.rounds} rounds, medians (ms):")
print(f"  watch rebuild           {med(w_ms):7.1f}")
print(f"  serve rebuild           {med(s_ms):7.1f}   ({100 * med(s_ms) / med(w_ms):.0f} % of watch)")
print(f"  changed pages' images   {med(img_ms):7.1f}   ({med(pages_changed):g} page(s) a round)")
total = [s + i for s, i in zip(s_ms, img_ms)]
print(f"  serve rebuild + images  {med(total):7.1f}   ({100 * med(total) / med(w_ms):.0f} % of watch)")
