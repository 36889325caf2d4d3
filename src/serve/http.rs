//! One connection's request: checked (its `Host`, its path), routed, answered. The routes are the page
//! itself, `/pages.json`, `/events` (server-sent events), the page images
//! (`/page/K.png` for the screen edition, `/print/K.png`, `/booklet/K.png`,
//! `/cover/K.png`) and `/epub/…` (the EPUB's entries). Nothing is read from disk here.

use super::live::{Live, Snapshot};
use super::wire::{self, Response};
use serde::Serialize;
use std::io::Write as _;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

/// The page: one HTML file with its style and script, compiled in.
const PAGE: &str = include_str!("page.html");

/// Page images are drawn at the screen's 96 pixels to the inch (a CSS pixel), times the
/// browser's pixel ratio (1 or 2).
pub const PX_PER_PT: f32 = 96.0 / 72.0;
/// The largest pixel ratio drawn (a phone's 3 is drawn at 2: sharp enough, and fewer bytes).
const MAX_SCALE: u8 = 2;
/// How often an idle event stream is sent a comment: a browser that went away is noticed
/// then (its write fails), and proxies keep the stream open.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// Who may be answered: the `Host` values a browser sends for this server.
pub struct Hosts(pub Vec<String>);

impl Hosts {
    /// The loopback names with `port`, and `extra` (the `--host` given), if any.
    pub fn new(port: u16, extra: Option<&str>) -> Hosts {
        let mut names = vec!["127.0.0.1", "localhost", "[::1]"];
        names.extend(extra);
        Hosts(names.iter().map(|n| format!("{n}:{port}")).collect())
    }

    /// Whether a request with this `Host` may be answered (the check that stops DNS
    /// rebinding: a page on another site that resolves its name to 127.0.0.1 sends its
    /// own name).
    pub fn allows(&self, host: Option<&str>) -> bool {
        host.is_some_and(|h| self.0.iter().any(|a| a.eq_ignore_ascii_case(h)))
    }
}

/// Reads the request on `stream` and answers it.
pub fn answer(mut stream: TcpStream, live: &Arc<Live>, hosts: &Hosts) {
    let Some(request) = wire::read_request(&mut stream) else {
        return;
    };
    let head_only = request.method == "HEAD";
    let response = if !hosts.allows(request.host.as_deref()) {
        text(403, "this server answers only to localhost")
    } else if request.method != "GET" && !head_only {
        text(405, "only GET")
    } else {
        let (path, query) = split_url(&request.target);
        match decode_path(path) {
            Some(path) if path == "/events" && !head_only => return events(stream, live),
            Some(path) => route(&path, query, &live.now(), live),
            None => not_found(),
        }
    };
    // The browser may have gone; nothing to do about it.
    let _ = response.send(stream, head_only);
}

type Reply = Response;

/// The answer for a checked path.
fn route(path: &str, query: &str, now: &Snapshot, live: &Live) -> Reply {
    match path {
        "/" => Response::new(200, "text/html; charset=utf-8", PAGE.as_bytes().to_vec()),
        // The page names no icon; a browser asks anyway.
        "/favicon.ico" => Response::new(204, "image/x-icon", Vec::new()),
        "/pages.json" => {
            let edition = param(query, "edition").unwrap_or(crate::preview::SCREEN);
            match pages_json(now, edition) {
                Some(json) => Response::new(200, "application/json", json),
                None => not_found(),
            }
        }
        _ => {
            if let Some(entry) = path.strip_prefix("/epub/") {
                return epub_entry(now, entry);
            }
            match page_image(path, query, now, live) {
                Some(Ok(png)) => png,
                Some(Err(e)) => text(500, &format!("cannot draw the page: {e}")),
                None => not_found(),
            }
        }
    }
}

/// `/epub/<entry>`: an entry of the last good EPUB, by its exact name.
fn epub_entry(now: &Snapshot, entry: &str) -> Reply {
    match now.epub.as_deref().and_then(|e| e.get(entry)) {
        Some(bytes) => Response::new(200, super::epub::media_type(entry), bytes)
            .with("Cache-Control", "no-cache"),
        None => not_found(),
    }
}

