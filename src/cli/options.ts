/** Shared option parsers for commander: they throw MacfleetError so the top-level catch reports them. */
import { MacfleetError } from '../errors.js';

/** A non-negative integer option, e.g. `--count 10`. */
export function intOption(name: string, min = 0, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
      throw new MacfleetError(
        'INVALID_ARGUMENT',
        `option ${name}: expected an integer ${min}..${max === Number.MAX_SAFE_INTEGER ? '' : max}, got ${JSON.stringify(value)}`,
        { location: { field: name } },
      );
    }
    return Number(value);
  };
}

/** Collect a repeatable option into an array. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
