//! The project: a book folder (or one `.md` file) and every file read on its behalf.
//!
//! All reads go through here, so containment is enforced in one place: nothing outside the
//! book's folder (and the `covers/` folder beside it) is ever read, whether a path is
//! absolute, climbs with `..`, or is a symlink pointing out. The project also owns the clock:
//! `SOURCE_DATE_EPOCH`, else the metadata date, else the newest input file's time — never
//! the wall clock, so unchanged input gives byte-identical output.

use crate::diag::{DiagResult, Diagnostic, line_col};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// mdBook's table of contents: a file of that name is read for the order of the pieces,
/// never as a piece.
pub const SUMMARY: &str = "SUMMARY.md";

/// The largest file folio reads (a manuscript, an image, a font): 256 MB, far beyond any
/// book's file, and a bound on the memory a file can claim (the check is repeated while
/// reading, for a file that grows).
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// What `folio build PATH` points at.
#[derive(Debug, Clone)]
pub struct Project {
    /// The book folder, canonical.
    pub root: PathBuf,
    /// The `covers/` folder beside the book folder, canonical, if it exists.
    pub covers: Option<PathBuf>,
    /// `Some` when the project is a single Markdown file.
    pub single_file: Option<PathBuf>,
    /// The path as the user gave it, for messages.
    pub given: PathBuf,
    /// The book's text files (`.md`, `.toml`) as a build's input key read them, by their
    /// path in the book folder: the build reads the very bytes it was keyed by, and does not
    /// read them again ([`Project::with_texts`]).
    texts: Option<Arc<Texts>>,
}

/// Text files by canonical path (inside the book folder, no symbolic link on the way): their
/// bytes and the hash the input key made of them.
pub type Texts = std::collections::HashMap<PathBuf, (Arc<[u8]>, u64)>;

/// Whether a file of the book folder is one the loader reads as text (its pieces, the
/// summary, `book.toml`).
pub fn is_text_input(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "md" || e == "markdown" || e == "toml")
}

