#!/bin/sh
# Runs every prebuilt guest on the reference (qemu-system-ppc64 7.2) and stores its console output
# as test data (test/boot/data/qemu-<image>.out). Fails if a guest does not power off cleanly.
set -e
cd "$(dirname "$0")/prebuilt"
DATA=../../test/boot/data
run() { # name, qemu arguments... (stdin: $INPUT, printf format)
  name=$1; shift
  printf "${INPUT:-}" | timeout 120 qemu-system-ppc64 "$@" 2>/dev/null > "$DATA/qemu-$name.out" || { echo "$name: exit $?" >&2; exit 1; }
  printf '%s\n' "\$ printf '${INPUT:-}' | qemu-system-ppc64 $*   # exit 0"
}
run hello-be.bin -M pseries -nodefaults -nographic -serial stdio -bios hello-be.bin
run hello-be.elf -M pseries,x-vof=on -nodefaults -nographic -serial stdio -kernel hello-be.elf
run hello-le.elf -M pseries,x-vof=on -nodefaults -nographic -serial stdio -kernel hello-le.elf
run workload-be.bin -M pseries -nodefaults -nographic -serial stdio -bios workload-be.bin
run workload-le.elf -M pseries,x-vof=on -nodefaults -nographic -serial stdio -kernel workload-le.elf
INPUT='ab\r\0cd\r\0ef\nq' run echo-be.bin -M pseries -nodefaults -nographic -serial stdio -bios echo-be.bin
run rtas-be.bin -M pseries -nodefaults -nographic -serial stdio -bios rtas-be.bin
