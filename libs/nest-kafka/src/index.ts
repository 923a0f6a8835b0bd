export * from './kafka.module.js';
export * from './kafka.transport.js';
export * from './consume-topic.decorator.js';
export * from './pipeline-metrics.js';
export * from './lifecycle.js';
