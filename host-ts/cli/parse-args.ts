// argv (qemu-system-ppc64 syntax) -> MachineConfigInput. One entry per option in OPTIONS;
// QEMU accepts -opt and --opt alike. Errors name the option as QEMU does: "-opt arg: message".
import {
  ConfigError, isMachineType, parseMac, resolveConfig,
  type ChardevConfig, type FilterDumpConfig, type MachineConfig, type MachineConfigInput,
  type NetdevConfig, type QmpConfig,
} from '../config/machine-config.js';
import { vlanOptionsFromProps, type SpaprVlanOptions } from '../devices/vlan-props.js';

import { parseSocketAddress } from '../qmp/qmp-address.js';
import { OptsError, parseBool, parseHostPort, parseOpts, parseSize, parseUint, type ParsedOpts } from './qemu-opts.js';

export class CliError extends Error {}

export type CliAction = 'run' | 'help' | 'version' | 'dump-config';

export interface CliResult {
  action: CliAction;
  config?: MachineConfig;
  /** One-line warnings (ignored properties...), printed on stderr by the caller. */
  warnings: string[];
}

interface Ctx {
  cfg: MachineConfigInput & {
    chardevs: ChardevConfig[]; netdevs: NetdevConfig[]; filterDumps: FilterDumpConfig[]; qmp: QmpConfig[];
    nics: NonNullable<MachineConfigInput['nics']>; vtys: NonNullable<MachineConfigInput['vtys']>;
  };
  serials: string[];
  warnings: string[];
  action: CliAction;
  nicCount: number;
}

type Handler = (arg: string, ctx: Ctx) => void;
interface OptionDef { arg: boolean; handle: Handler }

/** Properties of QEMU's pseries machine that have no effect here: accepted, reported as ignored. */
const IGNORED_MACHINE_PROPS = new Set([
  'cap-ccf-assist', 'cap-cfpc', 'cap-dfp', 'cap-fwnmi', 'cap-hpt-max-page-size', 'cap-htm', 'cap-ibs',
  'cap-large-decr', 'cap-nested-hv', 'cap-rpt-invalidate', 'cap-sbbc', 'cap-vsx', 'cap-ail-mode-3',
  'x-vof', 'ic-mode', 'vsmt', 'max-cpu-compat', 'resize-hpt', 'kvm-type', 'modern-hotplug-events',
  'host-model', 'host-serial', 'nvdimm-persistence', 'usb', 'graphics', 'mem-merge', 'dump-guest-core',
  'suppress-vmdesc', 'dt-compatible', 'phandle-start',
]);

/** Options QEMU has that we know and refuse (so the message says "not supported", not "invalid"). */
const UNSUPPORTED = new Set([
  'hda', 'hdb', 'cdrom', 'drive', 'blockdev', 'net', 'vga', 'usb', 'usbdevice', 'enable-kvm',
  'monitor-none', 'mon', 'vnc', 'spice', 'audiodev', 'fsdev', 'virtfs', 'boot', 'prom-env', 'rtc',
  'icount', 'gdb', 's', 'daemonize', 'loadvm', 'snapshot', 'overcommit', 'sandbox', 'global',
  'set', 'readconfig', 'writeconfig', 'trace', 'numa', 'object-add', 'dtb', 'watchdog-action',
  'action', 'pflash', 'mtdblock', 'sd', 'parallel', 'plugin',
]);

function opts(text: string, implied?: string): ParsedOpts {
  return parseOpts(text, implied);
}

/** Takes the keys `known` out of `o`; any other key is an error naming the key (QEMU wording). */
function checkKeys(o: ParsedOpts, owner: string, known: string[]): void {
  for (const k of o.values.keys()) {
    if (!known.includes(k)) throw new OptsError(`Invalid parameter '${k}'` + (owner ? ` for ${owner}` : ''));
  }
}

function required(o: ParsedOpts, key: string): string {
  const v = o.values.get(key);
  if (v === undefined) throw new OptsError(`Parameter '${key}' is missing`);
  return v;
}

