#!/usr/bin/env bash
# One paragraph of 0.4 MB and of 4 MB (the limit), wrapped into lines and on one line, built
# with the release binary: time and peak memory must grow about tenfold (issue 24, item 1).
# Then 20 MB, which folio refuses at once with a located error. Prints one line per build.
# Usage: scripts/huge-paragraph.sh   (after `cargo build --release`; FOLIO=path for another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${FOLIO:-target/release/folio}"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
python3 - "$scratch" <<'PY'
import os, random, sys
random.seed(1)
words = ("the quick brown fox jumps over a lazy dog while the editor reads each "
         "manuscript page of the festival booklet again").split()
for size, name in [(400_000, "0.4MB"), (3_990_000, "4MB"), (20_000_000, "20MB")]:
    for wrapped in (True, False):
        d = os.path.join(sys.argv[1], f"{name}-{'lines' if wrapped else 'one-line'}")
        os.makedirs(d)
        out, line, n = [], [], 0
        while n < size - 200:
            w = random.choice(words); line.append(w); n += len(w) + 1
            if wrapped and len(line) == 12:
                out.append(" ".join(line)); line = []
        out.append(" ".join(line))
        open(os.path.join(d, "book.toml"), "w").write('title = "One Paragraph"\nlang = "en"\n')
        open(os.path.join(d, "one.md"), "w").write("\n".join(out) + "\n")
PY
for d in "$scratch"/*/; do
  name="$(basename "$d")"
  for run in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$scratch/t" "$bin" build "$d" --out "$scratch/out" >/dev/null 2>"$scratch/err" || true
    read -r secs kb < <(tail -1 "$scratch/t")
    echo "$name run $run: ${secs} s, $((kb / 1024)) MB peak, exit $(grep -q 'at most 4 MB' "$scratch/err" && echo refused || echo built)"
  done
done
