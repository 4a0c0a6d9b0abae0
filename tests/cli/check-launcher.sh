#!/usr/bin/env bash
# Checks the launcher ./jgrad as a user meets it (issue 13, the command line):
#   - without a command it prints the usage (exit 2), and runs neither Maven, nor apt-get, nor a training;
#   - once the build is current, `jgrad devices` starts without Maven, in about a second;
#   - a change to a source, or a file added under src/, makes it build again;
#   - run from another directory (and through a symlink), relative paths are the user's: train
#     --save/--plot write there and print the real paths, eval reads a relative checkpoint;
#   - bad usage is exit code 2 before any work.
# Usage: tests/cli/check-launcher.sh   (from any directory; about 10 s once the CLI is built, plus
# one Maven build of the CLI, ~30 s, when it is not current). Exits non-zero at the first failure.
# Maven and apt-get are replaced by stand-ins that record their calls wherever no build is wanted.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)
jgrad=$root/jgrad
work=$(mktemp -d)
started=$(date +%s)

refs=() targets=()   # targets[i] gets the time of refs[i] back (restore_times, and at exit)
restore_times() {
  local i
  for i in "${!refs[@]}"; do touch -r "${refs[$i]}" "${targets[$i]}"; done
}
cleanup() {
  rm -f "$root/nn/cli/src/main/resources/check-launcher.tmp"
  restore_times
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "check-launcher: FAIL: $*" >&2; exit 1; }
ok() { echo "check-launcher: ok: $*"; }
millis() { date +%s%3N; }

# Stand-ins: `fake/` answers 97 (a build that must not happen fails loudly), `fakeok/` 0.
mkdir -p "$work/fake" "$work/fakeok" "$work/user/runs"
for tool in mvn apt-get; do
  printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\nexit 97\n' "$tool" "$work" > "$work/fake/$tool"
  printf '#!/bin/sh\necho "%s $*" >> "%s/calls"\nexit 0\n' "$tool" "$work" > "$work/fakeok/$tool"
  chmod +x "$work/fake/$tool" "$work/fakeok/$tool"
done
calls() { cat "$work/calls" 2>/dev/null || true; }
no_calls() { [ ! -s "$work/calls" ] || fail "$1 called: $(calls)"; }
fake() { PATH="$work/fake:$PATH" "$@"; }

# 1. No command, help, an unknown command: the usage, nothing else.
cd "$work/user"
rc=0; fake "$jgrad" > "$work/out" 2> "$work/err" || rc=$?
[ "$rc" = 2 ] || fail "jgrad without a command: exit code $rc, not 2"
[ ! -s "$work/out" ] || fail "jgrad without a command printed on stdout: $(cat "$work/out")"
grep -q '^usage: jgrad COMMAND' "$work/err" && grep -q '^  train ' "$work/err" && grep -q '^  bench ' "$work/err" \
  || fail "jgrad without a command: no usage on stderr: $(cat "$work/err")"
no_calls "jgrad without a command"
rc=0; fake "$jgrad" --help > "$work/out" 2>&1 || rc=$?
[ "$rc" = 0 ] && grep -q '^usage: jgrad COMMAND' "$work/out" || fail "jgrad --help: exit code $rc: $(cat "$work/out")"
rc=0; fake "$jgrad" trian > "$work/out" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "unknown command 'trian'" "$work/out" || fail "jgrad trian: exit code $rc: $(cat "$work/out")"
no_calls "jgrad --help / jgrad trian"
ok "no command: usage on stderr, exit code 2; --help exit code 0; nothing built, installed or trained"

# 2. Bring the build up to date (a real Maven run when it is not), then time a second start.
t0=$(millis)
"$jgrad" devices > "$work/out" 2>&1 || fail "jgrad devices (with a build if needed): $(cat "$work/out")"
first=$(( $(millis) - t0 ))
t0=$(millis)
fake "$jgrad" devices > "$work/out" 2>&1 || fail "second jgrad devices: $(cat "$work/out")"
second=$(( $(millis) - t0 ))
no_calls "the second jgrad devices"
grep -q '^kernel sets: ' "$work/out" || fail "jgrad devices printed no kernel sets: $(cat "$work/out")"
[ "$second" -lt 3000 ] || fail "the second jgrad devices took $second ms (the target is about a second)"
ok "jgrad devices: first run $first ms (with a build if one was due), second run $second ms without Maven"

