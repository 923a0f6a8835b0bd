import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asciiLookalike, confusableOf, foldLookalikes } from './confusables.js';
import { COMPATIBILITY, CONFUSABLE, DIACRITIC, foldCharacter, INVISIBLE } from './fold-character.js';
import { foldText } from './fold-text.js';
import { isInvisible, removeInvisible } from './invisible.js';

const at = (char: string): number => char.codePointAt(0)!;

describe('invisible characters', () => {
  it('knows zero-width, bidirectional, variation-selector and tag characters, and nothing visible', () => {
    for (const char of ['\u00ad', '\u180b', '\u200b', '\u200d', '\u202e', '\u2063', '\ufe0f', '\ufeff', '\u{1bca0}', '\u{e0041}', '\u{e0100}'])
      assert.ok(isInvisible(at(char)), char.codePointAt(0)!.toString(16));
    for (const char of [' ', 'a', '\u00a0', '\u0301', 'é', '😊']) assert.ok(!isInvisible(at(char)), char);
  });

  it('removes them, astral ones included', () => {
    assert.equal(removeInvisible('fr\u200bee\u{e0041} ca\u00adsh\u180b'), 'free cash');
  });
});

describe('look-alikes (Unicode confusables)', () => {
  it("gives one character's skeleton, and an ASCII look-alike through the table's steps", () => {
    assert.equal(confusableOf('\u043e'), 'o');
    assert.equal(confusableOf('a'), undefined);
    assert.equal(asciiLookalike('\u0405'), 's');
    assert.equal(asciiLookalike('\u{1d41c}'), 'c', 'mathematical bold small c');
    assert.equal(asciiLookalike('\u00e9'), undefined, 'an accented letter is no look-alike');
  });

  it('folds every character outside ASCII onto its skeleton and leaves ASCII alone', () => {
    assert.equal(foldLookalikes('\u041d\u0435ll\u043e rn'), 'Hello rn');
  });
});

describe('foldCharacter', () => {
  it('drops invisible characters and combining marks, and says so', () => {
    assert.deepEqual(foldCharacter(0x200b), { out: '', flags: INVISIBLE });
    assert.deepEqual(foldCharacter(0x0301), { out: '', flags: DIACRITIC });
  });

  it('folds full-width and look-alike letters to lower-case ASCII, and accents to plain letters', () => {
    assert.deepEqual(foldCharacter(at('\uff37')), { out: 'w', flags: COMPATIBILITY });
    assert.deepEqual(foldCharacter(at('\u0405')), { out: 's', flags: CONFUSABLE });
    assert.deepEqual(foldCharacter(at('é')), { out: 'e', flags: DIACRITIC });
    assert.deepEqual(foldCharacter(at('ß')), { out: 'ß', flags: 0 });
  });

  it('keeps symbols that fold into letters from gluing onto words', () => {
    assert.deepEqual(foldCharacter(at('™')), { out: ' ', flags: 0 });
    assert.deepEqual(foldCharacter(0xfffd), { out: ' ', flags: 0 });
    assert.deepEqual(foldCharacter(at('’')), { out: '’', flags: 0 });
  });
});

describe('foldText', () => {
  it('folds case, full-width, invisible and look-alike characters, and keeps accents', () => {
    assert.equal(foldText('CLAIM y\u043eur fr\u0435\u0435\u200b kit \uff21\uff22 café'), 'claim your free kit ab café');
    assert.equal(foldText('Plain ASCII'), 'plain ascii');
  });
});
