//! One self-contained HTML report of a command's result (`--report
//! FILE.html`): something a researcher can send to a reader who will not
//! run a command.
//!
//! A [`Report`] is a single HTML5 document with everything inline: the
//! style sheet, the charts (inline SVG, [`crate::report::plots::Figure`]),
//! no scripts, and nothing fetched from anywhere (no fonts, images, links or
//! `@import`; text uses the reader's own sans-serif face). It reads, in
//! order:
//!
//! 1. the title and the **answers**: a short list of sentences with the
//!    headline figures, each with its interval where it has one (for a
//!    run, the capacity answers of [`crate::report::answers`], one list
//!    item per facility, court stage and repatriated group, marked
//!    `data-answer="facility.NAME"` and so on, each number a `<data
//!    class="answer">` holding the value the JSON's `answers` object
//!    holds);
//! 2. the **tables** behind them;
//! 3. the **charts** (or a line saying there are none, e.g. in a build
//!    without the `plots` feature);
//! 4. the **provenance**: the crate version, seed, replications, a note that
//!    results do not depend on the thread count, the command line and the
//!    date;
//! 5. the **scenario as run**: the `--set` overrides, which are listed, the
//!    variant where there is one, the SHA-256 of the scenario's TOML text
//!    ([`Scenario::to_toml_string`], after the overrides) and that text,
//!    folded (`<details>`) so that it does not push the rest away.
//!
//! Every figure shown as a number is also given exactly, as the `value` of
//! an HTML `<data>` element (`<data class="mean" value="1234.5678">1,235</data>`),
//! so a reader's tool (or a test) can check it against the JSON output;
//! headline sentences carry `data-metric` naming the metric. All text is
//! escaped (`& < > " '`).
//!
//! Escaping holds by construction: the document is built as
//! [`crate::report::markup::Html`] fragments, whose only ways in are
//! escaped text, markup spelled in the program (`&'static str`
//! templates), numbers, and the SVG of this crate's charts. A name a user
//! chose (a scenario, facility, group or stage name, a parameter path, a
//! note) is held as text in a [`Sentence`], [`Table`], [`ScenarioRun`] or
//! [`Provenance`] and cannot reach the page unescaped. A templating crate
//! (maud) was weighed and not taken: it writes no line breaks between
//! elements and escapes `'` not at all, so the report's bytes would change
//! (or need a `PreEscaped("\n")` after each element to stay), and it would
//! add a procedural macro to every build for what one small type does.
//!
//! Layout: a table fits its page without sideways scrolling: text cells
//! wrap and, on a screen narrower than 40rem (a phone), each row's cells
//! stack, each beside its column's name (`data-label`). Charts scale to
//! the width (`viewBox`, `max-width: 100%; height: auto`) and their
//! smallest text is still 10 pixels on a 390-pixel-wide screen (see
//! [`crate::report::plots`]). A printed report is black on white with no
//! page break inside a chart or a table where the page allows.
//!
//! The constructors [`Report::run`], [`Report::sweep`],
//! [`Report::comparison`], [`Report::backtest`], [`Report::calibration`],
//! [`Report::hindcast`] and [`Report::sensitivity`] lay out each command's result; [`Report::new`]
//! starts an empty one to fill by hand.

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::calibrate::{Backtest, Hindcast, Posterior};
use crate::decide::{Comparison, DummyIndex, Estimate, MorrisResult, RegionalResult, SobolResult};
use crate::error::Error;
use crate::model::schema::headline_metrics;
use crate::montecarlo::Summary;
use crate::montecarlo::sweep::SweepResult;
use crate::report::format::{by_size, decimals_for, fixed, signed};
use crate::report::markup::Html;
use crate::scenario::Override;
use crate::scenario::Scenario;

/// `text` with `& < > " '` escaped, safe in HTML text and in quoted
/// attribute values.
///
/// # Example
///
/// ```
/// use custody_sim::report::html::escape;
///
/// assert_eq!(escape(r#"<a & "b" 'c'>"#), "&lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;");
/// ```
pub fn escape(text: &str) -> String {
    Html::text(text).into_string()
}

/// SHA-256 of `text`, in lower-case hex.
fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// One piece of a sentence or a table cell.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    /// Plain text.
    Text(String),
    /// A name in code type (a metric, a parameter path).
    Code(String),
    /// A number: shown rounded (to `decimals` places where given, else to
    /// a precision that suits its size), given exactly in a `<data>`
    /// element of the class.
    Value {
        value: f64,
        class: &'static str,
        decimals: Option<usize>,
    },
    /// A number shown as given text (a date, a percentage), given exactly
    /// in a `<data>` element of the class.
    Shown {
        value: f64,
        class: &'static str,
        text: String,
    },
}

impl Part {
    fn html(&self, out: &mut Html) {
        match self {
            Part::Text(t) => out.push_text(t),
            Part::Code(t) => out.push_fill("<code>{}</code>", &[&Html::text(t)]),
            Part::Value {
                value,
                class,
                decimals,
            } => {
                if value.is_finite() {
                    let mut text = match decimals {
                        Some(d) => fixed(*value, *d),
                        None => by_size(*value),
                    };
                    // A difference reads with its sign.
                    if *class == "diff" {
                        text = signed(*value, text);
                    }
                    let value = Html::display(value);
                    if class.is_empty() {
                        out.push_fill(
                            "<data value=\"{}\">{}</data>",
                            &[&value, &Html::text(&text)],
                        );
                    } else {
                        out.push_fill(
                            "<data class=\"{}\" value=\"{}\">{}</data>",
                            &[&Html::text(class), &value, &Html::text(&text)],
                        );
                    }
                } else {
                    out.push_text(&by_size(*value));
                }
            }
            Part::Shown { value, class, text } => {
                if value.is_finite() {
                    out.push_fill(
                        "<data class=\"{}\" value=\"{}\">{}</data>",
                        &[&Html::text(class), &Html::display(value), &Html::text(text)],
                    );
                } else {
                    out.push_text(text);
                }
            }
        }
    }
}

/// One answer of the headline list: a sentence of text, names and
/// numbers.
///
/// # Example
///
/// ```
/// use custody_sim::report::html::Sentence;
///
/// let s = Sentence::new()
///     .code("transferred")
///     .text(": mean ")
///     .value(1234.5, "mean");
/// assert_eq!(
///     s.to_html(),
///     r#"<code>transferred</code>: mean <data class="mean" value="1234.5">1,235</data>"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sentence {
    metric: Option<String>,
    /// What a capacity answer is about (`facility.Karkh`), the
    /// `data-answer` attribute of its list item.
    about: Option<String>,
    parts: Vec<Part>,
}

impl Sentence {
    /// An empty sentence.
    pub fn new() -> Sentence {
        Sentence::default()
    }

    /// Names the metric the sentence is about (the `data-metric` attribute
    /// of its list item).
    pub fn metric(mut self, name: impl Into<String>) -> Sentence {
        self.metric = Some(name.into());
        self
    }

    /// A capacity answer's sentence ([`crate::report::answers`]), about
    /// `about` (`facility.Karkh`, `stage.trial`, `group.Turkish`: the
    /// `data-answer` attribute of its list item): its words as text, each
    /// number as shown there, given exactly as `<data class="answer"
    /// value="...">` (the value the JSON's `answers` object holds).
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::report::answers::Phrase;
    /// use custody_sim::report::html::Sentence;
    ///
    /// let p = Phrase::default().words("peak ").number(1.426, "143%");
    /// let s = Sentence::answer_of("facility.Karkh", &p);
    /// assert_eq!(s.to_html(), r#"peak <data class="answer" value="1.426">143%</data>"#);
    /// ```
    pub fn answer_of(
        about: impl Into<String>,
        phrase: &crate::report::answers::Phrase,
    ) -> Sentence {
        use crate::report::answers::Piece;
        let mut s = Sentence {
            about: Some(about.into()),
            ..Sentence::default()
        };
        for p in phrase.pieces() {
            match p {
                Piece::Text(t) => s.parts.push(Part::Text(t.clone())),
                Piece::Number { value, text } => s.parts.push(Part::Shown {
                    value: *value,
                    class: "answer",
                    text: text.clone(),
                }),
            }
        }
        s
    }

    /// Adds plain text.
    pub fn text(mut self, text: impl Into<String>) -> Sentence {
        self.parts.push(Part::Text(text.into()));
        self
    }

    /// Adds a name (metric, parameter path) in code type.
    pub fn code(mut self, name: impl Into<String>) -> Sentence {
        self.parts.push(Part::Code(name.into()));
        self
    }

    /// Adds a number, shown rounded to a precision that suits its size and
    /// given exactly as `<data class="CLASS" value="...">` (no class if
    /// `class` is empty); a positive value of class `diff` (a difference)
    /// is shown with its `+`. A value that is not finite is shown as `–` or
    /// `∞`, without a `<data>` element.
    pub fn value(mut self, value: f64, class: &'static str) -> Sentence {
        self.parts.push(Part::Value {
            value,
            class,
            decimals: None,
        });
        self
    }

