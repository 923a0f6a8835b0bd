import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { loadSnowshoeRules, loadTextNormalisation } from '../rules/rule-data.js';
import { StreamDetector, type StreamMessage } from './stream-detector.js';

const rules = loadSnowshoeRules();
const text = loadTextNormalisation();
const t0 = Date.parse('2026-11-27T08:00:00Z');
let serial = 0;
const msg = (body: string, at: number, from = '+14155550101', tenant = 'acme'): StreamMessage => ({ id: `m${++serial}`, tenant, campaign: 'offers', from, to: `+1212${String(2_000_000 + serial)}`, body, at });

describe('StreamDetector (in-memory store)', () => {
  it('puts personalised copies in one cluster, spun copies in it as near-duplicates, and other content elsewhere', () => {
    const d = new StreamDetector(rules, text);
    const a = d.process(msg('Hi Sarah, claim your free teeth whitening kit worth $90 today. Limited stock, tap https://deals.example/a1 to redeem it.', t0));
    const b = d.process(msg('Hi Omar, claim your free teeth whitening kit worth $45 today. Limited stock, tap https://deals.example/zz9 to redeem it.', t0 + 1000));
    const c = d.process(msg('Hey Li, claim your complimentary teeth whitening kit worth $75 now. Limited stock, tap https://deals.example/q to redeem it.', t0 + 2000));
    const other = d.process(msg('Oakwood Family Clinic reminder: please arrive ten minutes early for your appointment with the nurse.', t0 + 3000));
    assert.equal(b.clusterId, a.clusterId);
    assert.equal(b.verdict.facts['match'], 'template');
    assert.equal(c.clusterId, a.clusterId);
    assert.equal(c.verdict.facts['match'], 'near_duplicate');
    assert.ok(Number(c.verdict.facts['similarity']) >= rules.similarity.containment);
    assert.notEqual(other.clusterId, a.clusterId);
  });

  it('keeps memory bounded by the window: what left it is forgotten', () => {
    const d = new StreamDetector(rules, text);
    for (let i = 0; i < 2000; i++) d.process(msg(`Acme Dental: one-off note number ${'abcdefghij'[i % 10]} for ${'klmnopqrst'[Math.floor(i / 10) % 10]} about ${'uvwxyzabcd'[Math.floor(i / 100) % 10]} visit planning and scheduling details`, t0 + i * 1000));
    const busy = d.store.sizes();
    d.process(msg('Acme Dental: a message a day and a half later', t0 + 36 * 3_600_000));
    const quiet = d.store.sizes();
    assert.ok(busy['templates']! >= 100, `templates while busy: ${busy['templates']}`);
    assert.ok(quiet['templates']! <= 1 && quiet['clusters']! <= 1 && quiet['bands']! <= rules.similarity.bands, JSON.stringify(quiet));
  });

  it('decides the same stream the same way every time', () => {
    const stream = Array.from({ length: 300 }, (_, i) => msg(`Grab your bonus gift card number ${i} now at prize.example, ${['fast', 'quick', 'easy'][i % 3]} claim for members`, t0 + i * 5000, `+1404555${String(1000 + (i % 30))}`));
    const run = () => {
      const d = new StreamDetector(rules, text);
      return stream.map((m) => d.process(m)).map((x) => `${x.verdict.decision}|${x.clusterId}|${x.distinctSenders}`);
    };
    const first = run();
    assert.deepEqual(run(), first);
    assert.ok(first.some((x) => x.startsWith('hold')), 'thirty rotating numbers are held');
  });
});

describe('npm run snowshoe (the command line)', () => {
  it('prints {id, decision, clauses, cluster, distinctSenders} for each line of standard input', () => {
    const cli = fileURLToPath(new URL('../cli/snowshoe.js', import.meta.url));
    const lines = Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: `s${i}`, tenant: 'spam', campaign: 'x', from: `+1404555${String(1000 + i)}`, to: `+1212555${String(1000 + i)}`, body: `Claim your prize number ${i} at prize.example before it expires, members only`, at: new Date(t0 + i * 1000).toISOString() }));
    const result = spawnSync(process.execPath, [cli], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const out = result.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(out.length, 12);
    assert.deepEqual(Object.keys(out[0]!), ['id', 'decision', 'clauses', 'cluster', 'distinctSenders']);
    assert.equal(out[0]!['decision'], 'pass');
    assert.equal(out[11]!['decision'], 'hold');
    assert.equal(out[11]!['distinctSenders'], 12);
    assert.deepEqual(out[11]!['clauses'], ['MP.EVASION.SNOWSHOE']);
  });

  it('reports lines it cannot read and fails', () => {
    const cli = fileURLToPath(new URL('../cli/snowshoe.js', import.meta.url));
    const result = spawnSync(process.execPath, [cli], { input: '{"id": "x"}\nnot json\n', encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /line 1/);
    assert.match(result.stderr, /line 2/);
  });
});
