//! A novel-length manuscript for the benchmark: seed → a folio book folder (book.toml +
//! chapter files), always the same bytes for the same seed.
//!
//! The text is made of sentences, not word salad, so hyphenation and justification do the
//! work they do on real prose: most sentences come from templates over an embedded English
//! vocabulary (determiners, adjectives, nouns, verbs in the past tense, prepositions), the
//! rest from a bigram walk over the words of `manuscript/*.md`. Paragraphs vary from one
//! line of dialogue to long descriptive blocks; there are `## ` section headings, a few
//! footnotes, italic Spanish terms (`*palabra*{lang=es}`), curly quotes, apostrophes and
//! dashes.
//!
//! A real novel has a larger vocabulary (10,000+ word forms against about 3,000 here), so
//! the shaping cache hits more often here than it would there.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// xorshift64* (Vigna): tiny, fast and good enough for choosing words.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next() >> 11) % n as u64) as usize
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// An element, the first ones more often (roughly Zipfian: the index is n·u²).
    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        list[((u * u * list.len() as f64) as usize).min(list.len() - 1)]
    }

    /// An element, uniformly.
    pub fn any<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

/// What was generated.
pub struct Novel {
    pub words: usize,
    pub chapters: usize,
}

#[rustfmt::skip]
const NAMES: &[&str] = &[
    "Elder", "Mama Pancha", "Max", "Ines", "Tomás", "Rosa", "Julio", "Aurelia", "the doctor",
    "the old woman", "the boy", "his godmother", "the driver", "Señora Quispe", "Lucía",
    "Mateo",
];

#[rustfmt::skip]
const DETERMINERS: &[&str] = &[
    "the", "the", "the", "a", "his", "her", "their", "that", "this", "every", "one", "another",
    "some", "no", "its", "our",
];

#[rustfmt::skip]
const ADJECTIVES: &[&str] = &[
    "old", "small", "long", "dark", "quiet", "narrow", "heavy", "bright", "cold", "empty",
    "distant", "familiar", "ordinary", "broken", "patient", "crooked", "enormous", "gentle",
    "bitter", "careful", "restless", "silent", "faded", "weathered", "unfinished", "impossible",
    "invisible", "remarkable", "unexpected", "magnificent", "melancholy", "ceremonial",
    "extraordinary", "uncomfortable", "inexplicable", "indifferent", "provisional",
    "mountainous", "industrial", "municipal", "traditional", "mysterious", "luminous",
    "treacherous", "reluctant", "solitary", "tremendous", "sympathetic", "intermittent",
    "translucent", "abandoned", "crowded", "dusty", "golden", "hollow", "wooden", "yellow",
    "grey", "blue", "red", "white", "black", "green", "warm", "thin", "tired", "young",
    "ancient", "peculiar", "shallow", "steep", "wide", "endless", "strange", "simple",
    "stubborn", "fragile", "elaborate", "anxious", "humble", "immense", "sudden", "various",
    "uncertain", "obstinate", "respectable", "unremarkable", "imperceptible", "conspicuous",
    "irregular", "sorrowful", "affectionate", "complicated", "dangerous", "beautiful",
    "terrible", "wonderful", "difficult", "important", "necessary", "particular", "curious",
    "polished", "trembling", "sleeping", "flickering", "shimmering", "whispering", "sprawling",
    "neighbouring", "approaching", "disappearing", "overwhelming", "unspoken", "forgotten",
    "hidden", "borrowed", "painted", "frozen", "scattered", "tangled", "withered", "rusted",
    "embroidered", "corrugated", "unrecognisable", "incomprehensible", "disproportionate",
];

