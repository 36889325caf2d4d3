//! `folio serve` as a browser and an editor's tool use it: `/pages.json`, the page images,
//! the `build` events after an edit, the error shown and cleared, the print editions, the
//! refused paths and hosts; the page images against poppler's; and the page itself in
//! headless Chromium. Deadlines only stop a hung test; nothing is timed.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;

use support::DEADLINE;

/// A copy of `from` (a book folder) as `book` in a new temporary folder.
fn temp(name: &str, from: &Path) -> PathBuf {
    let d = std::env::temp_dir().join(format!("folio-serve-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    support::copy_tree(from, &d.join("book"));
    d
}

/// A running `folio serve book --port 0 --out out`, killed when dropped.
struct Server {
    child: Child,
    port: u16,
    stderr: mpsc::Receiver<String>,
    /// What it said up to its first build.
    startup: Vec<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts the server in `dir` on any free port and waits for its first build.
    fn start(dir: &Path) -> Server {
        Server::start_with(dir, &["--port", "0"])
    }

    /// Starts `folio serve book --out out` with `args` in `dir`, and waits for its first
    /// build.
    fn start_with(dir: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_folio"))
            .args(["serve", "book", "--out", "out"])
            .args(args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", "1764000000")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let port = first
            .trim()
            .strip_prefix("Serving http://127.0.0.1:")
            .and_then(|rest| rest.strip_suffix('/'))
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("the first line names the address: {first:?}"));
        let rx = support::lines(child.stderr.take().unwrap());
        let mut server = Server {
            child,
            port,
            stderr: rx,
            startup: Vec::new(),
        };
        server.startup = server.wait_for("Built in");
        server
    }

    fn wait_for(&self, what: &str) -> Vec<String> {
        support::wait_for(&self.stderr, what, "folio serve")
    }

    fn get(&self, path: &str) -> Response {
        self.request("GET", path, Some(&format!("127.0.0.1:{}", self.port)))
    }

    fn json(&self, path: &str) -> serde_json::Value {
        let r = self.get(path);
        assert_eq!(
            r.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&r.body)
        );
        serde_json::from_slice(&r.body).unwrap()
    }

    /// One HTTP/1.0 request as written on the wire (so a path goes out exactly as given,
    /// dots and all), with this `Host` header or none.
    fn request(&self, method: &str, path: &str, host: Option<&str>) -> Response {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(DEADLINE)).unwrap();
        let host = host.map(|h| format!("Host: {h}\r\n")).unwrap_or_default();
        write!(
            s,
            "{method} {path} HTTP/1.0\r\n{host}Connection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        Response::parse(&raw)
    }

    /// A `GET /events` stream: each `build` event's JSON on a channel.
    fn events(&self) -> mpsc::Receiver<serde_json::Value> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "GET /events HTTP/1.1\r\nHost: localhost:{}\r\nAccept: text/event-stream\r\n\r\n",
            self.port
        )
        .unwrap();
        let (tx, rx) = mpsc::channel();
        let (ready_tx, ready) = mpsc::channel();
        std::thread::spawn(move || {
            let mut event = String::new();
            for line in BufReader::new(s).lines().map_while(Result::ok) {
                if line.starts_with("retry:") {
                    let _ = ready_tx.send(());
                }
                if let Some(e) = line.strip_prefix("event: ") {
                    event = e.to_string();
                } else if let Some(data) = line.strip_prefix("data: ")
                    && event == "build"
                    && tx.send(serde_json::from_str(data).unwrap()).is_err()
                {
                    break;
                }
            }
        });
        ready
            .recv_timeout(DEADLINE)
            .expect("the event stream opens");
        rx
    }
}

