//! Images: [`crate::image::Image`] → an image XObject (through printpdf's external-XObject
//! seam, so printpdf never re-encodes it); content streams place it (`super::content`).
//!
//! JPEG data is embedded unchanged with `DCTDecode`; decoded PNG samples are deflated at a
//! fixed level (deterministic) with their alpha channel as a soft mask. An SVG drawing is
//! converted by svg2pdf into a one-page PDF whose page becomes a form XObject (its content
//! and resources copied, scaled to the unit square an image is drawn in): vectors stay
//! vectors.

use std::collections::BTreeMap;
use std::io::Write;

use printpdf::{DictItem, ExternalStream, ExternalXObject, XObject, XObjectId};

use crate::image::{Image, Pixels};

/// The resource name of image `i` (fixed, so builds are byte-identical).
pub(super) fn id(i: usize) -> XObjectId {
    XObjectId(format!("Im{i}"))
}

/// The XObject for an image.
pub(super) fn xobject(img: &Image) -> XObject {
    let mut dict: BTreeMap<String, DictItem> = BTreeMap::new();
    dict.insert("Type".into(), DictItem::Name(b"XObject".to_vec()));
    dict.insert("Subtype".into(), DictItem::Name(b"Image".to_vec()));
    dict.insert("Width".into(), DictItem::Int(i64::from(img.width)));
    dict.insert("Height".into(), DictItem::Int(i64::from(img.height)));
    dict.insert("BitsPerComponent".into(), DictItem::Int(8));
    if let Pixels::Svg { svg, .. } = &img.pixels {
        return svg_form(svg);
    }
    let content = match &img.pixels {
        Pixels::Jpeg { data, components } => {
            dict.insert(
                "ColorSpace".into(),
                DictItem::Name(colour_space(*components).to_vec()),
            );
            dict.insert("Filter".into(), DictItem::Name(b"DCTDecode".to_vec()));
            if *components == 4 {
                // Adobe writes CMYK JPEGs inverted; this Decode array is what readers expect.
                let inv = [1, 0, 1, 0, 1, 0, 1, 0]
                    .iter()
                    .map(|&v| DictItem::Int(v))
                    .collect();
                dict.insert("Decode".into(), DictItem::Array(inv));
            }
            data.clone()
        }
        Pixels::Raw {
            channels,
            samples,
            alpha,
        } => {
            dict.insert(
                "ColorSpace".into(),
                DictItem::Name(colour_space(*channels).to_vec()),
            );
            dict.insert("Filter".into(), DictItem::Name(b"FlateDecode".to_vec()));
            if let Some(alpha) = alpha {
                let mut mask: BTreeMap<String, DictItem> = BTreeMap::new();
                mask.insert("Type".into(), DictItem::Name(b"XObject".to_vec()));
                mask.insert("Subtype".into(), DictItem::Name(b"Image".to_vec()));
                mask.insert("Width".into(), DictItem::Int(i64::from(img.width)));
                mask.insert("Height".into(), DictItem::Int(i64::from(img.height)));
                mask.insert("BitsPerComponent".into(), DictItem::Int(8));
                mask.insert("ColorSpace".into(), DictItem::Name(b"DeviceGray".to_vec()));
                mask.insert("Filter".into(), DictItem::Name(b"FlateDecode".to_vec()));
                let stream = ExternalStream {
                    dict: mask,
                    content: deflate(alpha),
                    compress: false,
                };
                dict.insert("SMask".into(), DictItem::Stream { stream });
            }
            deflate(samples)
        }
        Pixels::Svg { .. } => Vec::new(),
    };
    XObject::External(ExternalXObject {
        stream: ExternalStream {
            dict,
            content,
            compress: false,
        },
        width: None,
        height: None,
        dpi: None,
    })
}

/// An SVG drawing (text already outlines) as a form XObject over the unit square; an empty
/// one if svg2pdf cannot convert it (the decoder has parsed it already, so this is not met
/// in practice).
fn svg_form(svg: &str) -> XObject {
    let form = svg_pdf(svg).unwrap_or_else(|| {
        let mut dict = BTreeMap::new();
        dict.insert("Type".into(), DictItem::Name(b"XObject".to_vec()));
        dict.insert("Subtype".into(), DictItem::Name(b"Form".to_vec()));
        dict.insert("BBox".into(), numbers(&[0.0, 0.0, 1.0, 1.0]));
        (dict, Vec::new())
    });
    XObject::External(ExternalXObject {
        stream: ExternalStream {
            dict: form.0,
            content: form.1,
            compress: false,
        },
        width: None,
        height: None,
        dpi: None,
    })
}

