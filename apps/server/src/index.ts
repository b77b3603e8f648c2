export { buildApp } from './app.ts';
export { runCli } from './cli.ts';
export { start } from './main.ts';
export { pairingLink, Service } from './service.ts';
