//! `cargo xtask dist [--target TARGET] [--check]`: the release archive,
//! laid out the way ripgrep and zoxide ship theirs:
//!
//! ```text
//! target/dist/stsenv-<version>-<target>.tar.gz      (+ .sha256)
//!   stsenv-<version>-<target>/
//!     stsenv                     the release binary
//!     completions/               stsenv.bash, _stsenv, stsenv.fish, stsenv.ps1
//!     man/man1/                  stsenv.1, stsenv-env.1, … one page per command
//!     README.md LICENSE-MIT LICENSE-APACHE
//!     docs/                      the guide README.md links to (docs/*.md)
//! ```
//!
//! For a Windows target it is a `.zip` (what Windows opens without extra
//! tools) of `stsenv.exe`, `completions/` and the same documents and guide,
//! without man pages; `--check` unpacks it and runs the `.exe` under wine (see
//! `wine.rs`). A macOS archive needs Apple's linker: the same command on a
//! Mac makes it; on Linux it says so.
//!
//! The man pages come from the packaged binary itself (`stsenv __man DIR`,
//! clap_mangen): the xtask cannot link the CLI crate, and pages made by the
//! binary always describe the options it has. The completion scripts are
//! the committed `completions/` (a test keeps them equal to the CLI's).
//!
//! `--check` then unpacks the archive with the system's `tar` and uses it
//! the way a user would: the binary runs and is within its size budget
//! (10 MB stripped, 10,000,000 bytes: [`SIZE_BUDGET`]), `man -l` renders
//! every page without a warning, every subcommand a page names has its own
//! page, and each completion script loads in its shell (bash and fish also
//! complete a subcommand with it). `cargo xtask ci` runs it after the
//! tests; it is not part of `cargo test` because a release build takes
//! minutes.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

use crate::completions::FILES as COMPLETIONS;
use crate::util;

/// The version every workspace crate shares (the xtask's is the binary's).
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Files copied from the repository root into the archive.
const DOCS: [&str; 3] = ["README.md", "LICENSE-MIT", "LICENSE-APACHE"];

/// The user guide README.md links to: every `docs/*.md` page, as paths
/// relative to the root (`docs/profiles.md`), so the links work in the
/// unpacked archive too.
fn guide() -> util::Result<Vec<PathBuf>> {
    let dir = util::root().join("docs");
    let entries = fs::read_dir(&dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
    let mut pages: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .filter_map(|path| path.file_name().map(|name| Path::new("docs").join(name)))
        .collect();
    pages.sort();
    Ok(pages)
}

/// Pages that must exist whatever else the CLI grows: the top page, the
/// main commands, and a nested one (proof that the walk is recursive).
const REQUIRED_PAGES: [&str; 5] = [
    "stsenv.1",
    "stsenv-env.1",
    "stsenv-exec.1",
    "stsenv-init.1",
    "stsenv-cache-list.1",
];

/// Run the task.
pub fn run(args: &[String]) -> util::Result {
    const USAGE: &str = "usage: cargo xtask dist [--target TARGET] [--check]";
    let mut check = false;
    let mut target = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--target" => target = Some(args.next().ok_or(USAGE)?.clone()),
            _ => return Err(USAGE.into()),
        }
    }
    let host = host_triple()?;
    let target = target.unwrap_or_else(|| host.clone());
    if target.contains("-windows-") {
        let zip = windows::build(&target)?;
        println!("wrote {}", zip.display());
        if check {
            windows::check(&zip)?;
            println!("dist check passed: {}", zip.display());
        }
        return Ok(());
    }
    if target.ends_with("-apple-darwin") && !cfg!(target_os = "macos") {
        return Err(format!(
            "{target} needs Apple's linker and SDK, which only a Mac has: run `cargo xtask dist --target {target}` there (CI here type-checks it with `cargo xtask ci`)"
        ));
    }
    let archive = build(&target, target == host)?;
    println!("wrote {}", archive.display());
    if check {
        self::check(&archive)?;
        println!("dist check passed: {}", archive.display());
    }
    Ok(())
}

