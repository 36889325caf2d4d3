//! The PDF writer micro-benchmark (issue 10): frames in, bytes out. The novel is typeset
//! once; then `folio::pdf::pdf` writes it, round after round, timed, with the heap
//! allocations it makes counted by a counting allocator.
//!
//! ```sh
//! cargo bench --bench writer                  # 7 rounds, medians
//! cargo bench --bench writer -- --rounds 11
//! ```
//!
//! It prints the median time, the allocations per round and per glyph drawn (the writer
//! makes none per glyph: it encodes the content streams straight from the frames), and the
//! bytes allocated per round. Then what tagging costs the writer: the same pages written
//! with their tags and without them (every `Tag` item taken out, no structure: an untagged
//! document), alternating, round after round.

#[path = "../build/novel.rs"]
mod novel;

use folio::typeset::frame::{Item, Pages};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts every allocation (and the bytes asked for) on the way to the system allocator.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static BYTES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed unchanged to `System`, which upholds GlobalAlloc's contract.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        // SAFETY: the caller's layout is passed on as it came.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES.fetch_add(new_size, Ordering::Relaxed);
        // SAFETY: as for `alloc` and `dealloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const SEED: u64 = 0x5EED_F011_0B00_C5ED;
const WORDS: usize = 200_000;

fn main() {
    let rounds = novel::rounds(7);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target/bench-writer");
    let novel =
        novel::generate(&dir, &root.join("manuscript"), SEED, WORDS).expect("the novel is written");
    let project = folio::project::Project::open(&dir).expect("the novel opens");
    let book = folio::markdown::load(&project)
        .expect("the novel loads")
        .book;
    let pages = folio::build::typeset_book(&book, &project, 0)
        .expect("the novel is typeset")
        .1
        .pages;
    let glyphs = count_glyphs(&pages);
    println!(
        "writer benchmark: the novel ({} words, {} chapters): {} pages, {glyphs} glyphs; {rounds} rounds (+1 warm-up)",
        novel.words,
        novel.chapters,
        pages.pages.len()
    );
    let mut times = Vec::new();
    let mut allocations = Vec::new();
    let mut bytes = Vec::new();
    let mut size = 0;
    for round in 0..=rounds {
        let (a0, b0) = (
            ALLOCATIONS.load(Ordering::Relaxed),
            BYTES.load(Ordering::Relaxed),
        );
        let t = Instant::now();
        let out = folio::pdf::pdf(&pages).expect("the PDF is written");
        let took = t.elapsed();
        let (a1, b1) = (
            ALLOCATIONS.load(Ordering::Relaxed),
            BYTES.load(Ordering::Relaxed),
        );
        size = out.len();
        drop(out);
        if round > 0 {
            times.push(took);
            allocations.push(a1 - a0);
            bytes.push(b1 - b0);
        }
    }
    // Tagging's cost: the tagged pages and an untagged copy, alternating.
    let untagged = untag(&pages);
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for round in 0..=rounds {
        for (pages, out) in [(&pages, &mut with), (&untagged, &mut without)] {
            let t = Instant::now();
            let bytes = folio::pdf::pdf(pages).expect("the PDF is written");
            if round > 0 {
                out.push(t.elapsed());
            }
            drop(bytes);
        }
    }
    with.sort();
    without.sort();
    let (a, b) = (with[with.len() / 2], without[without.len() / 2]);
    let msf = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "tagging: {:.1} ms tagged, {:.1} ms untagged (medians of {rounds}, alternating): {:+.1} ms",
        msf(a),
        msf(b),
        msf(a) - msf(b)
    );
    let median = |mut v: Vec<usize>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut t = times.clone();
    t.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let allocs = median(allocations);
    println!(
        "pdf: {:.1} ms median (min {:.1}, max {:.1}); {} KB out",
        ms(t[t.len() / 2]),
        ms(t[0]),
        ms(t[t.len() - 1]),
        size / 1024
    );
    println!(
        "allocations: {allocs} per round, {:.4} per glyph; {} MB allocated per round",
        allocs as f64 / glyphs as f64,
        median(bytes) / (1024 * 1024)
    );
}

/// `pages` without their structure: every tag taken out (groups copied), no structure.
fn untag(pages: &Pages) -> Pages {
    fn items(list: &[Item]) -> Vec<Item> {
        list.iter()
            .filter(|i| !matches!(i, Item::Tag(_)))
            .map(|i| match i {
                Item::Group(g) => Item::Group(folio::typeset::frame::Group {
                    items: std::sync::Arc::new(items(&g.items)),
                    ..g.clone()
                }),
                other => other.clone(),
            })
            .collect()
    }
    let mut out = pages.clone();
    out.structure = None;
    for p in &mut out.pages {
        p.items = items(&p.items);
    }
    out
}

fn count_glyphs(pages: &Pages) -> usize {
    let mut n = 0;
    for p in &pages.pages {
        p.walk(&mut |item, _| {
            if let Item::Glyphs(run) = item {
                n += run.glyphs.len();
            }
        });
    }
    n
}
