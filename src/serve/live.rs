//! What the server shows, as immutable snapshots: each build makes a new [`Snapshot`] from
//! the last one and the build's outcome, and swaps it in; a request reads the snapshot of
//! its moment and never waits for a build. Page images are drawn on demand and kept by
//! content hash, so a page unchanged by an edit is neither drawn nor sent again.

use super::epub::EpubFiles;
use crate::diag::{Diagnostic, Severity};
use crate::manifest::Changes;
use crate::preview::{Edition, Preview};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

/// One moment of the preview: the last good build's pages, and the last build's errors.
#[derive(Default)]
pub struct Snapshot {
    /// Builds so far, failed ones included (the page tells events apart by it).
    pub build: u64,
    pub took_ms: f64,
    /// The last successful build's editions.
    pub preview: Option<Arc<Preview>>,
    /// Per edition (in `preview`'s order), which pages changed since the build before.
    pub changed: Vec<Vec<bool>>,
    /// "pages 14–17 changed; 36 unchanged" for the screen edition.
    pub summary: String,
    /// The last build's errors (empty after a good build): the pages shown are older.
    pub errors: Vec<ErrorView>,
    /// The last good build's EPUB (its entries inflated when asked for).
    pub epub: Option<Arc<EpubFiles>>,
    /// The EPUB page to show: where the first changed page starts.
    pub focus: Option<String>,
}

/// An error as the page shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErrorView {
    pub message: String,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub source: Option<String>,
    pub hints: Vec<String>,
}

impl ErrorView {
    fn of(d: &Diagnostic) -> ErrorView {
        let loc = d.location.as_ref();
        ErrorView {
            message: d.message.clone(),
            file: loc.map(|l| l.file.display().to_string()),
            line: loc.and_then(|l| l.pos).map(|p| p.line),
            column: loc.and_then(|l| l.pos).map(|p| p.col),
            source: loc.and_then(|l| l.source_line.clone()),
            hints: d.hints.clone(),
        }
    }
}

impl Snapshot {
    /// The snapshot after a successful build of `preview` (with its EPUB, if it made one).
    pub fn built(&self, preview: Arc<Preview>, epub: Option<EpubFiles>, took_ms: f64) -> Self {
        let old = self.preview.as_deref();
        let changed: Vec<Vec<bool>> = preview
            .editions
            .iter()
            .map(|e| changed_pages(old.and_then(|o| o.edition(e.name)).map(|f| f.1), e))
            .collect();
        let summary = match old {
            Some(old) => Changes::between(&old.editions[0].manifest, &preview.editions[0].manifest)
                .describe(&preview.editions[0].manifest),
            None => format!("{} pages", preview.editions[0].hashes.len()),
        };
        let epub = epub.map(Arc::new).or_else(|| self.epub.clone());
        let focus = focus(&preview.editions[0], &changed[0], epub.as_deref())
            .or_else(|| self.focus.clone());
        Snapshot {
            build: self.build + 1,
            took_ms,
            preview: Some(preview),
            changed,
            summary,
            errors: Vec::new(),
            epub,
            focus,
        }
    }

    /// The snapshot after a failed build: the last good pages, with the errors.
    pub fn failed(&self, diags: &[Diagnostic], took_ms: f64) -> Self {
        Snapshot {
            build: self.build + 1,
            took_ms,
            preview: self.preview.clone(),
            changed: self.changed.clone(),
            summary: self.summary.clone(),
            errors: diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(ErrorView::of)
                .collect(),
            epub: self.epub.clone(),
            focus: self.focus.clone(),
        }
    }

    /// The edition named `name`, with its index.
    pub fn edition(&self, name: &str) -> Option<(usize, &Edition)> {
        self.preview.as_deref()?.edition(name)
    }

    /// The labels of the screen edition's changed pages.
    pub fn changed_labels(&self) -> Vec<String> {
        let (Some(p), Some(changed)) = (self.preview.as_deref(), self.changed.first()) else {
            return Vec::new();
        };
        let pages = &p.editions[0].manifest.pages;
        changed
            .iter()
            .zip(pages)
            .filter(|(c, _)| **c)
            .map(|(_, p)| p.label.clone())
            .collect()
    }
}

/// Which of `new`'s pages differ from the page at the same place in `old` (none on a first
/// build: nothing is marked before an edit).
fn changed_pages(old: Option<&Edition>, new: &Edition) -> Vec<bool> {
    let Some(old) = old else {
        return vec![false; new.hashes.len()];
    };
    let mut changed = vec![false; new.hashes.len()];
    for run in Changes::between(&old.manifest, &new.manifest).changed {
        changed[run].fill(true);
    }
    changed
}

