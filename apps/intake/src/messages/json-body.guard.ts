import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ProblemException } from '@sms/nest-runtime';
import type { Request } from 'express';

/**
 * 415 for a body that is not JSON, as the OpenAPI says. A guard, because guards run before
 * the validation pipe: checked in the handler, an unparsed body first failed validation (400).
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!context.switchToHttp().getRequest<Request>().is('application/json')) {
      throw new ProblemException(415, 'unsupported-media-type', 'Unsupported media type', 'send the message as application/json');
    }
    return true;
  }
}
