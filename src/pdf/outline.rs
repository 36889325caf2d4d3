//! Navigation: [`OutlineEntry`]s and [`PageLabelRange`]s in → a nested `/Outlines` tree and a
//! `/PageLabels` number tree in the lopdf document out. printpdf's own bookmarks are flat and
//! sorted by name, so the outline is written here instead.

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::PdfError;
use super::metadata::text_string;
use crate::typeset::frame::{Destination, LabelStyle, OutlineEntry, PageLabelRange};

/// Where a destination lands: `[page /XYZ null top null]` (keep the zoom and left edge).
/// `pages[i]` is page i's object id and its top edge in PDF space minus the y origin.
pub(crate) fn dest_array(dest: Destination, pages: &[(ObjectId, f32)]) -> Result<Object, PdfError> {
    let &(id, top) = pages
        .get(dest.page)
        .ok_or(PdfError::NoSuchPage(dest.page))?;
    Ok(Object::Array(vec![
        Object::Reference(id),
        Object::Name(b"XYZ".to_vec()),
        Object::Null,
        Object::Real(top - dest.y),
        Object::Null,
    ]))
}

struct Node {
    parent: Option<usize>,
    children: Vec<usize>,
}

/// Writes the outline and returns the `/Outlines` object id (`None` when there are no entries).
/// A deeper level nests under the nearest preceding entry of a lower level; levels may skip.
pub(crate) fn write_outline(
    doc: &mut Document,
    entries: &[OutlineEntry],
    pages: &[(ObjectId, f32)],
) -> Result<Option<ObjectId>, PdfError> {
    if entries.is_empty() {
        return Ok(None);
    }
    let mut nodes: Vec<Node> = Vec::with_capacity(entries.len());
    let mut top_level: Vec<usize> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        while stack.last().is_some_and(|&s| entries[s].level >= e.level) {
            stack.pop();
        }
        let parent = stack.last().copied();
        match parent {
            Some(p) => nodes[p].children.push(i),
            None => top_level.push(i),
        }
        nodes.push(Node {
            parent,
            children: Vec::new(),
        });
        stack.push(i);
    }

    let root = doc.new_object_id();
    let ids: Vec<ObjectId> = entries.iter().map(|_| doc.new_object_id()).collect();
    // Every entry is open, so an item's Count is the number of its descendants.
    let mut descendants = vec![0i64; entries.len()];
    for i in (0..entries.len()).rev() {
        if let Some(p) = nodes[i].parent {
            descendants[p] += 1 + descendants[i];
        }
    }
    let siblings_of = |i: usize| -> &[usize] {
        match nodes[i].parent {
            Some(p) => &nodes[p].children,
            None => &top_level,
        }
    };
    for (i, e) in entries.iter().enumerate() {
        let mut d = Dictionary::new();
        d.set("Title", text_string(&e.title));
        d.set(
            "Parent",
            Object::Reference(nodes[i].parent.map_or(root, |p| ids[p])),
        );
        let sibs = siblings_of(i);
        let pos = sibs.iter().position(|&s| s == i).unwrap_or(0);
        if pos > 0 {
            d.set("Prev", Object::Reference(ids[sibs[pos - 1]]));
        }
        if let Some(&next) = sibs.get(pos + 1) {
            d.set("Next", Object::Reference(ids[next]));
        }
        if let (Some(&first), Some(&last)) = (nodes[i].children.first(), nodes[i].children.last()) {
            d.set("First", Object::Reference(ids[first]));
            d.set("Last", Object::Reference(ids[last]));
            d.set("Count", Object::Integer(descendants[i]));
        }
        d.set("Dest", dest_array(e.dest, pages)?);
        doc.objects.insert(ids[i], Object::Dictionary(d));
    }
    let mut r = Dictionary::new();
    r.set("Type", Object::Name(b"Outlines".to_vec()));
    if let (Some(&first), Some(&last)) = (top_level.first(), top_level.last()) {
        r.set("First", Object::Reference(ids[first]));
        r.set("Last", Object::Reference(ids[last]));
    }
    r.set("Count", Object::Integer(entries.len() as i64));
    doc.objects.insert(root, Object::Dictionary(r));
    Ok(Some(root))
}

/// The `/PageLabels` number tree (a single flat node), or `None` without ranges.
pub(crate) fn page_labels(ranges: &[PageLabelRange], page_count: usize) -> Option<Dictionary> {
    let mut ranges: Vec<&PageLabelRange> = ranges.iter().filter(|r| r.start < page_count).collect();
    if ranges.is_empty() {
        return None;
    }
    ranges.sort_by_key(|r| r.start);
    ranges.dedup_by_key(|r| r.start);
    let mut nums = Vec::new();
    // The tree must cover page 0; unlabelled leading pages get arabic numbers from 1.
    if ranges[0].start != 0 {
        let mut d = Dictionary::new();
        d.set("S", Object::Name(b"D".to_vec()));
        nums.push(Object::Integer(0));
        nums.push(Object::Dictionary(d));
    }
    for r in ranges {
        let mut d = Dictionary::new();
        let style: Option<&[u8]> = match r.style {
            LabelStyle::Arabic => Some(b"D"),
            LabelStyle::LowerRoman => Some(b"r"),
            LabelStyle::None => None,
        };
        if let Some(s) = style {
            d.set("S", Object::Name(s.to_vec()));
            // /St must be at least 1.
            d.set("St", Object::Integer(i64::from(r.first.max(1))));
        }
        nums.push(Object::Integer(r.start as i64));
        nums.push(Object::Dictionary(d));
    }
    let mut tree = Dictionary::new();
    tree.set("Nums", Object::Array(nums));
    Some(tree)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(title: &str, level: usize) -> OutlineEntry {
        OutlineEntry {
            title: title.to_string(),
            level,
            dest: Destination { page: 0, y: 10.0 },
        }
    }

    #[test]
    fn levels_nest_and_may_skip() {
        let mut doc = Document::with_version("1.7");
        let page = doc.new_object_id();
        let entries = [e("A", 0), e("A.1.1", 2), e("A.2", 1), e("B", 0)];
        let root = write_outline(&mut doc, &entries, &[(page, 100.0)])
            .unwrap()
            .unwrap();
        let get = |id: ObjectId| doc.get_dictionary(id).unwrap();
        let first = get(root).get(b"First").unwrap().as_reference().unwrap();
        let a = get(first);
        assert_eq!(a.get(b"Count").unwrap().as_i64().unwrap(), 2);
        let a1 = get(a.get(b"First").unwrap().as_reference().unwrap());
        let a2 = get(a1.get(b"Next").unwrap().as_reference().unwrap());
        assert_eq!(a2.get(b"Title").unwrap(), &text_string("A.2"));
        let b = get(a.get(b"Next").unwrap().as_reference().unwrap());
        assert_eq!(b.get(b"Title").unwrap(), &text_string("B"));
        let dest = a.get(b"Dest").unwrap().as_array().unwrap();
        assert_eq!(dest[3], Object::Real(90.0));
        assert!(write_outline(&mut doc, &[e("x", 0)], &[]).is_err());
    }

    #[test]
    fn labels_cover_page_zero() {
        let ranges = [PageLabelRange {
            start: 2,
            style: LabelStyle::None,
            first: 0,
        }];
        let tree = page_labels(&ranges, 5).unwrap();
        let nums = tree.get(b"Nums").unwrap().as_array().unwrap();
        assert_eq!(nums.len(), 4);
        assert_eq!(nums[0], Object::Integer(0));
        assert_eq!(nums[2], Object::Integer(2));
        assert!(page_labels(&ranges, 2).is_none());
    }
}
