//! Saving a reused document by splicing: the last file's bytes in, with the objects an edit
//! replaced written again, → the bytes lopdf's own save would give, at a fraction of its cost.
//!
//! lopdf writes every object in number order, then a cross-reference table of fixed-width
//! entries (ISO 32000-1, 7.5.4), the trailer and `startxref`. When a rebuild puts new page
//! streams and a new date into the last document ([`super::Last`]), every other object's
//! bytes are those of the last file: they are copied from it, the replaced objects are
//! written by lopdf (each alone in a scratch document, so the bytes are lopdf's), the table
//! gets the new offsets, and the trailer is lopdf's again. Anything unexpected in the last
//! file gives `None`, and the caller saves with lopdf.

use std::collections::HashSet;

use lopdf::{Document, Object, ObjectId};

/// A file as last saved, with where each object and the cross-reference table start.
pub(crate) struct Saved {
    bytes: Vec<u8>,
    /// Each object's number, generation and offset, in number order (the file's order).
    objects: Vec<(ObjectId, usize)>,
    /// Where `xref` starts.
    xref: usize,
    /// Where `trailer` starts.
    trailer: usize,
    /// The table's in-use entries: where each starts in the file, and its object number.
    entries: Vec<(usize, u32)>,
}

/// The length of a cross-reference entry: `oooooooooo ggggg n \n`.
const ENTRY: usize = 20;
/// The digits of an entry's offset.
const OFFSET_DIGITS: usize = 10;

impl Saved {
    /// The file's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Reads where the objects and the table of `bytes` (a file lopdf saved) are.
    pub fn read(bytes: Vec<u8>) -> Option<Saved> {
        let xref = start_of_xref(&bytes)?;
        let trailer = xref + find(&bytes[xref..], b"trailer\n")?;
        let mut table = bytes.get(xref..trailer)?.strip_prefix(b"xref\n")?;
        let mut at = xref + b"xref\n".len();
        let mut objects = Vec::new();
        let mut entries = Vec::new();
        while !table.is_empty() {
            let line_end = find(table, b"\n")?;
            let line = std::str::from_utf8(&table[..line_end]).ok()?;
            let (first, count) = line.split_once(' ')?;
            let (first, count): (u32, usize) = (first.parse().ok()?, count.parse().ok()?);
            table = &table[line_end + 1..];
            at += line_end + 1;
            for k in 0..count {
                let entry = table.get(k * ENTRY..(k + 1) * ENTRY)?;
                let text = std::str::from_utf8(entry).ok()?;
                if text.as_bytes()[ENTRY - 3] == b'n' {
                    let offset: usize = text[..OFFSET_DIGITS].parse().ok()?;
                    let generation: u16 =
                        text[OFFSET_DIGITS + 1..OFFSET_DIGITS + 6].parse().ok()?;
                    let id = first + k as u32;
                    objects.push(((id, generation), offset));
                    entries.push((at + k * ENTRY, id));
                }
            }
            table = &table[count * ENTRY..];
            at += count * ENTRY;
        }
        objects.sort_unstable();
        Some(Saved {
            bytes,
            objects,
            xref,
            trailer,
            entries,
        })
    }
}

/// The file lopdf would save for `doc`, which is the document `saved` was saved from with
/// the objects `changed` replaced (and a new trailer), with where its objects and table
/// are; `None` when the two do not hold the same objects in the same order. The objects
/// between two replaced ones are copied in one piece, and only the table entries of
/// objects that moved are written again.
pub(crate) fn splice(doc: &Document, saved: &Saved, changed: &HashSet<ObjectId>) -> Option<Saved> {
    if doc.objects.len() != saved.objects.len()
        || !doc
            .objects
            .keys()
            .zip(&saved.objects)
            .all(|(a, (b, _))| a == b)
    {
        return None;
    }
    let first = saved.objects.first()?.1;
    let mut out = Vec::with_capacity(saved.bytes.len() + saved.bytes.len() / 8);
    out.extend_from_slice(saved.bytes.get(..first)?);
    let mut objects = Vec::with_capacity(saved.objects.len());
    // Where in the last file the run of unchanged objects being passed over began.
    let mut run: Option<usize> = None;
    for ((id, object), &(_, old)) in doc.objects.iter().zip(&saved.objects) {
        if changed.contains(id) {
            if let Some(from) = run.take() {
                out.extend_from_slice(saved.bytes.get(from..old)?);
            }
            objects.push((*id, out.len()));
            out.extend_from_slice(&alone(doc, *id, object)?);
        } else {
            let from = *run.get_or_insert(old);
            objects.push((*id, out.len() + (old - from)));
        }
    }
    if let Some(from) = run {
        out.extend_from_slice(saved.bytes.get(from..saved.xref)?);
    }
    let xref = out.len();
    out.extend_from_slice(saved.bytes.get(saved.xref..saved.trailer)?);
    let entries: Vec<(usize, u32)> = saved
        .entries
        .iter()
        .map(|&(at, id)| (at - saved.xref + xref, id))
        .collect();
    // The entries and the objects are both in number order.
    let mut offsets = objects.iter().zip(&saved.objects);
    for &(at, id) in &entries {
        let (((number, _), new), (_, old)) = offsets.find(|(((n, _), _), _)| *n == id)?;
        debug_assert_eq!(*number, id);
        if new != old {
            zero_padded(*new, out.get_mut(at..at + OFFSET_DIGITS)?)?;
        }
    }
    let trailer = out.len();
    out.extend_from_slice(&trailer_of(doc)?);
    out.extend_from_slice(format!("\nstartxref\n{xref}\n%%EOF").as_bytes());
    Some(Saved {
        bytes: out,
        objects,
        xref,
        trailer,
        entries,
    })
}

