//! Document metadata: [`DocInfo`] in → the Info dictionary, the XMP packet and PDF text
//! strings out. Dates come only from `DocInfo::date` (the project clock), never the wall clock.

use lopdf::{Dictionary, Object, StringFormat};

use super::PdfError;
use crate::typeset::frame::DocInfo;

/// A PDF text string: PDFDocEncoding-compatible ASCII stays literal, anything else becomes
/// UTF-16BE with a byte order mark (ISO 32000-1, 7.9.2.2).
pub(crate) fn text_string(s: &str) -> Object {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        // The UTF-16BE byte order mark.
        let mut bytes = vec![0xfe, 0xff];
        for unit in s.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// The parts of `YYYY-MM-DD[THH:MM:SS[Z]]`.
struct Date {
    ymd: [String; 3],
    hms: [String; 3],
}

fn parse_date(date: &str) -> Result<Date, PdfError> {
    let bad = || PdfError::BadDate(date.to_string());
    let digits = |s: &str, n: usize| -> Result<String, PdfError> {
        if s.len() == n && s.bytes().all(|b| b.is_ascii_digit()) {
            Ok(s.to_string())
        } else {
            Err(bad())
        }
    };
    let (day, time) = match date.split_once('T') {
        Some((d, t)) => (d, Some(t.strip_suffix('Z').unwrap_or(t))),
        None => (date, None),
    };
    let mut d = day.split('-');
    let ymd = [
        digits(d.next().ok_or_else(bad)?, 4)?,
        digits(d.next().ok_or_else(bad)?, 2)?,
        digits(d.next().ok_or_else(bad)?, 2)?,
    ];
    if d.next().is_some() {
        return Err(bad());
    }
    let hms = match time {
        Some(t) => {
            let mut t = t.split(':');
            let h = [
                digits(t.next().ok_or_else(bad)?, 2)?,
                digits(t.next().ok_or_else(bad)?, 2)?,
                digits(t.next().ok_or_else(bad)?, 2)?,
            ];
            if t.next().is_some() {
                return Err(bad());
            }
            h
        }
        None => ["00".into(), "00".into(), "00".into()],
    };
    Ok(Date { ymd, hms })
}

/// `D:YYYYMMDDHHmmSSZ` (ISO 32000-1, 7.9.4), in UTC.
fn pdf_date(d: &Date) -> String {
    format!(
        "D:{}{}{}{}{}{}Z",
        d.ymd[0], d.ymd[1], d.ymd[2], d.hms[0], d.hms[1], d.hms[2]
    )
}

/// `YYYY-MM-DDTHH:MM:SSZ` for XMP.
fn xmp_date(d: &Date) -> String {
    format!(
        "{}-{}-{}T{}:{}:{}Z",
        d.ymd[0], d.ymd[1], d.ymd[2], d.hms[0], d.hms[1], d.hms[2]
    )
}

fn subject(info: &DocInfo) -> Option<&str> {
    info.subject.as_deref().or(info.subtitle.as_deref())
}

/// The Info dictionary (no `GTS_PDFXVersion`, no conformance claims).
pub(crate) fn info_dict(info: &DocInfo) -> Result<Dictionary, PdfError> {
    let mut d = Dictionary::new();
    d.set("Title", text_string(&info.title));
    if !info.authors.is_empty() {
        d.set("Author", text_string(&info.authors.join(", ")));
    }
    if let Some(s) = subject(info) {
        d.set("Subject", text_string(s));
    }
    if !info.keywords.is_empty() {
        d.set("Keywords", text_string(&info.keywords.join(", ")));
    }
    if !info.producer.is_empty() {
        d.set("Creator", text_string(&info.producer));
        d.set("Producer", text_string(&info.producer));
    }
    if !info.date.is_empty() {
        let date = pdf_date(&parse_date(&info.date)?);
        d.set("CreationDate", Object::string_literal(date.clone()));
        d.set("ModDate", Object::string_literal(date));
    }
    d.set("Trapped", Object::Name(b"False".to_vec()));
    Ok(d)
}

/// XMP text and attribute values: the shared XML escaping (quotes too).
fn esc(s: &str) -> String {
    crate::escape::attr(s)
}

fn alt(tag: &str, value: &str) -> String {
    format!(
        "<{tag}><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></{tag}>\n",
        esc(value)
    )
}

fn list(tag: &str, kind: &str, values: &[String]) -> String {
    let items: String = values
        .iter()
        .map(|v| format!("<rdf:li>{}</rdf:li>", esc(v)))
        .collect();
    format!("<{tag}><rdf:{kind}>{items}</rdf:{kind}></{tag}>\n")
}

/// The XMP packet mirroring the Info dictionary (dc:, xmp:, pdf: schemas only).
pub(crate) fn xmp(info: &DocInfo) -> Result<String, PdfError> {
    let mut body = String::new();
    body.push_str("<dc:format>application/pdf</dc:format>\n");
    body.push_str(&alt("dc:title", &info.title));
    if !info.authors.is_empty() {
        body.push_str(&list("dc:creator", "Seq", &info.authors));
    }
    if let Some(s) = subject(info) {
        body.push_str(&alt("dc:description", s));
    }
    if !info.keywords.is_empty() {
        body.push_str(&list("dc:subject", "Bag", &info.keywords));
    }
    if !info.lang.is_empty() {
        body.push_str(&list(
            "dc:language",
            "Bag",
            std::slice::from_ref(&info.lang),
        ));
    }
    if !info.identifier.is_empty() {
        body.push_str(&format!(
            "<dc:identifier>{}</dc:identifier>\n",
            esc(&info.identifier)
        ));
    }
    if !info.date.is_empty() {
        let date = xmp_date(&parse_date(&info.date)?);
        for tag in ["xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"] {
            body.push_str(&format!("<{tag}>{date}</{tag}>\n"));
        }
    }
    if !info.producer.is_empty() {
        body.push_str(&format!(
            "<xmp:CreatorTool>{0}</xmp:CreatorTool>\n<pdf:Producer>{0}</pdf:Producer>\n",
            esc(&info.producer)
        ));
    }
    if !info.keywords.is_empty() {
        body.push_str(&format!(
            "<pdf:Keywords>{}</pdf:Keywords>\n",
            esc(&info.keywords.join(", "))
        ));
    }
    // PDF/UA-1's identification (ISO 14289-1, 5), claimed only when asked for: the build
    // refused what the standard forbids before this was written.
    if info.standard == Some(crate::settings::PdfStandard::Ua1) {
        body.push_str("<pdfuaid:part>1</pdfuaid:part>\n");
    }
    // The packet header's id is the fixed value the XMP specification prescribes.
    Ok(format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
         <rdf:Description rdf:about=\"\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
         xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" \
         xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\n\
         {body}</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert() {
        let d = parse_date("2025-03-04T05:06:07Z").unwrap();
        assert_eq!(pdf_date(&d), "D:20250304050607Z");
        assert_eq!(xmp_date(&d), "2025-03-04T05:06:07Z");
        assert!(parse_date("2025-3-4").is_err());
        assert!(parse_date("yesterday").is_err());
        assert_eq!(
            pdf_date(&parse_date("2025-03-04").unwrap()),
            "D:20250304000000Z"
        );
    }

    #[test]
    fn text_strings() {
        assert_eq!(
            text_string("A"),
            Object::String(b"A".to_vec(), StringFormat::Literal)
        );
        let Object::String(b, _) = text_string("’") else {
            panic!()
        };
        assert_eq!(b, vec![0xfe, 0xff, 0x20, 0x19]);
    }
}
