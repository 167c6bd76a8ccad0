//! A line diff of a golden trace against the actual one, in unified format:
//! the longest common subsequence of the lines that differ, after the common
//! first and last lines are set aside, with three lines of context per hunk.

use std::fmt::Write as _;

/// One line of a diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit<'a> {
    /// In both texts.
    Same(&'a str),
    /// Only in the old text (the golden trace).
    Gone(&'a str),
    /// Only in the new text (the actual trace).
    Added(&'a str),
}

/// Above this many table cells the middle is shown as all gone, then all added.
const MAX_CELLS: usize = 4_000_000;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// The edits that turn `old` into `new`, line by line, in order.
pub fn edits<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<Edit<'a>> {
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..]
        .iter()
        .rev()
        .zip(new[head..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let (a, b) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    let mut out: Vec<Edit<'a>> = old[..head].iter().map(|l| Edit::Same(l)).collect();
    out.extend(middle(a, b));
    out.extend(old[old.len() - tail..].iter().map(|l| Edit::Same(l)));
    out
}

/// The edits between two texts that share no first or last line.
fn middle<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Edit<'a>> {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_CELLS {
        let gone = a.iter().map(|l| Edit::Gone(l));
        return gone.chain(b.iter().map(|l| Edit::Added(l))).collect();
    }
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let width = m + 1;
    let mut lcs = vec![0u32; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i * width + j] = if a[i] == b[j] {
                lcs[(i + 1) * width + j + 1] + 1
            } else {
                lcs[(i + 1) * width + j].max(lcs[i * width + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n + m);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(Edit::Same(a[i]));
            i += 1;
            j += 1;
        } else if i < n && (j == m || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1]) {
            out.push(Edit::Gone(a[i]));
            i += 1;
        } else {
            out.push(Edit::Added(b[j]));
            j += 1;
        }
    }
    out
}

/// `old` against `new` as a unified diff with `--- old_name` / `+++ new_name`
/// headers; empty when the texts have the same lines.
pub fn unified(old: &[&str], new: &[&str], old_name: &str, new_name: &str) -> String {
    let all = edits(old, new);
    let changed: Vec<usize> = (0..all.len())
        .filter(|&k| !matches!(all[k], Edit::Same(_)))
        .collect();
    if changed.is_empty() {
        return String::new();
    }
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    // Line numbers (0-based) in old and new before each edit.
    let mut at = Vec::with_capacity(all.len() + 1);
    let (mut o, mut n) = (0, 0);
    for e in &all {
        at.push((o, n));
        match e {
            Edit::Same(_) => (o, n) = (o + 1, n + 1),
            Edit::Gone(_) => o += 1,
            Edit::Added(_) => n += 1,
        }
    }
    at.push((o, n));
    let mut k = 0;
    while k < changed.len() {
        let first = changed[k].saturating_sub(CONTEXT);
        let mut last = changed[k];
        while k + 1 < changed.len() && changed[k + 1] <= last + 2 * CONTEXT + 1 {
            k += 1;
            last = changed[k];
        }
        let end = (last + CONTEXT + 1).min(all.len());
        let ((o0, n0), (o1, n1)) = (at[first], at[end]);
        let _ = writeln!(out, "@@ -{} +{} @@", range(o0, o1 - o0), range(n0, n1 - n0));
        for e in &all[first..end] {
            let _ = match e {
                Edit::Same(l) => writeln!(out, " {l}"),
                Edit::Gone(l) => writeln!(out, "-{l}"),
                Edit::Added(l) => writeln!(out, "+{l}"),
            };
        }
        k += 1;
    }
    out
}

/// A hunk's range as unified diffs write it: `start,count`, 1-based (an empty
/// range names the line before it).
fn range(start: usize, count: usize) -> String {
    match count {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{count}", start + 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<&str> {
        s.lines().collect()
    }

    /// The old and new texts an edit list spells, rebuilt from it.
    fn sides<'a>(e: &[Edit<'a>]) -> (Vec<&'a str>, Vec<&'a str>) {
        let old = e
            .iter()
            .filter_map(|e| match e {
                Edit::Same(l) | Edit::Gone(l) => Some(*l),
                Edit::Added(_) => None,
            })
            .collect();
        let new = e
            .iter()
            .filter_map(|e| match e {
                Edit::Same(l) | Edit::Added(l) => Some(*l),
                Edit::Gone(_) => None,
            })
            .collect();
        (old, new)
    }

    #[test]
    fn a_changed_last_line_is_one_line_gone_and_one_added() {
        // Written by hand from the unified format (GNU diff -u gives the same).
        let old = lines("a\nb\nc\nd\ne");
        let new = lines("a\nb\nc\nd\nE");
        assert_eq!(
            unified(&old, &new, "golden", "actual"),
            "--- golden\n+++ actual\n@@ -2,4 +2,4 @@\n b\n c\n d\n-e\n+E\n"
        );
    }

    #[test]
    fn lines_added_at_the_end_and_removed_at_the_start_show_as_such() {
        let old = lines("x\n1\n2");
        let new = lines("1\n2\n3");
        assert_eq!(
            unified(&old, &new, "g", "a"),
            "--- g\n+++ a\n@@ -1,3 +1,3 @@\n-x\n 1\n 2\n+3\n"
        );
        let gone_all = unified(&lines("p\nq"), &[], "g", "a");
        assert_eq!(gone_all, "--- g\n+++ a\n@@ -1,2 +0,0 @@\n-p\n-q\n");
    }

    #[test]
    fn far_apart_changes_make_two_hunks() {
        let old: Vec<String> = (1..=20).map(|i| i.to_string()).collect();
        let mut new = old.clone();
        new[1] = "two".into();
        new[17] = "eighteen".into();
        let (o, n): (Vec<&str>, Vec<&str>) = (
            old.iter().map(String::as_str).collect(),
            new.iter().map(String::as_str).collect(),
        );
        let d = unified(&o, &n, "g", "a");
        assert_eq!(d.matches("@@ -").count(), 2, "{d}");
        assert!(
            d.contains("@@ -1,5 +1,5 @@\n 1\n-2\n+two\n 3\n 4\n 5\n"),
            "{d}"
        );
        assert!(
            d.contains("@@ -15,6 +15,6 @@\n 15\n 16\n 17\n-18\n+eighteen\n 19\n 20\n"),
            "{d}"
        );
    }

    #[test]
    fn identical_texts_have_no_diff() {
        let t = lines("a\nb");
        assert_eq!(unified(&t, &t, "g", "a"), "");
    }

    #[test]
    fn edits_keep_every_line_of_both_sides_and_as_many_in_common_as_can_be() {
        let old = lines("a\nb\nc\nb\na\nd");
        let new = lines("b\na\nc\na\nd\nb");
        let e = edits(&old, &new);
        assert_eq!(sides(&e), (old.clone(), new.clone()));
        // The longest common subsequence of these two has four lines (b c a d).
        let same = e.iter().filter(|e| matches!(e, Edit::Same(_))).count();
        assert_eq!(same, 4);
    }
}
