//! The EPUB as the preview serves it: the file the build wrote, held as bytes, each entry
//! inflated when a browser asks for it; and its page list (which printed page starts
//! where), read from its own navigation document. Nothing else on disk is ever served: a
//! request names an entry of this container or nothing.

use std::io::{Cursor, Read};
use std::path::Path;

/// An EPUB's bytes, and its page list.
pub struct EpubFiles {
    zip: Vec<u8>,
    /// Each printed page's label and its place (an entry name and a fragment).
    pages: Vec<(String, String)>,
}

impl EpubFiles {
    /// Reads the EPUB at `path` and its page list.
    pub fn read(path: &Path) -> Result<EpubFiles, String> {
        let zip = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut files = EpubFiles {
            zip,
            pages: Vec::new(),
        };
        let nav = files.names().into_iter().find(|n| n.ends_with("nav.xhtml"));
        if let Some(nav) = nav
            && let Some(text) = files.get(&nav)
        {
            files.pages = page_list(&nav, &String::from_utf8_lossy(&text));
        }
        Ok(files)
    }

    fn archive(&self) -> Option<zip::ZipArchive<Cursor<&[u8]>>> {
        zip::ZipArchive::new(Cursor::new(self.zip.as_slice())).ok()
    }

    fn names(&self) -> Vec<String> {
        self.archive()
            .map(|z| z.file_names().map(str::to_string).collect())
            .unwrap_or_default()
    }

    /// The entry named `name`, inflated.
    pub fn get(&self, name: &str) -> Option<Vec<u8>> {
        let mut zip = self.archive()?;
        let mut entry = zip.by_name(name).ok()?;
        if entry.is_dir() {
            return None;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }

    /// Where the printed page `label` starts, as a path under `/epub/`.
    pub fn page_href(&self, label: &str) -> Option<String> {
        self.pages
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, href)| href.clone())
    }
}

/// The page list of the navigation document `name`: each `<a href="…">label</a>` after
/// the `page-list` nav, its href made a full entry name (it is relative to the document).
fn page_list(name: &str, nav: &str) -> Vec<(String, String)> {
    let folder = name.rfind('/').map_or("", |i| &name[..=i]);
    let Some(start) = nav.find("epub:type=\"page-list\"") else {
        return Vec::new();
    };
    let list = &nav[start..];
    let list = &list[..list.find("</nav>").unwrap_or(list.len())];
    let mut pages = Vec::new();
    for link in list.split("<a href=\"").skip(1) {
        let Some((href, rest)) = link.split_once("\">") else {
            continue;
        };
        let Some((label, _)) = rest.split_once("</a>") else {
            continue;
        };
        pages.push((unescape(label), format!("{folder}{}", unescape(href))));
    }
    pages
}

/// The five predefined XML entities (what folio's EPUB writer escapes).
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The media type of an EPUB entry, by its extension.
pub fn media_type(name: &str) -> &'static str {
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match ext.to_ascii_lowercase().as_str() {
        "xhtml" => "application/xhtml+xml; charset=utf-8",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "js" => "text/javascript; charset=utf-8",
        "xml" | "opf" | "ncx" => "application/xml; charset=utf-8",
        _ => "application/octet-stream",
    }
}
