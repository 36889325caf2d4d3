//! `folio watch`: rebuild on every save, in one [`Session`] so only what changed is done
//! again.
//!
//! Events come from `notify`'s native watcher (inotify on Linux, FSEvents on macOS), or
//! from its polling watcher where the native one cannot start (or when `FOLIO_WATCH_POLL`
//! is set, for network drives and containers). A burst of events (an editor's save is
//! several) is one rebuild, [`DEBOUNCE`] after the last. A failed build writes nothing, so
//! the last good outputs stay in place. Ctrl-C (or SIGTERM) stops the loop between builds.

use crate::build::{Options, Report, Session, build_in};
use crate::diag::Diagnostic;
use crate::project::Project;
use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Quiet time after the last event before rebuilding: long enough to join the writes of one
/// save (editors write a temporary file, then rename it), short enough to feel immediate.
pub const DEBOUNCE: Duration = Duration::from_millis(120);
/// How often the loop looks at the stop flag while no event comes.
const TICK: Duration = Duration::from_millis(50);
/// The polling watcher's interval: a save is seen within half a second.
const POLL: Duration = Duration::from_millis(500);
/// Set (to anything) to use the polling watcher (read by the command line).
pub const POLL_ENV: &str = "FOLIO_WATCH_POLL";

/// What the watch loop reports.
pub enum Event<'a> {
    /// Watching started, natively or by polling, these folders.
    Watching {
        folders: &'a [PathBuf],
        polling: bool,
    },
    /// A build succeeded: its report, how long it took, how many pieces were laid out
    /// again, of how many.
    Built {
        report: &'a Report,
        took: Duration,
        laid_out: usize,
        pieces: usize,
        /// The build's pages, when the session keeps them ([`Session::keep_pages`]).
        preview: Option<Arc<crate::preview::Preview>>,
    },
    /// A build failed; the outputs of the last good build are untouched.
    Failed(&'a [Diagnostic]),
}

/// Builds `path` into `opts.out_dir`, then again after every change, until `stop` is set;
/// with `poll`, by polling rather than through the system's notifications. The builds run
/// in `session` (a new [`Session::default`] for `folio watch`).
pub fn watch(
    mut session: Session,
    path: &Path,
    opts: &Options,
    poll: bool,
    stop: Arc<AtomicBool>,
    report: &mut dyn FnMut(Event),
    progress: &mut dyn FnMut(&str),
) -> Result<(), Vec<Diagnostic>> {
    // The next save rebuilds every output: they are synced to the disk after they are put
    // in place, off the rebuild's way (see `crate::output`).
    session.durability = crate::output::Durability::After;
    let project = Project::open(path)?;
    let mut folders = vec![project.root.clone()];
    folders.extend(project.covers.clone());
    // A single-file book lives in a folder that is not its own: only that folder's files
    // are watched, not everything below it.
    let mode = if project.single_file.is_some() {
        RecursiveMode::NonRecursive
    } else {
        RecursiveMode::Recursive
    };
    let out = std::fs::create_dir_all(&opts.out_dir)
        .and_then(|_| opts.out_dir.canonicalize())
        .unwrap_or_else(|_| opts.out_dir.clone());
    let (tx, rx) = mpsc::channel();
    let (_watcher, polling) = start(&folders, mode, poll, tx)?;
    report(Event::Watching {
        folders: &folders,
        polling,
    });
    rebuild(&mut session, path, opts, report, progress);
    let mut pending: Option<Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        match rx.recv_timeout(TICK) {
            Ok(Ok(event)) => {
                if relevant(&event, &out) {
                    pending = Some(Instant::now());
                }
            }
            Ok(Err(_)) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        if pending.is_some_and(|t| t.elapsed() >= DEBOUNCE) {
            pending = None;
            rebuild(&mut session, path, opts, report, progress);
        }
    }
    Ok(())
}

/// One build in the session, reported.
fn rebuild(
    session: &mut Session,
    path: &Path,
    opts: &Options,
    report: &mut dyn FnMut(Event),
    progress: &mut dyn FnMut(&str),
) {
    let t = Instant::now();
    // The project is opened again: files may have been added or removed.
    let built = Project::open(path).and_then(|p| build_in(session, &p, opts, progress));
    match built {
        Ok(r) => {
            let pieces = r.counts.iter().find(|c| c.0 == "pieces").map_or(0, |c| c.1);
            report(Event::Built {
                report: &r,
                took: t.elapsed(),
                laid_out: session.laid_out,
                pieces,
                preview: session.preview(),
            })
        }
        Err(d) => report(Event::Failed(&d)),
    }
}

type Events = mpsc::Sender<notify::Result<notify::Event>>;

/// Starts the native watcher on `folders`, or the polling one where that fails or is asked
/// for; returns it (it stops when dropped) and whether it polls.
fn start(
    folders: &[PathBuf],
    mode: RecursiveMode,
    poll: bool,
    tx: Events,
) -> Result<(Box<dyn Watcher>, bool), Vec<Diagnostic>> {
    let cannot = |e: notify::Error| {
        vec![
            Diagnostic::error(format!("cannot watch the book's files: {e}"))
                .hint("build with `folio build` instead"),
        ]
    };
    let watch_all = |w: &mut dyn Watcher| -> notify::Result<()> {
        for f in folders {
            w.watch(f, mode)?;
        }
        Ok(())
    };
    if !poll
        && let Ok(mut w) = notify::recommended_watcher(tx.clone())
        && watch_all(&mut w).is_ok()
    {
        return Ok((Box::new(w), false));
    }
    // Polling sees modification times in whole seconds: two saves within a second are told
    // apart by their contents.
    let config = notify::Config::default()
        .with_poll_interval(POLL)
        .with_compare_contents(true);
    let mut w = notify::PollWatcher::new(tx, config).map_err(cannot)?;
    watch_all(&mut w).map_err(cannot)?;
    Ok((Box::new(w), true))
}

/// Does `event` touch the book (not only reads, not only the outputs folder)?
fn relevant(event: &notify::Event, out: &Path) -> bool {
    if matches!(event.kind, notify::EventKind::Access(_)) {
        return false;
    }
    event.paths.iter().any(|p| !p.starts_with(out))
}
