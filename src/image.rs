//! Images for the PDF: JPEG, PNG and SVG bytes in → [`Image`] (size, and pixels ready for a
//! PDF image XObject, or a drawing for a form XObject) out.
//!
//! JPEG data goes into the PDF unchanged (`DCTDecode`): only its header is read, for the
//! size and the number of colour components — no second lossy pass. PNG is inflated and
//! unfiltered into 8-bit samples, its alpha channel kept apart for a soft mask, so nothing
//! is lost either.

use flate2::read::ZlibDecoder;
use std::io::Read;

/// An image ready to embed.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Size in pixels.
    pub width: u32,
    pub height: u32,
    pub pixels: Pixels,
}

/// The image data in the form the PDF needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Pixels {
    /// A baseline or progressive JPEG file, embedded as is; `components` is 1 (grey),
    /// 3 (RGB/YCbCr) or 4 (CMYK).
    Jpeg { data: Vec<u8>, components: u8 },
    /// 8-bit samples row by row: 1 channel (grey) or 3 (RGB), plus optional 8-bit alpha.
    Raw {
        channels: u8,
        samples: Vec<u8>,
        alpha: Option<Vec<u8>>,
    },
    /// An SVG drawing, rewritten by usvg with its text as outlines (in the book's fonts),
    /// for the PDF to draw as vectors; its size in CSS pixels (96 to the inch).
    Svg {
        svg: std::sync::Arc<str>,
        size: (f32, f32),
    },
}

impl Image {
    /// The width the drawing asks to be printed at (pt), for a vector image; a raster
    /// image has only pixels (its printed size follows the figure's resolution).
    pub fn natural_width(&self) -> Option<f32> {
        match &self.pixels {
            Pixels::Svg { size, .. } => Some(size.0 * CSS_PX),
            _ => None,
        }
    }

    /// Whether the image is drawn as vectors (it has no resolution to fall short of).
    pub fn is_vector(&self) -> bool {
        matches!(self.pixels, Pixels::Svg { .. })
    }
}

/// Points per CSS pixel (a CSS pixel is 1/96 in).
const CSS_PX: f32 = 72.0 / 96.0;

/// Decodes JPEG, PNG or SVG bytes; the error says what is wrong in a reader's words.
pub fn decode(bytes: &[u8]) -> Result<Image, String> {
    if bytes.starts_with(&[0xFF, 0xD8]) {
        jpeg(bytes)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        png(bytes)
    } else if is_svg(bytes) {
        svg(bytes)
    } else {
        Err(match other_format(bytes) {
            Some(f) => format!(
                "a {f} image, which folio does not read: convert it to PNG (or JPEG for a photograph)"
            ),
            None => "not a JPEG, PNG or SVG image".into(),
        })
    }
}

/// Whether `bytes` look like an SVG file (an `<svg` element near the start, after any XML
/// declaration, comments or doctype).
fn is_svg(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(SVG_SNIFF_BYTES)];
    let text = String::from_utf8_lossy(head);
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
        && text.contains("<svg")
}

/// How far into a file its `<svg` element is looked for.
const SVG_SNIFF_BYTES: usize = 4096;

/// The name of a raster format folio does not read, from its signature.
fn other_format(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"GIF8") {
        Some("GIF")
    } else if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        Some("WebP")
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        Some("TIFF")
    } else if bytes.starts_with(b"BM") {
        Some("BMP")
    } else if bytes
        .get(4..12)
        .is_some_and(|b| b == b"ftypavif" || b == b"ftypheic")
    {
        Some("AVIF/HEIC")
    } else {
        None
    }
}