#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "house", "street", "window", "door", "city", "mountain", "road", "market", "mine",
    "hillside", "river", "bridge", "room", "table", "chair", "letter", "voice", "face", "hand",
    "shadow", "morning", "evening", "night", "afternoon", "silence", "wind", "light", "dust",
    "smoke", "stone", "wall", "roof", "courtyard", "corridor", "staircase", "kitchen", "garden",
    "field", "valley", "village", "station", "train", "bus", "truck", "cable car", "newspaper",
    "photograph", "camera", "film", "story", "memory", "dream", "promise", "question", "answer",
    "problem", "reason", "moment", "minute", "hour", "week", "season", "winter", "summer",
    "harvest", "festival", "procession", "ceremony", "offering", "candle", "blanket", "basket",
    "bottle", "glass", "cup", "bowl", "spoon", "knife", "coat", "hat", "shoe", "pocket", "coin",
    "ticket", "key", "lock", "box", "bag", "rope", "ladder", "shovel", "lantern", "helmet",
    "engine", "machine", "factory", "workshop", "office", "church", "hospital", "pharmacy",
    "school", "teacher", "doctor", "shaman", "miner", "worker", "neighbour", "stranger",
    "brother", "sister", "mother", "father", "daughter", "son", "friend", "child", "woman",
    "man", "crowd", "policeman", "soldier", "merchant", "vendor", "musician", "priest",
    "godmother", "witness", "traveller", "companion", "conversation", "argument",
    "disagreement", "explanation", "consideration", "understanding", "recollection",
    "circumstance", "opportunity", "responsibility", "possibility", "disappointment",
    "astonishment", "resemblance", "neighbourhood", "countryside", "atmosphere", "temperature",
    "altitude", "landscape", "horizon", "cloud", "storm", "rain", "snow", "frost", "sun",
    "moon", "star", "sky", "earth", "ground", "floor", "ceiling", "corner", "edge", "surface",
    "distance", "direction", "journey", "departure", "arrival", "return", "absence", "presence",
    "illness", "fever", "breath", "heartbeat", "body", "shoulder", "finger", "eye", "mouth",
    "forehead", "knee", "spine", "bone", "medicine", "remedy", "herb", "leaf", "flower", "tree",
    "branch", "root", "seed", "animal", "dog", "bird", "horse", "donkey", "llama", "sheep",
    "insect", "bell", "clock", "radio", "television", "telephone", "mirror", "painting",
    "poster", "sign", "map", "notebook", "pencil", "book", "page", "word", "sentence", "name",
    "song", "prayer", "rumour", "secret", "habit", "custom", "tradition", "history",
    "government", "protest", "demonstration", "strike", "wage", "debt", "price", "bargain",
    "contract", "permission", "certificate", "document", "apartment", "building", "tower",
    "avenue", "plaza", "square", "fountain", "monument", "cemetery", "tunnel", "shaft",
    "quarry", "mineral", "metal", "silver", "tin", "copper", "gold", "iron", "concrete",
    "cement", "brick", "tile", "plank",
];

/// Verbs in the past tense that take an object.
#[rustfmt::skip]
const VERBS: &[&str] = &[
    "opened", "closed", "carried", "watched", "remembered", "forgot", "found", "lost", "held",
    "touched", "noticed", "followed", "crossed", "climbed", "left", "reached", "pushed",
    "pulled", "lifted", "dropped", "brought", "took", "gave", "kept", "saw", "heard",
    "understood", "imagined", "described", "considered", "examined", "recognised", "abandoned",
    "collected", "arranged", "repaired", "painted", "cleaned", "counted", "measured", "studied",
    "photographed", "filmed", "interrupted", "accompanied", "surrounded", "illuminated",
    "contemplated", "investigated", "disappointed", "encouraged", "questioned", "answered",
    "refused", "accepted", "borrowed", "returned", "searched", "discovered", "uncovered",
    "wrapped", "folded", "buried", "planted", "gathered", "scattered", "offered", "promised",
    "ignored", "admired", "feared", "trusted", "distrusted", "resented", "forgave", "recorded",
    "translated", "explained", "misunderstood", "rearranged", "reconsidered", "approached",
    "avoided", "defended",
];

