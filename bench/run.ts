// `npm run bench`: every benchmark, printing figures and ratios measured side by side in one run.
import { benchProtocol, printSizes } from './protocol.ts';

console.log('# protocol');
await printSizes();
await benchProtocol();
