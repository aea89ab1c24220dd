// Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE` per family, then one
// line per sample `name{label="value",...} value`. Escaping per the format: label values escape
// backslash, double quote and newline; HELP text escapes backslash and newline.

export const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge' | 'untyped';
export type Labels = Record<string, string>;

export interface Sample {
  labels?: Labels;
  value: number | bigint;
}

export interface MetricFamily {
  /** [a-zA-Z_:][a-zA-Z0-9_:]*; counters end in _total by convention. */
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export class MetricsError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'MetricsError';
  }
}

export const escapeLabelValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
export const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** Integers exactly (bigint included), other floats as JS prints them, and the format's NaN/+Inf/-Inf. */
export function formatValue(v: number | bigint): string {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelText(family: string, labels: Labels | undefined): string {
  if (!labels) return '';
  const keys = Object.keys(labels);
  if (keys.length === 0) return '';
  for (const k of keys) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) throw new MetricsError(`metric ${family}: invalid label name '${k}'`);
  }
  return '{' + keys.map((k) => `${k}="${escapeLabelValue(labels[k])}"`).join(',') + '}';
}

/** Checks one family: valid names, counters not negative, no two samples with the same labels. */
export function validateFamily(f: MetricFamily): void {
  if (!METRIC_NAME.test(f.name)) throw new MetricsError(`invalid metric name '${f.name}'`);
  const seen = new Set<string>();
  for (const s of f.samples) {
    const key = labelText(f.name, s.labels);
    if (seen.has(key)) throw new MetricsError(`metric ${f.name}: two samples with labels ${key || '{}'}`);
    seen.add(key);
    if (f.type === 'counter' && (typeof s.value === 'bigint' ? s.value < 0n : !(s.value >= 0))) {
      throw new MetricsError(`metric ${f.name}: counter value ${formatValue(s.value)} is not a non-negative number`);
    }
  }
}

/** Renders families in the given order; the text ends with a newline (as the format requires). */
export function renderExposition(families: MetricFamily[]): string {
  let out = '';
  for (const f of families) {
    validateFamily(f);
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) out += `${f.name}${labelText(f.name, s.labels)} ${formatValue(s.value)}\n`;
  }
  return out;
}
