# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_stsenv_global_optspecs
    string join \n h/help V/version
end

function __fish_stsenv_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_stsenv_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_stsenv_using_subcommand
    set -l cmd (__fish_stsenv_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c stsenv -n "__fish_stsenv_needs_command" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_needs_command" -s V -l version -d 'Print version'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "env" -d 'Print shell code that exports credentials for a profile'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "exec" -d 'Run a command with a profile\'s credentials in its environment'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "whoami" -d 'Show who the credentials belong to (sts:GetCallerIdentity)'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "init" -d 'Print the shell plugin; eval it from your shell\'s rc file'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "unset" -d 'Print shell code that removes what `stsenv env` set'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "profiles" -d 'List the profiles in your AWS config, with their kind and cache state'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "status" -d 'Show the profile active in this shell and the time it has left'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "explain" -d 'Show how a profile\'s credentials are obtained, step by step, without calling AWS'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "cache" -d 'Inspect or clear cached sessions'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "credential-process" -d 'Print credentials as credential_process JSON (for `credential_process = stsenv credential-process NAME`)'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "login" -d 'Log in to IAM Identity Center (SSO), or to an `aws login` session'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "logout" -d 'Forget the SSO token, or the `aws login` session, of a profile or sso-session'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "sso" -d 'IAM Identity Center helpers'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "console" -d 'Open the AWS console signed in with a profile\'s credentials (federation endpoint)'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "eks-token" -d 'Print an EKS token for kubectl\'s exec credential plugin (like `aws eks get-token`)'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "completions" -d 'Print a static completion script'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "keys" -d 'Keep long-term keys in the OS keystore (or an encrypted file) instead of ~/.aws/credentials'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "serve" -d 'Serve a profile\'s credentials to SDKs on 127.0.0.1, renewed, until Ctrl-C'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "doctor" -d 'Check the files, every profile, the cache, SSO and login tokens, the clock'
complete -c stsenv -n "__fish_stsenv_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -s p -l profile -d 'The profile, as an option (for names that start with `-`)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l role-arn -d 'Assume this role (no profile needed; the source is --source-profile or PROFILE)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l source-profile -d 'Profile whose credentials assume --role-arn' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l mfa-serial -d 'MFA device ARN (or serial) to authenticate with' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l duration -d 'Session duration in seconds' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l session-name -d 'Role session name [default: role_session_name, then stsenv-$USER]' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l external-id -d 'External ID required by the role\'s trust policy' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l region -d 'Region for the STS call and AWS_REGION' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l federation -d 'Get federated-user credentials (sts:GetFederationToken) with this name' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l policy -d 'Session policy JSON file (AssumeRole / GetFederationToken)' -r -F
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l source-identity -d 'Source identity to set on the role session' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l session-tag -d 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l transitive-tag -d 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l token-code -d 'The six-digit MFA code (otherwise you are asked on the terminal)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -s s -l shell -d 'Output format [default: from $SHELL, else bash]' -r -f -a "bash\t'bash code (`export NAME=\'value\'`)'
zsh\t'zsh code'
fish\t'fish code (`set -gx NAME \'value\'`)'
powershell\t'PowerShell code (`$env:NAME = \'value\'`)'
json\t'credential_process v1 JSON'
dotenv\t'a .env file (`NAME=\'value\'`)'
env\t'the same as bash (the AWS CLI\'s name)'
env-no-export\t'`NAME=value` lines without `export` (quoted only where a shell needs it)'
windows-cmd\t'cmd.exe code (`set "NAME=value"`; refuses values cmd.exe cannot keep literal)'
process\t'the same as json (the AWS CLI\'s name)'"
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l write-credentials -d 'Also write the credentials into [NAME] of ~/.aws/credentials, for tools that read only that file (the prompt hook rewrites it)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l no-cache -d 'Neither read nor write the session cache'
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l refresh -d 'Ignore a cached session for this profile and get a new one'
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l non-interactive -d 'Never prompt; exit 3 when an MFA code or SSO login is needed'
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l renew -d 'Renew the session recorded in this shell (STSENV_PROFILE, STSENV_OPTIONS); implies --non-interactive; exits 4 when the keystore passphrase is needed'
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l clipboard -d 'Copy a one-line export to the clipboard instead of printing it'
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -l pick -d 'Pick the profile in a fuzzy finder on the terminal (most recently used first)'
complete -c stsenv -n "__fish_stsenv_using_subcommand env" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -s p -l profile -d 'The profile, as an option (for names that start with `-`)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l role-arn -d 'Assume this role (no profile needed; the source is --source-profile or PROFILE)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l source-profile -d 'Profile whose credentials assume --role-arn' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l mfa-serial -d 'MFA device ARN (or serial) to authenticate with' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l duration -d 'Session duration in seconds' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l session-name -d 'Role session name [default: role_session_name, then stsenv-$USER]' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l external-id -d 'External ID required by the role\'s trust policy' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l region -d 'Region for the STS call and AWS_REGION' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l federation -d 'Get federated-user credentials (sts:GetFederationToken) with this name' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l policy -d 'Session policy JSON file (AssumeRole / GetFederationToken)' -r -F
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l source-identity -d 'Source identity to set on the role session' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l session-tag -d 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l transitive-tag -d 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l token-code -d 'The six-digit MFA code (otherwise you are asked on the terminal)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l write-credentials -d 'Also write the credentials into [NAME] of ~/.aws/credentials, for tools that read only that file' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l no-cache -d 'Neither read nor write the session cache'
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l refresh -d 'Ignore a cached session for this profile and get a new one'
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l non-interactive -d 'Never prompt; exit 3 when an MFA code or SSO login is needed'
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l force -d 'Run even inside another `stsenv exec`'
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -l server -d 'Give CMD a local credential server that renews, instead of fixed keys (for commands that outlive a session)'
complete -c stsenv -n "__fish_stsenv_using_subcommand exec" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -s p -l profile -d 'The profile, as an option (for names that start with `-`)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l role-arn -d 'Assume this role (no profile needed; the source is --source-profile or PROFILE)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l source-profile -d 'Profile whose credentials assume --role-arn' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l mfa-serial -d 'MFA device ARN (or serial) to authenticate with' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l duration -d 'Session duration in seconds' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l session-name -d 'Role session name [default: role_session_name, then stsenv-$USER]' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l external-id -d 'External ID required by the role\'s trust policy' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l region -d 'Region for the STS call and AWS_REGION' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l federation -d 'Get federated-user credentials (sts:GetFederationToken) with this name' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l policy -d 'Session policy JSON file (AssumeRole / GetFederationToken)' -r -F
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l source-identity -d 'Source identity to set on the role session' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l session-tag -d 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l transitive-tag -d 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l token-code -d 'The six-digit MFA code (otherwise you are asked on the terminal)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l no-cache -d 'Neither read nor write the session cache'
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l refresh -d 'Ignore a cached session for this profile and get a new one'
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l non-interactive -d 'Never prompt; exit 3 when an MFA code or SSO login is needed'
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -l json -d 'Print JSON'
complete -c stsenv -n "__fish_stsenv_using_subcommand whoami" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand init" -l no-aliases -d 'Do not define `<profile>_assume` functions or the `assume` shorthand'
complete -c stsenv -n "__fish_stsenv_using_subcommand init" -l no-hook -d 'Do not install the prompt hook that renews credentials'
complete -c stsenv -n "__fish_stsenv_using_subcommand init" -l functions-file -d 'Print the path of the file (or directory) in the cache directory that holds the `<profile>_assume` functions, writing it first if needed (the bash plugin asks for it when a function is first needed after the config changed)'
complete -c stsenv -n "__fish_stsenv_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stsenv -n "__fish_stsenv_using_subcommand unset" -s s -l shell -d 'Output format [default: from $SHELL, else bash]' -r -f -a "bash\t'bash code (`unset NAME`)'
zsh\t'zsh code'
fish\t'fish code (`set -e NAME`)'
powershell\t'PowerShell code (`Remove-Item Env:NAME`)'
dotenv\t'a .env file (nothing to remove: prints nothing)'
env\t'the same as bash (the AWS CLI\'s name)'
env-no-export\t'`NAME=value` lines (nothing to remove: prints nothing)'
windows-cmd\t'cmd.exe code (`set "NAME="`)'"
complete -c stsenv -n "__fish_stsenv_using_subcommand unset" -l write-credentials -d 'Also remove [NAME], written by `--write-credentials NAME`, from ~/.aws/credentials' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand unset" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stsenv -n "__fish_stsenv_using_subcommand profiles" -l json -d 'Print JSON'
complete -c stsenv -n "__fish_stsenv_using_subcommand profiles" -l names -d 'Print names only, one per line (for completion scripts)'
complete -c stsenv -n "__fish_stsenv_using_subcommand profiles" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand status" -l format -d 'Output format' -r -f -a "text\t'A sentence for humans'
prompt\t'A short segment for a prompt, e.g. `dev 42m`'"
complete -c stsenv -n "__fish_stsenv_using_subcommand status" -l json -d 'Print JSON'
complete -c stsenv -n "__fish_stsenv_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -s p -l profile -d 'The profile, as an option (for names that start with `-`)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l role-arn -d 'Assume this role (no profile needed; the source is --source-profile or PROFILE)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l source-profile -d 'Profile whose credentials assume --role-arn' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l mfa-serial -d 'MFA device ARN (or serial) to authenticate with' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l duration -d 'Session duration in seconds' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l session-name -d 'Role session name [default: role_session_name, then stsenv-$USER]' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l external-id -d 'External ID required by the role\'s trust policy' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l region -d 'Region for the STS call and AWS_REGION' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l federation -d 'Get federated-user credentials (sts:GetFederationToken) with this name' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l policy -d 'Session policy JSON file (AssumeRole / GetFederationToken)' -r -F
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l source-identity -d 'Source identity to set on the role session' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l session-tag -d 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l transitive-tag -d 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l token-code -d 'The six-digit MFA code (otherwise you are asked on the terminal)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l no-cache -d 'Neither read nor write the session cache'
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l refresh -d 'Ignore a cached session for this profile and get a new one'
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -l non-interactive -d 'Never prompt; exit 3 when an MFA code or SSO login is needed'
complete -c stsenv -n "__fish_stsenv_using_subcommand explain" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand cache; and not __fish_seen_subcommand_from list clear help" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand cache; and not __fish_seen_subcommand_from list clear help" -f -a "list" -d 'List cached sessions (no secrets)'
complete -c stsenv -n "__fish_stsenv_using_subcommand cache; and not __fish_seen_subcommand_from list clear help" -f -a "clear" -d 'Delete cached sessions: all of them, or those of one profile'
complete -c stsenv -n "__fish_stsenv_using_subcommand cache; and not __fish_seen_subcommand_from list clear help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stsenv -n "__fish_stsenv_using_subcommand cache; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c stsenv -n "__fish_stsenv_using_subcommand cache; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand cache; and __fish_seen_subcommand_from clear" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "list" -d 'List cached sessions (no secrets)'
complete -c stsenv -n "__fish_stsenv_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "clear" -d 'Delete cached sessions: all of them, or those of one profile'
complete -c stsenv -n "__fish_stsenv_using_subcommand cache; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -s p -l profile -d 'The profile, as an option (for names that start with `-`)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l role-arn -d 'Assume this role (no profile needed; the source is --source-profile or PROFILE)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l source-profile -d 'Profile whose credentials assume --role-arn' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l mfa-serial -d 'MFA device ARN (or serial) to authenticate with' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l duration -d 'Session duration in seconds' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l session-name -d 'Role session name [default: role_session_name, then stsenv-$USER]' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l external-id -d 'External ID required by the role\'s trust policy' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l region -d 'Region for the STS call and AWS_REGION' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l federation -d 'Get federated-user credentials (sts:GetFederationToken) with this name' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l policy -d 'Session policy JSON file (AssumeRole / GetFederationToken)' -r -F
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l source-identity -d 'Source identity to set on the role session' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l session-tag -d 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l transitive-tag -d 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l token-code -d 'The six-digit MFA code (otherwise you are asked on the terminal)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l no-cache -d 'Neither read nor write the session cache'
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l refresh -d 'Ignore a cached session for this profile and get a new one'
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -l non-interactive -d 'Never prompt; exit 3 when an MFA code or SSO login is needed'
complete -c stsenv -n "__fish_stsenv_using_subcommand credential-process" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand login" -s p -l profile -d 'The profile, as an option (for names that start with `-`)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand login" -l sso-session -d 'An `[sso-session NAME]` section instead of a profile' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand login" -l no-browser -d 'Do not open a browser; only print the URL and code'
complete -c stsenv -n "__fish_stsenv_using_subcommand login" -l remote -d '`aws login` profiles: sign in on another device and paste the code it shows'
complete -c stsenv -n "__fish_stsenv_using_subcommand login" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand logout" -s p -l profile -d 'The profile, as an option (for names that start with `-`)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand logout" -l sso-session -d 'An `[sso-session NAME]` section instead of a profile' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand logout" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand sso; and not __fish_seen_subcommand_from populate help" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand sso; and not __fish_seen_subcommand_from populate help" -f -a "populate" -d 'Add a profile for every account and role you can reach through an sso-session'
complete -c stsenv -n "__fish_stsenv_using_subcommand sso; and not __fish_seen_subcommand_from populate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stsenv -n "__fish_stsenv_using_subcommand sso; and __fish_seen_subcommand_from populate" -l dry-run -d 'Print the lines that would be added without writing'
complete -c stsenv -n "__fish_stsenv_using_subcommand sso; and __fish_seen_subcommand_from populate" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand sso; and __fish_seen_subcommand_from help" -f -a "populate" -d 'Add a profile for every account and role you can reach through an sso-session'
complete -c stsenv -n "__fish_stsenv_using_subcommand sso; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -s p -l profile -d 'The profile, as an option (for names that start with `-`)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l role-arn -d 'Assume this role (no profile needed; the source is --source-profile or PROFILE)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l source-profile -d 'Profile whose credentials assume --role-arn' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l mfa-serial -d 'MFA device ARN (or serial) to authenticate with' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l session-name -d 'Role session name [default: role_session_name, then stsenv-$USER]' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l external-id -d 'External ID required by the role\'s trust policy' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l region -d 'Region for the STS call and AWS_REGION' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l federation -d 'Get federated-user credentials (sts:GetFederationToken) with this name' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l policy -d 'Session policy JSON file (AssumeRole / GetFederationToken)' -r -F
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l source-identity -d 'Source identity to set on the role session' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l session-tag -d 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l transitive-tag -d 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l token-code -d 'The six-digit MFA code (otherwise you are asked on the terminal)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l destination -d 'The console page to open: an https:// URL, or a service name such as s3 or ec2 [default: the console home]' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l duration -d 'Console session length, 900–43200 s [default: what the credentials have left]' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l no-cache -d 'Neither read nor write the session cache'
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l refresh -d 'Ignore a cached session for this profile and get a new one'
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l non-interactive -d 'Never prompt; exit 3 when an MFA code or SSO login is needed'
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l print -d 'Print the sign-in URL instead of opening a browser (anyone with it is signed in for 15 minutes)'
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -l clipboard -d 'Copy the sign-in URL to the clipboard instead of opening a browser'
complete -c stsenv -n "__fish_stsenv_using_subcommand console" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -s p -l profile -d 'The profile, as an option (for names that start with `-`)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l role-arn -d 'Assume this role (no profile needed; the source is --source-profile or PROFILE)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l source-profile -d 'Profile whose credentials assume --role-arn' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l mfa-serial -d 'MFA device ARN (or serial) to authenticate with' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l duration -d 'Session duration in seconds' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l session-name -d 'Role session name [default: role_session_name, then stsenv-$USER]' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l external-id -d 'External ID required by the role\'s trust policy' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l region -d 'Region for the STS call and AWS_REGION' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l federation -d 'Get federated-user credentials (sts:GetFederationToken) with this name' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l policy -d 'Session policy JSON file (AssumeRole / GetFederationToken)' -r -F
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l source-identity -d 'Source identity to set on the role session' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l session-tag -d 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l transitive-tag -d 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l token-code -d 'The six-digit MFA code (otherwise you are asked on the terminal)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l cluster-name -d 'The EKS cluster\'s name' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l no-cache -d 'Neither read nor write the session cache'
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l refresh -d 'Ignore a cached session for this profile and get a new one'
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -l non-interactive -d 'Never prompt; exit 3 when an MFA code or SSO login is needed'
complete -c stsenv -n "__fish_stsenv_using_subcommand eks-token" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and not __fish_seen_subcommand_from add import rotate list remove help" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and not __fish_seen_subcommand_from add import rotate list remove help" -f -a "add" -d 'Store an access key in the keystore (asked on the terminal) and mark the profile'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and not __fish_seen_subcommand_from add import rotate list remove help" -f -a "import" -d 'Move a profile\'s keys from ~/.aws/credentials into the keystore'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and not __fish_seen_subcommand_from add import rotate list remove help" -f -a "rotate" -d 'Replace the stored access key with a new one (iam:CreateAccessKey, iam:DeleteAccessKey)'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and not __fish_seen_subcommand_from add import rotate list remove help" -f -a "list" -d 'List the profiles whose keys are in a keystore (key ids only)'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and not __fish_seen_subcommand_from add import rotate list remove help" -f -a "remove" -d 'Delete a profile\'s keys from its keystore and its stsenv_keyring mark'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and not __fish_seen_subcommand_from add import rotate list remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from add" -l stdin -d 'Read the key id and the secret from two lines of stdin instead of the terminal'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from add" -l no-verify -d 'Store without checking the key with sts:GetCallerIdentity'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from import" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from rotate" -l token-code -d 'The six-digit MFA code, when the profile has mfa_serial (otherwise asked)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from rotate" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from list" -l json -d 'Print JSON'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from remove" -s y -l yes -d 'Do not ask for confirmation'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "add" -d 'Store an access key in the keystore (asked on the terminal) and mark the profile'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "import" -d 'Move a profile\'s keys from ~/.aws/credentials into the keystore'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "rotate" -d 'Replace the stored access key with a new one (iam:CreateAccessKey, iam:DeleteAccessKey)'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the profiles whose keys are in a keystore (key ids only)'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Delete a profile\'s keys from its keystore and its stsenv_keyring mark'
complete -c stsenv -n "__fish_stsenv_using_subcommand keys; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -s p -l profile -d 'The profile, as an option (for names that start with `-`)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l role-arn -d 'Assume this role (no profile needed; the source is --source-profile or PROFILE)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l source-profile -d 'Profile whose credentials assume --role-arn' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l mfa-serial -d 'MFA device ARN (or serial) to authenticate with' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l duration -d 'Session duration in seconds' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l session-name -d 'Role session name [default: role_session_name, then stsenv-$USER]' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l external-id -d 'External ID required by the role\'s trust policy' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l region -d 'Region for the STS call and AWS_REGION' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l federation -d 'Get federated-user credentials (sts:GetFederationToken) with this name' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l policy -d 'Session policy JSON file (AssumeRole / GetFederationToken)' -r -F
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l source-identity -d 'Source identity to set on the role session' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l session-tag -d 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l transitive-tag -d 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l token-code -d 'The six-digit MFA code (otherwise you are asked on the terminal)' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l port -d 'Port on 127.0.0.1 [default: a free one]' -r
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -s s -l shell -d 'Print the variables as code for this shell (or one JSON object) instead of NAME=value lines' -r -f -a "bash\t'bash code (`export NAME=\'value\'`)'
zsh\t'zsh code'
fish\t'fish code (`set -gx NAME \'value\'`)'
powershell\t'PowerShell code (`$env:NAME = \'value\'`)'
dotenv\t'a .env file (`NAME=\'value\'`)'
json\t'one JSON object of the variables (`{"NAME": "value"}`)'
env\t'the same as bash (the AWS CLI\'s name)'
env-no-export\t'`NAME=value` lines without `export` (quoted only where a shell needs it)'
windows-cmd\t'cmd.exe code (`set "NAME=value"`)'"
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -s o -l output -d 'Write the variables (they include the token) to FILE, mode 0600, instead of stdout; removed when serve stops' -r -F
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l no-cache -d 'Neither read nor write the session cache'
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l refresh -d 'Ignore a cached session for this profile and get a new one'
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -l non-interactive -d 'Never prompt; exit 3 when an MFA code or SSO login is needed'
complete -c stsenv -n "__fish_stsenv_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stsenv -n "__fish_stsenv_using_subcommand doctor" -l json -d 'Print JSON: {"ok": bool, "checks": [{section, name, status, detail, fix}]}'
complete -c stsenv -n "__fish_stsenv_using_subcommand doctor" -l offline -d 'Skip the clock check, the only one that uses the network (a GET to STS)'
complete -c stsenv -n "__fish_stsenv_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "env" -d 'Print shell code that exports credentials for a profile'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "exec" -d 'Run a command with a profile\'s credentials in its environment'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "whoami" -d 'Show who the credentials belong to (sts:GetCallerIdentity)'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "init" -d 'Print the shell plugin; eval it from your shell\'s rc file'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "unset" -d 'Print shell code that removes what `stsenv env` set'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "profiles" -d 'List the profiles in your AWS config, with their kind and cache state'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "status" -d 'Show the profile active in this shell and the time it has left'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "explain" -d 'Show how a profile\'s credentials are obtained, step by step, without calling AWS'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "cache" -d 'Inspect or clear cached sessions'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "credential-process" -d 'Print credentials as credential_process JSON (for `credential_process = stsenv credential-process NAME`)'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "login" -d 'Log in to IAM Identity Center (SSO), or to an `aws login` session'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "logout" -d 'Forget the SSO token, or the `aws login` session, of a profile or sso-session'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "sso" -d 'IAM Identity Center helpers'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "console" -d 'Open the AWS console signed in with a profile\'s credentials (federation endpoint)'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "eks-token" -d 'Print an EKS token for kubectl\'s exec credential plugin (like `aws eks get-token`)'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "completions" -d 'Print a static completion script'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "keys" -d 'Keep long-term keys in the OS keystore (or an encrypted file) instead of ~/.aws/credentials'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "serve" -d 'Serve a profile\'s credentials to SDKs on 127.0.0.1, renewed, until Ctrl-C'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "doctor" -d 'Check the files, every profile, the cache, SSO and login tokens, the clock'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and not __fish_seen_subcommand_from env exec whoami init unset profiles status explain cache credential-process login logout sso console eks-token completions keys serve doctor help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and __fish_seen_subcommand_from cache" -f -a "list" -d 'List cached sessions (no secrets)'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and __fish_seen_subcommand_from cache" -f -a "clear" -d 'Delete cached sessions: all of them, or those of one profile'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and __fish_seen_subcommand_from sso" -f -a "populate" -d 'Add a profile for every account and role you can reach through an sso-session'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "add" -d 'Store an access key in the keystore (asked on the terminal) and mark the profile'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "import" -d 'Move a profile\'s keys from ~/.aws/credentials into the keystore'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "rotate" -d 'Replace the stored access key with a new one (iam:CreateAccessKey, iam:DeleteAccessKey)'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "list" -d 'List the profiles whose keys are in a keystore (key ids only)'
complete -c stsenv -n "__fish_stsenv_using_subcommand help; and __fish_seen_subcommand_from keys" -f -a "remove" -d 'Delete a profile\'s keys from its keystore and its stsenv_keyring mark'
