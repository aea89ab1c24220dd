#!/bin/sh
# Regenerates QEMU 7.2's device trees used by test/boot/fdt.test.ts (needs qemu-system-ppc64, dtc).
# kernel-le.elf is a frozen copy of guests/prebuilt/hello-le.elf (the tree records its size);
# the initrd is 100000 zero bytes (only its size matters).
set -e
cd "$(dirname "$0")"
head -c 100000 /dev/zero > /tmp/pseries-wasm-initrd.img
BIOS=../../../guests/prebuilt/hello-be.bin
dump() { # name, machine options, qemu arguments...
  name=$1; mopts=$2; shift 2
  qemu-system-ppc64 -M "pseries$mopts,dumpdtb=qemu-$name.dtb" -nodefaults -nographic -serial stdio "$@" 2>/dev/null
  dtc -I dtb -O dts -o "qemu-$name.dts" "qemu-$name.dtb" 2>/dev/null
  echo "qemu-system-ppc64 -M pseries$mopts,dumpdtb=qemu-$name.dtb -nodefaults -nographic -serial stdio $*"
}
dump default ''
dump kernel '' -m 1G -bios $BIOS -kernel kernel-le.elf -initrd /tmp/pseries-wasm-initrd.img -append "console=hvc0 foo=bar"
dump vof ,x-vof=on -m 1G -kernel kernel-le.elf -initrd /tmp/pseries-wasm-initrd.img -append "console=hvc0"
dump vlan '' -netdev user,id=n0 -device spapr-vlan,netdev=n0
rm -f /tmp/pseries-wasm-initrd.img
