//! `stsenv whoami`: sts:GetCallerIdentity with a profile's credentials.

use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::json;
use stsenv_core::resolve::runtime;
use stsenv_core::sts::{caller_identity, CallContext};
use stsenv_core::Result;

use super::{human_duration, session};
use crate::cli::WhoamiArgs;

/// Run `stsenv whoami`.
pub fn run(args: WhoamiArgs) -> Result<ExitCode> {
    let session = session(&args.profile)?;
    let ctx = CallContext {
        profile: &session.plan.profile,
        region: session.plan.sts_region(),
    };
    let identity = runtime()?.block_on(caller_identity(ctx, &session.credentials))?;
    let expiration = session.credentials.expiration_rfc3339();
    if args.json {
        let doc = json!({
            "Account": identity.account,
            "Arn": identity.arn,
            "UserId": identity.user_id,
            "Profile": session.plan.profile,
            "Expiration": expiration,
        });
        println!("{doc:#}");
    } else {
        println!("Account  {}", identity.account);
        println!("Arn      {}", identity.arn);
        println!("UserId   {}", identity.user_id);
        println!("Profile  {}", session.plan.profile);
        if let (Some(at), Some(left)) = (
            expiration,
            session.credentials.seconds_left(Timestamp::now()),
        ) {
            println!("Expires  {at} (in {})", human_duration(left));
        }
    }
    Ok(ExitCode::SUCCESS)
}
