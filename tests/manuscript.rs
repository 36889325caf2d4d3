//! The default manuscript is the seed interview word for word.

use folio::model::{Block, plain_text};
use folio::project::Project;
use std::path::Path;

fn seed() -> Option<String> {
    std::fs::read_to_string("../shared/seed/000_2781d117f5567d17.txt").ok()
}

#[test]
fn manuscript_is_the_seed_word_for_word() {
    let Some(seed) = seed() else {
        // In CI the seed is beside the clone: missing there, the test fails; elsewhere it
        // says loudly that it checked nothing.
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/seed/000_2781d117f5567d17.txt is missing, and CI must check the manuscript"
        );
        eprintln!(
            "SKIPPED: manuscript_is_the_seed_word_for_word checked nothing: \
             ../shared/seed/000_2781d117f5567d17.txt not found beside the repository"
        );
        return;
    };
    let paras: Vec<&str> = seed
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let project = Project::open(Path::new("manuscript")).unwrap();
    let book = folio::markdown::load(&project).unwrap().book;
    assert_eq!(book.pieces.len(), 1);
    let piece = &book.pieces[0];
    // Line 1 is the kicker ("• Interviews"), line 2 the headline "Title: Subtitle".
    assert_eq!(
        format!("• {}", piece.meta.kicker.as_deref().unwrap()),
        paras[0]
    );
    let headline = format!(
        "{}: {}",
        piece.meta.title.as_deref().unwrap(),
        piece.meta.subtitle.as_deref().unwrap()
    );
    assert_eq!(headline, paras[1]);
    let body: Vec<String> = piece
        .blocks
        .iter()
        .filter_map(|b| match b {
            // The typographic pass turns some spaces into no-break spaces (before a spaced
            // dash): the same words, set so no line starts with the dash.
            Block::Paragraph { content, .. } => Some(plain_text(content).replace('\u{a0}', " ")),
            _ => None,
        })
        .collect();
    assert_eq!(body.len(), paras.len() - 2);
    for (got, want) in body.iter().zip(&paras[2..]) {
        assert_eq!(got.trim(), *want);
    }
    let pullquotes = piece
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::PullQuote { .. }))
        .count();
    assert!((2..=3).contains(&pullquotes));
}
