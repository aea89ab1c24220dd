// --help text: the supported subset of qemu-system-ppc64's options.
export const HELP = `usage: pseries-wasm [options]
An IBM PAPR pseries machine (POWER9, one vCPU) with QEMU's command-line syntax.

Machine
  -M, -machine pseries[,prop=val...]   machine type (pseries, pseries-X.Y); dumpdtb=FILE;
                                       QEMU-only properties (cap-*, x-vof, ic-mode...) are ignored
  -m [size=]SIZE                       guest RAM (MiB without suffix; k/M/G), multiple of 256M
  -smp 1                               one vCPU only
  -cpu POWER9                          the only CPU model
  -accel tcg                           accepted
  -nodefaults, -nographic, -display none, -no-user-config, -no-reboot, -S

Boot
  -bios FILE, -kernel FILE, -initrd FILE, -append CMDLINE (needs -kernel)

Console
  -serial stdio|file:PATH|null|none|chardev:ID
  -chardev stdio,id=ID | file,id=ID,path=PATH | null,id=ID
  -device spapr-vty,chardev=ID[,reg=ADDR]

Network
  -netdev tap,id=ID,ifname=NAME,script=no,downscript=no
  -netdev socket,id=ID,udp=HOST:PORT,localaddr=HOST:PORT     one datagram = one frame
  -netdev socket,id=ID,listen=HOST:PORT | connect=HOST:PORT  4-byte length + frame
  -netdev dgram,id=ID,local.type=inet,local.host=H,local.port=P,remote.type=inet,remote.host=H,remote.port=P
  -netdev stream,id=ID,server=on|off,addr.type=inet,addr.host=H,addr.port=P
  -netdev in-process,id=ID                                   frames through the embedding API
  -device spapr-vlan,netdev=ID[,mac=MAC][,use-rx-buffer-pools=on|off][,reg=ADDR]
                    [,add-buffers-hcall=on|off][,rx-nofit-timeout=US][,rx-pending-max=N]
  -nic TYPE[,netdev options][,model=spapr-vlan][,mac=MAC]    a netdev and its NIC at once
  -object filter-dump,id=ID,netdev=ID,file=FILE.pcap[,maxlen=N]

Control
  -qmp unix:PATH,server=on,wait=off | tcp:HOST:PORT,server=on,wait=off
  -metrics tcp:[HOST:]PORT                                   Prometheus text at GET /metrics (tcp:PORT: loopback)
  -incoming URI, -D LOGFILE, -d ITEM[,ITEM...]
  -h, --help, --version
`;
