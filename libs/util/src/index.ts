export * from './assert-never.js';
export * from './pseudonym.js';
export * from './phone-number.js';
export * from './backoff.js';
export * from './batcher.js';
export * from './periodic.js';
export * from './sms-segments.js';
export * from './recipient-locale/recipient-locale.js';
