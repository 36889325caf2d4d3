//! Frames to pixels: a page drawn with tiny-skia (glyph outlines from skrifa, rules, fills
//! and images) and written as a PNG — the EPUB's generated cover image, and each page of
//! `folio serve`'s preview (with its bleed and printer's marks for the print edition).
//! Deterministic: the same page gives the same bytes.

mod svg;

use crate::image::{Image, Pixels};
use crate::typeset::frame::{FontFile, Item, Page, Point, Rect, Transform};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::raw::TableProvider;
use std::collections::HashMap;
use std::io::Write as _;
use std::sync::Arc;
use tiny_skia as sk;

/// Draws the trim box of `page` on a `width` × `height` pixel canvas of the grey `ground`
/// (255 is white paper), as an RGB PNG (stores ask for RGB).
pub fn png(
    page: &Page,
    fonts: &[FontFile],
    images: &[Arc<Image>],
    (width, height): (u32, u32),
    ground: u8,
) -> Result<Vec<u8>, String> {
    let scale = Transform {
        a: width as f32 / page.width,
        b: 0.0,
        c: 0.0,
        d: height as f32 / page.height,
        e: 0.0,
        f: 0.0,
    };
    draw(page, fonts, images, &scale, (width, height), ground, false)
        .map(|c| encode_png(&c.0, &c.1, (width, height), ground, Samples::Rgb))
}

/// What part of a page a preview shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The finished page: what a reader of the screen PDF sees.
    Trim,
    /// The whole sheet as the printer gets it: bleed, slug and printer's marks.
    Media,
}

impl View {
    /// What `page` shows in this view: its size in pt, and where the trim's top-left
    /// corner lies in it.
    pub fn bounds(self, page: &Page) -> ((f32, f32), (f32, f32)) {
        match self {
            View::Trim => ((page.width, page.height), (0.0, 0.0)),
            // `trim_offset` is measured from the bottom left; the offsets are the same on
            // both sides, so the frame's top-left origin moves by them too.
            View::Media => (page.media_size(), page.trim_offset()),
        }
    }
}

/// Draws `page` at `px_per_pt` pixels to the point on white paper, as an RGB PNG: the
/// trim box only, or the whole media box with its printer's marks.
pub fn page_png(
    page: &Page,
    fonts: &[FontFile],
    images: &[Arc<Image>],
    px_per_pt: f32,
    view: View,
) -> Result<Vec<u8>, String> {
    let ((w, h), (dx, dy)) = view.bounds(page);
    let size = |pt: f32| ((pt * px_per_pt).round() as u32).clamp(1, MAX_PREVIEW_PX);
    let (width, height) = (size(w), size(h));
    let scale = Transform {
        a: width as f32 / w,
        b: 0.0,
        c: 0.0,
        d: height as f32 / h,
        e: 0.0,
        f: 0.0,
    }
    .then(&Transform::translate(dx, dy));
    let (canvas, ink) = draw(
        page,
        fonts,
        images,
        &scale,
        (width, height),
        PAPER,
        view == View::Media,
    )?;
    // A page of black type and grey rules is written as grey: a third of the samples to
    // compress (a colour figure keeps the page in colour).
    let samples = if canvas
        .pixels()
        .iter()
        .all(|p| p.red() == p.green() && p.green() == p.blue())
    {
        Samples::Grey
    } else {
        Samples::Rgb
    };
    Ok(encode_png(&canvas, &ink, (width, height), PAPER, samples))
}

/// How a PNG stores a pixel: one grey sample, or three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Samples {
    Grey = 1,
    Rgb = 3,
}

/// White paper.
const PAPER: u8 = 255;
/// The largest side of a preview image: a B0 press sheet at a screen's resolution is about
/// 5,000 px; anything larger is a mistake, not a page.
const MAX_PREVIEW_PX: u32 = 8192;

