import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionContext } from '@nestjs/common';
import { ProblemException } from '@sms/nest-runtime';
import express from 'express';
import { JsonBodyGuard } from './json-body.guard.js';

/** An Express request with these headers and a body of two bytes, as the guard sees it. */
function contextWith(headers: Record<string, string>): ExecutionContext {
  const request = Object.assign(Object.create(express.request) as object, { headers: { 'content-length': '2', ...headers } });
  return { switchToHttp: () => ({ getRequest: () => request }) } as unknown as ExecutionContext;
}

describe('JsonBodyGuard', () => {
  const guard = new JsonBodyGuard();

  it('lets JSON through, with or without a charset', () => {
    assert.equal(guard.canActivate(contextWith({ 'content-type': 'application/json' })), true);
    assert.equal(guard.canActivate(contextWith({ 'content-type': 'application/json; charset=utf-8' })), true);
  });

  it('answers 415 with a problem body for form posts, text and a missing type', () => {
    for (const type of ['application/x-www-form-urlencoded', 'text/plain', undefined]) {
      const context = contextWith(type ? { 'content-type': type } : {});
      assert.throws(
        () => guard.canActivate(context),
        (error: unknown) => error instanceof ProblemException && error.getStatus() === 415 && JSON.stringify(error.getResponse()).includes('application/json'),
        String(type),
      );
    }
  });
});
