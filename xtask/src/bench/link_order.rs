//! `cargo xtask link-order [--check]`: which functions the release linker
//! places first in `.text` (crates/stsenv/link-order.txt).
//!
//! A process faults in the pages of code it runs. Left in the linker's
//! default order, the few hundred functions a cache hit runs lie scattered
//! over 6 MB of code, and each scattered one costs a page fault: a hit took
//! 55 code-page faults against 25 for `--version`. Listed first, they share
//! a few pages: 16 against 7, and a hit is 16–20 % faster
//! (docs/performance.md, "Start-up: the hot code first").
//!
//! Without `--check`, the list is made anew: an unstripped release binary
//! runs the commands that start often ([`SCENARIOS`]) under callgrind, and
//! every function of the binary they run is listed, scenario by scenario.
//! With `--check` (part of `ci`), the binary is linked with the list as it
//! is, and the check fails when the list has gone stale (names the code no
//! longer has) or the linker did not follow it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{sandbox_env, stsenv_str, tempdir, write_profiles, Bench, Scratch};
use crate::moto::Moto;
use crate::util;
use crate::venv;

/// The list, relative to the workspace root.
const LIST: &str = "crates/stsenv/link-order.txt";

/// The commands whose code is listed, in order: the process floor first,
/// then the cache hit, then the other commands shells start often. Each
/// runs against a warm cache (the `plain` role) in a sandbox home.
const SCENARIOS: &[&[&str]] = &[
    &["--version"],
    &["env", "plain", "--shell", "bash"],
    &["env", "plain", "--shell", "zsh"],
    &["env", "plain", "--shell", "fish"],
    &["exec", "plain", "--", "true"],
    &["init", "bash"],
    &["init", "zsh"],
    &["init", "fish"],
    &["profiles", "--names"],
];

/// Code valgrind never runs because it hides the CPU feature it needs
/// (SHA-NI, which hashes every cache key on the machines that have it):
/// symbols starting with these mangled paths are listed after the rest.
const HIDDEN_FROM_VALGRIND: &[&str] = &["_ZN4sha26sha2563x86", "_ZN4sha26sha2567x86_sha"];

/// Below this share of listed names found in the binary, the list is stale.
const FRESH_SHARE: f64 = 0.9;

/// Run the task (`--check`: check the list instead of making it).
pub fn run(args: &[String]) -> util::Result {
    if args.iter().any(|a| a == "--check") {
        return check();
    }
    if !util::on_path("valgrind") {
        return Err("link-order: valgrind is not installed (apt-get install valgrind)".into());
    }
    let binary = unstripped_release()?;
    let mut names = hot_functions(&binary)?;
    names.extend(
        text_symbols(&binary)?
            .into_iter()
            .map(|(_, name)| name)
            .filter(|name| HIDDEN_FROM_VALGRIND.iter().any(|p| name.starts_with(p))),
    );
    let mut seen = HashSet::new();
    names.retain(|name| seen.insert(name.clone()));
    std::fs::write(util::root().join(LIST), render(&names))
        .map_err(|e| format!("writing {LIST}: {e}"))?;
    println!("link-order: {} functions listed in {LIST}", names.len());
    check()
}

/// Link the release binary with the list as it is and check that the
/// listed functions exist and come first in `.text`.
fn check() -> util::Result {
    let listed = read_list(&util::root().join(LIST))?;
    let binary = unstripped_release()?;
    let symbols = text_symbols(&binary)?;
    let placement = Placement::of(&listed, &symbols);
    println!(
        "link-order: {} of {} listed functions are in the binary; {} of them are placed first in .text",
        placement.found, placement.listed, placement.first
    );
    if (placement.found as f64) < FRESH_SHARE * placement.listed as f64 {
        return Err(format!(
            "link-order: {LIST} is stale: only {} of its {} functions are in the binary; run `cargo xtask link-order`",
            placement.found, placement.listed
        ));
    }
    if placement.first < placement.found {
        return Err(format!(
            "link-order: the linker did not follow {LIST}: {} of {} listed functions come after others",
            placement.found - placement.first,
            placement.found
        ));
    }
    Ok(())
}