/// Build the release binary, stage the files, and write the archive and
/// its checksum. Returns the archive's path.
fn build(target: &str, is_host: bool) -> util::Result<PathBuf> {
    let binary = release_binary(target, is_host)?;
    let name = format!("stsenv-{VERSION}-{target}");
    let stage = stage(&name, &binary, "stsenv")?;
    let man_dir = stage.join("man").join("man1");
    util::run(
        Command::new(stage.join("stsenv"))
            .arg("__man")
            .arg(&man_dir),
    )?;

    let archive = dist_dir().join(format!("{name}.tar.gz"));
    write_archive(&stage, &name, &archive)?;
    write_checksum(&archive)?;
    Ok(archive)
}

/// `cargo build --release` of the binary for `target` (the host's own
/// build directory when it is the host, so `cargo build --release` is
/// shared); returns the binary's path.
fn release_binary(target: &str, is_host: bool) -> util::Result<PathBuf> {
    let mut args = vec![
        "build",
        "--release",
        "--locked",
        "-p",
        "stsenv",
        "--bin",
        "stsenv",
    ];
    let mut dir = util::target_dir();
    if !is_host {
        args.extend(["--target", target]);
        dir = dir.join(target);
    }
    util::cargo(&args, &crate::platforms::cross_env(target)?)?;
    let exe = if target.contains("-windows-") {
        "stsenv.exe"
    } else {
        "stsenv"
    };
    Ok(dir.join("release").join(exe))
}

fn dist_dir() -> PathBuf {
    util::target_dir().join("dist")
}

/// A fresh `target/dist/<name>/` with the binary (as `binary_name`), the
/// completion scripts and the documents.
fn stage(name: &str, binary: &Path, binary_name: &str) -> util::Result<PathBuf> {
    let stage = dist_dir().join(name);
    if stage.exists() {
        fs::remove_dir_all(&stage).map_err(|e| format!("rm -r {}: {e}", stage.display()))?;
    }
    mkdir(&stage.join("completions"))?;
    copy(binary, &stage.join(binary_name))?;
    for doc in DOCS {
        copy(&util::root().join(doc), &stage.join(doc))?;
    }
    mkdir(&stage.join("docs"))?;
    for page in guide()? {
        copy(&util::root().join(&page), &stage.join(&page))?;
    }
    for (_, file) in COMPLETIONS {
        copy(
            &util::root().join("completions").join(file),
            &stage.join("completions").join(file),
        )?;
    }
    Ok(stage)
}

/// `<archive>.sha256` beside it, in `sha256sum -c` format.
fn write_checksum(archive: &Path) -> util::Result {
    let bytes = fs::read(archive).map_err(|e| format!("read {}: {e}", archive.display()))?;
    let file = archive
        .file_name()
        .and_then(|n| n.to_str())
        .expect("archive names are UTF-8");
    let sum = format!("{}  {file}\n", hex::encode(Sha256::digest(&bytes)));
    let sum_path = archive.with_file_name(format!("{file}.sha256"));
    fs::write(&sum_path, sum).map_err(|e| format!("write {}: {e}", sum_path.display()))
}

/// The target triple rustc builds for by default (`host:` of `rustc -vV`).
fn host_triple() -> util::Result<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = output(Command::new(&rustc).arg("-vV"))?;
    out.lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(|host| host.trim().to_string())
        .ok_or_else(|| format!("`{rustc} -vV` names no host triple"))
}

/// A gzipped tar of `stage` under the top directory `name`, reproducible:
/// entries in sorted order, owner 0, a fixed mtime, modes 0755/0644 (tar's
/// deterministic header mode). Written beside the target and renamed, so a
/// failed run never leaves a truncated archive behind.
fn write_archive(stage: &Path, name: &str, archive: &Path) -> util::Result {
    let partial = archive.with_extension("gz.partial");
    let file =
        fs::File::create(&partial).map_err(|e| format!("create {}: {e}", partial.display()))?;
    let gzip = flate2::write::GzEncoder::new(file, flate2::Compression::best());
    let mut tar = tar::Builder::new(gzip);
    tar.mode(tar::HeaderMode::Deterministic);
    tar.follow_symlinks(false);
    let mut paths = Vec::new();
    walk(stage, &mut paths)?;
    paths.sort();
    let failed = |e: std::io::Error| format!("write {}: {e}", partial.display());
    tar.append_path_with_name(stage, name).map_err(failed)?;
    for path in &paths {
        let relative = path
            .strip_prefix(stage)
            .expect("walk stays inside the stage");
        tar.append_path_with_name(path, Path::new(name).join(relative))
            .map_err(failed)?;
    }
    tar.into_inner()
        .and_then(|gzip| gzip.finish())
        .map_err(failed)?;
    fs::rename(&partial, archive).map_err(|e| format!("rename to {}: {e}", archive.display()))
}

