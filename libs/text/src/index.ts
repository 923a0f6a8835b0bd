export * from './folding/invisible.js';
export * from './folding/confusables.js';
export * from './folding/fold-character.js';
export * from './folding/fold-text.js';
export * from './opt-out-wording/opt-out-wording-data.js';
export * from './opt-out-wording/opt-out-wording.js';
export * from './opt-out-wording/opt-out-wording.examples.js';
