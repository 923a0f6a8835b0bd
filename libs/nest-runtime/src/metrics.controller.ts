import { Controller, Get, Res } from '@nestjs/common';
import { PipelineMetrics } from '@sms/nest-kafka';
import type { Response } from 'express';

/** GET /metrics: Prometheus exposition of the process's metrics. */
@Controller('metrics')
export class MetricsController {
  @Get()
  async metrics(@Res() response: Response): Promise<void> {
    const { contentType, body } = await PipelineMetrics.exposition();
    response.type(contentType).send(body);
  }
}
