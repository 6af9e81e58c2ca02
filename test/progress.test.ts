import { describe, expect, it } from 'vitest';
import { progressFor } from '../src/commands/progress.js';

/** A stderr stand-in that keeps what is written; `isTTY` says whether it plays a terminal. */
function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  const stream = {
    isTTY,
    columns: 100,
    write(text: string) {
      written.push(text);
      return true;
    },
    cursorTo() {
      return true;
    },
    moveCursor() {
      return true;
    },
    clearLine() {
      return true;
    },
    clearScreenDown() {
      return true;
    },
    on() {
      return stream;
    },
    removeListener() {
      return stream;
    },
  };
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => written.join('') };
}

describe('refresh progress', () => {
  let clock = Date.parse('2026-12-06T06:15:00Z');
  // Each reading of the clock is 1.5 s after the one before.
  const now = () => {
    clock += 1500;
    return new Date(clock);
  };

  it('not on a terminal: one line per stage with time, zone and run id; --verbose adds stage times', () => {
    const { stream, text } = fakeStream(false);
    const progress = progressFor({ runId: 'R1', verbosity: 'verbose', stages: 2, stream, now });
    progress.stage('plan');
    progress.log('pfs-rvu: 1 release(s) to read');
    progress.stage('publish');
    progress.end();
    const lines = text().split('\n');
    expect(lines[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d run R1 stage 1\/2: plan$/,
    );
    expect(lines[1]).toMatch(/ run R1 pfs-rvu: 1 release\(s\) to read$/);
    expect(lines[2]).toMatch(/ run R1 stage 2\/2: publish$/);
    expect(text()).toMatch(/stage times:\n {2}plan +\d+\.\d s\n {2}publish +\d+\.\d s/);
  });

  it('on a terminal: a bar naming the stage, cleared at the end', async () => {
    const { stream, text } = fakeStream(true);
    const progress = progressFor({ runId: 'R2', verbosity: 'normal', stages: 3, stream, now });
    progress.stage('load sources');
    // The bar is drawn on cli-progress's timer (10 frames a second).
    await new Promise((resolve) => setTimeout(resolve, 250));
    progress.end();
    expect(text()).toContain('load sources');
    expect(text()).not.toContain('stage times');
  });

  it('--quiet writes nothing', () => {
    const { stream, text } = fakeStream(false);
    const progress = progressFor({ runId: 'R3', verbosity: 'quiet', stages: 1, stream, now });
    progress.stage('plan');
    progress.log('a line');
    progress.end();
    expect(text()).toBe('');
  });
});
