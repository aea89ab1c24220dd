// Machine-level metrics next to the device ones: whether the vCPU runs, and how many
// instructions it has executed (for rates: rate(pseries_cpu_instructions_total[1m])).
import type { MetricFamily } from './exposition.js';

export interface MachineMetricsSource {
  /** QMP run state (running, paused, prelaunch, shutdown...). */
  status(): string;
  /** Instructions executed so far, if the machine counts them. */
  insnCount?(): bigint;
}

export function machineFamilies(src: MachineMetricsSource): MetricFamily[] {
  const status = src.status();
  const families: MetricFamily[] = [
    { name: 'pseries_machine_running', help: 'Whether the vCPU is running (QMP status running)', type: 'gauge', samples: [{ value: status === 'running' ? 1 : 0 }] },
  ];
  if (src.insnCount) {
    families.push({ name: 'pseries_cpu_instructions_total', help: 'Guest instructions executed', type: 'counter', samples: [{ value: src.insnCount() }] });
  }
  return families;
}
