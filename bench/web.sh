#!/usr/bin/env bash
# web.sh: the web benchmark (issue 7, item 8; make bench).
#
# Loads the national demo (seed 1) into an SQLite database once and keeps it
# under bench/out/web/, keyed by the build's version, schema and commit
# (BENCH_FRESH=1 builds it again; the load takes minutes).  Picks the trust
# whose headcount (`cadre staff summary`) is nearest 10,000, makes an account
# holding chief_people_officer over it and signs in over HTTP (the sign-in
# form's CSRF token, then POST /sign-in) for a session cookie.  Then, in this
# run, with the release build (build/cadre serve, its default thread pool, a
# fresh process for each run) pinned to one core and wrk pinned to another:
#   org     GET /orgs/TRUST, the trust's organisation page (HTML)
#   api     GET /api/v1/orgs/TRUST/summary, its API summary (JSON); the
#           organisation's API reply /api/v1/orgs/TRUST while the summary
#           route is missing (a 404); BENCH_API_PATH overrides
# and nginx, from bench/nginx.conf.in (a private prefix in a temp folder, a
# free port, the invoking user, pinned to the same core as Cadre was),
# serving static files of exactly the sizes (and bytes) of those two replies,
# each at 32, 64 and 256 connections for BENCH_SECONDS (default 30) seconds.
# wrk sends the session cookie to both.  Every reply must be a 200: the
# count of others comes from each server's own log of the run (wrk would
# count a 3xx, such as a redirect to the sign-in page, as a success), beside
# wrk's socket errors and timeouts (2 s).  Prints requests per second, p50
# and p99 latency, the server's own median time, non-200 replies and errors,
# the server's CPU use and requests per CPU second (steadier than requests
# per second on a shared machine), the ratios to nginx at the same
# connection count, and Cadre's peak memory (VmHWM, the most of any run).
# Targets (issue 7): p99 under 20 ms at 32 connections; at 256 connections
# no errors and at least 25% of nginx's requests per second; server memory
# under 500 MB.  Each is printed as met or NOT met; the exit status is
# non-zero only when the benchmark itself fails (a server that does not
# start, a sign-in that does not work), never for a missed target: the
# machine may be shared, and the load average is shown.  A server that has
# not stopped 10 s after SIGTERM is killed and the report says so.
#
#   bench/web.sh [--keep]          --keep leaves the run's folder (logs, wrk output)
#   BENCH_SECONDS=5 BENCH_CONNS="32 256" bench/web.sh   a quick try
#   BENCH_THREADS=N                cadre serve --threads N (default: the server's own)
#   BENCH_CADRE=FILE               measure another build of cadre (default build/cadre)
#   BENCH_DB_DIR=DIR               the cached database's folder (to measure a variant of it)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cadre=${BENCH_CADRE:-$root/build/cadre}
seconds=${BENCH_SECONDS:-30}
conns=${BENCH_CONNS:-32 64 256}
keep=0
while [ $# -gt 0 ]; do
	case "$1" in
	--keep) keep=1; shift ;;
	*) echo "usage: bench/web.sh [--keep]  (env: BENCH_SECONDS, BENCH_CONNS, BENCH_THREADS, BENCH_CADRE, BENCH_DB_DIR, BENCH_API_PATH, BENCH_FRESH)" >&2; exit 2 ;;
	esac
done
die() { echo "web.sh: $*" >&2; exit 1; }
[ -x "$cadre" ] || die "$cadre missing: run scripts/build release"
for t in wrk curl taskset python3; do
	command -v "$t" >/dev/null || die "$t is needed (scripts/install-deps)"
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || die "nginx is needed (scripts/install-deps installs nginx-light)"
case "$seconds" in '' | *[!0-9]*) die "BENCH_SECONDS must be a whole number" ;; esac