/// Paints `page`'s items through `scale` on a `width` × `height` canvas of `ground`, with
/// or without the printer's marks: the canvas of its inked rectangle, and that rectangle.
fn draw(
    page: &Page,
    fonts: &[FontFile],
    images: &[Arc<Image>],
    scale: &Transform,
    (width, height): (u32, u32),
    ground: u8,
    marks: bool,
) -> Result<(sk::Pixmap, Ink), String> {
    // Only the part with ink is drawn (a cover is mostly white paper): the rest of the
    // image is white rows and margins, written without drawing.
    let ink = Ink::of(page, scale, width, height);
    let mut canvas =
        sk::Pixmap::new(ink.width.max(1), ink.height.max(1)).ok_or("the page has no pixels")?;
    canvas.fill(sk::Color::from_rgba8(ground, ground, ground, 255));
    let scale = Transform::translate(-(ink.x as f32), -(ink.y as f32)).then(scale);
    let mut painter = Painter {
        canvas: &mut canvas,
        fonts,
        images,
        outlines: HashMap::new(),
        marks,
    };
    for item in page.items.iter().chain(&page.furniture) {
        painter.item(item, &scale, None)?;
    }
    Ok((canvas, ink))
}

/// The pixel rectangle that may hold ink: every item's extent, generously (glyphs a size
/// around their line), clamped to the image.
struct Ink {
    x: u32,
    y: u32,
    width: u32,
    height: u32,
}

impl Ink {
    fn of(page: &Page, scale: &Transform, width: u32, height: u32) -> Ink {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        page.walk(&mut |item, at| {
            let r = match item {
                Item::Glyphs(run) => {
                    let len: f32 = run.glyphs.iter().map(|g| g.advance).sum();
                    Rect {
                        x: run.origin.x - run.size,
                        y: run.origin.y - run.size * 1.5,
                        width: len + 2.0 * run.size,
                        height: run.size * 2.5,
                    }
                }
                Item::Rule {
                    from,
                    to,
                    thickness,
                }
                | Item::Mark {
                    from,
                    to,
                    thickness,
                } => Rect {
                    x: from.x.min(to.x) - thickness,
                    y: from.y.min(to.y) - thickness,
                    width: (from.x - to.x).abs() + 2.0 * thickness,
                    height: (from.y - to.y).abs() + 2.0 * thickness,
                },
                Item::Image { rect, .. } | Item::Fill { rect, .. } => *rect,
                _ => return,
            };
            let r = scale.then(at).apply_rect(r);
            x0 = x0.min(r.x);
            y0 = y0.min(r.y);
            x1 = x1.max(r.x + r.width);
            y1 = y1.max(r.y + r.height);
        });
        if x0 > x1 {
            return Ink {
                x: 0,
                y: 0,
                width: 0,
                height: 0,
            };
        }
        let clamp = |v: f32, hi: u32| (v.max(0.0) as u32).min(hi);
        let (x0, y0) = (clamp(x0.floor(), width), clamp(y0.floor(), height));
        let (x1, y1) = (clamp(x1.ceil(), width), clamp(y1.ceil(), height));
        Ink {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        }
    }
}

