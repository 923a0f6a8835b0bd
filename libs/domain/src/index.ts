export * from './pseudonym.js';
export * from './phone-number.js';
export * from './sms-segments.js';
export * from './recipient-locale/recipient-locale.js';
