//! Writing outputs without losing the previous edition: files in → all written or none.
//!
//! Every output is first written in full to a temporary file beside its destination,
//! created exclusively (`O_EXCL`: a file or a symlink planted under that name makes the
//! creation fail instead of being followed) under a name with a per-process random part.
//! Only when every temporary is complete and synced are they renamed over their
//! destinations. If any write fails (a full disk, a folder where a file should go), every
//! temporary is removed and no destination has changed.
//!
//! A session that rebuilds on every save (`folio watch`, `folio serve`) may put its outputs
//! in place first and sync them after, on a thread of its own ([`Durability::After`]): a
//! reader still sees the old file or the whole new one (the rename is atomic), and the wait
//! for the disk — 1–3 ms a file on this machine (`strace -T`), a tenth of a one-word
//! rebuild of a novel — is off the rebuild's way. What that gives up is only this:
//! a power cut in the instant between the rename and the sync may, on a file system that
//! does not order the two (ext4 does), leave an output empty, which the next build writes
//! again. The manuscript is never written.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};

/// An output written in full to its temporary and synced, not yet in place: [`commit`]
/// renames it over its destination; dropped uncommitted, its temporary is removed (a build
/// that fails after the EPUB was staged leaves no trace and the old EPUB in place).
#[derive(Debug)]
pub struct Staged {
    path: PathBuf,
    temp: Option<PathBuf>,
    len: usize,
}

impl Staged {
    /// Where the output goes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(t) = self.temp.take() {
            let _ = std::fs::remove_file(t);
        }
    }
}

/// When an output is synced to the disk (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Before it is put in place: `folio build`.
    #[default]
    Before,
    /// After it is put in place, off the build's way: a session that rebuilds on every save.
    After,
}

/// Writes `bytes` to a temporary beside `path`, synced unless `durability` says after (see
/// the module doc). A build stages each output as soon as it is made (the EPUB on its own
/// thread while the PDF is still being made), so the disk's wait overlaps the work. The
/// error names the path.
pub fn stage(
    path: &Path,
    bytes: &[u8],
    durability: Durability,
) -> Result<Staged, (PathBuf, std::io::Error)> {
    let sync = durability == Durability::Before;
    match write_temp(path, bytes, random(), sync) {
        Ok(temp) => Ok(Staged {
            path: path.to_path_buf(),
            temp: Some(temp),
            len: bytes.len(),
        }),
        Err(e) => Err((path.to_path_buf(), e)),
    }
}

