#!/usr/bin/env bash
# Runs `swift test ARGS…` (the swift of $SWIFT, default `swift`) and, only when that run died of
# swift-corelibs-foundation's Process.run() crash on Linux, runs it once more.
#
# Process.run() (which the CLI, harness and browser tests use to start child processes) over-reads a
# dirent while it lists /proc/self/fd and crashes the whole test process now and then ("Program crashed:
# Bad pointer dereference", the crashed thread in memcpy called from Process.run() in libFoundation.so):
# swiftlang/swift-corelibs-foundation#5472, merged after the 6.3.1 toolchain this project uses. That is a
# crash of the toolchain's library, not a test's verdict; any other failure, and a second crash, fail as
# they are. Remove this script once the toolchain carries the fix.
set -u
swift=${SWIFT:-swift}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$swift" test "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
if [ "$status" -ne 0 ] && grep -q '^\*\*\* Program crashed' "$log" \
   && awk '/ crashed:$/ { seen = 1; n = 0; next } seen && n < 6 { print; n++ }' "$log" | grep -q 'Process\.run() .* in libFoundation\.so'; then
    echo "swift test died of Foundation's Process.run() crash (swift-corelibs-foundation#5472), not of a test: running it once more." >&2
    "$swift" test "$@"
    status=$?
fi
exit "$status"
