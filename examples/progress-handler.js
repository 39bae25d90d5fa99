// Example handler for examples/job-control.js: reports its progress every 100 ms for
// payload.steps steps, and stops as soon as its signal fires (a cancel, a timeout, a shutdown).
export default async function render(payload, ctx) {
  for (let step = 1; step <= payload.steps; step++) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    ctx.progress({ step, of: payload.steps });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { pages: payload.steps };
}
