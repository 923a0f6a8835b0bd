import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

/** An HTTP error with a problem type and, for validation, where the input is wrong. */
export class ProblemException extends HttpException {
  constructor(status: number, type: string, title: string, detail: string, errors?: { path: string; message: string }[]) {
    const body: ProblemDetails = { type: `urn:sms-gateway:problem:${type}`, title, status, detail, ...(errors ? { errors } : {}) };
    super(body, status);
  }
}

/** Errors raised by the body parser before any handler runs. */
interface BodyParserError {
  type: string;
  status?: number;
  statusCode?: number;
  message: string;
}

function isBodyParserError(error: unknown): error is BodyParserError {
  return typeof error === 'object' && error !== null && typeof (error as { type?: unknown }).type === 'string' && 'expose' in error;
}

const BODY_PARSER_PROBLEMS: Record<string, { status: number; type: string; title: string; detail: string }> = {
  'entity.too.large': { status: 413, type: 'payload-too-large', title: 'Request body too large', detail: 'the request body is larger than this endpoint accepts' },
  'entity.parse.failed': { status: 400, type: 'malformed-body', title: 'Malformed request body', detail: 'the request body is not valid JSON' },
  'encoding.unsupported': { status: 415, type: 'unsupported-encoding', title: 'Unsupported content encoding', detail: 'the request body uses an unsupported content encoding' },
  'charset.unsupported': { status: 415, type: 'unsupported-charset', title: 'Unsupported charset', detail: 'the request body must be UTF-8' },
  'parameters.too.many': { status: 413, type: 'payload-too-large', title: 'Too many parameters', detail: 'the request has too many form parameters' },
};

/**
 * Every error an HTTP caller sees is RFC 9457 problem details as JSON. Unexpected errors
 * are logged with their stack and answered with a 500 that reveals nothing internal.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const problem = this.toProblem(exception);
    if (problem.status >= 500) {
      this.logger.error({ message: 'request failed', error: (exception as Error)?.message }, (exception as Error)?.stack);
    }
    response.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): ProblemDetails {
    // Nest wraps the body parser's errors in an HttpException whose cause is the original.
    const parserError = exception instanceof HttpException ? exception.cause : exception;
    if (isBodyParserError(parserError)) {
      const known = BODY_PARSER_PROBLEMS[parserError.type];
      if (known) return { type: `urn:sms-gateway:problem:${known.type}`, title: known.title, status: known.status, detail: known.detail };
      const status = parserError.status ?? parserError.statusCode ?? 400;
      return { type: 'urn:sms-gateway:problem:bad-request', title: 'Bad request', status, detail: parserError.message };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'type' in body && 'title' in body) return body as ProblemDetails;
      const given = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      const message = typeof given === 'string' || Array.isArray(given) ? given : exception.message;
      return {
        type: `urn:sms-gateway:problem:${status === 404 ? 'not-found' : 'http-error'}`,
        title: HttpStatus[status]?.toString().toLowerCase().replace(/_/g, ' ') ?? 'error',
        status,
        detail: Array.isArray(message) ? message.map(String).join('; ') : message,
      };
    }
    return { type: 'urn:sms-gateway:problem:internal', title: 'Internal error', status: 500, detail: 'the server could not process the request' };
  }
}
