// spapr-vlan properties (spec 6.1) and the ones beyond QEMU, with their defaults. Shared by the device,
// the CLI (`-device spapr-vlan,...`) and embedders.

export interface SpaprVlanOptions {
  /** -device id= (labels telemetry; default spapr-vlanN). */
  id?: string;
  /** Permanent MAC "52:54:00:12:34:56" or 6 bytes; default 52:54:00:12:34:56 + device index (spec 6.1 mac). */
  mac?: string | Uint8Array | number[];
  /** Unit address; absent = next free from 0x71000000 (spec 6.1 reg). */
  reg?: number;
  /** RX buffer pools (on) or the legacy buffer-list ring (off) (spec 6.1 use-rx-buffer-pools). */
  useRxBufferPools?: boolean;
  /** H_ADD_LOGICAL_LAN_BUFFERS + H_ILLAN_ATTRIBUTES (bit 0x40000); off = QEMU's H_FUNCTION. */
  addBuffersHcall?: boolean;
  /**
   * Q3: how long (guest virtual microseconds) a frame that no posted buffer fits may block receive
   * before it is dropped and counted; 0 = QEMU-compatible (it waits for a fitting buffer forever).
   */
  rxNofitTimeoutUs?: number;
  /** Bound of the host-side pending queue in frames (spec 4.2); the rxStage ring also bounds bytes. */
  rxPendingMax?: number;
}

export const VLAN_DEFAULT_MAC = '52:54:00:12:34:56';

export const VLAN_DEFAULTS = {
  useRxBufferPools: true,
  addBuffersHcall: true,
  rxNofitTimeoutUs: 10_000,
  rxPendingMax: 10_000,
} as const;

/** QEMU-style property names (`-device spapr-vlan,name=value`) -> option keys. */
export const VLAN_PROPERTY_NAMES: Record<string, keyof SpaprVlanOptions> = {
  id: 'id',
  mac: 'mac',
  reg: 'reg',
  'use-rx-buffer-pools': 'useRxBufferPools',
  'add-buffers-hcall': 'addBuffersHcall',
  'rx-nofit-timeout': 'rxNofitTimeoutUs',
  'rx-pending-max': 'rxPendingMax',
};

const BOOL: Record<string, boolean> = { on: true, off: false, true: true, false: false, yes: true, no: false };

/** Parses `-device spapr-vlan` properties given as strings (QEMU syntax); errors name the property. */
export function vlanOptionsFromProps(props: Record<string, string>): SpaprVlanOptions {
  const o: SpaprVlanOptions = {};
  for (const [name, value] of Object.entries(props)) {
    const key = VLAN_PROPERTY_NAMES[name];
    if (!key) throw new Error(`spapr-vlan: unknown property '${name}'`);
    switch (key) {
      case 'id': o.id = value; break;
      case 'mac': o.mac = value; break;
      case 'reg': o.reg = parseUint(name, value, 0xffffffff); break;
      case 'useRxBufferPools':
      case 'addBuffersHcall': {
        const b = BOOL[value.toLowerCase()];
        if (b === undefined) throw new Error(`spapr-vlan: property '${name}' expects on/off, got '${value}'`);
        o[key] = b;
        break;
      }
      case 'rxNofitTimeoutUs': o.rxNofitTimeoutUs = parseUint(name, value, 3_600_000_000); break;
      case 'rxPendingMax': o.rxPendingMax = parseUint(name, value, 1_000_000); break;
    }
  }
  return o;
}

function parseUint(name: string, value: string, max: number): number {
  const n = /^0x[0-9a-f]+$/i.test(value) ? parseInt(value, 16) : /^\d+$/.test(value) ? parseInt(value, 10) : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new Error(`spapr-vlan: property '${name}' expects an integer 0..${max}, got '${value}'`);
  return n;
}

/** Parses "52:54:00:12:34:56" (or 6 bytes) into 6 bytes; errors say what is wrong. */
export function parseMac(mac: string | Uint8Array | number[]): Uint8Array {
  if (typeof mac !== 'string') {
    if (mac.length !== 6 || [...mac].some((b) => !Number.isInteger(b) || b < 0 || b > 255)) throw new Error('spapr-vlan: a MAC is 6 bytes');
    return Uint8Array.from(mac);
  }
  const m = /^([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})[:-]([0-9a-f]{2})$/i.exec(mac);
  if (!m) throw new Error(`spapr-vlan: invalid MAC '${mac}' (expected xx:xx:xx:xx:xx:xx)`);
  return Uint8Array.from(m.slice(1).map((h) => parseInt(h, 16)));
}

export function macToU64(mac: Uint8Array): bigint {
  return mac.reduce((acc, b) => (acc << 8n) | BigInt(b), 0n);
}

export function u64ToMac(v: bigint): Uint8Array {
  return Uint8Array.from({ length: 6 }, (_, i) => Number((v >> BigInt(40 - 8 * i)) & 0xffn));
}

export function macToString(mac: Uint8Array): string {
  return [...mac].map((b) => b.toString(16).padStart(2, '0')).join(':');
}
