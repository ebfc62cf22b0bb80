/**
 * Benchmarks. `npm run bench` runs them all; `npm run bench -- <name> [options]` runs one.
 * Each prints its figures and a ratio to a bare baseline run in the same process.
 */
interface Bench {
  run(args: string[]): Promise<void>;
}

const BENCHES: Record<string, () => Promise<Bench>> = {
  'import-beneficiaries': () => import('./import-beneficiaries.ts'),
  startup: () => import('./startup.ts'),
  'audit-verify': () => import('./audit-verify.ts'),
  documents: () => import('./documents.ts'),
};

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h') {
    console.log(`Usage: npm run bench [-- <name> [options]]\nBenchmarks: ${Object.keys(BENCHES).join(', ')}`);
    return 0;
  }
  const names = first === undefined || first.startsWith('-') ? Object.keys(BENCHES) : [first];
  const args = first === undefined || first.startsWith('-') ? argv : rest;
  for (const name of names) {
    const load = BENCHES[name];
    if (load === undefined) {
      console.error(`Unknown benchmark "${name}". Known: ${Object.keys(BENCHES).join(', ')}`);
      return 1;
    }
    console.log(`\n== ${name} ==`);
    await (await load()).run(args);
  }
  return 0;
}

// Only when run as the entry point (npm run bench); a child process of a benchmark imports its own module.
if (process.argv[1] && /bench[/\\]index\.ts$/.test(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2));
}
