// The pid files of the Java processes the stack starts in the background (Kafka, Zipkin).
import { existsSync, readFileSync } from 'node:fs';

/** The pid written in `file` when that process still runs, else null. */
export function runningPid(file) {
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}
