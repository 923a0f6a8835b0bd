import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Word = z.string().regex(/^[a-z]+$/);
/** A phrase: lower-case words or numbers separated by single spaces; a word may be a choice of words ("quit coach|line"). */
export const WordingPhraseSchema = z.string().regex(/^[a-z0-9]+(\|[a-z0-9]+)*( [a-z0-9]+(\|[a-z0-9]+)*)*$/, "a phrase is lower-case words separated by single spaces ('a|b' choices)");

/** `opt-out-wording.v1.json`: what an opt-out instruction is made of. */
export const OptOutWordingSchema = z
  .strictObject({
    version: z.string().regex(/^\d{4}-\d{2}-\d{2}\.\d+$/),
    description: z.string().min(1),
    sources: z.array(z.strictObject({ id: z.string().min(1), title: z.string().min(1), clauses: z.array(z.string().regex(/^[A-Z]+(\.[A-Z_]+)+$/)).optional() })).min(1),
    /** Twilio's default opt-out keywords: an instruction with one of them, written in the clear, is standard wording. */
    standardKeywords: z.array(Word).min(1),
    /**
     * Opt-out keywords of other languages ("Envíe BAJA"): written in the clear, they are no
     * evasion; they are not standard either, so a first message still gets the standard wording.
     */
    otherLanguageKeywords: z.array(Word),
    /** Where the keywords come from. */
    source: z.string().min(1),
    instructionVerbs: z.array(Word).min(1),
    /** What the keyword does ("opt out", "unsubscribe", "dejar de recibir"). */
    purposes: z.array(WordingPhraseSchema).min(1),
    /** Phrases that hold a purpose word but name no opt-out ("quit coach", "quit smoking"). */
    notPurposes: z.array(WordingPhraseSchema),
    /** Words between a keyword and its purpose ("STOP to end", "STOP para cancelar"). */
    keywordLinks: z.array(z.string().min(1)).min(1),
  })
  .superRefine((data, ctx) => {
    if (!data.sources.some((s) => s.id === data.source)) ctx.addIssue({ code: 'custom', path: ['source'], message: `names source "${data.source}", which is not listed` });
  });
export type OptOutWordingData = z.infer<typeof OptOutWordingSchema>;

/** The opt-out wording data, validated; throws rather than reading wording from a broken file. */
export function loadOptOutWordingData(url: URL = new URL('./opt-out-wording.v1.json', import.meta.url)): OptOutWordingData {
  const parsed = OptOutWordingSchema.safeParse(JSON.parse(readFileSync(url, 'utf8')));
  if (!parsed.success) throw new Error(`opt-out wording ${url.pathname} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
