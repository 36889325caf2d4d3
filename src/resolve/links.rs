//! Links: where each link of the book leads, decided once for both outputs.
//!
//! A link to the web or to mail stays as written. A link inside the book — to a heading
//! of its piece (`#anchor`), to another piece (`other.md`, `guide/other.md#anchor`, and
//! `other.html`, as mdBook authors write it), relative to the piece's file — becomes
//! `folio:N`, `N` indexing [`super::Resolved::targets`]: the EPUB links to the piece's file
//! and the heading's id, the PDF to the page and place the heading is set on. A link that
//! leads nowhere keeps its text and is a located warning, never dropped silently.

use super::RPiece;
use super::blocks::{Kind, RBlock, each_inline, inlines_mut, visit};
use crate::diag::Diagnostic;
use crate::escape::percent_decode;
use crate::model::{Book, Inline};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A place in the book an internal link leads to: a piece, and a heading's anchor in it
/// (`None`: the piece's start).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    pub piece: usize,
    pub anchor: Option<String>,
}

/// What a resolved internal link's URL starts with; the rest is its target's index.
pub const SCHEME: &str = "folio:";

/// The target index of a resolved internal link's URL, if it is one.
pub fn target_of(url: &str) -> Option<usize> {
    url.strip_prefix(SCHEME)?.parse().ok()
}

/// Schemes a link may leave the book by (written as they are).
const EXTERNAL: &[&str] = &["http", "https", "mailto", "ftp", "tel", "news"];

/// Resolves every link of `pieces` (their blocks and notes) in place, each piece noting
/// the targets its links lead to; the targets the internal ones index, and a warning for
/// each link that leads nowhere. A piece without links is left as it is (shared with the
/// memo); one with links is written to its own copy.
pub fn resolve(pieces: &mut [Arc<RPiece>], book: &Book) -> (Vec<Target>, Vec<Diagnostic>) {
    // A book without links (the novel) needs neither the pieces' names nor their anchors.
    if !pieces.iter().any(|p| p.gist.has_links) {
        return (Vec::new(), Vec::new());
    }
    let names: Vec<String> = pieces
        .iter()
        .map(|p| relative(book, p.span.file as usize))
        .collect();
    let anchors: Vec<Vec<String>> = pieces.iter().map(|p| p.gist.anchors.clone()).collect();
    let mut targets: Vec<Target> = Vec::new();
    let mut index: HashMap<Target, usize> = HashMap::new();
    let mut warnings = Vec::new();
    for (k, piece) in pieces.iter_mut().enumerate() {
        if !piece.gist.has_links {
            continue;
        }
        let here = Here {
            piece: k,
            names: &names,
            anchors: &anchors,
        };
        let mut used = Vec::new();
        let mut each = |i: &mut Inline| {
            let Inline::Link { url, span, .. } = i else {
                return;
            };
            match here.target(url) {
                Lead::Out => {}
                Lead::In(t) => {
                    let n = *index.entry(t.clone()).or_insert_with(|| {
                        targets.push(t);
                        targets.len() - 1
                    });
                    used.push(n);
                    *url = format!("{SCHEME}{n}");
                }
                Lead::Nowhere(why) => {
                    // Never followed in either edition (an address with an invalid host
                    // would otherwise still be written out).
                    *url = format!("{SCHEME}nowhere");
                    warnings.push(
                    book.locate(
                        Diagnostic::warning(format!("this link leads nowhere: {why}")),
                        *span,
                    )
                    .hint("link to a piece of the book (`chapter.md`, `chapter.md#heading`), a heading (`#heading`) or a web address; the text is kept without a link"),
                )
                }
            }
        };
        let piece = Arc::make_mut(piece);
        inlines_mut(&mut piece.blocks, &mut each);
        for note in &mut piece.notes {
            inlines_mut(&mut note.blocks, &mut each);
        }
        piece.targets = used;
    }
    (targets, warnings)
}

/// The host of an address with an authority (`scheme://host/…`) when it is not one a
/// URL parser accepts (RFC 3986 and WHATWG: letters, digits, `-._~`, percent escapes,
/// sub-delimiters, any non-ASCII letter, or an IP literal in brackets): a space or a
/// quote in it cannot be percent-encoded away.
fn bad_host(url: &str) -> Option<String> {
    // The web's schemes always have a host (`HTTPS:javascript:…` has none).
    let scheme = url.split(':').next().unwrap_or("").to_ascii_lowercase();
    if matches!(scheme.as_str(), "http" | "https" | "ftp") && !url.contains("://") {
        return Some(url.to_string());
    }
    let rest = url.split_once("://")?.1;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(literal) = host_port.strip_prefix('[') {
        let ok = literal.split_once(']').is_some_and(|(ip, port)| {
            ip.parse::<std::net::Ipv6Addr>().is_ok()
                && (port.is_empty()
                    || port
                        .strip_prefix(':')
                        .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit())))
        });
        return (!ok).then(|| host_port.to_string());
    }
    let (host, port) = host_port.rsplit_once(':').unwrap_or((host_port, ""));
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || "-._~%!$&'()*+,;=".contains(c));
    let port_ok = port.bytes().all(|b| b.is_ascii_digit());
    (!(host_ok && port_ok)).then(|| host_port.to_string())
}

