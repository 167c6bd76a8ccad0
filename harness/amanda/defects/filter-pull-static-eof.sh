#!/usr/bin/env bash
# Amanda 3.5.1: Filter::Xor (and Filter::Crc) linked by PULL_BUFFER_STATIC never
# pass EOF on. pull_buffer_static_impl (xfer-src/filter-xor.c:132-135) returns
# the caller's buffer with *size == 0 instead of NULL, so the glue thread that
# pulls from it (pull_static_and_write) loops on empty buffers for ever.
# Exit 0 when the defect reproduces (Amanda still busy after 10 s), 1 otherwise.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
printf 'random 32768 5\nxor 99\nfddest %s\n' "$out" |
  PERL5LIB=/usr/lib/x86_64-linux-gnu/amanda/perl timeout -s KILL 10 perl "$here/xfer-probe.pl"
rc=$?
if [ "$rc" -eq 0 ]; then
  echo "not reproduced: the transfer finished"; exit 1
fi
echo "reproduced: Random -> Xor -> Dest::Fd never finished (killed after 10 s; $(stat -c %s "$out") bytes written)"