function handleMachine(arg: string, ctx: Ctx): void {
  const o = opts(arg, 'type');
  for (const [k, v] of o.values) {
    switch (k) {
      case 'type':
        if (v === 'help' || v === '?') throw new OptsError('supported machine types: pseries, pseries-X.Y (QEMU 7.2 names)');
        if (!isMachineType(v)) throw new OptsError(`unsupported machine type '${v}' (use pseries)`);
        ctx.cfg.machineType = v;
        break;
      case 'accel':
        if (v !== 'tcg') throw new OptsError(`accelerator '${v}' is not supported (only tcg)`);
        break;
      case 'dumpdtb': ctx.cfg.dumpDtb = v; break;
      case 'kernel': ctx.cfg.kernel = v; break;
      case 'initrd': ctx.cfg.initrd = v; break;
      case 'append': ctx.cfg.append = v; break;
      case 'firmware': ctx.cfg.bios = v; break;
      case 'x-vof':
        // -kernel always enters with a VOF-like client interface here (host-ts/boot), which is
        // what x-vof=on asks QEMU for: nothing to report then.
        if (!parseBool(k, v)) ctx.warnings.push(`-machine x-vof=${v}: ignored (-kernel always gets the client interface)`);
        break;
      default:
        if (!IGNORED_MACHINE_PROPS.has(k)) throw new OptsError(`Property 'pseries-7.2-machine.${k}' not found`);
        ctx.warnings.push(`-machine ${k}=${v}: ignored (no effect on this emulator)`);
    }
  }
}

function handleMemory(arg: string, ctx: Ctx): void {
  const o = opts(arg, 'size');
  checkKeys(o, '', ['size']);
  ctx.cfg.ramSize = parseSize('size', required(o, 'size'), 2 ** 20);
}

function handleSmp(arg: string, ctx: Ctx): void {
  const o = opts(arg, 'cpus');
  checkKeys(o, '', ['cpus', 'sockets', 'dies', 'clusters', 'cores', 'threads', 'maxcpus']);
  for (const [k, v] of o.values) {
    if (parseUint(k, v) !== 1) throw new OptsError('only one vCPU is supported (-smp 1)');
  }
}

function handleCpu(arg: string, ctx: Ctx): void {
  const name = arg.split(',')[0];
  if (!/^power9(_v2\.0)?$/i.test(name)) {
    if (/^power\d+/i.test(name) || name === 'host' || name === 'max') {
      throw new OptsError(`CPU model '${name}' is not supported (only POWER9)`);
    }
    throw new OptsError(`unable to find CPU model '${name}'`);
  }
  if (arg.includes(',')) ctx.warnings.push(`-cpu ${arg}: CPU properties ignored`);
  ctx.cfg.cpu = 'POWER9';
}

function handleAccel(arg: string, _ctx: Ctx): void {
  const o = opts(arg, 'accel');
  const a = required(o, 'accel');
  if (a !== 'tcg') throw new OptsError(`invalid accelerator ${a} (only tcg is supported)`);
}

function handleDisplay(arg: string, _ctx: Ctx): void {
  if (arg.split(',')[0] !== 'none') throw new OptsError(`display '${arg}' is not supported (use -display none)`);
}

function chardevFrom(o: ParsedOpts, id: string): ChardevConfig {
  const backend = required(o, 'backend');
  switch (backend) {
    case 'stdio':
      checkKeys(o, 'chardev stdio', ['backend', 'id', 'signal', 'mux', 'logfile']);
      if (o.values.has('mux') && parseBool('mux', o.values.get('mux')!)) throw new OptsError('mux=on is not supported');
      if (o.values.has('logfile')) throw new OptsError('logfile= is not supported');
      return { backend: 'stdio', id, signal: parseBool('signal', o.values.get('signal') ?? 'on') };
    case 'file': {
      checkKeys(o, 'chardev file', ['backend', 'id', 'path', 'append']);
      return { backend: 'file', id, path: required(o, 'path'), append: parseBool('append', o.values.get('append') ?? 'off') };
    }
    case 'null':
      checkKeys(o, 'chardev null', ['backend', 'id']);
      return { backend: 'null', id };
    default:
      throw new OptsError(`chardev backend '${backend}' is not supported (stdio, file, null)`);
  }
}

function handleChardev(arg: string, ctx: Ctx): void {
  const o = opts(arg, 'backend');
  const id = o.values.get('id');
  if (id === undefined) throw new OptsError('chardev: no id specified');
  ctx.cfg.chardevs.push(chardevFrom(o, id));
}

