//! `stsenv whoami`: sts:GetCallerIdentity with a profile's credentials.

use std::process::ExitCode;

use jiff::Timestamp;
use serde_json::json;
use stsenv_core::aws::client::{runtime, CallContext};
use stsenv_core::aws::sts::caller_identity;
use stsenv_core::profile::config::{AwsConfig, Service};
use stsenv_core::Credentials;

use crate::cli::WhoamiArgs;
use crate::error::CliResult;
use crate::obtain;
use crate::output::{self, human_duration};
use crate::session::Status;

/// Run `stsenv whoami`.
pub fn run(args: WhoamiArgs) -> CliResult {
    // With no profile named, whoami answers for the keys exported in this
    // shell, as the AWS CLI would (environment credentials come first).
    let exported = args
        .profile
        .names_nothing()
        .then(Credentials::from_environment)
        .flatten()
        .map(|credentials| credentials.checked("(environment)", "AWS_* variables of this shell"))
        .transpose()?;
    let (profile, region, endpoint, credentials) = match exported {
        Some(credentials) => (
            Status::profile_or("(environment)"),
            ["AWS_REGION", "AWS_DEFAULT_REGION"]
                .iter()
                .find_map(|v| std::env::var(v).ok().filter(|r| !r.is_empty()))
                .unwrap_or_else(|| "us-east-1".to_string()),
            AwsConfig::load()
                .ok()
                .and_then(|config| config.endpoint_url(None, Service::Sts)),
            credentials,
        ),
        None => {
            let resolved = obtain::resolve(&args.profile)?;
            let config = AwsConfig::load()?;
            let endpoint = config.endpoint_url(Some(&resolved.plan.profile), Service::Sts);
            let region = resolved.plan.sts_region().to_string();
            (
                resolved.plan.profile,
                region,
                endpoint,
                resolved.credentials,
            )
        }
    };
    let ctx = CallContext {
        profile: &profile,
        region: &region,
        endpoint: endpoint.as_deref(),
        secrets: &[],
    };
    let identity = runtime()?.block_on(caller_identity(ctx, &credentials))?;
    let expiration = credentials.expiration_rfc3339();
    let text = if args.json {
        let doc = json!({
            "Account": identity.account,
            "Arn": identity.arn,
            "UserId": identity.user_id,
            "Profile": profile,
            "Expiration": expiration,
        });
        format!("{doc:#}\n")
    } else {
        let mut text = format!(
            "Account  {}\nArn      {}\nUserId   {}\nProfile  {profile}\n",
            identity.account, identity.arn, identity.user_id
        );
        if let (Some(at), Some(left)) = (expiration, credentials.seconds_left(Timestamp::now())) {
            text += &format!("Expires  {at} (in {})\n", human_duration(left));
        }
        // What STS answered is shown escaped (the JSON form escapes itself).
        stsenv_core::store::untrusted::printable_lines(&text)
    };
    output::print(&text)?;
    Ok(ExitCode::SUCCESS)
}
