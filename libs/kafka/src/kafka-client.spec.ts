import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logLevel } from 'kafkajs';
import { kafkaLogCreator, type KafkaLogSink } from './kafka-client.js';

function route(level: logLevel, error: string | undefined): string[] {
  const seen: string[] = [];
  const sink: KafkaLogSink = { error: () => seen.push('error'), warn: () => seen.push('warn'), info: () => seen.push('debug') };
  kafkaLogCreator(sink)(logLevel.INFO)({ namespace: 'Connection', level, label: 'ERROR', log: { timestamp: '', message: 'Response Heartbeat(key: 12, version: 3)', ...(error ? { error } : {}) } });
  return seen;
}

describe('kafkajs log routing', () => {
  it('sends what kafkajs retries or settles by rejoining to debug, not ERROR', () => {
    assert.deepEqual(route(logLevel.ERROR, "The coordinator is loading and hence can't process requests for this group"), ['debug']);
    assert.deepEqual(route(logLevel.ERROR, 'The group is rebalancing, so a rejoin is needed'), ['debug']);
    assert.deepEqual(route(logLevel.ERROR, 'Specified group generation id is not valid'), ['debug']);
    assert.deepEqual(route(logLevel.WARN, 'The group is rebalancing, so a rejoin is needed'), ['debug']);
  });

  it('keeps real errors at ERROR and warnings at WARN', () => {
    assert.deepEqual(route(logLevel.ERROR, 'Not authorized to access topics: [Topic authorization failed]'), ['error']);
    assert.deepEqual(route(logLevel.ERROR, undefined), ['error']);
    assert.deepEqual(route(logLevel.WARN, undefined), ['warn']);
  });
});
