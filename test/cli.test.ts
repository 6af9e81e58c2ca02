import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fse, fseWith } from './helpers/cli.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';
import { REPO_RAW_DIR } from './helpers/raw.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

describe('fse CLI', () => {
  // The shared refresh of raw/ (test/global-setup.ts), run by this CLI: no refresh of its own.
  const out = () => shared.outDir;

  it('refresh says what it loaded from each release', () => {
    expect(shared.stdout).toContain('pfs-rvu RVU25D (effective 2025-10-01): 19090 rows loaded');
  });

  it('lookup 38211 --json gives the decoded card of the CMS file', async () => {
    const result = await fse('lookup', '38211', '--json', '--out', out());
    expect(result.code).toBe(0);
    const cards = JSON.parse(result.stdout);
    expect(cards).toHaveLength(1);
    const [card] = cards;
    expect(card.hcpcs).toBe('38211');
    expect(card.modifier).toBeNull();
    expect(card.as_of).toBe('2025-10-01');
    expect(card.indicators.status_code.release).toBe('RVU25D');
    const codes = Object.fromEntries(
      Object.entries(card.indicators as Record<string, { code: string | null }>).map(([k, v]) => [
        k,
        v.code,
      ]),
    );
    expect(codes).toMatchObject({
      status_code: 'I',
      pctc_indicator: '9',
      global_days: 'XXX',
      multiple_procedure: '9',
      bilateral_surgery: '9',
      assistant_surgery: '9',
      co_surgeons: '9',
      team_surgery: '9',
      physician_supervision: '09',
      diagnostic_imaging_family: '99',
    });
    expect(card.indicators.status_code.label).toBe('Not valid for Medicare purposes');
    expect(card.indicators.pctc_indicator.label).toBe('Not Applicable');
    expect(card.rvu.work_rvu).toBe('1.42');
    expect(card.pfs_row).toEqual({ file: 'pfs-rvu/RVU25D/PPRRVU2025_Oct.csv', line: 4562 });
    expect(card.copyright).toContain('American Medical Association');
  });

  it('lookup with --modifier returns only that component', async () => {
    const result = await fse('lookup', '71046', '--modifier', 'tc', '--json', '--out', out());
    const cards = JSON.parse(result.stdout);
    expect(cards.map((c: { modifier: string }) => c.modifier)).toEqual(['TC']);
    expect(cards[0].indicators.pctc_indicator.code).toBe('1');
  });

  it('lookup prints the AMA notice with a text card', async () => {
    const result = await fse('lookup', '38211', '--out', out());
    expect(result.stdout).toMatch(/Status Code\s+I\s+Not valid for Medicare purposes/);
    expect(result.stdout).toContain('copyright American Medical Association');
  });

  it('lookup of an unknown code exits 1', async () => {
    const result = await fse('lookup', 'ZZZZZ', '--out', out());
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('no loaded source lists this code');
  });

  it('an unknown command is a usage error (exit 2)', async () => {
    const result = await fse('frobnicate');
    expect(result.code).toBe(2);
  });

  it('a refresh that needs more memory than FSE_MEMORY_LIMIT is an environment error (exit 4), not bad input', async () => {
    // 60MB: DuckDB runs out reading RVU25D's PPRRVU file, which the reader used to report as an
    // unreadable file (exit 1, the file blamed).
    const dir = await mkdtemp(join(tmpdir(), 'fse-oom-'));
    try {
      const result = await fseWith(
        { env: { FSE_MEMORY_LIMIT: '60MB' } },
        'refresh',
        '--raw',
        REPO_RAW_DIR,
        '--out',
        join(dir, 'out'),
        '--quiet',
      );
      expect(result.code).toBe(4);
      expect(result.stderr).toContain(
        'DuckDB needed more memory than FSE_MEMORY_LIMIT=60MB gives it; set FSE_MEMORY_LIMIT higher',
      );
      expect(result.stderr).not.toContain('unreadable file');
      const [line] = (await readFile(join(dir, 'out', 'runs.jsonl'), 'utf8')).trim().split('\n');
      expect(JSON.parse(line ?? '{}')).toMatchObject({
        outcome: 'environment-error',
        exit_code: 4,
      });
      expect(existsSync(join(dir, 'out', 'fee_schedule.duckdb'))).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
