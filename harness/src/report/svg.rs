//! A tape volume drawn as an inline SVG: the medium to scale with its files
//! (one `rect.file` each) and their blocks, the early-warning zone, the end of
//! medium and a mark where each fault fired, the device flagged LEOM or a
//! write was refused. When the files fill less than a fifth of the medium, a
//! second bar magnifies the written part, still to scale within itself.

use std::fmt::Write as _;

use crate::kinds::tape::picture::{FileSpan, MarkKind, VolumePicture};
use crate::size::ByteSize;

use super::escape::escape;

/// Width of the drawing, in pixels.
const WIDTH: f64 = 960.0;
/// Left margin.
const LEFT: f64 = 20.0;
/// Height of a bar.
const BAR: f64 = 28.0;

/// One bar: which bytes of the medium it shows, and where it sits.
struct Bar {
    /// Bytes from 0 the bar spans.
    length: u64,
    /// Top of the bar.
    top: f64,
    /// Class of its file rectangles.
    file_class: &'static str,
}

impl Bar {
    /// The x coordinate of byte `at`.
    fn x(&self, at: u64) -> f64 {
        LEFT + at.min(self.length) as f64 * WIDTH / self.length.max(1) as f64
    }
}

/// Labels under a bar, each on the first row where it overlaps no other.
#[derive(Default)]
struct Labels {
    /// The spans (left, right) taken on each row.
    rows: Vec<Vec<(f64, f64)>>,
}

impl Labels {
    /// Places `text` at `x`: its row, and its anchor (`end` when it would run
    /// off the right edge).
    fn place(&mut self, x: f64, text: &str) -> (usize, &'static str) {
        let w = text.chars().count() as f64 * CHAR;
        let (anchor, x0, x1) = if x + w > WIDTH + 2.0 * LEFT {
            ("end", x - w, x)
        } else {
            ("start", x, x + w)
        };
        let free = |row: &Vec<(f64, f64)>| row.iter().all(|&(a, b)| x1 + 6.0 < a || b + 6.0 < x0);
        let row = match self.rows.iter().position(free) {
            Some(r) => r,
            None => {
                self.rows.push(Vec::new());
                self.rows.len() - 1
            }
        };
        self.rows[row].push((x0, x1));
        (row, anchor)
    }
}

/// Width of a label's character, in pixels (11 px sans-serif).
const CHAR: f64 = 6.2;

/// The SVG of one volume.
pub fn volume(p: &VolumePicture) -> String {
    let used = p.used();
    let length = p.length();
    let mut body = String::new();
    let _ = writeln!(
        body,
        "<text x=\"{LEFT}\" y=\"16\" class=\"title\">{}</text>",
        escape(&title(p))
    );
    let full = Bar {
        length,
        top: 26.0,
        file_class: "file",
    };
    let mut bottom = draw(&mut body, p, &full, true);
    if used > 0 && used.saturating_mul(5) < length {
        let bar = Bar {
            length: used,
            top: bottom + 24.0,
            file_class: "zoom-file",
        };
        let _ = writeln!(
            body,
            "<text x=\"{LEFT}\" y=\"{}\" class=\"caption\">the written part, magnified {}×:</text>",
            bar.top - 8.0,
            length / used
        );
        bottom = draw(&mut body, p, &bar, false);
    }
    let height = bottom + 6.0;
    format!(
        "<svg class=\"volume\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\" role=\"img\" aria-label=\"volume {n}\" data-volume=\"{n}\">\n{body}</svg>\n",
        w = WIDTH + 2.0 * LEFT,
        n = escape(&p.name),
    )
}

/// `VOL-1: 64 MiB medium, 64 KiB used (0.1 %) in 2 file(s)`.
fn title(p: &VolumePicture) -> String {
    let used = ByteSize(p.used());
    let files = p.files.len();
    match p.capacity {
        Some(c) => format!(
            "{}: {} medium, {used} used ({:.1} %) in {files} file(s)",
            p.name,
            ByteSize(c),
            p.used() as f64 * 100.0 / c.max(1) as f64
        ),
        None => format!("{}: {used} in {files} file(s), no size limit", p.name),
    }
}