/// Where a link leads.
enum Lead {
    /// Out of the book (the web, mail) or already resolved: left as written.
    Out,
    In(Target),
    Nowhere(String),
}

/// What a piece's links are resolved against.
struct Here<'a> {
    piece: usize,
    /// Each piece's file, relative to the book folder (`/`-separated).
    names: &'a [String],
    /// Each piece's heading anchors.
    anchors: &'a [Vec<String>],
}

impl Here<'_> {
    fn target(&self, url: &str) -> Lead {
        let url = url.trim();
        if url.starts_with(SCHEME) {
            return Lead::Out;
        }
        if let Some((scheme, _)) = url.split_once(':')
            && !scheme.contains(['/', '#', '.'])
        {
            return if EXTERNAL.contains(&scheme.to_ascii_lowercase().as_str()) {
                match bad_host(url) {
                    Some(host) => Lead::Nowhere(format!(
                        "`{host}` in `{url}` is not a host name a reader can open"
                    )),
                    None => Lead::Out,
                }
            } else {
                Lead::Nowhere(format!("`{scheme}:` addresses are not followed"))
            };
        }
        let (path, fragment) = match url.split_once('#') {
            Some((p, f)) => (p, Some(percent_decode(f))),
            None => (url, None),
        };
        let piece = if path.is_empty() {
            self.piece
        } else {
            match self.piece_named(&percent_decode(path)) {
                Some(k) => k,
                None => return Lead::Nowhere(format!("`{path}` is not a piece of the book")),
            }
        };
        let Some(f) = fragment.filter(|f| !f.is_empty()) else {
            return Lead::In(Target {
                piece,
                anchor: None,
            });
        };
        if let Some(a) = self.anchor_in(piece, &f) {
            return Lead::In(Target {
                piece,
                anchor: Some(a),
            });
        }
        // `#heading` alone: a heading of another piece will do (the first that has it).
        if path.is_empty()
            && let Some((k, a)) =
                (0..self.names.len()).find_map(|k| Some((k, self.anchor_in(k, &f)?)))
        {
            return Lead::In(Target {
                piece: k,
                anchor: Some(a),
            });
        }
        let name = &self.names[piece];
        Lead::Nowhere(format!("`{name}` has no heading `#{f}`"))
    }

    /// The piece whose file `path` names, relative to this piece's file (`.html` read as
    /// `.md`, as mdBook's readers write links to its rendered pages).
    fn piece_named(&self, path: &str) -> Option<usize> {
        let path = match path.strip_suffix(".html") {
            Some(stem) => format!("{stem}.md"),
            None => path.to_string(),
        };
        let dir = Path::new(&self.names[self.piece])
            .parent()
            .unwrap_or(Path::new(""));
        let wanted = crate::escape::inside(&dir.join(path))?;
        self.names.iter().position(|n| *n == wanted)
    }

    /// The anchor of piece `k` that `fragment` names: as written, as folio makes a
    /// heading's id from it (lower case, spaces as hyphens), or else the one with the same
    /// letters and digits (`#--fail-on-empty`, as mdBook writes a heading's id, is folio's
    /// `fail-on-empty`).
    fn anchor_in(&self, k: usize, fragment: &str) -> Option<String> {
        let anchors = &self.anchors[k];
        let slug = crate::escape::xml_id(&fragment.to_lowercase().replace(' ', "-"));
        let exact = [fragment.to_string(), crate::escape::xml_id(fragment), slug]
            .into_iter()
            .find(|f| anchors.contains(f));
        let key = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let wanted = key(fragment);
        exact.or_else(|| {
            anchors
                .iter()
                .find(|a| !wanted.is_empty() && key(a) == wanted)
                .cloned()
        })
    }
}

/// The anchors of a piece's `blocks`: its headings', then those written as `<a id>`.
pub(super) fn heading_anchors(blocks: &[RBlock]) -> Vec<String> {
    let mut out = Vec::new();
    visit(blocks, &mut |b| {
        if let Kind::Heading { anchor, .. } = &b.kind {
            out.push(anchor.clone());
        }
    });
    anchors_in(blocks, &mut out);
    out
}

/// The `<a id>` anchors written in `blocks` (nested ones too), in reading order.
pub fn anchors_in(blocks: &[RBlock], out: &mut Vec<String>) {
    each_inline(blocks, &mut |i| {
        if let Inline::Anchor { id, .. } = i {
            out.push(id.clone());
        }
    });
}

/// Source `file`'s path relative to the book folder (`/`-separated).
fn relative(book: &Book, file: usize) -> String {
    let p = book
        .sources
        .get(file)
        .map(PathBuf::as_path)
        .unwrap_or(Path::new(""));
    let rel = p.strip_prefix(&book.folder).unwrap_or(p);
    crate::escape::inside(rel).unwrap_or_default()
}
