// CPU time of the processes that carry the pipeline, read from /proc (Linux). Throughput on a
// shared machine moves with its neighbours; the CPU a message costs each process does much
// less, so runs on different days can be compared by it.
import { readdirSync, readFileSync } from 'node:fs';

/** /proc counts CPU time in USER_HZ ticks, 100 a second on Linux whatever the kernel's HZ. */
const TICKS_PER_SECOND = 100;

export interface CpuSample {
  at: number;
  /** CPU seconds (user + system) by process: each named pid, then Postgres and Redis (all their processes, living and exited). */
  seconds: Record<string, number>;
  /** The machine's ticks since boot: busy (user, nice, system, irq, softirq), steal, all. */
  machine: { busy: number; steal: number; total: number };
}

export interface CpuWindow {
  seconds: number;
  messages: number;
  /** Per process: CPU seconds in the window, milliseconds per message, and cores used on average. */
  byProcess: { process: string; cpuSeconds: number; msPerMessage: number; cores: number }[];
  msPerMessage: number;
  machine: { busyPercent: number; stealPercent: number };
}

/** Fields after the command in /proc/<pid>/stat (the command may itself hold spaces and parentheses). */
function statFields(pid: string): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // exited meanwhile
  }
}

function commandOf(pid: string): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** utime and stime are the 14th and 15th fields of the stat line, the 12th and 13th after the command. */
const cpuSeconds = (fields: string[]): number => (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;

/** CPU seconds (user + system) one process has used, or undefined once it exited. */
export function processCpuSeconds(pid: number): number | undefined {
  const fields = statFields(String(pid));
  return fields ? cpuSeconds(fields) : undefined;
}

/** Samples the named processes (name → pid), and every `postgres` and `redis-server` process. */
export function sampleCpu(named: Record<string, number>): CpuSample {
  const seconds: Record<string, number> = {};
  for (const [name, pid] of Object.entries(named)) {
    const used = processCpuSeconds(pid);
    if (used !== undefined) seconds[name] = used;
  }
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const command = commandOf(pid);
    const group = command === 'postgres' ? 'postgres' : command === 'redis-server' ? 'redis' : undefined;
    if (!group) continue;
    const fields = statFields(pid);
    if (!fields) continue;
    // Connections come and go (pools close idle ones): a backend that exited counts in its
    // parent's cutime and cstime (the 16th and 17th fields), so the group is its processes
    // plus what the exited children of the one at its root used.
    const root = commandOf(fields[1]!) !== command;
    seconds[group] = (seconds[group] ?? 0) + cpuSeconds(fields) + (root ? (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND : 0);
  }
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu;
  return { at: Date.now(), seconds, machine: { busy: user + nice + system + irq + softirq, steal, total: user + nice + system + idle + iowait + irq + softirq + steal } };
}

/** What the window between two samples cost, per process and per message handled in it. */
export function cpuBetween(before: CpuSample, after: CpuSample, messages: number): CpuWindow {
  const windowSeconds = (after.at - before.at) / 1000;
  const used = new Map<string, number>();
  for (const [name, end] of Object.entries(after.seconds)) used.set(name, end - (before.seconds[name] ?? 0));
  const perMessage = (s: number) => (messages > 0 ? Number(((s * 1000) / messages).toFixed(2)) : NaN);
  const byProcess = [...used.entries()]
    .map(([process, s]) => ({ process, cpuSeconds: Number(s.toFixed(2)), msPerMessage: perMessage(s), cores: Number((s / windowSeconds).toFixed(2)) }))
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  const total = [...used.values()].reduce((a, b) => a + b, 0);
  const ticks = after.machine.total - before.machine.total;
  return {
    seconds: Number(windowSeconds.toFixed(1)),
    messages,
    byProcess,
    msPerMessage: perMessage(total),
    machine: {
      busyPercent: ticks > 0 ? Math.round((100 * (after.machine.busy - before.machine.busy)) / ticks) : NaN,
      stealPercent: ticks > 0 ? Math.round((100 * (after.machine.steal - before.machine.steal)) / ticks) : NaN,
    },
  };
}

/** Milliseconds of CPU per message in a window, summed over every process but those named in `apart`. */
export function msPerMessageWithout(window: CpuWindow, apart: readonly string[]): number {
  if (window.messages <= 0) return NaN;
  const seconds = window.byProcess.filter((p) => !apart.includes(p.process)).reduce((sum, p) => sum + p.cpuSeconds, 0);
  return Number(((seconds * 1000) / window.messages).toFixed(2));
}