function handleSerial(arg: string, ctx: Ctx): void {
  // stdio | mon:stdio | file:PATH | null | none | chardev:ID
  if (arg === 'none') { ctx.serials.push('none'); return; }
  if (arg === 'stdio' || arg === 'null' || arg === 'mon:stdio' || arg.startsWith('file:') || arg.startsWith('chardev:')) {
    if (arg === 'file:') throw new OptsError('file: needs a path');
    ctx.serials.push(arg);
    return;
  }
  throw new OptsError(`'${arg}' is not a supported char driver (stdio, file:PATH, null, none, chardev:ID)`);
}

function inetAddr(o: ParsedOpts, prefix: string): { host: string; port: number } {
  const type = required(o, `${prefix}.type`);
  if (type !== 'inet') throw new OptsError(`${prefix}.type=${type} is not supported (inet only)`);
  const host = required(o, `${prefix}.host`);
  const portText = required(o, `${prefix}.port`);
  return { host, port: parseUint(`${prefix}.port`, portText, 65535) };
}

function handleNetdev(arg: string, ctx: Ctx): void {
  netdevFrom(opts(arg, 'type'), arg, ctx);
}

/**
 * -nic TYPE[,netdev options][,model=spapr-vlan][,mac=MAC]: a netdev and its NIC in one option.
 * The netdev gets QEMU's internal id (__org.qemu.nicN); spapr-vlan is pseries' default model.
 */
function handleNic(arg: string, ctx: Ctx): void {
  const o = opts(arg, 'type');
  const type = required(o, 'type');
  if (type === 'none') return;
  const model = o.values.get('model') ?? 'spapr-vlan';
  if (model === 'help' || model === '?') throw new OptsError('supported NIC models: spapr-vlan');
  if (model !== 'spapr-vlan') throw new OptsError(`NIC model '${model}' is not supported (spapr-vlan)`);
  const mac = o.values.get('mac');
  if (mac !== undefined && !parseMac(mac)) throw new OptsError(`Property 'spapr-vlan.mac' doesn't take value '${mac}'`);
  if (o.values.has('id')) throw new OptsError(`Invalid parameter 'id'`);
  const id = `__org.qemu.nic${ctx.nicCount++}`;
  const nd = new Map(o.values);
  nd.delete('model');
  nd.delete('mac');
  nd.set('id', id);
  netdevFrom({ values: nd }, arg, ctx);
  ctx.cfg.nics.push({ netdev: id, ...(mac !== undefined ? { mac } : {}) });
}

