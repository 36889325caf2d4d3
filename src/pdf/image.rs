//! Images: [`crate::image::Image`] → an image XObject (through printpdf's external-XObject
//! seam, so printpdf never re-encodes it); content streams place it (`super::content`).
//!
//! JPEG data is embedded unchanged with `DCTDecode`; decoded PNG samples are deflated at a
//! fixed level (deterministic) with their alpha channel as a soft mask.

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
