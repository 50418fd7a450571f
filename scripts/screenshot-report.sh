#!/usr/bin/env bash
# Renders a run's report.html to a PNG with headless Chromium, to look at a report without a
# desktop browser (installs Debian's chromium when it is missing).
#
# usage: scripts/screenshot-report.sh RUN_DIR_OR_REPORT [OUT.png] [WIDTHxHEIGHT]
#   RUN_DIR_OR_REPORT  a run directory holding report.html, or an HTML file
#   OUT.png            default: report.png beside the report
#   WIDTHxHEIGHT       browser window, default 1280x4000 (the PNG is cut off below it)
set -euo pipefail

if [[ $# -lt 1 || $# -gt 3 ]]; then
    sed -n '5,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
fi
report="$1"
[[ -d "$report" ]] && report="$report/report.html"
if [[ ! -f "$report" ]]; then
    echo "screenshot-report: no report at $report" >&2
    exit 1
fi
report="$(cd "$(dirname "$report")" && pwd)/$(basename "$report")"
out="${2:-$(dirname "$report")/report.png}"
size="${3:-1280x4000}"

browser="$(command -v chromium || command -v chromium-browser || true)"
if [[ -z "$browser" ]]; then
    echo "screenshot-report: installing chromium" >&2
    sudo=""; [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
    $sudo apt-get update -qq && $sudo apt-get install -y -qq chromium >/dev/null
    browser="$(command -v chromium)"
fi

# A throwaway profile, so a desktop Chromium's own profile is neither locked nor changed.
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
    --screenshot="$out" --window-size="${size/x/,}" "file://$report" 2>/dev/null
echo "$out"
