import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exampleOf, IGNORED, NEGATIVE, POSITIVE, predict, trainHeads } from './ftrl.js';
import { compileRules, type CompiledRules } from '../../src/rules/compile.js';
import { normalise } from '../../src/rules/normalise.js';
import { loadRuleData } from '../../src/rules/rule-data.js';
import { screen } from '../../src/rules/screen-message.js';
import { forEachFeature, type FeatureSpec } from '../../src/rules/model/features.js';
import { encodeWeights, explainHead, loadTextModel, MODEL_HEADS, scoreText, type TextModel, type TextModelFile } from '../../src/rules/model/text-model.js';
import { screeningFacts } from '../../src/test-support/screening-facts.js';

const spec: FeatureSpec = { hashBits: 14, charNgrams: [2, 4], wordNgrams: [1, 2] };
const slotsOf = (text: string): number[] => {
  const slots: number[] = [];
  forEachFeature(normalise(text), spec, (slot) => slots.push(slot));
  return slots;
};

describe('text model features', () => {
  it('reads every digit as 0, so that times and prices generalise', () => {
    assert.deepEqual(slotsOf('call 555 0199 at 3pm'), slotsOf('call 212 4477 at 9pm'));
    assert.notDeepEqual(slotsOf('call us at 3pm'), slotsOf('call me at 3pm'));
  });

  it('sees look-alike letters and spacing as the normalised text does', () => {
    assert.deepEqual(slotsOf('Free  GUMMIES'), slotsOf('free gummies'));
    assert.deepEqual(slotsOf('fr\u0435e gummies'), slotsOf('free gummies'));
  });

  it('gives each occurrence a span of the normalised text', () => {
    const text = normalise('Sour diesel by the zip');
    forEachFeature(text, spec, (slot, start, end) => {
      assert.ok(slot >= 0 && slot < 1 << spec.hashBits);
      assert.ok(start >= 0 && end <= text.text.length && start < end, `${start}-${end}`);
    });
  });
});

// A toy corpus: one head learns "zip" offers from benign appointment texts; nothing else is labelled.
const positives = ['sour diesel by the zip, hit me up', 'zips of gas ready tonight', 'half zip of loud, cash only', 'top shelf zip deals this week', 'need a zip? exotics in stock'];
const negatives = ['your cleaning is on tuesday at 3pm', 'reply to confirm your visit', 'your glasses are ready for pickup', 'bring your insurance card', 'dr lee will see you at 9am'];
const head = MODEL_HEADS.indexOf('cannabis');
const labelsFor = (positive: boolean): Uint8Array => Uint8Array.from(MODEL_HEADS, (_, k) => (k === head ? (positive ? POSITIVE : NEGATIVE) : IGNORED));
const examples = [...positives.map((t) => exampleOf(t, spec, labelsFor(true))), ...negatives.map((t) => exampleOf(t, spec, labelsFor(false)))];
const options = { alpha: 2, beta: 1, l1: 0.01, l2: 0.001, epochs: 30, seed: 7, positiveWeight: 1 };

function toyModel(hold: number, block: number): { file: TextModelFile; model: TextModel } {
  const trained = trainHeads(examples, MODEL_HEADS.length, spec, options);
  const scales = MODEL_HEADS.map(() => 1 / 4096);
  const file: TextModelFile = {
    version: 'toy-1',
    description: 'test model',
    training: { corpusDigest: '0'.repeat(64), examples: examples.length, options: {} },
    features: { hashBits: spec.hashBits, charNgrams: spec.charNgrams, wordNgrams: spec.wordNgrams },
    heads: MODEL_HEADS.map((name, k) => ({
      name,
      bias: trained.bias[k]!,
      scale: scales[k]!,
      hold: k === head ? hold : 0.999,
      block: k === head ? block : 0.999,
      cv: { positives: 0, precisionAtHold: 0, recallAtHold: 0, falsePositiveRateAtHold: 0, recallAtBlock: 0, falsePositiveRateAtBlock: 0 },
    })),
    weights: encodeWeights(trained.weights, MODEL_HEADS.length, scales),
  };
  return { file, model: loadTextModel(file) };
}

