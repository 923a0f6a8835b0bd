import { z } from 'zod';

/**
 * The policy catalogue (policy/POLICY.md in the product's design card): every decision the
 * pipeline makes cites one or more of these ids. The summaries are for people reading an
 * audit record; the policy text itself stays the authority.
 */
export const CLAUSES = {
  'MP.CONSENT.PRIOR': 'Consent before the first message, for the kind of messages the person agreed to',
  'MP.CONSENT.PROOF': 'Keep a record of consent: the form signed or the timestamp of the sign-up flow',
  'MP.CONSENT.NOT_PURCHASED': 'Consent cannot be bought, sold or exchanged',
  'MP.CONSENT.RECONFIRM': 'No first message within a reasonable period after consent: reconfirm consent in the first message',
  'MP.CONSENT.SCOPE': 'Consent covers one brand and one use or campaign only',
  'MP.CONSENT.RETAIN_PROOF': 'Keep proof of consent after opt-out',
  'MP.CONSENT.CONVERSATION': 'The person texted first: replying is allowed within that conversation only',
  'MP.CONSENT.PRIOR_RELATIONSHIP': 'Informational messages to someone who gave their number and took an action',
  'MP.CONSENT.PERIODIC': 'Recurring messages: unsubscribe reminders, chosen frequency, reconfirmation',
  'MP.SENDER_ID': 'Every message identifies the sender, except follow-ups in an ongoing conversation',
  'MP.OPTOUT.LANGUAGE': 'The first message says how to opt out with a standard keyword',
  'MP.OPTOUT.HONOR': 'Opt-out keywords revoke consent at once; one confirmation, then nothing',
  'MP.CONTENT.ILLEGAL': 'Anything illegal where the recipient lives',
  'MP.CONTENT.CANNABIS': 'US recipients: nothing about marketing or selling cannabis or CBD',
  'MP.CONTENT.RX': 'US recipients: no offers of prescription-only medication',
  'MP.CONTENT.HATE': 'Hate speech, harassment, exploitative or abusive content',
  'MP.CONTENT.FRAUD': 'Fraudulent messages: phishing, scams, impersonation',
  'MP.CONTENT.MALWARE': 'Malicious content: malware, viruses, links to them',
  'MP.EVASION.CONTENT': 'Content built to evade filters',
  'MP.EVASION.SNOWSHOE': 'The same or similar message spread across many sender numbers',
  'AUP.CONTENT': 'Content that is false or inaccurate, hateful, or endangers public safety',
  'AUP.IDENTITY': 'A false identity, or misleading anyone about the sender or origin',
  'MP.AGE_GATE': 'Age-gated content needs proof that every recipient is of legal age',
  'MP.COUNTRY': "Follow the rules of the recipient's country",
  'AUP.SERVICE_LIMITS': 'Do not bypass limits placed on the service',
  'AUP.DATA_SAFEGUARDS': 'Minimise personal data in logs, traces and analyst streams',
  'AUP.REPORTING': 'Full, tamper-evident history of every message and consent',
  'MP.ISV': 'A platform is responsible for the messaging of its customers',
  'MP.ENFORCEMENT': 'Violations can lead to suspension with little notice',
} as const;

export type ClauseId = keyof typeof CLAUSES;

export const CLAUSE_IDS = Object.keys(CLAUSES) as [ClauseId, ...ClauseId[]];

export const ClauseIdSchema = z.enum(CLAUSE_IDS);
