//! Frames to pixels: a page drawn with tiny-skia (glyph outlines from skrifa, rules and
//! images) and written as a PNG — the EPUB's generated cover image. Deterministic: the same
//! page gives the same bytes.

use crate::image::{Image, Pixels};
use crate::typeset::frame::{FontFile, Item, Page, Transform};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::raw::TableProvider;
use std::collections::HashMap;
use std::io::Write as _;
use std::sync::Arc;
use tiny_skia as sk;

/// Draws the trim box of `page` on a white `width` × `height` pixel canvas, as a PNG.
pub fn png(
    page: &Page,
    fonts: &[FontFile],
    images: &[Arc<Image>],
    width: u32,
    height: u32,
) -> Result<Vec<u8>, String> {
    let mut canvas = sk::Pixmap::new(width, height).ok_or("the cover has no pixels")?;
    canvas.fill(sk::Color::WHITE);
    let scale = Transform {
        a: width as f32 / page.width,
        b: 0.0,
        c: 0.0,
        d: height as f32 / page.height,
        e: 0.0,
        f: 0.0,
    };
    let mut painter = Painter {
        canvas: &mut canvas,
        fonts,
        images,
        outlines: HashMap::new(),
    };
    for item in page.items.iter().chain(&page.furniture) {
        painter.item(item, &scale, None)?;
    }
    encode_png(&canvas)
}

/// Paints items on the canvas; glyph outlines are cached per font and glyph.
struct Painter<'a> {
    canvas: &'a mut sk::Pixmap,
    fonts: &'a [FontFile],
    images: &'a [Arc<Image>],
    outlines: HashMap<(usize, u16), Option<sk::Path>>,
}

fn sk_transform(t: &Transform) -> sk::Transform {
    sk::Transform::from_row(t.a, t.b, t.c, t.d, t.e, t.f)
}

fn black() -> sk::Paint<'static> {
    let mut paint = sk::Paint::default();
    paint.set_color(sk::Color::BLACK);
    paint.anti_alias = true;
    paint
}

impl Painter<'_> {
    fn item(&mut self, item: &Item, at: &Transform, clip: Option<&sk::Mask>) -> Result<(), String> {
        match item {
            Item::Glyphs(run) => {
                let mut x = run.origin.x;
                let units = self.units_per_em(run.font)?;
                let h = if run.hscale > 0.0 {
                    run.hscale / 100.0
                } else {
                    1.0
                };
                let em = run.size / units;
                for g in &run.glyphs {
                    if let Some(path) = self.outline(run.font, g.id)? {
                        // Font units (y up) → frame (y down) at the glyph's origin.
                        let glyph = Transform {
                            a: em * h,
                            b: 0.0,
                            c: 0.0,
                            d: -em,
                            e: x,
                            f: run.origin.y - g.y_offset,
                        };
                        let t = sk_transform(&at.then(&glyph));
                        self.canvas
                            .fill_path(&path, &black(), sk::FillRule::Winding, t, clip);
                    }
                    x += g.advance;
                }
            }
            Item::Rule {
                from,
                to,
                thickness,
            } => {
                let mut pb = sk::PathBuilder::new();
                pb.move_to(from.x, from.y);
                pb.line_to(to.x, to.y);
                if let Some(path) = pb.finish() {
                    let stroke = sk::Stroke {
                        width: *thickness,
                        line_cap: sk::LineCap::Butt,
                        ..sk::Stroke::default()
                    };
                    self.canvas
                        .stroke_path(&path, &black(), &stroke, sk_transform(at), clip);
                }
            }
            Item::Image { rect, image } => {
                let img = self
                    .images
                    .get(*image)
                    .ok_or_else(|| format!("image #{image} is not listed"))?;
                if let Some(pixmap) = pixmap(img) {
                    let fit = Transform {
                        a: rect.width / img.width as f32,
                        b: 0.0,
                        c: 0.0,
                        d: rect.height / img.height as f32,
                        e: rect.x,
                        f: rect.y,
                    };
                    let paint = sk::PixmapPaint {
                        quality: sk::FilterQuality::Bicubic,
                        ..sk::PixmapPaint::default()
                    };
                    self.canvas.draw_pixmap(
                        0,
                        0,
                        pixmap.as_ref(),
                        &paint,
                        sk_transform(&at.then(&fit)),
                        clip,
                    );
                }
            }
            // Printer's marks lie outside the trim; links are not drawn.
            Item::Mark { .. } | Item::Link { .. } | Item::UriLink { .. } => {}
            Item::Group(g) => {
                let inner = at.then(&g.transform);
                let mask = match &g.clip {
                    Some(r) => {
                        let rect = sk::Rect::from_xywh(r.x, r.y, r.width, r.height)
                            .ok_or("a clip without area")?;
                        let mut mask = match clip {
                            Some(m) => m.clone(),
                            None => {
                                let mut m =
                                    sk::Mask::new(self.canvas.width(), self.canvas.height())
                                        .ok_or("the cover has no pixels")?;
                                m.fill_path(
                                    &sk::PathBuilder::from_rect(
                                        sk::Rect::from_xywh(
                                            0.0,
                                            0.0,
                                            self.canvas.width() as f32,
                                            self.canvas.height() as f32,
                                        )
                                        .ok_or("the cover has no pixels")?,
                                    ),
                                    sk::FillRule::Winding,
                                    false,
                                    sk::Transform::identity(),
                                );
                                m
                            }
                        };
                        mask.intersect_path(
                            &sk::PathBuilder::from_rect(rect),
                            sk::FillRule::Winding,
                            true,
                            sk_transform(&inner),
                        );
                        Some(mask)
                    }
                    None => None,
                };
                for item in g.items.iter() {
                    self.item(item, &inner, mask.as_ref().or(clip))?;
                }
            }
        }
        Ok(())
    }

    fn font(&self, font: usize) -> Result<skrifa::FontRef<'_>, String> {
        let f = self
            .fonts
            .get(font)
            .ok_or_else(|| format!("font #{font} is not listed"))?;
        skrifa::FontRef::from_index(&f.data, f.index)
            .map_err(|e| format!("{}: {e}", f.postscript_name))
    }

    fn units_per_em(&self, font: usize) -> Result<f32, String> {
        let f = self.font(font)?;
        Ok(f32::from(
            f.head().map(|h| h.units_per_em()).unwrap_or(1000),
        ))
    }

    /// A glyph's outline in font units (`None` for a blank glyph: a space).
    fn outline(&mut self, font: usize, id: u16) -> Result<Option<sk::Path>, String> {
        if let Some(p) = self.outlines.get(&(font, id)) {
            return Ok(p.clone());
        }
        let f = self.font(font)?;
        let glyphs = f.outline_glyphs();
        let mut pen = Pen(sk::PathBuilder::new());
        if let Some(glyph) = glyphs.get(skrifa::GlyphId::new(u32::from(id))) {
            let settings = DrawSettings::unhinted(Size::unscaled(), LocationRef::default());
            glyph
                .draw(settings, &mut pen)
                .map_err(|e| format!("glyph {id}: {e}"))?;
        }
        let path = pen.0.finish();
        self.outlines.insert((font, id), path.clone());
        Ok(path)
    }
}

