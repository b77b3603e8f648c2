import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../common/style.css';
import { t } from '../common/text.ts';
import { Operator } from '../common/ui.tsx';
import { CollectorApp } from './App.tsx';
import { PROBE } from './api.ts';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Operator page="collector" title={t('collectorTitle')} probe={PROBE}>
      {(token) => <CollectorApp token={token} />}
    </Operator>
  </StrictMode>,
);
