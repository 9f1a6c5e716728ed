//! `stsenv env --pick` and `assume` with no argument (issue 13): a fuzzy
//! picker on the terminal, driven in tmux. Enter assumes the chosen profile,
//! Esc changes nothing, the most recently used come first, and without a
//! terminal it is a usage error, never a hang.

use stsenv_tests::{Moto, Sandbox};

use crate::shell_tmux::{start_command, Tmux};
use crate::util::ok;

const PROMPT: &str = "profile (type to filter";

fn sandbox() -> Sandbox {
    let sandbox = Sandbox::with_moto(Moto::shared());
    let mut config = String::from("[profile base]\nregion = eu-west-1\n");
    for (name, account) in [
        ("alpha-dev", "111111111111"),
        ("beta-prod", "222222222222"),
        ("gamma-ops", "333333333333"),
    ] {
        config += &format!(
            "[profile {name}]\nrole_arn = arn:aws:iam::{account}:role/{name}\nsource_profile = base\n"
        );
    }
    sandbox.config(&config).credentials(
        "[base]\naws_access_key_id = AKIAEXAMPLEPICK00001\naws_secret_access_key = pickpickpickpickpickpickpickpickpick0001\n",
    );
    sandbox
}

#[test]
fn filter_and_enter_assume_the_chosen_profile_in_every_shell() {
    for shell in crate::shell_support::SHELLS {
        let sandbox = sandbox();
        let tmux = Tmux::start(&sandbox, &start_command(&sandbox, shell));
        tmux.wait_for(shell, "READY$");
        tmux.type_text("assume");
        tmux.send(&["Enter"]);
        tmux.wait_for(shell, PROMPT);
        // Kind and account are shown beside the name (waited for: the
        // prompt line can be on screen before the rows under it).
        let screen = tmux.wait_for(shell, "222222222222");
        assert!(
            screen.contains("beta-prod")
                && screen.contains("role")
                && screen.contains("222222222222"),
            "{shell}: {screen}"
        );
        tmux.type_text("beta");
        tmux.wait_for(shell, "beta");
        tmux.send(&["Enter"]);
        tmux.wait_for(shell, "READY$");
        tmux.type_text("echo \"P=$STSENV_PROFILE K=${AWS_ACCESS_KEY_ID:0:4}\"");
        if shell == "fish" {
            tmux.send(&["C-u"]);
            tmux.type_text("echo P=$STSENV_PROFILE K=(string sub -l 4 -- $AWS_ACCESS_KEY_ID)");
        }
        tmux.send(&["Enter"]);
        tmux.wait_for(shell, "P=beta-prod K=ASIA");
    }
}

/// Regression (issue 24): typing matched the kind, account and cache
/// columns too, so "al" kept `develop`, whose kind, "invalid", has an `a`
/// and an `l`. Only the name is matched now.
#[test]
fn the_filter_matches_the_profile_name_only() {
    let sandbox = sandbox();
    let mut config = std::fs::read_to_string(sandbox.config_path()).unwrap();
    config += "[profile develop]\nrole_arn = arn:aws:iam::444444444444:role/develop\n";
    sandbox.config(&config);
    let tmux = Tmux::start(&sandbox, &start_command(&sandbox, "bash"));
    tmux.wait_for("bash", "READY$");
    tmux.type_text("assume");
    tmux.send(&["Enter"]);
    // The prompt is written before the rows: wait for develop's row.
    let screen = tmux.wait_for("bash", "invalid");
    assert!(
        screen.contains(PROMPT) && screen.contains("develop") && screen.contains("invalid"),
        "{screen}"
    );
    tmux.type_text("al");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let screen = loop {
        let screen = tmux.screen();
        if screen.contains("alpha-dev") && !screen.contains("develop") {
            break screen;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "`develop` still matches \"al\":\n{screen}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    // The columns are still drawn beside the name.
    assert!(screen.contains("111111111111"), "{screen}");
    tmux.send(&["Escape"]);
}

#[test]
fn escape_leaves_the_environment_untouched() {
    let sandbox = sandbox();
    let tmux = Tmux::start(&sandbox, &start_command(&sandbox, "bash"));
    tmux.wait_for("bash", "READY$");
    tmux.type_text("export AWS_ACCESS_KEY_ID=AKIAKEEPME; assume; echo \"rc=$? K=$AWS_ACCESS_KEY_ID P=${STSENV_PROFILE-none}\"");
    tmux.send(&["Enter"]);
    tmux.wait_for("bash", PROMPT);
    tmux.send(&["Escape"]);
    let screen = tmux.wait_for("bash", "K=AKIAKEEPME P=none");
    assert!(screen.contains("rc=130"), "{screen}");
}

#[test]
fn most_recently_used_come_first() {
    let sandbox = sandbox();
    ok(&sandbox, &["env", "beta-prod"]);
    ok(&sandbox, &["env", "gamma-ops"]);
    let recent = sandbox.cache_dir().join("recent-profiles.note");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&recent).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the MRU file is private");
    let tmux = Tmux::start(&sandbox, &start_command(&sandbox, "bash"));
    tmux.wait_for("bash", "READY$");
    tmux.type_text("stsenv env --pick >/dev/null");
    tmux.send(&["Enter"]);
    let screen = tmux.wait_for("bash", "alpha-dev");
    let at = |name: &str| {
        screen
            .find(name)
            .unwrap_or_else(|| panic!("{name}: {screen}"))
    };
    assert!(
        at("gamma-ops") < at("beta-prod") && at("beta-prod") < at("alpha-dev"),
        "newest first, then the rest:\n{screen}"
    );
    tmux.send(&["Escape"]);
}

#[test]
fn a_hostile_mru_file_is_ignored_line_by_line() {
    let sandbox = sandbox();
    std::fs::create_dir_all(sandbox.cache_dir()).unwrap();
    // A private cache dir, as stsenv makes it (it trusts no other).
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(sandbox.cache_dir(), std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(
        sandbox.cache_dir().join("recent-profiles.note"),
        "gamma-ops\n\u{1b}[2Jevil\nnot-a-profile\ngamma-ops\n",
    )
    .unwrap();
    ok(&sandbox, &["env", "alpha-dev"]);
    let text = std::fs::read_to_string(sandbox.cache_dir().join("recent-profiles.note")).unwrap();
    assert_eq!(text, "alpha-dev\ngamma-ops\nnot-a-profile\n");
}

#[test]
fn without_a_terminal_pick_is_a_usage_error() {
    let sandbox = sandbox();
    // setsid: no controlling terminal, so /dev/tty cannot be opened.
    let out = sandbox
        .command("setsid")
        .arg("-w")
        .arg(stsenv_tests::stsenv_bin())
        .args(["env", "--pick"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--pick needs a terminal"));
}