/// An SVG drawing: parsed by usvg with the book's body font for its text (so a label looks
/// like the book), then written back with the text as outlines.
fn svg(bytes: &[u8]) -> Result<Image, String> {
    let mut options = usvg::Options::default();
    let db = options.fontdb_mut();
    for face in crate::typeset::font::embedded_faces() {
        db.load_font_data(face.to_vec());
    }
    let family = crate::typeset::font::EMBEDDED_FAMILY;
    db.set_serif_family(family);
    db.set_sans_serif_family(family);
    db.set_monospace_family(family);
    options.font_family = family.to_string();
    let tree = usvg::Tree::from_data(bytes, &options)
        .map_err(|e| format!("the SVG cannot be read: {e}"))?;
    let size = tree.size();
    let svg = tree.to_string(&usvg::WriteOptions::default());
    Ok(Image {
        width: size.width().ceil().max(1.0) as u32,
        height: size.height().ceil().max(1.0) as u32,
        pixels: Pixels::Svg {
            svg: svg.into(),
            size: (size.width(), size.height()),
        },
    })
}

/// A JPEG's size and colour components from its frame header, after checking its
/// structure: every segment within the file, a frame header, a scan, and the end-of-image
/// marker after the scan (a truncated file is embedded as is by nothing: PDF readers would
/// find undecodable data).
fn jpeg(bytes: &[u8]) -> Result<Image, String> {
    let mut i = 2;
    let mut frame: Option<(u32, u32, u8)> = None;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return Err("damaged JPEG: a marker was expected".into());
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if len < 2 || i + 2 + len > bytes.len() {
            return Err(
                "damaged JPEG: a segment runs past the end of the file (truncated?)".into(),
            );
        }
        // SOF0–SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            let sof = bytes
                .get(i + 4..i + 4 + 6)
                .ok_or("damaged JPEG: short frame header")?;
            let height = u32::from(u16::from_be_bytes([sof[1], sof[2]]));
            let width = u32::from(u16::from_be_bytes([sof[3], sof[4]]));
            let components = sof[5];
            if width == 0 || height == 0 || !matches!(components, 1 | 3 | 4) {
                return Err("unsupported JPEG: size or colour components".into());
            }
            frame = Some((width, height, components));
        }
        if marker == 0xDA {
            // The scan: entropy-coded data up to the end-of-image marker.
            let (width, height, components) = frame.ok_or("damaged JPEG: no frame header")?;
            let scan = i + 2 + len;
            let ends = bytes[scan..].windows(2).any(|w| w == [0xFF, 0xD9]);
            if !ends {
                return Err(
                    "damaged JPEG: the image data stops before its end (truncated?)".into(),
                );
            }
            return Ok(Image {
                width,
                height,
                pixels: Pixels::Jpeg {
                    data: bytes.to_vec(),
                    components,
                },
            });
        }
        i += 2 + len;
    }
    Err("damaged JPEG: no image data (truncated?)".into())
}

/// The most pixels a PNG may have: 50 megapixels, over five times a full A4 page at 300 dpi,
/// and at most a few hundred megabytes once decoded.
const MAX_PIXELS: u64 = 50_000_000;

