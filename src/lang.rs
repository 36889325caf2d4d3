//! BCP 47 language tags: a well-formedness check (RFC 5646 §2.1 syntax) and canonical case;
//! [`registry`] checks the subtags against the IANA registry and names languages.

pub mod registry;

/// Checks `tag` and returns it in canonical case (`en-US`, `zh-Hant-TW`, `es-419`).
pub fn check(tag: &str) -> Result<String, String> {
    let tag = tag.trim();
    if tag.is_empty() {
        return Err("it is empty".into());
    }
    if tag.contains('_') {
        return Err(format!(
            "subtags are separated by `-`, not `_` (write `{}`)",
            tag.replace('_', "-")
        ));
    }
    let subtags: Vec<&str> = tag.split('-').collect();
    let alpha = |s: &str| s.bytes().all(|b| b.is_ascii_alphabetic());
    let digit = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let alnum = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric());
    let lang = subtags[0];
    // Primary language: 2–3 letters (ISO 639). RFC 5646 reserves 4–8 letters for registered
    // languages, but none is registered, so such a tag is a typo (`english`). `x` starts a
    // private-use tag.
    if lang.eq_ignore_ascii_case("x") {
        return Ok(tag.to_ascii_lowercase());
    }
    if !(alpha(lang) && (2..=3).contains(&lang.len())) {
        return Err(format!(
            "`{lang}` is not a language subtag (2 or 3 letters, like `en` or `es`)"
        ));
    }
    let mut out = vec![lang.to_ascii_lowercase()];
    let mut stage = 0; // 0: extlang/script/region/variant allowed … in RFC 5646 order
    let mut i = 1;
    while i < subtags.len() {
        let s = subtags[i];
        if s.is_empty() || s.len() > 8 || !alnum(s) {
            return Err(format!("`{s}` is not a valid subtag"));
        }
        if s.len() == 1 {
            // An extension (`u-…`) or private use (`x-…`): the rest is its own business.
            let rest = &subtags[i + 1..];
            if rest.is_empty()
                || rest
                    .iter()
                    .any(|r| r.is_empty() || r.len() > 8 || !alnum(r))
            {
                return Err(format!("the `{s}-` extension needs subtags after it"));
            }
            out.extend(subtags[i..].iter().map(|r| r.to_ascii_lowercase()));
            break;
        }
        if stage == 0 && s.len() == 3 && alpha(s) {
            out.push(s.to_ascii_lowercase()); // extlang
            stage = 1;
        } else if stage <= 1 && s.len() == 4 && alpha(s) {
            out.push(format!(
                "{}{}",
                &s[..1].to_ascii_uppercase(),
                &s[1..].to_ascii_lowercase()
            )); // script
            stage = 2;
        } else if stage <= 2 && ((s.len() == 2 && alpha(s)) || (s.len() == 3 && digit(s))) {
            out.push(s.to_ascii_uppercase()); // region
            stage = 3;
        } else if (5..=8).contains(&s.len()) || (s.len() == 4 && s.as_bytes()[0].is_ascii_digit()) {
            out.push(s.to_ascii_lowercase()); // variant
            stage = 4;
        } else {
            return Err(format!(
                "`{s}` is not a script, region or variant subtag here"
            ));
        }
        i += 1;
    }
    Ok(out.join("-"))
}

/// The primary language subtag (`es` of `es-MX`).
pub fn primary(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn well_formed_tags() {
        assert_eq!(check("en-us").as_deref(), Ok("en-US"));
        assert_eq!(check("es-419").as_deref(), Ok("es-419"));
        assert_eq!(check("zh-hant-tw").as_deref(), Ok("zh-Hant-TW"));
        assert_eq!(check("qu").as_deref(), Ok("qu"));
        assert_eq!(check("de-CH-1996").as_deref(), Ok("de-CH-1996"));
    }

    #[test]
    fn malformed_tags() {
        assert!(check("en_US").unwrap_err().contains("en-US"));
        assert!(check("e").is_err());
        assert!(check("en-").is_err());
        assert!(check("123").is_err());
        assert!(check("en-US-x").is_err());
        assert!(check("en-toolongsubtag").is_err());
    }
}
