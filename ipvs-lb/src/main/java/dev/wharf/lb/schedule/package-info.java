/**
 * The load balancer's schedulers: which backend of a virtual service a NEW flow goes to, IPVS's
 * {@code rr}, {@code wrr}, {@code lc}, {@code wlc}, {@code sh} and {@code mh}, built by
 * {@link dev.wharf.lb.schedule.Schedulers} from a list of {@link dev.wharf.lb.schedule.BackendWeight}s.
 *
 * <p>Threads: the control thread builds (and rebuilds on every change) a scheduler and publishes it whole,
 * through a volatile reference or an immutable snapshot; worker threads call
 * {@link dev.wharf.lb.schedule.Scheduler#pick} concurrently. A pick takes no lock and allocates nothing;
 * rr and wrr share one atomic cursor per scheduler (one contended increment per new flow), the others
 * only read. Nothing here depends on the dataplane.
 *
 * <p>Choices made, and their bounds:
 * <ul>
 * <li>Weight 0 (quiesced) is never chosen by any scheduler; no backend of positive weight: {@code NONE}.
 *     At most {@link dev.wharf.lb.schedule.Schedulers#MAX_BACKENDS} backends, no address and port twice.</li>
 * <li>{@code wrr} walks a precomputed cycle: exact shares over each cycle when the weights' sum divided
 *     by their gcd is at most 262,144, otherwise within one turn of 262,144 (1 MB at most).</li>
 * <li>{@code lc} and {@code wlc} scan the backends on each pick, as IPVS does: O(n).</li>
 * <li>{@code sh} and {@code mh} key on the client's address (and port if
 *     {@link dev.wharf.lb.schedule.SchedulerOptions#hashSourcePort}), not on the flow hash; their seeds are
 *     constants, so hosts and rebuilds agree. {@code sh} moves clients on any change, as IPVS's does.</li>
 * <li>{@code mh} is Maglev with weights taken as turns; {@link dev.wharf.lb.schedule.Schedulers#rebuild}
 *     and {@code rebuildWithout} keep every survivor's slots when backends are only removed or quiesced
 *     (zero moves), at the price of a later fresh build (an add, a weight change) moving somewhat more
 *     than 1/n. See {@code MaglevTable}.</li>
 * </ul>
 */
package dev.wharf.lb.schedule;
