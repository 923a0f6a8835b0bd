import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadOptOutPhrases } from './rule-data.js';
import { compileClassifier, intentOf } from './inbound-keywords.js';

const classifier = compileClassifier(loadOptOutPhrases());
const kind = (body: string) => classifier.classify(body).kind;

describe('classifying inbound texts', () => {
  for (const body of ['STOP', 'stop', ' Stop. ', 'STOPALL', 'unsubscribe', 'Cancel!', 'end', 'QUIT', 'revoke', 'OptOut', 'opt out', 'opt-out', 'ＳＴＯＰ']) {
    it(`takes the keyword "${body}" as an opt-out, with confidence 1`, () => {
      const intent = classifier.classify(body);
      assert.equal(intent.kind, 'opt_out');
      assert.equal(intent.confidence, 1);
    });
  }

  for (const body of [
    'please stop texting me',
    'Please stop texting me!!',
    'take me off your list',
    'Remove me from your list please',
    'no more messages',
    'unsubscribe me pls',
    "Don't text me anymore",
    'do not contact me again',
    'I want to opt out',
    'wrong number',
    'Stop sending these texts',
    'stop please',
    'No me envíes más mensajes',
    'ya no quiero recibir mensajes',
    'no más mensajes por favor',
    'deja de enviarme mensajes',
    'quiero darme de baja',
    'sácame de la lista',
    'Basta',
  ]) {
    it(`takes "${body}" as an opt-out and says why`, () => {
      const intent = classifier.classify(body);
      assert.equal(intent.kind, 'opt_out', JSON.stringify(intent));
      assert.ok(intent.evidence && intent.evidence.length > 0);
      assert.ok(intent.confidence >= 0.8);
    });
  }

  for (const body of [
    'Stop by at 3?',
    'I will stop by the office tomorrow',
    'Can I cancel my appointment?',
    'Please cancel my appointment on Friday',
    "don't stop the reminders, they help",
    'I finally quit smoking!',
    'See you at the end of the week',
    'stopping',
    'Necesito cancelar mi cita',
    'yes please, 3pm works',
  ]) {
    it(`does not take "${body}" as an opt-out`, () => {
      assert.equal(kind(body), 'message', JSON.stringify(classifier.classify(body)));
    });
  }

  for (const body of ['too many texts', 'why do you keep texting me?', 'not interested', 'this is spam', 'I said stop it with the ads last week']) {
    it(`finds "${body}" unclear: marketing pauses and a person decides`, () => {
      const intent = classifier.classify(body);
      assert.equal(intent.kind, 'unclear_opt_out', JSON.stringify(intent));
      assert.ok(intent.confidence > 0 && intent.confidence < 0.8);
    });
  }

  it('answers the opt-in and help keywords', () => {
    assert.equal(kind('START'), 'opt_in');
    assert.equal(kind('yes'), 'opt_in');
    assert.equal(kind('Unstop'), 'opt_in');
    assert.equal(kind('help'), 'help');
    assert.equal(kind('INFO?'), 'help');
  });
});

describe("Twilio's reading of an inbound text (Advanced Opt-Out's OptOutType)", () => {
  const classifier = compileClassifier(loadOptOutPhrases());
  it('takes a custom keyword Twilio read as STOP for an opt-out, as START and HELP likewise', () => {
    assert.equal(classifier.classify('Arrêt').kind, 'message', 'the body alone is not one of our keywords');
    const stop = intentOf({ body: 'Arrêt', optOutType: 'STOP' }, classifier);
    assert.equal(stop.kind, 'opt_out');
    assert.equal(stop.rule, 'twilio-opt-out-type');
    assert.equal(intentOf({ body: 'Reprendre', optOutType: 'START' }, classifier).kind, 'opt_in');
    assert.equal(intentOf({ body: 'Aide', optOutType: 'HELP' }, classifier).kind, 'help');
  });

  it('reads the body itself when Twilio says nothing', () => {
    assert.equal(intentOf({ body: 'please stop texting me' }, classifier).kind, 'opt_out');
    assert.equal(intentOf({ body: 'see you at 3' }, classifier).kind, 'message');
  });
});