function netdevFrom(o: ParsedOpts, arg: string, ctx: Ctx): void {
  const type = required(o, 'type');
  const id = o.values.get('id');
  if (id === undefined) throw new OptsError(`Parameter 'id' is missing`);
  let nd: NetdevConfig;
  switch (type) {
    case 'tap': {
      checkKeys(o, 'tap', ['type', 'id', 'ifname', 'script', 'downscript', 'queues', 'vhost']);
      for (const s of ['script', 'downscript']) {
        const v = o.values.get(s);
        if (v === undefined) ctx.warnings.push(`-netdev ${arg}: ${s}= not given: no script is run (as ${s}=no)`);
        else if (v !== 'no') throw new OptsError(`${s}=${v} is not supported (use ${s}=no)`);
      }
      if ((o.values.get('queues') ?? '1') !== '1') throw new OptsError('multiqueue tap is not supported (queues=1)');
      if (o.values.has('vhost') && parseBool('vhost', o.values.get('vhost')!)) throw new OptsError('vhost is not supported');
      const ifname = o.values.get('ifname');
      nd = ifname !== undefined ? { type: 'tap', id, ifname } : { type: 'tap', id };
      break;
    }
    case 'socket': {
      checkKeys(o, 'socket', ['type', 'id', 'listen', 'connect', 'udp', 'localaddr', 'mcast', 'fd']);
      const modes = ['listen', 'connect', 'mcast', 'udp'].filter((k) => o.values.has(k));
      if (modes.length !== 1) throw new OptsError('exactly one of listen=, connect=, mcast= or udp= is required');
      const mode = modes[0];
      if (mode === 'mcast') throw new OptsError('mcast= is not supported (use udp= or listen=/connect=)');
      if (o.values.has('fd')) throw new OptsError('fd= is not supported');
      if (mode === 'udp') {
        const local = o.values.get('localaddr');
        if (local === undefined) throw new OptsError('localaddr= is mandatory with udp=');
        nd = { type: 'udp', id, remote: parseHostPort(o.values.get('udp')!), local: parseHostPort(local) };
      } else {
        if (o.values.has('localaddr')) throw new OptsError('localaddr= is only valid with udp=');
        const a = parseHostPort(o.values.get(mode)!);
        // QEMU listens on all addresses when the host part is empty.
        const host = a.host === '' ? (mode === 'listen' ? '0.0.0.0' : '127.0.0.1') : a.host;
        nd = { type: 'stream', id, server: mode === 'listen', addr: { type: 'inet', host, port: a.port } };
      }
      break;
    }
    case 'stream': {
      checkKeys(o, 'stream', ['type', 'id', 'server', 'addr.type', 'addr.host', 'addr.port', 'addr.path',
        'addr.ipv4', 'addr.ipv6', 'addr.numeric', 'addr.to']);
      const server = parseBool('server', o.values.get('server') ?? 'off');
      if (!o.values.has('addr.type')) throw new OptsError(`Parameter 'addr' is missing`);
      const t = o.values.get('addr.type')!;
      if (t === 'inet') {
        nd = { type: 'stream', id, server, addr: { type: 'inet', ...inetAddr(o, 'addr') } };
      } else if (t === 'unix') {
        nd = { type: 'stream', id, server, addr: { type: 'unix', path: required(o, 'addr.path') } };
      } else {
        throw new OptsError(`addr.type=${t} is not supported (inet, unix)`);
      }
      break;
    }
    case 'dgram': {
      checkKeys(o, 'dgram', ['type', 'id', 'local.type', 'local.host', 'local.port', 'remote.type', 'remote.host',
        'remote.port', 'local.ipv4', 'local.ipv6', 'remote.ipv4', 'remote.ipv6']);
      if (!o.values.has('local.type')) throw new OptsError('dgram requires local= parameter');
      const local = inetAddr(o, 'local');
      if (!o.values.has('remote.type')) throw new OptsError('dgram without remote= (multicast or unix) is not supported');
      nd = { type: 'udp', id, local, remote: inetAddr(o, 'remote') };
      break;
    }
    case 'in-process':
      checkKeys(o, 'in-process', ['type', 'id']);
      nd = { type: 'in-process', id };
      break;
    default:
      throw new OptsError(`netdev type '${type}' is not supported (tap, socket, stream, dgram, in-process)`);
  }
  ctx.cfg.netdevs.push(nd);
}

