import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The environment for npm without what `npx vitest` adds: npm_config_local_prefix (the repo)
 * and the like would make `npm install` install into the repo instead of the empty folder.
 * Where packages come from (cache, registry, config files, CA, proxies) is kept.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const keep =
    /^npm_config_(cache|registry|userconfig|globalconfig|cafile|proxy|https_proxy|noproxy|strict_ssl)$/i;
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.toLowerCase().startsWith('npm_') || keep.test(k),
    ),
  );
}

async function npm(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run('npm', args, { cwd, env: npmEnv(), maxBuffer: 64 << 20 });
  return stdout;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function node(cwd: string, ...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run('node', args, { cwd, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as Result;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Every .sql file of the project a refresh may read: all of them but the tests' and bench's. */
async function projectSqlFiles(dir = ROOT): Promise<string[]> {
  const skip = new Set(['node_modules', 'test', 'bench', 'dist', 'dist-bench', 'out', 'raw']);
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || (dir === ROOT && skip.has(entry.name))) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await projectSqlFiles(path)));
    else if (entry.name.endsWith('.sql')) found.push(relative(ROOT, path).split(sep).join('/'));
  }
  return found.sort();
}

describe('the npm package', () => {
  let dir: string;
  let packed: { filename: string; files: { path: string }[] };
  let app: string;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'src', 'cli.js'))) {
      throw new Error('dist/ is not built: run `make test-package`, which builds it first');
    }
    dir = await mkdtemp(join(tmpdir(), 'fse-package-'));
    const packDir = join(dir, 'pack');
    app = join(dir, 'app');
    await mkdir(packDir);
    await mkdir(app);
    // npm pack runs from the repo and ships dist/ as built (there is no prepack script).
    const json = await npm(ROOT, 'pack', '--json', '--pack-destination', packDir);
    packed = (JSON.parse(json) as (typeof packed)[])[0] as typeof packed;
    await writeFile(
      join(app, 'package.json'),
      `${JSON.stringify({ name: 'fse-package-test', private: true }, null, 2)}\n`,
    );
    await npm(
      app,
      'install',
      join(packDir, packed.filename),
      '--prefix',
      app,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    );
    // The bundled releases, copied: the package ships no raw/ of its own.
    await cp(join(ROOT, 'raw'), join(dir, 'raw'), { recursive: true });
  });

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ships every SQL file of the project', async () => {
    const shipped = new Set(packed.files.map((f) => f.path));
    const sql = await projectSqlFiles();
    expect(sql.length).toBeGreaterThan(0);
    expect(sql.filter((path) => !shipped.has(path))).toEqual([]);
  });

  it('refreshes from raw/ and looks a code up, installed', async () => {
    const cli = join(app, 'node_modules', '.bin', 'fse');
    const out = join(dir, 'out');
    const refresh = await node(app, cli, 'refresh', '--raw', join(dir, 'raw'), '--out', out);
    expect(refresh.stderr).not.toMatch(/^error:/m);
    expect(refresh.code).toBe(0);
    expect(refresh.stdout + refresh.stderr).toContain(
      `published ${join(out, 'fee_schedule.duckdb')}`,
    );
    expect(existsSync(join(out, 'fee_schedule.duckdb'))).toBe(true);

    const lookup = await node(app, cli, 'lookup', '38211', '--out', out);
    expect(lookup.code).toBe(0);
    expect(lookup.stdout).toMatch(/^38211 /);
    expect(lookup.stdout).toMatch(/^ {2}Status Code +I +Not valid for Medicare purposes$/m);
    // Nothing was written into the installed package.
    expect(existsSync(join(app, 'node_modules', 'fee-schedule-etl', 'out'))).toBe(false);
  });

  it('installed, raw/ and out/ are those of the working directory; a missing database is advised with fse refresh', async () => {
    const cli = join(app, 'node_modules', '.bin', 'fse');
    const missing = await node(app, cli, 'lookup', '38211');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      `${join(app, 'out', 'fee_schedule.duckdb')} does not exist: run "fse refresh --raw <folder of raw releases> --out out" first`,
    );
    expect(missing.stderr).not.toContain('make refresh');
    await cp(join(dir, 'raw'), join(app, 'raw'), { recursive: true });
    const refresh = await node(app, cli, 'refresh');
    expect(refresh.code, refresh.stderr).toBe(0);
    expect(existsSync(join(app, 'out', 'fee_schedule.duckdb'))).toBe(true);
    expect((await node(app, cli, 'lookup', '38211')).code).toBe(0);
    expect(existsSync(join(app, 'node_modules', 'fee-schedule-etl', 'out'))).toBe(false);
  });
});
