//! Golden page images: a few pages of the interview rendered small (pdftoppm, grey, 20 dpi)
//! and compared with `tests/golden/*.pgm`. Behind a flag, since they depend on poppler:
//! `cargo test --features golden --test golden`; `UPDATE=1` rewrites the references. On a
//! mismatch the new render and a diff image (changed pixels black) go to `target/golden/`.
#![cfg(feature = "golden")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Pages compared: the title page, the opening page and a page with a pull quote.
const PAGES: &[usize] = &[1, 3, 4];
/// 20 dpi keeps each reference under 20 KiB and still shows every line and rule.
const DPI: &str = "20";

fn pgm(path: &Path) -> (usize, usize, Vec<u8>) {
    let bytes = std::fs::read(path).unwrap();
    // Binary PGM: "P5\n<w> <h>\n<max>\n" then w*h bytes.
    let mut fields = Vec::new();
    let mut i = 0;
    while fields.len() < 4 {
        while bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        fields.push(String::from_utf8_lossy(&bytes[start..i]).into_owned());
    }
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    (w, h, bytes[i + 1..].to_vec())
}

/// Renders page `page` of `pdf` and compares it with `tests/golden/{name}.pgm` (written
/// only with `UPDATE=1`: a missing reference fails, or a deleted file would pass); a
/// difference is described in the returned message.
fn compare(pdf: &Path, page: usize, name: &str, out: &Path) -> Option<String> {
    let stem = out.join(name);
    let status = Command::new("pdftoppm")
        .args([
            "-gray",
            "-r",
            DPI,
            "-f",
            &page.to_string(),
            "-l",
            &page.to_string(),
            "-singlefile",
        ])
        .arg(pdf)
        .arg(&stem)
        .status()
        .expect("pdftoppm (poppler-utils) is needed for golden images");
    assert!(status.success());
    let got = stem.with_extension("pgm");
    let reference = PathBuf::from(format!("tests/golden/{name}.pgm"));
    if std::env::var_os("UPDATE").is_some() {
        std::fs::copy(&got, &reference).unwrap();
        return None;
    }
    if !reference.exists() {
        return Some(format!(
            "{name}: no reference {} (write it with UPDATE=1 after looking at {})",
            reference.display(),
            got.display()
        ));
    }
    let (w, h, a) = pgm(&got);
    let (rw, rh, b) = pgm(&reference);
    if (w, h) == (rw, rh) && a == b {
        return None;
    }
    let diff: Vec<u8> = a
        .iter()
        .zip(b.iter())
        .map(|(x, y)| if x == y { 255 } else { 0 })
        .collect();
    let mut img = format!("P5\n{w} {h}\n255\n").into_bytes();
    img.extend(diff);
    let diff_path = out.join(format!("diff-{name}.pgm"));
    std::fs::write(&diff_path, img).unwrap();
    Some(format!(
        "{name}: differs from {} (new render {}, diff {})",
        reference.display(),
        got.display(),
        diff_path.display()
    ))
}

fn build(book: &str, out: &Path, print: folio::settings::PrintOverrides) -> Vec<PathBuf> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out).unwrap();
    let project = folio::project::Project::open(Path::new(book)).unwrap();
    let opts = folio::build::Options {
        out_dir: out.to_path_buf(),
        pdf: true,
        epub: false,
        print,
        pdf_standard: None,
    };
    folio::build::build(&project, &opts, &mut |_| {})
        .unwrap()
        .outputs
}

#[test]
fn interview_pages_match_their_golden_images() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("golden");
    let outputs = build("manuscript", &out, Default::default());
    let failures: Vec<String> = PAGES
        .iter()
        .filter_map(|&page| compare(&outputs[0], page, &format!("interview-page-{page}"), &out))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_festival_covers_and_a_booklet_sheet_match_their_golden_images() {
    use folio::settings::{Binding, PrintOverrides};
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("golden-print");
    let find = |outputs: &[PathBuf], suffix: &str| {
        outputs
            .iter()
            .find(|p| p.to_string_lossy().ends_with(suffix))
            .unwrap()
            .clone()
    };
    let saddle = build(
        "tests/fixtures/festival",
        &out.join("saddle"),
        PrintOverrides {
            print: true,
            crop_marks: true,
            ..Default::default()
        },
    );
    let perfect = build(
        "tests/fixtures/festival",
        &out.join("perfect"),
        PrintOverrides {
            binding: Some(Binding::Perfect),
            ..Default::default()
        },
    );
    let print = find(&saddle, "-print.pdf");
    let back = lopdf::Document::load(&print).unwrap().get_pages().len();
    let failures: Vec<String> = [
        (print.clone(), 1, "festival-front-cover"),
        (print, back, "festival-back-cover"),
        (find(&saddle, "-booklet.pdf"), 1, "festival-sheet-1-front"),
        (find(&perfect, "-cover.pdf"), 1, "festival-wrap-cover"),
    ]
    .iter()
    .filter_map(|(pdf, page, name)| compare(pdf, *page, name, &out))
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
