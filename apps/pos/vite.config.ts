// The POS PWA, served by the service at /pos/.
import { fileURLToPath } from 'node:url';
import { pwaConfig } from '../../packages/web/vite.ts';

export default pwaConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  app: 'pos',
  name: 'Moneybag POS',
  shortName: 'POS',
  description: 'Take ticket payments by QR code, offline.',
  orientation: 'landscape',
  themeColor: '#14213d',
  port: 5303,
});
