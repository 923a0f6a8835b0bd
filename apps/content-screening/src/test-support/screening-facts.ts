import { DEFAULT_SETTINGS, type ScreeningFacts } from '../rules/screen-message.js';

/** A first standard message from Acme Dental to an adult US recipient with express consent, age unverified; `overrides` change any of it. */
export const screeningFacts = (overrides: Partial<ScreeningFacts> = {}): ScreeningFacts => ({
  country: 'US',
  age: { verified: false },
  basis: 'express',
  firstMessage: true,
  kind: 'standard',
  brand: 'Acme Dental',
  settings: DEFAULT_SETTINGS,
  ...overrides,
});
