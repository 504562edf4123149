#!/usr/bin/env bash
# Installs the packages of .ci/packages.txt that are not installed yet.
#   .ci/install-deps.sh          install what is missing (nothing to do: no apt)
#   .ci/install-deps.sh --all    apt-get update and install the whole list (CI)
# Uses sudo when not run as root.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
read -r -a packages <<<"$(sed -e 's/#.*//' "$here/packages.txt" | tr '\n' ' ')"

wanted=()
if [[ "${1:-}" == --all ]]; then
  wanted=("${packages[@]}")
else
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
        grep -q 'install ok installed'; then
      wanted+=("$p")
    fi
  done
  if [[ ${#wanted[@]} -eq 0 ]]; then
    echo "install-deps: all ${#packages[@]} packages are installed"
    exit 0
  fi
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if ! command -v sudo >/dev/null; then
    echo "install-deps: missing packages and not root (no sudo): ${wanted[*]}" >&2
    exit 1
  fi
  sudo=(sudo)
fi
echo "install-deps: installing ${wanted[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${wanted[@]}"
