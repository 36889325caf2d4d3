//! The scaling benchmark (issue 10): does the cost of a build grow linearly with the book?
//!
//! ```sh
//! cargo bench --bench scaling                  # 3 rounds per book, medians
//! cargo bench --bench scaling -- --rounds 5
//! ```
//!
//! Books, all generated (no files from elsewhere): the novel generator at 10k, 50k, 200k and
//! 800k words; one paragraph of 20,000 words; 2,000 small pieces of about 50 words each.
//! Each is built in-process (PDF and EPUB, `folio::build::build`), timed, with the peak of
//! the heap measured by a counting allocator (the heap is what grows with the book; the
//! binary and the fonts are fixed costs). Printed per book: words, median time, time per
//! 1,000 words, peak heap, and peak heap per 1,000 words.

#[path = "../build/novel.rs"]
mod novel;

use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Tracks the bytes in use and their peak on the way to the system allocator.
struct Peak;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = IN_USE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is passed unchanged to `System`, which upholds GlobalAlloc's contract.
unsafe impl GlobalAlloc for Peak {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        // SAFETY: the caller's layout is passed on as it came.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= layout.size() {
            grew(new_size - layout.size());
        } else {
            IN_USE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: as for `alloc` and `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Peak = Peak;

const SEED: u64 = 0x5EED_F011_0B00_C5ED;
/// Words per piece in the many-pieces book.
const SMALL_PIECE_WORDS: usize = 50;
const SMALL_PIECES: usize = 2_000;
const LONG_PARAGRAPH_WORDS: usize = 20_000;

fn main() {
    let rounds = novel::rounds(3);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = root.join("target/bench-scaling");
    let _ = std::fs::remove_dir_all(&scratch);
    let mut books = Vec::new();
    for words in [10_000, 50_000, 200_000, 800_000] {
        let dir = scratch.join(format!("novel-{words}"));
        let n = novel::generate(&dir, &root.join("manuscript"), SEED, words).expect("written");
        let name = format!("novel {}k ({} ch.)", words / 1000, n.chapters);
        books.push((name, dir, n.words));
    }
    books.push(long_paragraph(&scratch.join("paragraph")));
    books.push(small_pieces(&scratch.join("pieces")));
    println!("scaling benchmark: {rounds} rounds per book, medians; PDF and EPUB in-process");
    println!(
        "{:<22} {:>8} {:>10} {:>12} {:>10} {:>14}",
        "book", "words", "time ms", "ms/1k words", "peak MB", "peak KB/1k w"
    );
    for (name, dir, words) in books {
        let (time, peak) = measure(&dir, &scratch.join("out"), rounds);
        let k = words as f64 / 1000.0;
        println!(
            "{name:<22} {words:>8} {:>10.1} {:>12.2} {:>10.1} {:>14.0}",
            time.as_secs_f64() * 1000.0,
            time.as_secs_f64() * 1000.0 / k,
            peak as f64 / 1048576.0,
            peak as f64 / 1024.0 / k
        );
    }
}

/// Median time and largest heap peak of `rounds` builds.
fn measure(book: &Path, out: &Path, rounds: usize) -> (Duration, usize) {
    let project = folio::project::Project::open(book).expect("the book opens");
    let opts = folio::build::Options {
        out_dir: out.to_path_buf(),
        pdf: true,
        epub: true,
        print: Default::default(),
        pdf_standard: None,
    };
    let mut times = Vec::new();
    let mut peak = 0;
    for _ in 0..rounds {
        let base = IN_USE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let t = Instant::now();
        folio::build::build(&project, &opts, &mut |_| {}).expect("the book builds");
        times.push(t.elapsed());
        peak = peak.max(PEAK.load(Ordering::Relaxed).saturating_sub(base));
    }
    times.sort();
    (times[times.len() / 2], peak)
}

/// A book of one piece that is one paragraph of `LONG_PARAGRAPH_WORDS` words.
fn long_paragraph(dir: &Path) -> (String, std::path::PathBuf, usize) {
    std::fs::create_dir_all(dir).unwrap();
    let words = [
        "the", "river", "carried", "light", "across", "stone", "and", "reed",
    ];
    let text: Vec<&str> = (0..LONG_PARAGRAPH_WORDS)
        .map(|i| words[i * 7 % words.len()])
        .collect();
    std::fs::write(
        dir.join("01.md"),
        format!("---\ntitle: One Paragraph\n---\n\n{}.\n", text.join(" ")),
    )
    .unwrap();
    (
        "one paragraph".into(),
        dir.to_path_buf(),
        LONG_PARAGRAPH_WORDS,
    )
}

/// A book of `SMALL_PIECES` pieces of about `SMALL_PIECE_WORDS` words each.
fn small_pieces(dir: &Path) -> (String, std::path::PathBuf, usize) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("book.toml"),
        "title = \"Many Pieces\"\nlang = \"en\"\n",
    )
    .unwrap();
    let sentence = "A short note from the festival, written the morning after the screening.";
    let body = std::iter::repeat_n(sentence, SMALL_PIECE_WORDS / 12 + 1)
        .collect::<Vec<_>>()
        .join(" ");
    for k in 0..SMALL_PIECES {
        std::fs::write(
            dir.join(format!("{k:04}.md")),
            format!("---\ntitle: Note {k}\n---\n\n{body}\n"),
        )
        .unwrap();
    }
    let words = SMALL_PIECES * body.split_whitespace().count();
    ("2,000 pieces".into(), dir.to_path_buf(), words)
}
