//! HTTP/1.1 on the wire, as little of it as a local preview needs: one request per
//! connection (every response says `Connection: close`), a request head of at most
//! [`MAX_HEAD`] bytes read within [`READ_TIMEOUT`], no request bodies, responses with their
//! length. A browser opens a new connection per request, which on the loopback costs
//! microseconds; no keep-alive state can then lose a response (tiny_http, tried first,
//! lost one or two page images in three runs of four under load: see BENCH.md).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The largest request head read: a browser's is under 2 KB.
const MAX_HEAD: usize = 16 * 1024;
/// How long a connection may take to send its request head (a browser's preconnected
/// socket that never sends one is closed then).
pub const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// A request's line and the one header the server reads.
pub struct Request {
    pub method: String,
    /// The request target as sent (path and query, still percent-encoded).
    pub target: String,
    pub host: Option<String>,
}

/// Reads one request head from `stream`; `None` for a connection that closed, timed out
/// or sent something that is not an HTTP/1.x request head.
pub fn read_request(stream: &mut TcpStream) -> Option<Request> {
    stream.set_read_timeout(Some(READ_TIMEOUT)).ok()?;
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 || head.len() + n > MAX_HEAD {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = std::str::from_utf8(&head).ok()?;
    let mut lines = text.split("\r\n");
    let mut parts = lines.next()?.split(' ');
    let (method, target, version) = (parts.next()?, parts.next()?, parts.next()?);
    if !version.starts_with("HTTP/1.") {
        return None;
    }
    let host = lines.find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("host")
            .then(|| value.trim().to_string())
    });
    Some(Request {
        method: method.to_string(),
        target: target.to_string(),
        host,
    })
}

/// A whole response: status, headers, body.
pub struct Response {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, media_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", media_type.to_string())],
            body,
        }
    }

    pub fn with(mut self, name: &'static str, value: &str) -> Response {
        self.headers.push((name, value.to_string()));
        self
    }

    /// Writes the response (without its body for a `HEAD`), then closes the connection.
    pub fn send(&self, mut stream: TcpStream, head_only: bool) -> io::Result<()> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (name, value) in &self.headers {
            out += &format!("{name}: {value}\r\n");
        }
        out += &format!(
            "Content-Length: {}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n",
            self.body.len()
        );
        let mut bytes = out.into_bytes();
        if !head_only {
            bytes.extend_from_slice(&self.body);
        }
        stream.write_all(&bytes)?;
        stream.flush()?;
        stream.shutdown(std::net::Shutdown::Write)
    }
}

/// The head of a stream of server-sent events (its length is the connection's).
pub const EVENT_STREAM_HEAD: &str = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\
     Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n";

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "",
    }
}