/// The release binary with its symbols (`-C strip=none` on the binary's
/// own crate only: every dependency, and so every symbol name, is the one
/// the stripped build has).
fn unstripped_release() -> util::Result<PathBuf> {
    util::cargo(
        &[
            "rustc",
            "--release",
            "-p",
            "stsenv",
            "--bin",
            "stsenv",
            "--",
            "-C",
            "strip=none",
        ],
        &[],
    )?;
    Ok(util::target_dir().join("release").join("stsenv"))
}

/// The binary's functions that [`SCENARIOS`] run: those of the first
/// scenario, then those the second adds, and so on.
fn hot_functions(binary: &Path) -> util::Result<Vec<String>> {
    let tools = venv::ensure()?;
    let work = tempdir()?;
    let _scratch = Scratch(work.clone());
    let moto = Moto::start(&tools)?;
    let env = sandbox_env(&work, &moto.url, &tools, None);
    write_profiles(&work)?;
    let bench = Bench {
        env: &env,
        hyperfine: false,
    };
    let binary_str = stsenv_str(binary);
    // Fill the cache: every scenario below is then the usual hit.
    bench.check(&[&binary_str, "env", "plain"])?;
    let mut names = Vec::new();
    let mut seen = HashSet::new();
    for (i, argv) in SCENARIOS.iter().enumerate() {
        let out = work.join(format!("callgrind.{i}"));
        let out_file = format!("--callgrind-out-file={}", out.display());
        let mut valgrind = vec![
            "valgrind",
            "--tool=callgrind",
            "--demangle=no",
            "--compress-strings=no",
            &out_file,
            &binary_str,
        ];
        valgrind.extend_from_slice(argv);
        bench.check(&valgrind)?;
        let text = std::fs::read_to_string(&out).map_err(|e| e.to_string())?;
        // By name within a scenario: the order functions first run in
        // varies with hash seeds, and the list should change only when the
        // code does. Each scenario's code still lies together.
        let mut new: Vec<String> = functions_run(&text, binary)
            .into_iter()
            .filter(|name| seen.insert(name.clone()))
            .collect();
        new.sort();
        names.extend(new);
    }
    Ok(names)
}

/// The functions of `binary` a callgrind profile (uncompressed names)
/// shows run, in the order they appear. Callgrind marks recursion levels
/// with `'N` and names code without a symbol by its address: neither is a
/// symbol the linker knows.
fn functions_run(profile: &str, binary: &Path) -> Vec<String> {
    let binary = binary.display().to_string();
    let mut in_binary = false;
    let mut names = Vec::new();
    for line in profile.lines() {
        if let Some(object) = line.strip_prefix("ob=") {
            in_binary = object.trim() == binary;
        } else if let Some(name) = line.strip_prefix("fn=") {
            let name = name.trim();
            let name = match name.rsplit_once('\'') {
                Some((base, level)) if level.chars().all(|c| c.is_ascii_digit()) => base,
                _ => name,
            };
            if in_binary && !name.starts_with("0x") && !name.contains(' ') && !name.is_empty() {
                names.push(name.to_string());
            }
        }
    }
    names
}

/// The list's text: why it exists, then one symbol a line.
fn render(names: &[String]) -> String {
    let mut text = String::from(
        "# The functions the release linker places first in .text, so that the\n\
         # commands that start often fault in a few pages of code, not dozens.\n\
         # Made by `cargo xtask link-order` (scenario by scenario, by name);\n\
         # checked by `cargo xtask link-order --check`; passed to the linker by\n\
         # build.rs. Names the code no longer has are ignored by the linker.\n",
    );
    for name in names {
        text.push_str(name);
        text.push('\n');
    }
    text
}

/// The symbols a list names (comment lines and blank lines skipped).
fn read_list(path: &Path) -> util::Result<Vec<String>> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect())
}

