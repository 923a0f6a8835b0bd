export * from './config.js';
export * from './common-variables.js';
