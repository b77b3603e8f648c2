// The command lines of the service and of `moneybag`, read one way: node's parseArgs, except that an option
// that takes a value takes the next argument whatever it looks like (a base64url token may start with '-',
// which parseArgs would read as another option).
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommand<O extends Options>(args: string[], options: O, allowPositionals = true) {
  const valued = new Set(
    Object.entries(options)
      .filter(([, o]) => o.type === 'string')
      .map(([name]) => `--${name}`),
  );
  const joined: string[] = [];
  for (let i = 0; i < args.length; i++)
    joined.push(valued.has(args[i]) && i + 1 < args.length ? `${args[i]}=${args[++i]}` : args[i]);
  return parseArgs({ args: joined, options, allowPositionals });
}
