
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'stsenv' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'stsenv'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'stsenv' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print shell code that exports credentials for a profile')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with a profile''s credentials in its environment')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the credentials belong to (sts:GetCallerIdentity)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Print the shell plugin; eval it from your shell''s rc file')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Print shell code that removes what `stsenv env` set')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List the profiles in your AWS config, with their kind and cache state')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the profile active in this shell and the time it has left')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Show how a profile''s credentials are obtained, step by step, without calling AWS')
            [CompletionResult]::new('cache', 'cache', [CompletionResultType]::ParameterValue, 'Inspect or clear cached sessions')
            [CompletionResult]::new('credential-process', 'credential-process', [CompletionResultType]::ParameterValue, 'Print credentials as credential_process JSON (for `credential_process = stsenv credential-process NAME`)')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to IAM Identity Center (SSO), or to an `aws login` session')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget the SSO token, or the `aws login` session, of a profile or sso-session')
            [CompletionResult]::new('sso', 'sso', [CompletionResultType]::ParameterValue, 'IAM Identity Center helpers')
            [CompletionResult]::new('console', 'console', [CompletionResultType]::ParameterValue, 'Open the AWS console signed in with a profile''s credentials (federation endpoint)')
            [CompletionResult]::new('eks-token', 'eks-token', [CompletionResultType]::ParameterValue, 'Print an EKS token for kubectl''s exec credential plugin (like `aws eks get-token`)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a static completion script')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Keep long-term keys in the OS keystore (or an encrypted file) instead of ~/.aws/credentials')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve a profile''s credentials to SDKs on 127.0.0.1, renewed, until Ctrl-C')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the files, every profile, the cache, SSO and login tokens, the clock')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stsenv;env' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'Assume this role (no profile needed; the source is --source-profile or PROFILE)')
            [CompletionResult]::new('--source-profile', '--source-profile', [CompletionResultType]::ParameterName, 'Profile whose credentials assume --role-arn')
            [CompletionResult]::new('--mfa-serial', '--mfa-serial', [CompletionResultType]::ParameterName, 'MFA device ARN (or serial) to authenticate with')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Session duration in seconds')
            [CompletionResult]::new('--session-name', '--session-name', [CompletionResultType]::ParameterName, 'Role session name [default: role_session_name, then stsenv-$USER]')
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'External ID required by the role''s trust policy')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region for the STS call and AWS_REGION')
            [CompletionResult]::new('--federation', '--federation', [CompletionResultType]::ParameterName, 'Get federated-user credentials (sts:GetFederationToken) with this name')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Session policy JSON file (AssumeRole / GetFederationToken)')
            [CompletionResult]::new('--source-identity', '--source-identity', [CompletionResultType]::ParameterName, 'Source identity to set on the role session')
            [CompletionResult]::new('--session-tag', '--session-tag', [CompletionResultType]::ParameterName, 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)')
            [CompletionResult]::new('--transitive-tag', '--transitive-tag', [CompletionResultType]::ParameterName, 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)')
            [CompletionResult]::new('--token-code', '--token-code', [CompletionResultType]::ParameterName, 'The six-digit MFA code (otherwise you are asked on the terminal)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Output format [default: from $SHELL, else bash]')
            [CompletionResult]::new('--shell', '--shell', [CompletionResultType]::ParameterName, 'Output format [default: from $SHELL, else bash]')
            [CompletionResult]::new('--write-credentials', '--write-credentials', [CompletionResultType]::ParameterName, 'Also write the credentials into [NAME] of ~/.aws/credentials, for tools that read only that file (the prompt hook rewrites it)')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither read nor write the session cache')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Ignore a cached session for this profile and get a new one')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt; exit 3 when an MFA code or SSO login is needed')
            [CompletionResult]::new('--renew', '--renew', [CompletionResultType]::ParameterName, 'Renew the session recorded in this shell (STSENV_PROFILE, STSENV_OPTIONS); implies --non-interactive; exits 4 when the keystore passphrase is needed')
            [CompletionResult]::new('--clipboard', '--clipboard', [CompletionResultType]::ParameterName, 'Copy a one-line export to the clipboard instead of printing it')
            [CompletionResult]::new('--pick', '--pick', [CompletionResultType]::ParameterName, 'Pick the profile in a fuzzy finder on the terminal (most recently used first)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stsenv;exec' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'Assume this role (no profile needed; the source is --source-profile or PROFILE)')
            [CompletionResult]::new('--source-profile', '--source-profile', [CompletionResultType]::ParameterName, 'Profile whose credentials assume --role-arn')
            [CompletionResult]::new('--mfa-serial', '--mfa-serial', [CompletionResultType]::ParameterName, 'MFA device ARN (or serial) to authenticate with')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Session duration in seconds')
            [CompletionResult]::new('--session-name', '--session-name', [CompletionResultType]::ParameterName, 'Role session name [default: role_session_name, then stsenv-$USER]')
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'External ID required by the role''s trust policy')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region for the STS call and AWS_REGION')
            [CompletionResult]::new('--federation', '--federation', [CompletionResultType]::ParameterName, 'Get federated-user credentials (sts:GetFederationToken) with this name')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Session policy JSON file (AssumeRole / GetFederationToken)')
            [CompletionResult]::new('--source-identity', '--source-identity', [CompletionResultType]::ParameterName, 'Source identity to set on the role session')
            [CompletionResult]::new('--session-tag', '--session-tag', [CompletionResultType]::ParameterName, 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)')
            [CompletionResult]::new('--transitive-tag', '--transitive-tag', [CompletionResultType]::ParameterName, 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)')
            [CompletionResult]::new('--token-code', '--token-code', [CompletionResultType]::ParameterName, 'The six-digit MFA code (otherwise you are asked on the terminal)')
            [CompletionResult]::new('--write-credentials', '--write-credentials', [CompletionResultType]::ParameterName, 'Also write the credentials into [NAME] of ~/.aws/credentials, for tools that read only that file')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither read nor write the session cache')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Ignore a cached session for this profile and get a new one')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt; exit 3 when an MFA code or SSO login is needed')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Run even inside another `stsenv exec`')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Give CMD a local credential server that renews, instead of fixed keys (for commands that outlive a session)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;whoami' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'Assume this role (no profile needed; the source is --source-profile or PROFILE)')
            [CompletionResult]::new('--source-profile', '--source-profile', [CompletionResultType]::ParameterName, 'Profile whose credentials assume --role-arn')
            [CompletionResult]::new('--mfa-serial', '--mfa-serial', [CompletionResultType]::ParameterName, 'MFA device ARN (or serial) to authenticate with')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Session duration in seconds')
            [CompletionResult]::new('--session-name', '--session-name', [CompletionResultType]::ParameterName, 'Role session name [default: role_session_name, then stsenv-$USER]')
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'External ID required by the role''s trust policy')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region for the STS call and AWS_REGION')
            [CompletionResult]::new('--federation', '--federation', [CompletionResultType]::ParameterName, 'Get federated-user credentials (sts:GetFederationToken) with this name')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Session policy JSON file (AssumeRole / GetFederationToken)')
            [CompletionResult]::new('--source-identity', '--source-identity', [CompletionResultType]::ParameterName, 'Source identity to set on the role session')
            [CompletionResult]::new('--session-tag', '--session-tag', [CompletionResultType]::ParameterName, 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)')
            [CompletionResult]::new('--transitive-tag', '--transitive-tag', [CompletionResultType]::ParameterName, 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)')
            [CompletionResult]::new('--token-code', '--token-code', [CompletionResultType]::ParameterName, 'The six-digit MFA code (otherwise you are asked on the terminal)')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither read nor write the session cache')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Ignore a cached session for this profile and get a new one')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt; exit 3 when an MFA code or SSO login is needed')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;init' {
            [CompletionResult]::new('--no-aliases', '--no-aliases', [CompletionResultType]::ParameterName, 'Do not define `<profile>_assume` functions or the `assume` shorthand')
            [CompletionResult]::new('--no-hook', '--no-hook', [CompletionResultType]::ParameterName, 'Do not install the prompt hook that renews credentials')
            [CompletionResult]::new('--functions-file', '--functions-file', [CompletionResultType]::ParameterName, 'Print the path of the file (or directory) in the cache directory that holds the `<profile>_assume` functions, writing it first if needed (the bash plugin asks for it when a function is first needed after the config changed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stsenv;unset' {
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Output format [default: from $SHELL, else bash]')
            [CompletionResult]::new('--shell', '--shell', [CompletionResultType]::ParameterName, 'Output format [default: from $SHELL, else bash]')
            [CompletionResult]::new('--write-credentials', '--write-credentials', [CompletionResultType]::ParameterName, 'Also remove [NAME], written by `--write-credentials NAME`, from ~/.aws/credentials')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stsenv;profiles' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('--names', '--names', [CompletionResultType]::ParameterName, 'Print names only, one per line (for completion scripts)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;status' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stsenv;explain' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'Assume this role (no profile needed; the source is --source-profile or PROFILE)')
            [CompletionResult]::new('--source-profile', '--source-profile', [CompletionResultType]::ParameterName, 'Profile whose credentials assume --role-arn')
            [CompletionResult]::new('--mfa-serial', '--mfa-serial', [CompletionResultType]::ParameterName, 'MFA device ARN (or serial) to authenticate with')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Session duration in seconds')
            [CompletionResult]::new('--session-name', '--session-name', [CompletionResultType]::ParameterName, 'Role session name [default: role_session_name, then stsenv-$USER]')
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'External ID required by the role''s trust policy')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region for the STS call and AWS_REGION')
            [CompletionResult]::new('--federation', '--federation', [CompletionResultType]::ParameterName, 'Get federated-user credentials (sts:GetFederationToken) with this name')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Session policy JSON file (AssumeRole / GetFederationToken)')
            [CompletionResult]::new('--source-identity', '--source-identity', [CompletionResultType]::ParameterName, 'Source identity to set on the role session')
            [CompletionResult]::new('--session-tag', '--session-tag', [CompletionResultType]::ParameterName, 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)')
            [CompletionResult]::new('--transitive-tag', '--transitive-tag', [CompletionResultType]::ParameterName, 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)')
            [CompletionResult]::new('--token-code', '--token-code', [CompletionResultType]::ParameterName, 'The six-digit MFA code (otherwise you are asked on the terminal)')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither read nor write the session cache')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Ignore a cached session for this profile and get a new one')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt; exit 3 when an MFA code or SSO login is needed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;cache' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List cached sessions (no secrets)')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Delete cached sessions: all of them, or those of one profile')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stsenv;cache;list' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;cache;clear' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;cache;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List cached sessions (no secrets)')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Delete cached sessions: all of them, or those of one profile')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stsenv;cache;help;list' {
            break
        }
        'stsenv;cache;help;clear' {
            break
        }
        'stsenv;cache;help;help' {
            break
        }
        'stsenv;credential-process' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'Assume this role (no profile needed; the source is --source-profile or PROFILE)')
            [CompletionResult]::new('--source-profile', '--source-profile', [CompletionResultType]::ParameterName, 'Profile whose credentials assume --role-arn')
            [CompletionResult]::new('--mfa-serial', '--mfa-serial', [CompletionResultType]::ParameterName, 'MFA device ARN (or serial) to authenticate with')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Session duration in seconds')
            [CompletionResult]::new('--session-name', '--session-name', [CompletionResultType]::ParameterName, 'Role session name [default: role_session_name, then stsenv-$USER]')
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'External ID required by the role''s trust policy')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region for the STS call and AWS_REGION')
            [CompletionResult]::new('--federation', '--federation', [CompletionResultType]::ParameterName, 'Get federated-user credentials (sts:GetFederationToken) with this name')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Session policy JSON file (AssumeRole / GetFederationToken)')
            [CompletionResult]::new('--source-identity', '--source-identity', [CompletionResultType]::ParameterName, 'Source identity to set on the role session')
            [CompletionResult]::new('--session-tag', '--session-tag', [CompletionResultType]::ParameterName, 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)')
            [CompletionResult]::new('--transitive-tag', '--transitive-tag', [CompletionResultType]::ParameterName, 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)')
            [CompletionResult]::new('--token-code', '--token-code', [CompletionResultType]::ParameterName, 'The six-digit MFA code (otherwise you are asked on the terminal)')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither read nor write the session cache')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Ignore a cached session for this profile and get a new one')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt; exit 3 when an MFA code or SSO login is needed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;login' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--sso-session', '--sso-session', [CompletionResultType]::ParameterName, 'An `[sso-session NAME]` section instead of a profile')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Do not open a browser; only print the URL and code')
            [CompletionResult]::new('--remote', '--remote', [CompletionResultType]::ParameterName, '`aws login` profiles: sign in on another device and paste the code it shows')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;logout' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--sso-session', '--sso-session', [CompletionResultType]::ParameterName, 'An `[sso-session NAME]` section instead of a profile')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;sso' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('populate', 'populate', [CompletionResultType]::ParameterValue, 'Add a profile for every account and role you can reach through an sso-session')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stsenv;sso;populate' {
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the lines that would be added without writing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;sso;help' {
            [CompletionResult]::new('populate', 'populate', [CompletionResultType]::ParameterValue, 'Add a profile for every account and role you can reach through an sso-session')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stsenv;sso;help;populate' {
            break
        }
        'stsenv;sso;help;help' {
            break
        }
        'stsenv;console' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'Assume this role (no profile needed; the source is --source-profile or PROFILE)')
            [CompletionResult]::new('--source-profile', '--source-profile', [CompletionResultType]::ParameterName, 'Profile whose credentials assume --role-arn')
            [CompletionResult]::new('--mfa-serial', '--mfa-serial', [CompletionResultType]::ParameterName, 'MFA device ARN (or serial) to authenticate with')
            [CompletionResult]::new('--session-name', '--session-name', [CompletionResultType]::ParameterName, 'Role session name [default: role_session_name, then stsenv-$USER]')
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'External ID required by the role''s trust policy')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region for the STS call and AWS_REGION')
            [CompletionResult]::new('--federation', '--federation', [CompletionResultType]::ParameterName, 'Get federated-user credentials (sts:GetFederationToken) with this name')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Session policy JSON file (AssumeRole / GetFederationToken)')
            [CompletionResult]::new('--source-identity', '--source-identity', [CompletionResultType]::ParameterName, 'Source identity to set on the role session')
            [CompletionResult]::new('--session-tag', '--session-tag', [CompletionResultType]::ParameterName, 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)')
            [CompletionResult]::new('--transitive-tag', '--transitive-tag', [CompletionResultType]::ParameterName, 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)')
            [CompletionResult]::new('--token-code', '--token-code', [CompletionResultType]::ParameterName, 'The six-digit MFA code (otherwise you are asked on the terminal)')
            [CompletionResult]::new('--destination', '--destination', [CompletionResultType]::ParameterName, 'The console page to open: an https:// URL, or a service name such as s3 or ec2 [default: the console home]')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Console session length, 900–43200 s [default: what the credentials have left]')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither read nor write the session cache')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Ignore a cached session for this profile and get a new one')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt; exit 3 when an MFA code or SSO login is needed')
            [CompletionResult]::new('--print', '--print', [CompletionResultType]::ParameterName, 'Print the sign-in URL instead of opening a browser (anyone with it is signed in for 15 minutes)')
            [CompletionResult]::new('--clipboard', '--clipboard', [CompletionResultType]::ParameterName, 'Copy the sign-in URL to the clipboard instead of opening a browser')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;eks-token' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'Assume this role (no profile needed; the source is --source-profile or PROFILE)')
            [CompletionResult]::new('--source-profile', '--source-profile', [CompletionResultType]::ParameterName, 'Profile whose credentials assume --role-arn')
            [CompletionResult]::new('--mfa-serial', '--mfa-serial', [CompletionResultType]::ParameterName, 'MFA device ARN (or serial) to authenticate with')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Session duration in seconds')
            [CompletionResult]::new('--session-name', '--session-name', [CompletionResultType]::ParameterName, 'Role session name [default: role_session_name, then stsenv-$USER]')
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'External ID required by the role''s trust policy')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region for the STS call and AWS_REGION')
            [CompletionResult]::new('--federation', '--federation', [CompletionResultType]::ParameterName, 'Get federated-user credentials (sts:GetFederationToken) with this name')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Session policy JSON file (AssumeRole / GetFederationToken)')
            [CompletionResult]::new('--source-identity', '--source-identity', [CompletionResultType]::ParameterName, 'Source identity to set on the role session')
            [CompletionResult]::new('--session-tag', '--session-tag', [CompletionResultType]::ParameterName, 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)')
            [CompletionResult]::new('--transitive-tag', '--transitive-tag', [CompletionResultType]::ParameterName, 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)')
            [CompletionResult]::new('--token-code', '--token-code', [CompletionResultType]::ParameterName, 'The six-digit MFA code (otherwise you are asked on the terminal)')
            [CompletionResult]::new('--cluster-name', '--cluster-name', [CompletionResultType]::ParameterName, 'The EKS cluster''s name')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither read nor write the session cache')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Ignore a cached session for this profile and get a new one')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt; exit 3 when an MFA code or SSO login is needed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stsenv;keys' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Store an access key in the keystore (asked on the terminal) and mark the profile')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Move a profile''s keys from ~/.aws/credentials into the keystore')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Replace the stored access key with a new one (iam:CreateAccessKey, iam:DeleteAccessKey)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles whose keys are in a keystore (key ids only)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile''s keys from its keystore and its stsenv_keyring mark')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stsenv;keys;add' {
            [CompletionResult]::new('--stdin', '--stdin', [CompletionResultType]::ParameterName, 'Read the key id and the secret from two lines of stdin instead of the terminal')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Store without checking the key with sts:GetCallerIdentity')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;keys;import' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;keys;rotate' {
            [CompletionResult]::new('--token-code', '--token-code', [CompletionResultType]::ParameterName, 'The six-digit MFA code, when the profile has mfa_serial (otherwise asked)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;keys;list' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;keys;remove' {
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'stsenv;keys;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Store an access key in the keystore (asked on the terminal) and mark the profile')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Move a profile''s keys from ~/.aws/credentials into the keystore')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Replace the stored access key with a new one (iam:CreateAccessKey, iam:DeleteAccessKey)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles whose keys are in a keystore (key ids only)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile''s keys from its keystore and its stsenv_keyring mark')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stsenv;keys;help;add' {
            break
        }
        'stsenv;keys;help;import' {
            break
        }
        'stsenv;keys;help;rotate' {
            break
        }
        'stsenv;keys;help;list' {
            break
        }
        'stsenv;keys;help;remove' {
            break
        }
        'stsenv;keys;help;help' {
            break
        }
        'stsenv;serve' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'The profile, as an option (for names that start with `-`)')
            [CompletionResult]::new('--role-arn', '--role-arn', [CompletionResultType]::ParameterName, 'Assume this role (no profile needed; the source is --source-profile or PROFILE)')
            [CompletionResult]::new('--source-profile', '--source-profile', [CompletionResultType]::ParameterName, 'Profile whose credentials assume --role-arn')
            [CompletionResult]::new('--mfa-serial', '--mfa-serial', [CompletionResultType]::ParameterName, 'MFA device ARN (or serial) to authenticate with')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Session duration in seconds')
            [CompletionResult]::new('--session-name', '--session-name', [CompletionResultType]::ParameterName, 'Role session name [default: role_session_name, then stsenv-$USER]')
            [CompletionResult]::new('--external-id', '--external-id', [CompletionResultType]::ParameterName, 'External ID required by the role''s trust policy')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region for the STS call and AWS_REGION')
            [CompletionResult]::new('--federation', '--federation', [CompletionResultType]::ParameterName, 'Get federated-user credentials (sts:GetFederationToken) with this name')
            [CompletionResult]::new('--policy', '--policy', [CompletionResultType]::ParameterName, 'Session policy JSON file (AssumeRole / GetFederationToken)')
            [CompletionResult]::new('--source-identity', '--source-identity', [CompletionResultType]::ParameterName, 'Source identity to set on the role session')
            [CompletionResult]::new('--session-tag', '--session-tag', [CompletionResultType]::ParameterName, 'Session tag KEY=VALUE for the role session or federated user (repeatable; adds to session_tags and AWS_SESSION_TAGS)')
            [CompletionResult]::new('--transitive-tag', '--transitive-tag', [CompletionResultType]::ParameterName, 'Make session tag KEY transitive in a role chain (repeatable; adds to transitive_session_tags and AWS_TRANSITIVE_TAGS)')
            [CompletionResult]::new('--token-code', '--token-code', [CompletionResultType]::ParameterName, 'The six-digit MFA code (otherwise you are asked on the terminal)')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port on 127.0.0.1 [default: a free one]')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Print the variables as code for this shell (or one JSON object) instead of NAME=value lines')
            [CompletionResult]::new('--shell', '--shell', [CompletionResultType]::ParameterName, 'Print the variables as code for this shell (or one JSON object) instead of NAME=value lines')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the variables (they include the token) to FILE, mode 0600, instead of stdout; removed when serve stops')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the variables (they include the token) to FILE, mode 0600, instead of stdout; removed when serve stops')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither read nor write the session cache')
            [CompletionResult]::new('--refresh', '--refresh', [CompletionResultType]::ParameterName, 'Ignore a cached session for this profile and get a new one')
            [CompletionResult]::new('--non-interactive', '--non-interactive', [CompletionResultType]::ParameterName, 'Never prompt; exit 3 when an MFA code or SSO login is needed')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stsenv;doctor' {
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print JSON: {"ok": bool, "checks": [{section, name, status, detail, fix}]}')
            [CompletionResult]::new('--offline', '--offline', [CompletionResultType]::ParameterName, 'Skip the clock check, the only one that uses the network (a GET to STS)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'stsenv;help' {
            [CompletionResult]::new('env', 'env', [CompletionResultType]::ParameterValue, 'Print shell code that exports credentials for a profile')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with a profile''s credentials in its environment')
            [CompletionResult]::new('whoami', 'whoami', [CompletionResultType]::ParameterValue, 'Show who the credentials belong to (sts:GetCallerIdentity)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Print the shell plugin; eval it from your shell''s rc file')
            [CompletionResult]::new('unset', 'unset', [CompletionResultType]::ParameterValue, 'Print shell code that removes what `stsenv env` set')
            [CompletionResult]::new('profiles', 'profiles', [CompletionResultType]::ParameterValue, 'List the profiles in your AWS config, with their kind and cache state')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the profile active in this shell and the time it has left')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Show how a profile''s credentials are obtained, step by step, without calling AWS')
            [CompletionResult]::new('cache', 'cache', [CompletionResultType]::ParameterValue, 'Inspect or clear cached sessions')
            [CompletionResult]::new('credential-process', 'credential-process', [CompletionResultType]::ParameterValue, 'Print credentials as credential_process JSON (for `credential_process = stsenv credential-process NAME`)')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in to IAM Identity Center (SSO), or to an `aws login` session')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Forget the SSO token, or the `aws login` session, of a profile or sso-session')
            [CompletionResult]::new('sso', 'sso', [CompletionResultType]::ParameterValue, 'IAM Identity Center helpers')
            [CompletionResult]::new('console', 'console', [CompletionResultType]::ParameterValue, 'Open the AWS console signed in with a profile''s credentials (federation endpoint)')
            [CompletionResult]::new('eks-token', 'eks-token', [CompletionResultType]::ParameterValue, 'Print an EKS token for kubectl''s exec credential plugin (like `aws eks get-token`)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a static completion script')
            [CompletionResult]::new('keys', 'keys', [CompletionResultType]::ParameterValue, 'Keep long-term keys in the OS keystore (or an encrypted file) instead of ~/.aws/credentials')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Serve a profile''s credentials to SDKs on 127.0.0.1, renewed, until Ctrl-C')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the files, every profile, the cache, SSO and login tokens, the clock')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'stsenv;help;env' {
            break
        }
        'stsenv;help;exec' {
            break
        }
        'stsenv;help;whoami' {
            break
        }
        'stsenv;help;init' {
            break
        }
        'stsenv;help;unset' {
            break
        }
        'stsenv;help;profiles' {
            break
        }
        'stsenv;help;status' {
            break
        }
        'stsenv;help;explain' {
            break
        }
        'stsenv;help;cache' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List cached sessions (no secrets)')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Delete cached sessions: all of them, or those of one profile')
            break
        }
        'stsenv;help;cache;list' {
            break
        }
        'stsenv;help;cache;clear' {
            break
        }
        'stsenv;help;credential-process' {
            break
        }
        'stsenv;help;login' {
            break
        }
        'stsenv;help;logout' {
            break
        }
        'stsenv;help;sso' {
            [CompletionResult]::new('populate', 'populate', [CompletionResultType]::ParameterValue, 'Add a profile for every account and role you can reach through an sso-session')
            break
        }
        'stsenv;help;sso;populate' {
            break
        }
        'stsenv;help;console' {
            break
        }
        'stsenv;help;eks-token' {
            break
        }
        'stsenv;help;completions' {
            break
        }
        'stsenv;help;keys' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Store an access key in the keystore (asked on the terminal) and mark the profile')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Move a profile''s keys from ~/.aws/credentials into the keystore')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Replace the stored access key with a new one (iam:CreateAccessKey, iam:DeleteAccessKey)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles whose keys are in a keystore (key ids only)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile''s keys from its keystore and its stsenv_keyring mark')
            break
        }
        'stsenv;help;keys;add' {
            break
        }
        'stsenv;help;keys;import' {
            break
        }
        'stsenv;help;keys;rotate' {
            break
        }
        'stsenv;help;keys;list' {
            break
        }
        'stsenv;help;keys;remove' {
            break
        }
        'stsenv;help;serve' {
            break
        }
        'stsenv;help;doctor' {
            break
        }
        'stsenv;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