/// Verbs in the past tense without an object.
#[rustfmt::skip]
const VERBS_INTRANSITIVE: &[&str] = &[
    "waited", "walked", "slept", "laughed", "smiled", "hesitated", "listened", "breathed",
    "coughed", "trembled", "shivered", "disappeared", "returned", "arrived", "departed",
    "wandered", "lingered", "stumbled", "paused", "whispered", "shouted", "sang", "prayed",
    "wept", "stayed", "remained", "continued", "stopped", "began", "happened", "changed",
    "collapsed", "recovered", "worsened", "improved", "vanished", "reappeared", "sat down",
    "stood up", "looked away", "turned round", "went home", "fell asleep", "woke up",
];

#[rustfmt::skip]
const ADVERBS: &[&str] = &[
    "slowly", "quietly", "suddenly", "carefully", "finally", "again", "already", "still",
    "never", "always", "almost", "perhaps", "certainly", "gradually", "immediately",
    "reluctantly", "patiently", "silently", "anxiously", "deliberately", "unexpectedly",
    "eventually", "occasionally", "apparently", "particularly", "nevertheless", "meanwhile",
    "afterwards", "somewhere", "nowhere", "together", "alone", "outside", "inside", "upstairs",
    "downstairs", "tomorrow", "yesterday", "tonight", "once more",
];

#[rustfmt::skip]
const PREPOSITIONS: &[&str] = &[
    "in", "on", "at", "under", "over", "beside", "behind", "beyond", "across", "through",
    "towards", "against", "along", "around", "between", "among", "near", "inside", "outside",
    "above", "below", "without", "with", "into", "from", "after", "before", "during", "until",
];

#[rustfmt::skip]
const CONJUNCTIONS: &[&str] = &[
    "and", "and", "but", "while", "because", "though", "as", "until", "when", "before", "after",
    "although", "since", "whereas", "so that", "as if",
];

const SUBJECTS: &[&str] = &["he", "she", "they", "I", "we", "it", "nobody", "everyone"];

#[rustfmt::skip]
const SAID: &[&str] = &[
    "she said", "he said", "said Elder", "said Mama Pancha", "Max said", "she whispered",
    "he answered", "she asked", "he replied", "said the doctor", "Rosa said", "he murmured",
];

#[rustfmt::skip]
const CONTRACTIONS: &[&str] = &[
    "I don’t know", "it isn’t far", "we can’t stay", "you’re late", "that’s enough",
    "there’s nothing", "I’ve seen it", "he won’t come", "she’d gone", "it’s cold", "let’s go",
    "don’t worry", "I’m tired", "you’ll see",
];

/// Spanish (and a few Quechua and Aymara) words set in italics with `{lang=es}`.
#[rustfmt::skip]
const SPANISH: &[&str] = &[
    "palabra", "mercado", "pollera", "chola", "señora", "compadre", "comadre", "fiesta",
    "cerro", "mina", "minero", "socavón", "altiplano", "pachamama", "curandero", "mate de coca",
    "sopa de maní", "api morado", "salteña", "tucumana", "teleférico", "micro", "trufi",
    "caserita", "ch’alla", "preste", "morenada", "diablada", "aguayo", "bombín", "quinua",
    "chuño", "despacho", "yatiri", "apacheta", "zampoña", "charango", "cumbia", "plazuela",
];

/// Section headings inside a chapter.
#[rustfmt::skip]
const SECTION_WORDS: &[&str] = &[
    "The Market", "Morning", "The Mine", "A Letter", "The Hill", "Fever", "The Procession",
    "Night Shift", "The Doctor", "Rain", "The Station", "Offerings", "The Cable Car", "Return",
    "Silence", "The Festival", "A Promise", "The Road", "Dust", "The Courtyard",
];

