import { ConfigError, type ConfigIssue } from '../../lib/config/errors';
import { parseClusterConfig } from '../../lib/config/parse';

/** The issues a config raises; fails the test when the config is accepted. */
export function issuesOf(input: unknown): ConfigIssue[] {
  try {
    parseClusterConfig(input);
  } catch (e) {
    if (e instanceof ConfigError) return [...e.issues];
    throw e;
  }
  throw new Error(`config was accepted: ${JSON.stringify(input)}`);
}
