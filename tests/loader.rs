//! Loader cases as many-case text files: `tests/loader/*.txt`.
//!
//! Each case starts with `### name`, then one or more `---- file: NAME` sections (the
//! book's files), then `---- expect` and the expected model dump or the diagnostics.
//! A case with one `.md` file and no `book.toml` is built as a single file; otherwise as a
//! folder. Run with `UPDATE=1` to rewrite the expectations (review the diff before committing).

use folio::project::Project;
use std::fmt::Write as _;
use std::path::Path;

struct Case {
    name: String,
    files: Vec<(String, String)>,
    expect: String,
}

fn parse(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for chunk in text
        .split("\n### ")
        .map(|c| c.strip_prefix("### ").unwrap_or(c))
    {
        let Some((name, rest)) = chunk.split_once('\n') else {
            continue;
        };
        if name.trim().is_empty() || name.starts_with('#') {
            continue;
        }
        let (inputs, expect) = rest.split_once("---- expect\n").unwrap_or((rest, ""));
        let mut files = Vec::new();
        for section in inputs.split("---- file: ").skip(1) {
            let (fname, body) = section.split_once('\n').unwrap_or((section, ""));
            files.push((fname.trim().to_string(), body.to_string()));
        }
        cases.push(Case {
            name: name.trim().to_string(),
            files,
            expect: expect.trim_end().to_string(),
        });
    }
    cases
}

fn run(case: &Case, dir: &Path) -> String {
    let root = dir.join(&case.name);
    std::fs::create_dir_all(&root).unwrap();
    for (name, body) in &case.files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        // `\xFF` in a case stands for an invalid UTF-8 byte.
        let bytes: Vec<u8> = body.replace("\\xFF", "\u{FFFF}").into_bytes();
        let bytes = replace_marker(bytes);
        std::fs::write(&p, bytes).unwrap();
    }
    let single = case.files.len() == 1 && case.files[0].0.ends_with(".md");
    let target = if single {
        root.join(&case.files[0].0)
    } else {
        root.clone()
    };
    // Paths in the output are relative to the case folder.
    let cwd_target = target.strip_prefix(dir).unwrap().to_path_buf();
    let prev = std::env::current_dir().unwrap();
    let _ = prev;
    let project = match Project::open(&dir.join(&cwd_target)) {
        Ok(p) => p,
        Err(d) => return render(&d, dir),
    };
    match folio::markdown::load(&project) {
        Ok(loaded) => {
            let mut out = folio::dump::book(&loaded.book);
            if !loaded.warnings.is_empty() {
                out.push_str(&render(&loaded.warnings, dir));
            }
            out
        }
        Err(d) => render(&d, dir),
    }
}

fn replace_marker(bytes: Vec<u8>) -> Vec<u8> {
    let marker = "\u{FFFF}".as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i..].starts_with(marker) {
            out.push(0xFF);
            i += marker.len();
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn render(diags: &[folio::diag::Diagnostic], dir: &Path) -> String {
    let mut out = String::new();
    let prefix = format!("{}/", dir.display());
    for d in diags {
        let _ = write!(out, "{}", d.render(false).replace(&prefix, ""));
    }
    out
}

#[test]
fn loader_cases() {
    let update = std::env::var_os("UPDATE").is_some();
    let tmp = std::env::temp_dir().join(format!("folio-loader-{}", std::process::id()));
    let mut failures = Vec::new();
    let mut count = 0;
    let mut files: Vec<_> = std::fs::read_dir("tests/loader")
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "txt"))
    {
        let text = std::fs::read_to_string(file).unwrap();
        let cases = parse(&text);
        let mut updated = text.clone();
        for case in &cases {
            count += 1;
            let got = run(case, &tmp);
            let got = got.trim_end();
            if got != case.expect {
                if update {
                    let old = format!("---- expect\n{}", case.expect);
                    let start = updated.find(&format!("### {}\n", case.name)).unwrap();
                    let at = start + updated[start..].find(&old).unwrap();
                    updated.replace_range(at..at + old.len(), &format!("---- expect\n{got}"));
                } else {
                    failures.push(format!(
                        "{}: {}\n--- expected\n{}\n--- got\n{}\n",
                        file.display(),
                        case.name,
                        case.expect,
                        got
                    ));
                }
            }
        }
        if update && updated != text {
            std::fs::write(file, updated).unwrap();
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    assert!(count > 0, "no loader cases found");
    assert!(
        failures.is_empty(),
        "{} of {count} loader cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
