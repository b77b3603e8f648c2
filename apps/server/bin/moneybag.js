#!/usr/bin/env node
// The `moneybag` command: runs the TypeScript sources through tsx (no build step for workspace packages).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
