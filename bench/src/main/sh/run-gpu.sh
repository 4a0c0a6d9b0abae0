#!/usr/bin/env bash
# Runs jgrad's GPU checks on a machine with an NVIDIA GPU and no Maven, network or JDK: everything
# comes from this bundle (made by `./jgrad bundle`; MANIFEST.txt lists what it holds).
#
#   bundle/run-gpu.sh check [OUT_DIR]   THE FIRST-GPU CHECK, under 5 minutes on an H100/H200 (default
#                                       OUT_DIR: bundle/check-out). Steps, each with its own time limit,
#                                       none stopping the others:
#       device       nvidia-smi, driver, CUDA, libcublas files, java, PyTorch, the bundle's commit
#       setup        unpack the bundled JDK and Fashion-MNIST into $JGRAD_TMP (default /tmp/jgrad-<commit>)
#       devices      what jgrad sees; whether the check's device (cuda) is usable
#       conformance  the conformance suite on the CUDA device only (-Djgrad.devices=cuda), JUnit console
#       kernels      SGEMM 4096^3, Adam 10M, softmax (65536, 1024), batch norm (256, 64, 56, 56) against a
#                    device-to-device copy of the same bytes and cuBLAS (JCublas, where it loads)
#       torch        the same four in PyTorch (TF32 off, fused Adam), if `import torch` works
#       memory       1,000 LeNet training steps: allocator bytes in use / reserved at step 10 and 1000
#       nccl         NCCL through FFM, one rank: all-reduce and broadcast over CUDA buffers exact, 100 MB timed
#       lenet        LeNet, 2 epochs on Fashion-MNIST: loss, accuracy, time
#       report       OUT_DIR/<machine>-<date>.md and .json (the bench/results/ format); raw files in
#                    OUT_DIR/<machine>-<date>/
#     Environment: JGRAD_CHECK_SIZE=small (every workload shrunk: the whole check against the CPU or an
#     emulated CUDA device), JGRAD_JVM_ARGS (extra JVM flags, e.g. -Djgrad.cuda.emulate=true ...),
#     JGRAD_CHECK_DEVICE (default cuda), JGRAD_CHECK_DEADLINE (seconds for all steps; default 540, small
#     1800), JGRAD_PYTHON (default python3).
#
#   bundle/run-gpu.sh [all|conformance|bench|train]   the longer runs (8-11 minutes for all; results in
#                                       $OUT, default bundle/out):
#       conformance  the conformance suite and the autograd, bad-input, optimizer and memory tests on every device
#       bench        GpuReport (CudaBench through JMH) and CompareBench's quick mode
#       train        LeNet for 10 epochs on the GPU (bundled Fashion-MNIST, or DATA_DIR)
set -uo pipefail
B=$(cd "$(dirname "$0")" && pwd)
what=${1:-all}

# ---------------------------------------------------------------- the bundle's JDK and data
info_value() { sed -n "s/^$1\t//p" "$B/BUILD-INFO.txt" 2>/dev/null | head -1; }
COMMIT=$(info_value jgrad_commit)
COMMIT=${COMMIT:-unknown}
TMPROOT=${JGRAD_TMP:-/tmp/jgrad-${COMMIT:0:12}}
JDK=${JGRAD_JDK:-$TMPROOT/jdk}

