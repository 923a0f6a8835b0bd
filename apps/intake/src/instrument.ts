// Imported first by main.ts: tracing starts before anything else is loaded.
import { startTracing } from '@sms/tracing';

export const tracing = startTracing('intake');
