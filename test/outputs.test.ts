// Outputs that survive failures and kills (ts/io/atomic.ts) and one writer per output
// (ts/io/lock.ts): a write that fails or is killed between its files leaves the old set,
// readers name what is missing, a second run with the same --out stops at once, and what
// dead processes left (locks, temporary files) is taken over or removed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../ts/cli/program.js';
import { writeFileAtomic } from '../ts/io/atomic.js';
import { generate } from '../ts/data/generate.js';
import { buildTargets } from '../ts/data/targets.js';
import { countFeatures } from '../ts/ubp/counts.js';
import { lockOutput } from '../ts/io/lock.js';
import { writeNpy } from '../ts/io/npy.js';
import { loadProfiles, writeProfiles } from '../ts/profiles/pipeline.js';
import { readSubmission, writeSubmission } from '../ts/ubp/export.js';

// writeNpy as every writer calls it, so that a test can make one call fail (a full disk).
vi.mock('../ts/io/npy.js', async (importOriginal) => {
  const m = await importOriginal<typeof import('../ts/io/npy.js')>();
  return { ...m, writeNpy: vi.fn(m.writeNpy) };
});
// rmSync likewise, so that a test can make the removal of a stale temporary fail.
vi.mock('node:fs', async (importOriginal) => {
  const m = await importOriginal<typeof import('node:fs')>();
  return { ...m, rmSync: vi.fn(m.rmSync) };
});
const { writeNpy: realWriteNpy } = await vi.importActual<typeof import('../ts/io/npy.js')>('../ts/io/npy.js');
/** The next `ok` calls of writeNpy write; the one after throws as a full disk would. */
function diskFullAfter(ok: number): void {
  const mock = vi.mocked(writeNpy);
  for (let i = 0; i < ok; i++) mock.mockImplementationOnce(realWriteNpy);
  mock.mockImplementationOnce((path) => {
    throw new Error(`${path}: ENOSPC: no space left on device (simulated)`);
  });
}

const root = mkdtempSync(join(tmpdir(), 'seqcore-outputs-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

const ids = (...v: number[]): BigInt64Array => BigInt64Array.from(v.map(BigInt));
const relevant = ids(1, 2, 3);
const submission = (dir: string, value: number): void => writeSubmission(dir, relevant, new Float32Array(6).fill(value), 2, relevant);
/** Every file under `dir` (names relative to it) with its bytes. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => {
        const path = join(e.parentPath, e.name);
        return [path.slice(dir.length + 1), readFileSync(path).toString('base64')];
      }),
  );
}
const leftovers = (dir: string): string[] => readdirSync(dir).filter((n) => /\.seqcore-(tmp|old)-\d+$/.test(n));
/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

/** A node process (with tsx, so it can import ts/) running `code`; resolves once it prints `ready`. */
async function child(code: string): Promise<ChildProcess & { exited: Promise<number | null> }> {
  const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(c);
  let err = '';
  c.stderr.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const exited = new Promise<number | null>((done) => c.on('exit', (status) => done(status)));
  await new Promise<void>((ready, fail) => {
    c.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('ready')) ready();
    });
    void exited.then((status) => fail(new Error(`child exited (${status}) before it was ready: ${err}`)));
  });
  return Object.assign(c, { exited });
}
const module = (path: string): string => JSON.stringify(pathToFileURL(resolve(path)).href);
const blockForever = 'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);';

