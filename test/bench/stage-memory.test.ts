import { describe, expect, it } from 'vitest';
import { highWaterMark, recordStages } from '../../bench/stage-memory.js';

const MIB = 2 ** 20;
const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe('recordStages', () => {
  it('gives each stage its time and the peak RSS reached while it ran', async () => {
    const started = performance.now();
    const recorder = recordStages(started, 5);
    recorder.stage('small');
    await pause(30);
    recorder.stage('large');
    // 200 MiB touched (filled), so resident, then released before the stage ends.
    let block: Buffer | null = Buffer.alloc(200 * MIB, 1);
    await pause(30);
    expect(block.length).toBe(200 * MIB);
    block = null;
    recorder.stage('after');
    const stages = recorder.finish();

    expect(stages.map((s) => s.name)).toEqual(['small', 'large', 'after']);
    const [small, large] = stages as [(typeof stages)[0], (typeof stages)[0]];
    expect(small.seconds).toBeGreaterThanOrEqual(0.025);
    expect(large.startMs).toBeGreaterThanOrEqual(small.startMs + small.seconds * 1000 - 1);
    expect(large.peakRssMib).toBeGreaterThanOrEqual(small.peakRssMib + 150);
    for (const s of stages) expect(s.peakRssMib).toBeGreaterThanOrEqual(s.endRssMib - 1);
  });

  it('reads the kernel high-water mark on Linux', () => {
    if (process.platform !== 'linux') return;
    expect(highWaterMark()).toBeGreaterThanOrEqual(process.memoryUsage.rss() - 1);
  });
});