/// Every file and directory below `dir`.
fn walk(dir: &Path, into: &mut Vec<PathBuf>) -> util::Result {
    let entries = fs::read_dir(dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry
            .map_err(|e| format!("read {}: {e}", dir.display()))?
            .path();
        into.push(path.clone());
        if path.is_dir() {
            walk(&path, into)?;
        }
    }
    Ok(())
}

/// Unpack `archive` and use what is in it; see the module comment.
fn check(archive: &Path) -> util::Result {
    for tool in ["tar", "man", "groff", "bash", "zsh", "fish"] {
        if !util::on_path(tool) {
            return Err(format!(
                "dist --check needs {tool} (apt-get install tar man-db groff-base bash zsh fish)"
            ));
        }
    }
    let scratch = util::target_dir().join("dist").join("check");
    if scratch.exists() {
        fs::remove_dir_all(&scratch).map_err(|e| format!("rm -r {}: {e}", scratch.display()))?;
    }
    let home = scratch.join("home");
    mkdir(&home)?;
    util::run(
        Command::new("tar")
            .arg("-xzf")
            .arg(archive)
            .arg("-C")
            .arg(&scratch),
    )?;
    let name = archive
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".tar.gz"))
        .ok_or_else(|| format!("{} is not a .tar.gz", archive.display()))?;
    let root = scratch.join(name);
    let user = User { home };

    let size = check_binary(&root, &user)?;
    for doc in DOCS {
        same_file(&util::root().join(doc), &root.join(doc))?;
    }
    for page in guide()? {
        same_file(&util::root().join(&page), &root.join(&page))?;
    }
    let pages = check_man_pages(&root.join("man").join("man1"), &user)?;
    check_completions(&root, &user)?;
    println!(
        "dist check: binary runs ({} of the {} budget), {pages} man pages render, bash/zsh/fish completions load",
        mb(size),
        mb(SIZE_BUDGET)
    );
    Ok(())
}

/// A clean environment for the unpacked files: a scratch HOME, so neither
/// the shells nor man read or write the developer's dot files.
struct User {
    home: PathBuf,
}

impl User {
    /// `program` with the scratch HOME, a UTF-8 locale and no pager.
    fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut command = Command::new(program);
        command
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_DATA_HOME", self.home.join(".local/share"))
            .env("XDG_CACHE_HOME", self.home.join(".cache"))
            .env("LC_ALL", "C.UTF-8")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("MANWIDTH", "80")
            .env_remove("MANPATH")
            .env_remove("BASH_ENV")
            .env_remove("ENV")
            .env_remove("ZDOTDIR");
        command
    }
}

/// Variables that only the tests may use: a release binary must not
/// contain their names (they exist in debug builds only).
const TEST_HOOKS: [&str; 2] = ["STSENV_TEST_", "STSENV_SSO_POLL_MS"];

/// The packaged binary is executable, says which version it is, has no
/// test hook in it and fits the size budget. Returns its size in bytes.
fn check_binary(root: &Path, user: &User) -> util::Result<u64> {
    let binary = root.join("stsenv");
    expect_version(&output(user.command(&binary).arg("--version"))?, &binary)?;
    check_size(&binary)
}

/// The most the stripped release binary may weigh: 10 MB (decimal,
/// 10,000,000 bytes), a little above what it is on x86_64 Linux
/// (docs/performance.md, "Binary size"), so CI sees growth before it adds
/// up. Raise it only with the reason written in that section.
const SIZE_BUDGET: u64 = 10_000_000;

/// `binary` is no larger than [`SIZE_BUDGET`]; returns its size.
fn check_size(binary: &Path) -> util::Result<u64> {
    let size = fs::metadata(binary)
        .map_err(|e| format!("stat {}: {e}", binary.display()))?
        .len();
    if size > SIZE_BUDGET {
        return Err(format!(
            "{} is {size} bytes ({}), over the budget of {SIZE_BUDGET} bytes ({}): see \
             docs/performance.md (Binary size) and `cargo bloat --release -p stsenv --crates` \
             for what each crate costs",
            binary.display(),
            mb(size),
            mb(SIZE_BUDGET)
        ));
    }
    Ok(size)
}

