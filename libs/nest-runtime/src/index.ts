export * from './json-logger.js';
export * from './problem-details.filter.js';
export * from './zod-validation.pipe.js';
export * from './health.js';
export * from './run-service.js';
export * from './metrics.controller.js';
export * from './periodic-task.js';
