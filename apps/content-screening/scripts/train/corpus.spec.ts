import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { headLabels, trainingTexts, type CorpusEntry } from './corpus.js';
import { IGNORED, NEGATIVE, POSITIVE } from './ftrl.js';
import { MODEL_HEADS } from '../../src/rules/model/text-model.js';

const uciFile = (): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'uci-')), 'uci.tsv');
  writeFileSync(path, 'ham\tOk lar... see u at 6\nspam\tURGENT! You have WON a £900 prize. To claim call 09061701461 now\n');
  return path;
};
const entry: CorpusEntry = { text: 'Your cleaning is Tue at 3pm.', label: 'benign', lang: 'en', useCase: 'informational', framed: false, source: 'test.jsonl:1' };
const labelsOf = (texts: ReturnType<typeof trainingTexts>, source: string): Record<string, number> => {
  const text = texts.find((t) => t.source === source);
  assert.ok(text, `no training text from ${source}`);
  const labels = headLabels(text);
  return Object.fromEntries(MODEL_HEADS.map((head, i) => [head, labels[i]!]));
};

describe('training texts from the public UCI set', () => {
  const texts = trainingTexts([entry], 1, uciFile());

  it('teaches every head that a UCI ham row is none of its category', () => {
    const labels = labelsOf(texts, 'uci:1');
    for (const head of MODEL_HEADS) assert.equal(labels[head], NEGATIVE, head);
  });

  it('teaches the fraud head alone that a UCI spam row is fraud, the other heads leaving it out', () => {
    const labels = labelsOf(texts, 'uci:2');
    assert.equal(labels['fraud'], POSITIVE);
    for (const head of MODEL_HEADS.filter((h) => h !== 'fraud')) assert.equal(labels[head], IGNORED, head);
  });

  it('keeps every corpus text and its framed copy, each in one cross-validation group with its copy', () => {
    const own = texts.filter((t) => t.source.startsWith('test.jsonl:1'));
    assert.equal(own.length, 2);
    assert.equal(own[0]!.group, own[1]!.group);
    assert.notEqual(texts.find((t) => t.source === 'uci:2')!.group, own[0]!.group);
  });
});
