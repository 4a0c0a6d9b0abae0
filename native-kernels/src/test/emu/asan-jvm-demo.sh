#!/usr/bin/env bash
# Proves that the ASan build of the CUDA emulator works inside a JVM (see README.md):
#   1. correct launches, with the JVM allocating and collecting, run without any ASan report;
#   2. an out-of-bounds kernel launch kills the JVM with an AddressSanitizer report.
# And, for comparison, that the plain build reports the same out-of-bounds write as launch error 2.
#   asan-jvm-demo.sh OUT_DIR       (JAVA_HOME: a JDK 25)
set -uo pipefail
out=$1
java=${JAVA_HOME:+$JAVA_HOME/bin/}java
demo="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/java/AsanJvmDemo.java"
libasan=$(${JGEMU_CXX:-g++} -print-file-name=libasan.so)
asan_env=(LD_PRELOAD="$libasan"
  ASAN_OPTIONS=detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:detect_stack_use_after_return=0
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1)
jflags=(--enable-native-access=ALL-UNNAMED)
fail=0
log=$(mktemp)

env "${asan_env[@]}" "$java" "${jflags[@]}" "$demo" "$out/libjgrad-cuda-emu-asan.so" ok > "$log" 2>&1
rc=$?
if [ $rc -eq 0 ] && ! grep -q "Sanitizer" "$log"; then echo "asan-jvm-demo: 1. ASan build, correct launches in the JVM: ok"
else echo "asan-jvm-demo: 1. FAILED (exit $rc):"; cat "$log"; fail=1; fi

env "${asan_env[@]}" "$java" "${jflags[@]}" "$demo" "$out/libjgrad-cuda-emu-asan.so" oob > "$log" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 3 ] && grep -q "ERROR: AddressSanitizer: heap-buffer-overflow" "$log" && grep -q " in fill " "$log"; then
  echo "asan-jvm-demo: 2. ASan build, out-of-bounds fill: the JVM died (exit $rc) with:"
  grep -m1 "ERROR: AddressSanitizer" "$log"; grep -m1 " in fill " "$log"
else echo "asan-jvm-demo: 2. FAILED (exit $rc):"; cat "$log"; fail=1; fi

"$java" "${jflags[@]}" "$demo" "$out/libjgrad-cuda-emu.so" oob > "$log" 2>&1
rc=$?
if [ $rc -eq 3 ] && grep -q "fill <<<(16,1,1),(256,1,1), smem 0>>>: out-of-bounds write" "$log"; then
  echo "asan-jvm-demo: 3. plain build, out-of-bounds fill: launch error 2:"; grep -m1 "launch rc 2" "$log"
else echo "asan-jvm-demo: 3. FAILED (exit $rc):"; cat "$log"; fail=1; fi
rm -f "$log"
exit $fail