/// Writes `value` into `digits` in decimal, padded with zeros (as a table entry's offset);
/// `None` if it does not fit.
fn zero_padded(mut value: usize, digits: &mut [u8]) -> Option<()> {
    for d in digits.iter_mut().rev() {
        *d = b'0' + (value % 10) as u8;
        value /= 10;
    }
    (value == 0).then_some(())
}

/// `object` as lopdf writes it in a file (`N G obj … endobj\n`): saved alone in a scratch
/// document, and cut out of it.
fn alone(doc: &Document, id: ObjectId, object: &Object) -> Option<Vec<u8>> {
    let mut scratch = scratch(doc);
    scratch.objects.insert(id, object.clone());
    scratch.max_id = id.0;
    let mut bytes = Vec::new();
    scratch.save_to(&mut bytes).ok()?;
    let saved = Saved::read(bytes)?;
    let start = saved.objects.first()?.1;
    saved.bytes.get(start..saved.xref).map(<[u8]>::to_vec)
}

/// `doc`'s trailer as lopdf writes it (`trailer\n<<…>>`), from a scratch document with the
/// same trailer and object count.
fn trailer_of(doc: &Document) -> Option<Vec<u8>> {
    let mut scratch = scratch(doc);
    scratch.trailer = doc.trailer.clone();
    scratch.max_id = doc.max_id;
    let mut bytes = Vec::new();
    scratch.save_to(&mut bytes).ok()?;
    let start = find(&bytes, b"trailer\n")?;
    let end = start + find(&bytes[start..], b"\nstartxref\n")?;
    bytes.get(start..end).map(<[u8]>::to_vec)
}

/// An empty document saved as `doc` is (version, kind of cross-reference).
fn scratch(doc: &Document) -> Document {
    let mut scratch = Document::with_version(doc.version.clone());
    scratch.reference_table.cross_reference_type = doc.reference_table.cross_reference_type;
    scratch
}

/// Where the cross-reference table starts, from the file's last `startxref`.
fn start_of_xref(bytes: &[u8]) -> Option<usize> {
    let tail = bytes.get(bytes.len().saturating_sub(64)..)?;
    let at = tail.windows(10).rposition(|w| w == b"startxref\n")?;
    let number = std::str::from_utf8(&tail[at + 10..]).ok()?;
    number.split('\n').next()?.trim().parse().ok()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Dictionary, Stream};

    fn doc() -> Document {
        let mut doc = Document::with_version("1.7");
        // As printpdf's documents are: a cross-reference table, not a stream.
        doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;
        for k in 0..12 {
            let stream = Stream::new(Dictionary::new(), format!("BT ({k}) Tj ET").into_bytes());
            doc.add_object(stream);
        }
        let mut info = Dictionary::new();
        info.set("Title", Object::string_literal("Twelve"));
        let id = doc.add_object(info);
        doc.trailer.set("Info", Object::Reference(id));
        doc.trailer
            .set("ID", Object::Array(vec![Object::string_literal("a")]));
        doc
    }

    /// `d` saved by lopdf, read back.
    fn saved(d: &mut Document) -> Saved {
        let mut bytes = Vec::new();
        d.save_to(&mut bytes).unwrap();
        Saved::read(bytes).unwrap()
    }

    #[test]
    fn a_spliced_file_is_the_file_lopdf_saves() {
        let mut d = doc();
        let saved = saved(&mut d);
        // Replace two objects, one much longer than before, and the trailer's ID.
        let long = Stream::new(Dictionary::new(), vec![b'x'; 5000]);
        d.objects.insert((3, 0), Object::Stream(long));
        d.objects
            .insert((13, 0), Object::string_literal("a new date"));
        d.trailer
            .set("ID", Object::Array(vec![Object::string_literal("b")]));
        let changed: HashSet<ObjectId> = [(3, 0), (13, 0)].into();
        let spliced = splice(&d, &saved, &changed).unwrap();
        let mut expected = Vec::new();
        d.save_to(&mut expected).unwrap();
        assert!(
            spliced.bytes == expected,
            "the spliced bytes differ from lopdf's"
        );
        // Where the objects and the table are, as a reading of the file finds them.
        let read = Saved::read(expected).unwrap();
        assert_eq!(spliced.objects, read.objects);
        assert_eq!(spliced.entries, read.entries);
        assert_eq!((spliced.xref, spliced.trailer), (read.xref, read.trailer));
        // And spliced again (a second edit), from the spliced file.
        d.objects.insert((5, 0), Object::string_literal("short"));
        let again = splice(&d, &spliced, &[(5, 0)].into()).unwrap();
        let mut expected = Vec::new();
        d.save_to(&mut expected).unwrap();
        assert!(
            again.bytes == expected,
            "a second splice differs from lopdf's"
        );
    }

    #[test]
    fn another_set_of_objects_is_not_spliced() {
        let mut d = doc();
        let saved = saved(&mut d);
        d.add_object(Object::Integer(7));
        assert!(splice(&d, &saved, &HashSet::new()).is_none());
    }
}
