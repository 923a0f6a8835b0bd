import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keywordOf, OptOutBook } from './opt-outs.js';

describe("Twilio's keyword matching", () => {
  it('matches a whole single word in any case, with the service custom keywords', () => {
    assert.equal(keywordOf(' Stop\n'), 'STOP');
    assert.equal(keywordOf('optout'), 'STOP');
    assert.equal(keywordOf('unstop'), 'START');
    assert.equal(keywordOf('info'), 'HELP');
    assert.equal(keywordOf('stop please'), null);
    assert.equal(keywordOf('STOP.'), null);
    assert.equal(keywordOf('arrêt'), null);
    assert.equal(keywordOf('ARRÊT', { STOP: ['Arrêt'] }), 'STOP');
  });
});

describe("Twilio's opt-out list", () => {
  it('refuses a scope and handset until opt-in; an application reply passes once', () => {
    const book = new OptOutBook();
    book.optOut('+14155550199', '+14155550100', false);
    assert.equal(book.refuses('+14155550199', '+14155550100'), true);
    assert.equal(book.refuses('+14155550198', '+14155550100'), false);
    book.optIn('+14155550199', '+14155550100');
    assert.equal(book.refuses('+14155550199', '+14155550100'), false);
    book.optOut('MG0123456789abcdef0123456789abcdef', '+14155550100', true);
    assert.equal(book.refuses('MG0123456789abcdef0123456789abcdef', '+14155550100'), false);
    assert.equal(book.refuses('MG0123456789abcdef0123456789abcdef', '+14155550100'), true);
  });
});
