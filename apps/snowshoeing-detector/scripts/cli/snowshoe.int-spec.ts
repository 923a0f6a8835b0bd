import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const t0 = Date.parse('2026-11-27T08:00:00Z');

describe('npm run snowshoe (the command line)', () => {
  it('prints {id, decision, clauses, cluster, distinctSenders} for each line of standard input', () => {
    const cli = fileURLToPath(new URL('./snowshoe.js', import.meta.url));
    const lines = Array.from({ length: 16 }, (_, i) =>
      JSON.stringify({
        id: `s${i}`,
        tenant: 'spam',
        campaign: 'x',
        from: `+1404555${String(1000 + i)}`,
        to: `+1212555${String(1000 + i)}`,
        body: `Claim your prize number ${i} at prize.example before it expires, members only`,
        at: new Date(t0 + i * 120_000).toISOString(),
      }),
    );
    const result = spawnSync(process.execPath, [cli], { input: `${lines.join('\n')}\n`, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const out = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(out.length, 16);
    assert.deepEqual(Object.keys(out[0]!), ['id', 'decision', 'clauses', 'cluster', 'distinctSenders']);
    assert.equal(out[0]!['decision'], 'pass');
    assert.equal(out[15]!['decision'], 'hold');
    assert.equal(out[15]!['distinctSenders'], 16);
    assert.deepEqual(out[15]!['clauses'], ['MP.EVASION.SNOWSHOE']);
  });

  it('reports lines it cannot read and fails', () => {
    const cli = fileURLToPath(new URL('./snowshoe.js', import.meta.url));
    const result = spawnSync(process.execPath, [cli], { input: '{"id": "x"}\nnot json\n', encoding: 'utf8' });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /line 1/);
    assert.match(result.stderr, /line 2/);
  });
});
