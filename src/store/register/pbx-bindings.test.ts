import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PbxRegistry, type Binding } from '../../pbx-register/index.js';
import { PbxBindingTable } from './pbx-bindings.js';
import { openRegister } from './register.js';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { tempDir, type TempDir } from '../test-tmp.js';

const T0 = Date.UTC(2026, 10, 5, 9, 0, 0);
const LIMITS = { minExpires: 60, maxExpires: 3600, maxContacts: 5 };
let dir: TempDir;

beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.remove());

async function openTable(): Promise<PbxBindingTable> {
  const file = dir.file('register.sqlite');
  const register = await openRegister({ file, lookbackDays: 7 });
  await register.close();
  return PbxBindingTable.open(file);
}

const REGISTER = {
  to: '<sip:fritzbox@crocetta>',
  callId: 'reg@192.168.178.1',
  cseq: '2 REGISTER',
  contact: '<sip:fritzbox@192.168.178.1:5060>',
  expires: '600',
  source: { address: '198.51.100.7', port: 40123, transport: 'udp' },
  userAgent: 'FRITZ!OS 7.57',
};

describe("the PBX's bindings in the register", () => {
  it('survive closing and opening the file again; expired ones are ignored', async () => {
    const clock = new ManualClock(T0);
    let table = await openTable();
    let registry = await PbxRegistry.open(table, LIMITS, clock);
    const result = await registry.apply(REGISTER);
    expect(result.kind).toBe('ok');
    await table.close();

    table = await openTable();
    registry = await PbxRegistry.open(table, LIMITS, clock);
    const expected: Binding = {
      aor: 'sip:fritzbox@crocetta',
      contact: 'sip:fritzbox@192.168.178.1:5060',
      expiresAt: T0 + 600_000,
      updatedAt: T0,
      callId: 'reg@192.168.178.1',
      cseq: 2,
      source: REGISTER.source,
      userAgent: 'FRITZ!OS 7.57',
    };
    expect(registry.live()).toEqual([expected]);
    expect(registry.target()).toBe('sip:fritzbox@198.51.100.7:40123');
    expect(registry.isPbxAddress('198.51.100.7')).toBe(true);

    clock.advance(600_001);
    expect(registry.live()).toEqual([]);
    expect(registry.target()).toBeNull();
    expect(registry.isPbxAddress('198.51.100.7')).toBe(false);
    await table.close();
  });

  it('keep the old bindings when the store cannot write, and say so', async () => {
    const clock = new ManualClock(T0);
    const table = await openTable();
    const registry = await PbxRegistry.open(table, LIMITS, clock);
    await registry.apply(REGISTER);
    await table.close(); // every later write fails
    await expect(registry.apply({ ...REGISTER, cseq: '3 REGISTER', contact: '*', expires: '0' })).rejects.toThrow();
    expect(registry.registered).toBe(true);
  });
});
