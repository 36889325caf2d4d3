//! The `folio` command line: argv → exit code (0 ok, 1 build errors, 2 usage errors).
//!
//! One function per subcommand; diagnostics are printed here and nowhere else.

use clap::{Parser, Subcommand, ValueEnum};
use folio::diag::{Diagnostic, Severity};
use folio::project::Project;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// folio: Markdown manuscripts to a typeset PDF and a reflowable EPUB 3.
#[derive(Parser, Debug)]
#[command(name = "folio", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Print nothing but errors and warnings.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the PDF and the EPUB of a book folder or a single .md file.
    Build {
        #[command(flatten)]
        book: BookArgs,
        /// Print the time each stage took.
        #[arg(long)]
        timings: bool,
    },
    /// Build, then rebuild on every save until Ctrl-C (only what changed is done again).
    Watch {
        #[command(flatten)]
        book: BookArgs,
        /// After each rebuild, print the time each stage took on one line.
        #[arg(long)]
        timings: bool,
    },
    /// Watch, and show every edition live in the browser, changed pages marked.
    Serve {
        #[command(flatten)]
        book: BookArgs,
        /// The port (default 7878, or the next free one); 0 picks any free port.
        #[arg(long)]
        port: Option<u16>,
        /// The address to listen on. The default, 127.0.0.1, is this machine only; another
        /// shows the book to the network.
        #[arg(long, default_value = "127.0.0.1")]
        host: std::net::IpAddr,
        /// Open the page in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Load and lint a book without writing anything.
    Check {
        /// A book folder or one .md file.
        #[arg(default_value = "manuscript")]
        path: PathBuf,
    },
    /// Create a new book folder with book.toml and a sample piece.
    New {
        /// The folder to create.
        name: PathBuf,
    },
}

/// What `build` and `watch` make, from what, and where.
#[derive(clap::Args, Debug)]
struct BookArgs {
    /// A book folder (book.toml + .md files) or one .md file.
    #[arg(default_value = "manuscript")]
    path: PathBuf,
    /// Where to write <slug>.pdf and <slug>.epub.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Which outputs to make.
    #[arg(long, value_enum, default_value_t = Format::All)]
    format: Format,
    #[command(flatten)]
    print: PrintArgs,
    /// Make the PDF to a standard and claim it: ua-1 (PDF/UA-1, accessible PDF; what it
    /// requires becomes an error). Over `[pdf] standard`.
    #[arg(long, value_parser = pdf_standard)]
    pdf_standard: Option<folio::settings::PdfStandard>,
}

/// The print edition for one run, over `[print]` in book.toml: any of these makes
/// <slug>-print.pdf and (unless --impose none) <slug>-booklet.pdf.
#[derive(clap::Args, Debug)]
struct PrintArgs {
    /// Make the print edition even without [print] in book.toml.
    #[arg(long)]
    print: bool,
    /// Bleed around each page of the print edition (e.g. 3mm).
    #[arg(long, value_parser = length)]
    bleed: Option<f32>,
    /// Crop marks on the print edition's pages and sheets.
    #[arg(long)]
    crop_marks: bool,
    /// Impose the print edition: saddle (a stapled booklet), 2up (proof spreads) or none.
    #[arg(long, value_parser = impose)]
    impose: Option<folio::settings::Impose>,
    /// Move the pages of each inner sheet this far towards the fold (creep, e.g. 0.1mm;
    /// negative: away from it).
    #[arg(long, value_parser = creep, allow_hyphen_values = true)]
    creep: Option<f32>,
    /// saddle (stapled booklet, covers inside) or perfect (glued, a separate wrap cover).
    #[arg(long, value_parser = binding)]
    binding: Option<folio::settings::Binding>,
}

/// A length with its unit, for the print options.
fn length(s: &str) -> Result<f32, String> {
    folio::settings::length(s)
        .filter(|v| *v >= 0.0 && *v <= 25.0 * 72.0 / 25.4)
        .ok_or_else(|| {
            format!("`{s}` is not a length of 0–25 mm with its unit (3mm, 0.125in, 9pt)")
        })
}