/// `/page/K.png` and the print editions' `/<edition>/K.png`: page K (from 1), drawn.
fn page_image(
    path: &str,
    query: &str,
    now: &Snapshot,
    live: &Live,
) -> Option<Result<Reply, String>> {
    let (folder, file) = path.strip_prefix('/')?.split_once('/')?;
    let k: usize = file.strip_suffix(".png")?.parse().ok()?;
    let edition = now
        .preview
        .as_deref()?
        .editions
        .iter()
        .find(|e| e.folder() == folder)?;
    let page = edition.pages.pages.get(k.checked_sub(1)?)?;
    let hash = *edition.hashes.get(k - 1)?;
    let scale = param(query, "scale")
        .and_then(|s| s.parse::<u8>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_SCALE);
    let (view, pages) = (edition.view(), &edition.pages);
    let png = live.image((edition.name, hash, scale), || {
        crate::raster::page_png(
            page,
            &pages.fonts,
            &pages.images,
            PX_PER_PT * f32::from(scale),
            view,
        )
    });
    // A URL that names the page's hash names these bytes for good: the browser keeps them.
    let cache = if param(query, "v") == Some(format!("{hash:016x}").as_str()) {
        "max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    Some(png.map(|png| Response::new(200, "image/png", png.to_vec()).with("Cache-Control", cache)))
}

/// `/events`: one `event: build` per build, as long as the browser listens (on this
/// connection's own thread).
fn events(mut stream: TcpStream, live: &Live) {
    let rx = live.listen();
    let head = format!("{}retry: 1000\n\n", wire::EVENT_STREAM_HEAD);
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    loop {
        let chunk: Arc<str> = match rx.recv_timeout(KEEPALIVE) {
            Ok(event) => event,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => ": keep-alive\n\n".into(),
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        };
        if stream.write_all(chunk.as_bytes()).is_err() {
            return;
        }
    }
}

/// `/pages.json`: the build, its summary and errors, and each page of `edition`.
fn pages_json(now: &Snapshot, edition: &str) -> Option<Vec<u8>> {
    #[derive(Serialize)]
    struct Pages<'a> {
        build: u64,
        took_ms: f64,
        summary: &'a str,
        edition: &'a str,
        editions: Vec<&'a str>,
        errors: &'a [super::live::ErrorView],
        /// The EPUB page to show, under `/epub/`.
        epub: Option<String>,
        pages: Vec<PageView>,
    }
    let editions = now
        .preview
        .iter()
        .flat_map(|p| p.editions.iter().map(|e| e.name))
        .collect();
    let pages = match now.edition(edition) {
        Some((i, e)) => page_views(e, now.changed.get(i).map(Vec::as_slice).unwrap_or(&[])),
        // Before the first good build there are no pages; an unknown edition is no page.
        None if now.preview.is_none() && edition == crate::preview::SCREEN => Vec::new(),
        None => return None,
    };
    serde_json::to_vec(&Pages {
        build: now.build,
        took_ms: now.took_ms,
        summary: &now.summary,
        edition,
        editions,
        errors: &now.errors,
        epub: now.focus.as_ref().map(|f| format!("/epub/{f}")),
        pages,
    })
    .ok()
}

/// A page as the page script lays it out.
#[derive(Serialize)]
struct PageView {
    label: String,
    changed: bool,
    image: String,
    /// Its size in CSS pixels.
    width: f32,
    height: f32,
    links: Vec<super::links::LinkView>,
}

fn page_views(e: &crate::preview::Edition, changed: &[bool]) -> Vec<PageView> {
    let (folder, view) = (e.folder(), e.view());
    e.pages
        .pages
        .iter()
        .zip(&e.manifest.pages)
        .zip(&e.hashes)
        .enumerate()
        .map(|(i, ((page, entry), hash))| {
            let ((w, h), _) = view.bounds(page);
            PageView {
                label: entry.label.clone(),
                changed: changed.get(i).copied().unwrap_or(false),
                image: format!("/{folder}/{}.png?v={hash:016x}", i + 1),
                width: (w * PX_PER_PT).round(),
                height: (h * PX_PER_PT).round(),
                links: super::links::of(page, view, &e.pages.renumber),
            }
        })
        .collect()
}

/// The path and the query of a request's URL.
fn split_url(url: &str) -> (&str, &str) {
    url.split_once('?').unwrap_or((url, ""))
}

/// A query parameter's raw value.
fn param<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The path percent-decoded, or `None` for one that could step outside what is served: a
/// `.` or `..` segment (written plainly or encoded), a backslash, a NUL, text that is not
/// UTF-8. (Nothing is served from the file system, but the check does not rely on that.)
pub fn decode_path(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return None;
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let decoded = String::from_utf8(out).ok()?;
    let unsafe_segment = decoded.split('/').any(|s| s == ".." || s == ".");
    (!unsafe_segment && !decoded.contains(['\\', '\0'])).then_some(decoded)
}

fn text(status: u16, body: &str) -> Reply {
    Response::new(
        status,
        "text/plain; charset=utf-8",
        body.as_bytes().to_vec(),
    )
}

fn not_found() -> Reply {
    text(404, "not found")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_step_outside_are_refused_whatever_their_spelling() {
        for bad in [
            "/epub/../x",
            "/epub/%2e%2e/x",
            "/epub/%2E%2e/x",
            "/epub/.%2e/x",
            "/epub/a/%2e/x",
            "/epub/..%2fx/..",
            "/epub/a%5c..%5cx",
            "/epub/%00",
            "/epub/%ff",
            "/epub/%zz",
            "/epub/%2",
            "epub/x",
        ] {
            assert_eq!(decode_path(bad), None, "{bad}");
        }
        assert_eq!(
            decode_path("/epub/OEBPS/caf%C3%A9%20noir.xhtml").as_deref(),
            Some("/epub/OEBPS/café noir.xhtml")
        );
        assert_eq!(decode_path("/epub/a..b/c").as_deref(), Some("/epub/a..b/c"));
    }

    #[test]
    fn only_loopback_names_with_the_port_are_answered() {
        let hosts = Hosts::new(7878, None);
        for ok in [
            "127.0.0.1:7878",
            "localhost:7878",
            "LOCALHOST:7878",
            "[::1]:7878",
        ] {
            assert!(hosts.allows(Some(ok)), "{ok}");
        }
        for bad in [
            "localhost",
            "localhost:7879",
            "evil.example:7878",
            "127.0.0.1.evil.example:7878",
            "",
        ] {
            assert!(!hosts.allows(Some(bad)), "{bad}");
        }
        assert!(!hosts.allows(None));
        assert!(Hosts::new(80, Some("192.168.1.5")).allows(Some("192.168.1.5:80")));
    }
}