fn png(bytes: &[u8]) -> Result<Image, String> {
    let mut i = 8;
    let (mut width, mut height, mut depth, mut color, mut interlace) = (0u32, 0u32, 0u8, 0u8, 0u8);
    let mut idat = Vec::new();
    let mut palette: Vec<u8> = Vec::new();
    let mut trns: Vec<u8> = Vec::new();
    while i + 8 <= bytes.len() {
        let len = u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize;
        let kind = &bytes[i + 4..i + 8];
        let data = bytes
            .get(i + 8..i + 8 + len)
            .ok_or("damaged PNG: a chunk runs past the end")?;
        match kind {
            b"IHDR" if len >= 13 => {
                width = u32::from_be_bytes([data[0], data[1], data[2], data[3]]);
                height = u32::from_be_bytes([data[4], data[5], data[6], data[7]]);
                depth = data[8];
                color = data[9];
                interlace = data[12];
            }
            b"PLTE" => palette = data.to_vec(),
            b"tRNS" => trns = data.to_vec(),
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => break,
            _ => {}
        }
        i += 12 + len; // length, type, data, CRC
    }
    if width == 0 || height == 0 {
        return Err("damaged PNG: no image header".into());
    }
    if interlace != 0 {
        return Err("interlaced PNG is not supported; save the image without interlacing".into());
    }
    // Samples per pixel by colour type: grey, RGB, palette, grey+alpha, RGBA.
    let spp = match color {
        0 => 1,
        2 => 3,
        3 => 1,
        4 => 2,
        6 => 4,
        _ => return Err(format!("unknown PNG colour type {color}")),
    };
    // The depths the PNG specification allows each colour type (a 16-bit palette is
    // not a PNG, and readers refuse it).
    let supported = match color {
        0 => matches!(depth, 1 | 2 | 4 | 8 | 16),
        3 => matches!(depth, 1 | 2 | 4 | 8),
        _ => matches!(depth, 8 | 16),
    };
    if !supported {
        return Err(format!(
            "damaged PNG: bit depth {depth} is not allowed for colour type {color}"
        ));
    }
    // Checked before anything is inflated: the declared size bounds the memory the file
    // can claim (a 60,000 × 60,000 PNG is refused from its header).
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(format!(
            "the image is too large ({width} × {height} pixels; folio takes up to {} megapixels)",
            MAX_PIXELS / 1_000_000
        ));
    }
    let bits_pp = spp * usize::from(depth);
    let stride = (width as usize * bits_pp).div_ceil(8);
    // Inflate no more than the declared size needs: a zlib bomb stops there.
    let expected = (stride + 1) * height as usize;
    let mut raw = Vec::with_capacity(expected);
    ZlibDecoder::new(&idat[..])
        .take(expected as u64 + 1)
        .read_to_end(&mut raw)
        .map_err(|e| format!("damaged PNG data: {e}"))?;
    if raw.len() < (stride + 1) * height as usize {
        return Err("damaged PNG: the image data is short".into());
    }
    let bpp = bits_pp.div_ceil(8).max(1); // bytes per complete pixel, for the filters
    let mut rows = vec![0u8; stride * height as usize];
    let mut prev = vec![0u8; stride];
    for y in 0..height as usize {
        let filter = raw[y * (stride + 1)];
        let line = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
        let out = &mut rows[y * stride..(y + 1) * stride];
        for x in 0..stride {
            let a = if x >= bpp { out[x - bpp] } else { 0 };
            let b = prev[x];
            let c = if x >= bpp { prev[x - bpp] } else { 0 };
            out[x] = line[x].wrapping_add(match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => ((u16::from(a) + u16::from(b)) / 2) as u8,
                4 => paeth(a, b, c),
                f => return Err(format!("damaged PNG: unknown row filter {f}")),
            });
        }
        prev.copy_from_slice(out);
    }
    // Expand to 8-bit grey/RGB samples plus alpha.
    let n = width as usize * height as usize;
    let sample = |row: &[u8], index: usize| -> u8 {
        match depth {
            16 => row[index * 2],
            8 => row[index],
            d => {
                let bit = index * usize::from(d);
                let v = (row[bit / 8] >> (8 - usize::from(d) - bit % 8)) & ((1 << d) - 1);
                if color == 3 {
                    v
                } else {
                    v * (255 / ((1 << d) - 1))
                }
            }
        }
    };
    let channels: u8 = if matches!(color, 0 | 4) { 1 } else { 3 };
    let mut samples = Vec::with_capacity(n * usize::from(channels));
    let mut alpha: Vec<u8> = Vec::with_capacity(n);
    for y in 0..height as usize {
        let row = &rows[y * stride..(y + 1) * stride];
        for x in 0..width as usize {
            match color {
                0 => samples.push(sample(row, x)),
                2 => samples.extend((0..3).map(|k| sample(row, x * 3 + k))),
                3 => {
                    let idx = usize::from(sample(row, x));
                    let rgb = palette
                        .get(idx * 3..idx * 3 + 3)
                        .ok_or("damaged PNG: colour outside the palette")?;
                    samples.extend_from_slice(rgb);
                    alpha.push(trns.get(idx).copied().unwrap_or(255));
                }
                4 => {
                    samples.push(sample(row, x * 2));
                    alpha.push(sample(row, x * 2 + 1));
                }
                _ => {
                    samples.extend((0..3).map(|k| sample(row, x * 4 + k)));
                    alpha.push(sample(row, x * 4 + 3));
                }
            }
        }
    }
    let alpha = (alpha.len() == n && alpha.iter().any(|&a| a != 255)).then_some(alpha);
    Ok(Image {
        width,
        height,
        pixels: Pixels::Raw {
            channels,
            samples,
            alpha,
        },
    })
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// An image's extension and media type from its first bytes; `None`: not an image an
/// EPUB may carry.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Some(("jpg", "image/jpeg"));
    }
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Some(("png", "image/png"));
    }
    if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        return Some(("gif", "image/gif"));
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some(("webp", "image/webp"));
    }
    is_svg(bytes).then_some(("svg", "image/svg+xml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_the_fixture_png() {
        let bytes = std::fs::read("tests/fixtures/booklet/images/map.png").unwrap();
        let img = decode(&bytes).unwrap();
        assert!(img.width > 0 && img.height > 0);
        let Pixels::Raw {
            channels, samples, ..
        } = &img.pixels
        else {
            panic!("raw pixels expected")
        };
        assert_eq!(
            samples.len(),
            (img.width * img.height) as usize * usize::from(*channels)
        );
    }

    /// A PNG of `w` × `h` RGB pixels with `idat` as its image data (CRCs are not read).
    fn png_of(w: u32, h: u32, idat: &[u8]) -> Vec<u8> {
        let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            out.extend((data.len() as u32).to_be_bytes());
            out.extend(kind);
            out.extend(data);
            out.extend([0, 0, 0, 0]);
        };
        let mut ihdr = w.to_be_bytes().to_vec();
        ihdr.extend(h.to_be_bytes());
        ihdr.extend([8, 2, 0, 0, 0]);
        chunk(b"IHDR", &ihdr);
        chunk(b"IDAT", idat);
        chunk(b"IEND", &[]);
        out
    }

    #[test]
    fn a_zlib_bomb_inflates_no_more_than_the_image_needs() {
        // 256 MB of zeros deflate to a quarter of a megabyte: a 10 × 10 image stops at 310.
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let block = vec![0u8; 1 << 20];
        for _ in 0..256 {
            z.write_all(&block).unwrap();
        }
        let bomb = z.finish().unwrap();
        let img = decode(&png_of(10, 10, &bomb)).unwrap();
        assert_eq!((img.width, img.height), (10, 10));
    }

    #[test]
    fn a_huge_declared_size_is_refused_from_the_header() {
        let err = decode(&png_of(60_000, 60_000, &[])).err().unwrap();
        assert!(err.contains("too large"), "{err}");
    }

    #[test]
    fn reads_a_jpeg_header_and_rejects_junk() {
        // A minimal SOF0 header (2×3 pixels, 3 components), a scan header, one byte of
        // data and the end-of-image marker.
        let mut jpeg = vec![
            0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x00, 0x03, 0x00, 0x02, 0x03, 0, 0, 0, 0, 0,
            0, 0, 0, 0,
        ];
        jpeg.extend([0xFF, 0xDA, 0x00, 0x02, 0x00, 0xFF, 0xD9]);
        let img = decode(&jpeg).unwrap();
        assert_eq!((img.width, img.height), (2, 3));
        assert!(matches!(img.pixels, Pixels::Jpeg { components: 3, .. }));
        // Truncated: the end-of-image marker is gone, or a segment runs past the end.
        assert!(decode(&jpeg[..jpeg.len() - 2]).is_err());
        assert!(decode(&jpeg[..15]).is_err());
        assert!(decode(b"GIF89a").is_err());
        assert!(decode(b"\x89PNG\r\n\x1a\n\0\0\0").is_err());
    }
}
