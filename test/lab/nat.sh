#!/usr/bin/env bash
# A lab with NATs: hosts in network namespaces, two of them behind a NAT router each.
#
#   nat.sh up [--rate RATE]     build it (RATE caps every host's upload, tc syntax: 40mbit)
#   nat.sh exec HOST CMD...     run CMD inside HOST (relay, open, a or b); PID stays CMD's
#   nat.sh ip HOST              print HOST's own address
#   nat.sh down                 kill what runs inside (by PID), delete the namespaces
#
# Layout (every address private, nothing made in the root namespace):
#   open segment 10.88.0.0/24, a bridge in $P-sw:  relay .1, open .2, router A .11, router B .12
#   $P-a 10.88.1.2 behind $P-ra (10.88.1.1);  $P-b 10.88.2.2 behind $P-rb (10.88.2.1)
# A router masquerades what its host sends out and drops inbound connections it did not see
# go out (conntrack: only ESTABLISHED/RELATED comes in), as a home router does. Hosts on the
# open segment have no route to 10.88.1/24 or 10.88.2/24: a NATed host's own address is
# unreachable from outside, as on the internet.
# Needs root, iproute2 and iptables. NAT_LAB_PREFIX (default shoalnat) names the namespaces.
set -euo pipefail

P=${NAT_LAB_PREFIX:-shoalnat}
SW=$P-sw
die() { echo "nat.sh: $*" >&2; exit 1; }
ours() { ip netns list | awk '{print $1}' | grep -E "^${P}-(sw|relay|open|a|b|ra|rb)$" || true; }

host_ip() {
  case $1 in relay) echo 10.88.0.1;; open) echo 10.88.0.2;; a) echo 10.88.1.2;; b) echo 10.88.2.2;; *) die "no host '$1' (relay, open, a, b)";; esac
}

cap() {  # cap NS DEV RATE: upload cap on DEV inside NS
  [[ -z $3 ]] && return 0
  ip netns exec "$1" tc qdisc add dev "$2" root handle 1: htb default 1
  ip netns exec "$1" tc class add dev "$2" parent 1: classid 1:1 htb rate "$3" ceil "$3" burst 32k cburst 32k quantum 1514
}

new_ns() {
  ip netns add "$1"
  ip -n "$1" link set lo up
  ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  ip netns exec "$1" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
}

# on_segment NS DEV IP PORT: a veth from NS (DEV) to the open segment's bridge (PORT)
on_segment() {
  ip link add name "$4" netns "$SW" type veth peer name "$2" netns "$1"
  ip -n "$SW" link set "$4" master br0
  ip -n "$SW" link set "$4" up
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$1" link set "$2" up
}

# behind_nat NAME WAN_IP LAN_NET RATE: router $P-rNAME on the segment, host $P-NAME behind it
behind_nat() {
  local router=$P-r$1 host=$P-$1
  new_ns "$router"; new_ns "$host"
  on_segment "$router" wan "$2" "v$1"
  ip link add name lan netns "$router" type veth peer name eth0 netns "$host"
  ip -n "$router" addr add "$3.1/24" dev lan
  ip -n "$router" link set lan up
  ip -n "$host" addr add "$3.2/24" dev eth0
  ip -n "$host" link set eth0 up
  ip -n "$host" route add default via "$3.1"
  ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
  ip netns exec "$router" iptables -t nat -A POSTROUTING -o wan -j MASQUERADE
  ip netns exec "$router" iptables -A FORWARD -i wan -m conntrack ! --ctstate ESTABLISHED,RELATED -j DROP
  cap "$host" eth0 "$4"
}

do_down() {
  local ns pids
  for ns in $(ours); do
    pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
    [[ -n ${pids// } ]] && kill -KILL $pids 2>/dev/null || true
  done
  for ns in $(ours); do ip netns del "$ns" 2>/dev/null || true; done
}

do_up() {
  local rate=""
  while (( $# )); do
    case $1 in --rate) rate=$2; shift 2;; *) die "up: unknown option $1";; esac
  done
  command -v iptables >/dev/null || die "iptables is not installed (apt-get install iptables)"
  [[ -z $(ours) ]] || die "namespaces with prefix $P exist; run '$0 down' first"
  trap '[[ ${ok:-0} == 1 ]] || { echo "nat.sh: setup failed, tearing down" >&2; do_down; }' EXIT
  new_ns "$SW"
  ip -n "$SW" link add br0 type bridge stp_state 0 forward_delay 0
  ip -n "$SW" link set br0 up
  local h
  for h in relay open; do
    new_ns "$P-$h"
    on_segment "$P-$h" eth0 "$(host_ip "$h")" "v$h"
    cap "$P-$h" eth0 "$rate"
  done
  behind_nat a 10.88.0.11 10.88.1 "$rate"
  behind_nat b 10.88.0.12 10.88.2 "$rate"
  ok=1
}

cmd=${1:-}; shift || true
case $cmd in
  up) do_up "$@";;
  down) do_down;;
  ip) host_ip "${1:?host}";;
  exec) h=${1:?host}; shift; host_ip "$h" >/dev/null; exec ip netns exec "$P-$h" "$@";;
  *) die "usage: nat.sh up [--rate RATE] | exec HOST CMD... | ip HOST | down";;
esac
