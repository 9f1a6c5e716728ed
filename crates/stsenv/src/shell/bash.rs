//! bash: POSIX env code and functions, and its plugin template
//! (`shell/stsenv.bash`, which also holds the hook's clock for bash 3.2–5).

use super::posix::PosixShell;

/// The bash plugin.
pub const BASH: PosixShell = PosixShell {
    template: include_str!("../../../../shell/stsenv.bash"),
    lazy_functions: true,
    autoload: false,
};
