#!/usr/bin/env python3
"""botocore's side of stsenv's differential test (tests/e2e/differential.rs).

Reads one JSON request on stdin and prints one JSON answer on stdout. The
environment (HOME, AWS_CONFIG_FILE, AWS_ENDPOINT_URL pointing at moto, ...)
is the test case's (the process's, or the request's ``"env"``); this script
adds nothing to it.

Usage: ``botocore_case.py < request.json``, or ``botocore_case.py --serve``
to answer one request per line (each may carry ``"env"``, the complete
environment to resolve in; the test uses one such process per worker thread
so that botocore is imported once, not once per row).

Operations:

* ``{"op": "users", "names": [...]}``: create one moto IAM user per name
  with an access key, through moto's IAM API; answers
  ``{"NAME": {"id": ..., "secret": ...}, ...}``. moto's GetCallerIdentity
  returns the user's ARN for keys it issued, so each profile's keys can be
  told apart by the identity that signs a call.

* ``{"op": "resolve", "profile": NAME|null, "region_override": R|null,
  "mfa_code": C|null, "sso_tokens": [...]}``: resolve credentials the way
  the AWS CLI v1 and boto3 do (a botocore session, named profile or the
  environment's) and call sts:GetCallerIdentity with them. Answers
  ``{"ok": true, "arn": ..., "region": ..., "expires": EPOCH|null}`` or
  ``{"ok": false, "error": CLASS, "message": ..., "region": ...}``.
  ``region`` is the region botocore picked for the session (null when
  there is none). Errors of any kind are answers, not crashes.

What this script changes in botocore, and why:

* With no region anywhere botocore cannot sign STS calls (NoRegionError,
  the AWS CLI asks for ``--region``); stsenv then uses us-east-1 for STS.
  To compare everything else, the session gets us-east-1 in that case,
  as ``aws --region us-east-1`` would, after the picked region is noted.
* ``region_override`` is what ``aws --region R`` does.
* ``mfa_code`` answers botocore's MFA prompt (it reads /dev/tty otherwise).
* The container provider sleeps 1 s between its 3 attempts; the sleep is
  set to 0 so failing rows stay fast, and its 2 s timeout becomes 10 s so a
  loaded machine does not fail a row (the test sets
  AWS_METADATA_SERVICE_TIMEOUT for IMDS likewise). The attempts are kept.
* ``sso_tokens`` are written to ``~/.aws/sso/cache/<sha1>.json`` (the AWS
  CLI's token cache, which botocore and stsenv both read) before resolving.
"""

import datetime
import hashlib
import json
import os
import sys


def create_users(names):
    import botocore.session

    session = botocore.session.Session()
    iam = session.create_client(
        "iam",
        region_name="us-east-1",
        aws_access_key_id="AKIASETUPSETUPSETUP0",
        aws_secret_access_key="setup",
    )
    out = {}
    for name in names:
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        out[name] = {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}
    return out


def write_sso_tokens(tokens):
    cache = os.path.join(os.path.expanduser("~"), ".aws", "sso", "cache")
    os.makedirs(cache, exist_ok=True)
    for token in tokens:
        name = hashlib.sha1(token["key"].encode("utf-8")).hexdigest() + ".json"
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(
            seconds=token["expires_in"]
        )
        body = {
            "startUrl": token["start_url"],
            "region": token["region"],
            "accessToken": token["token"],
            "expiresAt": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        with open(os.path.join(cache, name), "w") as f:
            json.dump(body, f)


def resolve(request):
    import botocore.session
    import botocore.utils

    botocore.utils.ContainerMetadataFetcher.SLEEP_TIME = 0
    botocore.utils.ContainerMetadataFetcher.TIMEOUT_SECONDS = 10
    write_sso_tokens(request.get("sso_tokens") or [])
    answer = {"ok": False, "region": None}
    try:
        session = botocore.session.Session(profile=request.get("profile"))
        if request.get("region_override"):
            session.set_config_variable("region", request["region_override"])
        answer["region"] = session.get_config_variable("region")
        if answer["region"] is None:
            session.set_config_variable("region", "us-east-1")
        if request.get("mfa_code"):
            code = request["mfa_code"]
            resolver = session.get_component("credential_provider")
            provider = resolver.get_provider("assume-role")
            provider._prompter = lambda *args, **kwargs: code
        credentials = session.get_credentials()
        if credentials is None:
            answer.update(error="NoCredentialsError", message="Unable to locate credentials")
            return answer
        credentials.get_frozen_credentials()
        identity = session.create_client("sts").get_caller_identity()
        expiry = getattr(credentials, "_expiry_time", None)
        answer.update(
            ok=True,
            arn=identity["Arn"],
            expires=int(expiry.timestamp()) if expiry is not None else None,
        )
    except Exception as e:  # every failure is an answer to compare
        answer.update(error=type(e).__name__, message=str(e)[:600])
    return answer


def use_environment(env):
    """Make ``env`` the whole environment, as if the process started with it.

    botocore reads the environment when it is asked, except for the SSO
    token cache directories, which are class attributes computed at import.
    """
    import botocore.credentials
    import botocore.tokens

    os.environ.clear()
    os.environ.update(env)
    cache = os.path.expanduser(os.path.join("~", ".aws", "sso", "cache"))
    botocore.credentials.SSOProvider._SSO_TOKEN_CACHE_DIR = cache
    botocore.tokens.SSOTokenProvider._SSO_TOKEN_CACHE_DIR = cache


def answer(request):
    if "env" in request:
        use_environment(request["env"])
    op = request.get("op")
    if op == "users":
        return create_users(request["names"])
    if op == "resolve":
        return resolve(request)
    raise SystemExit(f"unknown op {op!r}")


def main():
    if sys.argv[1:] == ["--serve"]:
        # One request per line, one answer per line: the test keeps one
        # process per worker thread, so botocore is imported once.
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(answer(json.loads(line))), flush=True)
        return 0
    print(json.dumps(answer(json.load(sys.stdin))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
