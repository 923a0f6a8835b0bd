export * from './api-key.js';
export * from './tenant-directory.js';
export * from './api-key.guard.js';
export * from './tenancy.module.js';
export * from './admin-key.guard.js';
export * from './api-controllers.js';
