//! Differential test: every row of [`cases::all`] is resolved by botocore
//! (boto3/AWS CLI v1, through `tests/support/botocore_case.py`) and by
//! stsenv (`whoami --json`, then `exec -- printenv`) against the same moto,
//! and the two are compared: which identity signs each STS call (every
//! profile with keys is its own moto IAM user; moto's request recorder shows
//! the signing key of every call), in which region, with which parameters,
//! the region handed to the child, and which loopback stand-ins (IMDS,
//! container endpoint, SSO portal) were asked. Rows marked `Deliberate` are
//! stsenv's documented differences; their check asserts what stsenv does.
//!
//! All rows run in one test on a few worker threads, each with its own moto
//! (request recorder on) and stand-ins, and the test fails once with the
//! full list of rows that differ. `STSENV_DIFF_SHOW=1` prints what both
//! sides did for every row.

mod cases;
mod harness;

use harness::{compare_same, no_secrets_in_stderr, Case, Expect, Worker};

/// Worker threads, each with a private moto (rows are mostly waiting on
/// processes, so this is more than the 2 cores of CI).
const WORKERS: usize = 3;

#[test]
fn stsenv_resolves_profiles_like_botocore() {
    let cases = cases::all();
    assert!(cases.len() >= 60, "the table has {} rows", cases.len());
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(before, names.len(), "row names are unique");

    // STSENV_DIFF_SHOW=1 prints what both sides did for every row.
    let show = std::env::var_os("STSENV_DIFF_SHOW").is_some();
    let indexed: Vec<(usize, &Case)> = cases.iter().enumerate().collect();
    let mut results: Vec<(usize, Vec<String>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..WORKERS)
            .map(|w| {
                let mine: Vec<(usize, &Case)> = indexed
                    .iter()
                    .filter(|(i, _)| i % WORKERS == w)
                    .copied()
                    .collect();
                scope.spawn(move || {
                    let mut worker = Worker::start(&mine);
                    mine.iter()
                        .map(|&(i, case)| {
                            let observed = worker.observe(i, case);
                            if show {
                                eprintln!("[{}]\n{}", case.name, observed.describe());
                            }
                            let mut problems = match &case.expect {
                                Expect::Same => compare_same(case, &observed),
                                Expect::Deliberate { check, .. } => check(&observed),
                            };
                            problems
                                .extend(no_secrets_in_stderr(&observed, &worker.secrets(i, case)));
                            (i, problems)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a worker panicked"))
            .collect()
    });
    results.sort_by_key(|(i, _)| *i);

    let mut report = String::new();
    let mut failing = 0;
    for (i, problems) in &results {
        if problems.is_empty() {
            continue;
        }
        failing += 1;
        let case = &cases[*i];
        let kind = match &case.expect {
            Expect::Same => "same as botocore".to_string(),
            Expect::Deliberate { reason, .. } => format!("deliberate: {reason}"),
        };
        report.push_str(&format!("\n[{}] ({kind})\n", case.name));
        for problem in problems {
            report.push_str(&format!("    - {problem}\n"));
        }
    }
    assert!(
        failing == 0,
        "{failing} of {} rows differ from what is expected:\n{report}",
        cases.len()
    );
}
