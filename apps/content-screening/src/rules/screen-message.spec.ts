import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { appendVerdict, VerdictSchema } from '@sms/contracts';
import { anEnvelope, aTenant } from '@sms/testing';
import { compileRules } from './compile.js';
import { loadRuleData, type Category } from './rule-data.js';
import { DEFAULT_SETTINGS, screen, screenMessage, type ScreeningFacts } from './screen-message.js';
import { screeningFacts } from '../test-support/screening-facts.js';

const rules = compileRules(loadRuleData());
const now = new Date('2026-11-27T15:00:00Z');
const facts = screeningFacts;
/** A message that names its brand and carries standard opt-out wording, so only its content is judged. */
const wrap = (text: string): string => `Acme Dental: ${text} Reply STOP to opt out.`;
const run = (text: string, overrides: Partial<ScreeningFacts> = {}) => screen(wrap(text), facts(overrides), rules);

describe('prohibited content (MP.CONTENT.*)', () => {
  it('blocks cannabis to US recipients with the matched text in its original form and position', () => {
    const body = wrap('relax before your visit with our CBD gummies!');
    const result = screen(body, facts(), rules);
    assert.equal(result.decision, 'block');
    assert.deepEqual(result.clauses, ['MP.CONTENT.CANNABIS']);
    assert.deepEqual(result.categories, ['cannabis']);
    const [evidence] = result.evidence;
    assert.equal(evidence?.text, 'CBD gummies');
    assert.equal(body.slice(evidence?.start, evidence?.end), 'CBD gummies');
    assert.match(result.reasons[0]!, /cannabis: "CBD gummies" at 46-57/);
  });

  it('does not read the pot of a pool or a $420 prize as cannabis', () => {
    for (const text of ['Office pool: $10 entry, the winner takes the pot.', 'Lottery jackpot is $420 million tonight.']) {
      assert.ok(!run(text).categories.includes('cannabis'), text);
    }
    assert.ok(run('Fresh pot, $40 an eighth, delivered tonight.').categories.includes('cannabis'));
  });

  it('sees cannabis however it is worded', () => {
    for (const text of ['420 friendly? Ask about our chill gummies.', 'Kush and sativa strains 15% off.', 'Our partner dispensary has deals.', 'Delta 8 gummies for dental anxiety.']) {
      assert.ok(run(text).categories.includes('cannabis'), text);
    }
  });

  it('blocks offers of prescription-only medication but not prescription reminders', () => {
    for (const text of ['Ozempic weight-loss program, only $199/month!', 'Buy Xanax online, no prescription needed.', 'Cheap Viagra shipped overnight.']) {
      const result = run(text);
      assert.equal(result.decision, 'block', text);
      assert.deepEqual(result.clauses, ['MP.CONTENT.RX'], text);
    }
    assert.equal(run('Your prescription is ready for pickup.').decision, 'pass');
    assert.equal(run('Your amoxicillin prescription has been sent to your pharmacy.').decision, 'pass');
    // A Spanish drug name is the word itself, not a disguise of the English one.
    const receta = run('Farmacia Nuestra Señora: Su receta de amoxicilina está lista. Copago: $5.00. Abrimos hasta las 9pm.');
    assert.equal(receta.decision, 'pass', receta.reasons.join('; '));
    assert.ok(!receta.categories.includes('filter_evasion'));
  });

  it('blocks hate, threats and harassment', () => {
    for (const text of ['Go back to your country.', 'Immigrants are vermin and should be deported.', 'We know where you live.', 'I will kill you if you call again.']) {
      const result = run(text);
      assert.equal(result.decision, 'block', text);
      assert.ok(result.clauses.includes('MP.CONTENT.HATE'), text);
    }
    assert.equal(run("We're dying to see your new smile! Killer deal on whitening.").decision, 'pass');
  });

  it('blocks a threat to a place of worship and Spanish slurs, and not the church next door or a Spanish word close to a slur', () => {
    for (const text of ['we know where you pray. your mosque is next.', 'Tu hijo es un maricón y todo el colegio lo sabe.', 'Vamos a quemar esa sinagoga.']) {
      assert.ok(run(text).categories.includes('hate'), text);
    }
    for (const text of ['Our church is next to the clinic: park in its lot.', 'Bring a spare shirt, yours will be sudada after the stress test.']) {
      assert.equal(run(text).decision, 'pass', text);
    }
  });

  it('blocks fraud, and cites false identity when a link impersonates a brand', () => {
    const prize = screen('URGENT! You have won a £2000 prize GUARANTEED. Call 09061790321 from land line. Claim 3030.', facts({ basis: 'conversation', firstMessage: false }), rules);
    assert.equal(prize.decision, 'block');
    assert.deepEqual(prize.clauses, ['MP.CONTENT.FRAUD']);
    assert.ok(prize.fraudSignals.includes('premium_rate_number'));
    const phishing = run('Your Apple ID has been locked. Unlock it at apple-id-support.com');
    assert.deepEqual(phishing.clauses, ['MP.CONTENT.FRAUD', 'AUP.IDENTITY']);
    assert.equal(run('Send us your password to access your records.').decision, 'block');
    assert.deepEqual(run('View your bill at http://192.0.2.44/login').categories, ['fraud'], 'a login link to a bare IP address stands alone');
    assert.equal(run('We will never ask for your password or card number by text.').decision, 'pass');
    // A warning covers what follows it in its sentence, not the next one.
    assert.equal(run('A reminder that we will never text you a link asking you to sign in or confirm your password.').decision, 'pass');
    assert.equal(run('Nunca le pediremos su NIP ni el código que le llega por mensaje.').decision, 'pass');
    assert.ok(run('We will never ask for your password. Confirm your password here to keep your account: acme-dental.help/login').categories.includes('fraud'));
    assert.equal(run('A refund of $20 has been issued to your card ending 4242.').decision, 'pass');
  });

  it('sees a request for identity data by reply as fraud, and a clinic asking the patient to bring a card as none', () => {
    for (const text of [
      'To keep your visit, text back your birthdate and the last four digits of your Social Security number.',
      'Para confirmar su cita responda con su fecha de nacimiento y los últimos 4 dígitos de su seguro social.',
    ]) {
      assert.ok(run(text).categories.includes('fraud'), text);
    }
    const bring = run('Please bring your insurance card and photo ID to your visit on Friday.');
    assert.ok(!bring.categories.includes('fraud'), bring.reasons.join('; '));
  });

  it('sees a transfer to a "safe account" and a code read back to a caller as fraud, in either language', () => {
    for (const text of [
      'Security team: to protect your savings, move your balance to a safe account our agent will give you.',
      'Su cuenta fue vulnerada. Transfiera su dinero a la cuenta segura que le daremos por teléfono.',
      'We just sent you a code. An agent will call shortly; please read it back to them to verify.',
      'Para activar su nueva tarjeta mande una foto de su tarjeta de débito y de su INE a este número.',
    ]) {
      assert.ok(run(text).categories.includes('fraud'), text);
    }
    for (const text of ['New insurance? Please text us a photo of your insurance card before Friday.', 'Por favor envíe una foto de su tarjeta del seguro antes de su cita.']) {
      assert.ok(!run(text).categories.includes('fraud'), text);
    }
  });

  it('sees Spanish sextortion, a fee paid to an account number and a PIN asked for by reply as fraud, and a charge "si no la reconoce" as part of a scam', () => {
    for (const text of [
      'Hackeamos tu correo y tenemos tu contraseña. Mándanos 0.02 BTC esta semana o publicamos todo en tu Facebook.',
      'Su cita requiere prepago. Si no deposita $500 a la cuenta 4152 3138 0099 antes de las 6 se cancelará.',
      'Para entregar la beca, responda con el número de cuenta bancaria y el NIP del tutor antes del viernes.',
    ]) {
      assert.ok(run(text).categories.includes('fraud'), text);
    }
    // Alone it is what a bank's real alert says: stage one sees part of a scam, and the fraud head decides.
    assert.ok(run('Su compra por $14,999 fue aprobada. Si no la reconoce, comuníquese al 800-555-0131.').fraudSignals.includes('unauthorized_activity'));
    assert.equal(run('Su pago de $500 a la cuenta de la clínica quedó registrado. Gracias.').decision, 'pass');
  });

  it('reads trade slang and the ways round a prescription read on a tenth development set, and not the words they borrow', () => {
    const express = { basis: 'express' as const };
    const expect: [string, Category][] = [
      ['Install our hidden spy app and read their texts from your phone. $29.', 'malware'],
      ['Le aparto dos cajetillas de Marlboro, se las dejo en $120.', 'tobacco'],
      ['Llegó cripy y bareta, domicilio hasta las 11.', 'cannabis'],
      ['Skip the visit: no need to see the provider, we mail the pens. $250 each.', 'prescription_drugs'],
      ['Quiniela de la oficina: 10 € por persona y el que acierte se lleva el bote.', 'gambling'],
      ['Two polymer frames with parts kits, untraceable builds, $550.', 'firearms'],
    ];
    for (const [text, category] of expect) assert.ok(run(text, express).categories.includes(category), `${text}: ${run(text, express).reasons.join('; ')}`);
    for (const text of [
      'Recargue su plan prepago en línea y evite cortes.',
      'Your pickup window is 2-4 pm; the pharmacist will see you at the counter.',
      'Gracias por su pago de $480; su cuenta queda al corriente.',
    ]) {
      assert.equal(run(text, express).decision, 'pass', text);
    }
  });

  it('blocks links to installable files and known malware hosts', () => {
    const apk = run('Update our app: https://acme-dental-app.com/acme.apk');
    assert.equal(apk.decision, 'block');
    assert.deepEqual(apk.clauses, ['MP.CONTENT.MALWARE']);
    assert.match(apk.reasons.join(' '), /installable file \(\.apk\)/);
    assert.deepEqual(run('Chart: http://malware.testing.google.test/testing/malware/').categories, ['malware']);
    assert.equal(run('Book at https://acmedental.com/book').decision, 'pass');
  });
});

