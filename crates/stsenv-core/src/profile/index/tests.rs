use super::format::{slot_check, EMPTY};
use super::*;
use crate::profile::config::{config_alone, AwsConfig};
use aws_types::os_shim_internal::Env;
use std::path::PathBuf;

/// Odd names (the parser drops the quoted and non-ASCII ones), a
/// profile in both files, one in
/// the credentials file only, one there whose name is also a section
/// the parser ignores in the config file, an SSO session, a services
/// section, an empty profile.
const CONFIG: &str = "[default]\nregion = us-east-1\n[profile a]\nRole_Arn = arn:aws:iam::123456789012:role/a ; not a comment\nsource_profile = default # c\ns3 =\n  max_concurrent_requests = 3\nservices = local\nsso_session = s\n[sso-session s]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n[profile \"q'x\"]\nregion = eu-west-2\n[profile café]\nregion = eu-north-1\n[profile a/b@c:d+e%f]\nregion = x\n[profile team.dev-1_x]\nregion = a = b\n[profile empty]\n[z]\nregion = ignored\n";
const CREDENTIALS: &str = "[a]\naws_access_key_id = AKIA1\n[only-creds]\naws_access_key_id = AKIA2\n[z]\nregion = ap-south-1\n";
/// Names no file defines.
const ABSENT: [&str; 5] = ["nope", "", "A", "a ", "profile a"];

fn identity() -> Identity {
    Identity {
        home: "/h".into(),
        files: vec![FileId {
            path: "/h/config".into(),
            stat: Some([1, 2, 3, 4, 5]),
        }],
    }
}

fn fresh(config: &str, credentials: &str) -> Sections {
    AwsConfig::from_texts(config, credentials).unwrap().sections
}

fn indexed(sections: &Sections) -> bool {
    matches!(sections.profiles, Profiles::Indexed(_))
}

/// A cache in a temporary directory.
fn cache() -> (tempfile::TempDir, Cache) {
    let tmp = tempfile::tempdir().unwrap();
    let cache = Cache::at(tmp.path().join("cache"));
    (tmp, cache)
}

/// `bytes` kept as the cache's index, then opened as [`load`] opens it
/// (with the table hash `hash`).
fn reopen(cache: &Cache, bytes: &[u8], hash: fn(&str) -> u64) -> Option<Sections> {
    cache.write_note(NOTE, bytes).unwrap();
    let (file, len) = cache.open_note(NOTE, MAX_INDEX)?;
    open(file, len, &identity(), hash)
}

fn sorted(mut names: Vec<&str>) -> Vec<&str> {
    names.sort_unstable();
    names
}

/// Every answer of `index` about the names of `fresh` (and names no
/// file defines) is the parser's, or `Damaged`; never another. Asked
/// first a record at a time, then with the index read whole. Returns
/// whether any answer was `Damaged`.
fn agrees(index: &Sections, fresh: &Sections) -> bool {
    let mut asked = fresh.profile_names().unwrap();
    asked.extend(ABSENT);
    let mut damaged = false;
    let ask_all = |damaged: &mut bool| {
        for name in &asked {
            match index.profile(name) {
                Ok(profile) => assert_eq!(profile, fresh.profile(name).unwrap(), "{name}"),
                Err(Damaged) => *damaged = true,
            }
            match index.has_profile(name) {
                Ok(has) => assert_eq!(has, fresh.has_profile(name).unwrap(), "{name}"),
                Err(Damaged) => *damaged = true,
            }
            match index.in_config_file(name) {
                Ok(flag) => assert_eq!(flag, fresh.in_config_file(name).unwrap(), "{name}"),
                Err(Damaged) => *damaged = true,
            }
        }
    };
    ask_all(&mut damaged);
    match index.profile_names() {
        Ok(names) => assert_eq!(sorted(names), sorted(fresh.profile_names().unwrap())),
        Err(Damaged) => damaged = true,
    }
    ask_all(&mut damaged);
    // Read at load, from a header whose CRC matched.
    assert_eq!(index.sso_sessions, fresh.sso_sessions);
    assert_eq!(index.service_endpoints, fresh.service_endpoints);
    damaged
}

