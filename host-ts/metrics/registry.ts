// A metrics registry with no global state: every scrape calls the registered collect()
// callbacks and renders what they return. Many machines can share one registry (each
// registers with its own constant labels, e.g. {machine: "vm3"}) or have one each.
import { MetricsError, renderExposition, type Labels, type MetricFamily } from './exposition.js';

export type Collector = () => MetricFamily[];

export interface CollectorOptions {
  /** Labels added to every sample of this collector (must not clash with the collector's own). */
  labels?: Labels;
}

export class MetricsRegistry {
  private readonly collectors: { collect: Collector; labels: Labels }[] = [];

  /** Adds a collector; returns the function that removes it (call it when the machine goes away). */
  register(collect: Collector, opts: CollectorOptions = {}): () => void {
    const entry = { collect, labels: opts.labels ?? {} };
    this.collectors.push(entry);
    return () => {
      const i = this.collectors.indexOf(entry);
      if (i >= 0) this.collectors.splice(i, 1);
    };
  }

  /** Collects every family; families of the same name from several collectors merge (same type and help required). */
  collect(): MetricFamily[] {
    const byName = new Map<string, MetricFamily>();
    for (const { collect, labels } of this.collectors) {
      for (const f of collect()) {
        const samples = f.samples.map((s) => {
          for (const k of Object.keys(labels)) {
            if (s.labels && k in s.labels) throw new MetricsError(`metric ${f.name}: label '${k}' set by both the collector and the registration`);
          }
          return { labels: { ...labels, ...s.labels }, value: s.value };
        });
        const prev = byName.get(f.name);
        if (!prev) {
          byName.set(f.name, { ...f, samples });
        } else if (prev.type !== f.type || prev.help !== f.help) {
          throw new MetricsError(`metric ${f.name} collected twice with different type or help`);
        } else {
          prev.samples.push(...samples);
        }
      }
    }
    return [...byName.values()];
  }

  /** The scrape body in text format 0.0.4. */
  expose(): string {
    return renderExposition(this.collect());
  }
}
