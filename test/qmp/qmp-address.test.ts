import { describe, expect, it } from 'vitest';
import { parseSocketAddress } from '../../host-ts/qmp/qmp-address.js';

describe('-qmp / -metrics socket syntax', () => {
  it('accepts QEMU spellings', () => {
    expect(parseSocketAddress('unix:/tmp/q.sock,server=on,wait=off')).toEqual({ kind: 'unix', path: '/tmp/q.sock', wait: false });
    expect(parseSocketAddress('unix:/tmp/q.sock,server,nowait')).toEqual({ kind: 'unix', path: '/tmp/q.sock', wait: false });
    expect(parseSocketAddress('unix:/tmp/q.sock,server=on')).toEqual({ kind: 'unix', path: '/tmp/q.sock', wait: true });
    expect(parseSocketAddress('tcp:127.0.0.1:4444,server=on,wait=off')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 4444, wait: false });
    expect(parseSocketAddress('tcp::4444,server,nowait')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 4444, wait: false });
    expect(parseSocketAddress('tcp:[::1]:4444,server=on,wait=off')).toEqual({ kind: 'tcp', host: '::1', port: 4444, wait: false });
    expect(parseSocketAddress('tcp:localhost:0,server=yes,wait=no')).toEqual({ kind: 'tcp', host: 'localhost', port: 0, wait: false });
  });

  it('-metrics shorthand tcp:PORT listens on loopback and needs no server flag', () => {
    expect(parseSocketAddress('tcp:9100', false)).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 9100, wait: true });
  });

  it('rejects what it cannot do, with the offending part named', () => {
    expect(() => parseSocketAddress('unix:/tmp/q.sock')).toThrow("'unix:/tmp/q.sock': only server=on sockets are supported");
    expect(() => parseSocketAddress('unix:/tmp/q.sock,server=off')).toThrow('only server=on');
    expect(() => parseSocketAddress('unix:/tmp/q.sock,server=on,bogus=1')).toThrow("Invalid parameter 'bogus'");
    expect(() => parseSocketAddress('unix:/tmp/q.sock,server=maybe')).toThrow("Parameter 'server' expects 'on' or 'off'");
    expect(() => parseSocketAddress('tcp:127.0.0.1:99999,server=on')).toThrow("invalid port '99999'");
    expect(() => parseSocketAddress('stdio,server=on')).toThrow('expected unix:PATH or tcp:HOST:PORT');
    expect(() => parseSocketAddress('unix:,server=on')).toThrow('missing socket path');
  });
});
