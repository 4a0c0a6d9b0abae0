#!/usr/bin/env bash
# Builds and runs the two example projects against the jgrad artifacts that `mvn install` put in
# the local repository, as a user's build would see them (./jgrad test runs this after the suite):
#   consumer/         a CPU-only application: trains XOR, saves it, reloads it. Run on the class
#                     path, on the module path, and on a JVM without the Vector API module. Its
#                     dependency tree must hold no JCuda, no fatbins, no picocli, no chart library.
#   example-backend/  a third-party backend found through ServiceLoader; its test runs the
#                     published conformance suite on it (and on a broken copy of it).
# Needs JAVA_HOME = a JDK 25 and mvn. Extra arguments go to Maven (e.g. -o). Writes
# target/examples-report.txt (sizes, runs) next to this script.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mvn_args=(-B -ntp -q -Dstyle.color=never "$@")
java=${JAVA_HOME:?JAVA_HOME must point to a JDK 25}/bin/java
report=$here/target/examples-report.txt
mkdir -p "$here/target"
: > "$report"
say() { echo "examples: $*"; echo "$*" >> "$report"; }
fail() { echo "examples: FAILED: $*" >&2; exit 1; }

# ---------------------------------------------------------------- the consumer
c=$here/consumer
rm -rf "$c/target"
mvn "${mvn_args[@]}" -f "$c/pom.xml" package
jars=$(cd "$c/target/lib" && ls)
say "consumer's runtime dependencies: $(echo $jars | tr ' ' ',')"
for bad in jcuda jcublas jgrad-cuda picocli xchart jgrad-cli jgrad-onnx protobuf; do
  if echo "$jars" | grep -qi "$bad"; then fail "the CPU-only consumer pulls in $bad"; fi
done
for j in "$c"/target/lib/*.jar; do
  if unzip -l "$j" | grep -qE '\.fatbin|\.so$|\.dll$'; then fail "$(basename "$j") holds native code or fatbins"; fi
done
bytes=$(cat "$c"/target/lib/*.jar | wc -c)
say "consumer's transitive size: $bytes bytes ($(( (bytes + 512) / 1024 )) KiB) in $(echo "$jars" | wc -l) jars"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {  # run LABEL EXPECT... -- JAVA_ARGS...
  local label=$1; shift
  local expect=()
  while [ "$1" != -- ]; do expect+=("$1"); shift; done
  shift
  local out rc=0
  out=$("$java" "$@" 2>&1) || rc=$?
  echo "$out" | sed "s/^/  [$label] /"
  [ $rc = 0 ] || fail "$label: exit $rc"
  for e in "${expect[@]}"; do echo "$out" | grep -qF -- "$e" || fail "$label: output lacks '$e'"; done
  say "$label: ok ($(echo "$out" | grep -F 'XOR loss' | head -1))"
}
cp_path="$c/target/classes:$(ls "$c"/target/lib/*.jar | paste -sd:)"
run "class path" "device cpu-vectorized" "module unnamed" "4/4 right" -- \
  --add-modules jdk.incubator.vector -cp "$cp_path" dev.jgrad.example.Example "$tmp/cp.safetensors"
run "module path" "device cpu-vectorized" "module dev.jgrad.example" "4/4 right" -- \
  --add-modules jdk.incubator.vector -p "$c/target/classes:$c/target/lib" -m dev.jgrad.example/dev.jgrad.example.Example "$tmp/mp.safetensors"
run "no Vector API" "device cpu-looped" "--add-modules jdk.incubator.vector" "4/4 right" -- \
  -cp "$cp_path" dev.jgrad.example.Example "$tmp/nv.safetensors"
run "module path, no Vector API" "device cpu-looped" "module dev.jgrad.example" "4/4 right" -- \
  -p "$c/target/classes:$c/target/lib" -m dev.jgrad.example/dev.jgrad.example.Example "$tmp/mpnv.safetensors"

# ---------------------------------------------------------------- jgrad-cuda on the module path
# The CUDA backend as an automatic module next to JCuda's jars: its fatbins and JCuda's natives are
# found from named modules. No GPU here, so JCuda runs over the CUDA emulation's libcuda.so.1.
repo=$(cd "$here/.." && pwd)
shim=$repo/native-kernels/target/emu/jcuda
if [ -f "$shim/libcuda.so.1" ]; then
  mp="$(ls "$repo"/nn/cli/target/jgrad-cli-*.jar | grep -v -- '-sources\|-javadoc' | head -1):$(cat "$repo/nn/cli/target/classpath.txt")"
  out=$(LD_LIBRARY_PATH=$shim "$java" --add-modules jdk.incubator.vector,ALL-MODULE-PATH --enable-native-access=ALL-MODULE-PATH \
        -Djgrad.cuda.emulate=jcuda -Djgrad.device=cuda -p "$mp" -m dev.jgrad.cli/dev.jgrad.cli.Main demo 2>&1) \
    || { echo "$out"; fail "jgrad-cuda on the module path: the demo failed"; }
  echo "$out" | grep -q "Linear regression on cuda (emulated via JCuda)" || { echo "$out"; fail "jgrad-cuda on the module path: not on CUDA"; }
  say "jgrad-cuda on the module path: ok ($(echo "$out" | grep 'recovered w'))"
else
  say "jgrad-cuda on the module path: not checked (no CUDA emulation built: $shim)"
fi

# ---------------------------------------------------------------- the third-party backend
b=$here/example-backend
rm -rf "$b/target"
mvn "${mvn_args[@]}" -f "$b/pom.xml" verify
grep -h "conformance on" "$b"/target/surefire-reports/*-output.txt 2>/dev/null | sed 's/^/  /' || true
tests=$(sed -n 's/.*tests="\([0-9]*\)".*failures="\([0-9]*\)".*/\1 tests, \2 failures/p' "$b"/target/surefire-reports/TEST-*.xml | head -1)
say "example backend: $tests in its own test class; $(grep -h 'conformance on' "$b"/target/surefire-reports/*-output.txt 2>/dev/null | paste -sd';' || echo 'see surefire-reports')"
echo "examples: all passed (report: $report)"
