export * from './kafka-client.js';
export * from './codec.js';
export * from './publisher.js';
export * from './topic-consumer.js';
export * from './compacted-view.js';
export * from './admin.js';
export * from './observer.js';
