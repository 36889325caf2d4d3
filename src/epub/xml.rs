//! A small XML tree (text in → [`Document`] → text out) for editing the package documents
//! epub-builder writes, plus the escaping every writer in `epub/` uses.
//!
//! Why our own: `roxmltree` is read-only and only a dev-dependency, and the documents we edit
//! (content.opf, nav.xhtml, toc.ncx) are small and come from known templates. The reader
//! keeps the prolog (XML declaration, doctype) verbatim, decodes entities in text and
//! attribute values, and the writer re-escapes them, so user text can never become markup.

pub use crate::escape::{attr as esc_attr, text as esc};

/// A node of the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Element(Element),
    /// Decoded text.
    Text(String),
    /// A comment's inner text, kept as written.
    Comment(String),
}

/// An element: its qualified name as written (`dc:title`), attributes in order, children.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// A parsed document: the prolog as written and the root element.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub prolog: String,
    pub root: Element,
}

impl Element {
    pub fn new(name: &str) -> Element {
        Element {
            name: name.to_string(),
            ..Element::default()
        }
    }

    /// Builder: adds an attribute.
    pub fn with_attr(mut self, name: &str, value: &str) -> Element {
        self.set_attr(name, value);
        self
    }

    /// Builder: adds a text child.
    pub fn with_text(mut self, text: &str) -> Element {
        self.children.push(Node::Text(text.to_string()));
        self
    }

    /// Builder: adds an element child.
    pub fn with_child(mut self, child: Element) -> Element {
        self.children.push(Node::Element(child));
        self
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets (or replaces) an attribute, keeping its position if it existed.
    pub fn set_attr(&mut self, name: &str, value: &str) {
        match self.attrs.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value.to_string(),
            None => self.attrs.push((name.to_string(), value.to_string())),
        }
    }

