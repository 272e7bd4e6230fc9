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
