# Smoke run of make check-load (tests/load/run.sh) for LOAD_SMOKE_SECONDS
# (default 15), so the opt-in load test cannot rot between its runs.
LOAD_SECONDS=${LOAD_SMOKE_SECONDS:-15}
. "$PFS_PROJECT/tests/load/run.sh"
echo "report: $(tail -n 1 /tmp/load.summary)"
"$PFSADM" deactivate --all