struct Response {
    status: u16,
    headers: String,
    body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("a head");
        let headers = String::from_utf8_lossy(&raw[..split]).to_string();
        let status = headers
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status");
        Response {
            status,
            headers,
            body: raw[split + 4..].to_vec(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{from:?} is in {}", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

const INTERVIEW: &str = "book/01-the-escape-of-the-soul.md";

/// The next `build` event.
fn next_build(events: &mpsc::Receiver<serde_json::Value>) -> serde_json::Value {
    events
        .recv_timeout(DEADLINE)
        .expect("a build event after the edit")
}

#[test]
fn serve_lists_pages_draws_them_and_names_the_pages_an_edit_changed() {
    let dir = temp("edit", Path::new("manuscript"));
    let server = Server::start(&dir);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(String::from_utf8_lossy(&page.body).contains("new EventSource(\"/events\")"));

    let first = server.json("/pages.json");
    assert_eq!(first["build"], 1);
    assert_eq!(first["edition"], "screen");
    let pages = first["pages"].as_array().unwrap();
    assert!(pages.len() >= 5, "the interview has pages: {first}");
    assert!(
        pages.iter().all(|p| p["changed"] == false),
        "nothing is marked before an edit"
    );
    assert_eq!(pages[2]["label"], "1");

    // A page image, by the URL the listing gives: a PNG the browser may keep for good.
    let url = pages[2]["image"].as_str().unwrap();
    assert!(url.starts_with("/page/3.png?v="), "{url}");
    let png = server.get(url);
    assert_eq!(png.status, 200);
    assert_eq!(png.header("Content-Type"), Some("image/png"));
    assert!(png.body.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(png.header("Cache-Control").unwrap().contains("immutable"));
    assert_eq!(
        server.get("/page/3.png").header("Cache-Control"),
        Some("no-cache")
    );

    // Two open tabs: both hear of the build.
    let events = server.events();
    let other_tab = server.events();
    edit(
        &dir.join(INTERVIEW),
        "The sense of suffocation",
        "The sense of asphyxia",
    );
    let event = next_build(&events);
    assert_eq!(next_build(&other_tab), event);
    assert_eq!(event["build"], 2);
    assert_eq!(event["changed"], serde_json::json!(["1"]), "{event}");
    assert!(
        event["summary"]
            .as_str()
            .unwrap()
            .starts_with("page 1 changed")
    );
    assert_eq!(event["errors"], serde_json::json!([]));

    let second = server.json("/pages.json");
    let pages2 = second["pages"].as_array().unwrap();
    let marked: Vec<&str> = pages2
        .iter()
        .filter(|p| p["changed"] == true)
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(marked, ["1"]);
    // Unchanged pages keep their image URLs (the browser does not fetch them again); the
    // changed one gets a new one.
    assert_eq!(pages2[3]["image"], pages[3]["image"]);
    assert_ne!(pages2[2]["image"], pages[2]["image"]);

    // The EPUB pane shows where the changed page starts, with the edit.
    let epub = second["epub"].as_str().unwrap();
    assert!(epub.ends_with("#page-1"), "{epub}");
    let xhtml = server.get(epub.split('#').next().unwrap());
    assert_eq!(xhtml.status, 200);
    assert!(
        xhtml
            .header("Content-Type")
            .unwrap()
            .starts_with("application/xhtml+xml")
    );
    assert!(String::from_utf8_lossy(&xhtml.body).contains("The sense of asphyxia"));
    // The same bytes as the EPUB written to out/.
    let written = std::fs::read(dir.join("out/the-escape-of-the-soul.epub")).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(written)).unwrap();
    let mut entry = Vec::new();
    let name = epub.trim_start_matches("/epub/").split('#').next().unwrap();
    zip.by_name(name).unwrap().read_to_end(&mut entry).unwrap();
    assert_eq!(xhtml.body, entry);
}

#[test]
fn a_broken_edit_shows_its_error_with_the_last_good_pages_and_its_fix_clears_it() {
    let dir = temp("error", Path::new("manuscript"));
    let server = Server::start(&dir);
    let before = server.json("/pages.json");
    let events = server.events();
    let file = dir.join(INTERVIEW);
    edit(&file, "title: The Escape", "title: [The Escape");
    let failed = next_build(&events);
    let error = &failed["errors"][0];
    assert!(
        error["file"]
            .as_str()
            .unwrap()
            .ends_with("01-the-escape-of-the-soul.md"),
        "{failed}"
    );
    assert!(error["line"].as_u64().unwrap() >= 2, "{failed}");
    assert!(error["column"].as_u64().is_some(), "{failed}");
    assert!(!error["message"].as_str().unwrap().is_empty());
    let shown = server.json("/pages.json");
    assert_eq!(shown["errors"], failed["errors"]);
    assert_eq!(shown["pages"], before["pages"], "the last good pages stay");

    edit(&file, "title: [The Escape", "title: The Escape");
    let fixed = next_build(&events);
    assert_eq!(fixed["errors"], serde_json::json!([]), "{fixed}");
    assert_eq!(server.json("/pages.json")["errors"], serde_json::json!([]));
}

#[test]
fn serve_refuses_paths_outside_what_it_serves_and_requests_for_other_hosts() {
    let dir = temp("safe", Path::new("manuscript"));
    // A file outside the book that a traversal would reach, and a symlink out of it.
    std::fs::write(dir.join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(dir.join("secret.txt"), dir.join("book/link.txt")).unwrap();
    let server = Server::start(&dir);
    let host = format!("127.0.0.1:{}", server.port);
    for path in [
        "/epub/../secret.txt",
        "/epub/../../secret.txt",
        "/epub/%2e%2e/%2e%2e/secret.txt",
        "/epub/%2E%2E%2Fsecret.txt",
        "/epub/..%5c..%5csecret.txt",
        "/epub/OEBPS/../../secret.txt",
        "/epub//etc/passwd",
        "/epub/%00",
        "/page/../secret.txt",
        "/book/link.txt",
        "/link.txt",
        "/out/the-escape-of-the-soul.pdf",
        "/../secret.txt",
        "/epub/OEBPS/%ff.xhtml",
        "/page/0.png",
        "/page/999.png",
        "/nope/1.png",
    ] {
        let r = server.request("GET", path, Some(&host));
        assert_eq!(r.status, 404, "{path} is refused");
        assert!(
            !String::from_utf8_lossy(&r.body).contains("secret"),
            "{path}"
        );
    }
    // A name a rebinding page would send, a wrong port, or none at all: refused.
    let wrong_port = format!("localhost:{}", server.port.wrapping_add(1));
    for bad in [Some("evil.example:80"), Some(wrong_port.as_str()), None] {
        assert_eq!(
            server.request("GET", "/pages.json", bad).status,
            403,
            "{bad:?}"
        );
    }
    for good in [
        format!("localhost:{}", server.port),
        format!("[::1]:{}", server.port),
        host.clone(),
    ] {
        assert_eq!(
            server.request("GET", "/pages.json", Some(&good)).status,
            200,
            "{good}"
        );
    }
    assert_eq!(
        server.request("POST", "/pages.json", Some(&host)).status,
        405
    );
    // The EPUB's own entries are served.
    let r = server.get("/epub/OEBPS/nav.xhtml");
    assert_eq!(r.status, 200);
    assert!(String::from_utf8_lossy(&r.body).contains("page-list"));
}

#[test]
fn serve_shows_the_print_edition_and_the_booklet_with_their_marks() {
    let dir = temp("print", Path::new("tests/fixtures/festival"));
    let server = Server::start(&dir);
    let screen = server.json("/pages.json");
    let editions: Vec<&str> = screen["editions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        editions.starts_with(&["screen", "print", "booklet"]),
        "{editions:?}"
    );
    let print = server.json("/pages.json?edition=print");
    let booklet = server.json("/pages.json?edition=booklet");
    let (sp, pp) = (&screen["pages"][1], &print["pages"][1]);
    // The print edition's pages are larger by their bleed (and marks); a sheet holds two.
    assert!(pp["width"].as_f64() > sp["width"].as_f64(), "{sp} {pp}");
    let sheet = &booklet["pages"][0];
    assert!(sheet["width"].as_f64().unwrap() > 1.9 * sp["width"].as_f64().unwrap());
    for url in [&pp["image"], &sheet["image"]] {
        let r = server.get(url.as_str().unwrap());
        assert_eq!(r.status, 200, "{url}");
        assert!(r.body.starts_with(b"\x89PNG"));
    }
    assert_eq!(server.get("/pages.json?edition=nope").status, 404);
}

/// A PNG's size and its pixels as grey levels, through folio's own decoder.
fn grey(png: &[u8]) -> (u32, u32, Vec<u8>) {
    let img = folio::image::decode(png).expect("a PNG");
    let folio::image::Pixels::Raw {
        channels, samples, ..
    } = &img.pixels
    else {
        panic!("raw pixels");
    };
    let n = usize::from(*channels);
    let grey = samples
        .chunks_exact(n)
        .map(|px| (px.iter().map(|&c| u32::from(c)).sum::<u32>() / n as u32) as u8)
        .collect();
    (img.width, img.height, grey)
}

/// The largest mean difference allowed between folio's drawing of a page and poppler's,
/// in grey levels of 255, over the whole page (both at 96 dpi). Measured on the festival
/// booklet (`pdftoppm` 22.12): 0.4 on the last page, 0.9 on the title page, 2.5 and 6.0 on
/// pages of text, 2.1 on a page with two photographs, 3.1 on the mdBook fixture's page with
/// an SVG diagram; MuPDF against poppler on the densest page gives 2.1 and a one-pixel
/// shift of folio's page 11–14. Glyph edges differ: poppler hints outlines (thinner, and
/// snapped to the pixel grid), folio draws them unhinted with tiny-skia's anti-aliasing.
const MEAN_DIFFERENCE_BOUND: f64 = 8.0;

/// The mean difference of folio's drawing of each of `pages` (from 1; 0 is the last) of the
/// fixture `book` from poppler's of the same PDF page, each page holding the `words` given
/// with it; `None` without poppler (never in CI).
fn differences_from_poppler(book: &str, pages: &[(usize, &str)]) -> Option<Vec<(usize, f64)>> {
    let dir = temp(
        &format!("pixels-{book}"),
        &Path::new("tests/fixtures").join(book),
    );
    let server = Server::start(&dir);
    let listing = server.json("/pages.json");
    let pdf = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let name = p.to_string_lossy();
            p.extension().is_some_and(|e| e == "pdf")
                && !["-print", "-booklet", "-cover"]
                    .iter()
                    .any(|s| name.contains(s))
        })
        .expect("the screen PDF");
    let listed = listing["pages"].as_array().unwrap();
    let mut measured = Vec::new();
    for &(k, words) in pages {
        let k = if k == 0 { listed.len() } else { k };
        if let Ok(text) = Command::new("pdftotext")
            .args(["-f", &k.to_string(), "-l", &k.to_string()])
            .arg(&pdf)
            .arg("-")
            .output()
        {
            let text = String::from_utf8_lossy(&text.stdout);
            assert!(
                text.contains(words),
                "page {k} of {book} shows {words:?}: {text}"
            );
        }
        let ours = grey(&server.get(listed[k - 1]["image"].as_str().unwrap()).body);
        let prefix = dir.join(format!("poppler-{k}"));
        let out = Command::new("pdftoppm")
            .args([
                "-png",
                "-singlefile",
                "-f",
                &k.to_string(),
                "-l",
                &k.to_string(),
            ])
            .args([
                "-scale-to-x",
                &ours.0.to_string(),
                "-scale-to-y",
                &ours.1.to_string(),
            ])
            .arg(&pdf)
            .arg(&prefix)
            .output();
        match out {
            Ok(o) => assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr)),
            Err(e) => {
                // CI installs poppler: there a missing tool is a failure, never a skip.
                assert!(
                    std::env::var_os("CI").is_none(),
                    "pdftoppm (poppler-utils) is required in CI: {e}"
                );
                eprintln!("pdftoppm not found: page images not compared");
                return None;
            }
        }
        let theirs = grey(&std::fs::read(prefix.with_extension("png")).unwrap());
        assert_eq!(
            (ours.0, ours.1),
            (theirs.0, theirs.1),
            "page {k}: the same size"
        );
        let total: u64 = ours
            .2
            .iter()
            .zip(&theirs.2)
            .map(|(a, b)| u64::from(a.abs_diff(*b)))
            .sum();
        measured.push((k, total as f64 / ours.2.len() as f64));
    }
    Some(measured)
}

