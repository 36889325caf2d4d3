//! An SVG figure drawn with tiny-skia for a preview: usvg's tree (the text already turned
//! into outlines when the figure was read) walked path by path, each filled and stroked in
//! its colour. What a proof needs to see the figure, not a full SVG renderer: gradients and
//! patterns are drawn in a mid grey, group opacity, masks, filters and embedded raster
//! images are left out; the PDF draws the figure exactly (svg2pdf).

use tiny_skia as sk;

/// The grey standing for a paint that is not a plain colour (a gradient, a pattern).
const OTHER_PAINT: u8 = 128;

/// Draws `svg` (of `size` CSS pixels) through `at`, which maps its box to the figure's
/// place on the page; `false` when usvg cannot read it back.
pub fn draw(
    canvas: &mut sk::Pixmap,
    svg: &str,
    size: (f32, f32),
    at: sk::Transform,
    clip: Option<&sk::Mask>,
) -> bool {
    let Ok(tree) = usvg::Tree::from_str(svg, &usvg::Options::default()) else {
        return false;
    };
    let fit = sk::Transform::from_scale(
        size.0 / tree.size().width().max(f32::EPSILON),
        size.1 / tree.size().height().max(f32::EPSILON),
    );
    group(canvas, tree.root(), at.pre_concat(fit), clip);
    true
}

fn group(canvas: &mut sk::Pixmap, g: &usvg::Group, at: sk::Transform, clip: Option<&sk::Mask>) {
    for node in g.children() {
        match node {
            usvg::Node::Group(inner) => group(canvas, inner, at, clip),
            usvg::Node::Path(p) if p.is_visible() => path(canvas, p, at, clip),
            _ => {}
        }
    }
}

fn path(canvas: &mut sk::Pixmap, p: &usvg::Path, at: sk::Transform, clip: Option<&sk::Mask>) {
    let t = at.pre_concat(p.abs_transform());
    if let Some(fill) = p.fill() {
        let rule = match fill.rule() {
            usvg::FillRule::NonZero => sk::FillRule::Winding,
            usvg::FillRule::EvenOdd => sk::FillRule::EvenOdd,
        };
        let paint = paint(fill.paint(), fill.opacity().get());
        canvas.fill_path(p.data(), &paint, rule, t, clip);
    }
    if let Some(stroke) = p.stroke() {
        let paint = paint(stroke.paint(), stroke.opacity().get());
        let line = sk::Stroke {
            width: stroke.width().get(),
            miter_limit: stroke.miterlimit().get(),
            line_cap: match stroke.linecap() {
                usvg::LineCap::Butt => sk::LineCap::Butt,
                usvg::LineCap::Round => sk::LineCap::Round,
                usvg::LineCap::Square => sk::LineCap::Square,
            },
            line_join: match stroke.linejoin() {
                usvg::LineJoin::Miter | usvg::LineJoin::MiterClip => sk::LineJoin::Miter,
                usvg::LineJoin::Round => sk::LineJoin::Round,
                usvg::LineJoin::Bevel => sk::LineJoin::Bevel,
            },
            dash: None,
        };
        canvas.stroke_path(p.data(), &paint, &line, t, clip);
    }
}

fn paint(p: &usvg::Paint, opacity: f32) -> sk::Paint<'static> {
    let (r, g, b) = match p {
        usvg::Paint::Color(c) => (c.red, c.green, c.blue),
        _ => (OTHER_PAINT, OTHER_PAINT, OTHER_PAINT),
    };
    let mut paint = sk::Paint::default();
    let alpha = (opacity.clamp(0.0, 1.0) * 255.0).round() as u8;
    paint.set_color_rgba8(r, g, b, alpha);
    paint.anti_alias = true;
    paint
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_svg_figure_is_drawn_in_its_colours_over_its_box() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">
            <rect width="5" height="10" fill="#ff0000"/>
            <rect x="5" width="5" height="10" fill="#0000ff"/></svg>"##;
        let mut canvas = sk::Pixmap::new(40, 20).unwrap();
        canvas.fill(sk::Color::WHITE);
        // The 10 × 10 drawing stretched over 20 × 20 pixels, 20 pixels from the left.
        let at = sk::Transform::from_translate(20.0, 0.0);
        assert!(draw(&mut canvas, svg, (20.0, 20.0), at, None));
        let px = |x, y| {
            let p = canvas.pixel(x, y).unwrap();
            (p.red(), p.green(), p.blue())
        };
        assert_eq!(px(5, 10), (255, 255, 255), "left of the box: paper");
        assert_eq!(px(25, 10), (255, 0, 0));
        assert_eq!(px(35, 10), (0, 0, 255));
        assert!(!draw(&mut canvas, "not svg", (1.0, 1.0), at, None));
    }
}
