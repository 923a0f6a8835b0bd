import { Controller, Get, Header, Inject, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { AdminKeyGuard } from '@sms/tenancy';
import { register, Registry } from 'prom-client';
import { measure, SENDER_IN_CAMPAIGN_POOL, SENDER_NEW, SENDER_REGISTERED, type ClusterState } from '../rules/cluster-window.js';
import { RedisStore } from './redis-store.js';
import { SnowshoeMetrics } from './snowshoe-metrics.js';
import { RULE_DATA, type RuleData } from '../rules/rule-data.js';

/**
 * What operators see: the content clusters in the window with their measures and state, and
 * the detector's metrics. Cluster ids, tenant ids, sender numbers (the tenants' own) and
 * message ids only: no body or recipient is stored, so none can be shown. The clusters name
 * every tenant's numbers: they need the operator's key (MP.ISV is the platform's to enforce).
 */
@Controller()
export class ClustersController {
  constructor(
    @Inject(RedisStore) private readonly store: RedisStore,
    @Inject(RULE_DATA) private readonly rules: RuleData,
    @Inject(SnowshoeMetrics) private readonly metrics: SnowshoeMetrics,
  ) {}

  /** The most recently active clusters, newest first; `?state=stopped` for held or blocked ones only. */
  @Get('v1/clusters')
  @UseGuards(AdminKeyGuard)
  async list(@Query('limit') limit?: string, @Query('state') state?: string): Promise<{ clusters: ReturnType<ClustersController['view']>[] }> {
    const n = Math.min(Math.max(Number(limit ?? 50) || 50, 1), 1000);
    const clusters = await this.store.recentClusters(state === 'stopped' ? 1000 : n);
    const shown = state === 'stopped' ? clusters.filter((c) => c.stop !== null).slice(0, n) : clusters;
    return { clusters: shown.map((c) => this.view(c)) };
  }

  @Get('v1/clusters/:id')
  @UseGuards(AdminKeyGuard)
  async one(@Param('id') id: string): Promise<ReturnType<ClustersController['view']>> {
    const [state] = await this.store.clusterStates([id]);
    if (!state) throw new NotFoundException(`no cluster ${id} within the window`);
    return this.view(state);
  }

  /** The detector's metrics, with whatever the process registered globally (the pipeline's own). */
  @Get('metrics')
  @Header('content-type', register.contentType)
  async prometheus(): Promise<string> {
    this.metrics.activeClusters.set(await this.store.activeClusterCount());
    return Registry.merge([register, this.metrics.registry]).metrics();
  }

  private view(state: ClusterState) {
    const at = Math.max(Date.now(), state.last);
    return {
      id: state.id,
      state: state.stop?.decision ?? 'pass',
      stop: state.stop,
      firstAt: new Date(state.first).toISOString(),
      lastAt: new Date(state.last).toISOString(),
      windows: this.rules.snowshoe.windows.map((w) => measure(state, at, w, this.rules.snowshoe)),
      senders: state.senders.map((s) => ({
        sender: s.s,
        tenantId: s.t,
        messages: s.n,
        firstAt: new Date(s.f).toISOString(),
        lastAt: new Date(s.l).toISOString(),
        registered: (s.flags & SENDER_REGISTERED) !== 0,
        inCampaignPool: (s.flags & SENDER_IN_CAMPAIGN_POOL) !== 0,
        new: (s.flags & SENDER_NEW) !== 0,
      })),
      untrackedSenders: state.overflow,
      tenants: state.tenants.map((t) => t.t),
      sampleMessageIds: state.samples,
    };
  }
}
