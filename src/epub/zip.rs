//! The re-packaging pass: epub-builder's archive in → a deterministic OCF container out.
//!
//! Why it exists: epub-builder 0.8.3 only writes through its `Zip` trait, which is private
//! (`epub_builder::Zip` does not resolve), so no backend of ours can be plugged in; and its
//! `ZipLibrary` stamps every entry with the current time. So we let it write into memory,
//! read that archive back, hand the package documents to an editor, and write every entry
//! again: `mimetype` first and stored without extra fields, the container and package
//! documents next, then the rest in epub-builder's (deterministic) order, all stamped with
//! one fixed time and the same permissions.

use ::zip::write::SimpleFileOptions;
use ::zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};
use std::io::{Cursor, Read, Write};
use std::sync::Arc;

/// Entries written first, in this order, when present.
const FIRST: [&str; 6] = [
    "mimetype",
    "META-INF/container.xml",
    "META-INF/com.apple.ibooks.display-options.xml",
    "OEBPS/content.opf",
    "OEBPS/nav.xhtml",
    "OEBPS/toc.ncx",
];

/// The zip timestamp for Unix seconds: the build clock, clamped to what DOS dates can hold
/// (1980–2107), seconds rounded down to even as DOS stores them.
pub fn stamp(secs: i64) -> DateTime {
    let iso = crate::project::iso8601(secs);
    let num = |r: std::ops::Range<usize>| iso.get(r).and_then(|s| s.parse::<u16>().ok());
    let parts = (
        num(0..4),
        num(5..7),
        num(8..10),
        num(11..13),
        num(14..16),
        num(17..19),
    );
    if let (Some(y), Some(mo), Some(d), Some(h), Some(mi), Some(s)) = parts
        && (1980..=2107).contains(&y)
        && let Ok(t) =
            DateTime::from_date_and_time(y, mo as u8, d as u8, h as u8, mi as u8, s as u8)
    {
        return t;
    }
    DateTime::default() // 1980-01-01 00:00:00
}

/// The last container written (in a `folio watch` session): an entry whose name, content
/// and time are unchanged is copied from it as it was compressed, not compressed again.
#[derive(Default)]
pub struct Previous {
    archive: Vec<u8>,
    time: Option<DateTime>,
    /// Each entry's name → its (uncompressed) content, compared byte for byte.
    contents: std::collections::HashMap<String, Arc<Vec<u8>>>,
    /// Each piece's XHTML and the page labels it placed, by a key of everything it is
    /// made from (see `epub::piece_key`).
    pub pieces: std::collections::HashMap<u64, Arc<super::PieceDoc>>,
    /// The completed navigation documents (nav, NCX) by entry name, with the key of what
    /// each was completed from (see `epub::completed`).
    pub navigation: std::collections::HashMap<String, (u64, Vec<u8>)>,
    /// The archive epub-builder made, with the plan it was made from.
    pub built: Option<(super::Plan, Vec<u8>)>,
}

/// The entries' contents by name, written in place of what epub-builder stored for them.
pub type Held = std::collections::HashMap<String, Vec<u8>>;

/// Rewrites `archive`, each entry with its content from `held` if there, else as
/// `archive` has it; `edit(name, bytes)` may then replace any entry's content. Entries that
/// did not change are copied from `previous` (which then becomes this archive).
pub fn repackage_cached(
    archive: &[u8],
    time: DateTime,
    mut edit: impl FnMut(&str, Vec<u8>) -> Result<Vec<u8>, String>,
    previous: &mut Previous,
    mut held: Held,
) -> Result<Vec<u8>, String> {
    let mut src = ZipArchive::new(Cursor::new(archive)).map_err(|e| e.to_string())?;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::with_capacity(src.len());
    for i in 0..src.len() {
        let mut f = src.by_index(i).map_err(|e| e.to_string())?;
        if f.is_dir() {
            continue;
        }
        let mut bytes = Vec::with_capacity(f.size() as usize);
        f.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
        let name = f.name().to_string();
        let bytes = held.remove(&name).unwrap_or(bytes);
        let bytes = edit(&name, bytes)?;
        entries.push((name, bytes));
    }
    // A stable sort by "position in FIRST, else after them": the rest keep their order.
    entries.sort_by_key(|(n, _)| FIRST.iter().position(|f| f == n).unwrap_or(FIRST.len()));
    if entries.first().map(|e| e.0.as_str()) != Some("mimetype") {
        return Err("the archive has no mimetype entry".into());
    }

    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(time)
        .unix_permissions(0o644);
    // A fixed level: the same zlib-rs version gives the same bytes for the same input. Level
    // 6 (zlib's default) makes the novel's EPUB 0.4 % larger than 9, in two thirds the time.
    let deflated = stored
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6));
    let mut old = (previous.time == Some(time))
        .then(|| ZipArchive::new(Cursor::new(previous.archive.as_slice())).ok())
        .flatten();
    let mut contents = std::collections::HashMap::with_capacity(entries.len());
    let mut out = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        // An unchanged entry keeps the last build's copy of its content (one in memory).
        let kept = previous
            .contents
            .get(&name)
            .filter(|c| old.is_some() && ***c == bytes);
        let same = kept.is_some();
        let content = kept.cloned().unwrap_or_else(|| Arc::new(bytes));
        contents.insert(name.clone(), content.clone());
        if same && let Some(file) = old.as_mut().and_then(|a| a.by_name(&name).ok()) {
            out.raw_copy_file(file).map_err(|e| e.to_string())?;
            continue;
        }
        // Already-compressed images gain nothing from deflate; mimetype must be stored.
        let already = [".jpg", ".jpeg", ".png", ".gif", ".webp"]
            .iter()
            .any(|e| name.to_ascii_lowercase().ends_with(e));
        let opts = if name == "mimetype" || already {
            stored
        } else {
            deflated
        };
        out.start_file(name.as_str(), opts)
            .map_err(|e| e.to_string())?;
        out.write_all(&content).map_err(|e| e.to_string())?;
    }
    let bytes = out.finish().map_err(|e| e.to_string())?.into_inner();
    *previous = Previous {
        archive: bytes.clone(),
        time: Some(time),
        contents,
        pieces: std::mem::take(&mut previous.pieces),
        navigation: std::mem::take(&mut previous.navigation),
        built: previous.built.take(),
    };
    Ok(bytes)
}
