#!/usr/bin/env bash
# make test: every test of every part. Each part runs even when an earlier one
# failed, so one report shows everything; the exit code is non-zero if any
# test or check failed. The last line counts them all.
source "$(dirname "$0")/lib.sh"
trap - ERR
set +e
cd "$ROOT"

RESULTS="$(mktemp -d)"
trap 'rm -rf "$RESULTS"' EXIT
failed_parts=()
# Each step's time, said at the end: make test's time on a fresh machine is a budget (45 min).
took=()
since=$SECONDS
timed() { took+=("$1 $((SECONDS - since)) s"); since=$SECONDS; }

step 1 7 "lint (ESLint, Prettier, gofmt, go vet)"
bash scripts/lint.sh >"$RESULTS/lint.log" 2>&1
if [ $? -eq 0 ]; then info "clean"; else cat "$RESULTS/lint.log"; failed_parts+=("lint"); fi
timed lint

step 2 7 "kernel-bridge's tests (jest)"
(cd kernel-bridge && SLOWMO_JEST_JSON="$RESULTS" npm test --silent)
[ $? -eq 0 ] || failed_parts+=("kernel-bridge tests")
timed kernel-bridge

# Two jobs that time nothing run beside the extension's tests, whose browser tests leave about a
# third of the two cores idle: the Binder check (a whole setup as another user, 2.5 minutes alone;
# its report comes at this step's end) and the container image's build (minutes on a fresh
# machine; step 6 checks the image, and builds it itself if this build failed). They run at the
# lowest CPU and I/O priority, so they take only what the browser tests leave: at the same
# priority, on a fresh machine, they slowed the browser so much that a test of the stop button's
# response failed. Neither may run on into the steps that measure time: this step waits for both.
background() { nice -n 19 ionice -c 2 -n 7 "$@"; }
step 3 7 "the notebook extension's tests (jest, then the browser tests), with the Binder path checked and the container image built beside them"
background node scripts/binder-check.mjs >"$RESULTS/binder.log" 2>&1 &
binder_pid=$!
background node scripts/container-check.mjs --only image >"$RESULTS/image.log" 2>&1 &
image_pid=$!
(cd jupyter-ext && SLOWMO_JEST_JSON="$RESULTS" npm test --silent)
[ $? -eq 0 ] || failed_parts+=("notebook extension tests")
wait "$image_pid"
info "the container image: $(grep -oE 'podman build -f containers/Dockerfile: [a-z]+ in [0-9]+ s' "$RESULTS/image.log" || echo "not built here (step 6 builds it)")"
info "the Binder path (binder/postBuild as an unprivileged user, then the bridge through Jupyter's proxy):"
wait "$binder_pid"
binder_rc=$?
grep -E '^\s+(PASS|FAIL)|^binder check' "$RESULTS/binder.log"
[ "$binder_rc" -eq 0 ] || { tail -40 "$RESULTS/binder.log"; failed_parts+=("Binder path"); }
read -r binder_pass binder_fail < <(sed -nE 's/^binder check: ([0-9]+) passed, ([0-9]+) failed.*/\1 \2/p' "$RESULTS/binder.log")
binder_pass=${binder_pass:-0}
binder_fail=${binder_fail:-0}
timed "extension (Binder and image beside)"

# The lessons' checkpoints alone, one test file at a time: several of them need two goroutines
# running at once on the two cores for milliseconds (steals, parallel Ps), which another jest
# worker's test beside them took away once in a few runs.
step 4 7 "the lessons' checkpoints (their solutions, starters and suites, with the cores to themselves)"
(cd kernel-bridge && SLOWMO_JEST_JSON="$RESULTS" npm run --silent test:lessons)
[ $? -eq 0 ] || failed_parts+=("lessons")
timed lessons

step 5 7 "Go tests (bpf/)$([ -n "${CI:-}" ] && echo ': CI is set, so eBPF tests that cannot load fail')"
(cd bpf && go test -count=1 -v ./... 2>&1) | tee "$RESULTS/go.log" | grep -E '^(=== RUN|\s*--- (PASS|FAIL|SKIP)|ok|FAIL|PASS|panic)' | grep -v '^=== RUN'
[ "${PIPESTATUS[0]}" -eq 0 ] || { grep -vE '^(=== RUN|\s*--- PASS)' "$RESULTS/go.log" | tail -40; failed_parts+=("Go tests"); }
timed Go

# Its own step, not among the other jest tests: the image is built in step 3 (here only when that
# build failed), and its roles run programs under eBPF that the lessons' timing checks would share.
step 6 7 "the container image (podman builds containers/Dockerfile and runs its roles)"
(cd kernel-bridge && SLOWMO_JEST_JSON="$RESULTS" npm run --silent test:container)
[ $? -eq 0 ] || failed_parts+=("container image")
timed container

