//! XML escaping, shared by the EPUB writer and the PDF's XMP packet: text in, text that
//! can never become markup out.

/// Escapes text content (`&`, `<`, `>`); drops the C0 controls XML 1.0 forbids (all but
/// tab, newline and carriage return), which no escape can make legal.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Escapes an attribute value (text escaping plus `"`).
pub fn attr(s: &str) -> String {
    text(s).replace('"', "&quot;")
}

/// An id that is a valid XML name (what epubcheck requires of `id`): letters, digits, `-`,
/// `_`, `.`, starting with a letter or `_`.
pub fn xml_id(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert_str(0, "h_");
    }
    out
}

/// `%20` and the other percent-escapes a link may hold, decoded (invalid ones kept as
/// written).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// `path` with `.` dropped and `..` taken back, as a `/`-separated path inside its folder;
/// `None` when it climbs out. (How a link or an image written relative to a file in a
/// subfolder is named from the book folder.)
pub fn inside(path: &std::path::Path) -> Option<String> {
    use std::path::Component;
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::Normal(n) => parts.push(n.to_string_lossy().into_owned()),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

/// `url` as a valid URI (RFC 3986): every byte a URI may not hold as written (a space,
/// `"` `<` `>` `\` `^` `` ` `` `{` `|` `}` `[` `]`, control and non-ASCII bytes, a `%` not
/// starting an escape) percent-encoded; everything else, escapes included, as written. For
/// every address folio writes into an EPUB's `href` or a PDF's URI action.
pub fn url_encode(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out = String::with_capacity(url.len());
    // An IP literal's brackets in the authority (`http://[::1]:80/`) are syntax.
    let authority = url.find("://").map(|i| {
        let start = i + 3;
        start
            ..url[start..]
                .find(['/', '?', '#'])
                .map_or(url.len(), |e| start + e)
    });
    for (i, &b) in bytes.iter().enumerate() {
        let escape_start = b == b'%'
            && bytes
                .get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit));
        let literal =
            matches!(b, b'[' | b']') && authority.as_ref().is_some_and(|a| a.contains(&i));
        let keep = escape_start
            || literal
            || (b.is_ascii_graphic()
                && !matches!(
                    b,
                    b'"' | b'<'
                        | b'>'
                        | b'\\'
                        | b'^'
                        | b'`'
                        | b'{'
                        | b'|'
                        | b'}'
                        | b'['
                        | b']'
                        | b'%'
                ));
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_controls() {
        assert_eq!(super::text("a<b>&c\u{1}"), "a&lt;b&gt;&amp;c");
        assert_eq!(super::attr("\"x\""), "&quot;x&quot;");
    }
}