#[test]
fn an_index_reads_back_what_the_parser_found() {
    let fresh = fresh(CONFIG, CREDENTIALS);
    let (_tmp, cache) = cache();
    let bytes = encode(&identity(), &fresh, name_hash).unwrap();
    let back = reopen(&cache, &bytes, name_hash).unwrap();
    assert!(indexed(&back));
    assert!(!agrees(&back, &fresh));
    let a = back.profile("a").unwrap().unwrap();
    assert_eq!(a.get("role_arn"), Some("arn:aws:iam::123456789012:role/a"));
    assert_eq!(a.get("aws_access_key_id"), Some("AKIA1"));
    assert!(a.get("s3").is_some());
    assert_eq!(back.in_config_file("a"), Ok(Some(true)));
    assert_eq!(back.in_config_file("only-creds"), Ok(Some(false)));
    assert_eq!(back.in_config_file("nope"), Ok(None));
    assert!(back.profile("a/b@c:d+e%f").unwrap().is_some());
    assert!(!back.sso_sessions.is_empty() && !back.service_endpoints.is_empty());
    // The same parse always writes the same bytes.
    assert_eq!(encode(&identity(), &fresh, name_hash).unwrap(), bytes);
    // Another table hash: not used.
    assert!(reopen(&cache, &bytes, |name| name_hash(name) ^ 1).is_none());
    // Another identity: not used.
    let mut other = identity();
    other.files[0].stat = Some([1, 2, 3, 4, 6]);
    cache.write_note(NOTE, &bytes).unwrap();
    assert!(load(&cache, &other).is_none());
    assert!(load(&cache, &identity()).is_some());
}

#[test]
fn many_profiles_read_a_record_at_a_time_then_whole() {
    let config: String = (0..300)
        .map(|i| format!("[profile team-{i:04}-admin]\nrole_arn = arn:aws:iam::{i:012}:role/admin\nsource_profile = base\n"))
        .collect();
    let fresh = fresh(&format!("[profile base]\nregion = eu-west-1\n{config}"), "");
    let (_tmp, cache) = cache();
    // The real hash, and one under which every name collides: the
    // record's own name decides.
    for hash in [name_hash, |_: &str| 0x1234_5678_9abc_def0] {
        let bytes = encode(&identity(), &fresh, hash).unwrap();
        let back = reopen(&cache, &bytes, hash).unwrap();
        let Profiles::Indexed(index) = &back.profiles else {
            panic!("not indexed");
        };
        // A handful of names: nothing but their records is read.
        assert_eq!(back.has_profile("team-0299-admin"), Ok(true));
        assert_eq!(back.has_profile("team-0300-admin"), Ok(false));
        assert!(index.whole.get().is_none());
        assert!(!agrees(&back, &fresh));
        // Past `LAZY_NAMES` names, the index was read whole.
        assert!(index.whole.get().is_some());
    }
}

#[test]
fn files_holding_secrets_are_never_indexed() {
    let with = fresh(CONFIG, "[a]\naws_secret_access_key = s=c=r\n");
    assert!(with.holds_secrets());
    let legacy = fresh(CONFIG, "[a]\naws_security_token = t0k3n\n");
    assert!(legacy.holds_secrets());
    let tokens = fresh(CONFIG, "[b]\naws_session_token = t\n");
    assert!(tokens.holds_secrets());
    // The session token's old name, which the SDKs still read.
    let old_name = fresh(CONFIG, "[b]\naws_security_token = t\n");
    assert!(old_name.holds_secrets());
    let without = fresh(CONFIG, CREDENTIALS);
    assert!(!without.holds_secrets());
    let (_tmp, cache) = cache();
    let note = cache.dir().join("config-index.note");
    store(&cache, &identity(), &with);
    assert!(!note.exists());
    store(&cache, &identity(), &tokens);
    assert!(!note.exists());
    store(&cache, &identity(), &old_name);
    assert!(!note.exists());
    store(&cache, &identity(), &without);
    assert!(note.exists());
    // Nor a racy file (changed in the last two seconds).
    std::fs::remove_file(&note).unwrap();
    let mut racy = identity();
    racy.files[0].stat = Some([1, 2, 3, 4, jiff::Timestamp::now().as_nanosecond()]);
    store(&cache, &racy, &without);
    assert!(!note.exists());
}

