//! The files of the library (`src/`, without `src/bin`) import one another
//! one way: the file-level import graph has no cycle, but the known ones
//! listed in [`KNOWN_CYCLES`], which must still exist exactly as listed.
//!
//! # The rule
//!
//! A file is a node, named by its path under `src/` (`model/plan.rs`,
//! `scenario/mod.rs`). A file depends on another when its code (outside
//! comments, string literals and items marked `#[cfg(test)]`) names a
//! path into it: a `use` path or a path written in the code, starting
//! with `crate::`, `super::` or `self::` (or, in a `lib.rs`/`mod.rs`, with
//! the name of a child module). A path is resolved to a file thus:
//!
//! 1. Follow the path's segments down the file modules (`crate::model::
//!    plan::Plan` reaches `model/plan.rs`; `crate::model::Plan` stops at
//!    `model/mod.rs`). `super::` and `self::` count from the module that
//!    writes them (an inline `mod x { … }` is a module of its own).
//! 2. Where it stops at a `lib.rs` or `mod.rs` and the next segment is a
//!    name that file re-exports (`pub use child::Name`, `pub(crate) use
//!    …`, also inside an inline module), continue along the re-exported
//!    path: `crate::model::Plan` resolves to `model/plan.rs`, because
//!    `model/mod.rs` says `pub use plan::Plan`.
//! 3. Otherwise the path depends on the file where it stopped (an item
//!    defined in that file, or the module itself named as a whole, as in
//!    `use super::*`).
//!
//! Re-exports: a `pub use` (of any visibility) in a `lib.rs` or `mod.rs`
//! is not an edge of that file, only a way through it (rule 2), so a
//! `mod.rs` that declares and re-exports its children creates no false
//! cycle with a child that imports a sibling through it. It is an edge
//! only where the name it binds also appears in that file's own code (an
//! identifier outside `use` items, not a field, method, `mod`, `fn` or
//! `let` name): a `mod.rs` whose code uses what it re-exports depends on
//! it. A `pub use` in any other file is an edge like any `use`, and so is
//! a private `use` in a `mod.rs`.
//!
//! Left out: files declared `#[cfg(test)] mod x;` (test-only modules, and
//! edges to them), paths to other crates, and names brought in by a glob
//! through a `mod.rs` (`use super::*` depends on that `mod.rs` itself).
//! Method calls need no path, so an `impl` block in another file is seen
//! through the paths that file writes, not through its callers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The cycles known to remain, each as the sorted files of one strongly
/// connected component of the import graph. The test fails when one of
/// these is gone or has changed (edit it here) or when a cycle not listed
/// appears.
const KNOWN_CYCLES: &[&[&str]] = &[
    // The loop of one replication: `replication.rs` holds the state, whose
    // fields have the types of the process files (a court stage's desk,
    // background cohorts, the daily records) and whose loop returns a
    // conservation error, while each of those files adds its handlers or
    // checks to `Replication`; `workspace.rs` and `streams.rs` hold desks
    // of `court.rs`, which reads detainees of `workspace.rs`; `plan.rs`
    // builds background draws of `background.rs`, which reads its plan.
    // Removing it means moving each process's state type (desk, cohorts,
    // one-day draws, records) into a file below the state, and the state
    // into a file below the loop and the handlers.
    &[
        "model/background.rs",
        "model/capacity.rs",
        "model/conservation.rs",
        "model/court.rs",
        "model/outcome.rs",
        "model/plan.rs",
        "model/replication.rs",
        "model/streams.rs",
        "model/workspace.rs",
    ],
];