# Unpacks an .xz file (or a .tar.xz into a directory) with xz, or with Python's lzma where xz is missing.
unxz_to() { # SRC DEST
  if command -v xz >/dev/null; then xz -dc "$1" > "$2"
  else "${JGRAD_PYTHON:-python3}" -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$1" "$2"
  fi
}
unpack_jdk() {
  [ -x "$JDK/bin/java" ] && return 0
  mkdir -p "$JDK.part" || return 1
  if [ -f "$B/jdk.tar.xz" ]; then
    if command -v xz >/dev/null; then tar xJf "$B/jdk.tar.xz" -C "$JDK.part" --strip-components=1
    else "${JGRAD_PYTHON:-python3}" -c 'import sys,tarfile
t = tarfile.open(sys.argv[1])
for m in t.getmembers(): m.name = m.name.split("/", 1)[1] if "/" in m.name else "."
t.extractall(sys.argv[2])' "$B/jdk.tar.xz" "$JDK.part"
    fi
  else
    tar xzf "$B/jdk.tar.gz" -C "$JDK.part" --strip-components=1
  fi || return 1
  rm -rf "$JDK" && mv "$JDK.part" "$JDK"
}
DATA=${DATA_DIR:-$TMPROOT/fashion-mnist}
unpack_data() {
  [ -n "${DATA_DIR:-}" ] && return 0
  [ -f "$DATA/t10k-labels-idx1-ubyte" ] && return 0
  [ -d "$B/data/fashion-mnist" ] || { echo "the bundle carries no data/fashion-mnist"; return 1; }
  mkdir -p "$DATA" || return 1
  local f
  for f in "$B"/data/fashion-mnist/*.xz; do unxz_to "$f" "$DATA/$(basename "$f" .xz)" || return 1; done
}

JVM_BASE=(--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss8m)
read -r -a JVM_EXTRA <<< "${JGRAD_JVM_ARGS:-}"
CP="$B/lib/benchmarks.jar"
TESTS="$B/lib/jgrad-tests.jar"
JUNIT="$B/lib/junit-platform-console-standalone.jar"

# ================================================================ steps that run_step starts
# (bundle/run-gpu.sh __device|__setup|__conformance, under its time limit; the variables come from
# the check's environment)
info() { printf '%s\t%s\n' "$1" "$(printf '%s' "$2" | tr '\t\n' '  ' | sed 's/ *$//')" >> "$RAW/info.tsv"; }
case "$what" in
  __device)
    {
      echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
      echo "host: $(uname -a)"
      echo "cpu: $(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1), $(nproc) cores, $(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB"}')"
      echo "--- bundle (BUILD-INFO.txt)"; cat "$B/BUILD-INFO.txt" 2>/dev/null || echo "no BUILD-INFO.txt"
      echo "--- nvidia-smi"; timeout 20 nvidia-smi 2>&1 || echo "nvidia-smi: not found or failed"
      echo "--- nvidia-smi --query-gpu"
      timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap,clocks.max.sm,power.limit,pstate --format=csv 2>&1
      echo "--- nvcc"; command -v nvcc >/dev/null && nvcc --version | tail -2 || echo "nvcc: not on PATH"
      echo "--- libcuda in ldconfig"; ldconfig -p 2>/dev/null | grep -i 'libcuda\.' || echo none
      echo "--- ldconfig -p | grep -i cublas"; ldconfig -p 2>/dev/null | grep -i cublas || echo none
      echo "--- find / -name 'libcublas*.so*' (20 s at most)"
      timeout 20 find / \( -path /proc -o -path /sys -o -path /dev \) -prune -o -name 'libcublas*.so*' -print 2>/dev/null | sort
      echo "--- which java"; command -v java && java -version 2>&1 | head -1 || echo "no java on PATH"
      echo "--- python"; command -v "$PY" && "$PY" --version 2>&1
      echo "--- torch"; timeout 60 "$PY" "$B/python/torch_check.py" --info 2>&1 | grep -v Warning
    } > "$RAW/device.txt" 2>&1
    smi=$(timeout 20 nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>/dev/null | head -1)
    info date "$(date -u +%F)"
    info started "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    info machine_line "$(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1), $(nproc) cores, $(free -g 2>/dev/null | awk '/^Mem:/ {print $2}') GiB, $(uname -sr)"
    info gpu "${gpu:-no GPU (nvidia-smi found none)}"
    info gpu_csv "${smi:-none}"
    info driver "$(printf '%s' "$smi" | cut -d, -f2 | sed 's/^ *//')"
    info cuda "$(timeout 20 nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)"
    info cublas_ldconfig "$(ldconfig -p 2>/dev/null | grep -i cublas | awk '{print $1}' | sort -u | tr '\n' ' ')"
    info cublas_files "$(sed -n "/^--- find/,/^--- which/p" "$RAW/device.txt" | grep -v '^---' | tr '\n' ' ')"
    info java_on_path "$(command -v java >/dev/null && java -version 2>&1 | head -1 || echo none)"
    info torch "$(sed -n 's/^torch: \([^ ]*\).*/\1/p; s/^torch.version.cuda: /CUDA /p; s/^torch.cuda.get_device_name(0): /on /p' "$RAW/device.txt" | tr '\n' ' ')"
    info bundle_commit "$COMMIT"
    info bundle_built "$(info_value built)"
    info size "$SIZE"
    info check_device "$DEV"
    info jvm_args "${JGRAD_JVM_ARGS:-}"
    echo "check: device: ok: ${gpu:-no GPU}${smi:+, $smi}"
    exit 0 ;;
  __setup)
    unpack_jdk || { echo "check: setup: failed: cannot unpack the bundled JDK into $JDK"; exit 1; }
    v=$("$JDK/bin/java" -version 2>&1 | head -1)
    if unpack_data; then echo "check: setup: ok: $v in $JDK; Fashion-MNIST in $DATA"; exit 0; fi
    echo "check: setup: failed: $v in $JDK; Fashion-MNIST could not be unpacked into $DATA"
    exit 1 ;;
  __conformance)
    read -r -a J <<< "$JAVA_CMD"
    # As in CI: every allocation, host and device, starts as NaN; the listener counts tests per device.
    "${J[@]}" -Djgrad.cpu.poison=true -Djgrad.cuda.poison=true -Djgrad.tests.report="$RAW/tests-per-device.txt" \
      -jar "$JUNIT" execute -cp "$CP:$TESTS" \
      --select-package dev.jgrad.conformance --select-package dev.jgrad.tests.cuda --fail-if-no-tests --details=summary --disable-banner \
      --disable-ansi-colors --config=junit.jupiter.execution.timeout.default=60s --reports-dir "$RAW/junit" \
      > "$RAW/conformance.txt" 2>&1
    rc=$?
    tail -40 "$RAW/conformance.txt"
    s=$(grep -aoE "[0-9]+ tests (successful|failed|aborted)" "$RAW/conformance.txt" | paste -sd, | sed 's/,/, /g')
    if [ $rc -eq 0 ]; then echo "check: conformance: ok: $s"; else echo "check: conformance: failed: exit $rc${s:+: $s}"; fi
    exit $rc ;;