# Two cores: the server (Cadre, then nginx) on the first, wrk on the second.
cpus=$(taskset -cp $$ | sed 's/.*: //')
mapfile -t allowed < <(python3 -c 'import os; print("\n".join(map(str, sorted(os.sched_getaffinity(0)))))')
if [ ${#allowed[@]} -ge 2 ]; then
	pin_srv=(taskset -c "${allowed[0]}")
	pin_wrk=(taskset -c "${allowed[1]}")
	pinning="server on core ${allowed[0]}, wrk on core ${allowed[1]}"
else
	pin_srv=()
	pin_wrk=()
	pinning="NOT pinned: only core(s) $cpus available"
fi

export CADRE_DATA_DIR=$root/data
unset CADRE_CONFIG CADRE_DB CADRE_LISTEN

# ---- the national demo database, cached ---------------------------------------------------
# Keyed by the build's version, schema and commit: a new commit may load the
# demo differently without a new schema version, and `migrate --check`
# catches a migration added below the highest one.
ver=$("$cadre" version --verbose | sed -n 's/^cadre: //p')
schema=$("$cadre" version --verbose | sed -n 's/^schema: //p')
commit=$("$cadre" version --verbose | sed -n 's/^commit: //p')
cache=${BENCH_DB_DIR:-$root/bench/out/web/national-$ver-schema$schema-${commit:-unknown}}
db=$cache/cadre.db
export CADRE_SECRETS_FILE=$cache/secrets.ini
[ "${BENCH_FRESH:-0}" = 1 ] && rm -rf "$cache"
if [ -f "$cache/.done" ] && ! "$cadre" --db "$db" migrate --check >/dev/null 2>&1; then
	rm -f "$cache/.done"
fi
if [ ! -f "$cache/.done" ]; then
	echo "== loading the national demo (seed 1) into $cache (once per build; minutes)"
	# one cached database at a time: each is about 2 GB
	[ -n "${BENCH_DB_DIR:-}" ] || rm -rf "$root"/bench/out/web/national-*
	rm -rf "$cache"
	mkdir -p "$cache/demo"
	"$cadre" demo generate --scale national --seed 1 --out "$cache/demo" --quiet
	(cd "$cache" && "$cadre" --db "$db" init >"$cache/init.log" 2>&1) || {
		cat "$cache/init.log" >&2
		exit 1
	}
	"$cadre" --db "$db" demo load "$cache/demo" | sed 's/^/   /'
	# The trust nearest 10,000 staff: the demo's target FTE narrows the
	# candidates, `cadre staff summary` (distinct people in post) decides.
	best=
	bestd=
	for code in $(python3 - "$cache/demo/organisations.csv" <<'PY'
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f:
    for r in csv.DictReader(f):
        if r["org_type"] != "icb" and 6000 <= float(r["target_fte"] or 0) <= 14000:
            print(r["org_code"])
PY
	); do
		hc=$("$cadre" --db "$db" staff summary --org "$code" --json |
			python3 -c 'import json, sys; print(json.load(sys.stdin)["headcount"])')
		d=$((hc > 10000 ? hc - 10000 : 10000 - hc))
		if [ -z "$bestd" ] || [ "$d" -lt "$bestd" ]; then
			best=$code
			bestd=$d
			besthc=$hc
		fi
	done
	[ -n "$best" ] || die "no trust of about 10,000 staff in the national demo"
	echo "$best $besthc" >"$cache/trust"
	# The benchmark's account; its password is kept beside the database
	# (both are this benchmark's only, in a git-ignored folder).
	python3 -c 'import secrets; print(secrets.token_urlsafe(18))' >"$cache/password"
	chmod 600 "$cache/password"
	"$cadre" --db "$db" user add --email "bench@bench.cadre.test" --name "Benchmark" \
		--role chief_people_officer --org "$best" --password-stdin <"$cache/password" >/dev/null
	rm -rf "$cache/demo"
	touch "$cache/.done"
fi
read -r trust headcount <"$cache/trust"
password=$(cat "$cache/password")

# ---- this run's folder, the server ---------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/cadre-webbench.XXXXXX")
srv_pid=
ngx_pid=
cleanup() {
	[ -z "$srv_pid" ] || { kill -KILL "$srv_pid" 2>/dev/null && wait "$srv_pid" 2>/dev/null; } || true
	[ -z "$ngx_pid" ] || { kill "$ngx_pid" 2>/dev/null && wait "$ngx_pid" 2>/dev/null; } || true
	if [ "$keep" = 1 ]; then echo "web.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

threads=()
[ -z "${BENCH_THREADS:-}" ] || threads=(--threads "$BENCH_THREADS")
hwm_kb=0
rss_kb=0
slow_stops=0
# start_cadre: a fresh `cadre serve` (each run starts idle: an overloaded
# server's queue would spill into the next run); sets srv_pid and served.
# >> so the log is opened O_APPEND and each run's lines can be cut out by offset
: >"$work/cadre.log"
start_cadre() {
	: >"$work/cadre.out"
	"${pin_srv[@]}" "$cadre" --db "$db" serve --listen 127.0.0.1:0 "${threads[@]}" \
		--drain-seconds 5 >"$work/cadre.out" 2>>"$work/cadre.log" &
	srv_pid=$!
	for _ in $(seq 100); do
		grep -q '^cadre: serving' "$work/cadre.out" && break
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.1
	done
	served=$(sed -n 's/^cadre: serving \(http:[^ ]*\)\/ .*/\1/p' "$work/cadre.out")
	[ -n "$served" ] || { tail "$work/cadre.log" >&2; die "cadre serve did not start"; }
	srv_threads=$(sed -n 's/.*(\([0-9]*\) threads).*/\1/p' "$work/cadre.out")
}
# stop_cadre: note its peak memory, SIGTERM, and SIGKILL if it has not exited
# 10 s later (it drains for 5 s; a server deep in a queue of slow requests
# finishes them first: counted in slow_stops and reported)
stop_cadre() {
	local h r
	h=$(awk '/^VmHWM:/ { print $2 }' "/proc/$srv_pid/status")
	r=$(awk '/^VmRSS:/ { print $2 }' "/proc/$srv_pid/status")
	[ "$h" -le "$hwm_kb" ] || hwm_kb=$h
	[ "$r" -le "$rss_kb" ] || rss_kb=$r
	kill -TERM "$srv_pid"
	for _ in $(seq 100); do
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$srv_pid" 2>/dev/null; then
		kill -KILL "$srv_pid"
		slow_stops=$((slow_stops + 1))
		wait "$srv_pid" 2>/dev/null || true
	else
		wait "$srv_pid" || die "cadre serve exited $? on SIGTERM"
	fi
	srv_pid=
}
start_cadre

# ---- signing in over HTTP -------------------------------------------------------------------
jar=$work/jar
code=$(curl -s -c "$jar" -b "$jar" -o "$work/form.html" -w '%{http_code}' "$served/sign-in")
token=$(sed -n 's/.*name="csrf_token" value="\([0-9a-f]*\)".*/\1/p' "$work/form.html" | head -1)
[ "$code" = 200 ] && [ -n "$token" ] || die "GET /sign-in: $code, no CSRF token"
code=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' --data-urlencode "csrf_token=$token" \
	--data-urlencode "email=bench@bench.cadre.test" --data-urlencode "password=$password" "$served/sign-in")
[ "$code" = 303 ] || die "POST /sign-in: $code, not 303 (see $work/cadre.log with --keep)"
session=$(awk '$6 == "cadre_session" { print $7 }' "$jar")
[ ${#session} -eq 43 ] || die "no session cookie after signing in"
cookie="Cookie: cadre_session=$session"

# ---- the two replies, captured once; nginx's files are the same bytes ----------------------
org_path=/orgs/$trust
api_path=${BENCH_API_PATH:-/api/v1/orgs/$trust/summary}
api_note=
if [ -z "${BENCH_API_PATH:-}" ]; then
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "$cookie" "$served$api_path")
	if [ "$code" = 404 ]; then
		api_note="($api_path answered 404 in this build: measured the organisation's API reply instead)"
		api_path=/api/v1/orgs/$trust
	fi
fi
ngx=$work/nginx
mkdir -p "$ngx/root" "$ngx/tmp"
capture() { # capture NAME PATH FILE: the reply's body, its status must be 200
	local code
	code=$(curl -s -o "$3" -w '%{http_code}' -H "$cookie" "$served$2")
	[ "$code" = 200 ] || die "GET $2: $code, not 200"
}
capture org "$org_path" "$ngx/root/org.html"
capture api "$api_path" "$ngx/root/api.json"
org_bytes=$(wc -c <"$ngx/root/org.html")
api_bytes=$(wc -c <"$ngx/root/api.json")

ngx_port=$(free_port)
sed -e "s|@DIR@|$ngx|g" -e "s|@PORT@|$ngx_port|g" "$root/bench/nginx.conf.in" >"$ngx/nginx.conf"

# ---- measuring -----------------------------------------------------------------------------
cat >"$work/report.lua" <<'LUA'
-- print wrk's figures in a form the script reads (latency in microseconds)
function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("BENCH requests=%d seconds=%.3f p50=%d p99=%d max=%d socket=%d timeout=%d status=%d\n",
		summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99),
		latency.max, e.connect + e.read + e.write, e.timeout, e.status))
end
LUA
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
results=$work/results
: >"$results"
# bench SERVER NAME URL PID LOG C: one wrk run; appends a line to $results
bench() {
	local server=$1 name=$2 url=$3 pid=$4 log=$5 c=$6 off t0 t1 non200 srv_p50 load
	off=$(($(stat -c %s "$log") + 1))
	load=$(cut -d' ' -f1 /proc/loadavg)
	t0=$(cpu_ticks "$pid")
	"${pin_wrk[@]}" wrk -t 1 -c "$c" -d "${seconds}s" --timeout 2s -s "$work/report.lua" \
		-H "$cookie" "$url" >"$work/wrk-$server-$name-$c.txt" 2>&1 ||
		die "wrk failed: $(tail -3 "$work/wrk-$server-$name-$c.txt")"
	t1=$(cpu_ticks "$pid")
	# the server's own log of the run: status and time taken (µs) per reply
	tail -c "+$off" "$log" | if [ "$server" = cadre ]; then # logfmt
		sed -n 's/.* event=http\.request .* status=\([0-9]*\) us=\([0-9]*\).*/\1 \2/p'
	else # bench/nginx.conf.in's log_format: $status $request_time (seconds)
		awk '{ printf "%s %d\n", $1, $2 * 1000000 }'
	fi >"$work/served"
	non200=$(awk '$1 != 200 { n++ } END { print n + 0 }' "$work/served")
	srv_p50=$(cut -d' ' -f2 "$work/served" | sort -n |
		awk '{ v[NR] = $1 } END { printf "%.2f", NR ? v[int((NR + 1) / 2)] / 1000 : 0 }')
	grep -q '^BENCH ' "$work/wrk-$server-$name-$c.txt" ||
		die "no figures from wrk: $(tail -3 "$work/wrk-$server-$name-$c.txt")"
	sed -n 's/^BENCH //p' "$work/wrk-$server-$name-$c.txt" |
		awk -v s="$server" -v n="$name" -v c="$c" -v bad="$non200" -v cpu="$(((t1 - t0)))" -v hz="$hz" \
			-v load="$load" -v srv="$srv_p50" '{
			for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
			cpu /= hz
			printf "%s %s %d %.1f %.2f %.2f %d %d %d %d %.0f %.0f %s %s\n", s, n, c,
				f["requests"] / f["seconds"], f["p50"] / 1000, f["p99"] / 1000, bad, f["socket"],
				f["timeout"], f["status"], 100 * cpu / f["seconds"], (cpu > 0 ? f["requests"] / cpu : 0),
				load, srv
		}' >>"$results"
}

echo "== web benchmark: trust $trust ($headcount staff in post), $seconds s per run, $pinning"
echo "   cadre $ver (schema $schema), $served, $srv_threads threads; org page $org_bytes bytes, API $api_bytes bytes"
[ -z "$api_note" ] || echo "   $api_note"
for name in org api; do
	if [ $name = org ]; then path=$org_path; else path=$api_path; fi
	for c in $conns; do
		echo "   cadre $name c=$c"
		[ -n "$srv_pid" ] || start_cadre
		bench cadre $name "$served$path" "$srv_pid" "$work/cadre.log" "$c"
		stop_cadre
	done
done

: >"$ngx/access.log"
"${pin_srv[@]}" "$nginx" -e "$ngx/error.log" -p "$ngx" -c "$ngx/nginx.conf" 2>"$ngx/stderr" &
ngx_pid=$!
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$ngx_port/org.html" && break
	kill -0 "$ngx_pid" 2>/dev/null || break
	sleep 0.1
done
code=$(curl -s -o "$work/check.html" -w '%{http_code}' "http://127.0.0.1:$ngx_port/org.html")
[ "$code" = 200 ] && cmp -s "$work/check.html" "$ngx/root/org.html" ||
	die "nginx did not serve the file: $code $(cat "$ngx/stderr" "$ngx/error.log" 2>/dev/null | tail -3)"
for name in org api; do
	if [ $name = org ]; then file=org.html; else file=api.json; fi
	for c in $conns; do
		echo "   nginx $name c=$c"
		bench nginx $name "http://127.0.0.1:$ngx_port/$file" "$ngx_pid" "$ngx/access.log" "$c"
	done
done
kill -TERM "$ngx_pid"
wait "$ngx_pid" 2>/dev/null || true
ngx_pid=

# ---- the report ----------------------------------------------------------------------------
echo
echo "GET /orgs/$trust (org, $org_bytes bytes) and GET $api_path (api, $api_bytes bytes)"
echo "wrk -t 1 --timeout 2s, $seconds s a run, with the session cookie; nginx: files of the same bytes"
python3 - "$results" "$hwm_kb" "$rss_kb" "$slow_stops" <<'PY'
import sys
rows = {}
for line in open(sys.argv[1]):
    f = line.split()
    rows[(f[0], f[1], int(f[2]))] = dict(rps=float(f[3]), p50=float(f[4]), p99=float(f[5]),
        non200=int(f[6]), errors=int(f[7]) + int(f[8]) + int(f[9]), cpu=f[10], rpc=float(f[11]),
        load=f[12], srv=float(f[13]))
print("  %-5s %5s %-6s %9s %8s %8s %8s %8s %7s %5s %9s %6s %9s %9s" % ("reply", "conns", "server",
      "req/s", "p50 ms", "p99 ms", "srv ms", "non-200", "errors", "cpu%", "req/cpu-s", "load",
      "vs nginx", "(per cpu)"))
for (server, name, c), r in sorted(rows.items(), key=lambda kv: (kv[0][1] != "org", kv[0][2], kv[0][0])):
    peer = rows.get(("nginx", name, c))
    ratio = cpuratio = ""
    if server == "cadre" and peer and peer["rps"] and peer["rpc"]:
        ratio = "%8.1f%%" % (100 * r["rps"] / peer["rps"])
        cpuratio = "%8.1f%%" % (100 * r["rpc"] / peer["rpc"])
    print("  %-5s %5d %-6s %9.0f %8.2f %8.2f %8.2f %8d %7d %5s %9.0f %6s %9s %9s" % (name, c,
          server, r["rps"], r["p50"], r["p99"], r["srv"], r["non200"], r["errors"], r["cpu"],
          r["rpc"], r["load"], ratio, cpuratio))
def verdict(ok):
    return "met" if ok else "NOT met"
print("targets (issue 7):")
for name in ("org", "api"):
    r = rows.get(("cadre", name, 32))
    if r and r["p99"] == 0:  # wrk times no reply later than its timeout
        print("  %s, 32 connections: no reply within wrk's 2 s timeout (target p99 < 20 ms): NOT met" % name)
    elif r:
        print("  %s, 32 connections: p99 %.2f ms (target < 20 ms): %s" % (name, r["p99"], verdict(r["p99"] < 20)))
    r, peer = rows.get(("cadre", name, 256)), rows.get(("nginx", name, 256))
    if r and r["p99"] == 0:
        print("  %s, 256 connections: no reply within wrk's 2 s timeout (target: no errors): NOT met" % name)
    elif r:
        bad = r["non200"] + r["errors"]
        print("  %s, 256 connections: %d non-200 replies and errors (target 0): %s" %
              (name, bad, verdict(bad == 0)))
    if r and peer and peer["rps"]:
        ratio = r["rps"] / peer["rps"]
        print("  %s, 256 connections: %.0f req/s, %.1f%% of nginx's %.0f (target >= 25%%): %s" %
              (name, r["rps"], 100 * ratio, peer["rps"], verdict(ratio >= 0.25)))
hwm, rss = int(sys.argv[2]) / 1024, int(sys.argv[3]) / 1024
print("  cadre serve's peak memory (VmHWM, the most of any run): %.0f MB, at most %.0f MB at a run's end"
      " (target < 500 MB): %s" % (hwm, rss, verdict(hwm < 500)))
if int(sys.argv[4]):
    print("cadre serve did not exit within 10 s of SIGTERM after %s of the runs, still answering the"
          " requests queued before it (killed)" % sys.argv[4])
print("(p50, p99: wrk's latencies; srv ms: the median time to answer in the server's own log;")
print(" non-200: replies other than 200 in the server's own log; errors: wrk's socket errors,")
print(" timeouts and non-2xx/3xx replies; cpu%: the server process's CPU time over the run,")
print(" 100 = its whole core; req/cpu-s: requests per second of the server's CPU time, which a")
print(" shared machine disturbs less; load: the 1-minute load average as the run began)")
PY