/// The file-level import graph of `sources` (path under `src/` → source
/// text): each file and the files it depends on, by the rule above.
fn graph(sources: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    // Module path of each file.
    let mut files: BTreeMap<Vec<String>, String> = BTreeMap::new();
    for path in sources.keys() {
        files.insert(module_of(path), path.clone());
    }
    let parsed: BTreeMap<&str, Parsed> = sources
        .iter()
        .map(|(path, src)| (path.as_str(), parse(&module_of(path), src)))
        .collect();
    // Test-only file modules, and everything below them.
    let test_only: BTreeSet<Vec<String>> = parsed
        .values()
        .flat_map(|p| p.test_mods.iter().cloned())
        .collect();
    let is_test = |m: &Vec<String>| test_only.iter().any(|t| m.starts_with(t));
    let ctx = Ctx {
        files: &files,
        parsed: &parsed,
    };
    let mut graph = BTreeMap::new();
    for (module, path) in &files {
        if is_test(module) {
            continue;
        }
        let p = &parsed[path.as_str()];
        let root = is_root(path);
        let mut deps = BTreeSet::new();
        let uses = p
            .uses
            .iter()
            .filter(|u| !(root && u.visible) || p.idents.contains(&u.name));
        let paths = uses
            .map(|u| (&u.module, &u.path))
            .chain(p.refs.iter().map(|(m, r)| (m, r)));
        for (at, named) in paths {
            let Some(abs) = ctx.absolute(at, named) else {
                continue;
            };
            let target = ctx.resolve(&abs, 0);
            if &target != module && !is_test(&target) {
                deps.insert(files[&target].clone());
            }
        }
        graph.insert(path.clone(), deps);
    }
    graph
}

/// Whether `path` is a module root, which may re-export.
fn is_root(path: &str) -> bool {
    path == "lib.rs" || path.ends_with("/mod.rs")
}

/// The module path of a file: `model/plan.rs` → `[model, plan]`,
/// `model/mod.rs` → `[model]`, `lib.rs` → `[]`.
fn module_of(path: &str) -> Vec<String> {
    let mut parts: Vec<String> = path
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

/// A `use` path: where it is written, whether it is visible outside its
/// module (`pub`, `pub(crate)`, ...), the path and the name it binds.
#[derive(Debug)]
struct Use {
    module: Vec<String>,
    visible: bool,
    path: Vec<String>,
    name: String,
}

/// What the rule reads of one file.
#[derive(Debug, Default)]
struct Parsed {
    uses: Vec<Use>,
    /// Paths written in the code (`crate::a::b` …), with the module that
    /// writes them.
    refs: Vec<(Vec<String>, Vec<String>)>,
    /// Modules declared `#[cfg(test)] mod x;`.
    test_mods: Vec<Vec<String>>,
    /// Identifiers of the code outside `use` items, but those naming a
    /// field, a method, a module, a function or a binding.
    idents: BTreeSet<String>,
}

struct Ctx<'a> {
    files: &'a BTreeMap<Vec<String>, String>,
    parsed: &'a BTreeMap<&'a str, Parsed>,
}

impl Ctx<'_> {
    /// `path`, written in module `at`, from the crate root; `None` for a
    /// path into another crate.
    fn absolute(&self, at: &[String], path: &[String]) -> Option<Vec<String>> {
        let first = path.first()?;
        match first.as_str() {
            "crate" => Some(path[1..].to_vec()),
            "self" => Some([at, &path[1..]].concat()),
            "super" => {
                let mut base = at.to_vec();
                let mut rest = path;
                while rest.first().map(String::as_str) == Some("super") {
                    base.pop();
                    rest = &rest[1..];
                }
                Some([&base[..], rest].concat())
            }
            _ => {
                let child = [at, std::slice::from_ref(first)].concat();
                self.files.contains_key(&child).then(|| [at, path].concat())
            }
        }
    }

    /// The module path of the file an absolute path depends on (rules 1 to
    /// 3).
    fn resolve(&self, path: &[String], depth: usize) -> Vec<String> {
        let mut file: Vec<String> = Vec::new();
        let mut i = 0;
        while i < path.len() {
            let next = [&file[..], std::slice::from_ref(&path[i])].concat();
            if !self.files.contains_key(&next) {
                break;
            }
            file = next;
            i += 1;
        }
        let name = &self.files[&file];
        if i == path.len() || !is_root(name) || depth > 16 {
            return file;
        }
        let rest = &path[i..];
        for k in 0..rest.len() {
            let module = [&file[..], &rest[..k]].concat();
            let found = self.parsed[name.as_str()]
                .uses
                .iter()
                .find(|u| u.visible && u.module == module && u.name == rest[k]);
            if let Some(u) = found
                && let Some(abs) = self.absolute(&u.module, &u.path)
            {
                return self.resolve(&[&abs[..], &rest[k + 1..]].concat(), depth + 1);
            }
        }
        file
    }
}