/// Every truncation, every byte flipped (all bits, the lowest, the
/// highest): refused at load, or every answer afterwards is the
/// parser's or `Damaged` (the caller then parses the files). With a
/// CRC on the header, each slot and each record, no flipped value is
/// ever read as another value.
#[test]
fn a_damaged_index_never_gives_a_wrong_answer() {
    let fresh = fresh(CONFIG, CREDENTIALS);
    let (_tmp, cache) = cache();
    for hash in [name_hash, |_: &str| 7] {
        let bytes = encode(&identity(), &fresh, hash).unwrap();
        for cut in 0..bytes.len() {
            assert!(reopen(&cache, &bytes[..cut], hash).is_none(), "{cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(reopen(&cache, &longer, hash).is_none());
        let (mut refused, mut damaged) = (0, 0);
        for i in 0..bytes.len() {
            for mask in [0xff, 0x01, 0x80] {
                let mut flipped = bytes.clone();
                flipped[i] ^= mask;
                match reopen(&cache, &flipped, hash) {
                    None => refused += 1,
                    Some(back) => damaged += usize::from(agrees(&back, &fresh)),
                }
            }
        }
        // Both paths were taken: a damaged header is refused at load,
        // a damaged slot or record when it is read.
        assert!(refused > 0 && damaged > 0, "{refused} {damaged}");
    }
}

#[test]
fn a_slot_pointing_outside_the_file_is_damage_not_a_panic() {
    let fresh = fresh(CONFIG, CREDENTIALS);
    let (_tmp, cache) = cache();
    let bytes = encode(&identity(), &fresh, name_hash).unwrap();
    let header_len = usize::try_from(u32_at(&bytes, MAGIC.len() + 4).unwrap()).unwrap();
    let table_at = HEADER_AT + header_len;
    let header: Header = serde_json::from_slice(&bytes[HEADER_AT..table_at]).unwrap();
    let slots = usize::try_from(header.slots).unwrap();
    let home = home_slot(name_hash("a"), slots);
    let mut hit = None;
    for k in 0..slots {
        let slot = (home + k) % slots;
        let at = table_at + slot * SLOT;
        let (_, tag) = read_slot(slot, &bytes[at..at + SLOT]).unwrap().unwrap();
        if tag == tag_of(name_hash("a")) {
            hit = Some((slot, at, tag));
            break;
        }
    }
    let (slot, at, tag) = hit.unwrap();
    for offset in [u32::try_from(bytes.len()).unwrap(), EMPTY - 1, 3] {
        let mut bad = bytes.clone();
        bad[at..at + 4].copy_from_slice(&offset.to_le_bytes());
        bad[at + 8..at + 12].copy_from_slice(&slot_check(slot, offset, tag).to_le_bytes());
        let back = reopen(&cache, &bad, name_hash).unwrap();
        assert_eq!(back.profile("a"), Err(Damaged));
        assert_eq!(back.has_profile("a"), Err(Damaged));
    }
}

/// The files written to a temporary directory, and an environment
/// naming them (nothing else: no `AWS_ENDPOINT_URL` from the tests'
/// own environment).
struct Files {
    _tmp: tempfile::TempDir,
    config: PathBuf,
    credentials: PathBuf,
    cache: Cache,
}

impl Files {
    fn new(config: &str, credentials: &str) -> Files {
        let tmp = tempfile::tempdir().unwrap();
        let (config_path, credentials_path) =
            (tmp.path().join("config"), tmp.path().join("credentials"));
        std::fs::write(&config_path, config).unwrap();
        std::fs::write(&credentials_path, credentials).unwrap();
        let cache = Cache::at(tmp.path().join("cache"));
        Files {
            config: config_path,
            credentials: credentials_path,
            cache,
            _tmp: tmp,
        }
    }

    fn load(&self) -> AwsConfig {
        let env = Env::from_slice(&[
            ("AWS_CONFIG_FILE", self.config.to_str().unwrap()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                self.credentials.to_str().unwrap(),
            ),
        ]);
        AwsConfig::load_with(
            env,
            self.config.clone(),
            self.credentials.clone(),
            &self.cache,
        )
        .unwrap()
    }

    /// The index of the files as they are (written here: a file
    /// written just now is too fresh for `store`).
    fn index(&self, damage: impl Fn(&mut Vec<u8>)) {
        let parsed = self.load();
        assert!(!indexed(&parsed.sections));
        let alone = config_alone(&std::fs::read_to_string(&self.config).unwrap());
        let mut bytes = encode(&self.config_identity(), &alone, name_hash).unwrap();
        damage(&mut bytes);
        self.cache.write_note(NOTE, &bytes).unwrap();
    }

    /// What the index is keyed by: the config file alone.
    fn config_identity(&self) -> Identity {
        Identity::of(&[&self.config]).unwrap()
    }
}

/// One name's answers: the profile, whether it exists, its file, its
/// STS endpoint.
type Answer<'a> = (&'a str, Option<&'a Profile>, bool, &'a Path, Option<String>);

/// What `config` answers, for comparing a config read from the index
/// with one parsed: the names, the SSO sessions, and each name's
/// answers.
fn answers(config: &AwsConfig) -> (Vec<&str>, Vec<&str>, Vec<Answer<'_>>) {
    let names: Vec<&str> = config.profile_names();
    let answers = names
        .iter()
        .chain(&ABSENT)
        .map(|name| {
            (
                *name,
                config.profile(name).ok(),
                config.has_profile(name),
                config.file_of(name),
                config.endpoint_url(Some(name), crate::profile::config::Service::Sts),
            )
        })
        .collect();
    (names, config.sso_session_names(), answers)
}

#[test]
fn the_index_names_the_same_files_as_the_parser() {
    let files = Files::new(CONFIG, CREDENTIALS);
    let parsed = files.load();
    files.index(|_| {});
    let from_index = files.load();
    assert!(indexed(&from_index.sections));
    assert_eq!(answers(&from_index), answers(&parsed));
    // `[profile a]` in the config and `[a]` in the credentials: the
    // config file; `[only-creds]`: the credentials file; `[z]` (a
    // section the parser ignores in the config file): the config file.
    assert_eq!(from_index.file_of("a"), files.config);
    assert_eq!(from_index.file_of("only-creds"), files.credentials);
    assert_eq!(from_index.file_of("z"), files.config);
    assert_eq!(from_index.file_of("nope"), files.config);
}

#[test]
fn a_damaged_record_is_answered_from_the_files() {
    let files = Files::new(CONFIG, CREDENTIALS);
    let parsed = files.load();
    // One letter of a value changed: a plausible value, which only the
    // record's CRC tells from the real one. (A damaged record of a
    // profile the credentials file also has is met at load, when the two
    // are merged: then the files are parsed at once.)
    files.index(|bytes| {
        let value = b"a = b";
        let at = bytes.windows(value.len()).position(|w| w == value).unwrap();
        bytes[at + value.len() - 1] = b'c';
    });
    let damaged = files.load();
    assert!(indexed(&damaged.sections));
    assert_eq!(
        damaged.profile("team.dev-1_x").unwrap().get("region"),
        Some("a = b")
    );
    assert_eq!(answers(&damaged), answers(&parsed));
}

/// Answers compared across configs read from different paths: the file
/// of a name as "config" or "credentials".
type Portable<'a> = (
    Vec<&'a str>,
    Vec<&'a str>,
    Vec<(&'a str, Option<&'a Profile>, bool, bool, Option<String>)>,
);

