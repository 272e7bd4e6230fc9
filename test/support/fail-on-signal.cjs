// Preloaded into a service started by test/integration/internal-error.test.ts (NODE_OPTIONS=--require): on SIGUSR2 it
// makes the internal error the test asks for (CROCETTA_TEST_FAILURE), as a bug somewhere in the service would.
process.on('SIGUSR2', () => {
  if (process.env.CROCETTA_TEST_FAILURE === 'rejection') {
    void Promise.reject(new Error('a promise nobody waited for failed (test)'));
    return;
  }
  throw new Error('an exception nobody caught (test)');
});
