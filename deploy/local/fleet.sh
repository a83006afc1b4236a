#!/usr/bin/env bash
# A veil fleet on this machine, no containers: a throwaway PostgreSQL (initdb
# in a temporary directory, loopback only) and three `veil serve` nodes on
# it: one API node (--role api, gRPC on 127.0.0.1:50061) and two workers
# (--role worker). Keys and sample documents come from `veil demo --keep`
# (the INSECURE demo key). Ctrl-C stops everything and deletes the data.
#
#   deploy/local/fleet.sh                   start, print how to use it, wait
#   deploy/local/fleet.sh --workers 3       one API node and three workers
#   deploy/local/fleet.sh --jobs 30         submit 30 proofs, time them, stop
#                                           (proving throughput; benches/RESULTS.md)
#
# VEIL=path/to/veil picks the binary (default: veil on PATH, else the
# debug build in $CARGO_TARGET_DIR or target/). Needs Debian's postgresql
# (scripts/setup test installs it).
set -euo pipefail
workers=2 jobs=0
while [ $# -gt 0 ]; do
    case "$1" in
        --workers) workers="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        *) echo "usage: deploy/local/fleet.sh [--workers K] [--jobs N]" >&2; exit 2 ;;
    esac
done
root="$(cd "$(dirname "$0")/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
VEIL="${VEIL:-$(command -v veil || echo "$target/debug/veil")}"
[ -x "$VEIL" ] || { echo "no veil binary at $VEIL (cargo build -p veil-cli, or set VEIL)" >&2; exit 1; }
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -1)"
[ -x "$pg_bin/initdb" ] || { echo "no PostgreSQL server (scripts/setup test installs it)" >&2; exit 1; }

work="$(mktemp -d /tmp/veil-fleet.XXXXXX)"
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
    # PostgreSQL refuses to run as root.
    chown postgres:postgres "$work"
    as_pg=(runuser -u postgres --)
fi
pids=()
stop() {
    for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
    wait 2> /dev/null || true
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m fast -w stop > /dev/null 2>&1 || true
    rm -rf "$work"
}
trap stop EXIT

port=55432
url="postgres://veil@127.0.0.1:$port/postgres"
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U veil --auth=trust -E UTF8 > "$work/initdb.log"
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w \
    -o "-p $port -k $work -c listen_addresses=127.0.0.1" start > /dev/null
echo "PostgreSQL on 127.0.0.1:$port ($url)"

docs="$work/docs"
"$VEIL" demo --keep "$docs" > "$work/demo.log" 2>&1
key="$("$VEIL" admin key create --queue "$url" --name fleet 2> /dev/null)"

node() { # name role grpc-port metrics-port
    "$VEIL" serve --queue "$url" --role "$2" --node-name "$1" --db "$work/$1" \
        --keys "$docs" --issuers "$docs/issuers.json" --revoked "$docs/revoked.json" \
        --listen "127.0.0.1:$3" --metrics "127.0.0.1:$4" --rate-limit 0 \
        --max-queued-per-key 4096 > "$work/$1.log" 2>&1 &
    pids+=($!)
}
node api api 50061 9561
for n in $(seq 1 "$workers"); do node "worker-$n" worker $((50061 + n)) $((9561 + n)); done
api="http://127.0.0.1:50061"
for _ in $(seq 1 600); do
    "$VEIL" remote --server "$api" --api-key "$key" roots > /dev/null 2>&1 && break
    sleep 0.1
done
echo "nodes: api on $api (metrics :9561), $workers worker(s); logs in $work/*.log"

remote() { "$VEIL" remote --server "$api" --api-key "$key" "$@"; }
if [ "$jobs" -gt 0 ]; then
    # Wait until every worker is up (health), so the clock measures proving.
    sleep 2
    start=$(date +%s.%N)
    ids=()
    for n in $(seq 1 "$jobs"); do
        ids+=("$(remote prove --submit --request-id "bench-$n" --credential "$docs/credential.json" \
            --holder "$docs/holder.json" --policy "$docs/policy.json" --context "$docs/context.json")")
    done
    for id in "${ids[@]}"; do remote job --watch "$id" > /dev/null; done
    end=$(date +%s.%N)
    python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); \
print(f'{n} proofs with {sys.argv[4]} worker process(es): {t:.1f} s, {n/t:.2f} proofs/s')" \
        "$start" "$end" "$jobs" "$workers"
    exit 0
fi
cat << USAGE
Try it (another shell):
  export VEIL_API_KEY=$key
  $VEIL remote --server $api prove --submit --request-id pay-1 \\
      --credential $docs/credential.json --holder $docs/holder.json \\
      --policy $docs/policy.json --context $docs/context.json
  $VEIL remote --server $api job --watch <job id>
  $VEIL admin nodes --queue $url
Ctrl-C stops the fleet and deletes $work.
USAGE
wait
