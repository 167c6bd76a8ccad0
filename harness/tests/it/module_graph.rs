//! No import circle among the files of a crate.
//!
//! Every source file of a crate is a node; a file that names an item of
//! another file (`use crate::a::b`, `super::X`, `child::Y`, or such a path in
//! an expression) has an edge to it. A path resolves to the deepest module
//! file it names, so a child that imports through its parent's re-export
//! depends on the parent. Declaring a module (`mod x;`) is not an edge.
//! The test fails with every circle it finds, each edge with the file and
//! line that makes it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::workspace_root;

/// One source file of a crate: its module path and its text.
struct FileNode {
    path: PathBuf,
    module: Vec<String>,
    text: String,
}

/// The crates whose files must not import in a circle, with their roots.
const CRATES: &[(&str, &[&str])] = &[
    ("crates/nsca/src", &["lib.rs"]),
    ("crates/xfer/src", &["lib.rs"]),
    ("crates/tape/src", &["lib.rs"]),
    ("harness/src", &["lib.rs", "main.rs"]),
    ("benches/src", &["lib.rs"]),
];

/// Circles allowed to stand for a while, as the files each one joins, per crate
/// root. Empty: no crate has an import circle. An entry needs a FIXME saying what
/// removes it; a circle not listed, or a listed one that changes, fails the test.
const KNOWN_CIRCLES: &[(&str, &[&str])] = &[];

#[test]
fn it_finds_no_import_circle_among_the_files_of_any_crate_but_the_known_ones() {
    let root = workspace_root();
    let mut report = String::new();
    for (src, roots) in CRATES {
        for crate_root in *roots {
            let files = load_crate(&root.join(src), crate_root);
            assert!(!files.is_empty(), "{src}/{crate_root}: no files found");
            let known: Vec<&[&str]> = KNOWN_CIRCLES
                .iter()
                .filter(|(c, _)| c == src && *crate_root == "lib.rs")
                .map(|(_, m)| *m)
                .collect();
            let found = circles(&files);
            let same =
                |k: &[&str], c: &Circle| k.iter().copied().eq(c.members.iter().map(String::as_str));
            for circle in &found {
                if !known.iter().any(|k| same(k, circle)) {
                    report.push_str(&format!(
                        "circle in {src} (from {crate_root}):\n{}\n",
                        circle.edges
                    ));
                }
            }
            for k in known {
                if !found.iter().any(|c| same(k, c)) {
                    report.push_str(&format!(
                        "known circle in {src} is gone or changed: {k:?}; update KNOWN_CIRCLES\n"
                    ));
                }
            }
        }
    }
    assert!(report.is_empty(), "{report}");
}

#[test]
fn it_reports_a_planted_circle_between_parent_and_child() {
    let files = vec![
        node("lib.rs", &[], "pub mod a;\n"),
        node(
            "a/mod.rs",
            &["a"],
            "mod b;\npub use b::Thing;\npub struct Other;\n",
        ),
        node(
            "a/b.rs",
            &["a", "b"],
            "use super::Other;\npub struct Thing;\n",
        ),
    ];
    let found = circles(&files);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].edges.contains("a/b.rs:1") && found[0].edges.contains("a/mod.rs:2"),
        "{}",
        found[0].edges
    );

    // The same tree with the child naming its sibling directly has no circle.
    let files = vec![
        node("lib.rs", &[], "pub mod a;\n"),
        node("a/mod.rs", &["a"], "mod b;\nmod c;\npub use b::Thing;\n"),
        node(
            "a/b.rs",
            &["a", "b"],
            "use super::c::Other;\npub struct Thing;\n",
        ),
        node(
            "a/c.rs",
            &["a", "c"],
            "// uses crate::a::b::Thing only in a comment\npub struct Other;\nconst S: &str = \"crate::a::b\";\n",
        ),
    ];
    assert_eq!(circles(&files), Vec::<Circle>::new());
}