describe('gated content (MP.AGE_GATE)', () => {
  const wine = 'Join us for wine and cheese at our open house!';

  it('stops it when the age is not verified, and passes it at or above the legal age', () => {
    const unverified = run(wine);
    assert.equal(unverified.decision, 'block');
    assert.deepEqual(unverified.clauses, ['MP.AGE_GATE']);
    assert.match(unverified.reasons[0]!, /not verified \(legal age 21 in US\)/);
    const adult = run(wine, { age: { verified: true, years: 21 } });
    assert.equal(adult.decision, 'pass');
    assert.deepEqual(adult.categories, ['alcohol']);
    assert.equal(run(wine, { age: { verified: true, years: 20 } }).decision, 'block');
  });

  it('uses the legal age of the recipient’s country and province, and the highest when the province is unknown', () => {
    assert.equal(run(wine, { country: 'GB', age: { verified: true, years: 18 } }).decision, 'pass');
    assert.equal(run(wine, { country: 'CA', region: 'QC', age: { verified: true, years: 18 } }).decision, 'pass');
    assert.equal(run(wine, { country: 'CA', region: 'ON', age: { verified: true, years: 18 } }).decision, 'block');
    assert.equal(run(wine, { country: 'CA', age: { verified: true, years: 18 } }).decision, 'block');
  });

  it('applies the strictest pack to an unknown country or one without a pack, and says so', () => {
    for (const country of ['ZZ', 'DE']) {
      const result = run(wine, { country, age: { verified: true, years: 19 } });
      assert.equal(result.decision, 'block', country);
      assert.deepEqual(result.clauses, ['MP.AGE_GATE', 'MP.COUNTRY'], country);
    }
  });

  it('treats cannabis by country: age-gated in Canada, CBD lawful in Britain, THC unlawful there', () => {
    assert.deepEqual(run('CBD oil 10% off.', { country: 'CA', region: 'ON' }).clauses, ['MP.AGE_GATE']);
    assert.equal(run('CBD oil 10% off.', { country: 'CA', region: 'ON', age: { verified: true, years: 19 } }).decision, 'pass');
    assert.equal(run('CBD oil 10% off.', { country: 'GB' }).decision, 'pass');
    assert.deepEqual(run('THC gummies 10% off.', { country: 'GB' }).clauses, ['MP.CONTENT.ILLEGAL', 'MP.COUNTRY']);
  });

  it('covers firearms, gambling, tobacco and adult content, not their harmless look-alikes', () => {
    assert.deepEqual(run('Concealed carry class this Saturday, 10% off.').categories, ['firearms']);
    assert.deepEqual(run('Free spins at our partner online casino!').categories, ['gambling']);
    assert.deepEqual(run('20% off vapes at our partner vape shop.').categories, ['tobacco']);
    assert.deepEqual(run('Hot singles in your area want to chat.').categories, ['adult']);
    for (const text of ['Try the massage gun in our lobby.', 'Appointment slots are filling up.', 'Avoid smoking after your extraction.', 'Coffee, tea and red wine stains? Whitening 20% off.']) {
      assert.equal(run(text).decision, 'pass', text);
    }
  });

  it("reads a med spa's happy hour and a leaf beside a price as what they are, and the leaf beside a strain as cannabis", () => {
    const express = { basis: 'express' as const };
    for (const text of ['IV hydration happy hour: $99 drips Fridays 3-6pm.', 'Botox happy hour, $10 a unit this Thursday.', 'Free shipping on herbal teas over $35 🌿']) {
      assert.equal(run(text, express).decision, 'pass', text);
    }
    assert.ok(run('Fresh sativa drop 🌿 $40 an eighth.', express).categories.includes('cannabis'));
    assert.ok(run('Happy hour: $5 margaritas till 7.', express).categories.includes('alcohol'));
  });

  it('reads the gated goods of Spanish offers, and not the same words in care instructions', () => {
    for (const [text, category] of [
      ['Cubeta de 10 chelas a $250, servicio a domicilio.', 'alcohol'],
      ['Cajetillas de cigarros al precio de mayoreo.', 'tobacco'],
      ['Municiones y escopetas con 15% de descuento.', 'firearms'],
      ['Apuestas del clásico con cupón de $20 gratis.', 'gambling'],
      ['Chicas calientes te esperan, fotos sin ropa por WhatsApp.', 'adult'],
      ['Relajantes musculares y analgésicos fuertes el mismo día, sin consulta médica.', 'prescription_drugs'],
      ['Tengo pastillitas para dormir sin receta, 5 dólares cada una.', 'prescription_drugs'],
      ['Bolsitas de nicotina de todos los sabores, 3 por $10.', 'tobacco'],
    ] as const) {
      assert.ok(run(text).categories.includes(category), text);
    }
    for (const text of [
      'Después de la cirugía evite el alcohol y las bebidas con gas; el envío de sus recetas es gratis.',
      'Programa gratis para dejar el tabaco: su consejera le llama el martes.',
      'Limpie la piel con torundas con alcohol antes de la inyección; pedido de insumos listo.',
      'Para su colonoscopía venga con un acompañante adulto que pueda llevarle a casa.',
      'Los medicamentos sin receta para la alergia están en el pasillo 3; su receta estará lista a las 4.',
      'Parches de nicotina gratis con su plan: pregunte en farmacia.',
    ]) {
      const result = run(text);
      assert.equal(result.decision, 'pass', `${text}: ${result.reasons.join('; ')}`);
    }
  });
});