/// skrifa's outline commands into a tiny-skia path.
struct Pen(sk::PathBuilder);

impl OutlinePen for Pen {
    fn move_to(&mut self, x: f32, y: f32) {
        self.0.move_to(x, y);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.0.line_to(x, y);
    }
    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        self.0.quad_to(cx0, cy0, x, y);
    }
    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        self.0.cubic_to(cx0, cy0, cx1, cy1, x, y);
    }
    fn close(&mut self) {
        self.0.close();
    }
}

/// An image as premultiplied RGBA pixels; `None` for a JPEG (folio does not decode JPEG
/// pixels; the cover image of an EPUB is used as supplied, so a generated cover only frames
/// PNG art).
fn pixmap(img: &Image) -> Option<sk::Pixmap> {
    let Pixels::Raw {
        channels,
        samples,
        alpha,
    } = &img.pixels
    else {
        return None;
    };
    let n = (img.width as usize).checked_mul(img.height as usize)?;
    let mut rgba = Vec::with_capacity(n * 4);
    for i in 0..n {
        let (r, g, b) = match channels {
            1 => (samples[i], samples[i], samples[i]),
            _ => (samples[3 * i], samples[3 * i + 1], samples[3 * i + 2]),
        };
        let a = alpha.as_ref().map_or(255, |a| a[i]);
        let pre = |c: u8| ((u16::from(c) * u16::from(a) + 127) / 255) as u8;
        rgba.extend([pre(r), pre(g), pre(b), a]);
    }
    sk::Pixmap::from_vec(rgba, sk::IntSize::from_wh(img.width, img.height)?)
}

/// PNG's signature, then chunks (ISO/IEC 15948).
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// The canvas as an 8-bit RGB PNG (it is opaque: white under everything).
fn encode_png(canvas: &sk::Pixmap) -> Result<Vec<u8>, String> {
    let (w, h) = (canvas.width(), canvas.height());
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    // 8 bits per sample, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    ihdr.extend([8, 2, 0, 0, 0]);
    let row = w as usize * 3;
    let mut raw = Vec::with_capacity((row + 1) * h as usize);
    let mut previous = vec![0u8; row];
    let mut current = Vec::with_capacity(row);
    for y in 0..h as usize {
        current.clear();
        for px in &canvas.pixels()[y * w as usize..(y + 1) * w as usize] {
            let c = px.demultiply();
            current.extend([c.red(), c.green(), c.blue()]);
        }
        // Filter "Up": a typographic cover is mostly rows like the one above.
        raw.push(2);
        raw.extend(
            current
                .iter()
                .zip(&previous)
                .map(|(c, p)| c.wrapping_sub(*p)),
        );
        std::mem::swap(&mut previous, &mut current);
    }
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&raw).map_err(|e| e.to_string())?;
    let idat = z.finish().map_err(|e| e.to_string())?;
    let mut out = PNG_SIGNATURE.to_vec();
    for (kind, data) in [(b"IHDR", &ihdr), (b"IDAT", &idat), (b"IEND", &Vec::new())] {
        out.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend(kind);
        out.extend(data);
        out.extend(crc.sum().to_be_bytes());
    }
    Ok(out)
}
