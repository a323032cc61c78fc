# shellcheck shell=sh
# Sourced by scripts/check.sh and scripts/check-cross.sh: each suite's
# "N passed, N failed" summed into total_passed and total_failed (the
# caller sets both to 0), so that every test command ends with one total.

# Adds a suite's "N passed, N failed" line to the totals; a suite that
# crashed before printing one counts as one failure.
count() {
	name=$1 log=$2 rc=$3
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
	elif [ "$rc" -eq 0 ]; then
		p=1 f=0
	else
		p=0 f=1
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	fi
	total_passed=$((total_passed + p))
	total_failed=$((total_failed + f))
	if [ "$f" -ne 0 ]; then
		echo "FAIL $name: $p passed, $f failed (log: $log)"
		grep -E '^(FAIL|not ok)|failed$|CHECK|Error|ERROR|runtime error' "$log" | head -n 20 | sed 's/^/    /'
	else
		echo "ok   $name: $p passed"
	fi
}