/// `bytes` in decimal megabytes with two decimals (`9.87 MB`), the unit
/// of the budget.
fn mb(bytes: u64) -> String {
    format!("{:.2} MB", bytes as f64 / 1_000_000.0)
}

/// `--version` printed this version, and `binary` has no test hook in it.
fn expect_version(out: &str, binary: &Path) -> util::Result {
    let expected = format!("stsenv {VERSION} ");
    if !out.starts_with(&expected) {
        return Err(format!(
            "{} --version printed {out:?}, expected it to start with {expected:?}",
            binary.display()
        ));
    }
    let bytes = fs::read(binary).map_err(|e| format!("read {}: {e}", binary.display()))?;
    if let Some(hook) = TEST_HOOKS
        .iter()
        .find(|hook| bytes.windows(hook.len()).any(|w| w == hook.as_bytes()))
    {
        return Err(format!(
            "{} contains the test hook {hook}: it must exist in debug builds only",
            binary.display()
        ));
    }
    Ok(())
}

/// The Windows zip: built, then checked by running the `.exe` under wine.
pub mod windows {
    use std::fs;
    use std::io::Write;
    use std::path::{Path, PathBuf};

    use super::{dist_dir, expect_version, output, same_file, COMPLETIONS, DOCS, VERSION};
    use crate::util;
    use crate::wine::Wine;

    /// Build `stsenv.exe` for `target`, stage it and write the zip (and its
    /// checksum); returns the zip's path.
    pub fn build(target: &str) -> util::Result<PathBuf> {
        let binary = super::release_binary(target, false)?;
        let name = format!("stsenv-{VERSION}-{target}");
        let stage = super::stage(&name, &binary, "stsenv.exe")?;
        let zip = dist_dir().join(format!("{name}.zip"));
        write_zip(&stage, &name, &zip)?;
        super::write_checksum(&zip)?;
        Ok(zip)
    }

    /// A zip of `stage` under the top directory `name`: entries sorted,
    /// deflated, with a fixed date, so the same files make the same bytes.
    fn write_zip(stage: &Path, name: &str, zip_path: &Path) -> util::Result {
        let partial = zip_path.with_extension("zip.partial");
        let failed = |e: &dyn std::fmt::Display| format!("write {}: {e}", partial.display());
        let file = fs::File::create(&partial).map_err(|e| failed(&e))?;
        let mut zip = zip::ZipWriter::new(file);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(0o644);
        let mut paths = Vec::new();
        super::walk(stage, &mut paths)?;
        paths.sort();
        for path in &paths {
            let relative = path
                .strip_prefix(stage)
                .expect("walk stays inside the stage");
            let entry = format!("{name}/{}", relative.display());
            if path.is_dir() {
                zip.add_directory(entry, options).map_err(|e| failed(&e))?;
                continue;
            }
            let bytes = fs::read(path).map_err(|e| format!("read {}: {e}", path.display()))?;
            zip.start_file(entry, options).map_err(|e| failed(&e))?;
            zip.write_all(&bytes).map_err(|e| failed(&e))?;
        }
        zip.finish().map_err(|e| failed(&e))?;
        fs::rename(&partial, zip_path).map_err(|e| format!("rename to {}: {e}", zip_path.display()))
    }

