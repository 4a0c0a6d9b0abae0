#!/usr/bin/env bash
# Builds the CUDA emulator: every src/main/cuda/*.cu, unmodified, compiled by g++ into host shared
# libraries that run the kernels with real grid/block semantics (see src/test/emu/README.md).
#
#   build-emu.sh SRC_DIR EMU_SRC_DIR PTXAS_DIR OUT_DIR
#
# writes OUT_DIR/libjgrad-cuda-emu.so (-O2, canary redzones), OUT_DIR/libjgrad-cuda-emu-asan.so
# (AddressSanitizer + UBSan), and for the self-test OUT_DIR/jgemu-selftest plus OUT_DIR/test/
# libjgemu-test{,-asan}.so (the same objects plus the selftest kernels). PTXAS_DIR holds the
# <module>.ptxas.txt reports of build-kernels.sh (static shared memory per kernel); without them the
# sizes come from the host objects. Only what changed is rebuilt. Needs g++ (C++20) and perl, not nvcc.
# Env: JGEMU_CXX (compiler, default g++), JGEMU_BUILD_JOBS (parallel compiles, default nproc, max 4).
set -euo pipefail
if [ $# -ne 4 ]; then echo "usage: build-emu.sh SRC_DIR EMU_SRC_DIR PTXAS_DIR OUT_DIR" >&2; exit 2; fi
src=$(cd "$1" && pwd)
emu=$(cd "$2" && pwd)
ptxas=$3
out=$4
cxx=${JGEMU_CXX:-g++}
if ! command -v "$cxx" > /dev/null 2>&1; then
  echo "build-emu.sh: ERROR: '$cxx' not found. The CUDA emulator (native-kernels/target/emu) needs g++ with" >&2
  echo "  C++20 (Debian: apt-get install g++). Set JGEMU_CXX to another compiler, or skip it: -Djgemu.skip=true" >&2
  exit 1
fi
command -v perl > /dev/null 2>&1 || { echo "build-emu.sh: ERROR: perl not found" >&2; exit 1; }
mkdir -p "$out/gen" "$out/obj/plain" "$out/obj/asan" "$out/test" "$out/log"
out=$(cd "$out" && pwd)
start=$(date +%s)

jobs=${JGEMU_BUILD_JOBS:-$(nproc 2> /dev/null || echo 2)}
[ "$jobs" -gt 4 ] && jobs=4
common=(-std=c++20 -fPIC -fvisibility=hidden -pthread -I"$emu" -I"$src")
plain=(-O2)
asan=(-O1 -g1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all)
kernel=(-x c++ -include "$emu/jgemu.h" -w)

# Any change to these rebuilds every module.
shared_deps=("$emu/jgemu.h" "$emu/gen-registration.pl" "${BASH_SOURCE[0]}")
for h in "$src"/*.cuh; do [ -e "$h" ] && shared_deps+=("$h"); done
stale() {  # stale OUTPUT INPUT... : true when OUTPUT is missing or older than an input
  local o=$1; shift
  [ -f "$o" ] || return 0
  local i
  for i in "$@"; do [ "$i" -nt "$o" ] && return 0; done
  return 1
}
write_if_changed() {  # write_if_changed FILE: stdin into FILE, leaving FILE (and its time) alone when it is the same
  local content
  content=$(cat)
  [ -f "$1" ] && [ "$(cat "$1")" = "$content" ] && return 0
  printf '%s\n' "$content" > "$1.tmp"
  mv -f "$1.tmp" "$1"
}

running=0
failed=0
run_logged() {  # run_logged LOG CMD...: runs CMD, showing its output only when it fails
  local log=$1; shift
  if ! "$@" > "$log" 2>&1; then
    echo "build-emu.sh: FAILED: $*" >&2
    cat "$log" >&2
    return 1
  fi
}
submit() {
  while [ "$running" -ge "$jobs" ]; do wait -n || failed=1; running=$((running - 1)); done
  run_logged "$@" &
  running=$((running + 1))
}
drain() {
  while [ "$running" -gt 0 ]; do wait -n || failed=1; running=$((running - 1)); done
  if [ "$failed" -ne 0 ]; then echo "build-emu.sh: the emulator build failed" >&2; exit 1; fi
}

# 1. Registration TUs: preprocess each .cu in scan mode, find its kernels and extern __shared__.
modules=()
cus=()
for cu in "$src"/*.cu; do modules+=("$(basename "$cu" .cu)"); cus+=("$cu"); done
modules+=(selftest)
cus+=("$emu/selftest_kernels.cu")
# The TU includes a line-preserving copy of the module's sources (#line names the originals) in which
# `extern __shared__` reads `extern __jgemu_dyn_shared__`: the ASan build makes plain __shared__ a
# function-local static (ASan puts redzones around it) and only the dynamic kind a thread_local.
gen_one() {
  local m=$1 cu=$2
  local dir
  dir=$(dirname "$cu")
  "$cxx" -std=c++20 -x c++ -E -P -DJGEMU_SCAN -include "$emu/jgemu.h" -I"$emu" "$cu" -o "$out/gen/$m.i"
  rm -rf "$out/gen/src-$m"
  mkdir -p "$out/gen/src-$m"
  local f
  for f in "$dir"/*.cu "$dir"/*.cuh "$dir"/*.h; do
    [ -f "$f" ] || continue
    perl -pe 'BEGIN { print "#line 1 \"$ARGV[0]\"\n" } s/\bextern(\s+)__shared__\b/extern$1__jgemu_dyn_shared__/g' \
      "$f" > "$out/gen/src-$m/$(basename "$f")"
  done
  perl "$emu/gen-registration.pl" "$m" "$out/gen/src-$m/$(basename "$cu")" "$out/gen/$m.i" "$out/gen/$m.cpp" \
    "$out/gen/$m.kernels"
}
for i in "${!modules[@]}"; do
  m=${modules[$i]}
  cu=${cus[$i]}
  if stale "$out/gen/$m.cpp" "$(dirname "$cu")"/*.cu* "${shared_deps[@]}"; then submit "$out/log/gen-$m.log" gen_one "$m" "$cu"; fi
done
drain

# 2. Objects, both flavours. Kernel names have C linkage: localise them so that two modules may
#    define kernels of the same name.
compile_module() {
  local flavour=$1 m=$2; shift 2
  local obj="$out/obj/$flavour/$m.o"
  "$cxx" "${common[@]}" "$@" "${kernel[@]}" -c "$out/gen/$m.cpp" -o "$obj.tmp"
  local args=()
  local k
  while IFS= read -r k; do [ -n "$k" ] && args+=("--localize-symbol=$k"); done < "$out/gen/$m.kernels"
  [ ${#args[@]} -gt 0 ] && objcopy "${args[@]}" "$obj.tmp"
  mv "$obj.tmp" "$obj"
}
for flavour in plain asan; do
  if [ "$flavour" = plain ]; then flags=("${plain[@]}"); else flags=("${asan[@]}"); fi
  for i in "${!modules[@]}"; do
    m=${modules[$i]}
    if stale "$out/obj/$flavour/$m.o" "$out/gen/$m.cpp" "${cus[$i]}" "${shared_deps[@]}"; then
      submit "$out/log/$flavour-$m.log" compile_module "$flavour" "$m" "${flags[@]}"
    fi
  done
  if stale "$out/obj/$flavour/runtime.o" "$emu/jgemu_runtime.cpp" "${shared_deps[@]}"; then
    submit "$out/log/$flavour-runtime.log" "$cxx" "${common[@]}" "${flags[@]}" -Wall -c "$emu/jgemu_runtime.cpp" \
      -o "$out/obj/$flavour/runtime.o"
  fi
done
if stale "$out/obj/plain/libcuda_shim.o" "$emu/libcuda_shim.cpp"; then
  submit "$out/log/plain-libcuda-shim.log" "$cxx" "${common[@]}" "${plain[@]}" -Wall -c "$emu/libcuda_shim.cpp" \
    -o "$out/obj/plain/libcuda_shim.o"
fi
if stale "$out/jgemu-selftest" "$emu/selftest.cpp"; then
  submit "$out/log/selftest.log" "$cxx" -std=c++20 -O1 -Wall -pthread "$emu/selftest.cpp" -o "$out/jgemu-selftest" -ldl
fi
drain

# 3. Static shared memory per kernel (ptxas reports when present, else the host objects).
table_args=()
for i in "${!modules[@]}"; do
  m=${modules[$i]}
  table_args+=("$m" "$out/gen/$m.kernels" "$ptxas/$m.ptxas.txt" "$out/obj/plain/$m.o")
done
perl "$emu/smem-table.pl" "$out/gen/smem_table.cpp.new" "${table_args[@]}"
if ! cmp -s "$out/gen/smem_table.cpp.new" "$out/gen/smem_table.cpp"; then
  mv "$out/gen/smem_table.cpp.new" "$out/gen/smem_table.cpp"
else
  rm "$out/gen/smem_table.cpp.new"
fi
for flavour in plain asan; do
  if [ "$flavour" = plain ]; then flags=("${plain[@]}"); else flags=("${asan[@]}"); fi
  if stale "$out/obj/$flavour/smem_table.o" "$out/gen/smem_table.cpp" "${shared_deps[@]}"; then
    submit "$out/log/$flavour-smem.log" "$cxx" "${common[@]}" "${flags[@]}" -c "$out/gen/smem_table.cpp" \
      -o "$out/obj/$flavour/smem_table.o"
  fi
done
drain

# 4. Link, exporting only the C ABI (jgemu_*). A library is linked again only when an object, the
#    export map or this script is newer than it.
printf '{\n  global: jgemu_*;\n  local: *;\n};\n' | write_if_changed "$out/gen/exports.map"
link=(-shared -pthread -Wl,--version-script="$out/gen/exports.map" -Wl,-z,defs)
for flavour in plain asan; do
  if [ "$flavour" = plain ]; then flags=("${plain[@]}"); suffix=; else flags=("${asan[@]}"); suffix=-asan; fi
  objs=("$out/obj/$flavour/runtime.o" "$out/obj/$flavour/smem_table.o")
  for m in "${modules[@]}"; do [ "$m" != selftest ] && objs+=("$out/obj/$flavour/$m.o"); done
  if stale "$out/libjgrad-cuda-emu$suffix.so" "${objs[@]}" "$out/gen/exports.map" "${BASH_SOURCE[0]}"; then
    submit "$out/log/link-$flavour.log" "$cxx" "${link[@]}" "${flags[@]}" -o "$out/libjgrad-cuda-emu$suffix.so" "${objs[@]}"
  fi
  if stale "$out/test/libjgemu-test$suffix.so" "${objs[@]}" "$out/obj/$flavour/selftest.o" "$out/gen/exports.map" "${BASH_SOURCE[0]}"; then
    submit "$out/log/link-test-$flavour.log" "$cxx" "${link[@]}" "${flags[@]}" -o "$out/test/libjgemu-test$suffix.so" \
      "${objs[@]}" "$out/obj/$flavour/selftest.o"
  fi
done
# 5. libcuda.so.1 over the plain emulation, for JCuda itself (libcuda_shim.cpp): exports the driver
# entry points and the C ABI, binds its own symbols first.
mkdir -p "$out/jcuda"
printf '{\n  global: cu*; jgemu_*;\n  local: *;\n};\n' | write_if_changed "$out/gen/shim.map"
objs=("$out/obj/plain/libcuda_shim.o" "$out/obj/plain/runtime.o" "$out/obj/plain/smem_table.o")
for m in "${modules[@]}"; do [ "$m" != selftest ] && objs+=("$out/obj/plain/$m.o"); done
if stale "$out/jcuda/libcuda.so.1" "${objs[@]}" "$out/gen/shim.map" "${BASH_SOURCE[0]}"; then
  submit "$out/log/link-libcuda-shim.log" "$cxx" -shared -pthread -Wl,-soname,libcuda.so.1 -Wl,-Bsymbolic \
    -Wl,--version-script="$out/gen/shim.map" -Wl,-z,defs "${plain[@]}" -o "$out/jcuda/libcuda.so.1" "${objs[@]}"
fi
drain
# The sanitized library needs its runtime first in the process (LD_PRELOAD): tests/pom.xml points
# the test JVM at this link.
libasan=$("$cxx" -print-file-name=libasan.so)
[ -e "$libasan" ] && ln -sf "$(readlink -f "$libasan")" "$out/libasan.so"
count=$(cat "$out"/gen/*.kernels | wc -l)
echo "native-kernels: CUDA emulator built in $(( $(date +%s) - start )) s: ${#modules[@]} modules, $count kernels -> $out"
