//! Never a panic on input: random manuscripts (Markdown-ish noise from a fixed-seed PRNG)
//! through the loader, and every one that loads through both back ends.

use folio::markdown::load_piece;
use folio::meta::Metadata;
use std::path::Path;

/// xorshift64*: a tiny deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

/// Fragments that exercise every construct the loader knows, and its error paths.
const PIECES: &[&str] = &[
    "word ",
    "Elder’s ",
    "“quote” ",
    "\"straight\" ",
    "--",
    "...",
    "*",
    "**",
    "_",
    "`",
    "[",
    "]",
    "(",
    ")",
    "{lang=es}",
    "{lang=",
    "}",
    "[^1]",
    "[^1]: note\n",
    "\n",
    "\n\n",
    "> ",
    "- ",
    "1. ",
    "# ",
    "## Title {#id}\n",
    "::: pullquote\n",
    ":::\n",
    "::: other\n",
    "```\n",
    "| a | b |\n|---|---|\n",
    "Term\n: def\n",
    "<b>",
    "<!-- c -->",
    "![alt](missing.png)",
    "[link](https://example.org)",
    "**Name:** ",
    "Q: ",
    "A: ",
    "ሀ",
    "𝔄",
    "\t",
    "  ",
    "---\n",
    "+++\n",
    "title: x\n",
    "é",
    "\u{a0}",
    "–",
    "—",
    "-",
    "supercalifragilisticexpialidocious ",
    "\r\n",
    "\\",
];

fn random_doc(rng: &mut Rng) -> String {
    let mut s = String::new();
    if rng.next().is_multiple_of(3) {
        s.push_str(rng.pick(&[
            "---\ntitle: T\n---\n",
            "+++\ntitle = \"T\"\n+++\n",
            "---\ntitle: [\n---\n",
            "---\nautor: x\n---\n",
        ]));
    }
    let n = 1 + rng.next() % 60;
    for _ in 0..n {
        s.push_str(rng.pick(PIECES));
    }
    s
}

#[test]
fn random_manuscripts_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let dir = std::env::temp_dir().join(format!("folio-robust-{}", std::process::id()));
    let mut built = 0;
    for case in 0..300 {
        let doc = random_doc(&mut rng);
        let path = Path::new("case.md");
        let result = std::panic::catch_unwind(|| load_piece(path, &doc, 0, &Metadata::default()));
        let loaded = result.unwrap_or_else(|_| panic!("loader panicked on case {case}: {doc:?}"));
        let Ok((piece, _)) = loaded else { continue };
        // Pieces that load go through the whole build, from a real folder.
        let book_dir = dir.join(format!("b{case}"));
        std::fs::create_dir_all(&book_dir).unwrap();
        std::fs::write(book_dir.join("01.md"), &doc).unwrap();
        let project = folio::project::Project::open(&book_dir).unwrap();
        let opts = folio::build::Options {
            out_dir: book_dir.join("out"),
            pdf: true,
            epub: true,
            print: Default::default(),
            pdf_standard: None,
        };
        let r = std::panic::catch_unwind(|| folio::build::build(&project, &opts, &mut |_| {}));
        assert!(r.is_ok(), "build panicked on case {case}: {doc:?}");
        let _ = piece;
        built += 1;
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        built > 30,
        "too few random cases loaded ({built}) to exercise the back ends"
    );
}