impl Project {
    /// Opens a book folder or a single `.md` file.
    pub fn open(path: &Path) -> DiagResult<Project> {
        let meta = std::fs::metadata(path).map_err(|e| {
            vec![
                Diagnostic::error(format!(
                    "cannot open `{}`: {}",
                    path.display(),
                    io_reason(&e)
                ))
                .hint("give a book folder (with book.toml and .md files) or a single .md file"),
            ]
        })?;
        let canonical = path.canonicalize().map_err(|e| {
            vec![Diagnostic::error(format!(
                "cannot open `{}`: {e}",
                path.display()
            ))]
        })?;
        let (root, single_file) = if meta.is_dir() {
            (canonical, None)
        } else if path
            .extension()
            .is_some_and(|e| e == "md" || e == "markdown")
        {
            let parent = canonical
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("/"));
            (parent, Some(canonical))
        } else {
            return Err(vec![Diagnostic::error(format!("`{}` is neither a book folder nor a .md file", path.display()))
                .hint("folio builds a folder with book.toml and .md files, or one .md file with front matter")]);
        };
        // `covers/` beside the book, when it is a real folder: a link there (to a sibling
        // folder, to `/`) would let the manuscript name any file on the machine.
        let covers = root
            .parent()
            .map(|p| p.join("covers"))
            .filter(|c| std::fs::symlink_metadata(c).is_ok_and(|m| m.is_dir()))
            .and_then(|c| c.canonicalize().ok());
        Ok(Project {
            root,
            covers,
            single_file,
            given: path.to_path_buf(),
            texts: None,
        })
    }

    /// This project reading its text files from `texts` (found by walking the canonical
    /// book folder without following links) rather than from the disk.
    pub fn with_texts(&self, texts: Texts) -> Project {
        Project {
            texts: Some(Arc::new(texts)),
            ..self.clone()
        }
    }

    /// The bytes of `path` held in [`Project::texts`] and their hash, if it names one of
    /// them there.
    fn held_text(&self, path: &Path) -> Option<&(Arc<[u8]>, u64)> {
        let texts = self.texts.as_ref()?;
        let inside = path.strip_prefix(&self.given).ok()?;
        texts.get(&self.root.join(inside))
    }

    /// The hash the input key made of the text file at `path`, if the project holds it (a
    /// memo key for what is made of the file: the loader does not hash it again).
    pub fn text_hash(&self, path: &Path) -> Option<u64> {
        self.held_text(path).map(|(_, h)| *h)
    }

    /// The book folder as the user named it (the file's folder for a single file).
    pub fn folder(&self) -> PathBuf {
        match &self.single_file {
            Some(_) => self
                .given
                .parent()
                .map(Path::to_path_buf)
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or_else(|| PathBuf::from(".")),
            None => self.given.clone(),
        }
    }

    /// The Markdown files of folder `sub` of the book (the book folder itself for `None`),
    /// in file name order, as display paths; never `SUMMARY.md`, which is a table of
    /// contents, not a piece. A single-file project is its file.
    pub fn markdown_files(&self, sub: Option<&str>) -> DiagResult<Vec<PathBuf>> {
        if self.single_file.is_some() {
            return Ok(vec![self.given.clone()]);
        }
        let dir = match sub {
            Some(s) => self.folder_inside(s)?,
            None => self.root.clone(),
        };
        let entries = std::fs::read_dir(&dir).map_err(|e| {
            vec![
                Diagnostic::error(format!("cannot read the book folder: {}", io_reason(&e)))
                    .in_file(&self.given),
            ]
        })?;
        let shown = sub.map_or_else(|| self.given.clone(), |s| self.given.join(s));
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .filter(|n| Path::new(n).extension().is_some_and(|e| e == "md"))
            .filter(|n| n.to_str() != Some(SUMMARY))
            .map(|n| shown.join(n))
            .collect();
        files.sort();
        Ok(files)
    }

    /// `SUMMARY.md` in folder `sub` of the book, if there is one (never for a single file).
    pub fn summary(&self, sub: Option<&str>) -> Option<PathBuf> {
        let shown = sub.map_or_else(|| self.given.clone(), |s| self.given.join(s));
        let p = shown.join(SUMMARY);
        (self.single_file.is_none() && p.is_file()).then_some(p)
    }

    /// A chapter `rel` (as a summary or `pieces = [...]` names it) in folder `sub`, as a
    /// display path, once it is known to be a file inside the book folder.
    pub fn chapter(&self, sub: Option<&str>, rel: &str) -> Result<PathBuf, Diagnostic> {
        let inside = match sub {
            Some(s) => format!("{}/{rel}", s.trim_end_matches('/')),
            None => rel.to_string(),
        };
        self.resolve(&inside, "chapter")?;
        Ok(self.given.join(inside))
    }

    /// The folder `sub` of the book, canonical, when it is one inside the book folder.
    fn folder_inside(&self, sub: &str) -> DiagResult<PathBuf> {
        let p = self.root.join(sub);
        match p.canonicalize() {
            Ok(real) if real.starts_with(&self.root) && real.is_dir() => Ok(real),
            _ => Err(vec![
                Diagnostic::error(format!(
                    "the chapters' folder `{sub}` (`src` in book.toml) is not a folder inside the book"
                ))
                .in_file(self.given.join("book.toml"))
                .hint("name a folder of the book, as mdBook's `src = \"src\"`"),
            ]),
        }
    }

    /// `book.toml` in the book folder, if there is one (never for a single file).
    pub fn book_toml(&self) -> Option<PathBuf> {
        let p = self.given.join("book.toml");
        (self.single_file.is_none() && p.is_file()).then_some(p)
    }

    /// Resolves `rel` (as written in the manuscript) to a file inside the book folder or its
    /// `covers/` sibling; `what` names it for messages ("cover", "image").
    pub fn resolve(&self, rel: &str, what: &str) -> Result<PathBuf, Diagnostic> {
        // Addresses are never fetched: a book builds from its folder alone.
        if let Some((scheme, _)) = rel.split_once("://") {
            return Err(Diagnostic::error(format!(
                "the {what} `{rel}` is a {scheme}:// address; folio never fetches files"
            ))
            .hint("download the file into the book folder (or covers/) and name it relatively"));
        }
        let p = Path::new(rel);
        if p.is_absolute() || rel.starts_with('/') || rel.starts_with('\\') {
            return Err(
                Diagnostic::error(format!("the {what} path `{rel}` is absolute"))
                    .hint("write it relative to the book folder, e.g. `covers/cover.jpg`"),
            );
        }
        if p.components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
        {
            return Err(Diagnostic::error(format!(
                "the {what} path `{rel}` leaves the book folder"
            ))
            .hint("keep images and covers inside the book folder or in covers/"));
        }
        let mut candidates = vec![self.root.join(p)];
        if let (Some(covers), Ok(inside)) = (&self.covers, p.strip_prefix("covers")) {
            candidates.push(covers.join(inside));
        }
        if let Some(covers) = &self.covers {
            candidates.push(covers.join(p));
        }
        for c in candidates {
            if let Ok(real) = c.canonicalize() {
                let inside = real.starts_with(&self.root)
                    || self.covers.as_ref().is_some_and(|cv| real.starts_with(cv));
                if !inside {
                    return Err(Diagnostic::error(format!(
                        "the {what} `{rel}` is a link that points outside the book folder"
                    ))
                    .hint("copy the file into the book folder instead of linking to it"));
                }
                if real.is_file() {
                    return Ok(real);
                }
            }
        }
        Err(
            Diagnostic::error(format!("the {what} `{rel}` does not exist")).hint(format!(
                "looked in {} and the covers/ folder beside it",
                self.folder().display()
            )),
        )
    }

    /// Reads a UTF-8 text file of the project; invalid UTF-8 is an error at its line:column.
    pub fn read_text(&self, path: &Path) -> DiagResult<String> {
        let bytes = self.read_bytes(path)?;
        // Word and some editors save "Unicode" as UTF-16, with a byte-order mark: name it.
        if let Some(order) = match bytes.get(..2) {
            Some([0xFF, 0xFE]) => Some("little-endian"),
            Some([0xFE, 0xFF]) => Some("big-endian"),
            _ => None,
        } {
            return Err(vec![
                Diagnostic::error(format!("the file is UTF-16 ({order}), not UTF-8"))
                    .in_file(path)
                    .hint("save it as UTF-8 (in the editor's \"save as\" or \"encoding\" menu)"),
            ]);
        }
        match String::from_utf8(bytes) {
            Ok(s) => Ok(s.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(s)),
            Err(e) => {
                let good = e.utf8_error().valid_up_to();
                let prefix = String::from_utf8_lossy(&e.as_bytes()[..good]).into_owned();
                let pos = line_col(&prefix, good);
                let rest = String::from_utf8_lossy(e.as_bytes()).into_owned();
                Err(vec![
                    Diagnostic::error("the file is not valid UTF-8")
                        .at(path, &rest, pos)
                        .hint(
                            "save the manuscript as UTF-8 (most editors have an \"encoding\" menu)",
                        ),
                ])
            }
        }
    }

    /// Reads a file of the project after checking it lies inside the project, is a regular
    /// file (a FIFO would hang the build, a device would never end) and is at most
    /// [`MAX_FILE_BYTES`] long.
    pub fn read_bytes(&self, path: &Path) -> DiagResult<Vec<u8>> {
        if let Some((held, _)) = self.held_text(path) {
            return Ok(held.to_vec());
        }
        let real = path.canonicalize().map_err(|e| {
            vec![
                Diagnostic::error(format!("cannot read the file: {}", io_reason(&e))).in_file(path),
            ]
        })?;
        let inside = real.starts_with(&self.root)
            || self.covers.as_ref().is_some_and(|c| real.starts_with(c));
        if !inside {
            return Err(vec![
                Diagnostic::error("the file lies outside the book folder (a symlink?)")
                    .in_file(path)
                    .hint("copy the file into the book folder instead of linking to it"),
            ]);
        }
        let meta = std::fs::metadata(&real).map_err(|e| {
            vec![
                Diagnostic::error(format!("cannot read the file: {}", io_reason(&e))).in_file(path),
            ]
        })?;
        if !meta.is_file() {
            return Err(vec![
                Diagnostic::error("this is not a regular file (a pipe, a device or a folder)")
                    .in_file(path)
                    .hint("the book folder holds ordinary files only"),
            ]);
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(vec![
                Diagnostic::error(format!(
                    "the file is {} MB; folio reads files up to {} MB",
                    meta.len() / 1_000_000,
                    MAX_FILE_BYTES / 1_000_000
                ))
                .in_file(path),
            ]);
        }
        use std::io::Read;
        let mut bytes = Vec::with_capacity(meta.len() as usize);
        std::fs::File::open(&real)
            .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
            .map_err(|e| {
                vec![
                    Diagnostic::error(format!("cannot read the file: {}", io_reason(&e)))
                        .in_file(path),
                ]
            })?;
        Ok(bytes)
    }

    /// The newest modification time (Unix seconds) of the given input files.
    pub fn newest_mtime(&self, files: &[PathBuf]) -> Option<i64> {
        files
            .iter()
            .filter_map(|f| std::fs::metadata(f).ok()?.modified().ok())
            .filter_map(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_secs() as i64)
            .max()
    }
}

