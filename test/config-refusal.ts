import { loadConfig } from '../src/config.ts';
import { AppError } from '../src/platform/errors.ts';

/** The AppError loadConfig refuses `env` with (fails the test if it accepts it). */
export function configRefusal(env: Record<string, string>): AppError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}
