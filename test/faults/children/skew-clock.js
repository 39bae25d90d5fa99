// Preloaded with --import into an engine (and inherited by its threads): shifts Date.now() by
// $SLUICE_CLOCK_SKEW_MS, as a machine whose clock is wrong would. Redis TIME decides every lease
// and due time, so nothing may change.
const skew = Number(process.env.SLUICE_CLOCK_SKEW_MS ?? 0);
const realNow = Date.now;
Date.now = () => realNow() + skew;