    /// Unpack the zip and use it as a Windows user would, under wine: the
    /// `.exe` runs and reports its version, every completion script is what
    /// it generates (`stsenv.ps1` among them), the documents are the
    /// repository's. Returns the unpacked `stsenv.exe`, which the wine test
    /// tier then runs.
    pub fn check(zip_path: &Path) -> util::Result<PathBuf> {
        let scratch = dist_dir().join("check-windows");
        if scratch.exists() {
            fs::remove_dir_all(&scratch)
                .map_err(|e| format!("rm -r {}: {e}", scratch.display()))?;
        }
        let file =
            fs::File::open(zip_path).map_err(|e| format!("open {}: {e}", zip_path.display()))?;
        zip::ZipArchive::new(file)
            .and_then(|mut archive| archive.extract(&scratch))
            .map_err(|e| format!("unzip {}: {e}", zip_path.display()))?;
        let name = zip_path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".zip"))
            .ok_or_else(|| format!("{} is not a .zip", zip_path.display()))?;
        let root = scratch.join(name);
        let exe = root.join("stsenv.exe");
        for doc in DOCS {
            same_file(&util::root().join(doc), &root.join(doc))?;
        }
        for page in super::guide()? {
            same_file(&util::root().join(&page), &root.join(&page))?;
        }
        // The shim goes beside the unpacked exe, never into the zip.
        let wine = Wine::prepare(&root)?;
        expect_version(&output(wine.command(&exe).arg("--version"))?, &exe)?;
        for (shell, file) in COMPLETIONS {
            let generated = output(wine.command(&exe).args(["completions", shell]))?;
            let packaged = fs::read_to_string(root.join("completions").join(file))
                .map_err(|e| format!("read completions/{file}: {e}"))?;
            if generated.replace("\r\n", "\n") != packaged {
                return Err(format!(
                    "completions/{file} in the zip differs from what stsenv.exe generates"
                ));
            }
        }
        println!("dist check: stsenv.exe runs under wine, completions match");
        Ok(exe)
    }
}

/// Every page renders with `man -l` without a warning; the pages named in
/// SUBCOMMANDS sections all exist, and every page is reachable that way
/// from stsenv(1). Returns how many pages there are.
fn check_man_pages(dir: &Path, user: &User) -> util::Result<usize> {
    let entries = fs::read_dir(dir).map_err(|e| format!("read {}: {e}", dir.display()))?;
    let mut pages = BTreeSet::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("read {}: {e}", dir.display()))?;
        let file = entry.file_name().to_string_lossy().into_owned();
        if !file.ends_with(".1") {
            return Err(format!(
                "{}: not a section 1 man page",
                dir.join(file).display()
            ));
        }
        pages.insert(file);
    }
    for required in REQUIRED_PAGES {
        if !pages.contains(required) {
            return Err(format!("{}: no {required}", dir.display()));
        }
    }

    let mut referenced = BTreeSet::from(["stsenv.1".to_string()]);
    for page in &pages {
        let path = dir.join(page);
        let out = user
            .command("man")
            .arg("--warnings")
            .arg("-l")
            .arg(&path)
            .output()
            .map_err(|e| format!("cannot run man: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let title = page.trim_end_matches(".1");
        if !out.status.success() || !stderr.trim().is_empty() {
            return Err(format!(
                "man -l {} failed ({}):\n{stderr}",
                path.display(),
                out.status
            ));
        }
        if !stdout.contains("NAME") || !stdout.contains(title) {
            return Err(format!(
                "man -l {} rendered no NAME section for {title}:\n{stdout}",
                path.display()
            ));
        }
        let source =
            fs::read_to_string(&path).map_err(|e| format!("read {}: {e}", path.display()))?;
        referenced.extend(references(&source));
    }
    if referenced != pages {
        let missing: Vec<_> = referenced.difference(&pages).collect();
        let orphans: Vec<_> = pages.difference(&referenced).collect();
        return Err(format!(
            "man pages in {}: named but missing {missing:?}, present but named nowhere {orphans:?}",
            dir.display()
        ));
    }
    Ok(pages.len())
}

/// The pages a roff source names as `stsenv\-env(1)` (clap_mangen's
/// SUBCOMMANDS entries), as file names.
fn references(source: &str) -> Vec<String> {
    let text = source.replace("\\-", "-");
    let mut found = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("stsenv-") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(tail.len());
        if tail[end..].starts_with("(1)") {
            found.push(format!("{}.1", &tail[..end]));
        }
        rest = &tail[end..];
    }
    found
}