describe('filter evasion (MP.EVASION.CONTENT)', () => {
  it('sees through look-alike letters, invisible characters, digits for letters, split letters and misspellings, and flags the evasion', () => {
    const cases: [string, string][] = [
      ['саnnаbis gummies', 'confusable'],
      ['m\u200Barijuana delivered', 'invisible'],
      ['w33d delivery tonight', 'leet'],
      ['C.B.D oil now in stock', 'split'],
      ['marjiuana edibles delivered', 'misspelling'],
      ['ＣＢＤ tinctures 2 for 1', 'compatibility'],
    ];
    for (const [text, normalisation] of cases) {
      const result = run(text);
      assert.equal(result.decision, 'block', text);
      assert.deepEqual(result.categories, ['cannabis', 'filter_evasion'], text);
      assert.ok(result.clauses.includes('MP.EVASION.CONTENT'), text);
      const evasion = result.evidence.find((e) => e.category === 'filter_evasion');
      assert.ok(evasion?.normalisation.includes(normalisation), `${text}: ${JSON.stringify(evasion)}`);
      assert.equal(wrap(text).slice(evasion!.start, evasion!.end), evasion!.text, 'evidence is the original text');
    }
  });

  it('flags look-alike letters and invisible characters inside words even without a category', () => {
    assert.deepEqual(run('уour appointment is tomorrow.').categories, ['filter_evasion']);
    assert.deepEqual(run('Your app\u200Bointment is tomorrow.').categories, ['filter_evasion']);
    assert.equal(run('Our whole team 👨\u200D👩\u200D👧 wishes you happy holidays!').decision, 'pass');
  });

  it('treats an invented or disguised opt-out keyword as evasion', () => {
    for (const body of ['Acme Dental: 15% off. Text NOPE to quit.', 'Acme Dental: offers. Reply BYE to unsubscribe.', 'Acme Dental: offers. Reply ST0P to opt out.']) {
      const result = screen(body, facts(), rules);
      assert.equal(result.decision, 'block', body);
      assert.ok(result.categories.includes('filter_evasion'), body);
    }
  });
});