esac

# ================================================================ the first-GPU check
if [ "$what" = check ]; then
  OUT=$(mkdir -p "${2:-$B/check-out}" && cd "${2:-$B/check-out}" && pwd) || { echo "cannot create ${2:-}" >&2; exit 2; }
  SIZE=${JGRAD_CHECK_SIZE:-full}
  DEV=${JGRAD_CHECK_DEVICE:-cuda}
  PY=${JGRAD_PYTHON:-python3}
  case "$SIZE" in full) scale=1; deadline=${JGRAD_CHECK_DEADLINE:-540} ;; small) scale=3; deadline=${JGRAD_CHECK_DEADLINE:-1800} ;;
    *) echo "JGRAD_CHECK_SIZE=$SIZE is not one of full, small" >&2; exit 2 ;; esac
  T0=$(date +%s)
  gpu=$(timeout 20 nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
  slug() { tr '[:upper:]' '[:lower:]' | sed -E 's/\((r|tm)\)//g; s/[^a-z0-9]+/-/g; s/^-+|-+$//g'; }
  if [ -n "$gpu" ]; then machine=$(printf '%s' "$gpu" | slug)
  else machine="no-gpu-$(sed -n 's/^model name\s*:\s*//p' /proc/cpuinfo | head -1 | sed -E 's/ (CPU|Processor).*//; s/@.*//' | slug)-$(nproc)core"
  fi
  BASE="$machine-$(date -u +%F)"
  RAW="$OUT/$BASE"
  mkdir -p "$RAW"
  printf 'step\tstatus\trc\tseconds\tbudget\tnote\n' > "$RAW/steps.tsv"
  : > "$RAW/info.tsv"
  failed=0

  # run_step NAME BUDGET_SECONDS COMMAND...: runs COMMAND under timeout with stdout and stderr in
  # RAW/NAME.log, and records status, wall time and the note (its last "check: NAME: ..." line).
  run_step() {
    local name=$1 budget=$(( $2 * scale )); shift 2
    local left=$(( deadline - ($(date +%s) - T0) - 20 ))
    [ "$name" = report ] && left=$(( left + 20 ))
    if [ "$left" -lt 5 ]; then record "$name" out-of-time "" 0 "$budget" "not run: the check's deadline (${deadline} s) is spent"; return; fi
    [ "$budget" -gt "$left" ] && budget=$left
    echo "== $name (limit ${budget} s)"
    local s=$(date +%s.%N) rc
    timeout -k 10 "$budget" "$@" > "$RAW/$name.log" 2>&1
    rc=$?
    local secs=$(awk -v a="$s" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    local note; note=$(grep -a "^check: $name: " "$RAW/$name.log" | tail -1 | sed "s/^check: $name: [a-z]*: //")
    local status=ok
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then status=timeout; note="killed after its limit of ${budget} s${note:+; $note}"
    elif [ $rc -ne 0 ]; then status=failed; [ -z "$note" ] && note="exit status $rc: $(grep -av '^WARNING' "$RAW/$name.log" | tail -1 | cut -c1-300)"
    fi
    record "$name" "$status" "$rc" "$secs" "$budget" "$note"
  }
  record() { # NAME STATUS RC SECONDS BUDGET NOTE
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$(printf '%s' "$6" | tr '\t\n' '  ')" >> "$RAW/steps.tsv"
    printf '   %-12s %-8s %6s s  %s\n' "$1" "$2" "$4" "$6"
    case "$2" in ok|skipped) ;; *) failed=$((failed + 1)) ;; esac
  }

  echo "jgrad first-GPU check, size $SIZE, device $DEV: results in $OUT ($BASE)"
  export B RAW PY gpu COMMIT SIZE DEV JDK DATA JUNIT CP TESTS
  run_step device 60 "$B/run-gpu.sh" __device

  # ---- setup: the JDK and the data
  run_step setup 90 "$B/run-gpu.sh" __setup
  info jdk "$("$JDK/bin/java" -version 2>&1 | sed -n 2p)"

  JAVA=("$JDK/bin/java" "${JVM_BASE[@]}" "${JVM_EXTRA[@]}" -Djgrad.check.size="$SIZE" -Djgrad.check.device="$DEV" -Djgrad.devices="$DEV")
  check_java() { run_step "$1" "$2" "${JAVA[@]}" -cp "$CP" dev.jgrad.bench.check.CheckMain "$1" "$RAW" "${@:3}"; }

  check_java devices 60
  have_device=$(tail -1 "$RAW/steps.tsv" | cut -f2)
  no_device_note=$(tail -1 "$RAW/steps.tsv" | cut -f6)

  # ---- conformance on the check's device only
  if [ "$have_device" = ok ]; then
    export JAVA_CMD="${JAVA[*]}"
    run_step conformance 150 "$B/run-gpu.sh" __conformance
  else
    record conformance failed "" 0 0 "not run: ${no_device_note:-the devices step failed}"
  fi

  check_java kernels 120

  # ---- PyTorch, if it imported in the device step (torch_check.py --info printed its version)
  if grep -q '^torch: ' "$RAW/device.txt" 2>/dev/null; then
    torch_args=(--size "$SIZE" --out "$RAW/torch.tsv")
    [ "$SIZE" = small ] && torch_args+=(--allow-cpu)
    run_step torch 120 "$PY" "$B/python/torch_check.py" "${torch_args[@]}"
  else
    record torch skipped "" 0 0 "no PyTorch here: $(sed -n '/^--- torch/,$p' "$RAW/device.txt" 2>/dev/null | grep -v '^---' | tail -1 | cut -c1-200)"
  fi

  check_java memory 90
  check_java nccl 60
  check_java lenet 150 "$DATA"
  info total_seconds "$(( $(date +%s) - T0 ))"
  check_java report 60 "$OUT/$BASE"
  if [ ! -f "$OUT/$BASE.md" ]; then # no JDK, or the report failed: at least the steps, as a table
    { echo "# jgrad first-GPU check: ${gpu:-no GPU}, $(date -u +%F) (the report step failed; raw files in $BASE/)"
      echo; echo "| step | status | rc | wall (s) | budget (s) | note |"; echo "|---|---|---|---:|---:|---|"
      tail -n +2 "$RAW/steps.tsv" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6 }'
    } > "$OUT/$BASE.md"
  fi
  echo
  echo "$(( $(date +%s) - T0 )) s in all; $failed step(s) failed. Report: $OUT/$BASE.md (.json; raw files in $BASE/)"
  echo "Copy the results home: scp -r <this machine>:$OUT/$BASE* bench/results/"
  [ "$failed" -eq 0 ]
  exit $?
