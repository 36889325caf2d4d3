//! Book identifiers: ISBN-13 (checksum verified), UUID, or a stable UUID derived from metadata.

/// A checked identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identifier {
    /// Thirteen digits, no hyphens.
    Isbn(String),
    /// Lower-case hyphenated UUID.
    Uuid(String),
}

/// folio's UUID namespace for derived identifiers (a fixed v4 UUID chosen once; changing it
/// would change every derived identifier).
const FOLIO_NAMESPACE: uuid::Uuid = uuid::uuid!("4f6e1c1e-9d3a-4b0e-8a59-2c1f0e7d5a3b");

impl Identifier {
    /// Parses `978-…` / `urn:isbn:…` (ISBN-13) or a UUID (`urn:uuid:` optional).
    pub fn parse(s: &str) -> Result<Identifier, (String, String)> {
        let s = s.trim();
        let lower = s.to_ascii_lowercase();
        if let Some(rest) = lower
            .strip_prefix("urn:uuid:")
            .or_else(|| uuid::Uuid::try_parse(&lower).ok().map(|_| lower.as_str()))
        {
            return uuid::Uuid::try_parse(rest)
                .map(|u| Identifier::Uuid(u.hyphenated().to_string()))
                .map_err(|_| {
                    (
                        format!("invalid UUID `{s}`"),
                        "a UUID looks like 123e4567-e89b-12d3-a456-426614174000".into(),
                    )
                });
        }
        let body = lower
            .strip_prefix("urn:isbn:")
            .or_else(|| lower.strip_prefix("isbn"))
            .unwrap_or(&lower);
        let digits: String = body
            .chars()
            .filter(|c| !matches!(c, '-' | ' ' | ':'))
            .collect();
        if digits.len() == 10 && digits[..9].bytes().all(|b| b.is_ascii_digit()) {
            return Err((
                format!("`{s}` is an ISBN-10"),
                "distributors expect ISBN-13: prefix 978 and recompute the check digit".into(),
            ));
        }
        if digits.len() != 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err((
                format!("`{s}` is neither an ISBN-13 nor a UUID"),
                "write an ISBN-13 (978-…) or a UUID, or leave `identifier` out to get a stable one derived from the metadata".into(),
            ));
        }
        if !(digits.starts_with("978") || digits.starts_with("979")) {
            return Err((
                format!("ISBN-13 `{s}` must start with 978 or 979"),
                "check the number on the ISBN agency's record".into(),
            ));
        }
        let check = isbn13_check_digit(&digits[..12]);
        let given = digits.as_bytes()[12] - b'0';
        if check != given {
            return Err((
                format!("ISBN-13 `{s}` has a wrong check digit: {given}, expected {check}"),
                "a digit is probably mistyped; compare with the ISBN agency's record".into(),
            ));
        }
        Ok(Identifier::Isbn(digits))
    }

    /// A stable identifier derived from the book's describing metadata (never random): the
    /// same title, creators, publisher and edition always give the same UUID.
    pub fn derived(parts: &[&str]) -> Identifier {
        let name = parts.join("\u{1f}");
        Identifier::Uuid(
            uuid::Uuid::new_v5(&FOLIO_NAMESPACE, name.as_bytes())
                .hyphenated()
                .to_string(),
        )
    }

    /// As a URN: `urn:isbn:…` or `urn:uuid:…`.
    pub fn urn(&self) -> String {
        match self {
            Identifier::Isbn(d) => format!("urn:isbn:{d}"),
            Identifier::Uuid(u) => format!("urn:uuid:{u}"),
        }
    }

    /// As people read it: `ISBN 978-1-912840-17-5`, hyphenated by the ISBN agency's range
    /// rules (only after the prefix for a range not in folio's table), or the UUID.
    pub fn display(&self) -> String {
        match self {
            Identifier::Isbn(d) => match crate::isbn::hyphenate(d) {
                Some(h) => format!("ISBN {h}"),
                None => format!("ISBN {}-{}", &d[..3], &d[3..]),
            },
            Identifier::Uuid(u) => u.clone(),
        }
    }
}

/// The ISBN-13 check digit of the first twelve digits (weights 1, 3, 1, 3, …).
fn isbn13_check_digit(first12: &str) -> u8 {
    let sum: u32 = first12
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbn_checksum() {
        assert_eq!(
            Identifier::parse("978-0-306-40615-7"),
            Ok(Identifier::Isbn("9780306406157".into()))
        );
        assert_eq!(
            Identifier::parse("urn:isbn:9780306406157").map(|i| i.urn()),
            Ok("urn:isbn:9780306406157".into())
        );
        assert!(
            Identifier::parse("978-0-306-40615-8")
                .unwrap_err()
                .0
                .contains("check digit")
        );
        assert!(
            Identifier::parse("0-306-40615-2")
                .unwrap_err()
                .0
                .contains("ISBN-10")
        );
    }

    #[test]
    fn uuid_and_derived() {
        let u = Identifier::parse("urn:uuid:123E4567-E89B-12D3-A456-426614174000").unwrap();
        assert_eq!(u.urn(), "urn:uuid:123e4567-e89b-12d3-a456-426614174000");
        assert_eq!(
            Identifier::derived(&["a", "b"]),
            Identifier::derived(&["a", "b"])
        );
        assert_ne!(
            Identifier::derived(&["a", "b"]),
            Identifier::derived(&["ab"])
        );
    }
}
