//! zsh: POSIX env code and functions, and its plugin template
//! (`shell/stsenv.zsh`, with the precmd hook and compdef completion).

use super::posix::PosixShell;

/// The zsh plugin.
pub const ZSH: PosixShell = PosixShell {
    template: include_str!("../../../../shell/stsenv.zsh"),
    lazy_functions: true,
    autoload: true,
};
