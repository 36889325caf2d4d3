//! The one memo layer: everything a build may take from the build before it (`folio
//! watch`), held in one place and keyed by the typed inputs that make it.
//!
//! The stages stay pure functions of their inputs; a stage that may be skipped asks a
//! [`Table`] for its result under [`key`] of those inputs (their `#[derive(Hash)]`, never
//! their `Debug` text) and makes it only when it is absent, by the same code a cold build
//! runs. A [`Memo`] that is off ([`NO_MEMO`], [`Memo::off`]) is emptied before every build,
//! so every build is a cold one: the switch that proves a warm build's bytes are a cold
//! build's.
//!
//! Why an own table and not comemo (Typst's memoiser): folio's reusable results are few
//! and coarse (a font set, a decoded image, a loaded piece, a piece's layout, the drawn
//! cover, the print edition), each with inputs that are plain data already in hand;
//! comemo's tracked method calls pay off for fine-grained queries into large shared
//! structures (Typst's `World`), which folio does not have, and it would add a dependency
//! and a proc-macro crate to a build the README keeps under ten minutes on two cores.
//!
//! Entries a successful build did not ask for are dropped at its end ([`Table::sweep`]):
//! a long session holds one build's worth, never a history.

use crate::hash::Fnv;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Set to `1`, every session's memo is off: each rebuild in `folio watch` is a cold build
/// (slower, the same bytes; CI compares the two).
pub const NO_MEMO: &str = "FOLIO_NO_MEMO";

/// The key of `inputs`: their `Hash` through 64-bit FNV-1a, the same in every process and
/// every Rust release (std's `DefaultHasher` promises neither).
pub fn key(inputs: &impl Hash) -> u64 {
    let mut h = Stable(Fnv::new());
    inputs.hash(&mut h);
    h.finish()
}

/// [`Fnv`] as a [`Hasher`], for `#[derive(Hash)]`.
struct Stable(Fnv);

impl Hasher for Stable {
    fn write(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
    }
    fn write_u64(&mut self, v: u64) {
        self.0.write_u64(v);
    }
    fn write_u32(&mut self, v: u32) {
        self.0.write_u32(v);
    }
    fn write_usize(&mut self, v: usize) {
        self.0.write_u64(v as u64);
    }
    fn finish(&self) -> u64 {
        self.0.finish()
    }
}

/// Drops `value` on a thread of its own, so a build does not wait for it to be freed.
///
/// What a rebuild lets go of can be most of the last build: when `lang` or a font changes,
/// the novel's word tables, 31 piece layouts and PDF document are freed, some 50 ms of
/// `free` (measured in `folio watch`, `scripts/watch-bench.py`) that made such a rebuild
/// slower than a cold build. Nothing reads a discarded value, so the bytes cannot depend on
/// when it is freed. Where no thread can be started it is dropped here.
pub fn discard<T: Send + 'static>(value: T) {
    // A failed spawn hands the closure, and so the value, back to be dropped here.
    let _ = std::thread::Builder::new()
        .name("folio-discard".into())
        .spawn(move || drop(value));
}

/// Results by the key of their inputs, each marked when a build asks for it.
pub struct Table<V> {
    entries: HashMap<u64, (V, bool)>,
}

impl<V> Default for Table<V> {
    fn default() -> Self {
        Table {
            entries: HashMap::new(),
        }
    }
}

impl<V> Table<V> {
    /// The result under `key`, if a build made it (and this build keeps it).
    pub fn get(&mut self, key: u64) -> Option<&V> {
        self.entries.get_mut(&key).map(|(v, used)| {
            *used = true;
            &*v
        })
    }

    /// The result under `key` to change in place (it is then kept, like [`Table::get`]).
    pub fn get_mut(&mut self, key: u64) -> Option<&mut V> {
        self.entries.get_mut(&key).map(|(v, used)| {
            *used = true;
            v
        })
    }

    /// Whether a result is held under `key` (it is then kept, like [`Table::get`]).
    pub fn has(&mut self, key: u64) -> bool {
        self.get(key).is_some()
    }

    /// The result under `key`, which must be held (after [`Table::has`] or an insert).
    pub fn held(&self, key: u64) -> &V {
        &self.entries[&key].0
    }

    /// Keeps `value` under `key`.
    pub fn insert(&mut self, key: u64, value: V) {
        self.entries.insert(key, (value, true));
    }

    /// Forgets what the build that ends now did not ask for (freed off the build's way,
    /// [`discard`]), and unmarks the rest.
    pub fn sweep(&mut self)
    where
        V: Send + 'static,
    {
        let unused: Vec<(u64, (V, bool))> = self
            .entries
            .extract_if(|_, (_, used)| !std::mem::take(used))
            .collect();
        if !unused.is_empty() {
            discard(unused);
        }
    }

