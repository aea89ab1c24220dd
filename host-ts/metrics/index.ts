// Public metrics API: a registry per process or per machine, Prometheus text, optional HTTP endpoint.
export { MetricsRegistry, type Collector, type CollectorOptions } from './registry.js';
export { renderExposition, CONTENT_TYPE, MetricsError, type MetricFamily, type MetricType, type Sample, type Labels } from './exposition.js';
export { vlanFamilies, vlanCollector } from './vlan-metrics.js';
export { startMetricsServer, type MetricsServer } from './metrics-server.js';
export { machineFamilies, type MachineMetricsSource } from './machine-metrics.js';
