// The service's and the CLI's command lines: a value that starts with '-' (a base64url token may) is a value.
import { expect, it } from 'vitest';
import { parseCommand } from '../src/args.ts';

const options = { token: { type: 'string' }, json: { type: 'boolean', default: false } } as const;

it('an option that takes a value takes the next argument, even one starting with "-"', () => {
  const r = parseCommand(['add-shop', 'x', '--token', '-abc_D', '--json'], options);
  expect(r.values).toEqual({ token: '-abc_D', json: true });
  expect(r.positionals).toEqual(['add-shop', 'x']);
  expect(parseCommand(['--token=-abc'], options).values.token).toBe('-abc');
});

it('still refuses an unknown option, and positionals where none are taken', () => {
  expect(() => parseCommand(['--nope'], options)).toThrow();
  expect(() => parseCommand(['extra'], options, false)).toThrow();
});