    /// How many results are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<V: Clone> Table<V> {
    /// The result under `key`, made by `make` when absent.
    pub fn get_or_make(&mut self, key: u64, make: impl FnOnce() -> V) -> V {
        match self.get(key) {
            Some(v) => v.clone(),
            None => {
                let v = make();
                self.insert(key, v.clone());
                v
            }
        }
    }

    /// The result under `key`, made by `make` when absent (an error is not kept).
    pub fn get_or_try<E>(&mut self, key: u64, make: impl FnOnce() -> Result<V, E>) -> Result<V, E> {
        if let Some(v) = self.get(key) {
            return Ok(v.clone());
        }
        let v = make()?;
        self.insert(key, v.clone());
        Ok(v)
    }
}

/// Values worked out of shared, immutable things (a page's rows: `Arc`s that the pages of
/// every build reusing a layout share), kept by the thing's address between the builds of a
/// session: a rebuild works out only what it made anew. The `Arc` is held with its value,
/// so no other thing can take its address while the entry lives; a build marks what it
/// asks for ([`ByAddress::begin`], [`ByAddress::sweep`]) in the entry itself, one lookup a
/// row (a set of the addresses met cost the novel's 20,000 rows a second lookup each).
pub struct ByAddress<T, V> {
    entries: HashMap<usize, (Arc<T>, V, u32), crate::hash::Addresses>,
    build: u32,
}

impl<T, V> Default for ByAddress<T, V> {
    fn default() -> Self {
        ByAddress {
            entries: HashMap::default(),
            build: 0,
        }
    }
}

impl<T, V: Copy> ByAddress<T, V> {
    /// Before a build's asks.
    pub fn begin(&mut self) {
        self.build = self.build.wrapping_add(1);
    }

    /// The value of `thing`, made by `make` (which may ask for the things inside it) when
    /// it is not held.
    pub fn get_or_make(&mut self, thing: &Arc<T>, make: impl FnOnce(&mut Self) -> V) -> V {
        let at = Arc::as_ptr(thing) as usize;
        if let Some((_, v, build)) = self.entries.get_mut(&at) {
            *build = self.build;
            return *v;
        }
        let v = make(self);
        self.entries.insert(at, (thing.clone(), v, self.build));
        v
    }

    /// The value held for `thing`, if any (without marking it).
    pub fn held(&self, thing: &Arc<T>) -> Option<V> {
        self.entries
            .get(&(Arc::as_ptr(thing) as usize))
            .filter(|(held, _, _)| Arc::ptr_eq(held, thing))
            .map(|(_, v, _)| *v)
    }

    /// After a build: forgets what it did not ask for.
    pub fn sweep(&mut self) {
        let build = self.build;
        self.entries.retain(|_, (_, _, b)| *b == build);
    }

    /// How many values are held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// The book folder's files as the last input key read them, by path: a file whose stamp
/// (size, modification and change times, inode) is the one it had then, and that was
/// last changed well before then, is not read again. This is how git trusts its index: the
/// change time moves on every write and cannot be set back by a program, and a file
/// changed in the same instant as it was read ("racily clean") is read again.
#[derive(Default)]
pub struct Files {
    held: HashMap<std::path::PathBuf, (Stamp, Read)>,
    /// When the current reading began, and the files it met.
    now: Option<std::time::SystemTime>,
    met: std::collections::HashSet<std::path::PathBuf>,
    /// How long before a reading a file must have last changed to be held (`None`:
    /// [`RACY`]; the tests set none).
    racy: Option<std::time::Duration>,
}

/// A file as read: its bytes' hash (with their length), and the bytes of a text input.
#[derive(Clone)]
pub struct Read {
    pub hash: u64,
    pub text: Option<Arc<[u8]>>,
}

/// What tells a file's state without reading it.
#[derive(Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: std::time::SystemTime,
    /// The change time (ctime), as the system gives it: seconds and nanoseconds.
    changed: (i64, i64),
    inode: (u64, u64),
}

/// A file changed less than this before a reading began is read again at the next (the
/// coarsest common file-system clock, FAT's, ticks every 2 s).
const RACY: std::time::Duration = std::time::Duration::from_secs(2);

impl Files {
    /// Before a reading of the folder.
    pub fn begin(&mut self) {
        self.now = Some(std::time::SystemTime::now());
        self.met.clear();
    }

