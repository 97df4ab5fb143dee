#!/usr/bin/env bash
# Runs a command in a new network namespace (`unshare -n`): no interfaces but loopback, which
# stays down unless --loopback is given. The privacy proof: a suite that passes in here needs no
# network. The command sees SOVEREIGN_NETNS=isolated, and test/privacy/networkIsolation.ts
# asserts from inside the suite that it really is isolated, so the proof cannot pass vacuously.
#
#   bash test/harness/offline.sh [--loopback] <command> [args…]
#
# Where a namespace cannot be made (no privilege, no `ip` to bring loopback up), the command runs
# with the network, SOVEREIGN_NETNS=unavailable, after a loud line saying the proof did not run:
# CI stays green on such a machine but its log says what was not proven. An already-set
# SOVEREIGN_NETNS (e.g. SOVEREIGN_NETNS=off to debug with the network) is left alone.
set -euo pipefail

loopback=0
if [ "${1:-}" = "--loopback" ]; then
  loopback=1
  shift
fi
if [ $# -eq 0 ]; then
  echo "usage: $0 [--loopback] <command> [args…]" >&2
  exit 2
fi
if [ -n "${SOVEREIGN_NETNS:-}" ]; then
  exec "$@"
fi

# Inside the namespace: loopback up if asked, then the command itself.
inner='if [ "$0" = 1 ]; then ip link set lo up || { echo "offline.sh: cannot bring loopback up" >&2; exit 1; }; fi; exec "$@"'
reason=''
if ! command -v unshare >/dev/null; then
  reason='unshare (util-linux) is not installed'
elif [ "$loopback" = 1 ] && ! command -v ip >/dev/null; then
  reason='ip (iproute2) is not installed to bring loopback up'
else
  # Root: a plain network namespace. Otherwise a user namespace maps us to root inside it.
  for flags in -n -rn; do
    if unshare "$flags" true 2>/dev/null; then
      export SOVEREIGN_NETNS=isolated
      exec unshare "$flags" -- bash -c "$inner" "$loopback" "$@"
    fi
  done
  reason='unshare -n is not permitted here'
fi

echo "!!! PRIVACY PROOF DID NOT RUN: $reason; running WITH the network: $* !!!" >&2
export SOVEREIGN_NETNS=unavailable
exec "$@"
