#!/usr/bin/env bash
# Builds the staging network of the README's `macfleet observe` example out of network namespaces
# (needs root, iproute2 and tcpdump) and writes the real tool output the example reads:
#   hv01/fdb.json, hv02/fdb.json   `bridge -s -j fdb show` on each host
#   hv01/neigh.json                `ip -s -j neigh show` on hv01
#   hv02/staging.pcap              `tcpdump -w` on hv02's bridge
# Two "hosts" (namespaces hv01, hv02), each with a Linux bridge br0; their uplinks eno1 are joined,
# so both bridges are one L2 segment. VMs are namespaces behind tap-like veth ports (vnetN):
#   hv01: web01 52:54:00:aa:bb:01 (vnet0), db01 52:54:00:aa:bb:02 (vnet1)
#   hv02: web01-copy 52:54:00:aa:bb:01 (vnet0, a copy of web01 that kept its MAC), app01
#         52:54:00:aa:bb:03 (vnet1), and lab99 52:54:00:77:77:77 (vnet2) that no config knows.
set -euo pipefail
out="${1:-$(dirname "$0")}"
mkdir -p "$out/hv01" "$out/hv02"
ns=(hv01 hv02 web01 db01 web01copy app01 lab99)
cleanup() { for n in "${ns[@]}"; do ip netns del "$n" 2>/dev/null || true; done; }
trap cleanup EXIT
cleanup
for n in "${ns[@]}"; do ip netns add "$n"; done
for h in hv01 hv02; do
  # Hypervisor-side ports carry no IPv6 of their own (only the VMs speak on the segment).
  ip netns exec "$h" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$h" link add br0 type bridge
  ip -n "$h" link set br0 up
done
ip link add eno1 netns hv01 type veth peer name eno1 netns hv02
for h in hv01 hv02; do ip -n "$h" link set eno1 master br0 up; done
ip -n hv01 link set br0 address 00:1b:21:3a:4c:01 # the staging gateway: an Intel NIC
ip -n hv01 addr add 10.20.0.1/24 dev br0
# Traffic to the gateway 10.20.0.1 (an ARP exchange, then a UDP datagram) without ping: bash's /dev/udp.
hello() { ip netns exec "$1" bash -c 'for i in 1 2; do echo hello >/dev/udp/10.20.0.1/9; sleep 0.3; done' || true; }
vm() { # vm <host> <port> <ns> <mac> <ip>
  ip link add "$2" netns "$1" type veth peer name eth0 netns "$3"
  ip -n "$1" link set "$2" master br0 up
  ip -n "$3" link set eth0 address "$4"
  ip -n "$3" link set eth0 up
  ip -n "$3" addr add "$5"/24 dev eth0
}
vm hv01 vnet0 web01 52:54:00:aa:bb:01 10.20.0.11
vm hv01 vnet1 db01 52:54:00:aa:bb:02 10.20.0.12
ip netns exec hv02 tcpdump -i br0 -w "$out/hv02/staging.pcap" -U -s 0 2>/dev/null &
tcpdump_pid=$!
sleep 1
vm hv02 vnet0 web01copy 52:54:00:aa:bb:01 10.20.0.21
vm hv02 vnet1 app01 52:54:00:aa:bb:03 10.20.0.13
vm hv02 vnet2 lab99 52:54:00:77:77:77 10.20.0.99
sleep 3 # IPv6 duplicate address detection runs on every new link
for v in db01 app01 lab99 web01; do hello "$v"; done
ip netns exec hv01 bridge -s -j fdb show >"$out/hv01/fdb.json"
ip netns exec hv01 ip -s -j neigh show >"$out/hv01/neigh.json"
hello web01copy
ip netns exec hv02 bridge -s -j fdb show >"$out/hv02/fdb.json"
sleep 1
kill "$tcpdump_pid"
wait "$tcpdump_pid" 2>/dev/null || true
