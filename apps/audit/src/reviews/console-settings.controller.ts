import { Controller, Get, Inject } from '@nestjs/common';
import { AUDIT_CONFIG_TOKEN, type AuditConfig } from '../config.js';

/**
 * What the review console needs besides audit's own API: where consent's opt-out reviews are
 * (the console calls them from the browser; consent allows this console's origin). Public: it
 * names an address, no data.
 */
@Controller('console')
export class ConsoleSettingsController {
  constructor(@Inject(AUDIT_CONFIG_TOKEN) private readonly config: AuditConfig) {}

  @Get('settings')
  settings(): { consentUrl: string } {
    return { consentUrl: this.config.CONSOLE_CONSENT_URL.replace(/\/+$/, '') };
  }
}
