// A pseries machine with its devices, for embedders and tests: createMachine({ ramSize, vlans: [...] }).
import { Machine, type MachineOptions } from './machine.js';
import { SpaprVlan } from '../devices/spapr-vlan.js';
import type { SpaprVlanOptions } from '../devices/vlan-props.js';

export interface PseriesOptions extends MachineOptions {
  /** One entry per spapr-vlan device, in unit-address allocation order. */
  vlans?: SpaprVlanOptions[];
}

export interface Pseries {
  machine: Machine;
  vlans: SpaprVlan[];
}

export function createMachine(opts: PseriesOptions = {}): Pseries {
  const machine = new Machine(opts);
  const vlans = (opts.vlans ?? []).map((o) => new SpaprVlan(machine, o));
  return { machine, vlans };
}