function handleDevice(arg: string, ctx: Ctx): void {
  const o = opts(arg, 'driver');
  const driver = required(o, 'driver');
  const reg = o.values.has('reg') ? parseUint('reg', o.values.get('reg')!) : undefined;
  const id = o.values.get('id');
  switch (driver) {
    case 'spapr-vlan': {
      checkKeys(o, 'spapr-vlan', ['driver', 'id', 'netdev', 'mac', 'use-rx-buffer-pools', 'reg', 'bootindex', 'irq',
        'add-buffers-hcall', 'rx-nofit-timeout', 'rx-pending-max']);
      // Our properties beyond QEMU's, parsed by the device's own property table.
      const extra: Record<string, string> = {};
      for (const k of ['add-buffers-hcall', 'rx-nofit-timeout', 'rx-pending-max']) {
        if (o.values.has(k)) extra[k] = o.values.get(k)!;
      }
      let ext: SpaprVlanOptions;
      try {
        ext = vlanOptionsFromProps(extra);
      } catch (e) {
        throw new OptsError((e as Error).message);
      }
      const macText = o.values.get('mac');
      if (macText !== undefined && !parseMac(macText)) throw new OptsError(`Property 'spapr-vlan.mac' doesn't take value '${macText}'`);
      const pools = o.values.get('use-rx-buffer-pools');
      if (o.values.has('irq')) ctx.warnings.push(`-device ${arg}: irq= ignored (allocated by the bus)`);
      if (o.values.has('bootindex')) ctx.warnings.push(`-device ${arg}: bootindex= ignored`);
      ctx.cfg.nics.push({
        ...(id !== undefined ? { id } : {}),
        ...(o.values.has('netdev') ? { netdev: o.values.get('netdev')! } : {}),
        ...(macText !== undefined ? { mac: macText } : {}),
        ...(pools !== undefined ? { useRxBufferPools: parseBool('use-rx-buffer-pools', pools) } : {}),
        ...(reg !== undefined ? { reg } : {}),
        ...(ext.addBuffersHcall !== undefined ? { addBuffersHcall: ext.addBuffersHcall } : {}),
        ...(ext.rxNofitTimeoutUs !== undefined ? { rxNofitTimeoutUs: ext.rxNofitTimeoutUs } : {}),
        ...(ext.rxPendingMax !== undefined ? { rxPendingMax: ext.rxPendingMax } : {}),
      });
      break;
    }
    case 'spapr-vty': {
      checkKeys(o, 'spapr-vty', ['driver', 'id', 'chardev', 'reg']);
      const chardev = o.values.get('chardev');
      if (chardev === undefined) throw new OptsError('chardev property not set');
      ctx.cfg.vtys.push({ chardev, ...(id !== undefined ? { id } : {}), ...(reg !== undefined ? { reg } : {}) });
      break;
    }
    default:
      throw new OptsError(`device '${driver}' is not supported (spapr-vlan, spapr-vty)`);
  }
}

function handleObject(arg: string, ctx: Ctx): void {
  const o = opts(arg, 'qom-type');
  const type = required(o, 'qom-type');
  if (type !== 'filter-dump') throw new OptsError(`object type '${type}' is not supported (filter-dump)`);
  checkKeys(o, 'filter-dump', ['qom-type', 'id', 'netdev', 'file', 'maxlen', 'queue', 'status', 'position', 'insert']);
  const id = required(o, 'id');
  const netdev = required(o, 'netdev');
  const file = required(o, 'file');
  if ((o.values.get('queue') ?? 'all') !== 'all') throw new OptsError('queue= other than all is not supported');
  ctx.cfg.filterDumps.push({ id, netdev, file, maxlen: o.values.has('maxlen') ? parseUint('maxlen', o.values.get('maxlen')!) : 65536 });
}

function handleQmp(arg: string, ctx: Ctx): void {
  const o = opts(arg, 'path');
  const spec = required(o, 'path');
  checkKeys(o, 'qmp', ['path', 'server', 'wait']);
  let addr: QmpConfig['addr'];
  if (spec.startsWith('unix:')) addr = { type: 'unix', path: spec.slice(5) };
  else if (spec.startsWith('tcp:')) addr = { type: 'tcp', ...parseHostPort(spec.slice(4)) };
  else throw new OptsError(`'${spec}' is not a supported QMP transport (unix:PATH, tcp:HOST:PORT)`);
  const server = parseBool('server', o.values.get('server') ?? 'off');
  if (!server) throw new OptsError('only server mode is supported (add server=on,wait=off)');
  ctx.cfg.qmp.push({ addr, server, wait: parseBool('wait', o.values.get('wait') ?? 'on') });
}

function handleMetrics(arg: string, ctx: Ctx): void {
  try {
    parseSocketAddress(arg, false);
  } catch (e) {
    throw new OptsError(`-metrics: ${(e as Error).message}`);
  }
  ctx.cfg.metrics = arg;
}

const set = (f: (ctx: Ctx) => void): OptionDef => ({ arg: false, handle: (_a, ctx) => f(ctx) });
const val = (handle: Handler): OptionDef => ({ arg: true, handle });

