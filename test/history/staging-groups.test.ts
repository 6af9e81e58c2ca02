/**
 * A refresh stages, validates and loads a source's releases a group at a time (issue
 * "Performance": memory stays flat). The grouping must not show in the outputs: releases
 * staged one by one give the same tables, checks included, as all of them staged together.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { openOutDatabase, rowsJson, tableFingerprints } from '../helpers/duckdb.js';
import { makeTempDir, removeTempDirs } from '../helpers/raw.js';
import { refresh } from '../helpers/refresh.js';
import { sharedHistoryBuild } from './releases.js';

const pipelines = [pfsRvuPipeline];
let oneGroupOut: string;
let groupPerReleaseOut: string;

beforeAll(async () => {
  // Every release in one group (the default): the build history.test.ts reads too.
  const { rawDir, outDir } = await sharedHistoryBuild();
  oneGroupOut = outDir;
  groupPerReleaseOut = await makeTempDir('groups-each');
  // One byte: every release is a group of its own.
  await refresh({ rawDir, outDir: groupPerReleaseOut, pipelines, stagingGroupBytes: 1 });
}, 240_000);

afterAll(removeTempDirs);

it('gives the same tables and check outcomes whether releases are staged together or one by one', async () => {
  const a = await openOutDatabase(groupPerReleaseOut);
  const b = await openOutDatabase(oneGroupOut);
  try {
    expect(await tableFingerprints(a.connection)).toEqual(await tableFingerprints(b.connection));
    const checks = (c: typeof a.connection) =>
      rowsJson(c, 'SELECT source, check_name, failing_rows, detail FROM check_result ORDER BY ALL');
    const got = await checks(a.connection);
    expect(got).toEqual(await checks(b.connection));
    // The checks that read staged rows ran once per release and were added up.
    expect(got).toContainEqual({
      source: 'pfs-rvu',
      check_name: 'every staged row is loaded or rejected',
      failing_rows: '0',
      detail: null,
    });
  } finally {
    a.close();
    b.close();
  }
});
