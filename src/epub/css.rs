//! The EPUB stylesheet: readable everywhere and overridable by the reader — relative sizes
//! only (no px font sizes), no colours or backgrounds forced on text, justified and
//! hyphenated by each element's language. The OFL body font only when the settings ask.

/// The embedded faces: (file name inside the package, bytes, CSS font-style, font-weight).
/// Bold is there for speakers' names, table headers and defined terms, so no reader
/// synthesises a fake bold.
pub const FONTS: [(&str, &[u8], &str, &str); 3] = [
    (
        "fonts/EBGaramond-Regular.ttf",
        include_bytes!("../../fonts/EBGaramond-Regular.ttf"),
        "normal",
        "normal",
    ),
    (
        "fonts/EBGaramond-Italic.ttf",
        include_bytes!("../../fonts/EBGaramond-Italic.ttf"),
        "italic",
        "normal",
    ),
    (
        "fonts/EBGaramond-Bold.ttf",
        include_bytes!("../../fonts/EBGaramond-Bold.ttf"),
        "normal",
        "bold",
    ),
];

/// The code face, embedded with the body font when the book has code.
/// Where the `k`-th fallback font (`[pdf] fallback-fonts`) goes in the package: an
/// OpenType file with CFF outlines (`OTTO`) as `.otf`, any other as `.ttf`.
pub fn fallback_href(k: usize, bytes: &[u8]) -> String {
    let ext = if bytes.starts_with(b"OTTO") {
        "otf"
    } else {
        "ttf"
    };
    format!("{FALLBACK_PREFIX}{}.{ext}", k + 1)
}

/// The fallback fonts' file names in the package start so.
pub const FALLBACK_PREFIX: &str = "fonts/fallback-";
/// …and their families are named so, numbered in the order they are tried.
const FALLBACK_FAMILY: &str = "folio fallback";

pub const MONO: (&str, &[u8]) = (
    "fonts/JetBrainsMono-Regular.ttf",
    include_bytes!("../../fonts/JetBrainsMono-Regular.ttf"),
);

const BASE: &str = r#"
/* Older reading systems (RMSDK, MuPDF) have no HTML5 defaults for these. */
article, aside, figure, figcaption, footer, header, nav, section { display: block; }

/* The reader's own line height and side margins (Kindle Publishing Guidelines). */
body {
  /* Hyphenation follows each element's lang/xml:lang (foreign terms included). */
  -epub-hyphens: auto;
  -webkit-hyphens: auto;
  hyphens: auto;
  widows: 2;
  orphans: 2;
  /* A word wider than the screen (a web address, a long identifier) breaks where it
     must rather than push the page sideways on a phone. */
  overflow-wrap: break-word;
  word-wrap: break-word;
}

h1, h2, h3, h4, h5, h6 {
  font-weight: normal;
  line-height: 1.2;
  text-align: left;
  -epub-hyphens: none;
  -webkit-hyphens: none;
  hyphens: none;
  page-break-after: avoid;
  break-after: avoid;
}
h1 { font-size: 1.8em; margin: 0.5em 0 0.3em; }
h2 { font-size: 1.35em; margin: 1.5em 0 0.5em; }
h3 { font-size: 1.15em; margin: 1.2em 0 0.4em; font-style: italic; }
h4, h5, h6 { font-size: 1em; margin: 1em 0 0.3em; font-variant: small-caps; }

/* Paragraphs justified and hyphenated, as a printed book's are: a plain rule, since
   Kindle's converters (and calibre) drop what sits inside @supports; a reader's own
   choice of alignment still wins. */
p { margin: 0; text-indent: 1.2em; text-align: justify; }
header + p, h1 + p, h2 + p, h3 + p, h4 + p, h5 + p, h6 + p, hr + p,
aside + p, blockquote + p, figure + p, div.table + p, ul + p, ol + p, dl + p, pre + p,
li > p, dd > p, aside > p, blockquote > p, section > p { text-indent: 0; }

header { margin: 1em 0 1.5em; }
header p { text-indent: 0; }
.kicker { font-variant: small-caps; letter-spacing: 0.08em; margin-bottom: 0.5em; text-indent: 0; }
.subtitle { font-size: 1.15em; font-style: italic; line-height: 1.3; text-align: left; margin: 0.3em 0 1em; }
.standfirst { font-size: 1.05em; margin: 0 0 1em; text-align: left; }
.byline { font-variant: small-caps; letter-spacing: 0.04em; text-align: left; }

/* Interviews: each turn is its own paragraph, speaker set off in bold. */
p.turn { text-indent: 0; margin-top: 0.6em; }
.speaker { font-weight: bold; }
p.question { font-style: italic; }
p.question .speaker { font-style: normal; }

/* Pull quotes repeat a line of the text; set apart, not hidden from anyone. */
aside.pullquote {
  margin: 1.2em 1.5em;
  padding: 0.4em 0;
  border-top: 1px solid;
  border-bottom: 1px solid;
  font-size: 1.2em;
  font-style: italic;
  line-height: 1.3;
  text-align: center;
  -epub-hyphens: none;
  -webkit-hyphens: none;
  hyphens: none;
  page-break-inside: avoid;
  break-inside: avoid;
}

