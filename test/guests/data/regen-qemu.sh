#!/bin/sh
# Console output of the veth guest on QEMU 7.2 with no traffic (deterministic: device discovery, the
# buffers each mode accepts, the hcalls spent, an all-zero result after timeout=1). Reference for
# running the same images on pseries-wasm. Run from this directory; needs qemu-system-ppc64.
set -e
P=../../../guests/prebuilt
run() { # name image pools
  timeout 60 qemu-system-ppc64 -M pseries,x-vof=on -m 512M -nodefaults -nographic -serial stdio \
    -kernel "$P/$2" -append "timeout=1" -device "spapr-vlan,use-rx-buffer-pools=$3" 2>/dev/null > "qemu-$1.out"
  echo "qemu-system-ppc64 -M pseries,x-vof=on -m 512M -nodefaults -nographic -serial stdio -kernel $2 -append timeout=1 -device spapr-vlan,use-rx-buffer-pools=$3   # exit 0"
}
run veth-be-pools veth-be.elf on
run veth-be-legacy veth-be.elf off
run veth-le-pools veth-le.elf on
run veth-le-legacy veth-le.elf off