#[test]
fn page_images_match_poppler_rendering_of_the_same_pdf_pages() {
    // The festival booklet's title page, two text pages, a page with two photographs
    // (JPEG) and its last; the mdBook fixture's
    // page with an SVG diagram (each page's words are checked, so a layout change says so).
    let festival = [
        (1, "Altiplano"),
        (3, "Seven Days at Altitude"),
        (5, "Seven Days at Altitude"),
        (20, "The road south from El Alto"),
        (0, "The embassies and cultural institutes"),
    ];
    let Some(mut measured) = differences_from_poppler("festival", &festival) else {
        return;
    };
    let Some(svg) = differences_from_poppler("mdbook", &[(37, "The Processing Pipeline")]) else {
        return;
    };
    measured.extend(svg);
    eprintln!("mean differences from pdftoppm (page, grey levels): {measured:?}");
    for (k, mean) in measured {
        assert!(
            mean < MEAN_DIFFERENCE_BOUND,
            "page {k}: mean difference {mean:.2}"
        );
    }
}

#[test]
fn the_browser_marks_the_changed_page_the_epub_pane_shows_the_edit_and_an_error_shows_over_the_pages()
 {
    let script = Path::new("tests/serve/browser.js");
    let ready = Path::new("tools/ace/node_modules/puppeteer-core").exists()
        && Path::new("/usr/bin/chromium").exists()
        && Command::new("node").arg("--version").output().is_ok();
    if !ready {
        // CI installs Chromium and the Ace tools (with puppeteer): there this fails.
        assert!(
            std::env::var_os("CI").is_none(),
            "node, /usr/bin/chromium and tools/ace (npm ci) are required in CI"
        );
        eprintln!("no Chromium or puppeteer: the browser test is skipped");
        return;
    }
    let dir = temp("browser", Path::new("manuscript"));
    let server = Server::start(&dir);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = Command::new("node")
        .arg(script)
        .arg(format!("http://127.0.0.1:{}/", server.port))
        .arg(dir.join(INTERVIEW))
        .args(["The sense of suffocation", "The sense of asphyxia"])
        .arg(&shots)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the browser script failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(seen["changed"], serde_json::json!(["1"]), "{seen}");
    assert_eq!(seen["listed"], serde_json::json!(["1"]), "{seen}");
    assert!(
        seen["epubUrl"].as_str().unwrap().ends_with("#page-1"),
        "{seen}"
    );
    // The error's place and source line over the pages still shown.
    let error = &seen["error"];
    assert!(
        error["where"]
            .as_str()
            .unwrap()
            .ends_with("01-the-escape-of-the-soul.md:3:8"),
        "{error}"
    );
    assert!(
        error["source"]
            .as_str()
            .unwrap()
            .starts_with("title: [The Escape"),
        "{error}"
    );
    assert!(error["pages"].as_u64().unwrap() >= 5, "{error}");
    for shot in ["before.png", "after.png", "error.png"] {
        let png = std::fs::read(shots.join(shot)).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{shot}");
    }
}

#[test]
fn ctrl_c_stops_serve_cleanly_and_a_taken_default_port_moves_to_the_next_free_one() {
    // Hold the default port (if nothing else does already): serve must say it moved.
    let _held = std::net::TcpListener::bind(("127.0.0.1", 7878));
    let dir = temp("port", Path::new("manuscript"));
    let mut server = Server::start_with(&dir, &[]);
    assert_ne!(server.port, 7878);
    assert!(
        server.port > 7878,
        "the next free port after 7878: {}",
        server.port
    );
    let said = format!("Port 7878 is taken: using {}", server.port);
    assert!(
        server.startup.iter().any(|l| l.contains(&said)),
        "{said:?} in {:#?}",
        server.startup
    );
    assert_eq!(server.json("/pages.json")["build"], 1);
    // SIGINT is what Ctrl-C sends.
    let pid = i32::try_from(server.child.id()).expect("a pid fits in i32");
    // SAFETY: kill(2) with a live child's pid and a valid signal number touches no memory.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    server.wait_for("Stopped serving");
    let status = server.child.wait().unwrap();
    assert!(status.success(), "exit 0 after Ctrl-C: {status}");
}
