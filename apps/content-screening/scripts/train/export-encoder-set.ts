// Writes the text encoder's training set for its fine-tuning (train/finetune-encoder.py) as
// JSON Lines, normalised and cut into the encoder's word pieces here, so that training reads
// text exactly as screening does.
//   node dist-scripts/train/export-encoder-set.js OUT.jsonl
import { writeFileSync } from 'node:fs';
import { seededRandom } from '@sms/util';
import { ENCODER_CLASSES } from '../../src/rules/model/encoder-head.js';
import { EncoderTokenizer } from '../../src/rules/model/encoder-input.js';
import { normalise } from '../../src/rules/normalise.js';
import { corpusDigest, type TrainingText } from './corpus.js';
import { ENCODER_SEED, NUMBER_AFTER_SHARE, encoderSet, withNumberAfter, withOtherNumbers } from './encoder-set.js';

const out = process.argv[2];
if (!out) throw new Error('usage: export-encoder-set OUT.jsonl');
const { texts, classes, heldOut } = encoderSet();
const tokenizer = new EncoderTokenizer();
const line = (body: string, i: number): string => JSON.stringify({ ids: tokenizer.encode(normalise(body)), y: classes[i], heldOut: heldOut[i], source: texts[i]!.source });
// A lawful training text with numbers is learnt twice: as written and with other numbers. A
// share of the training texts of every class is learnt once more with a number after it.
const otherNumbers = seededRandom(ENCODER_SEED);
const numberAfter = seededRandom(ENCODER_SEED + 1);
const renderings = (text: TrainingText, i: number): string[] => [
  text.text,
  ...(text.label === 'benign' && !heldOut[i] && /\d/.test(text.text) ? [withOtherNumbers(text.text, otherNumbers)] : []),
  ...(!heldOut[i] && numberAfter() < NUMBER_AFTER_SHARE ? [withNumberAfter(text.text, numberAfter)] : []),
];
const lines = texts.flatMap((text, i) => renderings(text, i).map((body) => line(body, i)));
writeFileSync(out, `${JSON.stringify({ classes: ENCODER_CLASSES, corpusDigest: corpusDigest(), seed: ENCODER_SEED })}\n${lines.join('\n')}\n`);
console.log(
  `${texts.length} texts (${heldOut.filter(Boolean).length} held out) and ${lines.length - texts.length} again: lawful ones with other numbers, a share of all with a number after them -> ${out}`,
);