/// Each script is what the packaged binary generates, and loads in its
/// shell: bash `source`s it and completes `stsenv en` to `env`; zsh finds
/// it through `fpath` at compinit, autoloads it, and `source`s it after
/// compinit; fish `source`s it and completes `stsenv en`. PowerShell's is
/// loaded only where `pwsh` is installed.
fn check_completions(root: &Path, user: &User) -> util::Result {
    let dir = root.join("completions");
    for (shell, file) in COMPLETIONS {
        let generated = output(
            user.command(root.join("stsenv"))
                .args(["completions", shell]),
        )?;
        let packaged = fs::read_to_string(dir.join(file))
            .map_err(|e| format!("read {}: {e}", dir.join(file).display()))?;
        if generated != packaged {
            return Err(format!(
                "completions/{file} differs from `stsenv completions {shell}`: run `cargo xtask completions`"
            ));
        }
    }

    let bash = output(
        user.command("bash")
            .args([
                "--noprofile",
                "--norc",
                "-c",
                r#"set -eu
source "$1"
spec=$(complete -p stsenv)
func=${spec##*-F }; func=${func%% *}
COMP_WORDS=(stsenv en); COMP_CWORD=1; COMP_LINE='stsenv en'; COMP_POINT=${#COMP_LINE}
"$func" stsenv en stsenv
printf '%s\n' "${COMPREPLY[@]}""#,
                "bash",
            ])
            .arg(dir.join("stsenv.bash")),
    )?;
    expect_word(&bash, "env", "bash")?;

    let zsh = output(user.command("zsh").args([
        "-f",
        "-c",
        r#"fpath=("$1" $fpath)
autoload -Uz compinit && compinit -u -D || exit 10
[[ $_comps[stsenv] == _stsenv ]] || { print -r -- "compinit did not register _stsenv: ${_comps[stsenv]-none}"; exit 11; }
autoload +X _stsenv || exit 12
unfunction _stsenv
unset '_comps[stsenv]'
source "$1/_stsenv" || exit 13
[[ $_comps[stsenv] == _stsenv ]] || { print -r -- 'sourcing did not compdef _stsenv'; exit 14; }
(( $+functions[_stsenv] )) || exit 15
print -r -- loaded"#,
        "zsh",
    ]).arg(&dir))?;
    expect_word(&zsh, "loaded", "zsh")?;

    let fish = output(
        user.command("fish")
            .args([
                "--no-config",
                "-c",
                r#"source $argv[1]; or exit 10
complete -C 'stsenv en'"#,
            ])
            .arg(dir.join("stsenv.fish")),
    )?;
    let fish_words: String = fish
        .lines()
        .map(|line| line.split('\t').next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    expect_word(&fish_words, "env", "fish")?;

    if util::on_path("pwsh") {
        output(
            user.command("pwsh")
                .args(["-NoProfile", "-NonInteractive", "-File"])
                .arg(dir.join("stsenv.ps1")),
        )?;
    } else {
        println!("dist check: pwsh is not installed; stsenv.ps1 not loaded");
    }
    Ok(())
}

/// `word` is one of the lines `shell` printed.
fn expect_word(out: &str, word: &str, shell: &str) -> util::Result {
    if out.lines().any(|line| line.trim() == word) {
        Ok(())
    } else {
        Err(format!(
            "{shell}: the completion script did not give {word:?}; it printed:\n{out}"
        ))
    }
}

/// Run `command`; its stdout, or an error with its stderr.
fn output(command: &mut Command) -> util::Result<String> {
    let out: Output = command
        .output()
        .map_err(|e| format!("cannot run {:?}: {e}", command.get_program()))?;
    if !out.status.success() {
        return Err(format!(
            "{:?} failed ({}):\n{}{}",
            command,
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("{command:?} printed invalid UTF-8"))
}

/// The unpacked copy has the repository's bytes.
fn same_file(original: &Path, unpacked: &Path) -> util::Result {
    let a = fs::read(original).map_err(|e| format!("read {}: {e}", original.display()))?;
    let b = fs::read(unpacked).map_err(|e| format!("read {}: {e}", unpacked.display()))?;
    if a == b {
        Ok(())
    } else {
        Err(format!(
            "{} differs from {}",
            unpacked.display(),
            original.display()
        ))
    }
}

/// `mkdir -p`, naming the directory when it fails.
fn mkdir(dir: &Path) -> util::Result {
    fs::create_dir_all(dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))
}

/// Copy one file, naming both ends when it fails.
fn copy(from: &Path, to: &Path) -> util::Result {
    fs::copy(from, to)
        .map(drop)
        .map_err(|e| format!("copy {} to {}: {e}", from.display(), to.display()))
}