/// The tokens of `src` without comments; a string or character literal
/// is one token `""`, a lifetime is dropped; `::` is one token.
fn tokens(src: &str) -> Vec<String> {
    let c: Vec<char> = src.chars().collect();
    let n = c.len();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < n && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < n {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if let Some(end) = raw_string(&c, i) {
            out.push("\"\"".into());
            i = end;
        } else if ch == '"' || (ch == 'b' && at(i + 1) == '"') {
            i += if ch == 'b' { 2 } else { 1 };
            while i < n && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            out.push("\"\"".into());
            i += 1;
        } else if ch == '\'' {
            if at(i + 1) == '\\' {
                // An escaped character literal: '\n', '\'', '\u{..}'.
                i += 3;
                while i < n && c[i] != '\'' {
                    i += 1;
                }
                out.push("\"\"".into());
                i += 1;
            } else if at(i + 2) == '\'' {
                out.push("\"\"".into());
                i += 3;
            } else {
                // A lifetime or a label.
                i += 1;
                while i < n && ident(c[i]) {
                    i += 1;
                }
            }
        } else if ident(ch) {
            let start = i;
            while i < n && ident(c[i]) {
                i += 1;
            }
            out.push(c[start..i].iter().collect());
        } else if ch == ':' && at(i + 1) == ':' {
            out.push("::".into());
            i += 2;
        } else {
            out.push(ch.to_string());
            i += 1;
        }
    }
    out
}

/// The end of a raw string literal (`r"…"`, `r#"…"#`, `br"…"`) starting at
/// `i`, if one starts there.
fn raw_string(c: &[char], i: usize) -> Option<usize> {
    if i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_') {
        return None;
    }
    let mut j = i;
    if c.get(j) == Some(&'b') {
        j += 1;
    }
    if c.get(j) != Some(&'r') {
        return None;
    }
    j += 1;
    let hashes = c[j..].iter().take_while(|&&ch| ch == '#').count();
    j += hashes;
    if c.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < c.len() {
        if c[j] == '"'
            && c[j + 1..]
                .iter()
                .take(hashes)
                .filter(|&&h| h == '#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(c.len())
}

/// Drops every item marked `#[cfg(test)]` (up to its `;` or `,`, or the
/// end of its block), returning the names of the file modules so declared.
fn strip_cfg_test(toks: Vec<String>) -> (Vec<String>, Vec<String>) {
    let attr = ["#", "[", "cfg", "(", "test", ")", "]"];
    let mut out = Vec::with_capacity(toks.len());
    let mut mods = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks.len() - i >= attr.len() && toks[i..i + attr.len()].iter().eq(attr.iter()) {
            i += attr.len();
            let start = i;
            let mut depth = 0i32;
            while i < toks.len() {
                let t = toks[i].as_str();
                i += 1;
                match t {
                    "(" | "[" | "{" => depth += 1,
                    ")" | "]" | "}" => {
                        depth -= 1;
                        if depth < 0 {
                            // The end of the enclosing block: not ours.
                            i -= 1;
                            break;
                        }
                        if depth == 0 && t == "}" {
                            break;
                        }
                    }
                    ";" | "," if depth == 0 => break,
                    _ => {}
                }
            }
            let item = &toks[start..i];
            if let Some(m) = item.iter().position(|t| t == "mod")
                && item.last().map(String::as_str) == Some(";")
            {
                mods.push(item[m + 1].clone());
            }
        } else {
            out.push(toks[i].clone());
            i += 1;
        }
    }
    (out, mods)
}

