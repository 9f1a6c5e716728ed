//! The AWS calls: one client layer ([`client`]: HTTPS client, timeouts,
//! explicit SDK configuration, error mapping) and the services on top of it
//! — STS, IAM, the console federation endpoint, EKS token presigning — plus
//! the partition tables that name their hosts. Knows nothing of profiles'
//! chains or plans; imports [`crate::profile`] and [`crate::store`] only.

pub mod client;
pub mod clock;
pub mod eks;
pub mod federation;
mod http_cap;
pub mod iam;
pub mod partition;
pub mod signin;
pub mod sts;
