# Shared by the scripts: numbered steps that say what they do, skip what is
# already there, and name the step that failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
STEP_NAME=""

step() { # step N TOTAL "what"
  STEP_NAME="$3"
  printf '\n==> [%s/%s] %s\n' "$1" "$2" "$3"
}
info() { printf '    %s\n' "$*"; }
skip() { printf '    skip: %s\n' "$*"; }
die() {
  printf '\nerror: %s\n' "$*" >&2
  exit 1
}
on_error() {
  local code=$?
  printf '\nerror: step "%s" failed (exit %s). The output above says why; fix it and run the command again.\n' \
    "${STEP_NAME:-unknown}" "$code" >&2
  exit "$code"
}
trap on_error ERR

# version_ge A B: true when dotted version A >= B.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
