mod shell_commands;
mod shell_hook;
mod shell_plugins;
mod shell_support;
mod shell_tmux;
mod smoke;