step 7 7 "mutations (core behaviours broken on purpose: the tests that guard them must fail)"
node scripts/mutate.mjs 2>&1 | tee "$RESULTS/mutate.log" | grep -E '^\s+(PASS|FAIL)|^mutation check'
[ "${PIPESTATUS[0]}" -eq 0 ] || failed_parts+=("mutations")
read -r mut_pass mut_fail < <(sed -nE 's/^mutation check: ([0-9]+) killed, ([0-9]+) not.*/\1 \2/p' "$RESULTS/mutate.log")
mut_pass=${mut_pass:-0}
mut_fail=${mut_fail:-0}
timed mutations

# Count every test of every part; jest's failures are named here, printed below with Go's.
jest_report="$(node scripts/jest-report.mjs "$RESULTS")"
read -r js_pass js_fail js_skip < <(tail -n 1 <<<"$jest_report")
# Go: a test case is a test without subtests, or a subtest; a parent that only
# groups subtests is not one more case (its verdict is theirs).
read -r go_pass go_fail go_skip < <(awk '
  function flush(  name, p) {
    for (name in verdict) { p = name; while (sub(/\/[^\/]*$/, "", p)) parent[p] = 1 }
    for (name in verdict) if (!(name in parent)) count[verdict[name]]++
    delete verdict; delete parent
  }
  /^[ \t]*--- (PASS|FAIL|SKIP): / { verdict[$3] = $2 }
  /^panic:|^FAIL[ \t]+[^ \t]+[ \t]+\[(build|setup) failed\]/ { broken++ }
  /^(ok|FAIL)[ \t]/ { flush() }  # one package ends: names may repeat in the next
  END { flush(); print count["PASS:"] + 0, count["FAIL:"] + broken, count["SKIP:"] + 0 }
' "$RESULTS/go.log")

# Name every failure at the end: a CI log that keeps only its tail still says what failed.
failures=$(
head -n -1 <<<"$jest_report"
# Go: each failed test with the lines it logged (go test -v names the test
# that speaks next with === RUN, === CONT or === NAME).
awk '
  /^=== (RUN|CONT|NAME|PAUSE) / { current = $3; next }
  /^[ \t]+[A-Za-z0-9_]+_test\.go:[0-9]+: / { said[current] = said[current] "\n        " substr($0, match($0, /[^ \t]/)) }
  /^[ \t]*--- FAIL: / {
    name = $3; printf "    FAILED go: %s", name
    n = split(said[name], lines, "\n"); for (i = 2; i <= n && i <= 7; i++) printf "\n%s", substr(lines[i], 1, 168)
    printf "\n"
  }
' "$RESULTS/go.log"
grep -E '^\s+FAIL ' "$RESULTS/binder.log" "$RESULTS/mutate.log" 2>/dev/null | sed -E 's/^[^:]*:\s+FAIL /    FAILED /'
)
if [ -n "$failures" ]; then
  printf '%s\n' "$failures"
  # Then their names alone, last: a tail too short for every reason above still has them all.
  printf '\n    Failed (%s):\n' "$(grep -c '^    FAILED' <<<"$failures")"
  grep '^    FAILED' <<<"$failures" | cut -c1-170 | sed 's/^    FAILED /      /'
fi

printf '\n    TypeScript: %s passed, %s failed, %s skipped\n' "$js_pass" "$js_fail" "$js_skip"
printf '    Go:         %s passed, %s failed, %s skipped\n' "$go_pass" "$go_fail" "$go_skip"
printf '    Binder:     %s passed, %s failed\n' "$binder_pass" "$binder_fail"
printf '    Mutations:  %s killed, %s survived\n' "$mut_pass" "$mut_fail"
if [ ${#failed_parts[@]} -gt 0 ]; then
  printf '    failed: %s\n' "${failed_parts[*]}"
fi
printf '    time: %s\n' "$(IFS=,; echo "${took[*]}" | sed 's/,/ · /g')"
total_fail=$((js_fail + go_fail + binder_fail + mut_fail))
if [ ${#failed_parts[@]} -gt 0 ] && [ "$total_fail" -eq 0 ]; then total_fail=1; fi
echo
echo "total: $((js_pass + go_pass + binder_pass + mut_pass)) passed, $total_fail failed, $((js_skip + go_skip)) skipped"
echo "    (test cases: jest tests, Go tests and subtests without subtests of their own, Binder checks, mutations killed)"
[ ${#failed_parts[@]} -eq 0 ]
