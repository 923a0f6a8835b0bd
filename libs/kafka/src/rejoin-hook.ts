import { createRequire } from 'node:module';

/** The part of kafkajs's consumer group (an internal class) this hook touches. */
interface KafkaConsumerGroup {
  groupId: string;
  memberId: string | null;
  joinAndSync: (this: KafkaConsumerGroup) => Promise<void>;
}

type BeforeRejoin = { memberId: () => string | null; run: () => Promise<void> };

const HOOKED = Symbol.for('sms-gateway.kafkajs-before-rejoin');
const hooks = new Map<string, Set<BeforeRejoin>>();

/**
 * kafkajs announces a rebalance with an event it does not wait for, then rejoins the group at
 * once: a commit started from the event races the rejoin, and lost (the new generation
 * refuses the old one's commit), hands the revoked partitions' handled records to their next
 * owner again. kafkajs 2.2.4, its last release, offers no hook that is awaited, so this wraps
 * its consumer group's `joinAndSync` (which every rejoin goes through): the member's own
 * `run` (committing what it handled) finishes before the member leaves its generation.
 * Returns what removes the hook.
 */
export function beforeRejoin(groupId: string, memberId: () => string | null, run: () => Promise<void>): () => void {
  installRejoinHook();
  const hook = { memberId, run };
  const set = hooks.get(groupId) ?? new Set<BeforeRejoin>();
  set.add(hook);
  hooks.set(groupId, set);
  return () => {
    set.delete(hook);
    if (set.size === 0) hooks.delete(groupId);
  };
}

function installRejoinHook(): void {
  const { prototype } = createRequire(import.meta.url)('kafkajs/src/consumer/consumerGroup.js') as { prototype: KafkaConsumerGroup & { [HOOKED]?: true } };
  if (prototype[HOOKED]) return;
  const joinAndSync = prototype.joinAndSync;
  if (typeof joinAndSync !== 'function') throw new Error('kafkajs changed: ConsumerGroup.joinAndSync is gone; review libs/kafka/src/rejoin-hook.ts');
  prototype.joinAndSync = async function (this: KafkaConsumerGroup) {
    // A member that never joined has nothing to commit.
    if (this.memberId) {
      for (const hook of hooks.get(this.groupId) ?? []) if (hook.memberId() === this.memberId) await hook.run();
    }
    return joinAndSync.call(this);
  };
  prototype[HOOKED] = true;
}
