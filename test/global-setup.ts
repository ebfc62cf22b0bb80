import { buildPortal } from '../scripts/build-portal.ts';

export default async function setup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL) {
    console.log(`\n[carnet] Tests run on both engines: embedded PGlite and PostgreSQL (${process.env.TEST_DATABASE_URL.replace(/\/\/[^@]*@/, '//***@')}).\n`);
  } else {
    console.log('\n[carnet] TEST_DATABASE_URL is not set: the PostgreSQL half of the tests is SKIPPED (only embedded PGlite runs).');
    console.log('[carnet] To run both: TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm test\n');
  }
  // The portal's tests (src/portal, web/e2e) serve web/dist: built here when missing or stale.
  await buildPortal();
}
