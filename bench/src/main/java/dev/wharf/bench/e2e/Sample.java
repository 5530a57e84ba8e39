package dev.wharf.bench.e2e;

/**
 * One measured value: which switch, which repeat, which figure. NaN means "does not apply"
 * (a kernel switch has no process whose CPU time could be charged).
 */
record Sample(String scenario, int repeat, Metric metric, double value, long epochMs)
{
}
