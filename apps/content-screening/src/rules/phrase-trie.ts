import { NUMBER, type Token } from './tokenize.js';

export type Role = 'term' | 'context' | 'cue' | 'benign' | 'care' | 'signal' | 'combo' | 'verb' | 'purpose' | 'notPurpose' | 'promo' | 'advocacy';

/** What a phrase stands for: a category's term, a cue, a weighted fraud signal, one part of a combination... */
export interface PhraseEntry {
  role: Role;
  /** The category, cue set or signal group the phrase belongs to. */
  group: string;
  /** Signal or combination id (for weighted groups); else the group. */
  id: string;
  weight: number;
  tag: string | null;
  /** A category's term that stands on its own (the category's `firm` phrases). */
  firm?: boolean;
  /** Which half of a combination. */
  part: number;
  phrase: string;
}

export interface PhraseMatch {
  entry: PhraseEntry;
  /** First and last token of the match. */
  first: number;
  last: number;
  /** Normalisations the matched tokens needed. */
  flags: number;
}

interface TrieNode {
  next: Map<string, TrieNode> | null;
  num: TrieNode | null;
  any: TrieNode | null;
  gap: TrieNode | null;
  ends: PhraseEntry[] | null;
}

const MAX_GAP = 3;
const newNode = (): TrieNode => ({ next: null, num: null, any: null, gap: null, ends: null });

type Slot = { kind: 'words'; words: string[]; optional: boolean } | { kind: 'number' | 'any' | 'gap' };

function parse(phrase: string): Slot[] {
  return phrase.split(' ').map((slot): Slot => {
    if (slot === '#') return { kind: 'number' };
    if (slot === '*') return { kind: 'any' };
    if (slot === '..') return { kind: 'gap' };
    const optional = slot.length > 1 && slot.endsWith('?');
    return { kind: 'words', words: (optional ? slot.slice(0, -1) : slot).split('|'), optional };
  });
}

/**
 * Every phrase of every category in one trie over tokens, so one pass over a message finds
 * them all (a message costs a few map look-ups per token, whatever the size of the lexicons).
 */
export class PhraseTrie {
  private readonly root = newNode();

  add(phrase: string, entry: PhraseEntry): void {
    this.insert(this.root, parse(phrase), 0, entry);
  }

  private insert(node: TrieNode, slots: Slot[], index: number, entry: PhraseEntry): void {
    if (index === slots.length) {
      (node.ends ??= []).push(entry);
      return;
    }
    const slot = slots[index]!;
    switch (slot.kind) {
      case 'number':
        this.insert((node.num ??= newNode()), slots, index + 1, entry);
        return;
      case 'any':
        this.insert((node.any ??= newNode()), slots, index + 1, entry);
        return;
      case 'gap':
        this.insert((node.gap ??= newNode()), slots, index + 1, entry);
        return;
      case 'words': {
        for (const choice of slot.words) {
          // A choice of several tokens ("check_up") is a path of its own.
          let child = node;
          for (const word of choice.split('_')) {
            const next = (child.next ??= new Map<string, TrieNode>());
            let step = next.get(word);
            if (!step) next.set(word, (step = newNode()));
            child = step;
          }
          this.insert(child, slots, index + 1, entry);
        }
        if (slot.optional) this.insert(node, slots, index + 1, entry);
      }
    }
  }

  /** Whether some phrase starts with this token. */
  startsWith(token: string): boolean {
    return this.root.next?.has(token) ?? false;
  }

  /** Whether some phrase starts with these two tokens. */
  hasPair(first: string, second: string): boolean {
    return this.root.next?.get(first)?.next?.has(second) ?? false;
  }

  /** Every phrase found in the tokens, by position. */
  match(tokens: Token[]): PhraseMatch[] {
    const matches: PhraseMatch[] = [];
    for (let first = 0; first < tokens.length; first++) this.step(this.root, tokens, first, first, 0, matches);
    return matches;
  }

  private step(node: TrieNode, tokens: Token[], first: number, at: number, flags: number, matches: PhraseMatch[]): void {
    if (at >= tokens.length) return;
    const token = tokens[at]!;
    const next = node.next;
    if (next) {
      const forms = token.forms;
      for (let f = 0; f < forms.length; f++) {
        const child = next.get(forms[f]!);
        if (child) this.arrive(child, tokens, first, at, flags | token.flags | (token.formFlags[f] ?? 0), matches);
      }
    }
    if (node.num && token.kind === NUMBER) this.arrive(node.num, tokens, first, at, flags | token.flags, matches);
    if (node.any) this.arrive(node.any, tokens, first, at, flags | token.flags, matches);
    if (node.gap) {
      for (let skip = 0; skip <= MAX_GAP && at + skip < tokens.length; skip++) this.step(node.gap, tokens, first, at + skip, flags, matches);
    }
  }

  private arrive(node: TrieNode, tokens: Token[], first: number, at: number, flags: number, matches: PhraseMatch[]): void {
    if (node.ends) for (const entry of node.ends) matches.push({ entry, first, last: at, flags });
    if (node.next || node.num || node.any || node.gap) this.step(node, tokens, first, at + 1, flags, matches);
  }
}