/// The EPUB page where the first changed page starts (or, on a first build, where the
/// first piece opens): the EPUB's page list names the place of every printed page.
fn focus(screen: &Edition, changed: &[bool], epub: Option<&EpubFiles>) -> Option<String> {
    let epub = epub?;
    let page =
        match changed.iter().position(|c| *c) {
            Some(i) => i,
            None => screen.pages.map.iter().position(|m| {
                matches!(m.origin, Some(crate::typeset::frame::Origin::Opening(_)))
            })?,
        };
    let label = &screen.manifest.pages.get(page)?.label;
    epub.page_href(label)
}

/// How many build events a browser may fall behind before it is dropped (it reconnects
/// and reads the pages afresh): a slow or vanished browser never holds a build up.
const EVENT_QUEUE: usize = 16;

/// The server's state shared by its threads: the current snapshot, the drawn pages, and
/// the browsers listening for builds.
#[derive(Default)]
pub struct Live {
    snapshot: RwLock<Arc<Snapshot>>,
    images: Mutex<HashMap<ImageKey, Arc<Vec<u8>>>>,
    listeners: Mutex<Vec<SyncSender<Arc<str>>>>,
}

/// A drawn page: its edition, its content hash and its scale.
pub type ImageKey = (&'static str, u64, u8);

impl Live {
    /// The current snapshot.
    pub fn now(&self) -> Arc<Snapshot> {
        self.snapshot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Puts `next` in place, forgets the drawn pages it no longer shows, and tells every
    /// listening browser.
    pub fn publish(&self, next: Snapshot) {
        let event = build_event(&next);
        let shown: std::collections::HashSet<(&str, u64)> = next
            .preview
            .iter()
            .flat_map(|p| &p.editions)
            .flat_map(|e| e.hashes.iter().map(move |h| (e.name, *h)))
            .collect();
        self.images
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|k, _| shown.contains(&(k.0, k.1)));
        let old = std::mem::replace(
            &mut *self
                .snapshot
                .write()
                .unwrap_or_else(PoisonError::into_inner),
            Arc::new(next),
        );
        // The last build's pages (the novel's take a millisecond or two to free) are freed
        // off the watch loop's way.
        crate::memo::discard(old);
        let event: Arc<str> = event.into();
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|tx| match tx.try_send(event.clone()) {
                Ok(()) => true,
                Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => false,
            });
    }

    /// A new listener's queue of build events (as `event: build` texts).
    pub fn listen(&self) -> Receiver<Arc<str>> {
        let (tx, rx) = sync_channel(EVENT_QUEUE);
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(tx);
        rx
    }

    /// How many browsers listen.
    pub fn listeners(&self) -> usize {
        self.listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The PNG of a page, drawn by `draw` unless it is drawn already.
    pub fn image(
        &self,
        key: ImageKey,
        draw: impl FnOnce() -> Result<Vec<u8>, String>,
    ) -> Result<Arc<Vec<u8>>, String> {
        if let Some(png) = self
            .images
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Ok(png.clone());
        }
        // Drawn outside the lock: other pages are drawn meanwhile on other threads.
        let png = Arc::new(draw()?);
        self.images
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, png.clone());
        Ok(png)
    }
}

/// The server-sent event of a build: `event: build` and one line of JSON.
fn build_event(s: &Snapshot) -> String {
    #[derive(Serialize)]
    struct Build<'a> {
        build: u64,
        took_ms: f64,
        changed: Vec<String>,
        summary: &'a str,
        errors: &'a [ErrorView],
    }
    let json = serde_json::to_string(&Build {
        build: s.build,
        took_ms: s.took_ms,
        changed: s.changed_labels(),
        summary: &s.summary,
        errors: &s.errors,
    })
    .unwrap_or_default();
    format!("event: build\ndata: {json}\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_browser_that_never_reads_is_dropped_and_never_holds_a_build_up() {
        let live = Live::default();
        let stalled = live.listen();
        let reading = live.listen();
        assert_eq!(live.listeners(), 2);
        for build in 1..=EVENT_QUEUE as u64 + 2 {
            // Each publish returns at once, whatever the stalled listener does.
            live.publish(Snapshot {
                build,
                ..Snapshot::default()
            });
            assert!(
                reading.try_recv().is_ok(),
                "the reading browser gets every build"
            );
        }
        // The stalled one was dropped once its queue was full: its stream ends after the
        // events it holds, and the page reconnects and reads the pages afresh.
        assert_eq!(live.listeners(), 1);
        assert_eq!(stalled.try_iter().count(), EVENT_QUEUE);
        assert!(matches!(
            stalled.try_recv(),
            Err(std::sync::mpsc::TryRecvError::Disconnected)
        ));
        assert_eq!(live.now().build, EVENT_QUEUE as u64 + 2);
    }
}
