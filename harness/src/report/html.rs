//! The HTML report: one self-contained page. A summary table links to one
//! section per scenario with its `about`, the command that replays it, why it
//! failed with the golden trace's line diff, its fault plan, a drawing of each
//! tape volume and its trace (collapsed).

use std::fmt::Write as _;

use super::escape::escape;
use super::record::{Record, counts};
use super::svg;

/// The page's style sheet.
const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px;color:#222}\
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
td.figures{font-size:85%;color:#444}tr.pass{background:#e6f4ea}tr.fail,tr.error{background:#fce8e6}code,pre{font-size:90%}\
section.scenario{border:1px solid #ccc;border-left:6px solid #34a853;border-radius:4px;padding:.2em 1em 1em;margin:1.5em 0}\
section.fail,section.error{border-left-color:#d93025}section h2{font-size:1.15em}\
.badge{font-size:.8em;padding:.1em .5em;border-radius:3px;color:#fff;background:#34a853;margin-left:.5em}\
.fail .badge,.error .badge{background:#d93025}.about{font-style:italic}\
pre{background:#f6f8fa;padding:.6em;overflow-x:auto;border-radius:3px}\
pre.diff span{display:block}pre.diff .add{background:#e6ffec;color:#116329}\
pre.diff .del{background:#ffebe9;color:#82071e}pre.diff .hunk{color:#6f42c1}pre.diff .head{color:#57606a}\
ul.reasons li{color:#b3261e}dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em}\
dt{font-weight:600}dd{margin:0}\
svg.volume{display:block;margin:.5em 0;font-size:11px}svg .title{font-weight:600;font-size:12px}\
svg .medium,svg .zoom-medium{fill:#eef0f3;stroke:#8a939c}svg .early-warning{fill:#f28e2b;fill-opacity:.35}\
svg .label{fill:#7b8794}svg .even{fill:#4e79a7}svg .odd{fill:#76b7b2}svg .open{stroke:#d62728;stroke-dasharray:3 2}\
svg .blocks{stroke:#fff;stroke-width:.6}svg .eom{stroke:#d62728;stroke-width:2}\
svg .mark line{stroke-width:1.2}svg .fault line,svg .fault path{stroke:#d62728;fill:#d62728}\
svg .leom line,svg .leom path{stroke:#e69500;fill:#e69500}svg .refused line,svg .refused path{stroke:#7b3294;fill:#7b3294}\
svg .fault text{fill:#b3261e}svg .caption,svg .axis{fill:#57606a}\
#only-failures:checked ~ main section.pass{display:none}";

/// The page's script: says how many sections need a look, and marks that it ran.
const SCRIPT: &str = "\
document.body.dataset.ready='1';\
var f=document.querySelectorAll('section.fail,section.error').length;\
document.getElementById('failure-count').textContent=f?f+' to look at':'nothing to look at';";

/// The records as one HTML page.
pub(super) fn html(records: &[Record]) -> String {
    let (passed, failed) = counts(records);
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>reelcheck report</title>\n<style>{STYLE}</style></head><body>\n<h1>reelcheck report</h1>\n"
    );
    let _ = writeln!(
        out,
        "<p class=\"summary\">{} scenarios: {passed} passed, {failed} failed (<span id=\"failure-count\"></span>).</p>",
        records.len()
    );
    out.push_str("<input type=\"checkbox\" id=\"only-failures\"><label for=\"only-failures\"> show failing scenarios only</label>\n<main>\n");
    summary_table(&mut out, records);
    for (i, r) in records.iter().enumerate() {
        section(&mut out, i, r);
    }
    let _ = writeln!(out, "</main>\n<script>{SCRIPT}</script>\n</body></html>");
    out
}

/// The table of every scenario, each linking to its section.
fn summary_table(out: &mut String, records: &[Record]) {
    out.push_str("<table><tr><th>scenario</th><th>kind</th><th>verdict</th><th>figures</th><th>details</th></tr>\n");
    for (i, r) in records.iter().enumerate() {
        let figures: Vec<String> = r
            .figures
            .iter()
            .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
            .collect();
        let _ = writeln!(
            out,
            "<tr class=\"{v}\"><td><a href=\"#s{i}\"><code>{}</code></a></td><td>{}</td><td>{v}</td><td class=\"figures\">{}</td><td>seed {}<br>{}</td></tr>",
            escape(&r.name),
            escape(&r.kind),
            figures.join(" "),
            escape(&r.seed),
            r.reasons
                .iter()
                .map(|x| escape(x))
                .collect::<Vec<_>>()
                .join("<br>"),
            v = escape(&r.verdict),
        );
    }
    out.push_str("</table>\n");
}

/// One scenario's section.
fn section(out: &mut String, i: usize, r: &Record) {
    let v = escape(&r.verdict);
    let _ = writeln!(
        out,
        "<section class=\"scenario {v}\" id=\"s{i}\" data-name=\"{}\"><h2><code>{}/{}</code><span class=\"badge\">{v}</span></h2>",
        escape(&r.name),
        escape(&r.kind),
        escape(&r.name)
    );
    if !r.about.is_empty() {
        let _ = writeln!(out, "<p class=\"about\">{}</p>", escape(&r.about));
    }
    let _ = writeln!(
        out,
        "<dl><dt>file</dt><dd><code>{}</code></dd><dt>seed</dt><dd><code>{}</code></dd><dt>time</dt><dd>{} ms</dd></dl>",
        escape(&r.file),
        escape(&r.seed),
        r.millis
    );
    if !r.replay.is_empty() {
        let _ = writeln!(
            out,
            "<p>Replay:</p><pre class=\"replay\"><code>{}</code></pre>",
            escape(&r.replay)
        );
    }
    if !r.reasons.is_empty() {
        out.push_str("<ul class=\"reasons\">");
        for reason in &r.reasons {
            let _ = write!(out, "<li>{}</li>", escape(reason));
        }
        out.push_str("</ul>\n");
    }
    if !r.golden_diff.is_empty() {
        out.push_str("<p>Golden trace (<code>-</code>) against this run (<code>+</code>):</p>\n");
        diff(out, &r.golden_diff);
    }
    if r.fault_plan.is_empty() {
        out.push_str("<p class=\"no-faults\">Fault plan: none.</p>\n");
    } else {
        let _ = writeln!(
            out,
            "<p>Fault plan:</p><pre class=\"fault-plan\">{}</pre>",
            escape(r.fault_plan.trim_end())
        );
    }
    for volume in &r.volumes {
        out.push_str(&svg::volume(volume));
    }
    if !r.trace.is_empty() {
        let _ = writeln!(
            out,
            "<details class=\"trace\"><summary>trace ({} lines, sha256 {})</summary><pre>{}</pre></details>",
            r.trace.lines().count(),
            escape(&r.trace_hash),
            escape(r.trace.trim_end())
        );
    }
    out.push_str("</section>\n");
}

/// A unified diff, one span per line, classed by what the line is.
fn diff(out: &mut String, text: &str) {
    out.push_str("<pre class=\"diff\">");
    for line in text.lines() {
        let class = if line.starts_with("+++") || line.starts_with("---") {
            "head"
        } else if line.starts_with("@@") {
            "hunk"
        } else if line.starts_with('+') {
            "add"
        } else if line.starts_with('-') {
            "del"
        } else {
            "ctx"
        };
        let _ = write!(out, "<span class=\"{class}\">{}</span>", escape(line));
    }
    out.push_str("</pre>\n");
}
