import { FetchError } from './errors.js';

export interface HostPolicy {
  /**
   * Hosts the fetcher may contact: exact names ("www.cms.gov"), or "*.cms.gov" for any subdomain
   * of cms.gov (not cms.gov itself). A port may be given ("127.0.0.1:8080"); without one, any port.
   */
  allowedHosts: readonly string[];
  /** Plain http is refused unless this is set (tests against 127.0.0.1 set it). */
  allowInsecureHttp?: boolean;
}

/** Parses the URL and checks scheme and host against the policy; throws 'not-allowed'. */
export function checkUrlAllowed(url: string | URL, policy: HostPolicy): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FetchError('not-allowed', String(url), 'not an absolute URL');
  }
  const problem = urlPolicyProblem(parsed, policy);
  if (problem !== null) throw new FetchError('not-allowed', parsed.href, problem);
  return parsed;
}

/** Why the policy refuses the URL, or null when it may be fetched. */
export function urlPolicyProblem(url: URL, policy: HostPolicy): string | null {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowInsecureHttp)) {
    return `scheme ${url.protocol} is not allowed (https only${policy.allowInsecureHttp ? ' or http' : ''})`;
  }
  if (url.username || url.password) return 'URLs with credentials are not allowed';
  if (!policy.allowedHosts.some((entry) => hostMatches(entry, url))) {
    return `host ${url.host} is not on the allowlist (${policy.allowedHosts.join(', ') || 'empty'})`;
  }
  return null;
}

function hostMatches(entry: string, url: URL): boolean {
  const rule = entry.trim().toLowerCase();
  const portAt = rule.lastIndexOf(':');
  const hasPort = portAt > 0 && !rule.endsWith(']') && /^\d+$/.test(rule.slice(portAt + 1));
  const ruleHost = hasPort ? rule.slice(0, portAt) : rule;
  if (hasPort && rule.slice(portAt + 1) !== effectivePort(url)) return false;
  const host = url.hostname.toLowerCase();
  if (ruleHost.startsWith('*.')) {
    const suffix = ruleHost.slice(1);
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return host === ruleHost;
}

function effectivePort(url: URL): string {
  if (url.port) return url.port;
  return url.protocol === 'https:' ? '443' : '80';
}
