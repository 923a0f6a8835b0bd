import { TextRules } from '../rules/fingerprint.js';
import { loadSnowshoeRules, loadTextNormalisation, type SnowshoeRules } from '../rules/rule-data.js';

/** The rule data, loaded and validated once at start-up. */
export class DetectorRules {
  readonly data: SnowshoeRules = loadSnowshoeRules();
  readonly text = new TextRules(loadTextNormalisation());
  readonly longestWindowMs = Math.max(...this.data.windows.map((w) => w.ms));
  /** Link domains many tenants use by design: never an actor marker. */
  readonly sharedDomains: ReadonlySet<string> = new Set(this.data.markers.sharedDomains);
}
