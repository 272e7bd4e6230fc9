import { describe, expect, it } from 'vitest';
import { keyOfInfo } from './dtmf-info.js';

describe('keyOfInfo', () => {
  it.each<[string, string, string | null]>([
    ['application/dtmf-relay', 'Signal=1\r\nDuration=160\r\n', '1'],
    ['application/dtmf-relay', 'Signal= #\r\nDuration= 250', '#'],
    ['Application/DTMF-Relay; charset=utf-8', 'signal=*\nduration=100', '*'],
    ['application/dtmf-relay', 'Signal=11\r\nDuration=160', '#'],
    ['application/dtmf-relay', 'Duration=160', null],
    ['application/dtmf-relay', 'Signal=12345', null],
    ['application/dtmf', '1', '1'],
    ['application/dtmf', ' 9 \r\n', '9'],
    ['application/dtmf', '10', '*'],
    ['application/dtmf', 'x', null],
    ['application/sdp', 'Signal=1', null],
    ['', 'Signal=1', null],
  ])('%s %j → %j', (type, body, key) => {
    expect(keyOfInfo(type, body)).toBe(key);
  });
});