    /// The file at `path` (with `meta`, not following links), from what is held when its
    /// stamp says it is unchanged, else from the disk; `None` if it cannot be read. A
    /// `text` input's bytes are kept with it.
    pub fn read(
        &mut self,
        path: &std::path::Path,
        meta: Option<&std::fs::Metadata>,
        text: bool,
    ) -> Option<Read> {
        self.met.insert(path.to_path_buf());
        let stamp = meta.and_then(stamp);
        if let (Some(stamp), Some((held, read))) = (&stamp, self.held.get(path))
            && held == stamp
            && read.text.is_some() == text
        {
            return Some(read.clone());
        }
        let bytes = std::fs::read(path).ok()?;
        let mut h = Fnv::new();
        h.write_u64(bytes.len() as u64);
        h.write(&bytes);
        let text = (text && bytes.len() as u64 <= crate::project::MAX_FILE_BYTES)
            .then(|| Arc::from(bytes));
        let read = Read {
            hash: h.finish(),
            text,
        };
        // Kept only when its last change (its change time: a modification time may be set
        // back) is safely older than this reading.
        let racy = self.racy.unwrap_or(RACY);
        let settled = |s: &Stamp| {
            let changed = std::time::UNIX_EPOCH.checked_add(std::time::Duration::new(
                u64::try_from(s.changed.0).unwrap_or(u64::MAX),
                u32::try_from(s.changed.1).unwrap_or(0),
            ));
            self.now
                .zip(changed)
                .and_then(|(now, changed)| now.duration_since(changed).ok())
                .is_some_and(|age| age >= racy)
        };
        match stamp.filter(settled) {
            Some(stamp) => {
                self.held.insert(path.to_path_buf(), (stamp, read.clone()));
            }
            None => {
                self.held.remove(path);
            }
        }
        Some(read)
    }

    /// After a reading: files it did not meet are forgotten.
    pub fn end(&mut self) {
        let met = std::mem::take(&mut self.met);
        self.held.retain(|p, _| met.contains(p));
        self.met = met;
    }
}

/// A file's stamp, where the system gives change times and inodes (Unix); elsewhere none,
/// and every file is read every time.
fn stamp(meta: &std::fs::Metadata) -> Option<Stamp> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            len: meta.len(),
            modified: meta.modified().ok()?,
            changed: (meta.ctime(), meta.ctime_nsec()),
            inode: (meta.dev(), meta.ino()),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// The typesetter's working tables (shapes by word, set paragraphs), one per worker, and
/// the key of the environment they were filled in: their keys name a font by its index and
/// a word by its text, so a new environment starts them afresh.
#[derive(Default)]
pub struct Shaping {
    pub workers: Vec<crate::typeset::Caches>,
    pub env: u64,
}

/// What a session keeps between builds. The stages' results are in [`Table`]s; the two
/// writers keep their last output to patch ([`crate::pdf::Cache`], the EPUB's
/// [`crate::epub::Previous`]), and the typesetter its word tables ([`Shaping`]).
pub struct Memo {
    on: bool,
    /// Loaded pieces (with their warnings) by file, place, book metadata and text.
    pub loaded: Table<(crate::model::Piece, Vec<crate::diag::Diagnostic>)>,
    /// The book folder's files as the last input key read them.
    pub files: Files,
    /// Pieces resolved (before the link pass, with their warnings) by what each is a
    /// function of ([`crate::resolve::resolve_cached`]).
    pub resolved: Table<crate::resolve::Resolution>,
    /// Font sets by `[pdf] fonts` and the named files' bytes.
    pub fonts: Table<crate::typeset::font::FontSet>,
    /// Decoded figures by their file's bytes.
    pub figures: Table<Arc<crate::image::Image>>,
    /// Piece layouts by [`crate::build`]'s piece key (the environment, the piece's place
    /// and text).
    pub layouts: Table<crate::typeset::PieceLayout>,
    /// The EPUB's drawn cover (PNG) by what its page shows.
    pub cover: Table<Arc<Vec<u8>>>,
    /// The print edition's files by the pages, the environment and the print settings.
    pub print: Table<Arc<crate::build::PrintFiles>>,
    pub shaping: Shaping,
    pub pdf: crate::pdf::Cache,
    pub epub: crate::epub::Previous,
    /// What this build let go of, freed when it ends ([`Memo::retire`]).
    retired: Vec<Box<dyn std::any::Any + Send>>,
}

impl Default for Memo {
    /// On, unless [`NO_MEMO`] is set to `1`.
    fn default() -> Self {
        let off = std::env::var(NO_MEMO).is_ok_and(|v| v == "1");
        Memo::new(!off)
    }
}