/// Chapter titles.
#[rustfmt::skip]
const CHAPTER_WORDS: &[&str] = &[
    "Arrival", "The City Below", "Work", "The Godmother", "Breath", "Hills", "The Cure",
    "Mirrors", "Smoke", "Protest", "The Shaman", "Tin and Silver", "The Long Walk",
    "Market Day", "The Offering", "Winter", "Altitude", "The Wake", "Trains", "Voices",
    "The Photograph", "Rumours", "The Strike", "Frost", "The Bridge", "Songs", "Departure",
    "The Mountain", "Lanterns", "The Last Shift", "Epilogue",
];

/// The manuscript's words as a bigram chain: word → the words that follow it.
struct Chain {
    starts: Vec<String>,
    next: HashMap<String, Vec<String>>,
}

impl Chain {
    fn from_text(text: &str) -> Chain {
        let mut starts = Vec::new();
        let mut next: HashMap<String, Vec<String>> = HashMap::new();
        let mut prev: Option<String> = None;
        for tok in text.split_whitespace() {
            // Markup and quotes would come out unbalanced in a random walk: keep the words
            // and their trailing punctuation, drop the rest.
            let tok: String = tok
                .split('{')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !"*_[]()“”\"^#|>`".contains(*c))
                .collect();
            if tok.is_empty() {
                continue;
            }
            match &prev {
                None => starts.push(tok.clone()),
                Some(p) => next.entry(p.clone()).or_default().push(tok.clone()),
            }
            let ends = tok.ends_with(['.', '?', '!']);
            // After a full stop the next word starts a sentence.
            prev = if ends { None } else { Some(tok) };
        }
        starts.retain(|s| s.chars().next().is_some_and(char::is_uppercase));
        Chain { starts, next }
    }

    fn sentence(&self, rng: &mut Rng) -> Option<String> {
        if self.starts.is_empty() {
            return None;
        }
        let mut words = vec![self.starts[rng.below(self.starts.len())].clone()];
        while words.len() < 32 {
            let last = words.last()?;
            if last.ends_with(['.', '?', '!']) {
                break;
            }
            match self.next.get(last) {
                Some(n) => words.push(n[rng.below(n.len())].clone()),
                None => break,
            }
        }
        let mut s = words.join(" ");
        s = s.trim_end_matches([',', ';', ':', '—']).to_string();
        if !s.ends_with(['.', '?', '!']) {
            s.push('.');
        }
        Some(s)
    }
}

fn plural(noun: &str) -> String {
    if let Some(stem) = noun.strip_suffix('y')
        && !stem.ends_with(['a', 'e', 'o', 'u'])
    {
        return format!("{stem}ies");
    }
    if noun.ends_with(['s', 'x']) || noun.ends_with("sh") || noun.ends_with("ch") {
        return format!("{noun}es");
    }
    match noun {
        "man" => "men".into(),
        "woman" => "women".into(),
        "child" => "children".into(),
        "sheep" => "sheep".into(),
        "policeman" => "policemen".into(),
        "knife" => "knives".into(),
        "leaf" => "leaves".into(),
        _ => format!("{noun}s"),
    }
}

/// A noun phrase: determiner, maybe adjectives, a noun (sometimes plural).
fn noun_phrase(rng: &mut Rng) -> String {
    let mut s = String::new();
    let plural_np = rng.chance(25);
    if plural_np {
        s.push_str(rng.any(&["the", "their", "his", "her", "some", "all the", "those"]));
    } else {
        let d = rng.pick(DETERMINERS);
        s.push_str(d);
    }
    let adjectives = match rng.below(10) {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    };
    for k in 0..adjectives {
        if k > 0 {
            s.push_str(if rng.chance(50) { "," } else { " and" });
        }
        s.push(' ');
        s.push_str(rng.pick(ADJECTIVES));
    }
    s.push(' ');
    let n = rng.pick(NOUNS);
    if plural_np {
        s.push_str(&plural(n));
    } else {
        s.push_str(n);
    }
    if s.starts_with("a ") && s[2..].starts_with(['a', 'e', 'i', 'o', 'u']) {
        s.insert(1, 'n');
    }
    s
}

