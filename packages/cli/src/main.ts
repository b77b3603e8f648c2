// `moneybag <command>`: `inspect` here; the service's own commands (add-shop, token, pair, ...) in apps/server.
import { inspect } from './inspect.ts';

export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === 'inspect') return inspect(rest);
  const { runCli } = await import('@moneybag/server/cli');
  return runCli(args);
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
