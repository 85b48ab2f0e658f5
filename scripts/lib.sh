# Shared helpers of the project's scripts (sourced, not run).

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    echo "$(basename "$0"): need root (or sudo) to run: $*" >&2; exit 1
  fi
}

# Installs Debian packages quietly, updating the package lists first.
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$(basename "$0"): apt-get is unavailable; install these packages by other means: $*" >&2
    exit 1
  fi
  echo "$(basename "$0"): installing $* with apt-get…" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
