//! `folio serve`: `folio watch` with a live preview in the browser. The book is built and
//! rebuilt exactly as `folio watch` does (the same session, the same outputs), and a small
//! HTTP server (a thread per connection, [`wire`]) shows every edition's pages, drawn by
//! folio's raster module, beside the EPUB; each build is announced to the open pages by a
//! server-sent event naming the pages that changed.
//!
//! The watch loop owns the session; the server threads only read [`live::Snapshot`]s, which
//! each build replaces whole. It listens on 127.0.0.1 unless told otherwise, and answers
//! only requests addressed to it by a loopback name (see [`http::Hosts`]).

pub mod epub;
pub mod http;
pub mod links;
pub mod live;
pub mod wire;

use crate::build::{Options, Session};
use crate::diag::Diagnostic;
use crate::watch::Event;
use live::Live;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The port tried first when none is given (mdBook's is 3000, Jekyll's 4000: 7878 is
/// rarely taken).
pub const DEFAULT_PORT: u16 = 7878;
/// How many ports after the default are tried when it is taken.
const PORTS_TRIED: u16 = 100;
/// Connections served at once (each on its own thread; a browser opens six at most per
/// tab, and one more for the event stream): more are closed at once.
const MAX_CONNECTIONS: usize = 256;

/// Where to listen and what to do at the start.
pub struct ServeOptions {
    pub host: IpAddr,
    /// `None`: [`DEFAULT_PORT`] or the next free one; `Some(0)`: any free port.
    pub port: Option<u16>,
    /// Open the page in the default browser.
    pub open: bool,
    /// Watch by polling (as `folio watch` with `FOLIO_WATCH_POLL`).
    pub poll: bool,
}

/// What the command line hears from `serve`: the address once it listens, then each
/// watch event.
pub enum Said<'a> {
    /// Listening at this URL; `moved` when the default port was taken.
    Serving {
        url: &'a str,
        moved: Option<u16>,
    },
    Watch(Event<'a>),
}

/// Serves `path`'s preview until `stop` is set.
pub fn serve(
    path: &Path,
    opts: &Options,
    serve: &ServeOptions,
    stop: Arc<AtomicBool>,
    say: &mut dyn FnMut(Said),
) -> Result<(), Vec<Diagnostic>> {
    let (listener, moved) = bind(serve)?;
    let addr = listener.local_addr().map_err(cannot_listen)?;
    let url = format!("http://{}/", display_addr(addr));
    let live = Arc::new(Live::default());
    let extra = (!serve.host.is_loopback()).then(|| display_host(serve.host));
    let hosts = Arc::new(http::Hosts::new(addr.port(), extra.as_deref()));
    {
        let (live, hosts) = (live.clone(), hosts.clone());
        // The process ends with the watch loop; this thread with it.
        std::thread::spawn(move || accept(listener, live, hosts));
    }
    say(Said::Serving { url: &url, moved });
    if serve.open {
        open_browser(&url);
    }
    let mut session = Session::default();
    session.keep_pages = true;
    let mut on_event = |event: Event| {
        publish(&live, &event);
        say(Said::Watch(event));
    };
    crate::watch::watch(
        session,
        path,
        opts,
        serve.poll,
        stop,
        &mut on_event,
        &mut |_| {},
    )
}

/// Answers each connection on a thread of its own, [`MAX_CONNECTIONS`] at once.
fn accept(listener: TcpListener, live: Arc<Live>, hosts: Arc<http::Hosts>) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming().flatten() {
        if open.load(Ordering::Relaxed) >= MAX_CONNECTIONS {
            continue; // dropped: closed
        }
        open.fetch_add(1, Ordering::Relaxed);
        let (live, hosts, open) = (live.clone(), hosts.clone(), open.clone());
        std::thread::spawn(move || {
            http::answer(stream, &live, &hosts);
            open.fetch_sub(1, Ordering::Relaxed);
        });
    }
}

/// A new snapshot for a build's outcome. A save that changed nothing changes nothing,
/// unless the build before failed: a fix that restores the last good text is a build
/// without a change, and it clears the error.
fn publish(live: &Live, event: &Event) {
    // The preview's own work counts in the build's time: the page is told when it is done.
    let t = std::time::Instant::now();
    let now = live.now();
    let next = match event {
        Event::Built {
            report,
            took,
            preview: Some(preview),
            ..
        } if !report.unchanged || now.preview.is_none() || !now.errors.is_empty() => {
            let epub = report
                .outputs
                .iter()
                .find(|p| p.extension().is_some_and(|e| e == "epub"))
                .and_then(|p| epub::EpubFiles::read(p).ok());
            let took = *took + t.elapsed();
            now.built(preview.clone(), epub, took.as_secs_f64() * 1000.0)
        }
        Event::Failed(diags) => now.failed(diags, 0.0),
        _ => return,
    };
    live.publish(next);
}

/// The listener on the asked port, or on the first free one from [`DEFAULT_PORT`] (and
/// which, when it is not the default).
fn bind(serve: &ServeOptions) -> Result<(TcpListener, Option<u16>), Vec<Diagnostic>> {
    if let Some(port) = serve.port {
        let l = TcpListener::bind((serve.host, port)).map_err(|e| {
            vec![
                Diagnostic::error(format!("cannot listen on port {port}: {e}"))
                    .hint("choose another with --port, or --port 0 for any free one"),
            ]
        })?;
        return Ok((l, None));
    }
    for port in DEFAULT_PORT..DEFAULT_PORT + PORTS_TRIED {
        match TcpListener::bind((serve.host, port)) {
            Ok(l) => return Ok((l, (port != DEFAULT_PORT).then_some(port))),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(cannot_listen(e)),
        }
    }
    Err(vec![
        Diagnostic::error(format!(
            "ports {DEFAULT_PORT}–{} are all taken",
            DEFAULT_PORT + PORTS_TRIED - 1
        ))
        .hint("choose one with --port, or --port 0 for any free one"),
    ])
}

fn cannot_listen(e: std::io::Error) -> Vec<Diagnostic> {
    vec![Diagnostic::error(format!("cannot listen: {e}"))]
}

/// The address as a URL's host and port (`127.0.0.1:7878`, `[::1]:7878`); an unspecified
/// address (`0.0.0.0`) is shown as the loopback one, which reaches it from this machine.
fn display_addr(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::from([127, 0, 0, 1]),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("{}:{}", display_host(ip), addr.port())
}

/// An address as a URL's host (IPv6 in brackets).
fn display_host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    }
}

/// Opens `url` in the default browser (`xdg-open`, `open`, `start`); a failure is only
/// said, the server runs on.
fn open_browser(url: &str) {
    let opener: &[&str] = if cfg!(target_os = "macos") {
        &["open"]
    } else if cfg!(windows) {
        &["cmd", "/C", "start", ""]
    } else {
        &["xdg-open"]
    };
    let spawned = std::process::Command::new(opener[0])
        .args(&opener[1..])
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("cannot open a browser ({e}); open {url} yourself");
    }
}