fn subject(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=3 => rng.any(SUBJECTS).to_string(),
        4..=6 => rng.any(NAMES).to_string(),
        _ => noun_phrase(rng),
    }
}

/// One clause from a template.
fn clause(rng: &mut Rng) -> String {
    let subj = subject(rng);
    match rng.below(8) {
        0 => format!("{subj} {} {}", rng.pick(VERBS), noun_phrase(rng)),
        1 => format!(
            "{subj} {} {} {} {}",
            rng.pick(VERBS),
            noun_phrase(rng),
            rng.pick(PREPOSITIONS),
            noun_phrase(rng)
        ),
        2 => format!(
            "{subj} {} {} {}",
            rng.pick(VERBS_INTRANSITIVE),
            rng.pick(PREPOSITIONS),
            noun_phrase(rng)
        ),
        3 => format!(
            "{subj} {} {} {}",
            rng.pick(ADVERBS),
            rng.pick(VERBS),
            noun_phrase(rng)
        ),
        4 => format!(
            "{subj} {} {}",
            rng.pick(VERBS_INTRANSITIVE),
            rng.pick(ADVERBS)
        ),
        5 => format!(
            "{} {} {} {subj} {}",
            rng.pick(PREPOSITIONS),
            noun_phrase(rng),
            ",",
            rng.pick(VERBS_INTRANSITIVE)
        )
        .replace(" , ", ", "),
        6 => format!(
            "there was {} {} {}",
            noun_phrase(rng),
            rng.pick(PREPOSITIONS),
            noun_phrase(rng)
        ),
        _ => format!(
            "{subj} {} {}, {} {}",
            rng.pick(VERBS),
            noun_phrase(rng),
            rng.pick(ADVERBS),
            rng.pick(VERBS_INTRANSITIVE)
        ),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// One sentence with its final punctuation.
fn sentence(rng: &mut Rng, chain: &Chain) -> String {
    if rng.chance(20)
        && let Some(s) = chain.sentence(rng)
    {
        return s;
    }
    let mut s = clause(rng);
    match rng.below(12) {
        0..=3 => {
            s.push_str(if rng.chance(70) { ", " } else { " " });
            s.push_str(rng.pick(CONJUNCTIONS));
            s.push(' ');
            s.push_str(&clause(rng));
        }
        4 => {
            s.push_str(" — ");
            s.push_str(&noun_phrase(rng));
            s.push_str(" — ");
            s.push_str(rng.pick(CONJUNCTIONS));
            s.push(' ');
            s.push_str(&clause(rng));
        }
        5 => {
            s.push_str("; ");
            s.push_str(&clause(rng));
        }
        6 => {
            s.push_str(", ");
            s.push_str(&noun_phrase(rng));
            s.push(' ');
            s.push_str(rng.pick(PREPOSITIONS));
            s.push(' ');
            s.push_str(&noun_phrase(rng));
        }
        _ => {}
    }
    let end = match rng.below(50) {
        0..=2 => "?",
        3 => "!",
        4 => "…",
        _ => ".",
    };
    capitalise(&s) + end
}

/// Sprinkles an italic Spanish term or an emphasised word into a sentence.
fn season(rng: &mut Rng, s: String) -> String {
    if rng.chance(3) {
        let term = rng.any(SPANISH);
        return format!(
            "{} {} *{term}*{{lang=es}}{}",
            s.trim_end_matches(['.', '?', '!', '…']),
            rng.any(&["with the", "near the", "by the", "for the", "called the"]),
            "."
        );
    }
    s
}

fn paragraph(rng: &mut Rng, chain: &Chain) -> String {
    if rng.chance(22) {
        // A line of dialogue.
        let mut said = capitalise(&sentence(rng, chain));
        let tail = said.pop().unwrap_or('.');
        let spoken = if rng.chance(30) {
            capitalise(rng.any(CONTRACTIONS))
        } else {
            said
        };
        let comma = if tail == '?' || tail == '!' {
            tail
        } else {
            ','
        };
        let mut p = format!("“{spoken}{comma}” {}.", rng.any(SAID));
        if rng.chance(40) {
            let more = sentence(rng, chain);
            p.push_str(&format!(" “{}”", season(rng, more)));
        }
        return p;
    }
    let n = match rng.below(10) {
        0..=1 => rng.range(1, 2),
        2..=6 => rng.range(3, 6),
        _ => rng.range(7, 12),
    };
    let mut p = String::new();
    for k in 0..n {
        if k > 0 {
            p.push(' ');
        }
        let s = sentence(rng, chain);
        p.push_str(&season(rng, s));
    }
    p
}

fn count_words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Writes the novel into `dir` (replacing what was there) until it has `target_words`.
pub fn generate(
    dir: &Path,
    manuscript: &Path,
    seed: u64,
    target_words: usize,
) -> std::io::Result<Novel> {
    let mut source = String::new();
    let mut mds: Vec<_> = std::fs::read_dir(manuscript)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    mds.sort();
    for p in mds {
        let text = std::fs::read_to_string(p)?;
        // Skip YAML front matter.
        let body = match text
            .strip_prefix("---\n")
            .and_then(|t| t.split_once("\n---\n"))
        {
            Some((_, body)) => body.to_string(),
            None => text,
        };
        source.push_str(&body);
        source.push('\n');
    }
    let chain = Chain::from_text(&source);
    let mut rng = Rng::new(seed);

    if dir.exists() {
        std::fs::remove_dir_all(dir)?;
    }
    std::fs::create_dir_all(dir)?;
    std::fs::write(
        dir.join("book.toml"),
        "# Generated by benches/build/novel.rs for the speed benchmark; do not edit.\n\
         title = \"The Great Movement\"\n\
         subtitle = \"A Novel\"\n\
         lang = \"en-GB\"\n\
         date = \"2026-11-24\"\n\
         publisher = \"folio bench\"\n\
         edition = \"Benchmark edition\"\n\
         \n[[author]]\nname = \"A. N. Generator\"\nfile-as = \"Generator, A. N.\"\n",
    )?;
    let chapters = CHAPTER_WORDS.len();
    let per_chapter = target_words / chapters;
    let mut words = 0;
    for (c, title) in CHAPTER_WORDS.iter().enumerate() {
        let mut body = String::new();
        let mut chapter_words = 0;
        let mut notes = String::new();
        let mut note = 0;
        let sections = rng.range(2, 4);
        let section_every = per_chapter / (sections + 1);
        let mut next_section = section_every;
        while chapter_words < per_chapter {
            if chapter_words >= next_section {
                next_section += section_every;
                let _ = write!(body, "## {}\n\n", rng.any(SECTION_WORDS));
            }
            let mut p = paragraph(&mut rng, &chain);
            if note < 3 && rng.chance(1) {
                note += 1;
                let label = format!("c{}n{note}", c + 1);
                p.push_str(&format!("[^{label}]"));
                let text = format!(
                    "{} {}",
                    sentence(&mut rng, &chain),
                    sentence(&mut rng, &chain)
                );
                chapter_words += count_words(&text);
                let _ = write!(notes, "[^{label}]: {text}\n\n");
            }
            chapter_words += count_words(&p);
            body.push_str(&p);
            body.push_str("\n\n");
        }
        words += chapter_words;
        let file = format!("---\ntitle: \"{title}\"\n---\n\n{body}{notes}");
        std::fs::write(dir.join(format!("{:02}-chapter.md", c + 1)), file)?;
    }
    Ok(Novel { words, chapters })
}

/// The benchmarks' `--rounds N` argument, or `default`.
#[allow(dead_code)] // not every benchmark that includes this module reads it
pub fn rounds(default: usize) -> usize {
    let args: Vec<String> = std::env::args().skip(1).collect();
    args.iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}
