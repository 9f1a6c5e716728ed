//! `stsenv whoami`: sts:GetCallerIdentity with a profile's credentials.

use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::json;
use stsenv_core::resolve::runtime;
use stsenv_core::sts::{caller_identity, CallContext};
use stsenv_core::{Credentials, Result};

use super::{human_duration, renewal_options, session};
use crate::cli::{ProfileArgs, WhoamiArgs};

/// Run `stsenv whoami`.
pub fn run(args: WhoamiArgs) -> Result<ExitCode> {
    let (profile, region, credentials) = match exported(&args.profile) {
        Some(credentials) => (
            std::env::var("STSENV_PROFILE").unwrap_or_else(|_| "(environment)".to_string()),
            ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|v| std::env::var(v).ok())
                .unwrap_or_else(|| "us-east-1".to_string()),
            credentials,
        ),
        None => {
            let session = session(&args.profile)?;
            let region = session.plan.sts_region().to_string();
            (session.plan.profile, region, session.credentials)
        }
    };
    let ctx = CallContext {
        profile: &profile,
        region: &region,
    };
    let identity = runtime()?.block_on(caller_identity(ctx, &credentials))?;
    let expiration = credentials.expiration_rfc3339();
    if args.json {
        let doc = json!({
            "Account": identity.account,
            "Arn": identity.arn,
            "UserId": identity.user_id,
            "Profile": profile,
            "Expiration": expiration,
        });
        println!("{doc:#}");
    } else {
        println!("Account  {}", identity.account);
        println!("Arn      {}", identity.arn);
        println!("UserId   {}", identity.user_id);
        println!("Profile  {profile}");
        if let (Some(at), Some(left)) = (expiration, credentials.seconds_left(Timestamp::now())) {
            println!("Expires  {at} (in {})", human_duration(left));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// With no profile named, whoami answers for the keys exported in this
/// shell, as the AWS CLI would (environment credentials come first).
fn exported(args: &ProfileArgs) -> Option<Credentials> {
    let names_nothing = args.profile.is_none() && renewal_options(args).is_none();
    names_nothing.then(Credentials::from_environment).flatten()
}
