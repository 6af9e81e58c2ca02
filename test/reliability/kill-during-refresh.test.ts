/**
 * kill -9 of a refresh at random points (issue "Reliability"). Each trial starts from an out
 * dir holding a published good run, spawns a refresh (a small node script importing
 * dist/src/run/refresh.js: 500 PFS rows, the PFS pipeline only), kills it with SIGKILL after a seeded
 * random delay between 0 and the measured duration of an uninterrupted run, then checks:
 *   - what out/fee_schedule.duckdb and out/parquet resolve to is byte-identical to before, or is
 *     a complete new run (both acceptable; the trial says which), never a mix;
 *   - the database opens and SELECT count(*) FROM pfs_rvu answers;
 *   - the next refresh succeeds, taking over the stale lock and removing the unfinished run
 *     (a no-op refresh, as the inputs did not change, except the last random trial of each lane,
 *     which forces a rebuild and publishes).
 * Two lanes add a trial killed the moment out/.current switches (random delays rarely hit the
 * milliseconds of publishing). Trials run in LANES out dirs at once; the afterAll line says
 * where the kills landed. KILL_SEED=<n> replays other kill points.
 * Then: a reader holding the old database open in another process while refreshes publish, and
 * the temp files a kill can leave outside .runs/.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, watch } from 'node:fs';
import { readdir, readFile, readlink, realpath, stat, symlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pfsRvuPipeline } from '../../pipelines/pfs-rvu/pipeline.js';
import { DATABASE_FILE_NAME, PARQUET_DIR_NAME, PROJECT_ROOT } from '../../src/paths.js';
import { PUBLISHED_ENTRIES } from '../../src/run/publish.js';
import { RUN_LOG_NAME } from '../../src/run/run-log.js';
import { openOutDatabase, scalar } from '../helpers/duckdb.js';
import { seededRandom } from '../helpers/random.js';
import { hashTree, makeTempDir, removeTempDirs, smallPfsRaw } from '../helpers/raw.js';
import { refresh } from '../helpers/refresh.js';

const ROWS = 500;
const LANES = 4;
const TRIALS_PER_LANE = 5;
/** Lanes that add one trial killed the moment out/.current switches. */
const PUBLISH_TRIALS = 2;
const SEED = Number(process.env.KILL_SEED ?? 20251127);
/**
 * The file takes ~40 s on a 2-core machine also running other suites; these limits only catch a
 * hang, with room for a machine several times busier.
 */
const LANE_TIMEOUT_MS = 480_000;
const READER_TIMEOUT_MS = 180_000;
const LOCK_FILE = '.refresh.lock';

/** A refresh in a child process: the library path, PFS only; each log line as JSON on stdout. */
const REFRESH_SCRIPT = `
import { refresh } from './dist/src/run/refresh.js';
import { CATALOG } from './dist/pipelines/index.js';
import { pfsRvuPipeline } from './dist/pipelines/pfs-rvu/pipeline.js';
const [rawDir, outDir] = process.argv.slice(1);
// force: the inputs are those of the published run, which would make the refresh a no-op.
await refresh({ rawDir, outDir, catalog: { ...CATALOG, pipelines: [pfsRvuPipeline] }, force: true,
  log: (line) => process.stdout.write(JSON.stringify(line) + '\\n') });
`;

/** Opens a database read-only and counts pfs_rvu in a loop until stdin closes. */
const READER_SCRIPT = `
import { DuckDBInstance } from '@duckdb/node-api';
const instance = await DuckDBInstance.create(process.argv[1], {
  access_mode: 'READ_ONLY', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const connection = await instance.connect();
let open = true;
process.stdin.on('end', () => { open = false; });
process.stdin.resume();
while (open) {
  try {
    const reader = await connection.runAndReadAll('SELECT count(*) FROM pfs_rvu');
    process.stdout.write(JSON.stringify({ at: Date.now(), count: Number(reader.getRows()[0][0]) }) + '\\n');
  } catch (error) {
    process.stdout.write(JSON.stringify({ at: Date.now(), error: String(error) }) + '\\n');
  }
  await new Promise((resolve) => setTimeout(resolve, 5));
}
connection.closeSync();
instance.closeSync();
`;