blockquote { margin: 1em 1.5em; }
i.foreign { font-style: italic; }
em i.foreign, i.foreign em { font-style: normal; }

/* Nothing below 0.8 em; no rule over the notes (Apple Books hides the note asides and
   would leave the rule alone on the page). */
a.noteref { vertical-align: super; font-size: 0.8em; line-height: 0; }
section.footnotes { margin-top: 2em; font-size: 0.9em; }
aside.footnote p { text-indent: 0; margin-bottom: 0.4em; }

hr { margin: 1.5em auto; width: 25%; border: 0; border-top: 1px solid; }
ul, ol { margin: 0.8em 0 0.8em 1.5em; padding: 0; }
dl { margin: 0.8em 0; }
dt { font-weight: bold; }
dd { margin: 0 0 0.5em 1.5em; }
pre { margin: 1em 0; white-space: pre-wrap; font-size: 0.85em; text-align: left; -epub-hyphens: none; -webkit-hyphens: none; hyphens: none; tab-size: 4; -moz-tab-size: 4; }
code, kbd { font-family: monospace; font-variant-ligatures: none; white-space: pre-wrap; }

/* A table wider than a phone's screen scrolls sideways inside its own box; the page
   itself never does, and nothing is cut off. */
div.table { margin: 1em 0; max-width: 100%; overflow-x: auto; }
table { margin: 0 auto; border-collapse: collapse; text-align: left; -epub-hyphens: none; -webkit-hyphens: none; hyphens: none; }
th, td { padding: 0.2em 0.6em; vertical-align: top; border-bottom: 1px solid; }
th { font-weight: bold; }
.left { text-align: left; }
.center { text-align: center; }
.right { text-align: right; }

figure { margin: 1.5em 0; text-align: center; page-break-inside: avoid; break-inside: avoid; }
/* No taller than the screen, caption included; never distorted. */
figure img { display: block; margin: 0 auto; max-width: 100%; height: auto; max-height: 85vh; object-fit: contain; }
figcaption { font-size: 0.9em; font-style: italic; margin-top: 0.5em; }

/* Cover and title page. */
section.cover { text-align: center; }
/* A supplied cover fits one screen: never split, never taller than the viewport (the
   percentage first, for readers without viewport units). */
section.cover img {
  max-width: 100%;
  height: auto;
  max-height: 95%;
  max-height: 100vh;
  page-break-inside: avoid;
  break-inside: avoid;
}
section.typographic { margin-top: 25%; }
.cover-title { font-size: 2.2em; line-height: 1.15; text-indent: 0; margin-bottom: 0.6em; }
.cover-subtitle { font-size: 1.2em; font-style: italic; text-indent: 0; margin-bottom: 2em; }
.cover-byline, .cover-publisher { font-variant: small-caps; letter-spacing: 0.06em; text-indent: 0; }
.cover-publisher { margin-top: 3em; }
section.titlepage { text-align: center; margin-top: 20%; }
section.titlepage h1 { text-align: center; }
section.titlepage p { text-align: center; text-indent: 0; }
section.imprint { margin-top: 4em; font-size: 0.85em; text-align: center; }
section.imprint p { text-indent: 0; text-align: center; }

nav ol { list-style: none; margin-left: 0; }
nav ol ol { margin-left: 1.5em; }
"#;

/// The stylesheet; with `embed_fonts`, `@font-face` rules for the embedded faces come first
/// and the body asks for them (a reader's own font setting still wins); with `mono` too, the
/// code face for code.
pub fn stylesheet(embed_fonts: bool, mono: bool, fallbacks: &[&str]) -> String {
    if !embed_fonts {
        return BASE.to_string();
    }
    // The fallback fonts, each its own family, after the face in every stack.
    let mut stack = String::new();
    let mut faces = String::new();
    for (k, href) in fallbacks.iter().enumerate() {
        let file = href.trim_start_matches("fonts/");
        let family = format!("{FALLBACK_FAMILY} {}", k + 1);
        faces += &format!(
            "@font-face {{\n  font-family: \"{family}\";\n  src: url(\"fonts/{file}\");\n}}\n\n"
        );
        stack += &format!(", \"{family}\"");
    }
    let mut s = String::new();
    let body = BASE.find("\nbody {").map(|i| i + 1).unwrap_or(0);
    s.push_str(&BASE[..body]);
    for (href, _, style, weight) in FONTS {
        let file = href.trim_start_matches("fonts/");
        s += &format!(
            "@font-face {{\n  font-family: \"EB Garamond\";\n  font-style: {style};\n  font-weight: {weight};\n  src: url(\"fonts/{file}\");\n}}\n\n"
        );
    }
    s.push_str(&faces);
    s += &format!("body {{ font-family: \"EB Garamond\"{stack}, serif; }}\n\n");
    if mono {
        let file = MONO.0.trim_start_matches("fonts/");
        s += &format!(
            "@font-face {{\n  font-family: \"JetBrains Mono\";\n  font-style: normal;\n  font-weight: normal;\n  src: url(\"fonts/{file}\");\n}}\n\n"
        );
        s +=
            &format!("code, kbd, pre {{ font-family: \"JetBrains Mono\"{stack}, monospace; }}\n\n");
    }
    s.push_str(&BASE[body..]);
    s
}