    /// The child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    pub fn elements_mut(&mut self) -> impl Iterator<Item = &mut Element> {
        self.children.iter_mut().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }

    /// The first child element with this name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    pub fn child_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.elements_mut().find(|e| e.name == name)
    }

    /// The first descendant (depth-first, self excluded) matching `pred`.
    pub fn find_mut(&mut self, pred: &dyn Fn(&Element) -> bool) -> Option<&mut Element> {
        for child in self.elements_mut() {
            if pred(child) {
                return Some(child);
            }
            if let Some(found) = child.find_mut(pred) {
                return Some(found);
            }
        }
        None
    }

    /// The concatenated text of the element and its descendants.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for n in &self.children {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) => out.push_str(&e.text()),
                Node::Comment(_) => {}
            }
        }
        out
    }

    /// Replaces the children with one text node.
    pub fn set_text(&mut self, text: &str) {
        self.children = vec![Node::Text(text.to_string())];
    }

    /// Removes child elements for which `keep` is false (and the whitespace before them).
    pub fn retain_elements(&mut self, keep: impl Fn(&Element) -> bool) {
        let mut out: Vec<Node> = Vec::with_capacity(self.children.len());
        for n in std::mem::take(&mut self.children) {
            if let Node::Element(e) = &n
                && !keep(e)
            {
                if matches!(out.last(), Some(Node::Text(t)) if t.trim().is_empty()) {
                    out.pop();
                }
                continue;
            }
            out.push(n);
        }
        self.children = out;
    }

    /// Appends a child element on its own line, indented like its siblings, before the
    /// closing tag's line break.
    pub fn append_indented(&mut self, child: Element, indent: &str) {
        let closing = match self.children.last() {
            Some(Node::Text(t)) if t.trim().is_empty() => self.children.pop(),
            _ => None,
        };
        self.children.push(Node::Text(format!("\n{indent}")));
        self.children.push(Node::Element(child));
        self.children
            .push(closing.unwrap_or_else(|| Node::Text("\n".into())));
    }

    fn write(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        for (n, v) in &self.attrs {
            out.push(' ');
            out.push_str(n);
            out.push_str("=\"");
            out.push_str(&esc_attr(v));
            out.push('"');
        }
        if self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for n in &self.children {
            match n {
                Node::Element(e) => e.write(out),
                Node::Text(t) => out.push_str(&esc(t)),
                Node::Comment(c) => {
                    out.push_str("<!--");
                    out.push_str(c);
                    out.push_str("-->");
                }
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

impl Document {
    /// Parses a whole document. Errors are short messages with a byte offset.
    pub fn parse(text: &str) -> Result<Document, String> {
        let mut p = Parser { s: text, i: 0 };
        let prolog_start = p.i;
        loop {
            p.skip_ws();
            if p.starts("<?") {
                p.until("?>")?;
            } else if p.starts("<!--") {
                p.until("-->")?;
            } else if p.starts("<!") {
                p.until(">")?;
            } else {
                break;
            }
        }
        let prolog = text[prolog_start..p.i].trim_end().to_string();
        if !p.starts("<") {
            return Err(p.err("expected the root element"));
        }
        let root = p.element()?;
        Ok(Document { prolog, root })
    }

    /// Serializes the document (prolog, newline, root, final newline).
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        if !self.prolog.is_empty() {
            out.push_str(&self.prolog);
            out.push('\n');
        }
        self.root.write(&mut out);
        out.push('\n');
        out
    }
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &str) -> String {
        format!("{what} at byte {}", self.i)
    }

    fn rest(&self) -> &str {
        &self.s[self.i..]
    }

    fn starts(&self, p: &str) -> bool {
        self.rest().starts_with(p)
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.i = self.s.len() - trimmed.len();
    }

    /// Advances past the next `end`, returning the text before it.
    fn until(&mut self, end: &str) -> Result<&str, String> {
        let start = self.i;
        match self.rest().find(end) {
            Some(k) => {
                self.i += k + end.len();
                Ok(&self.s[start..start + k])
            }
            None => Err(self.err(&format!("missing `{end}`"))),
        }
    }

    fn name(&mut self) -> Result<String, String> {
        let len = self
            .rest()
            .find(|c: char| c.is_whitespace() || matches!(c, '=' | '>' | '/'))
            .unwrap_or(self.rest().len());
        if len == 0 {
            return Err(self.err("expected a name"));
        }
        let n = self.rest()[..len].to_string();
        self.i += len;
        Ok(n)
    }

    fn element(&mut self) -> Result<Element, String> {
        self.i += 1; // '<'
        let mut el = Element::new(&self.name()?);
        loop {
            self.skip_ws();
            if self.starts("/>") {
                self.i += 2;
                return Ok(el);
            }
            if self.starts(">") {
                self.i += 1;
                break;
            }
            let name = self.name()?;
            self.skip_ws();
            if !self.starts("=") {
                return Err(self.err("expected `=` after an attribute name"));
            }
            self.i += 1;
            self.skip_ws();
            let quote = match self.rest().chars().next() {
                Some(q @ ('"' | '\'')) => q,
                _ => return Err(self.err("expected a quoted attribute value")),
            };
            self.i += 1;
            let raw = self.until(&quote.to_string())?;
            el.attrs.push((name, decode(raw)));
        }
        loop {
            if self.starts("</") {
                self.i += 2;
                let name = self.name()?;
                if name != el.name {
                    return Err(self.err(&format!("`</{name}>` closes `<{}>`", el.name)));
                }
                self.skip_ws();
                if !self.starts(">") {
                    return Err(self.err("expected `>`"));
                }
                self.i += 1;
                return Ok(el);
            } else if self.starts("<!--") {
                self.i += 4;
                let c = self.until("-->")?.to_string();
                el.children.push(Node::Comment(c));
            } else if self.starts("<![CDATA[") {
                self.i += 9;
                let t = self.until("]]>")?.to_string();
                el.children.push(Node::Text(t));
            } else if self.starts("<?") {
                self.until("?>")?;
            } else if self.starts("<") {
                let child = self.element()?;
                el.children.push(Node::Element(child));
            } else if self.rest().is_empty() {
                return Err(self.err(&format!("`<{}>` is never closed", el.name)));
            } else {
                let len = self.rest().find('<').unwrap_or(self.rest().len());
                let t = decode(&self.rest()[..len]);
                self.i += len;
                el.children.push(Node::Text(t));
            }
        }
    }
}

/// Decodes the five predefined entities and character references.
fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(k) = rest.find('&') {
        out.push_str(&rest[..k]);
        rest = &rest[k..];
        let Some(end) = rest.find(';') else { break };
        let ent = &rest[1..end];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => ent
                .strip_prefix("#x")
                .or_else(|| ent.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| ent.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_structure_and_escapes() {
        let src = "<?xml version=\"1.0\"?>\n<!DOCTYPE html>\n<a x = \"1 &amp; 2\"><b>t &lt; u</b><!-- c --><c/></a>";
        let mut d = Document::parse(src).unwrap();
        assert_eq!(d.prolog, "<?xml version=\"1.0\"?>\n<!DOCTYPE html>");
        assert_eq!(d.root.attr("x"), Some("1 & 2"));
        assert_eq!(d.root.child("b").unwrap().text(), "t < u");
        d.root.set_attr("y", "\"<&>\"");
        assert_eq!(
            d.to_xml(),
            "<?xml version=\"1.0\"?>\n<!DOCTYPE html>\n<a x=\"1 &amp; 2\" y=\"&quot;&lt;&amp;&gt;&quot;\"><b>t &lt; u</b><!-- c --><c/></a>\n"
        );
    }

    #[test]
    fn rejects_mismatched_tags() {
        assert!(Document::parse("<a><b></a>").is_err());
        assert!(Document::parse("<a>").is_err());
    }
}
