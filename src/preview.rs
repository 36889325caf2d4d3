//! What a build leaves for `folio serve` to show: each edition's pages (the frames, not the
//! PDF's bytes) with their labels and content hashes, kept only by a session that asks for
//! them ([`crate::build::Session::keep_pages`]). The server draws a page from here when a
//! browser asks for it, and tells changed pages by their hashes.

use crate::manifest::Manifest;
use crate::typeset::frame::Pages;
use std::sync::Arc;

/// One successful build's editions, the screen edition first.
pub struct Preview {
    pub editions: Vec<Edition>,
}

impl Preview {
    /// The edition named `name`, with its place in [`Preview::editions`].
    pub fn edition(&self, name: &str) -> Option<(usize, &Edition)> {
        self.editions
            .iter()
            .enumerate()
            .find(|(_, e)| e.name == name)
    }
}

/// One PDF's pages: the screen edition, the print edition, the imposed booklet or the wrap
/// cover.
pub struct Edition {
    /// `screen`, `print`, `booklet` or `cover`: the file's suffix without its dash.
    pub name: &'static str,
    pub pages: Arc<Pages>,
    /// Each page's label and hash, as the edition manifest gives them.
    pub manifest: Manifest,
    /// Each page's hash as a number (the manifest's hex digits).
    pub hashes: Vec<u64>,
}

impl Edition {
    /// The edition of `pages` under `name`, hashed as the manifest hashes them (unless
    /// `before`, the last preview, holds these very pages: a print edition the memo kept).
    pub fn of(name: &'static str, pages: Arc<Pages>, before: Option<&Preview>) -> Edition {
        if let Some((_, e)) = before.and_then(|p| p.edition(name))
            && Arc::ptr_eq(&e.pages, &pages)
        {
            return Edition {
                name,
                pages,
                manifest: e.manifest.clone(),
                hashes: e.hashes.clone(),
            };
        }
        let (manifest, hashes) =
            Manifest::with_hashes(&pages, &mut crate::manifest::HashMemo::default());
        Edition {
            name,
            pages,
            manifest,
            hashes,
        }
    }

    /// How its pages are drawn: the screen edition's trimmed, the print edition's with
    /// their bleed and marks.
    pub fn view(&self) -> crate::raster::View {
        if self.name == SCREEN {
            crate::raster::View::Trim
        } else {
            crate::raster::View::Media
        }
    }

    /// The folder of its page images' URLs: `/page/K.png` for the screen edition,
    /// `/<name>/K.png` for the others.
    pub fn folder(&self) -> &'static str {
        if self.name == SCREEN {
            "page"
        } else {
            self.name
        }
    }
}

/// The screen edition's name.
pub const SCREEN: &str = "screen";

/// The edition name of a print file's suffix (`-print` → `print`).
pub fn edition_name(suffix: &'static str) -> &'static str {
    suffix.trim_start_matches('-')
}