describe('multi-file outputs', () => {
  it('a submission whose second file fails to write leaves the old pair; a new folder stays absent and readers name it', () => {
    const dir = join(root, 'sub');
    submission(dir, 1);
    const old = snapshot(dir);
    diskFullAfter(1);
    expect(() => submission(dir, 2)).toThrow(/ENOSPC/);
    expect(snapshot(dir)).toEqual(old);
    expect(readSubmission(dir, relevant).values).toEqual(new Float32Array(6).fill(1));
    const fresh = join(root, 'fresh');
    diskFullAfter(1);
    expect(() => submission(fresh, 2)).toThrow(/ENOSPC/);
    expect(() => readSubmission(fresh, relevant)).toThrow(`${fresh}: no such folder`);
    expect(leftovers(root)).toEqual([]);
  });

  it('data generate failing over an existing folder leaves the old data whole', async () => {
    const dir = join(root, 'gen');
    await generate({ clients: 300, out: dir, seed: 1 });
    const old = snapshot(dir);
    diskFullAfter(0); // relevant_clients.npy, written after the Parquet files
    await expect(generate({ clients: 300, out: dir, seed: 2 })).rejects.toThrow(/ENOSPC/);
    expect(snapshot(dir)).toEqual(old);
    expect(leftovers(root)).toEqual([]);
    expect(leftovers(dir)).toEqual([]);
  }, 60_000);

  it('a writer killed (SIGKILL) between the files leaves the old set; its temporary folder goes at the next write', async () => {
    const dir = join(root, 'killed');
    submission(dir, 1);
    const old = snapshot(dir);
    const c = await child(`
      import { writeDirAtomic } from ${module('ts/io/atomic.ts')};
      import { writeFileSync } from 'node:fs';
      writeDirAtomic(${JSON.stringify(dir)}, (tmp) => {
        writeFileSync(tmp + '/client_ids.npy', 'new');
        console.log('ready');
        ${blockForever}
      });`);
    c.kill('SIGKILL');
    await c.exited;
    expect(snapshot(dir)).toEqual(old);
    expect(leftovers(root)).toEqual([`killed.seqcore-tmp-${c.pid}`]);
    submission(join(root, 'next'), 3);
    expect(leftovers(root)).toEqual([]);
  });

  it('killed between the two renames of a swap: readers say so, and the next write puts the old folder back', () => {
    const dir = join(root, 'swapped');
    submission(dir, 1);
    const aside = `${dir}.seqcore-old-${deadPid()}`;
    renameSync(dir, aside);
    expect(() => readSubmission(dir, relevant)).toThrow(
      `${dir}: missing while a write replaces it, or since that write was killed (the previous version is ${aside}`,
    );
    writeFileAtomic(join(root, 'other.txt'), 'x');
    expect(readSubmission(dir, relevant).values).toEqual(new Float32Array(6).fill(1));
    expect(existsSync(aside)).toBe(false);
  });

  it('an output folder that is, or holds, the folder the command reads is refused before anything is written', async () => {
    const data = join(root, 'apart');
    await generate({ clients: 150, out: data, seed: 1 });
    const old = snapshot(data);
    for (const out of [data, `${data}/`, root])
      await expect(buildTargets({ dir: data, out })).rejects.toThrow(`${out}: this output folder is replaced as a whole, which would delete ${data}`);
    await expect(countFeatures({ data, before: '2100-01-01 00:00:00', out: data })).rejects.toThrow(`${data}: this output folder is replaced as a whole`);
    expect(snapshot(data)).toEqual(old);
    expect((await buildTargets({ dir: data, out: join(data, 'targets') })).relevant).toBeGreaterThan(0); // inside it is fine
  }, 60_000);

  it('a folder seqcore did not write is not replaced', () => {
    const dir = join(root, 'mine');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep');
    expect(() => submission(dir, 1)).toThrow(`${resolve(dir)}: not empty and not written by seqcore`);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('profiles whose ids were not written are rejected, naming both files', () => {
    const prefix = join(root, 'profiles');
    writeProfiles(prefix, [1, 2], new Float32Array(4), 2);
    unlinkSync(`${prefix}.users.npy`); // where a kill after the vectors leaves the pair
    expect(() => loadProfiles(prefix, [1, 2])).toThrow(`${prefix}.users.npy: missing beside ${prefix}.npy`);
  });
});

describe('temporary files of dead processes', () => {
  it.each([
    ['a file written into the folder', (dir: string): void => writeFileAtomic(join(dir, 'c.npy'), 'y')],
    ['a folder written into it', (dir: string): void => submission(join(dir, 'sub'), 1)],
    ['a command taking an --out in it', (dir: string): void => lockOutput(join(dir, 'run'))],
  ])('are removed by %s; those of a live process are kept', async (_, write) => {
    const dir = mkdtempSync(join(root, 'stale-'));
    const dead = deadPid(),
      live = (await child(`console.log('ready'); ${blockForever}`)).pid!;
    const made = [
      `a.npy.seqcore-tmp-${dead}`,
      `events.seq.seqcore-tmp-${dead}`,
      `sub.seqcore-tmp-${dead}`,
      `b.npy.seqcore-tmp-${live}`,
      `out.seqcore-tmp-${live}`,
    ];
    for (const name of made) {
      if (name.includes('.npy') || name.includes('.seq')) writeFileSync(join(dir, name), 'x');
      else mkdirSync(join(dir, name));
    }
    write(dir);
    expect(leftovers(dir).sort()).toEqual([`b.npy.seqcore-tmp-${live}`, `out.seqcore-tmp-${live}`]);
  });
});

describe('what is not a seqcore temporary', () => {
  it("a user's own files and folders named like one are kept, also beside an --out", () => {
    const dir = mkdtempSync(join(root, 'user-'));
    const dead = deadPid();
    for (const name of [`photos.tmp-${dead}`, 'backup.tmp-2023', `albums.seqcore-tmp-${dead}`]) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'a.jpg'), 'precious');
    }
    writeFileSync(join(dir, `notes.tmp-${dead}`), 'precious');
    writeFileAtomic(join(dir, 'c.npy'), 'y');
    submission(join(dir, 'sub'), 1);
    lockOutput(join(dir, 'run'));
    expect(readFileSync(join(dir, `photos.tmp-${dead}`, 'a.jpg'), 'utf8')).toBe('precious');
    expect(readFileSync(join(dir, 'backup.tmp-2023', 'a.jpg'), 'utf8')).toBe('precious');
    expect(readFileSync(join(dir, `albums.seqcore-tmp-${dead}`, 'a.jpg'), 'utf8')).toBe('precious'); // not marked
    expect(readFileSync(join(dir, `notes.tmp-${dead}`), 'utf8')).toBe('precious');
  });

  it('a stale temporary that cannot be removed does not fail the write', () => {
    const dir = mkdtempSync(join(root, 'stuck-'));
    const stuck = join(dir, `x.npy.seqcore-tmp-${deadPid()}`);
    mkdirSync(stuck);
    writeFileSync(join(stuck, '.seqcore-output'), '');
    // As in a shared folder (/tmp), where another user's leftover is not ours to remove: EPERM.
    vi.mocked(rmSync).mockImplementationOnce(() => {
      throw Object.assign(new Error(`EPERM: operation not permitted, rm '${stuck}'`), { code: 'EPERM' });
    });
    writeFileAtomic(join(dir, 'c.npy'), 'y');
    expect(readFileSync(join(dir, 'c.npy'), 'utf8')).toBe('y');
    expect(existsSync(stuck)).toBe(true);
  });
});

