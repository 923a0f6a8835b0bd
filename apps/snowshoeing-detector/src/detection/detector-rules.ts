import { TextRules } from '../rules/fingerprint.js';
import { sharedByDesign, type SharedByDesign } from '../rules/markers.js';
import { loadSnowshoeRules, loadTextNormalisation, type SnowshoeRules } from '../rules/rule-data.js';

/** The rule data, loaded and validated once at start-up. */
export class DetectorRules {
  readonly data: SnowshoeRules = loadSnowshoeRules();
  readonly text = new TextRules(loadTextNormalisation());
  readonly longestWindowMs = Math.max(...this.data.windows.map((w) => w.ms));
  /** Link domains and numbers many tenants use by design (the platform's templates too): never an actor marker. */
  readonly shared: SharedByDesign = sharedByDesign(this.data.markers);
}
