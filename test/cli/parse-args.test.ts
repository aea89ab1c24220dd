import { describe, expect, it } from 'vitest';
import { CliError, parseArgs } from '../../host-ts/cli/parse-args.js';

const cfg = (line: string) => {
  const r = parseArgs(line.split(' ').filter(Boolean));
  return r.config!;
};
const err = (argv: string[]) => {
  try {
    parseArgs(argv);
  } catch (e) {
    expect(e).toBeInstanceOf(CliError);
    return (e as Error).message;
  }
  throw new Error('no error');
};

describe('command line -> config', () => {
  it('defaults like QEMU pseries', () => {
    const c = cfg('');
    expect(c.machineType).toBe('pseries');
    expect(c.ramSize).toBe(512 * 2 ** 20);
    expect(c.nics).toEqual([]);
    // No -nodefaults and no -nographic: one console vty on a null chardev.
    expect(c.chardevs).toEqual([{ backend: 'null', id: 'serial0' }]);
    expect(c.vtys).toEqual([{ chardev: 'serial0' }]);
  });

  it('a full benchmark line', () => {
    const line = '-M pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,x-vof=on -m 1G -smp 1 -cpu POWER9 ' +
      '-accel tcg -nodefaults -nographic -display none -no-user-config -no-reboot -S ' +
      '-kernel guest.elf -append rx=pools -chardev stdio,id=con0 -device spapr-vty,chardev=con0 ' +
      '-netdev socket,id=n0,udp=127.0.0.1:5555,localaddr=127.0.0.1:5556 ' +
      '-device spapr-vlan,netdev=n0,mac=52:54:00:AA:BB:CC,use-rx-buffer-pools=off,reg=0x71000010 ' +
      '-netdev tap,id=t0,ifname=tap7,script=no,downscript=no -device spapr-vlan,netdev=t0,id=nic1 ' +
      '-object filter-dump,id=f0,netdev=n0,file=/tmp/n0.pcap -qmp unix:/tmp/qmp.sock,server=on,wait=off ' +
      '-incoming tcp:127.0.0.1:4444 -D /tmp/log.txt -d guest_errors,unimp';
    const r = parseArgs(line.split(' '));
    const c = r.config!;
    expect(r.action).toBe('run');
    expect(r.warnings).toEqual([
      '-machine cap-cfpc=broken: ignored (no effect on this emulator)',
      '-machine cap-sbbc=broken: ignored (no effect on this emulator)',
      '-machine cap-ibs=broken: ignored (no effect on this emulator)',
    ]);
    expect(parseArgs(['-M', 'pseries,x-vof=off']).warnings).toEqual(['-machine x-vof=off: ignored (-kernel always gets the client interface)']);
    expect(c.ramSize).toBe(2 ** 30);
    expect(c.nodefaults && c.nographic && c.noReboot && c.startPaused).toBe(true);
    expect(c.kernel).toBe('guest.elf');
    expect(c.append).toBe('rx=pools');
    expect(c.chardevs).toEqual([{ backend: 'stdio', id: 'con0', signal: true }]);
    expect(c.vtys).toEqual([{ chardev: 'con0' }]);
    expect(c.netdevs).toEqual([
      { type: 'udp', id: 'n0', remote: { host: '127.0.0.1', port: 5555 }, local: { host: '127.0.0.1', port: 5556 } },
      { type: 'tap', id: 't0', ifname: 'tap7' },
    ]);
    expect(c.nics).toEqual([
      { netdev: 'n0', mac: '52:54:00:aa:bb:cc', useRxBufferPools: false, reg: 0x71000010 },
      { id: 'nic1', netdev: 't0', mac: '52:54:00:12:34:56', useRxBufferPools: true },
    ]);
    expect(c.filterDumps).toEqual([{ id: 'f0', netdev: 'n0', file: '/tmp/n0.pcap', maxlen: 65536 }]);
    expect(c.qmp).toEqual([{ addr: { type: 'unix', path: '/tmp/qmp.sock' }, server: true, wait: false }]);
    expect(c.incoming).toBe('tcp:127.0.0.1:4444');
    expect(c.log).toEqual({ file: '/tmp/log.txt', items: ['guest_errors', 'unimp'] });
  });

  it('-m spellings', () => {
    expect(cfg('-m 512').ramSize).toBe(512 * 2 ** 20);
    expect(cfg('-m 512M').ramSize).toBe(512 * 2 ** 20);
    expect(cfg('-m size=2G').ramSize).toBe(2 ** 31);
    expect(err(['-m', '1X'])).toMatch(/^-m 1X: Parameter 'size' expects a non-negative number/);
    expect(err(['-m', '300'])).toBe('Memory size 0x12c00000 is not aligned to 256 MiB');
    expect(err(['-m', '1G,slots=2'])).toBe("-m 1G,slots=2: Invalid parameter 'slots'");
  });

  it('old QEMU boolean forms for -qmp, and tcp', () => {
    expect(cfg('-qmp unix:/tmp/q,server,nowait').qmp).toEqual([{ addr: { type: 'unix', path: '/tmp/q' }, server: true, wait: false }]);
    expect(cfg('-qmp tcp:127.0.0.1:4445,server=on,wait=off').qmp)
      .toEqual([{ addr: { type: 'tcp', host: '127.0.0.1', port: 4445 }, server: true, wait: false }]);
    expect(err(['-qmp', 'bogus'])).toMatch(/^-qmp bogus: 'bogus' is not a supported QMP transport/);
  });

  it('netdev spellings of QEMU 7.2', () => {
    const c = cfg('-netdev dgram,id=d,local.type=inet,local.host=127.0.0.1,local.port=7000,' +
      'remote.type=inet,remote.host=127.0.0.1,remote.port=7001 ' +
      '-netdev stream,id=s,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=7002 ' +
      '-netdev stream,id=u,addr.type=unix,addr.path=/tmp/s.sock ' +
      '-netdev socket,id=l,listen=:7003 -netdev socket,id=k,connect=127.0.0.1:7004 -netdev in-process,id=ip');
    expect(c.netdevs).toEqual([
      { type: 'udp', id: 'd', local: { host: '127.0.0.1', port: 7000 }, remote: { host: '127.0.0.1', port: 7001 } },
      { type: 'stream', id: 's', server: true, addr: { type: 'inet', host: '127.0.0.1', port: 7002 } },
      { type: 'stream', id: 'u', server: false, addr: { type: 'unix', path: '/tmp/s.sock' } },
      { type: 'stream', id: 'l', server: true, addr: { type: 'inet', host: '0.0.0.0', port: 7003 } },
      { type: 'stream', id: 'k', server: false, addr: { type: 'inet', host: '127.0.0.1', port: 7004 } },
      { type: 'in-process', id: 'ip' },
    ]);
  });

  it('netdev errors name the option like QEMU', () => {
    expect(err(['-netdev', 'socket,udp=127.0.0.1:1'])).toBe("-netdev socket,udp=127.0.0.1:1: Parameter 'id' is missing");
    expect(err(['-netdev', 'socket,id=a'])).toBe('-netdev socket,id=a: exactly one of listen=, connect=, mcast= or udp= is required');
    expect(err(['-netdev', 'socket,id=a,udp=127.0.0.1:1'])).toBe('-netdev socket,id=a,udp=127.0.0.1:1: localaddr= is mandatory with udp=');
    expect(err(['-netdev', 'socket,id=a,listen=nonsense']))
      .toBe("-netdev socket,id=a,listen=nonsense: host address 'nonsense' doesn't contain ':' separating host from port");
    expect(err(['-netdev', 'dgram,id=a'])).toBe('-netdev dgram,id=a: dgram requires local= parameter');
    expect(err(['-netdev', 'stream,id=a,server=off'])).toBe("-netdev stream,id=a,server=off: Parameter 'addr' is missing");
    expect(err(['-netdev', 'stream,id=a,addr.type=inet,addr.host=h']))
      .toBe("-netdev stream,id=a,addr.type=inet,addr.host=h: Parameter 'addr.port' is missing");
    expect(err(['-netdev', 'user,id=a'])).toMatch(/^-netdev user,id=a: netdev type 'user' is not supported/);
    expect(err(['-netdev', 'tap,id=a,script=/etc/qemu-ifup'])).toBe('-netdev tap,id=a,script=/etc/qemu-ifup: script=/etc/qemu-ifup is not supported (use script=no)');
    expect(err(['-netdev', 'in-process,id=a', '-netdev', 'in-process,id=a'])).toBe("duplicate netdev ID 'a'");
  });

  it('-nic: a netdev and a spapr-vlan in one option', () => {
    const c = cfg('-nic socket,udp=127.0.0.1:7001,localaddr=127.0.0.1:7000,mac=52:54:00:00:00:09 ' +
      '-nic tap,ifname=tap3,script=no,downscript=no,model=spapr-vlan -nic none');
    expect(c.netdevs).toEqual([
      { type: 'udp', id: '__org.qemu.nic0', remote: { host: '127.0.0.1', port: 7001 }, local: { host: '127.0.0.1', port: 7000 } },
      { type: 'tap', id: '__org.qemu.nic1', ifname: 'tap3' },
    ]);
    expect(c.nics).toEqual([
      { netdev: '__org.qemu.nic0', mac: '52:54:00:00:00:09', useRxBufferPools: true },
      { netdev: '__org.qemu.nic1', mac: '52:54:00:12:34:56', useRxBufferPools: true },
    ]);
    expect(err(['-nic', 'tap,model=e1000'])).toBe("-nic tap,model=e1000: NIC model 'e1000' is not supported (spapr-vlan)");
    expect(err(['-nic', 'user'])).toMatch(/^-nic user: netdev type 'user' is not supported/);
  });

  it('tap without script=no warns that no script runs', () => {
    const r = parseArgs(['-netdev', 'tap,id=t,ifname=x']);
    expect(r.warnings).toEqual([
      '-netdev tap,id=t,ifname=x: script= not given: no script is run (as script=no)',
      '-netdev tap,id=t,ifname=x: downscript= not given: no script is run (as downscript=no)',
    ]);
  });

  it('several NICs get QEMU default MACs, skipping explicit ones', () => {
    const c = cfg('-netdev in-process,id=a -netdev in-process,id=b -netdev in-process,id=c ' +
      '-device spapr-vlan,netdev=a -device spapr-vlan,netdev=b,mac=52:54:00:12:34:57 -device spapr-vlan,netdev=c');
    expect(c.nics.map((n) => n.mac)).toEqual(['52:54:00:12:34:56', '52:54:00:12:34:57', '52:54:00:12:34:58']);
  });

  it('spapr-vlan properties beyond QEMU go through the device\'s property table', () => {
    const c = cfg('-device spapr-vlan,add-buffers-hcall=off,rx-nofit-timeout=0,rx-pending-max=64');
    expect(c.nics).toEqual([{ mac: '52:54:00:12:34:56', useRxBufferPools: true, addBuffersHcall: false, rxNofitTimeoutUs: 0, rxPendingMax: 64 }]);
    expect(err(['-device', 'spapr-vlan,add-buffers-hcall=maybe']))
      .toBe("-device spapr-vlan,add-buffers-hcall=maybe: spapr-vlan: property 'add-buffers-hcall' expects on/off, got 'maybe'");
    expect(err(['-device', 'spapr-vlan,colour=red'])).toBe("-device spapr-vlan,colour=red: Invalid parameter 'colour' for spapr-vlan");
  });

  it('pseries-2.5 and older default to legacy RX mode', () => {
    expect(cfg('-M pseries-2.5 -device spapr-vlan').nics[0].useRxBufferPools).toBe(false);
    expect(cfg('-M pseries-2.6 -device spapr-vlan').nics[0].useRxBufferPools).toBe(true);
    expect(cfg('-M pseries-2.5 -device spapr-vlan,use-rx-buffer-pools=on').nics[0].useRxBufferPools).toBe(true);
  });

  it('device errors', () => {
    expect(err(['-device', 'spapr-vlan,netdev=zz'])).toBe("Property 'spapr-vlan.netdev' can't find value 'zz'");
    expect(err(['-device', 'spapr-vlan,mac=zz'])).toBe("-device spapr-vlan,mac=zz: Property 'spapr-vlan.mac' doesn't take value 'zz'");
    expect(err(['-device', 'spapr-vlan,use-rx-buffer-pools=maybe']))
      .toBe("-device spapr-vlan,use-rx-buffer-pools=maybe: Parameter 'use-rx-buffer-pools' expects 'on' or 'off'");
    expect(err(['-netdev', 'in-process,id=a', '-device', 'spapr-vlan,netdev=a', '-device', 'spapr-vlan,netdev=a']))
      .toBe("Property 'spapr-vlan.netdev' can't take value 'a', it's in use");
    expect(err(['-device', 'spapr-vlan,reg=0x71000000', '-device', 'spapr-vlan,reg=0x71000000']))
      .toBe('spapr-vlan and spapr-vlan devices conflict at address 0x71000000');
    expect(err(['-device', 'e1000'])).toBe("-device e1000: device 'e1000' is not supported (spapr-vlan, spapr-vty)");
    expect(err(['-device', 'spapr-vty'])).toBe('-device spapr-vty: chardev property not set');
    expect(err(['-device', 'spapr-vty,chardev=x'])).toBe("Property 'spapr-vty.chardev' can't find value 'x'");
  });

  it('machine, cpu, smp, accel checks', () => {
    expect(err(['-M', 'pseries,zz=1'])).toBe("-M pseries,zz=1: Property 'pseries-7.2-machine.zz' not found");
    expect(err(['-M', 'virt'])).toBe("-M virt: unsupported machine type 'virt' (use pseries)");
    expect(cfg('-M pseries,dumpdtb=/tmp/x.dtb').dumpDtb).toBe('/tmp/x.dtb');
    expect(err(['-smp', '2'])).toBe('-smp 2: only one vCPU is supported (-smp 1)');
    expect(cfg('-smp 1,sockets=1,cores=1,threads=1').smp).toBe(1);
    expect(err(['-cpu', 'foo'])).toBe("-cpu foo: unable to find CPU model 'foo'");
    expect(err(['-cpu', 'POWER8'])).toBe("-cpu POWER8: CPU model 'POWER8' is not supported (only POWER9)");
    expect(cfg('-cpu power9').cpu).toBe('POWER9');
    expect(err(['-accel', 'kvm'])).toBe('-accel kvm: invalid accelerator kvm (only tcg is supported)');
    expect(err(['-display', 'gtk'])).toBe("-display gtk: display 'gtk' is not supported (use -display none)");
  });

  it('-append needs -kernel (QEMU message)', () => {
    expect(err(['-append', 'console=hvc0'])).toBe('-append only allowed with -kernel option');
  });

  it('serial forms map to chardev + vty like QEMU pseries', () => {
    let c = cfg('-nodefaults -serial stdio -serial file:/tmp/s1.txt -serial null');
    expect(c.chardevs).toEqual([
      { backend: 'stdio', id: 'serial0', signal: true },
      { backend: 'file', id: 'serial1', path: '/tmp/s1.txt', append: false },
      { backend: 'null', id: 'serial2' },
    ]);
    expect(c.vtys).toEqual([{ chardev: 'serial0' }, { chardev: 'serial1' }, { chardev: 'serial2' }]);
    c = cfg('-nographic');
    expect(c.chardevs).toEqual([{ backend: 'stdio', id: 'serial0', signal: true }]);
    c = cfg('-nodefaults');
    expect(c.vtys).toEqual([]);
    c = cfg('-chardev file,id=c,path=/tmp/a,,b -serial chardev:c');
    expect(c.chardevs).toEqual([{ backend: 'file', id: 'c', path: '/tmp/a,b', append: false }]);
    expect(c.vtys).toEqual([{ chardev: 'c' }]);
    expect(err(['-serial', 'foo'])).toMatch(/^-serial foo: 'foo' is not a supported char driver/);
    expect(err(['-chardev', 'stdio'])).toBe('-chardev stdio: chardev: no id specified');
  });

  it('filter-dump needs a known netdev', () => {
    expect(err(['-object', 'filter-dump,id=f'])).toBe("-object filter-dump,id=f: Parameter 'netdev' is missing");
    expect(err(['-object', 'filter-dump,id=f,netdev=zz,file=/tmp/x'])).toBe("Parameter 'netdev' expects a network backend id (got 'zz')");
    expect(err(['-object', 'memory-backend-ram,id=m,size=1G'])).toMatch(/object type 'memory-backend-ram' is not supported/);
    expect(cfg('-netdev in-process,id=n -object filter-dump,id=f,netdev=n,file=/tmp/x,maxlen=128').filterDumps[0].maxlen).toBe(128);
  });

  it('unknown, unsupported and incomplete options', () => {
    expect(err(['-foo'])).toBe('-foo: invalid option');
    expect(err(['-hda', 'x.img'])).toBe('-hda: option not supported by pseries-wasm');
    expect(err(['-net', 'nic'])).toBe('-net: option not supported by pseries-wasm');
    expect(err(['disk.img'])).toBe('disk.img: disk images are not supported (no block devices)');
    expect(err(['-kernel'])).toBe('-kernel: requires an argument');
    expect(err(['-incoming'])).toBe('-incoming: requires an argument');
  });

  it('accepts --opt like -opt; help and version win', () => {
    expect(cfg('--nographic --m 1G').ramSize).toBe(2 ** 30);
    expect(parseArgs(['--help', '-foo']).action).toBe('help');
    expect(parseArgs(['-version']).action).toBe('version');
    expect(parseArgs(['-m', '1G', '--dump-config']).action).toBe('dump-config');
  });
});
