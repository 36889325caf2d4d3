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

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_drops_controls() {
        assert_eq!(super::text("a<b>&c\u{1}"), "a&lt;b&gt;&amp;c");
        assert_eq!(super::attr("\"x\""), "&quot;x&quot;");
    }
}
