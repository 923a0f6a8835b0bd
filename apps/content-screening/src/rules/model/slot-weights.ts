// A weight's index and its slot's count share one uint32 (`locate`).
const MAX_WEIGHTS = 2 ** 27;

// Reused between calls: where the slots of one message are.
let located = new Uint32Array(2048);

/**
 * The linear heads' non-zero weights by hash slot, in under a megabyte. The dense table (2^18
 * slots x 11 heads of float32, 11.5 MB) has four slots in five empty, and scoring a message
 * reads a few hundred random slots of it: a cache miss each, which cost more than everything
 * else the screening does. This layout keeps the same numbers in a fraction of the memory.
 *
 * Slots are taken in blocks of 8. Per block, two words of `blocks`: eight 4-bit counts (how many
 * heads have a weight in each slot of the block), then the index in `entries` of the block's
 * first weight. Per weight, one int32 of `entries`: its quantised value shifted left by 4, or'ed
 * with its head. A weight reads back as exactly the float32 a dense table would hold,
 * `Math.fround(value * scale of its head)`.
 */
export class SlotWeights {
  private constructor(
    private readonly blocks: Uint32Array,
    private readonly entries: Int32Array,
    private readonly scales: Float64Array,
  ) {}

  /** At most this many heads: a slot's count of weights has 4 bits, and so has an entry's head. */
  static readonly MAX_HEADS = 15;

  /**
   * From the weights in slot-major order (index = slot * heads + head, strictly increasing), each
   * an int16 that `scales[head]` multiplies.
   */
  static build(slots: number, scales: readonly number[], weights: Iterable<{ index: number; value: number }>): SlotWeights {
    const heads = scales.length;
    if (heads > SlotWeights.MAX_HEADS) throw new Error(`at most ${SlotWeights.MAX_HEADS} heads, not ${heads}`);
    const blocks = new Uint32Array(Math.ceil(slots / 8) * 2);
    const entries: number[] = [];
    let block = -1;
    let previous = -1;
    for (const { index, value } of weights) {
      if (index <= previous) throw new Error(`weight index ${index} does not follow ${previous}`);
      previous = index;
      const slot = Math.floor(index / heads);
      if (slot >= slots) throw new Error(`weight index ${index} is outside the model`);
      // Every block up to this slot's starts where the weights read so far end.
      while (block < slot >>> 3) blocks[++block * 2 + 1] = entries.length;
      blocks[block * 2]! += 1 << ((slot & 7) * 4);
      entries.push((value << 4) | (index % heads));
    }
    while (++block < blocks.length / 2) blocks[block * 2 + 1] = entries.length;
    if (entries.length > MAX_WEIGHTS) throw new Error(`at most ${MAX_WEIGHTS} non-zero weights, not ${entries.length}`);
    return new SlotWeights(blocks, Int32Array.from(entries), Float64Array.from(scales));
  }

  /** Where a slot's weights are in `entries` (high bits) and how many it has (low 4 bits). */
  private locate(slot: number): number {
    const at = (slot >>> 3) * 2;
    const counts = this.blocks[at]!;
    const shift = (slot & 7) * 4;
    // The counts of the slots before this one in its block, summed: nibbles to bytes, bytes to one.
    let before = shift === 0 ? 0 : counts & ((1 << shift) - 1);
    before = (before & 0x0f0f0f0f) + ((before >>> 4) & 0x0f0f0f0f);
    return ((this.blocks[at + 1]! + (Math.imul(before, 0x01010101) >>> 24)) << 4) | ((counts >>> shift) & 15);
  }

  /**
   * Adds every head's weight in `slots[0..count)` to `sums[head]`. All slots are located first:
   * those look-ups do not wait on one another, so their cache misses overlap.
   */
  addAll(slots: Uint32Array, count: number, sums: Float64Array): void {
    if (located.length < count) located = new Uint32Array(count * 2);
    for (let i = 0; i < count; i++) located[i] = this.locate(slots[i]!);
    for (let i = 0; i < count; i++) {
      const from = located[i]! >>> 4;
      const to = from + (located[i]! & 15);
      for (let e = from; e < to; e++) {
        const entry = this.entries[e]!;
        const head = entry & 15;
        sums[head]! += Math.fround((entry >> 4) * this.scales[head]!);
      }
    }
  }

  /** One head's weight in one slot (0 when it has none). */
  weight(slot: number, head: number): number {
    const where = this.locate(slot);
    const from = where >>> 4;
    for (let i = from; i < from + (where & 15); i++) {
      const entry = this.entries[i]!;
      if ((entry & 15) === head) return Math.fround((entry >> 4) * this.scales[head]!);
    }
    return 0;
  }

  /** Bytes the weights take. */
  get bytes(): number {
    return this.blocks.byteLength + this.entries.byteLength;
  }
}