describe('one writer per output', () => {
  it('a second run with the same --out fails at once, naming the folder and the pid; once that run is killed, its lock is taken over', async () => {
    const out = join(root, 'locked');
    const c = await child(`
      import { lockOutput } from ${module('ts/io/lock.ts')};
      lockOutput(${JSON.stringify(out)});
      console.log('ready');
      ${blockForever}`);
    expect(() => lockOutput(out)).toThrow(`${out}: another seqcore run (pid ${c.pid}) is writing it`);
    await expect(runCli(['data', 'targets', '--dir', join(root, 'no-data'), '--out', out])).rejects.toThrow(`${out}: another seqcore run (pid ${c.pid})`);
    c.kill('SIGKILL');
    await c.exited;
    lockOutput(out);
    expect(readFileSync(`${out}.lock`, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('a stale lock of a dead pid is taken over', () => {
    const out = join(root, 'stale-lock');
    writeFileSync(`${out}.lock`, `${deadPid()}\n`);
    lockOutput(out);
    expect(readFileSync(`${out}.lock`, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('the lock is released when its process exits, after an error too', async () => {
    const out = join(root, 'released');
    const c = await child(`
      import { lockOutput } from ${module('ts/io/lock.ts')};
      lockOutput(${JSON.stringify(out)});
      process.on('SIGUSR2', () => { throw new Error('failed'); });
      console.log('ready');
      setInterval(() => {}, 1000);`);
    expect(existsSync(`${out}.lock`)).toBe(true);
    c.kill('SIGUSR2');
    expect(await c.exited).toBe(1);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});
