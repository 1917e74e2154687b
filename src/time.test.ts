import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoString, isoTime, MAX_TIME, MIN_TIME } from './time.js';

describe('isoString', () => {
  it('is Date#toISOString for every time macfleet accepts', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_TIME, max: MAX_TIME }), (ms) => {
        expect(isoString(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  it('at the edges: the epoch, leap days, centuries, the last instant', () => {
    for (const text of [
      '1970-01-01T00:00:00.000Z',
      '1972-02-29T23:59:59.999Z',
      '2000-02-29T12:00:00.001Z',
      '2100-03-01T00:00:00.010Z',
      '2400-02-29T00:00:00.100Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      expect(isoString(Date.parse(text))).toBe(text);
    }
  });

  it('leaves what it does not compute to Date', () => {
    expect(isoString(-1)).toBe('1969-12-31T23:59:59.999Z');
    expect(isoString(MAX_TIME + 1)).toBe('+010000-01-01T00:00:00.000Z');
    expect(isoString(1.5)).toBe(new Date(1.5).toISOString());
    expect(() => isoString(Number.NaN)).toThrow(RangeError);
    expect(isoTime(Number.NaN)).toBe('(invalid time NaN)');
  });
});
