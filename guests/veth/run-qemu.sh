#!/bin/bash
# Runs the veth guest on the reference (qemu-system-ppc64 7.2) with traffic, prints the commands,
# the traffic tool's line and the guest console. From the repository root:
#   guests/veth/run-qemu.sh stream IMAGE on|off "BOOTARGS" SENDER-ARGS...   (UDP socket backend on loopback)
#   guests/veth/run-qemu.sh recv   IMAGE on|off "BOOTARGS"                  (guest mode=send, tool receives)
#   guests/veth/run-qemu.sh ping   IMAGE on|off                             (TAP in a fresh network namespace; root)
# IMAGE is a file in guests/prebuilt (a -kernel ELF; x-vof=on gives it the device tree).
# EMU="node bin/pseries-wasm.js" runs the same command line on pseries-wasm instead of QEMU.
set -u
kind=$1 img=$2 pools=$3; shift 3
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
read -ra emu <<< "${EMU:-qemu-system-ppc64}"
qemu=("${emu[@]}" -M pseries,x-vof=on -m 512M -nodefaults -nographic -serial stdio -kernel "guests/prebuilt/$img")
sender=(npx tsx test/tools/frame-sender.ts)
wait_ready() { for _ in $(seq 200); do grep -q 'veth: ready' "$out" && return; sleep 0.1; done; echo "guest not ready" >&2; }
cd "$root"
case $kind in
stream|recv)
  app=$1; shift
  net=(-netdev socket,id=n0,udp=127.0.0.1:5601,localaddr=127.0.0.1:5600 -device "spapr-vlan,netdev=n0,use-rx-buffer-pools=$pools")
  echo "\$ ${qemu[*]} -append \"$app\" ${net[*]}"
  if [ "$kind" = recv ]; then
    echo "\$ ${sender[*]} recv --local 127.0.0.1:5601 --timeout 5"
    "${sender[@]}" recv --local 127.0.0.1:5601 --timeout 5 & tool=$!
    sleep 3
    timeout 300 "${qemu[@]}" -append "$app" "${net[@]}" > "$out" 2>/dev/null; echo "qemu exit $?"
    wait $tool
  else
    timeout 300 "${qemu[@]}" -append "$app" "${net[@]}" > "$out" 2>/dev/null & q=$!
    wait_ready
    echo "\$ ${sender[*]} send --local 127.0.0.1:5601 --remote 127.0.0.1:5600 $*"
    "${sender[@]}" send --local 127.0.0.1:5601 --remote 127.0.0.1:5600 "$@"
    wait $q; echo "qemu exit $?"
  fi ;;
ping)
  ns=veth-drv-$$
  ip netns add $ns
  trap 'ip netns del $ns' EXIT
  ip netns exec $ns ip link set lo up
  ip netns exec $ns ip tuntap add dev tap0 mode tap
  ip netns exec $ns ip addr add 10.0.2.2/24 dev tap0
  ip netns exec $ns ip link set tap0 up
  app="mode=echo log=1 ip=10.0.2.15 timeout=10"
  net=(-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device "spapr-vlan,netdev=n0,use-rx-buffer-pools=$pools")
  echo "\$ ip netns exec NS ${qemu[*]} -append \"$app\" ${net[*]}"
  ip netns exec $ns timeout 120 "${qemu[@]}" -append "$app" "${net[@]}" > "$out" 2>/dev/null & q=$!
  wait_ready
  echo "\$ ip netns exec NS ping -c 3 -i 0.5 10.0.2.15; ip netns exec NS ping -c 2 -s 1472 10.0.2.15"
  ip netns exec $ns ping -c 3 -i 0.5 -W 2 10.0.2.15 | tail -2
  ip netns exec $ns ping -c 2 -s 1472 -W 2 10.0.2.15 | tail -2
  wait $q; echo "qemu exit $?" ;;
*) echo "unknown kind $kind" >&2; exit 1 ;;
esac
echo "--- guest console"
cat "$out"
rm -f "$out"
