import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countSegments, isGsm7 } from './sms-segments.js';

describe('countSegments', () => {
  it('counts GSM-7 bodies in 160 septets, then 153 per segment', () => {
    assert.deepEqual(countSegments('Hello'), { encoding: 'GSM-7', units: 5, segments: 1 });
    assert.equal(countSegments('a'.repeat(160)).segments, 1);
    assert.equal(countSegments('a'.repeat(161)).segments, 2);
    assert.equal(countSegments('a'.repeat(306)).segments, 2);
    assert.equal(countSegments('a'.repeat(307)).segments, 3);
    assert.equal(countSegments('a'.repeat(1600)).segments, 11);
  });

  it('keeps accented letters of the GSM-7 basic table at one septet', () => {
    const body = 'Ça coûte 5€? Non: 4£, ¿qué? Δ'.replace('û', 'u');
    assert.equal(countSegments(body).encoding, 'GSM-7');
    assert.equal(countSegments('èéùìòÇØøÅåÆæßÉÄÖÑÜäöñüà§¿¡'.repeat(6).slice(0, 160)).segments, 1);
  });

  it('counts extension-table characters as two septets and never splits one across segments', () => {
    assert.deepEqual(countSegments('€'.repeat(80)), { encoding: 'GSM-7', units: 160, segments: 1 });
    assert.deepEqual(countSegments('€'.repeat(81)), { encoding: 'GSM-7', units: 162, segments: 2 });
    assert.equal(countSegments('[]{}|^~\\').units, 16);
    // 152 septets then an escape pair: 154 > 153, so the pair opens the second segment ...
    assert.equal(countSegments(`${'a'.repeat(152)}€${'a'.repeat(152)}`).segments, 3);
    // ... whereas a one-septet character there would just fill the first.
    assert.equal(countSegments(`${'a'.repeat(152)}e${'a'.repeat(153)}`).segments, 2);
  });

  it('switches the whole body to UCS-2 for any other character: 70 code units, then 67', () => {
    assert.deepEqual(countSegments('Привет'), { encoding: 'UCS-2', units: 6, segments: 1 });
    assert.equal(countSegments('ж'.repeat(70)).segments, 1);
    assert.equal(countSegments('ж'.repeat(71)).segments, 2);
    assert.equal(countSegments('ж'.repeat(134)).segments, 2);
    assert.equal(countSegments('ж'.repeat(135)).segments, 3);
    // One non-GSM character makes an otherwise GSM-7 body of 100 characters two UCS-2 segments.
    assert.equal(countSegments(`${'a'.repeat(99)}ç`).segments, 2);
  });

  it('counts an emoji as two UCS-2 code units and keeps the pair in one segment', () => {
    assert.deepEqual(countSegments('👍'), { encoding: 'UCS-2', units: 2, segments: 1 });
    assert.equal(countSegments('👍'.repeat(35)).segments, 1);
    assert.equal(countSegments('👍'.repeat(36)).segments, 2);
    // 66 code units of "ж" then an emoji: 68 > 67, so the emoji starts segment two, not split 1+1.
    assert.equal(countSegments(`${'ж'.repeat(66)}👍${'ж'.repeat(66)}`).segments, 3);
    assert.equal(countSegments(`${'ж'.repeat(65)}👍${'ж'.repeat(66)}`).segments, 2);
  });

  it('knows the GSM-7 alphabet', () => {
    assert.equal(isGsm7('@£$¥\n\r _!"#%&\'()*+,-./:;<=>?'), true);
    assert.equal(isGsm7('\u001b'), false, 'the escape code itself is not a character');
    assert.equal(isGsm7('`'), false);
    assert.equal(isGsm7('ç'), false, 'only the capital Ç is in the table');
  });
});
