//! Front matter: finds the YAML (`---`) or TOML (`+++`) block at the top of a Markdown file.

use crate::meta::Syntax;

/// Where the front matter sits in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatter {
    pub syntax: Syntax,
    /// Byte range of the metadata text (between the delimiter lines).
    pub start: usize,
    pub end: usize,
    /// Byte offset where the Markdown body begins (after the closing delimiter line).
    pub body: usize,
}

/// Why the front matter could not be split; the offset points at the culprit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitError {
    pub offset: usize,
    pub message: String,
    pub hint: String,
}

/// Splits off the front matter, if the file starts with one.
pub fn split(text: &str) -> Result<Option<FrontMatter>, SplitError> {
    let first = text.split_inclusive('\n').next().unwrap_or("");
    let syntax = match first.trim_end() {
        "---" => Syntax::Yaml,
        "+++" => Syntax::Toml,
        other if other.starts_with("---") || other.starts_with("+++") => {
            return Err(SplitError {
                offset: 0,
                message: format!("malformed front matter delimiter `{}`", other.trim()),
                hint:
                    "the front matter opens with a line holding only `---` (YAML) or `+++` (TOML)"
                        .into(),
            });
        }
        _ => return Ok(None),
    };
    let closers: &[&str] = match syntax {
        Syntax::Yaml => &["---", "..."],
        Syntax::Toml => &["+++"],
    };
    let start = first.len();
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        if closers.contains(&line.trim_end()) {
            return Ok(Some(FrontMatter {
                syntax,
                start,
                end: offset,
                body: offset + line.len(),
            }));
        }
        offset += line.len();
    }
    Err(SplitError {
        offset: 0,
        message: "the front matter is never closed".into(),
        hint: format!("end it with a line holding only `{}`", closers[0]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_and_toml() {
        let t = "---\ntitle: X\n---\nBody\n";
        let fm = split(t).unwrap().unwrap();
        assert_eq!(&t[fm.start..fm.end], "title: X\n");
        assert_eq!(&t[fm.body..], "Body\n");
        let t = "+++\ntitle = \"X\"\n+++\n";
        assert_eq!(split(t).unwrap().unwrap().syntax, Syntax::Toml);
        assert_eq!(split("Body\n---\n").unwrap(), None);
    }

    #[test]
    fn unclosed_and_malformed() {
        assert!(
            split("---\ntitle: X\n")
                .unwrap_err()
                .message
                .contains("never closed")
        );
        assert!(
            split("----\ntitle: X\n----\n")
                .unwrap_err()
                .message
                .contains("malformed")
        );
    }
}
