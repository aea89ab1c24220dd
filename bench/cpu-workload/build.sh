#!/bin/sh
# Rebuilds the committed workload images (needs Debian gcc-powerpc64le-linux-gnu).
set -e
cd "$(dirname "$0")"
CC=powerpc64le-linux-gnu-gcc
FLAGS="-O2 -mcpu=power9 -mno-altivec -mno-vsx -msoft-float -ffreestanding -fno-builtin -fno-stack-protector"
$CC $FLAGS -nostdlib -static -Wl,-Ttext=0x100 -Wl,--section-start=.text.start=0x100 -e _start -o work-le.elf start.S work.c
powerpc64le-linux-gnu-objcopy -O binary -j .text.start -j .text work-le.elf work-le.bin
$CC $FLAGS -static -o work-user-le main.c work.c
powerpc64le-linux-gnu-readelf -S work-le.elf | grep -E "\.(data|bss|sdata|toc|got)" && { echo "workload must have no data sections"; exit 1; }
rm -f work-le.elf
# Big-endian -bios image (same work.c) for the qemu-system-ppc64 TCG comparison.
BE=powerpc64-linux-gnu-gcc
$BE $FLAGS -mabi=elfv2 -nostdlib -static -Wl,--section-start=.head=0 -Wl,-Ttext=0x400 -e 0x100 -o work-bios-be.elf start-bios.S work.c
powerpc64-linux-gnu-objcopy -O binary -j .head -j .text work-bios-be.elf work-bios-be.bin
rm -f work-bios-be.elf