# 3. A changed source, or a file added under src/, builds again (with the recording stand-in: the
#    build tree is left as it was, times restored at exit).
stamp=$root/nn/cli/target/jgrad-launcher.stamp
source_file=$root/nn/cli/src/main/java/dev/jgrad/cli/Main.java
resources=$root/nn/cli/src/main/resources
for f in "$stamp" "$source_file" "$resources"; do
  ref="$work/ref.$(basename "$f")"; touch -r "$f" "$ref"; refs+=("$ref"); targets+=("$f")
done
touch "$source_file"
PATH="$work/fakeok:$PATH" "$jgrad" devices > "$work/out" 2>&1 || fail "jgrad devices after a change: $(cat "$work/out")"
calls | grep -q '^mvn .*package -pl nn/cli -am' || fail "a changed Main.java did not run Maven: $(calls)"
: > "$work/calls"
touch -r "$work/ref.$(basename "$source_file")" "$source_file"
touch -r "$work/ref.$(basename "$stamp")" "$stamp"
touch "$resources/check-launcher.tmp"
PATH="$work/fakeok:$PATH" "$jgrad" devices > "$work/out" 2>&1 || fail "jgrad devices after an added file: $(cat "$work/out")"
calls | grep -q '^mvn ' || fail "a file added under nn/cli/src did not run Maven"
rm -f "$resources/check-launcher.tmp"
restore_times
: > "$work/calls"
fake "$jgrad" devices > /dev/null 2>&1 || fail "the build is not current again after restoring the times: $(calls)"
no_calls "jgrad devices after restoring the times"
ok "a changed source or an added file runs Maven; an unchanged tree does not"

# 4. From another directory, through a symlink: the user's relative paths.
ln -s "$jgrad" "$work/jgrad-link"
data=$root/tests/src/test/resources/fashion-mnist-subset
fake "$work/jgrad-link" train --model softmax --epochs 1 --train-limit 200 --val-fraction 0 --device cpu \
  --data-dir "$data" --save runs/rel.safetensors --plot curves.png > "$work/out" 2>&1 \
  || fail "train from $work/user: $(cat "$work/out")"
[ -s "$work/user/runs/rel.safetensors" ] && [ -s "$work/user/curves.png" ] || fail "train did not write into $work/user: $(ls -R "$work/user")"
grep -qxF "saved $work/user/runs/rel.safetensors" "$work/out" || fail "train did not print the real path: $(cat "$work/out")"
grep -qxF "wrote $work/user/curves.png" "$work/out" || fail "train did not print the plot's real path: $(cat "$work/out")"
[ ! -e "$root/runs/rel.safetensors" ] && [ ! -e "$root/curves.png" ] || fail "train wrote into the repository"
rel_data=$(realpath --relative-to="$work/user" "$data")
fake "$jgrad" eval runs/rel.safetensors --data-dir "$rel_data" --device cpu > "$work/out" 2>&1 \
  || fail "eval of a relative checkpoint: $(cat "$work/out")"
grep -q "^$work/user/runs/rel.safetensors (softmax) on cpu" "$work/out" || fail "eval: $(cat "$work/out")"
no_calls "train/eval with --data-dir"
ok "from $work/user through a symlink: train --save/--plot wrote there and printed the real paths; eval read a relative checkpoint"

# 5. Bad usage before any work; train's help needs no data.
rc=0; fake "$jgrad" train --epochs -1 --data-dir "$data" > "$work/out" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q -- '--epochs: must be at least 1, got -1' "$work/out" || fail "train --epochs -1: exit code $rc: $(cat "$work/out")"
rc=0; fake "$jgrad" train --plot missing/c.png --data-dir "$data" > "$work/out" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -qF -- "--plot: the directory $work/user/missing does not exist" "$work/out" \
  || fail "train --plot missing/c.png: exit code $rc: $(cat "$work/out")"
! grep -q '^training ' "$work/out" || fail "training started despite the bad --plot"
rc=0; fake "$jgrad" train --help > "$work/out" 2>&1 || rc=$?
[ "$rc" = 0 ] && grep -q '(default: 128)' "$work/out" || fail "train --help: exit code $rc: $(cat "$work/out")"
rc=0; fake "$jgrad" --version > "$work/out" 2>&1 || rc=$?
[ "$rc" = 0 ] && grep -q '^jgrad [0-9]' "$work/out" || fail "jgrad --version: exit code $rc: $(cat "$work/out")"
no_calls "bad usage, train --help, --version"
ok "train --epochs -1 and --plot into a missing directory: exit code 2 before training; train --help and --version need no data"

echo "check-launcher: all passed in $(( $(date +%s) - started )) s"
