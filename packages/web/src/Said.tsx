// What `say` made of a failure, on screen the same way in every app (wallet, POS, collector and issuer pages).
import { pickLang } from './i18n.ts';
import type { Said } from './words.ts';

const DETAILS = { en: 'Details', de: 'Einzelheiten' } as const;

/** Its words, the detail beside them (or on a details line, `aside`) and the code small. */
export function SaidText({ said }: { said: Said }) {
  return (
    <>
      {said.text}
      {said.detail && !said.aside && <span className="muted"> — {said.detail}</span>}
      {said.code && <code className="code small">{said.code}</code>}
      <Aside said={said} />
    </>
  );
}

/**
 * The service's own sentence where it is in another language than the screen (German words for a known code):
 * on a details line a person opens (support reads it there), not beside the words.
 */
export function Aside({ said }: { said: Said }) {
  if (!said.detail || !said.aside) return null;
  return (
    <details className="small muted" data-testid="error-detail">
      <summary>{DETAILS[pickLang()]}</summary>
      {said.detail}
    </details>
  );
}
