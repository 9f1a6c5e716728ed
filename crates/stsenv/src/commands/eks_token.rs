//! `stsenv eks-token`: an ExecCredential for kubectl, the shape `aws eks
//! get-token` prints, signed locally from the profile's (cached) credentials.

use std::process::ExitCode;
use std::time::SystemTime;

use jiff::Timestamp;
use stsenv_core::aws::eks;
use stsenv_core::profile::config::{AwsConfig, Service};

use crate::cli::EksTokenArgs;
use crate::error::CliResult;
use crate::obtain::resolve;
use crate::output;

/// Run `stsenv eks-token`.
pub fn run(args: EksTokenArgs) -> CliResult {
    // A bad name fails before any credentials are resolved (or MFA asked for).
    eks::validate_cluster_name(&args.cluster_name)?;
    let (api_version, warning) =
        eks::api_version(std::env::var(eks::EXEC_INFO_VAR).ok().as_deref());
    if let Some(warning) = warning {
        crate::output::warn(&warning);
    }
    let session = resolve(&args.profile)?;
    let region = session.plan.sts_region();
    // Configured endpoints count as for the SDKs (the config is read again
    // here: `resolve` keeps nothing of it).
    let configured = AwsConfig::load()
        .ok()
        .and_then(|c| c.endpoint_url(Some(&session.plan.profile), Service::Sts));
    let endpoint = eks::sts_endpoint(region, configured.as_deref())?;
    let url = eks::presigned_url(
        &session.credentials,
        &args.cluster_name,
        region,
        &endpoint,
        SystemTime::now(),
    )?;
    output::print(&eks::exec_credential(
        &eks::token(&url),
        api_version,
        Timestamp::now(),
        session.credentials.expiration,
    ))?;
    Ok(ExitCode::SUCCESS)
}
