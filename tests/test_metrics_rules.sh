#!/bin/sh
# The alerting rules of contrib/fdshmem-alerts.yml: valid for promtool,
# and each alert fires on its failure and not on a healthy machine
# (tests/metrics_alerts_test.yml).  Skips without promtool (Debian:
# prometheus).
: "${top_srcdir:?}"
command -v promtool >/dev/null || { echo "SKIP: needs promtool (Debian: prometheus)"; exit 77; }
status=0
promtool check rules "$top_srcdir/contrib/fdshmem-alerts.yml" || status=1
promtool test rules "$top_srcdir/tests/metrics_alerts_test.yml" || status=1
exit "$status"
