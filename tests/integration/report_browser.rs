//! The HTML report in a real browser: `run --report` of the bundled
//! `kut_overflow` scenario, rendered by headless Chromium in a frame
//! 1,280 and 390 pixels wide (a laptop and a phone). A script added to a
//! copy of the report measures the page and writes what it found into
//! the page, which `--dump-dom` hands back:
//!
//! - no table is wider than its box (`scrollWidth <= clientWidth`), nor
//!   the page wider than the frame, at either width;
//! - every chart's smallest text is at least 10 pixels at 390;
//! - the answers name every facility that receives transferees (by
//!   allocation, a sentence or an overflow rule).
//!
//! Chromium is looked for as `$CHROMIUM`, `chromium`, `chromium-browser`,
//! `google-chrome`. Without one the test says so and passes, except under
//! `CI=true`, where `.ci/run` installs it first and its absence fails.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use super::cli::{Scratch, expect};

/// The measuring script, added at the end of the report's body. The
/// report runs in a frame; the script writes its findings, as JSON, into
/// a `<pre id="measure">` of the page around the frame.
const MEASURE: &str = r#"<script>
(function () {
  var d = document, out = {
    width: window.innerWidth,
    page: { scroll: d.documentElement.scrollWidth, client: d.documentElement.clientWidth },
    tables: [], charts: [],
    answers: (d.getElementById('answers') || d.body).textContent
  };
  d.querySelectorAll('table').forEach(function (t) {
    var box = t.parentElement, fig = t.closest('figure'), cap = fig && fig.querySelector('figcaption');
    out.tables.push({ caption: cap ? cap.textContent : '', scroll: box.scrollWidth,
                      client: box.clientWidth, table: Math.ceil(t.getBoundingClientRect().width) });
  });
  d.querySelectorAll('figure.chart svg').forEach(function (s) {
    var vb = s.viewBox.baseVal, k = s.getBoundingClientRect().width / vb.width;
    var min = 1e9, text = '';
    s.querySelectorAll('text').forEach(function (t) {
      var px = parseFloat(getComputedStyle(t).fontSize) * k;
      if (px < min) { min = px; text = t.textContent.trim(); }
    });
    var cap = s.closest('figure').querySelector('figcaption');
    out.charts.push({ caption: cap ? cap.textContent : '', min_px: min, text: text });
  });
  var p = window.parent.document.createElement('pre');
  p.id = 'measure';
  p.textContent = JSON.stringify(out);
  window.parent.document.body.appendChild(p);
})();
</script>"#;

/// A Chromium to run, or `None`.
fn chromium() -> Option<String> {
    let mut names: Vec<String> = std::env::var("CHROMIUM").into_iter().collect();
    names.extend(["chromium", "chromium-browser", "google-chrome"].map(String::from));
    names.into_iter().find(|n| {
        Command::new(n)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// The report `html`, measured in a frame `width` pixels wide.
fn measure(browser: &str, dir: &Scratch, html: &str, width: u32) -> Value {
    let page = dir.path(&format!("report-{width}.html"));
    std::fs::write(
        &page,
        html.replacen("</body>", &format!("{MEASURE}</body>"), 1),
    )
    .unwrap();
    let frame = dir.path(&format!("frame-{width}.html"));
    std::fs::write(
        &frame,
        format!(
            "<!DOCTYPE html><html><body style=\"margin:0\"><iframe src=\"report-{width}.html\" \
             style=\"width:{width}px;height:900px;border:0\"></iframe></body></html>"
        ),
    )
    .unwrap();
    let profile = dir.arg(&format!("profile-{width}"));
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--allow-file-access-from-files",
            "--window-size=1400,1000",
            &format!("--user-data-dir={profile}"),
            "--dump-dom",
        ])
        .arg(format!("file://{}", frame.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    let start = dom.find("<pre id=\"measure\">").unwrap_or_else(|| {
        panic!(
            "no measurement at {width} px; chromium said: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    }) + "<pre id=\"measure\">".len();
    let end = start + dom[start..].find("</pre>").unwrap();
    let json = dom[start..end]
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["width"].as_u64(), Some(u64::from(width)), "frame width");
    v
}

/// The facilities that receive transferees in `s`: those arrivals are
/// placed in, those a sentence sends the convicted to, and those an
/// overflow rule sends people to.
fn receiving(s: &custody_sim::Scenario) -> Vec<String> {
    let mut names: Vec<String> = match &s.allocation.facilities {
        Some(list) => list.clone(),
        None => s.facilities.iter().map(|f| f.name.clone()).collect(),
    };
    names.extend(s.court.sentences.iter().filter_map(|x| x.facility.clone()));
    for f in &s.facilities {
        if let Some(o) = &f.overflow {
            names.extend(o.to.iter().cloned());
        }
    }
    names.sort();
    names.dedup();
    names
}

#[test]
fn the_report_fits_a_laptop_and_a_phone_in_chromium() {
    let Some(browser) = chromium() else {
        let msg = "report_browser: skipped: no Chromium found (set CHROMIUM, or install the \
                   `chromium` package: apt-get install -y chromium chromium-driver)";
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{msg}; under CI=true it must be installed (.ci/run does)"
        );
        println!("{msg}");
        eprintln!("{msg}");
        return;
    };
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/scenarios/kut_overflow.toml");
    let dir = Scratch::new("browser");
    let report = dir.arg("report.html");
    expect(
        0,
        &[
            "run",
            scenario.to_str().unwrap(),
            "-n",
            "8",
            "--seed",
            "3",
            "--threads",
            "1",
            "--report",
            &report,
            "--quiet",
        ],
    );
    let html = std::fs::read_to_string(&report).unwrap();
    for width in [1280, 390] {
        let m = measure(&browser, &dir, &html, width);
        let page = &m["page"];
        assert!(
            page["scroll"].as_u64() <= page["client"].as_u64(),
            "at {width} px the page scrolls sideways: {page}"
        );
        let tables = m["tables"].as_array().unwrap();
        assert!(!tables.is_empty(), "no table measured");
        for t in tables {
            assert!(
                t["scroll"].as_u64() <= t["client"].as_u64(),
                "at {width} px a table overflows its box: {t}"
            );
        }
        let charts = m["charts"].as_array().unwrap();
        if cfg!(feature = "plots") {
            assert!(!charts.is_empty(), "no chart measured");
        }
        if width == 390 {
            for c in charts {
                let px = c["min_px"].as_f64().unwrap();
                assert!(
                    px >= 10.0,
                    "at {width} px a chart's text is {px:.1} px: {c}"
                );
            }
        }
        let answers = m["answers"].as_str().unwrap();
        let s = custody_sim::Scenario::from_toml_str(&std::fs::read_to_string(&scenario).unwrap())
            .unwrap();
        let missing: Vec<String> = receiving(&s)
            .into_iter()
            .filter(|f| !answers.contains(f.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "the answers do not name {missing:?}: {answers}"
        );
    }
}
