# Runs a test step with a deadline, so a hung test fails the run with a diagnosis instead of
# letting CI wait for its own time limit. Sourced by scripts/test.sh.
#   run_with_deadline SECONDS LOG COMMAND...   tees the command's output to LOG; on expiry prints the
#   Swift tests that started and never finished and the processes still running, kills the command's
#   whole process tree, and returns 124.
run_with_deadline() {
    local seconds=$1 log=$2; shift 2
    "$@" > >(tee "$log") 2>&1 &
    local pid=$! waited=0
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$seconds" ]; do sleep 1; waited=$((waited + 1)); done
    if ! kill -0 "$pid" 2>/dev/null; then
        local status=0
        wait "$pid" || status=$?
        wait  # the tee has printed everything
        return "$status"
    fi
    echo "== '$*' did not finish within $seconds s"
    echo "Swift tests started and not finished:"
    grep -o '◇ Test [^ ]* started' "$log" | sed 's/◇ Test \(.*\) started/\1/' | sort -u > "$log.started" || true
    grep -oE '[✔✘] Test [^ ]* .*(passed|failed)' "$log" | sed -E 's/[✔✘] Test ([^ ]*) .*/\1/' | sort -u > "$log.ended" || true
    comm -23 "$log.started" "$log.ended" | sed 's/^/  /'
    echo "Processes still running:"
    ps -eo pid,ppid,etime,args --forest | awk 'NR == 1 || ($1 != 2 && $2 != 2)' | grep -vE ' (ps|awk) ' | cut -c1-200 | tail -n 40
    # The whole tree, not a process group: swift test runs the test binary in a group of its own, and a
    # test binary left behind would keep the output pipe (and so CI) open.
    kill -KILL $(process_tree "$pid") 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    wait
    return 124
}

# A process and all its descendants, parents first.
process_tree() {
    echo "$1"
    local child
    for child in $(ps -o pid= --ppid "$1"); do process_tree "$child"; done
}
