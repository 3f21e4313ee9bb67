// The step runner both conformance scripts share: each step passes or fails on its own, every failure is printed with
// its stack, and finish() prints "<name>: N passed, N failed" (the line the JUnit wrappers assert) and sets the exit code.

export function check(cond, message) {
  if (!cond) throw new Error(message);
}

export function steps(name) {
  let passed = 0;
  let failures = 0;
  return {
    async step(stepName, fn) {
      try {
        await fn();
        passed++;
        console.log(`ok   ${stepName}`);
      } catch (e) {
        failures++;
        console.error(`FAIL ${stepName}: ${e?.stack ?? e}`);
      }
    },
    finish() {
      console.log(`${name}: ${passed} passed, ${failures} failed`);
      process.exit(failures === 0 ? 0 : 1);
    },
  };
}
