import cliProgress from 'cli-progress';

export interface Progress {
  update(bytesRead: number, counts: Record<string, number>): void;
  stop(): void;
}

/**
 * A progress bar on a terminal (bytes of the file, rows per second, counts); nothing when
 * the output is not a terminal (CI, pipes), where a summary line is printed at the end.
 */
export function createProgress(totalBytes: number, enabled: boolean): Progress {
  if (!enabled || totalBytes <= 0) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {percentage}% | {rows} rows | {rate} rows/s | {info} | ETA {eta_formatted}',
      hideCursor: true,
      stream: process.stderr,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  bar.start(totalBytes, 0, { rows: 0, rate: 0, info: '' });
  return {
    update(bytesRead, counts) {
      const rows = counts.rows ?? 0;
      const secs = (performance.now() - started) / 1000;
      const info = Object.entries(counts)
        .filter(([k]) => k !== 'rows')
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
      bar.update(bytesRead, { rows, rate: secs > 0 ? Math.round(rows / secs) : 0, info });
    },
    stop() {
      bar.stop();
    },
  };
}
