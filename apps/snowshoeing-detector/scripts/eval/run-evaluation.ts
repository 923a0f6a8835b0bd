// npm run eval:snowshoe [-- --seed N --scale X]
// Generates a day of traffic (legitimate templated campaigns from registered pools, snowshoe
// campaigns with spintax and number rotation at several speeds), runs the detector over it
// and prints recall, messages sent before the hold and false holds. Figures, not assertions.
import { loadSnowshoeRules, loadTextNormalisation } from '../../src/rules/rule-data.js';
import { generateBlindTraffic } from './blind-traffic.js';
import { evaluate } from './evaluate.js';
import { generatePlatformTraffic } from './platform-traffic.js';
import { option } from '../options.js';
import { generateTraffic } from './traffic.js';

// --platform 1: the platform-scale workload of issue 16 (shared templates, 100,000+ messages).
// --blind 1: the blind platform workload, written apart from the rules (eval/blind-traffic.ts).
const platform = Number(option('platform', '0')) === 1;
const blind = Number(option('blind', '0')) === 1;
const seeds = Number(option('seeds', platform || blind ? '1' : '5'));
const scale = Number(option('scale', '1'));
const rules = loadSnowshoeRules();
const text = loadTextNormalisation();

console.log(`snowshoeing detector evaluation: rule data ${rules.version}, ${seeds} seeds, scale ${scale}\n`);
let totals = { legit: 0, falseStops: 0, campaigns: 0, detected: 0, spam: 0, spamPassed: 0, messages: 0, ms: 0 };
for (let seed = 1; seed <= seeds; seed++) {
  const traffic = blind ? generateBlindTraffic(seed, scale) : platform ? generatePlatformTraffic(seed, scale) : generateTraffic(seed, scale);
  const report = evaluate(traffic, rules, text);
  if (seed === 1) {
    console.log('| campaign | kind | how | messages | passed | held | blocked | sent before stop | clusters | stopped by |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of report.results) {
      console.log(`| ${r.name} | ${r.kind} | ${r.how} | ${r.messages} | ${r.passed} | ${r.held} | ${r.blocked} | ${r.sentBeforeStop ?? ''} | ${r.clusters} | ${r.rules.join(', ')} |`);
    }
    console.log('');
  }
  const stopped = report.snowshoeMessages - report.snowshoePassed;
  console.log(
    `seed ${seed}: precision ${((100 * stopped) / Math.max(1, stopped + report.falseStops)).toFixed(2)}%; recall after each campaign's first 25 ${((100 * report.stoppedAfterGrace) / Math.max(1, report.afterGrace)).toFixed(2)}% (${report.stoppedAfterGrace}/${report.afterGrace}); legitimate messages stopped ${report.falseStops}`,
  );
  console.log(
    `seed ${seed}: recall ${report.detected}/${report.snowshoeCampaigns} campaigns; snowshoe messages passed ${report.snowshoePassed}/${report.snowshoeMessages}; false holds/blocks ${report.falseStops}/${report.legitimateMessages}; ${traffic.stream.length} messages in ${report.millis.toFixed(0)} ms`,
  );
  totals = {
    legit: totals.legit + report.legitimateMessages,
    falseStops: totals.falseStops + report.falseStops,
    campaigns: totals.campaigns + report.snowshoeCampaigns,
    detected: totals.detected + report.detected,
    spam: totals.spam + report.snowshoeMessages,
    spamPassed: totals.spamPassed + report.snowshoePassed,
    messages: totals.messages + traffic.stream.length,
    ms: totals.ms + report.millis,
  };
}
console.log(
  `\nall seeds: campaign recall ${((100 * totals.detected) / totals.campaigns).toFixed(1)}% (${totals.detected}/${totals.campaigns}); ` +
    `snowshoe messages sent before their stop ${totals.spamPassed}/${totals.spam} (${((100 * totals.spamPassed) / totals.spam).toFixed(2)}%); ` +
    `false holds/blocks ${totals.falseStops}/${totals.legit} legitimate messages (${((100 * totals.falseStops) / totals.legit).toFixed(3)}%); ` +
    `${Math.round((totals.messages / totals.ms) * 1000)} messages/s`,
);