    /// Adds a number shown with `decimals` places (as [`Sentence::value`]
    /// otherwise).
    pub fn value_to(mut self, value: f64, class: &'static str, decimals: usize) -> Sentence {
        self.parts.push(Part::Value {
            value,
            class,
            decimals: Some(decimals),
        });
        self
    }

    /// Adds ` (95% CI LOW to HIGH)` for an interval with both ends
    /// (classes `ci95_low`, `ci95_high`), with enough decimals that its
    /// width shows ([`decimals_for`]); nothing otherwise.
    pub fn interval(self, low: Option<f64>, high: Option<f64>) -> Sentence {
        match (low, high) {
            (Some(l), Some(h)) => {
                let d = decimals_for(h - l);
                self.text(" (95% CI ")
                    .value_to(l, "ci95_low", d)
                    .text(" to ")
                    .value_to(h, "ci95_high", d)
                    .text(")")
            }
            _ => self,
        }
    }

    /// Adds an estimate `x` and its 95% interval (as
    /// [`Sentence::interval`]), `x` shown at the interval's precision.
    pub fn estimate(
        self,
        x: f64,
        class: &'static str,
        low: Option<f64>,
        high: Option<f64>,
    ) -> Sentence {
        let s = match (low, high) {
            (Some(l), Some(h)) => self.value_to(x, class, decimals_for(h - l)),
            _ => self.value(x, class),
        };
        s.interval(low, high)
    }

    /// The sentence as an HTML fragment.
    pub fn to_html(&self) -> String {
        self.html().into_string()
    }

    /// The sentence as a safe fragment.
    fn html(&self) -> Html {
        let mut out = Html::new();
        for p in &self.parts {
            p.html(&mut out);
        }
        out
    }
}

/// One cell of an HTML [`Table`]: text, a name, or a number. (A
/// presentation cell, not a sweep's grid cell, which is
/// [`crate::montecarlo::sweep::Cell`]: hence the name.)
#[derive(Debug, Clone, PartialEq)]
pub struct TableCell(Part);

impl TableCell {
    /// A cell of plain text.
    pub fn text(text: impl Into<String>) -> TableCell {
        TableCell(Part::Text(text.into()))
    }

    /// A cell with a name in code type.
    pub fn code(name: impl Into<String>) -> TableCell {
        TableCell(Part::Code(name.into()))
    }

    /// A number, right-aligned, shown rounded and given exactly as
    /// `<data value="...">`; `None` shows `–`.
    pub fn num(value: Option<f64>) -> TableCell {
        match value {
            Some(v) => TableCell(Part::Value {
                value: v,
                class: "",
                decimals: None,
            }),
            None => TableCell::text("–"),
        }
    }

    fn is_num(&self) -> bool {
        matches!(self.0, Part::Value { .. })
    }
}

/// A table: a caption, a header row, rows of cells, and a note below.
///
/// # Example
///
/// ```
/// use custody_sim::report::html::{TableCell, Table};
///
/// let t = Table::new("Beds", ["facility", "beds"])
///     .row([TableCell::text("Nasiriyah"), TableCell::num(Some(6000.0))]);
/// assert_eq!(t.rows(), 1);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    caption: String,
    head: Vec<String>,
    rows: Vec<Vec<TableCell>>,
    note: Option<String>,
}

impl Table {
    /// A table with a caption and column headings, no rows yet.
    pub fn new(
        caption: impl Into<String>,
        head: impl IntoIterator<Item = impl Into<String>>,
    ) -> Table {
        Table {
            caption: caption.into(),
            head: head.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
            note: None,
        }
    }

    /// Adds a row.
    pub fn row(mut self, cells: impl IntoIterator<Item = TableCell>) -> Table {
        self.rows.push(cells.into_iter().collect());
        self
    }

    /// Sets the note shown below the table.
    pub fn note(mut self, note: impl Into<String>) -> Table {
        self.note = Some(note.into());
        self
    }

    /// The number of rows (without the header).
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    fn html(&self, out: &mut Html) {
        out.push_fill(
            "<figure class=\"table\">\n<figcaption>{}</figcaption>\n<div class=\"scroll\"><table>\n<thead><tr>",
            &[&Html::text(&self.caption)],
        );
        for h in &self.head {
            out.push_fill("<th scope=\"col\">{}</th>", &[&Html::text(h)]);
        }
        out.push_markup("</tr></thead>\n<tbody>\n");
        for r in &self.rows {
            out.push_markup("<tr>");
            for (i, c) in r.iter().enumerate() {
                // Each cell names its column, shown beside it where a
                // narrow screen stacks a row's cells.
                let label = self.head.get(i).map_or_else(Html::new, |h| Html::text(h));
                out.push_markup(if c.is_num() {
                    "<td class=\"num\""
                } else {
                    "<td"
                });
                out.push_fill(" data-label=\"{}\">", &[&label]);
                c.0.html(out);
                out.push_markup("</td>");
            }
            out.push_markup("</tr>\n");
        }
        out.push_markup("</tbody>\n</table></div>\n");
        if let Some(n) = &self.note {
            out.push_fill("<p class=\"note\">{}</p>\n", &[&Html::text(n)]);
        }
        out.push_markup("</figure>\n");
    }
}

/// A scenario as it was run: its TOML text, the overrides that made it
/// from the scenario as given, and the variant, if any.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioRun {
    /// A label where a report holds several scenarios (`compare`).
    pub label: Option<String>,
    /// The scenario as TOML ([`Scenario::to_toml_string`]).
    pub toml: String,
    /// The `--set` overrides (and a variant's), in order.
    pub overrides: Vec<Override>,
    /// The variant's name, where the scenario is a named variant.
    pub variant: Option<String>,
}

impl ScenarioRun {
    /// `scenario` (already changed by `overrides`) as run. Its
    /// `[variant.NAME]` tables, alternatives to what ran, are left out, as
    /// the run's `scenario_sha256` leaves them out.
    pub fn new(scenario: &Scenario, overrides: &[Override]) -> ScenarioRun {
        let toml = if scenario.variants.is_empty() {
            scenario.to_toml_string()
        } else {
            let mut bare = scenario.clone();
            bare.variants.clear();
            bare.to_toml_string()
        };
        ScenarioRun {
            label: None,
            toml,
            overrides: overrides.to_vec(),
            variant: None,
        }
    }

    /// With a label.
    pub fn label(mut self, label: impl Into<String>) -> ScenarioRun {
        self.label = Some(label.into());
        self
    }

    /// Naming the variant (`run baseline --variant high`).
    pub fn variant(mut self, variant: Option<&str>) -> ScenarioRun {
        self.variant = variant.map(str::to_string);
        self
    }

    /// SHA-256 of [`ScenarioRun::toml`], in hex: for a run, the
    /// `scenario_sha256` of its JSON.
    pub fn sha256(&self) -> String {
        sha256_hex(&self.toml)
    }
}

/// Where a result came from: what a reader needs to reproduce it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Provenance {
    /// Master seed.
    pub seed: u64,
    /// Replications (per scenario, cell or point; see `details`), if the
    /// command has one such number.
    pub replications: Option<u64>,
    /// Further settings, as `(name, value)` (particles, base samples…).
    pub details: Vec<(String, String)>,
    /// The command line, as typed.
    pub command_line: String,
    /// When the report was written (UTC).
    pub date: String,
}

impl Provenance {
    /// Provenance of a command run now with `seed` and `replications`,
    /// dated now (UTC, to the second).
    pub fn now(
        seed: u64,
        replications: Option<u64>,
        command_line: impl Into<String>,
    ) -> Provenance {
        let date = jiff::Timestamp::now()
            .strftime("%Y-%m-%d %H:%M:%S UTC")
            .to_string();
        Provenance {
            seed,
            replications,
            details: Vec::new(),
            command_line: command_line.into(),
            date,
        }
    }

    /// With a further setting.
    pub fn detail(mut self, name: impl Into<String>, value: impl ToString) -> Provenance {
        self.details.push((name.into(), value.to_string()));
        self
    }
}

/// One figure as the report inlines it: a caption and an `<svg>` element.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Chart {
    title: String,
    svg: Html,
}

