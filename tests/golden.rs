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

#[test]
fn interview_pages_match_their_golden_images() {
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("golden");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let project = folio::project::Project::open(Path::new("manuscript")).unwrap();
    let opts = folio::build::Options {
        out_dir: out.clone(),
        pdf: true,
        epub: false,
        print: Default::default(),
    };
    let report = folio::build::build(&project, &opts, &mut |_| {}).unwrap();
    let update = std::env::var_os("UPDATE").is_some();
    let mut failures = Vec::new();
    for &page in PAGES {
        let stem = out.join(format!("page-{page}"));
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
            .arg(&report.outputs[0])
            .arg(&stem)
            .status()
            .expect("pdftoppm (poppler-utils) is needed for golden images");
        assert!(status.success());
        let got = stem.with_extension("pgm");
        let reference = PathBuf::from(format!("tests/golden/interview-page-{page}.pgm"));
        if update || !reference.exists() {
            std::fs::copy(&got, &reference).unwrap();
            continue;
        }
        let (w, h, a) = pgm(&got);
        let (rw, rh, b) = pgm(&reference);
        if (w, h) != (rw, rh) || a != b {
            let diff: Vec<u8> = a
                .iter()
                .zip(b.iter())
                .map(|(x, y)| if x == y { 255 } else { 0 })
                .collect();
            let mut img = format!("P5\n{w} {h}\n255\n").into_bytes();
            img.extend(diff);
            let diff_path = out.join(format!("diff-page-{page}.pgm"));
            std::fs::write(&diff_path, img).unwrap();
            failures.push(format!(
                "page {page}: differs from {} (new render {}, diff {})",
                reference.display(),
                got.display(),
                diff_path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
