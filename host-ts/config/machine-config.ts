// The machine configuration: what a qemu-system-ppc64 command line says, as a typed object.
// The CLI (host-ts/cli/) only turns argv into a MachineConfigInput; embedders build one directly.
// resolveConfig() fills QEMU's defaults and checks cross-references once, for both.

export class ConfigError extends Error {}

export type MacAddress = string; // "52:54:00:12:34:56", lower case

export type HostAddr = { host: string; port: number };

/** -netdev: a host network backend. */
export type NetdevConfig =
  | { type: 'tap'; id: string; ifname?: string }
  /** socket,udp=REMOTE,localaddr=LOCAL and dgram with inet local/remote: one datagram = one frame. */
  | { type: 'udp'; id: string; local: HostAddr; remote: HostAddr }
  /** socket,listen= / connect= and stream: 4-byte big-endian length before each frame. */
  | { type: 'stream'; id: string; server: boolean; addr: StreamAddr }
  /** Frames in and out through the embedding API. */
  | { type: 'in-process'; id: string };

export type StreamAddr = { type: 'inet'; host: string; port: number } | { type: 'unix'; path: string };

/** -device spapr-vlan */
export interface NicConfig {
  id?: string;
  netdev?: string;
  mac: MacAddress;
  /** Pools mode (default on; off on pseries-2.5 and older, QEMU's compat rule). */
  useRxBufferPools: boolean;
  /** VIO unit address; undefined = next free (bus allocation). */
  reg?: number;
  /** Properties beyond QEMU's (host-ts/devices/vlan-props.ts); undefined = the device's default. */
  addBuffersHcall?: boolean;
  rxNofitTimeoutUs?: number;
  rxPendingMax?: number;
}

export type ChardevConfig =
  | { backend: 'stdio'; id: string; signal: boolean }
  | { backend: 'file'; id: string; path: string; append: boolean }
  | { backend: 'null'; id: string };

/** -device spapr-vty */
export interface VtyConfig {
  id?: string;
  chardev: string;
  reg?: number;
}

/** -object filter-dump: pcap of both directions of a netdev. */
export interface FilterDumpConfig {
  id: string;
  netdev: string;
  file: string;
  /** Bytes kept per frame (QEMU default 65536). */
  maxlen: number;
}

/** -qmp: a listening socket (host-ts/qmp/qmp-address.ts fromQmpConfig turns it into a listen address). */
export interface QmpConfig {
  addr: { type: 'unix'; path: string } | { type: 'tcp'; host: string; port: number };
  server: boolean;
  wait: boolean;
}

export interface MachineConfig {
  /** Machine type as given (pseries, pseries-7.2, pseries-2.5...). */
  machineType: string;
  /** -machine dumpdtb=FILE: write the device tree and exit. */
  dumpDtb?: string;
  /** Guest RAM in bytes (-m). */
  ramSize: number;
  smp: 1;
  cpu: 'POWER9';
  accel: 'tcg';
  nodefaults: boolean;
  nographic: boolean;
  noReboot: boolean;
  /** -S: do not start the CPU. */
  startPaused: boolean;
  bios?: string;
  kernel?: string;
  initrd?: string;
  append?: string;
  chardevs: ChardevConfig[];
  vtys: VtyConfig[];
  netdevs: NetdevConfig[];
  nics: NicConfig[];
  filterDumps: FilterDumpConfig[];
  qmp: QmpConfig[];
  /** -incoming URI (migration), parsed only. */
  incoming?: string;
  /** -metrics tcp:[HOST:]PORT: Prometheus text endpoint (host-ts/metrics), as given. */
  metrics?: string;
  /** -D file and -d items. */
  log: { file?: string; items: string[] };
}

/** What callers give: everything optional except lists' items; NIC macs may be left out. */
export type MachineConfigInput = Partial<Omit<MachineConfig, 'nics' | 'smp' | 'cpu' | 'accel'>> & {
  nics?: (Omit<NicConfig, 'mac' | 'useRxBufferPools'> & { mac?: MacAddress; useRxBufferPools?: boolean })[];
  smp?: number;
  cpu?: string;
  accel?: string;
};