impl Memo {
    /// A memo that keeps results between builds (`on`) or keeps nothing.
    pub fn new(on: bool) -> Memo {
        Memo {
            on,
            loaded: Table::default(),
            files: Files::default(),
            resolved: Table::default(),
            fonts: Table::default(),
            figures: Table::default(),
            layouts: Table::default(),
            cover: Table::default(),
            print: Table::default(),
            shaping: Shaping::default(),
            pdf: crate::pdf::Cache::default(),
            epub: crate::epub::Previous::default(),
            retired: Vec::new(),
        }
    }

    /// A memo that keeps nothing: every build is a cold build.
    pub fn off() -> Memo {
        Memo::new(false)
    }

    /// Whether results are kept between builds.
    pub fn is_on(&self) -> bool {
        self.on
    }

    /// Before a build: a memo that is off forgets everything (so the build is cold); one
    /// that is on tells the writers to keep their output for the next build.
    pub fn begin(&mut self) {
        if !self.on {
            *self = Memo::off();
        }
        self.pdf.keep = self.on;
    }

    /// Keeps `value`, which this build no longer needs, until the build ends and then
    /// frees it off the build's way ([`discard`]): freed at once, on a third thread, it
    /// took a core from the layout's two (the novel's word tables after `lang` changed).
    pub fn retire<T: Send + 'static>(&mut self, value: T) {
        self.retired.push(Box::new(value));
    }

    /// After a successful build: what it did not use is dropped.
    pub fn end(&mut self) {
        discard(std::mem::take(&mut self.retired));
        self.loaded.sweep();
        self.resolved.sweep();
        self.fonts.sweep();
        self.figures.sweep();
        self.layouts.sweep();
        self.cover.sweep();
        self.print.sweep();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file rewritten with the same length and its modification time set back (as `cp -p`
    /// or `rsync -t` may) is read again: its change time moved.
    #[test]
    #[cfg(unix)]
    fn a_file_is_taken_unread_only_while_its_stamp_holds() {
        let dir = std::env::temp_dir().join(format!("folio-files-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("01-a.md");
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        let write = |text: &str| {
            std::fs::write(&path, text).unwrap();
            let f = std::fs::File::options().write(true).open(&path).unwrap();
            f.set_modified(an_hour_ago).unwrap();
        };
        let read = |files: &mut Files| {
            files.begin();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let r = files.read(&path, Some(&meta), true).unwrap();
            files.end();
            r
        };
        write("first");
        // Held as soon as read (a real reading holds only files changed 2 s before it).
        let mut files = Files {
            racy: Some(std::time::Duration::ZERO),
            ..Files::default()
        };
        let first = read(&mut files);
        assert_eq!(files.held.len(), 1, "a settled file is held");
        let again = read(&mut files);
        assert_eq!(again.hash, first.hash);
        assert!(Arc::ptr_eq(
            again.text.as_ref().unwrap(),
            first.text.as_ref().unwrap()
        ));
        std::thread::sleep(std::time::Duration::from_millis(20));
        write("third");
        let changed = read(&mut files);
        assert_ne!(
            changed.hash, first.hash,
            "same length, same mtime, new change time"
        );
        assert_eq!(&*changed.text.unwrap(), b"third");
        // A file changed just now is read every time until it settles, even with its
        // modification time set back.
        files.racy = None;
        write("fresh");
        read(&mut files);
        assert!(files.held.is_empty(), "a file changed just now is not held");
    }

    #[test]
    fn a_key_is_of_the_inputs_not_of_their_order_of_making() {
        let a = key(&("title", 3u32, Some(1.5f32.to_bits())));
        assert_eq!(
            a,
            key(&(String::from("title"), 3u32, Some(1.5f32.to_bits())))
        );
        assert_ne!(a, key(&("title", 4u32, Some(1.5f32.to_bits()))));
        // Field boundaries count: ("ab", "c") and ("a", "bc") are different inputs.
        assert_ne!(key(&("ab", "c")), key(&("a", "bc")));
    }

    #[test]
    fn a_build_keeps_what_it_asked_for_and_drops_the_rest() {
        let mut t: Table<u32> = Table::default();
        t.insert(1, 10);
        t.insert(2, 20);
        t.sweep(); // both were made by the build that ends
        assert_eq!(t.len(), 2);
        assert_eq!(t.get(1), Some(&10));
        t.sweep(); // the next build asked only for 1
        assert_eq!(t.len(), 1);
        assert!(t.get(2).is_none());
        let made = t.get_or_try(3, || Ok::<_, ()>(30));
        assert_eq!(made, Ok(30));
        assert_eq!(t.get_or_try(3, || Err(())), Ok(30), "not made again");
    }
}
