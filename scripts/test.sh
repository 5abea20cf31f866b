#!/usr/bin/env bash
# The test command (`npm test`): installs what the integration tests need that npm cannot
# (OpenSSH's sshd, on Debian), builds, runs every test, and closes with one plain line
# "N passed, N failed, N skipped". Extra arguments go to vitest (e.g. a test file).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests need: sshd for the SSH tests, openssl for test certificates,
# DejaVu fonts so chart PNGs have their labels, Prometheus (and promtool) for /metrics and
# remote write, Chromium for the web pages, the Nagios plugins for checks.
missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v openssl >/dev/null || missing+=(openssl)
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
[ -x /usr/bin/prometheus ] && [ -x /usr/bin/promtool ] || missing+=(prometheus)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/lib/nagios/plugins/check_dummy ] || missing+=(monitoring-plugins-basic)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test: installing ${missing[*]} (the integration tests start their own sshd, SMTP server, Prometheus and Chromium on 127.0.0.1)"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # policy-rc.d 101: let the packages install without starting a system sshd or Prometheus.
  echo 'exit 101' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null && $SUDO chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  $SUDO rm -f /usr/sbin/policy-rc.d
fi

# Tests against sshd must run here, never skip quietly.
export METRIX_REQUIRE_SSHD=1
npm run --silent build
results=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || true
rm -f "$results"
exit $status
