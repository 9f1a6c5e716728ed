//! AWS partitions: the separate AWS "worlds" (commercial, China, GovCloud)
//! with their own ARNs, console and sign-in hosts. A region or an ARN says
//! which one a profile lives in.

/// An AWS partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partition {
    /// `aws`: the commercial regions.
    Aws,
    /// `aws-cn`: Beijing and Ningxia.
    China,
    /// `aws-us-gov`: AWS GovCloud (US).
    GovCloud,
}

impl Partition {
    /// The partition of a region name: `cn-*` is China, `us-gov-*` GovCloud,
    /// anything else the commercial partition.
    pub fn of_region(region: &str) -> Partition {
        if region.starts_with("cn-") {
            Partition::China
        } else if region.starts_with("us-gov-") {
            Partition::GovCloud
        } else {
            Partition::Aws
        }
    }

    /// The partition named by an ARN (`arn:aws-cn:…`), if it is one we know.
    pub fn of_arn(arn: &str) -> Option<Partition> {
        match arn.split(':').nth(1)? {
            "aws" => Some(Partition::Aws),
            "aws-cn" => Some(Partition::China),
            "aws-us-gov" => Some(Partition::GovCloud),
            _ => None,
        }
    }

    /// The name used in ARNs.
    pub fn arn_name(self) -> &'static str {
        match self {
            Partition::Aws => "aws",
            Partition::China => "aws-cn",
            Partition::GovCloud => "aws-us-gov",
        }
    }

    /// The sign-in host that runs the federation endpoint.
    pub fn signin_host(self) -> &'static str {
        match self {
            Partition::Aws => "signin.aws.amazon.com",
            Partition::China => "signin.amazonaws.cn",
            Partition::GovCloud => "signin.amazonaws-us-gov.com",
        }
    }

    /// The console's host. The commercial console has regional hosts
    /// (`eu-west-1.console.aws.amazon.com`); the others have one host.
    pub fn console_host(self, region: Option<&str>) -> String {
        match (self, region) {
            (Partition::Aws, Some(region)) => format!("{region}.console.aws.amazon.com"),
            (Partition::Aws, None) => "console.aws.amazon.com".to_string(),
            (Partition::China, _) => "console.amazonaws.cn".to_string(),
            (Partition::GovCloud, _) => "console.amazonaws-us-gov.com".to_string(),
        }
    }

    /// The AWS managed policy that allows everything: as a session policy it
    /// passes the caller's own permissions through unchanged (the session
    /// gets the intersection of the two).
    pub fn administrator_access_arn(self) -> String {
        format!(
            "arn:{}:iam::aws:policy/AdministratorAccess",
            self.arn_name()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_and_arns_name_their_partition() {
        assert_eq!(Partition::of_region("eu-west-1"), Partition::Aws);
        assert_eq!(Partition::of_region("cn-northwest-1"), Partition::China);
        assert_eq!(Partition::of_region("us-gov-west-1"), Partition::GovCloud);
        assert_eq!(Partition::of_region("us-east-1"), Partition::Aws);
        assert_eq!(
            Partition::of_arn("arn:aws-cn:iam::1:role/x"),
            Some(Partition::China)
        );
        assert_eq!(Partition::of_arn("arn:aws-iso:iam::1:role/x"), None);
        assert_eq!(Partition::of_arn("nonsense"), None);
    }

    #[test]
    fn hosts_and_policy_follow_the_partition() {
        assert_eq!(
            Partition::GovCloud.signin_host(),
            "signin.amazonaws-us-gov.com"
        );
        assert_eq!(
            Partition::Aws.console_host(Some("eu-west-1")),
            "eu-west-1.console.aws.amazon.com"
        );
        assert_eq!(
            Partition::China.console_host(Some("cn-north-1")),
            "console.amazonaws.cn"
        );
        assert_eq!(
            Partition::China.administrator_access_arn(),
            "arn:aws-cn:iam::aws:policy/AdministratorAccess"
        );
    }
}
