//! From the command line to credentials: which profile and options the
//! arguments mean in this shell, the plan they make, and its credentials
//! through the cache. Every command that needs credentials comes here.

use stsenv_core::plan::resolve::{self, CacheMode};
use stsenv_core::plan::Plan;
use stsenv_core::profile::config::AwsConfig;
use stsenv_core::store::cache::Cache;
use stsenv_core::Credentials;

use crate::cli::ProfileArgs;
use crate::error::CliResult;
use crate::output::note;
use crate::prompt::TerminalPrompter;
use crate::session;

/// A profile's plan and its credentials.
pub struct Resolved {
    /// The arguments that were resolved (after [`effective`]).
    pub args: ProfileArgs,
    /// The plan that produced the credentials.
    pub plan: Plan,
    /// The credentials.
    pub credentials: Credentials,
    /// The cache they came through, for what the command keeps next to
    /// them (the recently used profiles).
    pub cache: Cache,
    /// The parsed config the plan was made from, held (never read) so that
    /// a command about to exit can leave it unfreed ([`Resolved::leave`]).
    _config: AwsConfig,
}

impl Resolved {
    /// Done with: the process exits next. Freeing the parsed config and
    /// the plan (hundreds of small allocations) costs a cache hit about a
    /// twentieth of its own work (13 k instructions), and the memory goes
    /// back with the process anyway, as `main` does with clap's command
    /// tree. The credential server, which resolves again and again, drops
    /// its `Resolved` as usual.
    pub fn leave(self) {
        std::mem::forget(self);
    }
}

/// What `args` mean in this shell. Naming no profile, no session-shaping
/// option and with `AWS_PROFILE` unset (which `stsenv env` removes), they
/// mean the session active in this shell: after `dev_assume`, a bare
/// `stsenv exec -- cmd` runs as dev, not as `default`.
pub fn effective(args: &ProfileArgs) -> CliResult<ProfileArgs> {
    let aws_profile_set = std::env::var_os("AWS_PROFILE").is_some_and(|p| !p.is_empty());
    if !args.names_nothing() || aws_profile_set {
        return Ok(args.clone());
    }
    Ok(match session::recorded()? {
        Some(recorded) => ProfileArgs {
            token_code: args.token_code.clone(),
            no_cache: args.no_cache,
            refresh: args.refresh,
            non_interactive: args.non_interactive,
            ..recorded
        },
        None => args.clone(),
    })
}

/// The plan for arguments already made [`effective`].
pub fn plan_of(args: &ProfileArgs) -> CliResult<Plan> {
    Ok(plan_in(args, &Cache::from_env())?.0)
}

/// [`plan_of`], with the config index in `cache`; and the config it was
/// made from.
fn plan_in(args: &ProfileArgs, cache: &Cache) -> CliResult<(Plan, AwsConfig)> {
    let config = AwsConfig::load_in(cache)?;
    let mut overrides = args.session.overrides()?;
    overrides.environment_region = session::user_region();
    let plan = Plan::build(&config, args.profile_name(), &overrides)?;
    Ok((plan, config))
}

/// The plan `args` mean in this shell.
pub fn plan(args: &ProfileArgs) -> CliResult<Plan> {
    plan_of(&effective(args)?)
}

/// Resolve `args` to credentials, asking for an MFA code when allowed.
pub fn resolve(args: &ProfileArgs) -> CliResult<Resolved> {
    let args = effective(args)?;
    let prompter = TerminalPrompter::new(args.token_code.as_deref(), args.non_interactive)?;
    // One cache for the index and the credentials: its directory is
    // checked once.
    let cache = Cache::from_env();
    let (plan, config) = plan_in(&args, &cache)?;
    let mode = if args.no_cache {
        CacheMode::Bypass
    } else if args.refresh {
        CacheMode::Refresh
    } else {
        CacheMode::Use
    };
    let resolution = resolve::resolve(&plan, &cache, mode, &prompter)?;
    // Said when STS was called, not on every cache hit (the prompt hook would repeat it).
    if !resolution.from_cache {
        for warning in &plan.warnings {
            note(&format!("stsenv: warning: {warning}"));
        }
    }
    Ok(Resolved {
        args,
        plan,
        credentials: resolution.credentials,
        cache,
        _config: config,
    })
}