export const DEFAULT_RAM_SIZE = 512 * 2 ** 20;
/** pseries RAM granularity: QEMU refuses sizes not aligned to 256 MiB. */
export const RAM_ALIGN = 256 * 2 ** 20;
const DEFAULT_MAC_PREFIX = '52:54:00:12:34:';
const DEFAULT_MAC_BASE = 0x56;

const MACHINE_TYPE = /^pseries(-(\d+)\.(\d+)(-sxxm)?)?$/;

/** True for machine types that default use-rx-buffer-pools to off (pseries-2.5 and older). */
export function legacyRxDefault(machineType: string): boolean {
  const m = MACHINE_TYPE.exec(machineType);
  if (!m || m[1] === undefined) return false;
  const major = Number(m[2]);
  const minor = Number(m[3]);
  return major < 2 || (major === 2 && minor <= 5);
}

export function isMachineType(t: string): boolean {
  return MACHINE_TYPE.test(t);
}

export function parseMac(text: string): MacAddress | undefined {
  if (!/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(text)) return undefined;
  return text.toLowerCase().replace(/-/g, ':');
}

export function macBytes(mac: MacAddress): Uint8Array {
  return Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
}

/** Fills defaults (QEMU's) and checks references; throws ConfigError with a one-line message. */
export function resolveConfig(input: MachineConfigInput = {}): MachineConfig {
  const machineType = input.machineType ?? 'pseries';
  if (!isMachineType(machineType)) throw new ConfigError(`unsupported machine type '${machineType}' (use pseries)`);
  const ramSize = input.ramSize ?? DEFAULT_RAM_SIZE;
  if (!Number.isSafeInteger(ramSize) || ramSize <= 0) throw new ConfigError(`invalid RAM size ${ramSize}`);
  if (ramSize % RAM_ALIGN !== 0) {
    throw new ConfigError(`Memory size 0x${ramSize.toString(16)} is not aligned to 256 MiB`);
  }
  if ((input.smp ?? 1) !== 1) throw new ConfigError(`only one vCPU is supported (smp=${input.smp})`);
  const cpu = input.cpu ?? 'POWER9';
  if (cpu !== 'POWER9') throw new ConfigError(`CPU model '${cpu}' is not supported (only POWER9)`);
  const accel = input.accel ?? 'tcg';
  if (accel !== 'tcg') throw new ConfigError(`accelerator '${accel}' is not supported (only tcg)`);
  if (input.append !== undefined && input.kernel === undefined) {
    throw new ConfigError('-append only allowed with -kernel option');
  }
  if (input.initrd !== undefined && input.kernel === undefined) {
    throw new ConfigError('-initrd only allowed with -kernel option');
  }

  const ids = (what: string, list: { id?: string }[]) => {
    const seen = new Set<string>();
    for (const x of list) {
      if (x.id === undefined) continue;
      if (seen.has(x.id)) throw new ConfigError(`duplicate ${what} ID '${x.id}'`);
      seen.add(x.id);
    }
    return seen;
  };
  const netdevs = input.netdevs ?? [];
  const netdevIds = ids('netdev', netdevs);
  const chardevs = input.chardevs ?? [];
  const chardevIds = ids('chardev', chardevs);
  ids('device', [...(input.nics ?? []), ...(input.vtys ?? [])]);
  ids('object', input.filterDumps ?? []);

  const usedNetdevs = new Set<string>();
  const usedMacs = new Set<number>();
  const inputNics = input.nics ?? [];
  for (const n of inputNics) {
    if (n.mac === undefined) continue;
    const mac = parseMac(n.mac);
    if (!mac) throw new ConfigError(`Property 'spapr-vlan.mac' doesn't take value '${n.mac}'`);
    // Explicit macs in QEMU's default range are reserved so defaults skip them.
    if (mac.startsWith(DEFAULT_MAC_PREFIX)) usedMacs.add(parseInt(mac.slice(-2), 16) - DEFAULT_MAC_BASE);
  }
  const poolsDefault = !legacyRxDefault(machineType);
  const nics: NicConfig[] = inputNics.map((n) => {
    if (n.netdev !== undefined) {
      if (!netdevIds.has(n.netdev)) throw new ConfigError(`Property 'spapr-vlan.netdev' can't find value '${n.netdev}'`);
      if (usedNetdevs.has(n.netdev)) {
        throw new ConfigError(`Property 'spapr-vlan.netdev' can't take value '${n.netdev}', it's in use`);
      }
      usedNetdevs.add(n.netdev);
    }
    let mac = n.mac !== undefined ? parseMac(n.mac)! : undefined;
    if (mac === undefined) {
      // QEMU hands out 52:54:00:12:34:56 + the first free index.
      let i = 0;
      while (usedMacs.has(i)) i++;
      if (DEFAULT_MAC_BASE + i > 0xff) throw new ConfigError('no free default MAC address');
      usedMacs.add(i);
      mac = DEFAULT_MAC_PREFIX + (DEFAULT_MAC_BASE + i).toString(16).padStart(2, '0');
    }
    const nic: NicConfig = { mac, useRxBufferPools: n.useRxBufferPools ?? poolsDefault };
    if (n.id !== undefined) nic.id = n.id;
    if (n.netdev !== undefined) nic.netdev = n.netdev;
    if (n.reg !== undefined) nic.reg = n.reg;
    if (n.addBuffersHcall !== undefined) nic.addBuffersHcall = n.addBuffersHcall;
    if (n.rxNofitTimeoutUs !== undefined) nic.rxNofitTimeoutUs = n.rxNofitTimeoutUs;
    if (n.rxPendingMax !== undefined) nic.rxPendingMax = n.rxPendingMax;
    return nic;
  });

  for (const v of input.vtys ?? []) {
    if (!chardevIds.has(v.chardev)) throw new ConfigError(`Property 'spapr-vty.chardev' can't find value '${v.chardev}'`);
  }
  const regs = new Map<number, string>();
  for (const [kind, d] of [...nics.map((n) => ['spapr-vlan', n] as const), ...(input.vtys ?? []).map((v) => ['spapr-vty', v] as const)]) {
    if (d.reg === undefined) continue;
    const other = regs.get(d.reg);
    if (other) throw new ConfigError(`${kind} and ${other} devices conflict at address 0x${d.reg.toString(16)}`);
    regs.set(d.reg, kind);
  }
  for (const f of input.filterDumps ?? []) {
    if (!netdevIds.has(f.netdev)) throw new ConfigError(`Parameter 'netdev' expects a network backend id (got '${f.netdev}')`);
  }
  for (const nd of netdevs) {
    if (nd.type === 'udp' || (nd.type === 'stream' && nd.addr.type === 'inet')) {
      const ports = nd.type === 'udp' ? [nd.local.port, nd.remote.port] : [(nd.addr as { port: number }).port];
      if (ports.some((p) => !Number.isInteger(p) || p < 0 || p > 65535)) {
        throw new ConfigError(`netdev '${nd.id}': invalid port`);
      }
    }
  }

  const cfg: MachineConfig = {
    machineType,
    ramSize,
    smp: 1,
    cpu: 'POWER9',
    accel: 'tcg',
    nodefaults: input.nodefaults ?? false,
    nographic: input.nographic ?? false,
    noReboot: input.noReboot ?? false,
    startPaused: input.startPaused ?? false,
    chardevs,
    vtys: input.vtys ?? [],
    netdevs,
    nics,
    filterDumps: input.filterDumps ?? [],
    qmp: input.qmp ?? [],
    log: { items: input.log?.items ?? [], ...(input.log?.file !== undefined ? { file: input.log.file } : {}) },
  };
  for (const k of ['dumpDtb', 'bios', 'kernel', 'initrd', 'append', 'incoming', 'metrics'] as const) {
    if (input[k] !== undefined) cfg[k] = input[k];
  }
  return cfg;
}
