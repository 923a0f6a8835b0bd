/**
 * The clock quiet hours and daily caps are read on. In production it is the real clock. A
 * test stack may start it at a chosen instant (DISPATCHER_POLICY_CLOCK_START) so that the
 * local hour of its recipients does not depend on when the tests run; it then runs at real
 * speed, and every deadline it yields is turned back into real time before it is stored.
 */
export class PolicyClock {
  readonly offsetMs: number;

  constructor(start?: string, realNow: number = Date.now()) {
    this.offsetMs = start !== undefined ? Date.parse(start) - realNow : 0;
  }

  toPolicyMs(realMs: number): number {
    return realMs + this.offsetMs;
  }

  toRealMs(policyMs: number): number {
    return policyMs - this.offsetMs;
  }
}
