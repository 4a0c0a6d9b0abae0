#!/usr/bin/env bash
# Compiles every src/main/cuda/*.cu into a fatbin (SASS for sm_80 and sm_90, plus compute_90 PTX
# that newer GPUs JIT-compile) under OUT_DIR, and fails if ptxas reports a register spill in any
# kernel. Without nvcc it writes kernels.properties saying so and succeeds: the CPU build must
# never need CUDA. Called by Maven (native-kernels/pom.xml) as: build-kernels.sh SRC_DIR OUT_DIR
# Incremental: a module is compiled again only when its .cu, a header (.cuh), this script or the
# nvcc version changed since its fatbin was written, and no output is rewritten when it would come
# out the same (so Maven repacks nothing when only Java changed).
set -euo pipefail
src=$1
out=$2
mkdir -p "$out"
props="$out/kernels.properties"

# write_if_changed FILE: stdin into FILE, leaving FILE and its directory (their times) alone when
# the content is the same.
write_if_changed() {
  local content
  content=$(cat)
  [ -f "$1" ] && [ "$(cat "$1")" = "$content" ] && return 0
  printf '%s\n' "$content" > "$1.tmp"
  mv -f "$1.tmp" "$1"
}

# JGRAD_NVCC names the compiler to use; JGRAD_NVCC=none builds as if there were none.
if [ -n "${JGRAD_NVCC:-}" ]; then
  nvcc=$JGRAD_NVCC
  [ "$nvcc" = none ] && nvcc=
else
  nvcc=$(command -v nvcc || true)
  [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
fi
if [ -z "$nvcc" ]; then
  printf 'built=false\nreason=nvcc was not found (PATH, /usr/local/cuda/bin, JGRAD_NVCC) when jgrad was built\n' | write_if_changed "$props"
  echo "native-kernels: nvcc not found; building without CUDA kernels"
  exit 0
fi

version=$("$nvcc" --version | sed -n 's/^Cuda compilation tools, //p')
arch_flags=(-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_90,code=compute_90)
# Every module depends on the shared headers and on this script (the flags); all of them on the
# compiler: another nvcc version than the one kernels.properties names rebuilds everything.
shared_deps=("${BASH_SOURCE[0]}")
for h in "$src"/*.cuh; do [ -e "$h" ] && shared_deps+=("$h"); done
same_nvcc=false
[ -f "$props" ] && grep -qxF "nvcc=$version" "$props" && same_nvcc=true
stale() {  # stale OUTPUT INPUT...: OUTPUT is missing or older than an input
  local o=$1 i; shift
  [ -f "$o" ] || return 0
  for i in "$@"; do [ "$i" -nt "$o" ] && return 0; done
  return 1
}
names=()
spills=()
compiled=0
for cu in "$src"/*.cu; do
  name=$(basename "$cu" .cu)
  names+=("$name")
  fatbin="$out/$name.fatbin"
  report="$out/$name.ptxas.txt"
  if [ "$same_nvcc" != true ] || stale "$fatbin" "$cu" "${shared_deps[@]}" || stale "$report" "$cu" "${shared_deps[@]}"; then
    # Into temporary files first: a failed compile leaves no output that looks current.
    rm -f "$fatbin" "$report"
    "$nvcc" -O3 -fatbin "${arch_flags[@]}" -o "$fatbin.tmp" "$cu"
    "$nvcc" -O3 -cubin -arch=sm_90 -Xptxas -v -o /dev/null "$cu" > "$report.tmp" 2>&1
    mv -f "$fatbin.tmp" "$fatbin"
    mv -f "$report.tmp" "$report"
    compiled=$((compiled + 1))
  fi
  # ptxas prints "Compiling entry function 'k'" then "N bytes spill stores, M bytes spill loads".
  while IFS= read -r kernel; do spills+=("$name.cu: $kernel"); done < <(awk '
    /Compiling entry function/ { match($0, /'"'"'[^'"'"']+'"'"'/); fn = substr($0, RSTART + 1, RLENGTH - 2) }
    /spill stores/ { if ($0 !~ / 0 bytes spill stores, 0 bytes spill loads/) print fn ": " $0 }' "$report")
done

if [ ${#spills[@]} -gt 0 ]; then
  echo "native-kernels: ptxas reports register spills (sm_90); fix the kernels:" >&2
  printf '  %s\n' "${spills[@]}" >&2
  exit 1
fi
{
  echo "built=true"
  echo "nvcc=$version"
  echo "arch=sm_80,sm_90,compute_90"
  echo "modules=$(IFS=,; echo "${names[*]}")"
} | write_if_changed "$props"
echo "native-kernels: ${#names[@]} modules with nvcc $version ($compiled compiled now, the rest current), no spills"
