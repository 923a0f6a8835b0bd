// The review console: held messages (compliance reviewers approve or reject them, recorded
// with who and when; a tenant withdraws or edits and resubmits its own), unclear replies that
// may be opt-outs (compliance reviewers decide them; a tenant sees its own), the decisions
// dashboard, violation reports, consent proof, and for operators enforcement.
// Plain browser code against the audit API and, for unclear replies, consent's (its address
// from /console/settings); the keys stay in this tab's session storage.

interface ChartInstance {
  destroy(): void;
  data: { labels: unknown[]; datasets: { data: unknown[] }[] };
}
declare const Chart: new (canvas: HTMLCanvasElement, config: unknown) => ChartInstance;

interface Held {
  messageId: string;
  tenantId: string;
  stage: string;
  reason: string;
  clauses: string[];
  heldAt: string;
  body: string;
  to: string;
}

interface OptOutReview {
  id: string;
  tenantId: string;
  scope: string;
  body: string;
  evidence: string | null;
  confidence: number;
  receivedAt: string;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const text = (value: string | number | null | undefined): string => String(value ?? '');
const charts = new Map<string, ChartInstance>();
(window as unknown as { consoleCharts: Map<string, ChartInstance> }).consoleCharts = charts;

function keys(): { tenant: string; operator: string } {
  return { tenant: sessionStorage.getItem('tenantKey') ?? '', operator: sessionStorage.getItem('operatorKey') ?? '' };
}

async function api<T>(path: string, init: { method?: string; body?: unknown; operator?: boolean } = {}): Promise<T> {
  const { tenant, operator } = keys();
  const response = await fetch(path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { authorization: `Bearer ${init.operator ? operator : tenant}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { detail?: string; title?: string };
    throw new Error(problem.detail ?? problem.title ?? `HTTP ${response.status}`);
  }
  return (await response.json()) as T;
}

function cell(row: HTMLTableRowElement, content: string | Node, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  if (typeof content === 'string') td.textContent = content;
  else td.append(content);
  if (className) td.className = className;
  return td;
}

function clauseList(clauses: string[]): HTMLElement {
  const span = document.createElement('span');
  for (const c of clauses) {
    const chip = document.createElement('span');
    chip.className = 'clause';
    chip.textContent = c;
    span.append(chip);
  }
  return span;
}

/** Runs an action, says what came of it in the tab's status line, and shows the tab again. */
function action(statusId: string, reload: () => Promise<void>, work: () => Promise<string>): () => Promise<void> {
  return async () => {
    try {
      $(statusId).textContent = await work();
      await reload();
    } catch (error) {
      $(statusId).textContent = (error as Error).message;
    }
  };
}

/** The compliance reviewer deciding: every decision records who made it. */
function reviewer(): string {
  const name = $<HTMLInputElement>('reviewer').value.trim();
  if (!name) throw new Error('Enter your name first: every decision records who made it.');
  return name;
}

let consentSettings: Promise<{ consentUrl: string }> | null = null;
/** Where consent's API is, for the opt-out reviews. */
async function consentUrl(): Promise<string> {
  consentSettings ??= api<{ consentUrl: string }>('/console/settings');
  return (await consentSettings).consentUrl;
}

function button(label: string, className: string, onClick: () => Promise<void>): HTMLButtonElement {
  const b = document.createElement('button');
  b.textContent = label;
  b.className = className;
  b.addEventListener('click', () => void onClick());
  return b;
}

/** Empties the body of the table `tableId` and gives a new row of it for each item, in order; `emptyId` shows when there are none. */
function freshRows<T>(tableId: string, emptyId: string, items: T[]): [HTMLTableRowElement, T][] {
  const body = $<HTMLTableElement>(tableId).tBodies[0]!;
  body.replaceChildren();
  $(emptyId).hidden = items.length > 0;
  return items.map((item) => [body.insertRow(), item]);
}

/**
 * Held messages. The platform's compliance reviewers (operator key) see every tenant's and
 * approve or reject them by name; a tenant sees its own with their reasons and may withdraw
 * one or edit and resubmit it, never clear it: holds rest on policy.
 */
async function loadHeld(): Promise<void> {
  const compliance = keys().operator !== '';
  const { reviews } = await api<{ reviews: Held[] }>(compliance ? '/admin/v1/reviews?status=pending' : '/v1/reviews?status=pending', { operator: compliance });
  $('held-role').textContent = compliance
    ? "You decide as the platform's compliance reviewer: every decision records your name."
    : "Holds rest on policy and are decided by the platform's compliance reviewers. You may withdraw a held message, or edit it and resubmit it.";
  for (const [row, h] of freshRows('held-table', 'held-empty', reviews)) {
    row.dataset['messageId'] = h.messageId;
    cell(row, new Date(h.heldAt).toLocaleString());
    cell(row, compliance ? `${h.stage} (${h.tenantId})` : h.stage);
    cell(row, clauseList(h.clauses));
    cell(row, h.reason);
    cell(row, h.body, 'body');
    cell(row, h.to);
    const note = document.createElement(compliance ? 'input' : 'textarea');
    note.className = compliance ? 'note' : 'edit';
    if (compliance) (note as HTMLInputElement).placeholder = 'optional';
    else note.value = h.body;
    cell(row, note);
    const act = (work: () => Promise<string>) => action('held-status', loadHeld, work);
    if (compliance) {
      const decide = (decision: 'approve' | 'reject') =>
        act(async () => {
          const decidedBy = reviewer();
          await api(`/admin/v1/reviews/${h.messageId}/decision`, { operator: true, body: { decision, decidedBy, ...(note.value.trim() ? { note: note.value.trim() } : {}) } });
          return `${decision === 'approve' ? 'Approved' : 'Rejected'} ${h.messageId}.`;
        });
      const actions = cell(row, button('Approve', 'approve', decide('approve')));
      actions.append(' ', button('Reject', 'reject', decide('reject')));
    } else {
      const actions = cell(
        row,
        button(
          'Withdraw',
          'withdraw',
          act(async () => {
            await api(`/v1/messages/${h.messageId}`, { method: 'DELETE' });
            return `Withdrew ${h.messageId}.`;
          }),
        ),
      );
      actions.append(
        ' ',
        button(
          'Resubmit edited',
          'resubmit',
          act(async () => {
            const sent = await api<{ id: string }>(`/v1/reviews/${h.messageId}/resubmit`, { body: { body: note.value } });
            return `Withdrew ${h.messageId} and resubmitted it as ${sent.id}.`;
          }),
        ),
      );
    }
  }
}

/**
 * Unclear replies ("this is spam, too many texts"): marketing to the person is paused until a
 * compliance reviewer decides whether the reply was an opt-out, by name, on consent's API; the
 * decision blocks or releases the messages held behind it. A tenant sees its own, never the
 * buttons: a clinic never clears its own compliance holds.
 */
async function loadOptOuts(): Promise<void> {
  const compliance = keys().operator !== '';
  const base = await consentUrl();
  const { reviews } = await api<{ reviews: OptOutReview[] }>(`${base}${compliance ? '/admin' : ''}/v1/opt-out-reviews?status=pending`, { operator: compliance });
  $('opt-outs-role').textContent = compliance
    ? "Read each reply and decide, as the platform's compliance reviewer, whether it asked to stop: an opt-out is recorded and confirmed once, and blocks the messages held behind it; otherwise the pause ends and they go on."
    : "Marketing to these people is paused until the platform's compliance reviewers decide whether their reply was an opt-out. Messages held meanwhile show under Held messages.";
  for (const [row, r] of freshRows('opt-outs-table', 'opt-outs-empty', reviews)) {
    row.dataset['reviewId'] = r.id;
    cell(row, new Date(r.receivedAt).toLocaleString());
    cell(row, compliance ? `${r.scope} (${r.tenantId})` : r.scope);
    cell(row, r.body, 'body');
    cell(row, `${r.evidence ? `"${r.evidence}", ` : ''}confidence ${r.confidence.toFixed(2)}`);
    if (!compliance) continue;
    const note = document.createElement('input');
    note.className = 'note';
    note.placeholder = 'optional';
    cell(row, note);
    const decide = (decision: 'opted_out' | 'not_opt_out') =>
      action('opt-outs-status', loadOptOuts, async () => {
        const decidedBy = reviewer();
        await api(`${base}/admin/v1/opt-out-reviews/${r.id}/decision`, { operator: true, body: { decision, decidedBy, ...(note.value.trim() ? { note: note.value.trim() } : {}) } });
        return `${decision === 'opted_out' ? 'Recorded an opt-out' : 'Not an opt-out: the pause ended'} for the reply of ${new Date(r.receivedAt).toLocaleString()}.`;
      });
    const actions = cell(row, button('Opt-out', 'opted-out', decide('opted_out')));
    actions.append(' ', button('Not an opt-out', 'not-opt-out', decide('not_opt_out')));
  }
}

function draw(id: string, type: string, labels: string[], datasets: { label: string; data: number[] }[], stacked: boolean): void {
  charts.get(id)?.destroy();
  charts.set(
    id,
    new Chart($<HTMLCanvasElement>(id), {
      type,
      data: { labels, datasets },
      options: { animation: false, responsive: true, scales: { x: { stacked }, y: { stacked, beginAtZero: true } } },
    }),
  );
}

/** Sums rows into one series per `series` value, over the given labels. */
function pivot<R>(rows: R[], labels: string[], label: (r: R) => string, series: (r: R) => string, count: (r: R) => number) {
  const names = [...new Set(rows.map(series))].sort();
  return names.map((name) => ({
    label: name,
    data: labels.map((l) => rows.filter((r) => series(r) === name && label(r) === l).reduce((sum, r) => sum + count(r), 0)),
  }));
}

async function loadDashboard(): Promise<void> {
  const hours = $<HTMLSelectElement>('hours').value;
  const operator = keys().operator !== '';
  type Dashboard = {
    byStage: { hour: string; stage: string; decision: string; count: number }[];
    byClause: { hour: string; clause: string; count: number }[];
    byTenant: { tenantId: string; decision: string; count: number }[];
  };
  const data = await api<Dashboard>(operator ? `/admin/v1/enforcement/dashboard?hours=${hours}` : `/v1/dashboard?hours=${hours}`, { operator });
  const hoursSeen = [...new Set(data.byStage.map((r) => r.hour))].sort();
  const hourLabels = hoursSeen.map((h) => new Date(h).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit' }));
  draw(
    'by-decision',
    'bar',
    hourLabels,
    pivot(
      data.byStage,
      hoursSeen,
      (r) => r.hour,
      (r) => r.decision,
      (r) => r.count,
    ),
    true,
  );
  const clauses = [...new Set(data.byClause.map((r) => r.clause))].sort();
  draw('by-clause', 'bar', clauses, [{ label: 'decisions citing the clause', data: clauses.map((c) => data.byClause.filter((r) => r.clause === c).reduce((s, r) => s + r.count, 0)) }], false);
  const stages = [...new Set(data.byStage.map((r) => r.stage))].sort();
  draw(
    'by-stage',
    'bar',
    stages,
    pivot(
      data.byStage,
      stages,
      (r) => r.stage,
      (r) => r.decision,
      (r) => r.count,
    ),
    true,
  );
  $('by-tenant-figure').hidden = !operator;
  if (operator) {
    const tenants = [...new Set(data.byTenant.map((r) => r.tenantId))].sort();
    draw(
      'by-tenant',
      'bar',
      tenants,
      pivot(
        data.byTenant,
        tenants,
        (r) => r.tenantId,
        (r) => r.decision,
        (r) => r.count,
      ),
      true,
    );
  }
}

async function loadViolations(event?: Event): Promise<void> {
  event?.preventDefault();
  const from = $<HTMLInputElement>('from').value ? new Date($<HTMLInputElement>('from').value) : new Date(Date.now() - 7 * 86_400_000);
  const to = $<HTMLInputElement>('to').value ? new Date($<HTMLInputElement>('to').value) : new Date(Date.now() + 60_000);
  type Report = {
    total: number;
    byClause: { clause: string; decision: string; count: number }[];
    messages: { messageId: string; at: string; stage: string; decision: string; clauses: string[]; reason: string }[];
  };
  const report = await api<Report>(`/v1/reports/violations?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`);
  const out = $('violations-result');
  out.replaceChildren();
  const summary = document.createElement('p');
  summary.textContent = `${report.total} blocked or held messages: ${report.byClause.map((c) => `${c.clause} ${c.decision} ${c.count}`).join(', ') || 'none'}`;
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const h of ['At', 'Stage', 'Decision', 'Clauses', 'Why', 'Message id']) cell(head, h);
  const body = table.createTBody();
  for (const m of report.messages) {
    const row = body.insertRow();
    cell(row, new Date(m.at).toLocaleString());
    cell(row, m.stage);
    cell(row, m.decision);
    cell(row, clauseList(m.clauses));
    cell(row, m.reason);
    cell(row, m.messageId);
  }
  out.append(summary, table);
}

async function openProof(format: 'html' | 'json'): Promise<void> {
  const to = $<HTMLInputElement>('proof-to').value.trim();
  try {
    const response = await fetch(`/v1/consent-proof?to=${encodeURIComponent(to)}&format=${format}`, { headers: { authorization: `Bearer ${keys().tenant}` } });
    if (!response.ok) throw new Error(((await response.json()) as { detail?: string }).detail ?? `HTTP ${response.status}`);
    const url = URL.createObjectURL(await response.blob());
    if (format === 'html') window.open(url, '_blank');
    else Object.assign(document.createElement('a'), { href: url, download: `consent-proof-${to}.json` }).click();
    $('proof-status').textContent = 'Ready.';
  } catch (error) {
    $('proof-status').textContent = (error as Error).message;
  }
}

async function loadEnforcement(): Promise<void> {
  type Overview = {
    suspensions: { tenantId: string; campaign?: string; reason: string; decidedBy: string; at: string }[];
    tenants: { tenantId: string; status: string; violations: { campaign: string; all: number; serious: number }[] }[];
  };
  const overview = await api<Overview>('/admin/v1/enforcement', { operator: true });
  for (const [row, s] of freshRows('suspensions', 'suspensions-empty', overview.suspensions)) {
    cell(row, s.tenantId);
    cell(row, s.campaign ?? '(whole tenant)');
    cell(row, s.reason);
    cell(row, s.decidedBy);
    cell(row, new Date(s.at).toLocaleString());
    const reason = document.createElement('input');
    reason.className = 'lift-reason';
    cell(row, reason);
    cell(
      row,
      button('Lift', 'lift', async () => {
        const liftedBy = $<HTMLInputElement>('operator').value.trim();
        if (!liftedBy || !reason.value.trim()) {
          $('enforcement-status').textContent = 'Enter your name and why the suspension is lifted.';
          return;
        }
        try {
          await api('/admin/v1/enforcement/lift', { operator: true, body: { tenantId: s.tenantId, ...(s.campaign ? { campaign: s.campaign } : {}), liftedBy, reason: reason.value.trim() } });
          $('enforcement-status').textContent = `Lifted the suspension of ${s.tenantId} ${s.campaign ?? ''}.`;
          await loadEnforcement();
        } catch (error) {
          $('enforcement-status').textContent = (error as Error).message;
        }
      }),
    );
  }
  const counts = $<HTMLTableElement>('violation-counts').tBodies[0]!;
  counts.replaceChildren();
  for (const t of overview.tenants) {
    for (const c of t.violations.length > 0 ? t.violations : [{ campaign: '—', all: 0, serious: 0 }]) {
      const row = counts.insertRow();
      cell(row, t.tenantId);
      cell(row, t.status);
      cell(row, c.campaign);
      cell(row, text(c.all));
      cell(row, text(c.serious));
    }
  }
}

const loaders: Record<string, () => Promise<void>> = {
  held: loadHeld,
  'opt-outs': loadOptOuts,
  dashboard: loadDashboard,
  violations: loadViolations,
  proof: async () => undefined,
  enforcement: loadEnforcement,
};

async function show(tab: string): Promise<void> {
  for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) b.classList.toggle('active', b.dataset['tab'] === tab);
  for (const s of document.querySelectorAll<HTMLElement>('section.tab')) s.hidden = s.id !== tab;
  try {
    await loaders[tab]!();
  } catch (error) {
    const status = document.querySelector<HTMLElement>(`#${tab} [role=status]`);
    if (status) status.textContent = (error as Error).message;
  }
}

async function signIn(event?: Event): Promise<void> {
  event?.preventDefault();
  if (event) {
    sessionStorage.setItem('tenantKey', $<HTMLInputElement>('tenant-key').value.trim());
    sessionStorage.setItem('operatorKey', $<HTMLInputElement>('operator-key').value.trim());
  }
  const { tenant, operator } = keys();
  if (!tenant && !operator) return;
  try {
    if (tenant) await api('/v1/reviews?status=pending');
    if (operator) await api('/admin/v1/enforcement', { operator: true });
  } catch (error) {
    $('login-error').textContent = (error as Error).message;
    return;
  }
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  $('enforcement-tab').hidden = !operator;
  $('reviewer-field').hidden = !operator;
  $('who').textContent = operator ? (tenant ? 'tenant + compliance' : 'compliance') : 'tenant';
  await show('held');
}

for (const b of document.querySelectorAll<HTMLButtonElement>('nav button')) b.addEventListener('click', () => void show(b.dataset['tab']!));
$('login').addEventListener('submit', (e) => void signIn(e));
$('logout').addEventListener('click', () => {
  sessionStorage.clear();
  location.reload();
});
$('hours').addEventListener('change', () => void loadDashboard());
$('violations-form').addEventListener('submit', (e) => void loadViolations(e));
$('proof-form').addEventListener('submit', (e) => {
  e.preventDefault();
  void openProof('html');
});
$('proof-json').addEventListener('click', () => void openProof('json'));
void signIn();
