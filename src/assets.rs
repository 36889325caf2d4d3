//! Assets: the files the manuscript names (figure images, the cover, fallback fonts), read once through the
//! [`Project`] (so the containment rules hold) before either back end runs. The typesetter
//! and the EPUB writer read them from here and never from the disk.

use crate::diag::{DiagResult, Diagnostic};
use crate::model::Book;
use crate::project::Project;
use std::collections::HashMap;
use std::sync::Arc;

/// The bytes of every file the book names, by the path as written.
#[derive(Debug, Default, Clone)]
pub struct Assets {
    files: HashMap<String, Arc<Vec<u8>>>,
}

impl Assets {
    /// Reads every figure's image and the cover; one that cannot be read is an error at the
    /// figure (or in `book.toml` for the cover).
    pub fn load(book: &Book, project: &Project) -> DiagResult<Assets> {
        let mut files = HashMap::new();
        let mut errors = Vec::new();
        let mut read = |src: &str, what: &str, at: &dyn Fn(Diagnostic) -> Diagnostic| {
            if files.contains_key(src) {
                return;
            }
            match project.resolve(src, what).map(|p| project.read_bytes(&p)) {
                // An image is what its bytes say, whatever its name: one that is no image
                // at all is refused here, where its place is known.
                Ok(Ok(bytes)) if what != "font" && crate::image::sniff(&bytes).is_none() => {
                    errors.push(at(Diagnostic::error(format!(
                        "the {what} `{src}` is not an image: its bytes are not a JPEG, PNG, GIF, WebP or SVG file"
                    ))
                    .hint("give a JPEG, PNG or SVG file")));
                }
                Ok(Ok(bytes)) => {
                    files.insert(src.to_string(), Arc::new(bytes));
                }
                Ok(Err(ds)) => errors.extend(ds),
                Err(d) => errors.push(at(d)),
            }
        };
        for piece in &book.pieces {
            for (src, span) in crate::model::figures(&piece.blocks) {
                read(src, "image", &|d| book.locate(d, span));
            }
        }
        let toml = project.book_toml().unwrap_or_else(|| project.given.clone());
        if let Some(cover) = &book.meta.cover {
            // At the `cover` key of book.toml, when it is there.
            let text = std::fs::read_to_string(&toml).unwrap_or_default();
            let at = crate::meta::find_key(&text, "cover");
            read(cover, "cover", &|d| match at {
                Some(offset) => d.at_offset(&toml, &text, offset),
                None => d.in_file(&toml),
            });
        }
        // The fallback fonts: the EPUB embeds them beside the body font.
        for font in &book.settings.pdf.fallback_fonts {
            read(font, "font", &|d| d.in_file(&toml));
        }
        if errors.is_empty() {
            Ok(Assets { files })
        } else {
            Err(errors)
        }
    }

    /// The bytes of the file written as `src`.
    pub fn get(&self, src: &str) -> Option<&Arc<Vec<u8>>> {
        self.files.get(src)
    }
}