describe('text model training and scoring', () => {
  it('learns the toy head, and the same seed gives the same weights', () => {
    const a = trainHeads(examples, MODEL_HEADS.length, spec, options);
    const b = trainHeads(examples, MODEL_HEADS.length, spec, options);
    assert.deepEqual(a.weights, b.weights);
    const unseen = exampleOf('got a zip of the good gas', spec, labelsFor(true));
    const benign = exampleOf('your visit is on friday at 2pm', spec, labelsFor(false));
    assert.ok(predict(a, MODEL_HEADS.length, unseen, head) > 0.5);
    assert.ok(predict(a, MODEL_HEADS.length, benign, head) < 0.5);
  });

  it('stores weights compactly and reads them back to within the quantisation step', () => {
    const trained = trainHeads(examples, MODEL_HEADS.length, spec, options);
    const { model } = toyModel(0.5, 0.9);
    let nonZero = 0;
    const h = MODEL_HEADS.length;
    for (let i = 0; i < trained.weights.length; i++) {
      if (trained.weights[i] !== 0) nonZero++;
      assert.ok(Math.abs(model.weights.weight(Math.floor(i / h), i % h) - trained.weights[i]!) <= 1 / 8192 + 1e-9, `weight ${i}`);
    }
    assert.ok(nonZero < trained.weights.length / 4, `${nonZero} non-zero weights`);
    // Kept by slot, the weights take a fraction of a dense table's float32s.
    assert.ok(model.weights.bytes < trained.weights.byteLength / 2, `${model.weights.bytes} bytes`);
  });

  it('refuses a model file whose weights do not match their count', () => {
    const { file } = toyModel(0.5, 0.9);
    assert.throws(() => loadTextModel({ ...file, weights: { ...file.weights, count: file.weights.count + 1 } }), /weights stored/);
  });

  it('explains a score by the n-grams of the text that carried it', () => {
    const { model } = toyModel(0.5, 0.9);
    const text = normalise('Hi! Fresh zip of gas, text back');
    const scores = scoreText(model, text);
    assert.ok(scores[head]! > 0.5);
    const why = explainHead(model, text, head);
    assert.ok(why.length > 0);
    assert.ok(
      why.some((c) => text.text.slice(c.start, c.end).includes('zip')),
      JSON.stringify(why.map((c) => text.text.slice(c.start, c.end))),
    );
  });
});

describe('stage two in the screening decision', () => {
  const facts = screeningFacts;
  const withModel = (model: TextModel): CompiledRules => ({ ...compileRules(loadRuleData()), model });
  const slang = 'Acme Dental: fresh zip of gas tonight, hit me up. Reply STOP to opt out.';

  it('blocks what the word lists miss when the head scores in its block band, citing the n-grams', () => {
    const rules = withModel(toyModel(0.3, 0.5).model);
    const result = screen(slang, facts(), rules);
    assert.equal(result.decision, 'block');
    assert.deepEqual(result.clauses, ['MP.CONTENT.CANNABIS']);
    const finding = result.findings.find((f) => f.category === 'cannabis')!;
    assert.match(finding.reason, /text model toy-1 scores 0\.\d\d/);
    assert.ok(finding.evidence.length > 0 && finding.evidence.every((e) => slang.slice(e.start, e.end) === e.text));
  });

  it('holds for review in the middle band, and never blocks from it', () => {
    const rules = withModel(toyModel(0.3, 0.999).model);
    const result = screen(slang, facts(), rules);
    assert.equal(result.decision, 'hold');
    assert.deepEqual(result.categories, ['cannabis']);
  });

  it('passes a text under the hold band, and records every head that scored', () => {
    const rules = withModel(toyModel(0.999, 0.999).model);
    const result = screen(slang, facts(), rules);
    assert.equal(result.decision, 'pass');
    assert.ok((result.modelScores.cannabis ?? 0) > 0.3);
  });

  it('runs every content check on a message that also lacks its sender name: a repair never lets content through', () => {
    const rules = withModel(toyModel(0.3, 0.5).model);
    const result = screen('fresh zip of gas tonight, hit me up', facts(), rules);
    assert.equal(result.decision, 'block');
    assert.ok(result.categories.includes('missing_sender_id'));
    assert.equal(result.transform, undefined);
  });
});