describe('benign text that only looks risky', () => {
  it('passes the examples of the policy issue', () => {
    for (const text of [
      'Get your flu shot this week.',
      'We weed out plaque with a deep cleaning.',
      'Your prescription is ready for pickup.',
      'Avoid smoking after your extraction.',
      'Stop by our office for a free toothbrush.',
      'Shot of the week: our team at the charity run!',
    ]) {
      const result = run(text);
      assert.equal(result.decision, 'pass', `${text}: ${result.reasons.join('; ')}`);
      assert.deepEqual(result.categories, [], text);
    }
  });

  it('reads Spanish words as words in Spanish text, medical phrases as medicine, and cessation as cessation', () => {
    for (const text of [
      'Karla, el martes preparamos tu diente para la corona, como te indicó el dentista.',
      'Su insulina ya está lista. Si vive lejos, traiga una hielerita para el camino.',
      "You're booked for the Myers' Cocktail IV drip tomorrow at 12:30 PM.",
      'Your Holter monitor hookup is 9/5 at 8:00 AM.',
      'Day 5 without cigarettes! Cravings usually peak in the first week.',
      'Your discharge meds (Eliquis, metoprolol) are ready at the Meds-to-Beds counter.',
    ]) {
      const result = run(text);
      assert.equal(result.decision, 'pass', `${text}: ${result.reasons.join('; ')}`);
    }
  });

  it("reads a patient's own care as care, and the same words beside a price as trade", () => {
    for (const text of [
      'Your Wegovy refill has been filled and shipped; it arrives Thursday.',
      'The semaglutide your doctor prescribed for you is in stock again at our counter.',
      'Free support group for anyone in recovery from alcohol or drug problems, Mondays at 6.',
      'Craving a cigarette? Your quit coach is free to talk today.',
      'Our tobacco treatment specialist can meet with you free of charge after surgery.',
      'Free gun locks for every family: keep firearms at home stored unloaded, ammo kept separately.',
    ]) {
      // The rules' part: the learned heads judge the words on their own (and may still ask for a look).
      const stops = run(text).findings.filter((f) => !f.byModel && (f.action === 'hold' || f.action === 'block'));
      assert.deepEqual(
        stops.map((f) => f.reason),
        [],
        text,
      );
    }
    for (const [text, category] of [
      ['Your refill of Wegovy: $199 a month, shipped overnight.', 'prescription_drugs'],
      ['Celebrate your sobriety milestone? Vodka 2 for 1 all weekend.', 'alcohol'],
      ['Quit coach says: cigarettes $30 a carton this week only.', 'tobacco'],
      ['Gun safety week: Glocks $399 and ammo 20% off, shop now.', 'firearms'],
    ] as const) {
      assert.ok(run(text).categories.includes(category), text);
    }
  });

  it('does not read a cessation coach or programme as an opt-out keyword', () => {
    const result = run('Want to talk it over with your quit coach? Reply COACH.');
    assert.ok(!result.categories.includes('filter_evasion'), result.reasons.join('; '));
    assert.ok(run('Reply NOPE to quit these texts.').categories.includes('filter_evasion'));
  });

  it('still reads a misspelled slur in English text, though the word is Spanish', () => {
    assert.ok(run('No fagots allowed at our clinic.').categories.includes('hate'));
  });

  it('reads a Spanish word written as a name as the name in English text, and the same word in lower case as the term it may hide', () => {
    const street = run('Your consult is confirmed for Monday at 1:40 PM at 2210 Camino Real Ste B.');
    assert.equal(street.decision, 'pass', street.reasons.join('; '));
    assert.ok(run('Big wins at our online camino tonight, deposit $20 to play.').categories.includes('gambling'));
  });

  it('takes an opt-out keyword of another language written in the clear for no evasion, and still adds the standard one', () => {
    const result = screen('Farmacia Guadalupe: su receta está lista. Envíe BAJA para no recibir más mensajes.', facts({ brand: 'Farmacia Guadalupe' }), rules);
    assert.ok(!result.categories.includes('filter_evasion'), result.reasons.join('; '));
    assert.equal(result.decision, 'transform');
    assert.ok(result.categories.includes('missing_opt_out_language'));
  });
});