/// Reads the `use` paths, the paths in code, and the test-only modules of
/// the file of module `file`.
fn parse(file: &[String], src: &str) -> Parsed {
    let (t, test_mods) = strip_cfg_test(tokens(src));
    let mut parsed = Parsed {
        test_mods: test_mods
            .into_iter()
            .map(|m| [file, std::slice::from_ref(&m)].concat())
            .collect(),
        ..Parsed::default()
    };
    // Inline modules open at each brace depth.
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let module = |inline: &[(String, usize)]| -> Vec<String> {
        let mut m = file.to_vec();
        m.extend(inline.iter().map(|(name, _)| name.clone()));
        m
    };
    let mut i = 0;
    while i < t.len() {
        if t[i].starts_with(|c: char| c.is_alphabetic() || c == '_')
            && !(i > 0 && matches!(t[i - 1].as_str(), "mod" | "." | "fn" | "let"))
        {
            parsed.idents.insert(t[i].clone());
        }
        match t[i].as_str() {
            "{" => depth += 1,
            "}" => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d > depth) {
                    inline.pop();
                }
            }
            "mod" if t.get(i + 2).map(String::as_str) == Some("{") => {
                inline.push((t[i + 1].clone(), depth + 1));
            }
            "use" => {
                let visible = i > 0
                    && (t[i - 1] == "pub"
                        || (t[i - 1] == ")" && {
                            let open = t[..i].iter().rposition(|x| x == "(");
                            open.is_some_and(|o| o > 0 && t[o - 1] == "pub")
                        }));
                let end = t[i..]
                    .iter()
                    .position(|x| x == ";")
                    .map_or(t.len(), |e| i + e);
                let mut paths = Vec::new();
                let mut pos = 0;
                use_tree(&t[i + 1..end], &mut pos, &mut Vec::new(), &mut paths);
                let at = module(&inline);
                for (path, name) in paths {
                    parsed.uses.push(Use {
                        module: at.clone(),
                        visible,
                        path,
                        name,
                    });
                }
                i = end + 1;
                continue;
            }
            "crate" | "super" | "self"
                if t.get(i + 1).map(String::as_str) == Some("::")
                    && (i == 0 || (t[i - 1] != "::" && t[i - 1] != "$")) =>
            {
                let mut path = vec![t[i].clone()];
                let mut j = i + 1;
                while t.get(j).map(String::as_str) == Some("::")
                    && t.get(j + 1)
                        .is_some_and(|s| s.starts_with(|c: char| c.is_alphabetic() || c == '_'))
                {
                    path.push(t[j + 1].clone());
                    j += 2;
                }
                parsed.refs.push((module(&inline), path));
                i = j;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    parsed
}

/// Expands the use tree `t` (what follows `use`, up to the `;`) into
/// (path, bound name) pairs.
fn use_tree(
    t: &[String],
    pos: &mut usize,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Vec<String>, String)>,
) {
    let base = prefix.len();
    let mut alias = None;
    loop {
        match t.get(*pos).map(String::as_str) {
            None | Some(",") | Some("}") => break,
            Some("::") => *pos += 1,
            Some("as") => {
                alias = t.get(*pos + 1).cloned();
                *pos += 2;
            }
            Some("{") => {
                *pos += 1;
                while *pos < t.len() && t[*pos] != "}" {
                    use_tree(t, pos, prefix, out);
                    if t.get(*pos).map(String::as_str) == Some(",") {
                        *pos += 1;
                    }
                }
                *pos += 1;
                prefix.truncate(base);
                return;
            }
            Some(seg) => {
                prefix.push(seg.to_string());
                *pos += 1;
            }
        }
    }
    let mut path = prefix.clone();
    if path.len() > 1 && path.last().map(String::as_str) == Some("self") {
        path.pop();
    }
    if let Some(last) = path.last().cloned() {
        out.push((path, alias.unwrap_or(last)));
    }
    prefix.truncate(base);
}

/// The strongly connected components of more than one file, each sorted,
/// in sorted order (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        s.on.insert(v);
        let graph = s.graph;
        for w in graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.found.push(comp);
            }
        }
    }
    let mut s = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !s.index.contains_key(v.as_str()) {
            visit(&mut s, v);
        }
    }
    s.found.sort();
    s.found
}

