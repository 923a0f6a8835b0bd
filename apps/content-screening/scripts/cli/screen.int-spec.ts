import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';

const cli = fileURLToPath(new URL('./screen.js', import.meta.url));
const ok = JSON.stringify({ id: 'a', body: 'Acme Dental: cleaning tomorrow. Reply STOP to opt out.', to: '+14155552671', useCase: 'informational', brand: 'Acme Dental', firstMessage: true });
const bad = JSON.stringify({ id: 'b', body: 'Acme Dental: CBD gummies! Reply STOP to opt out.', to: '+14155552671', useCase: 'marketing', brand: 'Acme Dental', firstMessage: true });

describe('the screen command', () => {
  it('answers one line per input line, in order, and goes on after a broken line', () => {
    const run = spawnSync(process.execPath, [cli], { input: `${ok}\nnot json\n\n${bad}\n`, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const out = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      out.map((o) => o['id'] ?? `line ${String(o['line'])}`),
      ['a', 'line 2', 'b'],
    );
    assert.equal(out[2]?.['decision'], 'block');
  });

  it('reads a file, and takes tenant settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'screen-'));
    const file = join(dir, 'in.jsonl');
    const shortened = JSON.stringify({
      id: 'c',
      body: 'Acme Dental: book at https://bit.ly/x. Reply STOP to opt out.',
      to: '+14155552671',
      useCase: 'marketing',
      brand: 'Acme Dental',
      firstMessage: true,
    });
    writeFileSync(file, `${shortened}\n`);
    const held = spawnSync(process.execPath, [cli, file], { encoding: 'utf8' });
    assert.equal((JSON.parse(held.stdout) as { decision: string }).decision, 'hold');
    const blocked = spawnSync(process.execPath, [cli, file, '--settings', '{"publicUrlShortener":"block"}'], { encoding: 'utf8' });
    assert.equal((JSON.parse(blocked.stdout) as { decision: string }).decision, 'block');
    const wrong = spawnSync(process.execPath, [cli, file, '--settings', '{"nope":1}'], { encoding: 'utf8' });
    assert.equal(wrong.status, 2);
  });
});
