#!/usr/bin/env bash
# Amanda 3.5.1: Filter::Crc linked by PULL_BUFFER_STATIC never sends XMSG_CRC.
# pull_buffer_static_impl (xfer-src/filter-crc.c:126) tests `if (size)` (the
# pointer, always true) where it means `if (*size)`, so the branch that queues
# the CRC message at EOF never runs. Filter::Crc is the only element here that
# would report a CRC (Dest::Buffer's glue sends none), so none arrives.
# Exit 0 when the defect reproduces (no CRC message), 1 otherwise.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
log=$(printf 'random 10239 7\ncrc\nbuffer %s\n' "$out" |
  PERL5LIB=/usr/lib/x86_64-linux-gnu/amanda/perl timeout -s KILL 30 perl "$here/xfer-probe.pl")
echo "$log"
if echo "$log" | grep -q '^MSG CRC'; then
  echo "not reproduced: a CRC message arrived"; exit 1
fi
echo "$log" | grep -q 'PULL_BUFFER_STATIC)-> <XferFilterCrc' || { echo "not reproduced: other linkage"; exit 1; }
echo "reproduced: Filter::Crc fed by PULL_BUFFER_STATIC sent no XMSG_CRC"