fi

# ================================================================ the longer runs
OUT=${OUT:-$B/out}
mkdir -p "$OUT"
unpack_jdk || { echo "cannot unpack the bundled JDK into $JDK" >&2; exit 1; }
JAVA=("$JDK/bin/java" "${JVM_BASE[@]}" "${JVM_EXTRA[@]}")

{
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
  nvidia-smi || echo "nvidia-smi not found"
  echo "--- ldconfig (cuda, cublas)"; ldconfig -p | grep -i -E 'libcuda\.|cublas' || echo none
  echo "--- libcublas files"; timeout 20 find / -name 'libcublas*.so*' -not -path '/proc/*' 2>/dev/null | head -20
  echo "--- java on PATH"; command -v java || echo none
} > "$OUT/device.txt" 2>&1
"${JAVA[@]}" -cp "$CP" dev.jgrad.cli.Main devices > "$OUT/devices.txt" 2>&1
cat "$OUT/devices.txt"

if [ "$what" = all ] || [ "$what" = conformance ]; then
  "${JAVA[@]}" -jar "$JUNIT" execute \
    -cp "$CP:$TESTS" \
    --select-package dev.jgrad.conformance --select-package dev.jgrad.tests.cuda \
    --select-class dev.jgrad.tests.AutogradTest --select-class dev.jgrad.tests.BadInputTest \
    --select-class dev.jgrad.tests.nn.OptimizerTest --select-class dev.jgrad.tests.MemoryTest \
    --details=summary --disable-banner --reports-dir "$OUT/junit" > "$OUT/conformance.txt" 2>&1
  tail -25 "$OUT/conformance.txt"
fi
if [ "$what" = all ] || [ "$what" = bench ]; then
  gpu=$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null | head -1)
  "${JAVA[@]}" -cp "$CP" dev.jgrad.bench.GpuReport "$OUT/gpu-bench.md" "$gpu (driver)" \
    > "$OUT/gpu-bench.log" 2>&1
  cat "$OUT/gpu-bench.md"
  "${JAVA[@]}" -Djgrad.bench.threads="$(nproc)" -cp "$CP" dev.jgrad.bench.compare.BenchMain --quick \
    --engines machine,jgrad-vectorized,jgrad-cuda,jgrad-cublas --out "$OUT" > "$OUT/compare-bench.log" 2>&1
  tail -3 "$OUT/compare-bench.log"
fi
if [ "$what" = all ] || [ "$what" = train ]; then
  if unpack_data; then
    "${JAVA[@]}" -cp "$CP" dev.jgrad.cli.Main train --model lenet --epochs 10 --seed 42 --device cuda \
      --data-dir "$DATA" > "$OUT/train-lenet-cuda.txt" 2>&1
    tail -3 "$OUT/train-lenet-cuda.txt"
  else
    echo "train: no Fashion-MNIST (set DATA_DIR to a directory with the IDX files)" >&2
  fi
fi