const OPTIONS: Record<string, OptionDef> = {
  'h': set((c) => { c.action = 'help'; }),
  'help': set((c) => { c.action = 'help'; }),
  'version': set((c) => { c.action = 'version'; }),
  'dump-config': set((c) => { if (c.action === 'run') c.action = 'dump-config'; }),
  'M': val(handleMachine),
  'machine': val(handleMachine),
  'm': val(handleMemory),
  'smp': val(handleSmp),
  'cpu': val(handleCpu),
  'accel': val(handleAccel),
  'nodefaults': set((c) => { c.cfg.nodefaults = true; }),
  'nographic': set((c) => { c.cfg.nographic = true; }),
  'display': val(handleDisplay),
  'no-user-config': set(() => {}),
  'no-reboot': set((c) => { c.cfg.noReboot = true; }),
  'bios': val((a, c) => { c.cfg.bios = a; }),
  'kernel': val((a, c) => { c.cfg.kernel = a; }),
  'initrd': val((a, c) => { c.cfg.initrd = a; }),
  'append': val((a, c) => { c.cfg.append = a; }),
  'serial': val(handleSerial),
  'chardev': val(handleChardev),
  'netdev': val(handleNetdev),
  'nic': val(handleNic),
  'device': val(handleDevice),
  'object': val(handleObject),
  'qmp': val(handleQmp),
  'monitor': val((a) => { if (a !== 'none') throw new OptsError('only -monitor none is supported (use -qmp)'); }),
  'S': set((c) => { c.cfg.startPaused = true; }),
  'incoming': val((a, c) => { c.cfg.incoming = a; }),
  'metrics': val(handleMetrics),
  'D': val((a, c) => { c.cfg.log = { ...c.cfg.log, items: c.cfg.log?.items ?? [], file: a }; }),
  'd': val((a, c) => { c.cfg.log = { ...c.cfg.log, items: [...(c.cfg.log?.items ?? []), ...a.split(',')] }; }),
};

/** Turns -serial entries into chardevs + vtys, as QEMU's pseries does (serial_hd(i) -> spapr-vty). */
function applySerials(ctx: Ctx): void {
  let serials = ctx.serials;
  if (serials.length === 0 && !ctx.cfg.nodefaults) {
    // QEMU's default: the console on stdio with -nographic, a (here invisible) vc otherwise.
    serials = [ctx.cfg.nographic ? 'stdio' : 'null'];
  }
  serials.filter((s) => s !== 'none').forEach((s, i) => {
    let chardev: string;
    if (s.startsWith('chardev:')) {
      chardev = s.slice(8);
    } else {
      chardev = `serial${i}`;
      if (s === 'stdio' || s === 'mon:stdio') ctx.cfg.chardevs.push({ backend: 'stdio', id: chardev, signal: true });
      else if (s === 'null') ctx.cfg.chardevs.push({ backend: 'null', id: chardev });
      else ctx.cfg.chardevs.push({ backend: 'file', id: chardev, path: s.slice(5), append: false });
    }
    ctx.cfg.vtys.push({ chardev });
  });
}

/** Parses argv (without node and script). Throws CliError with a one-line message. */
export function parseArgs(argv: readonly string[]): CliResult {
  const ctx: Ctx = {
    cfg: { chardevs: [], netdevs: [], nics: [], vtys: [], filterDumps: [], qmp: [] },
    serials: [],
    warnings: [],
    action: 'run',
    nicCount: 0,
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (!word.startsWith('-') || word === '-' || word === '--') {
      throw new CliError(`${word}: disk images are not supported (no block devices)`);
    }
    const name = word.startsWith('--') ? word.slice(2) : word.slice(1);
    const def = OPTIONS[name];
    if (!def) {
      if (UNSUPPORTED.has(name)) throw new CliError(`${word}: option not supported by pseries-wasm`);
      throw new CliError(`${word}: invalid option`);
    }
    let arg = '';
    if (def.arg) {
      if (i + 1 >= argv.length) throw new CliError(`${word}: requires an argument`);
      arg = argv[++i];
    }
    try {
      def.handle(arg, ctx);
    } catch (e) {
      if (e instanceof OptsError || e instanceof ConfigError) {
        throw new CliError(`${word}${def.arg ? ' ' + arg : ''}: ${e.message}`);
      }
      throw e;
    }
    if (ctx.action === 'help' || ctx.action === 'version') return { action: ctx.action, warnings: [] };
  }
  applySerials(ctx);
  let config: MachineConfig;
  try {
    config = resolveConfig(ctx.cfg);
  } catch (e) {
    if (e instanceof ConfigError) throw new CliError(e.message);
    throw e;
  }
  return { action: ctx.action, config, warnings: ctx.warnings };
}
