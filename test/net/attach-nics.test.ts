// From a command line to wired NICs: parseArgs -> openNetdevs -> attachNics on a machine.
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../host-ts/cli/parse-args.js';
import { openNetdevs } from '../../host-ts/net/create-backend.js';
import { attachNics } from '../../host-ts/net/attach-nics.js';
import { Machine } from '../../host-ts/machine/machine.js';
import { InProcessBackend } from '../../host-ts/net/in-process-backend.js';
import { HCALL as H } from '../../host-ts/layout/papr.js';
import { seqFrame, seqOf } from './fake-port.js';

describe('command line -> NICs wired to netdevs', () => {
  it('creates the NICs in order with their properties and moves frames through them', async () => {
    const { config } = parseArgs((
      '-M pseries -m 256M -nodefaults ' +
      '-netdev in-process,id=a -device spapr-vlan,netdev=a,use-rx-buffer-pools=off,reg=0x71000010,mac=02:11:22:33:44:55 ' +
      '-netdev in-process,id=b -device spapr-vlan,netdev=b,rx-pending-max=32').split(' '));
    const nd = await openNetdevs(config!.netdevs, config!.filterDumps);
    const m = new Machine({ ramSize: config!.ramSize });
    const nics = attachNics(m, config!.nics, nd.forNic);
    expect(nics.map((n) => n.reg)).toEqual([0x71000010, 0x71000000]);
    expect(nics.map((n) => n.options.useRxBufferPools)).toEqual([false, true]);
    expect(nics[1].options.rxPendingMax).toBe(32);
    expect([...nics[0].permMac]).toEqual([0x02, 0x11, 0x22, 0x33, 0x44, 0x55]);
    expect([...nics[1].permMac]).toEqual([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);

    // Guest side of NIC b by hypercalls: TCEs (identity), register, two 2 KiB buffers.
    const u = nics[1].reg;
    for (const p of [0x1000, 0x2000, 0x3000, 0x10000, 0x11000]) expect(m.hcall(H.H_PUT_TCE, u, p, p | 3).ret).toBe(0n);
    expect(m.hcall(H.H_REGISTER_LOGICAL_LAN, u, 0x1000, 0x8000_0100_0000_3000n, 0x2000, 0).ret).toBe(0n);
    for (const p of [0x10000, 0x11000]) {
      expect(m.hcall(H.H_ADD_LOGICAL_LAN_BUFFER, u, 0x8000_0000_0000_0000n | (2048n << 32n) | BigInt(p)).ret).toBe(0n);
    }
    const b = nd.backends.get('b') as InProcessBackend;
    expect(b.send(seqFrame(41, 200))).toBe(true);
    // One RX-queue entry of 200 bytes, the frame in a buffer at +8.
    expect([...m.readRam(0x3000, 8)]).toEqual([0xc0, 0, 0, 8, 0, 0, 0, 200]);
    const inBuf = [0x10000, 0x11000].map((p) => seqOf(m.readRam(p + 8, 4)));
    expect(inBuf).toContain(41);
    expect(nics[1].counters().rxFrames).toBe(1n);
    // Nothing reached NIC a.
    expect(nics[0].counters().rxFrames).toBe(0n);
    await nd.closeAll();
  });
});
