//! Writes a small sample PDF (shaped with the default fonts) to the path given, for checking
//! with external tools: `cargo run --example sample_pdf -- target/sample.pdf`.

use folio::pdf::pdf;
use folio::typeset::font::{FontSet, Style};
use folio::typeset::frame::{DocInfo, GlyphRun, Item, Page, Pages, Point};
use folio::typeset::shape::{Features, Shaper, to_frame_glyphs};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/sample.pdf".to_string());
    let fonts = FontSet::default_fonts();
    let mut shaper = Shaper::new("en");
    let size = 12.0;
    let words = [
        "“Elder’s”",
        "official",
        "affluent",
        "office",
        "—",
        "AVAST",
        "To.",
    ];
    let regular = fonts.get(Style::Regular);
    let space_units = regular.glyph(' ').map(|g| regular.advance(g)).unwrap_or(0);
    let space = space_units as f32 * size / f32::from(regular.units_per_em());
    let mut glyphs = Vec::new();
    for (i, w) in words.iter().enumerate() {
        let s = shaper.shape(0, fonts.get(Style::Regular), w, Features::default());
        let mut g = to_frame_glyphs(&s, w, fonts.get(Style::Regular).units_per_em(), size);
        if i + 1 < words.len()
            && let Some(last) = g.last_mut()
        {
            last.text.push(' ');
            last.advance += space;
        }
        glyphs.extend(g);
    }
    let pages = Pages {
        map: vec![],
        renumber: vec![],
        glyphs: None,
        pages: vec![Page {
            width: 432.0,
            height: 648.0,
            bleed: 0.0,
            slug: 0.0,
            media: None,
            items: vec![Item::Glyphs(GlyphRun {
                font: 0,
                size,
                hscale: 100.0,
                origin: Point { x: 54.0, y: 90.0 },
                glyphs,
            })],
            furniture: vec![],
        }],
        fonts: vec![fonts.get(Style::Regular).to_font_file()],
        images: vec![],
        info: DocInfo {
            title: "Sample".into(),
            lang: "en".into(),
            date: "2025-01-01T00:00:00Z".into(),
            producer: "folio".into(),
            ..DocInfo::default()
        },
        ..Pages::default()
    };
    let a = pdf(&pages)?;
    let b = pdf(&pages)?;
    std::fs::write(&out, &a)?;
    std::fs::write(format!("{out}.2"), &b)?;
    println!(
        "{out}: {} bytes, second write identical: {}",
        a.len(),
        a == b
    );
    Ok(())
}