/** Seeded, so that a failing trial can be replayed. */
const random = seededRandom;

/** A raw dir with the PPRRVU CSV cut to its header and the first `rows` data lines. */
function smallRaw(rows: number): Promise<string> {
  return smallPfsRaw(rows, 'kill-raw');
}

interface Child {
  process: ChildProcess;
  /** Log lines received so far. */
  lines: string[];
  stderr: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnNode(script: string, args: string[]): Child {
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const stderr: string[] = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    buffered += text;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr?.setEncoding('utf8').on('data', (text: string) => stderr.push(text));
  // 'exit' comes after the child is reaped: its pid is then free and fails kill(pid, 0).
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, lines, stderr, exited };
}

function spawnRefresh(rawDir: string, outDir: string): Child {
  return spawnNode(REFRESH_SCRIPT, [rawDir, outDir]);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * What readers get: the run folder the published paths (out/fee_schedule.duckdb, out/parquet
 * and any other published entry) resolve to, and the bytes of each.
 */
interface Published {
  runDir: string;
  entries: Record<string, string | Record<string, string>>;
}

async function published(outDir: string): Promise<Published> {
  const entries: Published['entries'] = {};
  const runDirs = new Set<string>();
  for (const entry of PUBLISHED_ENTRIES) {
    const path = await realpath(join(outDir, entry));
    runDirs.add(dirname(path));
    entries[entry] = (await stat(path)).isDirectory()
      ? await hashTree(path)
      : sha256(await readFile(path));
  }
  // All through out/.current: the outputs of one run, never a mix.
  expect([...runDirs]).toHaveLength(1);
  return { runDir: [...runDirs][0] as string, entries };
}

const PHASES = [
  'startup',
  'extract',
  'transform',
  'load',
  'publish',
  'after publish',
  'finished',
] as const;
type Phase = (typeof PHASES)[number];

/**
 * Where the kill landed, from the log lines the child wrote and the build folder it left:
 * startup (node, imports, lock, cleanup: no build folder yet), extract (build folder made: core
 * tables, code tables, reading the CSV), transform (the CSV read: validation, models, checks),
 * load (Parquet export begun in the build folder), publish (out/.current switched, "published"
 * not yet logged), after publish, or finished before the kill.
 */
function phaseOf(
  child: Child,
  state: { finished: boolean; switched: boolean; build: 'none' | 'database' | 'parquet' },
): Phase {
  if (state.finished) return 'finished';
  if (state.switched) {
    return child.lines.some((l) => l.includes('published ')) ? 'after publish' : 'publish';
  }
  if (state.build === 'parquet') return 'load';
  if (child.lines.some((l) => l.includes('rows read'))) return 'transform';
  if (state.build === 'database' || child.lines.length > 0) return 'extract';
  return 'startup';
}

interface Trial {
  lane: number;
  trial: number;
  /** Milliseconds after spawning, or 'at publish': the moment out/.current switched. */
  kill: number | 'at publish';
  phase: Phase;
  outcome: 'byte-identical' | 'complete new run';
  lockTakenOver: boolean;
  unfinishedRemoved: boolean;
  /** The next refresh rebuilt and published (forced), or left the published run (no-op). */
  nextRebuilt: boolean;
  stray: string[];
}

const trials: Trial[] = [];
const uninterrupted: number[] = [];

afterAll(async () => {
  if (trials.length > 0) {
    const count = (test: (t: Trial) => boolean) => trials.filter(test).length;
    const phases = PHASES.map((p) => `${p} ${count((t) => t.phase === p)}`).join(', ');
    const stray = trials.flatMap((t) => t.stray);
    console.log(
      `kill-during-refresh: ${trials.length} trials (seed ${SEED}, uninterrupted run ` +
        `${uninterrupted.map((ms) => (ms / 1000).toFixed(1)).join('/')} s): ` +
        `${count((t) => t.outcome === 'byte-identical')} byte-identical, ` +
        `${count((t) => t.outcome === 'complete new run')} complete new run; ` +
        `killed in ${phases}; stale lock taken over ${count((t) => t.lockTakenOver)}, ` +
        `unfinished runs removed ${count((t) => t.unfinishedRemoved)}; next refresh rebuilt ` +
        `${count((t) => t.nextRebuilt)}, no-op ${count((t) => !t.nextRebuilt)}` +
        (stray.length > 0 ? `; left behind: ${stray.join(', ')}` : ''),
    );
  }
  await removeTempDirs();
});

/** Top-level entries of an out dir after a successful refresh. */
// .refresh-lock.duckdb: the file the kernel lock is taken on, which stays.
const EXPECTED_ENTRIES = new Set([
  '.current',
  '.previous',
  '.runs',
  '.refresh-lock.duckdb',
  ...PUBLISHED_ENTRIES,
  // Appended by every attempt that got as far as ending (a kill after the publish).
  RUN_LOG_NAME,
]);

async function runTrial(
  lane: number,
  trial: number,
  rawDir: string,
  outDir: string,
  kill: number | 'at publish',
): Promise<Trial> {
  const where = `lane ${lane} trial ${trial} (kill ${kill === 'at publish' ? kill : `after ${kill} ms`})`;
  const before = await published(outDir);

  const child = spawnRefresh(rawDir, outDir);
  let watcher: ReturnType<typeof watch> | undefined;
  let timer: NodeJS.Timeout | undefined;
  const trigger = new Promise<'kill'>((resolve) => {
    if (kill === 'at publish') {
      // Publishing renames a new link onto out/.current: kill as soon as that shows.
      watcher = watch(outDir, (_event, name) => {
        if (name === '.current') resolve('kill');
      });
    } else {
      timer = setTimeout(() => resolve('kill'), kill);
    }
  });
  if ((await Promise.race([child.exited, trigger])) === 'kill') child.process.kill('SIGKILL');
  watcher?.close();
  clearTimeout(timer);
  const exit = await child.exited;
  const finished = exit.signal === null;
  if (finished) expect(exit.code, `${where}: ${child.stderr.join('')}`).toBe(0);
  else expect(exit.signal, where).toBe('SIGKILL');

  // The build folder the child left: .runs/<time>-<pid>.
  const runs = await readdir(join(outDir, '.runs')).catch(() => [] as string[]);
  const leftover = runs.find((name) => name.endsWith(`-${child.process.pid}`));
  const after = await published(outDir);
  const switched = after.runDir !== before.runDir;
  const build =
    leftover === undefined
      ? 'none'
      : existsSync(join(outDir, '.runs', leftover, PARQUET_DIR_NAME))
        ? 'parquet'
        : 'database';
  const phase = phaseOf(child, { finished, switched, build });

  // The published outputs: the old ones byte for byte, or a complete new run.
  if (!switched) {
    expect(after, `${where}: published outputs changed`).toEqual(before);
  } else {
    expect(basename(after.runDir), where).toMatch(new RegExp(`-${child.process.pid}$`));
    const files = (p: Published) => Object.keys(p.entries[PARQUET_DIR_NAME] as object).sort();
    expect(files(after), `${where}: incomplete Parquet`).toEqual(files(before));
  }
  const db = await openOutDatabase(outDir);
  try {
    expect(await scalar(db.connection, 'SELECT count(*) FROM pfs_rvu'), where).toBe(ROWS);
    if (switched) {
      const run = await scalar(db.connection, 'SELECT run_id FROM run');
      expect(run, where).toBe(basename(after.runDir));
    }
  } finally {
    db.close();
  }

  // The next refresh succeeds: it takes over a lock left by the dead child, removes its build.
  // The last random trial of a lane forces a rebuild; the others find the inputs of the
  // published run unchanged and leave it in place (what `make refresh` after a crash does),
  // which keeps the file fast.
  const lockLeft = existsSync(join(outDir, LOCK_FILE));
  const unfinished = leftover !== undefined && join(outDir, '.runs', leftover) !== after.runDir;
  const log: string[] = [];
  const force = trial === TRIALS_PER_LANE - 1;
  const summary = await refresh({
    rawDir,
    outDir,
    pipelines: [pfsRvuPipeline],
    force,
    log: (line) => log.push(line),
  });
  // (A refresh that is not forced rebuilds too when src/ changed meanwhile.)
  if (force) expect(summary.unchanged, where).toBe(false);
  const republished = await published(outDir);
  if (summary.unchanged) {
    expect(republished, `${where}: a no-op refresh changed the outputs`).toEqual(after);
  } else {
    expect(republished.runDir, where).not.toBe(after.runDir);
  }
  // "took over [a stale lock | the lock] <path> left by pid <pid>, which is no longer running"
  const tookOver = log.some(
    (l) => /^took over .*lock/.test(l) && l.includes(`pid ${child.process.pid}`),
  );
  const removed = log.some((l) => l.startsWith('removed unfinished runs'));
  expect(tookOver, `${where}: lock left ${lockLeft}, log:\n${log.join('\n')}`).toBe(lockLeft);
  if (unfinished) expect(removed, `${where}: ${leftover} not removed`).toBe(true);
  expect(existsSync(join(outDir, LOCK_FILE)), where).toBe(false);
  const current = await readlink(join(outDir, '.current'));
  const previous = await readlink(join(outDir, '.previous')).catch(() => null);
  const kept = [current, previous].flatMap((t) => (t ? [basename(t)] : []));
  expect((await readdir(join(outDir, '.runs'))).sort(), where).toEqual([...new Set(kept)].sort());
  const stray = (await readdir(outDir)).filter((name) => !EXPECTED_ENTRIES.has(name));
  return {
    lane,
    trial,
    kill,
    phase,
    outcome: switched ? 'complete new run' : 'byte-identical',
    lockTakenOver: tookOver,
    unfinishedRemoved: removed,
    nextRebuilt: !summary.unchanged,
    stray,
  };
}

describe.concurrent(`kill -9 during refresh (${LANES * TRIALS_PER_LANE + PUBLISH_TRIALS} trials)`, () => {
  for (let lane = 0; lane < LANES; lane++) {
    const kills = TRIALS_PER_LANE + (lane < PUBLISH_TRIALS ? 1 : 0);
    it(
      `lane ${lane}: ${kills} kills, each followed by a refresh that succeeds`,
      async () => {
        expect(
          existsSync(join(PROJECT_ROOT, 'dist', 'src', 'run', 'refresh.js')),
          'dist/ is built by make test',
        ).toBe(true);
        const rawDir = await smallRaw(ROWS);
        const outDir = join(await makeTempDir('kill-out'), 'out');
        // The good run: uninterrupted, in a child like the trials; its duration bounds the delays.
        const started = performance.now();
        const first = spawnRefresh(rawDir, outDir);
        const exit = await first.exited;
        expect(exit.code, first.stderr.join('')).toBe(0);
        const duration = performance.now() - started;
        uninterrupted.push(duration);

        const next = random(SEED + lane);
        for (let trial = 0; trial < TRIALS_PER_LANE; trial++) {
          trials.push(await runTrial(lane, trial, rawDir, outDir, Math.round(next() * duration)));
        }
        // Random delays rarely land in the few milliseconds of publishing: aim at it once.
        if (lane < PUBLISH_TRIALS) {
          trials.push(await runTrial(lane, TRIALS_PER_LANE, rawDir, outDir, 'at publish'));
        }
      },
      LANE_TIMEOUT_MS,
    );
  }
});

describe('a reader holding the old database open', () => {
  it(
    'keeps querying it while two refreshes publish new runs and the old run is removed',
    async () => {
      const outDir = join(await makeTempDir('reader-out'), 'out');
      await refresh({ rawDir: await smallRaw(ROWS), outDir, pipelines: [pfsRvuPipeline] });
      const oldRun = dirname(await realpath(join(outDir, DATABASE_FILE_NAME)));
      const newRaw = await smallRaw(ROWS - 100);

      const reader = spawnNode(READER_SCRIPT, [join(outDir, DATABASE_FILE_NAME)]);
      try {
        // Waits for n answers to queries started after `since` (a line read here may have
        // been written before `since`, so counting lines alone races the reader's output).
        const answered = async (n: number, since = 0) => {
          const deadline = Date.now() + 90_000;
          const after = () =>
            reader.lines.filter((l) => (JSON.parse(l) as { at: number }).at > since).length;
          while (after() < n) {
            if (Date.now() > deadline) throw new Error(`reader: ${reader.stderr.join('')}`);
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        };
        await answered(1);
        const publishing = Date.now();
        // The first publish keeps the old run as .previous; the second removes it from disk.
        await refresh({ rawDir: newRaw, outDir, pipelines: [pfsRvuPipeline] });
        await refresh({ rawDir: newRaw, outDir, pipelines: [pfsRvuPipeline], force: true });
        const published = Date.now();
        expect(existsSync(oldRun)).toBe(false);
        await answered(20, published);
        reader.process.stdin?.end();
        expect((await reader.exited).code, reader.stderr.join('')).toBe(0);

        const results = reader.lines.map(
          (l) => JSON.parse(l) as { at: number; count?: number; error?: string },
        );
        expect(results.filter((r) => r.error !== undefined)).toEqual([]);
        expect(new Set(results.map((r) => r.count))).toEqual(new Set([ROWS]));
        const during = results.filter((r) => r.at >= publishing && r.at <= published);
        expect(during.length).toBeGreaterThan(0);
        expect(results.filter((r) => r.at > published).length).toBeGreaterThanOrEqual(20);
      } finally {
        if (reader.process.exitCode === null) reader.process.kill('SIGKILL');
      }
      // A reader opening the path now gets the new run.
      const db = await openOutDatabase(outDir);
      try {
        expect(await scalar(db.connection, 'SELECT count(*) FROM pfs_rvu')).toBe(ROWS - 100);
      } finally {
        db.close();
      }
    },
    READER_TIMEOUT_MS,
  );
});

describe('what a refresh killed mid-write leaves outside .runs/', () => {
  // A kill between writing <out>/.refresh.lock.<pid> and removing it (acquireLock), or between
  // creating <link>.tmp-<pid> and renaming it (publishBuild), leaves that file behind: the next
  // writer removes those of dead processes once it holds the lock.
  it(
    'is removed by the next refresh',
    async () => {
      const rawDir = await smallRaw(ROWS);
      const outDir = join(await makeTempDir('debris-out'), 'out');
      await refresh({ rawDir, outDir, pipelines: [pfsRvuPipeline] });
      const dead = spawnNode('', []);
      await dead.exited;
      const debris = [`${LOCK_FILE}.${dead.process.pid}`, `.current.tmp-${dead.process.pid}`];
      await writeFile(join(outDir, debris[0] as string), `${dead.process.pid}\n`);
      await symlink(join('.runs', 'gone'), join(outDir, debris[1] as string));
      // Cleaning up comes before the no-op check, so an unchanged refresh does it too.
      await refresh({ rawDir, outDir, pipelines: [pfsRvuPipeline] });
      expect((await readdir(outDir)).filter((name) => debris.includes(name))).toEqual([]);
    },
    READER_TIMEOUT_MS,
  );
});
