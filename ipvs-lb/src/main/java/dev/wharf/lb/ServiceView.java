package dev.wharf.lb;

import java.util.List;

/**
 * A virtual service and its backends, in the order they were added, as listings show them.
 *
 * @param stats its counts: the totals (connections, packets, bytes) since it was added, its backends' and
 *              those of backends removed since (as IPVS keeps a service's); active and inactive are its
 *              listed backends' sums.
 * @param rates its rates per second over the last estimator interval.
 */
public record ServiceView(VirtualService service, List<BackendView> backends, LbStats stats, LbRates rates)
{
}
