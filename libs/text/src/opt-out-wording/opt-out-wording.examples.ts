/**
 * The opt-out wording by example: whether each text carries standard opt-out wording. The
 * library's test checks `hasStandardOptOutWording` against it, and content screening's test
 * checks that screening finds the same standard wording in each.
 */
export const OPT_OUT_WORDING_EXAMPLES: readonly { text: string; standard: boolean; why: string }[] = [
  { text: 'Reply STOP to opt out', standard: true, why: 'verb, keyword, purpose' },
  { text: 'Acme Dental: 20% off whitening this week. Reply STOP to opt out.', standard: true, why: 'anywhere in a message' },
  { text: 'Reply STOP to end', standard: true, why: '"end" is a purpose as well as a keyword' },
  { text: 'Txt STOP to 85069 to unsubscribe', standard: true, why: 'a short code between keyword and purpose' },
  { text: 'STOP to end', standard: true, why: 'a standard keyword standing first' },
  { text: 'To unsubscribe, text STOP', standard: true, why: 'the purpose before the verb' },
  { text: 'reply with stop to unsubscribe', standard: true, why: '"reply with"' },
  { text: 'Msg STOP to opt out', standard: true, why: 'any instruction verb' },
  { text: 'Text CANCEL 2 quit', standard: true, why: '"2" links keyword and purpose' },
  { text: 'Responda STOP para cancelar', standard: true, why: 'Spanish verb and purpose, standard keyword' },
  { text: 'Envíe STOP para dejar de recibir mensajes', standard: true, why: 'accents are read through' },
  { text: 'REPLY STOP TO OPT OUT', standard: true, why: 'case is read through' },
  { text: 'Reply STOP', standard: false, why: 'no purpose: the instruction does not say what STOP does' },
  { text: 'Responde BAJA para cancelar', standard: false, why: "opt-out wording, but another language's keyword is not standard" },
  { text: 'Text NOPE to quit', standard: false, why: 'an invented keyword' },
  { text: 'Reply ST0P to opt out', standard: false, why: 'a digit for a letter disguises the keyword' },
  { text: 'Reply \u0405TOP to opt out', standard: false, why: 'a Cyrillic look-alike disguises the keyword' },
  { text: 'Reply ST\u200bOP to opt out', standard: false, why: 'an invisible character inside the keyword' },
  { text: 'Reply \uff33\uff34\uff2f\uff30 to opt out', standard: false, why: 'full-width letters disguise the keyword' },
  { text: 'Reply STOP to quit smoking', standard: false, why: '"quit smoking" names no opt-out' },
  { text: 'Please text end-of-day readings to Dr. Lee', standard: false, why: '"text end-of-day" is no instruction' },
  { text: 'Text me when you get to the end', standard: false, why: 'no keyword' },
];