/// Paints items on the canvas; glyph outlines are cached per font and glyph.
struct Painter<'a> {
    canvas: &'a mut sk::Pixmap,
    fonts: &'a [FontFile],
    images: &'a [Arc<Image>],
    outlines: HashMap<(usize, u16), Option<sk::Path>>,
    /// Whether printer's marks are drawn (they lie outside the trim).
    marks: bool,
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
            Item::Mark {
                from,
                to,
                thickness,
            } if self.marks => self.line(*from, *to, *thickness, at, clip),
            Item::Rule {
                from,
                to,
                thickness,
            } => self.line(*from, *to, *thickness, at, clip),
            Item::Image { rect, image } => {
                let img = self
                    .images
                    .get(*image)
                    .ok_or_else(|| format!("image #{image} is not listed"))?;
                self.image(img, rect, at, clip);
            }
            Item::Fill { rect, grey } => {
                if let Some(r) = sk::Rect::from_xywh(rect.x, rect.y, rect.width, rect.height) {
                    let level = (grey.clamp(0.0, 1.0) * 255.0).round() as u8;
                    let mut paint = sk::Paint::default();
                    paint.set_color_rgba8(level, level, level, 255);
                    self.canvas.fill_rect(r, &paint, sk_transform(at), clip);
                }
            }
            // Printer's marks are drawn only on a whole sheet; links and tags draw nothing.
            Item::Mark { .. }
            | Item::Link { .. }
            | Item::UriLink { .. }
            | Item::GoTo { .. }
            | Item::Tag(_) => {}
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
                                        .ok_or("the page has no pixels")?;
                                m.fill_path(
                                    &sk::PathBuilder::from_rect(
                                        sk::Rect::from_xywh(
                                            0.0,
                                            0.0,
                                            self.canvas.width() as f32,
                                            self.canvas.height() as f32,
                                        )
                                        .ok_or("the page has no pixels")?,
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

    /// A straight line of `thickness` in black, butt-capped (a rule, a printer's mark).
    fn line(
        &mut self,
        from: Point,
        to: Point,
        thickness: f32,
        at: &Transform,
        clip: Option<&sk::Mask>,
    ) {
        let mut pb = sk::PathBuilder::new();
        pb.move_to(from.x, from.y);
        pb.line_to(to.x, to.y);
        if let Some(path) = pb.finish() {
            let stroke = sk::Stroke {
                width: thickness,
                line_cap: sk::LineCap::Butt,
                ..sk::Stroke::default()
            };
            self.canvas
                .stroke_path(&path, &black(), &stroke, sk_transform(at), clip);
        }
    }

    /// An image stretched over `rect`: its pixels, or an SVG's paths; one that cannot be
    /// drawn (a JPEG its decoder cannot read) is a light grey panel of its size, so the
    /// page's layout still reads.
    fn image(&mut self, img: &Image, rect: &Rect, at: &Transform, clip: Option<&sk::Mask>) {
        if let Pixels::Svg { svg, .. } = &img.pixels {
            let place = sk_transform(&at.then(&Transform {
                a: 1.0,
                b: 0.0,
                c: 0.0,
                d: 1.0,
                e: rect.x,
                f: rect.y,
            }));
            if svg::draw(self.canvas, svg, (rect.width, rect.height), place, clip) {
                return;
            }
        }
        let Some(pixmap) = pixmap(img) else {
            if let Some(r) = sk::Rect::from_xywh(rect.x, rect.y, rect.width, rect.height) {
                let mut paint = sk::Paint::default();
                paint.set_color_rgba8(PLACEHOLDER, PLACEHOLDER, PLACEHOLDER, 255);
                self.canvas.fill_rect(r, &paint, sk_transform(at), clip);
            }
            return;
        };
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

/// An image as premultiplied RGBA pixels; `None` for an SVG (drawn as paths) or a JPEG
/// its decoder cannot read.
fn pixmap(img: &Image) -> Option<sk::Pixmap> {
    let (channels, samples, alpha) = match &img.pixels {
        Pixels::Raw {
            channels,
            samples,
            alpha,
        } => (
            usize::from(*channels),
            std::borrow::Cow::Borrowed(samples),
            alpha.as_deref(),
        ),
        Pixels::Jpeg { data, .. } => (3, std::borrow::Cow::Owned(jpeg_rgb(data, img)?), None),
        Pixels::Svg { .. } => return None,
    };
    let n = (img.width as usize).checked_mul(img.height as usize)?;
    if samples.len() < n * channels {
        return None;
    }
    let mut rgba = Vec::with_capacity(n * 4);
    for i in 0..n {
        let (r, g, b) = match channels {
            1 => (samples[i], samples[i], samples[i]),
            _ => (samples[3 * i], samples[3 * i + 1], samples[3 * i + 2]),
        };
        let a = alpha.map_or(255, |a| a[i]);
        let pre = |c: u8| ((u16::from(c) * u16::from(a) + 127) / 255) as u8;
        rgba.extend([pre(r), pre(g), pre(b), a]);
    }
    sk::Pixmap::from_vec(rgba, sk::IntSize::from_wh(img.width, img.height)?)
}

/// A JPEG's pixels as RGB samples (grey and CMYK files converted by the decoder), when it
/// decodes to the size its header gave.
fn jpeg_rgb(data: &[u8], img: &Image) -> Option<Vec<u8>> {
    use zune_jpeg::zune_core::colorspace::ColorSpace;
    use zune_jpeg::zune_core::options::DecoderOptions;
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(std::io::Cursor::new(data), options);
    let rgb = decoder.decode().ok()?;
    let info = decoder.info()?;
    (info.width as u32 == img.width && info.height as u32 == img.height).then_some(rgb)
}

/// The grey of an image drawn as a panel (85 %: visibly a picture's place, not paper).
const PLACEHOLDER: u8 = 217;

/// PNG's signature, then chunks (ISO/IEC 15948).
const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// zlib's fastest level: after the "Up" filter a cover is mostly runs of zeros, which every
/// level packs alike; the best level took several times longer for a few percent.
const PNG_LEVEL: u32 = 1;

/// The image as an 8-bit RGB or grey PNG: the `ground` with `canvas` at `ink`'s place.
fn encode_png(
    canvas: &sk::Pixmap,
    ink: &Ink,
    (width, height): (u32, u32),
    ground: u8,
    samples: Samples,
) -> Vec<u8> {
    // Opaque pixels need no demultiplying: the RGBA bytes are the colour.
    debug_assert!(canvas.data().chunks_exact(4).all(|p| p[3] == 255), "opaque");
    let raw = scanlines(
        canvas,
        ink,
        (width as usize, height as usize),
        ground,
        samples,
    );
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    // 8 bits per sample, colour type 2 (RGB) or 0 (grey), deflate, adaptive filtering, no
    // interlace.
    let colour_type = match samples {
        Samples::Rgb => 2,
        Samples::Grey => 0,
    };
    ihdr.extend([8, colour_type, 0, 0, 0]);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(PNG_LEVEL));
    // Writing into memory cannot fail.
    let _ = z.write_all(&raw);
    let idat = z.finish().unwrap_or_default();
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
    out
}

/// The PNG scanlines, one or three samples a pixel, each row filtered "Up" (a cover is
/// mostly rows like the one above, which filter to zeros); rows outside `ink` are the
/// `ground`.
fn scanlines(
    canvas: &sk::Pixmap,
    ink: &Ink,
    (width, height): (usize, usize),
    ground: u8,
    samples: Samples,
) -> Vec<u8> {
    let channels = samples as usize;
    let row = width * channels;
    let mut raw = vec![0u8; (row + 1) * height];
    let (mut current, mut previous) = (vec![ground; row], vec![0u8; row]);
    let (ix, iw) = (ink.x as usize * channels, ink.width as usize);
    let stride = canvas.width() as usize * 4;
    let inked = |y: usize| y >= ink.y as usize && y < (ink.y + ink.height) as usize && iw > 0;
    for (y, out) in raw.chunks_exact_mut(row + 1).enumerate() {
        out[0] = 2;
        // A ground row under a ground row filters to zeros, which `raw` already holds.
        if y > 0 && !inked(y) && !inked(y - 1) {
            continue;
        }
        let inked = inked(y);
        if inked {
            let line = &canvas.data()[(y - ink.y as usize) * stride..][..stride];
            let dst = &mut current[ix..ix + iw * channels];
            for (o, px) in dst.chunks_exact_mut(channels).zip(line.chunks_exact(4)) {
                o.copy_from_slice(&px[..channels]);
            }
        }
        for (o, (c, p)) in out[1..].iter_mut().zip(current.iter().zip(&previous)) {
            *o = c.wrapping_sub(*p);
        }
        previous.copy_from_slice(&current);
        if inked {
            current[ix..ix + iw * channels].fill(ground);
        }
    }
    raw
}