/// Stages every `(path, bytes)` side by side (a sync waits on the disk, not the processor:
/// the slowest file sets the time, not their sum); the first failure is returned and the
/// others' temporaries removed.
pub fn stage_all(
    files: &[(PathBuf, Vec<u8>)],
    durability: Durability,
) -> Result<Vec<Staged>, (PathBuf, std::io::Error)> {
    std::thread::scope(|scope| {
        let jobs: Vec<_> = files
            .iter()
            .map(|(path, bytes)| scope.spawn(move || stage(path, bytes, durability)))
            .collect();
        jobs.into_iter()
            .map(|j| j.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

/// Puts every staged output in place (and, staged to be synced after, syncs them and their
/// folders on a thread of its own). Renames within one folder only fail for a folder in
/// the way or a vanished disk; the ones already made cannot be taken back, the rest are
/// removed. The error names the path that could not be put in place.
pub fn commit(
    staged: Vec<Staged>,
    durability: Durability,
) -> Result<(), (PathBuf, std::io::Error)> {
    let mut replaced = Vec::new();
    let mut placed = Vec::new();
    for mut s in staged {
        if let Some(temp) = s.temp.take() {
            replaced.extend(hold(&s.path));
            if let Err(e) = std::fs::rename(&temp, &s.path) {
                let _ = std::fs::remove_file(temp);
                // The others are removed as they are dropped.
                return Err((s.path.clone(), e));
            }
            placed.push(s.path.clone());
        }
    }
    crate::memo::discard(replaced);
    if durability == Durability::After {
        // A sync that fails here has nothing left to undo: the outputs are in place.
        let _ = std::thread::Builder::new()
            .name("folio-sync".into())
            .spawn(move || sync_in_place(&placed));
    }
    Ok(())
}

/// Syncs each file of `paths` and then each folder holding them (where the renames are).
fn sync_in_place(paths: &[PathBuf]) {
    let mut folders: Vec<&Path> = Vec::new();
    for path in paths {
        if let Ok(f) = std::fs::File::open(path) {
            let _ = f.sync_all();
        }
        let folder = path.parent().filter(|d| !d.as_os_str().is_empty());
        if let Some(folder) = folder
            && !folders.contains(&folder)
        {
            folders.push(folder);
        }
    }
    // A folder opens as a file to be synced on Unix only.
    if cfg!(unix) {
        for folder in folders {
            if let Ok(f) = std::fs::File::open(folder) {
                let _ = f.sync_all();
            }
        }
    }
}

/// The output at `path` that a rename is about to replace, held open so that the rename
/// does not free its pages: the last close of a replaced file does, which [`commit`] leaves
/// to a thread of its own. Freeing the novel's 3 MB PDF and its EPUB took 1.6 ms of each
/// rebuild in `folio watch` (`strace -T` on the renames). Only a regular file is opened (a
/// pipe planted under the name would block the open); on Windows a file held open cannot
/// be replaced, so nothing is held there.
fn hold(path: &Path) -> Option<std::fs::File> {
    let regular = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file());
    (cfg!(unix) && regular)
        .then(|| std::fs::File::open(path).ok())
        .flatten()
}

/// Writes every `(path, bytes)`: all or nothing (see the module doc). The error names the
/// path that could not be written.
pub fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<(), (PathBuf, std::io::Error)> {
    commit(stage_all(files, Durability::Before)?, Durability::Before)
}

/// The temporary beside `path` for the random `salt`.
fn temp_name(path: &Path, salt: u64) -> PathBuf {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    dir.join(format!(".{name}.{salt:016x}.partial"))
}

/// Writes `bytes` to a new temporary file beside `path` and returns its name.
fn write_temp(path: &Path, bytes: &[u8], salt: u64, sync: bool) -> std::io::Result<PathBuf> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if dir.exists() && !dir.is_dir() {
        return Err(std::io::Error::other(format!(
            "`{}` is a file, not a folder for the outputs",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir)?;
    if path.is_dir() {
        return Err(std::io::Error::other("a folder is in the way"));
    }
    let tmp = temp_name(path, salt);
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        if sync { f.sync_all() } else { Ok(()) }
    })();
    match result {
        Ok(()) => Ok(tmp),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// 64 unpredictable bits: std's randomly keyed hasher over the process id and the time.
fn random() -> u64 {
    let mut h = RandomState::new().build_hasher();
    h.write_u32(std::process::id());
    if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        h.write_u128(t.as_nanos());
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("folio-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_failed_second_output_leaves_the_first_untouched() {
        let d = temp("second");
        std::fs::write(d.join("a.pdf"), b"old pdf").unwrap();
        std::fs::create_dir_all(d.join("a.epub")).unwrap(); // a folder where the EPUB goes
        let files = vec![
            (d.join("a.pdf"), b"new pdf".to_vec()),
            (d.join("a.epub"), b"new epub".to_vec()),
        ];
        let (path, _) = write_all(&files).unwrap_err();
        assert_eq!(path, d.join("a.epub"));
        assert_eq!(std::fs::read(d.join("a.pdf")).unwrap(), b"old pdf");
        let left: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
        assert_eq!(left.len(), 2, "no temporary left behind");
    }

    #[test]
    fn a_staged_output_dropped_uncommitted_leaves_nothing_and_the_old_file() {
        let d = temp("staged");
        std::fs::write(d.join("a.epub"), b"old epub").unwrap();
        let staged = stage(&d.join("a.epub"), b"new epub", Durability::Before).unwrap();
        assert_eq!(staged.len(), 8);
        drop(staged); // the PDF failed after the EPUB was staged
        assert_eq!(std::fs::read(d.join("a.epub")).unwrap(), b"old epub");
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            1,
            "no temporary left"
        );
        let staged = stage(&d.join("a.epub"), b"new epub", Durability::Before).unwrap();
        commit(vec![staged], Durability::Before).unwrap();
        assert_eq!(std::fs::read(d.join("a.epub")).unwrap(), b"new epub");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    }

    #[test]
    fn outputs_synced_after_are_put_in_place_whole_and_replace_the_old() {
        let d = temp("after");
        std::fs::write(d.join("a.pdf"), b"old pdf").unwrap();
        let files = vec![
            (d.join("a.pdf"), b"new pdf".to_vec()),
            (d.join("a.manifest.json"), b"{}".to_vec()),
        ];
        let staged = stage_all(&files, Durability::After).unwrap();
        assert_eq!(
            std::fs::read(d.join("a.pdf")).unwrap(),
            b"old pdf",
            "nothing in place before the commit"
        );
        commit(staged, Durability::After).unwrap();
        assert_eq!(std::fs::read(d.join("a.pdf")).unwrap(), b"new pdf");
        assert_eq!(std::fs::read(d.join("a.manifest.json")).unwrap(), b"{}");
        assert_eq!(
            std::fs::read_dir(&d).unwrap().count(),
            2,
            "no temporary left"
        );
    }

    #[test]
    #[cfg(unix)]
    fn a_temporary_is_never_followed_through_a_planted_symlink() {
        let d = temp("planted");
        let victim = d.join("victim.txt");
        std::fs::write(&victim, b"keep me").unwrap();
        let out = d.join("book.pdf");
        std::os::unix::fs::symlink(&victim, temp_name(&out, 42)).unwrap();
        assert!(write_temp(&out, b"pdf", 42, true).is_err());
        assert_eq!(std::fs::read(&victim).unwrap(), b"keep me");
        // With its own random name, the write goes through.
        write_all(&[(out.clone(), b"pdf".to_vec())]).unwrap();
        assert_eq!(std::fs::read(&out).unwrap(), b"pdf");
        assert_ne!(random(), random());
    }
}
