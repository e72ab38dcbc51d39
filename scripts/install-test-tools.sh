#!/usr/bin/env bash
# Installs the outside programs the tests run, from Debian's packages, where they are missing:
#   prometheus       prometheus and promtool (AlertRulesTest, PrometheusIT: docs/monitoring.md)
#   chromium         headless browser of the console's browser test
#   chromium-driver  chromedriver, through which Selenium drives it
#   fonts-liberation fonts for the pages it renders (the README's screenshot)
# Idempotent and quiet: with everything present it only asks dpkg (well under a second). It runs
# apt-get update only when an install fails (a stale package list), then tries once more. Services
# the packages bring are not wanted: recommended packages are left out (prometheus-node-exporter).
# Needs root (or sudo without a password). CI's .ci/run calls it before `mvn -B verify`; without
# these programs the tests that need them skip, saying so (under CI=true they fail instead).
set -euo pipefail

packages=(prometheus chromium chromium-driver fonts-liberation)
missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} > 0)) || exit 0

sudo=()
if [[ $(id -u) != 0 ]]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    echo "install-test-tools: root is needed to install ${missing[*]} (apt-get install);" \
      "without them their tests skip" >&2
    exit 1
  fi
fi

log=$(mktemp /tmp/install-test-tools-XXXXXX.log)
trap 'rm -f "$log"' EXIT
install() {
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >>"$log" 2>&1
}
if ! install; then
  "${sudo[@]}" apt-get update -qq >>"$log" 2>&1 || true
  if ! install; then
    echo "install-test-tools: apt-get install ${missing[*]} failed:" >&2
    tail -n 20 "$log" >&2
    exit 1
  fi
fi
echo "install-test-tools: installed ${missing[*]}"