fn portable<'a>(config: &'a AwsConfig, names: &[&'a str]) -> Portable<'a> {
    let per_name = names
        .iter()
        .map(|name| {
            (
                *name,
                config.profile(name).ok(),
                config.has_profile(name),
                config.file_of(name) == config.credentials_file(),
                config.endpoint_url(Some(name), crate::profile::config::Service::Sts),
            )
        })
        .collect();
    (config.profile_names(), config.sso_session_names(), per_name)
}

mod merged_like_the_parser {
    use super::*;
    use proptest::prelude::*;

    const NAMES: [&str; 5] = ["default", "a", "b", "c-d", "base"];
    const KEYS: [&str; 9] = [
        "region",
        "role_arn",
        "source_profile",
        "services",
        "aws_access_key_id",
        "aws_secret_access_key",
        "aws_session_token",
        "aws_security_token",
        "Region",
    ];
    /// Values of secret keys are `SECRET` and a number: none may ever be
    /// found in the cache directory.
    fn value(key: &str, n: u8) -> String {
        match key {
            "aws_secret_access_key" | "aws_session_token" | "aws_security_token" => {
                format!("SECRET{n:03}")
            }
            "services" => "svc".to_string(),
            _ => format!("v{n}"),
        }
    }

    /// A section header as either file may spell it (some of them the
    /// parser ignores in one file or the other). Not two spellings of one
    /// section in a file (`[profile a]` and `[ profile  a ]`): aws-config
    /// merges those in the order of a hash map, which differs between two
    /// parses of the same text.
    fn header() -> impl Strategy<Value = String> {
        (0..NAMES.len(), 0..5u8).prop_map(|(i, form)| {
            let name = NAMES[i];
            match form {
                0 => format!("[profile {name}]"),
                1 => format!("[{name}]"),
                2 => format!("[profile {name}]"),
                3 => "[sso-session s]".to_string(),
                _ => "[services svc]\nsts =\n  endpoint_url = http://127.0.0.1:9".to_string(),
            }
        })
    }

    fn line() -> impl Strategy<Value = String> {
        (0..KEYS.len(), any::<u8>(), 0..4u8).prop_map(|(k, n, form)| {
            let key = KEYS[k];
            match form {
                0 => format!("{key} = {}", value(key, n)),
                1 => format!("{key}={}", value(key, n)),
                2 => format!("# {key} = {}", value(key, n)),
                _ => format!("  {key} = {}", value(key, n)),
            }
        })
    }

    fn file() -> impl Strategy<Value = String> {
        prop::collection::vec((header(), prop::collection::vec(line(), 0..4)), 0..6).prop_map(
            |sections| {
                sections
                    .into_iter()
                    .map(|(header, lines)| format!("{header}\n{}\n", lines.join("\n")))
                    .collect()
            },
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Secrets in either file, both, or neither: the config read
        /// through the index (the config file indexed alone, the
        /// credentials file read afresh and laid over it) answers every
        /// question as aws-config's parser does on both files at once,
        /// and no secret value ever reaches the cache directory.
        #[test]
        fn index_answers_equal_a_full_parse(config in file(), credentials in file()) {
            let Ok(reference) = AwsConfig::from_texts(&config, &credentials) else {
                return Ok(());
            };
            let files = Files::new(&config, &credentials);
            let fresh = files.load();
            // What `store` writes once the file is settled.
            write(&files.cache, &files.config_identity(), &config_alone(&config));
            let from_index = files.load();
            // A config file naming a secret key anywhere (even commented
            // out, or indented into the value above) is never indexed;
            // any other is.
            let config_has_secret = config.contains("SECRET");
            prop_assert!(indexed(&from_index.sections) || config_has_secret);
            let mut names = reference.profile_names();
            names.extend(NAMES);
            names.extend(ABSENT);
            let expected = portable(&reference, &names);
            prop_assert_eq!(&portable(&fresh, &names), &expected);
            prop_assert_eq!(&portable(&from_index, &names), &expected);
            for name in &names {
                for key in ["aws_access_key_id", "aws_secret_access_key", "region"] {
                    prop_assert_eq!(
                        from_index.in_credentials_file(name, key),
                        reference.in_credentials_file(name, key)
                    );
                }
            }
            // Nothing in the cache directory holds a secret value.
            if let Ok(dir) = std::fs::read_dir(files.cache.dir()) {
                for item in dir.flatten() {
                    let bytes = std::fs::read(item.path()).unwrap();
                    prop_assert!(!bytes.windows(6).any(|w| w == b"SECRET"), "{:?}", item.path());
                }
            }
        }
    }
}

#[test]
fn indented_comment_lines_are_not_part_of_a_value() {
    assert_eq!(without_comment_lines("arn:x"), "arn:x");
    assert_eq!(without_comment_lines("arn:x\n# note\n; other"), "arn:x");
    assert_eq!(without_comment_lines("first\nsecond\n# c"), "first\nsecond");
    let config = AwsConfig::from_texts(
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n  # indented comment\nregion = eu-west-1\n",
        "",
    )
    .unwrap();
    let profile = config.profile("a").unwrap();
    assert_eq!(profile.get("role_arn"), Some("arn:aws:iam::1:role/a"));
}

/// The identity `load` takes from the files it opened is the one taken
/// from their paths (what the index was written under), for a file that
/// exists and one that does not; a file that is not regular has none.
#[cfg(unix)]
#[test]
fn the_identity_of_open_files_is_that_of_their_paths() {
    let files = Files::new("[profile a]\n", "");
    let missing = files.config.with_file_name("missing");
    let meta = std::fs::File::open(&files.config)
        .unwrap()
        .metadata()
        .unwrap();
    assert_eq!(
        Identity::of_opened(&[(&files.config, Some(Some(&meta))), (&missing, Some(None))]),
        Identity::of(&[&files.config, &missing])
    );
    assert!(Identity::of(&[&files.config]).is_some());
    let dev_null = std::fs::metadata("/dev/null").unwrap();
    assert_eq!(
        Identity::of_opened(&[(Path::new("/dev/null"), Some(Some(&dev_null)))]),
        None
    );
    assert_eq!(Identity::of(&[Path::new("/dev/null")]), None);
}

/// `files_fingerprint` (metadata alone, for `init`'s warm path) is the
/// fingerprint of the loaded config: settled files have the same one,
/// files changed within the last seconds have none, either way.
#[cfg(unix)]
#[test]
fn the_fingerprint_of_the_files_is_that_of_the_loaded_config() {
    let files = Files::new("[profile a]\nregion = eu-west-1\n", "[a]\n");
    let fresh = AwsConfig::fingerprint_of_files(&files.config, &files.credentials);
    assert_eq!(fresh, None, "files written just now are not settled");
    assert_eq!(files.load().fingerprint(), None);
    std::thread::sleep(std::time::Duration::from_nanos(
        RACY_NS as u64 + 100_000_000,
    ));
    let settled = AwsConfig::fingerprint_of_files(&files.config, &files.credentials).unwrap();
    assert_eq!(Some(&settled.digest), files.load().fingerprint().as_ref());
    assert_eq!(settled.bytes, 31 + 4);
    let missing = files.credentials.with_file_name("missing");
    let one = AwsConfig::fingerprint_of_files(&files.config, &missing).unwrap();
    assert_ne!(
        one.digest, settled.digest,
        "another file, another fingerprint"
    );
    assert_eq!(one.bytes, 31, "a missing file counts 0");
}
