/** Injection tokens for the loaded, validated rule data (see rules/consent-rule-data.ts). */
export const INBOUND_CLASSIFIER = Symbol('INBOUND_CLASSIFIER');
export const CONSENT_POLICY = Symbol('CONSENT_POLICY');
