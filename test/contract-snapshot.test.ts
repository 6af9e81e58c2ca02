import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONTRACT_VERSION,
  type Contract,
  type ContractSnapshot,
  contractSnapshot,
  unversionedBreakingChanges,
} from '../src/load/contract.js';
import { type FullRefresh, fullRefresh } from './helpers/full-refresh.js';

// The shared full refresh (test/global-setup.ts), once it has published.
let shared: FullRefresh;
beforeAll(async () => {
  shared = await fullRefresh();
});

/**
 * The contract as released: every dataset's key and its columns' types and nullability. A
 * change to the contract shows here as a change to this committed file; one that breaks a
 * reader (a key changed, a column removed, retyped or now nullable) fails unless
 * CONTRACT_VERSION (src/load/contract.ts) is raised. `UPDATE_CONTRACT_SNAPSHOT=1 make test
 * VITEST_ARGS=test/contract-snapshot.test.ts` writes it again, and refuses to when the version
 * was not raised over a breaking change.
 */
const SNAPSHOT = fileURLToPath(new URL('./contract-snapshot.json', import.meta.url));

let committed: ContractSnapshot;
let generated: ContractSnapshot;

beforeAll(async () => {
  const manifest = JSON.parse(
    await readFile(join(shared.outDir, 'manifest.json'), 'utf8'),
  ) as Contract;
  generated = contractSnapshot(manifest);
  committed = JSON.parse(await readFile(SNAPSHOT, 'utf8')) as ContractSnapshot;
});

describe('the contract against its committed snapshot (test/contract-snapshot.json)', () => {
  it('breaks nothing without a raised CONTRACT_VERSION', async () => {
    const changes = unversionedBreakingChanges(committed, generated);
    expect(
      changes,
      `breaking change(s) to contract version ${committed.contract_version}: raise CONTRACT_VERSION in src/load/contract.ts, then UPDATE_CONTRACT_SNAPSHOT=1`,
    ).toEqual([]);
    if (process.env.UPDATE_CONTRACT_SNAPSHOT === '1') {
      await writeFile(SNAPSHOT, `${JSON.stringify(generated, null, 2)}\n`);
      committed = generated;
    }
  });

  it('is the snapshot: an added dataset or column is written to it (UPDATE_CONTRACT_SNAPSHOT=1)', () => {
    expect(generated.contract_version).toBe(CONTRACT_VERSION);
    expect(generated).toEqual(committed);
  });
});

describe('the guard', () => {
  const pfs = (snapshot: ContractSnapshot) => {
    const dataset = snapshot.datasets.find((d) => d.name === 'pfs_rvu');
    if (!dataset) throw new Error('pfs_rvu is not in the snapshot');
    return dataset;
  };
  const changed = (change: (s: ContractSnapshot) => void): ContractSnapshot => {
    const next = structuredClone(committed);
    change(next);
    return next;
  };

  it('fails a changed key unless the version is raised', () => {
    const next = changed((s) => {
      pfs(s).key = ['release_id', 'hcpcs'];
    });
    expect(unversionedBreakingChanges(committed, next)).toEqual([
      'pfs_rvu: key changed from (release_id, hcpcs, modifier) to (release_id, hcpcs)',
    ]);
    next.contract_version = committed.contract_version + 1;
    expect(unversionedBreakingChanges(committed, next)).toEqual([]);
  });

  it('fails a column that may now be NULL unless the version is raised; NOT NULL added passes', () => {
    const next = changed((s) => {
      const hcpcs = pfs(s).columns.find((c) => c.name === 'hcpcs');
      if (hcpcs) hcpcs.nullable = true;
      const modifier = pfs(s).columns.find((c) => c.name === 'modifier');
      if (modifier) modifier.nullable = false;
    });
    expect(unversionedBreakingChanges(committed, next)).toEqual(['pfs_rvu.hcpcs may now be NULL']);
    next.contract_version = committed.contract_version + 1;
    expect(unversionedBreakingChanges(committed, next)).toEqual([]);
  });

  it('fails a column removed or retyped; a dataset or column added passes', () => {
    const next = changed((s) => {
      const rvu = pfs(s);
      rvu.columns = rvu.columns.filter((c) => c.name !== 'description');
      const work = rvu.columns.find((c) => c.name === 'work_rvu');
      if (work) work.type = 'DOUBLE';
      rvu.columns.push({ name: 'new_column', type: 'VARCHAR', nullable: true });
      s.datasets.push({ name: 'new_dataset', key: [], columns: [] });
    });
    expect(unversionedBreakingChanges(committed, next)).toEqual([
      'pfs_rvu.description was removed',
      'pfs_rvu.work_rvu changed type from DECIMAL(8,2) to DOUBLE',
    ]);
  });
});