/// One shortest cycle through the first file of component `comp`, as
/// `a.rs -> b.rs -> a.rs` (breadth-first inside the component).
fn one_cycle(graph: &BTreeMap<String, BTreeSet<String>>, comp: &[String]) -> String {
    let start = &comp[0];
    let mut from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start.as_str()]);
    while let Some(v) = queue.pop_front() {
        for w in &graph[v] {
            if !comp.contains(w) {
                continue;
            }
            if w == start {
                let mut path = vec![start.as_str(), v];
                let mut at = v;
                while at != start {
                    at = from[at];
                    path.push(at);
                }
                path.reverse();
                return path.join(" -> ");
            }
            if !from.contains_key(w.as_str()) {
                from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    comp.join(", ")
}

/// Every `.rs` file under `dir`, but `src/bin`, by its path under `src/`.
fn read_sources(src: &Path) -> BTreeMap<String, String> {
    fn walk(dir: &Path, src: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            let rel = path
                .strip_prefix(src)
                .expect("under src")
                .to_string_lossy()
                .replace('\\', "/");
            if path.is_dir() {
                if rel != "bin" {
                    walk(&path, src, out);
                }
            } else if rel.ends_with(".rs") {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.insert(rel, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, src, &mut out);
    out
}

/// The import graph of the library has no cycle but the known ones, and
/// each known one still exists (so that the list shrinks as they go).
#[test]
fn src_files_import_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let sources = read_sources(&src);
    assert!(sources.contains_key("lib.rs") && sources.contains_key("model/plan.rs"));
    let graph = graph(&sources);
    let found = cycles(&graph);
    let known: Vec<Vec<String>> = KNOWN_CYCLES
        .iter()
        .map(|c| {
            let mut c: Vec<String> = c.iter().map(|s| s.to_string()).collect();
            c.sort();
            c
        })
        .collect();
    let new: Vec<String> = found
        .iter()
        .filter(|c| !known.contains(c))
        .map(|c| format!("  {}\n    (files: {})", one_cycle(&graph, c), c.join(", ")))
        .collect();
    let gone: Vec<String> = known
        .iter()
        .filter(|c| !found.contains(c))
        .map(|c| format!("  {}", c.join(", ")))
        .collect();
    assert!(
        new.is_empty() && gone.is_empty(),
        "the import graph of src/ changed its cycles\nnew cycles:\n{}\nknown cycles no longer there (remove them from KNOWN_CYCLES):\n{}",
        new.join("\n"),
        gone.join("\n")
    );
}

fn sources(files: &[(&str, &str)]) -> BTreeMap<String, String> {
    files
        .iter()
        .map(|(p, s)| (p.to_string(), s.to_string()))
        .collect()
}

/// The rule on small trees: a cycle through `crate::` paths is found and
/// printed; a `mod.rs` that re-exports its children creates none; paths
/// in comments, strings and `#[cfg(test)]` items are not imports; `super`
/// inside an inline module is the file's own module.
#[test]
fn the_import_rule_on_small_trees() {
    let g = graph(&sources(&[
        ("lib.rs", "pub mod a;\npub mod b;\npub use a::A;"),
        ("a.rs", "use crate::b::B;\npub struct A(B);"),
        ("b.rs", "pub struct B;\nfn f(_: crate::A) {}"),
    ]));
    assert_eq!(g["a.rs"], BTreeSet::from(["b.rs".to_string()]));
    assert_eq!(g["b.rs"], BTreeSet::from(["a.rs".to_string()]));
    let c = cycles(&g);
    assert_eq!(c, vec![vec!["a.rs".to_string(), "b.rs".to_string()]]);
    assert_eq!(one_cycle(&g, &c[0]), "a.rs -> b.rs -> a.rs");

    let g = graph(&sources(&[
        ("lib.rs", "pub mod m;"),
        (
            "m/mod.rs",
            "mod x;\nmod y;\n#[cfg(test)]\nmod t;\npub use x::X;\npub(crate) use y::{Y as Why, self};",
        ),
        ("m/x.rs", "use super::Why;\npub struct X;"),
        (
            "m/y.rs",
            "// use super::X;\nconst S: &str = \"crate::m::x::X\";\nconst R: &str = r#\"super::X\"#;\n\
             #[cfg(test)]\nmod tests { use super::super::X; }\n\
             pub mod inner { use super::*; }\npub struct Y<'a>(&'a str);\nconst C: char = '\"';\n\
             #[cfg(test)]\nuse crate::m::x::X;",
        ),
        ("m/t.rs", "use super::X;\nuse super::y::Y;"),
    ]));
    assert_eq!(g["m/x.rs"], BTreeSet::from(["m/y.rs".to_string()]));
    assert!(g["m/y.rs"].is_empty(), "{:?}", g["m/y.rs"]);
    assert!(g["m/mod.rs"].is_empty(), "{:?}", g["m/mod.rs"]);
    assert!(!g.contains_key("m/t.rs"), "a test-only module is no node");
    assert!(cycles(&g).is_empty());

    // A `mod.rs` whose code uses what it re-exports depends on it.
    let g = graph(&sources(&[
        ("lib.rs", "pub mod p;"),
        (
            "p/mod.rs",
            "mod c;\npub use c::C;\npub struct Shared;\npub fn make() -> C { C(Shared) }",
        ),
        ("p/c.rs", "pub struct C(pub super::Shared);"),
    ]));
    assert_eq!(
        cycles(&g),
        vec![vec!["p/c.rs".to_string(), "p/mod.rs".to_string()]]
    );
}