/// One self-contained HTML report (see the [module docs](self)).
///
/// # Example: the report of a small run
///
/// ```
/// use custody_sim::montecarlo::{Runs, run};
/// use custody_sim::presets;
/// use custody_sim::report::html::{Provenance, Report};
///
/// let mut s = presets::baseline();
/// s.horizon_days = 60;
/// let summary = run(&s, &Runs { replications: 4, seed: 7, threads: 1 })?;
/// let html = Report::run(&s, &summary)
///     .provenance(Provenance::now(7, Some(4), "custody-sim run baseline -n 4 --seed 7"))
///     .to_html();
/// assert!(html.starts_with("<!DOCTYPE html>"));
/// // The answers lead, one per facility, each number given exactly.
/// let peak = summary.metric("facility.Karkh.peak_occupancy").and_then(|m| m.mean).unwrap();
/// assert!(html.contains(r#"<li data-answer="facility.Karkh">Karkh passes its "#));
/// assert!(html.contains(&format!(r#"<data class="answer" value="{peak}">"#)));
/// assert!(html.contains(&summary.scenario_sha256));
/// assert!(!html.contains("<script"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    title: String,
    lead: Option<String>,
    answers: Vec<Sentence>,
    tables: Vec<Table>,
    charts: Vec<Chart>,
    scenarios: Vec<ScenarioRun>,
    provenance: Provenance,
    /// The "What drives this" section, after the answers (a run's).
    drivers: Option<DriversSection>,
}

/// The "What drives this" section of a run's report: a note (how the
/// ranking was computed, or where to get one) and one sentence per
/// headline answer.
#[derive(Debug, Clone, PartialEq)]
struct DriversSection {
    note: String,
    /// `(metric, sentence)`, the metric being the `data-drivers`
    /// attribute of its list item.
    answers: Vec<(String, Sentence)>,
}

