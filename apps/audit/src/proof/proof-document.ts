import type { ConsentChangeEvent } from '@sms/contracts';
import type { VerifyResult } from '../rules/hash-chain.js';

export interface ConfirmationFact {
  messageId: string;
  status: string;
  at: string | null;
}

/** Everything the platform holds as proof of one person's consent (MP.CONSENT.PROOF, AUP.REPORTING). */
export interface ConsentProofDocument {
  tenantId: string;
  tenantName: string;
  recipient: string;
  generatedAt: string;
  consents: { at: string; brand: string | null; campaign: string | null; basis: string | null; source: string; proof: ConsentChangeEvent['proof'] }[];
  optOuts: {
    at: string;
    scope: string | null;
    source: string;
    inboundMessage: { sid: string | null; body: string | null };
    matched: string | null;
    confidence: number | null;
    confirmation: ConfirmationFact | null;
  }[];
  optIns: { at: string; scope: string | null; source: string; inboundMessage: { sid: string | null; body: string | null } }[];
  pauses: { at: string; scope: string | null; source: string; inboundMessage: { sid: string | null; body: string | null } }[];
  ageVerifications: { at: string; method: string | null }[];
  integrity: VerifyResult;
}

export function proofDocument(
  meta: { tenantId: string; tenantName: string; recipient: string; now: Date },
  changes: ConsentChangeEvent[],
  confirmations: Map<string, ConfirmationFact>,
  integrity: VerifyResult,
): ConsentProofDocument {
  const inbound = (c: ConsentChangeEvent) => ({ sid: c.proof.inboundTwilioSid ?? null, body: c.proof.inboundBody ?? null });
  return {
    tenantId: meta.tenantId,
    tenantName: meta.tenantName,
    recipient: meta.recipient,
    generatedAt: meta.now.toISOString(),
    consents: changes
      .filter((c) => c.kind === 'consent_recorded')
      .map((c) => ({ at: c.at, brand: c.brand ?? null, campaign: c.campaign ?? null, basis: c.basis ?? null, source: c.source, proof: c.proof })),
    optOuts: changes
      .filter((c) => c.kind === 'opted_out')
      .map((c) => ({
        at: c.at,
        scope: c.scope ?? null,
        source: c.source,
        inboundMessage: inbound(c),
        matched: c.proof.evidence?.['matched'] ?? null,
        confidence: c.proof.confidence ?? null,
        confirmation: c.proof.confirmationMessageId ? (confirmations.get(c.proof.confirmationMessageId) ?? { messageId: c.proof.confirmationMessageId, status: 'not sent (yet)', at: null }) : null,
      })),
    optIns: changes.filter((c) => c.kind === 'opted_in').map((c) => ({ at: c.at, scope: c.scope ?? null, source: c.source, inboundMessage: inbound(c) })),
    pauses: changes.filter((c) => c.kind === 'marketing_paused').map((c) => ({ at: c.at, scope: c.scope ?? null, source: c.source, inboundMessage: inbound(c) })),
    ageVerifications: changes.filter((c) => c.kind === 'age_verified').map((c) => ({ at: c.at, method: c.proof.verificationMethod ?? null })),
    integrity,
  };
}

const escape = (value: string | number | null | undefined): string => String(value ?? '—').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const table = (headers: string[], rows: (string | number | null | undefined)[][]): string =>
  rows.length === 0
    ? '<p class="none">None on record.</p>'
    : `<table><thead><tr>${headers.map((h) => `<th>${escape(h)}</th>`).join('')}</tr></thead><tbody>${rows
        .map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`)
        .join('')}</tbody></table>`;

/** The same document as a page a compliance officer can print and hand over. */
export function renderProofHtml(doc: ConsentProofDocument): string {
  const evidence = (p: ConsentChangeEvent['proof']) =>
    Object.entries(p.evidence ?? {})
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Proof of consent: ${escape(doc.recipient)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:60rem}h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#eee}
.meta td:first-child{font-weight:600;width:14rem}.none{color:#555}@media print{body{margin:0}}</style></head>
<body>
<h1>Proof of consent</h1>
<table class="meta"><tbody>
<tr><td>Tenant</td><td>${escape(doc.tenantName)} (${escape(doc.tenantId)})</td></tr>
<tr><td>Recipient</td><td>${escape(doc.recipient)}</td></tr>
<tr><td>Generated</td><td>${escape(doc.generatedAt)}</td></tr>
<tr><td>History integrity</td><td>${doc.integrity.ok ? `verified: ${doc.integrity.records} records, hash chain intact` : `BROKEN at record ${doc.integrity.brokenAt}: ${escape(doc.integrity.reason)}`}</td></tr>
</tbody></table>
<h2>Consents given</h2>
${table(
  ['captured', 'brand', 'campaign', 'basis', 'source', 'wording shown', 'wording version', 'evidence'],
  doc.consents.map((c) => [c.at, c.brand, c.campaign, c.basis, c.source, c.proof.wording, c.proof.wordingVersion, evidence(c.proof)]),
)}
<h2>Opt-outs</h2>
${table(
  ['at', 'scope', 'source', 'message received', 'matched', 'confidence', 'confirmation sent'],
  doc.optOuts.map((o) => [
    o.at,
    o.scope,
    o.source,
    o.inboundMessage.body,
    o.matched,
    o.confidence,
    o.confirmation ? `${o.confirmation.status}${o.confirmation.at ? ` at ${o.confirmation.at}` : ''} (message ${o.confirmation.messageId})` : '—',
  ]),
)}
<h2>Opt-ins</h2>
${table(
  ['at', 'scope', 'source', 'message received'],
  doc.optIns.map((o) => [o.at, o.scope, o.source, o.inboundMessage.body]),
)}
<h2>Marketing paused pending review</h2>
${table(
  ['at', 'scope', 'source', 'message received'],
  doc.pauses.map((o) => [o.at, o.scope, o.source, o.inboundMessage.body]),
)}
<h2>Age verifications</h2>
${table(
  ['verified', 'method'],
  doc.ageVerifications.map((a) => [a.at, a.method]),
)}
</body></html>
`;
}
