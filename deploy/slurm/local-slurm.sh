#!/usr/bin/env bash
# A single-node Slurm on this machine, from Debian's packages (munge, slurmctld, slurmd, slurm-client), for the
# tests and for trying the sbatch scripts: `local-slurm.sh start` starts munged (if it is not running), slurmctld
# and slurmd on localhost and prints the SLURM_CONF to export; `local-slurm.sh stop` stops what start started.
# It runs as root and needs no cgroups (proctrack/linuxproc, task/none), so it works in a container.
# The config and state live in $CODEXSHARP_SLURM_DIR (default /tmp/codexsharp-slurm); /etc/slurm is not touched.
set -euo pipefail
dir="${CODEXSHARP_SLURM_DIR:-/tmp/codexsharp-slurm}"
conf="$dir/slurm.conf"
host="$(hostname -s)"
cpus="$(nproc)"

fail() { echo "local-slurm: $*" >&2; exit 1; }

start() {
  for tool in munged slurmctld slurmd sbatch; do
    command -v "$tool" >/dev/null || [[ -x "/usr/sbin/$tool" ]] || fail "$tool is not installed (apt-get install munge slurmctld slurmd slurm-client)"
  done
  [[ $(id -u) -eq 0 ]] || fail "must run as root (slurmd starts jobs as their users)"
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    [[ -f /etc/munge/munge.key ]] || fail "/etc/munge/munge.key is missing (the munge package creates it)"
    mkdir -p /run/munge && chown munge:munge /run/munge
    runuser -u munge -- /usr/sbin/munged || fail "munged did not start"
    touch "$dir/started-munged"
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
    munge -n | unmunge >/dev/null || fail "munge does not answer"
  fi
  cat > "$conf" <<CONF
# Written by deploy/slurm/local-slurm.sh: one node, no cgroups, everything as root.
ClusterName=codexsharp
SlurmctldHost=$host
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=300
SchedulerParameters=sched_interval=1
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$conf"
  /usr/sbin/slurmctld -f "$conf" || fail "slurmctld did not start (see $dir/log/slurmctld.log)"
  /usr/sbin/slurmd -f "$conf" || fail "slurmd did not start (see $dir/log/slurmd.log)"
  for _ in $(seq 100); do
    state="$(sinfo -h -o %T 2>/dev/null || true)"
    [[ "$state" == idle* ]] && { echo "export SLURM_CONF=$conf"; return 0; }
    sleep 0.2
  done
  fail "the node did not become idle (state '${state:-none}'; see $dir/log/)"
}

stop() {
  for daemon in slurmd slurmctld; do
    pidfile="$dir/$daemon.pid"
    if [[ -f "$pidfile" ]]; then
      pid="$(cat "$pidfile")"
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      rm -f "$pidfile"
    fi
  done
  if [[ -f "$dir/started-munged" ]]; then
    [[ -f /run/munge/munged.pid ]] && kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    rm -f "$dir/started-munged"
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
