//! Raw HTML in Markdown, read as far as a book needs: tags, their attributes and the text
//! between them (entities decoded), for the converter to turn the common tags into the
//! book's own inlines and blocks (`<em>`, `<kbd>`, `<sup>`, `<br>`, `<a id>`, `<img>`, an
//! HTML `<table>`); any other HTML element is dropped with its text kept. Never a full HTML
//! parser: what is not a well-formed tag of an HTML element (`<Deluxe>` in a title) is text.

/// A piece of raw HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// `<name attr="value">` (`closed` for `<name/>` or a void element such as `<br>`).
    Open {
        name: String,
        attrs: Vec<(String, String)>,
        closed: bool,
    },
    /// `</name>`.
    Close { name: String },
    /// Text, entities decoded.
    Text(String),
}

/// The elements of HTML (a tag named otherwise is text, as written).
const ELEMENTS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "article",
    "aside",
    "audio",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "button",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "data",
    "dd",
    "del",
    "details",
    "dfn",
    "dialog",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "legend",
    "li",
    "link",
    "main",
    "mark",
    "meta",
    "nav",
    "ol",
    "p",
    "picture",
    "pre",
    "q",
    "s",
    "samp",
    "script",
    "section",
    "select",
    "small",
    "source",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "video",
    "wbr",
];

/// Elements that have no end tag.
const VOID: &[&str] = &[
    "br", "img", "hr", "wbr", "input", "meta", "link", "source", "col",
];

/// The tokens of `html`; comments, doctypes and processing instructions are left out.
pub fn tokens(html: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            push_text(&mut out, rest);
            break;
        };
        push_text(&mut out, &rest[..lt]);
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
            continue;
        }
        match tag(rest) {
            Some((token, len)) => {
                out.push(token);
                rest = &rest[len..];
            }
            None => {
                push_text(&mut out, "<");
                rest = &rest[1..];
            }
        }
    }
    out
}

/// Text between tags, its white space collapsed as HTML lays it out (a line end is a space).
fn push_text(out: &mut Vec<Token>, text: &str) {
    if text.is_empty() {
        return;
    }
    let mut collapsed = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                collapsed.push(' ');
                space = false;
            }
            collapsed.push(c);
        }
    }
    if space {
        collapsed.push(' ');
    }
    let text = decode_entities(&collapsed);
    match out.last_mut() {
        Some(Token::Text(t)) => t.push_str(&text),
        _ => out.push(Token::Text(text)),
    }
}

/// The tag at the start of `s` (which starts with `<`) and its length.
fn tag(s: &str) -> Option<(Token, usize)> {
    let end = s.find('>')?;
    let inner = &s[1..end];
    if let Some(name) = inner.strip_prefix('/') {
        let name = name.trim().to_ascii_lowercase();
        return valid_name(&name).then_some((Token::Close { name }, end + 1));
    }
    let self_closing = inner.trim_end().ends_with('/');
    let inner = inner.trim_end().trim_end_matches('/');
    let name_end = inner
        .find(|c: char| c.is_whitespace())
        .unwrap_or(inner.len());
    let name = inner[..name_end].to_ascii_lowercase();
    if !valid_name(&name) {
        return None;
    }
    let attrs = attributes(&inner[name_end..]);
    let closed = self_closing || VOID.contains(&name.as_str());
    Some((
        Token::Open {
            name,
            attrs,
            closed,
        },
        end + 1,
    ))
}

fn valid_name(name: &str) -> bool {
    ELEMENTS.contains(&name)
}

/// `name="value"`, `name='value'`, `name=value` and bare `name` attributes.
fn attributes(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let key = rest[..key_end].to_ascii_lowercase();
        rest = rest[key_end..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, left) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let close = body.find(q).unwrap_or(body.len());
                    (&body[..close], body.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let e = after
                        .find(|c: char| c.is_whitespace())
                        .unwrap_or(after.len());
                    (&after[..e], &after[e..])
                }
            };
            rest = left.trim_start();
            decode_entities(value)
        } else {
            String::new()
        };
        if !key.is_empty() {
            out.push((key, value));
        }
    }
    out
}