/// The form's dictionary and (deflated) content from svg2pdf's page.
fn svg_pdf(svg: &str) -> Option<(BTreeMap<String, DictItem>, Vec<u8>)> {
    let tree = usvg::Tree::from_str(svg, &usvg::Options::default()).ok()?;
    let pdf = svg2pdf::to_pdf(
        &tree,
        svg2pdf::ConversionOptions::default(),
        svg2pdf::PageOptions::default(),
    )
    .ok()?;
    let doc = lopdf::Document::load_mem(&pdf).ok()?;
    let page = *doc.get_pages().values().next()?;
    let dict = doc.get_dictionary(page).ok()?;
    let media: Vec<f32> = dict
        .get(b"MediaBox")
        .ok()?
        .as_array()
        .ok()?
        .iter()
        .filter_map(|v| v.as_float().ok())
        .collect();
    let [x0, y0, x1, y1] = media[..] else {
        return None;
    };
    let (w, h) = ((x1 - x0).max(f32::EPSILON), (y1 - y0).max(f32::EPSILON));
    let mut form = BTreeMap::new();
    form.insert("Type".into(), DictItem::Name(b"XObject".to_vec()));
    form.insert("Subtype".into(), DictItem::Name(b"Form".to_vec()));
    form.insert("BBox".into(), numbers(&[x0, y0, x1, y1]));
    // An image is drawn in the unit square (`cm` scales it to its place): so is the form.
    form.insert(
        "Matrix".into(),
        numbers(&[1.0 / w, 0.0, 0.0, 1.0 / h, -x0 / w, -y0 / h]),
    );
    if let Ok(resources) = dict.get(b"Resources") {
        form.insert("Resources".into(), item(&doc, resources, 0));
    }
    form.insert("Filter".into(), DictItem::Name(b"FlateDecode".to_vec()));
    Some((form, deflate(&doc.get_page_content(page))))
}

/// How deep svg2pdf's resources may nest (patterns in patterns…) before the copy stops.
const MAX_DEPTH: usize = 32;

/// A lopdf object of svg2pdf's document as a printpdf dictionary item, references
/// followed (a stream becomes an item printpdf writes as an indirect object of its own).
fn item(doc: &lopdf::Document, o: &lopdf::Object, depth: usize) -> DictItem {
    use lopdf::Object;
    if depth > MAX_DEPTH {
        return DictItem::Null;
    }
    let dict = |d: &lopdf::Dictionary| -> BTreeMap<String, DictItem> {
        d.iter()
            .filter(|(k, _)| k.as_slice() != b"Length")
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(k).into_owned(),
                    item(doc, v, depth + 1),
                )
            })
            .collect()
    };
    match o {
        Object::Null => DictItem::Null,
        Object::Boolean(b) => DictItem::Bool(*b),
        Object::Integer(i) => DictItem::Int(*i),
        Object::Real(r) => DictItem::Real(*r),
        Object::Name(n) => DictItem::Name(n.clone()),
        Object::String(s, format) => DictItem::String {
            data: s.clone(),
            literal: matches!(format, lopdf::StringFormat::Literal),
        },
        Object::Array(a) => DictItem::Array(a.iter().map(|v| item(doc, v, depth + 1)).collect()),
        Object::Dictionary(d) => DictItem::Dict { map: dict(d) },
        Object::Stream(s) => DictItem::Stream {
            stream: ExternalStream {
                dict: dict(&s.dict),
                content: s.content.clone(),
                compress: false,
            },
        },
        Object::Reference(id) => match doc.get_object(*id) {
            Ok(target) => item(doc, target, depth + 1),
            Err(_) => DictItem::Null,
        },
    }
}

fn numbers(v: &[f32]) -> DictItem {
    DictItem::Array(v.iter().map(|&n| DictItem::Real(n)).collect())
}

fn colour_space(components: u8) -> &'static [u8] {
    match components {
        1 => b"DeviceGray",
        4 => b"DeviceCMYK",
        _ => b"DeviceRGB",
    }
}

/// zlib at level 9: the same bytes in, the same bytes out.
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(9));
    // Writing into a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}