/// The build's clock in Unix seconds: `SOURCE_DATE_EPOCH` if set, else the metadata date
/// (midnight UTC), else `fallback` (the newest input file).
pub fn clock(
    source_date_epoch: Option<&str>,
    date: Option<&str>,
    fallback: Option<i64>,
) -> Result<i64, Diagnostic> {
    if let Some(s) = source_date_epoch {
        return s.trim().parse::<i64>().map_err(|_| {
            Diagnostic::error(format!(
                "SOURCE_DATE_EPOCH=`{s}` is not a number of seconds"
            ))
            .hint("see https://reproducible-builds.org/specs/source-date-epoch/")
        });
    }
    if let Some(d) = date {
        let mut it = d.split('-').map(|p| p.parse::<i64>().unwrap_or(1));
        let (y, m, day) = (
            it.next().unwrap_or(1970),
            it.next().unwrap_or(1),
            it.next().unwrap_or(1),
        );
        return Ok(days_from_civil(y, m, day) * 86_400);
    }
    Ok(fallback.unwrap_or(0))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn iso8601(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // civil_from_days (inverse of days_from_civil).
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_project_with_texts_reads_them_and_the_disk_for_the_rest() {
        let dir = std::env::temp_dir().join(format!("folio-texts-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("01-a.md"), "as saved later").unwrap();
        std::fs::write(dir.join("02-b.md"), "on disk").unwrap();
        let project = Project::open(&dir).unwrap();
        let held: Texts = [(
            project.root.join("01-a.md"),
            (Arc::from(&b"as keyed"[..]), 7),
        )]
        .into();
        let project = project.with_texts(held);
        // The build reads the bytes its input key was made of, not a later save.
        assert_eq!(project.read_text(&dir.join("01-a.md")).unwrap(), "as keyed");
        assert_eq!(project.read_text(&dir.join("02-b.md")).unwrap(), "on disk");
        assert_eq!(project.text_hash(&dir.join("01-a.md")), Some(7));
        assert_eq!(project.text_hash(&dir.join("02-b.md")), None);
        assert!(is_text_input(Path::new("book.toml")) && !is_text_input(Path::new("a.png")));
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            iso8601(clock(None, Some("2026-11-24"), None).unwrap()),
            "2026-11-24T00:00:00Z"
        );
        assert_eq!(
            iso8601(clock(Some("1700000000"), Some("2026-11-24"), None).unwrap()),
            "2023-11-14T22:13:20Z"
        );
        assert!(clock(Some("soon"), None, None).is_err());
    }
}
