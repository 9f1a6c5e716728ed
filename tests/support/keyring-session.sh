#!/bin/sh
# keyring-session.sh CMD [ARGS...]
#
# Run CMD inside a private D-Bus session bus (dbus-run-session) with an
# unlocked gnome-keyring Secret Service, for the keystore tests. The bus
# dies with CMD, and the daemon with the bus. The keyrings live under
# $HOME/.local/share/keyrings: the tests set HOME to their sandbox, so the
# user's own keystore is never touched, and a later call with the same HOME
# finds what an earlier one stored. The keyring password is a fixed test
# value.
#
# gnome-keyring-daemon --unlock returns before the daemon owns
# org.freedesktop.secrets; CMD starts only once it does, so that D-Bus
# activation never starts a second daemon.
set -eu
own_home=$(getent passwd "$(id -u)" | cut -d: -f6 || true)
case "${HOME:-/}" in
/ | "$own_home")
  echo "keyring-session.sh: HOME must be a test sandbox, not ${HOME:-unset}" >&2
  exit 97
  ;;
esac
# shellcheck disable=SC2016 # expanded by the inner shell
exec dbus-run-session -- sh -c '
  printf %s stsenv-test-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || {
    echo "keyring-session.sh: gnome-keyring-daemon --unlock failed" >&2
    exit 97
  }
  tries=0
  until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do
    tries=$((tries + 1))
    if [ "$tries" -ge 200 ]; then
      echo "keyring-session.sh: no Secret Service on the bus after 10 s" >&2
      exit 97
    fi
    sleep 0.05
  done
  exec "$@"
' keyring-session.sh "$@"