describe('consent basis (MP.CONSENT.PRIOR_RELATIONSHIP)', () => {
  const prior = { basis: 'prior_relationship' as const };

  it('stops promotion and advocacy under a prior relationship, and lets informational messages pass', () => {
    const promo = run('20% off whitening for all patients this month!', prior);
    assert.equal(promo.decision, 'block');
    assert.deepEqual(promo.clauses, ['MP.CONSENT.PRIOR_RELATIONSHIP']);
    assert.match(run('Sign our petition to keep fluoride in our water.', prior).reasons.join(' '), /advocates for a social cause/);
    // The promotional head learnt offers, not causes: an appeal stands without it.
    assert.deepEqual(run('Call your senator and make your voice heard on dental coverage.', prior).categories, ['promotional']);
    assert.ok(!run('We stand with our LGBTQ+ patients: harassment is not tolerated here.', prior).categories.includes('promotional'));
    for (const text of ['Reminder: your cleaning is Friday at 10:00.', 'Your code is 551204.', 'Your receipt: $85.00 paid by card ending 1234.']) {
      assert.equal(run(text, prior).decision, 'pass', text);
    }
  });

  it('sees a promotion slipped into a Spanish reminder or receipt, and not the receipt of a gift or discount card', () => {
    for (const text of [
      'Le esperamos el jueves a las 7:15. Llévese rodillos de espuma con 25% de descuento, solo esta semana.',
      'Ya tenemos sus lentes. Si se lleva otro par hoy, el segundo le sale a mitad de precio.',
      'Pago recibido por $250 para su ortodoncia. Si liquida antes de diciembre le descontamos 5%.',
    ]) {
      assert.ok(run(text, prior).categories.includes('promotional'), text);
    }
    for (const text of [
      'El saldo de su tarjeta de regalo es de $75.',
      'Hoy se ahorró $63.10 con su tarjeta de descuentos en recetas.',
      'Con el código 240961 puede entrar a su videoconsulta de hoy.',
    ]) {
      assert.equal(run(text, prior).decision, 'pass', text);
    }
  });

  it('sees referral rewards and a first or next visit free as promotion, and an interest-free payment plan as billing', () => {
    for (const text of [
      'Your glasses are ready for pickup. Refer 2 friends and your next visit is free!',
      'Recibimos su pago. Inscriba a un familiar este mes y su primera clase es gratis.',
      'Sus resultados están en el portal. Este mes, limpieza dental a solo $49.',
      'Your invoice is attached. Add our pet insurance partner and get 1 month free.',
    ]) {
      assert.ok(run(text, prior).categories.includes('promotional'), text);
    }
    for (const text of ['Your balance of $300 can be paid in 3 payments at 0% interest. Call billing with questions.', 'Puede pagar su saldo de $480 en 4 pagos sin intereses; llame a facturación.']) {
      assert.ok(!run(text, prior).categories.includes('promotional'), text);
    }
  });

  it('reads a discount already given on a bill as billing, and the same discount offered as promotion', () => {
    for (const text of [
      'Your self-pay discount of 30% was applied to your bill. New balance: $64.18.',
      'Le aplicamos el 30% de descuento por pago directo. Nuevo saldo: $75.',
      'Your sliding-scale discount is renewed through 12/31. Your per-session fee stays at $20.',
    ]) {
      const result = run(text, prior);
      assert.ok(!result.categories.includes('promotional'), text);
      assert.ok(!result.reasons.some((r) => r.startsWith('promotional')), text);
    }
    for (const text of ['Your cleaning is Tuesday at 3. Pay today and get a 30% discount on whitening!', 'Su limpieza es el martes. Este mes 30% de descuento en blanqueamiento.']) {
      assert.ok(run(text, prior).categories.includes('promotional'), text);
    }
  });

  it('sees a fundraiser or a candidacy inside a notice as advocacy, and not the receipt of a gift', () => {
    for (const text of [
      'Your flu shot is 10/2 at 11am. Dr. Grant is running for county commissioner, learn more at grant-example.com.',
      'Las boletas se entregan el viernes. Compre la playera del equipo; lo recaudado es para el viaje a la final.',
      'Su control prenatal es el viernes. Con $50 ayuda a que una mamá sin seguro tenga su ultrasonido.',
      "Your session link is in your email. We're raising funds for the county crisis line.",
    ]) {
      assert.match(run(text, prior).reasons.join(' '), /advocates for a social cause/, text);
    }
    assert.equal(run('Thank you for your gift. All proceeds support free screenings.', prior).decision, 'pass');
  });

  it('lets the same promotion pass with express consent', () => {
    assert.equal(run('20% off whitening for all patients this month!').decision, 'pass');
  });
});