/// One bar with its files, marks and byte positions; on the `whole` medium also
/// the early-warning zone and the end of medium. Returns the bottom of what it drew.
fn draw(out: &mut String, p: &VolumePicture, bar: &Bar, whole: bool) -> f64 {
    let top = bar.top;
    let class = if whole { "medium" } else { "zoom-medium" };
    let _ = writeln!(
        out,
        "<rect class=\"{class}\" x=\"{LEFT}\" y=\"{top}\" width=\"{WIDTH}\" height=\"{BAR}\"><title>{} bytes</title></rect>",
        bar.length
    );
    files(out, &p.files, bar);
    let mut ticks = vec![(0, "0".to_string())];
    if !whole || p.capacity.is_none() {
        ticks.push((bar.length, ByteSize(bar.length).to_string()));
    }
    if let (true, Some(ew), Some(cap)) = (whole, p.early_warning, p.capacity)
        && ew < cap
    {
        let (x0, x1) = (bar.x(ew), bar.x(cap));
        let _ = writeln!(
            out,
            "<rect class=\"early-warning\" x=\"{x0:.2}\" y=\"{}\" width=\"{:.2}\" height=\"{}\"><title>early-warning zone: the last {} from byte {ew}</title></rect>",
            top - 4.0,
            (x1 - x0).max(1.0),
            BAR + 8.0,
            ByteSize(cap - ew)
        );
        ticks.push((ew, format!("early warning from {}", ByteSize(ew))));
    }
    if let (true, Some(cap)) = (whole, p.capacity) {
        let x = bar.x(cap);
        let _ = writeln!(
            out,
            "<line class=\"eom\" x1=\"{x:.2}\" y1=\"{}\" x2=\"{x:.2}\" y2=\"{}\"><title>end of medium at byte {cap}</title></line>",
            top - 6.0,
            top + BAR + 6.0
        );
        ticks.push((cap, format!("EOM {}", ByteSize(cap))));
    }
    let mut labels = Labels::default();
    let row_y = |row: usize| top + BAR + 14.0 + row as f64 * 13.0;
    for (at, text) in &ticks {
        let x = bar.x(*at);
        let (row, anchor) = labels.place(x, text);
        let _ = writeln!(
            out,
            "<text class=\"axis\" x=\"{x:.2}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            row_y(row),
            escape(text)
        );
    }
    for m in p.marks.iter().filter(|m| m.at <= bar.length) {
        let x = bar.x(m.at);
        let class = match m.kind {
            MarkKind::Fault => "fault",
            MarkKind::Leom => "leom",
            MarkKind::Refused => "refused",
        };
        let (row, anchor) = labels.place(x, &m.label);
        let y = row_y(row);
        let _ = writeln!(
            out,
            "<g class=\"mark {class}\" data-at=\"{}\"><line x1=\"{x:.2}\" y1=\"{top}\" x2=\"{x:.2}\" y2=\"{:.1}\"/><path d=\"M{x:.2} {top}l-5 -8h10z\"/><text x=\"{x:.2}\" y=\"{y}\" text-anchor=\"{anchor}\">{}</text></g>",
            m.at,
            y - 10.0,
            escape(&m.label)
        );
    }
    row_y(labels.rows.len().max(1) - 1) + 4.0
}

