import { Inject, type OnApplicationShutdown, type OnModuleInit, type Type } from '@nestjs/common';

/**
 * A provider that starts a Kafka client of the module (the shared publisher, the tenant
 * directory's reader) when the module initialises, so that start-up waits for it, and stops it
 * at shutdown, which Nest runs after the consumers stopped.
 */
export function startedWithModule<T>(token: Type<T>, hooks: { start: (client: T) => Promise<void>; stop: (client: T) => Promise<void> }): Type<OnModuleInit & OnApplicationShutdown> {
  class Lifecycle implements OnModuleInit, OnApplicationShutdown {
    constructor(@Inject(token) private readonly client: T) {}

    async onModuleInit(): Promise<void> {
      await hooks.start(this.client);
    }

    async onApplicationShutdown(): Promise<void> {
      await hooks.stop(this.client);
    }
  }
  Object.defineProperty(Lifecycle, 'name', { value: `${token.name}Lifecycle` });
  return Lifecycle;
}
