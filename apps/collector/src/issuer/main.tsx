import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '../common/style.css';
import { t } from '../common/text.ts';
import { Operator } from '../common/ui.tsx';
import { IssuerApp } from './App.tsx';
import { PROBE } from './api.ts';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <Operator page="issuer" title={t('issuerTitle')} probe={PROBE}>
      {(token) => <IssuerApp token={token} />}
    </Operator>
  </StrictMode>,
);
