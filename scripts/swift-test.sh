#!/usr/bin/env bash
# Runs `swift test ARGS…` (the swift of $SWIFT, default `swift`) and, only when that run died of
# swift-corelibs-foundation's Process.run() crash on Linux, runs it once more.
#
# Process.run() over-reads a dirent while it lists /proc/self/fd and crashes the whole test process now
# and then ("Program crashed: Bad pointer dereference", the crashed thread in memcpy called from
# Process.run() in libFoundation.so): swiftlang/swift-corelibs-foundation#5472, merged after the 6.3.1
# toolchain this project uses. That is a crash of the toolchain's library, not a test's verdict; any other
# failure, and a second crash, fail as they are. The tests no longer start children with Process (they use
# posix_spawn: Tests/Support/Spawn.swift, and Tests/CLITests/SpawnTests.swift keeps Process out of Tests/),
# so this rerun is only a guard for code that still might (a dependency). Remove this script once the
# toolchain carries the fix.
#
# When the run fails and $CRM_TEST_SUMMARY names a file, what failed (the failed tests' lines, or the
# crash's first lines) is appended to it, so a caller can print it last, where a log's tail shows it.
set -u
swift=${SWIFT:-swift}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$swift" test "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
# The crash report's lines may be interleaved with swift test's own output ("error: Process … exited with
# unexpected signal code 11" lands in the middle of a line), so the check looks for the crash's header and
# for the Process.run() frame in libFoundation anywhere in the log, not for their exact lines: only a crashed
# thread's backtrace lists its frames beyond the first.
if [ "$status" -ne 0 ] && grep -a -q 'Program crashed' "$log" \
   && grep -a -q -E 'Process\.run\(\) \+ [0-9]+ in libFoundation\.so' "$log"; then
    echo "swift test died of Foundation's Process.run() crash (swift-corelibs-foundation#5472), not of a test: running it once more." >&2
    "$swift" test "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
fi
if [ "$status" -ne 0 ] && [ -n "${CRM_TEST_SUMMARY:-}" ]; then
    {
        echo "== swift test $* failed (exit $status). What failed:"
        # The failed tests and their issues (swift-testing marks them ✘), the last 60 of them.
        grep -a '✘' "$log" | tail -n 60
        # A crash ends the run without a verdict: its message and the crashed thread's first frames.
        grep -a -m 3 -E 'Fatal error|Precondition failed|Assertion failed|Program crashed|Crash in|error: Exited' "$log"
        awk '/ crashed:/ { seen = 1; n = 0 } seen && n < 25 { print; n++ }' "$log"
        # Nothing above: the run's last lines say how it ended.
        if ! grep -a -q -E '✘|Fatal error|Precondition failed|Program crashed|crashed:' "$log"; then tail -n 25 "$log"; fi
    } >> "$CRM_TEST_SUMMARY"
fi
exit "$status"
