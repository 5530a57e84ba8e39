package dev.wharf.lb;

/**
 * A backend's or a service's rates per second over the last estimator interval ({@link RateEstimator}),
 * as {@code ipvsadm -Ln --rate}: CPS, InPPS, OutPPS, InBPS, OutBPS. Immutable.
 */
public record LbRates(double connections, double packetsIn, double packetsOut, double bytesIn, double bytesOut)
{
    public static final LbRates ZERO = new LbRates(0, 0, 0, 0, 0);
}
