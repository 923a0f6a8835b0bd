export * from './factories.js';
export * from './wait.js';
export * from './stack.js';
export * from './kafka-harness.js';
export * from './schema-check.js';
export * from './service-harness.js';
export * from './simulator.js';
