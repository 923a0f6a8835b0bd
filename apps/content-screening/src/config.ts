import { COMMON_VARIABLES, httpVariables, positiveInt, variable, type ConfigValues } from '@sms/config';
import { z } from 'zod';

export const SCREENING_CONFIG = {
  ...COMMON_VARIABLES,
  ...httpVariables(3002, 'the health endpoint'),
  SCREENING_ENCODER: variable(
    z.enum(['on', 'off']).default('on'),
    "The second stage's text encoder for texts the linear heads are unsure of; off: the linear heads alone decide (lower recall, for machines that cannot run it)",
  ),
  SCREENING_ENCODER_CONCURRENCY: variable(positiveInt(2), 'Texts the encoder scores at once, each on its own thread (about one per core the service may use)'),
  SCREENING_ENCODER_QUEUE: variable(positiveInt(512), 'Texts that may wait for the encoder; past this a text it should see is held for review instead (fails closed)'),
  SCREENING_ENCODER_CACHE: variable(positiveInt(4096), "Texts whose encoder answers are kept, by normalised text: a campaign's wording sent to thousands is read once"),
};

export type ScreeningConfig = ConfigValues<typeof SCREENING_CONFIG>;