/// The style sheet: readable on a phone, printable, nothing fetched.
const STYLE: &str = "\
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0 auto;max-width:62rem;padding:1rem;font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif;line-height:1.45;color:#1a1a1a;background:#fff}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid #ccc}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
p.lead{color:#444;margin-top:0}
ul.answers{padding-left:1.2rem}
ul.answers li{margin:.35rem 0}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
figure{margin:1rem 0}
figcaption{font-weight:600;margin-bottom:.3rem}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9rem;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;font-size:.85rem}
td code{overflow-wrap:anywhere;word-break:break-word}
td.num{text-align:right;white-space:nowrap}
p.note{font-size:.85rem;color:#555;margin:.3rem 0}
figure.chart svg{display:block;width:100%;max-width:100%;height:auto}
pre{overflow-x:auto;background:#f6f6f6;padding:.6rem;border:1px solid #ddd;white-space:pre}
details{margin:.6rem 0}
summary{cursor:pointer;font-weight:600}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
@media (max-width:40rem){body{padding:.6rem}dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}
table,tbody,tr,td{display:block;width:100%}
thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
tr{border-bottom:2px solid #bbb;padding:.2rem 0}
td{display:flex;justify-content:space-between;gap:1rem;border:0;padding:.1rem .2rem;text-align:right}
td.num{white-space:normal}
td::before{content:attr(data-label);font-weight:600;text-align:left;flex:0 0 auto;max-width:45%}
td:first-child{display:block;text-align:left;font-weight:600}
td:first-child::before{content:none}}
@media print{
body{color:#000;background:#fff;max-width:none;padding:0;font-size:10.5pt}
p.lead,p.note{color:#000}
th{background:#fff}
pre{background:#fff;white-space:pre-wrap;overflow-wrap:anywhere}
.scroll{overflow:visible}
figure,table,tr,ul.answers li{break-inside:avoid;page-break-inside:avoid}
thead{display:table-header-group}
h2,h3,figcaption{break-after:avoid;page-break-after:avoid}
}
";

impl Report {
    /// An empty report with a title.
    pub fn new(title: impl Into<String>) -> Report {
        Report {
            title: title.into(),
            lead: None,
            answers: Vec::new(),
            tables: Vec::new(),
            charts: Vec::new(),
            scenarios: Vec::new(),
            provenance: Provenance::default(),
            drivers: None,
        }
    }

    /// Sets the line below the title.
    pub fn lead(mut self, text: impl Into<String>) -> Report {
        self.lead = Some(text.into());
        self
    }

    /// Adds, after a run's answers, what repatriation spares each facility
    /// (`run --relief`), one item per facility (`data-answer="relief.NAME"`).
    pub fn relief(mut self, relief: &crate::report::answers::Relief) -> Report {
        for a in &relief.facilities {
            self = self.answer(Sentence::answer_of(
                format!("relief.{}", a.facility),
                &a.text,
            ));
        }
        self
    }

    /// Sets the "What drives this" section (`<section id="drivers">`,
    /// after the answers) to the drivers of each headline answer
    /// (`run --drivers`), one item per answer
    /// (`data-drivers="METRIC"`), after a line on how they were computed.
    pub fn drivers(mut self, drivers: &crate::report::drivers::Drivers) -> Report {
        self.drivers = Some(DriversSection {
            note: drivers.method(),
            answers: drivers
                .answers
                .iter()
                .map(|a| {
                    (
                        a.metric.clone(),
                        Sentence::answer_of(a.metric.clone(), &a.text),
                    )
                })
                .collect(),
        });
        self
    }

    /// Sets the "What drives this" section to a note alone (where the
    /// drivers were not computed: [`crate::report::drivers::pointer()`]).
    pub fn drivers_note(mut self, note: impl Into<String>) -> Report {
        self.drivers = Some(DriversSection {
            note: note.into(),
            answers: Vec::new(),
        });
        self
    }

    /// The "What drives this" section, where there is one.
    fn drivers_html(&self, o: &mut Html) {
        let Some(d) = &self.drivers else { return };
        o.push_fill(
            "<section id=\"drivers\">\n<h2>What drives this</h2>\n<p class=\"note\">{}</p>\n",
            &[&Html::text(&d.note)],
        );
        if !d.answers.is_empty() {
            o.push_markup("<ul class=\"answers\">\n");
            for (metric, s) in &d.answers {
                o.push_fill(
                    "<li data-drivers=\"{}\">{}</li>\n",
                    &[&Html::text(metric), &s.html()],
                );
            }
            o.push_markup("</ul>\n");
        }
        o.push_markup("</section>\n");
    }

    /// Adds a headline answer.
    pub fn answer(mut self, sentence: Sentence) -> Report {
        self.answers.push(sentence);
        self
    }

    /// Adds a table.
    pub fn table(mut self, table: Table) -> Report {
        self.tables.push(table);
        self
    }

    /// Adds charts (feature `plots`), in order.
    #[cfg(feature = "plots")]
    pub fn figures(mut self, figures: Vec<crate::report::plots::Figure>) -> Report {
        self.charts.extend(figures.into_iter().map(|f| Chart {
            title: f.title,
            svg: Html::svg(f.svg.trim()),
        }));
        self
    }

    /// Adds a scenario as run.
    pub fn scenario(mut self, run: ScenarioRun) -> Report {
        self.scenarios.push(run);
        self
    }

    /// Sets the provenance.
    pub fn provenance(mut self, provenance: Provenance) -> Report {
        self.provenance = provenance;
        self
    }

    /// The headline answers, in order.
    pub fn answers(&self) -> &[Sentence] {
        &self.answers
    }

    /// The whole document.
    pub fn to_html(&self) -> String {
        let mut o = Html::new();
        let version = Html::text(env!("CARGO_PKG_VERSION"));
        let title = Html::text(&self.title);
        o.push_fill(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"custody-sim {}\">\n\
             <title>{}</title>\n<style>\n",
            &[&version, &title],
        );
        o.push_markup(STYLE);
        o.push_fill(
            "</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
            &[&title],
        );
        if let Some(l) = &self.lead {
            o.push_fill("<p class=\"lead\">{}</p>\n", &[&Html::text(l)]);
        }
        o.push_markup("</header>\n<main>\n<section id=\"answers\">\n<h2>Answers</h2>\n");
        if self.answers.is_empty() {
            o.push_markup("<p>No answers.</p>\n");
        } else {
            o.push_markup("<ul class=\"answers\">\n");
            for a in &self.answers {
                match (&a.metric, &a.about) {
                    (Some(m), _) => o.push_fill("<li data-metric=\"{}\">", &[&Html::text(m)]),
                    (None, Some(about)) => {
                        o.push_fill("<li data-answer=\"{}\">", &[&Html::text(about)]);
                    }
                    (None, None) => o.push_markup("<li>"),
                }
                o.push(&a.html());
                o.push_markup("</li>\n");
            }
            o.push_markup("</ul>\n");
        }
        o.push_markup("</section>\n");
        self.drivers_html(&mut o);
        if !self.tables.is_empty() {
            o.push_markup("<section id=\"tables\">\n<h2>Tables</h2>\n");
            for t in &self.tables {
                t.html(&mut o);
            }
            o.push_markup("</section>\n");
        }
        o.push_markup("<section id=\"charts\">\n<h2>Charts</h2>\n");
        if self.charts.is_empty() {
            o.push_markup(if cfg!(feature = "plots") {
                "<p>No charts in this report.</p>\n"
            } else {
                "<p>No charts: this custody-sim was built without the <code>plots</code> feature.</p>\n"
            });
        }
        for c in &self.charts {
            o.push_fill(
                "<figure class=\"chart\">\n{}\n<figcaption>{}</figcaption>\n</figure>\n",
                &[&c.svg, &Html::text(&c.title)],
            );
        }
        o.push_markup("</section>\n");
        self.provenance_html(&mut o, &version);
        self.scenarios_html(&mut o);
        o.push_markup("</main>\n</body>\n</html>\n");
        o.into_string()
    }

    /// The provenance section.
    fn provenance_html(&self, o: &mut Html, version: &Html) {
        let p = &self.provenance;
        o.push_fill(
            "<section id=\"provenance\">\n<h2>Provenance</h2>\n<dl>\n\
             <dt>custody-sim</dt><dd>version <span class=\"version\">{}</span></dd>\n",
            &[version],
        );
        for s in &self.scenarios {
            let label = s
                .label
                .as_ref()
                .map_or_else(Html::new, |l| Html::fill(" ({})", &[&Html::text(l)]));
            o.push_fill(
                "<dt>scenario SHA-256{}</dt><dd><code>{}</code></dd>\n",
                &[&label, &Html::text(&s.sha256())],
            );
        }
        o.push_fill(
            "<dt>seed</dt><dd class=\"seed\">{}</dd>\n",
            &[&Html::display(p.seed)],
        );
        if let Some(n) = p.replications {
            o.push_fill(
                "<dt>replications</dt><dd class=\"replications\">{}</dd>\n",
                &[&Html::display(n)],
            );
        }
        for (k, v) in &p.details {
            o.push_fill(
                "<dt>{}</dt><dd>{}</dd>\n",
                &[&Html::text(k), &Html::text(v)],
            );
        }
        o.push_fill(
            "<dt>threads</dt><dd>results do not depend on the number of threads: \
             replication i draws from its own random stream (seed, i), so the same \
             command gives the same figures on any machine</dd>\n\
             <dt>command</dt><dd><code class=\"command-line\">{}</code></dd>\n\
             <dt>date</dt><dd>{}</dd>\n</dl>\n</section>\n",
            &[&Html::text(&p.command_line), &Html::text(&p.date)],
        );
    }

    /// The scenarios as run, last: what changed them, their hash, and
    /// their text folded (`<details>`).
    fn scenarios_html(&self, o: &mut Html) {
        o.push_markup("<section id=\"scenario\">\n<h2>Scenario as run</h2>\n");
        for s in &self.scenarios {
            if let Some(l) = &s.label {
                o.push_fill("<h3>{}</h3>\n", &[&Html::text(l)]);
            }
            o.push_markup("<dl>\n");
            if let Some(v) = &s.variant {
                o.push_fill(
                    "<dt>variant</dt><dd><code>{}</code></dd>\n",
                    &[&Html::text(v)],
                );
            }
            o.push_markup("<dt>overrides</dt><dd>");
            if s.overrides.is_empty() {
                o.push_markup("none");
            } else {
                o.push(&Html::join(s.overrides.iter().map(override_html), "<br>"));
            }
            o.push_markup("</dd>\n");
            o.push_fill(
                "<dt>SHA-256 of the text below</dt><dd><code class=\"sha256\">{}</code></dd>\n</dl>\n",
                &[&Html::text(&s.sha256())],
            );
            o.push_fill(
                "<details>\n<summary>The scenario file as run ({} lines of TOML)</summary>\n\
                 <pre><code class=\"scenario-toml\">{}</code></pre>\n</details>\n",
                &[&Html::display(s.toml.lines().count()), &Html::text(&s.toml)],
            );
        }
        o.push_markup("</section>\n");
    }

    /// Writes the document to `path` atomically
    /// ([`crate::report::write_atomic`]).
    ///
    /// # Errors
    ///
    /// [`Error::Io`] naming `path`.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        crate::report::write_bytes_atomic(path, self.to_html().as_bytes())
    }
}

/// Whether a metric is shown in a sweep's tables: as the terminal table
/// ([`crate::report::table::sweep_metric`]).
fn sweep_metric(name: &str) -> bool {
    crate::report::table::sweep_metric(name)
}

/// One override as the "Scenario as run" section lists it: where it came
/// from, a variant (`variant high: path = value`) or the command line
/// (`--set path=value`).
fn override_html(ov: &Override) -> Html {
    match &ov.variant {
        Some(v) => Html::fill(
            "<code>variant {}: {} = {}</code>",
            &[
                &Html::text(v),
                &Html::text(&ov.path),
                &Html::text(&ov.value),
            ],
        ),
        None => Html::fill("<code>--set {}</code>", &[&Html::text(&ov.to_string())]),
    }
}

/// `, variant high (a=1) with --set b=2`, `with --set b=2` or nothing: a
/// variant's overrides (tagged) are listed with it, the `--set`s after.
fn with_sets(overrides: &[Override]) -> String {
    with_changes(None, overrides)
}

/// [`with_sets`] naming `variant` even where it has no overrides.
fn with_changes(variant: Option<&str>, overrides: &[Override]) -> String {
    let text = crate::report::changes_text(variant, overrides);
    if text.is_empty() {
        text
    } else if text.starts_with("variant") {
        format!(", {text}")
    } else {
        format!(" {text}")
    }
}

/// `LOW to HIGH` of an estimate's interval, or `–`.
fn ci_cell(e: &Estimate) -> TableCell {
    match (e.ci95_low, e.ci95_high) {
        (Some(l), Some(h)) => TableCell::text(format!("{} to {}", by_size(l), by_size(h))),
        _ => TableCell::text("–"),
    }
}

/// The noise floor's answer for metric `m`: the dummy's total index with
/// its interval, and how many factors lie above it.
fn sobol_floor_sentence(m: &crate::decide::MetricIndices, d: &DummyIndex) -> Sentence {
    let above = m
        .indices
        .iter()
        .filter(|i| i.above_dummy == Some(true))
        .count();
    let s = Sentence::new()
        .metric(&m.metric)
        .code(&m.metric)
        .text(": noise floor (the dummy's total index) ");
    let s = match d.total.estimate {
        Some(x) => s.estimate(x, "dummy_total", d.total.ci95_low, d.total.ci95_high),
        None => s.text("undefined"),
    };
    s.text("; above it: ")
        .value(above as f64, "above_dummy")
        .text(format!(" of {} factors", m.indices.len()))
}

/// Per daily series analysed on two days or more (`SERIES@DAY` metrics),
/// every factor's indices by date: the table beside the chart of indices
/// over time.
fn over_time_tables(res: &SobolResult) -> Vec<Table> {
    let mut series: Vec<&str> = Vec::new();
    for m in &res.metrics {
        if let Some(a) = &m.at
            && !series.contains(&a.series.as_str())
        {
            series.push(&a.series);
        }
    }
    let mut out = Vec::new();
    for name in series {
        let mut days: Vec<&crate::decide::MetricIndices> = res
            .metrics
            .iter()
            .filter(|m| m.at.as_ref().is_some_and(|a| a.series == name))
            .collect();
        if days.len() < 2 {
            continue;
        }
        days.sort_by_key(|m| m.at.as_ref().map_or(0, |a| a.day));
        let mut t = Table::new(
            format!("{name}: indices over time"),
            ["date", "day", "factor", "first order", "total", "95% CI"],
        )
        .note("Each factor's first-order and total index of the series on each chosen day (the metrics SERIES@DAY), by date.");
        for m in days {
            let Some(a) = &m.at else { continue };
            for i in &m.indices {
                t = t.row([
                    TableCell::text(&a.date),
                    TableCell::num(Some(f64::from(a.day))),
                    TableCell::code(&i.path),
                    TableCell::num(i.first_order.estimate),
                    TableCell::num(i.total.estimate),
                    ci_cell(&i.total),
                ]);
            }
        }
        out.push(t);
    }
    out
}

/// The largest second-order indices of `m` (at most ten), largest first.
fn second_order_table(m: &crate::decide::MetricIndices) -> Table {
    const SHOWN: usize = 10;
    let shown = m.second_order.len().min(SHOWN);
    let mut t = Table::new(
        format!("{}: second-order indices", m.metric),
        ["pair", "second order", "95% CI"],
    )
    .note(format!(
        "The share of variance of each pair's interaction alone (Saltelli 2002); the {shown} largest of {} pairs (the JSON has all).",
        m.second_order.len()
    ));
    for p in &m.second_order[..shown] {
        t = t.row([
            TableCell::text(format!("{} × {}", p.pair[0], p.pair[1])),
            TableCell::num(p.second_order.estimate),
            ci_cell(&p.second_order),
        ]);
    }
    t
}

impl Report {
    /// The report of a run: the headline metrics with their 95% intervals
    /// first, then every metric's statistics, then the scenario
    /// (`scenario`, as run), naming the variant and the overrides the
    /// summary was run with ([`Summary::variant`],
    /// [`Summary::overrides`]). Add charts with `figures` and the
    /// provenance with [`Report::provenance`].
    pub fn run(scenario: &Scenario, summary: &Summary) -> Report {
        let (variant, overrides) = (summary.variant.as_deref(), &summary.overrides);
        let changes = with_changes(variant, overrides);
        // A scenario that draws its parameters (a posterior file, listed
        // distributions) says so in the title and the lead.
        let drawn = crate::report::drawn::Drawn::of(scenario);
        let title = match &drawn {
            Some(d) => format!("Scenario {}, drawing {}", summary.scenario, d.short()),
            None => format!("Scenario {}", summary.scenario),
        };
        let mut r = Report::new(title).lead(format!(
            "{} replications from day 0 ({}) over {} days{changes}. Answers: the median run's dates and the mean figures, with the range of 90% of runs; the table: means with their 95% confidence intervals.{}",
            summary.replications,
            summary.start_date,
            summary.horizon_days,
            drawn.map_or_else(String::new, |d| format!(" {}", d.text())),
        ));
        // The capacity answers, in words and dates.
        let answers = crate::report::answers::Answers::new(scenario, summary);
        for a in &answers.facilities {
            r = r.answer(Sentence::answer_of(
                format!("facility.{}", a.facility),
                &a.text,
            ));
        }
        for a in &answers.stages {
            r = r.answer(Sentence::answer_of(format!("stage.{}", a.stage), &a.text));
        }
        for a in &answers.groups {
            r = r.answer(Sentence::answer_of(format!("group.{}", a.group), &a.text));
        }
        let mut t = Table::new(
            "Every metric",
            [
                "metric",
                "n",
                "mean",
                "95% CI low",
                "95% CI high",
                "p5",
                "median",
                "p95",
            ],
        )
        .note("n: replications with a value; p5, median, p95: across replications.");
        for (name, m) in &summary.metrics {
            t = t.row([
                TableCell::code(name),
                TableCell::num(Some(m.n as f64)),
                TableCell::num(m.mean),
                TableCell::num(m.ci95_low),
                TableCell::num(m.ci95_high),
                TableCell::num(m.p5),
                TableCell::num(m.p50),
                TableCell::num(m.p95),
            ]);
        }
        r.table(t)
            .scenario(ScenarioRun::new(scenario, overrides).variant(variant))
            .drivers_note(crate::report::drivers::pointer(scenario))
    }

    /// The report of a sweep of `base` (as run, changed by the sweep's
    /// [`SweepResult::overrides`], which it lists): for each headline
    /// metric, the first cell's mean and the cell that differs most from
    /// it (paired difference with its 95% interval); then a table per
    /// metric of every cell.
    pub fn sweep(base: &Scenario, result: &SweepResult) -> Report {
        Report::sweep_of(base, result, &[])
    }

    /// [`Report::sweep`] of the metrics `metrics` (the `--metric`s of
    /// `sweep`, or its default, the capacity answers): an answer and a
    /// table for each, in that order. Empty: the headline metrics'
    /// answers and the tables of the sweep table's own metrics
    /// ([`crate::report::table::sweep_metric`]), as [`Report::sweep`].
    pub fn sweep_of(base: &Scenario, result: &SweepResult, metrics: &[&str]) -> Report {
        let overrides = &result.overrides;
        let cells = result.cells.len();
        let first = result.cells.first();
        let reps = first.map_or(0, |c| c.summary.replications);
        let mut r = Report::new(format!("Sweep of {}", base.name)).lead(format!(
            "{cells} cells × {reps} replications over {}{}; differences are paired to cell 1 on common random numbers, with their 95% confidence intervals.",
            result.paths.join(", "),
            with_sets(overrides)
        ));
        let params = |i: usize| {
            result.cells[i]
                .params
                .iter()
                .map(|o| o.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut tables = Vec::new();
        if let Some(first) = first {
            let answers: Vec<&str> = if metrics.is_empty() {
                headline_metrics()
            } else {
                metrics.to_vec()
            };
            for name in &answers {
                let Some(m) = first.metric(name) else {
                    continue;
                };
                let mut s = Sentence::new()
                    .metric(*name)
                    .code(*name)
                    .text(format!(": cell 1 ({}) ", params(0)));
                s = match m.mean {
                    Some(x) => s.text("mean ").value(x, "mean"),
                    None => s.text("no value"),
                };
                let biggest = result
                    .cells
                    .iter()
                    .enumerate()
                    .skip(1)
                    .filter_map(|(i, c)| Some((i, c.diff_of(name)?)))
                    .filter(|(_, d)| d.mean.is_some())
                    .max_by(|a, b| {
                        let k =
                            |d: &crate::montecarlo::sweep::PairedDiff| d.mean.unwrap_or(0.0).abs();
                        k(a.1).total_cmp(&k(b.1))
                    });
                if let Some((i, d)) = biggest {
                    s = s
                        .text(format!(
                            "; largest change at cell {} ({}): Δ ",
                            i + 1,
                            params(i)
                        ))
                        .estimate(d.mean.unwrap_or(f64::NAN), "diff", d.ci95_low, d.ci95_high);
                }
                r = r.answer(s);
            }
            let tabled: Vec<&str> = if metrics.is_empty() {
                first
                    .summary
                    .metrics
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .filter(|n| sweep_metric(n))
                    .collect()
            } else {
                metrics.to_vec()
            };
            for name in tabled {
                let mut t = Table::new(
                    name,
                    [
                        "cell",
                        "parameters",
                        "mean",
                        "95% CI low",
                        "95% CI high",
                        "p5",
                        "p95",
                        "Δ vs cell 1",
                        "Δ 95% CI low",
                        "Δ 95% CI high",
                    ],
                );
                for (i, c) in result.cells.iter().enumerate() {
                    let m = c.metric(name);
                    let d = c.diff_of(name).filter(|_| i > 0);
                    t = t.row([
                        TableCell::num(Some((i + 1) as f64)),
                        TableCell::text(params(i)),
                        TableCell::num(m.and_then(|m| m.mean)),
                        TableCell::num(m.and_then(|m| m.ci95_low)),
                        TableCell::num(m.and_then(|m| m.ci95_high)),
                        TableCell::num(m.and_then(|m| m.p5)),
                        TableCell::num(m.and_then(|m| m.p95)),
                        TableCell::num(d.and_then(|d| d.mean)),
                        TableCell::num(d.and_then(|d| d.ci95_low)),
                        TableCell::num(d.and_then(|d| d.ci95_high)),
                    ]);
                }
                tables.push(t);
            }
        }
        for t in tables {
            r = r.table(t);
        }
        r.scenario(
            ScenarioRun::new(base, overrides)
                .label("base scenario (cell parameters are set on it)"),
        )
    }

    /// The report of a comparison: per metric, the reference's mean and
    /// each other scenario's paired difference to it with its 95%
    /// interval; then the full table. `scenarios` are the scenarios as run
    /// (label, scenario, overrides), in the comparison's order.
    pub fn comparison(c: &Comparison, scenarios: &[(String, Scenario, Vec<Override>)]) -> Report {
        let reference = c.labels.first().cloned().unwrap_or_default();
        let mut r = Report::new(format!("Comparison: {}", c.labels.join(" vs "))).lead(format!(
            "{} replications per scenario, paired on common random numbers; differences are to {reference}, with their 95% confidence intervals.",
            c.replications
        ));
        let mut t = Table::new(
            "Metrics side by side",
            [
                "metric",
                "scenario",
                "mean",
                "95% CI low",
                "95% CI high",
                "Δ vs reference",
                "Δ 95% CI low",
                "Δ 95% CI high",
            ],
        );
        for m in &c.metrics {
            let mut s = Sentence::new().metric(&m.metric).code(&m.metric).text(": ");
            for (i, e) in m.entries.iter().enumerate() {
                if i == 0 {
                    s = s.text(format!("{} ", e.label));
                    s = match e.stats.as_ref().and_then(|x| x.mean) {
                        Some(x) => s.text("mean ").value(x, "mean"),
                        None => s.text("no value"),
                    };
                } else {
                    s = s.text(format!("; {}: Δ ", e.label));
                    s = match e.diff.as_ref().and_then(|d| d.mean) {
                        Some(d) => s.estimate(
                            d,
                            "diff",
                            e.diff.as_ref().and_then(|d| d.ci95_low),
                            e.diff.as_ref().and_then(|d| d.ci95_high),
                        ),
                        None => s.text("no paired difference"),
                    };
                }
                let st = e.stats.as_ref();
                let d = e.diff.as_ref().filter(|_| i > 0);
                t = t.row([
                    TableCell::code(&m.metric),
                    TableCell::text(&e.label),
                    TableCell::num(st.and_then(|x| x.mean)),
                    TableCell::num(st.and_then(|x| x.ci95_low)),
                    TableCell::num(st.and_then(|x| x.ci95_high)),
                    TableCell::num(d.and_then(|x| x.mean)),
                    TableCell::num(d.and_then(|x| x.ci95_low)),
                    TableCell::num(d.and_then(|x| x.ci95_high)),
                ]);
            }
            r = r.answer(s);
        }
        r = r.table(t);
        for (label, s, o) in scenarios {
            r = r.scenario(ScenarioRun::new(s, o).label(label.clone()));
        }
        r
    }

    /// The report of a backtest of `scenario` (already changed by
    /// `overrides`): coverage of the 5–95% band, mean interval score and
    /// CRPS first, then one row per observation.
    pub fn backtest(b: &Backtest, scenario: &Scenario, overrides: &[Override]) -> Report {
        let inside = b.rows.iter().filter(|r| r.inside).count();
        let values = b.rows.iter().filter(|r| r.kind.is_value()).count();
        let mut r = Report::new(format!("Backtest of {}", scenario.name))
            .lead(format!(
                "{} observations scored against the scenario's 5–95% bands{}.",
                b.rows.len(),
                with_sets(overrides)
            ))
            .answer(
                Sentence::new()
                    .metric("coverage")
                    .text("Coverage of the 5–95% band: ")
                    .value_to(b.coverage, "coverage", 2)
                    .text(format!(
                        " ({inside} of {values} observations inside; nominal 0.90)"
                    )),
            )
            .answer(
                Sentence::new()
                    .metric("mean_interval_score")
                    .text("Mean interval score (lower is better): ")
                    .value(b.mean_interval_score, "mean_interval_score"),
            )
            .answer(
                Sentence::new()
                    .metric("crps")
                    .text("CRPS (lower is better): ")
                    .value(b.crps, "crps"),
            );
        if let (Some(k), Some(m)) = (b.bounds_consistent, b.bounds) {
            r = r.answer(Sentence::new().text(format!(
                "Bounds consistent (at least {} of the replications meet the bound): {k} of {m}",
                crate::calibrate::BOUND_CONSISTENT_SHARE
            )));
        }
        let mut t = Table::new(
            "Observations against the bands",
            ["date", "series", "value", "p5", "p50", "p95", "inside", "PIT", "interval score"],
        )
        .note("PIT: the share of replications below the observed value; interval score of the 90% interval.");
        for row in &b.rows {
            t = t.row([
                TableCell::text(&row.date),
                TableCell::code(&row.series),
                TableCell::num(Some(row.value)),
                TableCell::num(Some(row.p5)),
                TableCell::num(Some(row.p50)),
                TableCell::num(Some(row.p95)),
                TableCell::text(match (row.share_meeting, row.consistent) {
                    (Some(share), Some(c)) => format!(
                        "{} bound: {share:.3} meet it{}",
                        row.kind.name(),
                        if c { "" } else { " (NOT consistent)" }
                    ),
                    _ => (if row.inside { "yes" } else { "no" }).to_string(),
                }),
                TableCell::num(Some(row.pit)),
                TableCell::num(Some(row.interval_score).filter(|x| !x.is_nan())),
            ]);
        }
        r.table(t).scenario(ScenarioRun::new(scenario, overrides))
    }

    /// The report of a hindcast of `scenario` (already changed by
    /// `overrides`): the out-of-sample coverage, mean interval score and
    /// CRPS over every origin first, then per origin what was fitted and
    /// its scores; then a table of the origins, a table of every scored
    /// row, and the error of the median by horizon.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::calibrate::{hindcast, Abc, Observations};
    /// use custody_sim::{presets, report::html::Report};
    ///
    /// let s = presets::plan_2026_01();
    /// let obs = Observations::from_csv_str(
    ///     "date,series,value\n2026-01-30,transferred_cumulative,500\n2026-02-07,transferred_cumulative,2225\n",
    ///     "reported",
    ///     &s,
    /// )?;
    /// let h = hindcast(&s, &obs, &["2026-02-01"], &[], &Abc::default(), 20)?;
    /// let html = Report::hindcast(&h, &s, &[]).to_html();
    /// assert!(html.contains("Hindcast of ") && html.contains("data-metric=\"coverage\""));
    /// assert!(html.contains("From 2026-02-01 (nothing fitted)"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn hindcast(h: &Hindcast, scenario: &Scenario, overrides: &[Override]) -> Report {
        let scored: usize = h.origins.iter().map(|o| o.scored.rows.len()).sum();
        let values: Vec<_> = h
            .origins
            .iter()
            .flat_map(|o| o.scored.rows.iter().filter(|r| r.kind.is_value()))
            .collect();
        let inside = values.iter().filter(|r| r.inside).count();
        let mut r = Report::new(format!("Hindcast of {}", scenario.name))
            .lead(format!(
                "Tested out of sample from {} origin(s): at each, fitted to the reports dated up to it only, and scored on the {scored} report(s) dated after it against the forecast's 5–95% bands{}.",
                h.origins.len(),
                with_sets(overrides)
            ))
            .answer(
                Sentence::new()
                    .metric("coverage")
                    .text("Out-of-sample coverage of the 5–95% band: ")
                    .value_to(h.coverage, "coverage", 2)
                    .text(format!(
                        " ({inside} of {} later reports inside; nominal 0.90)",
                        values.len()
                    )),
            )
            .answer(
                Sentence::new()
                    .metric("mean_interval_score")
                    .text("Mean interval score (lower is better): ")
                    .value(h.mean_interval_score, "mean_interval_score"),
            )
            .answer(
                Sentence::new()
                    .metric("crps")
                    .text("CRPS (lower is better): ")
                    .value(h.crps, "crps"),
            );
        if let (Some(k), Some(m)) = (h.bounds_consistent, h.bounds) {
            r = r.answer(Sentence::new().text(format!(
                "Bounds consistent (at least {} of the replications meet the bound): {k} of {m}",
                crate::calibrate::BOUND_CONSISTENT_SHARE
            )));
        }
        for o in &h.origins {
            let fitted = match &o.posterior {
                Some(p) => format!(
                    "{} parameter(s) fitted to {} report(s)",
                    p.len(),
                    o.fitted_rows
                ),
                None => "nothing fitted".to_string(),
            };
            r = r.answer(
                Sentence::new()
                    .text(format!("From {} ({fitted}): coverage ", o.origin))
                    .value_to(o.scored.coverage, "coverage", 2)
                    .text(", CRPS ")
                    .value(o.scored.crps, "crps")
                    .text(format!(" over {} later report(s)", o.scored.rows.len())),
            );
        }
        let mut origins = Table::new(
            "Origins",
            [
                "origin",
                "fit rows",
                "fitted",
                "scored rows",
                "coverage",
                "interval score",
                "CRPS",
            ],
        );
        for o in &h.origins {
            let fitted = match (&o.posterior, &o.stopped) {
                (Some(p), Some(stopped)) => p
                    .iter()
                    .map(|q| {
                        format!(
                            "{}: median {} [{}, {}]",
                            q.path,
                            fixed(q.q50, 4),
                            fixed(q.q05, 4),
                            fixed(q.q95, 4)
                        )
                    })
                    .chain(std::iter::once(format!("stopped: {stopped}")))
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => "nothing (no prior)".to_string(),
            };
            origins = origins.row([
                TableCell::text(&o.origin),
                TableCell::num(Some(o.fitted_rows as f64)),
                TableCell::text(fitted),
                TableCell::num(Some(o.scored.rows.len() as f64)),
                TableCell::num(Some(o.scored.coverage).filter(|x| !x.is_nan())),
                TableCell::num(Some(o.scored.mean_interval_score).filter(|x| !x.is_nan())),
                TableCell::num(Some(o.scored.crps).filter(|x| !x.is_nan())),
            ]);
        }
        let mut rows = Table::new(
            "Scored reports against the forecast's bands",
            [
                "origin", "days after", "date", "series", "value", "p5", "p50", "p95", "inside",
                "PIT", "interval score",
            ],
        )
        .note("Each report dated after an origin, scored against the forecast fitted at that origin; PIT: the share of replications below the observed value; interval score of the 90% interval.");
        for o in &h.origins {
            for (row, days) in o.scored.rows.iter().zip(&o.horizons) {
                rows = rows.row([
                    TableCell::text(&o.origin),
                    TableCell::num(Some(*days as f64)),
                    TableCell::text(&row.date),
                    TableCell::code(&row.series),
                    TableCell::num(Some(row.value)),
                    TableCell::num(Some(row.p5)),
                    TableCell::num(Some(row.p50)),
                    TableCell::num(Some(row.p95)),
                    TableCell::text(match (row.share_meeting, row.consistent) {
                        (Some(share), Some(c)) => format!(
                            "{} bound: {share:.3} meet it{}",
                            row.kind.name(),
                            if c { "" } else { " (NOT consistent)" }
                        ),
                        _ => (if row.inside { "yes" } else { "no" }).to_string(),
                    }),
                    TableCell::num(Some(row.pit)),
                    TableCell::num(Some(row.interval_score).filter(|x| !x.is_nan())),
                ]);
            }
        }
        let mut horizons = Table::new(
            "Error of the median by days after the origin, every origin",
            ["days after", "value rows", "mean error", "mean |error|"],
        )
        .note(
            "Error: the forecast's median less the observed value (a bias above 0 over-forecasts).",
        );
        for e in &h.by_horizon {
            horizons = horizons.row([
                TableCell::num(Some(e.horizon as f64)),
                TableCell::num(Some(e.rows as f64)),
                TableCell::num(Some(e.mean_error)),
                TableCell::num(Some(e.mean_absolute_error)),
            ]);
        }
        r.table(origins)
            .table(rows)
            .table(horizons)
            .scenario(ScenarioRun::new(scenario, overrides))
    }

    /// The report of a calibration of `scenario` (already changed by
    /// `overrides`): each parameter's posterior median with its 90%
    /// interval first, then the posterior summary and the tolerance
    /// schedule.
    pub fn calibration(post: &Posterior, scenario: &Scenario, overrides: &[Override]) -> Report {
        let summary = post.summary();
        let mut r = Report::new(format!("Calibration of {}", scenario.name)).lead(format!(
            "ABC population Monte Carlo: {} particles, {} simulations, {} generations; stopped: {}{}.",
            post.particles.len(),
            post.simulations,
            post.tolerance_schedule.len(),
            post.stopped,
            with_sets(overrides)
        ));
        for s in &summary {
            r = r.answer(
                Sentence::new()
                    .metric(&s.path)
                    .code(&s.path)
                    .text(": posterior median ")
                    .value(s.q50, "q50")
                    .text(" (90% interval ")
                    .value(s.q05, "q05")
                    .text(" to ")
                    .value(s.q95, "q95")
                    .text("; mean ")
                    .value(s.mean, "mean")
                    .text(")"),
            );
        }
        r = r.answer(
            Sentence::new()
                .metric("ess")
                .text("Effective sample size of the final weights: ")
                .value(post.ess(), "ess"),
        );
        let mut t = Table::new(
            "Posterior summary",
            ["parameter", "mean", "sd", "5%", "50%", "95%", "ESS"],
        );
        for s in &summary {
            t = t.row([
                TableCell::code(&s.path),
                TableCell::num(Some(s.mean)),
                TableCell::num(Some(s.sd)),
                TableCell::num(Some(s.q05)),
                TableCell::num(Some(s.q50)),
                TableCell::num(Some(s.q95)),
                TableCell::num(Some(s.ess)),
            ]);
        }
        let mut sched = Table::new(
            "Tolerance schedule",
            ["generation", "tolerance", "acceptance rate"],
        )
        .note("Generation 0 samples the priors and accepts every particle (tolerance ∞).");
        for (g, (tol, rate)) in post
            .tolerance_schedule
            .iter()
            .zip(&post.acceptance_rates)
            .enumerate()
        {
            sched = sched.row([
                TableCell::num(Some(g as f64)),
                if tol.is_finite() {
                    TableCell::num(Some(*tol))
                } else {
                    TableCell::text("∞")
                },
                TableCell::num(Some(*rate)),
            ]);
        }
        r.table(t)
            .table(sched)
            .scenario(ScenarioRun::new(scenario, overrides))
    }

    /// The report of a sensitivity analysis of `scenario` (already changed
    /// by `overrides`): per metric, the parameter with the largest total
    /// index and its tornado swing first (and, with a dummy, the noise
    /// floor: the dummy's total index and how many factors lie above it);
    /// then a table per metric of every parameter's (or group's)
    /// first-order and total indices and swing, by total index (with a
    /// dummy, its row and whether each factor lies above it), the metric's
    /// largest second-order indices where computed, each daily series
    /// analysed on two days or more with its indices by date, and the
    /// parameter groups ([`crate::decide::sobol`] has the estimators).
    pub fn sensitivity(res: &SobolResult, scenario: &Scenario, overrides: &[Override]) -> Report {
        let mut r = Report::new(format!("Sensitivity of {}", scenario.name)).lead(format!(
            "Sobol indices from {} model evaluations ({} base samples, {} bootstrap resamples for the 95% intervals){}; tornado swings: the metric at each parameter's 95th minus its 5th percentile, the others at their medians.",
            res.evaluations,
            res.options.base_samples,
            res.options.bootstrap,
            with_sets(overrides)
        ));
        let key = |i: &crate::decide::SobolIndex| i.total.estimate.unwrap_or(f64::NEG_INFINITY);
        let est = |s: Sentence, e: &Estimate, class: &'static str| match e.estimate {
            Some(x) => s.estimate(x, class, e.ci95_low, e.ci95_high),
            None => s.text("undefined"),
        };
        for m in &res.metrics {
            let mut ix: Vec<_> = m.indices.iter().collect();
            ix.sort_by(|a, b| key(b).total_cmp(&key(a)));
            if let Some(top) = ix.first() {
                let s = Sentence::new()
                    .metric(&m.metric)
                    .code(&m.metric)
                    .text(": most influential ")
                    .code(&top.path)
                    .text(", total index ");
                let mut s = est(s, &top.total, "total");
                if let Some(sw) = &top.swing {
                    s = est(s.text("; tornado swing "), sw, "swing");
                }
                r = r.answer(s);
            }
            let mut t = Table::new(
                format!(
                    "{} (variance {})",
                    m.metric,
                    m.variance.map_or("–".into(), by_size)
                ),
                [
                    "parameter",
                    "first order",
                    "95% CI",
                    "total",
                    "95% CI",
                    "tornado swing",
                    "95% CI",
                ],
            );
            if m.dummy.is_some() {
                t.head.push("above the noise floor".into());
            }
            for i in ix {
                let sw = i.swing.unwrap_or(Estimate::NONE);
                let mut row = vec![
                    TableCell::code(&i.path),
                    TableCell::num(i.first_order.estimate),
                    ci_cell(&i.first_order),
                    TableCell::num(i.total.estimate),
                    ci_cell(&i.total),
                    TableCell::num(sw.estimate),
                    ci_cell(&sw),
                ];
                if m.dummy.is_some() {
                    row.push(TableCell::text(match i.above_dummy {
                        Some(true) => "yes",
                        Some(false) => "no (≈ dummy)",
                        None => "–",
                    }));
                }
                t = t.row(row);
            }
            if let Some(d) = &m.dummy {
                r = r.answer(sobol_floor_sentence(m, d));
                t = t
                    .row([
                        TableCell::text("(dummy)"),
                        TableCell::num(d.first_order.estimate),
                        ci_cell(&d.first_order),
                        TableCell::num(d.total.estimate),
                        ci_cell(&d.total),
                        TableCell::text("–"),
                        TableCell::text("–"),
                        TableCell::text("the noise floor"),
                    ])
                    .note(
                        "(dummy): a parameter the model never reads, whose indices show how far an index of no effect wanders at this number of base samples (Khorashadi Zadeh et al. 2017). \"no (≈ dummy)\": the total index's interval does not lie wholly above the dummy's.",
                    );
            }
            r = r.table(t);
            if !m.second_order.is_empty() {
                r = r.table(second_order_table(m));
            }
        }
        for t in over_time_tables(res) {
            r = r.table(t);
        }
        if !res.options.groups.is_empty() {
            let mut t = Table::new("Parameter groups", ["group", "members"])
                .note("Each group has one index: the design moves its members together (Saltelli et al. 2008, §1.2.15).");
            for g in &res.options.groups {
                t = t.row([
                    TableCell::code(&g.name),
                    TableCell::text(g.paths.join(", ")),
                ]);
            }
            r = r.table(t);
        }
        r.scenario(ScenarioRun::new(scenario, overrides))
    }

    /// The report of a Morris screening of `scenario` (already changed by
    /// `overrides`): per metric, the factor of largest μ* first; then a
    /// table per metric of every factor's μ*, μ and σ and the elementary
    /// effects used, by μ* (estimators in [`crate::decide::morris`]), and
    /// the parameter groups.
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::decide::{MorrisOptions, morris_model, parse_param};
    /// use custody_sim::presets;
    /// use custody_sim::report::html::Report;
    ///
    /// let mut s = presets::plan_2026_01();
    /// s.horizon_days = 40;
    /// let params = [
    ///     parse_param(r#"transfer.phase[1].from={dist="uniform",low=17,high=25}"#)?,
    ///     parse_param(r#"court.stage[trial].servers={dist="uniform_int",low=10,high=40}"#)?,
    /// ];
    /// let opts = MorrisOptions { trajectories: 3, ..MorrisOptions::default() };
    /// let r = morris_model(&s, &params, &["in_syria@30"], &opts)?;
    /// let html = Report::morris(&r, &s, &[]).to_html();
    /// let top = r.metrics[0].sorted()[0];
    /// assert!(html.contains(&format!(r#"<data class="mu_star" value="{}">"#, top.mu_star.unwrap())));
    /// assert!(html.contains("<figcaption>in_syria@30 (Morris screening)</figcaption>"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn morris(res: &MorrisResult, scenario: &Scenario, overrides: &[Override]) -> Report {
        let mut r = Report::new(format!("Screening of {}", scenario.name)).lead(format!(
            "Morris elementary effects from {} model evaluations ({} trajectories over {} levels per parameter){}; μ*: the mean absolute elementary effect, the change of the metric per move of one factor over its whole probability range, the ranking; σ: the standard deviation of those effects (large: the factor interacts or acts non-linearly); both in the metric's units (Morris 1991; Campolongo et al. 2007).",
            res.evaluations,
            res.options.trajectories,
            res.options.levels,
            with_sets(overrides)
        ));
        let cell = |x: Option<f64>| TableCell::num(x);
        for m in &res.metrics {
            let ix = m.sorted();
            if let Some(top) = ix.first()
                && let Some(mu_star) = top.mu_star
            {
                let mut s = Sentence::new()
                    .metric(&m.metric)
                    .code(&m.metric)
                    .text(": largest μ* ")
                    .code(&top.path)
                    .text(", μ* ")
                    .value(mu_star, "mu_star");
                if let Some(sigma) = top.sigma {
                    s = s.text(", σ ").value(sigma, "sigma");
                }
                r = r.answer(s);
            }
            let mut t = Table::new(
                format!("{} (Morris screening)", m.metric),
                ["factor", "μ*", "μ", "σ", "effects", "members"],
            );
            for i in ix {
                t = t.row([
                    TableCell::code(&i.path),
                    cell(i.mu_star),
                    cell(i.mu),
                    cell(i.sigma),
                    TableCell::num(Some(i.effects as f64)),
                    TableCell::text(if i.members.is_empty() {
                        "–".to_string()
                    } else {
                        i.members.join(", ")
                    }),
                ]);
            }
            r = r.table(t.note(
                "μ* (Campolongo et al. 2007) ranks the factors; μ (Morris 1991) keeps the signs, so effects of opposite signs cancel in it; a group has μ* only (its members move each their own way).",
            ));
        }
        r.scenario(ScenarioRun::new(scenario, overrides))
    }

    /// The report of a regional sensitivity analysis of `scenario`
    /// (already changed by `overrides`): how often the condition holds,
    /// and the parameter that separates most the runs in which it holds
    /// from the others; then a table of every parameter's
    /// Kolmogorov–Smirnov distance with its p-value, by distance, and the
    /// distance beyond which a parameter separates the sets at the 5% level
    /// ([`mod@crate::decide::regional`]).
    ///
    /// # Example
    ///
    /// ```
    /// use custody_sim::decide::{Condition, parse_param, regional};
    /// use custody_sim::presets;
    /// use custody_sim::report::html::Report;
    ///
    /// let mut s = presets::plan_2026_01();
    /// s.horizon_days = 30;
    /// let params = [parse_param(r#"transfer.phase[1].from={dist="uniform",low=17,high=25}"#)?];
    /// let r = regional(&s, &params, &Condition::parse("in_syria@20<5600")?, 40, 1, 0)?;
    /// let html = Report::regional(&r, &s, &[]).to_html();
    /// assert!(html.contains(&format!(r#"<data class="ks" value="{}">"#, r.indices[0].ks.unwrap())));
    /// assert!(html.contains(&format!(r#"<data class="holds" value="{}">"#, r.holds)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn regional(res: &RegionalResult, scenario: &Scenario, overrides: &[Override]) -> Report {
        let c = &res.condition;
        let condition = format!("{} {} {}", c.metric, c.op, by_size(c.value));
        let mut r = Report::new(format!("Regional sensitivity of {}", scenario.name)).lead(format!(
            "Monte Carlo filtering on {condition}: {} independent runs{}, split by whether the condition holds; each parameter's Kolmogorov–Smirnov distance between its values in the two sets (near 1: it decides the condition; near 0: no part in it), with its asymptotic p-value (Hornberger and Spear 1981; Stephens 1970).",
            res.samples,
            with_sets(overrides)
        ));
        r = r.answer(
            Sentence::new()
                .metric(&c.metric)
                .code(&condition)
                .text(": holds in ")
                .value(res.holds as f64, "holds")
                .text(" of ")
                .value(res.samples as f64, "samples")
                .text(" runs, fails in ")
                .value(res.fails as f64, "fails"),
        );
        let ix = res.sorted();
        if let Some(top) = ix.first()
            && let Some(ks) = top.ks
        {
            let mut s = Sentence::new()
                .text("Separates them most: ")
                .code(&top.path)
                .text(", distance ")
                .value_to(ks, "ks", 3);
            if let Some(p) = top.p_value {
                s = s.text(", p-value ").value_to(p, "p_value", 4);
            }
            r = r.answer(s);
        }
        let mut t = Table::new(
            format!("{condition}: Kolmogorov–Smirnov distances"),
            ["parameter", "distance", "p-value", "separates at 5%"],
        );
        let crit = res.critical_distance();
        for i in ix {
            t = t.row([
                TableCell::code(&i.path),
                TableCell::num(i.ks),
                TableCell::num(i.p_value),
                TableCell::text(match i.p_value {
                    Some(p) if p < 0.05 => "yes",
                    Some(_) => "no",
                    None => "–",
                }),
            ]);
        }
        t = t.note(match crit {
            Some(d) => format!(
                "A distance beyond {} separates the two sets at the 5% level (p-value below 0.05); for an integer parameter the p-value is an upper bound (ties).",
                fixed(d, 3)
            ),
            None => "The condition holds in every run or in none: no distance is defined.".into(),
        });
        r.table(t).scenario(ScenarioRun::new(scenario, overrides))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_everywhere_it_appears() {
        assert_eq!(escape("<&>\"'"), "&lt;&amp;&gt;&quot;&#39;");
        assert_eq!(escape("a\u{0}b\tc"), "a\u{fffd}b\tc");
        let nasty = "<b>Tom & \"Jerry's\"</b>";
        let html = Report::new(nasty)
            .lead(nasty)
            .answer(Sentence::new().metric(nasty).code(nasty).text(nasty))
            .table(
                Table::new(nasty, [nasty])
                    .row([TableCell::text(nasty)])
                    .note(nasty),
            )
            .scenario(ScenarioRun {
                label: Some(nasty.into()),
                toml: format!("name = {nasty:?}\n"),
                overrides: vec![Override::new(nasty, nasty)],
                variant: Some(nasty.into()),
            })
            .provenance(Provenance {
                command_line: nasty.into(),
                date: nasty.into(),
                details: vec![(nasty.into(), nasty.into())],
                ..Provenance::default()
            })
            .to_html();
        assert!(!html.contains("<b>"), "raw markup leaked");
        assert!(!html.contains("Tom & "), "raw ampersand leaked");
        assert!(html.contains("&lt;b&gt;Tom &amp; &quot;Jerry&#39;s&quot;&lt;/b&gt;"));
    }

    #[test]
    fn numbers_are_shown_rounded_and_given_exactly() {
        // A value of 1,000 or more with decimals has its separators too.
        let e = Sentence::new().estimate(5372.14, "mean", Some(5371.9), Some(5372.4));
        assert!(e.to_html().contains(">5,372.14<"), "{}", e.to_html());
        let s = Sentence::new().value(0.1 + 0.2, "mean").to_html();
        assert_eq!(
            s,
            r#"<data class="mean" value="0.30000000000000004">0.30</data>"#
        );
        assert_eq!(Sentence::new().value(f64::NAN, "x").to_html(), "–");
        let d = |x: f64| Sentence::new().value(x, "diff").to_html();
        assert!(d(2.5).contains(">+2.50<"), "{}", d(2.5));
        assert!(d(-2.5).contains(">-2.50<"));
        assert!(d(0.0).contains(">0<"));
        let e = Sentence::new().estimate(142.968, "mean", Some(142.76), Some(143.18));
        assert!(e.to_html().contains(">142.97<") && e.to_html().contains(">142.76<"));
    }

    #[test]
    fn a_report_without_charts_says_why() {
        let html = Report::new("t").to_html();
        let why = if cfg!(feature = "plots") {
            "<p>No charts in this report.</p>"
        } else {
            "built without the <code>plots</code> feature"
        };
        assert!(html.contains(why), "{html}");
    }

    #[test]
    fn the_scenario_hash_is_of_the_text_embedded() {
        let s = crate::scenario::presets::baseline();
        let run = ScenarioRun::new(&s, &[]);
        assert_eq!(run.sha256(), crate::montecarlo::scenario_sha256(&s));
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
