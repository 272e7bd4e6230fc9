import { describe, expect, it } from 'vitest';
import { CallLifecycle } from './call-state.js';

describe('CallLifecycle', () => {
  it('allows screening → forwarding → done', () => {
    const call = new CallLifecycle();
    expect(call.moveTo('forwarding')).toBe(true);
    expect(call.moveTo('done')).toBe(true);
    expect(call.state).toBe('done');
  });

  it('refuses a cancel once the answer has left, and any move after a cancel', () => {
    const refused = new CallLifecycle();
    refused.moveTo('refusing');
    expect(refused.moveTo('cancelled')).toBe(false);
    expect(refused.state).toBe('refusing');

    const cancelled = new CallLifecycle();
    expect(cancelled.moveTo('cancelled')).toBe(true);
    expect(cancelled.moveTo('forwarding')).toBe(false);
    expect(cancelled.state).toBe('cancelled');
  });
});

describe('CallLifecycle with announcements', () => {
  it('lets a CANCEL end the ringing delay and an early announcement, but not a refusal already sent', () => {
    const ringing = new CallLifecycle();
    expect(ringing.moveTo('ringing')).toBe(true);
    expect(ringing.moveTo('cancelled')).toBe(true);

    const announcing = new CallLifecycle();
    announcing.moveTo('ringing');
    expect(announcing.moveTo('announcing')).toBe(true);
    expect(announcing.moveTo('forwarding')).toBe(false);
    expect(announcing.moveTo('cancelled')).toBe(true);
    expect(announcing.moveTo('done')).toBe(false);
  });

  it('ends an announcement in done, after which a late CANCEL changes nothing', () => {
    const call = new CallLifecycle();
    expect(call.moveTo('announcing')).toBe(true);
    expect(call.moveTo('done')).toBe(true);
    expect(call.moveTo('cancelled')).toBe(false);
    expect(call.state).toBe('done');
  });
});