/// Creep per sheet: at most 1 mm either way.
fn creep(s: &str) -> Result<f32, String> {
    folio::settings::length(s)
        .filter(|v| v.abs() <= 72.0 / 25.4)
        .ok_or_else(|| format!("`{s}` is not a creep of -1 to 1 mm with its unit (0.1mm)"))
}

fn impose(s: &str) -> Result<folio::settings::Impose, String> {
    folio::settings::Impose::parse(s).ok_or_else(|| "use saddle, 2up or none".to_string())
}

fn pdf_standard(s: &str) -> Result<folio::settings::PdfStandard, String> {
    folio::settings::PdfStandard::parse(s)
        .ok_or_else(|| "use ua-1 (PDF/A and PDF/X are not made)".to_string())
}

fn binding(s: &str) -> Result<folio::settings::Binding, String> {
    folio::settings::Binding::parse(s).ok_or_else(|| "use saddle or perfect".to_string())
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Pdf,
    Epub,
    All,
}

/// The exit code of a panic (Rust's own): folio hit a bug, whatever the input.
const BUG_EXIT: i32 = 101;

fn main() -> ExitCode {
    // A panic is a bug in folio, never the user's fault: say so, say how to report it, and
    // exit with its own code (101), whichever thread panicked.
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "folio hit a bug: {info}\n\
             This is not a problem with your manuscript's text. Please report it to the folio\n\
             developers with the command you ran, folio's version ({}) and, if you can, the\n\
             manuscript (or the smallest part of it that still shows the bug).\n\
             folio exits with code {BUG_EXIT} after a bug; nothing was written.",
            env!("CARGO_PKG_VERSION")
        );
    }));
    // A file-size limit (`ulimit -f`) would kill folio with SIGXFSZ mid-write; with the
    // signal caught, the write fails with "File too large" and is reported like a full disk
    // (the earlier outputs stay as they were).
    let _ = signal_hook::flag::register(
        signal_hook::consts::SIGXFSZ,
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    );
    let cli = Cli::parse(); // usage errors exit with 2
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let printer = Printer {
        color,
        quiet: cli.quiet,
    };
    let ok = match cli.command {
        Command::Build { book, timings } => build(&printer, &book, timings),
        Command::Watch { book, timings } => watch(&printer, &book, timings),
        Command::Serve {
            book,
            port,
            host,
            open,
        } => serve(
            &printer,
            &book,
            folio::serve::ServeOptions {
                host,
                port,
                open,
                poll: std::env::var_os(folio::watch::POLL_ENV).is_some(),
            },
        ),
        Command::Check { path } => check(&printer, &path),
        Command::New { name } => new(&printer, &name),
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// How many diagnostics with the same message and file are printed in full.
const SAME_MESSAGE_SHOWN: usize = 3;

/// Prints diagnostics and progress to stderr.
struct Printer {
    color: bool,
    quiet: bool,
}

impl Printer {
    fn diagnostics(&self, diags: &[Diagnostic]) {
        // The same message in the same file is shown a few times, then counted: 120 copies
        // of one warning hide the one that matters.
        let mut seen: Vec<((String, Option<PathBuf>), usize)> = Vec::new();
        for d in diags {
            let key = (
                d.message.clone(),
                d.location.as_ref().map(|l| l.file.clone()),
            );
            let n = match seen.iter_mut().find(|(k, _)| *k == key) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    seen.push((key, 1));
                    1
                }
            };
            if n <= SAME_MESSAGE_SHOWN {
                eprint!("{}", d.render(self.color));
            }
        }
        for ((message, file), n) in &seen {
            if *n > SAME_MESSAGE_SHOWN {
                let file = file
                    .as_ref()
                    .map(|f| format!(" in {}", f.display()))
                    .unwrap_or_default();
                eprintln!(
                    "note: {} more like \"{}\"{}",
                    n - SAME_MESSAGE_SHOWN,
                    folio::diag::printable(message),
                    folio::diag::printable(&file)
                );
            }
        }
        let errors = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        let warnings = diags.len() - errors;
        if errors > 0 {
            eprintln!(
                "{} {errors} error{}{}",
                self.paint("error:", "1;31"),
                plural(errors),
                if warnings > 0 {
                    format!(", {warnings} warning{}", plural(warnings))
                } else {
                    String::new()
                }
            );
        }
    }

    fn progress(&self, line: &str) {
        if !self.quiet {
            let (verb, rest) = line.split_once(' ').unwrap_or((line, ""));
            // One write per line: stderr is unbuffered, and the padding alone was a
            // write of its own per space.
            let rest = folio::diag::printable(rest);
            let line = format!("{:>12} {rest}\n", self.paint(verb, "1;32"));
            eprint!("{line}");
        }
    }

    fn paint(&self, s: &str, code: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn options(book: &BookArgs) -> folio::build::Options {
    let p = &book.print;
    folio::build::Options {
        out_dir: book.out.clone(),
        pdf: matches!(book.format, Format::Pdf | Format::All),
        epub: matches!(book.format, Format::Epub | Format::All),
        print: folio::settings::PrintOverrides {
            print: p.print,
            bleed: p.bleed,
            crop_marks: p.crop_marks,
            impose: p.impose,
            creep: p.creep,
            binding: p.binding,
        },
        pdf_standard: book.pdf_standard,
    }
}

/// Ctrl-C and SIGTERM as a flag the watch loop reads between builds.
fn stop_flag(what: &str) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        if let Err(e) = signal_hook::flag::register(signal, stop.clone()) {
            eprintln!("cannot catch Ctrl-C ({e}); stop folio {what} by closing its terminal");
        }
    }
    stop
}

