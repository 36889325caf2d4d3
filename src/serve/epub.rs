//! The EPUB as the preview serves it: its entries read from the file the build wrote, and
//! its page list (which printed page starts where), read from its own navigation document.
//! Nothing else on disk is ever served: a request names an entry of this table or nothing.

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

/// An EPUB's entries by their names in the container, and its page list.
pub struct EpubFiles {
    entries: HashMap<String, Vec<u8>>,
    /// Each printed page's label and its place (an entry name and a fragment).
    pages: Vec<(String, String)>,
}

impl EpubFiles {
    /// Reads the EPUB at `path`.
    pub fn read(path: &Path) -> Result<EpubFiles, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut entries = HashMap::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
            if entry.is_dir() {
                continue;
            }
            let mut bytes = Vec::with_capacity(entry.size() as usize);
            entry.read_to_end(&mut bytes).map_err(|e| e.to_string())?;
            entries.insert(entry.name().to_string(), bytes);
        }
        let pages = page_list(&entries);
        Ok(EpubFiles { entries, pages })
    }

    /// The entry named `name`.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.entries.get(name).map(Vec::as_slice)
    }

    /// Where the printed page `label` starts, as a path under `/epub/`.
    pub fn page_href(&self, label: &str) -> Option<String> {
        self.pages
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, href)| href.clone())
    }
}

/// The page list of the navigation document: each `<a href="…">label</a>` after the
/// `page-list` nav, its href made a full entry name (it is relative to the document).
fn page_list(entries: &HashMap<String, Vec<u8>>) -> Vec<(String, String)> {
    let Some((name, nav)) = entries.iter().find(|(name, _)| name.ends_with("nav.xhtml")) else {
        return Vec::new();
    };
    let folder = name.rfind('/').map_or("", |i| &name[..=i]);
    let nav = String::from_utf8_lossy(nav);
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