#[test]
fn it_follows_use_groups_and_inline_test_modules() {
    let files = vec![
        node("lib.rs", &[], "pub mod x;\npub mod y;\n"),
        node(
            "x.rs",
            &["x"],
            "pub struct X;\n#[cfg(test)]\nmod tests {\n    use super::super::y::Y;\n}\n",
        ),
        node(
            "y.rs",
            &["y"],
            "use crate::{\n    x::X,\n};\npub struct Y;\n",
        ),
    ];
    let found = circles(&files);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].edges.contains("x.rs:4") && found[0].edges.contains("y.rs:2"),
        "{}",
        found[0].edges
    );
}

fn node(path: &str, module: &[&str], text: &str) -> FileNode {
    FileNode {
        path: PathBuf::from(path),
        module: module.iter().map(|s| s.to_string()).collect(),
        text: text.to_string(),
    }
}

/// Reads the module tree of one crate root, following `mod x;` declarations.
fn load_crate(src: &Path, crate_root: &str) -> Vec<FileNode> {
    let mut files = Vec::new();
    let mut todo = vec![(src.join(crate_root), Vec::<String>::new(), true)];
    while let Some((path, module, dir_owner)) = todo.pop() {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let dir = if dir_owner {
            path.parent().expect("a file has a directory").to_path_buf()
        } else {
            path.with_extension("")
        };
        for child in declared_modules(&strip(&text)) {
            let flat = dir.join(format!("{child}.rs"));
            let nested = dir.join(&child).join("mod.rs");
            let mut child_module = module.clone();
            child_module.push(child.clone());
            if flat.is_file() {
                todo.push((flat, child_module, false));
            } else if nested.is_file() {
                todo.push((nested, child_module, true));
            } else {
                panic!("{}: mod {child}; has no file", path.display());
            }
        }
        let shown = path.strip_prefix(src).unwrap_or(&path).to_path_buf();
        files.push(FileNode {
            path: shown,
            module,
            text,
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Blanks comments, string and char literals (keeping line breaks), so that
/// paths inside them are not read as imports.
fn strip(text: &str) -> String {
    let bytes: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < bytes.len() {
        let c = bytes[i];
        let next = bytes.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < bytes.len() && bytes[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < bytes.len() {
                if bytes[i] == '/' && bytes.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if bytes[i] == '*' && bytes.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(bytes[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&bytes, i)
        {
            // Raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while bytes.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if bytes.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let end: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let end: Vec<char> = end.chars().collect();
            out.extend(std::iter::repeat_n(' ', j + 1 - i));
            i = j + 1;
            while i < bytes.len() && !bytes[i..].starts_with(&end) {
                out.push(blank(bytes[i]));
                i += 1;
            }
            out.extend(std::iter::repeat_n(' ', end.len().min(bytes.len() - i)));
            i += end.len();
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < bytes.len() && bytes[i] != '"' {
                if bytes[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < bytes.len() {
                    out.push(blank(bytes[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('a', '\n', '\u{..}'); a lifetime has no closing quote.
            let close = if next == Some('\\') {
                (i + 2..bytes.len().min(i + 12)).find(|&j| bytes[j] == '\'')
            } else if bytes.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(j) => {
                    out.extend(std::iter::repeat_n(' ', j + 1 - i));
                    i = j + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// A token of stripped source: an identifier, `::`, or one punctuation char.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Path,
    Punct(char),
}

fn tokens(text: &str) -> Vec<(Tok, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
            i += 1;
        } else if c.is_whitespace() {
            i += 1;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let word = word.strip_prefix("r#").map(str::to_string).unwrap_or(word);
            out.push((Tok::Ident(word), line));
        } else if c == ':' && chars.get(i + 1) == Some(&':') {
            out.push((Tok::Path, line));
            i += 2;
        } else if c.is_ascii_digit() {
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
        } else {
            out.push((Tok::Punct(c), line));
            i += 1;
        }
    }
    out
}

/// The `mod x;` declarations of a file (inline `mod x { … }` are part of it).
fn declared_modules(stripped: &str) -> Vec<String> {
    let toks = tokens(stripped);
    let mut out = Vec::new();
    for w in toks.windows(3) {
        if let [
            (Tok::Ident(m), _),
            (Tok::Ident(name), _),
            (Tok::Punct(';'), _),
        ] = w
            && m == "mod"
        {
            out.push(name.clone());
        }
    }
    out
}

/// A reference from a file to a module path, with the line that makes it.
struct Reference {
    target: Vec<String>,
    line: usize,
}

/// Every module path the file names, made absolute.
fn references(file: &FileNode) -> Vec<Reference> {
    let stripped = strip(&file.text);
    let toks = tokens(&stripped);
    let children: BTreeSet<String> = declared_modules(&stripped).into_iter().collect();
    let mut out = Vec::new();
    // The module the tokens are in: the file's, plus open inline modules.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i].0 {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d == depth) {
                    inline.pop();
                }
            }
            Tok::Ident(m) if m == "mod" => {
                if let (Some((Tok::Ident(name), _)), Some((Tok::Punct('{'), _))) =
                    (toks.get(i + 1), toks.get(i + 2))
                {
                    inline.push((name.clone(), depth));
                    depth += 1;
                    i += 3;
                    continue;
                }
            }
            Tok::Ident(u) if u == "use" => {
                let mut here = file.module.clone();
                here.extend(inline.iter().map(|(n, _)| n.clone()));
                let end = (i + 1..toks.len())
                    .find(|&j| toks[j].0 == Tok::Punct(';'))
                    .unwrap_or(toks.len());
                let local_children = if inline.is_empty() {
                    &children
                } else {
                    &BTreeSet::new()
                };
                use_tree(&toks[i + 1..end], &here, local_children, &[], &mut out);
                i = end + 1;
                continue;
            }
            Tok::Ident(first) if starts_path(&toks, i) => {
                let is_anchor = first == "crate" || first == "super" || first == "self";
                let is_child = inline.is_empty() && children.contains(first);
                if (is_anchor || is_child) && toks.get(i + 1).map(|t| &t.0) == Some(&Tok::Path) {
                    let mut segs = Vec::new();
                    let mut j = i;
                    while let Some((Tok::Ident(s), _)) = toks.get(j) {
                        segs.push(s.clone());
                        if toks.get(j + 1).map(|t| &t.0) != Some(&Tok::Path) {
                            break;
                        }
                        j += 2;
                    }
                    let mut here = file.module.clone();
                    here.extend(inline.iter().map(|(n, _)| n.clone()));
                    if let Some(target) = absolute(&here, &segs) {
                        out.push(Reference {
                            target,
                            line: toks[i].1,
                        });
                    }
                    i = j + 1;
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Whether the identifier at `i` begins a path (is not its middle or end).
fn starts_path(toks: &[(Tok, usize)], i: usize) -> bool {
    i == 0 || toks[i - 1].0 != Tok::Path
}

/// Walks a `use` tree (`crate::{a::b, c::{d, e}}`), recording each leaf path.
fn use_tree(
    toks: &[(Tok, usize)],
    here: &[String],
    children: &BTreeSet<String>,
    prefix: &[String],
    out: &mut Vec<Reference>,
) {
    let mut i = 0;
    let mut segs: Vec<String> = Vec::new();
    let mut line = toks.first().map(|t| t.1).unwrap_or(0);
    let flush =
        |segs: &mut Vec<String>, prefix: &[String], line: usize, out: &mut Vec<Reference>| {
            if segs.is_empty() {
                return;
            }
            let mut full = prefix.to_vec();
            full.append(segs);
            let anchored = matches!(full[0].as_str(), "crate" | "super" | "self")
                || children.contains(&full[0]);
            if anchored && let Some(target) = absolute(here, &full) {
                out.push(Reference { target, line });
            }
        };
    while i < toks.len() {
        match &toks[i].0 {
            Tok::Ident(s) if s == "as" => i += 2,
            Tok::Ident(s) => {
                if segs.is_empty() {
                    line = toks[i].1;
                }
                segs.push(s.clone());
                i += 1;
            }
            Tok::Path => i += 1,
            Tok::Punct('{') => {
                let mut depth = 0;
                let start = i + 1;
                let mut j = i;
                while j < toks.len() {
                    match toks[j].0 {
                        Tok::Punct('{') => depth += 1,
                        Tok::Punct('}') => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                let mut inner_prefix = prefix.to_vec();
                inner_prefix.append(&mut segs);
                use_tree(
                    &toks[start..j.min(toks.len())],
                    here,
                    children,
                    &inner_prefix,
                    out,
                );
                i = j + 1;
            }
            Tok::Punct(',') => {
                flush(&mut segs, prefix, line, out);
                i += 1;
            }
            _ => i += 1,
        }
    }
    flush(&mut segs, prefix, line, out);
}

/// Makes a path absolute from module `here`; `None` for an extern path.
fn absolute(here: &[String], segs: &[String]) -> Option<Vec<String>> {
    let mut cur: Vec<String> = here.to_vec();
    let mut rest = segs;
    match rest.first().map(String::as_str) {
        Some("crate") => {
            cur.clear();
            rest = &rest[1..];
        }
        Some("self") | Some("super") => {
            while let Some(s) = rest.first() {
                match s.as_str() {
                    "self" => rest = &rest[1..],
                    "super" => {
                        cur.pop()?;
                        rest = &rest[1..];
                    }
                    _ => break,
                }
            }
        }
        Some(_) => {}
        None => return None,
    }
    cur.extend(rest.iter().cloned());
    Some(cur)
}

/// For every file, the files it names, each with the first line that does.
fn edges(files: &[FileNode]) -> Vec<BTreeMap<usize, usize>> {
    let by_module: BTreeMap<Vec<String>, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.module.clone(), i))
        .collect();
    // edges[a][b] = first line of a that names b
    let mut edges: Vec<BTreeMap<usize, usize>> = vec![BTreeMap::new(); files.len()];
    for (a, file) in files.iter().enumerate() {
        for r in references(file) {
            // The deepest module file the path names.
            let b = (0..=r.target.len())
                .rev()
                .find_map(|n| by_module.get(&r.target[..n]).copied());
            if let Some(b) = b
                && b != a
            {
                edges[a].entry(b).or_insert(r.line);
            }
        }
    }
    edges
}

/// One import circle: the files it joins, and the edges that close it.
#[derive(Debug, PartialEq)]
struct Circle {
    /// The files, sorted.
    members: Vec<String>,
    /// One line `a.rs:L -> b.rs` per edge between members.
    edges: String,
}

/// Every circle among `files`.
fn circles(files: &[FileNode]) -> Vec<Circle> {
    let edges = edges(files);
    strongly_connected(&edges)
        .into_iter()
        .filter(|scc| scc.len() > 1)
        .map(|scc| {
            let members: BTreeSet<usize> = scc.iter().copied().collect();
            let mut lines = String::new();
            for &a in &scc {
                for (&b, &line) in &edges[a] {
                    if members.contains(&b) {
                        lines.push_str(&format!(
                            "  {}:{line} -> {}\n",
                            files[a].path.display(),
                            files[b].path.display()
                        ));
                    }
                }
            }
            let mut members: Vec<String> = scc
                .iter()
                .map(|&i| files[i].path.display().to_string())
                .collect();
            members.sort();
            Circle {
                members,
                edges: lines,
            }
        })
        .collect()
}

/// Tarjan's strongly connected components, each sorted.
fn strongly_connected(edges: &[BTreeMap<usize, usize>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        edges: &'a [BTreeMap<usize, usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &w in s.edges[v].keys() {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut scc = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                scc.push(w);
                if w == v {
                    break;
                }
            }
            scc.sort_unstable();
            s.out.push(scc);
        }
    }
    let n = edges.len();
    let mut s = State {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out
}