/// Prints `folio watch`'s events (and `folio serve`'s, which are the same).
struct WatchPrinter<'a> {
    printer: &'a Printer,
    out: &'a Path,
    timings: bool,
    first: bool,
}

impl WatchPrinter<'_> {
    fn event(&mut self, event: folio::watch::Event) {
        use folio::watch::Event;
        let printer = self.printer;
        match event {
            Event::Watching { folders, polling } => {
                let list: Vec<String> = folders.iter().map(|f| f.display().to_string()).collect();
                let how = if polling { " (polling)" } else { "" };
                printer.progress(&format!("Watching {}{how}; Ctrl-C stops", list.join(", ")));
            }
            Event::Built {
                report,
                took,
                laid_out,
                pieces,
                ..
            } => {
                // A save that changed no byte rebuilt nothing: say that, once, and no more.
                if report.unchanged && !self.first {
                    printer.progress("Saved without a change: nothing rebuilt");
                    return;
                }
                printer.diagnostics(&report.warnings);
                let verb = if self.first { "Built" } else { "Rebuilt" };
                let changes = match (&report.changes, self.first) {
                    (Some(c), false) => format!(": {c}"),
                    _ => String::new(),
                };
                self.first = false;
                printer.progress(&format!(
                    "{verb} in {:.0} ms ({laid_out} of {pieces} piece{} laid out){changes}",
                    took.as_secs_f64() * 1000.0,
                    plural(pieces)
                ));
                if self.timings {
                    let stages: Vec<String> = report
                        .timings
                        .iter()
                        .map(|(stage, t)| format!("{stage} {:.1}", t.as_secs_f64() * 1000.0))
                        .collect();
                    eprintln!("  stages (ms): {}", stages.join(", "));
                }
            }
            Event::Failed(diags) => {
                printer.diagnostics(diags);
                eprintln!(
                    "the manuscript has errors; the last good outputs in {} are kept. Watching for the next save.",
                    self.out.display()
                );
            }
        }
    }
}

/// `folio watch`: exits 0 on Ctrl-C, 1 when the book cannot be watched at all.
fn watch(printer: &Printer, book: &BookArgs, timings: bool) -> bool {
    let stop = stop_flag("watch");
    let mut events = WatchPrinter {
        printer,
        out: &book.out,
        timings,
        first: true,
    };
    // In watch mode the per-file lines of a build would scroll the summary away.
    let mut quiet = |_: &str| {};
    let poll = std::env::var_os(folio::watch::POLL_ENV).is_some();
    let result = folio::watch::watch(
        folio::build::Session::default(),
        &book.path,
        &options(book),
        poll,
        stop,
        &mut |e| events.event(e),
        &mut quiet,
    );
    stopped(printer, result, "Stopped watching")
}