describe('consent basis (MP.CONSENT.CONVERSATION)', () => {
  const conversation = { basis: 'conversation' as const, firstMessage: false };
  const reply = (text: string) => screen(text, facts(conversation), rules);

  it('holds an offer slipped into a reply to the person, citing the conversation it goes past', () => {
    for (const text of [
      'Hi Dana, yes we moved you to 2:30 tomorrow. Btw 20% off whitening for all patients this month!',
      'Hola Mari, ya quedaste el viernes a las 5. Si traes a una amiga nueva, las dos se llevan la limpieza gratis.',
    ]) {
      const result = reply(text);
      assert.equal(result.decision, 'hold', text);
      assert.deepEqual(result.clauses, ['MP.CONSENT.CONVERSATION'], text);
      assert.match(result.reasons.join(' '), /in a reply to the person's own message, whose consent covers that conversation only/);
    }
  });

  it("lets a reply answer the person's question about prices, and reads their talk of votes as theirs", () => {
    for (const text of [
      'Hi Dana, the cleaning is $85 with your plan and the x-rays are covered. See you Friday!',
      'Sí, el descuento de adulto mayor ya está aplicado a su cuenta; le quedan $40 por pagar.',
      'Did you vote for the new logo yet? Lunch is on me if mine wins lol',
    ]) {
      assert.equal(reply(text).decision, 'pass', `${text}: ${reply(text).reasons.join('; ')}`);
    }
  });

  it('lists the conversation clause among what a pass was checked against', () => {
    assert.ok(reply('See you Friday at 10!').clauses.includes('MP.CONSENT.CONVERSATION'));
    assert.ok(!screen(wrap('See you Friday at 10!'), facts({ basis: 'express' }), rules).clauses.includes('MP.CONSENT.CONVERSATION'));
  });
});

describe('first message and sender identification (MP.OPTOUT.LANGUAGE, MP.SENDER_ID)', () => {
  it('appends standard opt-out wording to a first message that lacks it', () => {
    const result = screen('Acme Dental: 15% off whitening this week.', facts(), rules);
    assert.equal(result.decision, 'transform');
    assert.deepEqual(result.clauses, ['MP.OPTOUT.LANGUAGE']);
    assert.deepEqual(result.transform, { kind: 'append', text: ' Reply STOP to opt out.', description: 'appended standard opt-out wording (MP.OPTOUT.LANGUAGE)' });
    assert.equal(result.body, 'Acme Dental: 15% off whitening this week. Reply STOP to opt out.');
    assert.equal(screen('Acme Dental: 15% off whitening this week.', facts({ firstMessage: false }), rules).decision, 'pass');
  });

  it('accepts every standard keyword and common wordings', () => {
    for (const ending of [
      'Reply END to stop receiving texts.',
      'To unsubscribe, reply UNSUBSCRIBE.',
      'Txt STOP to 55555 to opt out.',
      'Reply HELP for help, STOP to cancel.',
      'Responda STOP para cancelar.',
    ]) {
      assert.equal(screen(`Acme Dental: hello. ${ending}`, facts(), rules).decision, 'pass', ending);
    }
  });

  it('adds the brand when the message does not name it, unless it replies in a conversation', () => {
    const result = screen('15% off whitening this week. Reply STOP to opt out.', facts(), rules);
    assert.equal(result.decision, 'transform');
    assert.equal(result.body, 'Acme Dental: 15% off whitening this week. Reply STOP to opt out.');
    assert.equal(screen('Sure, 3pm works.', facts({ basis: 'conversation', firstMessage: false }), rules).decision, 'pass');
    for (const named of ['ACME DENTAL: hi. Reply STOP to opt out.', 'AcmeDental: hi. Reply STOP to opt out.', "Acme Dental's team: hi. Reply STOP to opt out."]) {
      assert.equal(screen(named, facts(), rules).decision, 'pass', named);
    }
  });

  it('fixes both in one append, or blocks when the tenant says so', () => {
    const both = screen('15% off whitening this week.', facts(), rules);
    assert.equal(both.body, '15% off whitening this week. -Acme Dental. Reply STOP to opt out.');
    assert.deepEqual(both.clauses, ['MP.SENDER_ID', 'MP.OPTOUT.LANGUAGE']);
    const strict = screen('15% off whitening this week.', facts({ settings: { ...DEFAULT_SETTINGS, missingOptOutLanguage: 'block', missingSenderId: 'block' } }), rules);
    assert.equal(strict.decision, 'block');
    assert.equal(strict.transform, undefined);
  });

  it('blocks rather than fix a message that would grow past 1,600 characters', () => {
    // A long list of visits (one character repeated 1,580 times reads as anything to the linear
    // heads: each repeat of an n-gram adds to its head's sum).
    const visits = Array.from({ length: 80 }, (_, i) => `${i + 1}/3 ${9 + (i % 8)}:00 Dr. Lee;`).join(' ');
    const result = screen(`Acme Dental: your visits ${visits}`.slice(0, 1590), facts(), rules);
    assert.equal(result.decision, 'block');
    assert.match(result.reasons.join(' '), /exceed 1600 characters/);
  });

  it('lets system messages pass without opt-out wording, but still checks their content', () => {
    const confirmation = 'Acme Dental: You are unsubscribed and will receive no more messages from us. Reply START to resubscribe.';
    const result = screen(confirmation, facts({ kind: 'opt_out_confirmation', basis: 'prior_relationship' }), rules);
    assert.equal(result.decision, 'pass');
    assert.equal(result.body, confirmation);
    assert.equal(screen('Acme Dental: unsubscribed. Relax with our CBD gummies!', facts({ kind: 'opt_out_confirmation' }), rules).decision, 'block');
  });
});

describe('public URL shorteners', () => {
  it('holds a shortened link by default and blocks it when the tenant says so', () => {
    const held = run('Book online at https://bit.ly/3xYz9');
    assert.equal(held.decision, 'hold');
    assert.deepEqual(held.categories, ['public_url_shortener']);
    assert.deepEqual(held.clauses, ['MP.EVASION.CONTENT']);
    assert.equal(run('Book online at tinyurl.com/acme', { settings: { ...DEFAULT_SETTINGS, publicUrlShortener: 'block' } }).decision, 'block');
  });
});

describe('screenMessage', () => {
  it('returns a valid verdict with structured evidence and flat facts', () => {
    const envelope = anEnvelope({ message: { body: 'Acme Dental: relax with our CBD gummies! Reply STOP to opt out.' } });
    const verdict = screenMessage(envelope, rules, aTenant(), now);
    assert.equal(VerdictSchema.parse(verdict).decision, 'block');
    assert.equal(verdict.stage, 'content-screening');
    assert.deepEqual(verdict.facts['categories'], ['cannabis']);
    assert.equal(verdict.facts['pack'], 'US');
    assert.equal(verdict.evidence?.[0]?.text, 'CBD gummies');
    assert.equal(verdict.at, now.toISOString());
  });

  it('reads the basis, first-message flag, verified age and tenant settings from the envelope', () => {
    const body = 'Acme Dental: join us for wine and cheese! Book at https://bit.ly/x';
    const envelope = anEnvelope({
      message: { body, useCase: 'marketing' },
      recipient: { country: 'US', verifiedAge: 30 },
      consent: { basis: 'express', recordId: 'r1', decidedAt: now.toISOString(), firstMessage: false },
    });
    assert.equal(screenMessage(envelope, rules, aTenant(), now).decision, 'hold');
    assert.equal(screenMessage(envelope, rules, aTenant({ settings: { publicUrlShortener: 'block' } }), now).decision, 'block');
  });

  it('carries its transform, which appendVerdict applies to the body', () => {
    const envelope = anEnvelope({ message: { body: 'Acme Dental: your cleaning is tomorrow at 9:00.' } });
    const verdict = screenMessage(envelope, rules, undefined, now);
    assert.equal(verdict.decision, 'transform');
    assert.equal(appendVerdict(envelope, verdict).message.body, 'Acme Dental: your cleaning is tomorrow at 9:00. Reply STOP to opt out.');
  });

  it('passes the ordinary reminder, citing the clauses it checked', () => {
    const verdict = screenMessage(anEnvelope(), rules, aTenant(), now);
    assert.equal(verdict.decision, 'pass');
    for (const clause of ['MP.CONTENT.CANNABIS', 'MP.CONTENT.FRAUD', 'MP.SENDER_ID', 'MP.OPTOUT.LANGUAGE', 'MP.CONSENT.PRIOR_RELATIONSHIP'] as const)
      assert.ok(verdict.clauses.includes(clause), clause);
  });
});