/// The binary's code symbols, by address (`nm`).
fn text_symbols(binary: &Path) -> util::Result<Vec<(u64, String)>> {
    let output = Command::new("nm")
        .args(["--defined-only", "-n"])
        .arg(binary)
        .output()
        .map_err(|e| format!("nm: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "nm {}: {}",
            binary.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    Ok(parse_nm(&String::from_utf8_lossy(&output.stdout)))
}

/// `nm -n` lines (`address type name`) of code symbols.
fn parse_nm(text: &str) -> Vec<(u64, String)> {
    text.lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            let address = u64::from_str_radix(words.next()?, 16).ok()?;
            let kind = words.next()?;
            let name = words.next()?;
            matches!(kind, "t" | "T" | "W" | "w").then(|| (address, name.to_string()))
        })
        .collect()
}

/// Where the listed functions ended up.
#[derive(Debug, PartialEq)]
struct Placement {
    /// Names in the list.
    listed: usize,
    /// Listed names the binary has.
    found: usize,
    /// Found names that lie before every function not in the list.
    first: usize,
}

impl Placement {
    fn of(listed: &[String], symbols: &[(u64, String)]) -> Placement {
        let listed_set: HashSet<&str> = listed.iter().map(String::as_str).collect();
        let address: HashMap<&str, u64> = symbols.iter().map(|(a, n)| (n.as_str(), *a)).collect();
        // Identical functions are folded into one: an address counts as
        // listed when any of its names is.
        let listed_addresses: HashSet<u64> = symbols
            .iter()
            .filter(|(_, n)| listed_set.contains(n.as_str()))
            .map(|(a, _)| *a)
            .collect();
        let first_other = symbols
            .iter()
            .map(|(a, _)| *a)
            .find(|a| !listed_addresses.contains(a));
        let found: Vec<u64> = listed
            .iter()
            .filter_map(|n| address.get(n.as_str()).copied())
            .collect();
        Placement {
            listed: listed.len(),
            found: found.len(),
            first: found
                .iter()
                .filter(|a| first_other.is_none_or(|other| **a < other))
                .count(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{functions_run, parse_nm, render, Placement};
    use std::path::Path;

    #[test]
    fn a_profile_gives_the_binarys_named_functions_once_per_mention() {
        let profile = "ob=/lib/libc.so.6\nfn=malloc\n\
                       ob=/t/stsenv\nfn=_ZN6stsenv4main17h0123456789abcdefE\n\
                       fn=_RNvCs1_3foo3bar'2\nfn=0x00000000002d76b0\nfn=(below main)\n\
                       ob=/lib/libc.so.6\nfn=free\n";
        assert_eq!(
            functions_run(profile, Path::new("/t/stsenv")),
            ["_ZN6stsenv4main17h0123456789abcdefE", "_RNvCs1_3foo3bar"]
        );
    }

    #[test]
    fn listed_functions_are_first_when_nothing_else_comes_before_them() {
        let symbols = parse_nm(
            "0000000000001000 t hot_a\n0000000000001000 t folded_into_hot_a\n\
             0000000000001040 T hot_b\n0000000000002000 t cold\n\
             0000000000003000 T hot_c\n0000000000004000 D data\n",
        );
        let listed: Vec<String> = ["hot_a", "hot_b", "gone"].map(String::from).to_vec();
        assert_eq!(
            Placement::of(&listed, &symbols),
            Placement {
                listed: 3,
                found: 2,
                first: 2
            }
        );
        let late: Vec<String> = ["hot_a", "hot_c"].map(String::from).to_vec();
        assert_eq!(
            Placement::of(&late, &symbols),
            Placement {
                listed: 2,
                found: 2,
                first: 1
            }
        );
    }

    #[test]
    fn the_list_is_comments_then_one_symbol_a_line() {
        let text = render(&["a".to_string(), "b".to_string()]);
        let symbols: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(symbols, ["a", "b"]);
    }
}
