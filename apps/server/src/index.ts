export { buildApp } from './app.ts';
export { main as moneybag, runCli } from './cli.ts';
export { seedDemo } from './demo.ts';
export { start } from './main.ts';
export { Service } from './service.ts';