/// The end of `watch` or `serve`: `said` after Ctrl-C (exit 0), or why it could not start.
fn stopped(printer: &Printer, result: Result<(), Vec<Diagnostic>>, said: &str) -> bool {
    match result {
        Ok(()) => {
            printer.progress(said);
            true
        }
        Err(d) => {
            printer.diagnostics(&d);
            false
        }
    }
}

/// `folio serve`: exits 0 on Ctrl-C, 1 when the book cannot be watched or served.
fn serve(printer: &Printer, book: &BookArgs, serve: folio::serve::ServeOptions) -> bool {
    use folio::serve::Said;
    if !serve.host.is_loopback() {
        eprintln!(
            "warning: serving on {} shows the book to every machine that can reach this one; \
             the default, 127.0.0.1, is this machine only",
            serve.host
        );
    }
    let stop = stop_flag("serve");
    let mut events = WatchPrinter {
        printer,
        out: &book.out,
        timings: false,
        first: true,
    };
    let mut say = |said: Said| match said {
        Said::Serving { url, moved } => {
            if let Some(port) = moved {
                printer.progress(&format!(
                    "Port {} is taken: using {port}",
                    folio::serve::DEFAULT_PORT
                ));
            }
            // On stdout, always (also with --quiet): tools and tests read the address.
            println!("Serving {url}");
        }
        Said::Watch(e) => events.event(e),
    };
    let result = folio::serve::serve(&book.path, &options(book), &serve, stop, &mut say);
    stopped(printer, result, "Stopped serving")
}

fn build(printer: &Printer, book: &BookArgs, timings: bool) -> bool {
    let path = &book.path;
    let project = match Project::open(path) {
        Ok(p) => p,
        Err(d) => {
            printer.diagnostics(&d);
            return false;
        }
    };
    let opts = options(book);
    match folio::build::build_once(&project, &opts, &mut |line| printer.progress(line)) {
        Ok(report) => {
            printer.diagnostics(&report.warnings);
            if timings {
                for (stage, t) in &report.timings {
                    eprintln!("{stage:>12} {:.1} ms", t.as_secs_f64() * 1000.0);
                }
                for (what, n) in &report.counts {
                    eprintln!("{what:>16} {n}");
                }
            }
            true
        }
        Err(d) => {
            printer.diagnostics(&d);
            eprintln!(
                "nothing was written; earlier outputs in {} are unchanged",
                book.out.display()
            );
            false
        }
    }
}

fn check(printer: &Printer, path: &Path) -> bool {
    let project = match Project::open(path) {
        Ok(p) => p,
        Err(d) => {
            printer.diagnostics(&d);
            return false;
        }
    };
    match folio::markdown::load(&project) {
        Ok(loaded) => {
            let mut diags = loaded.warnings;
            for src in &loaded.book.sources {
                if let Ok(text) = project.read_text(src) {
                    diags.extend(folio::lint::source(src, &text));
                }
            }
            let at = project.book_toml().unwrap_or_else(|| project.given.clone());
            diags.extend(folio::lint::metadata(&loaded.book, &at));
            // Resolved, and images and fonts decoded, as the build would: check fails where
            // build would.
            diags.extend(folio::build::check(&loaded.book, &project));
            diags.sort_by_key(|d| std::cmp::Reverse(d.severity));
            let failed = diags.iter().any(Diagnostic::is_error);
            printer.diagnostics(&diags);
            if failed {
                return false;
            }
            printer.progress(&format!(
                "Checked {} ({} warning{})",
                path.display(),
                diags.len(),
                plural(diags.len())
            ));
            true
        }
        Err(d) => {
            printer.diagnostics(&d);
            false
        }
    }
}

fn new(printer: &Printer, name: &Path) -> bool {
    match folio::scaffold::create(name) {
        Ok(()) => {
            printer.progress(&format!(
                "Created {} (build it with: folio build {})",
                name.display(),
                folio::scaffold::shell_word(name)
            ));
            true
        }
        Err(d) => {
            printer.diagnostics(&[d]);
            false
        }
    }
}
