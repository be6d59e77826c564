# Runs a test step with a deadline, so a hung test fails the run with a diagnosis instead of
# letting CI wait for its own time limit. Sourced by scripts/test.sh.
#   run_with_deadline SECONDS LOG COMMAND...   tees the command's output to LOG; on expiry prints the
#   Swift tests that started and never finished, and the processes still running, then fails.
run_with_deadline() {
    local seconds=$1 log=$2; shift 2
    local status=0
    # timeout (not --foreground) signals the command's whole process group: the test servers it
    # started go with it.
    timeout --kill-after=30 "$seconds" "$@" > >(tee "$log") 2>&1 || status=$?
    wait  # the tee of the process substitution has printed everything
    if [ "$status" = 124 ] || [ "$status" = 137 ]; then
        echo "== '$*' did not finish within $seconds s"
        echo "Swift tests started and not finished:"
        grep -o '◇ Test [^ ]* started' "$log" | sed 's/◇ Test \(.*\) started/\1/' | sort -u > "$log.started" || true
        grep -oE '[✔✘] Test [^ ]* .*(passed|failed)' "$log" | sed -E 's/[✔✘] Test ([^ ]*) .*/\1/' | sort -u > "$log.ended" || true
        comm -23 "$log.started" "$log.ended" | sed 's/^/  /'
        echo "Processes still running:"
        ps -eo pid,ppid,etime,args --forest | awk 'NR == 1 || ($1 != 2 && $2 != 2)' | grep -vE ' (ps|awk) ' | cut -c1-200 | tail -n 40
    fi
    return "$status"
}
