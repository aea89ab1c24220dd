// A stream the destination refuses. `field` names what was wrong ("vlan[0].poolCount[2]",
// "ram.page[0x1f]", "header.magic") so an operator can tell a corrupt stream from a
// configuration mismatch; the message always starts with it.

export class MigrationError extends Error {
  constructor(readonly field: string, detail: string) {
    super(`${field}: ${detail}`);
    this.name = 'MigrationError';
  }
}

export function fail(field: string, detail: string): never {
  throw new MigrationError(field, detail);
}

export const hex = (v: number | bigint): string => '0x' + v.toString(16);
