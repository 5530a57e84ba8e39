package dev.wharf.lb;

/**
 * Rates from two samples of a backend's or service's totals, as IPVS's estimator samples every 2 s: each
 * {@link #sample} replaces the rates with those of the interval since the previous sample (the last
 * interval, not a moving average: a burst shows in full for one interval and is gone in the next). The
 * first sample only sets the start. A total that went down (it cannot, short of a reused mark's
 * baseline) gives a rate of 0, never a negative one. Control thread only (the balancer's lock).
 */
final class RateEstimator
{
    /** How often the balancer samples: IPVS's estimator interval. */
    static final long INTERVAL_MS = 2_000;

    private long sampledAtMs = Long.MIN_VALUE;
    private LbStats previous = LbStats.ZERO;
    private LbRates rates = LbRates.ZERO;

    /** Takes {@code totals} as of {@code nowMs} (the workers' clock). */
    void sample(final long nowMs, final LbStats totals)
    {
        if (sampledAtMs != Long.MIN_VALUE && nowMs > sampledAtMs)
        {
            final double seconds = (nowMs - sampledAtMs) / 1000.0;
            rates = new LbRates(
                perSecond(totals.connections() - previous.connections(), seconds),
                perSecond(totals.packetsIn() - previous.packetsIn(), seconds),
                perSecond(totals.packetsOut() - previous.packetsOut(), seconds),
                perSecond(totals.bytesIn() - previous.bytesIn(), seconds),
                perSecond(totals.bytesOut() - previous.bytesOut(), seconds));
        }
        if (nowMs > sampledAtMs || sampledAtMs == Long.MIN_VALUE)
        {
            sampledAtMs = nowMs;
            previous = totals;
        }
    }

    LbRates rates()
    {
        return rates;
    }

    private static double perSecond(final long delta, final double seconds)
    {
        return delta <= 0 ? 0 : delta / seconds;
    }
}
