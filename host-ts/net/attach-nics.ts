// -device spapr-vlan entries -> SpaprVlan devices on a machine, each wired to its netdev.
// Netdevs are opened first (asynchronously, openNetdevs); this part is synchronous so that it
// can run inside a machine assembly's device hook.
import type { Machine } from '../machine/machine.js';
import { SpaprVlan } from '../devices/spapr-vlan.js';
import type { SpaprVlanOptions } from '../devices/vlan-props.js';
import type { NicConfig } from '../config/machine-config.js';
import type { NetBackend } from './net-port.js';

export function vlanOptions(nic: NicConfig): SpaprVlanOptions {
  const o: SpaprVlanOptions = { mac: nic.mac, useRxBufferPools: nic.useRxBufferPools };
  if (nic.reg !== undefined) o.reg = nic.reg;
  if (nic.addBuffersHcall !== undefined) o.addBuffersHcall = nic.addBuffersHcall;
  if (nic.rxNofitTimeoutUs !== undefined) o.rxNofitTimeoutUs = nic.rxNofitTimeoutUs;
  if (nic.rxPendingMax !== undefined) o.rxPendingMax = nic.rxPendingMax;
  return o;
}

/** Creates the NICs in command-line order (so automatic unit addresses follow QEMU's order). */
export function attachNics(machine: Machine, nics: readonly NicConfig[], backends: ReadonlyMap<string, NetBackend>): SpaprVlan[] {
  return nics.map((nic) => {
    const dev = new SpaprVlan(machine, vlanOptions(nic));
    if (nic.netdev !== undefined) {
      const b = backends.get(nic.netdev);
      if (!b) throw new Error(`Property 'spapr-vlan.netdev' can't find value '${nic.netdev}'`);
      dev.attachBackend(b);
    }
    return dev;
  });
}
