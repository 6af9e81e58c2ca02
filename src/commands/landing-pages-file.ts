import { readFile } from 'node:fs/promises';
import type { LandingPage } from '../extract/discovery/landing-page.js';
import type { HttpClientOptions } from '../extract/fetch/http-client.js';
import type { PipelineDefinition } from '../pipeline-definition.js';
import { UsageError } from './errors.js';

/** HTTP settings a landing-pages file may change (the allowlist always comes from the pages). */
const HTTP_NUMBERS = [
  'connectTimeoutMs',
  'idleTimeoutMs',
  'retries',
  'backoffBaseMs',
  'backoffMaxMs',
  'minRequestIntervalMs',
  'maxResponseBytes',
] as const;

export interface LandingPagesOverride {
  pages: Record<string, LandingPage>;
  clientOptions: Partial<HttpClientOptions>;
}

/**
 * `refresh --online --landing-pages <file>`: each source's landing page moved elsewhere (a mirror,
 * a copy of the site, a test fixture site). The file is JSON:
 * `{"pages": {"<source>": {"url": "...", "allowedHosts": ["..."]}}, "http": {...}}`; a source it
 * leaves out keeps its own page; "http" may allow plain http and change timeouts and the rate.
 */
export async function readLandingPagesFile(
  path: string,
  pipelines: readonly PipelineDefinition[],
): Promise<LandingPagesOverride> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--landing-pages ${path}: ${(error as Error).message}`);
  }
  const fail = (rule: string): never => {
    throw new UsageError(`--landing-pages ${path}: ${rule}`);
  };
  if (typeof parsed !== 'object' || parsed === null) fail('expected a JSON object');
  const { pages: given = {}, http = {} } = parsed as { pages?: unknown; http?: unknown };
  if (typeof given !== 'object' || given === null) fail('"pages" must be an object by source');
  if (typeof http !== 'object' || http === null) fail('"http" must be an object');

  const pages: Record<string, LandingPage> = {};
  for (const pipeline of pipelines) {
    if (pipeline.discovery) pages[pipeline.source] = pipeline.discovery;
  }
  for (const [source, value] of Object.entries(given as Record<string, unknown>)) {
    const own = pages[source];
    if (!own) {
      fail(
        `"${source}" is not a source with a landing page (known: ${Object.keys(pages).join(', ')})`,
      );
    }
    const { url, allowedHosts } = (value ?? {}) as { url?: unknown; allowedHosts?: unknown };
    if (typeof url !== 'string' || !URL.canParse(url)) fail(`pages.${source}.url must be a URL`);
    if (!Array.isArray(allowedHosts) || !allowedHosts.every((h) => typeof h === 'string')) {
      fail(`pages.${source}.allowedHosts must be a list of host names`);
    }
    pages[source] = {
      ...(own as LandingPage),
      url: url as string,
      allowedHosts: allowedHosts as string[],
    };
  }

  const clientOptions: Partial<HttpClientOptions> = {};
  for (const [key, value] of Object.entries(http as Record<string, unknown>)) {
    if (key === 'allowInsecureHttp') {
      if (typeof value !== 'boolean') fail('http.allowInsecureHttp must be true or false');
      clientOptions.allowInsecureHttp = value as boolean;
    } else if ((HTTP_NUMBERS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        fail(`http.${key} must be a number of 0 or more`);
      }
      clientOptions[key as (typeof HTTP_NUMBERS)[number]] = value as number;
    } else {
      fail(`http.${key} is not a setting (allowInsecureHttp, ${HTTP_NUMBERS.join(', ')})`);
    }
  }
  return { pages, clientOptions };
}
