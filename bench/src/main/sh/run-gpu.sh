#!/usr/bin/env bash
# Runs jgrad's GPU checks on a machine with an NVIDIA GPU and no Maven, network or JDK: everything
# comes from this bundle (made by `./jgrad bundle`). Results go to $OUT (default bundle/out):
#   device.txt       what the machine has (nvidia-smi, libcuda/libcublas files, java)
#   devices.txt      what jgrad sees (`jgrad devices`)
#   conformance.txt  the conformance suite on every device, CUDA included (JUnit console)
#   gpu-bench.md     CudaBench: each kernel against cuBLAS / copy bandwidth (JMH)
#   <machine>-<date>.md  CompareBench quick mode: jgrad on CUDA next to jgrad on the CPU, every workload
#   train-*.txt      LeNet on Fashion-MNIST on the GPU, when DATA_DIR holds the IDX files
# Usage: bundle/run-gpu.sh [all|conformance|bench|train]
set -uo pipefail
B=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$B/out}
mkdir -p "$OUT"
what=${1:-all}
JDK=${JGRAD_JDK:-/tmp/jgrad-jdk}
if [ ! -x "$JDK/bin/java" ]; then
  mkdir -p "$JDK" && tar xzf "$B/jdk.tar.gz" -C "$JDK" --strip-components=1
fi
JAVA=("$JDK/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m)
CP="$B/lib/benchmarks.jar:$B/lib/jgrad-nn.jar:$B/lib/picocli.jar"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  nvidia-smi || echo "nvidia-smi not found"
  echo "--- ldconfig (cuda, cublas)"; ldconfig -p | grep -i -E 'libcuda\.|cublas' || echo none
  echo "--- libcublas files"; find / -name 'libcublas*.so*' -not -path '/proc/*' 2>/dev/null | head -20
  echo "--- java on PATH"; command -v java || echo none
} > "$OUT/device.txt" 2>&1
"${JAVA[@]}" -cp "$CP" dev.jgrad.nn.Main devices > "$OUT/devices.txt" 2>&1
cat "$OUT/devices.txt"

if [ "$what" = all ] || [ "$what" = conformance ]; then
  "${JAVA[@]}" -jar "$B/lib/junit-platform-console-standalone.jar" execute \
    -cp "$CP:$B/lib/test-classes" \
    --select-package dev.jgrad.tests.conformance \
    --select-class dev.jgrad.tests.AutogradTest --select-class dev.jgrad.tests.BadInputTest \
    --select-class dev.jgrad.tests.nn.OptimizerTest --select-class dev.jgrad.tests.MemoryTest \
    --details=summary --disable-banner --reports-dir "$OUT/junit" > "$OUT/conformance.txt" 2>&1
  tail -25 "$OUT/conformance.txt"
fi
if [ "$what" = all ] || [ "$what" = bench ]; then
  gpu=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)
  "${JAVA[@]}" -cp "$B/lib/benchmarks.jar" dev.jgrad.bench.GpuReport "$OUT/gpu-bench.md" "$gpu (driver)" \
    > "$OUT/gpu-bench.log" 2>&1
  cat "$OUT/gpu-bench.md"
  "${JAVA[@]}" -Djgrad.bench.threads="$(nproc)" -cp "$CP" dev.jgrad.bench.compare.BenchMain --quick \
    --engines machine,jgrad-vectorized,jgrad-cuda,jgrad-cublas --out "$OUT" > "$OUT/compare-bench.log" 2>&1
  tail -3 "$OUT/compare-bench.log"
fi
if { [ "$what" = all ] || [ "$what" = train ]; } && [ -n "${DATA_DIR:-}" ]; then
  "${JAVA[@]}" -cp "$CP" dev.jgrad.nn.Main train --model lenet --epochs 10 --seed 42 --device cuda \
    --data-dir "$DATA_DIR" > "$OUT/train-lenet-cuda.txt" 2>&1
  tail -3 "$OUT/train-lenet-cuda.txt"
fi
