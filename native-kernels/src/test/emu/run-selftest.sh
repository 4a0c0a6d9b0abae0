#!/usr/bin/env bash
# Runs the CUDA emulator's self-test on the libraries build-emu.sh wrote to OUT_DIR:
#   1. the plain build with the selftest kernels (features, error reports, canaries, real kernels);
#   2. the shipped plain library (real kernels, launch limits);
#   3. the ASan build, loaded the way a JVM must load it (LD_PRELOAD of libasan, see README.md), where
#      out-of-bounds kernels (global and dynamic shared memory) must die with an ASan report.
#   run-selftest.sh OUT_DIR [--bench]
set -euo pipefail
out=$1
cxx=${JGEMU_CXX:-g++}
st="$out/jgemu-selftest"
if [ "${2:-}" = --bench ]; then
  "$st" "$out/libjgrad-cuda-emu.so" --bench
  exit 0
fi
"$st" "$out/test/libjgemu-test.so"
"$st" "$out/libjgrad-cuda-emu.so"
libasan=$("$cxx" -print-file-name=libasan.so)
LD_PRELOAD="$libasan" \
ASAN_OPTIONS=detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:detect_stack_use_after_return=0:abort_on_error=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  "$st" "$out/test/libjgemu-test-asan.so"
# 4. The ASan build inside a JVM (FFM), when a JDK 25 is at hand (Maven passes its own).
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "${JGEMU_JVM_DEMO:-1}" != 0 ]; then
  bash "$(dirname "${BASH_SOURCE[0]}")/asan-jvm-demo.sh" "$out"
fi
