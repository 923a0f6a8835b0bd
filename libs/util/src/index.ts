export * from './assert-never.js';
export * from './backoff.js';
export * from './batcher.js';
export * from './periodic.js';
export * from './seeded-random.js';
