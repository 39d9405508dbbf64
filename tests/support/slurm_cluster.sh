#!/bin/bash
# A one-node Slurm cluster for the tests (ctest fixture "slurm"), from Debian's slurm-wlm and
# munge, everything under DIR: its own munge key and socket, slurm.conf, state, logs, free ports.
#   slurm_cluster.sh start DIR   starts munged, slurmctld and slurmd as root; waits until idle
#   slurm_cluster.sh stop DIR    stops them
# Clients then use SLURM_CONF=DIR/slurm.conf. Daemons run as root, so the tests must too (CI does).
set -euo pipefail
action=$1
D=$(realpath -m "$2")

stop() {
  for pid in "$D/slurmd.pid" "$D/slurmctld.pid" "$D/munge/munged.pid"; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  sleep 1
}

if [ "$action" = stop ]; then stop; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "slurm_cluster.sh: starting munged, slurmctld and slurmd needs root" >&2; exit 1
fi
for tool in munged slurmctld slurmd sinfo; do
  command -v "$tool" > /dev/null || { echo "slurm_cluster.sh: $tool not found (installer/install-deps.sh installs slurm-wlm and munge)" >&2; exit 1; }
done
[ -d "$D" ] && stop
rm -rf "$D"; mkdir -p "$D/state" "$D/spool" "$D/munge"
chmod 0700 "$D/munge"

# Two free neighbouring ports for slurmctld and slurmd.
free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=16817
while ! { free "$port" && free $((port + 1)); }; do port=$((port + 2)); done

dd if=/dev/urandom of="$D/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$D/munge/munge.key"
munged --force --key-file="$D/munge/munge.key" --socket="$D/munge/munge.socket" \
  --pid-file="$D/munge/munged.pid" --log-file="$D/munge/munged.log" \
  --seed-file="$D/munge/munged.seed"

host=$(hostname -s)
cat > "$D/slurm.conf" <<CONF
ClusterName=grids-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
AuthType=auth/munge
AuthInfo=socket=$D/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$D/state
SlurmdSpoolDir=$D/spool
SlurmctldPidFile=$D/slurmctld.pid
SlurmdPidFile=$D/slurmd.pid
SlurmctldLogFile=$D/slurmctld.log
SlurmdLogFile=$D/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
MinJobAge=3600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$D/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 60); do
  if sinfo -h -o "%T" 2>/dev/null | grep -qE "^(idle|mixed)"; then
    echo "slurm is up: SLURM_CONF=$SLURM_CONF"; exit 0
  fi
  sleep 1
done
echo "slurm_cluster.sh: the cluster did not come up; logs in $D" >&2
tail -n 5 "$D/slurmctld.log" "$D/slurmd.log" >&2 || true
stop
exit 1