/// The attributes a kept phrase element ([`crate::model::PHRASE_ELEMENTS`]) is written with
/// in the EPUB: only those that cannot make it invalid or unsafe — `title`; `dir` and
/// `lang` when well-formed; `datetime` (time, ins, del) in a plain date or time form;
/// `value` (data). No event handlers, styles, ids or URLs. `None` when the element would
/// be invalid without what it lacks (`<time>`, `<data>`, `<bdo>` without their attribute):
/// its text is then kept without it.
pub fn safe_attrs(element: &str, attrs: &[(String, String)]) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (k, v) in attrs {
        let keep = match k.as_str() {
            "title" => true,
            "dir" => matches!(v.as_str(), "ltr" | "rtl" | "auto"),
            "lang" => crate::lang::check(v).is_ok(),
            "datetime" => matches!(element, "time" | "ins" | "del") && is_datetime(v),
            "value" => element == "data",
            _ => false,
        };
        if keep && !out.iter().any(|(o, _): &(String, String)| o == k) {
            out.push((k.clone(), v.clone()));
            if k == "lang" {
                out.push(("xml:lang".into(), v.clone()));
            }
        }
    }
    let needs = match element {
        "time" => Some("datetime"),
        "data" => Some("value"),
        "bdo" => Some("dir"),
        _ => None,
    };
    match needs {
        Some(n) if !out.iter().any(|(k, _)| k == n) => None,
        _ => Some(out),
    }
}

/// A date (`2026`, `2026-12`, `2026-12-04`), a time (`19:30`, `19:30:05`) or both joined
/// by `T` or a space, with an optional `Z` or `±hh:mm`: HTML's common forms.
fn is_datetime(v: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let date = |s: &str| {
        let p: Vec<&str> = s.split('-').collect();
        match p.as_slice() {
            [y] => digits(y, 4),
            [y, m] => digits(y, 4) && digits(m, 2),
            [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
            _ => false,
        }
    };
    let time = |s: &str| {
        let s = s.strip_suffix('Z').unwrap_or(s);
        let s = match s.rfind(['+', '-']) {
            Some(i) if i > 0 => {
                let (t, zone) = s.split_at(i);
                let z: Vec<&str> = zone[1..].split(':').collect();
                if !matches!(z.as_slice(), [h, m] if digits(h, 2) && digits(m, 2)) {
                    return false;
                }
                t
            }
            _ => s,
        };
        let p: Vec<&str> = s.split(':').collect();
        match p.as_slice() {
            [h, m] => digits(h, 2) && digits(m, 2),
            [h, m, sec] => digits(h, 2) && digits(m, 2) && digits(sec, 2),
            _ => false,
        }
    };
    match v.split_once(['T', ' ']) {
        Some((d, t)) => date(d) && d.len() == 10 && time(t),
        None => date(v) || (v.contains(':') && time(v)),
    }
}

/// The value of attribute `name` of a tag.
pub fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `&amp;` `&lt;` `&gt;` `&quot;` `&apos;` `&nbsp;` and numeric references decoded; any other
/// `&` kept as written.
pub fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest.find(';').filter(|&i| i <= MAX_ENTITY);
        let decoded = semi.and_then(|i| entity(&rest[1..i]));
        match (semi, decoded) {
            (Some(i), Some(c)) => {
                out.push(c);
                rest = &rest[i + 1..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The longest entity looked for (`&#x10FFFF;`).
const MAX_ENTITY: usize = 10;

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "copy" => '©',
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            char::from_u32(code)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_elements_keep_only_safe_attributes() {
        let a = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        assert_eq!(
            safe_attrs(
                "abbr",
                &a(&[("title", "HyperText"), ("onclick", "x()"), ("style", "c")])
            ),
            Some(a(&[("title", "HyperText")]))
        );
        assert_eq!(safe_attrs("time", &a(&[("datetime", "next week")])), None);
        assert_eq!(
            safe_attrs("time", &a(&[("datetime", "2026-12-04T19:30+01:00")])),
            Some(a(&[("datetime", "2026-12-04T19:30+01:00")]))
        );
        assert_eq!(safe_attrs("bdo", &a(&[])), None);
        assert_eq!(
            safe_attrs("mark", &a(&[("lang", "es"), ("id", "x")])),
            Some(a(&[("lang", "es"), ("xml:lang", "es")]))
        );
        assert!(is_datetime("19:30") && is_datetime("2026") && !is_datetime("2026-1-4"));
    }

    #[test]
    fn tags_attributes_text_and_entities() {
        let t = tokens(
            "<kbd>Ctrl</kbd>&amp;<img src=\"a b.png\" alt='A &lt;road&gt;' width=300><!-- x --><br/>x < y",
        );
        assert_eq!(
            t,
            [
                Token::Open {
                    name: "kbd".into(),
                    attrs: vec![],
                    closed: false
                },
                Token::Text("Ctrl".into()),
                Token::Close { name: "kbd".into() },
                Token::Text("&".into()),
                Token::Open {
                    name: "img".into(),
                    attrs: vec![
                        ("src".into(), "a b.png".into()),
                        ("alt".into(), "A <road>".into()),
                        ("width".into(), "300".into())
                    ],
                    closed: true
                },
                Token::Open {
                    name: "br".into(),
                    attrs: vec![],
                    closed: true
                },
                Token::Text("x < y".into()),
            ]
        );
    }
}