/// One rectangle per file, and a path through the boundaries of its blocks.
fn files(out: &mut String, files: &[FileSpan], bar: &Bar) {
    let mut seams = String::new();
    for (i, f) in files.iter().enumerate() {
        let (x0, x1) = (bar.x(f.start), bar.x(f.end()));
        let shade = match (f.file, i % 2) {
            (0, _) => "label",
            (_, 0) => "even",
            _ => "odd",
        };
        let open = if f.closed { "" } else { " open" };
        let bytes: u64 = f.blocks.iter().sum();
        let _ = writeln!(
            out,
            "<rect class=\"{} {shade}{open}\" data-file=\"{}\" data-start=\"{}\" data-bytes=\"{bytes}\" x=\"{x0:.2}\" y=\"{}\" width=\"{:.2}\" height=\"{BAR}\"><title>file {}: {bytes} bytes, header + {} block(s){}</title></rect>",
            bar.file_class,
            f.file,
            f.start,
            bar.top,
            (x1 - x0).max(0.5),
            f.file,
            f.blocks.len().saturating_sub(1),
            if f.closed { "" } else { ", no filemark" },
        );
        let mut at = f.start;
        for b in &f.blocks[..f.blocks.len().saturating_sub(1)] {
            at += b;
            let x = bar.x(at);
            // Only seams a person can tell apart: at least 2 px from the last.
            if x - bar.x(at - b) >= 2.0 {
                let _ = write!(seams, "M{x:.2} {}v{BAR}", bar.top);
            }
        }
    }
    if !seams.is_empty() {
        let _ = writeln!(out, "<path class=\"blocks\" d=\"{seams}\"/>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::tape::picture::Mark;

    fn picture() -> VolumePicture {
        let span = |file, start, blocks: &[u64]| FileSpan {
            file,
            start,
            blocks: blocks.to_vec(),
            closed: true,
        };
        VolumePicture {
            name: "VOL<1>".into(),
            capacity: Some(1000),
            early_warning: Some(800),
            files: vec![span(0, 0, &[100]), span(1, 100, &[100, 200, 200])],
            marks: vec![Mark {
                kind: MarkKind::Fault,
                label: "write-error file=1 blk=2".into(),
                at: 400,
            }],
        }
    }

    /// The value of attribute `name` in the first element of `svg` with `class`.
    fn attr(svg: &str, class: &str, name: &str) -> f64 {
        let el = &svg[svg.find(&format!("class=\"{class}")).expect(class)..];
        let v = &el[el.find(&format!(" {name}=\"")).expect(name) + name.len() + 3..];
        v[..v.find('"').unwrap()].parse().unwrap()
    }

    #[test]
    fn files_zones_and_marks_are_drawn_to_scale() {
        let svg = volume(&picture());
        // 960 px for 1000 bytes: file 1 is bytes 100..600, x 20+96 .. 20+576.
        assert_eq!(svg.matches("class=\"file ").count(), 2);
        let file1 = &svg[svg.find("data-file=\"1\"").unwrap()..];
        assert!(file1.contains("x=\"116.00\""), "{file1}");
        assert!(file1.contains("width=\"480.00\""), "{file1}");
        assert_eq!(attr(&svg, "early-warning", "x"), 20.0 + 768.0);
        assert_eq!(attr(&svg, "early-warning", "width"), 192.0);
        assert_eq!(
            attr(&svg, "early-warning", "y"),
            22.0,
            "the zone stands out above the bar"
        );
        assert_eq!(attr(&svg, "eom", "x1"), 980.0);
        let mark = &svg[svg.find("class=\"mark fault\"").unwrap()..];
        assert!(mark.contains("x1=\"404.00\""), "{mark}");
        assert!(!svg.contains("VOL<1>"), "names are escaped");
        assert!(
            !svg.contains("zoom-file"),
            "half the medium used: no magnified bar"
        );
    }

    #[test]
    fn a_nearly_empty_medium_gets_a_magnified_bar_of_the_written_part() {
        let mut p = picture();
        p.capacity = Some(100_000);
        p.early_warning = Some(90_000);
        let svg = volume(&p);
        assert_eq!(svg.matches("class=\"zoom-file ").count(), 2);
        let zoomed = &svg[svg.find("zoom-medium").unwrap()..];
        let zoomed = &zoomed[zoomed.find("data-file=\"1\"").unwrap()..];
        // The written part is 600 bytes over 960 px: file 1 starts at 20 + 160.
        assert!(zoomed.contains("x=\"180.00\""), "{zoomed}");
        assert!(zoomed.contains("width=\"800.00\""), "{zoomed}");
    }
}
